"""data/contexte: the socio-economic tables of part 3, as printed, checked against themselves."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import DataError, load, resource

TABLES = [
    "niveau_formation_demandeurs",
    "taux_chomage",
    "taux_chomage_evolutions",
    "taux_pauvrete",
    "rsa_demandeurs",
]


@pytest.mark.parametrize("name", TABLES)
def test_table_loads_with_every_schema_field(name):
    frame = load(name)
    info = resource(name)
    assert info.path.parent == data_dir() / "contexte"
    assert list(frame.columns) == [f["name"] for f in info.fields]
    assert len(frame) > 0
    assert frame["source_externe"].notna().all()


@pytest.mark.parametrize("name", TABLES)
def test_primary_key_is_unique(name):
    frame = load(name)
    key = resource(name).descriptor["schema"]["primaryKey"]
    assert not frame.duplicated(subset=key).any()


@pytest.mark.parametrize("name", TABLES)
def test_descriptor_cites_page_7_and_a_vintage(name):
    sources = resource(name).descriptor["sources"]
    assert sources[0]["page"] == 7
    assert all(s.get("vintage") for s in sources)


def test_education_levels_as_printed():
    levels = load("niveau_formation_demandeurs")
    totals = levels.groupby("territoire")["part_pct"].sum().to_dict()
    # Kept as printed: the Allier column adds up to 101.
    assert totals == {"Allier": 101, "Auvergne-Rhône-Alpes": 100}
    allier = levels[levels["territoire"] == "Allier"].sort_values("ordre")
    assert allier["niveau"].tolist()[0] == "Bac +3 ou 4"
    assert allier["part_pct"].tolist() == [8, 10, 20, 44, 7, 12]
    assert (levels["periode"] == "2018-06").all()


def test_unemployment_evolutions_match_the_quarterly_rates():
    rates = load("taux_chomage").pivot(index="territoire", columns="periode", values="taux_pct")
    stated = load("taux_chomage_evolutions").set_index("territoire")
    assert rates.loc["Allier"].tolist() == [7.1, 10.1, 9.4, 9.8]
    annual = rates["2018-T1"] - rates["2017-T1"]
    decade = rates["2018-T1"] - rates["2008-T2"]
    for territory in stated.index:
        assert stated.loc[territory, "evolution_annuelle_points"] == pytest.approx(
            annual[territory]
        )
        assert stated.loc[territory, "evolution_2008_2018_points"] == pytest.approx(
            decade[territory]
        )


def test_poverty_rates_and_the_under_30_attachment():
    poverty = load("taux_pauvrete").set_index("id")
    assert poverty.loc["allier_ensemble", "taux_pct"] == 15.5
    assert poverty.loc["ara_ensemble", "taux_pct"] == 12.8
    assert poverty.loc["france_metropolitaine_ensemble", "taux_pct"] == 14.3
    assert poverty.loc["moulins_ensemble", "taux_pct"] == 21.4
    assert "Montluçon" in poverty.loc["moulins_ensemble", "libelle"]
    young = poverty.loc["allier_moins_30_ans"]
    assert (young["territoire"], young["population"], young["taux_pct"]) == (
        "Allier",
        "moins de 30 ans",
        26.6,
    )
    assert "contexte" in young["note"]
    assert (poverty["annee"] == 2015).all()


def test_rsa_table_as_printed():
    rsa = load("rsa_demandeurs").set_index("territoire")
    assert rsa["defm_brsa_nombre"].to_dict() == {
        "Allier": 5230,
        "Auvergne-Rhône-Alpes": 83950,
        "France": 876740,
    }
    assert rsa.loc["Allier", "part_rsa_defm_pct"] == 18.4
    assert rsa["evolution_part_points"].tolist() == [0.6, -0.2, -0.1]
    assert (rsa["periode"] == "2018-T2").all()


def test_percentage_above_100_is_rejected(tmp_path: Path):
    info = resource("niveau_formation_demandeurs")
    shutil.copy(info.descriptor_path, tmp_path / info.descriptor_path.name)
    text = info.path.read_text(encoding="utf-8").replace(
        "BEP CAP,Allier,44,", "BEP CAP,Allier,144,"
    )
    (tmp_path / info.path.name).write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("niveau_formation_demandeurs", tmp_path)
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.rule) == (5, "part_pct", "maximum")
