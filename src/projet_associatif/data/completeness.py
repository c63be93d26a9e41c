"""Tell a filled resource from one still « à compléter », and carry the gap lazily.

A new project starts with empty tables: a missing data file, a CSV with its header and no
row, or an empty YAML document is *incomplete*, not invalid. Inside a notebook, :func:`load`
(:mod:`projet_associatif.data.package`) returns a :class:`Missing` placeholder for it instead
of raising at once, so that the notebook's first cell (which loads every table) still runs;
the placeholder raises :class:`~projet_associatif.core.errors.MissingData` where the data is
first used, and the cell shows an « à compléter » box naming the file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any, NoReturn

from projet_associatif.core.errors import MissingData

__all__ = [
    "Completeness",
    "Missing",
    "MissingData",
    "is_present",
    "set_tolerant",
    "tolerant",
]


class Completeness(StrEnum):
    """How far a resource is filled in, as the checklist of ``validate`` words it."""

    FILLED = "rempli"
    TO_COMPLETE = "à compléter"
    TO_UPDATE = "à actualiser"
    KEPT = "conservé"


_tolerant = False


def set_tolerant(on: bool = True) -> None:
    """Make :func:`load` return :class:`Missing` for an incomplete resource (notebooks only)."""
    global _tolerant
    _tolerant = on


def tolerant() -> bool:
    """Return whether :func:`load` returns placeholders instead of raising at once."""
    return _tolerant


class Missing:
    """Stand in for a resource still to fill in; raise :class:`MissingData` on any use."""

    __slots__ = ("_error",)

    def __init__(self, path: Path | str, what: str = ""):
        object.__setattr__(self, "_error", MissingData(path, what))

    @property
    def error(self) -> MissingData:
        """Return the error this placeholder raises when used."""
        return object.__getattribute__(self, "_error")

    def _raise(self, *_: Any, **__: Any) -> NoReturn:
        raise object.__getattribute__(self, "_error")

    def __getattr__(self, name: str) -> NoReturn:
        self._raise()

    __getitem__ = __iter__ = __len__ = __bool__ = __contains__ = __call__ = _raise
    __eq__ = __lt__ = __le__ = __gt__ = __ge__ = _raise  # type: ignore[assignment]
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Missing({self.error.file!r})"


def is_present(value: Any) -> bool:
    """Return whether ``value`` is real data and not a :class:`Missing` placeholder."""
    return not isinstance(value, Missing)
