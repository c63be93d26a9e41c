"""Render the projet-2020 book with the Pandoc engine and check the three outputs."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import docx
import nbformat
import pandas as pd
import pypdf
import pytest
from render_support import (
    LONG_TABLE_ROWS,
    META,
    TITLES,
    executed_notebook,
)

from projet_associatif.present import charts
from projet_associatif.publish import RenderError, render_book
from projet_associatif.publish.book import book_config

pytestmark = pytest.mark.slow

# Titles of the whole book in reading order (hand-written chapters included).
ORDER = [
    "Un projet associatif pour qui, pourquoi, pour quoi faire ?",
    "1. Nos valeurs",
    "2. Objectifs généraux de la Mission Locale",
    "3. Descriptif de l’existant",
    "3.1 Contexte territorial",
    "3.2 Contexte socio-économique",
    "3.3 Histoire des Missions Locales et de la Mission Locale de Moulins",
    "3.4 Le public et l’activité",
    "3.5 Les ressources",
    "4. Analyse de l’existant",
    "5. Stratégie et plans d’actions",
    "6. Évaluations",
    "Annexe A — Les fiches-action",
    "Annexe B — Audit des chiffres",
    "Annexe C — Sources des données",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("rendu")
    executed = root / "executes"
    executed.mkdir()
    for name in book_config("projet-2020").notebooks():
        executed_notebook(executed / name, TITLES[Path(name).stem])
    outputs = render_book(
        executed,
        root / "staging",
        profile="projet-2020",
        formats=["html", "pdf", "docx"],
        engine="pandoc",
        meta=META,
    )
    outputs["root"] = root / "staging"
    return outputs


def normalise(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).replace("'", "’")


def test_outputs_have_the_interface_names(rendered):
    staging = rendered["root"]
    assert rendered["html"] == staging / "html" / "index.html"
    assert rendered["pdf"] == staging / "projet-associatif.pdf"
    assert rendered["docx"] == staging / "projet-associatif.docx"
    assert all(rendered[f].is_file() for f in ("html", "pdf", "docx"))


# --- PDF -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_pages(rendered) -> list[str]:
    return [normalise(page.extract_text()) for page in pypdf.PdfReader(rendered["pdf"]).pages]


def test_pdf_cover_page(pdf_pages):
    cover = pdf_pages[0]
    for text in (
        "Mission Locale de Moulins et sa région",
        "Projet associatif 2020",
        "Affirmez votre potentiel",
        "Document : Projet associatif 2020",
        "Données arrêtées au 31 décembre 2020",
    ):
        assert text in cover


@pytest.fixture(scope="module")
def pdf_bodies(rendered) -> list[str]:
    """Return each page's text without its first line (the running header)."""
    pages = pypdf.PdfReader(rendered["pdf"]).pages
    return [normalise(page.extract_text().split("\n", 1)[-1]) for page in pages]


def test_pdf_has_a_table_of_contents_then_chapters_in_order(pdf_pages, pdf_bodies):
    assert "Table des matières" in pdf_pages[1]
    pairs = list(zip(pdf_pages, pdf_bodies, strict=True))[1:]
    body = " ".join(b for p, b in pairs if "Table des matières" not in p)
    positions = [body.find(normalise(title)) for title in ORDER]
    assert -1 not in positions, [t for t, p in zip(ORDER, positions, strict=True) if p == -1]
    assert positions == sorted(positions)


def test_pdf_shows_the_table_figures_and_numbered_captions(pdf_pages):
    text = " ".join(pdf_pages)
    assert "67 972" in text and "14 030" in text
    # Numbered by chapter as Quarto numbers a book: the home page and the part page are
    # not numbered chapters, « 1. Nos valeurs » is chapter 1, « 4. Analyse » chapter 8
    # (after 2., 3.1 to 3.5), the appendices A, B, C.
    assert "Figure 1.1 : Population des EPCI (01-valeurs)" in text
    assert "Tableau 1.1 : Population des EPCI en 2018 (01-valeurs)" in text
    assert "Figure 3.1 : Population des EPCI (03-1-contexte-territorial)" in text
    assert "Tableau 8.1 : Population des EPCI en 2018 (04-analyse-swot)" in text
    assert "Tableau C.1 : Population des EPCI en 2018 (a3-sources)" in text
    assert "Tableau C.2 : Un tableau plus haut" in text
    # Typst's own numbering (« Tableau 1. – ») is off: the caption already has it.
    assert "1. –" not in text


