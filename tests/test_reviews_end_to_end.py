"""The final review builds end to end from the fictional measurements (HTML, PDF, DOCX).

It is its own document (issue 11): title page, synthesis, fiches, recommendations and what
moved since the mid-term review; the 2020 document is referred to, not reprinted.

The mid-term review is built by tests/browser_support.py for the browser tests; this one
covers the other profile, whose as-of date counts the measurement the mid-term ignores.
"""

from __future__ import annotations

import re
import shutil

import docx
import pypdf
import pytest
from browser_support import _NOT_COPIED, _environment
from rich.console import Console

from projet_associatif import build, paths


@pytest.mark.slow
def test_final_review_with_fictional_measurements(tmp_path):
    project = tmp_path / "projet"
    shutil.copytree(paths.project_root(), project, ignore=_NOT_COPIED)
    paths.project_root.cache_clear()
    try:
        with _environment(**{paths.ROOT_ENV: str(project), "SOURCE_DATE_EPOCH": "1704153600"}):
            result = build.build(
                profile="bilan-final",
                suivi=project / "exemples" / "suivi-fictif.xlsx",
                formats=["html", "pdf", "docx"],
                engine="pandoc",
                jobs=2,
                console=Console(quiet=True),
            )
    finally:
        paths.project_root.cache_clear()
    outputs = result.outputs
    assert {"html", "pdf", "docx"} <= set(outputs)
    pages = [page.extract_text() for page in pypdf.PdfReader(outputs["pdf"]).pages]
    text = re.sub(r"\s+", " ", " ".join(pages))
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
    document = docx.Document(outputs["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert "1. Synthèse du bilan" in headings and "2. Objectifs et fiches-action" in headings
    grid = next(t for t in document.tables if t.rows[0].cells[0].text == "N°")
    assert len(grid.rows) == 19 and len(grid.columns) == 5  # header + 18 fiches
    html = list(outputs["html"].parent.glob("*.html"))
    assert {p.name for p in html} >= {"index.html", "06-bilan.html", "06-bilan-evolution.html"}
    assert all("Données fictives" in page.read_text(encoding="utf-8") for page in html)
