"""The French wording of validation errors: one table of wordings serves tables and documents."""

from types import SimpleNamespace

import pytest

from projet_associatif.data.messages import _constraint_message, document_message


@pytest.mark.parametrize(
    ("name", "cell", "value", "expected"),
    [
        ("required", None, True, "valeur obligatoire manquante"),
        ("minimum", -1, 0, "« -1 » est inférieur au minimum autorisé (0)"),
        ("maximum", 120, 100, "« 120 » dépasse le maximum autorisé (100)"),
        ("enum", "x", ["a", "b"], "« x » n'est pas une valeur autorisée (a, b)"),
        ("enum", "x", None, "« x » n'est pas une valeur autorisée ()"),
        ("pattern", "2020", r"^\d{5}$", r"« 2020 » ne respecte pas le format attendu (^\d{5}$)"),
        (
            "unique",
            "03190",
            True,
            "« 03190 » apparaît plusieurs fois alors que la colonne doit être unique",
        ),
        ("minLength", "ab", 5, "« ab » est trop court (au moins 5 caractères)"),
        ("maxLength", "abcdef", 5, "« abcdef » est trop long (au plus 5 caractères)"),
        ("other", "{x}", 1, "« {x} » : note"),
    ],
)
def test_each_table_constraint_has_its_french_wording(name, cell, value, expected):
    assert _constraint_message(name, cell, value, "note") == expected


@pytest.mark.parametrize(
    ("kind", "instance", "bound", "expected"),
    [
        ("minimum", 0, 1, "« 0 » est inférieur au minimum autorisé (1)"),
        ("exclusiveMinimum", 0, 0, "« 0 » doit être strictement supérieur à 0"),
        ("maximum", 9, 8, "« 9 » dépasse le maximum autorisé (8)"),
        ("exclusiveMaximum", 8, 8, "« 8 » doit être strictement inférieur à 8"),
        ("enum", "z", ["a", 1], "« z » n'est pas une valeur autorisée (a, 1)"),
    ],
)
def test_document_errors_share_the_table_wordings(kind, instance, bound, expected):
    error = SimpleNamespace(validator=kind, instance=instance, validator_value=bound, message="")
    assert document_message(error) == expected
