"""Whole-resource checks on the real package: truncated tables, missing columns, unknown ids.

Each test breaks a copy of ``data/`` the way an analyst could (a table cut down to its
header, a column deleted in a spreadsheet, a misspelt id) and checks what they would see:
an error naming the file, the line or path and the column, a non-zero exit code, no
traceback.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from build_support import fake_render, make_project, run, tree_hashes

from projet_associatif.cli.main import main
from projet_associatif.core.paths import data_dir
from projet_associatif.data import package as datapackage
from projet_associatif.data.integrity import walk
from projet_associatif.data.package import Completeness, DataError, MissingData, discover, load

RESOURCES = discover()
TABLES = sorted(n for n, info in RESOURCES.items() if info.format == "csv")
DOCUMENTS_WITH_LISTS = sorted(
    n for n, info in RESOURCES.items() if info.format != "csv" and info.descriptor.get("lignes")
)


@pytest.fixture
def root(tmp_path) -> Path:
    """Return a copy of the real data package, free to break."""
    return Path(shutil.copytree(data_dir(), tmp_path / "data"))


def alone(tmp_path: Path, name: str) -> Path:
    """Return a package holding a copy of one real resource only (its checks stop before
    looking at other resources when its own file is broken)."""
    info = RESOURCES[name]
    folder = tmp_path / "data" / info.path.parent.name
    folder.mkdir(parents=True)
    shutil.copy(info.descriptor_path, folder / info.descriptor_path.name)
    shutil.copy(info.path, folder / info.path.name)
    return tmp_path / "data"


def problems_of(root: Path, name: str):
    with pytest.raises(DataError) as caught:
        load(name, root)
    return caught.value.problems


def file_of(root: Path, name: str) -> Path:
    return discover(root)[name].path


def cli_validate(root: Path, capsys) -> tuple[int, str]:
    """Run ``validate`` as typed; return its exit code and its output without any whitespace.

    The console wraps long lines anywhere, even inside a path: compare without spaces.
    """
    code = main(["validate", "--data-dir", str(root)])
    out = capsys.readouterr()
    return code, squeeze(out.out + out.err)


def squeeze(text: str) -> str:
    return "".join(text.split())


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def rewrite_document(path: Path, change) -> None:
    """Parse a YAML or JSON document, let ``change`` edit it, write it back."""
    is_json = path.suffix in {".json", ".geojson"}
    text = path.read_text(encoding="utf-8")
    document = json.loads(text) if is_json else yaml.safe_load(text)
    change(document)
    if is_json:
        text = json.dumps(document, ensure_ascii=False, indent=1)
    else:
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


# --- row counts -------------------------------------------------------------------------------


def test_every_descriptor_declares_its_row_count_from_the_source():
    """Every resource says how many rows it needs (the real data satisfies it: checked by
    test_datapackage.py::test_every_table_of_the_real_package_validates)."""
    for name, info in RESOURCES.items():
        declared = info.descriptor.get("lignes")
        assert declared is not None, f"{name} : pas de « lignes » dans son descripteur"
        entries = [declared] if isinstance(declared, dict) else declared
        if info.format == "csv":
            assert isinstance(declared, dict), name
        for entry in entries:
            assert ("exact" in entry) != ("minimum" in entry), (name, entry)
            assert str(entry.get("selon", "")).strip(), f"{name} : « selon » cite la source"
            if info.format != "csv":
                document = datapackage.read_typed(info)
                assert list(walk(document, entry["chemin"])), (name, entry["chemin"])


def test_declared_counts_match_the_sources_words():
    """A few counts the source states in words; the data and its declaration say the same."""
    assert RESOURCES["valeurs"].descriptor["lignes"]["exact"] == 8 == len(load("valeurs"))
    assert RESOURCES["epci"].descriptor["lignes"]["exact"] == 4 == len(load("epci"))
    assert RESOURCES["colleges"].descriptor["lignes"]["exact"] == 4 == len(load("colleges"))
    fiches = RESOURCES["fiches_action"].descriptor["lignes"][0]
    assert (fiches["chemin"], fiches["exact"]) == ("fiches", 18)
    assert len(load("fiches_action")["fiches"]) == 18


@pytest.mark.parametrize("name", TABLES)
def test_a_table_cut_down_to_its_header_is_to_complete_naming_the_file(tmp_path, name):
    """Issue 13: a header-only table is « à compléter » (a new project's), not a broken count;
    ``validate`` lists it and ``--complet`` refuses it."""
    root = alone(tmp_path, name)
    path = file_of(root, name)
    write_rows(path, read_rows(path)[:1])
    with pytest.raises(MissingData) as caught:
        load(name, root)
    assert caught.value.file.endswith(str(path.relative_to(root)))
    [summary] = [s for s in datapackage.validate_all(root) if s.name == name]
    assert summary.ok and summary.state == Completeness.TO_COMPLETE


def test_a_table_missing_some_rows_or_with_too_many_is_an_error(root):
    path = file_of(root, "valeurs")
    rows = read_rows(path)
    write_rows(path, rows[:-1])
    [problem] = problems_of(root, "valeurs")
    assert "7 au lieu de 8" in problem.message and problem.rule == "lignes : exactement 8"
    path = file_of(root, "colleges")
    write_rows(path, [*read_rows(path), ["5", "Collège ajouté", "consultatif"]])
    [problem] = problems_of(root, "colleges")
    assert "5 au lieu de 4" in problem.message and problem.rule == "lignes : exactement 4"


def test_a_minimum_accepts_more_rows_and_refuses_fewer(root):
    path = file_of(root, "historique")
    rows = read_rows(path)
    write_rows(path, rows[:2])
    assert len(load("historique", root)) == 1  # at least one: met
    # One row where two are needed (no row at all is « à compléter », not a broken count).
    descriptor = discover(root)["historique"].descriptor_path
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(
        text.replace("lignes: {minimum: 1, selon:", "lignes: {minimum: 2, selon:")
    )
    [problem] = problems_of(root, "historique")
    assert problem.rule == "lignes : au moins 2"
    assert problem.message.startswith(
        "nombre de lignes de données : 1, il en faut au moins 2 (selon la source : repères datés"
    )
    # Without « selon », nothing is said about the source.
    text = descriptor.read_text(encoding="utf-8")
    start = text.index("lignes: {minimum: 2, selon:")
    end = text.index("\n", start)
    descriptor.write_text(text[:start] + "lignes: {minimum: 2}" + text[end:], encoding="utf-8")
    [problem] = problems_of(root, "historique")
    assert problem.message == (
        "nombre de lignes de données : 1, il en faut au moins 2. Le tableau a-t-il été tronqué "
        "ou des lignes supprimées par erreur ?"
    )
    write_rows(path, rows[:1])
    with pytest.raises(MissingData):
        load("historique", root)


def _empty_declared_lists(document, chemin):
    for node in list(walk(document, chemin)):
        node.value.clear()


@pytest.mark.parametrize("name", DOCUMENTS_WITH_LISTS)
def test_a_document_emptied_of_its_lists_is_an_error_naming_the_path(root, name):
    info = discover(root)[name]
    for entry in info.descriptor["lignes"]:
        shutil.copy(data_dir() / info.path.relative_to(root), info.path)
        document = datapackage.read_typed(info)
        paths = ["".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in n.path).lstrip(".")
                 for n in walk(document, entry["chemin"])]  # fmt: skip
        rewrite_document(info.path, lambda d, c=entry["chemin"]: _empty_declared_lists(d, c))
        problems = problems_of(root, name)
        assert {p.file for p in problems} == {str(info.path)} or all(
            p.file.endswith(info.path.name) for p in problems
        )
        located = {p.column for p in problems}
        assert located & set(paths), (entry["chemin"], [str(p) for p in problems])
        assert all(p.row is not None for p in problems)


def test_a_document_losing_one_item_is_an_error(root):
    path = file_of(root, "fiches_action")
    rewrite_document(path, lambda d: d["fiches"].pop())
    problems = problems_of(root, "fiches_action")
    assert [(p.column, p.rule) for p in problems] == [("fiches", "lignes : exactement 18")]
    assert "17 au lieu de 18" in problems[0].message
    lines = path.read_text(encoding="utf-8").splitlines()
    # The line of the list: its key, or its first item.
    assert "fiches:" in lines[problems[0].row - 2 : problems[0].row]


def test_a_malformed_declaration_names_the_descriptor(root):
    descriptor = discover(root)["colleges"].descriptor_path
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(text.replace("lignes: {exact: 4,", "lignes: {exact: quatre,"), "utf-8")
    [problem] = problems_of(root, "colleges")
    assert problem.file.endswith("colleges.resource.yaml") and problem.rule == "lignes"
    # A document counts named lists: a table's form, without « chemin », is refused.
    descriptor = discover(root)["objectifs"].descriptor_path
    text = descriptor.read_text(encoding="utf-8")
    head, _, _ = text.partition("lignes:\n")
    descriptor.write_text(head + "lignes: {exact: 2, selon: test}\n", encoding="utf-8")
    [problem] = problems_of(root, "objectifs")
    assert problem.file.endswith("objectifs.resource.yaml") and "document" in problem.message


# --- missing columns --------------------------------------------------------------------------

MIDDLE_COLUMNS = [
    ("epci", "nom"),
    ("sites", "commune"),
    ("indicateurs", "nature"),
    ("valeurs", "principe"),
    ("taux_pauvrete", "population"),
    ("atelier_forces_faiblesses", "theme"),
    ("communes", "code_epci"),
]


@pytest.mark.parametrize(("name", "column"), MIDDLE_COLUMNS)
def test_a_column_deleted_in_the_middle_is_named_once(tmp_path, name, column):
    root = alone(tmp_path, name)
    path = file_of(root, name)
    rows = read_rows(path)
    at = rows[0].index(column)
    assert 0 < at < len(rows[0]) - 1  # really in the middle
    write_rows(path, [r[:at] + r[at + 1 :] for r in rows])
    problems = problems_of(root, name)
    assert [(p.row, p.column, p.rule) for p in problems] == [(1, column, "colonnes du schéma")]
    assert "absente" in problems[0].message and rows[0][at - 1] in problems[0].message
    assert problems[0].file.endswith(path.name)


def test_two_deleted_columns_are_each_named_and_nothing_else(root):
    path = file_of(root, "epci")
    rows = read_rows(path)
    keep = [i for i, name in enumerate(rows[0]) if name not in {"nom", "population"}]
    write_rows(path, [[r[i] for i in keep] for r in rows])
    problems = problems_of(root, "epci")
    assert [p.column for p in problems] == ["nom", "population"]


def test_a_renamed_column_is_named_missing_and_unknown_with_the_close_match(root):
    path = file_of(root, "sites")
    rows = read_rows(path)
    rows[0] = ["comune" if c == "commune" else c for c in rows[0]]
    write_rows(path, rows)
    problems = problems_of(root, "sites")
    assert [(p.column, p.rule) for p in problems] == [
        ("commune", "colonnes du schéma"),
        ("comune", "colonnes du schéma"),
    ]
    assert "vouliez-vous dire « commune » ?" in problems[1].message


def test_columns_in_another_order_are_one_error(root):
    path = file_of(root, "colleges")
    rows = read_rows(path)
    write_rows(path, [[r[1], r[0], *r[2:]] for r in rows])
    [problem] = problems_of(root, "colleges")
    assert problem.row == 1 and "ordre" in problem.message


# --- cross-references in documents ------------------------------------------------------------


def _set(path_parts, value):
    def change(document):
        node = document
        for part in path_parts[:-1]:
            node = node[part]
        node[path_parts[-1]] = value

    return change


CROSS_REFERENCES = [
    # (resource, path in the document, wrong value, expected path, close match or None)
    ("correspondances", ["correspondances", 3, "fiche"], "reseau-sociaux",
     "correspondances[3].fiche", "reseaux-sociaux"),
    ("correspondances", ["correspondances", 0, "faiblesses", 3, "element"], "public-ameliorer-4",
     "correspondances[0].faiblesses[3].element", "public-ameliorer-04"),
    ("correspondances", ["correspondances", 0, "faiblesses", 0, "elements", 1],
     "territoire-ameliorer-13", "correspondances[0].faiblesses[0].elements[1]", None),
    ("correspondances", ["correspondances", 0, "faiblesses", 1, "theme"],
     "Maillage du territoir", "correspondances[0].faiblesses[1].theme", "Maillage du territoire"),
    ("correspondances", ["correspondances", 0, "menaces", 0, "menace"], "M70",
     "correspondances[0].menaces[0].menace", None),
    ("correspondances", ["correspondances", 0, "menaces", 0, "menace"], "O1",
     "correspondances[0].menaces[0].menace", None),
    ("swot_externe", ["elements", 0, "preuves", 0, "resource"], "chiffre_cles",
     "elements[0].preuves[0].resource", "chiffres_cles"),
    ("swot_externe", ["elements", 0, "preuves", 0, "champ"], "valeurs",
     "elements[0].preuves[0].champ", "valeur"),
    ("swot_externe", ["elements", 0, "preuves", 0, "cle"], "cc_partagee",
     "elements[0].preuves[0].cle", "cc_partagees"),
    ("fiches_action", ["fiches", 5, "objectif_operationnel"], "OG1-OO7",
     "fiches[5].objectif_operationnel", None),
    ("objectifs", ["objectifs_generaux", 1, "objectifs_operationnels", 0, "fiches", 2],
     "cuisinon-ensemble", "objectifs_generaux[1].objectifs_operationnels[0].fiches[2]",
     "cuisinons-ensemble"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "where", "wrong", "expected", "match"), CROSS_REFERENCES)
def test_an_unknown_id_in_a_document_names_file_path_value_and_close_match(
    root, name, where, wrong, expected, match
):
    path = file_of(root, name)
    rewrite_document(path, _set(where, wrong))
    problems = problems_of(root, name)
    assert [p.column for p in problems] == [expected], [str(p) for p in problems]
    [problem] = problems
    assert problem.file.endswith(path.name)
    assert f"« {wrong} »" in problem.message
    if match:
        assert f"vouliez-vous dire « {match} »" in problem.message
    lines = path.read_text(encoding="utf-8").splitlines()
    assert wrong in lines[problem.row - 1]


WHERE_LOOKED_FOR = [
    # (path in correspondances, wrong value, the message after the root folder)
    (["correspondances", 0, "menaces", 0, "menace"], "M70",
     "« M70 » est inconnu dans {root}/analyse/swot_externe.yaml (chemin elements[*].id, parmi "
     "les éléments où type = menace) — vouliez-vous dire « M7 » ?"),
    (["correspondances", 0, "faiblesses", 3, "element"], "public-ameliorer-4",
     "« public-ameliorer-4 » est inconnu dans {root}/analyse/atelier_forces_faiblesses.csv "
     "(colonne id, parmi les lignes où categorie = point à améliorer, theme = (vide)) — "
     "vouliez-vous dire « public-ameliorer-04 » ?"),
    (["correspondances", 3, "fiche"], "reseau-sociaux",
     "« reseau-sociaux » est inconnu dans {root}/strategie/fiches_action.yaml (chemin "
     "fiches[*].id) — vouliez-vous dire « reseaux-sociaux » ?"),
    # Unknown everywhere, though checked with its « domaine »: unknown, not « pas avec ».
    (["correspondances", 0, "faiblesses", 1, "theme"], "Maillage du territoir",
     "« Maillage du territoir » est inconnu dans {root}/analyse/atelier_forces_faiblesses.csv "
     "(colonne theme, parmi les lignes où categorie = point à améliorer) — vouliez-vous dire "
     "« Maillage du territoire » ?"),
]  # fmt: skip


@pytest.mark.parametrize(("where", "wrong", "message"), WHERE_LOOKED_FOR)
def test_an_unknown_id_says_where_it_was_looked_for(root, where, wrong, message):
    """The target's file, its column or path, and the filter that narrowed it, word for word."""
    rewrite_document(file_of(root, "correspondances"), _set(where, wrong))
    [problem] = problems_of(root, "correspondances")
    assert problem.message == message.format(root=root)
    target = message.split("/")[-1].split(".")[0]
    assert problem.rule == f"renvoi vers {target}"


def test_an_item_outside_its_theme_says_which_theme(root):
    path = file_of(root, "correspondances")
    # territoire-ameliorer-13 exists, but in « Maillage du territoire », not in « Motilité … ».
    rewrite_document(path, _set(["correspondances", 0, "faiblesses", 0, "elements", 1],
                                "territoire-ameliorer-13"))  # fmt: skip
    [problem] = problems_of(root, "correspondances")
    assert "mais pas avec" in problem.message and "Motilité / mobilité / logement" in (
        problem.message
    )


def test_a_multi_column_row_selector_is_checked_column_by_column(root):
    path = file_of(root, "swot_externe")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    m1 = next(e for e in document["elements"] if e["id"] == "M1")
    at = next(i for i, p in enumerate(m1["preuves"]) if isinstance(p.get("cle"), dict))
    index = document["elements"].index(m1)
    rewrite_document(path, _set(["elements", index, "preuves", at, "cle", "periode"], "2018-T5"))
    [problem] = problems_of(root, "swot_externe")
    assert problem.column == f"elements[{index}].preuves[{at}].cle.periode"
    assert "2018-T5" in problem.message and "taux_chomage.csv" in problem.message


def test_a_table_column_pointing_at_a_document_is_checked(root):
    """indicateurs.fiche → fiches_action: a fiche removed from the document is caught."""
    path = file_of(root, "fiches_action")
    rewrite_document(path, lambda d: d["fiches"][1].update(id="permanence-tiers-lieu"))
    problems = problems_of(root, "indicateurs")
    assert problems and {p.column for p in problems} == {"fiche"}
    assert all("permanence-tiers-lieux" in p.message for p in problems)
    assert "vouliez-vous dire « permanence-tiers-lieu » ?" in problems[0].message


def test_a_renvoi_to_an_unknown_resource_names_the_descriptor(root):
    descriptor = discover(root)["objectifs"].descriptor_path
    text = descriptor.read_text(encoding="utf-8")
    descriptor.write_text(text.replace("ressource: fiches_action", "ressource: fiche_action"))
    [problem] = problems_of(root, "objectifs")
    assert problem.file.endswith("objectifs.resource.yaml")
    assert "vouliez-vous dire « fiches_action » ?" in problem.message


def test_the_validation_record_does_not_hide_a_changed_target(root, tmp_path):
    """The record keys a document on the files it points at: changing one re-checks it."""
    cache = tmp_path / "cache"
    assert all(s.ok for s in datapackage.validate_all_cached(root, cache))
    rewrite_document(file_of(root, "fiches_action"), lambda d: d["fiches"][3].update(id="rs"))
    summaries = {s.name: s for s in datapackage.validate_all_cached(root, cache)}
    assert not summaries["correspondances"].ok
    assert not summaries["objectifs"].ok and not summaries["indicateurs"].ok


def test_the_validation_record_is_keyed_on_every_validating_module():
    """Every module the door imports, directly or through another, is in the record's key."""
    package_dir = Path(datapackage.__file__).parents[1]

    def imports_of(module: str) -> set[str]:
        tree = ast.parse((package_dir / module).read_text(encoding="utf-8"))
        found = set()
        for node in ast.walk(tree):  # function-local imports (start-up costs) count too
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "projet_associatif."
            ):
                base = node.module.removeprefix("projet_associatif.").replace(".", "/")
                for alias in node.names:  # ``from package import module`` names a module too
                    name = f"{base}/{alias.name}.py"
                    found.add(name if (package_dir / name).is_file() else f"{base}.py")
        return found

    # cache and paths hold no rule.
    outside_the_key = {"data/cache.py", "core/paths.py"}
    seen, todo = set(), ["data/package.py"]
    while todo:
        module = todo.pop()
        if module in seen or module in outside_the_key:
            continue
        seen.add(module)
        todo += sorted(imports_of(module))
    assert {"data/integrity.py", "data/validation.py", "data/messages.py"} <= seen
    assert seen <= set(datapackage.VALIDATING_MODULES), seen - set(datapackage.VALIDATING_MODULES)


