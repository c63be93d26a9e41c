"""chapters/context.py: vintages, education, unemployment, poverty, over-indebtedness and RSA."""

import shutil

import pandas as pd
import pytest
import yaml

from projet_associatif.chapters import context
from projet_associatif.core import texts as core_texts
from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import report_dir
from projet_associatif.core.texts import project_texts
from projet_associatif.data.package import load, sources_of
from projet_associatif.present import charts, provenance
from projet_associatif.present.tables import markdown

N = NBSP


@pytest.fixture(scope="module")
def levels():
    return load("niveau_formation_demandeurs")


@pytest.fixture(scope="module")
def rates():
    return load("taux_chomage")


@pytest.fixture(scope="module")
def poverty():
    return load("taux_pauvrete")


# --- source lines ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "spelt"),
    [
        ("2018-06", "juin 2018"),
        ("2018-T2", "2e trimestre 2018"),
        ("2008-T2 à 2018-T1", "2e trimestre 2008 à 1er trimestre 2018"),
        ("2018-10-17", "17 octobre 2018"),
        ("2015", "2015"),
        ("paquet 1.1.0", "paquet 1.1.0"),
    ],
)
def test_vintages_are_spelt_out(raw, spelt):
    assert provenance.vintage_fr(raw) == spelt


def test_chapter_sources_are_short_with_the_public_publisher_and_vintage():
    assert provenance.source_text(sources_of("rsa_demandeurs")) == (
        f"projet associatif 2020, p.{N}7 ; DIRECCTE Auvergne-Rhône-Alpes, 2e trimestre 2018"
    )
    # The source's own « Source SPE Moulins du 17/10/2018 » line, kept for the fidelity test.
    assert provenance.source_text(sources_of("taux_chomage")) == (
        f"projet associatif 2020, p.{N}7 ; "
        "DIRECCTE Auvergne-Rhône-Alpes (Source SPE Moulins du 17/10/2018)"
    )
    assert provenance.source_text(sources_of("taux_pauvrete")) == (
        f"projet associatif 2020, p.{N}7 ; INSEE, 2015"
    )


# --- education -------------------------------------------------------------------------------


def test_column_totals_are_computed_from_the_printed_shares(levels):
    assert context.column_totals(levels) == {"Allier": 101.0, "Auvergne-Rhône-Alpes": 100.0}
    text = context.education_totals(levels)
    assert f"Allier 101{N}% ; Auvergne-Rhône-Alpes 100{N}%" in text
    assert f"La colonne Allier ne fait pas 100{N}%" in text


def test_totals_sentence_stays_quiet_when_columns_add_up(levels):
    fixed = levels.copy()
    fixed.loc[(fixed["territoire"] == "Allier") & (fixed["ordre"] == 4), "part_pct"] = 43.0
    assert "ne fait pas" not in context.education_totals(fixed)


def test_education_chart_groups_bars_by_territory(levels):
    chart = context.education_chart(levels)
    spec = charts.chart_spec(chart)
    bars = spec["layer"][0]
    assert bars["encoding"]["yOffset"]["field"] == "territoire"
    assert bars["encoding"]["y"]["sort"][0] == "Bac +3 ou 4"
    table, _ = charts.data_table(chart, spec)
    assert len(table) == 12
    assert "BEP CAP : Allier 44\u00a0%, Auvergne-Rhône-Alpes 34\u00a0%" in context.education_alt(
        levels
    )
    assert context.education_title(levels) == (
        "Niveau de formation des demandeurs d'emploi, juin 2018"
    )


def test_education_bars_name_their_territory_not_only_by_colour(levels):
    # WCAG 1.4.1: each bar carries its territory's name in text, beside its value.
    spec = charts.chart_spec(context.education_chart(levels))
    text_layer = spec["layer"][1]
    assert text_layer["mark"]["type"] == "text"
    assert "datum.territoire" in text_layer["transform"][0]["calculate"]
    svg = charts.svg(spec)
    frame = context.education_frame(levels)
    for territory, value in zip(frame["territoire"], frame["part_pct"], strict=True):
        assert f">{territory} {value:.0f}{N}%</text>" in svg
    assert "nom du territoire et la valeur" in context.education_alt(levels)


# --- unemployment -------------------------------------------------------------------------------


def test_quarters_become_dates():
    assert context.quarter_start("2008-T2") == pd.Timestamp("2008-04-01")
    assert context.quarter_start("2017-T4") == pd.Timestamp("2017-10-01")
    with pytest.raises(ValueError, match="AAAA-Tn"):
        context.quarter_start("2T 2008")


