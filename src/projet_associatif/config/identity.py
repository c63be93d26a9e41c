"""Name the organisation and the source document, from their one home in the data.

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
class Identity:
    """Who publishes the report and what it transcribes."""

    organisation: str
    source: SourceDocument


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
    source = document["document_source"]
    return Identity(
        organisation=document["organisation"],
        source=SourceDocument(source["titre"], source["cite_comme"], source["annee"]),
    )


def organisation(data_dir: Path | None = None) -> str:
    """Return the organisation's name (« Mission Locale de Moulins et sa région »)."""
    return identity(data_dir).organisation


def source_document(data_dir: Path | None = None) -> SourceDocument:
    """Return the source document's title, short citation and year."""
    return identity(data_dir).source
