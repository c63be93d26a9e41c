"""Check that every sentence and number of the source document reaches a rendered text.

The source (its text: the project's file that ``data/fidelite/structure_source.yaml`` names,
``fichier``) is cut into *segments*: table cells and sentences, each tied to the source
section it sits in. A rendered output (HTML, PDF or DOCX, as plain text) is reduced to the
same tokens. A segment is found when some window of the output holds at least ``SIMILARITY``
of its words (as a multiset: « verbatim or nearly » tolerates a corrected typo, a changed
article, a reordered clause) and *every* one of its numbers, each with its unit (« 15,5 % »
and « 15.5% » are the same token, « 15,5 » without « % » is not). Short segments (fewer than
``SHORT`` words: table labels, list items) must appear as a contiguous phrase.

Segments the report leaves out on purpose are listed, each with its reason, in
``data/fidelite/omissions.yaml`` (read through ``load("omissions")`` and shown in annex C);
:func:`missing` never reports a segment that an omission covers.

What is about this source document rather than about the comparison is data, in
``data/fidelite/structure_source.yaml``: the file of its text, the headings of its parts with
their pages (where a segment sits) and the report's spellings that differ from the source's
(« 2T 2008 » written « T2 2008 »). A project that transcribes no earlier document (no
``document_source`` in identite.yaml, or no fidelity data: a blank project) has nothing to
check: :func:`source_path` is ``None``, and there are no segments and no omissions.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from projet_associatif.config.identity import source_document
from projet_associatif.core.errors import MissingData
from projet_associatif.core.paths import project_root
from projet_associatif.data.package import UnknownResource, load, resource

#: Share of a segment's words that must be found together in the output. 0,85 lets a
#: 20-word sentence differ by 3 words (a corrected « à générer », an added article, a word
#: moved into a heading) but not lose a clause; the numbers are checked apart, all of them.
SIMILARITY = 0.85
#: Segments with fewer words than this must appear as a contiguous phrase: a bag of two or
#: three common words is found anywhere.
SHORT = 4
#: Extra tokens on each side of the window in which a long segment's words are looked for.
SLACK = 6


@dataclass(frozen=True)
class Section:
    """A part of the source: the pattern of its heading, its name, its page (if the source says)."""

    heading: re.Pattern[str]
    name: str
    page: int | None


@dataclass(frozen=True)
class SourceStructure:
    """What the comparison knows of this source: its text's file, parts and spellings."""

    #: The source's text, relative to the project root.
    file: str
    sections: tuple[Section, ...]
    spellings: tuple[tuple[re.Pattern[str], str], ...]


@functools.cache
def structure() -> SourceStructure:
    """Return the source's file, parts and spellings (``data/fidelite/structure_source.yaml``)."""
    document = load("structure_source")
    return SourceStructure(
        file=document["fichier"],
        sections=tuple(
            Section(re.compile(s["motif"]), s["nom"], s.get("page")) for s in document["sections"]
        ),
        spellings=tuple((re.compile(g["motif"]), g["remplacement"]) for g in document["graphies"]),
    )


_NUMBER = re.compile(
    r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f\u2009]{1,2}\d{3})+|\d+)(?:[.,](\d+))?(?![\w])"
    r"(?:[ \u00a0\u202f\u2009]?(%|€))?"
)
_TOKEN = re.compile(r"#[0-9.]+[%€]?|\w+")
_MARKUP = [
    (re.compile(r"<[^>]+>"), " "),  # HTML artefacts of the extraction (<p>, <li>…)
    (re.compile(r"\[([^\]]*)\]\(#\)"), r"\1"),  # [LIEN](#)
    (re.compile(r"\s*\^\{([^}]*)\}"), r"\1"),  # 1^{er}
    (re.compile(r"\\([()])"), r"\1"),
    (re.compile(r"\*+"), ""),
]
#: A short segment's or a table row's numbers must sit this close to its label.
NEAR = 30
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«A-ZÀ-ÖØ-Þ0-9])")
_LIST_MARK = re.compile(r"^\s*(?:[-•➤➔✓]|\d+\.(?=\s))\s*")


