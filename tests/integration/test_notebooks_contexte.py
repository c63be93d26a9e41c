"""Execute chapters 1, 3.1 and 3.2 with papermill and check their outputs.

Each notebook runs once with its default parameters and once with non-default ones: the
intermediate-review profile, an explicit as-of date and a copy of data/ in which three values
were changed (the charter's adoption date, Moulins Communauté's population, the Allier's
unemployment rate in 1T 2018). The changed values must show in the text, the computed zone
population, the chart and the recomputed evolution.
"""

import json
import re

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

N = NBSP
NOTEBOOKS = ("01-valeurs", "03-1-contexte-territorial", "03-2-contexte-socio-economique")


@pytest.fixture(scope="session")
def changed_data(tmp_path_factory):
    root = copy_of_data(tmp_path_factory.mktemp("donnees-contexte"))
    replace_once(
        root / "valeurs" / "charte.yaml",
        'date_adoption: "1990-12-12"',
        'date_adoption: "1990-12-13"',
    )
    # Moulins Communauté 67 972 → 67 982: the computed zone becomes 115 716.
    replace_once(
        root / "territoire" / "epci.csv",
        "MOULINS COMMUNAUTE,CA,67972,",
        "MOULINS COMMUNAUTE,CA,67982,",
    )
    # Allier 1T 2018 9,8 → 9,9: the recomputed annual evolution becomes −0,2 pt.
    replace_once(
        root / "contexte" / "taux_chomage.csv",
        "Allier,2018-T1,1T 2018,9.8,",
        "Allier,2018-T1,1T 2018,9.9,",
    )
    return root


@pytest.fixture(scope="session")
def executed(tmp_path_factory, changed_data):
    return execute_twice(NOTEBOOKS, tmp_path_factory.mktemp("executes-contexte"), changed_data)


def row(text, label):
    """Return the cells of the pipe-table row starting with ``label``."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == label:
            return cells
    raise AssertionError(f"ligne « {label} » absente")


def charts_of(nb):
    return [o for o in outputs(nb) if o.get("metadata", {}).get("pa", {}).get("kind") == "chart"]


# --- the notebooks as committed (fast) ----------------------------------------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_follows_the_conventions(name):
    check_conventions(name)


# --- executed notebooks (slow) --------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("variant", ["defaut", "modifie"])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_outputs_follow_the_contract(executed, name, variant):
    kinds = check_contract(executed[(name, variant)])
    expected = {
        "01-valeurs": {"table": 1},
        "03-1-contexte-territorial": {"table": 5, "chart": 2},
        "03-2-contexte-socio-economique": {"table": 2, "chart": 3},
    }[name]
    assert {k: kinds.count(k) for k in set(kinds)} == expected


@pytest.mark.slow
def test_values_chapter(executed):
    text = text_of(executed[("01-valeurs", "defaut")])
    assert text.startswith("> « C'est de nos racines profondes")
    assert "| Egalité d'accès " in text and "| Adaptabilité " in text
    assert re.findall(r"\*\*Art\. (\d+)\.\*\*", text) == [str(n) for n in range(1, 12)]
    assert "Adoptée le 12 décembre 1990" in text
    changed = text_of(executed[("01-valeurs", "modifie")])
    assert "Adoptée le 13 décembre 1990" in changed and "12 décembre 1990 par" not in changed


@pytest.mark.slow
def test_territory_chapter(executed):
    nb = executed[("03-1-contexte-territorial", "defaut")]
    text = text_of(nb)
    assert f"67{N}972 + 14{N}030 + 15{N}707 + 17{N}997 = 115{N}706" in text
    assert row(text, "Zone d'intervention (calculé)")[-2:] == [f"115{N}706", "—"]
    assert "soit **127** communes" in text and "44 + 25 + 27 + 30 = 126" in text
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "entièrement classée en Zone de Revitalisation Rurale" in prose
    assert row(text, "D'Est en Ouest") == ["D'Est en Ouest", "94", f"1{N}h{N}30"]
    assert f"Environ 80{N}% des entreprises" in text
    map_output = charts_of(nb)[0]
    svg = map_output["data"]["image/svg+xml"]
    assert "Moulins (43,3)" in svg and "Le Donjon (2,0)" in svg
    script = re.search(
        r'<script type="application/json"[^>]*>(.*?)</script>',
        map_output["data"]["text/html"],
        re.S,
    )
    spec = json.loads(script.group(1))
    assert len(spec["layer"][0]["encoding"]["color"]["scale"]["range"]) == 4
    assert "placés à la mairie" in map_output["metadata"]["pa"]["title"]
    changed = text_of(executed[("03-1-contexte-territorial", "modifie")])
    assert row(changed, "Zone d'intervention (calculé)")[-2] == f"115{N}716"
    assert f"67{N}982 + 14{N}030" in changed and f"115{N}706" not in changed


@pytest.mark.slow
def test_socio_economic_chapter(executed):
    nb = executed[("03-2-contexte-socio-economique", "defaut")]
    text = text_of(nb)
    assert f"Allier 101{N}%" in text
    assert f"15,5{N}% vs 12,8{N}% vs 14,3{N}%" in text and f"26,6{N}%" in text
    assert f"37{N}351{N}€" in text and f"876{N}740" in text
    titles = [o["metadata"]["pa"]["title"] for o in charts_of(nb)]
    assert titles == [
        "Niveau de formation des demandeurs d'emploi, juin 2018",
        "Taux de chômage, 2T 2008 à 1T 2018",
        "Taux de pauvreté (INSEE, 2015)",
    ]
    assert [o["metadata"]["pa"]["source"] for o in charts_of(nb)] == [
        f"projet associatif 2020, p.{N}7 ; DIRECCTE Auvergne-Rhône-Alpes, juin 2018",
        f"projet associatif 2020, p.{N}7 ; "
        "DIRECCTE Auvergne-Rhône-Alpes (Source SPE Moulins du 17/10/2018)",
        f"projet associatif 2020, p.{N}7 ; INSEE, 2015",
    ]
    changed = executed[("03-2-contexte-socio-economique", "modifie")]
    changed_text = text_of(changed)
    assert f"Allier 9,9{N}%" in changed_text  # end label of the chart
    assert f"−0,2{N}pt" in changed_text  # 9,9 − 10,1, beside the stated −0,3
    assert f"1T 2018 9,9{N}%" in charts_of(changed)[1]["metadata"]["pa"]["alt"]
