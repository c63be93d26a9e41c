"""Format numbers, amounts, percentages and dates the French way, for every reader-facing text.

Typographic choices, shared with the charts' d3 locale (``charts.FORMAT_LOCALE``):

- Thousands separator and the space before « € », « % », « pt »: NO-BREAK SPACE U+00A0.
  CLDR (hence babel) uses NARROW NO-BREAK SPACE U+202F for grouping, but d3's ``fr-FR``
  locale (vl-convert, vega-embed) uses U+00A0, and U+00A0 exists in every Latin font
  (Word, LibreOffice, Typst's bundled fonts) while U+202F is missing from many, which
  shows as a blank box or a font fallback. One character everywhere keeps tables and
  charts identical.
- Minus sign: MINUS SIGN U+2212, as d3-format prints it in the charts' axes, and as French
  typography prefers to a hyphen (same width as « + », never breaks at line end).
- Rounding: half away from zero (15,55 → 15,6 ; 2,5 → 3 ; −2,5 → −3), the rule taught in
  French schools and used by INSEE, instead of babel's default banker's rounding.
- Missing values (None, NaN, NA, NaT): « — » (EM DASH), so that an absence is visible and
  never mistaken for zero or for a forgotten cell.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from typing import Literal

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from projet_associatif.core.dates import to_date

LOCALE = "fr_FR"
NBSP = "\u00a0"
NNBSP = "\u202f"
MINUS = "\u2212"
MISSING = "—"

DateStyle = Literal["jour", "mois", "annee", "court"]


def is_missing(x: object) -> bool:
    """Return True for None, NaN, pandas NA and NaT."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        # Lists and arrays are not scalars: they are values, not absences.
        return False


def _decimal(x: float | int | decimal.Decimal) -> decimal.Decimal:
    # str() first: Decimal(15.55) would be 15.5499999…, which rounds down.
    if isinstance(x, decimal.Decimal):
        return x
    if isinstance(x, float) and not math.isfinite(x):
        raise ValueError(f"Valeur non finie : {x!r}")
    return decimal.Decimal(str(x))


def _typeset(text: str) -> str:
    """Replace babel's narrow spaces and hyphen-minus with the house characters."""
    text = text.replace(NNBSP, NBSP).replace(" ", NBSP).replace("-", MINUS)
    # A value that rounds to zero has no sign: −0,04 shows as « 0,0 », not « −0,0 ».
    if text.startswith(MINUS) and not any(c in "123456789" for c in text):
        text = text[1:]
    return text


def _pattern(decimals: int | None) -> str:
    if decimals is None:
        return "#,##0.###"
    if decimals < 0:
        raise ValueError(f"Nombre de décimales négatif : {decimals}")
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _rounding():
    return decimal.localcontext(rounding=decimal.ROUND_HALF_UP)


def number(x: object, decimals: int | None = None) -> str:
    """Return ``x`` with French grouping and decimal comma (up to 3 decimals if unspecified)."""
    if is_missing(x):
        return MISSING
    with _rounding():
        text = format_decimal(_decimal(x), format=_pattern(decimals), locale=LOCALE)
    return _typeset(text)


def euros(x: object, decimals: int | None = None) -> str:
    """Return an amount in euros, without cents when whole unless ``decimals`` says otherwise."""
    if is_missing(x):
        return MISSING
    value = _decimal(x)
    if decimals is None:
        decimals = 0 if value == value.to_integral_value() else 2
    with _rounding():
        text = format_currency(
            value,
            "EUR",
            format=_pattern(decimals) + "\u00a0¤",
            locale=LOCALE,
            currency_digits=False,
        )
    return _typeset(text)


def percent(x_pct: object, decimals: int = 1) -> str:
    """Return a value already expressed in percent (15.5 → « 15,5 % »)."""
    if is_missing(x_pct):
        return MISSING
    # scaleb is exact, unlike x / 100 on floats.
    value = _decimal(x_pct).scaleb(-2)
    with _rounding():
        text = format_percent(value, format=_pattern(decimals) + "\u00a0%", locale=LOCALE)
    return _typeset(text)


def points(x: object, decimals: int = 1) -> str:
    """Return a signed difference in percentage points (« +0,6 pt », « −0,3 pt »)."""
    if is_missing(x):
        return MISSING
    text = number(x, decimals)
    # Sign the rounded text: a difference that rounds to zero gets no sign.
    if text.startswith(MINUS) or not any(c in "123456789" for c in text):
        return f"{text}{NBSP}pt"
    return f"+{text}{NBSP}pt"


def _as_date(d: object) -> dt.date:
    day = to_date(d)
    if day is None:
        raise TypeError(f"Date attendue, reçu {d!r}")
    return day


def date_fr(d: object, style: DateStyle = "jour") -> str:
    """Return a date in French: « 1er mars 2020 », « mars 2020 », « 2020 » or « 01/03/2020 »."""
    if is_missing(d):
        return MISSING
    day = _as_date(d)
    if style == "jour":
        # CLDR writes « 1 mars »; French typography wants the ordinal « 1er ».
        prefix = "1er" if day.day == 1 else str(day.day)
        return f"{prefix} {format_date(day, 'MMMM y', locale=LOCALE)}"
    if style == "mois":
        return format_date(day, "LLLL y", locale=LOCALE)
    if style == "annee":
        return format_date(day, "y", locale=LOCALE)
    if style == "court":
        return format_date(day, "dd/MM/y", locale=LOCALE)
    raise ValueError(f"Style de date inconnu : {style!r} (jour, mois, annee ou court)")
