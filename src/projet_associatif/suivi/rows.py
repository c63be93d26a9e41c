"""Read the cells of one row as its sheet's schema says, recording a problem for each bad cell.

What a Table Schema can say is checked here, the same way for every sheet: the type of
each cell (text, date, number), required values, values from a fixed list (``enum``) and
ids the data package must know (``liste``). Every problem names file, sheet, row, column
and rule, in French.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from projet_associatif.core.errors import Problem
from projet_associatif.suivi.cells import (
    BLANK,
    Cell,
    cell_text,
    is_blank,
    normalise,
    parse_date,
    parse_number,
)
from projet_associatif.suivi.referentiel import Referentiel
from projet_associatif.suivi.schema import Field, FieldType, IdList
from projet_associatif.suivi.sheets import Table

#: How each kind of id is named in messages: (noun, « inconnu(e) », where to look).
ID_WORDS = {
    IdList.INDICATOR: ("indicateur", "inconnu", "voir la feuille « Indicateurs »"),
    IdList.FICHE: ("fiche", "inconnue", "voir la feuille « Fiches »"),
    IdList.QUESTION: ("question", "inconnue", "voir la feuille « Questions »"),
}


def known_ids(ref: Referentiel) -> dict[IdList, set[str]]:
    """Return the ids a column may name, per list (steps are checked per fiche)."""
    return {
        IdList.INDICATOR: set(ref.natures),
        IdList.FICHE: set(ref.fiche_ids),
        IdList.QUESTION: set(ref.questions["id"]),
    }


class RowReader:
    """Parse the cells of one row, recording a problem for each bad cell."""

    def __init__(
        self, table: Table, row: int, cells: dict[str, Cell], problems: list[Problem]
    ) -> None:
        self.table, self.row, self.cells, self.problems = table, row, cells, problems
        #: Parsed values by column (the checks of the sheet may complete them).
        self.values: dict[str, Any] = {}
        #: Columns whose id the data package does not know.
        self.unknown: set[str] = set()

    def problem(self, column: str | None, message: str, rule: str) -> None:
        """Record one problem at this row (and column)."""
        self.problems.append(
            Problem(
                self.table.file,
                message,
                row=self.row,
                column=column,
                rule=rule,
                sheet=self.table.sheet,
            )
        )

    def raw(self, name: str) -> Cell:
        """Return the raw cell of a column (blank when the column is absent)."""
        return self.cells.get(name, BLANK)

    def known(self, name: str) -> bool:
        """Return whether a column holds a value whose id (if any) the data package knows."""
        return self.values.get(name) is not None and name not in self.unknown

    def text(self, name: str, *, required: bool = False) -> str | None:
        """Return a text cell, stripped; None when blank."""
        value = self.raw(name).value
        if is_blank(value):
            if required:
                self.problem(name, "valeur obligatoire manquante", "obligatoire")
            return None
        return cell_text(value)

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        """Return a date cell (Excel date, AAAA-MM-JJ or JJ/MM/AAAA text); None when blank."""
        value = self.raw(name).value
        if is_blank(value):
            if required:
                self.problem(name, "date obligatoire manquante", "obligatoire")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.problem(
                name,
                f"« {value} » n'est pas une date valide "
                "(AAAA-MM-JJ, ex. 2021-03-15, ou date Excel)",
                "date",
            )
        return parsed

    def number(self, name: str, *, required: bool = False, percent: bool = False) -> float | None:
        """Return a numeric cell as float; None when blank; text is refused."""
        cell = self.raw(name)
        value = cell.value
        if is_blank(value):
            if required:
                self.problem(name, "valeur numérique obligatoire manquante", "obligatoire")
            return None
        from_csv = self.table.sheet is None
        number = parse_number(value, from_csv=from_csv)
        if number is None:
            hint = _hint(value, from_csv)
            self.problem(
                name,
                f"« {value} » n'est pas un nombre (texte dans une cellule numérique).{hint}",
                "nombre",
            )
            return None
        if percent and is_percent_cell(cell):
            number *= 100  # a percent-formatted cell stores 0.155 for 15.5 %
        return number

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        """Return a value of a fixed list (any case or accents), else record a problem."""
        value = self.text(name)
        if value is None:
            return None
        for option in allowed:
            if normalise(value) == normalise(option):
                return option
        choices = ", ".join(f"« {a} »" for a in allowed)
        self.problem(
            name, f"« {value} » n'est pas une valeur permise : {choices}", f"{name} permise"
        )
        return None

    def check_id(self, name: str, id_list: IdList, known: set[str]) -> None:
        """Record a problem if the column's value is not an id the data package knows."""
        value = self.values.get(name)
        if value is None or value in known:
            return
        self.unknown.add(name)
        noun, unknown, where = ID_WORDS[id_list]
        known_word = "connu" if unknown == "inconnu" else "connue"
        self.problem(name, f"{noun} « {value} » {unknown} : {where}", f"{noun} {known_word}")

    def read_field(self, field: Field, ids: dict[IdList, set[str]]) -> None:
        """Parse one column as its schema says: type, required, enum, known id."""
        if field.informative or field.type == FieldType.ANY:
            return  # never read / read by a rule of the sheet
        if field.type == FieldType.DATE:
            value: Any = self.date(field.name, required=field.required)
        elif field.type == FieldType.NUMBER:
            value = self.number(field.name, required=field.required)
        elif field.enum:
            value = self.choice(field.name, field.enum)
        else:
            value = self.text(field.name, required=field.required)
        self.values[field.name] = value
        if field.id_list in ids:
            self.check_id(field.name, field.id_list, ids[field.id_list])


def is_percent_cell(cell: Cell) -> bool:
    """Return whether an Excel cell is formatted as a percentage (0.155 shown 15,5 %)."""
    return "%" in (cell.number_format or "")


def _hint(value: Any, from_csv: bool) -> str:
    """Return advice for a text typed where a number was expected."""
    text = str(value).strip()
    if re.fullmatch(r"-?\d+,\d+", text):
        if from_csv:
            return (
                " Virgule décimale dans un texte : dans un fichier CSV, écrivez 12.5 ; "
                "dans Excel, saisissez le nombre dans une cellule au format nombre."
            )
        return (
            " Le nombre a été saisi comme du texte : retapez-le dans une cellule "
            "au format « Nombre » (sans apostrophe ni espace)."
        )
    if re.search(r"\d", text):
        return " Écrivez le nombre seul, sans unité ni espace."
    return ""
