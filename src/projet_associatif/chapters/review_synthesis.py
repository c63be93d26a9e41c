"""Compose chapter 1 of the review (``notebooks/06-bilan.ipynb``): the synthesis.

The review's heading block, the key figures by general objective, the points that call for a
decision of the commission, the status grid of the 18 fiches-action and the status rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from projet_associatif.analysis.review_context import ReviewContext
from projet_associatif.analysis.statuses import (
    FicheSituation,
    IndicatorStatus,
    StepStatus,
    indicator_rule,
    step_rule,
)
from projet_associatif.chapters.review import heading
from projet_associatif.chapters.review_common import (
    DONE_STATUSES,
    badge,
    by_date,
    fiche_anchor,
    fiche_link,
    markdown_cell,
    objective_of,
    plural,
    review_table,
)
from projet_associatif.core.formatting import NBSP, date_fr, is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present.blocks import Table, Text

#: Short words of the grid cells, singular and plural, per indicator status.
INDICATOR_WORDS = {
    IndicatorStatus.TARGET_MET: ("atteint", "atteints"),
    IndicatorStatus.ON_TRACK: ("en bonne voie", "en bonne voie"),
    IndicatorStatus.LATE: ("en retard", "en retard"),
    IndicatorStatus.NO_TARGET: ("sans cible", "sans cible"),
    IndicatorStatus.MEASURED: ("qualitatif mesuré", "qualitatifs mesurés"),
    IndicatorStatus.NOT_MEASURED: ("non mesuré", "non mesurés"),
}
#: Short words of the grid cells for the steps done (whatever their delay) and the others.
DONE_WORDS = ("réalisée", "réalisées")
STEP_WORDS = {
    StepStatus.NOT_DONE_LATE: ("en retard", "en retard"),
    StepStatus.NOT_YET_DUE: ("à venir", "à venir"),
    StepStatus.NO_DEADLINE: ("sans échéance", "sans échéance"),
}
#: Short words of the fiche situation in the grid (the full wording is in the text above it).
SHORT_SITUATION = {
    FicheSituation.LATE: "en retard",
    FicheSituation.NO_DELAY: "sans retard",
    FicheSituation.NO_DATA: "aucune donnée",
}

GRID_COLUMNS = ["N°", "Action", "Indicateurs", "Étapes", "Situation"]

#: Every grid column is Markdown built (and escaped) by :func:`status_grid`.
GRID_FORMATS = dict.fromkeys(GRID_COLUMNS, markdown_cell)


def header(bilan: ReviewContext) -> Text:
    """Return the review's heading block: which review, as-of date, measurement file, warnings."""
    return heading(bilan)


# --- key figures -------------------------------------------------------------------------------


