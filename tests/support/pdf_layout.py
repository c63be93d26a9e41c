"""Check a PDF's layout from its glyph positions: text drawn over text, too narrow table cells.

Reusable by any test that has a PDF (the report of each profile, the reviews, the
LibreOffice conversion of the DOCX). Both checks return readable findings in French —
page number and the words involved — so that an assertion ``== []`` says what is wrong.

Glyphs come from PDFium (``pypdfium2``): each glyph's loose box (its advance width, the
font's ascent to descent high) and the marked-content id that ties it to the structure
tree. pdfminer (behind pdfplumber) needs about 25 s for the map's page alone; PDFium reads
the whole report in a few seconds.

Definitions (PDF points):

- **word**: a run of glyphs without a space, drawn one after the other on one line.
  Rotated glyphs (chart axis labels) are left out.
- **collision**: two different words whose boxes overlap. Words of one line (their boxes
  share more than half their height) may touch through kerning or a ligature: they collide
  when they overlap horizontally by more than a fifth of the font size. Words of different
  lines collide when they overlap horizontally by more than half a point and vertically by
  more than a tenth of the font size (lines set closer than that: the ascenders of one run
  into the descenders of the other). A glyph drawn twice at the same place (a text halo in
  a chart, bold by overprinting) counts once.
- **narrow cell**: a table cell (from the structure tree: Typst and LibreOffice both write
  tagged PDF with Table/TR/TH/TD) with a word that is split across two lines of the cell,
  or that is wider than its column. A column runs from the left of its leftmost glyph to
  the left of the next column's leftmost glyph; the last one to the table's right edge
  (its ``BBox`` attribute when the PDF gives one).
"""

from __future__ import annotations

import ctypes
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

#: Horizontal overlap allowed between words of one line, as a fraction of the font size.
SAME_LINE_TOLERANCE = 0.2
#: Vertical overlap allowed between words of different lines, as a fraction of the size.
LINE_OVERLAP_TOLERANCE = 0.1
#: Horizontal overlap (points) below which words of different lines never collide.
MIN_OVERLAP_PT = 0.5
#: Room (points) a word may take beyond its column: rounding, a hanging punctuation mark.
CELL_TOLERANCE_PT = 1.0

#: Below this width (points), two column starts are not two real columns (merged cells).
MIN_COLUMN_PT = 12.0

_CELL_TYPES = {"TD", "TH"}
#: A break opportunity the report puts in long words of table cells (after « / », « _ »,
#: « . », « | »: render/filters/largeurs-tableaux.lua).
ZWSP = "\u200b"
#: A line may end after these without splitting a word (a hyphen, a file name's parts, the
#: alternatives of a pattern).
_BREAK_AFTER = ("-", "/", "_", ".", "|")


@dataclass(frozen=True)
class Glyph:
    """One drawn glyph: its character, loose box (top-left origin), size, marked content."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    mcid: int


@dataclass
class Word:
    """Glyphs drawn one after the other without a space."""

    glyphs: list[Glyph] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Return the word's characters."""
        return "".join(g.text for g in self.glyphs)

    @property
    def x0(self) -> float:
        """Return the left edge of the word's box."""
        return min(g.x0 for g in self.glyphs)

    @property
    def x1(self) -> float:
        """Return the right edge of the word's box."""
        return max(g.x1 for g in self.glyphs)

    @property
    def top(self) -> float:
        """Return the top of the word's box."""
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        """Return the bottom of the word's box."""
        return max(g.bottom for g in self.glyphs)

    @property
    def size(self) -> float:
        """Return the largest font size of the word."""
        return max(g.size for g in self.glyphs)

    @property
    def width(self) -> float:
        """Return the width the word needs on one line: the sum of its glyphs' advances."""
        return sum(g.x1 - g.x0 for g in self.glyphs)

    def lines(self) -> int:
        """Return on how many lines the word's glyphs are drawn."""
        tops: list[float] = []
        for g in self.glyphs:
            if not any(abs(g.top - t) < 0.5 * g.size for t in tops):
                tops.append(g.top)
        return len(tops)


# --- Reading the PDF ---------------------------------------------------------------------


