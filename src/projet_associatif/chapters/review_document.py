"""Blocks of the review document: synthesis page, status grid, per-fiche sections.

The review (bilan intermédiaire, bilan final) is its own book (``_quarto-bilan-*.yml``):
``notebooks/06-bilan.ipynb`` shows the synthesis and the status grid,
``notebooks/06-bilan-fiches.ipynb`` one section per objective and per fiche-action. Every
status is written with a symbol and a word, and coloured by the class ``pa-statut-*``
(CSS in HTML, ``impression.lua`` in PDF and DOCX): never by colour alone. Tables keep few,
short columns so that they fit a portrait page and a phone screen.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.analysis.evaluation import measures_as_of
from projet_associatif.analysis.review_context import ReviewContext
from projet_associatif.analysis.statuses import (
    STEPS_DONE,
    FicheSituation,
    IndicatorStatus,
    StepStatus,
)
from projet_associatif.chapters.review import source_line, title
from projet_associatif.core.formatting import NBSP, date_fr, nombre
from projet_associatif.present import charts, tables

#: Symbol and colour class of every status (indicators, steps, fiches).
SYMBOLES: dict[str, tuple[str, str]] = {
    IndicatorStatus.TARGET_MET: ("✔", "ok"),
    IndicatorStatus.ON_TRACK: ("▲", "voie"),
    IndicatorStatus.LATE: ("✖", "retard"),
    IndicatorStatus.NO_TARGET: ("◆", "neutre"),
    IndicatorStatus.MEASURED: ("◆", "neutre"),
    IndicatorStatus.NOT_MEASURED: ("○", "attente"),
    StepStatus.DONE_ON_TIME: ("✔", "ok"),
    StepStatus.DONE_LATE: ("✔", "voie"),
    StepStatus.DONE_NO_DEADLINE: ("✔", "ok"),
    StepStatus.NOT_DONE_LATE: ("✖", "retard"),
    StepStatus.NOT_YET_DUE: ("○", "attente"),
    StepStatus.NO_DEADLINE: ("–", "attente"),
    FicheSituation.LATE: ("✖", "retard"),
    FicheSituation.NO_DELAY: ("✔", "ok"),
    FicheSituation.NO_DATA: ("○", "attente"),
}

#: Short words of the grid cells, singular and plural, per status.
MOTS_INDICATEUR = {
    IndicatorStatus.TARGET_MET: ("atteint", "atteints"),
    IndicatorStatus.ON_TRACK: ("en bonne voie", "en bonne voie"),
    IndicatorStatus.LATE: ("en retard", "en retard"),
    IndicatorStatus.NO_TARGET: ("sans cible", "sans cible"),
    IndicatorStatus.MEASURED: ("qualitatif mesuré", "qualitatifs mesurés"),
    IndicatorStatus.NOT_MEASURED: ("non mesuré", "non mesurés"),
}
MOTS_ETAPE = {
    "réalisée": ("réalisée", "réalisées"),
    StepStatus.NOT_DONE_LATE: ("en retard", "en retard"),
    StepStatus.NOT_YET_DUE: ("à venir", "à venir"),
    StepStatus.NO_DEADLINE: ("sans échéance", "sans échéance"),
}
#: Short words of the fiche situation in the grid (the full wording is in the text above it).
SITUATION_COURTE = {
    FicheSituation.LATE: "en retard",
    FicheSituation.NO_DELAY: "sans retard",
    FicheSituation.NO_DATA: "aucune donnée",
}
REALISEES = STEPS_DONE
SUR_LA_CIBLE = (IndicatorStatus.TARGET_MET, IndicatorStatus.ON_TRACK)


def badge(status: str, text: str | None = None) -> str:
    """Return a status as Markdown: symbol, word(s) and colour class, kept on one line."""
    symbol, kind = SYMBOLES[status]
    words = tables.escape_markdown(text if text is not None else status)
    return f"[{symbol_markdown(symbol)}{NBSP}{words}]{{.pa-statut .pa-statut-{kind}}}"


def symbol_markdown(symbol: str) -> str:
    """Return a status symbol in its own span: the PDF draws it with a font that has it."""
    return f"[{symbol}]{{.pa-symbole}}"


def breakable(text: str) -> str:
    """Return ``text`` with a line-break opportunity after each slash.

    The source joins words with slashes (« partenaires/employeurs/financeurs/jeunes »): too
    long for a table column, Word and LibreOffice would otherwise cut it mid-word.
    """
    return text.replace("/", "/\u200b")


def _plural(n: int, words: tuple[str, str]) -> str:
    return f"{nombre(n)} {words[0] if n <= 1 else words[1]}"


def _fiche(bilan: ReviewContext, fiche_id: str) -> dict[str, Any]:
    return next(f for f in bilan.referential.fiches if f["id"] == fiche_id)


def fiche_label(fiche: dict[str, Any]) -> str:
    """Return « Fiche N — TITRE » (escaped Markdown)."""
    name = fiche.get("titre_sommaire") or fiche.get("titre") or fiche["id"]
    return f"Fiche {fiche.get('numero')} — {tables.escape_markdown(name)}"


def fiche_anchor(fiche_id: str) -> str:
    """Return the identifier of a fiche's section in chapter 2 (links from the synthesis)."""
    return f"bilan-fiche-{fiche_id}"


