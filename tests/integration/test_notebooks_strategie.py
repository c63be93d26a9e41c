"""Execute chapters 4 and 5 and annex A with papermill and check their outputs.

Each notebook runs once with its default parameters and once with non-default ones: the
intermediate-review profile, an explicit as-of date and a copy of data/ in which three values
were changed (the under-30s poverty rate, the calendar of the first fiche, a target set for one
indicator). The changed values must show in the SWOT evidence, the summary of the actions and
the fiche.
"""

import re

import nbformat
import pytest
from notebook_support import (
    check_contract,
    check_conventions,
    copy_of_data,
    execute_twice,
    outputs,
    replace_once,
    text_of,
)

from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import notebooks_dir
from projet_associatif.data.package import load
from projet_associatif.present.tables import escape_markdown

N = NBSP
NOTEBOOKS = ("04-analyse-swot", "05-strategie", "a1-fiches-action")
TITLES = {
    "04-analyse-swot": "# 4. Analyse de l'existant",
    "05-strategie": "# 5. Stratégie et plans d'action",
    "a1-fiches-action": "# Annexe A — Fiches-action",
}


@pytest.fixture(scope="session")
def changed_data(tmp_path_factory):
    root = copy_of_data(tmp_path_factory.mktemp("donnees-strategie"))
    # Under-30s poverty 26,6 % → 27,3 %: evidence of threat M4.
    replace_once(
        root / "contexte" / "taux_pauvrete.csv",
        "allier_moins_30_ans,Allier,moins de 30 ans,26.6,",
        "allier_moins_30_ans,Allier,moins de 30 ans,27.3,",
    )
    # Calendar of fiche 1: summary table of chapter 5 and the fiche of annex A.
    replace_once(
        root / "strategie" / "fiches_action.yaml",
        "calendrier: Dans 1 an pour la mise en place (mars 2021) ?",
        "calendrier: Dans 1 an pour la mise en place (avril 2021) ?",
    )
    # A target fixed by the commission for the first indicator of CAMION MOBILE.
    path = root / "evaluation" / "indicateurs.csv"
    line = next(
        li
        for li in path.read_text(encoding="utf-8").splitlines()
        if li.startswith("camion-mobile-i1,")
    )
    replace_once(path, line, line.replace(",hausse,,,,", ",hausse,,120,,", 1))
    return root


@pytest.fixture(scope="session")
def executed(tmp_path_factory, changed_data):
    return execute_twice(NOTEBOOKS, tmp_path_factory.mktemp("executes-strategie"), changed_data)


# --- the notebooks as committed (fast) ----------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_follows_the_conventions(name):
    check_conventions(name)
    nb = nbformat.read(notebooks_dir() / f"{name}.ipynb", as_version=4)
    assert nb.cells[0].source == TITLES[name]
    assert all(c.id.startswith(name) for c in nb.cells)


# --- executed notebooks (slow) --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["defaut", "modifie"])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_outputs_follow_the_contract(executed, name, variant):
    kinds = check_contract(executed[(name, variant)])
    expected = {
        "04-analyse-swot": {"table": 4},
        "05-strategie": {"table": 2, "chart": 1},
        "a1-fiches-action": {},
    }[name]
    assert {k: kinds.count(k) for k in set(kinds)} == expected


@pytest.mark.slow
def test_swot_chapter(executed):
    atelier = load("atelier_forces_faiblesses")
    text = text_of(executed[("04-analyse-swot", "defaut")])
    strengths = int((atelier["categorie"] == "atout").sum())
    weaknesses = int((atelier["categorie"] == "point à améliorer").sum())
    assert f"{len(atelier)} éléments dans 6 domaines : {strengths} atouts" in text
    matrix = next(
        o["data"]["text/markdown"]
        for o in outputs(executed[("04-analyse-swot", "defaut")])
        if o.get("metadata", {}).get("pa", {}).get("title", "").startswith("Matrice")
    )
    assert f"({strengths} éléments)" in matrix and f"({weaknesses} éléments)" in matrix
    assert "**Forces**" in matrix and "**Menaces**" in matrix
    # Figures of the diagnostic read from the tables, French formatted.
    for figure in (f"**15,5{N}%**", f"**26,6{N}%**", f"**9,8{N}%**", f"**37{N}351{N}€**"):
        assert figure in text, figure
    assert text.count("\n+:=") == 1  # the matrix: one grid table
    assert "visés par les fiches-action de l'objectif général 1" in text
    assert "visés par les fiches-action de l'objectif général 2" in text
    assert re.search(r"Sur 36 points à améliorer .* 11 ne le sont par aucune\.", text)
    assert "- Recrutement (thème, 9 éléments)" in text


@pytest.mark.slow
def test_swot_chapter_reads_changed_data(executed):
    text = text_of(executed[("04-analyse-swot", "modifie")])
    assert f"moins de 30 ans{N}: **27,3{N}%**" in text
    assert f"**26,6{N}%**" not in text


@pytest.mark.slow
def test_strategy_chapter(executed):
    nb = executed[("05-strategie", "defaut")]
    text = text_of(nb)
    assert "2 objectifs généraux, déclinés en 6 objectifs opérationnels" in text
    assert len(re.findall(r"^    - Plan d'action n°", text, flags=re.M)) == 18
    tables = [
        o["data"]["text/markdown"]
        for o in outputs(nb)
        if o.get("metadata", {}).get("pa", {}).get("kind") == "table"
    ]
    # One table per general objective, as in part 5: 9 actions each.
    assert [t.count("voir l'annexe A") for t in tables] == [9, 9]
    assert "objectif général 1 — Être connu" in tables[0]
    rows = [line for t in tables for line in t.splitlines() if re.match(r"\|\s+\d+ \|", line)]
    assert [int(r.split("|")[1]) for r in rows] == list(range(1, 19))
    assert "Dans 1 an pour la mise en place (mars 2021) ?" in rows[0]
    assert "[voir l'annexe A](#fiche-camion-mobile)" in rows[0]
    chart = next(
        o for o in outputs(nb) if o.get("metadata", {}).get("pa", {}).get("kind") == "chart"
    )
    assert "1.1 Aller vers (Objectif général 1) : 5" in chart["metadata"]["pa"]["alt"]
    changed = text_of(executed[("05-strategie", "modifie")])
    assert "(avril 2021) ?" in changed and "(mars 2021) ?" not in changed


@pytest.mark.slow
def test_annex_renders_the_18_fiches(executed):
    nb = executed[("a1-fiches-action", "defaut")]
    fiches = load("fiches_action")["fiches"]
    indicateurs = load("indicateurs")
    headings = [
        o["data"]["text/markdown"].split("\n", 1)[0]
        for o in outputs(nb)
        if o.get("data", {}).get("text/markdown", "").startswith("## ")
    ]
    assert headings == [
        f"## {f['numero']} — {escape_markdown(f['titre'])} {{#fiche-{f['id']}}}" for f in fiches
    ]
    text = text_of(nb)
    assert text.count(f"cible{N}: non définie par la source") == len(indicateurs)
    changed = text_of(executed[("a1-fiches-action", "modifie")])
    assert f"cible{N}: 120{N}jeunes" in changed
    assert "(avril 2021) ?" in changed
