"""Compare the figures of this edition's data with the previous edition's, row by row.

A next edition keeps a full copy of the previous edition's data package (``identite.yaml``:
``edition.precedente.donnees``). For every resource both packages describe, both files are
loaded through the one data door (:func:`~projet_associatif.data.package.load`) and their
rows paired on the Table Schema's ``primaryKey``. For each numeric field (``number`` or
``integer``) whose value is present in both rows, the pair (previous, current) is kept: a
changed figure, or one more unchanged. Rows of one edition only are *added* or *removed*.

What is not compared is listed with the reason, never dropped silently:

- YAML and JSON documents (values, strategy, evaluation framework, identity, outlines):
  they have no rows and no primary key to pair, and their figures are prose or structure;
- CSV resources without a ``primaryKey``: rows could only be paired by position, which
  pairs wrong rows as soon as one is added;
- resources with no numeric field besides their key and positional columns;
- resources described by one edition only, or still « à compléter » in either;
- resources whose previous data no longer pass validation (rules written after that edition):
  the first problem is named. This edition's own data are checked as always (errors raise).

Positional columns (the source's ``ordre``, ``page``, ``*_ordre``) and coordinates
(``latitude*``, ``longitude*``) say where a row sits, not a figure of the territory: they
are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.config.identity import identity
from projet_associatif.core.errors import DataError, MissingData, relative
from projet_associatif.core.formatting import is_missing
from projet_associatif.data.completeness import is_present
from projet_associatif.data.descriptors import ResourceInfo
from projet_associatif.data.package import UnknownResource, discover, load

#: Table Schema types whose values are figures.
NUMERIC_TYPES = frozenset({"number", "integer"})
#: Columns that place a row in the source rather than state a figure.
POSITIONAL_FIELDS = frozenset({"ordre", "page"})
POSITIONAL_SUFFIXES = ("_ordre",)
POSITIONAL_PREFIXES = ("latitude", "longitude")
#: Columns that name a row for readers, by preference (the key alone names it otherwise).
LABEL_FIELDS = ("libelle", "nom", "intitule", "titre")
#: A column of this name gives the unit of the row's figures (e.g. ``chiffres_cles``).
ROW_UNIT_FIELD = "unite"
#: Units read from a column's name suffix (data/README.md conventions) or a row's ``unite``.
SUFFIX_UNITS = {"_pct": "pct", "_eur": "eur", "_points": "points"}
ROW_UNITS = {"pct": "pct", "%": "pct", "eur": "eur", "€": "eur", "annees": "annees"}


@dataclass(frozen=True)
class Row:
    """A row of one edition: its primary key's values as text, and its label if it has one."""

    key: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class FigureChange:
    """One figure whose value differs between the two editions."""

    row: Row
    field: str
    field_title: str
    previous: float | int
    current: float | int
    #: ``pct``, ``eur``, ``points``, ``annees`` or ``None`` (a plain number).
    unit: str | None


@dataclass(frozen=True)
class ResourceChanges:
    """What changed in one resource described by both editions."""

    name: str
    title: str
    file: str
    key_fields: tuple[str, ...]
    changed: list[FigureChange] = field(default_factory=list)
    unchanged: int = 0
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        """Return whether a figure changed or a row was added or removed."""
        return bool(self.changed or self.added or self.removed)


@dataclass(frozen=True)
class NotCompared:
    """A resource left out of the comparison, and why (in French, for readers)."""

    name: str
    title: str
    reason: str


@dataclass(frozen=True)
class EditionChanges:
    """The comparison of two editions' data packages."""

    previous_year: int
    current_year: int
    resources: list[ResourceChanges]
    not_compared: list[NotCompared]


@dataclass(frozen=True)
class PreviousTable:
    """One table of the previous edition, to show its values beside this edition's."""

    year: int
    table: pd.DataFrame


def previous_table(name: str, data_dir: Path | None = None) -> PreviousTable | None:
    """Return the previous edition's table ``name``, or None when there is none to show.

    None also when the previous edition lacks it, left it « à compléter » or holds data that
    no longer validate: the chapter « Ce qui a changé » lists those cases with their reason.
    """
    me = identity(data_dir)
    if me.previous is None:
        return None
    try:
        table = _load(name, me.previous.data_dir)
    except (DataError, UnknownResource):
        return None
    return None if table is None else PreviousTable(me.previous.year, table)


def edition_changes(data_dir: Path | None = None) -> EditionChanges | None:
    """Return the comparison with the previous edition that identite.yaml names, or None."""
    me = identity(data_dir)
    if me.previous is None:
        return None
    return compare_editions(me.previous.data_dir, data_dir, me.previous.year, me.edition_year)


