"""Setting one top-level key of a YAML file keeps the rest of its text, comments included."""

from __future__ import annotations

import yaml

from projet_associatif.edition.yaml_text import set_key

TEXT = """\
# En-tête gardé.
nom: a
# Commentaire de l'édition, gardé.
edition:
  annee: 2020

  # ligne vide et commentaire indentés : dans le bloc
territoire:
- {code: "1"}
"""


def test_set_key_replaces_the_block_in_place():
    out = set_key(TEXT, "edition", {"annee": 2026, "precedente": {"annee": 2020}})
    assert out.startswith("# En-tête gardé.\nnom: a\n# Commentaire de l'édition, gardé.\nedition:")
    assert yaml.safe_load(out) == {
        "nom": "a",
        "edition": {"annee": 2026, "precedente": {"annee": 2020}},
        "territoire": [{"code": "1"}],
    }


def test_set_key_appends_a_new_key_with_its_comment_and_removes_one():
    out = set_key(TEXT, "actualisation", {"statut": "à actualiser"}, comment="# pourquoi\n")
    assert out.endswith("# pourquoi\nactualisation:\n  statut: à actualiser\n")
    removed = set_key(out, "territoire", None)
    assert "territoire" not in yaml.safe_load(removed)
    assert removed.startswith("# En-tête gardé.")


def test_a_flow_style_document_is_written_again_right():
    out = set_key("{nom: a, edition: {annee: 2020}}", "edition", {"annee": 2026})
    assert yaml.safe_load(out) == {"nom": "a", "edition": {"annee": 2026}}
