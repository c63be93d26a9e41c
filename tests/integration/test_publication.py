"""The real book's PDF and DOCX: accessible PDF (PDF/UA-1), fictional data labelled everywhere.

Uses the session's shared book (tests/support/browser_support.py): the bilan-intermédiaire
profile built by ``projet-associatif build`` from the fictional measurement file of
``exemples/``.
"""

from __future__ import annotations

import re

import browser_support as support
import docx
import pypdf
import pytest

from projet_associatif.core.formatting import date_fr

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pdf(book) -> pypdf.PdfReader:
    return pypdf.PdfReader(book.outputs["pdf"])


def flat(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def test_pdf_declares_language_title_and_tagged_structure(pdf):
    catalog = pdf.trailer["/Root"]
    assert str(catalog["/Lang"]).startswith("fr")
    assert pdf.metadata["/Title"] == "Bilan intermédiaire du projet associatif 2020"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    structure = catalog["/StructTreeRoot"].get_object()
    assert structure["/K"], "arbre de structure vide"
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert "Bilan intermédiaire du projet associatif 2020" in xmp


def test_pdf_figures_carry_their_alternative_text(pdf):
    """Each chart's description reaches the structure tree as /Alt (PDF/UA-1 requires it)."""
    catalog = pdf.trailer["/Root"]
    alts: list[str] = []

    def walk(node, depth=0):
        node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child, depth + 1)
            return
        if not isinstance(node, pypdf.generic.DictionaryObject):
            return
        if "/Alt" in node:
            alts.append(str(node["/Alt"]))
        if "/K" in node and depth < 200:
            walk(node["/K"], depth + 1)

    walk(catalog["/StructTreeRoot"])
    assert len(alts) >= 5
    assert any(a.startswith("Frise des étapes") for a in alts)  # the review's charts


def test_every_pdf_page_says_the_data_are_fictional(pdf):
    pages = [flat(p.extract_text()) for p in pdf.pages]
    assert len(pages) > 20
    missing = [i + 1 for i, text in enumerate(pages) if "Données fictives :" not in text]
    assert missing == []
    assert all(support.SUIVI in text for text in pages)


def test_pdf_title_page_names_the_review_date_and_measurement_file(book, pdf):
    cover = flat(pdf.pages[0].extract_text())
    meta = book.meta
    assert f"Document : {meta['profile_label']}" in cover
    assert f"Données arrêtées au {date_fr(meta['as_of'])}" in cover
    assert f"Fichier de mesures : {support.SUIVI}" in cover


def test_docx_header_of_every_section_says_the_data_are_fictional(book):
    document = docx.Document(book.outputs["docx"])
    assert document.sections
    for section in document.sections:
        header = " ".join(p.text for p in section.header.paragraphs)
        assert header.startswith("Données fictives :")
        assert support.SUIVI in header
        assert not section.different_first_page_header_footer


def test_docx_title_block_names_the_review_date_and_measurement_file(book):
    document = docx.Document(book.outputs["docx"])
    meta = book.meta
    first = flat(" ".join(p.text for p in document.paragraphs[:6]))
    assert "Bilan intermédiaire du projet associatif 2020" in first
    assert f"Document : {meta['profile_label']}" in first
    assert f"Données arrêtées au {date_fr(meta['as_of'])}" in first
    assert f"Fichier de mesures : {support.SUIVI}" in first
    assert "Données fictives" in first
    assert document.core_properties.language == "fr-FR"


def test_docx_images_carry_their_alternative_text(book):
    import zipfile

    with zipfile.ZipFile(book.outputs["docx"]) as archive:
        document = archive.read("word/document.xml").decode("utf-8")
    descriptions = re.findall(r'<wp:docPr\b[^>]*\bdescr="([^"]*)"', document)
    images = re.findall(r"<wp:docPr\b", document)
    assert len(images) >= 5
    assert len(descriptions) == len(images)
    assert all(len(d.strip()) >= 20 for d in descriptions)
