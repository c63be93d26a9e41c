"""Tell how far a resource is filled in: still « à compléter », « à actualiser » or filled.

A new project starts with empty resources: a data file absent, a CSV with its header and no
row, or an empty YAML document (nothing, ``null``, ``{}``, ``[]``). That is *incompleteness*,
not a broken rule: :mod:`projet_associatif.data.validation` lets it pass, ``validate`` lists it
in its checklist, and :func:`projet_associatif.data.package.load` raises
:class:`~projet_associatif.core.errors.MissingData` for it.

A descriptor may also carry an ``actualisation`` block (written by ``edition nouvelle
--depuis`` on data older than the new edition)::

    actualisation: {statut: "à actualiser", edition: 2026}
    actualisation: {statut: "conservé", edition: 2026, motif: "pas de nouveau recensement"}

:func:`actualisation_problems` checks its shape; :func:`freshness` reads it; and
:func:`caption_sources` marks the sources of a stale resource so that the one caption
formatter (``present.provenance.source_text``) says « à actualiser ».
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping
from typing import Any

from projet_associatif.core.errors import Problem
from projet_associatif.data.completeness import Completeness
from projet_associatif.data.descriptors import ResourceInfo

#: The key of a source that tells the caption formatter its resource is « à actualiser »:
#: the edition its figures are to be updated for. Only ever added to sources in memory.
STALE_FOR = "à actualiser pour"
#: The statuses an ``actualisation`` block may have, as the analyst writes them.
STATUSES = {"à actualiser": Completeness.TO_UPDATE, "conservé": Completeness.KEPT}
_BLOCK_KEYS = {"statut", "edition", "motif"}
#: A YAML document larger than this is not empty: no need to read it to know (the GeoJSON).
_SMALL = 4096
_EMPTY_DOCUMENTS = {"", "null", "Null", "NULL", "~", "{}", "[]"}


def emptiness(info: ResourceInfo) -> str | None:
    """Return why a resource is still « à compléter » (None when it holds data).

    Absent file, CSV with its header and no row, empty YAML or JSON document. A CSV file
    without even its header is not incomplete but invalid (the check says so).
    """
    if not info.path.is_file():
        return "fichier absent"
    if info.format == "csv":
        return "tableau vide (ligne d'en-tête seule)" if _header_only(info) else None
    if info.format in {"yaml", "json"} and _empty_document(info):
        return "document vide"
    return None


def _header_only(info: ResourceInfo) -> bool:
    """Return whether a CSV file has a header and no row (blank lines do not count)."""
    raw = info.path.read_bytes()
    if not raw.strip(codecs.BOM_UTF8 + b" \t\r\n"):
        return False  # not even a header: invalid, the check reports it
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False  # the check reports the encoding
    rows = (row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row))
    next(rows, None)
    return next(rows, None) is None


def _empty_document(info: ResourceInfo) -> bool:
    """Return whether a YAML or JSON document holds nothing (comments aside)."""
    if info.path.stat().st_size > _SMALL:
        return False
    try:
        text = info.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    lines = []
    for line in text.splitlines():
        bare = line.strip()
        if not bare or bare.startswith("#") or bare in {"---", "..."}:
            continue
        lines.append(bare.removeprefix("--- "))
    return " ".join(lines).strip() in _EMPTY_DOCUMENTS


def actualisation_problems(descriptor: Mapping[str, Any], descriptor_file: str) -> list[Problem]:
    """Return what is wrong with a descriptor's ``actualisation`` block (none when absent)."""
    if "actualisation" not in descriptor:
        return []
    block = descriptor["actualisation"]

    def problem(message: str, column: str = "actualisation") -> Problem:
        return Problem(descriptor_file, message, column=column, rule="actualisation")

    if not isinstance(block, Mapping):
        return [
            problem(
                "bloc « actualisation » invalide : écrivez {statut: à actualiser, edition: "
                "ANNÉE} ou {statut: conservé, edition: ANNÉE, motif: …}"
            )
        ]
    problems = [
        problem(f"clé inconnue « {key} » (clés possibles : statut, edition, motif)")
        for key in sorted(map(str, set(block) - _BLOCK_KEYS))
    ]
    status = block.get("statut")
    if status not in STATUSES:
        problems.append(
            problem(
                f"statut « {status} » inconnu : écrivez « à actualiser » ou « conservé »"
                if status is not None
                else "statut manquant : écrivez « à actualiser » ou « conservé »",
                "actualisation.statut",
            )
        )
    edition = block.get("edition")
    if isinstance(edition, bool) or not isinstance(edition, int):
        problems.append(
            problem(
                "édition manquante ou invalide : l'année de l'édition, en chiffres (ex. 2026)",
                "actualisation.edition",
            )
        )
    motif = block.get("motif")
    if status == "conservé" and not (isinstance(motif, str) and motif.strip()):
        problems.append(
            problem(
                "motif manquant : dites pourquoi ces chiffres sont conservés sans mise à jour",
                "actualisation.motif",
            )
        )
    elif motif is not None and not isinstance(motif, str):
        problems.append(problem("motif invalide : écrivez une phrase", "actualisation.motif"))
    return problems


def freshness(info: ResourceInfo) -> Completeness:
    """Return FILLED, TO_UPDATE or KEPT from the descriptor's ``actualisation`` block.

    A block whose shape is wrong counts as « à actualiser » (the check reports it).
    """
    block = info.descriptor.get("actualisation")
    if block is None:
        return Completeness.FILLED
    status = block.get("statut") if isinstance(block, Mapping) else None
    return STATUSES.get(status, Completeness.TO_UPDATE)


def state(info: ResourceInfo) -> Completeness:
    """Return the checklist state of a resource: à compléter first, then its freshness."""
    return Completeness.TO_COMPLETE if emptiness(info) else freshness(info)


def caption_sources(info: ResourceInfo) -> list[Any]:
    """Return the descriptor's sources, each marked :data:`STALE_FOR` when « à actualiser ».

    The very list of the descriptor for a resource without such a block.
    """
    sources = list(info.descriptor.get("sources", []))
    if freshness(info) is not Completeness.TO_UPDATE:
        return sources
    block = info.descriptor["actualisation"]
    edition = block.get("edition") if isinstance(block, Mapping) else None
    return [{**s, STALE_FOR: edition} if isinstance(s, Mapping) else s for s in sources]