def fiche_link(fiche: dict[str, Any]) -> str:
    """Return « Fiche N — TITRE » linked to the fiche's section."""
    return f"[{fiche_label(fiche)}](#{fiche_anchor(fiche['id'])})"


def objective_of(bilan: ReviewContext) -> dict[str, str]:
    """Return the general objective id of every fiche id."""
    return {
        fiche: og["id"]
        for og in bilan.referential.objectifs
        for oo in og["objectifs_operationnels"]
        for fiche in oo["fiches"]
    }


# --------------------------------------------------------------------------------------
# Synthesis
# --------------------------------------------------------------------------------------


def key_figures(bilan: ReviewContext) -> pd.DataFrame:
    """Return the key figures, one column per general objective and one for the whole project."""
    ind, jal, rep = bilan.indicators(), bilan.milestones(), bilan.answers()
    og_of = objective_of(bilan)
    groups = [(og["id"].replace("OG", "OG "), og["id"]) for og in bilan.referential.objectifs]
    groups.append(("Total", None))
    rows: list[tuple[str, list[int]]] = []

    def add(label: str, counter: Any) -> None:
        rows.append((label, [counter(og) for _, og in groups]))

    def pick(frame: pd.DataFrame, og: str | None) -> pd.DataFrame:
        return frame if og is None else frame[frame["Fiche"].map(og_of) == og]

    fiches = [f["id"] for f in bilan.referential.fiches]
    add("Fiches-action", lambda og: sum(1 for f in fiches if og is None or og_of.get(f) == og))
    add("Indicateurs", lambda og: len(pick(ind, og)))
    add(
        "… mesurés", lambda og: int((pick(ind, og)["Statut"] != IndicatorStatus.NOT_MEASURED).sum())
    )
    add("… avec une cible", lambda og: int(pick(ind, og)["Cible"].notna().sum()))
    add(
        badge(IndicatorStatus.TARGET_MET, "cible atteinte"),
        _status_count(ind, pick, IndicatorStatus.TARGET_MET),
    )
    add(badge(IndicatorStatus.ON_TRACK), _status_count(ind, pick, IndicatorStatus.ON_TRACK))
    add(
        badge(IndicatorStatus.LATE, "indicateurs en retard"),
        _status_count(ind, pick, IndicatorStatus.LATE),
    )
    add("Étapes des fiches", lambda og: len(pick(jal, og)))
    add(badge(StepStatus.DONE_ON_TIME, "réalisées"), _status_count(jal, pick, *REALISEES))
    add(
        badge(StepStatus.NOT_DONE_LATE, "étapes en retard"),
        _status_count(jal, pick, StepStatus.NOT_DONE_LATE),
    )
    add(
        badge(StepStatus.NOT_YET_DUE, "pas encore dues"),
        _status_count(jal, pick, StepStatus.NOT_YET_DUE),
    )
    add(badge(StepStatus.NO_DEADLINE), _status_count(jal, pick, StepStatus.NO_DEADLINE))
    add("Réponses aux questions", lambda og: len(pick(rep, og)))
    frame = pd.DataFrame(
        [[label, *values] for label, values in rows],
        columns=["Chiffre clé", *[name for name, _ in groups]],
    )
    return frame.astype({name: "int64" for name, _ in groups})


