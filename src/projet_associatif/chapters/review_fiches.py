"""Compose chapter 2 of the review (``notebooks/06-bilan-fiches.ipynb``): objectives and fiches.

For each general objective, then each operational objective, each fiche-action: who
coordinates it, its indicators (reference, target, measurements, status) with a small chart
when measured twice or more, its steps planned against done (table and timeline), and the
commission's answers to the evaluation questions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.analysis.evaluation import measures_as_of
from projet_associatif.analysis.review_context import ReviewContext
from projet_associatif.analysis.statuses import IndicatorStatus, StepStatus
from projet_associatif.chapters.review import source_line, title
from projet_associatif.chapters.review_common import (
    badge,
    breakable,
    by_date,
    fiche_anchor,
    fiche_by_id,
    fiche_label,
    plural,
    review_table,
)
from projet_associatif.core.formatting import MISSING, NBSP, date_fr, is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present import alt_text, charts
from projet_associatif.present.blocks import Figure, Table, Text

Block = Text | Table | Figure


def objective_heading(bilan: ReviewContext, og: dict[str, Any]) -> Text:
    """Return the heading of a general objective with a one-line summary of its fiches."""
    fiches = [f for oo in og["objectifs_operationnels"] for f in oo["fiches"]]
    ind = bilan.indicators()
    ind = ind[ind["Fiche"].isin(fiches)]
    measured = int((ind["Statut"] != IndicatorStatus.NOT_MEASURED).sum())
    og_number = og["id"].removeprefix("OG")
    return Text(
        f"## Objectif général {og_number} — {escape_markdown(og.get('libelle') or og['id'])}"
        f" {{#bilan-{og['id'].lower()}}}\n\n"
        f"{plural(len(fiches), ('fiche-action', 'fiches-action'))} ; "
        f"{plural(measured, ('indicateur mesuré', 'indicateurs mesurés'))} sur {number(len(ind))}."
    )


def operational_heading(oo: dict[str, Any]) -> Text:
    """Return the heading of an operational objective."""
    oo_number = oo["id"].replace("OG", "").replace("-OO", ".")
    label = escape_markdown(oo.get("libelle") or oo["id"])
    return Text(f"### Objectif opérationnel {oo_number} — {label} {{#bilan-{oo['id'].lower()}}}")


def _measures(bilan: ReviewContext) -> pd.DataFrame:
    return measures_as_of(bilan.suivi.mesures, bilan.as_of)


def _value(row: dict[str, Any], nature: str) -> str:
    if nature == "qualitatif":
        text = row.get("valeur_texte")
        if is_missing(text):
            text = row.get("commentaire")
        return MISSING if is_missing(text) else escape_markdown(str(text))
    return number(row["valeur"])


def indicator_table(bilan: ReviewContext, fiche_id: str) -> pd.DataFrame:
    """Return the indicators of a fiche: label, reference and target, measurements, status."""
    ind = bilan.indicators()
    ind = ind[ind["Fiche"] == fiche_id]
    measures = _measures(bilan)
    rows = []
    for row in ind.to_dict("records"):
        mine = measures[measures["indicateur"] == row["Indicateur"]].to_dict("records")
        values = [f"{_value(m, row['Nature'])} ({date_fr(m['date'], 'mois')})" for m in mine]
        unit = row["Unité"]
        label = breakable(escape_markdown(row["Libellé"]))
        if unit and not is_missing(unit):
            label += f" *({escape_markdown(unit)})*"
        ref = number(row["Valeur de référence"])
        target = (
            MISSING
            if is_missing(row["Cible"])
            else number(row["Cible"]) + by_date(row["Date cible"])
        )
        rows.append(
            {
                "Indicateur": label,
                "Référence → cible": "non fixées"
                if ref == target == MISSING
                else f"{ref} → {target}",
                "Mesures": " ; ".join(values) if values else "aucune",
                "Statut": badge(row["Statut"]),
            }
        )
    return pd.DataFrame(rows, columns=["Indicateur", "Référence → cible", "Mesures", "Statut"])


def steps_table(bilan: ReviewContext, fiche_id: str) -> pd.DataFrame:
    """Return the steps of a fiche: planned and done dates and status."""
    jal = bilan.milestones()
    jal = jal[jal["Fiche"] == fiche_id]
    rows = []
    for row in jal.to_dict("records"):
        what = row["Quoi"]
        step = escape_markdown(row["Étape"])
        if what:
            step += f" — {breakable(escape_markdown(what))}"
        status = badge(row["Statut"])
        if row["Statut"] in (StepStatus.NOT_DONE_LATE, StepStatus.DONE_LATE) and not is_missing(
            row["Retard (jours)"]
        ):
            status += f" ({number(row['Retard (jours)'])}{NBSP}j)"
        rows.append(
            {
                "Étape": step,
                "Prévue": date_fr(row["Date prévue"], "court"),
                "Réalisée": date_fr(row["Date réalisée"], "court"),
                "Statut": status,
            }
        )
    return pd.DataFrame(rows, columns=["Étape", "Prévue", "Réalisée", "Statut"])


def measures_chart_data(bilan: ReviewContext, fiche_id: str) -> pd.DataFrame:
    """Return the numeric measurements of a fiche's indicators measured at least twice."""
    catalogue = bilan.referential.indicateurs
    ids = catalogue.loc[catalogue["fiche"] == fiche_id, "id"]
    measures = _measures(bilan)
    measures = measures[measures["indicateur"].isin(ids)].dropna(subset=["valeur"])
    counts = measures["indicateur"].value_counts()
    kept = measures[measures["indicateur"].isin(counts[counts >= 2].index)]
    labels = dict(zip(catalogue["id"], catalogue["libelle"], strict=True))
    return pd.DataFrame(
        {
            "Indicateur": [_short(labels[i]) for i in kept["indicateur"]],
            "Date": pd.to_datetime(kept["date"]).to_numpy(),
            "Valeur": kept["valeur"].astype(float).to_numpy(),
        }
    )


