"""Merge the workbooks of several coordinators into one, never overwriting a value silently.

Each fiche-action has a coordinator (« Qui coordonne ») who may fill a workbook for their
own fiches (``suivi modele --fiche N``). :func:`merge` reads every input (each is validated
first, with the usual sheet/row/column errors), puts their rows together and writes one
workbook. The same row given twice with the same values counts once; the same key with two
different values (an indicator measured twice at one date, a step with two dates, a target
set twice…) is a conflict: nothing is written and each conflict names both sides — file,
sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projet_associatif.core.dates import to_date
from projet_associatif.core.errors import DataError, Problem
from projet_associatif.suivi.cells import is_blank, normalise, parse_date, parse_number
from projet_associatif.suivi.reader import read_raw, read_suivi, skipped, validate_table
from projet_associatif.suivi.referentiel import Referentiel, load_referentiel
from projet_associatif.suivi.schema import FieldType, sheet_schemas
from projet_associatif.suivi.template import FICTIONAL_BANNER, build_workbook


@dataclass(frozen=True)
class Origin:
    """Where a value was read: file, sheet (None for CSV), row."""

    file: str
    sheet: str | None
    row: int

    def where(self, column: str) -> str:
        """Return « fichier, feuille « X », ligne N, colonne « c » »."""
        sheet = f", feuille « {self.sheet} »" if self.sheet else ""
        return f"{self.file}{sheet}, ligne {self.row}, colonne « {column} »"


@dataclass
class MergedRow:
    """One row of the merged workbook: its values and where each was first read."""

    values: dict[str, Any]
    origin: Origin


def _value(kind: str, column: str, raw: Any, from_csv: bool) -> Any:
    """Return a comparable value of a raw cell (dates as dates, numbers as floats)."""
    if is_blank(raw):
        return None
    kind_of = sheet_schemas()[kind].field(column).type
    if kind_of == FieldType.DATE:
        return parse_date(raw)
    if kind_of in (FieldType.NUMBER, FieldType.ANY):
        number = parse_number(raw, from_csv=from_csv)
        return number if number is not None else str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def _rows(
    path: Path, ref: Referentiel, as_of: dt.date
) -> tuple[dict[str, list[MergedRow]], bool, list[Problem]]:
    """Return the non-blank rows of every sheet of one input, with their origin.

    The input is checked by the reader's own rules (as :func:`read_suivi` does), from the
    same raw rows: a workbook is read once.
    """
    try:
        raw = read_raw(path)
    except DataError as error:  # missing file, other format: listed with the other inputs'
        return {}, False, error.problems
    problems = list(raw.problems)
    for table in raw.tables.values():
        problems += validate_table(table, ref, as_of)[1]
    out: dict[str, list[MergedRow]] = {}
    for kind, table in raw.tables.items():
        # Informative columns (the step reminder pre-filled by the template) are not compared.
        names = [f.name for f in table.schema.fields if not f.informative]
        rows = []
        for number, cells in table.rows:
            if skipped(table, cells):
                continue  # a pre-filled step nobody dated
            values = {
                name: _value(
                    kind, name, cells[name].value if name in cells else None, table.sheet is None
                )
                for name in names
            }
            if kind == "mesures" and values.get("date") is None:
                values["date"] = values.get("periode_fin")  # the period's end dates it
            if all(v is None for v in values.values()):
                continue
            rows.append(MergedRow(values, Origin(table.file, table.sheet, number)))
        out[kind] = rows
    return out, raw.fictional or any(t.fictional for t in raw.tables.values()), problems


def _key(kind: str, values: dict[str, Any]) -> tuple[Any, ...]:
    # A recommendation's text is compared leniently (case, accents, spaces), as the reader does.
    return tuple(
        normalise(values[k]) if k == "preconisation" and values[k] else values[k]
        for k in sheet_schemas()[kind].primary_key
    )


def _show(value: Any) -> str:
    if value is None:
        return "vide"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"« {value} »"


def _conflicts(kind: str, first: MergedRow, second: MergedRow) -> list[Problem]:
    """Return one problem per column where two rows with the same key disagree."""
    found = []
    key = sheet_schemas()[kind].primary_key
    label = " + ".join(f"{k} {_show(first.values[k])}" for k in key)
    for column, value in first.values.items():
        other = second.values.get(column)
        if column in key or value == other:
            continue
        if kind == "jalons" and (value is None or other is None):
            continue  # one coordinator dated a step the other left blank: no conflict
        found.append(
            Problem(
                second.origin.file,
                f"conflit sur « {sheet_schemas()[kind].sheet} » ({label}) : {_show(value)} dans "
                f"{first.origin.where(column)}, mais {_show(other)} dans "
                f"{second.origin.where(column)}. Corrigez l'un des deux classeurs.",
                row=second.origin.row,
                column=column,
                sheet=second.origin.sheet,
                rule="pas de valeur écrasée",
            )
        )
    return found


@dataclass
class MergeResult:
    """What :func:`merge` wrote: the output, the rows per sheet name, whether it is fictional."""

    output: Path
    rows: dict[str, int]
    fictional: bool


def merge(
    inputs: Sequence[Path | str],
    output: Path | str,
    *,
    data_dir: Path | None = None,
    as_of: dt.date | str | None = None,
) -> MergeResult:
    """Merge measurement workbooks (or CSV directories) into one workbook.

    Every input is validated first (the rules of :func:`~projet_associatif.suivi.reader.read_suivi`,
    every problem of every input listed at once); then rows
    are combined sheet by sheet. Raise :class:`DataError` listing every conflict (both
    sides located) and write nothing in that case.
    """
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise DataError(
            [
                Problem(
                    str(output), "le classeur fusionné doit avoir l'extension .xlsx", rule=".xlsx"
                )
            ]
        )
    if len(inputs) < 2:
        raise DataError(
            [Problem(str(output), "donnez au moins deux classeurs à fusionner", rule="entrées")]
        )
    ref = load_referentiel(data_dir)
    closing = to_date(as_of) or dt.date.today()
    problems: list[Problem] = []
    read = []
    for path in inputs:
        rows, is_fictional, found = _rows(Path(path), ref, closing)
        problems += found
        read.append((rows, is_fictional))
    if problems:
        raise DataError(problems)
    merged: dict[str, dict[tuple[Any, ...], MergedRow]] = {kind: {} for kind in sheet_schemas()}
    fictional = False
    for rows, is_fictional in read:
        fictional = fictional or is_fictional
        for kind, kind_rows in rows.items():
            for row in kind_rows:
                key = _key(kind, row.values)
                kept = merged[kind].get(key)
                if kept is None:
                    merged[kind][key] = row
                    continue
                problems += _conflicts(kind, kept, row)
                if kind == "jalons":  # fill the dates one side left blank
                    for column, value in row.values.items():
                        if kept.values.get(column) is None:
                            kept.values[column] = value
    if problems:
        raise DataError(problems)
    workbook = _write(ref, merged, banner=FICTIONAL_BANNER if fictional else None)
    buffer = io.BytesIO()
    workbook.save(buffer)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Checked before it replaces anything: the merged workbook must read back cleanly.
    staging = output.with_name(f".fusion-{output.name}")
    staging.write_bytes(buffer.getvalue())
    try:
        read_suivi(staging, data_dir=data_dir, as_of=as_of)
    except DataError:
        staging.unlink()
        raise
    staging.replace(output)
    counts = {sheet_schemas()[kind].sheet: len(rows) for kind, rows in merged.items()}
    return MergeResult(output, counts, fictional)


def _write(
    ref: Referentiel, merged: dict[str, dict[tuple[Any, ...], MergedRow]], *, banner: str | None
) -> Any:
    """Return a template workbook filled with the merged rows."""
    wb = build_workbook(ref, banner=banner)
    first = 3 if banner else 2
    for kind, rows in merged.items():
        schema = sheet_schemas()[kind]
        ws = wb[schema.sheet]
        columns = {name: i for i, name in enumerate(schema.names, start=1)}
        if kind == "jalons":
            slots = {
                (ws.cell(r, 1).value, ws.cell(r, 2).value): r
                for r in range(first, ws.max_row + 1)
                if ws.cell(r, 1).value
            }
            for row in rows.values():
                r = slots[(row.values["fiche"], row.values["etape"])]
                for name, value in row.values.items():
                    if name in columns and name not in ("fiche", "etape") and value is not None:
                        ws.cell(r, columns[name], value)
            continue
        ordered = sorted(rows.values(), key=lambda row: _sort_key(kind, row.values))
        for r, row in enumerate(ordered, start=first):
            for name, value in row.values.items():
                if name in columns and value is not None:
                    if (
                        kind == "mesures"
                        and name == "date"
                        and row.values.get("periode_fin") == value
                    ):
                        continue  # keep the period form as it was given
                    ws.cell(r, columns[name], value)
    return wb


def _sort_key(kind: str, values: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(values.get(k) or "") for k in sheet_schemas()[kind].primary_key)