def _status_count(frame: pd.DataFrame, pick: Any, *statuses: str) -> Any:
    return lambda og: int(pick(frame, og)["Statut"].isin(statuses).sum())


def key_figures_intro(bilan: ReviewContext) -> str:
    """Return the sentence naming the general objectives of the key-figure table."""
    names = [
        f"OG{NBSP}{og['id'].removeprefix('OG')} : "
        f"« {tables.escape_markdown(og.get('libelle') or og['id'])} »"
        for og in bilan.referential.objectifs
    ]
    return (
        "Les colonnes suivent les objectifs généraux (OG) du projet — "
        + " ; ".join(names)
        + " — puis le total des 18 fiches-action."
    )


def decisions_markdown(bilan: ReviewContext) -> str:
    """Return the points that call for a decision: late steps, indicators off target, no answer."""
    ind, jal, rep = bilan.indicators(), bilan.milestones(), bilan.answers()
    fiches = {f["id"]: f for f in bilan.referential.fiches}
    out = ["### Actions en retard", ""]
    late = jal[jal["Statut"] == StepStatus.NOT_DONE_LATE]
    if late.empty:
        out.append("Aucune étape n'est en retard à la date d'arrêté.")
    for row in late.to_dict("records"):
        what = f" ({tables.escape_markdown(row['Quoi'][:90])})" if row["Quoi"] else ""
        out.append(
            f"- **{fiche_link(fiches[row['Fiche']])}** : {tables.escape_markdown(row['Étape'])}"
            f"{what}, prévue le {date_fr(row['Date prévue'])}, "
            f"{badge(StepStatus.NOT_DONE_LATE, 'non réalisée')} "
            f"({nombre(row['Retard (jours)'])} jours de retard)."
        )
    out += ["", "### Indicateurs en retard sur leur cible", ""]
    behind = ind[ind["Statut"] == IndicatorStatus.LATE]
    if behind.empty:
        out.append("Aucun indicateur n'est en retard sur sa cible à la date d'arrêté.")
    for row in behind.to_dict("records"):
        expected = row["Valeur attendue"]
        expected_text = (
            "" if pd.isna(expected) else f", valeur attendue à cette date {nombre(expected, 1)}"
        )
        out.append(
            f"- **{fiche_link(fiches[row['Fiche']])}** — "
            f"{tables.escape_markdown(row['Libellé'])} : dernière valeur "
            f"{nombre(row['Dernière valeur'])} ({date_fr(row['Date de la dernière mesure'])})"
            f"{expected_text} ; cible {nombre(row['Cible'])}"
            f"{_by(row['Date cible'])} — {badge(IndicatorStatus.LATE)}."
        )
    out += ["", "### Questions d'évaluation sans réponse", ""]
    answered = set(rep["Fiche"])
    missing = [f for f in bilan.referential.fiches if f["id"] not in answered]
    if not missing:
        out.append("La commission a répondu aux questions d'évaluation pour chaque fiche.")
    else:
        numbers = ", ".join(str(f.get("numero")) for f in missing)
        count = _plural(len(missing), ("fiche", "fiches"))
        out.append(
            f"La commission n'a enregistré aucune réponse pour {count} "
            f"sur {nombre(len(fiches))} : n° {numbers}."
        )
    return "\n".join(out)


def _by(day: Any) -> str:
    return "" if day is None or pd.isna(day) else f" au {date_fr(day)}"


# --------------------------------------------------------------------------------------
# Status grid
# --------------------------------------------------------------------------------------

