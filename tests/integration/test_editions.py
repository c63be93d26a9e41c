"""Start a blank project and a next edition, then run ``validate`` in each (exit 0).

The full builds of both projects are added by the lead after the issue's parts are merged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from projet_associatif.cli.main import main
from projet_associatif.core.paths import ROOT_ENV, project_root

VICHY, MONTLUCON = "200071363", "200071082"


def validate(root: Path) -> subprocess.CompletedProcess:
    """Run ``projet-associatif validate`` from inside the project, as a user would."""
    env = {**os.environ, ROOT_ENV: str(root)}
    return subprocess.run(
        [sys.executable, "-m", "projet_associatif.cli.main", "validate"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """Create both projects once: a blank one (Vichy, Montluçon) and the edition 2026."""
    base = tmp_path_factory.mktemp("editions")
    blank, following = base / "vierge", base / "suivante"
    assert (
        main(
            [
                "edition", "nouvelle", str(blank), "--vierge",
                "--nom", "Mission Locale d'essai de l'Allier",
                "--nom-court", "Mission Locale d'essai",
                "--epci", f"{VICHY},{MONTLUCON}", "--partage", MONTLUCON, "--annee", "2026",
            ]
        )
        == 0
    )  # fmt: skip
    assert main(["edition", "nouvelle", str(following), "--depuis", str(project_root()),
                 "--annee", "2026"]) == 0  # fmt: skip
    return {"vierge": blank, "suivante": following}


@pytest.mark.parametrize("name", ["vierge", "suivante"])
def test_validate_passes_in_the_new_project(projects, name):
    done = validate(projects[name])
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_blank_project_holds_its_territory_and_no_text_of_the_template(projects):
    root = projects["vierge"]
    identity = yaml.safe_load((root / "data/association/identite.yaml").read_text("utf-8"))
    assert [e["code"] for e in identity["territoire"]["epci"]] == [VICHY, MONTLUCON]
    assert identity["territoire"]["epci_partages"] == {"codes": [MONTLUCON]}
    config = yaml.safe_load((root / "_quarto.yml").read_text("utf-8"))
    assert config["profile"]["default"] == "projet-2026"
    assert config["book"]["author"] == "Mission Locale d'essai de l'Allier"
    assert sorted(p.name for p in root.glob("_quarto-*.yml")) == ["_quarto-projet-2026.yml"]
    assert not (root / "data/fidelite").exists() and not (root / "source").exists()
    texts = [root / "index.qmd", root / "README.md", *root.glob("report/*.qmd")]
    texts += [*root.glob("notebooks/*.ipynb"), *root.glob("_quarto*.yml")]
    texts += [p for p in (root / "data").rglob("*") if p.is_file() and "reference" not in p.parts]
    assert [p for p in texts if "moulins" in p.read_text("utf-8").lower()] == []
    epci_csv = (root / "data/territoire/epci.csv").read_text("utf-8")
    assert len(epci_csv.splitlines()) == 1


def test_the_next_edition_keeps_the_previous_data_and_marks_the_old_figures(projects):
    root = projects["suivante"]
    identity = yaml.safe_load((root / "data/association/identite.yaml").read_text("utf-8"))
    assert identity["edition"] == {
        "annee": 2026,
        "precedente": {"annee": 2020, "donnees": "edition-precedente/data"},
    }
    source = project_root() / "data"
    assert (root / "edition-precedente/data/territoire/epci.csv").read_bytes() == (
        source / "territoire/epci.csv"
    ).read_bytes()
    epci = yaml.safe_load((root / "data/territoire/epci.resource.yaml").read_text("utf-8"))
    assert epci["actualisation"]["statut"] == "à actualiser"
    assert "actualisation" not in (root / "data/association/identite.resource.yaml").read_text()
    profile = yaml.safe_load((root / "_quarto-projet-2026.yml").read_text("utf-8"))
    assert "notebooks/edition-precedente.ipynb" in profile["book"]["chapters"]
    assert (root / "README.md").read_text("utf-8").startswith("# Projet associatif 2026")
    notebook = json.loads((root / "notebooks/01-valeurs.ipynb").read_text("utf-8"))
    original = json.loads((project_root() / "notebooks/01-valeurs.ipynb").read_text("utf-8"))
    assert notebook == original  # the texts are copied for rewriting, not blanked
