"""Every sentence and number of the source reaches every format, or is a listed omission.

The matcher (``projet_associatif.analysis.fidelity``) is tested on small texts; the published book
(the session's shared build of the 2020 project, HTML + PDF + DOCX) is then compared with
the whole source. The reviews are their own documents and reprint none of it.
"""

from __future__ import annotations

import re

import fidelity_support
import pytest

from projet_associatif.analysis import fidelity
from projet_associatif.config.identity import source_document

NIEVRE = "département de la Nièvre, en région Bourgogne-Franche-Comté"


@pytest.fixture(scope="module")
def source():
    return fidelity.segments()


@pytest.fixture(scope="module")
def omissions():
    return fidelity.omissions()


def _segment(source, text):
    found = [s for s in source if text in s.text]
    assert found, text
    return found[0]


# --- the matcher ---------------------------------------------------------------------------


def test_french_number_formats_are_one_token():
    assert fidelity.tokens("15.5%") == fidelity.tokens("15,5\u202f%") == ("#15.5%",)
    assert fidelity.tokens("1 637 478,00 €") == fidelity.tokens("1\u202f637\u202f478 €")
    assert fidelity.tokens("9,3") != fidelity.tokens("9,4")
    assert fidelity.tokens("15,5 €") != fidelity.tokens("15,5 %")


def test_typography_ligatures_and_pdf_hyphenation_are_folded():
    assert fidelity.tokens("l’« efﬁcacité » du dévelop-\npement") == fidelity.tokens(
        "l'efficacité du développement"
    )
    assert fidelity.tokens("Saint-\nPourçain") == fidelity.tokens("Saint-Pourçain")
    assert fidelity.tokens("LABBE¹") == fidelity.tokens("LABBE")


def test_source_is_cut_into_sentences_placed_in_their_section(source):
    nievre = _segment(source, "Nièvre")
    assert nievre.section == "3.1 Contexte territorial" and nievre.page == 7
    # « 27 av. E. Guillaumin » is not three sentences.
    assert _segment(source, "27 av. E. Guillaumin").text.startswith("Bourbon")
    # A later « PROJET ASSOCIATIF » (photo annex) is not the cover; TOC lines are not headings.
    assert _segment(source, "MERCI AUX MEMBRES").section == "Annexe 2 — Photos"
    assert _segment(source, "Ressources humaines 18").section.startswith("Feuille de route")


def test_the_source_structure_is_data_and_every_heading_is_found_in_order(source):
    """The parts come from data/fidelite/structure_source.yaml, each heading in the source."""
    parts = fidelity.structure().sections
    assert [p.name for p in parts[:2]] == [
        "Page de couverture",
        "Un projet associatif pour qui, pourquoi, pour quoi faire ?",
    ]
    placed = list(dict.fromkeys(s.section for s in source))
    assert placed == [p.name for p in parts]  # every heading found, in the data's order
    pages = {s.section: s.page for s in source}
    assert pages["3.3 Histoire de la Mission Locale de Moulins"] == 16
    assert pages["Annexe 1 — Plans d'action"] is None


def test_the_reports_spellings_of_the_sources_words_are_the_same_tokens():
    assert fidelity.tokens("2T 2008") == fidelity.tokens("T2 2008")
    assert fidelity.tokens("ARA") == fidelity.tokens("Auvergne-Rhône-Alpes")
    assert fidelity.tokens("4T 2008") != fidelity.tokens("T2 2008")


def test_a_table_row_of_figures_is_one_segment_with_its_label(source):
    row = _segment(source, "Allier 7,1 10,1")
    assert row.label == ("allier",)
    assert row.numbers == ("#7.1", "#10.1", "#9.4", "#9.8", "#0.3", "#2.7")


def test_a_missing_sentence_or_number_is_reported_and_a_near_one_is_not(source):
    sentence = _segment(source, "regroupe 44 communes dont 2")
    text = sentence.text
    assert fidelity.OutputText("html", "Avant. " + text + " Après.").finds(sentence)
    # Nearly verbatim: one word changed in 40 still matches.
    assert fidelity.OutputText("html", text.replace("regroupe", "rassemble")).finds(sentence)
    # A clause lost, or one number changed, is a miss.
    shortened = text.split(" dont ")[0] + "."
    assert not fidelity.OutputText("html", shortened).finds(sentence)
    basin = _segment(source, "zones d'emploi les moins industrielles")
    clause = " avec une moindre adaptabilité des actifs aux changements liés à leur niveau"
    assert clause in basin.text
    assert fidelity.OutputText("html", basin.text).finds(basin)
    assert not fidelity.OutputText("html", basin.text.replace(clause, "")).finds(basin)
    wrong = fidelity.OutputText("pdf", text.replace("67 972", "67 927"))
    assert not wrong.finds(sentence)
    (miss,) = fidelity.missing(wrong, [sentence])
    assert miss.missing_numbers == ("#67972",)
    assert "[pdf] 3.1 Contexte territorial, p. 7" in miss.describe()
    assert "67972" in miss.describe()


