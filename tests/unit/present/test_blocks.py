"""The blocks a chapter returns: what IPython's display publishes for each, and its metadata."""

import altair as alt
import pandas as pd
import pytest
from IPython.core.formatters import DisplayFormatter

from projet_associatif.present import charts, tables
from projet_associatif.present.blocks import Figure, Table, Text, ToComplete

FRAME = pd.DataFrame({"EPCI": ["Moulins Communauté", "Bocage"], "population": [64_000, 14_030]})


@pytest.fixture(scope="module")
def shown():
    """Return what IPython publishes for an object: the formatter ``display`` itself uses."""
    formatter = DisplayFormatter()
    return formatter.format


def test_a_table_publishes_its_markdown_and_the_metadata_the_renderers_read(shown):
    data, metadata = shown(Table(FRAME, title="Titre", source="Source", note="Note"))
    assert set(data) == {"text/markdown", "text/plain"}
    assert data["text/markdown"] == tables.markdown(
        FRAME, title="Titre", source="Source", note="Note"
    )
    assert metadata == {
        "pa": {
            "kind": "table",
            "title": "Titre",
            "source": "Source",
            "note": "Note",
            "label": "tbl-titre",
        }
    }


def test_a_table_without_label_announces_none(shown):
    data, metadata = shown(Table(FRAME, title="Titre", source="Source", label=""))
    assert "{#" not in data["text/markdown"]
    assert "label" not in metadata["pa"]


def test_a_composed_table_keeps_its_body_and_gets_the_caption_and_source(shown):
    body = "| a | b |\n|---|---|\n| 1 | 2 |"
    data, metadata = shown(Table(None, title="Matrice", source="Atelier", body=body))
    assert data["text/markdown"].startswith(body + "\n\n: Matrice {#tbl-matrice}")
    assert data["text/markdown"].endswith("Source\u00a0: Atelier\n")
    assert metadata["pa"]["label"] == "tbl-matrice"


def test_a_table_with_classes_is_wrapped_in_a_div_and_the_plain_text_is_the_table(shown):
    data, metadata = shown(Table(FRAME, title="T", source="S", classes=("pa-bilan-tableau",)))
    assert data["text/markdown"].startswith("::: {.pa-bilan-tableau}\n\n")
    assert data["text/markdown"].rstrip().endswith(":::")
    assert data["text/plain"] == tables.markdown(FRAME, title="T", source="S")
    assert "label" not in metadata["pa"]  # the Div's table carries its label in the Markdown


def test_a_published_table_needs_a_title_and_a_source(shown):
    with pytest.raises(ValueError, match="titre et une source"):
        Table(FRAME, title="", source="S").markdown  # noqa: B018


def test_a_figure_publishes_the_chart_output_contract(shown):
    chart = alt.Chart(FRAME).mark_bar().encode(x="population:Q", y="EPCI:N")
    args = {"title": "Population", "source": "INSEE, 2018", "alt": "Barres : population"}
    data, metadata = shown(Figure(chart, **args))
    assert (data, metadata) == charts.mimebundle(chart, **args)
    assert {"image/svg+xml", "image/png", "text/html", "text/plain"} <= set(data)


def test_text_publishes_its_markdown(shown):
    data, metadata = shown(Text("**12** jeunes"))
    assert data == {"text/markdown": "**12** jeunes", "text/plain": "**12** jeunes"}
    assert metadata == {}


def test_a_box_to_complete_names_the_file_and_what_it_should_hold(shown):
    data, metadata = shown(ToComplete("data/public/accueil.csv", "les jeunes accueillis"))
    markdown = data["text/markdown"]
    assert markdown.startswith('::: {.pa-a-completer role="note"}\n**À compléter** : ')
    assert "data/public/accueil.csv" in markdown and "les jeunes accueillis" in markdown
    assert markdown.rstrip().endswith(":::")
    assert data["text/plain"] == "À compléter : data/public/accueil.csv — les jeunes accueillis"
    assert metadata["pa"] == {
        "kind": "a-completer",
        "file": "data/public/accueil.csv",
        "what": "les jeunes accueillis",
    }


def test_a_box_to_complete_shows_markup_in_its_file_and_texts_as_text(shown):
    box = ToComplete("data/<script>x</script>.csv", "**gras** [lien](http://x)", "# titre\n\n- a")
    markdown = shown(box)[0]["text/markdown"]
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert "\\*\\*gras\\*\\*" in markdown and "\\[lien\\]" in markdown
    assert "\\# titre" in markdown and "- a" in markdown