def _glyphs(page: pdfium.PdfPage) -> list[Glyph]:
    """Return the page's upright glyphs in drawing order, spaces included, duplicates once."""
    height = page.get_height()
    text_page = page.get_textpage()
    raw = text_page.raw
    box = pdfium_c.FS_RECTF()
    seen: set[tuple[str, int, int]] = set()
    glyphs = []
    for i in range(pdfium_c.FPDFText_CountChars(raw)):
        # PDFium adds spaces and line ends of its own between text objects: not drawn.
        if pdfium_c.FPDFText_IsGenerated(raw, i) == 1:
            continue
        char = chr(pdfium_c.FPDFText_GetUnicode(raw, i))
        # A hyphen ending a line comes back as U+0002: it is drawn, as a hyphen.
        if pdfium_c.FPDFText_IsHyphen(raw, i) == 1:
            char = "-"
        if char in "\r\n\ufffe" or abs(pdfium_c.FPDFText_GetCharAngle(raw, i)) > 0.01:
            continue
        pdfium_c.FPDFText_GetLooseCharBox(raw, i, box)
        key = (char, round(box.left), round(box.top))
        if key in seen and not char.isspace():
            continue
        seen.add(key)
        obj = pdfium_c.FPDFText_GetTextObject(raw, i)
        mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj) if obj else -1
        size = pdfium_c.FPDFText_GetFontSize(raw, i)
        top, bottom = height - box.top, height - box.bottom
        # PDFium gives some glyphs (« _ ») their ink box, not the line's: such a glyph
        # stands on the line of the glyph drawn just before it.
        if bottom - top < 0.5 * size and glyphs and abs(glyphs[-1].x1 - box.left) < size:
            top, bottom = glyphs[-1].top, glyphs[-1].bottom
        glyphs.append(Glyph(char, box.left, box.right, top, bottom, size, mcid))
    return glyphs


def _split_words(glyphs: list[Glyph], *, across_lines: bool) -> list[Word]:
    """Group glyphs into words; ``across_lines`` keeps a word whole when its line breaks."""
    words: list[Word] = []
    current = Word()
    for g in glyphs:
        if _breaks(g.text):
            if current.glyphs:
                words.append(current)
            current = Word()
            continue
        if current.glyphs and not across_lines:
            last = current.glyphs[-1]
            same_line = abs(g.top - last.top) < 0.5 * min(g.size, last.size)
            # A ligature's second letter shares the first one's box: not a step back.
            follows = g.x0 > last.x0 - 0.1 and g.x0 - last.x1 < 0.3 * g.size
            if not (same_line and follows):
                words.append(current)
                current = Word()
        current.glyphs.append(g)
    if current.glyphs:
        words.append(current)
    return words


# --- Collisions --------------------------------------------------------------------------


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _collide(a: Word, b: Word) -> bool:
    """Say whether two words of one page are drawn over each other (see the module)."""
    dx = _overlap(a.x0, a.x1, b.x0, b.x1)
    dy = _overlap(a.top, a.bottom, b.top, b.bottom)
    if dx <= 0 or dy <= 0:
        return False
    size = min(a.size, b.size)
    if dy > 0.5 * min(a.bottom - a.top, b.bottom - b.top):
        return dx > SAME_LINE_TOLERANCE * size
    return dx > MIN_OVERLAP_PT and dy > LINE_OVERLAP_TOLERANCE * size


def _page_collisions(words: list[Word]) -> Iterator[tuple[Word, Word]]:
    boxes = sorted(words, key=lambda w: w.top)
    tops = [(w, w.x0, w.x1, w.top, w.bottom) for w in boxes]
    for i, (a, _, _, _, a_bottom) in enumerate(tops):
        for b, _, _, b_top, _ in tops[i + 1 :]:
            if b_top >= a_bottom:
                break
            if _collide(a, b):
                yield a, b


def collisions(pdf_path: Path | str) -> list[str]:
    """Return every pair of words drawn over each other, with the page and both words."""
    findings = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for number in range(1, len(pdf) + 1):
            words = _split_words(_glyphs(pdf[number - 1]), across_lines=False)
            for a, b in _page_collisions(words):
                findings.append(
                    f"page {number} : « {a.text} » et « {b.text} » se chevauchent "
                    f"(x {a.x0:.0f}–{a.x1:.0f} et {b.x0:.0f}–{b.x1:.0f}, "
                    f"y {a.top:.0f} et {b.top:.0f})"
                )
    finally:
        pdf.close()
    return findings


