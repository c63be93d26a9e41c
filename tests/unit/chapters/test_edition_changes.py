"""Chapter « Ce qui a changé depuis l'édition précédente »: French « 2020 → 2026 » tables."""

from __future__ import annotations

import nbformat
import papermill
import pytest
from edition_support import HOSTILE, next_edition
from notebook_support import check_contract, text_of

from projet_associatif.analysis.edition_changes import edition_changes
from projet_associatif.chapters import edition_changes as chapter
from projet_associatif.core.formatting import MINUS, NBSP
from projet_associatif.core.paths import notebooks_dir
from projet_associatif.present.blocks import Table, Text

N = NBSP


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return next_edition(tmp_path_factory.mktemp("edition-2026"))


@pytest.fixture(scope="module")
def result(project):
    return edition_changes(project)


def resource(result, name):
    return next(r for r in result.resources if r.name == name)


def test_values_are_written_the_french_way_with_their_unit():
    assert chapter.value_text(12000, "eur", 0) == f"12{N}000{N}€"
    assert chapter.value_text(10.1, "pct", 2) == f"10,10{N}%"
    assert chapter.value_text(-0.3, "points", 1) == f"{MINUS}0,3{N}pt"
    assert chapter.value_text(11.75, "annees", 2) == f"11,75{N}ans"
    assert chapter.value_text(2089, None, 0) == f"2{N}089"


def test_a_change_reads_previous_arrow_current_with_the_same_decimals(result):
    (count,) = resource(result, "chiffres_cles").changed
    assert chapter.change_text(count) == f"127{N}→ 130"
    (rate,) = resource(result, "taux_chomage").changed
    assert chapter.change_text(rate) == f"10,10{N}%{N}→ 9,65{N}%"


def test_the_table_shows_each_changed_figure_and_keeps_labels_as_text(result):
    table = chapter.changes_table(result, resource(result, "chiffres_cles"))
    assert isinstance(table, Table)
    assert list(table.frame.columns) == ["Ligne", "Libellé", "Chiffre", "2020 → 2026"]
    text = table.markdown
    assert f"127{N}→ 130" in text
    assert "<b>" not in text and "\\<b\\>" in text and "\\#set" in text and "\\*gras\\*" in text
    assert "\\|" in text and "\\[lien\\]" in text
    assert "chiffres modifiés depuis l'édition 2020" in text and f"Source{N}:" in text
    assert HOSTILE not in text


def test_a_resource_sentence_names_added_and_removed_rows(result):
    sentence = chapter.resource_sentence(result, resource(result, "chiffres_cles")).markdown
    assert sentence.startswith("1 chiffre a changé, 35 inchangés.")
    assert "Lignes ajoutées en 2026 : test\\_ajout (Ligne ajoutée pour le test)." in sentence
    assert "Lignes retirées depuis 2020 : zone\\_cc (trois Communautés de communes)." in sentence


def test_an_unchanged_resource_gets_a_sentence_and_no_table(result):
    rsa = resource(result, "rsa_demandeurs")
    assert chapter.changes_table(result, rsa) is None
    assert (
        chapter.resource_sentence(result, rsa).markdown
        == "Aucun chiffre n'a changé (12 inchangés)."
    )


def test_the_chapter_sums_up_then_goes_resource_by_resource(result):
    blocks = chapter.chapter(result)
    first = blocks[0].markdown
    assert "2 chiffres ont changé" in first and "1 ligne ajoutée, 1 ligne retirée" in first
    assert "« valeur 2020 → valeur 2026 »" in first
    headings = [b.markdown.split("\n")[0] for b in blocks if isinstance(b, Text)]
    assert (
        "### Chiffres clés de la partie 3 (Descriptif de l'existant) {#edition-chiffres-cles}"
        in headings
    )
    assert sum(isinstance(b, Table) for b in blocks) == 2
    assert blocks[-1].markdown.startswith("## Ce qui n'est pas comparé")
    unchanged = next(b.markdown for b in blocks if "## Les tables sans changement" in b.markdown)
    assert "- Bénéficiaires du RSA dans la demande d'emploi ABC, 2e trimestre 2018 : " in unchanged
    assert "12 chiffres identiques." in unchanged
    assert "### Bénéficiaires du RSA" not in "\n".join(headings)


def test_a_project_without_previous_edition_gets_one_sentence():
    (only,) = chapter.chapter(chapter.changes())
    assert "n'a pas d'édition précédente" in only.markdown


def execute(tmp_path, name, **parameters):
    target = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(
        str(notebooks_dir() / "edition-precedente.ipynb"),
        str(target),
        parameters=parameters,
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    return nbformat.read(target, as_version=4)


def test_the_notebook_says_so_when_there_is_no_previous_edition(tmp_path):
    nb = execute(tmp_path, "sans-precedente")
    assert check_contract(nb) == []
    assert "n'a pas d'édition précédente" in text_of(nb)


def test_the_notebook_shows_the_chapter_for_a_next_edition(project, tmp_path):
    nb = execute(tmp_path, "suivante", data_dir=str(project))
    assert check_contract(nb) == ["table", "table"]
    text = text_of(nb)
    assert f"10,10{N}%{N}→ 9,65{N}%" in text and "<b>#set" not in text