def test_unemployment_frame_keeps_the_source_order(rates):
    frame = context.unemployment_frame(rates)
    assert frame["territoire"].tolist()[:3] == ["France", "Auvergne-Rhône-Alpes", "Allier"]
    assert frame["trimestre"].is_monotonic_increasing


def test_only_the_nine_year_gap_is_dashed(rates):
    segments = context.unemployment_segments(rates)
    assert len(segments) == 3 * 3 * 2  # 3 territories, 3 segments, 2 ends each
    dashed = segments[segments["trace"] == context.gap_labels()[True]]
    assert set(dashed["trimestre"]) == {pd.Timestamp("2008-04-01"), pd.Timestamp("2017-01-01")}
    assert dashed["segment"].nunique() == 3


def test_unemployment_chart_uses_an_honest_time_axis(rates):
    spec = charts.chart_spec(context.unemployment_chart(rates))
    x = spec["layer"][0]["encoding"]["x"]
    assert x["type"] == "temporal" and x["timeUnit"] == "yearquarter"
    assert [d["year"] for d in x["scale"]["domain"]] == [2008, 2019]
    svg = charts.svg(spec)
    assert f"Allier 9,8{N}%" in svg and "pointillés" in svg
    assert context.unemployment_title(rates) == "Taux de chômage, 2T 2008 à 1T 2018"
    assert f"Allier : 2T 2008 7,1{N}%, 1T 2017 10,1{N}%" in context.unemployment_alt(rates)


def test_evolutions_are_recomputed_beside_the_stated_ones(rates):
    frame, formats = context.evolutions_frame(rates, load("taux_chomage_evolutions"))
    allier = frame.set_index("Territoire").loc["Allier"]
    assert allier["Évolution annuelle (énoncée)"] == -0.3
    assert allier["1T 2018 − 1T 2017 (calculé)"] == pytest.approx(9.8 - 10.1)
    assert allier["1T 2018 − 2T 2008 (calculé)"] == pytest.approx(9.8 - 7.1)
    text = markdown(frame, title="Évolutions", source="test", formats=formats)
    assert f"−0,3{N}pt" in text and f"+2,7{N}pt" in text


# --- poverty, debt, RSA --------------------------------------------------------------------------


def test_poverty_sentence_and_chart(poverty):
    text = context.poverty_paragraph(poverty)
    assert f"(soit respectivement 15,5{N}% vs 12,8{N}% vs 14,3{N}%)" in text
    assert f"un taux égal à 26,6{N}%" in text and f"hauteur de 21,4{N}%" in text
    assert context.poverty_frame(poverty)["taux_pct"].tolist() == [15.5, 12.8, 14.3, 26.6, 21.4]
    assert context.poverty_title(poverty) == "Taux de pauvreté (INSEE, 2015)"
    assert f"Ville de Moulins 21,4{N}%" in context.poverty_alt(poverty)
    notes = context.poverty_remarks(poverty)
    assert notes.count("\n- ") == 2 and "*Moins de 30 ans (Allier)* : la phrase" in notes


def test_poverty_comparison_follows_the_figures(poverty):
    lower = poverty.copy()
    lower.loc[lower["id"] == "allier_ensemble", "taux_pct"] = 12.0
    assert "plus élevé" not in context.poverty_paragraph(lower)


def test_poverty_paragraph_keeps_the_sources_wording(poverty):
    assert context.poverty_paragraph(poverty) == (
        f"Selon l'INSEE (année 2015), l'Allier a un taux de pauvreté plus élevé que la Région "
        f"Auvergne-Rhône-Alpes et que la France métropolitaine (soit respectivement 15,5{N}% vs "
        f"12,8{N}% vs 14,3{N}%).\n\nSi on regarde par âge, les moins de 30 ans sont les plus "
        f"impactés avec un taux égal à 26,6{N}%. La ville de Moulins est impactée à hauteur de "
        f"21,4{N}% (deuxième après Montluçon)."
    )


@pytest.fixture
def project_textes(tmp_path, monkeypatch):
    """Return the textes folder of a copy of the project's report/ the chapters read."""
    report = tmp_path / "report"
    shutil.copytree(report_dir() / "textes", report / "textes")
    monkeypatch.setattr(core_texts, "report_dir", lambda: report)
    return report / "textes"