def test_pdf_pages_are_numbered_and_carry_the_chapter_title(pdf_pages):
    page = next(p for p in pdf_pages if p.startswith("Projet associatif 2020 3.3 Histoire"))
    assert re.search(r"\b\d+$", page)


def test_pdf_is_reproducible_metadata(rendered):
    reader = pypdf.PdfReader(rendered["pdf"])
    assert reader.metadata["/Title"] == "Projet associatif 2020"
    assert reader.metadata["/CreationDate"].startswith("D:20240102")


# --- DOCX ----------------------------------------------------------------------------------


def test_docx_headings_use_word_styles(rendered):
    document = docx.Document(rendered["docx"])
    styles = {normalise(p.text): p.style.name for p in document.paragraphs if p.text.strip()}
    assert styles[normalise("1. Nos valeurs")] == "Heading 1"
    assert styles[normalise("3. Descriptif de l’existant")] == "Heading 1"
    assert styles[normalise("3.1 Contexte territorial")] == "Heading 2"
    assert styles["Annexes"] == "Heading 1"
    assert styles[normalise("Annexe B — Audit des chiffres")] == "Heading 2"
    assert styles["Projet associatif 2020"] == "Title"


def test_docx_tables_are_word_tables(rendered):
    document = docx.Document(rendered["docx"])
    # Per chapter: the chart's data as a table (print formats only) and the table; plus the
    # long table.
    assert len(document.tables) == 2 * len(TITLES) + 1
    first = document.tables[0]
    assert [c.text for c in first.rows[0].cells] == ["epci", "population"]
    assert normalise(first.rows[1].cells[1].text) == "67 972"
    captions = [p.text for p in document.paragraphs if p.style.name == "Table Caption"]
    assert normalise(captions[0]).startswith("Tableau 1.1 : Population des EPCI")
    assert normalise(captions[-1]).startswith("Tableau C.2 : Un tableau plus haut")


def test_docx_has_a_toc_field_and_french_language(rendered):
    document = docx.Document(rendered["docx"])
    xml = document.element.xml
    assert "TOC \\o" in xml
    assert document.core_properties.language == "fr-FR"


# --- HTML ----------------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def parse(path: Path) -> list[tuple[str, dict[str, str]]]:
    parser = Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.tags


@pytest.fixture(scope="module")
def pages(rendered) -> dict[str, Path]:
    html_dir = rendered["html"].parent
    stems = [e.stem for e in book_config("projet-2020").entries]
    return {s: html_dir / ("index.html" if s == "index" else f"{s}.html") for s in stems}


def test_html_has_one_page_per_chapter(pages):
    assert len(pages) == len(ORDER)
    for stem, page in pages.items():
        assert page.is_file(), stem


def test_html_pages_are_french_with_the_full_table_of_contents(pages):
    for page in pages.values():
        tags = parse(page)
        assert ("html", {"lang": "fr"}) in tags
        links = {a["href"] for t, a in tags if t == "a" and "href" in a}
        assert {p.name for p in pages.values()} <= links
        assert sum(1 for t, a in tags if t == "a" and a.get("aria-current") == "page") == 1


def test_html_previous_and_next_links_follow_the_book(pages):
    names = [p.name for p in pages.values()]
    for i, page in enumerate(pages.values()):
        rels = {a["rel"]: a["href"] for t, a in parse(page) if t == "a" and "rel" in a}
        assert rels.get("prev") == (names[i - 1] if i > 0 else None)
        assert rels.get("next") == (names[i + 1] if i < len(names) - 1 else None)


