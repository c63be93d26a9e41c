"""Word a chart's text alternative the house way: what it shows, then every value.

Every chart's alt text ends with the list of its values, « ; » between items and a full
stop at the end, so that a screen-reader user hears the same figures a sighted reader sees.
The chapters say what the chart shows and how one value reads; these helpers list them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd


def sentence(intro: str, items: Iterable[str]) -> str:
    """Return ``intro`` followed by the items, « ; » between them, and a full stop."""
    return intro + " ; ".join(items) + "."


def pairs(
    frame: pd.DataFrame, label: str, value: str, word: Callable[[Any, Any], str]
) -> list[str]:
    """Return each row's ``label`` and ``value`` columns worded by ``word``, in row order."""
    return [word(a, b) for a, b in zip(frame[label], frame[value], strict=True)]


def series(
    frame: pd.DataFrame,
    by: str,
    label: str,
    value: str,
    word: Callable[[Any, Any], str],
    *,
    sort: bool = False,
) -> list[str]:
    """Return « name : value, value, … » for each group of ``frame`` by the ``by`` column.

    Groups come in their first appearance order (``sort=False``) or sorted by name.
    """
    return [
        f"{name} : " + ", ".join(pairs(rows, label, value, word))
        for name, rows in frame.groupby(by, sort=sort)
    ]
