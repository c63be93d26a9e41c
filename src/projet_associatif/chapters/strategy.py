"""Chapter 5 « Stratégie et plans d'actions » and annex A « Fiches-action».

The objectives tree, the summary of the 18 actions and each fiche are rendered from the
``objectifs`` and ``fiches_action`` documents as Markdown that Jupyter, Pandoc and Quarto read
alike: nested lists (no wide tables for long text, which PDF pages cannot hold). Every text is
the source's, escaped for Markdown; the project's transcription notes are labelled as such.
The tree itself (order, checks, counts) is read in :mod:`~projet_associatif.analysis.strategy_tree`;
the notebooks display the texts, tables and figure this module returns.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.analysis.strategy_tree import (
    fiches_in_order,
    operational_objectives,
    tree_counts,
)
from projet_associatif.config.identity import source_document
from projet_associatif.core.formatting import MISSING, NBSP, date_fr, is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.data.package import sources_of
from projet_associatif.present import alt_text
from projet_associatif.present.blocks import Figure, Table, Text
from projet_associatif.present.charts import PALETTE, TEXT_COLOR
from projet_associatif.present.provenance import source_markdown, source_text

#: Labels of the four columns of a step, evaluation or perspectives row, as printed.
ROW_FIELDS = (("quoi", "Quoi ?"), ("quand", "Quand ?"), ("qui", "Qui ?"), ("comment", "Comment ?"))
#: Labels of the fiche's header, as printed in the annex.
HEADER_FIELDS = (
    ("objectif", "Objectif"),
    ("calendrier", "Calendrier de l'action"),
    ("resume", "Résumé de l'action"),
    ("coordination", "Qui coordonne ?"),
    ("realisation", "Qui réalise ?"),
    ("partenaires", "Partenaire(s) associé(s) à l'action"),
    ("recurrence", "Récurrence"),
)
EVALUATION_LABEL = "Evaluations, résultats facteur de réussite et d'échec, suivi (qui ? et comment)"
PERSPECTIVES_LABEL = "Perspectives-Evolutions"
NOT_SET = "non définie par la source"
ANNEX = "l'annexe A"


def fiche_anchor(fiche_id: str) -> str:
    """Return the identifier of a fiche's heading in the annex."""
    return f"fiche-{fiche_id}"


# --- objectives ---------------------------------------------------------------------------------


def objectives_tree_text(objectifs: Mapping[str, Any], fiches: Sequence[Mapping[str, Any]]) -> Text:
    """Return the tree general objective → operational objective → action as nested lists."""
    by_id = {f["id"]: f for f in fiches_in_order(objectifs, fiches)}
    lines = []
    for og in sorted(objectifs["objectifs_generaux"], key=lambda o: o["ordre_section_5"]):
        lines.append(f"- **Objectif général {og['numero']} — {escape_markdown(og['libelle'])}**")
        for oo in og["objectifs_operationnels"]:
            label = escape_markdown(oo["libelle_lisible"])
            lines.append(f"  - Objectif opérationnel {og['numero']}.{oo['numero']} — *{label}*")
            for ident in oo["fiches"]:
                fiche = by_id[ident]
                title = escape_markdown(fiche["titre_sommaire"])
                lines.append(
                    f"    - Plan d'action n°{NBSP}{fiche['numero']}{NBSP}: "
                    f"[{title}](#{fiche_anchor(ident)})"
                )
    return Text("\n".join(lines) + "\n")


def tree_sentence(objectifs: Mapping[str, Any]) -> Text:
    """Return the size of the tree in one sentence."""
    general, operational, actions = tree_counts(objectifs)
    return Text(
        f"La stratégie compte {number(general)} objectifs généraux, déclinés en "
        f"{number(operational)} objectifs opérationnels, que réalisent {number(actions)} plans "
        "d'action (fiches-action)."
    )


