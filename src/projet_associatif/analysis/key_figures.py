"""Read the long table of key figures (``chiffres_cles``) and compute counts from shares.

The source prints many figures as whole percentages of a stated total: the count a share
stands for is then only approximate, and :func:`compatible_counts` gives every whole count
that the rounded percentage allows. Pure computations: chapters word and format them.
"""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import pandas as pd

from projet_associatif.core.errors import MissingData
from projet_associatif.data.package import UnknownResource, resource


class MissingFigure(MissingData, KeyError):
    """Raise when a table lacks the row of one figure: « à compléter » in that table.

    A KeyError too, as a lookup that fails; a :class:`MissingData`, so that a notebook
    shows the « À compléter » box naming the file and the missing figure.
    """

    def __str__(self) -> str:
        return self.render()


def row_by_id(frame: pd.DataFrame, key: str, table: str) -> pd.Series:
    """Return the row of ``table`` whose ``id`` is ``key``, with a clear error when it lacks."""
    rows = frame[frame["id"] == key]
    if rows.empty:
        try:
            path = resource(table).path
        except UnknownResource:
            path = Path(table)
        raise MissingFigure(path, f"chiffre « {key} » absent de la table {table} (colonne id)")
    return rows.iloc[0]


def figure_row(chiffres: pd.DataFrame, key: str) -> pd.Series:
    """Return the row of one key figure, with a clear error when the data lacks it."""
    return row_by_id(chiffres, key, "chiffres_cles")


def figure(chiffres: pd.DataFrame, key: str) -> float:
    """Return the stated value of one key figure."""
    return float(figure_row(chiffres, key)["valeur"])


def share_count(total: float, pct: float) -> float:
    """Return the count that a share of a total stands for (not rounded)."""
    return total * pct / 100


def compatible_counts(total: int, pct: float, decimals: int = 0) -> tuple[int, int]:
    """Return the smallest and largest whole counts whose share of ``total`` rounds to ``pct``.

    Rounding is half up at ``decimals`` decimals (the French convention of formatting.py):
    a count n is compatible when pct − h ≤ 100 n / total < pct + h, with h half a unit.
    Exact fractions avoid float edges (e.g. 7,5 % of 2 000 is exactly 150).
    """
    if total <= 0:
        raise ValueError(f"Effectif total non positif : {total}")
    half = Fraction(1, 2) / 10**decimals
    share = Fraction(str(pct))
    low = math.ceil(Fraction(total) * (share - half) / 100)
    high = math.ceil(Fraction(total) * (share + half) / 100) - 1
    return max(low, 0), min(high, total)
