import datetime as dt
import io
import math

import docx
import numpy as np
import pandas as pd
import pypandoc
import pypdf
import pytest
import typst

from projet_associatif.core.formatting import (
    MINUS,
    MISSING,
    NBSP,
    date_fr,
    euros,
    is_missing,
    number,
    percent,
    points,
)

S = NBSP  # shorter expected strings


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1637478, None, f"1{S}637{S}478"),
        (11.75, None, "11,75"),
        (0, None, "0"),
        (-1234.5, None, f"{MINUS}1{S}234,5"),
        (999, None, "999"),
        (1000, None, f"1{S}000"),
        (12_345_678_901, None, f"12{S}345{S}678{S}901"),
        (1234.5678, None, f"1{S}234,568"),
        (15.55, 1, "15,6"),
        (15.45, 1, "15,5"),
        (2.5, 0, "3"),
        (-2.5, 0, f"{MINUS}3"),
        (-0.04, 1, "0,0"),
        (-0.0, None, "0"),
        (7, 2, "7,00"),
        (np.int64(12345), None, f"12{S}345"),
        (np.float64(0.1) + np.float64(0.2), 2, "0,30"),
    ],
)
def test_nombre(value, decimals, expected):
    assert number(value, decimals) == expected


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, pd.NA, pd.NaT])
def test_missing_values_show_an_em_dash_everywhere(missing):
    assert MISSING == "—"
    assert is_missing(missing)
    for fn in (number, euros, percent, points, date_fr):
        assert fn(missing) == MISSING


def test_zero_and_strings_are_not_missing():
    assert not is_missing(0)
    assert not is_missing("")
    assert not is_missing([1, 2])


def test_infinite_values_are_refused():
    with pytest.raises(ValueError, match="non finie"):
        number(math.inf)


def test_negative_decimals_are_refused():
    with pytest.raises(ValueError, match="décimales"):
        number(1.5, -1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1637478, f"1{S}637{S}478{S}€"),
        (1637478.0, f"1{S}637{S}478{S}€"),
        (1637478.5, f"1{S}637{S}478,50{S}€"),
        (0.1, f"0,10{S}€"),
        (0, f"0{S}€"),
        (-1234, f"{MINUS}1{S}234{S}€"),
    ],
)
def test_euros(value, expected):
    assert euros(value) == expected


def test_euros_with_explicit_decimals_rounds_half_up():
    assert euros(1234.565, decimals=2) == f"1{S}234,57{S}€"
    assert euros(1234.4, decimals=0) == f"1{S}234{S}€"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (15.5, 1, f"15,5{S}%"),
        (15.55, 1, f"15,6{S}%"),
        (15.0, 1, f"15,0{S}%"),
        (100, 0, f"100{S}%"),
        (0, 1, f"0,0{S}%"),
        (-3.25, 2, f"{MINUS}3,25{S}%"),
        (1250.5, 1, f"1{S}250,5{S}%"),
    ],
)
def test_pourcentage_takes_values_already_in_percent(value, decimals, expected):
    assert percent(value, decimals=decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.6, f"+0,6{S}pt"),
        (-0.3, f"{MINUS}0,3{S}pt"),
        (0, f"0,0{S}pt"),
        (-0.04, f"0,0{S}pt"),
        (0.05, f"+0,1{S}pt"),
        (12.25, f"+12,3{S}pt"),
    ],
)
def test_points(value, expected):
    assert points(value) == expected


def test_points_with_two_decimals():
    assert points(-1.005, decimals=2) == f"{MINUS}1,01{S}pt"


@pytest.mark.parametrize(
    ("value", "style", "expected"),
    [
        (dt.date(2020, 3, 1), "jour", "1er mars 2020"),
        (dt.date(2020, 3, 15), "jour", "15 mars 2020"),
        (dt.date(2020, 3, 1), "mois", "mars 2020"),
        (dt.date(2021, 8, 2), "mois", "août 2021"),
        (dt.date(2020, 12, 31), "annee", "2020"),
        (dt.date(2021, 8, 2), "court", "02/08/2021"),
        (pd.Timestamp("2022-02-01"), "jour", "1er février 2022"),
        (dt.datetime(2020, 3, 1, 23, 59), "jour", "1er mars 2020"),
        ("2020-07-14", "jour", "14 juillet 2020"),
    ],
)
def test_date_fr(value, style, expected):
    assert date_fr(value, style) == expected


def test_date_fr_rejects_unknown_style_and_non_dates():
    with pytest.raises(ValueError, match="Style de date"):
        date_fr(dt.date(2020, 1, 1), "semaine")
    with pytest.raises(TypeError, match="Date attendue"):
        date_fr(2020)


def test_no_narrow_space_or_hyphen_minus_leaks_from_babel():
    texts = [number(-1234567.5), euros(-1234567), percent(-1234.5), points(-1234.5)]
    for text in texts:
        assert "\u202f" not in text
        assert "-" not in text
        assert " " not in text


SAMPLE = f"{euros(1637478)} ; {percent(15.5)} ; {points(-0.3)} ; {MISSING}"


def test_typography_survives_typst_pdf_with_bundled_fonts_only(tmp_path):
    source = tmp_path / "t.typ"
    # fallback: false: a glyph missing from the font shows as NUL in the extracted text.
    source.write_text(
        f'#set text(font: "Libertinus Serif", fallback: false)\n{SAMPLE}\n', encoding="utf-8"
    )
    pdf = typst.compile(str(source), ignore_system_fonts=True)
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "\x00" not in text
    assert SAMPLE in text


def test_typography_survives_pandoc_docx(tmp_path):
    out = tmp_path / "t.docx"
    pypandoc.convert_text(f"{SAMPLE}\n", "docx", format="markdown", outputfile=str(out))
    paragraphs = [p.text for p in docx.Document(str(out)).paragraphs]
    assert SAMPLE in paragraphs
