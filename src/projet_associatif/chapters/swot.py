"""Chapter 4 « Analyse de l'existant »: the workshop's lists, the SWOT matrix and its coverage.

Internal factors (forces, faiblesses) are the July 2019 workshop's items, kept with the
workshop's own grouping (domain → theme → items). External factors (opportunités, menaces)
are the project's reading of the part 3 diagnostic (``swot_externe``), resolved with their
evidence in :mod:`~projet_associatif.chapters.swot_external`. The coverage of the weaknesses
by the 18 fiches-action comes from a hand-written mapping (``correspondances``), checked and
counted in :mod:`~projet_associatif.analysis.swot_coverage`; this module presents it.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.analysis import swot_coverage
from projet_associatif.analysis.swot_coverage import (
    Category,
    FactorKind,
    Scope,
    domain_prefix,
    domains,
    general_objectives,
    grouped_items,
    theme_summary,
    uncovered_items,
    uncovered_threat_ids,
    uncovered_units,
    weakness_units,
)
from projet_associatif.chapters.swot_external import Factor
from projet_associatif.core.formatting import MISSING, NBSP, is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.data.package import sources_of
from projet_associatif.present.blocks import Table, Text
from projet_associatif.present.provenance import source_markdown, source_text

ANCHOR_WORKSHOP = "atelier-forces-faiblesses"
ANCHOR_EXTERNAL = "swot-externe"


def _count(n: int, singular: str, plural: str) -> str:
    return f"{number(n)} {singular if n == 1 else plural}"


def sources(names: Iterable[str], data_dir: Path | None = None) -> list[Mapping[str, Any]]:
    """Return the declared sources of the named resources, in order."""
    return [s for name in names for s in sources_of(name, data_dir)]


def source_line(names: Iterable[str], data_dir: Path | None = None) -> str:
    """Return the text after « Source : » for the declared sources of the named resources."""
    return source_text(sources(names, data_dir))


# --- the workshop's lists ---------------------------------------------------------------------


def introduction_text(introduction: Mapping[str, Any], data_dir: Path | None = None) -> Text:
    """Return the part's question, its introduction and the caption of the raw tables."""
    return Text(
        f"**{escape_markdown(introduction['question'])}**\n\n"
        f"> {escape_markdown(introduction['introduction'])}\n>\n"
        f"> {escape_markdown(introduction['legende_tableaux'])}\n\n"
        f"{source_markdown(sources(['analyse_introduction'], data_dir))}\n"
    )


def category_markdown(groups: Sequence[tuple[str | None, Sequence[str]]]) -> str:
    """Return themed groups as a nested list (theme, then its items), unthemed items flat."""
    lines: list[str] = []
    for theme, items in groups:
        if theme is None:
            lines += [f"- {escape_markdown(item)}" for item in items]
            continue
        lines.append(
            f"- **{escape_markdown(theme)}** ({_count(len(items), 'élément', 'éléments')})"
        )
        lines += [f"  - {escape_markdown(item)}" for item in items]
    return "\n".join(lines)


def counts_sentence(atelier: pd.DataFrame) -> Text:
    """Return how many items the workshop noted, by category, over how many domains."""
    n_strength = int((atelier["categorie"] == Category.STRENGTH).sum())
    n_weakness = int((atelier["categorie"] == Category.WEAKNESS).sum())
    return Text(
        f"L'atelier a noté {_count(len(atelier), 'élément', 'éléments')} dans "
        f"{_count(len(domains(atelier)), 'domaine', 'domaines')} : "
        f"{_count(n_strength, 'atout', 'atouts')} et "
        f"{_count(n_weakness, 'point à améliorer', 'points à améliorer')}."
    )


def _notes_markdown(notes: pd.DataFrame, domaine: str) -> str:
    texts = notes.loc[notes["domaine"] == domaine].sort_values("ordre")["texte"]
    if texts.empty:
        return ""
    quoted = " ; ".join(f"«{NBSP}{escape_markdown(t)}{NBSP}»" for t in texts)
    return (
        f"Mentions imprimées sous le tableau, sans être classées en atout ou en point à "
        f"améliorer{NBSP}: {quoted}."
    )