# --- Table cells -------------------------------------------------------------------------


def _string(getter, element) -> str:
    size = getter(element, None, 0)
    buffer = ctypes.create_string_buffer(size)
    getter(element, buffer, size)
    return buffer.raw[:size].decode("utf-16-le").rstrip("\x00")


def _children(element) -> Iterator:
    for i in range(pdfium_c.FPDF_StructElement_CountChildren(element)):
        child = pdfium_c.FPDF_StructElement_GetChildAtIndex(element, i)
        if child:
            yield child


def _type(element) -> str:
    return _string(pdfium_c.FPDF_StructElement_GetType, element)


def _mcids(element) -> list[int]:
    """Return the marked-content ids of a structure element and of its descendants."""
    count = pdfium_c.FPDF_StructElement_GetMarkedContentIdCount(element)
    ids = [pdfium_c.FPDF_StructElement_GetMarkedContentIdAtIndex(element, i) for i in range(count)]
    ids = [i for i in ids if i >= 0]
    for child in _children(element):
        ids.extend(_mcids(child))
    return ids


def _below(element, kind: str) -> Iterator:
    """Yield the elements of type ``kind`` under ``element``, not looking inside them."""
    for child in _children(element):
        if _type(child) == kind:
            yield child
        else:
            yield from _below(child, kind)


def _right_edge(table) -> float | None:
    """Return the right edge of the table's ``BBox`` attribute, if the PDF gives one."""
    for i in range(pdfium_c.FPDF_StructElement_GetAttributeCount(table)):
        attribute = pdfium_c.FPDF_StructElement_GetAttributeAtIndex(table, i)
        value = pdfium_c.FPDF_StructElement_Attr_GetValue(attribute, b"BBox")
        if value and pdfium_c.FPDF_StructElement_Attr_CountChildren(value) == 4:
            number = ctypes.c_float()
            corner = pdfium_c.FPDF_StructElement_Attr_GetChildAtIndex(value, 2)
            if pdfium_c.FPDF_StructElement_Attr_GetNumberValue(corner, number):
                return number.value
    return None


@dataclass
class _Cell:
    row: int
    column: int
    row_length: int
    glyphs: list[Glyph]

    def words(self) -> list[Word]:
        """Return the cell's words as drawn, one line at a time."""
        return _split_words(self.glyphs, across_lines=False)


def _page_tables(page: pdfium.PdfPage) -> Iterator[tuple[list[_Cell], float | None]]:
    """Yield each table drawn on ``page``: its cells and its right edge if known."""
    by_mcid: dict[int, list[Glyph]] = {}
    for g in _glyphs(page):
        by_mcid.setdefault(g.mcid, []).append(g)
    tree = pdfium_c.FPDF_StructTree_GetForPage(page.raw)
    if not tree:
        return
    try:
        roots = [
            pdfium_c.FPDF_StructTree_GetChildAtIndex(tree, i)
            for i in range(pdfium_c.FPDF_StructTree_CountChildren(tree))
        ]
        for root in roots:
            tables = [root] if _type(root) == "Table" else list(_below(root, "Table"))
            for table in tables:
                cells = []
                for r, row in enumerate(_below(table, "TR")):
                    row_cells = [c for c in _children(row) if _type(c) in _CELL_TYPES]
                    for column, cell in enumerate(row_cells):
                        glyphs = [g for m in _mcids(cell) for g in by_mcid.get(m, [])]
                        if any(not g.text.isspace() for g in glyphs):
                            cells.append(_Cell(r, column, len(row_cells), glyphs))
                if cells:
                    yield cells, _right_edge(table)
    finally:
        pdfium_c.FPDF_StructTree_Close(tree)


def _breaks(text: str) -> bool:
    """Say whether a line may end at this glyph: a space, or a zero-width space."""
    return text.isspace() or text == ZWSP


