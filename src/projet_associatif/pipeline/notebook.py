"""Turn a notebook's primitive parameters into the context every chapter needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from projet_associatif.config.profiles import base_profile, get_profile, resolve_as_of
from projet_associatif.core.paths import project_root
from projet_associatif.present import charts  # noqa: F401 - registers and enables the house theme


@dataclass(frozen=True)
class NotebookContext:
    """Resolved parameters of one notebook run."""

    data_dir: Path | None
    profile: str
    profile_label: str
    as_of: dt.date
    suivi: Path | None


def setup(
    data_dir: str = "", profile: str = "", as_of: str = "", suivi: str = ""
) -> NotebookContext:
    """Resolve the ``parameters`` cell's values; empty strings mean the project defaults.

    The default profile is the project's base document (``profile: default:`` of _quarto.yml).

    Importing this module imports the chart module, which registers and enables the house
    Altair theme for the whole notebook.
    """
    data = _from_root(data_dir)
    profile = profile or base_profile()
    return NotebookContext(
        data_dir=data,
        profile=profile,
        profile_label=get_profile(profile, data).label,
        as_of=resolve_as_of(profile, as_of or None, data),
        suivi=_from_root(suivi),
    )


def _from_root(text: str) -> Path | None:
    """Return a parameter path as absolute; a relative one is taken from the project root.

    Notebooks run from wherever Jupyter or papermill was started, so the working directory
    says nothing about where the user meant: the project root is the one stable anchor.
    """
    if not text:
        return None
    path = Path(text).expanduser()
    return path if path.is_absolute() else (project_root() / path).resolve()
