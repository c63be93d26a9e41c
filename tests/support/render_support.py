"""Helpers shared by several test folders (moved from test_pandoc.py)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import nbformat
import pandas as pd

from projet_associatif.present import charts, tables

TITLES = {
    "01-valeurs": "1. Nos valeurs",
    "03-1-contexte-territorial": "3.1 Contexte territorial",
    "03-2-contexte-socio-economique": "3.2 Contexte socio-économique",
    "03-4-public-activite": "3.4 Le public et l'activité",
    "03-5-ressources": "3.5 Les ressources",
    "04-analyse-swot": "4. Analyse de l'existant",
    "05-strategie": "5. Stratégie et plans d'actions",
    "a1-fiches-action": "Annexe A — Les fiches-action",
    "a2-audit": "Annexe B — Audit des chiffres",
    "a3-sources": "Annexe C — Sources des données",
}


POPULATIONS = {"Moulins Communauté": 67972, "Bocage Bourbonnais": 14030}


META = {
    "profile_label": "Projet associatif 2020",
    "as_of": "2020-12-31",
    "build_date": "2024-01-02",
    "source_date_epoch": 1704153600,
}


LONG_TABLE_CHAPTER = "a3-sources"


LONG_TABLE_ROWS = 120


def executed_notebook(path: Path, title: str) -> None:
    frame = pd.DataFrame({"epci": list(POPULATIONS), "population": list(POPULATIONS.values())})
    chart = alt.Chart(frame).mark_bar().encode(x="epci:N", y="population:Q")
    bundle, metadata = charts.mimebundle(
        chart,
        title=f"Population des EPCI ({path.stem})",
        source="Projet associatif 2020, p. 7",
        alt="Diagramme en barres de la population des deux EPCI",
    )
    table = tables.markdown(
        frame, title=f"Population des EPCI en 2018 ({path.stem})", source="Projet associatif, p. 7"
    )
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell('data_dir = ""', metadata={"tags": ["parameters"]})
    chart_cell = nbformat.v4.new_code_cell("charts.show(graphique_population)")
    chart_cell.outputs = [nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)]
    table_cell = nbformat.v4.new_code_cell("tables.show(tableau_population)")
    table_cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/markdown": table, "text/plain": table},
            metadata={"pa": {"kind": "table"}},
        )
    ]
    prose = nbformat.v4.new_markdown_cell(f"# {title}\n\nTexte de {path.stem}.")
    nb.cells = [params, prose, chart_cell, table_cell]
    if path.stem == LONG_TABLE_CHAPTER:
        long = pd.DataFrame({"ligne": [f"Ligne-{i:03d}" for i in range(1, LONG_TABLE_ROWS + 1)]})
        text = tables.markdown(long, title="Un tableau plus haut qu'une page", source="test")
        cell = nbformat.v4.new_code_cell("tables.show(long)")
        cell.outputs = [
            nbformat.v4.new_output(
                "display_data",
                data={"text/markdown": text, "text/plain": text},
                metadata={"pa": {"kind": "table"}},
            )
        ]
        nb.cells.append(cell)
    nbformat.write(nb, path)
