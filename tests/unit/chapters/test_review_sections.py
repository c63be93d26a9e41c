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

from projet_associatif.analysis import statuses
from projet_associatif.analysis.review_context import review_context
from projet_associatif.chapters import review_evolution as evolution
from projet_associatif.chapters import review_fiches as fiches
from projet_associatif.chapters import review_recommendations as recommendations
from projet_associatif.chapters import review_synthesis as synthesis
from projet_associatif.core.paths import project_root
from projet_associatif.core.texts import texts
from projet_associatif.present import tables
from projet_associatif.present.blocks import Figure, Table, Text
from projet_associatif.publish.tools import PRINT_FILTER, pandoc_path
from projet_associatif.suivi.schema import FollowUp

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
    grid = synthesis.status_grid(mid)
    assert list(grid.columns) == ["N°", "Action", "Indicateurs", "Étapes", "Situation"]
    assert list(grid["N°"]) == [str(n) for n in range(1, 19)]


def test_every_status_has_a_symbol_and_words_never_colour_alone(mid):
    grid = synthesis.status_grid(mid)
    for column in ("Indicateurs", "Étapes", "Situation"):
        for cell in grid[column]:
            badges = BADGE.findall(cell)
            assert badges or cell == "—", cell
            assert len(badges) == cell.count("{.pa-statut "), cell  # no badge without a symbol
            for symbol, words, _kind in badges:
                assert symbol in "✔▲✖○◆–" and re.search(r"[a-zé]{2,}", words), cell


def test_grid_says_which_fiches_are_late(mid):
    grid = synthesis.status_grid(mid).set_index("N°")
    # Fictional example: fiche 1's step 5 and fiche 3's downward indicator are late.
    assert "✖" in grid.loc["1", "Situation"] and "en retard" in grid.loc["1", "Situation"]
    assert "1 en retard" in grid.loc["3", "Indicateurs"]
    assert "aucune donnée" in grid.loc["2", "Situation"]
    assert "1 atteint" in grid.loc["4", "Indicateurs"]


def test_key_figures_add_up_by_general_objective(mid):
    figures = synthesis.key_figures(mid).set_index("Chiffre clé")
    objectives = [c for c in figures.columns if c.startswith("OG")]
    assert objectives == ["OG\u00a01", "OG\u00a02"]
    assert (figures[objectives].sum(axis=1) == figures["Total"]).all()
    assert figures.loc["Fiches-action", "Total"] == 18
    assert figures.loc["Indicateurs", "Total"] == len(mid.indicators())
    assert figures.loc["… mesurés", "Total"] == (mid.indicators()["Statut"] != "non mesuré").sum()


def _decisions(bilan):
    parts = (synthesis.late_steps, synthesis.indicators_behind, synthesis.unanswered)
    return "\n\n".join(part(bilan).markdown for part in parts)


def test_decisions_name_the_late_steps_and_indicators(mid, empty):
    text = _decisions(mid)
    late = mid.milestones()
    late = late[late["Statut"] == "non réalisé (en retard)"]
    assert len(late) == 2
    for fiche in late["Fiche"]:
        assert f"(#bilan-fiche-{fiche})" in text
    assert "ANTENNES ET PERMANENCES" in text and "valeur attendue" in text
    assert "aucune réponse pour 17 fiches sur 18" in text
    quiet = _decisions(empty)
    assert "Aucune étape n'est en retard" in quiet
    assert "Aucun indicateur n'est en retard" in quiet


def test_fiche_tables_are_narrow_and_say_reference_target_and_measures(mid):
    indicators = fiches.indicator_table(mid, "camion-mobile")
    assert list(indicators.columns) == ["Indicateur", "Référence → cible", "Mesures", "Statut"]
    first = indicators.iloc[0]
    assert first["Référence → cible"] == "0 → 150 au 1er mars 2023"
    # The measurement of September 2022 is after the mid-term closing date: left out.
    assert first["Mesures"] == "40 (mars 2021) ; 80 (août 2021)"
    steps = fiches.steps_table(mid, "camion-mobile")
    assert list(steps.columns) == ["Étape", "Prévue", "Réalisée", "Statut"]
    assert steps["Statut"].str.contains("jours|j\\)", regex=True).any()


