from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from projet_associatif.analysis import key_figures
from projet_associatif.analysis.edition_changes import PreviousTable
from projet_associatif.chapters import activity
from projet_associatif.core.errors import MissingData
from projet_associatif.core.formatting import MISSING, NBSP
from projet_associatif.data.package import load

N = NBSP


@pytest.fixture(scope="module")
def chiffres():
    return load("chiffres_cles")


def with_value(chiffres, key, value):
    """Return a copy of the key figures with one value changed (sources kept)."""
    changed = chiffres.copy()
    changed.loc[changed["id"] == key, "valeur"] = value
    changed.attrs = dict(chiffres.attrs)
    return changed


def test_figures_are_read_from_the_data(chiffres):
    assert key_figures.figure(chiffres, "jeunes_accompagnes_2019") == 2089
    assert key_figures.figure(chiffres, "evenements_2019") == 34140
    assert key_figures.figure(chiffres, "entretiens_2019") == 15704
    with pytest.raises(KeyError, match="absent"):
        key_figures.figure(chiffres, "jeunes_2031")
    # In a notebook, the same error is an « À compléter » box naming the file and the figure.
    with pytest.raises(MissingData) as missing:
        key_figures.figure(chiffres, "jeunes_2031")
    assert missing.value.file == "data/territoire/chiffres_cles.csv"
    assert "« jeunes_2031 »" in missing.value.what


@pytest.mark.parametrize(
    ("value", "unit", "label", "expected"),
    [
        (2089.0, "nombre", "2 089 Jeunes accompagnés", f"2{N}089"),
        (8.0, "pct", "8 % Mineurs", f"8{N}%"),
        (11.75, "annees", "En moyenne 11,75 ans", f"11,75{N}ans"),
        (7.0, "nombre", "+7 En moyenne par jeune", "+7"),
        (37351.0, "eur", "montant moyen", f"37{N}351{N}€"),
    ],
)
def test_format_figure_prints_as_the_source(value, unit, label, expected):
    assert activity.format_figure(value, unit, label) == expected


def test_key_figures_panel_shows_every_figure_of_the_infographic(chiffres):
    table = activity.figures_frame(chiffres, activity.PUBLIC_FIGURES)
    assert list(table.columns) == ["Indicateur", "Valeur"]
    assert table["Valeur"].tolist() == [
        f"2{N}089",
        f"8{N}%",
        f"53{N}%",
        f"76{N}%",
        f"51{N}%",
        f"34{N}140",
        f"46{N}%",
        f"15{N}704",
        "+7",
    ]


def test_the_public_has_no_year_but_staff_figures_are_2019(chiffres):
    public = [k for k, _ in activity.PUBLIC_FIGURES]
    assert activity.vintage_label(chiffres, public) == "année non précisée par la source"
    assert activity.vintage_label(chiffres, ["salaries_2019", "cdi_pct"]) == "2019"
    mixed = activity.vintage_label(chiffres, ["salaries_2019", "anciennete_moyenne_annees"])
    assert "2019" in mixed and "non précisée" in mixed


def test_source_line_cites_the_section_of_the_figures_only(chiffres):
    text = activity.figures_source(chiffres, [k for k, _ in activity.PUBLIC_FIGURES])
    # Only page 16 (« Le public »): not the pages of the key figures' other sections.
    assert text == f"projet associatif 2020, p.{N}16"


def _half_up(x: Decimal) -> Decimal:
    return x.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(("total", "pct"), [(2089, 8), (2089, 53), (2089, 76), (23, 87), (200, 8)])
def test_compatible_counts_match_a_brute_force_search(total, pct):
    expected = [
        n for n in range(total + 1) if _half_up(Decimal(100 * n) / Decimal(total)) == Decimal(pct)
    ]
    assert key_figures.compatible_counts(total, pct) == (expected[0], expected[-1])


def test_compatible_counts_from_the_source():
    assert key_figures.compatible_counts(2089, 8) == (157, 177)
    assert key_figures.compatible_counts(23, 87) == (20, 20)
    # 15/200 = 7,5 % rounds half up to 8 %: included; 17/200 = 8,5 % rounds to 9 %: excluded.
    assert key_figures.compatible_counts(200, 8) == (15, 16)
    with pytest.raises(ValueError):
        key_figures.compatible_counts(0, 8)


