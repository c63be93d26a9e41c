"""Data group strategie/: objectives tree and the 18 fiches-action of annex 1."""

import shutil
from pathlib import Path

import pytest
import yaml

from projet_associatif.core.errors import DataError
from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import discover, load, resource


@pytest.fixture(scope="module")
def objectifs():
    return load("objectifs")


@pytest.fixture(scope="module")
def fiches():
    return load("fiches_action")["fiches"]


def _operational(objectifs):
    return [oo for og in objectifs["objectifs_generaux"] for oo in og["objectifs_operationnels"]]


def _strings(value):
    """Yield every string of a nested YAML value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def test_every_resource_of_the_group_loads():
    names = sorted(discover(data_dir() / "strategie"))
    assert names == ["fiches_action", "objectifs"]
    for name in names:
        assert load(name) is not None, name
        assert resource(name).descriptor["sources"], name
        assert resource(name).descriptor["licenses"], name


def test_two_general_and_six_operational_objectives(objectifs):
    generaux = objectifs["objectifs_generaux"]
    assert [og["id"] for og in generaux] == ["OG1", "OG2"]
    oos = _operational(objectifs)
    assert [oo["id"] for oo in oos] == [
        "OG1-OO1",
        "OG1-OO2",
        "OG1-OO3",
        "OG2-OO1",
        "OG2-OO2",
        "OG2-OO3",
    ]
    assert [len(oo["fiches"]) for oo in oos] == [5, 2, 2, 3, 5, 1]
    assert oos[0]["libelle"] == "ALLER VERS"
    assert oos[0]["libelle_lisible"] == "Aller vers"


def test_section_2_order_is_the_reverse_of_section_5(objectifs):
    generaux = objectifs["objectifs_generaux"]
    assert [og["ordre_section_5"] for og in generaux] == [1, 2]
    assert [og["ordre_section_2"] for og in generaux] == [2, 1]
    assert all(og["description"] for og in generaux)


def test_fiche_ids_match_the_objectives_tree_in_order(objectifs, fiches):
    listed = [fiche for oo in _operational(objectifs) for fiche in oo["fiches"]]
    assert [f["id"] for f in fiches] == listed
    assert len(fiches) == 18
    assert [f["numero"] for f in fiches] == list(range(1, 19))
    owner = {fiche: oo["id"] for oo in _operational(objectifs) for fiche in oo["fiches"]}
    assert all(f["objectif_operationnel"] == owner[f["id"]] for f in fiches)


def test_every_fiche_has_steps_and_an_evaluation_row(fiches):
    for fiche in fiches:
        assert fiche["etapes"], fiche["id"]
        evaluation = fiche["evaluation"]
        filled = [evaluation[k] for k in ("quoi", "quand", "qui", "comment")]
        assert any(filled), fiche["id"]


def test_step_numbering_is_kept_as_printed(fiches):
    by_id = {f["id"]: f for f in fiches}
    assert [e["etape"] for e in by_id["espace-jeunes"]["etapes"]] == ["Etape 1", "Etape 3"]
    assert by_id["camion-mobile"]["etapes"][0]["etape"] == "Etape 0"
    assert len(by_id["camion-mobile"]["etapes"][1]["sous_etapes"]) == 4
    assert len(by_id["espace-jeunes"]["etapes"][0]["sous_etapes"]) == 5


def test_newsletter_step_3_keeps_the_duplicated_row(fiches):
    newsletter = next(f for f in fiches if f["id"] == "newsletter")
    step_1 = {k: newsletter["etapes"][0][k] for k in ("quoi", "quand", "qui", "comment")}
    assert newsletter["etapes"][2]["sous_etapes"][1] == step_1


def test_names_and_titles_are_kept_as_printed(fiches):
    by_id = {f["id"]: f for f in fiches}
    assert by_id["reseaux-sociaux"]["coordination"] == "Sékolène PACAUD"
    assert by_id["reseaux-sociaux"]["etapes"][2]["qui"] == "Ségolène PACAUD"
    differing = {f["id"] for f in fiches if f["titre"] != f["titre_sommaire"]}
    assert differing == {
        "permanence-tiers-lieux",
        "vis-ma-vie",
        "inauguration",
        "entreprise-ma-voisine",
        "auteur-de-son-parcours",
        "zone-de-confort",
        "sortir-du-cadre",
    }
    assert by_id["camion-mobile"]["calendrier"].endswith("(mars 2021) ?")
    assert by_id["reseaux-sociaux"]["partenaires"] is None


def test_extraction_artefacts_are_stripped(fiches):
    text = "\n".join(_strings(fiches))
    for artefact in (
        "<p>",
        "<ul",
        "<li>",
        "</",
        "•",
        "➤",
        "✓",
        "▪",
        "^{",
        "Cliquez ici",
        "Retour aux objectifs",
    ):
        assert artefact not in text, artefact


def _copy(name: str, tmp_path: Path) -> Path:
    """Copy a resource (descriptor and file) to tmp_path and return the data file copy."""
    info = resource(name)
    shutil.copy(info.descriptor_path, tmp_path / info.descriptor_path.name)
    return Path(shutil.copy(info.path, tmp_path / info.path.name))


def test_a_fiche_without_titre_is_rejected_with_its_line(tmp_path):
    path = _copy("fiches_action", tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("- id: antennes-permanences")
    titre = next(i for i in range(start, len(lines)) if lines[i].startswith("  titre:"))
    del lines[titre]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("fiches_action", tmp_path)
    [problem] = caught.value.problems
    assert problem.file.endswith("fiches_action.yaml")
    assert problem.row == start + 1
    assert problem.column == "fiches[2]"
    assert "« titre »" in problem.message
    assert "ligne" in str(caught.value)


def test_an_unknown_field_in_a_step_is_rejected_with_its_line(tmp_path):
    path = _copy("fiches_action", tmp_path)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["fiches"][16]["etapes"][1]["budget_eur"] = 1200
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("fiches_action", tmp_path)
    [problem] = caught.value.problems
    assert problem.rule == "additionalProperties"
    assert "budget_eur" in problem.message
    assert problem.column == "fiches[16].etapes[1]"
    step_line = text.splitlines()[problem.row - 1]
    assert step_line.strip() == "- etape: Etape 3"


def test_an_objective_with_a_malformed_id_is_rejected(tmp_path):
    path = _copy("objectifs", tmp_path)
    text = path.read_text(encoding="utf-8").replace("- id: OG2-OO3", "- id: OG2-003")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("objectifs", tmp_path)
    [problem] = caught.value.problems
    assert problem.rule == "pattern"
    assert text.splitlines()[problem.row - 1].strip() == "- id: OG2-003"
