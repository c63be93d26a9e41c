"""The data door: malformed inputs give clear French errors naming file, line, column, rule."""

from __future__ import annotations

import codecs
import shutil
import textwrap
from pathlib import Path

import pandas as pd
import pytest
import yaml

from projet_associatif.cli.main import main
from projet_associatif.core.paths import data_dir as real_data_dir
from projet_associatif.data import completeness
from projet_associatif.data.package import (
    Completeness,
    DataError,
    Missing,
    MissingData,
    freshness,
    load,
    sources_of,
    state_of,
    validate_all,
)

EPCI_DESCRIPTOR = """
name: epci_test
path: epci.csv
sources: [{title: test, section: test, vintage: "2018"}]
schema:
  fields:
    - {name: code_epci, type: string, constraints: {required: true, pattern: "\\\\d{9}"}}
    - {name: nom, type: string, constraints: {required: true}}
    - {name: type_epci, type: string, constraints: {enum: [CA, CC]}}
    - {name: population, type: integer, constraints: {minimum: 0}}
    - {name: densite_hab_km2, type: number}
    - {name: part_pct, type: number, constraints: {minimum: 0, maximum: 100}}
    - {name: date_reference, type: date}
  primaryKey: [code_epci]
"""

GOOD_EPCI = textwrap.dedent(
    """\
    code_epci,nom,type_epci,population,densite_hab_km2,part_pct,date_reference
    200071140,Moulins Communauté,CA,67972,72,58.7,2018-01-01
    200071496,Bocage Bourbonnais,CC,14030,19.5,12.1,2018-01-01
    """
)

SITES_DESCRIPTOR = """
name: sites_test
path: sites.csv
schema:
  fields:
    - {name: id, type: string}
    - {name: code_epci, type: string}
  primaryKey: [id]
  foreignKeys:
    - {fields: [code_epci], reference: {resource: epci_test, fields: [code_epci]}}
"""

YAML_DESCRIPTOR = """
name: fiches_test
path: fiches.yaml
format: yaml
jsonSchema:
  type: object
  required: [fiches]
  additionalProperties: false
  properties:
    fiches:
      type: array
      items:
        type: object
        required: [id, titre]
        additionalProperties: false
        properties:
          id: {type: string, pattern: "^[a-z-]+$"}
          titre: {type: string}
          numero: {type: integer}
"""

GOOD_YAML = """\
fiches:
  - id: camion-mobile
    titre: CAMION MOBILE
    numero: 1
  - id: espace-jeunes
    titre: ESPACE JEUNES
    numero: 17
"""


