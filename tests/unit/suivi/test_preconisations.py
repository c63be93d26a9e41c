"""The « Préconisations » sheet: the commission's recommendations in the workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from projet_associatif.core.errors import DataError
from projet_associatif.suivi.reader import read_suivi
from projet_associatif.suivi.template import write_template

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "suivi" / "data"
FINAL = dt.date(2023, 3, 1)


@pytest.fixture
def template(tmp_path) -> Path:
    return write_template(tmp_path / "suivi.xlsx", DATA)


def fill(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb["Préconisations"]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=value)
    wb.save(path)
    return path


def test_template_has_the_sheet_with_drop_down_lists(template):
    wb = openpyxl.load_workbook(template)
    ws = wb["Préconisations"]
    headers = [c.value for c in ws[1]]
    assert headers == [
        "date",
        "fiche",
        "preconisation",
        "priorite",
        "qui",
        "echeance",
        "suite",
        "commentaire_suite",
    ]
    formulas = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
    }
    assert formulas["B2"].startswith("Listes!")  # fiche
    assert formulas["D2"].startswith("Listes!") and formulas["G2"].startswith("Listes!")
    listes = wb["Listes"]
    columns = {listes.cell(1, c).value: c for c in range(1, listes.max_column + 1)}
    values = [listes.cell(r, columns["priorite"]).value for r in range(2, 5)]
    assert values == ["haute", "moyenne", "basse"]
    instructions = " ".join(str(c.value) for row in wb["Instructions"].iter_rows() for c in row)
    assert "Préconisations" in instructions and "ce qu'elles sont devenues" in instructions


def test_recommendations_read_back(template):
    fill(
        template,
        [
            [
                "2021-09-01",
                "camion-mobile",
                "Lancer la tournée",
                "Haute",
                "Direction",
                "2021-12-31",
                "réalisée",
            ],
            ["2021-09-01", None, "Fixer des échéances", None, None, None, None],
        ],
    )
    suivi = read_suivi(template, data_dir=DATA, as_of=FINAL)
    recs = suivi.preconisations
    assert list(recs["preconisation"]) == ["Lancer la tournée", "Fixer des échéances"]
    assert recs.loc[0, "priorite"] == "haute"  # normalised from « Haute »
    assert recs.loc[0, "suite"] == "réalisée"
    assert recs["fiche"].isna().tolist() == [False, True]  # blank fiche = general


def test_a_workbook_without_the_sheet_still_reads(template):
    wb = openpyxl.load_workbook(template)
    del wb["Préconisations"]
    wb.save(template)
    assert read_suivi(template, data_dir=DATA, as_of=FINAL).preconisations.empty


def test_mistakes_are_located_by_sheet_row_and_column(template):
    fill(
        template,
        [
            ["2021-09-01", "fiche-inconnue", "A"],  # row 2: unknown fiche
            ["2021-09-01", None, "B", "urgente"],  # row 3: priority not in the list
            ["2021-09-01", None, "C", None, None, "2021-06-30"],  # row 4: deadline before date
            ["2021-09-01", None, None],  # row 5: no text
            [None, None, "D"],  # row 6: no date
            ["2021-09-01", None, "c"],  # row 7: same as row 4 (case aside)
            ["2021-09-01", None, "E", None, None, None, "finie"],  # row 8: unknown outcome
        ],
    )
    with pytest.raises(DataError) as info:
        read_suivi(template, data_dir=DATA, as_of=FINAL)
    found = {(p.sheet, p.row, p.column, p.rule) for p in info.value.problems}
    assert found == {
        ("Préconisations", 2, "fiche", "fiche connue"),
        ("Préconisations", 3, "priorite", "priorite permise"),
        ("Préconisations", 4, "echeance", "échéance après la date"),
        ("Préconisations", 5, "preconisation", "obligatoire"),
        ("Préconisations", 6, "date", "obligatoire"),
        ("Préconisations", 7, "preconisation", "unicité date + fiche + préconisation"),
        ("Préconisations", 8, "suite", "suite permise"),
    }
    messages = "\n".join(str(p) for p in info.value.problems)
    assert (
        "« urgente » n'est pas une valeur permise : « haute », « moyenne », « basse »" in messages
    )
    assert "qu'à la ligne 4" in messages