def key_figures(bilan: ReviewContext) -> pd.DataFrame:
    """Return the key figures, one column per general objective and one for the whole project."""
    ind, jal, rep = bilan.indicators(), bilan.milestones(), bilan.answers()
    og_of = objective_of(bilan)
    # « OG 1 » with a non-breaking space: a column title never splits between its two parts.
    groups = [(og["id"].replace("OG", f"OG{NBSP}"), og["id"]) for og in bilan.referential.objectifs]
    groups.append(("Total", None))
    rows: list[tuple[str, list[int]]] = []

    def add(label: str, counter: Callable[[str | None], int]) -> None:
        rows.append((label, [counter(og) for _, og in groups]))

    def pick(frame: pd.DataFrame, og: str | None) -> pd.DataFrame:
        return frame if og is None else frame[frame["Fiche"].map(og_of) == og]

    def count(frame: pd.DataFrame, *statuses: str) -> Callable[[str | None], int]:
        return lambda og: int(pick(frame, og)["Statut"].isin(statuses).sum())

    fiches = [f["id"] for f in bilan.referential.fiches]
    add("Fiches-action", lambda og: sum(1 for f in fiches if og is None or og_of.get(f) == og))
    add("Indicateurs", lambda og: len(pick(ind, og)))
    add(
        "… mesurés", lambda og: int((pick(ind, og)["Statut"] != IndicatorStatus.NOT_MEASURED).sum())
    )
    add("… avec une cible", lambda og: int(pick(ind, og)["Cible"].notna().sum()))
    add(badge(IndicatorStatus.TARGET_MET, "cible atteinte"), count(ind, IndicatorStatus.TARGET_MET))
    add(badge(IndicatorStatus.ON_TRACK), count(ind, IndicatorStatus.ON_TRACK))
    add(badge(IndicatorStatus.LATE, "indicateurs en retard"), count(ind, IndicatorStatus.LATE))
    add("Étapes des fiches", lambda og: len(pick(jal, og)))
    add(badge(StepStatus.DONE_ON_TIME, "réalisées"), count(jal, *DONE_STATUSES))
    add(badge(StepStatus.NOT_DONE_LATE, "étapes en retard"), count(jal, StepStatus.NOT_DONE_LATE))
    add(badge(StepStatus.NOT_YET_DUE, "pas encore dues"), count(jal, StepStatus.NOT_YET_DUE))
    add(badge(StepStatus.NO_DEADLINE), count(jal, StepStatus.NO_DEADLINE))
    add("Réponses aux questions", lambda og: len(pick(rep, og)))
    frame = pd.DataFrame(
        [[label, *values] for label, values in rows],
        columns=["Chiffre clé", *[name for name, _ in groups]],
    )
    return frame.astype({name: "int64" for name, _ in groups})


def key_figures_intro(bilan: ReviewContext) -> Text:
    """Return the sentence naming the general objectives of the key-figure table."""
    names = [
        f"OG{NBSP}{og['id'].removeprefix('OG')} : "
        f"« {escape_markdown(og.get('libelle') or og['id'])} »"
        for og in bilan.referential.objectifs
    ]
    return Text(
        "Les colonnes suivent les objectifs généraux (OG) du projet — "
        + " ; ".join(names)
        + " — puis le total des 18 fiches-action."
    )


def key_figures_table(bilan: ReviewContext) -> Table:
    """Return the table of the key figures by general objective."""
    return review_table(
        key_figures(bilan),
        bilan,
        name="Chiffres clés par objectif général",
        kinds=("pa-chiffres",),
        formats={"Chiffre clé": markdown_cell},
    )


# --- points that call for a decision -----------------------------------------------------------


def _fiche_items(
    bilan: ReviewContext,
    frame: pd.DataFrame,
    status: str,
    none: str,
    item: Callable[[dict[str, Any], dict[str, Any]], str],
) -> Text:
    """Return one list item per row of ``frame`` at ``status``, or ``none`` when there is none.

    ``item`` words a row given the fiche it belongs to.
    """
    fiches = {f["id"]: f for f in bilan.referential.fiches}
    chosen = frame[frame["Statut"] == status]
    if chosen.empty:
        return Text(none)
    return Text("\n".join(item(row, fiches[row["Fiche"]]) for row in chosen.to_dict("records")))


def _late_step(row: dict[str, Any], fiche: dict[str, Any]) -> str:
    what = f" ({escape_markdown(row['Quoi'][:90])})" if row["Quoi"] else ""
    return (
        f"- **{fiche_link(fiche)}** : {escape_markdown(row['Étape'])}"
        f"{what}, prévue le {date_fr(row['Date prévue'])}, "
        f"{badge(StepStatus.NOT_DONE_LATE, 'non réalisée')} "
        f"({number(row['Retard (jours)'])} jours de retard)."
    )


def late_steps(bilan: ReviewContext) -> Text:
    """Return the steps not done past their planned date, each with its fiche and delay."""
    return _fiche_items(
        bilan,
        bilan.milestones(),
        StepStatus.NOT_DONE_LATE,
        "Aucune étape n'est en retard à la date d'arrêté.",
        _late_step,
    )


