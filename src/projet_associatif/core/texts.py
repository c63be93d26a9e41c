"""Read the fixed texts the package shows, and the texts a project writes for its own document.

The package's texts live in ``projet_associatif/textes/``: Markdown for prose, YAML for texts
keyed by name (status rules, workbook instructions), the same for every project; where they
name the organisation, a ``{organisation}`` or ``{nom_court}`` placeholder stands for it. The
texts of one document (the sentences of a chapter that carry its figures, the notes under its
tables) belong to the project: ``report/textes/<name>.yaml``, read by :func:`project_texts`.
A non-programmer edits both kinds there, never inside Python; the code only picks them up.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from projet_associatif.core.errors import DataError, MissingData, Problem, relative
from projet_associatif.core.paths import report_dir

TEXTS_DIR = Path(__file__).resolve().parents[1] / "textes"
#: The project's own texts, under its ``report/`` folder.
PROJECT_TEXTS_DIR = "textes"


@functools.cache
def text(name: str) -> str:
    """Return the Markdown text ``textes/<name>.md``, without its final newline."""
    return (TEXTS_DIR / f"{name}.md").read_text(encoding="utf-8").rstrip("\n")


@functools.cache
def texts(name: str) -> dict[str, Any]:
    """Return the texts of ``textes/<name>.yaml``, keyed by name."""
    with open(TEXTS_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def project_texts_path(name: str) -> Path:
    """Return where the project keeps the texts ``name``: ``report/textes/<name>.yaml``."""
    return report_dir() / PROJECT_TEXTS_DIR / f"{name}.yaml"


def project_texts(name: str) -> dict[str, Any]:
    """Return the project's texts ``report/textes/<name>.yaml``, keyed by name.

    An absent or empty file is a text still to write (:class:`MissingData`, « à compléter »),
    not an error; unreadable YAML is one, naming the file and the line. The file is read
    again only when it changes.
    """
    path = project_texts_path(name)
    try:
        status = path.stat()
    except FileNotFoundError:
        raise MissingData(path, "texte du chapitre") from None
    return _read_project_texts(path, (status.st_mtime_ns, status.st_size))


@functools.cache
def _read_project_texts(path: Path, stamp: tuple[int, int]) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(
            [
                Problem(
                    relative(path),
                    f"YAML illisible : {getattr(exc, 'problem', exc)}",
                    row=mark.line + 1 if mark else None,
                    rule="yaml",
                )
            ]
        ) from exc
    if document is None:
        raise MissingData(path, "texte du chapitre")
    if not isinstance(document, dict):
        raise DataError(
            [
                Problem(
                    relative(path),
                    "le fichier doit associer un nom à chaque texte (« nom: texte »)",
                    rule="yaml",
                )
            ]
        )
    return document