def introduction_text(objectifs: Mapping[str, Any], data_dir: Path | None = None) -> Text:
    """Return part 5's questions, texts and the definitions of criteria and indicators."""
    part = objectifs["section_5"]
    blocks = []
    for item in part["questions"]:
        blocks.append(f"**{escape_markdown(item['question'])}**")
        blocks.append(f"> {escape_markdown(item['texte'])}")
    definitions = part["definitions"]
    # The source marks both definitions with an asterisk, as footnotes of « critères* ».
    blocks.append(
        f"> \\*{escape_markdown(definitions['criteres'])}\n>\n"
        f"> \\*{escape_markdown(definitions['indicateurs'])}"
    )
    blocks.append(source_markdown(strategy_sources(data_dir)))
    return Text("\n\n".join(blocks) + "\n")


def strategy_sources(data_dir: Path | None = None) -> list[Mapping[str, Any]]:
    """Return the sources of part 5: the sections of ``objectifs`` that belong to it."""
    return [
        s for s in sources_of("objectifs", data_dir) if str(s.get("section", "")).startswith("5.")
    ]


def strategy_source(data_dir: Path | None = None) -> str:
    """Return the text after « Source : » of part 5."""
    return source_text(strategy_sources(data_dir))


# --- actions per operational objective (table and chart) ------------------------------------


def actions_per_objective(objectifs: Mapping[str, Any]) -> pd.DataFrame:
    """Return, per operational objective (part 5 order), its general objective and its actions."""
    return pd.DataFrame(
        [
            {
                "objectif_general": f"Objectif général {oo['general']['numero']}",
                "objectif_general_libelle": (
                    f"Objectif général {oo['general']['numero']} — {oo['general']['libelle']}"
                ),
                "objectif_operationnel": f"{oo['code']} {oo['libelle_lisible']}",
                "fiches_nombre": len(oo["fiches"]),
            }
            for oo in operational_objectives(objectifs)
        ]
    )


def actions_chart(frame: pd.DataFrame) -> alt.VConcatChart:
    """Return horizontal bars of the actions per operational objective, one panel per general one.

    Each panel is titled with its general objective, number and wording: the grouping is
    written, not only coloured (WCAG 1.4.1); the colour repeats it, so no legend is needed.
    """
    generals = list(dict.fromkeys(frame["objectif_general_libelle"]))
    # Explicit domain and range: every panel gives a general objective the same colour.
    color = alt.Color(
        "objectif_general_libelle:N",
        scale=alt.Scale(domain=generals, range=list(PALETTE[: len(generals)])),
        legend=None,
    )
    panels = []
    for index, general in enumerate(generals):
        rows = frame[frame["objectif_general_libelle"] == general]
        last = index == len(generals) - 1
        base = alt.Chart(rows).encode(
            y=alt.Y(
                "objectif_operationnel:N",
                sort=list(rows["objectif_operationnel"]),
                title=None,
                # The same room for the labels in every panel (labelLimit plus tick and
                # padding): the panels and their titles then start at the same place.
                axis=alt.Axis(labelLimit=320, minExtent=330),
            ),
            x=alt.X(
                "fiches_nombre:Q",
                # One axis title, under the last panel: the scale is the same in all.
                title="Nombre de plans d'action" if last else None,
                axis=alt.Axis(tickMinStep=1, format="d"),
                scale=alt.Scale(domain=[0, int(frame["fiches_nombre"].max()) + 1]),
            ),
            color=color,
        )
        bars = base.mark_bar()
        labels = base.mark_text(align="left", baseline="middle", dx=4).encode(
            text=alt.Text("fiches_nombre:Q", format="d"), color=alt.value(TEXT_COLOR)
        )
        # Title lines short enough for the printed page (about 600 px), from the left edge;
        # no ARIA label (Vega's is English): the figure's alt text names the objectives.
        title = alt.TitleParams(
            textwrap.wrap(general, 62), anchor="start", frame="bounds", aria=False
        )
        panels.append(
            alt.layer(bars, labels).properties(title=title, width=240, height=alt.Step(28))
        )
    return alt.vconcat(*panels, spacing=20)