def test_charts_only_for_indicators_measured_twice(mid, empty):
    data = fiches.measures_chart_data(mid, "camion-mobile")
    assert len(data) == 2 and data["Indicateur"].nunique() == 1
    assert fiches.measures_chart_data(mid, "permanence-tiers-lieux").empty
    assert fiches.measures_chart_data(empty, "camion-mobile").empty
    events = fiches.timeline_data(mid, "camion-mobile")
    assert set(events["Jalon"]) == {"prévue", "réalisée"}
    assert "date d'arrêté : 1er septembre 2021" in fiches.timeline_alt(events, mid)


def test_mid_term_recommendations_and_what_became_of_them(mid, final):
    recs = mid.recommendations()
    assert len(recs) == 3  # the fourth is dated after the mid-term review
    follow = recommendations.follow_up_table(final, recs)
    suites = " ".join(follow["Suite"])
    assert "réalisée" in suites and "abandonnée" in suites
    # « en cours » past its deadline (31/03/2022) at the final review shows as late.
    assert "en cours, échéance passée" in suites and "✖" in suites
    assert "Générale" in " ".join(follow["Préconisation"])


def test_final_review_recomputes_the_mid_term_from_the_same_workbook(final):
    mid = final.mid_term()
    assert mid.as_of == dt.date(2021, 9, 1) and mid.suivi is final.suivi
    compared = evolution.key_figures_compared(final).set_index("Chiffre clé")
    assert compared.loc["Réponses aux questions", "Écart"] == "+1"
    moved = evolution.changes(final)
    camion = moved[moved["Fiche"].str.contains("CAMION")]
    assert "en bonne voie" in camion.iloc[0]["18 mois"]
    assert "cible atteinte" in camion.iloc[0]["36 mois"]


def test_empty_workbook_gives_no_data_everywhere(empty):
    grid = synthesis.status_grid(empty)
    assert grid["Situation"].str.contains("aucune donnée").all()
    assert empty.recommendations().empty