def _indicator_behind(row: dict[str, Any], fiche: dict[str, Any]) -> str:
    expected = row["Valeur attendue"]
    expected_text = (
        "" if is_missing(expected) else f", valeur attendue à cette date {number(expected, 1)}"
    )
    return (
        f"- **{fiche_link(fiche)}** — "
        f"{escape_markdown(row['Libellé'])} : dernière valeur "
        f"{number(row['Dernière valeur'])} ({date_fr(row['Date de la dernière mesure'])})"
        f"{expected_text} ; cible {number(row['Cible'])}"
        f"{by_date(row['Date cible'])} — {badge(IndicatorStatus.LATE)}."
    )


def indicators_behind(bilan: ReviewContext) -> Text:
    """Return the indicators behind their target: last value, expected value, target."""
    return _fiche_items(
        bilan,
        bilan.indicators(),
        IndicatorStatus.LATE,
        "Aucun indicateur n'est en retard sur sa cible à la date d'arrêté.",
        _indicator_behind,
    )


def unanswered(bilan: ReviewContext) -> Text:
    """Return how many fiches have no answer to the evaluation questions, and which."""
    answered = set(bilan.answers()["Fiche"])
    fiches = bilan.referential.fiches
    missing = [f for f in fiches if f["id"] not in answered]
    if not missing:
        return Text("La commission a répondu aux questions d'évaluation pour chaque fiche.")
    numbers = ", ".join(str(f.get("numero")) for f in missing)
    count = plural(len(missing), ("fiche", "fiches"))
    return Text(
        f"La commission n'a enregistré aucune réponse pour {count} "
        f"sur {number(len(fiches))} : n° {numbers}."
    )


# --- status grid -------------------------------------------------------------------------------


def _cell(parts: list[str]) -> str:
    return " ; ".join(parts) if parts else "—"


def status_grid(bilan: ReviewContext) -> pd.DataFrame:
    """Return one row per fiche: title and answers, indicators and steps by status, situation.

    The cells are Markdown (badges); pass :data:`GRID_FORMATS` to :func:`tables.markdown`.
    """
    ind, jal, rep = bilan.indicators(), bilan.milestones(), bilan.answers()
    dash = bilan.dashboard().set_index("Action", drop=False)
    rows = []
    for fiche, situation in zip(bilan.referential.fiches, dash["Situation"], strict=True):
        fid = fiche["id"]
        counts = ind.loc[ind["Fiche"] == fid, "Statut"].value_counts()
        ind_parts = [
            badge(s, plural(int(counts[s]), INDICATOR_WORDS[s]))
            for s in INDICATOR_WORDS
            if counts.get(s, 0)
        ]
        steps = jal.loc[jal["Fiche"] == fid, "Statut"]
        done = int(steps.isin(DONE_STATUSES).sum())
        jal_parts = [badge(StepStatus.DONE_ON_TIME, plural(done, DONE_WORDS))] if done else []
        for status in (StepStatus.NOT_DONE_LATE, StepStatus.NOT_YET_DUE, StepStatus.NO_DEADLINE):
            n = int((steps == status).sum())
            if n:
                jal_parts.append(badge(status, plural(n, STEP_WORDS[status])))
        n_rep = int((rep["Fiche"] == fid).sum())
        answers = plural(n_rep, ("réponse", "réponses")) if n_rep else "aucune réponse"
        name = escape_markdown(fiche.get("titre_sommaire") or fiche["titre"])
        rows.append(
            {
                "N°": str(fiche.get("numero")),
                "Action": f"[{name}](#{fiche_anchor(fid)}) — *{answers}*",
                "Indicateurs": _cell(ind_parts),
                "Étapes": _cell(jal_parts),
                "Situation": badge(situation, SHORT_SITUATION[situation]),
            }
        )
    return pd.DataFrame(rows, columns=GRID_COLUMNS)


def grid(bilan: ReviewContext) -> Table:
    """Return the status grid of the 18 fiches-action."""
    return review_table(
        status_grid(bilan),
        bilan,
        name="Grille des statuts des fiches-action",
        kinds=("pa-cartes", "pa-grille"),
        formats=GRID_FORMATS,
    )


def status_rules() -> list[Text]:
    """Return how indicator and step statuses are set (``textes/regles-evaluation.yaml``)."""
    return [Text(indicator_rule()), Text(step_rule())]