def make_package(tmp_path: Path, epci: str | bytes = GOOD_EPCI) -> Path:
    """Write a small data package (2 tables + 1 YAML document) and return its directory."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "epci.resource.yaml").write_text(EPCI_DESCRIPTOR, encoding="utf-8")
    if isinstance(epci, bytes):
        (root / "epci.csv").write_bytes(epci)
    else:
        (root / "epci.csv").write_text(epci, encoding="utf-8")
    (root / "sites.resource.yaml").write_text(SITES_DESCRIPTOR, encoding="utf-8")
    (root / "sites.csv").write_text("id,code_epci\nsiege,200071140\n", encoding="utf-8")
    (root / "fiches.resource.yaml").write_text(YAML_DESCRIPTOR, encoding="utf-8")
    (root / "fiches.yaml").write_text(GOOD_YAML, encoding="utf-8")
    return root


def problems_of(root: Path, name: str = "epci_test"):
    with pytest.raises(DataError) as caught:
        load(name, root)
    return caught.value.problems


def single_problem(root: Path, name: str = "epci_test"):
    problems = problems_of(root, name)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def replace_line(line_no: int, new: str) -> str:
    lines = GOOD_EPCI.splitlines()
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


def test_good_package_loads_typed(tmp_path):
    root = make_package(tmp_path)
    frame = load("epci_test", root)
    assert list(frame["population"]) == [67972, 14030]
    assert str(frame["population"].dtype) == "Int64"
    assert frame["densite_hab_km2"].iloc[1] == pytest.approx(19.5)
    assert frame["date_reference"].iloc[0] == pd.Timestamp("2018-01-01")
    assert frame.attrs["sources"][0]["vintage"] == "2018"
    fiches = load("fiches_test", root)
    assert [f["id"] for f in fiches["fiches"]] == ["camion-mobile", "espace-jeunes"]
    assert all(s.ok for s in validate_all(root))


def test_utf8_bom_is_read_correctly(tmp_path):
    root = make_package(tmp_path, codecs.BOM_UTF8 + GOOD_EPCI.encode())
    assert load("epci_test", root)["code_epci"].iloc[0] == "200071140"


def test_wrong_type_names_line_column_and_type(tmp_path):
    root = make_package(tmp_path, replace_line(3, "200071496,Bocage,CC,beaucoup,19,12,2018-01-01"))
    p = single_problem(root)
    assert (p.file.endswith("epci.csv"), p.row, p.column) == (True, 3, "population")
    assert "beaucoup" in p.message and "entier" in p.message
    assert "ligne 3" in str(p) and "colonne « population »" in str(p)


def test_decimal_comma_is_explained(tmp_path):
    root = make_package(
        tmp_path, replace_line(2, '200071140,Moulins,CA,67972,"72,5",58.7,2018-01-01')
    )
    p = single_problem(root)
    assert p.column == "densite_hab_km2" and "point" in p.message and "15.5" in p.message


def test_spaced_thousands_are_explained(tmp_path):
    root = make_package(tmp_path, replace_line(2, "200071140,Moulins,CA,67 972,72,58.7,2018-01-01"))
    p = single_problem(root)
    assert p.column == "population" and "milliers" in p.message


def test_missing_column(tmp_path):
    text = GOOD_EPCI.replace(",date_reference", "").replace(",2018-01-01", "")
    problems = problems_of(make_package(tmp_path, text))
    assert any(p.column == "date_reference" and "absente" in p.message for p in problems)


def test_unknown_column(tmp_path):
    text = "\n".join(line + ",x" for line in GOOD_EPCI.splitlines()) + "\n"
    text = text.replace("date_reference,x", "date_reference,commentaire", 1)
    problems = problems_of(make_package(tmp_path, text))
    assert any(p.column == "commentaire" and "inconnue" in p.message for p in problems)


def test_unknown_code_in_foreign_key(tmp_path):
    root = make_package(tmp_path)
    (root / "sites.csv").write_text("id,code_epci\nsiege,200071140\nantenne,999999999\n")
    p = single_problem(root, "sites_test")
    assert (p.row, p.column) == (3, "code_epci")
    assert "999999999" in p.message and "epci.csv" in p.message
    assert p.rule == "clé étrangère vers epci_test"


def test_share_above_100_percent(tmp_path):
    root = make_package(tmp_path, replace_line(2, "200071140,Moulins,CA,67972,72,101.5,2018-01-01"))
    p = single_problem(root)
    assert (p.row, p.column, p.rule) == (2, "part_pct", "maximum")
    assert "101.5" in p.message and "100" in p.message


def test_negative_population(tmp_path):
    root = make_package(tmp_path, replace_line(2, "200071140,Moulins,CA,-3,72,58.7,2018-01-01"))
    p = single_problem(root)
    assert (p.row, p.column, p.rule) == (2, "population", "minimum")


def test_duplicate_key(tmp_path):
    text = GOOD_EPCI + "200071140,Doublon,CA,1,1,1,2018-01-01\n"
    p = single_problem(make_package(tmp_path, text))
    assert p.row == 4 and "double" in p.message and "ligne 2" in p.message


def test_bad_date(tmp_path):
    root = make_package(tmp_path, replace_line(2, "200071140,Moulins,CA,67972,72,58.7,01/01/2018"))
    p = single_problem(root)
    assert (p.row, p.column) == (2, "date_reference") and "AAAA-MM-JJ" in p.message


def test_enum_violation(tmp_path):
    root = make_package(
        tmp_path, replace_line(2, "200071140,Moulins,Métropole,67972,72,58.7,2018-01-01")
    )
    p = single_problem(root)
    assert p.rule == "enum" and "CA, CC" in p.message


def test_pattern_violation(tmp_path):
    root = make_package(tmp_path, replace_line(2, "2000711,Moulins,CA,67972,72,58.7,2018-01-01"))
    p = single_problem(root)
    assert (p.column, p.rule) == ("code_epci", "pattern")


CONSTRAINTS_DESCRIPTOR = """
name: contraintes_test
path: contraintes.csv
schema:
  fields:
    - {name: nom, type: string, constraints: {required: true}}
    - {name: code, type: string, constraints: {pattern: "\\\\d{3}"}}
    - {name: sigle, type: string, constraints: {minLength: 2, maxLength: 3}}
    - {name: taux, type: number, constraints: {minimum: 0, maximum: 100}}