@dataclass(frozen=True)
class Segment:
    """One sentence or table cell of the source, where it sits, and its normalised tokens."""

    text: str
    section: str
    page: int | None
    line: int
    tokens: tuple[str, ...]
    #: For a table row of figures: the tokens of its first cell (the row's label).
    label: tuple[str, ...] = ()

    @property
    def numbers(self) -> tuple[str, ...]:
        """Return the segment's number tokens (value and unit)."""
        return tuple(t for t in self.tokens if t.startswith("#"))

    @property
    def words(self) -> tuple[str, ...]:
        """Return the segment's word tokens."""
        return tuple(t for t in self.tokens if not t.startswith("#"))


@dataclass(frozen=True)
class Miss:
    """A source segment absent from one output: what is missing, where, and the best match."""

    segment: Segment
    output: str
    missing_numbers: tuple[str, ...]
    similarity: float

    def describe(self) -> str:
        """Return one readable line: format, section, page, what is missing."""
        page = f", p. {self.segment.page}" if self.segment.page else ""
        what = f"« {self.segment.text} »"
        if self.missing_numbers:
            numbers = ", ".join(_show_number(n) for n in self.missing_numbers)
            what += f" — nombres absents : {numbers}"
        return (
            f"[{self.output}] {self.segment.section}{page} (ligne {self.segment.line}) : "
            f"{what} (similarité {self.similarity:.2f})"
        )


def _show_number(token: str) -> str:
    unit = token[-1] if token[-1] in "%€" else ""
    value = token[1:-1] if unit else token[1:]
    return f"{value.replace('.', ',')}{' ' + unit if unit else ''}"


def _canonical_number(match: re.Match[str]) -> str:
    whole = re.sub(r"\D", "", match.group(1))
    decimals = (match.group(2) or "").rstrip("0")
    value = str(int(whole)) + (f".{decimals}" if decimals else "")
    return f" #{value}{match.group(3) or ''} "


