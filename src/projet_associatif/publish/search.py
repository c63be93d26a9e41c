"""Build the offline search index of the Pandoc engine's HTML site.

The index is written next to the pages as ``assets/recherche-index.js`` (a script, not
JSON: a page opened from the disk, ``file://``, may not ``fetch`` a JSON file) and read
by ``assets/pa-recherche.js``. One entry per section of each chapter page: the page,
its title, the section's heading and anchor, the section's text and that text folded
(lower case, no accents) so that « evaluation » finds « Évaluation ».
"""

from __future__ import annotations

import json
import re
import unicodedata
from html.parser import HTMLParser

INDEX_NAME = "recherche-index.js"
SCRIPT_NAME = "pa-recherche.js"
#: The headings that start a section of their own (h4 and below stay in their section).
SECTION_TAGS = frozenset({"h1", "h2", "h3"})
#: Elements whose text a reader does not read as prose: chart drawings, scripts.
SKIPPED_TAGS = frozenset({"script", "style", "svg", "template"})
_WHITE = re.compile(r"[ \t\r\n\f]+")
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " "}


def fold(text: str) -> str:
    """Return ``text`` in lower case without accents, one character for each character.

    The same length as ``text``: a match found in the folded text is at the same place
    in the text, so the script cuts its excerpt there. pa-recherche.js folds the query
    the same way (NFD, first code point, lower case).
    """
    out = []
    for char in text:
        char = _SPACES.get(char, char)
        base = unicodedata.normalize("NFD", char)[0].lower()
        out.append(base if len(base) == 1 else char)
    return "".join(out)


class _Sections(HTMLParser):
    """Cut a page body into sections at each h1–h3 that has an identifier."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[dict[str, str]] = [{"a": "", "s": "", "x": ""}]
        self._text: list[str] = []
        self._heading: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skip += 1
        elif tag in SECTION_TAGS and not self._skip and dict(attrs).get("id"):
            self._close()
            self.sections.append({"a": dict(attrs)["id"] or "", "s": "", "x": ""})
            self._heading = []
        elif tag in ("p", "li", "td", "th", "br", "div", "caption", "figcaption", "dt", "dd"):
            self._text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in SECTION_TAGS and self._heading is not None:
            self.sections[-1]["s"] = _squeeze("".join(self._heading))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        (self._heading if self._heading is not None else self._text).append(data)

    def _close(self) -> None:
        self.sections[-1]["x"] = _squeeze("".join(self._text))
        self._text = []

    def close(self) -> None:
        super().close()
        self._close()


def _squeeze(text: str) -> str:
    # Only the white space of the markup: the no-break spaces of French typography stay.
    return _WHITE.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")


def page_sections(body: str) -> list[dict[str, str]]:
    """Return the sections of a page body: anchor ``a``, heading ``s``, text ``x``."""
    parser = _Sections()
    parser.feed(body)
    parser.close()
    return [s for s in parser.sections if s["s"] or s["x"]]


def search_index(pages: list[tuple[str, str, str]]) -> list[dict[str, str]]:
    """Return the index entries of ``(page, title, body)`` triples, in reading order."""
    entries = []
    for page, title, body in pages:
        for section in page_sections(body):
            entry = {"p": page, "t": title, **section}
            entry["f"] = fold(entry["x"])
            entry["g"] = fold(entry["s"] or title)
            entries.append(entry)
    return entries


def index_script(entries: list[dict[str, str]]) -> str:
    """Return the index as a script that sets ``window.PA_RECHERCHE``.

    ``<``, ``>`` and ``&`` from the report's text are written as JSON escapes: the file
    stays plain data whatever a data value holds, even pasted inside a ``<script>``.
    """
    data = json.dumps(entries, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        data = data.replace(char, f"\\u{ord(char):04x}")
    return f"window.PA_RECHERCHE = {data};\n"
