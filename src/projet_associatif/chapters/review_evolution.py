"""Compose chapter 4 of the final review (``notebooks/06-bilan-evolution.ipynb``).

What moved since the mid-term review: the key figures at 18 and 36 months, and every
indicator or step whose status changed. The mid-term state is recomputed from the same
workbook at the mid-term as-of date (:meth:`ReviewContext.bilan_intermediaire`).
"""

from __future__ import annotations

import pandas as pd

from projet_associatif.analysis.review_context import ReviewContext
from projet_associatif.chapters.review_common import (
    badge,
    breakable,
    fiche_link,
    markdown_cell,
    review_table,
)
from projet_associatif.chapters.review_synthesis import key_figures
from projet_associatif.core.formatting import date_fr, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present.blocks import Table, Text


def _signed(n: int) -> str:
    if n == 0:
        return "="
    return f"+{number(n)}" if n > 0 else number(n)


def recomputation(bilan: ReviewContext) -> Text:
    """Return the sentence saying how the mid-term state is recomputed, with both dates."""
    mid = bilan.mid_term()
    return Text(
        f"Le bilan intermédiaire est recalculé à partir du même classeur de suivi, à sa date "
        f"d'arrêté ({date_fr(mid.as_of)}) : seules les mesures, étapes et réponses datées "
        "jusqu'à cette date y sont prises en compte. Les chiffres à 36 mois sont ceux de ce "
        f"bilan, arrêté au {date_fr(bilan.as_of)}."
    )


def key_figures_compared(bilan: ReviewContext) -> pd.DataFrame:
    """Return the project's key figures at the mid-term and at the closing date, with the gap."""
    before = key_figures(bilan.mid_term()).set_index("Chiffre clé")["Total"]
    after = key_figures(bilan).set_index("Chiffre clé")["Total"]
    return pd.DataFrame(
        {
            "Chiffre clé": after.index,
            "18 mois": [number(before[k]) for k in after.index],
            "36 mois": [number(after[k]) for k in after.index],
            "Écart": [_signed(int(after[k] - before[k])) for k in after.index],
        }
    )


def key_figures_compared_table(bilan: ReviewContext) -> Table:
    """Return the table of the key figures at 18 and at 36 months."""
    return review_table(
        key_figures_compared(bilan),
        bilan,
        name="Chiffres clés à 18 mois et à 36 mois",
        kinds=("pa-chiffres",),
        formats={"Chiffre clé": markdown_cell},
    )


def changes(bilan: ReviewContext) -> pd.DataFrame:
    """Return every indicator and step whose status changed since the mid-term review."""
    mid = bilan.mid_term()
    fiches = {f["id"]: f for f in bilan.referential.fiches}
    rows = []
    pairs = (
        (mid.indicators(), bilan.indicators(), "Indicateur", "Libellé"),
        (mid.milestones(), bilan.milestones(), None, "Étape"),
    )
    for before, after, key, label in pairs:
        keys = ["Fiche", key or "Étape"]
        merged = before.merge(after, on=keys, suffixes=(" avant", ""))
        moved = merged[merged["Statut avant"] != merged["Statut"]]
        for row in moved.to_dict("records"):
            what = breakable(escape_markdown(row[label]))
            if key is None and row.get("Quoi"):
                what += f" — {escape_markdown(str(row['Quoi'])[:80])}"
            rows.append(
                {
                    "Fiche": fiche_link(fiches[row["Fiche"]]),
                    "Indicateur ou étape": what,
                    "18 mois": badge(row["Statut avant"]),
                    "36 mois": badge(row["Statut"]),
                }
            )
    return pd.DataFrame(rows, columns=["Fiche", "Indicateur ou étape", "18 mois", "36 mois"])


def changes_table(bilan: ReviewContext) -> Table | Text:
    """Return the table of what changed, or the sentence saying that nothing did."""
    moved = changes(bilan)
    if moved.empty:
        return Text(
            "Aucun indicateur ni aucune étape n'a changé de statut depuis le bilan intermédiaire."
        )
    return review_table(
        moved,
        bilan,
        name="Indicateurs et étapes dont le statut a changé",
        kinds=("pa-cartes", "pa-changements"),
    )
