"""Data group analyse/: the July 2019 World Café tables (part 4) and their loose notes."""

import shutil
from pathlib import Path

import pytest

from projet_associatif.core.errors import DataError
from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import discover, load, resource

DOMAINES = [
    "Les besoins auxquels on répond",
    "Le territoire",
    "Le public",
    "Ressources humaines",
    "Ressources financières",
    "Moyens mobilisés",
]


@pytest.fixture(scope="module")
def atelier():
    return load("atelier_forces_faiblesses")


def test_every_resource_of_the_group_loads():
    names = sorted(discover(data_dir() / "analyse"))
    assert names == [
        "analyse_introduction",
        "atelier_forces_faiblesses",
        "atelier_notes",
        "correspondances",
        "swot_externe",
    ]
    for name in names:
        assert load(name) is not None, name
        assert resource(name).descriptor["sources"], name
        assert resource(name).descriptor["licenses"], name


def test_six_domains_each_with_strengths_and_weaknesses(atelier):
    assert list(dict.fromkeys(atelier["domaine"])) == DOMAINES
    counts = atelier.groupby(["domaine", "categorie"]).size()
    for domaine in DOMAINES:
        assert counts.loc[(domaine, "atout")] >= 1, domaine
        assert counts.loc[(domaine, "point à améliorer")] >= 1, domaine


def test_rows_follow_the_source_order(atelier):
    assert list(atelier["ordre"]) == list(range(1, len(atelier) + 1))
    first = atelier.iloc[0]
    assert (first["theme"], first["element"]) == ("Expertise", "Personnel qualifié")
    within = atelier.groupby("domaine", sort=False)["categorie"].apply(list)
    for categories in within:
        # atouts first, then points à améliorer, inside each domain
        assert categories == sorted(categories, key=lambda c: c != "atout")


def test_themes_group_the_items_as_reconstructed(atelier):
    def items(domaine, categorie, theme):
        rows = atelier[
            (atelier["domaine"] == domaine)
            & (atelier["categorie"] == categorie)
            & (atelier["theme"] == theme)
        ]
        return list(rows["element"])

    assert (
        items("Le territoire", "atout", "Maillage")[-1] == "Présence de 2 antennes et 6 permanences"
    )
    assert len(items("Ressources financières", "point à améliorer", "Conséquences")) == 2
    public_weaknesses = atelier[
        (atelier["domaine"] == "Le public") & (atelier["categorie"] == "point à améliorer")
    ]
    assert public_weaknesses["theme"].isna().all()
    assert "La confiance en soi" in set(public_weaknesses["element"])


def test_loose_notes_are_kept():
    notes = load("atelier_notes")
    texts = set(notes["texte"])
    assert "FUSION REGION" in texts
    assert "Sans financement pas de Mission Locale" in texts
    assert "Diversité des personnalités des conseillers" in texts
    assert any(t.startswith("égocentré malléable") for t in texts)
    assert set(notes["domaine"]) <= set(DOMAINES)


def test_analyse_introduction_names_the_workshop():
    intro = load("analyse_introduction")
    assert intro["atelier"]["mois"] == "2019-07"
    assert "World Café" in intro["legende_tableaux"]


def test_a_wrong_category_is_reported_with_row_and_column(tmp_path):
    info = resource("atelier_forces_faiblesses")
    shutil.copy(info.descriptor_path, tmp_path / info.descriptor_path.name)
    path = Path(shutil.copy(info.path, tmp_path / info.path.name))
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",atout,", ",force,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("atelier_forces_faiblesses", tmp_path)
    [problem] = caught.value.problems
    assert problem.file.endswith("atelier_forces_faiblesses.csv")
    assert (problem.row, problem.column, problem.rule) == (4, "categorie", "enum")