COLONNES_GRILLE = ["N°", "Action", "Indicateurs", "Étapes", "Situation"]


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
            badge(s, _plural(int(counts[s]), MOTS_INDICATEUR[s]))
            for s in MOTS_INDICATEUR
            if counts.get(s, 0)
        ]
        steps = jal.loc[jal["Fiche"] == fid, "Statut"]
        done = int(steps.isin(REALISEES).sum())
        jal_parts = (
            [badge(StepStatus.DONE_ON_TIME, _plural(done, MOTS_ETAPE["réalisée"]))] if done else []
        )
        for status in (StepStatus.NOT_DONE_LATE, StepStatus.NOT_YET_DUE, StepStatus.NO_DEADLINE):
            n = int((steps == status).sum())
            if n:
                jal_parts.append(badge(status, _plural(n, MOTS_ETAPE[status])))
        n_rep = int((rep["Fiche"] == fid).sum())
        answers = _plural(n_rep, ("réponse", "réponses")) if n_rep else "aucune réponse"
        name = tables.escape_markdown(fiche.get("titre_sommaire") or fiche["titre"])
        rows.append(
            {
                "N°": str(fiche.get("numero")),
                "Action": f"[{name}](#{fiche_anchor(fid)}) — *{answers}*",
                "Indicateurs": _cell(ind_parts),
                "Étapes": _cell(jal_parts),
                "Situation": badge(situation, SITUATION_COURTE[situation]),
            }
        )
    return pd.DataFrame(rows, columns=COLONNES_GRILLE)


def _markdown_cell(value: object) -> str:
    return str(value)


#: Every grid column is Markdown built (and escaped) by :func:`status_grid`.
GRID_FORMATS = dict.fromkeys(COLONNES_GRILLE, _markdown_cell)


def show_table(
    frame: pd.DataFrame,
    *,
    title: str,
    source: str,
    formats: dict[str, Any] | None = None,
    classes: tuple[str, ...] = ("pa-bilan-tableau",),
    label: str | None = None,
) -> None:
    """Display a review table inside a Div whose class lets narrow screens reflow it."""
    from IPython.display import display

    text = tables.markdown(frame, title=title, source=source, formats=formats, label=label)
    attributes = " ".join(f".{name}" for name in classes)
    block = f"::: {{{attributes}}}\n\n{text}\n:::\n"
    meta = {"kind": "table", "title": title, "source": source}
    display({"text/markdown": block, "text/plain": text}, raw=True, metadata={"pa": meta})


def show_grid(bilan: ReviewContext) -> None:
    """Display the status grid of the 18 fiches-action."""
    show_table(
        status_grid(bilan),
        title=title("Grille des statuts des fiches-action", bilan),
        source=source_line(bilan),
        formats=GRID_FORMATS,
        classes=("pa-bilan-tableau", "pa-cartes", "pa-grille"),
    )


def show_key_figures(bilan: ReviewContext) -> None:
    """Display the key figures by general objective."""
    show_table(
        key_figures(bilan),
        title=title("Chiffres clés par objectif général", bilan),
        source=source_line(bilan),
        formats={"Chiffre clé": _markdown_cell},
        classes=("pa-bilan-tableau", "pa-chiffres"),
    )


# --------------------------------------------------------------------------------------
# Per objective and per fiche
# --------------------------------------------------------------------------------------


def objective_markdown(bilan: ReviewContext, og: dict[str, Any]) -> str:
    """Return the heading of a general objective with a one-line summary of its fiches."""
    fiches = [f for oo in og["objectifs_operationnels"] for f in oo["fiches"]]
    ind = bilan.indicators()
    ind = ind[ind["Fiche"].isin(fiches)]
    measured = int((ind["Statut"] != IndicatorStatus.NOT_MEASURED).sum())
    number = og["id"].removeprefix("OG")
    return (
        f"## Objectif général {number} — {tables.escape_markdown(og.get('libelle') or og['id'])}"
        f" {{#bilan-{og['id'].lower()}}}\n\n"
        f"{_plural(len(fiches), ('fiche-action', 'fiches-action'))} ; "
        f"{_plural(measured, ('indicateur mesuré', 'indicateurs mesurés'))} sur {nombre(len(ind))}."
    )


