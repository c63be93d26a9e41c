"""Mark the resources whose figures are older than the new edition « à actualiser ».

A descriptor's ``sources[].vintage`` is free text as the source states it (« 2018 »,
« 2017-2018 », « 2019 T1 », « juin 2018 »…): the newest four-digit year in it counts. A
resource whose newest vintage is older than the new edition — or that gives no vintage at
all — gets ``actualisation: {statut: à actualiser, edition: N, motif: …}``; the analyst
removes the block once the data are updated, or writes ``statut: conservé`` with a motif.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projet_associatif.data.descriptors import discover
from projet_associatif.edition.yaml_text import set_key

#: A year of the 19th to 21st century standing alone (not part of a longer number).
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)")

STALE = "à actualiser"

#: Written above the block, so that whoever opens the descriptor knows what to do with it.
COMMENT = (
    "# Écrit par « projet-associatif edition nouvelle » : retirez ce bloc une fois les données\n"
    "# mises à jour, ou écrivez « statut: conservé » et un motif pour garder ces chiffres.\n"
)


@dataclass(frozen=True)
class StaleMark:
    """One resource marked « à actualiser », and why."""

    name: str
    descriptor: Path
    reason: str


def newest_year(vintage: Any) -> int | None:
    """Return the newest year written in a vintage (« 2017-2018 » → 2018), or ``None``."""
    years = [int(y) for y in YEAR.findall(str(vintage or ""))]
    return max(years) if years else None


def stale_reason(descriptor: Mapping[str, Any], edition_year: int) -> str | None:
    """Return why a resource is stale for ``edition_year``, or ``None`` when it is recent."""
    years = [newest_year(s.get("vintage")) for s in descriptor.get("sources") or []]
    known = [y for y in years if y is not None]
    if not known:
        return "aucune source ne donne de millésime : datez ces chiffres ou actualisez-les"
    newest = max(known)
    if newest < edition_year:
        return f"millésime le plus récent : {newest}, antérieur à l'édition {edition_year}"
    return None


def mark_stale(
    data_dir: Path,
    edition_year: int,
    *,
    skip: Collection[str] = (),
    skip_dirs: Collection[str] = (),
) -> list[StaleMark]:
    """Write the « à actualiser » block into every stale descriptor; return what was marked.

    ``skip`` names resources left alone (those rewritten or refreshed by the caller);
    ``skip_dirs`` names folders of ``data_dir`` likewise (the reference extract).
    """
    marks = []
    for name, info in discover(data_dir).items():
        folder = info.descriptor_path.parent.relative_to(data_dir).parts[:1]
        if name in skip or (folder and folder[0] in skip_dirs):
            continue
        reason = stale_reason(info.descriptor, edition_year)
        if reason is None:
            continue
        block = {"statut": STALE, "edition": edition_year, "motif": reason}
        path = info.descriptor_path
        text = path.read_text(encoding="utf-8")
        path.write_text(
            set_key(text, "actualisation", block, comment=COMMENT), encoding="utf-8", newline="\n"
        )
        marks.append(StaleMark(name, path, reason))
    return marks
