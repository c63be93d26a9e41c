"""chapters/territory.py: EPCI and zone figures, sentences, densities, the comparison."""

import shutil
from pathlib import Path

import pandas as pd
import pytest

from projet_associatif.chapters import territory
from projet_associatif.core import texts as core_texts
from projet_associatif.core.errors import MissingData
from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import report_dir
from projet_associatif.core.texts import project_texts
from projet_associatif.data.package import load, sources_of
from projet_associatif.present.tables import markdown

N = NBSP
CHAPTERS = Path(territory.__file__).parent


@pytest.fixture(scope="module")
def epci():
    return load("epci")


@pytest.fixture(scope="module")
def figures():
    return load("chiffres_cles")


# --- EPCI and zone --------------------------------------------------------------------------


def test_zone_population_is_whole_epci_plus_stated_shares(epci):
    # Source, p. 7: Moulins Communauté 67 972 and Bocage 14 030 (whole), 15 707 and 17 997
    # for the shared Saint-Pourçain and Entr'Allier parts.
    assert 67972 + 14030 + 15707 + 17997 == 115706
    assert territory.zone_totals(epci) == {"population": 115706, "communes": 44 + 25 + 27 + 30}


def test_zone_parts_take_the_stated_share_only_for_shared_epci(epci):
    parts = territory.zone_parts(epci).set_index("code_epci")
    assert parts.loc["200071140", "population_zone"] == 67972  # whole CA
    assert parts.loc["200071389", "population_zone"] == 15707  # part of 34 321
    assert parts.loc["200071470", "communes_zone"] == 30  # part of 44


def test_a_shared_epci_without_its_share_is_refused(epci):
    broken = epci.copy()
    broken.loc[broken["code_epci"] == "200071389", "population_zone"] = None
    with pytest.raises(ValueError, match="population_zone manquant"):
        territory.zone_parts(broken)


def test_zone_total_follows_the_data(epci):
    changed = epci.copy()
    changed.loc[changed["code_epci"] == "200071140", "population"] = 70000
    assert territory.zone_totals(changed)["population"] == 70000 + 14030 + 15707 + 17997


def test_epci_table_ends_with_the_computed_zone_line(epci):
    frame, formats = territory.epci_frame(epci)
    assert len(frame) == 5
    last = frame.iloc[-1]
    assert last["EPCI"] == "Zone d'intervention (calculé)"
    assert last["Population (zone)"] == 115706
    assert pd.isna(last["Population"]) and pd.isna(last["Densité (hab./km²)"])
    text = markdown(frame, title="EPCI", source="test", formats=formats)
    assert f"115{N}706" in text and f"67{N}972" in text
    assert frame["Partagé avec"].tolist()[:4] == [
        "—",
        "—",
        "Mission Locale de Vichy",
        "Mission Locale de Vichy",
    ]


def test_zone_note_shows_the_sum_and_the_stated_127(epci, figures):
    note = territory.zone_note(epci, figures)
    assert f"67{N}972 + 14{N}030 + 15{N}707 + 17{N}997 = 115{N}706" in note
    assert "44 + 25 + 27 + 30 = 126" in note
    assert "la source annonce 127 communes" in note


def test_zone_note_says_nothing_of_a_gap_when_counts_agree(epci, figures):
    agreeing = figures.copy()
    agreeing.loc[agreeing["id"] == "zone_communes", "valeur"] = 126.0
    assert "annonce" not in territory.zone_note(epci, agreeing)


def test_zone_sentence_gives_the_shares_of_the_shared_epci(epci):
    text = str(territory.zone(epci))
    assert f"**115{N}706 habitants**" in text
    assert f"15{N}707 habitants sur 34{N}321 (45,8{N}%)" in text  # 15 707 / 34 321 = 45,76 %
    assert f"17{N}997 habitants sur 25{N}500 (70,6{N}%)" in text  # 17 997 / 25 500 = 70,58 %


def test_short_names():
    assert territory.short_name("Communauté d'Agglomération de Moulins", "CA") == "CA de Moulins"
    assert (
        territory.short_name("Communauté de communes Bocage Bourbonnais", "CC")
        == "CC Bocage Bourbonnais"
    )


def test_epci_title_carries_the_stated_vintage():
    assert territory.epci_title(sources_of("epci")).endswith("(chiffres de 2018)")


# --- sentences ---------------------------------------------------------------------------------


def test_sentences_use_the_stated_figures(figures, epci):
    assert "couvre **4 EPCI**" in str(territory.coverage(figures))
    assert "soit **127** communes" in str(territory.coverage(figures))
    assert "**2 Maisons France Services**" in str(territory.services(figures))
    assert "passés de 7 Communautés de communes à 3 dont 2" in str(
        territory.reorganisation(figures, epci)
    )
    assert "comptait 3 Zones Urbaines Sensibles" in str(territory.qpv(figures))
    business = str(territory.business(figures))
    assert f"Environ 80{N}% des entreprises ont moins de 10 salariés (et 90{N}% moins" in business


def test_a_missing_figure_is_named(figures):
    with pytest.raises(KeyError, match="zone_epci"):
        territory.coverage(figures[figures["id"] != "zone_epci"])


def test_distances_and_travel_times(figures):
    table = territory.distances_frame(figures)
    assert table["Distance (km)"].tolist() == [94, 75]
    assert table["Temps de trajet"].tolist() == [f"1{N}h{N}30", f"1{N}h"]