def _short(text: str, size: int = 48) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def measures_chart(frame: pd.DataFrame) -> alt.TopLevelMixin:
    """Return one small line chart per indicator (own vertical scale each)."""
    base = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("Date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=4)),
            y=alt.Y("Valeur:Q", title=None),
        )
        .properties(width=220, height=90)
    )
    header = alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top")
    return base.facet(
        facet=alt.Facet("Indicateur:N", title=None, header=header), columns=2
    ).resolve_scale(y="independent")


def measures_alt(frame: pd.DataFrame) -> str:
    """Return the alt text of :func:`measures_chart`: every value with its date."""
    parts = alt_text.series(
        frame,
        "Indicateur",
        "Date",
        "Valeur",
        lambda day, value: f"{number(value)} ({date_fr(day, 'mois')})",
        sort=True,
    )
    return alt_text.sentence("Mesures successives des indicateurs — ", parts)


def timeline_data(bilan: ReviewContext, fiche_id: str) -> pd.DataFrame:
    """Return the planned and done dates of a fiche's steps, one row per dated event."""
    jal = bilan.milestones()
    jal = jal[jal["Fiche"] == fiche_id]
    rows = []
    for row in jal.to_dict("records"):
        for column, kind in (("Date prévue", "prévue"), ("Date réalisée", "réalisée")):
            if not is_missing(row[column]):
                rows.append(
                    {
                        "Étape": row["Étape"],
                        "Date": pd.Timestamp(row[column]),
                        "Jalon": kind,
                    }
                )
    return pd.DataFrame(rows, columns=["Étape", "Date", "Jalon"])