def _chains(glyphs: list[Glyph]) -> Iterator[list[str]]:
    """Yield the runs of glyphs between spaces that change line, as their pieces per line."""
    pieces: list[list[Glyph]] = []
    for g in [*glyphs, None]:
        if g is None or _breaks(g.text):
            if len(pieces) > 1:
                yield ["".join(x.text for x in piece) for piece in pieces]
            pieces = []
        elif pieces and abs(g.top - pieces[-1][-1].top) >= 0.5 * g.size:
            pieces.append([g])
        elif pieces:
            pieces[-1].append(g)
        else:
            pieces = [[g]]


def _split_across_lines(cell: _Cell, vocabulary: set[str]) -> Iterator[str]:
    """Yield the words of ``cell`` that a line end cuts in two (or more).

    A line may end without a space glyph between two words (LibreOffice draws none,
    Typst none between two paragraphs of a cell), and after a word's own hyphen
    (« Saint- / Pourçain »): the pieces make a split word only when joined — without the
    hyphens a hyphenation added — they form a word of ``vocabulary`` that the pieces
    kept apart, hyphens included, do not.
    """
    for pieces in _chains(cell.glyphs):
        parts = [_clean(p) for p in pieces]
        # A piece of punctuation alone (« - » before « FOCUS ») is no part of a word.
        if not all(p.strip("".join(_BREAK_AFTER)) for p in parts):
            continue
        hard = "".join(parts)
        soft = "".join(p.removesuffix("-") for p in parts[:-1]) + parts[-1]
        hyphenated = soft in vocabulary and hard not in vocabulary
        cut = (
            hard in vocabulary
            and not all(p.endswith(_BREAK_AFTER) for p in pieces[:-1])
            and not all(p in vocabulary for p in parts)
        )
        if hyphenated or cut:
            yield " / ".join(parts)


_PUNCTUATION = "()[]«»“”\"',.;:!?…\u00a0\u202f"


def _clean(text: str) -> str:
    return text.strip(_PUNCTUATION)


def words_of(text: str) -> set[str]:
    """Return the words of a text (the vocabulary a split word is recognised by)."""
    return {w for w in (_clean(t) for t in text.replace(ZWSP, " ").split()) if w}


def _table_findings(
    number: int, cells: list[_Cell], right: float | None, vocabulary: set[str]
) -> Iterator[str]:
    # Columns are measured over the rows of one shape (same number of cells): a row with
    # merged cells (a SWOT quadrant, a title row) has columns of its own.
    left: dict[tuple[int, int], float] = {}
    for cell in cells:
        key = (cell.row_length, cell.column)
        x0 = min(g.x0 for g in cell.glyphs if not g.text.isspace())
        left[key] = min(left.get(key, x0), x0)
    for cell in cells:
        where = f"page {number}, colonne {cell.column + 1}"
        for split in _split_across_lines(cell, vocabulary):
            yield f"{where} : « {split} » est un mot coupé en fin de ligne"
        start = left[(cell.row_length, cell.column)]
        later = [x for (n, c), x in left.items() if n == cell.row_length and c > cell.column]
        end = min(later) if later else right
        # Columns closer than a few points come from merged or empty cells, not a real
        # column: the geometry says nothing there (the split-word check still applies).
        if end is None or end - start < MIN_COLUMN_PT:
            continue
        for word in cell.words():
            if word.width > end - start + CELL_TOLERANCE_PT:
                yield (
                    f"{where} : « {word.text} » ({word.width:.0f} pt) est plus large que sa "
                    f"colonne ({end - start:.0f} pt)"
                )


def narrow_cells(pdf_path: Path | str, vocabulary: set[str] | None = None) -> list[str]:
    """Return the table cells narrower than one of their words, with page, column and word.

    ``vocabulary`` holds the document's words (``words_of`` over its text, e.g. from the
    DOCX); without it, the words the PDF draws whole anywhere are used.
    """
    findings = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        if vocabulary is None:
            vocabulary = set()
            for page in pdf:
                glyphs = _glyphs(page)
                vocabulary |= {_clean(w.text) for w in _split_words(glyphs, across_lines=False)}
        for number in range(1, len(pdf) + 1):
            for cells, right in _page_tables(pdf[number - 1]):
                findings.extend(_table_findings(number, cells, right, vocabulary))
    finally:
        pdf.close()
    return findings
