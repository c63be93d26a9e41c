"""Read one cell of the workbook: blank, text, date (ISO or JJ/MM/AAAA), number.

People type into the workbook: dates come as Excel dates, ISO text or « 15/03/2021 »;
numbers as Excel numbers (a CSV file holds text, with a decimal point). These parsers say
what a cell holds, or None when it does not hold that kind of value; the reader words the
error.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from projet_associatif.core.dates import to_date


@dataclass
class Cell:
    """One raw cell: its value and its Excel number format."""

    value: Any
    number_format: str = "General"


BLANK = Cell(None)

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CSV_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_blank(value: Any) -> bool:
    """Return whether a cell holds nothing (None or only spaces)."""
    return value is None or (isinstance(value, str) and value.strip() == "")


def normalise(text: Any) -> str:
    """Return text without accents, case or surrounding space, for lenient name matching."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def is_fictional_marker(value: Any) -> bool:
    """Return whether a cell or a text says « DONNÉES FICTIVES » (any case or accents)."""
    return value is not None and "donnees fictives" in normalise(value)


def parse_date(value: Any) -> dt.date | None:
    """Return the date a cell holds, or None if it is not a valid date.

    An Excel date, an ISO text (read by the package's one parser, :func:`to_date`) or the
    JJ/MM/AAAA text people type; a bare number would be an Excel serial shown as a number,
    which is ambiguous: refused.
    """
    if isinstance(value, dt.date):
        return to_date(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if _ISO_DATE.match(text):
            return to_date(text)
        match = _FR_DATE.match(text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:  # 2021-02-30, 30/02/2021
        return None
    return None


def parse_number(value: Any, *, from_csv: bool) -> float | None:
    """Return the number a cell holds, or None for text (CSV cells are text by nature)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    if from_csv and isinstance(value, str) and _CSV_NUMBER.match(value.strip()):
        return float(value.strip())
    return None


def cell_text(value: Any) -> str:
    """Return a non-blank cell as text: whole numbers without « .0 », dates as AAAA-MM-JJ."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date().isoformat()
    return str(value).strip()
