"""Word the validators' errors in French: one :class:`Problem` naming line, column and rule.

frictionless (tables) and jsonschema (documents) report in English and in their own terms;
an analyst reads here what is wrong with the cell and, when it is a common slip (a decimal
comma, a thousands separator), how to write it.
"""

from __future__ import annotations

import re
from typing import Any

from projet_associatif.core.errors import Problem

#: French names of Table Schema types, for messages.
TYPE_NAMES = {
    "integer": "un nombre entier (ex. 2089)",
    "number": "un nombre (ex. 15.5, point décimal)",
    "string": "du texte",
    "boolean": "vrai/faux (true/false)",
    "date": "une date AAAA-MM-JJ (ex. 2020-03-01)",
    "year": "une année (ex. 2019)",
    "yearmonth": "un mois AAAA-MM (ex. 2018-06)",
    "datetime": "une date et heure ISO 8601",
}

_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_SPACED_THOUSANDS = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")


def table_problem(file: str, err: Any, fields: dict[str, dict[str, Any]]) -> Problem:
    """Turn one frictionless error into a French problem naming line, column and rule."""
    code = err.type
    row = getattr(err, "row_number", None)
    column = getattr(err, "field_name", None) or getattr(err, "label", None)
    cell = getattr(err, "cell", None)
    note = getattr(err, "note", "")
    if code == "type-error":
        ftype = fields.get(column, {}).get("type", "")
        expected = TYPE_NAMES.get(ftype, ftype)
        hint = ""
        if _DECIMAL_COMMA.match(str(cell)):
            hint = " Virgule décimale détectée : écrivez le nombre avec un point (ex. 15.5)."
        elif _SPACED_THOUSANDS.match(str(cell)):
            hint = " Séparateur de milliers détecté : écrivez le nombre sans espace (ex. 1637478)."
        return Problem(
            file, f"« {cell} » n'est pas {expected}.{hint}", row, column, f"type {ftype}"
        )
    if code == "constraint-error":
        constraint = re.search(r'constraint "(\w+)"', note or "")
        name = constraint.group(1) if constraint else "contrainte"
        value = fields.get(column, {}).get("constraints", {}).get(name)
        return Problem(file, _constraint_message(name, cell, value, note), row, column, name)
    if code in {"primary-key", "unique-error"}:
        other = re.search(r"position (\d+)", note or "")
        where = f" (mêmes valeurs qu'à la ligne {other.group(1)})" if other else ""
        return Problem(file, f"clé primaire en double{where}", row, column, "clé primaire unique")
    if code == "missing-label":
        return Problem(
            file, "colonne obligatoire absente de l'en-tête", 1, column, "colonnes du schéma"
        )
    if code == "extra-label":
        return Problem(file, "colonne inconnue du schéma", 1, column, "colonnes du schéma")
    if code in {"incorrect-label", "duplicate-label", "blank-label"}:
        return Problem(
            file,
            f"en-tête incorrect ({note or code}) : les colonnes doivent suivre le schéma",
            1,
            column,
            code,
        )
    if code == "missing-cell":
        return Problem(
            file, "cellule manquante (ligne trop courte)", row, column, "nombre de colonnes"
        )
    if code == "extra-cell":
        return Problem(
            file,
            f"cellule en trop « {cell} » (ligne trop longue ; une virgule non protégée par des "
            "guillemets ?)",
            row,
            None,
            "nombre de colonnes",
        )
    if code == "blank-row":
        return Problem(file, "ligne vide", row, None, "pas de ligne vide")
    if code in {"encoding-error", "source-error", "scheme-error", "format-error"}:
        return Problem(file, f"fichier illisible : {note or err.message}", None, None, code)
    return Problem(file, err.message, row, column, code)


#: Wording of a value outside its bounds, by Table Schema and JSON Schema keyword.
BOUND_MESSAGES = {
    "minimum": "« {value} » est inférieur au minimum autorisé ({bound})",
    "exclusiveMinimum": "« {value} » doit être strictement supérieur à {bound}",
    "maximum": "« {value} » dépasse le maximum autorisé ({bound})",
    "exclusiveMaximum": "« {value} » doit être strictement inférieur à {bound}",
}

#: Wording of a broken Table Schema constraint: ``cell`` is the cell, ``value`` the rule's value.
CONSTRAINT_MESSAGES = {
    "required": "valeur obligatoire manquante",
    "pattern": "« {cell} » ne respecte pas le format attendu ({value})",
    "unique": "« {cell} » apparaît plusieurs fois alors que la colonne doit être unique",
    "minLength": "« {cell} » est trop court (au moins {value} caractères)",
    "maxLength": "« {cell} » est trop long (au plus {value} caractères)",
}


def _constraint_message(name: str, cell: Any, value: Any, note: str) -> str:
    """Return the French wording of one broken Table Schema constraint."""
    if name in {"minimum", "maximum"}:
        return _bound_message(name, cell, value)
    if name == "enum":
        return _not_allowed(cell, value or [])
    template = CONSTRAINT_MESSAGES.get(name, "« {cell} » : {note}")
    return template.format(cell=cell, value=value, note=note)


def _bound_message(kind: str, value: Any, bound: Any) -> str:
    """Return the French wording of a value outside its bounds: below a minimum, above a maximum."""
    return BOUND_MESSAGES[kind].format(value=value, bound=bound)


def _not_allowed(value: Any, allowed: Any) -> str:
    """Return the French wording of a value that is not one of the ``allowed`` ones."""
    return f"« {value} » n'est pas une valeur autorisée ({', '.join(map(str, allowed))})"


def document_message(error: Any) -> str:
    """Return the French wording of one jsonschema error in a YAML or JSON document."""
    kind = error.validator
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return f"champ obligatoire manquant : « {missing[0] if missing else error.message} »"
    if kind == "type":
        return f"« {error.instance!r} » n'a pas le type attendu ({error.validator_value})"
    if kind == "enum":
        return _not_allowed(error.instance, error.validator_value)
    if kind == "additionalProperties":
        return f"champ inconnu du schéma : {error.message.split('(')[-1].rstrip(')')}"
    if kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        return _bound_message(kind, error.instance, error.validator_value)
    if kind == "pattern":
        return f"« {error.instance} » ne respecte pas le format {error.validator_value}"
    if kind == "format":
        return f"« {error.instance} » n'est pas au format {error.validator_value}"
    if kind == "minItems":
        return (
            f"liste trop courte : {len(error.instance)} élément(s), il en faut au moins "
            f"{error.validator_value}"
        )
    if kind == "maxItems":
        return (
            f"liste trop longue : {len(error.instance)} élément(s), au plus "
            f"{error.validator_value} attendu(s)"
        )
    if kind == "minLength":
        return f"texte trop court (au moins {error.validator_value} caractère(s))"
    if kind == "uniqueItems":
        return "éléments en double dans la liste"
    return error.message
