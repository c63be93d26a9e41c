"""The review as its own document: synthesis, status grid, per-fiche tables, recommendations.

Computed on the real data package with the fictional workbook of ``exemples/`` (and with no
workbook): what the commission reads, before it is rendered.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest

from projet_associatif.analysis.evaluation import review_context
from projet_associatif.chapters import review_document as doc
from projet_associatif.core.paths import project_root
from projet_associatif.publish.tools import PRINT_FILTER, pandoc_path

FICTIF = "exemples/suivi-fictif.xlsx"
# A status badge: [[symbol]{.pa-symbole} words]{.pa-statut .pa-statut-kind}
BADGE = re.compile(r"\[\[(.)\]\{\.pa-symbole\}\u00a0([^\]]+)\]\{\.pa-statut \.pa-statut-(\w+)\}")


@pytest.fixture(scope="module")
def mid():
    return review_context("bilan-intermediaire", "", FICTIF)


@pytest.fixture(scope="module")
def final():
    return review_context("bilan-final", "", FICTIF)


@pytest.fixture(scope="module")
def empty():
    return review_context("bilan-intermediaire")


def test_grid_has_one_short_row_per_fiche(mid):
    grid = doc.status_grid(mid)
    assert list(grid.columns) == ["N°", "Action", "Indicateurs", "Étapes", "Situation"]
    assert list(grid["N°"]) == [str(n) for n in range(1, 19)]


def test_every_status_has_a_symbol_and_words_never_colour_alone(mid):
    grid = doc.status_grid(mid)
    for column in ("Indicateurs", "Étapes", "Situation"):
        for cell in grid[column]:
            badges = BADGE.findall(cell)
            assert badges or cell == "—", cell
            assert len(badges) == cell.count("{.pa-statut "), cell  # no badge without a symbol
            for symbol, words, _kind in badges:
                assert symbol in "✔▲✖○◆–" and re.search(r"[a-zé]{2,}", words), cell


def test_grid_says_which_fiches_are_late(mid):
    grid = doc.status_grid(mid).set_index("N°")
    # Fictional example: fiche 1's step 5 and fiche 3's downward indicator are late.
    assert "✖" in grid.loc["1", "Situation"] and "en retard" in grid.loc["1", "Situation"]
    assert "1 en retard" in grid.loc["3", "Indicateurs"]
    assert "aucune donnée" in grid.loc["2", "Situation"]
    assert "1 atteint" in grid.loc["4", "Indicateurs"]


def test_key_figures_add_up_by_general_objective(mid):
    figures = doc.key_figures(mid).set_index("Chiffre clé")
    objectives = [c for c in figures.columns if c.startswith("OG")]
    assert len(objectives) == 2
    assert (figures[objectives].sum(axis=1) == figures["Total"]).all()
    assert figures.loc["Fiches-action", "Total"] == 18
    assert figures.loc["Indicateurs", "Total"] == len(mid.indicateurs())
    assert figures.loc["… mesurés", "Total"] == (mid.indicateurs()["Statut"] != "non mesuré").sum()


def test_decisions_name_the_late_steps_and_indicators(mid, empty):
    text = doc.decisions_markdown(mid)
    late = mid.jalons()
    late = late[late["Statut"] == "non réalisé (en retard)"]
    assert len(late) == 2
    for fiche in late["Fiche"]:
        assert f"(#bilan-fiche-{fiche})" in text
    assert "ANTENNES ET PERMANENCES" in text and "valeur attendue" in text
    assert "aucune réponse pour 17 fiches sur 18" in text
    quiet = doc.decisions_markdown(empty)
    assert "Aucune étape n'est en retard" in quiet
    assert "Aucun indicateur n'est en retard" in quiet


def test_fiche_tables_are_narrow_and_say_reference_target_and_measures(mid):
    indicators = doc.indicator_table(mid, "camion-mobile")
    assert list(indicators.columns) == ["Indicateur", "Référence → cible", "Mesures", "Statut"]
    first = indicators.iloc[0]
    assert first["Référence → cible"] == "0 → 150 au 1er mars 2023"
    # The measurement of September 2022 is after the mid-term closing date: left out.
    assert first["Mesures"] == "40 (mars 2021) ; 80 (août 2021)"
    steps = doc.steps_table(mid, "camion-mobile")
    assert list(steps.columns) == ["Étape", "Prévue", "Réalisée", "Statut"]
    assert steps["Statut"].str.contains("jours|j\\)", regex=True).any()


def test_charts_only_for_indicators_measured_twice(mid, empty):
    data = doc.measures_chart_data(mid, "camion-mobile")
    assert len(data) == 2 and data["Indicateur"].nunique() == 1
    assert doc.measures_chart_data(mid, "permanence-tiers-lieux").empty
    assert doc.measures_chart_data(empty, "camion-mobile").empty
    events = doc.timeline_data(mid, "camion-mobile")
    assert set(events["Jalon"]) == {"prévue", "réalisée"}
    assert "date d'arrêté : 1er septembre 2021" in doc.timeline_alt(events, mid)


def test_mid_term_recommendations_and_what_became_of_them(mid, final):
    recs = mid.preconisations()
    assert len(recs) == 3  # the fourth is dated after the mid-term review
    follow = doc.follow_up_table(final, recs)
    suites = " ".join(follow["Suite"])
    assert "réalisée" in suites and "abandonnée" in suites
    # « en cours » past its deadline (31/03/2022) at the final review shows as late.
    assert "en cours, échéance passée" in suites and "✖" in suites
    assert "Générale" in " ".join(follow["Préconisation"])


def test_final_review_recomputes_the_mid_term_from_the_same_workbook(final):
    mid = final.bilan_intermediaire()
    assert mid.as_of == dt.date(2021, 9, 1) and mid.suivi is final.suivi
    compared = doc.key_figures_compared(final).set_index("Chiffre clé")
    assert compared.loc["Réponses aux questions", "Écart"] == "+1"
    moved = doc.changes(final)
    camion = moved[moved["Fiche"].str.contains("CAMION")]
    assert "en bonne voie" in camion.iloc[0]["18 mois"]
    assert "cible atteinte" in camion.iloc[0]["36 mois"]


def test_empty_workbook_gives_no_data_everywhere(empty):
    grid = doc.status_grid(empty)
    assert grid["Situation"].str.contains("aucune donnée").all()
    assert empty.preconisations().empty


def _print(markdown: str, fmt: str) -> str:
    return subprocess.run(
        [pandoc_path(), "-f", "markdown", "-t", fmt, "--lua-filter", str(PRINT_FILTER)],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_print_filter_sizes_review_tables_colours_statuses_and_relinks(mid):
    table = doc.status_grid(mid).head(3)
    from projet_associatif.present import tables

    text = "::: {.pa-bilan-tableau .pa-grille}\n\n"
    text += tables.markdown(table, title="T", source="S", formats=doc.GRID_FORMATS) + "\n:::\n"
    typst = _print(text, "typst")
    assert "columns: (6%, 32%, 24%, 22%, 16%)" in typst
    assert '#text(fill: rgb("#B42318"))[' in typst  # « en retard » in red…
    assert '#text(font: "DejaVu Sans Mono", size: 0.9em)[✖]' in typst  # …with its symbol
    native = json.loads(_print(text, "json"))
    assert native["blocks"]  # the filter keeps the table
    link = (
        '[2020](../../projet-2020/html/index.html){imprime="../projet-2020/projet-associatif.pdf"}'
    )
    assert "../projet-2020/projet-associatif.pdf" in _print(link, "typst")
    assert "html/index.html" not in _print(link, "typst")


def test_review_home_page_is_hand_written_and_exists():
    home = project_root() / "report" / "bilan-accueil.qmd"
    assert "Le document de référence" in home.read_text(encoding="utf-8")
