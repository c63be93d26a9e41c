"""Read the territory a reference extract covers from the project's ``identite.yaml``.

The EPCI, those shared with another organisation, the source's own counts (optional: a
blank project has none) and the organisation's names all come from
``data/association/identite.yaml`` of the data directory being refreshed, so that the same
code extracts any territory. The words that describe the extract are templates in
``textes/referentiel-provenance.yaml``, filled here.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from projet_associatif.core.texts import texts
from projet_associatif.data.package import discover, load, sources_of

IDENTITY_RESOURCE = "identite"
#: The diagnostic's table of EPCI, whose figures the extract can be compared with.
TERRITORY_TABLE = "epci"

#: Counts written in words in the descriptors and PROVENANCE.md (« les quatre EPCI »).
_WORDS = {
    2: "deux",
    3: "trois",
    4: "quatre",
    5: "cinq",
    6: "six",
    7: "sept",
    8: "huit",
    9: "neuf",
    10: "dix",
    11: "onze",
    12: "douze",
}


@dataclass(frozen=True)
class ReferenceTerritory:
    """What a refresh extracts and how its files describe it."""

    #: SIREN code → a word the official name must contain (guards against a typo in a code).
    epci: dict[str, str]
    shared: frozenset[str] = frozenset()
    #: The organisation the shared EPCI are shared with (« Mission Locale de … »), if stated.
    shared_with: str | None = None
    #: Why every commune of a shared EPCI is flagged, as the data states it (optional).
    shared_note: str | None = None
    #: Where the sharing is stated (« le projet associatif (…, page 7) »), if the data says.
    shared_source: str | None = None
    #: Whether the project transcribes a source document (a blank project does not).
    transcribes_source: bool = False
    organisation: str = ""
    short_name: str = ""
    #: The ``lignes`` declarations from the source's counts (empty: no row-count rule).
    communes_rows: dict[str, Any] = field(default_factory=dict)
    epci_rows: dict[str, Any] = field(default_factory=dict)
    #: The vintage of the figures the project's own EPCI table prints (None: none stated).
    printed_vintage: str | None = None

    def words(self) -> dict[str, str]:
        """Return the template values that name the territory (count, grammar, organisation)."""
        pieces = texts("referentiel-provenance")
        count = len(self.epci)
        form = "un" if count == 1 else "plusieurs"
        values = {
            "n": str(count),
            "n_lettres": _WORDS.get(count, str(count)),
            "organisation": self.organisation,
            "nom_court": self.short_name,
        }
        grammar = {
            key: string.Template(value).substitute(values)
            for key, value in pieces["epci_grammaire"][form].items()
        }
        return {**values, **grammar, **self._shared_words(pieces)}

    def _shared_words(self, pieces: Mapping[str, Any]) -> dict[str, str]:
        """Return the words naming the shared EPCI, with whom, why, and according to what."""
        shared = sorted(self.shared)
        many = len(shared) > 1
        codes = ", ".join(shared)
        return {
            "des_epci_partages": f"des EPCI {codes}" if many else f"de l'EPCI {codes}",
            "des_epci_partages_lettres": f"des {_WORDS.get(len(shared), str(len(shared)))} EPCI"
            if many
            else "de l'EPCI",
            "partages": "partagés" if many else "partagé",
            "avec": f"la {self.shared_with}"
            if self.shared_with
            else pieces["zone_partagee_avec_inconnu"],
            "note": f" ; {self.shared_note}" if self.shared_note else "",
            "selon": self.shared_source or pieces["selon_identite"],
            "qui_ne_dit_pas": pieces["qui_ne_dit_pas_source"]
            if self.transcribes_source
            else pieces["qui_ne_dit_pas_donnees"],
        }


def read_territory(data_dir: Path) -> ReferenceTerritory:
    """Return the territory stated by ``<data_dir>/association/identite.yaml``."""
    document = load(IDENTITY_RESOURCE, data_dir)
    territory = document["territoire"]
    shared = territory.get("epci_partages") or {}
    checks = territory.get("controles") or {}
    return ReferenceTerritory(
        epci={e["code"]: e["nom"] for e in territory["epci"]},
        shared=frozenset(shared.get("codes", [])),
        shared_with=shared.get("avec"),
        shared_note=shared.get("note"),
        shared_source=shared.get("selon"),
        transcribes_source=bool(document.get("document_source")),
        organisation=document["organisation"],
        short_name=document["nom_court"],
        communes_rows=_rows("minimum", checks.get("communes_minimum")),
        epci_rows=_rows("exact", checks.get("epci_nombre")),
        printed_vintage=_printed_vintage(document, data_dir),
    )


def _rows(rule: str, check: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a ``lignes`` declaration (``{rule: valeur, selon}``) from one check, if any."""
    return {rule: check["valeur"], "selon": check["selon"]} if check else {}


def _printed_vintage(document: Mapping[str, Any], data_dir: Path) -> str | None:
    """Return the vintage of the EPCI figures the source document prints, if the data says.

    That is the vintage the project's EPCI table gives for its source-document source; a
    project without a source document, or without that table, has none.
    """
    source = document.get("document_source")
    if not source or TERRITORY_TABLE not in discover(data_dir):
        return None
    for entry in sources_of(TERRITORY_TABLE, data_dir):
        if entry.get("title") == source["titre"] and entry.get("vintage"):
            return str(entry["vintage"])
    return None