"""


def test_each_broken_constraint_has_its_own_french_message(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "contraintes.resource.yaml").write_text(CONSTRAINTS_DESCRIPTOR, encoding="utf-8")
    rows = ["nom,code,sigle,taux", ",123,ML,5", "a,12a,ML,5", "a,123,M,5", "a,123,MLMR,5"]
    rows += ["a,123,ML,-1", "a,123,ML,100.5"]
    (root / "contraintes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    found = [(p.row, p.column, p.rule, p.message) for p in problems_of(root, "contraintes_test")]
    assert found == [
        (2, "nom", "required", "valeur obligatoire manquante"),
        (3, "code", "pattern", "« 12a » ne respecte pas le format attendu (\\d{3})"),
        (4, "sigle", "minLength", "« M » est trop court (au moins 2 caractères)"),
        (5, "sigle", "maxLength", "« MLMR » est trop long (au plus 3 caractères)"),
        (6, "taux", "minimum", "« -1 » est inférieur au minimum autorisé (0)"),
        (7, "taux", "maximum", "« 100.5 » dépasse le maximum autorisé (100)"),
    ]


def test_missing_required_value(tmp_path):
    root = make_package(tmp_path, replace_line(2, "200071140,,CA,67972,72,58.7,2018-01-01"))
    p = single_problem(root)
    assert (p.row, p.column, p.rule) == (2, "nom", "required")


def test_row_too_long(tmp_path):
    root = make_package(
        tmp_path, replace_line(3, "200071496,Bocage, Bourbonnais,CC,14030,19,12,2018-01-01")
    )
    problems = problems_of(root)
    assert any(p.row == 3 and "trop longue" in p.message for p in problems)


def test_blank_row(tmp_path):
    root = make_package(tmp_path, GOOD_EPCI.replace("\n200071496", "\n,,,,,,\n200071496"))
    problems = problems_of(root)
    assert any(p.row == 3 and "vide" in p.message for p in problems)


def test_excel_french_csv_is_rejected_with_the_fix(tmp_path):
    excel = "code_epci;nom;type_epci;population;densite_hab_km2;part_pct;date_reference\r\n"
    excel += "200071140;Moulins Communauté;CA;67972;72,5;58,7;01/01/2018\r\n"
    root = make_package(tmp_path, codecs.BOM_UTF8 + excel.encode("utf-8"))
    p = single_problem(root)
    assert p.row == 1 and "point-virgule" in p.message and "CSV UTF-8" in p.message


def test_windows_1252_is_rejected_with_the_fix(tmp_path):
    root = make_package(tmp_path, GOOD_EPCI.encode("cp1252"))
    p = single_problem(root)
    assert p.row == 2 and "UTF-8" in p.message and "Windows-1252" in p.message
    assert "é" in p.message  # the offending character, decoded as Excel wrote it


def test_empty_file(tmp_path):
    p = single_problem(make_package(tmp_path, ""))
    assert "vide" in p.message


def test_missing_file_is_to_complete_not_an_error(tmp_path):
    root = make_package(tmp_path)
    (root / "epci.csv").unlink()
    with pytest.raises(MissingData) as caught:
        load("epci_test", root)
    assert caught.value.file.endswith("epci.csv") and "à compléter" in str(caught.value)
    summaries = {s.name: s for s in validate_all(root)}
    assert summaries["epci_test"].ok and summaries["epci_test"].state == Completeness.TO_COMPLETE
    # The table pointing into the absent one is not made wrong by it.
    assert summaries["sites_test"].ok and summaries["sites_test"].state == Completeness.FILLED


def test_yaml_syntax_error_names_the_line(tmp_path):
    root = make_package(tmp_path)
    (root / "fiches.yaml").write_text("fiches:\n  - id: a\n    titre: [non fermé\n")
    p = single_problem(root, "fiches_test")
    assert p.file.endswith("fiches.yaml") and p.row in {3, 4} and "YAML" in p.message


def test_yaml_schema_error_names_line_and_path(tmp_path):
    root = make_package(tmp_path)
    broken = GOOD_YAML.replace("    titre: ESPACE JEUNES\n", "").replace("numero: 1", "numero: un")
    (root / "fiches.yaml").write_text(broken)
    problems = problems_of(root, "fiches_test")
    by_column = {p.column: p for p in problems}
    assert by_column["fiches[0].numero"].row == 4
    assert "titre" in by_column["fiches[1]"].message and by_column["fiches[1]"].row == 5


def test_orphan_csv_is_reported(tmp_path):
    root = make_package(tmp_path)
    (root / "oubli.csv").write_text("a,b\n1,2\n")
    summaries = {s.name: s for s in validate_all(root)}
    assert not summaries["oubli"].ok and "descripteur" in str(summaries["oubli"].problems[0])


def test_unknown_resource_lists_known_ones(tmp_path):
    root = make_package(tmp_path)
    with pytest.raises(KeyError, match="epci_test"):
        load("inconnue", root)


def test_cli_validate_reports_and_exits_non_zero(tmp_path, capsys):
    root = make_package(tmp_path, replace_line(2, "200071140,Moulins,CA,67972,72,158.7,2018-01-01"))
    assert main(["validate", "--data-dir", str(root)]) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "ligne 2" in text and "part_pct" in text and "Traceback" not in text
    assert "Complétude du paquet de données" in text  # the checklist is shown all the same


def test_cli_validate_ok(tmp_path, capsys):
    root = make_package(tmp_path)
    assert main(["validate", "--data-dir", str(root)]) == 0
    assert "3/3 ressources valides" in capsys.readouterr().out


def test_every_table_of_the_real_package_validates():
    failures = [str(p) for s in validate_all() for p in s.problems]
    assert failures == []


def test_validation_cache_never_hides_a_change(tmp_path):
    from projet_associatif.data.package import validate_all_cached

    root = make_package(tmp_path)
    cache = tmp_path / "cache"
    assert all(s.ok for s in validate_all_cached(root, cache))
    assert len(list(cache.glob("*.json"))) == 1
    assert all(s.ok for s in validate_all_cached(root, cache))  # served from the cache
    (root / "sites.csv").write_text("id,code_epci\nsiege,999999999\n", encoding="utf-8")
    summaries = {s.name: s for s in validate_all_cached(root, cache)}
    assert "inconnu" in summaries["sites_test"].problems[0].message  # foreign key, re-checked
    (root / "sites.csv").write_text("id,code_epci\nsiege,200071140\n", encoding="utf-8")
    (root / "epci.csv").write_text(replace_line(2, "200071140,Moulins,CA,-3,72,58.7,2018-01-01"))
    summaries = {s.name: s for s in validate_all_cached(root, cache)}
    assert not summaries["epci_test"].ok
    assert summaries["epci_test"].problems[0].rule == "minimum"
    with pytest.raises(DataError):
        load("epci_test", root)


def test_validation_checks_again_only_what_changed(tmp_path, monkeypatch):
    from projet_associatif.data import package as datapackage
    from projet_associatif.data.package import validate_all_cached

    root = make_package(tmp_path)
    cache = tmp_path / "cache"
    validate_all_cached(root, cache)
    checked: list[str] = []
    real = datapackage._validate_one

    def counting(info, data_dir):
        checked.append(info.name)
        return real(info, data_dir)

    monkeypatch.setattr(datapackage, "_validate_one", counting)
    validate_all_cached(root, cache)
    assert checked == []
    (root / "fiches.yaml").write_text(GOOD_YAML.replace("numero: 1\n", "numero: 2\n"))
    validate_all_cached(root, cache)
    assert checked == ["fiches_test"]
    # The table a foreign key points to: its own check and the referring table's again.
    checked.clear()
    epci = (root / "epci.csv").read_text(encoding="utf-8")
    (root / "epci.csv").write_text(epci.replace("58.7", "58.8"), encoding="utf-8")
    validate_all_cached(root, cache)
    assert sorted(checked) == ["epci_test", "sites_test"]


def test_load_trusts_what_the_build_validated_in_exactly_this_state(tmp_path, monkeypatch):
    """A kernel (another process) does not check again a table the build just validated."""
    from projet_associatif.data import package as datapackage
    from projet_associatif.data import validation, validation_record

    root = make_package(tmp_path)
    monkeypatch.setattr(validation_record, "validation_cache", lambda: tmp_path / "cache")
    datapackage.validate_all_cached(root, tmp_path / "cache")
    # As in a fresh process: nothing known from this one.
    monkeypatch.setattr(validation, "_KNOWN_GOOD", set())
    monkeypatch.setattr(validation, "_TABLE_CHECKS", {})
    checked: list[str] = []
    real = validation._check_table

    def counting(info, file):
        checked.append(info.name)
        return real(info, file)

    monkeypatch.setattr(validation, "_check_table", counting)
    assert len(load("epci_test", root)) == 2
    assert checked == []
    (root / "epci.csv").write_text(replace_line(2, "200071140,Moulins,CA,-3,72,58.7,2018-01-01"))
    with pytest.raises(DataError):
        load("epci_test", root)
    assert checked == ["epci_test"]


# --- completeness: « à compléter » and « à actualiser » are not errors -----------------------

HEADER = "code_epci,nom,type_epci,population,densite_hab_km2,part_pct,date_reference\n"


@pytest.fixture
def tolerant(monkeypatch):
    """Turn the notebooks' tolerant mode on for one test only."""
    monkeypatch.setattr(completeness, "_tolerant", False)
    completeness.set_tolerant(True)
    yield
    completeness.set_tolerant(False)


