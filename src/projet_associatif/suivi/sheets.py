"""Read the raw rows of a workbook (.xlsx) or of a directory of CSV files, sheet by sheet.

Nothing is typed here: each input sheet becomes a :class:`Table` of raw cells keyed by
header name, once the sheet names, the header row (below an optional « DONNÉES FICTIVES »
banner) and the column names have been checked against the sheets' schemas.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from projet_associatif.core.errors import DataError, Problem, relative
from projet_associatif.suivi.cells import (
    BLANK,
    Cell,
    is_blank,
    is_fictional_marker,
    normalise,
)
from projet_associatif.suivi.schema import SheetSchema, reference_sheets, sheet_schemas

#: Optional column of the CSV files marking every row of a fictional example.
FICTIONAL_COLUMN = "fictif"

#: File suffixes read as workbooks.
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass
class Table:
    """One sheet or CSV file, as raw rows keyed by header name."""

    schema: SheetSchema
    file: str
    sheet: str | None  # None for a CSV file
    header_row: int
    headers: list[str]
    rows: list[tuple[int, dict[str, Cell]]]
    fictional: bool = False


@dataclass
class RawInput:
    """The tables read from one workbook or CSV directory, and what was wrong with it."""

    tables: dict[str, Table]
    problems: list[Problem]
    fictional: bool


def read_tables(path: Path) -> RawInput:
    """Return the raw tables of a workbook or a CSV directory (the caller checks ``path``)."""
    return read_csv_dir(path) if path.is_dir() else read_workbook(path)


def read_workbook(path: Path) -> RawInput:
    """Return the raw tables of every input sheet of a workbook."""
    file = relative(path)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged file
        raise DataError(
            [Problem(file, f"classeur illisible : {exc}", rule="classeur .xlsx")]
        ) from exc
    schemas = sheet_schemas()
    problems: list[Problem] = []
    by_norm = {normalise(name): name for name in wb.sheetnames}
    known = {normalise(s.sheet) for s in schemas.values()} | {
        normalise(s) for s in reference_sheets()
    }
    fictional = False
    if "avertissement" in by_norm:
        ws = wb[by_norm["avertissement"]]
        fictional = any(
            is_fictional_marker(c) for row in ws.iter_rows(values_only=True) for c in row
        )
    for name in wb.sheetnames:
        if normalise(name) not in known:
            expected = ", ".join(f"« {s.sheet} »" for s in schemas.values())
            problems.append(
                Problem(
                    file,
                    f"feuille inconnue (renommée ?) : les feuilles attendues sont {expected}. "
                    "Redonnez-lui son nom ou supprimez-la.",
                    sheet=name,
                    rule="feuilles du modèle",
                )
            )
    tables: dict[str, Table] = {}
    for schema in schemas.values():
        name = by_norm.get(normalise(schema.sheet))
        if name is None:
            if not schema.optional:
                problems.append(
                    Problem(
                        file,
                        f"feuille « {schema.sheet} » absente (supprimée ou renommée ?)",
                        sheet=schema.sheet,
                        rule="feuilles du modèle",
                    )
                )
            continue
        ws = wb[name]
        grid = [
            [Cell(c.value, c.number_format or "General") for c in row]
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row)
        ]
        table, table_problems = table_from_grid(schema, file, name, grid)
        problems += table_problems
        if table is not None:
            tables[schema.kind] = table
    return RawInput(tables, problems, fictional)


def read_csv_dir(path: Path) -> RawInput:
    """Return the raw tables of every CSV file of a directory (one file per input sheet)."""
    schemas = sheet_schemas()
    problems: list[Problem] = []
    readme = [p for p in path.iterdir() if p.name.lower().startswith("readme")]
    fictional = any(
        is_fictional_marker(p.read_text(encoding="utf-8", errors="replace")) for p in readme
    )
    known = {s.csv for s in schemas.values()}
    for extra in sorted(p for p in path.glob("*.csv") if p.name not in known):
        problems.append(
            Problem(
                relative(extra),
                "fichier CSV inconnu (renommé ?) : les fichiers attendus sont "
                + ", ".join(sorted(known)),
                rule="fichiers du suivi",
            )
        )
    tables: dict[str, Table] = {}
    for schema in schemas.values():
        csv_path = path / schema.csv
        file = relative(csv_path)
        if not csv_path.is_file():
            if not schema.optional:
                problems.append(Problem(file, "fichier absent", rule="fichiers du suivi"))
            continue
        raw = csv_path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(
                Problem(
                    file,
                    "le fichier n'est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 »",
                    rule="encodage UTF-8",
                )
            )
            continue
        lines = list(csv.reader(text.splitlines()))
        if lines and ";" in ",".join(lines[0]) and len(lines[0]) == 1:
            problems.append(
                Problem(
                    file,
                    "séparateur point-virgule détecté : le suivi attend des virgules "
                    "(« CSV UTF-8 (délimité par des virgules) »)",
                    row=1,
                    rule="séparateur virgule",
                )
            )
            continue
        grid = [[Cell(v if v.strip() != "" else None) for v in line] for line in lines]
        table, table_problems = table_from_grid(schema, file, None, grid)
        problems += table_problems
        if table is not None:
            tables[schema.kind] = table
    return RawInput(tables, problems, fictional)


def table_from_grid(
    schema: SheetSchema, file: str, sheet: str | None, grid: list[list[Cell]]
) -> tuple[Table | None, list[Problem]]:
    """Find the header row (below an optional banner) and key every data row by header."""
    expected = set(schema.header_names)
    header_index = None
    fictional = False
    for i, row in enumerate(grid[:10]):
        values = {normalise(c.value) for c in row if c.value is not None}
        if len(values & expected) >= max(1, len(expected) // 2):
            header_index = i
            break
        fictional = fictional or any(is_fictional_marker(c.value) for c in row)
    if header_index is None:
        return None, [
            Problem(
                file,
                "ligne d'en-tête introuvable : la première ligne doit porter les noms de "
                f"colonnes ({', '.join(schema.names)})",
                row=1,
                sheet=sheet,
                rule="en-têtes",
            )
        ]
    header_row = header_index + 1
    headers = [normalise(c.value) if c.value is not None else "" for c in grid[header_index]]
    while headers and headers[-1] == "":
        headers.pop()
    problems = _header_problems(schema, file, sheet, header_row, headers, grid[header_index])
    if problems:
        return None, problems
    rows = []
    for offset, row in enumerate(grid[header_index + 1 :], start=header_row + 1):
        cells = {name: row[i] if i < len(row) else BLANK for i, name in enumerate(headers) if name}
        if FICTIONAL_COLUMN in cells:
            flag = cells.pop(FICTIONAL_COLUMN).value
            fictional = fictional or (
                not is_blank(flag) and normalise(flag) not in {"non", "false", "0"}
            )
        if all(is_blank(c.value) for c in cells.values()):
            continue
        rows.append((offset, cells))
    return Table(schema, file, sheet, header_row, headers, rows, fictional), []


def _header_problems(
    schema: SheetSchema,
    file: str,
    sheet: str | None,
    header_row: int,
    headers: list[str],
    raw: list[Cell],
) -> list[Problem]:
    """Return one problem per missing, duplicate or unknown column of a header."""

    def problem(column: str, message: str) -> Problem:
        return Problem(file, message, row=header_row, column=column, sheet=sheet, rule="en-têtes")

    problems = [
        problem(name, "colonne absente de l'en-tête (renommée ou supprimée ?)")
        for name in schema.header_names
        if name not in headers
    ]
    allowed = set(schema.names) | {FICTIONAL_COLUMN}
    for index, name in enumerate(headers):
        if name == "" or name in allowed:
            if headers.count(name) > 1 and name:
                problems.append(problem(name, "colonne en double dans l'en-tête"))
            continue
        problems.append(
            problem(
                str(raw[index].value),
                f"colonne inconnue « {raw[index].value} » (attendues : {', '.join(schema.names)})",
            )
        )
    return problems