def test_cli_validate_reports_each_class_once_with_exit_code_1(root, capsys):
    """As typed: a truncated table, a deleted column and an unknown fiche, in one package."""
    sites = file_of(root, "sites")
    write_rows(sites, read_rows(sites)[:2])
    indicateurs = file_of(root, "indicateurs")
    rows = read_rows(indicateurs)
    at = rows[0].index("sens")
    write_rows(indicateurs, [r[:at] + r[at + 1 :] for r in rows])
    path = file_of(root, "correspondances")
    rewrite_document(path, _set(["correspondances", 0, "fiche"], "camion-mobil"))
    code, text = cli_validate(root, capsys)
    assert code == 1
    assert squeeze("3 erreur(s) dans les données") in text and "Traceback" not in text
    assert squeeze("territoire/sites.csv : nombre de lignes de données : 1 au lieu de 12") in text
    assert (
        squeeze("evaluation/indicateurs.csv, ligne 1, colonne « sens » : colonne absente") in text
    )
    assert squeeze("analyse/correspondances.yaml, ligne") in text
    assert squeeze("colonne « correspondances[0].fiche » : « camion-mobil » est inconnu") in text
    assert squeeze("vouliez-vous dire « camion-mobile » ?") in text


# --- bounds: below the minimum is not « above the maximum » ------------------------------------


