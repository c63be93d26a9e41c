"""Compute which points à améliorer and threats the fiches-action target (chapter 4).

Pure computations on the workshop's table (``atelier_forces_faiblesses``), the hand-written
mapping ``correspondances`` and the fiches: no Markdown, no formatted figure. A « point à
améliorer » is a unit of the coverage: a theme of the workshop, or one by one the items the
workshop left without a theme (the public's). The chapter module presents what this one
counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

import pandas as pd

from projet_associatif.core.formatting import is_missing


class Category(StrEnum):
    """The workshop's two categories, as the data writes them (column ``categorie``)."""

    STRENGTH = "atout"
    WEAKNESS = "point à améliorer"


class FactorKind(StrEnum):
    """The two kinds of external factors of ``swot_externe`` (field ``type``)."""

    OPPORTUNITY = "opportunité"
    THREAT = "menace"


class Scope(StrEnum):
    """How much of a targeted theme a link reaches (column ``portee`` of the links)."""

    #: The whole theme (no « elements » in the link), or one unthemed item.
    WHOLE = "tout"
    #: Only the items the link names.
    PART = "en partie"
    #: The theme's wording only, none of its items (an empty « elements » list).
    WORDING = "libellé"


#: Columns of the links frame, one row per link fiche → point à améliorer or threat.
LINK_COLUMNS = (
    "fiche",
    "numero",
    "type",
    "unite",
    "domaine",
    "libelle",
    "portee",
    "elements",
    "elements_libelles",
    "citation",
    "champ",
    "remarque",
)


def one_spaced(text: object) -> str:
    """Return text with every run of whitespace turned into one space (quotes compare so)."""
    return " ".join(str(text).split())


def normalise_source(text: str) -> str:
    """Return source text without the extraction's bold marks and superscripts, one-spaced.

    The text file keeps Markdown bold (``**deux Maisons France Services**``) and exponents
    (``1^{er}``); a quotation copies the words, not these marks.
    """
    return one_spaced(re.sub(r"\^\{([^}]*)\}", r"\1", text.replace("**", "")))


# --- the workshop's lists ---------------------------------------------------------------------


def domains(atelier: pd.DataFrame) -> list[str]:
    """Return the workshop's domains in the source's order."""
    return list(dict.fromkeys(atelier.sort_values("ordre")["domaine"]))


def domain_prefix(atelier: pd.DataFrame, domaine: str) -> str:
    """Return the identifier prefix of a domain (« territoire » for « Le territoire »)."""
    ids = atelier.loc[atelier["domaine"] == domaine, "id"]
    if ids.empty:
        raise KeyError(f"Domaine inconnu de l'atelier : « {domaine} »")
    return re.sub(r"-(atout|ameliorer)-\d+$", "", str(ids.iloc[0]))


def grouped_items(
    atelier: pd.DataFrame, domaine: str, categorie: str
) -> list[tuple[str | None, list[str]]]:
    """Return (theme, items) groups of one domain and category, in the source's order.

    Items without a theme (the public's points à améliorer) form one group whose theme is None.
    """
    rows = atelier[(atelier["domaine"] == domaine) & (atelier["categorie"] == categorie)]
    groups: dict[str | None, list[str]] = {}
    for row in rows.sort_values("ordre").itertuples():
        theme = None if is_missing(row.theme) else str(row.theme)
        groups.setdefault(theme, []).append(str(row.element))
    return list(groups.items())


def theme_summary(atelier: pd.DataFrame, categorie: str) -> pd.DataFrame:
    """Return (domaine, theme, elements_nombre) for one category; unthemed items have no theme."""
    rows = []
    for domaine in domains(atelier):
        for theme, items in grouped_items(atelier, domaine, categorie):
            rows.append({"domaine": domaine, "theme": theme, "elements_nombre": len(items)})
    return pd.DataFrame(rows, columns=["domaine", "theme", "elements_nombre"])


# --- the units of the coverage ------------------------------------------------------------------


def theme_key(domaine: str, theme: str) -> str:
    """Return the key of a workshop theme (themes repeat across domains: « Equipe », « Outils »)."""
    return f"{domaine} / {theme}"


def link_unit(link: Mapping[str, Any]) -> str:
    """Return the unit a correspondence link points at."""
    if "element" in link:
        return str(link["element"])
    return theme_key(str(link["domaine"]), str(link["theme"]))


def weakness_units(atelier: pd.DataFrame) -> pd.DataFrame:
    """Return the units the coverage counts: each theme of points à améliorer, each unthemed item.

    Columns: unite (key), domaine, theme (None for an item), libelle, elements (ids).
    """
    weak = atelier[atelier["categorie"] == Category.WEAKNESS].sort_values("ordre")
    rows: dict[str, dict[str, Any]] = {}
    for row in weak.itertuples():
        if is_missing(row.theme):
            rows[str(row.id)] = {
                "unite": str(row.id),
                "domaine": row.domaine,
                "theme": None,
                "libelle": str(row.element),
                "elements": [str(row.id)],
            }
            continue
        key = theme_key(row.domaine, row.theme)
        unit = rows.setdefault(
            key,
            {
                "unite": key,
                "domaine": row.domaine,
                "theme": str(row.theme),
                "libelle": str(row.theme),
                "elements": [],
            },
        )
        unit["elements"].append(str(row.id))
    return pd.DataFrame(
        list(rows.values()), columns=["unite", "domaine", "theme", "libelle", "elements"]
    )