def operational_markdown(oo: dict[str, Any]) -> str:
    """Return the heading of an operational objective."""
    number = oo["id"].replace("OG", "").replace("-OO", ".")
    label = tables.escape_markdown(oo.get("libelle") or oo["id"])
    return f"### Objectif opérationnel {number} — {label} {{#bilan-{oo['id'].lower()}}}"


def _measures(bilan: ReviewContext) -> pd.DataFrame:
    return measures_as_of(bilan.suivi.mesures, bilan.as_of)


def _value(row: dict[str, Any], nature: str) -> str:
    if nature == "qualitatif":
        text = row.get("valeur_texte")
        if text is None or pd.isna(text):
            text = row.get("commentaire")
        return tables.escape_markdown(str(text)) if text is not None and not pd.isna(text) else "—"
    return nombre(row["valeur"])


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
        label = breakable(tables.escape_markdown(row["Libellé"]))
        if unit and not pd.isna(unit):
            label += f" *({tables.escape_markdown(unit)})*"
        ref = "—" if pd.isna(row["Valeur de référence"]) else nombre(row["Valeur de référence"])
        target = "—" if pd.isna(row["Cible"]) else nombre(row["Cible"]) + _by(row["Date cible"])
        rows.append(
            {
                "Indicateur": label,
                "Référence → cible": "non fixées" if ref == target == "—" else f"{ref} → {target}",
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
        step = tables.escape_markdown(row["Étape"])
        if what:
            step += f" — {breakable(tables.escape_markdown(what))}"
        status = badge(row["Statut"])
        if row["Statut"] in (StepStatus.NOT_DONE_LATE, StepStatus.DONE_LATE) and not pd.isna(
            row["Retard (jours)"]
        ):
            status += f" ({nombre(row['Retard (jours)'])}{NBSP}j)"
        rows.append(
            {
                "Étape": step,
                "Prévue": date_fr(row["Date prévue"], "court"),
                "Réalisée": date_fr(row["Date réalisée"], "court"),
                "Statut": status,
            }
        )
    return pd.DataFrame(rows, columns=["Étape", "Prévue", "Réalisée", "Statut"])


def _markdown_formats(frame: pd.DataFrame) -> dict[str, Any]:
    """Return formatters that keep every cell of ``frame`` as the Markdown built here."""
    return dict.fromkeys(frame.columns, _markdown_cell)


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
    parts = []
    for name, group in frame.groupby("Indicateur", sort=True):
        values = ", ".join(
            f"{nombre(v)} ({date_fr(d, 'mois')})"
            for d, v in zip(group["Date"], group["Valeur"], strict=True)
        )
        parts.append(f"{name} : {values}")
    return "Mesures successives des indicateurs — " + " ; ".join(parts) + "."


def timeline_data(bilan: ReviewContext, fiche_id: str) -> pd.DataFrame:
    """Return the planned and done dates of a fiche's steps, one row per dated event."""
    jal = bilan.milestones()
    jal = jal[jal["Fiche"] == fiche_id]
    rows = []
    for row in jal.to_dict("records"):
        for column, kind in (("Date prévue", "prévue"), ("Date réalisée", "réalisée")):
            if row[column] is not None and not pd.isna(row[column]):
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
        when = (
            date_fr(row["Date"])
            if row["Date"] is not None and not pd.isna(row["Date"])
            else "date non renseignée"
        )
        question = tables.escape_markdown(row["Libellé de la question"] or "")
        lines.append(
            f"- **{row['Question']} — {question}** "
            f"{tables.escape_markdown(row['Réponse'])} *({when})*"
        )
    return "\n".join(lines)


def show_fiche(bilan: ReviewContext, fiche_id: str) -> None:
    """Display one fiche's section: heading, indicators, chart, steps, timeline, answers."""
    from IPython.display import Markdown, display

    fiche = _fiche(bilan, fiche_id)
    source = source_line(bilan)
    number = fiche.get("numero")
    who = fiche.get("coordination")
    head = [f"#### {fiche_label(fiche)} {{#{fiche_anchor(fiche_id)}}}", ""]
    if who:
        head.append(f"Qui coordonne : {tables.escape_markdown(who)}.")
    display(Markdown("\n".join(head)))
    indicators = indicator_table(bilan, fiche_id)
    show_table(
        indicators,
        title=title(f"Indicateurs de la fiche {number}", bilan),
        source=source,
        formats=_markdown_formats(indicators),
        classes=("pa-bilan-tableau", "pa-cartes", "pa-fiche-indicateurs"),
    )
    data = measures_chart_data(bilan, fiche_id)
    if not data.empty:
        charts.show(
            measures_chart(data),
            title=title(f"Mesures des indicateurs de la fiche {number}", bilan),
            source=source,
            alt=measures_alt(data),
            data=data,
        )
    steps = steps_table(bilan, fiche_id)
    show_table(
        steps,
        title=title(f"Étapes de la fiche {number}", bilan),
        source=source,
        formats=_markdown_formats(steps),
        classes=("pa-bilan-tableau", "pa-cartes", "pa-fiche-etapes"),
    )
    events = timeline_data(bilan, fiche_id)
    if not events.empty:
        charts.show(
            timeline_chart(events, bilan),
            title=title(f"Frise des étapes de la fiche {number}", bilan),
            source=source,
            alt=timeline_alt(events, bilan),
            data=events,
        )
    display(
        Markdown(
            "**Réponses de la commission aux questions d'évaluation**\n\n"
            + answers_fiche_markdown(bilan, fiche_id)
        )
    )


# --------------------------------------------------------------------------------------
# Recommendations (sheet « Préconisations ») and what became of them
# --------------------------------------------------------------------------------------

#: Symbol, colour class and word of what became of a recommendation.
SUITES_AFFICHEES: dict[str | None, tuple[str, str, str]] = {
    "réalisée": ("✔", "ok", "réalisée"),
    "en cours": ("▲", "voie", "en cours"),
    "à faire": ("○", "attente", "à faire"),
    "abandonnée": ("–", "neutre", "abandonnée"),
    None: ("○", "attente", "suite non renseignée"),
}


def follow_up_badge(suite: str | None, echeance: Any, as_of: Any) -> str:
    """Return what became of a recommendation; not done past its deadline shows as late."""
    key = None if suite is None or pd.isna(suite) else suite
    symbol, kind, words = SUITES_AFFICHEES[key]
    overdue = (
        echeance is not None and not pd.isna(echeance) and pd.Timestamp(echeance).date() < as_of
    )
    if key in (None, "à faire", "en cours") and overdue:
        symbol, kind, words = "✖", "retard", f"{words}, échéance passée"
    text = tables.escape_markdown(words)
    return f"[{symbol_markdown(symbol)}{NBSP}{text}]{{.pa-statut .pa-statut-{kind}}}"


def _recommendation_text(bilan: ReviewContext, row: dict[str, Any]) -> str:
    fiche = row["fiche"]
    scope = "Générale" if fiche is None or pd.isna(fiche) else fiche_link(_fiche(bilan, fiche))
    text = tables.escape_markdown(row["preconisation"])
    extra = []
    if row["priorite"] is not None and not pd.isna(row["priorite"]):
        extra.append(f"priorité {row['priorite']}")
    if row["qui"] is not None and not pd.isna(row["qui"]):
        extra.append(tables.escape_markdown(row["qui"]))
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
                "Précisions": "—"
                if note is None or pd.isna(note)
                else tables.escape_markdown(note),
            }
        )
    return pd.DataFrame(rows, columns=["Préconisation", "Échéance", "Suite", "Précisions"])


