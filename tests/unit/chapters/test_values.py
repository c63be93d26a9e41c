"""chapters/values.py: the epigraph, the principles table and the charter as Markdown."""

import copy
import re

import pytest

from projet_associatif.chapters import values
from projet_associatif.data.package import load, sources_of
from projet_associatif.present.provenance import source_markdown
from projet_associatif.present.tables import markdown


@pytest.fixture(scope="module")
def charter():
    return load("charte")


@pytest.fixture(scope="module")
def introduction():
    return load("valeurs_introduction")


def test_epigraph_is_one_block_quote(introduction):
    text = str(values.epigraph(introduction))
    assert text.startswith("> « C'est de nos racines profondes")
    assert "\n" not in text


def test_principles_intro_is_the_source_sentence(introduction):
    assert str(values.principles_intro(introduction)) == (
        "> Notre mission de service public est étayée de principes (valeurs) :"
    )


def test_principles_table_keeps_the_source_order_and_spelling():
    table = values.principles_frame(load("valeurs"))
    assert list(table.columns) == ["Principe", "Définition"]
    assert len(table) == 8
    assert table["Principe"].iloc[0] == "Egalité d'accès"
    assert table["Principe"].iloc[-1] == "Adaptabilité"
    assert table["Définition"].iloc[6].endswith("La continuité est temporelle et territoriale.")


def test_principles_table_follows_the_order_column_not_the_file_order():
    frame = load("valeurs").iloc[::-1]
    assert values.principles_frame(frame)["Principe"].iloc[0] == "Egalité d'accès"


def test_principles_render_as_a_two_column_pipe_table():
    text = markdown(values.principles_frame(load("valeurs")), title="Principes", source="test")
    header = text.splitlines()[0]
    assert header.count("|") == 3
    assert "| Neutralité " in text


def test_charter_has_eleven_articles_in_order(charter):
    text = values.charter_markdown(charter)
    numbers = [int(n) for n in re.findall(r"\*\*Art\. (\d+)\.\*\*", text)]
    assert numbers == list(range(1, 12))
    assert [a["numero"] for a in values.articles(charter)] == list(range(1, 12))


def test_charter_counts_what_the_data_holds(charter):
    shorter = copy.deepcopy(charter)
    shorter["parties"][3]["articles"].pop()
    assert len(re.findall(r"\*\*Art\. ", values.charter_markdown(shorter))) == 10


def test_articles_are_grouped_under_their_part(charter):
    text = values.charter_markdown(charter, level=2)
    parts = re.findall(r"^### (I|II|III|IV) – (.+)$", text, flags=re.M)
    assert [p[0] for p in parts] == ["I", "II", "III", "IV"]
    assert parts[3][1] == "Vers des politiques locales d'insertion et de développement"
    # Article 9 sits in part III, after its heading and before part IV's.
    assert text.index("### III") < text.index("**Art. 9.**") < text.index("### IV")
    by_number = {a["numero"]: a["partie"] for a in values.articles(charter)}
    assert by_number[4] == "I" and by_number[9] == "III" and by_number[11] == "IV"


def test_charter_keeps_paragraphs_and_the_list_of_article_9(charter):
    text = values.charter_markdown(charter)
    assert (
        "**Art. 2.** L'initiative de cette démarche appartient aux collectivités territoriales"
        in text
    )
    assert "\n\nLa Mission Locale est constituée de tous les partenaires" in text
    assert "\n- l'émergence de pratiques nouvelles,\n- l'expérimentation" in text
    # Article 4's line break inside a paragraph becomes a space, not a lost word.
    assert "est le bassin d'emploi. Ce territoire peut être aussi" in text


def test_charter_preamble_date_and_principles(charter):
    text = values.charter_markdown(charter, heading=False, sources=[{"title": "Annuaire"}])
    assert text.startswith(
        "**La Charte des Missions Locales — « Construire ensemble une place pour tous les jeunes »**"
    )
    assert "*Adoptée le 12 décembre 1990 par le Conseil national des missions locales.*" in text
    items = re.findall(r"^- \*\*(.+)\*\*([,.])$", text, flags=re.M)
    assert [punct for _, punct in items] == [",", ",", ",", "."]
    assert items[0][0] == "une volonté de travailler ensemble sur un territoire"
    assert text.rstrip().endswith("Source\u00a0: Annuaire")  # through provenance.source_text


def test_charter_heading_levels_follow_the_argument(charter):
    text = values.charter_markdown(charter, level=3)
    assert text.startswith("### La Charte des Missions Locales")
    assert "\n#### II – Une intervention globale" in text


def test_the_chapter_blocks_carry_their_source_lines(charter):
    table = values.principles_table(load("valeurs"), sources_of("valeurs"))
    assert table.title.startswith("Les principes (valeurs)") and table.source.strip()
    assert "| Neutralité " in table.markdown
    text = str(values.charter_section(charter, sources_of("charte")))
    assert text.startswith("**La Charte des Missions Locales")  # the page's heading names it
    # The one caption formatter: the same line provenance.source_markdown gives.
    assert text.rstrip().endswith(source_markdown(sources_of("charte")))
