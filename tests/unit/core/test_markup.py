"""Data values written into Markdown show as text, through every Markdown reader we use.

Pandoc (the Pandoc engine, and Quarto, which runs Pandoc) and mistune with nbconvert's
plugins (the notebook pages) read the escaped Markdown; each value must come out as the same characters,
with no element made from it.
"""

from __future__ import annotations

import pandas as pd
import pypandoc
import pytest
from bs4 import BeautifulSoup
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from projet_associatif.core.markup import escape_markdown, escape_paragraphs, one_line
from projet_associatif.present import tables

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "**gras** _x_ [lien](http://e.x) `code` | # @ $ ~ { } \\",
    '#panic("x") @ref <lbl> $x$',
    "a\\b $x$ ~indice~ ^exposant^ @cle {.classe} [@cle] \\$",
    "&lt;b&gt; &amp; &#60;",
    "![image](x.png) <http://e.x> <!-- commentaire --> https://e.x/chemin",
    "- pas une liste",
    "+ pas une liste",
    "1. pas une liste",
    "12) pas une liste",
    "a. pas une liste",
    "(1) pas une liste",
    "iv. pas une liste",
    ": pas une légende",
    "# pas un titre",
    "> pas une citation",
    "| pas | un tableau |",
    "~~~ pas du code",
    "::: pas un bloc",
    "(@) pas un exemple",
    "2^10^ H~2~O",
    "a\\ b\\",  # « \ » before a space is a no-break space; at the end, a line break
]


def _paragraph_texts(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    paragraphs = soup.find_all("p")
    # Only paragraphs and text: no element came from a value.
    assert {t.name for t in soup.find_all(True)} <= {"p"}, html
    return [p.get_text() for p in paragraphs]


def _pandoc_html(markdown: str) -> str:
    # -smart: compare characters, not the typography Pandoc gives quotes.
    return pypandoc.convert_text(
        markdown, "html", format="markdown-smart", extra_args=["--wrap=none"]
    )


@pytest.mark.parametrize("reader", ["pandoc", "mistune"])
def test_escaped_values_read_back_as_the_same_text(reader):
    document = "\n\n".join(escape_markdown(v) for v in HOSTILE)
    html = _pandoc_html(document) if reader == "pandoc" else markdown2html_mistune(document)
    assert _paragraph_texts(html) == HOSTILE


def test_escaped_value_in_a_heading_a_list_and_emphasis_stays_text():
    value = "<script>x</script> **gras** {.classe}"
    markdown = (
        f"## {escape_markdown(value)}\n\n- **{escape_markdown(value)}** {escape_markdown(value)}"
    )
    soup = BeautifulSoup(_pandoc_html(markdown), "html.parser")
    assert soup.find("h2").get_text() == value
    assert not soup.find(class_="classe")
    item = soup.find("li")
    assert item.find("strong").get_text() == value
    assert item.get_text() == f"{value} {value}"
    assert not soup.find("script")


def test_escape_markdown_puts_a_value_on_one_line():
    assert escape_markdown("un\ndeux\r\n  trois") == "un deux trois"
    assert one_line("12\u202f345\n€") == "12\u202f345 €"  # no-break spaces kept


def test_paragraphs_and_dash_lists_are_kept_and_nothing_else_is_read():
    text = "Premier *paragraphe*\nsur deux lignes.\n\nIntroduction :\n\n- un <b>\n- deux `code`"
    soup = BeautifulSoup(_pandoc_html(escape_paragraphs(text)), "html.parser")
    assert [p.get_text() for p in soup.find_all("p")] == [
        "Premier *paragraphe* sur deux lignes.",
        "Introduction :",
    ]
    assert [li.get_text() for li in soup.find_all("li")] == ["un <b>", "deux `code`"]
    assert not soup.find(["em", "b", "code"])


def test_table_cells_titles_notes_and_sources_show_markdown_characters_literally():
    """Every ASCII punctuation Markdown reads (\\ $ ~ @ { } included) stays text in a table."""
    values = [*HOSTILE[:5], "a\\b", "$1$", "~s~", "@ref", "{.c}", "x^2^"]
    frame = pd.DataFrame({"Texte <b>": values, "Nombre": range(len(values))})
    text = tables.markdown(
        frame,
        title="Titre $x$ @ref {#id}",
        source="Source ~s~ {.c} \\",
        note="Note **n**",
        label="",
    )
    soup = BeautifulSoup(_pandoc_html(text), "html.parser")
    cells = [row.find("td").get_text() for row in soup.find("tbody").find_all("tr")]
    assert cells == values
    assert soup.find("th").get_text() == "Texte <b>"
    assert soup.find("caption").get_text().strip() == "Titre $x$ @ref {#id}"
    assert not soup.find(id="id")
    texts = [p.get_text() for p in soup.find_all("p")]
    assert "Note\u00a0: Note **n**" in texts
    assert "Source\u00a0: Source ~s~ {.c} \\" in texts
    assert not soup.find(["script", "img", "a", "strong", "em", "code", "sub", "sup", "span"])


def test_a_cell_escaped_by_its_caller_keeps_its_pipes_inside_the_cell():
    """A trusted column (Markdown on purpose) holding escaped values stays one cell."""
    value = "a | b `c`"
    frame = pd.DataFrame({"Lien": [f"[{escape_markdown(value)}](#ancre)"], "Brut": ["x | y"]})
    text = tables.markdown_table(frame, formats={"Lien": str, "Brut": str})
    soup = BeautifulSoup(_pandoc_html(text), "html.parser")
    cells = soup.find("tbody").find_all("td")
    assert [c.get_text() for c in cells] == [value, "x | y"]
    assert cells[0].find("a")["href"] == "#ancre"


def test_commission_answers_from_the_measurement_file_are_text(monkeypatch):
    """The commission's answers (free text typed in the workbook) reach the review as text."""
    from projet_associatif.analysis.review_context import review_context
    from projet_associatif.chapters import review
    from projet_associatif.core.paths import project_root

    bilan = review_context(
        "bilan-intermediaire", "", str(project_root() / "exemples" / "suivi-fictif.xlsx"), ""
    )
    value = "<img src=x onerror=alert(1)> **gras** [lien](http://e.x) @ref"
    answers = bilan.answers().assign(Réponse=value)
    monkeypatch.setattr(bilan, "answers", lambda: answers)
    soup = BeautifulSoup(_pandoc_html(review.answers_markdown(bilan)), "html.parser")
    assert not soup.find(["img", "a", "span"])
    assert [li.get_text().count(value) for li in soup.find_all("li")] == [1] * len(answers)
