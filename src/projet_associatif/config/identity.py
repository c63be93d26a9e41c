"""Name the organisation, its territory, this edition and the source, from the data.

``data/association/identite.yaml`` holds them (validated like every resource); the title
page, the PDF and DOCX metadata, the HTML footer, the « Source : » captions and the command
line read them here, never from a constant of their own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from projet_associatif.data.package import load, resource

IDENTITY_RESOURCE = "identite"


@dataclass(frozen=True)
class SourceDocument:
    """The document the report transcribes: its full title, the short form captions cite."""

    title: str
    cited_as: str
    year: int


@dataclass(frozen=True)
class PreviousEdition:
    """The edition this one started from: its year and its data, kept in the project."""

    year: int
    data_dir: Path


@dataclass(frozen=True)
class Territory:
    """The EPCI the organisation covers, those it shares, and the source's own counts."""

    #: SIREN code → a word the official name must contain.
    epci: dict[str, str]
    shared: frozenset[str]
    shared_with: str | None
    #: « communes_minimum » / « epci_nombre » → {"valeur": int, "selon": str}.
    checks: dict[str, dict]


@dataclass(frozen=True)
class Identity:
    """Who publishes the report, for which territory, which edition, and what it transcribes."""

    organisation: str
    short_name: str
    #: ``None`` for a project that transcribes no earlier document (a blank project).
    source: SourceDocument | None
    edition_year: int
    previous: PreviousEdition | None
    territory: Territory


def identity(data_dir: Path | None = None) -> Identity:
    """Return the identity stated by the data (read again only when its file changes).

    Every caption asks for the source's title: finding the file once and then only checking
    its date keeps that cheap.
    """
    path = _path(data_dir)
    return _read(data_dir, path, path.stat().st_mtime_ns)


@functools.cache
def _path(data_dir: Path | None) -> Path:
    return resource(IDENTITY_RESOURCE, data_dir).path


@functools.cache
def _read(data_dir: Path | None, path: Path, mtime_ns: int) -> Identity:
    document = load(IDENTITY_RESOURCE, data_dir)
    source = document.get("document_source")
    edition = document["edition"]
    previous = edition.get("precedente")
    territory = document["territoire"]
    shared = territory.get("epci_partages") or {}
    # The previous edition's folder is written relative to the project root, which holds data/.
    root = path.parent.parent.parent
    return Identity(
        organisation=document["organisation"],
        short_name=document["nom_court"],
        source=SourceDocument(source["titre"], source["cite_comme"], source["annee"])
        if source
        else None,
        edition_year=edition["annee"],
        previous=PreviousEdition(previous["annee"], (root / previous["donnees"]).resolve())
        if previous
        else None,
        territory=Territory(
            epci={e["code"]: e["nom"] for e in territory["epci"]},
            shared=frozenset(shared.get("codes", [])),
            shared_with=shared.get("avec"),
            checks=dict(territory.get("controles") or {}),
        ),
    )


def organisation(data_dir: Path | None = None) -> str:
    """Return the organisation's full name, as the title page writes it."""
    return identity(data_dir).organisation


def source_document(data_dir: Path | None = None) -> SourceDocument | None:
    """Return the source document's title, short citation and year (``None`` if it has none)."""
    return identity(data_dir).source