def _print(markdown: str, fmt: str) -> str:
    return subprocess.run(
        [pandoc_path(), "-f", "markdown", "-t", fmt, "--lua-filter", str(PRINT_FILTER)],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_print_filter_sizes_review_tables_colours_statuses_and_relinks(mid):
    table = synthesis.status_grid(mid).head(3)
    text = "::: {.pa-bilan-tableau .pa-grille}\n\n"
    text += (
        tables.markdown(table, title="T", source="S", formats=synthesis.GRID_FORMATS) + "\n:::\n"
    )
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
    home = project_root() / "index.md"  # the reviews' home page (the projet's: index.qmd)
    assert "Le document de référence" in home.read_text(encoding="utf-8")


# --- the blocks the notebooks display -----------------------------------------------------------


def test_review_tables_sit_in_the_reflow_div_without_a_label(mid):
    grid = synthesis.grid(mid)
    bundle, metadata = grid._repr_mimebundle_()
    text = tables.markdown(
        synthesis.status_grid(mid),
        title="Grille des statuts des fiches-action (données fictives)",
        source=grid.source,
        formats=synthesis.GRID_FORMATS,
    )
    # What review_document.show_table displayed: the Div, then the table; no cross-ref label.
    assert bundle == {
        "text/markdown": f"::: {{.pa-bilan-tableau .pa-cartes .pa-grille}}\n\n{text}\n:::\n",
        "text/plain": text,
    }
    assert metadata == {"pa": {"kind": "table", "title": grid.title, "source": grid.source}}
    assert grid.source.startswith("DONNÉES FICTIVES — commission de suivi")


def test_status_rules_are_read_from_the_editable_text(monkeypatch):
    rules = synthesis.status_rules()
    assert [r.markdown for r in rules] == [
        texts("regles-evaluation")["statut"],
        texts("regles-evaluation")["jalon"],
    ]
    monkeypatch.setattr(statuses, "texts", lambda name: {"statut": "A", "jalon": "B"})
    assert [r.markdown for r in synthesis.status_rules()] == ["A", "B"]


def test_a_fiche_section_has_charts_only_when_measured(mid, empty):
    kinds = [type(b) for b in fiches.fiche_section(mid, "camion-mobile")]
    assert kinds == [Text, Table, Figure, Table, Figure, Text]
    quiet = fiches.fiche_section(empty, "camion-mobile")
    assert [type(b) for b in quiet] == [Text, Table, Table, Text]
    assert quiet[0].markdown.startswith("#### Fiche 1 — ")
    assert "{#bilan-fiche-camion-mobile}" in quiet[0].markdown
    assert "Aucune réponse de la commission" in quiet[-1].markdown
    chapter = fiches.objectives_and_fiches(empty)
    headings = [b.markdown for b in chapter if isinstance(b, Text) and b.markdown[:3] == "## "]
    assert len(headings) == len(empty.referential.objectifs)


def test_recommendation_blocks_per_review(mid, final, empty):
    heading, table = recommendations.recommendations(mid)
    assert heading.markdown.endswith("{#preconisations}")
    assert table.title == "Préconisations de la commission (données fictives)"
    assert "pa-preconisations" in table.classes
    blocks = recommendations.recommendations(final)
    assert [type(b) for b in blocks] == [Text, Table, Text, Table]
    assert "1er septembre 2021" in blocks[0].markdown
    assert "pa-suites" in blocks[1].classes
    heading, sentence = recommendations.recommendations(empty)
    assert sentence.markdown == recommendations.NO_RECOMMENDATION


def test_follow_ups_are_the_workbooks_words():
    # Every follow-up the workbook's schema allows has its badge.
    assert set(recommendations.FOLLOW_UP_DISPLAY) - {None} == set(FollowUp)
    late = recommendations.follow_up_badge("à faire", "2021-01-31", dt.date(2021, 9, 1))
    assert "✖" in late and "à faire, échéance passée" in late
    done = recommendations.follow_up_badge("réalisée", "2021-01-31", dt.date(2021, 9, 1))
    assert "✔" in done and "passée" not in done
    assert "suite non renseignée" in recommendations.follow_up_badge(None, None, dt.date.today())
    with pytest.raises(ValueError):
        recommendations.follow_up_badge("oubliée", None, dt.date.today())


def test_evolution_blocks(final):
    assert "1er septembre 2021" in evolution.recomputation(final).markdown
    assert evolution.key_figures_compared_table(final).classes == (
        "pa-bilan-tableau",
        "pa-chiffres",
    )
    changed = evolution.changes_table(final)
    assert isinstance(changed, Table) and "pa-changements" in changed.classes
    same = review_context("bilan-final", "2021-09-01", FICTIF)
    assert "Aucun indicateur ni aucune étape" in evolution.changes_table(same).markdown


@pytest.mark.parametrize(
    "name",
    [
        "06-bilan",
        "06-bilan-fiches",
        "06-bilan-preconisations",
        "06-bilan-evolution",
        "a2-audit",
        "a3-sources",
    ],
)
def test_notebooks_only_display_what_their_chapter_module_returns(name):
    cells = json.loads((project_root() / "notebooks" / f"{name}.ipynb").read_text("utf-8"))
    code = ["".join(c["source"]) for c in cells["cells"] if c["cell_type"] == "code"]
    # Parameters, then one cell of imports and loading, then nothing but display(...) calls.
    for source in code[2:]:
        for line in source.splitlines():
            assert re.fullmatch(r"display\(\*?[a-z_]+\.[a-z_]+\(.*\)\)", line), (name, line)
    assert "show_" not in "".join(code) and "Markdown(" not in "".join(code), name
