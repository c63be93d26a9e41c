"""Legible pages: no text over text, no table word wider than its column, in every format.

The PDF of the projet-2020 report (Pandoc engine) and its DOCX, converted to PDF by
LibreOffice (the association edits the DOCX in Word or LibreOffice), are read glyph by
glyph (``pdf_layout``). The HTML is measured in Chromium at 1280 and 390 px wide.
The checker itself is first shown to find what it looks for, on small Typst documents.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import browser_support as support
import docx
import pdf_layout
import pypdf
import pytest

SOFFICE = shutil.which("soffice") or "/usr/bin/soffice"


# --- The checker, on documents made to fail --------------------------------------------


def typst_pdf(tmp_path: Path, body: str) -> Path:
    import typst

    source = tmp_path / "essai.typ"
    source.write_text(
        '#set document(title: "Essai")\n#set text(lang: "fr", size: 10pt)\n' + body,
        encoding="utf-8",
    )
    output = tmp_path / "essai.pdf"
    typst.compile(str(source), output=str(output), pdf_standards=["ua-1"])
    return output


def test_collisions_finds_labels_drawn_over_each_other(tmp_path):
    pdf = typst_pdf(
        tmp_path,
        "Un paragraphe ordinaire, qui se lit sans peine, sur deux lignes au moins quand il est"
        " assez long pour passer à la ligne suivante : aucun mot n'en touche un autre.\n\n"
        "#place(dx: 100pt, dy: 100pt)[Bourbon-l'Archambault (8,7)]\n"
        "#place(dx: 170pt, dy: 106pt)[Moulins (43,3)]\n",
    )
    found = pdf_layout.collisions(pdf)
    assert len(found) >= 1
    assert all(f.startswith("page 1 : ") for f in found)
    assert any("Moulins" in f and "Archambault" in f for f in found)
    assert not any("paragraphe" in f or "ligne" in f for f in found)


def test_collisions_spares_kerning_ligatures_and_tight_lines(tmp_path):
    # « fi », « ff » are ligatures in Libertinus; « AVA » kerns; lines set solid touch.
    pdf = typst_pdf(
        tmp_path,
        "#set par(leading: 0.3em)\n" + "Affiner, réfléchir, AVANT l'office : WAVE, Tour. " * 12,
    )
    assert pdf_layout.collisions(pdf) == []


def test_narrow_cells_finds_a_word_wider_than_its_column(tmp_path):
    pdf = typst_pdf(
        tmp_path,
        "#table(columns: (40pt, 200pt), [Fichier], [Sources],"
        " [niveau_formation_demandeurs.csv], [Projet associatif 2020, p. 7])\n"
        "#table(columns: (150pt, 150pt), [Fichier], [Sources],"
        " [epci.csv], [Projet associatif 2020, p. 7])\n",
    )
    found = pdf_layout.narrow_cells(pdf)
    assert len(found) == 1, found
    assert "colonne 1" in found[0] and "niveau_formation_demandeurs.csv" in found[0]


def test_narrow_cells_finds_a_word_split_across_lines(tmp_path):
    # Typst, hyphenating, splits « Permanence » in a narrow column like LibreOffice does.
    pdf = typst_pdf(
        tmp_path,
        "#table(columns: (38pt, 200pt), [Lieu], [Commune],"
        " [#text(hyphenate: true)[Permanence]], [Bourbon-l'Archambault])\n",
    )
    vocabulary = pdf_layout.words_of("Lieu Commune Permanence Bourbon-l'Archambault")
    found = pdf_layout.narrow_cells(pdf, vocabulary)
    assert found == ["page 1, colonne 1 : « Per- / ma- / nence » est un mot coupé en fin de ligne"]


# --- The projet-2020 report -------------------------------------------------------------


def docx_words(path: Path) -> set[str]:
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    texts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return pdf_layout.words_of("\n".join(texts))


#: Every published document: the 2020 project and both reviews (fictional measurements).
DOCUMENTS = ["projet-2020", support.PROFILE, "bilan-final"]
#: The same reviews from an empty workbook (``suivi modele``): other tables, other widths.
EMPTY = [f"{profile}:vide" for profile in (support.PROFILE, "bilan-final")]


@pytest.fixture(scope="module", params=DOCUMENTS + EMPTY)
def document(request, tmp_path_factory) -> support.Book:
    """Return each published document, built once per pytest process."""
    profile, _, empty = request.param.partition(":")
    if empty:
        return support.shared_empty_review(tmp_path_factory, profile)
    return support.shared_book(tmp_path_factory, profile)


@pytest.fixture(scope="module")
def vocabulary(document) -> set[str]:
    return docx_words(document.outputs["docx"])


@pytest.mark.slow
def test_report_pdf_draws_no_text_over_text(document):
    assert pdf_layout.collisions(document.outputs["pdf"]) == []


@pytest.mark.slow
def test_report_pdf_table_words_fit_their_columns(document, vocabulary):
    assert pdf_layout.narrow_cells(document.outputs["pdf"], vocabulary) == []


@pytest.mark.slow
def test_docx_tables_span_the_text_width_with_column_widths(document):
    with zipfile.ZipFile(document.outputs["docx"]) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    tables = re.findall(r"<w:tbl>.*?</w:tbl>", xml, flags=re.DOTALL)
    assert len(tables) >= (20 if document.meta["profile"] == "projet-2020" else 5)
    for table in tables:
        assert '<w:tblW w:type="pct" w:w="5000" />' in table
        widths = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"', table)]
        assert widths and min(widths) > 0


@pytest.fixture(scope="module")
def libreoffice_pdf(document, tmp_path_factory) -> Path:
    """Convert the report's DOCX to tagged PDF with LibreOffice, as an editor would open it."""
    if not Path(SOFFICE).exists():
        pytest.fail(
            "soffice est absent : installez le paquet Debian « libreoffice-writer-nogui » "
            "(python3 run.py test le fait quand il tourne en root)."
        )
    out = tmp_path_factory.mktemp("libreoffice")
    profile = out / "profil"  # a profile of its own: no clash with another soffice running
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            'pdf:writer_pdf_Export:{"UseTaggedPDF":{"type":"boolean","value":"true"}}',
            "--outdir",
            str(out),
            str(document.outputs["docx"]),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / Path(document.outputs["docx"]).with_suffix(".pdf").name


