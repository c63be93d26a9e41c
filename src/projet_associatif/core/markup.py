"""Write data values into markup as text: a value from data/ is never markup.

The report's Markdown is read by Jupyter (CommonMark), nbconvert (mistune), Pandoc and
Quarto (Pandoc's Markdown), then written as HTML, Typst and DOCX. Every value from the
data goes through one of these functions at the point where it meets the Markdown the code
writes (headings, emphasis, lists, tables), so that ``<script>``, ``**``, ``[…](…)``,
`` ` ``, ``|``, ``$``, ``@`` or ``#`` in a value show as those characters. Pandoc then
escapes text for each output format (HTML entities, a backslash before Typst's ``#``, ``@``,
``$``…), so one escape, for Markdown, serves every format and both engines.

Straight quotes and apostrophes are left alone: Pandoc's smart typography turns them into
’ and “ ”, as it does for the text the code writes.
"""

from __future__ import annotations

import html
import re

#: ASCII punctuation that Pandoc's Markdown, CommonMark or GFM can read as syntax inside a
#: line: emphasis, code, links and images, raw HTML and entities, pipe tables, maths,
#: sub/superscript and strikeout, citations, attributes, headings. A backslash before any
#: ASCII punctuation is a valid escape in all three dialects.
_INLINE = re.compile(r"([\\`*_\[\]<>|$~^@{}#&!])")
#: What would open a block at the start of a line: a list item (``-``, ``+``, and Pandoc's
#: ``1.``, ``1)``, ``(1)``, ``a.``, ``B)``, ``iv.``), a table caption or a definition (``:``).
#: ``*``, ``#``, ``>`` and ``|`` are escaped wherever they are.
_BLOCK_START = re.compile(r"^(?:([-+:])|(\(?(?:\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+))([.)]))(?=\s|$)")
#: The colon of « http:// », which nbconvert's notebook pages would turn into a link.
_BARE_URL = re.compile(r":(?=//)")
_LINE_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")


def one_line(text: object) -> str:
    """Return ``text`` on one line, line breaks turned into spaces."""
    # Not str.split(): it would also eat the no-break spaces of French numbers.
    return _LINE_BREAKS.sub(" ", str(text)).strip()


def escape_markdown(text: object) -> str:
    """Return ``text`` as Markdown that shows it literally, on one line."""
    escaped = _BARE_URL.sub(r"\\:", _INLINE.sub(r"\\\1", one_line(text)))
    return _BLOCK_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", escaped)


def escape_paragraphs(text: object) -> str:
    """Return a multi-paragraph text as Markdown paragraphs, each shown literally.

    Paragraphs are separated by a blank line; a paragraph whose lines all start with
    « - » is a list, one item per line. Nothing else in the text is read as Markdown.
    """
    blocks = []
    for paragraph in re.split(r"\n[ \t]*\n", str(text).strip()):
        lines = [line.strip() for line in paragraph.strip().splitlines() if line.strip()]
        if lines and all(line.startswith("- ") for line in lines):
            blocks.append("\n".join(f"- {escape_markdown(line[2:])}" for line in lines))
        elif lines:
            blocks.append(escape_markdown(" ".join(lines)))
    return "\n\n".join(blocks)


def escape_html(text: object) -> str:
    """Return ``text`` as HTML text or attribute value (quotes included)."""
    return html.escape(str(text), quote=True)
