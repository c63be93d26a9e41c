"""Data group valeurs/: the 8 public-service principles, the 1990 charter, part 1 texts."""

import shutil
from pathlib import Path

import pytest

from projet_associatif.core.errors import DataError
from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import discover, load, resource

PRINCIPES = [
    "Egalité d'accès",
    "Egalité de traitement",
    "Equité",
    "Neutralité",
    "Laïcité",
    "Transparence",
    "Continuité",
    "Adaptabilité",
]


@pytest.fixture(scope="module")
def charte():
    return load("charte")


def test_every_resource_of_the_group_loads():
    names = sorted(discover(data_dir() / "valeurs"))
    assert names == ["charte", "valeurs", "valeurs_introduction"]
    for name in names:
        assert load(name) is not None, name
        assert resource(name).descriptor["sources"], name
        assert resource(name).descriptor["licenses"], name


def test_valeurs_lists_the_eight_principles_in_source_order():
    valeurs = load("valeurs")
    assert list(valeurs["principe"]) == PRINCIPES
    assert list(valeurs["ordre"]) == list(range(1, 9))
    assert valeurs["definition"].str.len().min() > 20
    laicite = valeurs.set_index("principe").loc["Laïcité", "definition"]
    assert laicite.startswith("Respecter les opinions politiques")


def test_valeurs_introduction_keeps_the_epigraph():
    intro = load("valeurs_introduction")
    assert "racines profondes" in intro["epigraphe"]
    assert intro["introduction_principes"].endswith("(valeurs) :")


def test_charte_has_eleven_articles_in_four_parts(charte):
    assert charte["titre"] == "Construire ensemble une place pour tous les jeunes"
    assert charte["date_adoption"] == "1990-12-12"
    assert [p["numero"] for p in charte["parties"]] == ["I", "II", "III", "IV"]
    numbers = [a["numero"] for p in charte["parties"] for a in p["articles"]]
    assert numbers == list(range(1, 12))
    assert [len(p["articles"]) for p in charte["parties"]] == [4, 4, 1, 2]
    assert len(charte["principes"]) == 4


def test_charte_article_9_keeps_its_bullet_list_and_paragraphs(charte):
    article_9 = charte["parties"][2]["articles"][0]["texte"]
    bullets = [line for line in article_9.splitlines() if line.startswith("- ")]
    assert len(bullets) == 3
    assert bullets[0] == "- l'émergence de pratiques nouvelles,"
    assert article_9.count("\n\n") >= 3
    article_3 = charte["parties"][0]["articles"][2]["texte"]
    assert len(article_3.split("\n\n")) == 3


def _copy(name: str, tmp_path: Path) -> Path:
    """Copy a resource (descriptor and file) to tmp_path and return the data file copy."""
    info = resource(name)
    shutil.copy(info.descriptor_path, tmp_path / info.descriptor_path.name)
    return Path(shutil.copy(info.path, tmp_path / info.path.name))


def test_charte_rejects_an_unknown_field_naming_file_and_line(tmp_path):
    path = _copy("charte", tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "- numero: 5")
    lines.insert(at + 1, "        resume: article inventé")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("charte", tmp_path)
    [problem] = caught.value.problems
    assert problem.file.endswith("charte.yaml")
    assert problem.row == at + 1
    assert problem.rule == "additionalProperties"
    assert "resume" in problem.message


def test_valeurs_rejects_a_ninth_principle_with_line_number(tmp_path):
    path = _copy("valeurs", tmp_path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("9,Solidarité,Principe absent de la source.\n")
    with pytest.raises(DataError) as caught:
        load("valeurs", tmp_path)
    rules = {(p.row, p.column, p.rule) for p in caught.value.problems}
    assert (10, "ordre", "maximum") in rules
    assert (10, "principe", "enum") in rules