def _flatten(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [t for k, v in value.items() if k != "note_transcription" for t in _flatten(v)]
    if isinstance(value, list):
        return [t for v in value for t in _flatten(v)]
    return [str(value)]


def fiche_text(fiche: Mapping[str, Any], champ: str) -> str:
    """Return the source text of one part of a fiche, one-spaced (transcription notes excluded)."""
    return one_spaced(" ".join(_flatten(fiche.get(champ))))


# --- the mapping fiche → points à améliorer and threats ----------------------------------------


def check_correspondances(
    document: Mapping[str, Any],
    fiches: Sequence[Mapping[str, Any]],
    atelier: pd.DataFrame,
    threats: Iterable[str],
) -> list[str]:
    """Return every inconsistency of the mapping with the data (empty list when it holds)."""
    problems: list[str] = []
    by_id = {f["id"]: f for f in fiches}
    units = weakness_units(atelier).set_index("unite")
    threats = set(threats)
    seen: set[str] = set()
    for entry in document["correspondances"]:
        fiche = by_id.get(entry["fiche"])
        if fiche is None:
            problems.append(f"fiche inconnue : « {entry['fiche']} »")
            continue
        if entry["fiche"] in seen:
            problems.append(f"fiche « {entry['fiche']} » décrite deux fois")
        seen.add(entry["fiche"])
        for link in [*entry.get("faiblesses", []), *entry.get("menaces", [])]:
            where = f"fiche « {entry['fiche']} »"
            if "menace" in link:
                if link["menace"] not in threats:
                    problems.append(f"{where} : menace inconnue « {link['menace']} »")
            else:
                unit = link_unit(link)
                if unit not in units.index:
                    problems.append(f"{where} : point à améliorer inconnu « {unit} »")
                else:
                    outside = set(link.get("elements", [])) - set(units.loc[unit, "elements"])
                    if outside:
                        problems.append(
                            f"{where} : éléments hors du thème « {unit} » : {sorted(outside)}"
                        )
            if one_spaced(link["citation"]) not in fiche_text(fiche, link["champ"]):
                field = link["champ"]
                problems.append(
                    f"{where} : citation absente du champ « {field} » : « {link['citation']} »"
                )
    return problems


def coverage_links(
    document: Mapping[str, Any],
    fiches: Sequence[Mapping[str, Any]],
    atelier: pd.DataFrame,
    threats: Mapping[str, str],
) -> pd.DataFrame:
    """Return one row per link (fiche → point à améliorer or threat), after checking the mapping.

    ``threats`` maps each threat's id to its wording. The columns are :data:`LINK_COLUMNS`.
    """
    problems = check_correspondances(document, fiches, atelier, threats)
    if problems:
        raise ValueError(
            "Correspondances incohérentes avec les données :\n- " + "\n- ".join(problems)
        )
    units = weakness_units(atelier).set_index("unite")
    by_id = {f["id"]: f for f in fiches}
    labels = dict(zip(atelier["id"], atelier["element"], strict=True))
    rows = []
    for entry in document["correspondances"]:
        fiche = by_id[entry["fiche"]]
        for link in entry.get("faiblesses", []):
            unit = link_unit(link)
            named = list(link.get("elements", []))
            # No « elements »: the whole theme; a list: those items; an empty list: the
            # theme's wording only, none of its items (recorded as such, counted as such).
            if "element" in link or "elements" not in link:
                scope, reached = Scope.WHOLE, list(units.loc[unit, "elements"])
            else:
                scope, reached = (Scope.PART if named else Scope.WORDING), named
            rows.append(
                {
                    "fiche": fiche["id"],
                    "numero": fiche["numero"],
                    "type": Category.WEAKNESS,
                    "unite": unit,
                    "domaine": units.loc[unit, "domaine"],
                    "libelle": units.loc[unit, "libelle"],
                    "portee": scope,
                    "elements": reached,
                    "elements_libelles": [str(labels[i]) for i in named],
                    "citation": one_spaced(link["citation"]),
                    "champ": link["champ"],
                    "remarque": link.get("remarque"),
                }
            )
        for link in entry.get("menaces", []):
            rows.append(
                {
                    "fiche": fiche["id"],
                    "numero": fiche["numero"],
                    "type": FactorKind.THREAT,
                    "unite": link["menace"],
                    "domaine": None,
                    "libelle": threats[link["menace"]],
                    "portee": Scope.WHOLE,
                    "elements": [],
                    "elements_libelles": [],
                    "citation": one_spaced(link["citation"]),
                    "champ": link["champ"],
                    "remarque": link.get("remarque"),
                }
            )
    return pd.DataFrame(rows)


def general_objectives(fiches: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the general objectives the fiches belong to (« OG1 », « OG2 »), in order."""
    ids = {str(f["objectif_operationnel"]).split("-")[0] for f in fiches}
    return sorted(ids, key=lambda i: int(i[2:]))


# --- what no fiche targets ----------------------------------------------------------------------


def _targeted(links: pd.DataFrame, kind: str) -> pd.DataFrame:
    return links.loc[links["type"] == kind] if not links.empty else links


def uncovered_units(atelier: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Return the points à améliorer (themes, unthemed items) that no fiche targets."""
    units = weakness_units(atelier)
    covered = set(_targeted(links, Category.WEAKNESS).get("unite", []))
    return units[~units["unite"].isin(covered)].reset_index(drop=True)


def uncovered_items(atelier: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Return the items no link reaches: those of untargeted units, and those a link leaves out."""
    reached = {i for ids in _targeted(links, Category.WEAKNESS).get("elements", []) for i in ids}
    weak = atelier[atelier["categorie"] == Category.WEAKNESS]
    return weak[~weak["id"].isin(reached)].sort_values("ordre").reset_index(drop=True)


def uncovered_threat_ids(threats: Iterable[str], links: pd.DataFrame) -> list[str]:
    """Return the ids of the threats (in the given order) that no fiche targets."""
    covered = set(_targeted(links, FactorKind.THREAT).get("unite", []))
    return [t for t in threats if t not in covered]