def actions_chart_alt(frame: pd.DataFrame) -> str:
    """Return the chart's alternative text, with every value."""
    return alt_text.sentence(
        "Barres horizontales du nombre de plans d'action de chaque objectif opérationnel, "
        "dans l'ordre de la partie 5, en un panneau par objectif général, titré par son "
        "numéro et son intitulé : ",
        (
            f"{r.objectif_operationnel} ({r.objectif_general}) : {number(r.fiches_nombre)}"
            for r in frame.itertuples()
        ),
    )


def actions_chart_data(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the chart's data table with French headers."""
    return pd.DataFrame(
        {
            "Objectif général": frame["objectif_general"],
            "Objectif opérationnel": frame["objectif_operationnel"],
            "Plans d'action": [number(n) for n in frame["fiches_nombre"]],
        }
    )


def actions_figure(objectifs: Mapping[str, Any], data_dir: Path | None = None) -> Figure:
    """Return the chart of the number of actions per operational objective."""
    frame = actions_per_objective(objectifs)
    return Figure(
        actions_chart(frame),
        title="Nombre de plans d'action par objectif opérationnel",
        source=f"{strategy_source(data_dir)} ; nombres comptés sur l'arbre des objectifs",
        alt=actions_chart_alt(frame),
        data=actions_chart_data(frame),
    )


def summary_frame(
    objectifs: Mapping[str, Any], fiches: Sequence[Mapping[str, Any]], general: str | None = None
) -> pd.DataFrame:
    """Return the actions in the source's order: n°, title, objective, calendar, coordination.

    With ``general`` (« OG1 »), only the actions of that general objective.
    """
    codes = {oo["id"]: oo for oo in operational_objectives(objectifs)}
    rows = []
    for fiche in fiches_in_order(objectifs, fiches):
        if general and codes[fiche["objectif_operationnel"]]["general"]["id"] != general:
            continue
        oo = codes[fiche["objectif_operationnel"]]
        rows.append(
            {
                "N°": fiche["numero"],
                "Plan d'action": escape_markdown(fiche["titre_sommaire"]),
                "Objectif opérationnel": escape_markdown(f"{oo['code']} {oo['libelle_lisible']}"),
                "Calendrier": escape_markdown(fiche["calendrier"]),
                "Coordination": escape_markdown(fiche["coordination"]),
                "Fiche": f"[voir {ANNEX}](#{fiche_anchor(fiche['id'])})",
            }
        )
    return pd.DataFrame(rows)


def summary_tables(
    objectifs: Mapping[str, Any], fiches: Sequence[Mapping[str, Any]], data_dir: Path | None = None
) -> list[Table]:
    """Return the actions, one table per general objective as in part 5 (p. 31 and p. 32).

    Cells are escaped Markdown already (links to the annex kept); one table of 18 tall rows
    would not fit a printed page.
    """
    tables = []
    for og in sorted(objectifs["objectifs_generaux"], key=lambda o: o["ordre_section_5"]):
        frame = summary_frame(objectifs, fiches, og["id"])
        sources = [
            s
            for s in sources_of("objectifs", data_dir)
            if str(s.get("section", "")).startswith(f"5. Objectif général {og['numero']} ")
        ]
        tables.append(
            Table(
                frame,
                title=f"Les plans d'action de l'objectif général {og['numero']} — {og['libelle']}",
                source=source_text([*sources, *sources_of("fiches_action", data_dir)]),
                formats={"N°": "nombre", **{c: str for c in frame.columns if c != "N°"}},
                note=(
                    "Intitulés de la partie 5 ; calendrier et coordination tels qu'imprimés "
                    "dans les fiches. Objectif opérationnel « 1.2 » : objectif général 1, "
                    "objectif opérationnel 2."
                ),
            )
        )
    return tables


# --- one fiche ----------------------------------------------------------------------------------


def paragraph(text: str) -> str:
    """Return a source text as one Markdown paragraph that cannot open another block."""
    return escape_markdown(text)


def _indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def bullets(items: Sequence[Any]) -> str:
    """Return a source bullet list; an item is a text or {texte, items} (item with sub-list)."""
    lines = []
    for item in items:
        if isinstance(item, Mapping):
            lines.append(f"- {paragraph(item['texte'])}")
            lines += [f"  - {paragraph(sub)}" for sub in item["items"]]
        else:
            lines.append(f"- {paragraph(item)}")
    return "\n".join(lines)


def content_blocks(content: Any) -> list[str]:
    """Return a cell's blocks as Markdown: paragraphs and bullet lists (none for an empty cell)."""
    if content is None:
        return []
    if isinstance(content, str):
        return [paragraph(content)]
    return [paragraph(b) if isinstance(b, str) else bullets(b) for b in content]


def labelled_item(label: str, content: Any) -> str:
    """Return one « - **Label** content » list item; several blocks go below, indented."""
    blocks = content_blocks(content)
    # « Qui coordonne ? » is its own punctuation; other labels take a colon (French spacing).
    mark = "" if label.endswith("?") else f"{NBSP}:"
    head = f"- **{escape_markdown(label)}{mark}**"
    if not blocks:
        return f"{head} {MISSING}"
    if len(blocks) == 1 and isinstance(content, str):
        return f"{head} {blocks[0]}"
    return head + "\n\n" + "\n\n".join(_indent(b, 2) for b in blocks)


def row_markdown(row: Mapping[str, Any]) -> str:
    """Return the four columns of a row (Quoi ? Quand ? Qui ? Comment ?) as a list."""
    return "\n".join(labelled_item(label, row.get(key)) for key, label in ROW_FIELDS)


def _empty_row(row: Mapping[str, Any]) -> bool:
    return all(row.get(key) is None for key, _ in ROW_FIELDS)


def note_markdown(note: str | None) -> str:
    """Return a transcription note, labelled as the project's, not the source's."""
    if not note:
        return ""
    return f"*Note de transcription (projet){NBSP}: {escape_markdown(note)}*"


def _sub_rows(label: str, rows: Sequence[Mapping[str, Any]]) -> str:
    items = []
    for i, row in enumerate(rows, start=1):
        items.append(f"- **{label} {i}**\n\n" + _indent(row_markdown(row), 2))
    return "\n\n".join(items)


def _row_block(
    head: str, row: Mapping[str, Any], subs: Sequence[Mapping[str, Any]], sub: str
) -> str:
    """Return a labelled row with its four columns, its sub-rows and its transcription note.

    The four columns are left out when the row itself is empty and only its sub-rows are filled.
    """
    parts = [head]
    if not (subs and _empty_row(row)):
        parts.append(row_markdown(row))
    if subs:
        parts.append(_sub_rows(sub, subs))
    note = note_markdown(row.get("note_transcription"))
    if note:
        parts.append(note)
    return "\n\n".join(parts)


def step_markdown(step: Mapping[str, Any]) -> str:
    """Return one step: its printed label, its four columns, its sub-steps and any note."""
    head = f"**{escape_markdown(step['etape'])}**"
    return _row_block(head, step, step.get("sous_etapes") or [], "Sous-étape")


def line_markdown(label: str, row: Mapping[str, Any] | None) -> str:
    """Return the evaluation or perspectives row: absent, printed empty, one or several rows."""
    head = f"**{escape_markdown(label)}**"
    if row is None:
        return f"{head}{NBSP}: la fiche n'a pas cette ligne."
    lines = row.get("lignes") or []
    if not lines and _empty_row(row):
        return f"{head}{NBSP}: ligne imprimée vide dans la source."
    return _row_block(head, row, lines, "Rangée")


def _target(indicator: Mapping[str, Any]) -> str:
    parts = []
    unit = (
        "" if is_missing(indicator.get("unite")) else f"{NBSP}{escape_markdown(indicator['unite'])}"
    )
    for key, label in (("valeur_reference", "valeur de référence"), ("cible", "cible")):
        value = indicator.get(key)
        text = NOT_SET if is_missing(value) else f"{number(value)}{unit}"
        parts.append(f"{label}{NBSP}: {text}")
    date = indicator.get("date_cible")
    if not is_missing(date):
        parts[-1] += f" au {date_fr(date)}"
    return " ; ".join(parts)


def indicators_markdown(indicateurs: pd.DataFrame, fiche_id: str) -> str:
    """Return the fiche's indicators from the catalogue, with reference value and target."""
    mine = indicateurs[indicateurs["fiche"] == fiche_id].sort_values("ordre")
    head = (
        "**Indicateurs de suivi** (catalogue d'évaluation ; nature et sens classés par le projet)"
    )
    if mine.empty:
        return f"{head}{NBSP}: aucun indicateur dans le catalogue."
    lines = []
    for row in mine.to_dict("records"):
        kind = str(row["nature"])
        if not is_missing(row.get("unite")):
            kind += f", {row['unite']}"
        sense = (
            ""
            if row["sens"] == "sans objet"
            else f" ; sens souhaité{NBSP}: {escape_markdown(row['sens'])}"
        )
        lines.append(
            f"- {paragraph(row['libelle'])} — *{escape_markdown(kind)}{sense} ; {_target(row)}*"
        )
    return head + "\n\n" + "\n".join(lines)


def fiche_markdown(
    fiche: Mapping[str, Any],
    indicateurs: pd.DataFrame,
    objectifs: Mapping[str, Any] | None = None,
    level: int = 2,
) -> str:
    """Return a whole fiche: header fields, every step, evaluation, perspectives, indicators."""
    marks = "#" * level
    parts = [
        f"{marks} {fiche['numero']} — {escape_markdown(fiche['titre'])} "
        f"{{#{fiche_anchor(fiche['id'])}}}"
    ]
    if objectifs is not None:
        codes = {oo["id"]: oo for oo in operational_objectives(objectifs)}
        oo = codes[fiche["objectif_operationnel"]]
        og = oo["general"]
        parts.append(
            f"*Objectif opérationnel {oo['code']} « {escape_markdown(oo['libelle_lisible'])} » — "
            f"objectif général {og['numero']} « {escape_markdown(og['libelle'])} »*"
        )
    if fiche["titre_sommaire"] != fiche["titre"]:
        parts.append(
            f"Intitulé dans la partie 5{NBSP}: {escape_markdown(fiche['titre_sommaire'])}."
        )
    header = []
    for key, label in HEADER_FIELDS:
        value = fiche.get(key)
        header.append(
            labelled_item(label, value if value is not None else "case vide dans la source")
        )
    parts.append("\n".join(header))
    parts.append("**Démarche**")
    parts += [step_markdown(step) for step in fiche["etapes"]]
    parts.append(line_markdown(EVALUATION_LABEL, fiche["evaluation"]))
    parts.append(line_markdown(PERSPECTIVES_LABEL, fiche.get("perspectives")))
    parts.append(indicators_markdown(indicateurs, fiche["id"]))
    note = note_markdown(fiche.get("note_transcription"))
    if note:
        parts.append(note)
    document = source_document()
    # A project written without a source document cites its own fiche, not an annex of one.
    cited = f"{escape_markdown(document.cited_as)}, annexe 1, " if document else ""
    parts.append(
        f"Source{NBSP}: {cited}fiche n°{NBSP}{fiche['numero']} ; "
        "indicateurs : catalogue d'évaluation du projet"
    )
    return "\n\n".join(parts) + "\n"


def annex_source_text(data_dir: Path | None = None) -> Text:
    """Return the annex's « Source : » line."""
    return Text(
        source_markdown(
            [*sources_of("fiches_action", data_dir), *sources_of("indicateurs", data_dir)]
        )
        + "\n"
    )


def fiche_texts(
    fiches: Sequence[Mapping[str, Any]],
    indicateurs: pd.DataFrame,
    objectifs: Mapping[str, Any],
) -> list[Text]:
    """Return each fiche as its own text, in the source's order."""
    return [
        Text(fiche_markdown(fiche, indicateurs, objectifs))
        for fiche in fiches_in_order(objectifs, fiches)
    ]
