"""Say what the commission can refer to: indicators, fiches, steps, questions, dates.

The workbook names indicators, fiches-action, steps and evaluation questions by the ids of
the data package; :class:`Referentiel` gathers them (and the project's start date and the
reviews' delays, from :mod:`projet_associatif.config.profiles`, their one home) for the
template, the reader and the reviews.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.config.profiles import (
    FRAMEWORK_RESOURCE,
    START_KEY,
    project_start,
    review_months,
)
from projet_associatif.core.errors import DataError, Problem
from projet_associatif.data.package import load

#: Key of the evaluation framework saying how sure the start date is (« hypothèse »).
START_STATUS_KEY = f"{START_KEY}_statut"


class Nature(StrEnum):
    """Nature of an indicator (column ``nature`` of ``data/evaluation/indicateurs.csv``)."""

    NUMBER = "nombre"
    RATE = "taux"
    QUALITATIVE = "qualitatif"


@dataclass
class Referentiel:
    """What the data package says the commission can refer to (a domain term: kept French)."""

    indicateurs: pd.DataFrame
    fiches: list[dict[str, Any]]
    objectifs: list[dict[str, Any]]
    questions: pd.DataFrame  # id, type, libelle
    start: dt.date
    #: Months from the start to each review, keyed by profile (« bilan-intermediaire »: 18).
    review_months: dict[str, int]
    start_status: str | None = None  # « hypothèse » when the source gives no date
    #: The data package read (``None``: the project's), where the template finds the
    #: organisation's names for its texts (identite.yaml), only when a text needs them.
    data_dir: Path | None = None

    @property
    def fiche_ids(self) -> list[str]:
        """Return the fiche ids in the order of the fiches."""
        return [f["id"] for f in self.fiches]

    @property
    def steps(self) -> dict[str, list[str]]:
        """Return the step labels of each fiche, in order."""
        return {f["id"]: [str(e["etape"]) for e in f.get("etapes") or []] for f in self.fiches}

    @property
    def natures(self) -> dict[str, str]:
        """Return the nature (nombre, taux, qualitatif) of each indicator."""
        return dict(zip(self.indicateurs["id"], self.indicateurs["nature"], strict=True))


def load_referentiel(data_dir: Path | None = None) -> Referentiel:
    """Load indicators, fiches, objectives and evaluation questions from the data package."""
    data_dir = Path(data_dir) if data_dir else None
    framework = load(FRAMEWORK_RESOURCE, data_dir)
    status = framework.get(START_STATUS_KEY) if isinstance(framework, Mapping) else None
    return Referentiel(
        indicateurs=load("indicateurs", data_dir),
        fiches=load("fiches_action", data_dir)["fiches"],
        objectifs=load("objectifs", data_dir)["objectifs_generaux"],
        questions=_questions(framework),
        start=project_start(data_dir),
        review_months=review_months(data_dir),
        start_status=status if isinstance(status, str) else None,
        data_dir=data_dir,
    )


_QUESTION_ID = re.compile(r"^[RP]\d+$")


def _questions(framework: Any) -> pd.DataFrame:
    """Return every question (id R…/P…) found in the evaluation framework, in order."""
    found: list[dict[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            qid = node.get("id")
            if isinstance(qid, str) and _QUESTION_ID.match(qid):
                text = next(
                    (
                        node[k]
                        for k in ("libelle", "question", "texte", "intitule")
                        if isinstance(node.get(k), str)
                    ),
                    "",
                )
                kind = "résultat" if qid.startswith("R") else "processus"
                found.append({"id": qid, "type": kind, "libelle": text})
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(framework)
    frame = pd.DataFrame(found, columns=["id", "type", "libelle"])
    return frame.drop_duplicates("id").reset_index(drop=True)


def for_fiches(ref: Referentiel, numbers: Sequence[int]) -> Referentiel:
    """Return the data package's references restricted to some fiches (by number).

    The coordinator's workbook lists only their fiches, indicators and steps; the reader
    still checks it against the whole data package, so the workbooks merge as they are.
    """
    known = {f.get("numero"): f for f in ref.fiches}
    unknown = [n for n in numbers if n not in known]
    if unknown:
        valid = ", ".join(str(n) for n in sorted(known))
        raise DataError(
            [
                Problem(
                    "--fiche",
                    f"numéro de fiche inconnu : {', '.join(map(str, unknown))} "
                    f"(numéros valides : {valid})",
                    rule="fiche connue",
                )
            ]
        )
    fiches = [known[n] for n in sorted(set(numbers))]
    ids = {f["id"] for f in fiches}
    indicateurs = ref.indicateurs[ref.indicateurs["fiche"].isin(ids)].reset_index(drop=True)
    return replace(ref, fiches=fiches, indicateurs=indicateurs)


def plain_text(content: Any) -> str | None:
    """Return a fiche cell (text, or blocks of paragraphs and bullet lists) as one line."""
    if content is None:
        return None
    if isinstance(content, str):
        return " ".join(content.split())
    if isinstance(content, dict):
        parts = [plain_text(content.get("texte")), plain_text(content.get("items"))]
        return " : ".join(p for p in parts if p) or None
    if isinstance(content, list):
        parts = [plain_text(item) for item in content]
        return " ; ".join(p for p in parts if p) or None
    return " ".join(str(content).split())


def step_summary(etape: dict[str, Any]) -> str | None:
    """Return what a step is about: its « Quoi ? », or its sub-steps' when it has none."""
    text = plain_text(etape.get("quoi"))
    if text is None and etape.get("sous_etapes"):
        parts = [plain_text(sub.get("quoi")) for sub in etape["sous_etapes"]]
        text = " / ".join(p for p in parts if p) or None
    return text