BOUNDED_CELLS = [
    # (table, column, value below minimum, value above maximum or None)
    ("epci", "population", "-5", None),
    ("taux_chomage", "taux_pct", "-1", "101"),
    ("communes", "latitude_mairie", "-91", "91"),
]


@pytest.mark.parametrize(("name", "column", "low", "high"), BOUNDED_CELLS)
def test_out_of_bounds_cells_say_which_bound(root, name, column, low, high):
    path = file_of(root, name)
    rows = read_rows(path)
    at = rows[0].index(column)
    for value, bound, words, not_words in [
        (low, "minimum", "inférieur au minimum", "dépasse"),
        (high, "maximum", "dépasse le maximum", "inférieur"),
    ]:
        if value is None:
            continue
        changed = [list(r) for r in rows]
        changed[2][at] = value
        write_rows(path, changed)
        [problem] = problems_of(root, name)
        assert (problem.row, problem.column, problem.rule) == (3, column, bound)
        assert words in problem.message and not_words not in problem.message
        assert f"« {value} »" in problem.message


def test_out_of_bounds_document_values_say_which_bound(root):
    path = file_of(root, "objectifs")
    for value, bound, words, not_words in [
        (0, "minimum", "inférieur au minimum autorisé (1)", "dépasse"),
        (3, "maximum", "dépasse le maximum autorisé (2)", "inférieur"),
    ]:
        shutil.copy(data_dir() / "strategie" / "objectifs.yaml", path)
        rewrite_document(path, _set(["objectifs_generaux", 0, "ordre_section_2"], value))
        problems = problems_of(root, "objectifs")
        mine = [p for p in problems if p.column == "objectifs_generaux[0].ordre_section_2"]
        assert [p.rule for p in mine] == [bound]
        assert words in mine[0].message and not_words not in mine[0].message