def test_derived_figures_are_computed_from_the_stated_ones(chiffres):
    derived = {d.label: d for d in activity.public_derived(chiffres)}
    minors = derived["Nombre de mineurs (calculé)"]
    assert minors.formula == f"8{N}% × 2{N}089"
    assert minors.value == "environ 167"  # 0,08 × 2 089 = 167,12
    assert "157 à 177" in minors.remark
    assert derived["Nombre d'hommes (calculé)"].value == f"environ 1{N}107"  # 1 107,17
    assert derived["Nombre de jeunes de niveau infra bac (calculé)"].value == f"environ 1{N}588"
    assert derived["Nombre de jeunes sans diplôme (calculé)"].value == f"environ 1{N}065"
    assert derived["Événements par jeune accompagné (calculé)"].value == "16,3"  # 16,343
    per_young = derived["Entretiens par jeune accompagné (calculé)"]
    assert per_young.value == "7,5"  # 15 704 / 2 089 = 7,517
    assert "+7" in per_young.remark
    share = derived["Part des entretiens dans les événements (calculé)"]
    assert share.value == f"46,0{N}%"  # 15 704 / 34 140 = 45,999 %
    assert share.formula == f"15{N}704 ÷ 34{N}140"
    assert derived["Événements autres que les entretiens (calculé)"].value == f"18{N}436"
    assert all(label.endswith("(calculé)") for label in derived)


def test_derived_figures_follow_the_data(chiffres):
    changed = with_value(chiffres, "jeunes_accompagnes_2019", 2000.0)
    derived = {d.label: d.value for d in activity.public_derived(changed)}
    assert derived["Nombre de mineurs (calculé)"] == "environ 160"
    assert derived["Événements par jeune accompagné (calculé)"] == "17,1"  # 17,07
    assert derived["Entretiens par jeune accompagné (calculé)"] == "7,9"  # 7,852


def test_derived_table_has_formula_and_comparison(chiffres):
    table = activity.derived_frame(activity.public_derived(chiffres))
    assert list(table.columns) == ["Indicateur", "Formule", "Résultat", "Précision ou comparaison"]
    assert len(table) == 8


def test_approximation_sentence(chiffres):
    text = activity.approximation_sentence(chiffres).markdown
    assert f"8{N}% de 2{N}089 jeunes font environ 167 mineurs (calculé)" in text
    assert "de 157 à 177 mineurs" in text
    assert "approchés" in text


def test_interviews_sentence_agrees_or_not(chiffres):
    text = activity.interviews_sentence(chiffres).markdown
    assert "7,5 entretiens par jeune (calculé)" in text
    assert "ce qui concorde avec" in text
    changed = with_value(chiffres, "entretiens_2019", 20000.0)
    text = activity.interviews_sentence(changed).markdown
    assert "9,6" in text  # 20 000 / 2 089 = 9,57
    assert "ne concorde pas" in text


def test_key_figures_table_is_a_sourced_markdown_table(chiffres):
    table = activity.key_figures_table(chiffres)
    bundle, meta = table._repr_mimebundle_()
    text = bundle["text/markdown"]
    assert f"2{N}089" in text and f"Source{N}:" in text
    assert "année non précisée par la source" in text
    assert meta["pa"]["kind"] == "table" and meta["pa"]["label"] == "tbl-public-chiffres-cles"
    assert table.frame["Indicateur"].tolist() == [label for _, label in activity.PUBLIC_FIGURES]


def test_computed_figures_table_follows_the_data(chiffres):
    table = activity.computed_figures_table(chiffres)
    assert table.label == "tbl-public-calculs"
    assert "environ 167" in table.markdown
    changed = with_value(chiffres, "jeunes_accompagnes_2019", 2000.0)
    assert "environ 160" in activity.computed_figures_table(changed).markdown
    assert table.source.endswith("; calculs à partir des chiffres énoncés")


def test_a_frame_without_sources_is_refused():
    bare = pd.DataFrame({"id": ["x"], "section": ["s"], "valeur": [1.0], "millesime": [None]})
    with pytest.raises(ValueError):
        activity.figures_source(bare, ["x"])


def test_key_figures_table_shows_the_previous_edition_beside_when_there_is_one(chiffres):
    alone = activity.key_figures_table(chiffres)
    assert list(alone.frame.columns) == ["Indicateur", "Valeur"]
    before = with_value(chiffres, "jeunes_accompagnes_2019", 1950)
    before = before[before["id"] != "evenements_2019"]
    table = activity.key_figures_table(chiffres, PreviousTable(2020, before))
    frame = table.frame.set_index("Indicateur")
    assert list(table.frame.columns) == ["Indicateur", "Valeur", "Édition 2020"]
    assert frame.loc["Jeunes accompagnés", "Valeur"] == f"2{N}089"
    assert frame.loc["Jeunes accompagnés", "Édition 2020"] == f"1{N}950"
    assert frame.loc["Événements", "Édition 2020"] == MISSING
    assert "« Édition 2020 » : la valeur de l'édition précédente." in table.markdown
