"""Chapter 4 « Analyse de l'existant »: the workshop's lists, the SWOT matrix and its coverage.

Internal factors (forces, faiblesses) are the July 2019 workshop's items, kept with the
workshop's own grouping (domain → theme → items). External factors (opportunités, menaces)
are the project's reading of the part 3 diagnostic (``swot_externe``): each one carries
evidence, either a cell of a data table, read here so that the figure shown is the data's,
or a verbatim quotation of the source. The coverage of the weaknesses by the 18 fiches-action
comes from a hand-written mapping (``correspondances``); this module only checks it against the
data and counts what it leaves out.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.core.formatting import NBSP, euros, is_missing, nombre, points, pourcentage
from projet_associatif.data.package import load, resource, sources_of
from projet_associatif.present.provenance import source_text, vintage_fr
from projet_associatif.present.tables import column_decimals, escape_markdown, slug

STRENGTH, WEAKNESS = "atout", "point à améliorer"
OPPORTUNITY, THREAT = "opportunité", "menace"
#: Columns that name a row for readers, in the order they are written (« Allier, 2018-T1 »).
LABEL_COLUMNS = ("territoire", "population", "niveau", "periode", "nom")
#: Units of ``chiffres_cles.unite`` written after the number.
UNIT_LABELS = {"km": "km", "min": "min", "hab_km2": "hab./km²", "annees": "ans"}
#: Fields of a fiche where a correspondence may quote its justification.
FICHE_TEXT_FIELDS = ("titre", "objectif", "resume", "partenaires")
FICHE_BLOCK_FIELDS = ("etapes", "evaluation", "perspectives")
ANCHOR_WORKSHOP = "atelier-forces-faiblesses"
ANCHOR_EXTERNAL = "swot-externe"


# --- source text ------------------------------------------------------------------------------


def normalise_source(text: str) -> str:
    """Return source text without the extraction's bold marks and superscripts, one-spaced.

    The text file keeps Markdown bold (``**deux Maisons France Services**``) and exponents
    (``1^{er}``); a quotation copies the words, not these marks.
    """
    text = re.sub(r"\^\{([^}]*)\}", r"\1", text.replace("**", ""))
    return " ".join(text.split())


def _same_text(text: str) -> str:
    return " ".join(str(text).split())


# --- the workshop's lists ---------------------------------------------------------------------


def domains(atelier: pd.DataFrame) -> list[str]:
    """Return the workshop's domains in the source's order."""
    return list(dict.fromkeys(atelier.sort_values("ordre")["domaine"]))


def domain_prefix(atelier: pd.DataFrame, domaine: str) -> str:
    """Return the identifier prefix of a domain (« territoire » for « Le territoire »)."""
    ids = atelier.loc[atelier["domaine"] == domaine, "id"]
    if ids.empty:
        raise KeyError(f"Domaine inconnu de l'atelier : « {domaine} »")
    return re.sub(r"-(atout|ameliorer)-\d+$", "", str(ids.iloc[0]))


def grouped_items(
    atelier: pd.DataFrame, domaine: str, categorie: str
) -> list[tuple[str | None, list[str]]]:
    """Return (theme, items) groups of one domain and category, in the source's order.

    Items without a theme (the public's points à améliorer) form one group whose theme is None.
    """
    rows = atelier[(atelier["domaine"] == domaine) & (atelier["categorie"] == categorie)]
    groups: dict[str | None, list[str]] = {}
    for row in rows.sort_values("ordre").itertuples():
        theme = None if is_missing(row.theme) else str(row.theme)
        groups.setdefault(theme, []).append(str(row.element))
    return list(groups.items())


def _count(n: int, singular: str, plural: str) -> str:
    return f"{nombre(n)} {singular if n == 1 else plural}"


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


def counts_sentence(atelier: pd.DataFrame) -> str:
    """Return how many items the workshop noted, by category, over how many domains."""
    n_strength = int((atelier["categorie"] == STRENGTH).sum())
    n_weakness = int((atelier["categorie"] == WEAKNESS).sum())
    return (
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


def workshop_markdown(
    atelier: pd.DataFrame, notes: pd.DataFrame, data_dir: Path | None = None, level: int = 3
) -> str:
    """Return every domain's strengths and points to improve, theme by theme, with the source."""
    marks = "#" * level
    parts: list[str] = []
    for domaine in domains(atelier):
        anchor = f"atelier-{domain_prefix(atelier, domaine)}"
        parts.append(f"{marks} {escape_markdown(domaine)} {{#{anchor}}}")
        for categorie, label in ((STRENGTH, "Les atouts"), (WEAKNESS, "Les points à améliorer")):
            groups = grouped_items(atelier, domaine, categorie)
            n = sum(len(items) for _, items in groups)
            parts.append(f"**{label}** ({_count(n, 'élément', 'éléments')})")
            parts.append(category_markdown(groups))
        note = _notes_markdown(notes, domaine)
        if note:
            parts.append(note)
    source = source_line(["atelier_forces_faiblesses", "atelier_notes"], data_dir)
    parts.append(f"Source{NBSP}: {escape_markdown(source)}")
    return "\n\n".join(parts) + "\n"


def introduction_markdown(introduction: Mapping[str, Any], data_dir: Path | None = None) -> str:
    """Return the part's question, its introduction and the caption of the raw tables."""
    return (
        f"**{escape_markdown(introduction['question'])}**\n\n"
        f"> {escape_markdown(introduction['introduction'])}\n>\n"
        f"> {escape_markdown(introduction['legende_tableaux'])}\n\n"
        f"Source{NBSP}: {escape_markdown(source_line(['analyse_introduction'], data_dir))}\n"
    )


def source_line(names: Iterable[str], data_dir: Path | None = None) -> str:
    """Return the text after « Source : » for the declared sources of the named resources."""
    sources: list[Mapping[str, Any]] = []
    for name in names:
        sources += sources_of(name, data_dir)
    return source_text(sources)


# --- external factors and their evidence ------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One proof of an external factor, ready to be read."""

    text: str
    resource: str | None = None
    value: str | None = None


def _format_number(value: object, field: str, row: Mapping[str, Any]) -> str:
    digits = column_decimals(pd.Series([value]))
    if field == "valeur" and "unite" in row:
        unit = str(row["unite"])
        if unit == "pct":
            return pourcentage(value, digits)
        if unit == "eur":
            return euros(value)
        if unit == "rang":
            n = int(value)
            return "1er" if n == 1 else f"{n}e"
        if unit in UNIT_LABELS:
            return f"{nombre(value, digits)}{NBSP}{UNIT_LABELS[unit]}"
        return nombre(value, digits)
    signed = field.startswith("evolution") and float(value) > 0
    if field.endswith("_points"):
        return points(value, digits)
    if field.endswith("_pct"):
        text = pourcentage(value, digits)
    elif field.endswith("_eur"):
        text = euros(value)
    else:
        text = nombre(value, digits)
    return f"+{text}" if signed else text


def format_cell(row: Mapping[str, Any], field: str) -> str:
    """Return one cell of a loaded table the French way, with the unit its name carries."""
    value = row[field]
    if is_missing(value):
        return "—"
    if isinstance(value, str):
        return value  # text columns stay text, even when they hold digits (SIREN codes)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "oui" if value else "non"
    # Nullable integer columns give numpy scalars: float() accepts every numeric kind.
    return _format_number(float(value), field, row)


def primary_key(name: str, data_dir: Path | None = None) -> list[str]:
    """Return the primary key fields of a table resource."""
    return list(resource(name, data_dir).descriptor.get("schema", {}).get("primaryKey", []))


def select_row(frame: pd.DataFrame, cle: str | Mapping[str, Any], key: Sequence[str]) -> pd.Series:
    """Return the one row that ``cle`` designates (an id, or a {column: value} selector)."""
    name = frame.attrs.get("resource", "?")
    if isinstance(cle, str):
        if len(key) != 1:
            raise ValueError(
                f"Table « {name} » : sa clé primaire a plusieurs champs ({', '.join(key)}) ; "
                "désignez la ligne par {colonne: valeur}."
            )
        selector: Mapping[str, Any] = {key[0]: cle}
    else:
        selector = cle
    mask = pd.Series(True, index=frame.index)
    for column, value in selector.items():
        if column not in frame.columns:
            raise ValueError(f"Table « {name} » : pas de colonne « {column} ».")
        mask &= frame[column].astype("string") == str(value)
    found = frame[mask]
    if len(found) != 1:
        raise ValueError(
            f"Table « {name} » : {len(found)} ligne(s) pour {dict(selector)} (il en faut une)."
        )
    return found.iloc[0]


def row_label(row: Mapping[str, Any]) -> str:
    """Return how a row is named for readers: its descriptive text columns, or its wording."""
    parts = [
        vintage_fr(row[c]) if c == "periode" else row[c]
        for c in LABEL_COLUMNS
        if c in row and isinstance(row[c], str)  # « population » is a count in some tables
    ]
    if parts:
        return ", ".join(parts)
    if "libelle" in row and isinstance(row["libelle"], str):
        return f"«{NBSP}{row['libelle']}{NBSP}»"
    raise ValueError("Ligne sans colonne descriptive ni libellé : impossible de la nommer.")


def _field_title(name: str, field: str, data_dir: Path | None) -> str:
    for spec in resource(name, data_dir).fields:
        if spec["name"] == field:
            return str(spec.get("title") or field)
    raise ValueError(f"Table « {name} » : pas de champ « {field} ».")


def resolve_evidence(
    preuve: Mapping[str, Any], data_dir: Path | None = None, cache: dict | None = None
) -> Evidence:
    """Return one proof as text: the cited table cell (read now) or the quotation."""
    if "citation" in preuve:
        where = str(preuve["section"])
        if preuve.get("page"):
            where += f", p.{NBSP}{preuve['page']}"
        quote = escape_markdown(_same_text(preuve["citation"]))
        return Evidence(text=f"«{NBSP}{quote}{NBSP}» ({escape_markdown(where)})")
    name, field = str(preuve["resource"]), str(preuve["champ"])
    cache = {} if cache is None else cache
    if name not in cache:
        cache[name] = load(name, data_dir)
    frame = cache[name]
    if field not in frame.columns:
        raise ValueError(f"Table « {name} » : pas de colonne « {field} ».")
    row = select_row(frame, preuve["cle"], primary_key(name, data_dir))
    value = format_cell(row, field)
    label = escape_markdown(row_label(row))
    if not (field == "valeur" and label.startswith("«")):
        # A row named by its own wording (chiffres_cles) needs no « Valeur » heading.
        label = f"{escape_markdown(_field_title(name, field, data_dir))} — {label}"
    return Evidence(
        text=f"{label}{NBSP}: **{escape_markdown(value)}** (table « {name} »)",
        resource=name,
        value=value,
    )


@dataclass(frozen=True)
class Factor:
    """One external factor with its evidence resolved."""

    id: str
    type: str
    libelle: str
    constat: str
    preuves: tuple[Evidence, ...]


def external_factors(document: Mapping[str, Any], data_dir: Path | None = None) -> list[Factor]:
    """Return the opportunities and threats of ``swot_externe`` with every proof resolved."""
    ids = [e["id"] for e in document["elements"]]
    doubles = sorted({i for i in ids if ids.count(i) > 1})
    if doubles:
        raise ValueError(f"Identifiants en double dans swot_externe : {', '.join(doubles)}")
    cache: dict[str, pd.DataFrame] = {}
    return [
        Factor(
            id=e["id"],
            type=e["type"],
            libelle=_same_text(e["libelle"]),
            constat=_same_text(e["constat"]),
            preuves=tuple(resolve_evidence(p, data_dir, cache) for p in e["preuves"]),
        )
        for e in document["elements"]
    ]


def external_markdown(factors: Sequence[Factor], data_dir: Path | None = None) -> str:
    """Return the opportunities, then the threats, each with its finding and its evidence."""
    parts: list[str] = []
    for kind, title in ((OPPORTUNITY, "Opportunités"), (THREAT, "Menaces")):
        chosen = [f for f in factors if f.type == kind]
        parts.append(f"**{title}** ({nombre(len(chosen))})")
        items = []
        for factor in chosen:
            lines = [
                f"- **{factor.id} — {escape_markdown(factor.libelle)}.** "
                f"{escape_markdown(factor.constat)}"
            ]
            lines += [f"  - {p.text}" for p in factor.preuves]
            items.append("\n".join(lines))
        parts.append("\n".join(items))
    tables_cited = sorted({p.resource for f in factors for p in f.preuves if p.resource})
    parts.append(f"Source{NBSP}: {escape_markdown(external_source(tables_cited, data_dir))}")
    return "\n\n".join(parts) + "\n"


def external_source(tables_cited: Iterable[str], data_dir: Path | None = None) -> str:
    """Return the source line of the external factors: diagnostic sections, cited publishers.

    After the diagnostic's sections come the publishers that the source document itself cites
    for the tables read (DIRECCTE, INSEE). The tables' other sources are the same document
    (already named) or reference packages that give codes, not the values shown.
    """
    sources = list(sources_of("swot_externe", data_dir))
    for name in tables_cited:
        sources += [s for s in sources_of(name, data_dir) if "cité" in str(s.get("title", ""))]
    return source_text(sources)


# --- the matrix (a Pandoc grid table: lists inside cells) ------------------------------------


def theme_summary(atelier: pd.DataFrame, categorie: str) -> pd.DataFrame:
    """Return (domaine, theme, elements_nombre) for one category; unthemed items have no theme."""
    rows = []
    for domaine in domains(atelier):
        for theme, items in grouped_items(atelier, domaine, categorie):
            rows.append({"domaine": domaine, "theme": theme, "elements_nombre": len(items)})
    return pd.DataFrame(rows, columns=["domaine", "theme", "elements_nombre"])


def internal_quadrant(atelier: pd.DataFrame, categorie: str) -> list[str]:
    """Return one line per domain: its themes with their item counts."""
    summary = theme_summary(atelier, categorie)
    lines = []
    for domaine, group in summary.groupby("domaine", sort=False):
        themes = [
            f"{escape_markdown(t)} ({nombre(n)})"
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

    def quadrant(title: str, categorie: str) -> list[str]:
        n = int((atelier["categorie"] == categorie).sum())
        heading = (
            f"**{title}** — internes, atelier des salariés ({_count(n, 'élément', 'éléments')})"
        )
        return _cell_lines(heading, internal_quadrant(atelier, categorie), link_workshop, width)

    def external(title: str, kind: str) -> list[str]:
        chosen = [f for f in factors if f.type == kind]
        bullets = [f"{f.id} {escape_markdown(f.libelle)}" for f in chosen]
        heading = f"**{title}** — externes, diagnostic du territoire ({nombre(len(chosen))})"
        return _cell_lines(heading, bullets, link_external, width)

    rows = [
        [quadrant("Forces", STRENGTH), quadrant("Faiblesses", WEAKNESS)],
        [external("Opportunités", OPPORTUNITY), external("Menaces", THREAT)],
    ]
    return grid_table(["Favorable", "Défavorable"], rows, [width, width])


def show_matrix(
    atelier: pd.DataFrame, factors: Sequence[Factor], data_dir: Path | None = None
) -> None:
    """Display the matrix as one table output (grid table, caption, source line)."""
    title = "Matrice forces, faiblesses, opportunités, menaces"
    source = source_line(["atelier_forces_faiblesses", "swot_externe"], data_dir)
    note = (
        "Forces et faiblesses : thèmes de l'atelier, avec leur nombre d'éléments. Opportunités "
        "et menaces : lecture du projet du diagnostic de la partie 3."
    )
    show_markdown_table(matrix_markdown(atelier, factors), title=title, source=source, note=note)


def show_markdown_table(table: str, *, title: str, source: str, note: str | None = None) -> None:
    """Display a ready-made Markdown table with its caption, note and source, as ``tables.show``."""
    from IPython.display import display

    label = f"tbl-{slug(title)}"
    parts = [table, f": {escape_markdown(title)} {{#{label}}}"]
    if note:
        parts.append(f"Note{NBSP}: {escape_markdown(note)}")
    parts.append(f"Source{NBSP}: {escape_markdown(source)}")
    text = "\n\n".join(parts) + "\n"
    meta = {"kind": "table", "title": title, "source": source, "label": label}
    if note:
        meta["note"] = note
    display({"text/markdown": text, "text/plain": text}, raw=True, metadata={"pa": meta})


# --- coverage of the weaknesses and threats by the fiches-action -----------------------------


def weakness_units(atelier: pd.DataFrame) -> pd.DataFrame:
    """Return the units the coverage counts: each theme of points à améliorer, each unthemed item.

    Columns: unite (key), domaine, theme (None for an item), libelle, elements (ids).
    """
    weak = atelier[atelier["categorie"] == WEAKNESS].sort_values("ordre")
    rows: dict[str, dict[str, Any]] = {}
    for row in weak.itertuples():
        if is_missing(row.theme):
            rows[str(row.id)] = {
                "unite": str(row.id),
                "domaine": row.domaine,
                "theme": None,
                "libelle": str(row.element),
                "elements": [str(row.id)],
            }
            continue
        key = theme_key(row.domaine, row.theme)
        unit = rows.setdefault(
            key,
            {
                "unite": key,
                "domaine": row.domaine,
                "theme": str(row.theme),
                "libelle": str(row.theme),
                "elements": [],
            },
        )
        unit["elements"].append(str(row.id))
    return pd.DataFrame(
        list(rows.values()), columns=["unite", "domaine", "theme", "libelle", "elements"]
    )


def theme_key(domaine: str, theme: str) -> str:
    """Return the key of a workshop theme (themes repeat across domains: « Equipe », « Outils »)."""
    return f"{domaine} / {theme}"


def link_unit(link: Mapping[str, Any]) -> str:
    """Return the unit a correspondence link points at."""
    if "element" in link:
        return str(link["element"])
    return theme_key(str(link["domaine"]), str(link["theme"]))


def _flatten(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [t for k, v in value.items() if k != "note_transcription" for t in _flatten(v)]
    if isinstance(value, list):
        return [t for v in value for t in _flatten(v)]
    return [str(value)]


def fiche_text(fiche: Mapping[str, Any], champ: str) -> str:
    """Return the source text of one part of a fiche, one-spaced (transcription notes excluded)."""
    return _same_text(" ".join(_flatten(fiche.get(champ))))


def check_correspondances(
    document: Mapping[str, Any],
    fiches: Sequence[Mapping[str, Any]],
    atelier: pd.DataFrame,
    threats: Iterable[str],
) -> list[str]:
    """Return every inconsistency of the mapping with the data (empty list when it holds)."""
    problems: list[str] = []
    by_id = {f["id"]: f for f in fiches}
    units = weakness_units(atelier).set_index("unite")
    threats = set(threats)
    seen: set[str] = set()
    for entry in document["correspondances"]:
        fiche = by_id.get(entry["fiche"])
        if fiche is None:
            problems.append(f"fiche inconnue : « {entry['fiche']} »")
            continue
        if entry["fiche"] in seen:
            problems.append(f"fiche « {entry['fiche']} » décrite deux fois")
        seen.add(entry["fiche"])
        for link in [*entry.get("faiblesses", []), *entry.get("menaces", [])]:
            where = f"fiche « {entry['fiche']} »"
            if "menace" in link:
                if link["menace"] not in threats:
                    problems.append(f"{where} : menace inconnue « {link['menace']} »")
            else:
                unit = link_unit(link)
                if unit not in units.index:
                    problems.append(f"{where} : point à améliorer inconnu « {unit} »")
                else:
                    outside = set(link.get("elements", [])) - set(units.loc[unit, "elements"])
                    if outside:
                        problems.append(
                            f"{where} : éléments hors du thème « {unit} » : {sorted(outside)}"
                        )
            if _same_text(link["citation"]) not in fiche_text(fiche, link["champ"]):
                field = link["champ"]
                problems.append(
                    f"{where} : citation absente du champ « {field} » : « {link['citation']} »"
                )
    return problems


def coverage_links(
    document: Mapping[str, Any],
    fiches: Sequence[Mapping[str, Any]],
    atelier: pd.DataFrame,
    factors: Sequence[Factor],
) -> pd.DataFrame:
    """Return one row per link (fiche → point à améliorer or threat), after checking the mapping."""
    threats = {f.id: f for f in factors if f.type == THREAT}
    problems = check_correspondances(document, fiches, atelier, threats)
    if problems:
        raise ValueError(
            "Correspondances incohérentes avec les données :\n- " + "\n- ".join(problems)
        )
    units = weakness_units(atelier).set_index("unite")
    by_id = {f["id"]: f for f in fiches}
    labels = dict(zip(atelier["id"], atelier["element"], strict=True))
    rows = []
    for entry in document["correspondances"]:
        fiche = by_id[entry["fiche"]]
        for link in entry.get("faiblesses", []):
            unit = link_unit(link)
            named = list(link.get("elements", []))
            # No « elements »: the whole theme; a list: those items; an empty list: the
            # theme's wording only, none of its items (recorded as such, counted as such).
            if "element" in link or "elements" not in link:
                scope, reached = "tout", list(units.loc[unit, "elements"])
            else:
                scope, reached = ("en partie" if named else "libellé"), named
            rows.append(
                {
                    "fiche": fiche["id"],
                    "numero": fiche["numero"],
                    "type": WEAKNESS,
                    "unite": unit,
                    "domaine": units.loc[unit, "domaine"],
                    "libelle": units.loc[unit, "libelle"],
                    "portee": scope,
                    "elements": reached,
                    "elements_libelles": [str(labels[i]) for i in named],
                    "citation": _same_text(link["citation"]),
                    "champ": link["champ"],
                    "remarque": link.get("remarque"),
                }
            )
        for link in entry.get("menaces", []):
            threat = threats[link["menace"]]
            rows.append(
                {
                    "fiche": fiche["id"],
                    "numero": fiche["numero"],
                    "type": THREAT,
                    "unite": threat.id,
                    "domaine": None,
                    "libelle": threat.libelle,
                    "portee": "tout",
                    "elements": [],
                    "elements_libelles": [],
                    "citation": _same_text(link["citation"]),
                    "champ": link["champ"],
                    "remarque": link.get("remarque"),
                }
            )
    return pd.DataFrame(rows)


SCOPE_TABLE = {"tout": "", "en partie": " (en partie)", "libellé": " (libellé du thème)"}


def _unit_text(row: Mapping[str, Any], named: bool = True) -> str:
    """Return a targeted point for the details (domain, items named) or for the table (short).

    The table's cells stay short so that its rows fit a printed page: a threat is its id, a
    point à améliorer its label, then « en partie » when only some items of the theme are
    targeted and « libellé du thème » when only the theme's wording is.
    """
    if row["type"] == THREAT:
        return (
            str(row["unite"]) if not named else f"{row['unite']} {escape_markdown(row['libelle'])}"
        )
    if not named:
        return escape_markdown(row["libelle"]) + SCOPE_TABLE[row["portee"]]
    text = f"{escape_markdown(row['libelle'])} ({escape_markdown(row['domaine'])})"
    if row["portee"] == "en partie":
        items = ", ".join(f"«{NBSP}{escape_markdown(e)}{NBSP}»" for e in row["elements_libelles"])
        text += f"{NBSP}: {items}"
    elif row["portee"] == "libellé":
        text += f"{NBSP}: le libellé du thème, aucun de ses éléments"
    return text


def coverage_table(links: pd.DataFrame, fiches: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return one row per fiche (source order): the points à améliorer and threats it targets."""
    rows = []
    for fiche in sorted(fiches, key=lambda f: f["numero"]):
        mine = links[links["fiche"] == fiche["id"]] if not links.empty else links
        weak = [_unit_text(r, named=False) for _, r in mine.iterrows() if r["type"] == WEAKNESS]
        threat = [_unit_text(r, named=False) for _, r in mine.iterrows() if r["type"] == THREAT]
        rows.append(
            {
                "N°": fiche["numero"],
                "Fiche-action": f"[{escape_markdown(fiche['titre'])}](#fiche-{fiche['id']})",
                "Points à améliorer visés": " ; ".join(weak) or "—",
                "Menaces visées": ", ".join(threat) or "—",
            }
        )
    return pd.DataFrame(rows)


def general_objectives(fiches: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the general objectives the fiches belong to (« OG1 », « OG2 »), in order."""
    ids = {str(f["objectif_operationnel"]).split("-")[0] for f in fiches}
    return sorted(ids, key=lambda i: int(i[2:]))


def show_coverage_tables(
    links: pd.DataFrame, fiches: Sequence[Mapping[str, Any]], data_dir: Path | None = None
) -> None:
    """Display the coverage (fiche → points and threats targeted), one table per general objective.

    One table of 18 tall rows would not fit a printed page.
    """
    from projet_associatif.present import tables

    for general in general_objectives(fiches):
        mine = [f for f in fiches if str(f["objectif_operationnel"]).startswith(f"{general}-")]
        frame = coverage_table(links, mine)
        trusted = {c: str for c in frame.columns if c != "N°"}  # cells: escaped Markdown already
        tables.show(
            frame,
            title=(
                "Points à améliorer et menaces visés par les fiches-action de l'objectif "
                f"général {general[2:]}"
            ),
            source=source_line(["correspondances", "fiches_action"], data_dir),
            formats={"N°": "nombre", **trusted},
            note=(
                "Lecture du projet : la source ne relie pas les fiches aux faiblesses. Un point "
                "visé n'est pas un point résolu. « En partie » : la fiche ne vise que certains "
                "éléments du thème ; « libellé du thème » : elle vise ce que nomme le thème, "
                "aucun de ses éléments. Menaces : identifiants de la matrice. Domaines, éléments "
                "et citations : détail plus bas."
            ),
        )


def uncovered_units(atelier: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Return the points à améliorer (themes, unthemed items) that no fiche targets."""
    units = weakness_units(atelier)
    covered = set(links.loc[links["type"] == WEAKNESS, "unite"]) if not links.empty else set()
    return units[~units["unite"].isin(covered)].reset_index(drop=True)


def uncovered_items(atelier: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Return the items no link reaches: those of untargeted units, and those a link leaves out."""
    reached = (
        {i for ids in links.loc[links["type"] == WEAKNESS, "elements"] for i in ids}
        if not links.empty
        else set()
    )
    weak = atelier[atelier["categorie"] == WEAKNESS]
    return weak[~weak["id"].isin(reached)].sort_values("ordre").reset_index(drop=True)


def uncovered_threats(factors: Sequence[Factor], links: pd.DataFrame) -> list[Factor]:
    """Return the threats that no fiche targets."""
    covered = set(links.loc[links["type"] == THREAT, "unite"]) if not links.empty else set()
    return [f for f in factors if f.type == THREAT and f.id not in covered]


def coverage_sentence(atelier: pd.DataFrame, links: pd.DataFrame, factors: Sequence[Factor]) -> str:
    """Return the counts of points à améliorer and threats that no fiche targets."""
    units = weakness_units(atelier)
    missing = uncovered_units(atelier, links)
    items = atelier[atelier["categorie"] == WEAKNESS]
    loose_items = uncovered_items(atelier, links)
    threats = [f for f in factors if f.type == THREAT]
    lonely = uncovered_threats(factors, links)
    return (
        f"Sur {_count(len(units), 'point à améliorer', 'points à améliorer')} "
        f"(les thèmes de l'atelier, et un par un les éléments du public, qui n'ont pas de thème), "
        f"{nombre(len(units) - len(missing))} sont visés par au moins une fiche-action et "
        f"{nombre(len(missing))} ne le sont par aucune. Au niveau des éléments, "
        f"{nombre(len(loose_items))} des {nombre(len(items))} éléments notés ne sont visés par "
        f"aucune fiche. Sur {_count(len(threats), 'menace', 'menaces')} tirées du diagnostic, "
        f"{nombre(len(lonely))} ne sont visées par aucune fiche."
    )


def uncovered_markdown(atelier: pd.DataFrame, links: pd.DataFrame) -> str:
    """Return the untargeted points à améliorer, domain by domain, as a plain list."""
    missing = uncovered_units(atelier, links)
    if missing.empty:
        return "Chaque point à améliorer est visé par au moins une fiche-action.\n"
    lines = []
    for domaine, group in missing.groupby("domaine", sort=False):
        lines.append(f"- **{escape_markdown(domaine)}**")
        for row in group.itertuples():
            if is_missing(row.theme):
                lines.append(f"  - {escape_markdown(row.libelle)} (élément sans thème)")
            else:
                n = _count(len(row.elements), "élément", "éléments")
                lines.append(f"  - {escape_markdown(row.libelle)} (thème, {n})")
    return "\n".join(lines) + "\n"


def uncovered_threats_markdown(factors: Sequence[Factor], links: pd.DataFrame) -> str:
    """Return the untargeted threats as a plain list."""
    lonely = uncovered_threats(factors, links)
    if not lonely:
        return "Chaque menace est visée par au moins une fiche-action.\n"
    return "\n".join(f"- {f.id} {escape_markdown(f.libelle)}" for f in lonely) + "\n"


def uncovered_counts(atelier: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Return, per domain, the points à améliorer and items noted and those no fiche targets."""
    units = weakness_units(atelier)
    missing = uncovered_units(atelier, links)
    items = atelier[atelier["categorie"] == WEAKNESS]
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


def show_uncovered_counts(
    atelier: pd.DataFrame, links: pd.DataFrame, data_dir: Path | None = None
) -> None:
    """Display the counts of untargeted points à améliorer, domain by domain."""
    from projet_associatif.present import tables

    tables.show(
        uncovered_counts(atelier, links),
        title="Points à améliorer qu'aucune fiche-action ne vise, par domaine",
        source=source_line(["atelier_forces_faiblesses", "correspondances"], data_dir),
        note=(
            "Point à améliorer : un thème de l'atelier, ou un élément sans thème (le public). "
            "Un élément est visé quand une fiche vise son thème sans restriction ou le nomme."
        ),
    )


def details_markdown(
    links: pd.DataFrame, fiches: Sequence[Mapping[str, Any]], data_dir: Path | None = None
) -> str:
    """Return, fiche by fiche, each link with the fiche's own words that justify it."""
    fields = {
        "titre": "intitulé",
        "objectif": "objectif",
        "resume": "résumé",
        "partenaires": "partenaires",
        "etapes": "démarche",
        "evaluation": "évaluation",
        "perspectives": "perspectives",
    }
    lines = []
    for fiche in sorted(fiches, key=lambda f: f["numero"]):
        mine = links[links["fiche"] == fiche["id"]]
        if mine.empty:
            continue
        lines.append(f"- **{fiche['numero']} — {escape_markdown(fiche['titre'])}**")
        for _, row in mine.iterrows():
            quote = f"«{NBSP}{escape_markdown(row['citation'])}{NBSP}» ({fields[row['champ']]})"
            text = f"  - {_unit_text(row)} — {quote}"
            if not is_missing(row["remarque"]):
                text += f". *Remarque du projet{NBSP}: {escape_markdown(row['remarque'])}*"
            lines.append(text)
    lines.append("")
    source = source_line(["correspondances", "fiches_action"], data_dir)
    lines.append(f"Source{NBSP}: {escape_markdown(source)}")
    return "\n".join(lines) + "\n"