def summaries_of(root: Path) -> dict:
    return {s.name: s for s in validate_all(root)}


def test_header_only_csv_is_to_complete_even_with_a_row_count_rule(tmp_path):
    root = make_package(tmp_path, HEADER)
    descriptor = root / "epci.resource.yaml"
    descriptor.write_text(EPCI_DESCRIPTOR + 'lignes: {exact: 4, selon: "la source"}\n')
    with pytest.raises(MissingData, match="en-tête seule") as caught:
        load("epci_test", root)
    assert caught.value.file.endswith("epci.csv")
    summary = summaries_of(root)["epci_test"]
    assert summary.ok and summary.rows == 0 and summary.state == Completeness.TO_COMPLETE
    assert state_of("epci_test", root) == Completeness.TO_COMPLETE
    # With rows, the same rule is enforced as before.
    (root / "epci.csv").write_text(HEADER + "200071140,Moulins,CA,1,1,1,2018-01-01\n")
    with pytest.raises(DataError) as broken:
        load("epci_test", root)
    assert not isinstance(broken.value, MissingData)
    assert broken.value.problems[0].rule.startswith("lignes")


def test_header_only_csv_with_a_wrong_header_is_still_an_error(tmp_path):
    root = make_package(tmp_path, HEADER.replace("nom,", "nom_epci,"))
    with pytest.raises(DataError) as caught:
        load("epci_test", root)
    assert not isinstance(caught.value, MissingData)
    assert caught.value.problems[0].rule == "colonnes du schéma"


