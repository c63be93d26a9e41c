"""Load the Table Schemas that describe the sheets of the commission's workbook.

Each input sheet (« Mesures », « Jalons », « Réponses », « Cibles », « Préconisations ») is
described once, by a Frictionless Table Schema in ``suivi/schemas/<nom>.schema.yaml`` (the
way ``data/*.resource.yaml`` describe the data): fields with type, description, constraints
(``required``, ``enum``), the primary key, plus a few project keys (column width in the
template, list of known ids, rules of the sheet). The template, the reader and the merge all
read these objects; nothing else lists the columns.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"


class FieldType(StrEnum):
    """Table Schema types a workbook column may have."""

    STRING = "string"
    DATE = "date"
    NUMBER = "number"
    ANY = "any"  # a number or a text, decided by a sheet rule (an indicator's value)


class IdList(StrEnum):
    """Ids of the data package a column must name (drop-down lists of the template)."""

    INDICATOR = "indicateur"
    FICHE = "fiche"
    QUESTION = "question"
    STEP = "etape"


class Priority(StrEnum):
    """Priority of a recommendation (sheet « Préconisations », column ``priorite``)."""

    HIGH = "haute"
    MEDIUM = "moyenne"
    LOW = "basse"


class FollowUp(StrEnum):
    """What became of a recommendation (sheet « Préconisations », column ``suite``)."""

    TO_DO = "à faire"
    IN_PROGRESS = "en cours"
    DONE = "réalisée"
    ABANDONED = "abandonnée"


#: pandas dtype of a frame column, per Table Schema type.
DTYPES = {
    FieldType.STRING: "string",
    FieldType.DATE: "datetime64[ns]",
    FieldType.NUMBER: "Float64",
}


@dataclass(frozen=True)
class Field:
    """One column of an input sheet, as its schema describes it."""

    name: str
    type: FieldType
    title: str
    description: str  # the instruction shown in the template
    width: int
    required: bool = False
    enum: tuple[str, ...] = ()
    id_list: IdList | None = None
    informative: bool = False  # pre-filled reminder: may be absent, never read
    frame: tuple[tuple[str, FieldType], ...] = ()  # frame columns it gives (type any)

    @property
    def frame_columns(self) -> dict[str, str]:
        """Return the columns (and dtypes) this field gives in the read frame."""
        if self.informative:
            return {}
        pairs = self.frame or ((self.name, self.type),)
        return {name: DTYPES[kind] for name, kind in pairs}


@dataclass(frozen=True)
class Duplicate:
    """How a repeated primary key is reported: column, message and rule."""

    column: str
    message: str
    rule: str
    may_be_blank: tuple[str, ...] = ()  # key columns that may be empty (a general item)


@dataclass(frozen=True)
class SheetSchema:
    """One kind of input: sheet name, CSV file name, purpose, fields and rules."""

    kind: str
    sheet: str
    csv: str
    purpose: str
    optional: bool
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    duplicate: Duplicate
    not_future: tuple[str, ...]  # dates that record what already happened
    skip_if_blank: tuple[str, ...]  # a row blank in all these columns is not read
    checks: tuple[str, ...]  # names of the sheet's own rules (suivi/checks.py)
    path: Path

    @property
    def names(self) -> list[str]:
        """Return the header names in order."""
        return [f.name for f in self.fields]

    @property
    def header_names(self) -> list[str]:
        """Return the names the header must hold (informative columns may be absent)."""
        return [f.name for f in self.fields if not f.informative]

    def field(self, name: str) -> Field:
        """Return the field of a column by name."""
        return next(f for f in self.fields if f.name == name)

    @property
    def frame_columns(self) -> dict[str, str]:
        """Return the columns and dtypes of the frame the reader gives for this sheet."""
        columns: dict[str, str] = {}
        for item in self.fields:
            columns.update(item.frame_columns)
        return columns


def _field(raw: dict[str, Any]) -> Field:
    constraints = raw.get("constraints") or {}
    return Field(
        name=raw["name"],
        type=FieldType(raw.get("type", "string")),
        title=raw.get("title", raw["name"]),
        description=raw["description"],
        width=int(raw["largeur"]),
        required=bool(constraints.get("required", False)),
        enum=tuple(constraints.get("enum") or ()),
        id_list=IdList(raw["liste"]) if raw.get("liste") else None,
        informative=bool(raw.get("informatif", False)),
        frame=tuple((name, FieldType(kind)) for name, kind in (raw.get("tableau") or {}).items()),
    )


def load_schema(path: Path) -> SheetSchema:
    """Return the sheet schema stored in one ``<nom>.schema.yaml`` file."""
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    duplicate = raw["doublon"]
    return SheetSchema(
        kind=raw["name"],
        sheet=raw["title"],
        csv=raw["path"],
        purpose=raw["description"],
        optional=bool(raw.get("facultative", False)),
        fields=tuple(_field(f) for f in raw["fields"]),
        primary_key=tuple(raw["primaryKey"]),
        duplicate=Duplicate(
            duplicate["colonne"],
            duplicate["message"],
            duplicate["regle"],
            tuple(duplicate.get("vides_permis") or ()),
        ),
        not_future=tuple(raw.get("futur_interdit") or ()),
        skip_if_blank=tuple(raw.get("ignorer_si_vides") or ()),
        checks=tuple(raw.get("verifications") or ()),
        path=path,
    )


@functools.cache
def workbook_layout() -> dict[str, Any]:
    """Return ``schemas/classeur.yaml``: the input sheets in order and the reference sheets."""
    with open(SCHEMAS_DIR / "classeur.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@functools.cache
def sheet_schemas() -> dict[str, SheetSchema]:
    """Return every input sheet's schema, keyed by kind, in the workbook's order."""
    return {
        kind: load_schema(SCHEMAS_DIR / f"{kind}.schema.yaml")
        for kind in workbook_layout()["feuilles"]
    }


def reference_sheets() -> tuple[str, ...]:
    """Return the template's sheets that the reader knows and ignores."""
    return tuple(workbook_layout()["feuilles_de_reference"])
