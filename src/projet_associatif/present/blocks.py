"""Define what a chapter returns and a notebook displays: text, tables, figures, gaps.

A chapter function composes one of these from data and analysis; the notebook only calls
``display(...)`` on it. Each block knows its output contract (the MIME bundle and the ``pa``
metadata the renderers read), so every notebook shows a table or a chart the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.core.markup import escape_markdown, escape_paragraphs
from projet_associatif.present import charts, tables
from projet_associatif.present.tables import Align, Formatter, slug

Bundle = tuple[dict[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Text:
    """Hold Markdown that carries figures (text without figures belongs to the notebook)."""

    markdown: str

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Bundle:
        """Return the Markdown output, as ``display(Markdown(...))`` gives it."""
        return {"text/markdown": self.markdown, "text/plain": self.markdown}, {}

    def __str__(self) -> str:
        return self.markdown


@dataclass(frozen=True)
class Table:
    """Hold a published table: its rows, title, source line, optional note and formats.

    ``body`` replaces the table built from ``frame`` when a chapter composes the Markdown
    table itself (merged cells, lists inside cells); ``classes`` wrap the output in a Div
    (e.g. ``pa-bilan-tableau``, which lets narrow screens reflow the review's tables).
    """

    frame: pd.DataFrame | None
    title: str
    source: str
    formats: Mapping[str, Formatter | str] | None = None
    note: str | None = None
    label: str | None = None
    align: Mapping[str, Align] | None = None
    body: str | None = None
    classes: tuple[str, ...] = field(default=())

    @property
    def markdown(self) -> str:
        """Return the table with its caption, note and source line as Markdown."""
        return tables.markdown(
            self.frame,
            title=self.title,
            source=self.source,
            formats=self.formats,
            note=self.note,
            label=self.label,
            align=self.align,
            body=self.body,
        )

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Bundle:
        """Return the Markdown output and the ``pa`` metadata the renderers read."""
        text = self.markdown
        shown = text
        if self.classes:
            attributes = " ".join(f".{name}" for name in self.classes)
            shown = f"::: {{{attributes}}}\n\n{text}\n:::\n"
        meta: dict[str, Any] = {"kind": "table", "title": self.title, "source": self.source}
        if self.note:
            meta["note"] = self.note
        if self.label != "" and not self.classes:
            meta["label"] = self.label or f"tbl-{slug(self.title)}"
        return {"text/markdown": shown, "text/plain": text}, {"pa": meta}


@dataclass(frozen=True)
class Figure:
    """Hold a published chart: the Altair chart, its title, source and text alternative."""

    chart: alt.TopLevelMixin
    title: str
    source: str
    alt: str
    data: pd.DataFrame | None = None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Bundle:
        """Return the chart output contract: SVG, PNG, the HTML figure and its metadata."""
        return charts.mimebundle(
            self.chart, title=self.title, source=self.source, alt=self.alt, data=self.data
        )


#: The class of the « À compléter » box: styled by report/assets/pa-commun.css (HTML),
#: publish/filters/impression.lua (Pandoc's PDF and DOCX) and report/quarto/pa-graphiques.lua
#: (Quarto's PDF and DOCX).
TO_COMPLETE_CLASS = "pa-a-completer"
TO_COMPLETE_LABEL = "À compléter"


@dataclass(frozen=True)
class ToComplete:
    """Hold a visible « À compléter » box: the file to fill in, what it should hold, how.

    A project still being written shows this box where a table, a figure or a text will
    be, instead of failing or leaving an empty heading. Every part is text, never markup.
    """

    file: str
    what: str = ""
    guidance: str = ""

    @property
    def markdown(self) -> str:
        """Return the box as a Pandoc fenced Div (a note: read aloud as one)."""
        lines = [f"**{TO_COMPLETE_LABEL}** : {escape_markdown(self.file)}"]
        if self.what:
            lines.append(escape_markdown(self.what))
        if self.guidance:
            lines.append(escape_paragraphs(self.guidance))
        body = "\n\n".join(lines)
        return f'::: {{.{TO_COMPLETE_CLASS} role="note"}}\n{body}\n:::\n'

    @property
    def plain(self) -> str:
        """Return the box as one line of plain text."""
        return " — ".join(x for x in (f"{TO_COMPLETE_LABEL} : {self.file}", self.what) if x)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Bundle:
        """Return the box as Markdown, with the ``pa`` metadata naming the file."""
        plain = self.plain
        meta = {"kind": "a-completer", "file": self.file, "what": self.what}
        return {"text/markdown": self.markdown, "text/plain": plain}, {"pa": meta}
