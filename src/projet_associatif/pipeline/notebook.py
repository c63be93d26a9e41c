"""Turn a notebook's primitive parameters into the context every chapter needs.

:func:`setup` also makes a project still being written build: ``load()`` returns a
placeholder for a table not filled in yet, and a cell that meets one (or any
:class:`~projet_associatif.core.errors.MissingData`) shows an « À compléter » box naming the
file, instead of an error that would stop the notebook.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from IPython import get_ipython
from IPython.display import display

from projet_associatif.config.profiles import base_profile, get_profile, resolve_as_of
from projet_associatif.core.errors import MissingData
from projet_associatif.core.paths import project_root
from projet_associatif.data.completeness import Missing, set_tolerant
from projet_associatif.present import charts  # noqa: F401 - registers and enables the house theme
from projet_associatif.present.blocks import ToComplete


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
    Altair theme for the whole notebook. In a kernel, a missing table or text shows as an
    « À compléter » box from here on (:func:`show_missing_data_as_boxes`).
    """
    show_missing_data_as_boxes()
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


def show_missing_data_as_boxes(shell: Any = None) -> bool:
    """Make ``load()`` tolerant and show a cell's :class:`MissingData` as an « À compléter » box.

    The cell stops where the data were first used, as with any exception, but its reply is
    a success: papermill goes on to the next cell. Any other exception still fails the
    notebook. Returns False outside IPython (nothing installed, ``load()`` stays strict).
    Installing twice replaces the first installation (a warm kernel runs many notebooks).
    """
    shell = shell or get_ipython()
    if shell is None:
        return False
    set_tolerant(True)
    shell.set_custom_exc((MissingData,), _show_box)
    for callback in list(shell.events.callbacks["post_run_cell"]):
        if getattr(callback, "__name__", "") == _missing_data_is_no_error.__name__:
            shell.events.unregister("post_run_cell", callback)
    shell.events.register("post_run_cell", _missing_data_is_no_error)
    # ``display(placeholder)`` shows the box too (the placeholder has no display method:
    # every attribute it is asked for raises).
    formatters = shell.display_formatter.formatters
    formatters["text/markdown"].for_type(Missing, _placeholder_markdown)
    formatters["text/plain"].for_type(Missing, _placeholder_text)
    return True


def _placeholder_markdown(missing: Missing) -> str:
    """Return the « À compléter » box of a placeholder, as Markdown."""
    return ToComplete(missing.error.file, missing.error.what).markdown


def _placeholder_text(missing: Missing, printer: Any, cycle: bool) -> None:
    """Write the plain-text form of the box of a placeholder."""
    printer.text(ToComplete(missing.error.file, missing.error.what).plain)


def _show_box(shell: Any, etype: type, value: MissingData, tb: Any, tb_offset: Any = None) -> list:
    """Display the box naming the file to fill in, in place of the traceback."""
    display(ToComplete(value.file, value.what))
    return []


def _missing_data_is_no_error(result: Any) -> None:
    """Turn the cell's outcome into a success when it stopped on missing data only.

    IPython records the exception that its custom handler showed: without this, the kernel
    would answer « error » and papermill would stop the notebook.
    """
    error = result.error_in_exec
    if isinstance(error, MissingData):
        result.error_in_exec = None
        shell = get_ipython()
        if shell is not None:
            _stand_in_for_unassigned(result.info.raw_cell, shell.user_ns, error)


def _stand_in_for_unassigned(code: str, namespace: dict[str, Any], error: MissingData) -> None:
    """Bind each name the cell meant to assign, and did not, to a placeholder of the gap.

    ``facteurs = chapter.factors(table)`` stops on the missing table before ``facteurs``
    exists: a later cell using it would fail with a NameError. The placeholder raises the
    same :class:`MissingData` there, so that cell shows the box naming the same file.
    """
    try:
        tree = ast.parse(code or "")
    except SyntaxError:
        return
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        else:
            continue
        for name in _assigned_names(targets):
            if name not in namespace:
                namespace[name] = Missing(error.path, error.what)


def _assigned_names(targets: list[ast.expr]) -> list[str]:
    """Return the plain names an assignment binds (``a``, ``a, b``, ``*rest``), not ``x[i]``."""
    names: list[str] = []
    for target in targets:
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            names += _assigned_names(list(target.elts))
        elif isinstance(target, ast.Starred):
            names += _assigned_names([target.value])
    return names
