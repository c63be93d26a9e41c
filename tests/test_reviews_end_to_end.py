"""The final review builds end to end from the fictional measurements (HTML, PDF, DOCX).

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
    # The camion-mobile measurement of 2022-09-30 (160) counts at the final review.
    assert "6.1 Bilan du projet associatif" in text and "160" in text
    document = docx.Document(outputs["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert any(h.startswith("6.1 Bilan") for h in headings)
    html = (outputs["html"].parent).glob("*.html")
    assert any("Données fictives" in page.read_text(encoding="utf-8") for page in html)
