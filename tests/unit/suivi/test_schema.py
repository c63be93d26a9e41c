"""The Table Schemas of suivi/schemas/ drive the reader and the template (one description)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from frictionless import Schema

from projet_associatif.core.errors import DataError
from projet_associatif.core.texts import texts
from projet_associatif.suivi import schema as schema_module
from projet_associatif.suivi.checks import CHECKS
from projet_associatif.suivi.reader import empty_frame, read_suivi
from projet_associatif.suivi.referentiel import load_referentiel
from projet_associatif.suivi.schema import (
    SCHEMAS_DIR,
    FollowUp,
    Priority,
    sheet_schemas,
)
from projet_associatif.suivi.template import build_workbook, write_template

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "suivi" / "data"
MID = "2021-09-01"


@pytest.fixture
def schemas_copy(tmp_path, monkeypatch) -> Path:
    """Return an editable copy of the schemas, read instead of the package's own."""
    folder = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, folder)
    monkeypatch.setattr(schema_module, "SCHEMAS_DIR", folder)
    schema_module.sheet_schemas.cache_clear()
    schema_module.workbook_layout.cache_clear()
    yield folder
    schema_module.sheet_schemas.cache_clear()
    schema_module.workbook_layout.cache_clear()


def edit(folder: Path, kind: str, change) -> None:
    """Load ``<kind>.schema.yaml`` from ``folder``, apply ``change`` and write it back."""
    path = folder / f"{kind}.schema.yaml"
    descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(yaml.safe_dump(descriptor, allow_unicode=True), encoding="utf-8")
    schema_module.sheet_schemas.cache_clear()


def field_of(descriptor: dict, name: str) -> dict:
    return next(f for f in descriptor["fields"] if f["name"] == name)


def csv_dir(path: Path, mesures: str, preconisations: str | None = None) -> Path:
    path.mkdir()
    (path / "mesures.csv").write_text(mesures, encoding="utf-8")
    (path / "jalons.csv").write_text("fiche,etape,date_prevue,date_realisee,commentaire\n")
    (path / "reponses.csv").write_text("fiche,question,reponse,date\n")
    if preconisations:
        (path / "preconisations.csv").write_text(preconisations, encoding="utf-8")
    return path


MESURES = "indicateur,date,periode_debut,periode_fin,valeur,commentaire,source\n"


# ---------------------------------------------------------------- the schema files


@pytest.mark.parametrize("kind", list(sheet_schemas()))
def test_every_sheet_schema_is_a_valid_table_schema(kind):
    path = SCHEMAS_DIR / f"{kind}.schema.yaml"
    descriptor = yaml.safe_load(path.read_text(encoding="utf-8"))
    report = Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["message"])
    parsed = sheet_schemas()[kind]
    assert set(parsed.primary_key) <= set(parsed.names)
    assert {parsed.duplicate.column, *parsed.not_future, *parsed.skip_if_blank} <= set(parsed.names)
    assert set(parsed.checks) <= set(CHECKS), "a named check the code does not have"


def test_the_fixed_lists_of_the_schema_are_the_code_s_enums():
    preconisations = sheet_schemas()["preconisations"]
    assert preconisations.field("priorite").enum == tuple(Priority)
    assert preconisations.field("suite").enum == tuple(FollowUp)


def test_the_frames_keep_their_columns_and_dtypes():
    assert dict(empty_frame("mesures").dtypes.astype(str)) == {
        "indicateur": "string",
        "date": "datetime64[ns]",
        "periode_debut": "datetime64[ns]",
        "periode_fin": "datetime64[ns]",
        "valeur": "Float64",
        "valeur_texte": "string",
        "commentaire": "string",
        "source": "string",
    }
    assert list(empty_frame("jalons").columns) == [
        "fiche",
        "etape",
        "date_prevue",
        "date_realisee",
        "commentaire",
    ]  # « quoi » is informative: never read


# ---------------------------------------------------------------- the schema drives the reader


def test_a_column_made_required_in_the_schema_is_enforced(tmp_path, schemas_copy):
    folder = csv_dir(tmp_path / "csv", MESURES + "camion-accueils,2021-06-01,,,70,,\n")
    assert len(read_suivi(folder, data_dir=DATA, as_of=MID).mesures) == 1
    edit(
        schemas_copy,
        "mesures",
        lambda d: field_of(d, "source").update(constraints={"required": True}),
    )
    with pytest.raises(DataError) as info:
        read_suivi(folder, data_dir=DATA, as_of=MID)
    (problem,) = info.value.problems
    assert (Path(problem.file).name, problem.row, problem.column, problem.rule) == (
        "mesures.csv",
        2,
        "source",
        "obligatoire",
    )
    assert problem.message == "valeur obligatoire manquante"


