"""Find the project the way git finds its repository, and every directory from its root."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

ROOT_ENV = "PROJET_ASSOCIATIF_ROOT"
#: The command-line option that names a project (its French error names it).
ROOT_OPTION = "--projet"
#: What makes a folder a project: its book and its identity (the two files ``edition`` writes).
PROJECT_MARKERS = ("_quarto.yml", "data/association/identite.yaml")


class ProjectNotFound(RuntimeError):
    """Raise when no project can be found: the message says where it was looked for, in French."""


def is_project(folder: Path) -> bool:
    """Return whether ``folder`` holds a project's two markers (``PROJECT_MARKERS``)."""
    return all((folder / marker).is_file() for marker in PROJECT_MARKERS)


def check_project(folder: Path | str, given_by: str = ROOT_OPTION) -> Path:
    """Return ``folder`` resolved if it is a project, else raise :class:`ProjectNotFound`."""
    path = Path(folder).expanduser().resolve()
    if not is_project(path):
        raise ProjectNotFound(
            f"{path} n'est pas un projet ({given_by}) : un projet est un dossier qui contient "
            f"{' et '.join(PROJECT_MARKERS)}."
        )
    return path


def project_root() -> Path:
    """Return the project root, found the way git finds its repository.

    In this order: ``PROJET_ASSOCIATIF_ROOT`` (the command line's ``--projet`` sets it, and
    every child process inherits it); the nearest ancestor of the working directory holding
    ``_quarto.yml`` and ``data/association/identite.yaml``; the checkout this package sits in
    (a developer's clone, the tests). The answer is cached per value of the variable and per
    working directory, so that a change of either is seen at once.
    """
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was deleted: only the other ways remain
        cwd = ""
    return _find_root(os.environ.get(ROOT_ENV, ""), cwd)


@cache
def _find_root(override: str, cwd: str) -> Path:
    if override:
        return check_project(override, ROOT_ENV)
    searched = []
    for start in ([Path(cwd)] if cwd else []) + [Path(__file__).resolve().parent]:
        for folder in (start, *start.parents):
            if is_project(folder):
                return folder
        searched.append(str(start))
    raise ProjectNotFound(
        "Projet introuvable : aucun dossier contenant "
        f"{' et '.join(PROJECT_MARKERS)} au-dessus de {' ni de '.join(searched)}. Lancez la "
        f"commande depuis le dossier d'un projet, ou nommez-le avec {ROOT_OPTION} DOSSIER "
        f"(ou la variable {ROOT_ENV})."
    )


@cache
def package_checkout() -> Path | None:
    """Return the project this package was installed from (a clone), or ``None`` (a wheel).

    Tools installed once for that clone (the npm reference package under ``build/npm/``)
    serve the other projects on the machine too.
    """
    here = Path(__file__).resolve().parent
    return next((f for f in (here, *here.parents) if is_project(f)), None)


#: Forget the cached answers (tests that move the project between two calls).
project_root.cache_clear = _find_root.cache_clear  # type: ignore[attr-defined]


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