# --- through the build: a failed validation never touches the published report ----------------


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The build tests' tiny project, plus a row count, a 3-column table and a document."""
    from projet_associatif.core.paths import ROOT_ENV, project_root
    from projet_associatif.pipeline import build as build_module

    root = make_project(tmp_path / "projet")
    mesures = root / "data" / "a" / "mesures.resource.yaml"
    descriptor = yaml.safe_load(mesures.read_text(encoding="utf-8"))
    descriptor["lignes"] = {"minimum": 2, "selon": "test : deux mesures"}
    mesures.write_text(yaml.safe_dump(descriptor, allow_unicode=True), encoding="utf-8")
    folder = root / "data" / "c"
    folder.mkdir()
    (folder / "lieux.csv").write_text("code,nom,valeur\nx,Moulins,1\ny,Yzeure,2\n", "utf-8")
    fields = [{"name": n, "type": t} for n, t in [("code", "string"), ("nom", "string"),
                                                  ("valeur", "integer")]]  # fmt: skip
    (folder / "lieux.resource.yaml").write_text(
        yaml.safe_dump({"name": "lieux", "path": "lieux.csv", "format": "csv",
                        "schema": {"fields": fields}, "lignes": {"exact": 2, "selon": "test"}}),
        encoding="utf-8",
    )  # fmt: skip
    (folder / "liens.yaml").write_text("liens:\n  - code: x\n  - code: y\n", encoding="utf-8")
    (folder / "liens.resource.yaml").write_text(
        yaml.safe_dump({
            "name": "liens", "path": "liens.yaml", "format": "yaml",
            "jsonSchema": {"type": "object", "required": ["liens"]},
            "lignes": [{"chemin": "liens", "minimum": 1, "selon": "test"}],
            "renvois": [{"chemin": "liens[*].code", "ressource": "mesures", "champ": "code"}],
        }),
        encoding="utf-8",
    )  # fmt: skip
    monkeypatch.setenv(ROOT_ENV, str(root))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project_root.cache_clear()
    monkeypatch.setattr(build_module, "_render", fake_render)
    yield root
    project_root.cache_clear()


