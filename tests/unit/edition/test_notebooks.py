"""Blanking chapters: headings and code kept, prose replaced by one guidance line."""

from __future__ import annotations

import json

from projet_associatif.edition.notebooks import blank_markdown, blank_notebook, blank_qmd, guidance

NAMES = {
    "Mission Locale de Moulins et sa région": "Mission Locale de Vichy et sa région",
    "Mission Locale de Moulins": "Mission Locale de Vichy",
}


def test_headings_stay_prose_becomes_guidance_and_names_change():
    text = (
        "# 3.3 Histoire de la Mission Locale de Moulins {#histoire-mission-locale-moulins}\n\n"
        "Un paragraphe.\n\nUn autre.\n\n::: {.pa-renvoi}\nUn renvoi.\n:::\n\n"
        "## Sous-partie\n\n```python\n# pas un titre\n```\n"
    )
    out = blank_markdown(text, NAMES)
    assert out.splitlines() == [
        "# 3.3 Histoire de la Mission Locale de Vichy {#histoire-mission-locale-vichy}",
        "",
        guidance(),
        "",
        "## Sous-partie",
        "",
        guidance(),
    ]
    assert "moulins" not in out.lower()
    assert "paragraphe" not in out


def test_an_identifier_naming_the_template_takes_the_new_name():
    names = {"Mission Locale de Moulins": "Mission Locale d'essai de l'Allier"}
    line = "## Histoire de la Mission Locale de Moulins {#histoire-de-la-moulins .x}"
    assert blank_markdown(line, names) == (
        "## Histoire de la Mission Locale d'essai de l'Allier {#histoire-de-la-d-essai-l-allier .x}\n"
    )


def test_a_heading_without_prose_gets_no_guidance():
    assert blank_markdown("# Titre\n") == "# Titre\n"


def test_qmd_front_matter_is_kept():
    text = "---\ntitle: Garde\n---\n\n# Titre\n\nTexte.\n"
    out = blank_qmd(text)
    assert out.startswith("---\ntitle: Garde\n---\n\n# Titre\n")
    assert "Texte." not in out


def test_blank_notebook_keeps_code_cells_and_headings(tmp_path):
    cells = [
        {
            "cell_type": "markdown",
            "id": "a",
            "metadata": {},
            "source": ["# 1. Titre\n", "\n", "Prose."],
        },
        {
            "cell_type": "code",
            "id": "p",
            "metadata": {"tags": ["parameters"]},
            "execution_count": 3,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": ["Moulins"]}],
            "source": ['profile = "projet-2020"'],
        },
        {"cell_type": "markdown", "id": "b", "metadata": {}, "source": ["Seulement de la prose."]},
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    source = tmp_path / "in.ipynb"
    source.write_text(json.dumps(notebook), encoding="utf-8")
    target = tmp_path / "out.ipynb"
    blank_notebook(source, target)
    out = json.loads(target.read_text(encoding="utf-8"))
    assert [c["cell_type"] for c in out["cells"]] == ["markdown", "code", "markdown"]
    assert "".join(out["cells"][0]["source"]) == f"# 1. Titre\n\n{guidance()}"
    code = out["cells"][1]
    assert code["source"] == ['profile = "projet-2020"']
    assert code["metadata"] == {"tags": ["parameters"]}
    assert code["outputs"] == [] and code["execution_count"] is None
    assert "".join(out["cells"][2]["source"]) == guidance()
    assert out["metadata"] == notebook["metadata"]