def workshop_text(
    atelier: pd.DataFrame, notes: pd.DataFrame, data_dir: Path | None = None, level: int = 3
) -> Text:
    """Return every domain's strengths and points to improve, theme by theme, with the source."""
    marks = "#" * level
    parts: list[str] = []
    for domaine in domains(atelier):
        anchor = f"atelier-{domain_prefix(atelier, domaine)}"
        parts.append(f"{marks} {escape_markdown(domaine)} {{#{anchor}}}")
        for categorie, label in (
            (Category.STRENGTH, "Les atouts"),
            (Category.WEAKNESS, "Les points à améliorer"),
        ):
            groups = grouped_items(atelier, domaine, categorie)
            n = sum(len(items) for _, items in groups)
            parts.append(f"**{label}** ({_count(n, 'élément', 'éléments')})")
            parts.append(category_markdown(groups))
        note = _notes_markdown(notes, domaine)
        if note:
            parts.append(note)
    parts.append(source_markdown(sources(["atelier_forces_faiblesses", "atelier_notes"], data_dir)))
    return Text("\n\n".join(parts) + "\n")


# --- the matrix (a Pandoc grid table: lists inside cells) ------------------------------------


def internal_quadrant(atelier: pd.DataFrame, categorie: str) -> list[str]:
    """Return one line per domain: its themes with their item counts."""
    summary = theme_summary(atelier, categorie)
    lines = []
    for domaine, group in summary.groupby("domaine", sort=False):
        themes = [
            f"{escape_markdown(t)} ({number(n)})"
            for t, n in zip(group["theme"], group["elements_nombre"], strict=True)
            if not is_missing(t)
        ]
        loose = int(group.loc[group["theme"].isna(), "elements_nombre"].sum())
        if loose:
            themes.append(_count(loose, "élément sans thème", "éléments sans thème"))
        lines.append(f"*{escape_markdown(domaine)}*{NBSP}: " + ", ".join(themes))
    return lines