def timeline_chart(frame: pd.DataFrame, bilan: ReviewContext) -> alt.TopLevelMixin:
    """Return the steps on a time axis: planned (open) and done (filled) dates, as-of rule."""
    order = list(dict.fromkeys(frame["Étape"]))
    points = (
        alt.Chart(frame)
        .mark_point(size=80, filled=False, strokeWidth=2)
        .encode(
            x=alt.X("Date:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=0, tickCount=5)),
            y=alt.Y("Étape:N", title=None, sort=order),
            shape=alt.Shape(
                "Jalon:N",
                scale=alt.Scale(domain=["prévue", "réalisée"], range=["circle", "cross"]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            color=alt.Color(
                "Jalon:N",
                scale=alt.Scale(
                    domain=["prévue", "réalisée"], range=[charts.PALETTE[0], charts.PALETTE[2]]
                ),
                legend=None,
            ),
        )
    )
    line = (
        alt.Chart(frame)
        .mark_line(color=charts.AXIS_COLOR, strokeDash=[3, 3])
        .encode(x="Date:T", y=alt.Y("Étape:N", sort=order), detail="Étape:N")
    )
    arrete = pd.DataFrame({"Date": [pd.Timestamp(bilan.as_of)], "Repère": ["date d'arrêté"]})
    rule = (
        alt.Chart(arrete).mark_rule(color=charts.PALETTE[1], strokeDash=[6, 3]).encode(x="Date:T")
    )
    return (line + points + rule).properties(width=440, height=max(40, 22 * len(order)))


def timeline_alt(frame: pd.DataFrame, bilan: ReviewContext) -> str:
    """Return the alt text of :func:`timeline_chart`: each step's dates."""
    parts = []
    for step, group in frame.groupby("Étape", sort=False):
        dates = ", ".join(
            f"{kind} le {date_fr(d)}" for d, kind in zip(group["Date"], group["Jalon"], strict=True)
        )
        parts.append(f"{step} : {dates}")
    return f"Frise des étapes (date d'arrêté : {date_fr(bilan.as_of)}) — " + " ; ".join(parts) + "."


def answers_fiche_markdown(bilan: ReviewContext, fiche_id: str) -> str:
    """Return the commission's answers for one fiche, as a Markdown list (or a sentence)."""
    answers = bilan.answers()
    answers = answers[answers["Fiche"] == fiche_id]
    if answers.empty:
        return "*Aucune réponse de la commission aux questions d'évaluation à cette date.*"
    lines = []
    for row in answers.to_dict("records"):
        when = "date non renseignée" if is_missing(row["Date"]) else date_fr(row["Date"])
        question = escape_markdown(row["Libellé de la question"] or "")
        lines.append(
            f"- **{row['Question']} — {question}** {escape_markdown(row['Réponse'])} *({when})*"
        )
    return "\n".join(lines)


def _figure_if_any(
    bilan: ReviewContext,
    name: str,
    data: pd.DataFrame,
    chart: Callable[[pd.DataFrame], alt.TopLevelMixin],
    describe: Callable[[pd.DataFrame], str],
) -> list[Block]:
    """Return a fiche's figure drawn from ``data``, or nothing when there is no data to draw."""
    if data.empty:
        return []
    return [
        Figure(
            chart(data),
            title=title(name, bilan),
            source=source_line(bilan),
            alt=describe(data),
            data=data,
        )
    ]


def fiche_section(bilan: ReviewContext, fiche_id: str) -> list[Block]:
    """Return one fiche's section: heading, indicators, chart, steps, timeline, answers."""
    fiche = fiche_by_id(bilan, fiche_id)
    fiche_number = fiche.get("numero")
    who = fiche.get("coordination")
    head = [f"#### {fiche_label(fiche)} {{#{fiche_anchor(fiche_id)}}}", ""]
    if who:
        head.append(f"Qui coordonne : {escape_markdown(who)}.")
    blocks: list[Block] = [Text("\n".join(head))]
    blocks.append(
        review_table(
            indicator_table(bilan, fiche_id),
            bilan,
            name=f"Indicateurs de la fiche {fiche_number}",
            kinds=("pa-cartes", "pa-fiche-indicateurs"),
        )
    )
    blocks.extend(
        _figure_if_any(
            bilan,
            f"Mesures des indicateurs de la fiche {fiche_number}",
            measures_chart_data(bilan, fiche_id),
            measures_chart,
            measures_alt,
        )
    )
    blocks.append(
        review_table(
            steps_table(bilan, fiche_id),
            bilan,
            name=f"Étapes de la fiche {fiche_number}",
            kinds=("pa-cartes", "pa-fiche-etapes"),
        )
    )
    blocks.extend(
        _figure_if_any(
            bilan,
            f"Frise des étapes de la fiche {fiche_number}",
            timeline_data(bilan, fiche_id),
            lambda events: timeline_chart(events, bilan),
            lambda events: timeline_alt(events, bilan),
        )
    )
    blocks.append(
        Text(
            "**Réponses de la commission aux questions d'évaluation**\n\n"
            + answers_fiche_markdown(bilan, fiche_id)
        )
    )
    return blocks


def objectives_and_fiches(bilan: ReviewContext) -> list[Block]:
    """Return the whole chapter: each general and operational objective, then its fiches."""
    blocks: list[Block] = []
    for og in bilan.referential.objectifs:
        blocks.append(objective_heading(bilan, og))
        for oo in og["objectifs_operationnels"]:
            blocks.append(operational_heading(oo))
            for fiche_id in oo["fiches"]:
                blocks.extend(fiche_section(bilan, fiche_id))
    return blocks
