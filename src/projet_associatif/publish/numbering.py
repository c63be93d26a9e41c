"""Number figures and tables chapter by chapter, and resolve Quarto-style references.

« Figure 3.1 : … », « Tableau 3.2 : … », « Tableau A.1 : … »: the numbers Quarto writes for
a book (``crossref: chapters: true``, its default for books): the chapter's number, then the
float's rank in the chapter. Quarto numbers the chapters of ``book: chapters`` from 1 in
reading order, skipping part pages and chapters whose title is ``.unnumbered``, and the
appendices A, B, C… (quarto-cli ``src/project/types/book/book-config.ts``,
``bookRenderItems``); ``chapter_labels`` applies the same rule. One tree per format is
numbered the same way, so the HTML, PDF and DOCX numbers agree. Interactive HTML charts
(div ``.pa-graphique`` holding the raw HTML of the chart contract) get the same label in
their ``<figcaption>``. References written the Quarto way (``@tbl-…``, ``@fig-…``,
``@sec-…``) become links « tableau 3.2 », « figure 3.1 » or the section's title; any other
« citation » stays as written (the report has no bibliography: « @etalab/… » is a package
name).

Written in Python over Pandoc's JSON rather than as a Lua filter: the tree is already in
memory here, and a Pandoc round trip of the whole book cost 0,8 s per format. Pandoc's
semantics are kept where they show: ``stringify`` of section titles (curly quotes), text
split into words and spaces, table columns sized by content.
"""

from __future__ import annotations

import re
from typing import Any

NBSP = "\u00a0"

Node = dict[str, Any]


def label(name: str, number: str | int) -> str:
    """Return « Figure 3.1 : » with the non-breaking spaces French typography requires."""
    return f"{name}{NBSP}{number}{NBSP}:"


def chapter_labels(roles: list[str], numbered: list[bool]) -> list[str | None]:
    """Return each entry's chapter number as Quarto gives it (« 1 », « 2 », « A », « B »).

    ``roles`` are the entries' roles (``chapter``, ``part``, ``appendix``) in reading order;
    ``numbered`` tells whether the entry's title lacks the ``.unnumbered`` class. Part pages
    and unnumbered chapters get None.
    """
    labels: list[str | None] = []
    chapters = appendices = 0
    for role, is_numbered in zip(roles, numbered, strict=True):
        if role == "part" or not is_numbered:
            labels.append(None)
        elif role == "appendix":
            appendices += 1
            labels.append(chr(ord("A") + appendices - 1))
        else:
            chapters += 1
            labels.append(str(chapters))
    return labels


def text_inlines(text: str) -> list[Node]:
    """Return ``text`` as Pandoc inlines: words and single spaces, as Pandoc splits a string."""
    out: list[Node] = []
    for i, word in enumerate(re.split(r"[ \t\n\r]+", text.strip(" \t\n\r"))):
        if i:
            out.append({"t": "Space"})
        if word:
            out.append({"t": "Str", "c": word})
    return out


_QUOTES = {"SingleQuote": ("\u2018", "\u2019"), "DoubleQuote": ("\u201c", "\u201d")}


def stringify(node: Any) -> str:
    """Return the plain text of a Pandoc element or list, as ``pandoc.utils.stringify`` does."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[1]
    if kind == "Quoted":
        left, right = _QUOTES[content[0]["t"]]
        return left + stringify(content[1]) + right
    if kind in ("Note", "RawInline", "RawBlock"):
        return ""
    if kind == "Cite":
        return stringify(content[1])
    if isinstance(content, list):
        return "".join(stringify(c) for c in content if isinstance(c, (list, dict)))
    return ""


def _prefix(caption: list[Any], text: str) -> None:
    """Put the numbered label at the start of a caption's long form (in place)."""
    span = {"t": "Span", "c": [["", ["pa-numero"], []], [{"t": "Str", "c": text}]]}
    inlines = [span, {"t": "Space"}]
    long = caption[1]
    if not long:
        long.append({"t": "Plain", "c": inlines})
    elif long[0].get("t") in ("Plain", "Para"):
        long[0]["c"][:0] = inlines
    else:
        long.insert(0, {"t": "Plain", "c": inlines})