NO_RECOMMENDATION = (
    "La commission n'a enregistré aucune préconisation à cette date (feuille « Préconisations » "
    "du classeur de suivi)."
)


def show_recommendations(bilan: ReviewContext) -> None:
    """Display the recommendations: the mid-term ones, and in the final review their outcome."""
    from IPython.display import Markdown, display

    source = source_line(bilan)
    recs = bilan.recommendations()
    if bilan.profile == "bilan-final":
        cut = pd.Timestamp(bilan.mid_term_date)
        earlier = recs[pd.to_datetime(recs["date"]) <= cut]
        later = recs[pd.to_datetime(recs["date"]) > cut]
        display(
            Markdown(
                "## Ce que sont devenues les préconisations du bilan intermédiaire "
                "{#suite-preconisations}\n\n"
                f"Préconisations formulées jusqu'au {date_fr(bilan.mid_term_date)} "
                "(date d'arrêté du bilan intermédiaire) et suite enregistrée dans le classeur."
            )
        )
        if earlier.empty:
            display(Markdown(NO_RECOMMENDATION))
        else:
            table = follow_up_table(bilan, earlier)
            show_table(
                table,
                title=title("Suite donnée aux préconisations du bilan intermédiaire", bilan),
                source=source,
                formats=_markdown_formats(table),
                classes=("pa-bilan-tableau", "pa-cartes", "pa-suites"),
            )
        display(Markdown("## Préconisations du bilan final {#preconisations-finales}"))
        recs = later
    else:
        display(Markdown("## Préconisations du bilan intermédiaire {#preconisations}"))
    if recs.empty:
        display(Markdown(NO_RECOMMENDATION))
        return
    table = recommendations_table(bilan, recs)
    show_table(
        table,
        title=title("Préconisations de la commission", bilan),
        source=source,
        formats=_markdown_formats(table),
        classes=("pa-bilan-tableau", "pa-cartes", "pa-preconisations"),
    )