@pytest.mark.slow
def test_a_failed_validation_leaves_the_published_book_byte_identical(project):
    run()
    book = project / "_book" / "projet-2020"
    before = tree_hashes(book)
    assert before
    data = project / "data"
    originals = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    breakages = [
        # (file, broken content, what the error names)
        (data / "a" / "mesures.csv", "code,valeur\nx,1\n",
         ["data/a/mesures.csv", "1, il en faut au moins 2"]),
        (data / "c" / "lieux.csv", "code,valeur\nx,1\ny,2\n",
         ["data/c/lieux.csv, ligne 1, colonne « nom »", "absente"]),
        (data / "c" / "liens.yaml", "liens:\n  - code: x\n  - code: z\n",
         ["data/c/liens.yaml, ligne 3, colonne « liens[1].code »", "« z » est inconnu"]),
    ]  # fmt: skip
    for path, broken, words in breakages:
        path.write_text(broken, encoding="utf-8")
        # A change that a successful build would publish: it must not appear.
        (data / "b" / "autres.csv").write_text("code,valeur\nz,99\n", encoding="utf-8")
        with pytest.raises(DataError) as caught:
            run()
        assert len(caught.value.problems) == 1, caught.value.render()
        assert all(w in str(caught.value.problems[0]) for w in words), caught.value.render()
        assert tree_hashes(book) == before
        assert not list((project / "build" / "projet-2020").glob("staging-*"))
        for original, content in originals.items():
            original.write_bytes(content)