@pytest.mark.slow
def test_docx_in_libreoffice_splits_no_word(libreoffice_pdf, vocabulary):
    found = pdf_layout.narrow_cells(libreoffice_pdf, vocabulary)
    assert [f for f in found if "coupé" in f] == []


@pytest.mark.slow
def test_docx_in_libreoffice_draws_no_text_over_text(libreoffice_pdf):
    assert pdf_layout.collisions(libreoffice_pdf) == []


@pytest.mark.slow
def test_docx_in_libreoffice_has_about_as_many_pages_as_the_pdf(document, libreoffice_pdf):
    typst_pages = len(pypdf.PdfReader(document.outputs["pdf"]).pages)
    libreoffice_pages = len(pypdf.PdfReader(libreoffice_pdf).pages)
    # LibreOffice has no Aptos (the DOCX's font) and takes DejaVu Sans, wider than the
    # PDF's Libertinus: the text alone runs about 30 % longer. 99 → 168 pages was tables.
    assert 0.75 * typst_pages <= libreoffice_pages <= 1.35 * typst_pages


# --- The HTML at 1280 and 390 px ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("profile", DOCUMENTS)
def test_no_page_is_wider_than_the_window(tmp_path_factory, profile):
    book = support.shared_book(tmp_path_factory, profile)
    assert support.too_wide_pages(book.html_dir, book.pages()) == {}


@pytest.mark.slow
def test_every_chapter_page_offers_the_pdf_and_the_docx(book_2020):
    html_dir = book_2020.html_dir
    for page in book_2020.chapter_pages():
        text = (html_dir / page).read_text(encoding="utf-8")
        hrefs = re.findall(r'<p class="pa-telechargements">.*?</p>', text, flags=re.DOTALL)
        assert hrefs, page
        targets = re.findall(r'href="([^"]+)"', hrefs[0])
        assert [Path(t).suffix for t in targets] == [".pdf", ".docx"], page
        for target in targets:
            assert (html_dir / target).resolve().is_file(), (page, target)
