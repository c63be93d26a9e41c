"""Say where the review's figures come from; count and chart the indicators by status.

``source_line`` and ``title`` serve every chapter of the review (``review_*`` modules); the
status chart, the trajectories and the answers by fiche are the review's smaller views.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from projet_associatif.analysis.evaluation import measures_as_of
from projet_associatif.analysis.review_context import ReviewContext
from projet_associatif.analysis.statuses import IndicatorStatus, indicator_rule, step_rule
from projet_associatif.core.formatting import date_fr, is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present import charts
from projet_associatif.present.blocks import Text

#: Status order of the indicators, from best to worst, then the states without a verdict.
STATUS_ORDER = tuple(IndicatorStatus)

NO_MEASUREMENT = "Aucune mesure n'a encore été enregistrée"


def fictional_warning(bilan: ReviewContext) -> str | None:
    """Return the warning to print on every page showing fictional data."""
    if not bilan.fictional:
        return None
    return (
        "Données fictives : les mesures de ce bilan proviennent d'un fichier d'exemple "
        f"({bilan.suivi_file}) et ne décrivent pas l'activité réelle."
    )


def future_dates_note(bilan: ReviewContext) -> str:
    """Return the note counting the rows of the file dated after the day it was read."""
    n = bilan.suivi.future_date_rows
    lignes = f"{n} ligne du fichier de suivi porte"
    if n > 1:
        lignes = f"{n} lignes du fichier de suivi portent"
    return (
        f"Note : {lignes} une date postérieure au jour de la construction du bilan : "
        "erreur de saisie probable, à corriger."
    )


def heading(bilan: ReviewContext) -> Text:
    """Return the heading block of the review (label, dates, file, warnings)."""
    start = date_fr(bilan.start)
    if bilan.referential.start_status:
        start += f", {escape_markdown(bilan.referential.start_status)}"
    lines = [
        f"**{bilan.label}** — situation arrêtée au {date_fr(bilan.as_of)} "
        f"(début du projet : {start}).",
        "",
        f"Fichier de suivi : {escape_markdown(bilan.suivi_file or 'aucun')}.",
    ]
    warning = fictional_warning(bilan)
    if warning:
        lines += ["", f"**{warning}**"]
    if bilan.suivi.future_date_rows:
        lines += ["", future_dates_note(bilan)]
    if not bilan.has_measurements:
        lines += ["", f"{NO_MEASUREMENT}."]
    return Text("\n".join(lines))


def indicator_rule_text() -> Text:
    """Return the indicator status rule (textes/regles-evaluation.yaml) to show under the grid."""
    return Text(indicator_rule())


def step_rule_text() -> Text:
    """Return the step status rule (textes/regles-evaluation.yaml) to show under the grid."""
    return Text(step_rule())


def source_line(bilan: ReviewContext) -> str:
    """Return the « Source : … » text of the review's tables and charts."""
    workbook = bilan.suivi_file or "aucun fichier de suivi"
    line = (
        f"commission de suivi, {workbook}, situation au {date_fr(bilan.as_of)} ; "
        "indicateurs des fiches-action du projet associatif 2020 (annexe 1)"
    )
    if bilan.fictional:
        line = "DONNÉES FICTIVES — " + line
    return line


def title(text: str, bilan: ReviewContext) -> str:
    """Return a chart or table title, flagged « données fictives » when the file is fictional."""
    return f"{text} (données fictives)" if bilan.fictional else text


def status_counts(bilan: ReviewContext) -> pd.DataFrame:
    """Return the number of indicators per status, in :data:`STATUS_ORDER`."""
    counts = bilan.indicators()["Statut"].value_counts()
    rows = [(status, int(counts.get(status, 0))) for status in STATUS_ORDER]
    return pd.DataFrame(rows, columns=["Statut", "Indicateurs"])


def status_chart(bilan: ReviewContext) -> alt.Chart:
    """Return a bar chart of the indicators per status, each bar labelled with its count."""
    frame = status_counts(bilan)
    return charts.bar_chart(frame, "Indicateurs", "Statut", sort=list(STATUS_ORDER))


def status_alt(bilan: ReviewContext) -> str:
    """Return the alt text of :func:`status_chart`, saying every count."""
    parts = [
        f"{status} : {number(n)}" for status, n in status_counts(bilan).itertuples(index=False)
    ]
    return (
        f"Diagramme en barres du nombre d'indicateurs par statut au {date_fr(bilan.as_of)} — "
        + " ; ".join(parts)
        + "."
    )


def trajectories(bilan: ReviewContext) -> pd.DataFrame:
    """Return the measurements up to the as-of date of indicators measured at least twice."""
    catalogue = bilan.referential.indicateurs.set_index("id")
    measures = measures_as_of(bilan.suivi.mesures, bilan.as_of).dropna(subset=["valeur"])
    counts = measures["indicateur"].value_counts()
    kept = measures[measures["indicateur"].isin(counts[counts >= 2].index)].copy()
    kept["Indicateur"] = [
        f"{i} — {catalogue.loc[i, 'libelle'][:60]}" if i in catalogue.index else i
        for i in kept["indicateur"]
    ]
    kept["Date"] = pd.to_datetime(kept["date"])
    kept["Valeur"] = kept["valeur"].astype(float)
    return kept[["Indicateur", "Date", "Valeur"]].sort_values(["Indicateur", "Date"])


def trajectories_chart(bilan: ReviewContext) -> alt.FacetChart | None:
    """Return one small line chart per indicator measured twice or more (own y scale each)."""
    frame = trajectories(bilan)
    if frame.empty:
        return None
    base = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("Date:T", title="Date de mesure", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("Valeur:Q", title="Valeur"),
        )
        .properties(width=420, height=120)
    )
    return base.facet(row=alt.Row("Indicateur:N", title=None, header=alt.Header(labelAngle=0,
                      labelAlign="left", labelAnchor="start", labelOrient="top"))).resolve_scale(
        y="independent"
    )  # fmt: skip


def trajectories_alt(bilan: ReviewContext) -> str:
    """Return the alt text of :func:`trajectories_chart`, with first and last values."""
    frame = trajectories(bilan)
    parts = []
    for name, group in frame.groupby("Indicateur", sort=True):
        first, last = group.iloc[0], group.iloc[-1]
        parts.append(
            f"{name} : {number(first['Valeur'])} ({date_fr(first['Date'], 'mois')}) puis "
            f"{number(last['Valeur'])} ({date_fr(last['Date'], 'mois')})"
        )
    return "Évolution des indicateurs mesurés au moins deux fois — " + " ; ".join(parts) + "."


def answers_markdown(bilan: ReviewContext) -> str:
    """Return the commission's answers grouped by fiche, as Markdown (a plain sentence if none)."""
    answers = bilan.answers()
    if answers.empty:
        return (
            "La commission n'a enregistré aucune réponse aux questions d'évaluation à cette date."
        )
    blocks = []
    for (fiche_number, fiche), group in answers.groupby(["N° fiche", "Fiche"], sort=True):
        name = next((f["titre"] for f in bilan.referential.fiches if f["id"] == fiche), fiche)
        lines = [f"### Fiche {fiche_number} — {escape_markdown(name)}", ""]
        for row in group.itertuples(index=False):
            when = "date non renseignée" if is_missing(row.Date) else date_fr(row.Date)
            question = f"{escape_markdown(row.Question)} — {escape_markdown(row[3])}"
            lines.append(f"- **{question}** {escape_markdown(row.Réponse)} *({when})*")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