def compare_editions(
    previous_dir: Path, current_dir: Path | None, previous_year: int, current_year: int
) -> EditionChanges:
    """Compare every resource of two data packages (see the module's docstring)."""
    if not Path(previous_dir).is_dir():
        raise MissingData(previous_dir, f"les données de l'édition {previous_year} (identite.yaml)")
    before, after = discover(previous_dir), discover(current_dir)
    compared: list[ResourceChanges] = []
    skipped: list[NotCompared] = []
    # The current edition's order (by folder), then what only the previous one had.
    for name in [*after, *(n for n in before if n not in after)]:
        title = _title(before, after, name)
        if name not in after:
            skipped.append(NotCompared(name, title, f"absente de l'édition {current_year}"))
            continue
        if name not in before:
            skipped.append(NotCompared(name, title, f"absente de l'édition {previous_year}"))
            continue
        reason = _why_not_comparable(before[name], after[name])
        if reason:
            skipped.append(NotCompared(name, title, reason))
            continue
        try:
            old = _load(name, previous_dir)
        except DataError as error:
            # Data validated by an earlier version of the rules: say so, compare the rest.
            first = error.problems[0] if error.problems else error
            reason = f"les données de l'édition {previous_year} ne sont plus valides ({first})"
            skipped.append(NotCompared(name, title, reason))
            continue
        new = _load(name, current_dir)
        if old is None or new is None:
            year = previous_year if old is None else current_year
            skipped.append(NotCompared(name, title, f"à compléter dans l'édition {year}"))
            continue
        compared.append(_compare(after[name], old, new))
    return EditionChanges(previous_year, current_year, compared, skipped)


def _title(before: dict[str, ResourceInfo], after: dict[str, ResourceInfo], name: str) -> str:
    info = after.get(name) or before[name]
    return str(info.descriptor.get("title") or name)


def _why_not_comparable(old: ResourceInfo, new: ResourceInfo) -> str | None:
    """Return why two descriptors cannot be compared row by row, or None when they can."""
    if new.format != "csv" or old.format != "csv":
        return "document YAML ou JSON, sans lignes à apparier"
    key = _key(new)
    if not key:
        return "pas de clé primaire (primaryKey) pour apparier les lignes"
    if _key(old) != key:
        return "clé primaire différente d'une édition à l'autre"
    if not _figure_fields(new):
        return "aucun chiffre à comparer"
    return None


def _key(info: ResourceInfo) -> tuple[str, ...]:
    key = info.descriptor.get("schema", {}).get("primaryKey") or []
    return (key,) if isinstance(key, str) else tuple(key)


def _positional(name: str) -> bool:
    return (
        name in POSITIONAL_FIELDS
        or name.endswith(POSITIONAL_SUFFIXES)
        or name.startswith(POSITIONAL_PREFIXES)
    )


def _figure_fields(info: ResourceInfo) -> list[dict[str, Any]]:
    """Return the schema fields holding figures: numeric, neither key nor positional."""
    key = set(_key(info))
    return [
        f
        for f in info.fields
        if f.get("type") in NUMERIC_TYPES and f["name"] not in key and not _positional(f["name"])
    ]


def _load(name: str, data_dir: Path | None) -> pd.DataFrame | None:
    """Return the typed table, or None when it is still « à compléter »."""
    try:
        table = load(name, data_dir)
    except MissingData:
        return None
    return table if is_present(table) else None


def _compare(info: ResourceInfo, old: pd.DataFrame, new: pd.DataFrame) -> ResourceChanges:
    """Pair the rows of both editions on the key and compare their figures."""
    key = _key(info)
    fields = [f for f in _figure_fields(info) if f["name"] in old.columns]
    label_field = next((n for n in LABEL_FIELDS if n in new.columns and n not in key), None)
    rows_before = _rows(old, key, label_field)
    rows_after = _rows(new, key, label_field)
    result = ResourceChanges(
        name=info.name,
        title=str(info.descriptor.get("title") or info.name),
        file=relative(info.path),
        key_fields=key,
    )
    unchanged = 0
    for row_key, (row, values) in rows_after.items():
        if row_key not in rows_before:
            result.added.append(row)
            continue
        previous = rows_before[row_key][1]
        for spec in fields:
            name = spec["name"]
            was, now = previous.get(name), values.get(name)
            if is_missing(was) or is_missing(now):
                continue
            if _same(was, now):
                unchanged += 1
                continue
            result.changed.append(
                FigureChange(
                    row=row,
                    field=name,
                    field_title=str(spec.get("title") or name),
                    previous=_plain(was),
                    current=_plain(now),
                    unit=_unit(name, values.get(ROW_UNIT_FIELD)),
                )
            )
    result.removed.extend(row for k, (row, _) in rows_before.items() if k not in rows_after)
    return replace(result, unchanged=unchanged)


def _rows(
    table: pd.DataFrame, key: tuple[str, ...], label_field: str | None
) -> dict[tuple[str, ...], tuple[Row, dict[str, Any]]]:
    """Return the rows of a table by the text of their key, in file order."""
    rows = {}
    for record in table.to_dict(orient="records"):
        values = tuple(_key_text(record.get(k)) for k in key)
        label = record.get(label_field) if label_field else None
        rows[values] = (Row(values, "" if is_missing(label) else str(label)), record)
    return rows


def _key_text(value: Any) -> str:
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _same(a: Any, b: Any) -> bool:
    return float(a) == float(b)


def _plain(value: Any) -> float | int:
    """Return a numpy or pandas scalar as a Python number (formatting takes those)."""
    number = value.item() if hasattr(value, "item") else value
    return int(number) if isinstance(number, bool) else number


def _unit(field_name: str, row_unit: Any) -> str | None:
    """Return the unit of a figure: the row's ``unite`` column, else the column's suffix."""
    if not is_missing(row_unit) and row_unit is not None:
        return ROW_UNITS.get(str(row_unit).strip())
    for suffix, unit in SUFFIX_UNITS.items():
        if field_name.endswith(suffix):
            return unit
    return None
