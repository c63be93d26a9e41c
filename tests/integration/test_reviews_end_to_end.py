"""Every profile builds end to end through the command line, in HTML, PDF and DOCX.

The three documents are the session's shared books (tests/support/browser_support.py, each built by
``projet-associatif build`` as typed, the reviews from the fictional measurements): the
final review's as-of date counts the measurement the mid-term ignores. Each review is its own document (issue 11):
title page, synthesis, fiches, recommendations and what moved since the mid-term review;
the 2020 document is referred to, not reprinted.
"""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pypdf
import pytest
from browser_support import Book, shared_book

from projet_associatif.config.profiles import get_profile


def pdf_text(path: Path) -> tuple[str, list[str]]:
    """Return the PDF's text (spaces normalised) and each page's text."""
    pages = [page.extract_text() for page in pypdf.PdfReader(path).pages]
    return re.sub(r"\s+", " ", " ".join(pages)), pages


@pytest.mark.slow
def test_every_profile_renders_in_every_format_through_the_cli(
    book: Book, book_2020: Book, tmp_path_factory
):
    outputs = {
        "bilan-intermediaire": book.outputs,
        "projet-2020": book_2020.outputs,
        "bilan-final": shared_book(tmp_path_factory, "bilan-final").outputs,
    }
    for profile, produced in outputs.items():
        assert {"html", "pdf", "docx"} <= set(produced), profile
        label = get_profile(profile).label
        text, _ = pdf_text(produced["pdf"])
        assert label in text, profile
        document = docx.Document(produced["docx"])
        assert any(label in p.text for p in document.paragraphs), profile
        assert label in produced["html"].read_text(encoding="utf-8"), profile

    # The 2020 project shows no review and no fictional data.
    text, _ = pdf_text(outputs["projet-2020"]["pdf"])
    assert "Bilan du projet associatif" not in text and "Données fictives" not in text

    # The final review, from the fictional measurements.
    final = outputs["bilan-final"]
    text, pages = pdf_text(final["pdf"])
    assert "Bilan final (3 ans)" in text and "1er mars 2023" in text and "suivi-fictif.xlsx" in text
    assert all("Données fictives" in page for page in pages)
    # Its own document (issue 11): the review's chapters, the 2020 document only referred to.
    for chapter in (
        "Présentation du bilan",
        "1. Synthèse du bilan",
        "Grille des statuts des fiches-action",
        "2. Objectifs et fiches-action",
        "3. Préconisations de la commission",
        "4. Évolution depuis le bilan intermédiaire",
    ):
        assert chapter in text, chapter
    assert "Nos valeurs" not in text and "Analyse SWOT" not in text
    assert len(pages) < 40
    # The camion-mobile measurement of 2022-09-30 (160) counts at the final review only.
    assert "160 (septembre 2022)" in text
    assert "Ce que sont devenues les préconisations du bilan intermédiaire" in text
    document = docx.Document(final["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert "1. Synthèse du bilan" in headings and "2. Objectifs et fiches-action" in headings
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "N°")
    assert len(grid.rows) == 19 and len(grid.columns) == 5  # header + 18 fiches
    html = list(final["html"].parent.glob("*.html"))
    assert {p.name for p in html} >= {"index.html", "06-bilan.html", "06-bilan-evolution.html"}
    assert all("Données fictives" in page.read_text(encoding="utf-8") for page in html)