def test_densities_keep_the_vintage_where_stated(figures):
    frame = territory.densities_frame(figures)
    assert frame["densite_hab_km2"].tolist() == [35, 47, 111]
    assert frame["perimetre"].iloc[0] == "Notre territoire (INSEE 2013)"
    assert frame["perimetre"].iloc[1] == "Allier"
    note = territory.densities_note(figures)
    assert "(source INSEE 2013)" in note and "Allier, Auvergne-Rhône-Alpes" in note
    assert "35 hab./km²" in territory.densities_alt(figures)


# --- comparison with the public reference ---------------------------------------------------


def test_reference_comparison_computes_the_gaps_without_correcting(epci):
    frame, formats = territory.reference_frame(epci, load("epci_reference"))
    row = frame.set_index("EPCI").loc["CC Saint Pourçain Sioule Limagne"]
    assert row["Communes (source)"] == 61 and row["Communes (référentiel)"] == 60
    moulins = frame.set_index("EPCI").loc["CA de Moulins"]
    assert moulins["Population (source, 2018)"] == 67972
    assert moulins["Écart de population"] == moulins.iloc[1] - 67972
    assert "Population municipale 2023 (référentiel)" in frame.columns
    assert set(formats) == set(frame.columns) - {"EPCI"}


def test_reference_comparison_refuses_missing_epci(epci):
    reference = load("epci_reference")
    with pytest.raises(KeyError):
        territory.reference_frame(epci, reference.iloc[:3])


# --- blocks and fixed texts -------------------------------------------------------------------


def test_reorganisation_names_the_partner_from_the_data(figures, epci):
    changed = epci.copy()
    changed["mission_locale_partenaire"] = changed["mission_locale_partenaire"].where(
        ~changed["partage"].astype(bool), "Mission Locale de Montluçon"
    )
    text = str(territory.reorganisation(figures, changed))
    assert text.endswith(f"«{N}partageons{N}» avec la Mission Locale de Montluçon.")


def test_two_partners_for_the_shared_epci_are_refused(epci):
    changed = epci.copy()
    changed.loc[changed["code_epci"] == "200071389", "mission_locale_partenaire"] = "Autre"
    with pytest.raises(ValueError, match="une seule Mission Locale"):
        territory.partner(changed)


def test_tables_cite_the_source_document_and_take_their_note_from_textes(epci, figures):
    table = territory.epci_table(epci, figures, sources_of("epci"))
    assert table.source == f"projet associatif 2020, p.{N}7"
    assert table.title.endswith("(chiffres de 2018)") and "115" in table.note
    comparison = territory.reference_table(
        epci, load("epci_reference"), sources_of("epci"), sources_of("epci_reference")
    )
    assert comparison.note == project_texts("contexte-territorial")["reference"]
    assert comparison.note.startswith("Information, sans correction de la source.")
    chart, note = territory.densities_section(figures, sources_of("chiffres_cles"))
    assert chart.source == f"projet associatif 2020, p.{N}7" and "INSEE 2013" in str(note)


def test_the_organisation_is_named_in_the_projects_texts_not_in_python():
    # The chapter's sentences that name the Mission Locale are the project's (report/textes/).
    for module in ("territory", "territory_sites", "context", "values"):
        source = (CHAPTERS / f"{module}.py").read_text(encoding="utf-8")
        assert "Moulins" not in source, module
    words = project_texts("contexte-territorial")
    assert "**Mission Locale de Moulins** couvre" in words["couverture"]
    assert words["qpv"].startswith("Le Quartier Politique de la Ville (QPV) se trouve sur Moulins")


@pytest.fixture
def project_textes(tmp_path, monkeypatch):
    """Return the textes folder of a copy of the project's report/ the chapters read."""
    report = tmp_path / "report"
    shutil.copytree(report_dir() / "textes", report / "textes")
    monkeypatch.setattr(core_texts, "report_dir", lambda: report)
    return report / "textes"


def test_the_sentences_are_the_projects_words_with_the_datas_figures(project_textes, figures):
    path = project_textes / "contexte-territorial.yaml"
    path.write_text(
        "qpv: 'Deux QPV à Vichy ; {zus_avant} ZUS avant.'\n"
        "couverture: '{epci} EPCI, {communes} communes, {qpv} QPV.'\n",
        encoding="utf-8",
    )
    assert str(territory.qpv(figures)) == "Deux QPV à Vichy ; 3 ZUS avant."
    assert str(territory.coverage(figures)) == "4 EPCI, 127 communes, 1 QPV."


def test_a_project_without_the_chapters_texts_has_them_to_complete(project_textes, figures):
    (project_textes / "contexte-territorial.yaml").unlink()
    with pytest.raises(MissingData) as raised:
        territory.qpv(figures)
    assert raised.value.path == project_textes / "contexte-territorial.yaml"
    assert "à compléter : texte du chapitre" in str(raised.value)


def test_the_densities_shown_are_the_ones_the_projects_texts_list(project_textes, figures):
    path = project_textes / "contexte-territorial.yaml"
    path.write_text(
        "densites:\n  densite_region: La région\n  densite_territoire: Ici\n", encoding="utf-8"
    )
    labels = territory.densities_frame(figures)["perimetre"].tolist()
    assert len(labels) == 2 and labels[0].startswith("La région") and labels[1].startswith("Ici")
