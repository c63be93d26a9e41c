"""Chapter 4's external factors: the opportunities and threats of the diagnostic, with evidence.

The external factors (``swot_externe``) are the project's reading of the part 3 diagnostic.
Each one carries evidence: either a cell of a data table, read here so that the figure shown
is the data's (formatted the French way, with the unit the row or column names), or a
verbatim quotation of the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.analysis.swot_coverage import FactorKind, one_spaced
from projet_associatif.core.formatting import (
    MISSING,
    NBSP,
    euros,
    is_missing,
    number,
    percent,
    points,
)
from projet_associatif.core.markup import escape_markdown
from projet_associatif.data.package import load, resource, sources_of
from projet_associatif.present.blocks import Text
from projet_associatif.present.provenance import (
    ordinal_fr,
    source_markdown,
    source_text,
    vintage_fr,
)
from projet_associatif.present.tables import column_decimals

#: Columns that name a row for readers, in the order they are written (« Allier, 2018-T1 »).
LABEL_COLUMNS = ("territoire", "population", "niveau", "periode", "nom")
#: Units of ``chiffres_cles.unite`` written after the number.
UNIT_LABELS = {"km": "km", "min": "min", "hab_km2": "hab./km²", "annees": "ans"}


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
            return percent(value, digits)
        if unit == "eur":
            return euros(value)
        if unit == "rang":
            return ordinal_fr(int(value))
        if unit in UNIT_LABELS:
            return f"{number(value, digits)}{NBSP}{UNIT_LABELS[unit]}"
        return number(value, digits)
    signed = field.startswith("evolution") and float(value) > 0
    if field.endswith("_points"):
        return points(value, digits)
    if field.endswith("_pct"):
        text = percent(value, digits)
    elif field.endswith("_eur"):
        text = euros(value)
    else:
        text = number(value, digits)
    return f"+{text}" if signed else text


def format_cell(row: Mapping[str, Any], field: str) -> str:
    """Return one cell of a loaded table the French way, with the unit its name carries."""
    value = row[field]
    if is_missing(value):
        return MISSING
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
        quote = escape_markdown(one_spaced(preuve["citation"]))
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
    type: FactorKind
    libelle: str
    constat: str
    preuves: tuple[Evidence, ...]


def external_factors(document: Mapping[str, Any], data_dir: Path | None = None) -> list[Factor]:
    """Return the opportunities and threats of ``swot_externe`` with every proof resolved."""
    ids = [e["id"] for e in document["elements"]]
    doubles = sorted({i for i in ids if ids.count(i) > 1})
    if doubles:
        raise ValueError(f"Identifiants en double dans swot_externe : {', '.join(doubles)}")
    kinds = ", ".join(FactorKind)
    for e in document["elements"]:
        if e["type"] not in set(FactorKind):
            raise ValueError(
                f"swot_externe, « {e['id']} » : type « {e['type']} » inconnu ({kinds})."
            )
    cache: dict[str, pd.DataFrame] = {}
    return [
        Factor(
            id=e["id"],
            type=FactorKind(e["type"]),
            libelle=one_spaced(e["libelle"]),
            constat=one_spaced(e["constat"]),
            preuves=tuple(resolve_evidence(p, data_dir, cache) for p in e["preuves"]),
        )
        for e in document["elements"]
    ]


def external_factors_text(factors: Sequence[Factor], data_dir: Path | None = None) -> Text:
    """Return the opportunities, then the threats, each with its finding and its evidence."""
    parts: list[str] = []
    for kind, title in ((FactorKind.OPPORTUNITY, "Opportunités"), (FactorKind.THREAT, "Menaces")):
        chosen = [f for f in factors if f.type == kind]
        parts.append(f"**{title}** ({number(len(chosen))})")
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
    parts.append(source_markdown(external_sources(tables_cited, data_dir)))
    return Text("\n\n".join(parts) + "\n")


def external_sources(
    tables_cited: Iterable[str], data_dir: Path | None = None
) -> list[Mapping[str, Any]]:
    """Return the sources of the external factors: diagnostic sections, cited publishers.

    After the diagnostic's sections come the publishers that the source document itself cites
    for the tables read (DIRECCTE, INSEE). The tables' other sources are the same document
    (already named) or reference packages that give codes, not the values shown.
    """
    sources = list(sources_of("swot_externe", data_dir))
    for name in tables_cited:
        sources += [s for s in sources_of(name, data_dir) if "cité" in str(s.get("title", ""))]
    return sources


def external_source(tables_cited: Iterable[str], data_dir: Path | None = None) -> str:
    """Return the text after « Source : » of the external factors (see :func:`external_sources`)."""
    return source_text(external_sources(tables_cited, data_dir))
