"""data/association: income 2019, governance, history and the prose lists of part 3."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import DataError, load, resource

TABLES = [
    "produits_2019",
    "colleges",
    "historique",
    "besoins_salaries",
    "besoins_partenaires",
    "besoins_publics",
    "moyens",
]

AMOUNTS = ["reprise_fonds_dedies_2018_eur", "subvention_2019_eur", "total_2019_eur"]


@pytest.mark.parametrize("name", TABLES)
def test_table_loads_with_every_schema_field(name):
    frame = load(name)
    info = resource(name)
    assert info.path.parent == data_dir() / "association"
    assert list(frame.columns) == [f["name"] for f in info.fields]
    assert len(frame) > 0


@pytest.mark.parametrize("name", TABLES)
def test_primary_key_is_unique(name):
    frame = load(name)
    key = resource(name).descriptor["schema"]["primaryKey"]
    assert not frame.duplicated(subset=key).any()


def test_income_totals_as_printed():
    income = load("produits_2019").set_index("id")
    assert income.loc["total_subventions", "total_2019_eur"] == 1637478
    assert income.loc["total_produits", "total_2019_eur"] == 1756332
    assert income.loc["total_produits", "subvention_2019_eur"] == 1592745
    assert income.loc["etat", AMOUNTS].tolist() == [148587, 705004, 853591]
    assert len(income) == 12


def test_income_funder_rows_add_up_to_the_stated_subsidy_total():
    # A transcription check: a mistyped amount breaks the source's own arithmetic.
    income = load("produits_2019").set_index("id")
    funders = income[income["type_ligne"] == "financeur"]
    assert len(funders) == 6
    for column in AMOUNTS:
        assert funders[column].sum() == income.loc["total_subventions", column]


def test_income_empty_cells_stay_empty():
    income = load("produits_2019").set_index("id")
    assert income.loc["reprise_provisions", AMOUNTS].isna().all()
    assert pd.isna(income.loc["total_produits", "reprise_fonds_dedies_2018_eur"])
    assert income["reprise_fonds_dedies_2018_eur"].notna().sum() == 3


def test_four_colleges_one_consultative():
    colleges = load("colleges")
    assert len(colleges) == 4
    consultative = colleges[colleges["voix"] == "consultatif"]["college"].tolist()
    assert consultative == ["Collège des administrations"]


def test_history_dates_match_their_precision_and_order():
    history = load("historique").set_index("id")
    lengths = {"année": 4, "mois": 7, "jour": 10}
    for event, row in history.iterrows():
        assert len(row["date"]) == lengths[row["precision"]], event
    years = history["date"].str[:4].tolist()
    assert years == sorted(years)
    assert history.loc["charte_1990", "date"] == "1990-12-12"
    assert history.loc["loi_19_decembre_1989", "date"] == "1989-12-19"
    assert history.loc["paio_moulins", ["date", "date_fin"]].tolist() == ["1982", "1992"]
    assert history.loc["naissance_ml_moulins", "date"] == "1992"
    assert history.loc["decoupage_epci_2017", "date"] == "2017-01-01"
    assert history.loc["world_cafe", "date"] == "2019-07"


def test_staff_needs_in_source_order():
    needs = load("besoins_salaries")
    assert needs["verbe"].tolist() == ["S'OUTILLER", "EVOLUER", "OBTENIR", "EVOLUER", "DISPOSER"]


def test_partner_needs_by_category():
    needs = load("besoins_partenaires")
    counts = needs.groupby("categorie_id", sort=False).size().to_dict()
    assert counts == {
        "financeurs": 4,
        "intercommunalites": 5,
        "entreprises": 6,
        "formation_emploi_education": 3,
        "acteurs_sociaux": 2,
    }
    assert set(needs["page"]) == {21, 22}
    # Verbs are printed in capitals, joined by a lowercase "et" (CONSTRUIRE et ADAPTER).
    words = needs["verbe"].str.replace(" et ", " ").str.replace(" ", "")
    assert words.str.isupper().all()


def test_public_needs_seven_kinds():
    needs = load("besoins_publics")
    kinds = needs.drop_duplicates("besoin_id").sort_values("besoin_ordre")
    assert kinds["besoin"].tolist() == [
        "Besoin d'orientation et de formation",
        "Besoin d'emploi",
        "Besoin de remobilisation",
        "Besoins primaires",
        "Besoins secondaires",
        "Besoin de soutien dans les démarches",
        "Besoin d'accompagnement à l'insertion",
    ]
    # Primary and secondary needs are printed without a verb.
    verbless = needs[needs["verbe"].isna()]["besoin_id"].unique().tolist()
    assert verbless == ["primaires", "secondaires"]


def test_means_categories_and_logistics():
    means = load("moyens")
    assert means.drop_duplicates("categorie_id")["categorie_id"].tolist() == [
        "materiels",
        "financiers",
        "logistique",
        "partenariat",
        "offres_service",
        "humains",
    ]
    logistics = means[means["categorie_id"] == "logistique"].set_index("rubrique")
    assert "Maison d'Arrêt" in logistics.loc["Permanences", "element"]
    assert len(means[means["categorie_id"] == "offres_service"]) == 6


def test_unknown_line_type_is_rejected(tmp_path: Path):
    info = resource("produits_2019")
    shutil.copy(info.descriptor_path, tmp_path / info.descriptor_path.name)
    text = info.path.read_text(encoding="utf-8").replace(",Etat,financeur,", ",Etat,financeurs,")
    (tmp_path / info.path.name).write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("produits_2019", tmp_path)
    [problem] = caught.value.problems
    assert (problem.row, problem.column, problem.rule) == (2, "type_ligne", "enum")
