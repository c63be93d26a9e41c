"""The one date parser: what it accepts, what it calls missing, what it refuses."""

import datetime as dt
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from projet_associatif.core.dates import to_date
from projet_associatif.core.formatting import is_missing


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2021, 9, 1), dt.date(2021, 9, 1)),
        (dt.datetime(2021, 9, 1, 14, 30), dt.date(2021, 9, 1)),
        (pd.Timestamp("2021-09-01 08:00"), dt.date(2021, 9, 1)),
        ("2021-09-01", dt.date(2021, 9, 1)),
        (" 2021-09-01T10:00:00 ", dt.date(2021, 9, 1)),
    ],
)
def test_dates_and_iso_text_give_the_plain_date(value, expected):
    day = to_date(value)
    assert day == expected and type(day) is dt.date


@pytest.mark.parametrize("value", [None, "", float("nan"), np.nan, pd.NaT, pd.NA])
def test_what_formatting_calls_missing_is_no_date(value):
    assert isinstance(value, str) or is_missing(value)  # the same rule as the formatter's
    assert to_date(value) is None


def test_text_that_is_not_an_iso_date_is_refused():
    with pytest.raises(ValueError):
        to_date("01/09/2021")


def test_a_number_is_not_a_date():
    with pytest.raises(TypeError, match="Date attendue"):
        to_date(44440)


def test_parsing_a_date_does_not_import_pandas():
    code = (
        "import sys\nfrom projet_associatif.core.dates import to_date\n"
        "to_date('2021-09-01')\nprint('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