def test_a_value_outside_the_schema_s_list_is_refused_where_it_is(tmp_path, schemas_copy):
    path = write_template(tmp_path / "suivi.xlsx", DATA)
    wb = openpyxl.load_workbook(path)
    for column, value in enumerate(["2021-06-01", None, "Relancer les partenaires", "urgente"], 1):
        wb["Préconisations"].cell(row=2, column=column, value=value)
    wb.save(path)
    with pytest.raises(DataError) as info:
        read_suivi(path, data_dir=DATA, as_of=MID)
    (problem,) = info.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.rule) == (
        "Préconisations",
        2,
        "priorite",
        "priorite permise",
    )
    assert "« urgente » n'est pas une valeur permise : « haute », « moyenne », « basse »" in str(
        problem
    )
    assert Path(problem.file).name == "suivi.xlsx"
    # The list is the schema's: once it holds the value, the same workbook reads.
    edit(
        schemas_copy,
        "preconisations",
        lambda d: field_of(d, "priorite")["constraints"]["enum"].append("urgente"),
    )
    suivi = read_suivi(path, data_dir=DATA, as_of=MID)
    assert list(suivi.preconisations["priorite"]) == ["urgente"]


def test_an_id_the_data_package_does_not_know_is_refused(tmp_path):
    folder = csv_dir(tmp_path / "csv", MESURES + "inconnu,2021-06-01,,,70,,\n")
    with pytest.raises(DataError) as info:
        read_suivi(folder, data_dir=DATA, as_of=MID)
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.rule) == (2, "indicateur", "indicateur connu")
    assert "indicateur « inconnu » inconnu : voir la feuille « Indicateurs »" in problem.message


# ---------------------------------------------------------------- the schema drives the template


def test_the_template_s_headers_and_widths_come_from_the_schemas(tmp_path):
    wb = openpyxl.load_workbook(write_template(tmp_path / "suivi.xlsx", DATA))
    for schema in sheet_schemas().values():
        ws = wb[schema.sheet]
        assert [c.value for c in ws[1]] == schema.names, schema.sheet
        widths = [ws.column_dimensions[chr(ord("A") + i)].width for i in range(len(schema.names))]
        assert widths == [f.width for f in schema.fields], schema.sheet


def test_a_column_added_to_a_schema_appears_in_the_template(schemas_copy):
    def add(descriptor: dict) -> None:
        descriptor["fields"].append(
            {"name": "auteur", "type": "string", "description": "qui a saisi", "largeur": 20}
        )

    edit(schemas_copy, "cibles", add)
    wb = build_workbook(load_referentiel(DATA))
    assert [c.value for c in wb["Cibles"][1]][-1] == "auteur"
    instructions = [row[1] for row in wb["Instructions"].iter_rows(values_only=True)]
    assert "qui a saisi." in instructions


def test_the_instructions_come_from_the_text_files(tmp_path):
    wb = openpyxl.load_workbook(write_template(tmp_path / "suivi.xlsx", DATA))
    cells = {row[1] for row in wb["Instructions"].iter_rows(values_only=True) if row[1]}
    rules = texts("regles-evaluation")
    assert rules["statut"] in cells and rules["jalon"] in cells
    words = texts("classeur-suivi")
    assert words["presentation"] in cells
    dated = next(r["texte"] for r in words["regles_de_saisie"] if "{debut}" in r["texte"])
    assert dated.replace("{debut}", "1er mars 2020") in cells  # the fixture's start date


def _all_cells(wb) -> list[str]:
    return [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row]


def test_the_2020_workbook_names_the_organisation_as_before():
    # The package's texts write {organisation}; the 2020 project's identite.yaml fills it in
    # with the very words the workbook had when they were written in the text file.
    wb = build_workbook(load_referentiel(DATA), banner="DONNÉES FICTIVES")
    assert wb["Avertissement"]["A3"].value == (
        "Toutes les valeurs, dates, cibles et réponses de ce classeur sont inventées pour "
        "montrer le fonctionnement du suivi. Elles ne décrivent pas l'activité de la Mission "
        "Locale de Moulins et sa région."
    )
    assert not [c for c in _all_cells(wb) if "{organisation}" in c or "{nom_court}" in c]


def test_the_workbook_names_the_organisation_of_its_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    identite = data / "association" / "identite.yaml"
    text = identite.read_text(encoding="utf-8")
    text = text.replace(
        "organisation: Mission Locale de Moulins et sa région", 'organisation: "ML <b>V</b>"'
    )
    identite.write_text(text, encoding="utf-8")
    wb = build_workbook(load_referentiel(data), banner="DONNÉES FICTIVES")
    assert wb["Avertissement"]["A3"].value.endswith("l'activité de la ML <b>V</b>.")
    assert not [c for c in _all_cells(wb) if "Moulins" in c]
