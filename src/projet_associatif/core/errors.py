"""Errors raised on bad input, worded for the analysts who edit the data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from projet_associatif.core.paths import project_root


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place of one input file."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    rule: str | None = None
    sheet: str | None = None

    def where(self) -> str:
        """Return the location as a reader would look for it: file, sheet, line, column."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"feuille « {self.sheet} »")
        if self.row is not None:
            parts.append(f"ligne {self.row}")
        if self.column:
            parts.append(f"colonne « {self.column} »")
        return ", ".join(parts)

    def __str__(self) -> str:
        rule = f" [règle : {self.rule}]" if self.rule else ""
        return f"{self.where()} : {self.message}{rule}"


class DataError(Exception):
    """Raise when one or more input files break their schema; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self, limit: int = 50) -> str:
        """Return a French, human-readable list of the problems (at most ``limit``)."""
        lines = [f"{len(self.problems)} erreur(s) dans les données :"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"  … et {len(self.problems) - limit} autre(s).")
        return "\n".join(lines)


class MissingData(DataError):
    """Raise when a table or a text the report needs is not filled in yet (« à compléter »).

    Not a broken rule: a new project starts with empty tables. ``validate`` lists it in its
    completeness checklist and exits 0; ``validate --complet`` and a final publication make it
    an error. In a notebook, the cell shows an « à compléter » box naming the file instead of
    failing (see :mod:`projet_associatif.data.completeness`).
    """

    def __init__(self, path: Path | str, what: str = "", file: str | None = None):
        self.path = Path(path)
        self.file = file or relative(self.path)
        self.what = what
        detail = f" : {what}" if what else ""
        super().__init__([Problem(self.file, f"à compléter{detail}", rule="complétude")])


def relative(path: Path, root: Path | None = None) -> str:
    """Return ``path`` relative to ``root`` (or the project root) when possible, for messages."""
    base = root or project_root()
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