# --------------------------------------------------------------------------------------
# Final review: what moved since the mid-term review
# --------------------------------------------------------------------------------------


def _signed(n: int) -> str:
    if n == 0:
        return "="
    return f"+{nombre(n)}" if n > 0 else nombre(n)


def key_figures_compared(bilan: ReviewContext) -> pd.DataFrame:
    """Return the project's key figures at the mid-term and at the closing date, with the gap."""
    before = key_figures(bilan.mid_term()).set_index("Chiffre clé")["Total"]
    after = key_figures(bilan).set_index("Chiffre clé")["Total"]
    return pd.DataFrame(
        {
            "Chiffre clé": after.index,
            "18 mois": [nombre(before[k]) for k in after.index],
            "36 mois": [nombre(after[k]) for k in after.index],
            "Écart": [_signed(int(after[k] - before[k])) for k in after.index],
        }
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
            what = breakable(tables.escape_markdown(row[label]))
            if key is None and row.get("Quoi"):
                what += f" — {tables.escape_markdown(str(row['Quoi'])[:80])}"
            rows.append(
                {
                    "Fiche": fiche_link(fiches[row["Fiche"]]),
                    "Indicateur ou étape": what,
                    "18 mois": badge(row["Statut avant"]),
                    "36 mois": badge(row["Statut"]),
                }
            )
    return pd.DataFrame(rows, columns=["Fiche", "Indicateur ou étape", "18 mois", "36 mois"])


def show_evolution(bilan: ReviewContext) -> None:
    """Display what moved between the mid-term and the final review."""
    from IPython.display import Markdown, display

    source = source_line(bilan)
    mid = bilan.mid_term()
    display(
        Markdown(
            f"Le bilan intermédiaire est recalculé à partir du même classeur de suivi, à sa date "
            f"d'arrêté ({date_fr(mid.as_of)}) : seules les mesures, étapes et réponses datées "
            "jusqu'à cette date y sont prises en compte. Les chiffres à 36 mois sont ceux de ce "
            f"bilan, arrêté au {date_fr(bilan.as_of)}."
        )
    )
    compared = key_figures_compared(bilan)
    show_table(
        compared,
        title=title("Chiffres clés à 18 mois et à 36 mois", bilan),
        source=source,
        formats={"Chiffre clé": _markdown_cell},
        classes=("pa-bilan-tableau", "pa-chiffres"),
    )
    moved = changes(bilan)
    display(Markdown("## Ce qui a changé, fiche par fiche {#changements}"))
    if moved.empty:
        display(
            Markdown(
                "Aucun indicateur ni aucune étape n'a changé de statut depuis le bilan "
                "intermédiaire."
            )
        )
        return
    show_table(
        moved,
        title=title("Indicateurs et étapes dont le statut a changé", bilan),
        source=source,
        formats=_markdown_formats(moved),
        classes=("pa-bilan-tableau", "pa-cartes", "pa-changements"),
    )
