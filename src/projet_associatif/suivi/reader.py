"""Read the follow-up commission's workbook (or CSV directory) into typed, validated frames.

The commission (part 6 of the source) records its inputs in one sheet each (« Mesures »,
« Jalons », « Réponses », « Cibles », « Préconisations »), described by the Table Schemas
of ``suivi/schemas/``. :func:`read_suivi` reads every sheet with the same schema-driven
code (:mod:`~projet_associatif.suivi.rows`), then the sheet's own named checks
(:mod:`~projet_associatif.suivi.checks`) and the uniqueness of its primary key, and raises
one :class:`~projet_associatif.core.errors.DataError` listing every problem found (file,
sheet, row, column, rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.core.dates import to_date
from projet_associatif.core.errors import DataError, Problem, relative
from projet_associatif.suivi.cells import BLANK, is_blank, normalise, parse_date
from projet_associatif.suivi.checks import CHECKS, Context
from projet_associatif.suivi.referentiel import Referentiel, load_referentiel
from projet_associatif.suivi.rows import RowReader, known_ids
from projet_associatif.suivi.schema import sheet_schemas
from projet_associatif.suivi.sheets import WORKBOOK_SUFFIXES, RawInput, Table, read_tables


def empty_frame(kind: str) -> pd.DataFrame:
    """Return an empty, typed frame of one kind of input."""
    columns = sheet_schemas()[kind].frame_columns
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})


@dataclass
class Suivi:
    """The commission's recorded inputs, validated and typed (one frame per sheet)."""

    mesures: pd.DataFrame = field(default_factory=lambda: empty_frame("mesures"))
    jalons: pd.DataFrame = field(default_factory=lambda: empty_frame("jalons"))
    reponses: pd.DataFrame = field(default_factory=lambda: empty_frame("reponses"))
    cibles: pd.DataFrame = field(default_factory=lambda: empty_frame("cibles"))
    preconisations: pd.DataFrame = field(default_factory=lambda: empty_frame("preconisations"))
    fictional: bool = False
    path: Path | None = None
    #: Warnings (not errors): dates after the day the file was read (schemas' futur_interdit).
    future_dates: list[Problem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Return whether nothing at all has been recorded."""
        return all(len(getattr(self, kind)) == 0 for kind in sheet_schemas())

    @property
    def future_date_rows(self) -> int:
        """Return how many rows hold a date after the day the file was read."""
        return len({(p.file, p.sheet, p.row) for p in self.future_dates})


def read_raw(path: Path) -> RawInput:
    """Return the raw tables of a workbook or CSV directory, refusing a missing or odd path."""
    file = relative(path)
    if not path.exists():
        raise DataError([Problem(file, "fichier ou dossier de suivi introuvable", rule="chemin")])
    if not path.is_dir() and path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise DataError(
            [
                Problem(
                    file,
                    "format non pris en charge : donnez un classeur .xlsx ou un dossier de "
                    "fichiers CSV",
                    rule="format",
                )
            ]
        )
    return read_tables(path)


def read_suivi(
    path: Path | str,
    *,
    data_dir: Path | None = None,
    as_of: dt.date | str | None = None,
    today: dt.date | None = None,
) -> Suivi:
    """Read and validate a measurement workbook (.xlsx) or a directory of CSV files.

    ``as_of`` is the review's closing date (default: today): a step cannot have been
    done after it. Raises :class:`DataError` listing every problem (sheet, row, column).
    A measurement, completion or answer dated after ``today`` (default: the computer's
    date) cannot be true yet: it is kept, and listed in :attr:`Suivi.future_dates`.
    """
    path = Path(path)
    today = today or dt.date.today()
    closing = to_date(as_of) or today
    raw = read_raw(path)
    ref = load_referentiel(data_dir)
    problems = list(raw.problems)
    frames: dict[str, pd.DataFrame] = {}
    for kind, table in raw.tables.items():
        frame, table_problems = validate_table(table, ref, closing)
        frames[kind] = frame
        problems += table_problems
    if problems:
        raise DataError(problems)
    return Suivi(
        **{kind: frames.get(kind, empty_frame(kind)) for kind in sheet_schemas()},
        fictional=raw.fictional or any(t.fictional for t in raw.tables.values()),
        path=path,
        future_dates=[p for table in raw.tables.values() for p in _future_dates(table, today)],
    )


def future_date_warnings(suivi: Suivi) -> list[str]:
    """Return the lines that warn about dates after today (none when there are none)."""
    lines = [f"Avertissement : {problem}" for problem in suivi.future_dates]
    if lines:
        lines.append(
            f"{suivi.future_date_rows} ligne(s) datée(s) après aujourd'hui : vérifiez la "
            "saisie (le bilan les compte dans ses notes)."
        )
    return lines


def skipped(table: Table, cells: dict[str, Any]) -> bool:
    """Return whether a row is blank in every column its schema says to skip it on."""
    names = table.schema.skip_if_blank
    return bool(names) and all(is_blank(cells.get(n, BLANK).value) for n in names)


def validate_table(
    table: Table, ref: Referentiel, as_of: dt.date
) -> tuple[pd.DataFrame, list[Problem]]:
    """Return one sheet's typed frame and every problem of its rows.

    Each row is read as the schema says (types, required, enums, known ids), then by the
    sheet's named checks, then its primary key must not repeat an earlier row's.
    """
    schema = table.schema
    ids = known_ids(ref)
    checks = [CHECKS[name] for name in schema.checks]
    context = Context(ref, as_of)
    problems: list[Problem] = []
    records = []
    seen: dict[tuple[Any, ...], int] = {}
    for row, cells in table.rows:
        if skipped(table, cells):
            continue
        reader = RowReader(table, row, cells, problems)
        for item in schema.fields:
            reader.read_field(item, ids)
        for check in checks:
            check(reader, context)
        key = _key(reader, schema.primary_key, schema.duplicate.may_be_blank)
        if key is not None:
            if key in seen:
                reader.problem(
                    schema.duplicate.column,
                    f"{schema.duplicate.message} qu'à la ligne {seen[key]}",
                    schema.duplicate.rule,
                )
            else:
                seen[key] = row
        records.append(reader.values)
    return _typed(table.schema.kind, records), problems


def _key(
    reader: RowReader, names: tuple[str, ...], may_be_blank: tuple[str, ...]
) -> tuple[Any, ...] | None:
    """Return a row's primary key (texts compared leniently), None when it is incomplete.

    An unknown id counts as blank: that row already has its error.
    """
    key = []
    for name in names:
        value = reader.values.get(name) if name not in reader.unknown else None
        if value is None and name not in may_be_blank:
            return None
        key.append(normalise(value) if isinstance(value, str) else value)
    return tuple(key)


def _future_dates(table: Table, today: dt.date) -> list[Problem]:
    """Return a warning for each date that records the past but lies after ``today``."""
    found = []
    for row, cells in table.rows:
        for column in table.schema.not_future:
            day = parse_date(cells.get(column, BLANK).value)
            if day is not None and day > today:
                found.append(
                    Problem(
                        table.file,
                        f"date {day.isoformat()} postérieure à aujourd'hui "
                        f"({today.isoformat()}) : erreur de saisie probable",
                        row=row,
                        column=column,
                        rule="date ≤ aujourd'hui",
                        sheet=table.sheet,
                    )
                )
    return found


def _typed(kind: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Return records as a frame with the kind's columns and dtypes."""
    if not records:
        return empty_frame(kind)
    columns = sheet_schemas()[kind].frame_columns
    frame = pd.DataFrame.from_records(
        [{name: record.get(name) for name in columns} for record in records],
        columns=list(columns),
    )
    for name, dtype in columns.items():
        if dtype.startswith("datetime"):
            frame[name] = pd.to_datetime(frame[name]).astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame
