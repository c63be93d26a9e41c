"""Say where a figure comes from: the one « Source : » caption formatter and its helpers.

Every chapter writes the line under a table, a chart or a text block from the resource
descriptors' sources through :func:`source_text` (a short form); the full references
(title, section, page, vintage) are in annex C (``chapters/sources_appendix.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from projet_associatif.config.identity import source_document
from projet_associatif.core.formatting import NBSP, date_fr
from projet_associatif.core.markup import escape_markdown
from projet_associatif.data.fill_state import STALE_FOR

# A vintage the short form keeps: a year, quarter, month or day (« 2018 », « 2018-T2 »,
# « juin 2018 », « 2e trimestre 2018 »). Longer ones (« communes au 1er janvier 2025
# (déduit) ; … ») are left to annex C.
_DATED = re.compile(
    r"(?:\d{4}(?:-T[1-4]|-\d{2}(?:-\d{2})?)?"
    r"|(?:1er|[1-4]e) trimestre \d{4}"
    r"|(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
    r"|décembre) \d{4})"
)
_ANNEX = re.compile(r"^Annexe (\d+)")


def ordinal_fr(n: int) -> str:
    """Return a French ordinal: « 1er », « 2e »."""
    return "1er" if n == 1 else f"{n}e"


def vintage_fr(text: str) -> str:
    """Spell out a vintage: « 2018-T2 » → « 2e trimestre 2018 », « 2018-06 » → « juin 2018 »."""
    text = re.sub(
        r"\b(\d{4})-T([1-4])\b",
        lambda m: f"{ordinal_fr(int(m.group(2)))} trimestre {m.group(1)}",
        text,
    )
    text = re.sub(
        r"\b(\d{4})-(\d{2})-(\d{2})\b",
        lambda m: date_fr(m.group(0), "jour"),
        text,
    )
    return re.sub(
        r"\b(\d{4})-(0[1-9]|1[0-2])\b",
        lambda m: date_fr(f"{m.group(0)}-01", "mois"),
        text,
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"


def _document_places(sources: Iterable[Mapping[str, Any]]) -> str:
    pages = sorted({int(s["page"]) for s in sources if s.get("page")})
    annexes = sorted(
        {
            int(m.group(1))
            for s in sources
            if not s.get("page") and (m := _ANNEX.match(str(s.get("section") or "").strip()))
        }
    )
    places = [f"p.{NBSP}{_and([str(p) for p in pages])}"] if pages else []
    places += [f"annexe {a}" for a in annexes]
    document = source_document()
    cited = document.cited_as if document is not None else "document source"
    return ", ".join([cited, *places])


def _public_entry(source: Mapping[str, Any]) -> tuple[str, str | None]:
    name = str(source.get("publisher") or source["title"]).strip()
    raw = str(source.get("vintage") or "").strip()
    vintage = vintage_fr(raw)
    year = re.search(r"\d{4}", vintage)
    if not _DATED.fullmatch(raw) or (year and year.group(0) in name):
        # An undated vintage, or one the name already carries, is told in annex C only.
        return name, None
    return name, vintage


def source_text(sources: Iterable[Mapping[str, Any]]) -> str:
    """Return the short text after « Source : » for descriptor sources.

    The source document is cited once with its pages (« projet associatif 2020, p. 7 et 16 »);
    each public source by its ``publisher`` (else its title) and its vintages when they are
    dates (« DIRECCTE Auvergne-Rhône-Alpes, juin 2018 et 2e trimestre 2018 »). Entries are
    deduplicated and joined by « ; »; the full references (title, section, page, vintage)
    are in annex C. Sources of a resource « à actualiser » (marked by
    :func:`~projet_associatif.data.fill_state.caption_sources`) add a visible mention:
    « (millésime 2018 — à actualiser pour l'édition 2026) ».
    """
    document: list[Mapping[str, Any]] = []
    public: dict[str, list[str]] = {}
    stale: list[Mapping[str, Any]] = []
    own = source_document()
    for source in sources:
        title = str(source.get("title") or "").strip()
        if not title:
            raise ValueError("Source sans titre : chaque source a un titre (document, éditeur).")
        if source.get(STALE_FOR) is not None:
            stale.append(source)
        if own is not None and title == own.title:
            document.append(source)
            continue
        name, vintage = _public_entry(source)
        vintages = public.setdefault(name, [])
        if vintage and vintage not in vintages:
            vintages.append(vintage)
    if not document and not public:
        raise ValueError("Aucune source : un chiffre publié a toujours une source.")
    entries = [f"{name}, {_and(v)}" if v else name for name, v in public.items()]
    return " ; ".join([_document_places(document)] * bool(document) + entries) + _stale_note(stale)


def _stale_note(stale: Sequence[Mapping[str, Any]]) -> str:
    """Return « (millésime 2018 — à actualiser pour l'édition 2026) », or "" when up to date.

    The oldest year among the stale sources' vintages is the millésime; a vintage without a
    year leaves it out.
    """
    if not stale:
        return ""
    editions = sorted({str(s[STALE_FOR]) for s in stale})
    years = sorted(
        year
        for s in stale
        for year in re.findall(r"\b(?:19|20)\d{2}\b", str(s.get("vintage") or ""))
    )
    vintage = f"millésime {years[0]} — " if years else ""
    return f" ({vintage}à actualiser pour l'édition {_and(editions)})"


def source_markdown(sources: Iterable[Mapping[str, Any]]) -> str:
    """Return a Markdown « Source : … » line, its text escaped, for prose under a figure."""
    return f"Source{NBSP}: {escape_markdown(source_text(sources))}"


def select_sources(
    sources: Sequence[Mapping[str, Any]], sections: Iterable[str]
) -> list[Mapping[str, Any]]:
    """Return the descriptor sources whose section is one of ``sections``, in descriptor order.

    Raise when none matches: a table quoting a section its descriptor does not declare would
    get a wrong source line.
    """
    wanted = {str(s) for s in sections}
    chosen = [s for s in sources if str(s.get("section", "")) in wanted]
    if not chosen:
        raise ValueError(
            "Aucune source du descripteur ne correspond aux sections : "
            + " ; ".join(sorted(wanted))
        )
    return chosen


def frame_source(frame: pd.DataFrame, sections: Iterable[str] | None = None) -> str:
    """Return the source line of a loaded table (``load`` keeps its sources in ``attrs``).

    With ``sections``, only the sources of those sections are cited; with a ``section``
    column in the frame and no ``sections``, the sections of its rows are cited.
    """
    sources = frame.attrs.get("sources") or []
    if not sources:
        raise ValueError(
            "Tableau sans sources : chargez-le avec datapackage.load (qui garde ses sources)."
        )
    if sections is None and "section" in frame.columns:
        sections = list(dict.fromkeys(frame["section"].dropna()))
    if sections is not None:
        sources = select_sources(sources, sections)
    return source_text(sources)
