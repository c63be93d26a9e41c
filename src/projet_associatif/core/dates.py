"""Parse the dates the package reads: the one date parser, without importing pandas.

It lives apart from :mod:`.formatting` (which imports pandas and babel, about 0,6 s) because
the build's first step, the profile's dates, must stay cheap: a rebuild with nothing to do
runs no notebook and needs no DataFrame.
"""

from __future__ import annotations

import datetime as dt
import math


def to_date(value: object) -> dt.date | None:
    """Return the plain date a value holds (date, Timestamp, ISO text), None if missing.

    The one date parser of the package: text must be ISO (AAAA-MM-JJ, time ignored); anything
    else raises ``ValueError`` (``TypeError`` for a non-date type) for the caller to word.
    Missing values are those of ``formatting.is_missing``: None, NaN, pandas' NA and NaT
    (and the empty text).
    """
    # pandas.NA is recognised by its type's name, without importing pandas (and before any
    # comparison: NA == "" is NA, whose truth value raises).
    if value is None or type(value).__name__ == "NAType":
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value.strip()[:10]) if value.strip() else None
    if isinstance(value, dt.datetime):  # pandas' Timestamp and NaT are datetimes too
        return None if value != value else value.date()  # NaT is not equal to itself
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    raise TypeError(f"Date attendue, reçu {type(value).__name__} : {value!r}")