# A space before a token that would open a block (« - », « + », « 1. ») if a wrapped line
# started with it: made unbreakable, so that wrapping never turns text into a list.
# Pandoc's fancy lists also start at « (1) », « a. », « iv) ».
_BLOCK_START = re.compile(r" (?=(?:[-+*>#|]|\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)])(?:\s|$))")


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    safe = _BLOCK_START.sub(NBSP, text)
    return textwrap.wrap(
        safe, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def _cell_lines(heading: str, bullets: Sequence[str], footer: str, width: int) -> list[str]:
    lines = _wrap(heading, width) + [""]
    for bullet in bullets:
        lines += _wrap(bullet, width, "- ", "  ")
    return lines + [""] + _wrap(footer, width)


def grid_table(
    header: Sequence[str], rows: Sequence[Sequence[Sequence[str]]], widths: Sequence[int]
) -> str:
    """Return a Pandoc grid table; each cell is a list of lines no wider than its column."""
    for row in [[[h] for h in header], *rows]:
        for cell, width in zip(row, widths, strict=True):
            too_long = [line for line in cell if len(line) > width]
            if too_long:
                raise ValueError(f"Ligne plus large que sa colonne ({width}) : {too_long[0]!r}")

    def rule(char: str) -> str:
        return "+" + "+".join(char * (w + 2) for w in widths) + "+"

    def body(cells: Sequence[Sequence[str]]) -> list[str]:
        height = max(len(c) for c in cells)
        return [
            "| "
            + " | ".join(
                (cell[i] if i < len(cell) else "").ljust(width)
                for cell, width in zip(cells, widths, strict=True)
            )
            + " |"
            for i in range(height)
        ]

    # Colons on the header rule: every column left-aligned (Pandoc grid-table syntax).
    head_rule = "+" + "+".join(":" + "=" * (w + 1) for w in widths) + "+"
    out = [rule("-"), *body([[h] for h in header]), head_rule]
    for row in rows:
        out += [*body(row), rule("-")]
    return "\n".join(out)


def matrix_markdown(atelier: pd.DataFrame, factors: Sequence[Factor], width: int = 46) -> str:
    """Return the four-quadrant SWOT matrix as a two-column grid table.

    Columns: favourable, unfavourable; rows: internal (workshop), external (diagnostic). Each
    quadrant names itself in its first line, so the matrix reads without colour or layout.
    """
    link_workshop = f"Liste complète{NBSP}: [l'atelier, domaine par domaine](#{ANCHOR_WORKSHOP})."
    link_external = f"Constats et preuves{NBSP}: [opportunités et menaces](#{ANCHOR_EXTERNAL})."

    def quadrant(title: str, categorie: Category) -> list[str]:
        n = int((atelier["categorie"] == categorie).sum())
        heading = (
            f"**{title}** — internes, atelier des salariés ({_count(n, 'élément', 'éléments')})"
        )
        return _cell_lines(heading, internal_quadrant(atelier, categorie), link_workshop, width)

    def external(title: str, kind: FactorKind) -> list[str]:
        chosen = [f for f in factors if f.type == kind]
        bullets = [f"{f.id} {escape_markdown(f.libelle)}" for f in chosen]
        heading = f"**{title}** — externes, diagnostic du territoire ({number(len(chosen))})"
        return _cell_lines(heading, bullets, link_external, width)

    rows = [
        [quadrant("Forces", Category.STRENGTH), quadrant("Faiblesses", Category.WEAKNESS)],
        [external("Opportunités", FactorKind.OPPORTUNITY), external("Menaces", FactorKind.THREAT)],
    ]
    return grid_table(["Favorable", "Défavorable"], rows, [width, width])


def matrix_table(
    atelier: pd.DataFrame, factors: Sequence[Factor], data_dir: Path | None = None
) -> Table:
    """Return the matrix as one table (grid table, caption, note, source line)."""
    return Table(
        None,
        body=matrix_markdown(atelier, factors),
        title="Matrice forces, faiblesses, opportunités, menaces",
        source=source_line(["atelier_forces_faiblesses", "swot_externe"], data_dir),
        note=(
            "Forces et faiblesses : thèmes de l'atelier, avec leur nombre d'éléments. "
            "Opportunités et menaces : lecture du projet du diagnostic de la partie 3."
        ),
    )


# --- coverage of the weaknesses and threats by the fiches-action -----------------------------


def coverage_links(
    document: Mapping[str, Any],
    fiches: Sequence[Mapping[str, Any]],
    atelier: pd.DataFrame,
    factors: Sequence[Factor],
) -> pd.DataFrame:
    """Return one row per link fiche → point à améliorer or threat, the mapping checked first.

    The threats are those of ``factors`` (see :func:`swot_coverage.coverage_links`).
    """
    threats = {f.id: f.libelle for f in factors if f.type == FactorKind.THREAT}
    return swot_coverage.coverage_links(document, fiches, atelier, threats)


def uncovered_threats(factors: Sequence[Factor], links: pd.DataFrame) -> list[Factor]:
    """Return the threats that no fiche targets."""
    threats = [f for f in factors if f.type == FactorKind.THREAT]
    lonely = set(uncovered_threat_ids([f.id for f in threats], links))
    return [f for f in threats if f.id in lonely]


#: What a coverage table's cell adds after a point à améliorer, by scope of the link.
SCOPE_TABLE = {Scope.WHOLE: "", Scope.PART: " (en partie)", Scope.WORDING: " (libellé du thème)"}


def _unit_text(row: Mapping[str, Any], named: bool = True) -> str:
    """Return a targeted point for the details (domain, items named) or for the table (short).

    The table's cells stay short so that its rows fit a printed page: a threat is its id, a
    point à améliorer its label, then « en partie » when only some items of the theme are
    targeted and « libellé du thème » when only the theme's wording is.
    """
    if row["type"] == FactorKind.THREAT:
        return (
            str(row["unite"]) if not named else f"{row['unite']} {escape_markdown(row['libelle'])}"
        )
    if not named:
        return escape_markdown(row["libelle"]) + SCOPE_TABLE[row["portee"]]
    text = f"{escape_markdown(row['libelle'])} ({escape_markdown(row['domaine'])})"
    if row["portee"] == Scope.PART:
        items = ", ".join(f"«{NBSP}{escape_markdown(e)}{NBSP}»" for e in row["elements_libelles"])
        text += f"{NBSP}: {items}"
    elif row["portee"] == Scope.WORDING:
        text += f"{NBSP}: le libellé du thème, aucun de ses éléments"
    return text


def coverage_frame(links: pd.DataFrame, fiches: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return one row per fiche (source order): the points à améliorer and threats it targets."""
    rows = []
    for fiche in sorted(fiches, key=lambda f: f["numero"]):
        mine = links[links["fiche"] == fiche["id"]] if not links.empty else links
        weak = [
            _unit_text(r, named=False) for _, r in mine.iterrows() if r["type"] == Category.WEAKNESS
        ]
        threat = [
            _unit_text(r, named=False) for _, r in mine.iterrows() if r["type"] == FactorKind.THREAT
        ]
        rows.append(
            {
                "N°": fiche["numero"],
                "Fiche-action": f"[{escape_markdown(fiche['titre'])}](#fiche-{fiche['id']})",
                "Points à améliorer visés": " ; ".join(weak) or MISSING,
                "Menaces visées": ", ".join(threat) or MISSING,
            }
        )
    return pd.DataFrame(rows)


def coverage_tables(
    links: pd.DataFrame, fiches: Sequence[Mapping[str, Any]], data_dir: Path | None = None
) -> list[Table]:
    """Return the coverage (fiche → points and threats targeted), one table per general objective.

    One table of 18 tall rows would not fit a printed page.
    """
    tables = []
    for general in general_objectives(fiches):
        mine = [f for f in fiches if str(f["objectif_operationnel"]).startswith(f"{general}-")]
        frame = coverage_frame(links, mine)
        trusted = {c: str for c in frame.columns if c != "N°"}  # cells: escaped Markdown already
        tables.append(
            Table(
                frame,
                title=(
                    "Points à améliorer et menaces visés par les fiches-action de l'objectif "
                    f"général {general[2:]}"
                ),
                source=source_line(["correspondances", "fiches_action"], data_dir),
                formats={"N°": "nombre", **trusted},
                note=(
                    "Lecture du projet : la source ne relie pas les fiches aux faiblesses. Un "
                    "point visé n'est pas un point résolu. « En partie » : la fiche ne vise que "
                    "certains éléments du thème ; « libellé du thème » : elle vise ce que nomme "
                    "le thème, aucun de ses éléments. Menaces : identifiants de la matrice. "
                    "Domaines, éléments et citations : détail plus bas."
                ),
            )
        )
    return tables


def coverage_sentence(
    atelier: pd.DataFrame, links: pd.DataFrame, factors: Sequence[Factor]
) -> Text:
    """Return the counts of points à améliorer and threats that no fiche targets."""
    units = weakness_units(atelier)
    missing = uncovered_units(atelier, links)
    items = atelier[atelier["categorie"] == Category.WEAKNESS]
    loose_items = uncovered_items(atelier, links)
    threats = [f for f in factors if f.type == FactorKind.THREAT]
    lonely = uncovered_threats(factors, links)
    return Text(
        f"Sur {_count(len(units), 'point à améliorer', 'points à améliorer')} "
        f"(les thèmes de l'atelier, et un par un les éléments du public, qui n'ont pas de thème), "
        f"{number(len(units) - len(missing))} sont visés par au moins une fiche-action et "
        f"{number(len(missing))} ne le sont par aucune. Au niveau des éléments, "
        f"{number(len(loose_items))} des {number(len(items))} éléments notés ne sont visés par "
        f"aucune fiche. Sur {_count(len(threats), 'menace', 'menaces')} tirées du diagnostic, "
        f"{number(len(lonely))} ne sont visées par aucune fiche."
    )


def uncovered_text(atelier: pd.DataFrame, links: pd.DataFrame) -> Text:
    """Return the untargeted points à améliorer, domain by domain, as a plain list."""
    missing = uncovered_units(atelier, links)
    if missing.empty:
        return Text("Chaque point à améliorer est visé par au moins une fiche-action.\n")
    lines = []
    for domaine, group in missing.groupby("domaine", sort=False):
        lines.append(f"- **{escape_markdown(domaine)}**")
        for row in group.itertuples():
            if is_missing(row.theme):
                lines.append(f"  - {escape_markdown(row.libelle)} (élément sans thème)")
            else:
                n = _count(len(row.elements), "élément", "éléments")
                lines.append(f"  - {escape_markdown(row.libelle)} (thème, {n})")
    return Text("\n".join(lines) + "\n")


def uncovered_threats_text(factors: Sequence[Factor], links: pd.DataFrame) -> Text:
    """Return the untargeted threats as a plain list."""
    lonely = uncovered_threats(factors, links)
    if not lonely:
        return Text("Chaque menace est visée par au moins une fiche-action.\n")
    return Text("\n".join(f"- {f.id} {escape_markdown(f.libelle)}" for f in lonely) + "\n")


def uncovered_counts(atelier: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Return, per domain, the points à améliorer and items noted and those no fiche targets."""
    units = weakness_units(atelier)
    missing = uncovered_units(atelier, links)
    items = atelier[atelier["categorie"] == Category.WEAKNESS]
    loose = uncovered_items(atelier, links)
    rows = []
    for domaine in domains(atelier):
        rows.append(
            {
                "Domaine": domaine,
                "Points à améliorer": int((units["domaine"] == domaine).sum()),
                "Points non visés": int((missing["domaine"] == domaine).sum()),
                "Éléments notés": int((items["domaine"] == domaine).sum()),
                "Éléments non visés": int((loose["domaine"] == domaine).sum()),
            }
        )
    frame = pd.DataFrame(rows)
    total = {"Domaine": "Total", **{c: int(frame[c].sum()) for c in frame.columns[1:]}}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def uncovered_counts_table(
    atelier: pd.DataFrame, links: pd.DataFrame, data_dir: Path | None = None
) -> Table:
    """Return the counts of untargeted points à améliorer, domain by domain."""
    return Table(
        uncovered_counts(atelier, links),
        title="Points à améliorer qu'aucune fiche-action ne vise, par domaine",
        source=source_line(["atelier_forces_faiblesses", "correspondances"], data_dir),
        note=(
            "Point à améliorer : un thème de l'atelier, ou un élément sans thème (le public). "
            "Un élément est visé quand une fiche vise son thème sans restriction ou le nomme."
        ),
    )


#: The parts of a fiche a justification may quote, as the details name them.
FICHE_FIELDS = {
    "titre": "intitulé",
    "objectif": "objectif",
    "resume": "résumé",
    "partenaires": "partenaires",
    "etapes": "démarche",
    "evaluation": "évaluation",
    "perspectives": "perspectives",
}


def details_text(
    links: pd.DataFrame, fiches: Sequence[Mapping[str, Any]], data_dir: Path | None = None
) -> Text:
    """Return, fiche by fiche, each link with the fiche's own words that justify it."""
    lines = []
    for fiche in sorted(fiches, key=lambda f: f["numero"]):
        mine = links[links["fiche"] == fiche["id"]]
        if mine.empty:
            continue
        lines.append(f"- **{fiche['numero']} — {escape_markdown(fiche['titre'])}**")
        for _, row in mine.iterrows():
            where = FICHE_FIELDS[row["champ"]]
            quote = f"«{NBSP}{escape_markdown(row['citation'])}{NBSP}» ({where})"
            text = f"  - {_unit_text(row)} — {quote}"
            if not is_missing(row["remarque"]):
                text += f". *Remarque du projet{NBSP}: {escape_markdown(row['remarque'])}*"
            lines.append(text)
    lines.append("")
    lines.append(source_markdown(sources(["correspondances", "fiches_action"], data_dir)))
    return Text("\n".join(lines) + "\n")
