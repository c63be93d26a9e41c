"""Read the rendered book as plain text, one string per format, for the fidelity check."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from projet_associatif import fidelity


class _Text(HTMLParser):
    """Collect the text a reader sees in an HTML page (no script, style or SVG)."""

    _SKIP = {"script", "style", "svg", "template"}
    _BLOCK = {
        "p",
        "li",
        "td",
        "th",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "div",
        "br",
        "figcaption",
        "summary",
        "dt",
        "dd",
        "section",
        "table",
        "caption",
    }

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def html_text(html_dir: Path) -> str:
    """Return the text of the chapter pages (the « Voir le notebook » pages show code)."""
    texts = []
    for page in sorted(html_dir.glob("*.html")):
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        texts.append("".join(parser.parts))
    return "\n".join(texts)


def pdf_text(pdf: Path) -> str:
    """Return the text of every PDF page, as a reader would copy it."""
    return "\n".join(page.extract_text() or "" for page in PdfReader(pdf).pages)


def docx_text(docx: Path) -> str:
    """Return every paragraph of the DOCX (title page and tables included), in body order."""
    document = Document(str(docx))
    # The body, then the footnotes (their own part of the package). Paragraphs of tables and
    # of the title page alike, in order (Pandoc's docx reader would drop title and subtitle).
    roots = [document.element.body]
    for relation in document.part.rels.values():
        if relation.reltype.endswith("/footnotes"):
            roots.append(etree.fromstring(relation.target_part.blob))
    return "\n".join(
        "".join(t.text or "" for t in paragraph.iter(qn("w:t")))
        for root in roots
        for paragraph in root.iter(qn("w:p"))
    )


def outputs(html_dir: Path, pdf: Path, docx: Path) -> dict[str, fidelity.OutputText]:
    """Return the three formats of one book, tokenised."""
    return {
        "html": fidelity.OutputText("html", html_text(html_dir)),
        "pdf": fidelity.OutputText("pdf", pdf_text(pdf)),
        "docx": fidelity.OutputText("docx", docx_text(docx)),
    }