def normalise(text: str) -> str:
    """Return ``text`` folded for comparison: case, accents, ligatures, spaces, numbers."""
    # Footnote calls (« LABBE¹ ») are numbered differently in each format.
    text = re.sub(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+", " ", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    # Hyphenation at a line end (PDF): « dévelop-\npement ».
    text = re.sub(r"(\w)[-\u00ad]\s*\n\s*(?=[a-zà-ÿ])", r"\1", text)
    text = text.replace("\u00ad", "")
    # A hyphen inside a word joins it (« Saint-Pourçain » = « SaintPourçain »), so that a
    # line break at that hyphen and the source's spelling give the same token.
    text = re.sub(r"(?<=[^\W\d])[-‐‑]\s*(?=[^\W\d])", "", text)
    # The report's spellings of the source's words (data/fidelite/structure_source.yaml).
    for pattern, replacement in structure().spellings:
        text = pattern.sub(replacement, text)
    text = _NUMBER.sub(_canonical_number, text)
    text = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def tokens(text: str) -> tuple[str, ...]:
    """Return the comparison tokens of ``text`` (words and ``#value[unit]`` numbers)."""
    return tuple(_TOKEN.findall(normalise(text)))


def _clean(line: str) -> str:
    for pattern, replacement in _MARKUP:
        line = pattern.sub(replacement, line)
    return " ".join(line.split())


def _has(name: str) -> bool:
    """Tell whether the project's data package has the fidelity resource ``name``, filled in."""
    try:
        return resource(name).path.is_file()
    except (UnknownResource, MissingData):
        return False


def source_path() -> Path | None:
    """Return the source document's text in the project (``None``: the project has none)."""
    if source_document() is None or not _has("structure_source"):
        return None
    return project_root() / structure().file


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Return the source's logical lines: wrapped lines of one paragraph joined.

    A line with tabs (a table row) or a list item stands alone; other consecutive
    non-empty lines (a title over two lines, « 8 » « % » « Mineurs ») form one paragraph.
    """
    found: list[tuple[int, str]] = []
    joining = False
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            joining = False
            continue
        alone = "\t" in raw or _LIST_MARK.match(raw) is not None or "<" in raw
        if joining and not alone:
            found[-1] = (found[-1][0], found[-1][1] + " " + raw.strip())
        else:
            found.append((number, raw))
        joining = not alone
    return found


def _is_number_row(cells: list[str]) -> bool:
    """Return True for a table row of figures (its cells are read together, as a row)."""
    filled = [c for c in cells if c.strip()]
    with_numbers = [c for c in filled if _NUMBER.search(c)]
    short = all(len(c.split()) <= 6 for c in filled)
    return short and len(filled) > 1 and 2 * len(with_numbers) >= len(filled)


def _sentences(cell: str) -> list[str]:
    """Split a cell into sentences, not after an abbreviation (« 27 av. E. Guillaumin »)."""
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(cell):
        if pieces and re.search(r"(?:^|\s)\w{1,3}\.$", pieces[-1]):
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    return pieces


def segments(text: str | None = None) -> list[Segment]:
    """Cut the source into sentences and table cells, each with its section and page."""
    if text is None:
        path = source_path()
        if path is None:
            return []
        text = path.read_text(encoding="utf-8")
    sections = structure().sections
    # Before any heading, a line belongs to the first part (the cover).
    section, page, next_section = sections[0].name, None, 0
    found: list[Segment] = []
    for number, raw in _paragraphs(text):
        stripped = raw.strip()
        # Sections come in the source's order (a later « PROJET ASSOCIATIF » is not the
        # cover); a table of contents line (with a tab) is never a heading.
        for index in range(next_section, len(sections) if "\t" not in raw else 0):
            if sections[index].heading.match(stripped):
                section, page = sections[index].name, sections[index].page
                next_section = index + 1
                break
        cells = re.split(r"\t|</p>|</li>|<br\s*/?>", raw)
        if _is_number_row(cells):
            filled = [_clean(c) for c in cells if c.strip()]
            row = " ".join(filled)
            found.append(Segment(row, section, page, number, tokens(row), tokens(filled[0])))
            continue
        for cell in cells:
            cell = _LIST_MARK.sub("", _clean(cell))
            for sentence in _sentences(cell):
                sentence = _LIST_MARK.sub("", sentence).strip()
                found_tokens = tokens(sentence)
                if found_tokens:
                    found.append(Segment(sentence, section, page, number, found_tokens))
    return found


def _variants(number: str) -> tuple[str, ...]:
    """Return the output tokens that show ``number``.

    A number keeps its unit, but a table may carry the unit in its header: « 9,3 » (a rate
    in the source's table) is found as « 9,3 % » or « 9,3 »; « + 0,6% » as « 0,6 % » or a
    bare « 0,6 » (« +0,6 pt »); never as « 0,6 € ».
    """
    return (number, number[:-1]) if number[-1] in "%€" else (number,)


class OutputText:
    """A rendered output reduced to tokens, with an index to find a segment's best window."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.tokens = tokens(text)
        self.joined = " " + " ".join(self.tokens) + " "
        self._positions: dict[str, list[int]] = {}
        for index, token in enumerate(self.tokens):
            self._positions.setdefault(token, []).append(index)
            if token[-1] in "%€":
                # « 9,3 % » in a chart's table is the source's « 9,3 » (see _variants).
                self._positions.setdefault(token[:-1], []).append(index)

    def _contains(self, phrase: Sequence[str]) -> bool:
        return " " + " ".join(phrase) + " " in self.joined

    def _starts(self, phrase: Sequence[str]) -> list[int]:
        """Return where the contiguous ``phrase`` starts in the output."""
        if not phrase:
            return []
        n = len(phrase)
        return [
            i
            for i in self._positions.get(phrase[0], [])
            if tuple(self.tokens[i : i + n]) == tuple(phrase)
        ]

    def _near(self, number: str, starts: list[int]) -> bool:
        """Return True when ``number`` occurs within ``NEAR`` tokens of a label occurrence."""
        return any(
            abs(position - start) <= NEAR
            for variant in _variants(number)
            for position in self._positions.get(variant, [])
            for start in starts
        )

    def match(self, segment: Segment) -> tuple[float, tuple[str, ...]]:
        """Return the best window's word similarity and the segment's numbers missing from it.

        A table row's numbers (and a short segment's) must each sit near its label: the
        label found as a phrase, each figure within ``NEAR`` tokens of it, in any layout
        (a row, a long table, a sentence).
        """
        if self._contains(segment.tokens):
            return 1.0, ()
        if segment.label or len(segment.words) < SHORT:
            if segment.label:
                label = segment.label
                numbers = tuple(t for t in segment.tokens[len(label) :] if t.startswith("#"))
            else:
                label, numbers = segment.words, segment.numbers
            starts = self._starts(label)
            if not label:
                return 1.0, tuple(n for n in numbers if n not in self._positions)
            if not starts:
                return 0.0, numbers
            return 1.0, tuple(n for n in numbers if not self._near(n, starts))
        wanted = Counter(segment.tokens)
        # Anchor windows on the segment's rarest tokens present in the output.
        present = sorted(
            (t for t in wanted if t in self._positions), key=lambda t: len(self._positions[t])
        )
        best: tuple[float, tuple[str, ...]] = (0.0, segment.numbers)
        size = len(segment.tokens)
        starts: set[int] = set()
        for anchor in present[:3]:
            for position in self._positions[anchor][:200]:
                starts.add(max(0, position - size - SLACK))
        # Distinct words: the extraction sometimes prints a cell twice, the report once.
        words = set(segment.words)
        for start in sorted(starts):
            window = set(self.tokens[start : start + 2 * (size + SLACK)])
            window |= {t[:-1] for t in window if t[-1] in "%€"}
            similarity = len(words & window) / len(words)
            absent = tuple(n for n in segment.numbers if not any(v in window for v in _variants(n)))
            if (similarity, -len(absent)) > (best[0], -len(best[1])):
                best = (similarity, absent)
        return best

    def finds(self, segment: Segment) -> bool:
        """Return True when the output holds the segment (see the module docstring)."""
        similarity, absent = self.match(segment)
        return similarity >= SIMILARITY and not absent


@dataclass(frozen=True)
class Omission:
    """A deliberate omission: the source text (or a regular expression), place and reason."""

    text: str
    pattern: bool
    section: str
    reason: str
    formats: tuple[str, ...]
    part: str = ""
    profiles: tuple[str, ...] = ()

    def covers(self, segment: Segment, output: str, profile: str = "") -> bool:
        """Return True when this omission explains the segment's absence from ``output``."""
        if self.formats and output not in self.formats:
            return False
        if self.profiles and profile not in self.profiles:
            return False
        if self.part and segment.section != self.part:
            return False
        if self.pattern:
            return re.search(self.text, segment.text) is not None
        return normalise(self.text).split() == normalise(segment.text).split() or (
            " ".join(segment.tokens) in " ".join(tokens(self.text))
        )


def omissions(records: Iterable[dict] | None = None) -> list[Omission]:
    """Return the deliberate omissions (``data/fidelite/omissions.yaml`` by default, if any)."""
    if records is None:
        records = load("omissions")["omissions"] if _has("omissions") else []
    records = list(records)
    for index, record in enumerate(records, start=1):
        try:
            re.compile(record.get("motif") or "")
        except re.error as exc:
            raise ValueError(
                f"data/fidelite/omissions.yaml, omission n° {index}, champ « motif » : "
                f"expression régulière invalide ({exc})"
            ) from None
    return [
        Omission(
            text=r.get("motif") or r["texte"],
            pattern="motif" in r,
            section=r["section"],
            reason=r["raison"],
            formats=tuple(r.get("formats", ())),
            part=r.get("partie", ""),
            profiles=tuple(r.get("profils", ())),
        )
        for r in records
    ]


def missing(
    output: OutputText,
    source: Sequence[Segment],
    deliberate: Sequence[Omission] = (),
    profile: str = "",
) -> list[Miss]:
    """Return the source segments absent from ``output`` that no omission explains."""
    misses = []
    for segment in source:
        if any(o.covers(segment, output.name, profile) for o in deliberate):
            continue
        similarity, absent = output.match(segment)
        if similarity < SIMILARITY or absent:
            misses.append(Miss(segment, output.name, absent, similarity))
    return misses


def unused(
    deliberate: Sequence[Omission], source: Sequence[Segment], outputs: Sequence[str]
) -> list[Omission]:
    """Return the omissions that cover no source segment (stale entries of the list)."""
    return [
        o
        for o in deliberate
        if not any(o.covers(s, f, p) for s in source for f in outputs for p in (o.profiles or [""]))
    ]