def test_html_chapter_shows_the_chart_figure_and_the_table(pages):
    text = pages["03-1-contexte-territorial"].read_text(encoding="utf-8")
    assert '<figure class="pa-chart"' in text and "pa-chart-view" in text
    assert "Figure\u00a03.1\u00a0:</span>" in text
    assert "<table" in text and re.search("67[\u00a0\u202f]972", text)
    assert '<script src="assets/vega-bundle.js" defer></script>' in text
    assert "graphique_population" not in text and 'data_dir = ""' not in text
    for page in (pages["index"], pages["03-3-histoire"]):
        assert "Texte de" not in page.read_text(encoding="utf-8")


def test_html_loads_nothing_from_the_network(rendered):
    html_dir = rendered["html"].parent
    for page in html_dir.rglob("*.html"):
        for tag, attrs in parse(page):
            if tag in ("script", "link", "img"):
                for key in ("src", "href"):
                    assert not re.match(r"(https?:)?//", attrs.get(key, "")), (page, tag, attrs)


def test_html_ships_its_scripts_and_styles(rendered):
    assets = rendered["html"].parent / "assets"
    assert "vegaEmbed" in (assets / "vega-bundle.js").read_text(encoding="utf-8")
    assert "pa-chart-view" in (assets / "pa-charts.js").read_text(encoding="utf-8")
    assert "@media print" in (assets / "pa-impression.css").read_text(encoding="utf-8")


def test_html_links_each_notebook_page_which_is_offline(pages, rendered):
    html_dir = rendered["html"].parent
    chapter = pages["01-valeurs"].read_text(encoding="utf-8")
    assert '<a href="notebooks/01-valeurs.html">Voir le notebook</a>' in chapter
    notebook = (html_dir / "notebooks" / "01-valeurs.html").read_text(encoding="utf-8")
    assert "graphique_population" in notebook
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", notebook)
    assert "cdnjs" not in notebook and "unpkg" not in notebook


def test_missing_notebook_is_named_in_the_error(tmp_path: Path):
    executed = tmp_path / "executes"
    executed.mkdir()
    with pytest.raises(RenderError) as caught:
        render_book(
            executed, tmp_path / "s", profile="projet-2020", formats=["pdf"], engine="pandoc"
        )
    assert "01-valeurs" in str(caught.value)
    assert "format : pdf" in str(caught.value)


# --- real data: no « Données fictives » label; PDF/UA-1 ------------------------------------


def test_real_data_carries_no_fictional_label(rendered, pdf_pages):
    html_dir = rendered["html"].parent
    for page in html_dir.rglob("*.html"):
        assert 'class="pa-fictif"' not in page.read_text(encoding="utf-8"), page
    assert not any("Données fictives" in p for p in pdf_pages)
    document = docx.Document(rendered["docx"])
    assert all(
        not s.header.paragraphs or not s.header.paragraphs[0].text for s in document.sections
    )
    assert "Données fictives" not in document.element.xml


def test_pdf_is_tagged_pdf_ua_with_language_and_title(rendered):
    reader = pypdf.PdfReader(rendered["pdf"])
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr-FR"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp


def test_pdf_refuses_an_image_without_alternative_text(rendered, tmp_path):
    import shutil

    executed = tmp_path / "executes"
    shutil.copytree(rendered["root"].parent / "executes", executed)
    path = executed / "01-valeurs.ipynb"
    nb = nbformat.read(path, as_version=4)
    png = charts.mimebundle(
        alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q"),
        title="t",
        source="s",
        alt="a",
    )[0]["image/png"]
    cell = nbformat.v4.new_code_cell("display(image)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png})]
    nb.cells.append(cell)
    nbformat.write(nb, path)
    with pytest.raises(RenderError) as caught:
        render_book(
            executed, tmp_path / "s", profile="projet-2020", formats=["pdf"], engine="pandoc"
        )
    assert "PDF/UA-1" in str(caught.value) and "texte alternatif" in str(caught.value)


def test_pdf_tables_taller_than_a_page_continue_on_the_next_pages(pdf_pages):
    # A Typst figure does not break by default: the rows would run off the first page.
    pages_of_row = {}
    for number, text in enumerate(pdf_pages):
        for row in re.findall(r"Ligne-(\d{3})", text):
            pages_of_row.setdefault(int(row), number)
    assert sorted(pages_of_row) == list(range(1, LONG_TABLE_ROWS + 1))
    assert len(set(pages_of_row.values())) >= 2