def test_figures_of_a_row_must_sit_near_their_label(source):
    row = _segment(source, "Allier 7,1 10,1")
    table = "Territoire Trimestre Taux\n" + "\n".join(
        f"Allier {q} {v} %"
        for q, v in zip(
            ["T2 2008", "T1 2017", "T4 2017", "T1 2018"], ["7,1", "10,1", "9,4", "9,8"], strict=True
        )
    )
    evolutions = "Allier −0,3 pt +2,7 pt"
    assert fidelity.OutputText("pdf", table + "\n" + evolutions).finds(row)
    # A chart with end labels only (« Allier 9,8 % ») misses the other values.
    similarity, absent = fidelity.OutputText("pdf", "Allier 9,8 %\n" + evolutions).match(row)
    assert absent == ("#7.1", "#10.1", "#9.4")
    # The values somewhere else in the book, far from « Allier », do not count.
    far = "Allier 9,8 %\n" + evolutions + " Autre chapitre." * 40 + " 7,1 10,1 9,4"
    assert fidelity.OutputText("pdf", far).match(row)[1] == ("#7.1", "#10.1", "#9.4")


def test_an_omission_covers_only_its_passages(source, omissions):
    navigation = _segment(source, "Cliquez ici")
    nievre = _segment(source, "Nièvre")
    empty = fidelity.OutputText("docx", "")
    misses = fidelity.missing(empty, [navigation, nievre], omissions)
    assert [m.segment for m in misses] == [nievre]


def test_an_invalid_pattern_is_named_in_french():
    entry = {"motif": "(", "section": "x", "raison": "une raison assez longue"}
    with pytest.raises(ValueError, match=r"omission n° 1, champ « motif »"):
        fidelity.omissions([entry])


def test_every_listed_omission_still_covers_a_source_passage(source, omissions):
    stale = fidelity.unused(omissions, source, ["html", "pdf", "docx"])
    assert not stale, [o.text for o in stale]


def test_omissions_are_few_and_each_has_a_reason(omissions):
    assert 0 < len(omissions) <= 15
    assert all(len(o.reason) > 40 for o in omissions)


# --- the published book --------------------------------------------------------------------


@pytest.fixture(scope="module")
def outputs(book_2020):
    return fidelity_support.outputs(
        book_2020.html_dir, book_2020.outputs["pdf"], book_2020.outputs["docx"]
    )


@pytest.mark.slow
@pytest.mark.parametrize("output", ["html", "pdf", "docx"])
def test_every_sentence_and_number_of_the_source_is_in_the_output(
    book_2020, outputs, source, omissions, output
):
    misses = fidelity.missing(outputs[output], source, omissions, book_2020.meta["profile"])
    report = "\n".join(m.describe() for m in misses)
    assert not misses, f"{len(misses)} passage(s) de la source absent(s) :\n{report}"


@pytest.mark.slow
def test_the_check_fails_when_chart_values_are_only_in_the_chart(book_2020, source):
    """Mutation: the unemployment rates read only as chart end labels are reported missing."""
    text = fidelity_support.pdf_text(book_2020.outputs["pdf"])
    start = text.index("Évolution du taux de chômage")
    section = text[start:]
    # Drop the « Données du graphique » tables after the charts of that section.
    stripped = re.sub(r"Données du graphique.*?Source", "Source", section, flags=re.S)
    assert stripped != section
    mutated = fidelity.OutputText("pdf", text[:start] + stripped)
    rows = [s for s in source if s.label == ("allier",) and "#10.1" in s.numbers]
    assert rows and not mutated.finds(rows[0])
    assert fidelity.OutputText("pdf", text).finds(rows[0])


@pytest.mark.slow
def test_annex_c_lists_the_omissions_with_their_reasons(book_2020, omissions):
    page = fidelity_support.html_text(book_2020.html_dir, "a3-sources.html")
    assert "Passages de la source omis délibérément" in page
    shown = " ".join(fidelity.tokens(page))
    for omission in omissions:
        assert " ".join(fidelity.tokens(omission.reason)) in shown, omission.reason


@pytest.mark.slow
def test_figures_cite_their_sources_in_the_short_form_in_every_format(book_2020):
    """The « Source : » lines are short in HTML, PDF and DOCX; the long title only in annex C."""
    outputs = fidelity_support.outputs(
        book_2020.html_dir, book_2020.outputs["pdf"], book_2020.outputs["docx"]
    )

    def phrase(text):
        return " " + " ".join(fidelity.tokens(text)) + " "

    for name, output in outputs.items():
        shown = output.joined
        for line in (
            "Source : projet associatif 2020, p. 7 ; INSEE, 2015",
            "Source : projet associatif 2020, p. 7 ; DIRECCTE Auvergne-Rhône-Alpes, juin 2018",
            "Source : projet associatif 2020, annexe 1, fiche n° 18",
        ):
            assert phrase(line) in shown, (name, line)
        # The full title is written once, in annex C's note (it was under every figure).
        assert shown.count(phrase(source_document().title)) == 1, name
