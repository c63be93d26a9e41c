"""Compose chapter 3 of the review (``notebooks/06-bilan-preconisations.ipynb``).

The commission's recommendations (workbook sheet « Préconisations »): in the mid-term review
those recorded so far; in the final review, what became of the mid-term ones, then the new.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from projet_associatif.analysis.review_context import ReviewContext
from projet_associatif.chapters.review_common import (
    fiche_by_id,
    fiche_link,
    review_table,
    status_span,
)
from projet_associatif.core.dates import to_date
from projet_associatif.core.formatting import MISSING, date_fr, is_missing
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present.blocks import Table, Text
from projet_associatif.suivi.schema import FollowUp

#: Symbol, colour class and words of each follow-up (None: the column is blank).
FOLLOW_UP_DISPLAY: dict[FollowUp | None, tuple[str, str, str]] = {
    FollowUp.DONE: ("✔", "ok", "réalisée"),
    FollowUp.IN_PROGRESS: ("▲", "voie", "en cours"),
    FollowUp.TO_DO: ("○", "attente", "à faire"),
    FollowUp.ABANDONED: ("–", "neutre", "abandonnée"),
    None: ("○", "attente", "suite non renseignée"),
}

#: Follow-ups that are not over: past its deadline, such a recommendation shows as late.
PENDING = (None, FollowUp.TO_DO, FollowUp.IN_PROGRESS)

NO_RECOMMENDATION = (
    "La commission n'a enregistré aucune préconisation à cette date (feuille « Préconisations » "
    "du classeur de suivi)."
)


def follow_up_badge(suite: str | None, echeance: Any, as_of: dt.date) -> str:
    """Return what became of a recommendation; not done past its deadline shows as late."""
    key = None if is_missing(suite) else FollowUp(suite)
    symbol, kind, words = FOLLOW_UP_DISPLAY[key]
    deadline = to_date(echeance)
    if key in PENDING and deadline is not None and deadline < as_of:
        symbol, kind, words = "✖", "retard", f"{words}, échéance passée"
    return status_span(symbol, kind, words)


def _recommendation_text(bilan: ReviewContext, row: dict[str, Any]) -> str:
    fiche = row["fiche"]
    scope = "Générale" if is_missing(fiche) else fiche_link(fiche_by_id(bilan, fiche))
    text = escape_markdown(row["preconisation"])
    extra = []
    if not is_missing(row["priorite"]):
        extra.append(f"priorité {row['priorite']}")
    if not is_missing(row["qui"]):
        extra.append(escape_markdown(row["qui"]))
    tail = f" *({' ; '.join(extra)})*" if extra else ""
    return f"**{scope}** — {text}{tail}"


def recommendations_table(bilan: ReviewContext, frame: pd.DataFrame) -> pd.DataFrame:
    """Return recommendations: text (scope, priority, who), date, deadline."""
    rows = [
        {
            "Préconisation": _recommendation_text(bilan, row),
            "Formulée le": date_fr(row["date"], "court"),
            "Échéance": date_fr(row["echeance"], "court"),
        }
        for row in frame.to_dict("records")
    ]
    return pd.DataFrame(rows, columns=["Préconisation", "Formulée le", "Échéance"])


def follow_up_table(bilan: ReviewContext, frame: pd.DataFrame) -> pd.DataFrame:
    """Return recommendations with what became of them at the closing date."""
    rows = []
    for row in frame.to_dict("records"):
        note = row["commentaire_suite"]
        rows.append(
            {
                "Préconisation": _recommendation_text(bilan, row),
                "Échéance": date_fr(row["echeance"], "court"),
                "Suite": follow_up_badge(row["suite"], row["echeance"], bilan.as_of),
                "Précisions": MISSING if is_missing(note) else escape_markdown(note),
            }
        )
    return pd.DataFrame(rows, columns=["Préconisation", "Échéance", "Suite", "Précisions"])


def _recommendations(bilan: ReviewContext, recs: pd.DataFrame) -> list[Table | Text]:
    if recs.empty:
        return [Text(NO_RECOMMENDATION)]
    return [
        review_table(
            recommendations_table(bilan, recs),
            bilan,
            name="Préconisations de la commission",
            kinds=("pa-cartes", "pa-preconisations"),
        )
    ]


def recommendations(bilan: ReviewContext) -> list[Table | Text]:
    """Return the recommendations: the mid-term ones, and in the final review their outcome."""
    recs = bilan.recommendations()
    if bilan.profile != "bilan-final":
        heading = Text("## Préconisations du bilan intermédiaire {#preconisations}")
        return [heading, *_recommendations(bilan, recs)]
    cut = pd.Timestamp(bilan.mid_term_date)
    earlier = recs[pd.to_datetime(recs["date"]) <= cut]
    later = recs[pd.to_datetime(recs["date"]) > cut]
    blocks: list[Table | Text] = [
        Text(
            "## Ce que sont devenues les préconisations du bilan intermédiaire "
            "{#suite-preconisations}\n\n"
            f"Préconisations formulées jusqu'au {date_fr(bilan.mid_term_date)} "
            "(date d'arrêté du bilan intermédiaire) et suite enregistrée dans le classeur."
        )
    ]
    if earlier.empty:
        blocks.append(Text(NO_RECOMMENDATION))
    else:
        blocks.append(
            review_table(
                follow_up_table(bilan, earlier),
                bilan,
                name="Suite donnée aux préconisations du bilan intermédiaire",
                kinds=("pa-cartes", "pa-suites"),
            )
        )
    blocks.append(Text("## Préconisations du bilan final {#preconisations-finales}"))
    return blocks + _recommendations(bilan, later)
