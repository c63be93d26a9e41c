"""data/territoire: the EPCI, the reception sites and the key figures of part 3, as printed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import DataError, load, resource

TABLES = ["epci", "sites", "chiffres_cles"]


def _copy(tmp_path: Path, *names: str) -> Path:
    """Copy resources (descriptor + CSV) into a scratch data directory and return it."""
    for name in names:
        info = resource(name)
        shutil.copy(info.descriptor_path, tmp_path / info.descriptor_path.name)
        shutil.copy(info.path, tmp_path / info.path.name)
    return tmp_path


@pytest.mark.parametrize("name", TABLES)
def test_table_loads_with_every_schema_field(name):
    frame = load(name)
    info = resource(name)
    assert info.path.parent == data_dir() / "territoire"
    assert list(frame.columns) == [f["name"] for f in info.fields]
    assert len(frame) > 0


@pytest.mark.parametrize("name", TABLES)
def test_primary_key_is_unique_and_complete(name):
    frame = load(name)
    key = resource(name).descriptor["schema"]["primaryKey"]
    assert not frame[key].isna().any().any()
    assert not frame.duplicated(subset=key).any()


@pytest.mark.parametrize("name", TABLES)
def test_descriptor_cites_the_source_with_pages(name):
    sources = resource(name).descriptor["sources"]
    main = [s for s in sources if s["title"].startswith("Projet associatif 2020")]
    assert main, "la source principale doit être citée"
    assert any(s.get("page") == 7 for s in main)
    assert all(s.get("vintage") for s in sources)


def test_epci_populations_and_codes_as_printed():
    epci = load("epci").set_index("code_epci")
    assert epci["population"].to_dict() == {
        "200071140": 67972,
        "200071496": 14030,
        "200071389": 34321,
        "200071470": 25500,
    }
    assert epci.loc["200071140", "type_epci"] == "CA"
    assert (epci.drop(index="200071140")["type_epci"] == "CC").all()
    assert epci["communes_nombre"].tolist() == [44, 25, 61, 44]
    assert epci["densite_hab_km2"].tolist() == [72, 19, 33, 23]
    assert epci.loc["200071140", "communes_autre_departement_nombre"] == 2


def test_zone_figures_only_where_the_source_states_them():
    epci = load("epci").set_index("code_epci")
    shared = epci[epci["partage"]]
    assert set(shared.index) == {"200071389", "200071470"}
    assert (shared["mission_locale_partenaire"] == "Mission Locale de Vichy").all()
    assert shared["communes_zone_nombre"].tolist() == [27, 30]
    assert shared["population_zone"].tolist() == [15707, 17997]
    alone = epci[~epci["partage"]]
    assert alone["communes_zone_nombre"].isna().all()
    assert alone["population_zone"].isna().all()
    assert alone["mission_locale_partenaire"].isna().all()


def test_two_antennas_and_six_permanences():
    sites = load("sites")
    antennas = sites[sites["type_site"] == "antenne"]
    permanences = sites[sites["type_site"] == "permanence"]
    assert set(antennas["code_insee"]) == {"03254", "03102"}
    assert set(permanences["commune"]) == {
        "Chantelle",
        "Jaligny-sur-Besbre",
        "Le Donjon",
        "Bourbon l'Archambault",
        "Le Montet",
        "Lurcy-Levis",
    }
    assert (sites["type_site"] == "siège").sum() == 1
    # Partner sessions have no commune in the source: nothing may be guessed.
    partners = sites[sites["type_site"] == "structure partenaire"]
    assert len(partners) == 3
    assert partners[["commune", "code_insee", "code_epci"]].isna().all().all()


def test_sites_reference_known_epci():
    sites = load("sites")
    known = set(load("epci")["code_epci"])
    placed = sites["code_epci"].dropna()
    assert set(placed) <= known
    assert set(placed) == known  # every EPCI hosts at least one site


def test_half_days_follow_the_stated_rule():
    sites = load("sites").set_index("id")
    week = 52 / 12
    expected = {
        "permanence_bourbon": (2 * week, 2 * week),
        "permanence_chantelle": (2, 26 / 12),
        "permanence_le_donjon": (2, 2),
        "permanence_jaligny": (1, 1),
        "maison_arret": (week, None),
        "antenne_dompierre": (None, 8 * week),
    }
    for site, (text, fiche) in expected.items():
        for column, value in (
            ("demi_journees_par_mois", text),
            ("demi_journees_par_mois_fiche", fiche),
        ):
            cell = sites.loc[site, column]
            if value is None:
                assert pd.isna(cell), (site, column)
            else:
                assert cell == pytest.approx(value, abs=1e-4), (site, column)


def test_both_frequency_statements_are_kept():
    sites = load("sites")
    permanences = sites[sites["type_site"] == "permanence"]
    assert permanences["frequence_texte"].notna().all()
    assert permanences["frequence_fiche_texte"].notna().all()
    assert permanences["personnel"].notna().all()
    montet = sites.set_index("id").loc["permanence_le_montet"]
    assert montet["lieu_accueil"] == "MSAP"
    assert montet["code_postal"] == "03140"  # as printed, although it is Chantelle's


KEY_FIGURES = {
    "zone_communes": 127,
    "zone_epci": 4,
    "jeunes_accompagnes_2019": 2089,
    "entretiens_2019": 15704,
    "evenements_2019": 34140,
    "salaries_2019": 23,
    "cdi_pct": 87,
    "anciennete_moyenne_annees": 11.75,
    "entretiens_par_jeune": 7,
    "densite_territoire": 35,
    "surendettement_montant_moyen_eur": 37351,
    "distance_est_ouest_km": 94,
    "duree_est_ouest_min": 90,
}


@pytest.mark.parametrize(("key", "value"), KEY_FIGURES.items())
def test_key_figure(key, value):
    figures = load("chiffres_cles").set_index("id")
    assert figures.loc[key, "valeur"] == value


def test_key_figures_keep_source_wording_and_bounds():
    figures = load("chiffres_cles").set_index("id")
    assert figures.loc["entretiens_par_jeune", "libelle"].startswith("+7")
    assert figures.loc["densite_territoire", "source_externe"] == "INSEE 2013"
    pct = figures[figures["unite"] == "pct"]["valeur"]
    assert len(pct) >= 8
    assert pct.between(0, 100).all()
    # The public infographic is undated: no vintage may be invented for it.
    assert figures.loc["jeunes_accompagnes_2019", "millesime"] is pd.NA
    assert figures.loc["salaries_2019", "millesime"] == "2019"


def test_bad_code_epci_is_rejected(tmp_path):
    root = _copy(tmp_path, "epci")
    csv = root / "epci.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("200071496", "20007149"), "utf-8")
    with pytest.raises(DataError) as caught:
        load("epci", root)
    assert any(p.column == "code_epci" and p.rule == "pattern" for p in caught.value.problems)


def test_site_on_unknown_epci_is_rejected(tmp_path):
    root = _copy(tmp_path, "epci", "sites")
    csv = root / "sites.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("200071496", "200000000"), "utf-8")
    with pytest.raises(DataError) as caught:
        load("sites", root)
    assert all(p.rule == "clé étrangère vers epci" for p in caught.value.problems)
    assert len(caught.value.problems) == 2  # Bourbon l'Archambault and Le Montet
