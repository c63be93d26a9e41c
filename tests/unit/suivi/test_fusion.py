"""Several coordinators, one workbook: ``suivi modele --fiche N`` and ``suivi fusionner``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from projet_associatif.cli.main import main
from projet_associatif.core.errors import DataError
from projet_associatif.suivi.fusion import merge
from projet_associatif.suivi.reader import read_suivi
from projet_associatif.suivi.template import write_template

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "suivi" / "data"
AS_OF = dt.date(2021, 9, 1)
D = dt.date


def put(path: Path, sheet: str, rows: list[list], out: Path | None = None) -> Path:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    for i, row in enumerate(rows, start=2):
        for j, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(i, j, value)
    wb.save(out or path)
    return out or path


@pytest.fixture
def coordinators(tmp_path) -> tuple[Path, Path]:
    a = write_template(tmp_path / "a.xlsx", DATA, fiches=[1])
    b = write_template(tmp_path / "b.xlsx", DATA, fiches=[4])
    return a, b


def test_a_coordinator_template_lists_only_their_fiches(coordinators):
    a, _ = coordinators
    wb = openpyxl.load_workbook(a)
    steps = {wb["Jalons"].cell(r, 1).value for r in range(2, wb["Jalons"].max_row + 1)} - {None}
    assert steps == {"camion-mobile"}
    listes = wb["Listes"]
    fiches = [listes.cell(r, 2).value for r in range(2, listes.max_row + 1)]
    assert [f for f in fiches if f] == ["camion-mobile"]


def test_unknown_fiche_number_is_a_french_error(tmp_path):
    with pytest.raises(DataError, match="numéro de fiche inconnu : 99"):
        write_template(tmp_path / "x.xlsx", DATA, fiches=[99])


def test_merge_puts_the_coordinators_rows_together(coordinators, tmp_path):
    a, b = coordinators
    put(a, "Mesures", [["camion-accueils", D(2021, 3, 31), None, None, 40]])
    put(a, "Jalons", [[None, None, None, D(2020, 9, 1), D(2020, 9, 15)]])
    put(b, "Mesures", [["camion-accueils", D(2021, 3, 31), None, None, 40]])  # same row
    put(b, "Réponses", [["reseaux-sociaux", "R1", "Oui", D(2021, 6, 15)]])
    result = merge([a, b], tmp_path / "suivi.xlsx", data_dir=DATA, as_of=AS_OF)
    assert result.rows["Mesures"] == 1  # identical rows count once
    suivi = read_suivi(result.output, data_dir=DATA, as_of=AS_OF)
    assert len(suivi.mesures) == 1 and len(suivi.reponses) == 1
    step = suivi.jalons.iloc[0]
    assert (step["fiche"], step["etape"]) == ("camion-mobile", "Etape 0")
    assert step["date_realisee"] == pd_ts(D(2020, 9, 15))


def pd_ts(day: dt.date):
    import pandas as pd

    return pd.Timestamp(day)


def test_conflicts_name_both_sides_and_nothing_is_overwritten(coordinators, tmp_path):
    a, b = coordinators
    put(a, "Mesures", [["camion-accueils", D(2021, 3, 31), None, None, 40]])
    put(a, "Jalons", [[None, None, None, D(2020, 9, 1)]])
    put(b, "Mesures", [["camion-accueils", D(2021, 3, 31), None, None, 45]])
    put(b, "Jalons", [["camion-mobile", "Etape 0", None, D(2020, 10, 1)]])
    output = tmp_path / "suivi.xlsx"
    output.write_bytes(b"last good")
    with pytest.raises(DataError) as info:
        merge([a, b], output, data_dir=DATA, as_of=AS_OF)
    found = {(p.sheet, p.row, p.column, p.rule) for p in info.value.problems}
    assert found == {
        ("Mesures", 2, "valeur", "pas de valeur écrasée"),
        ("Jalons", 2, "date_prevue", "pas de valeur écrasée"),
    }
    text = "\n".join(str(p) for p in info.value.problems)
    assert f"40 dans {a}, feuille « Mesures », ligne 2, colonne « valeur »" in text
    assert f"45 dans {b}, feuille « Mesures », ligne 2, colonne « valeur »" in text
    assert "2020-09-01" in text and "2020-10-01" in text
    assert output.read_bytes() == b"last good"


def test_cli_as_typed(coordinators, tmp_path, capsys):
    a, b = coordinators
    put(a, "Mesures", [["camion-accueils", D(2021, 3, 31), None, None, 40]])
    put(b, "Mesures", [["camion-accueils", D(2021, 3, 31), None, None, 41]])
    out = tmp_path / "suivi.xlsx"
    argv = ["suivi", "fusionner", str(a), str(b), "-o", str(out), "--data-dir", str(DATA)]
    assert main(argv) != 0
    assert "conflit" in capsys.readouterr().err and not out.exists()
    put(b, "Mesures", [["camion-accueils", D(2021, 4, 30), None, None, 41]])
    assert main(argv) == 0 and out.exists()
    template = tmp_path / "c.xlsx"
    assert main(["suivi", "modele", str(template), "--fiche", "4", "--data-dir", str(DATA)]) == 0
