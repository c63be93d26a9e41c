"""Resolve the project's directories from one anchor, never from the working directory."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

ROOT_ENV = "PROJET_ASSOCIATIF_ROOT"


@cache
def project_root() -> Path:
    """Return the project root: the nearest ancestor of this package holding ``_quarto.yml``.

    ``PROJET_ASSOCIATIF_ROOT`` overrides it (tests build copies of the project elsewhere).
    """
    override = os.environ.get(ROOT_ENV)
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "_quarto.yml").is_file():
            return parent
    raise RuntimeError(
        "Racine du projet introuvable : aucun _quarto.yml au-dessus de "
        f"{here}. Définissez {ROOT_ENV}."
    )


def data_dir() -> Path:
    """Return the directory of the validated source data."""
    return project_root() / "data"


def notebooks_dir() -> Path:
    """Return the directory of the source (unexecuted) notebooks."""
    return project_root() / "notebooks"


def report_dir() -> Path:
    """Return the directory of the hand-written chapters and report assets."""
    return project_root() / "report"


def build_dir() -> Path:
    """Return the git-ignored directory for executed notebooks and intermediate files."""
    return project_root() / "build"


def vega_bundle_path(folder: Path | None = None) -> Path:
    """Return where the offline Vega bundle of the installed altair and vl-convert is kept.

    Named after the two distributions' versions, so that finding it imports neither.
    """
    # start-up cost: importlib.metadata (~0,03 s), which `--help` does not need.
    from importlib.metadata import version

    name = f"vega-bundle-altair{version('altair')}-vlc{version('vl-convert-python')}.js"
    return (folder or build_dir()) / "vega" / name


def book_dir() -> Path:
    """Return the directory where published reports land, one sub-directory per profile."""
    return project_root() / "_book"


def examples_dir() -> Path:
    """Return the directory of fictional example data (never read by default)."""
    return project_root() / "exemples"
