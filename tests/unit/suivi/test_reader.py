"""Measurement input: the Excel template, the reader, and every mistake it must catch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from projet_associatif.cli.main import main
from projet_associatif.core.errors import DataError
from projet_associatif.suivi.cells import parse_date, parse_number
from projet_associatif.suivi.reader import read_suivi
from projet_associatif.suivi.referentiel import load_referentiel
from projet_associatif.suivi.template import FICTIONAL_BANNER, build_workbook, write_template

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "suivi" / "data"
MID = dt.date(2021, 9, 1)


@pytest.fixture
def template(tmp_path) -> Path:
    return write_template(tmp_path / "suivi.xlsx", DATA)


def fill(path: Path, rows: dict[str, list[list]], *, first_row: int = 2) -> Path:
    """Write rows into sheets of a workbook (from ``first_row``) and save it."""
    wb = openpyxl.load_workbook(path)
    for sheet, values in rows.items():
        ws = wb[sheet]
        for i, row in enumerate(values, start=first_row):
            for j, value in enumerate(row, start=1):
                ws.cell(row=i, column=j, value=value)
    wb.save(path)
    return path


def problems_of(path: Path, **kw) -> list:
    with pytest.raises(DataError) as info:
        read_suivi(path, data_dir=DATA, as_of=kw.pop("as_of", MID), **kw)
    return info.value.problems


# ---------------------------------------------------------------- template


def test_template_has_sheets_lists_and_validations(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames[:5] == ["Instructions", "Mesures", "Jalons", "Réponses", "Cibles"]
    assert {"Indicateurs", "Questions", "Fiches", "Listes"} <= set(wb.sheetnames)
    assert wb["Listes"].sheet_state == "hidden"
    # The hidden lists hold the ids of the data package.
    listes = wb["Listes"]

    def column(letter):
        return [c.value for c in listes[letter][1:] if c.value is not None]

    assert column("A") == [
        "camion-accueils",
        "camion-satisfaction",
        "reseaux-abonnes",
        "reseaux-rejets",
        "espace-frequentation",
        "espace-ateliers",
    ]
    assert column("B") == ["camion-mobile", "reseaux-sociaux", "espace-jeunes"]
    assert column("C") == ["R1", "R2", "P1", "P2"]
    assert column("D") == ["Etape 0", "Etape 1", "Etape 2", "Étape 1"]
    # Drop-downs reference ranges of the hidden sheet (not inline lists, capped at 255 chars).
    mesures = wb["Mesures"]
    lists = [dv for dv in mesures.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == 1 and lists[0].formula1 == "Listes!$A$2:$A$7"
    assert "A2:A1001" in str(lists[0].sqref)
    dates = {str(dv.sqref) for dv in mesures.data_validations.dataValidation if dv.type == "date"}
    assert dates == {"B2:B1001", "C2:C1001", "D2:D1001"}
    reponses = {
        dv.formula1 for dv in wb["Réponses"].data_validations.dataValidation if dv.type == "list"
    }
    assert reponses == {"Listes!$B$2:$B$4", "Listes!$C$2:$C$5"}
    cibles = [dv.type for dv in wb["Cibles"].data_validations.dataValidation]
    assert cibles.count("decimal") == 2
    # Header, frozen pane, widths, date format.
    assert [c.value for c in mesures[1]] == [
        "indicateur",
        "date",
        "periode_debut",
        "periode_fin",
        "valeur",
        "commentaire",
        "source",
    ]
    assert mesures.freeze_panes == "A2"
    assert mesures.column_dimensions["F"].width == 50
    assert mesures["B2"].number_format == "yyyy-mm-dd"


def test_template_instructions_and_reference_sheets_are_in_french(template):
    wb = openpyxl.load_workbook(template)
    text = " ".join(
        str(v) for row in wb["Instructions"].iter_rows(values_only=True) for v in row if v
    )
    for expected in ("AAAA-MM-JJ", "virgule décimale", "Ne renommez", "1er mars 2020", "Cibles"):
        assert expected in text
    indicateurs = list(wb["Indicateurs"].iter_rows(values_only=True))
    assert indicateurs[0][:6] == ("identifiant", "fiche", "n° fiche", "libellé", "nature", "unité")
    assert indicateurs[1][:5] == (
        "camion-accueils",
        "camion-mobile",
        1,
        "Nombre de jeunes reçus en premier accueil",
        "nombre",
    )
    jalons = list(wb["Jalons"].iter_rows(min_row=2, max_row=7, values_only=True))
    assert [r[:2] for r in jalons] == [
        ("camion-mobile", "Etape 0"),
        ("camion-mobile", "Etape 1"),
        ("camion-mobile", "Etape 2"),
        ("reseaux-sociaux", "Etape 1"),
        ("reseaux-sociaux", "Etape 2"),
        ("espace-jeunes", "Étape 1"),
    ]


def test_empty_template_reads_as_an_empty_suivi(template):
    suivi = read_suivi(template, data_dir=DATA, as_of=MID)
    assert suivi.empty and not suivi.fictional
    assert list(suivi.mesures.columns)[:3] == ["indicateur", "date", "periode_debut"]


def test_cli_writes_the_template(tmp_path):
    out = tmp_path / "modele.xlsx"
    assert main(["suivi", "modele", str(out), "--data-dir", str(DATA)]) == 0
    assert "Mesures" in openpyxl.load_workbook(out).sheetnames


def test_template_refuses_another_extension(tmp_path):
    with pytest.raises(DataError, match=".xlsx"):
        write_template(tmp_path / "suivi.csv", DATA)


# ---------------------------------------------------------------- round trip

MESURES = [
    ["camion-accueils", dt.datetime(2021, 6, 1), None, None, 70, "premier semestre", "i-milo"],
    ["camion-accueils", "2022-06-01", None, None, 120.5, None, None],
    ["reseaux-rejets", None, dt.datetime(2021, 1, 1), dt.datetime(2021, 6, 30), 0.28, None, None],
    ["camion-satisfaction", "15/01/2022", None, None, "Satisfaisant", "retours oraux", None],
]
JALONS = [
    ["camion-mobile", "Etape 0", "idée", dt.datetime(2020, 6, 30), dt.datetime(2020, 9, 15), None],
    ["camion-mobile", "Etape 1", None, "2020-12-31", None, "en cours"],
    ["espace-jeunes", "Etape 1", None, "2021-12-31", None, None],  # « Étape 1 » in the data
]
REPONSES = [["camion-mobile", "R1", "Pas encore", dt.datetime(2021, 6, 15)]]
CIBLES = [
    ["camion-accueils", 0, 100, dt.datetime(2022, 3, 1), "fixée en 2020"],
    ["reseaux-rejets", 30, 10, None, None],
]


def filled(template: Path) -> Path:
    path = fill(
        template,
        {"Mesures": MESURES, "Réponses": REPONSES, "Cibles": CIBLES, "Jalons": JALONS},
    )
    # A taux typed as 28 % in a percent-formatted cell is stored as 0.28.
    wb = openpyxl.load_workbook(path)
    wb["Mesures"]["E4"].number_format = "0%"
    # Blank out the other pre-filled steps' labels: they stay unread without dates anyway.
    wb.save(path)
    return path


def test_round_trip_gives_the_values_back(template):
    suivi = read_suivi(filled(template), data_dir=DATA, as_of=MID)
    m = suivi.mesures
    assert list(m["indicateur"]) == [r[0] for r in MESURES]
    assert list(m["date"].dt.date) == [
        dt.date(2021, 6, 1),
        dt.date(2022, 6, 1),
        dt.date(2021, 6, 30),  # a period is dated by its end
        dt.date(2022, 1, 15),
    ]
    assert m.loc[2, "periode_debut"] == pd.Timestamp("2021-01-01")
    assert list(m["valeur"].iloc[:3]) == [70.0, 120.5, pytest.approx(28.0)]
    assert pd.isna(m.loc[3, "valeur"]) and m.loc[3, "valeur_texte"] == "Satisfaisant"
    assert m.loc[0, "commentaire"] == "premier semestre" and m.loc[0, "source"] == "i-milo"
    j = suivi.jalons.set_index("etape")
    assert len(j) == 3  # the other pre-filled steps carry nothing and are skipped
    assert j.loc["Etape 0", "date_realisee"] == pd.Timestamp("2020-09-15")
    assert pd.isna(j.loc["Etape 1", "date_realisee"])
    assert j.loc["Etape 1", "commentaire"] == "en cours"
    assert "Étape 1" in j.index  # the label is normalised to the fiche's spelling
    assert suivi.reponses.loc[0, "reponse"] == "Pas encore"
    c = suivi.cibles.set_index("indicateur")
    assert c.loc["camion-accueils", "cible"] == 100.0
    assert c.loc["reseaux-rejets", "valeur_reference"] == 30.0
    assert pd.isna(c.loc["reseaux-rejets", "date_cible"])
    assert suivi.path == template and not suivi.empty


def write_csv_dir(path: Path, *, readme: str | None = None) -> Path:
    path.mkdir()
    (path / "mesures.csv").write_text(
        "indicateur,date,periode_debut,periode_fin,valeur,commentaire,source\n"
        "camion-accueils,2021-06-01,,,70,premier semestre,i-milo\n"
        "camion-accueils,2022-06-01,,,120.5,,\n"
        "reseaux-rejets,,2021-01-01,2021-06-30,28,,\n"
        "camion-satisfaction,2022-01-15,,,Satisfaisant,retours oraux,\n",
        encoding="utf-8",
    )
    (path / "jalons.csv").write_text(
        "fiche,etape,quoi,date_prevue,date_realisee,commentaire\n"
        "camion-mobile,Etape 0,idée,2020-06-30,2020-09-15,\n"
        "camion-mobile,Etape 1,,2020-12-31,,en cours\n"
        "espace-jeunes,Etape 1,,2021-12-31,,\n",
        encoding="utf-8",
    )
    (path / "reponses.csv").write_text(
        "fiche,question,reponse,date\ncamion-mobile,R1,Pas encore,2021-06-15\n", encoding="utf-8"
    )
    (path / "cibles.csv").write_text(
        "indicateur,valeur_reference,cible,date_cible,commentaire\n"
        "camion-accueils,0,100,2022-03-01,fixée en 2020\n"
        "reseaux-rejets,30,10,,\n",
        encoding="utf-8",
    )
    if readme:
        (path / "README.md").write_text(readme, encoding="utf-8")
    return path


def test_csv_directory_equals_workbook(template, tmp_path):
    from_xlsx = read_suivi(filled(template), data_dir=DATA, as_of=MID)
    from_csv = read_suivi(write_csv_dir(tmp_path / "csv"), data_dir=DATA, as_of=MID)
    for kind in ("mesures", "jalons", "reponses", "cibles"):
        pd.testing.assert_frame_equal(getattr(from_xlsx, kind), getattr(from_csv, kind))
    assert not from_csv.fictional


# ---------------------------------------------------------------- fictional marker


def test_fictional_workbook_is_flagged_and_read_below_its_banner(tmp_path):
    wb = build_workbook(load_referentiel(DATA), banner=FICTIONAL_BANNER)
    path = tmp_path / "fictif.xlsx"
    wb.save(path)
    assert wb.sheetnames[0] == "Avertissement"
    assert wb["Mesures"]["A1"].value.startswith("DONNÉES FICTIVES")
    assert wb["Mesures"]["A2"].value == "indicateur"
    assert wb["Mesures"].freeze_panes == "A3"
    fill(path, {"Mesures": [["camion-accueils", "2021-06-01", None, None, 70]]}, first_row=3)
    suivi = read_suivi(path, data_dir=DATA, as_of=MID)
    assert suivi.fictional
    assert suivi.mesures.loc[0, "valeur"] == 70.0


def test_fictional_csv_directory_is_flagged_by_readme_or_column(tmp_path):
    marked = write_csv_dir(tmp_path / "a", readme="# DONNÉES FICTIVES\n")
    assert read_suivi(marked, data_dir=DATA, as_of=MID).fictional
    plain = write_csv_dir(tmp_path / "b")
    (plain / "reponses.csv").write_text(
        "fiche,question,reponse,date,fictif\ncamion-mobile,R1,Oui,2021-06-15,DONNÉES FICTIVES\n",
        encoding="utf-8",
    )
    suivi = read_suivi(plain, data_dir=DATA, as_of=MID)
    assert suivi.fictional
    assert "fictif" not in suivi.reponses.columns


# ---------------------------------------------------------------- mistakes


def test_workbook_with_mistakes_lists_every_problem_with_sheet_row_and_column(template):
    fill(
        template,
        {
            "Mesures": [
                ["inconnu-1", "2021-06-01", None, None, 5],  # row 2: unknown indicator
                ["camion-accueils", "2021-06-01", None, None, "douze"],  # row 3: text in number
                ["camion-accueils", "2021-06-01", None, None, 12],  # row 4: duplicate of row 3
                ["camion-accueils", "2021-02-30", None, None, 12],  # row 5: invalid date
                ["camion-accueils", None, None, None, 12],  # row 6: no date
                [None, "2021-07-01", None, None, 12],  # row 7: missing indicator
                ["reseaux-rejets", "2021-08-01", None, None, "12,5"],  # row 8: text decimal
            ],
            "Jalons": [
                ["camion-mobile", "Etape 0", None, "2021-01-01", "2021-10-01"],  # row 2: future
                ["camion-mobile", "Etape 0", None, "2021-02-01"],  # row 3: duplicate step
                ["camion-mobile", "Etape 9", None, "2021-02-01"],  # row 4: unknown step
                ["fiche-inconnue", "Etape 1", None, "2021-02-01"],  # row 5: unknown fiche
            ],
            "Cibles": [["camion-satisfaction", None, 3]],  # qualitative: no numeric target
        },
    )
    wb = openpyxl.load_workbook(template)
    del wb["Réponses"]  # missing sheet
    wb["Fiches"].title = "Fiches (copie)"  # unknown sheet
    wb.save(template)
    found = {(p.sheet, p.row, p.column, p.rule) for p in problems_of(template)}
    expected = {
        ("Mesures", 2, "indicateur", "indicateur connu"),
        ("Mesures", 3, "valeur", "nombre"),
        ("Mesures", 4, "date", "unicité indicateur + date"),
        ("Mesures", 5, "date", "date"),
        ("Mesures", 6, "date", "obligatoire"),
        ("Mesures", 7, "indicateur", "obligatoire"),
        ("Mesures", 8, "valeur", "nombre"),
        ("Jalons", 2, "date_realisee", "date réalisée ≤ date d'arrêté"),
        ("Jalons", 3, "etape", "unicité fiche + étape"),
        ("Jalons", 4, "etape", "étape connue"),
        ("Jalons", 5, "fiche", "fiche connue"),
        ("Cibles", 2, "cible", "cible chiffrée"),
        ("Réponses", None, None, "feuilles du modèle"),
        ("Fiches (copie)", None, None, "feuilles du modèle"),
    }
    assert found == expected


def test_problem_messages_are_french_and_locate_the_cell(template):
    fill(
        template,
        {
            "Mesures": [["camion-accueils", "2021-06-01", None, None, "douze"]],
            "Jalons": [["camion-mobile", "Etape 0", None, "2021-01-01", "2021-10-01"]],
        },
    )
    problems = problems_of(template)
    text = "\n".join(str(p) for p in problems)
    assert "feuille « Mesures », ligne 2, colonne « valeur »" in text
    assert "texte dans une cellule numérique" in text
    assert "date future par rapport à la date d'arrêté (2021-09-01)" in text
    # Once the value is a number, the same completion date is fine with a later closing date.
    fill(template, {"Mesures": [["camion-accueils", "2021-06-01", None, None, 12]]})
    assert read_suivi(template, data_dir=DATA, as_of="2021-12-31").jalons.shape[0] == 1


def test_renamed_sheet_and_renamed_header_are_reported(template):
    wb = openpyxl.load_workbook(template)
    wb["Mesures"].title = "Mesure"
    wb["Jalons"]["D1"] = "échéance"
    wb.save(template)
    found = {(p.sheet, p.row, p.column, p.rule) for p in problems_of(template)}
    assert ("Mesure", None, None, "feuilles du modèle") in found
    assert ("Mesures", None, None, "feuilles du modèle") in found
    assert ("Jalons", 1, "date_prevue", "en-têtes") in found
    assert ("Jalons", 1, "échéance", "en-têtes") in found


def test_csv_mistakes_are_reported_with_line_numbers(tmp_path):
    path = write_csv_dir(tmp_path / "csv")
    (path / "mesures.csv").write_text(
        "indicateur,date,periode_debut,periode_fin,valeur,commentaire,source\n"
        'camion-accueils,2021-06-01,,,"12,5",,\n'
        "camion-accueils,2021-13-01,,,12,,\n",
        encoding="utf-8",
    )
    (path / "reponses.csv").unlink()
    (path / "extra.csv").write_text("a\n1\n", encoding="utf-8")
    problems = problems_of(path)
    found = {(Path(p.file).name, p.row, p.column, p.rule) for p in problems}
    assert found == {
        ("mesures.csv", 2, "valeur", "nombre"),
        ("mesures.csv", 3, "date", "date"),
        ("reponses.csv", None, None, "fichiers du suivi"),
        ("extra.csv", None, None, "fichiers du suivi"),
    }
    assert all(p.sheet is None for p in problems)
    assert any("écrivez 12.5" in p.message for p in problems)


def test_semicolon_csv_is_refused_with_advice(tmp_path):
    path = write_csv_dir(tmp_path / "csv")
    (path / "reponses.csv").write_text(
        "fiche;question;reponse;date\ncamion-mobile;R1;Oui;2021-06-15\n", encoding="utf-8"
    )
    (problem,) = problems_of(path)
    assert problem.rule == "séparateur virgule" and problem.row == 1


def test_missing_file_and_unknown_format(tmp_path):
    (problem,) = problems_of(tmp_path / "absent.xlsx")
    assert problem.rule == "chemin"
    other = tmp_path / "suivi.ods"
    other.write_bytes(b"x")
    (problem,) = problems_of(other)
    assert problem.rule == "format"


# ---------------------------------------------------------------- cell parsers


def test_parse_date_accepts_iso_excel_and_french_dates_only():
    assert parse_date("2021-03-15") == dt.date(2021, 3, 15)
    assert parse_date("15/03/2021") == dt.date(2021, 3, 15)
    assert parse_date(dt.datetime(2021, 3, 15, 0, 0)) == dt.date(2021, 3, 15)
    assert parse_date("2021-02-30") is None
    assert parse_date("mars 2021") is None
    assert parse_date(44270) is None  # a bare Excel serial number is ambiguous


def test_parse_number_distinguishes_excel_cells_from_csv_text():
    assert parse_number(12, from_csv=False) == 12.0
    assert parse_number("12", from_csv=False) is None  # text in an Excel numeric cell
    assert parse_number("12.5", from_csv=True) == 12.5
    assert parse_number("12,5", from_csv=True) is None
    assert parse_number(True, from_csv=False) is None


# ---------------------------------------------------------------- real data package and example

ROOT = Path(__file__).resolve().parents[3]


def test_template_from_the_real_data_package(tmp_path):
    ref = load_referentiel()
    path = write_template(tmp_path / "suivi.xlsx")
    wb = openpyxl.load_workbook(path)
    listes = wb["Listes"]
    n_ind, n_fiches, n_questions = len(ref.indicateurs), len(ref.fiches), len(ref.questions)
    assert listes.cell(n_ind + 1, 1).value == ref.indicateurs["id"].iloc[-1]
    assert listes.cell(n_ind + 2, 1).value is None
    assert n_fiches == 18 and listes.cell(n_fiches + 1, 2).value == ref.fiche_ids[-1]
    assert n_questions == 15  # R1-R7 and P1-P8 of part 6
    formulas = {dv.formula1 for dv in wb["Mesures"].data_validations.dataValidation}
    assert f"Listes!$A$2:$A${n_ind + 1}" in formulas
    steps = sum(len(f["etapes"]) for f in ref.fiches)
    assert wb["Jalons"].cell(steps + 1, 1).value == ref.fiche_ids[-1]
    assert wb["Jalons"].cell(steps + 2, 1).value is None
    assert read_suivi(path, as_of=MID).empty


def load_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generer_suivi_fictif", ROOT / "exemples" / "generer_suivi_fictif.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fictional_example_is_up_to_date_and_reproducible(tmp_path):
    generator = load_generator()
    generator.write_workbook(tmp_path / "a.xlsx")
    generator.write_csv_dir(tmp_path / "csv")
    assert (tmp_path / "a.xlsx").read_bytes() == (
        ROOT / "exemples" / "suivi-fictif.xlsx"
    ).read_bytes()
    for name in ("mesures.csv", "jalons.csv", "reponses.csv", "cibles.csv", "README.md"):
        committed = ROOT / "exemples" / "suivi-fictif" / name
        assert (tmp_path / "csv" / name).read_text(encoding="utf-8") == committed.read_text(
            encoding="utf-8"
        )


def test_fictional_example_declares_itself_everywhere():
    xlsx = ROOT / "exemples" / "suivi-fictif.xlsx"
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[0] == "Avertissement"
    for name in wb.sheetnames:
        if name != "Listes":
            assert "DONNÉES FICTIVES" in str(wb[name]["A1"].value), name
    csv_dir = ROOT / "exemples" / "suivi-fictif"
    for name in ("mesures.csv", "jalons.csv", "reponses.csv", "cibles.csv"):
        rows = (csv_dir / name).read_text(encoding="utf-8").splitlines()
        assert rows[0].endswith(",fictif")
        assert all(r.endswith(",DONNÉES FICTIVES") for r in rows[1:]), name
    assert "DONNÉES FICTIVES" in (csv_dir / "README.md").read_text(encoding="utf-8")
    from_xlsx = read_suivi(xlsx, as_of=MID)
    from_csv = read_suivi(csv_dir, as_of=MID)
    assert from_xlsx.fictional and from_csv.fictional
    for kind in ("mesures", "jalons", "reponses", "cibles"):
        pd.testing.assert_frame_equal(getattr(from_xlsx, kind), getattr(from_csv, kind))


# ---------------------------------------------------------------- dates that cannot be true yet


def test_dates_after_today_are_warnings_naming_sheet_row_and_column(template):
    # Read on 2021-06-10: two measurements, a period's end and an answer lie ahead.
    suivi = read_suivi(filled(template), data_dir=DATA, as_of=MID, today=dt.date(2021, 6, 10))
    where = sorted((p.sheet, p.row, p.column) for p in suivi.future_dates)
    assert where == [
        ("Mesures", 3, "date"),
        ("Mesures", 4, "periode_fin"),
        ("Mesures", 5, "date"),
        ("Réponses", 2, "date"),
    ]  # planned dates (2021-12-31) and target dates (2022-03-01) may lie ahead: not listed
    assert suivi.future_date_rows == 4
    text = str(next(p for p in suivi.future_dates if p.row == 3))
    assert "feuille « Mesures », ligne 3, colonne « date »" in text
    assert "2022-06-01 postérieure à aujourd'hui (2021-06-10)" in text
    # The rows stay in the data: a review ignores what follows its as-of date anyway.
    assert len(suivi.mesures) == len(MESURES)
    later = read_suivi(filled(template), data_dir=DATA, as_of=MID, today=dt.date(2022, 6, 1))
    assert later.future_dates == [] and later.future_date_rows == 0


def test_a_step_done_after_today_is_a_warning_when_the_as_of_date_is_later(template):
    path = fill(template, {"Jalons": [["camion-mobile", "Etape 0", None, None, "2021-08-01"]]})
    suivi = read_suivi(path, data_dir=DATA, as_of=MID, today=dt.date(2021, 7, 1))
    assert [(p.sheet, p.row, p.column) for p in suivi.future_dates] == [
        ("Jalons", 2, "date_realisee")
    ]


def test_suivi_verifier_warns_about_a_measurement_dated_2099(tmp_path, capsys):
    folder = write_csv_dir(tmp_path / "csv")
    with (folder / "mesures.csv").open("a", encoding="utf-8") as out:
        out.write("camion-accueils,2099-03-01,,,80,,\n")
    assert main(["suivi", "verifier", str(folder), "--data-dir", str(DATA)]) == 0
    captured = capsys.readouterr()
    assert "est valide" in captured.out
    # rich wraps long lines, inside a long temporary path's words too: compare without spaces.
    err = "".join(captured.err.split())
    assert "Avertissement" in err and "Traceback" not in err
    assert "mesures.csv,ligne6,colonne«date»:date2099-03-01postérieure" in err
    assert "1ligne(s)datée(s)aprèsaujourd'hui" in err


def test_the_review_notes_count_the_rows_dated_after_today(tmp_path):
    from projet_associatif.analysis.review_context import review_context
    from projet_associatif.chapters.review import heading

    folder = write_csv_dir(tmp_path / "csv")
    assert "Note :" not in heading(review_context("bilan-final", "", folder, DATA)).markdown
    with (folder / "mesures.csv").open("a", encoding="utf-8") as out:
        out.write("camion-accueils,2099-03-01,,,80,,\nreseaux-rejets,,2098-01-01,2099-01-01,5,,\n")
    bilan = review_context("bilan-final", "", folder, DATA)
    assert bilan.suivi.future_date_rows == 2
    assert (
        "Note : 2 lignes du fichier de suivi portent une date postérieure"
        in heading(bilan).markdown
    )


def test_the_build_warns_about_dates_after_today_before_running_notebooks(tmp_path):
    import io

    from rich.console import Console

    from projet_associatif.pipeline.checks import check_suivi

    folder = write_csv_dir(tmp_path / "csv")
    with (folder / "jalons.csv").open("a", encoding="utf-8") as out:
        out.write("reseaux-sociaux,Etape 1,,,2099-01-01,\n")
    said = io.StringIO()
    check_suivi(folder, DATA, dt.date(2100, 1, 1), Console(file=said, width=300))
    assert "Avertissement : " in said.getvalue()
    assert "jalons.csv, ligne 5, colonne « date_realisee » : date 2099-01-01" in said.getvalue()