def test_foreign_key_into_an_empty_table_is_not_an_error(tmp_path):
    root = make_package(tmp_path, HEADER)
    assert len(load("sites_test", root)) == 1  # points at 200071140, not in the empty table
    assert summaries_of(root)["sites_test"].ok


@pytest.mark.parametrize("text", ["", "\n", "# à remplir\n", "null\n", "{}\n", "[]\n", "---\n"])
def test_empty_yaml_document_is_to_complete(tmp_path, text):
    root = make_package(tmp_path)
    (root / "fiches.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(MissingData) as caught:
        load("fiches_test", root)
    assert caught.value.file.endswith("fiches.yaml") and "document vide" in caught.value.what
    summary = summaries_of(root)["fiches_test"]
    assert summary.ok and summary.state == Completeness.TO_COMPLETE


def test_a_filled_document_breaking_its_schema_is_still_an_error(tmp_path):
    root = make_package(tmp_path)
    (root / "fiches.yaml").write_text("autre: 1\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("fiches_test", root)
    assert not isinstance(caught.value, MissingData)


def test_tolerant_mode_returns_a_placeholder_naming_the_file(tmp_path, tolerant):
    root = make_package(tmp_path, HEADER)
    table = load("epci_test", root)
    assert isinstance(table, Missing)
    with pytest.raises(MissingData) as caught:
        table["nom"]
    assert caught.value.file.endswith("epci.csv")
    assert len(load("sites_test", root)) == 1  # filled resources load as before
    (root / "epci.csv").write_text(HEADER.replace("nom,", "nom_epci,"))
    with pytest.raises(DataError):  # an invalid resource still raises, even in a notebook
        load("epci_test", root)


def _with_block(root: Path, block: object) -> None:
    path = root / "epci.resource.yaml"
    path.write_text(EPCI_DESCRIPTOR + yaml.safe_dump({"actualisation": block}, allow_unicode=True))


@pytest.mark.parametrize(
    ("block", "column", "words"),
    [
        ("oui", "actualisation", "invalide"),
        ({"statut": "à revoir", "edition": 2026}, "actualisation.statut", "à revoir"),
        ({"edition": 2026}, "actualisation.statut", "statut manquant"),
        ({"statut": "à actualiser", "edition": "2026"}, "actualisation.edition", "en chiffres"),
        ({"statut": "à actualiser", "edition": True}, "actualisation.edition", "en chiffres"),
        ({"statut": "conservé", "edition": 2026}, "actualisation.motif", "motif manquant"),
        ({"statut": "conservé", "edition": 2026, "motif": " "}, "actualisation.motif", "motif"),
        ({"statut": "à actualiser", "edition": 2026, "quand": 1}, "actualisation", "quand"),
    ],
)
def test_a_malformed_actualisation_block_is_a_clear_error(tmp_path, block, column, words):
    root = make_package(tmp_path)
    _with_block(root, block)
    with pytest.raises(DataError) as caught:
        load("epci_test", root)
    problem = caught.value.problems[0]
    assert problem.file.endswith("epci.resource.yaml") and problem.rule == "actualisation"
    assert problem.column == column and words in problem.message
    (root / "epci.csv").unlink()  # an absent file's descriptor is checked all the same
    assert not summaries_of(root)["epci_test"].ok


def test_actualisation_block_gives_the_freshness_and_marks_the_caption_sources(tmp_path):
    root = make_package(tmp_path)
    assert freshness("epci_test", root) == Completeness.FILLED
    plain = sources_of("epci_test", root)
    assert plain == [{"title": "test", "section": "test", "vintage": "2018"}]
    _with_block(root, {"statut": "à actualiser", "edition": 2026})
    assert freshness("epci_test", root) == Completeness.TO_UPDATE
    assert summaries_of(root)["epci_test"].state == Completeness.TO_UPDATE
    assert all(s["à actualiser pour"] == 2026 for s in sources_of("epci_test", root))
    assert load("epci_test", root).attrs["sources"] == sources_of("epci_test", root)
    _with_block(root, {"statut": "conservé", "edition": 2026, "motif": "pas de recensement"})
    assert freshness("epci_test", root) == Completeness.KEPT
    assert sources_of("epci_test", root) == plain
    assert len(load("epci_test", root)) == 2


# --- the validate command on a copied project -------------------------------------------------


@pytest.fixture(scope="module")
def project_with_an_empty_table(tmp_path_factory) -> Path:
    """Copy the real data package and empty its EPCI table (which the sites point into)."""
    root = tmp_path_factory.mktemp("projet") / "data"
    shutil.copytree(real_data_dir(), root, ignore=shutil.ignore_patterns(".cache", "__pycache__"))
    epci = root / "territoire" / "epci.csv"
    epci.write_text(epci.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return root


def test_validate_lists_what_is_to_complete_and_exits_0(project_with_an_empty_table, capsys):
    root = project_with_an_empty_table
    assert main(["validate", "--data-dir", str(root)]) == 0
    out = capsys.readouterr().out
    assert "Complétude du paquet de données" in out
    assert "à compléter" in out and "1 à compléter, 0 à actualiser" in out
    assert "Traceback" not in out


def test_validate_complet_exits_1_on_incomplete_data(project_with_an_empty_table, capsys):
    assert main(["validate", "--complet", "--data-dir", str(project_with_an_empty_table)]) == 1
    assert "--complet" in capsys.readouterr().err


def test_validate_complet_exits_0_on_the_filled_package(tmp_path, capsys):
    root = make_package(tmp_path)
    assert main(["validate", "--complet", "--data-dir", str(root)]) == 0
    assert "3 remplie(s), 0 à compléter, 0 à actualiser" in capsys.readouterr().out


def test_validate_complet_refuses_stale_data_but_not_kept_data(tmp_path, capsys):
    root = make_package(tmp_path)
    _with_block(root, {"statut": "à actualiser", "edition": 2026})
    assert main(["validate", "--data-dir", str(root)]) == 0
    assert main(["validate", "--complet", "--data-dir", str(root)]) == 1
    _with_block(root, {"statut": "conservé", "edition": 2026, "motif": "pas de recensement"})
    assert main(["validate", "--complet", "--data-dir", str(root)]) == 0
    assert "dont 1 conservée(s)" in capsys.readouterr().out