def _rewrite(path, **values):
    words = yaml.safe_load(path.read_text(encoding="utf-8"))
    words.update(values)
    path.write_text(yaml.safe_dump(words, allow_unicode=True), encoding="utf-8")


def test_poverty_wording_and_names_are_the_projects(project_textes, poverty):
    path = project_textes / "contexte-socio-economique.yaml"
    _rewrite(
        path,
        pauvrete=["À Vichy : {taux[moulins_ensemble]} en {annee} ({comparaison})."],
        pauvrete_comparaison={
            "taux": "moulins_ensemble",
            "face_a": ["allier_ensemble"],
            "plus_eleve": "plus",
            "sinon": "moins",
        },
        pauvrete_libelles={"allier_ensemble": "Département"},
    )
    assert context.poverty_paragraph(poverty) == f"À Vichy : 21,4{N}% en 2015 (plus)."
    labels = context.poverty_frame(poverty)["perimetre"].tolist()
    # A rate the texts do not name: « territoire (population) ».
    assert labels[0] == "Département" and labels[-1] == "Moulins (ensemble)"
    _rewrite(path, pauvrete=["{taux[vichy_ensemble]}"])
    with pytest.raises(KeyError, match="« vichy_ensemble », absent de data/contexte/"):
        context.poverty_paragraph(poverty)


def test_debt_sentence():
    text = context.debt_sentence(load("chiffres_cles"))
    assert text.startswith("L'Allier est le 6e département")
    assert f"37{N}351{N}€" in text


def test_rsa_table_signs_and_units():
    rsa = load("rsa_demandeurs")
    frame, formats = context.rsa_frame(rsa)
    text = markdown(frame, title="RSA", source="test", formats=formats)
    assert f"876{N}740" in text and f"+4,7{N}%" in text and f"18,4{N}%" in text
    assert f"+0,6{N}pt" in text and f"−0,2{N}pt" in text
    sentence = context.rsa_sentence(rsa)
    assert f"Dans l'Allier, 5{N}230 demandeurs d'emploi" in sentence
    assert f"contre 13,2{N}% en Auvergne-Rhône-Alpes et 15,9{N}% en France" in sentence
    assert context.rsa_title(rsa).endswith("2e trimestre 2018")


def test_sections_are_blocks_with_sources_and_notes_from_textes(levels, rates, poverty):
    chart, totals = context.education_section(levels, sources_of("niveau_formation_demandeurs"))
    assert chart.title == "Niveau de formation des demandeurs d'emploi, juin 2018"
    assert chart.source == provenance.source_text(sources_of("niveau_formation_demandeurs"))
    assert str(totals).startswith("Les pourcentages imprimés totalisent")
    table = context.evolutions_table(
        rates, load("taux_chomage_evolutions"), sources_of("taux_chomage_evolutions")
    )
    assert table.note == project_texts("contexte-socio-economique")["evolutions"]
    paragraph, figure, remarks = context.poverty_section(poverty, sources_of("taux_pauvrete"))
    assert figure.source == f"projet associatif 2020, p.{N}7 ; INSEE, 2015"
    assert str(remarks).startswith("Remarques sur la source")
    sentence, source = context.debt_section(load("chiffres_cles"), sources_of("chiffres_cles"))
    assert str(source) == f"Source{N}: projet associatif 2020, p.{N}7"
    _, rsa = context.rsa_section(load("rsa_demandeurs"), sources_of("rsa_demandeurs"))
    assert rsa.note.startswith("La dernière colonne porte sur une part")


def test_the_gap_legend_follows_the_texts_file(monkeypatch, rates):
    monkeypatch.setattr(
        context,
        "project_texts",
        lambda name: {"trace_continu": "continu", "trace_pointille": "trou"},
    )
    assert set(context.unemployment_segments(rates)["trace"]) == {"continu", "trou"}


def test_debt_and_rsa_sentences_are_the_projects_words(project_textes):
    _rewrite(
        project_textes / "contexte-socio-economique.yaml",
        surendettement="Rang {rang}, {montant}.",
        rsa_phrase={"territoire": "France", "texte": "En France : {nombre}, {part} ; {autres}."},
    )
    assert context.debt_sentence(load("chiffres_cles")) == f"Rang 6e, 37{N}351{N}€."
    sentence = context.rsa_sentence(load("rsa_demandeurs"))
    assert sentence.startswith("En France : ") and f"18,4{N}% en Allier" in sentence
    assert "en France" not in sentence