class _Numbering:
    """Counters and the reference targets found so far, in reading order."""

    def __init__(self) -> None:
        self.figures = 0
        self.tables = 0
        self.chapter: str | None = None
        self.targets: dict[str, str] = {}

    def start_chapter(self, chapter: str | None) -> None:
        """Restart the counters for a chapter numbered ``chapter`` (None: not numbered)."""
        self.chapter = chapter
        self.figures = self.tables = 0

    def number(self, rank: int) -> str:
        """Return « 3.2 » for the second float of chapter 3 (« 2 » outside a chapter)."""
        return f"{self.chapter}.{rank}" if self.chapter else str(rank)

    def visit(self, node: Any) -> None:
        """Give ``node`` its number if it is a figure, table or chart; then its children."""
        if isinstance(node, list):
            for item in node:
                self.visit(item)
            return
        if not isinstance(node, dict) or "t" not in node:
            return
        kind, content = node["t"], node.get("c")
        if kind == "Figure":
            self.figures += 1
            number = self.number(self.figures)
            self._target(content[0][0], f"figure{NBSP}{number}")
            _prefix(content[1], label("Figure", number))
        elif kind == "Table":
            for spec in content[2]:  # columns sized by content in every format
                spec[1] = {"t": "ColWidthDefault"}
            if content[1][1]:
                self.tables += 1
                number = self.number(self.tables)
                self._target(content[0][0], f"tableau{NBSP}{number}")
                _prefix(content[1], label("Tableau", number))
        elif kind == "Div" and "pa-graphique" in content[0][1]:
            self.figures += 1
            number = self.number(self.figures)
            mark = f'<span class="pa-numero">{label("Figure", number)}</span> '
            _mark_figcaptions(content[1], mark)
        elif kind == "Header":
            ident = content[1][0]
            if ident and ident not in self.targets:
                self.targets[ident] = stringify(content[2])
        if isinstance(content, list):
            self.visit(content)

    def _target(self, ident: str, text: str) -> None:
        if ident:
            self.targets[ident] = text

    def resolve(self, node: Any) -> None:
        """Replace in place, bottom-up, each citation whose every key is known by links."""
        if isinstance(node, dict):
            content = node.get("c")
            if isinstance(content, list):
                self.resolve(content)
            return
        i = 0
        while i < len(node):
            item = node[i]
            if isinstance(item, list):
                self.resolve(item)
            elif isinstance(item, dict):
                content = item.get("c")
                if isinstance(content, list):
                    self.resolve(content)
                if item.get("t") == "Cite":
                    links = self._links(item)
                    node[i : i + 1] = links
                    i += len(links)
                    continue
            i += 1

    def _links(self, cite: Node) -> list[Node]:
        citations, content = cite["c"]
        keys = [c["citationId"] for c in citations]
        if not all(k in self.targets for k in keys):
            return content
        links: list[Node] = []
        for i, key in enumerate(keys):
            if i:
                links += [{"t": "Str", "c": ","}, {"t": "Space"}]
            words = text_inlines(self.targets[key])
            links.append({"t": "Link", "c": [["", [], []], words, ["#" + key, ""]]})
        return links


_FIGCAPTION = re.compile(r"(<figcaption[^>]*>)")


def _mark_figcaptions(node: Any, mark: str) -> None:
    """Insert ``mark`` after the first ``<figcaption>`` of each raw HTML block in ``node``."""
    if isinstance(node, list):
        for item in node:
            _mark_figcaptions(item, mark)
    elif isinstance(node, dict):
        content = node.get("c")
        if node.get("t") == "RawBlock" and content[0] == "html":
            content[1] = _FIGCAPTION.sub(lambda m: m.group(1) + mark, content[1], count=1)
        elif isinstance(content, list):
            _mark_figcaptions(content, mark)


def number_book(
    chapters: list[list[Node]], labels: list[str | None] | None = None
) -> list[list[Node]]:
    """Give numbers to each chapter's figures and tables (``labels``); resolve references.

    ``labels`` holds each chapter's number (``chapter_labels``); without it every chapter
    counts as one numbered chapter: « 1 », « 2 »…
    The blocks are changed in place; the returned lists are the chapters' new blocks.
    """
    if labels is None:
        labels = [str(i) for i in range(1, len(chapters) + 1)]
    numbering = _Numbering()
    for blocks, chapter in zip(chapters, labels, strict=True):
        numbering.start_chapter(chapter)
        numbering.visit(blocks)
    for blocks in chapters:
        numbering.resolve(blocks)
    return chapters
