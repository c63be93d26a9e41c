"""Read the rendered book as plain text, one string per format, for the fidelity check."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from projet_associatif.analysis import fidelity


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


def html_text(html_dir: Path, pattern: str = "*.html") -> str:
    """Return the text of the chapter pages (the « Voir le notebook » pages show code)."""
    texts = []
    for page in sorted(html_dir.glob(pattern)):
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        texts.append("".join(parser.parts))
    return "\n".join(texts)


def _running(line: str) -> str:
    return re.sub(r"\d+", "#", line.strip())


def pdf_text(pdf: Path) -> str:
    """Return the text of every PDF page without its running header and footer.

    A line among the first three or last four of three pages or more (digits
    aside: page numbers) is a running header or footer (title, chapter, page number, the
    « Données fictives » notice over two lines); left in, it would cut the sentence that
    crosses the page.
    """
    pages = [(page.extract_text() or "").splitlines() for page in PdfReader(pdf).pages]

    def edges(lines: list[str]) -> set[int]:
        return {*range(min(3, len(lines))), *range(max(0, len(lines) - 4), len(lines))}

    counts = Counter(_running(x) for lines in pages for x in {lines[i] for i in edges(lines)})
    running = {x for x, n in counts.items() if x and n >= 3}
    kept = []
    for lines in pages:
        ends = edges(lines)
        kept.append(
            "\n".join(x for i, x in enumerate(lines) if not (i in ends and _running(x) in running))
        )
    return "\n".join(kept)


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
