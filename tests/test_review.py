"""The review chapter: statuses, trajectories and answers at the as-of date."""

from __future__ import annotations

import datetime as dt

import nbformat
import papermill as pm
import pytest

from projet_associatif import review
from projet_associatif.evaluation import review_context
from projet_associatif.paths import notebooks_dir, project_root

FICTIF = str(project_root() / "exemples" / "suivi-fictif.xlsx")


@pytest.fixture(scope="module")
def mid_term():
    return review_context("bilan-intermediaire", "", FICTIF, "")


@pytest.fixture(scope="module")
def final():
    return review_context("bilan-final", "", FICTIF, "")


def test_status_counts_add_up_to_the_catalogue(mid_term):
    counts = review.status_counts(mid_term)
    assert counts["Indicateurs"].sum() == len(mid_term.referentiel.indicateurs)
    assert list(counts["Statut"]) == list(review.STATUS_ORDER)
    by_status = dict(counts.itertuples(index=False))
    assert (
        by_status
        == mid_term.indicateurs()["Statut"]
        .value_counts()
        .reindex(review.STATUS_ORDER, fill_value=0)
        .to_dict()
    )


def test_measurements_after_the_as_of_date_are_left_out(mid_term, final):
    assert mid_term.as_of == dt.date(2021, 9, 1)
    mid = review.trajectories(mid_term)
    fin = review.trajectories(final)
    camion_mid = mid[mid["Indicateur"].str.startswith("camion-mobile-i1")]["Valeur"].tolist()
    camion_fin = fin[fin["Indicateur"].str.startswith("camion-mobile-i1")]["Valeur"].tolist()
    assert camion_mid == [40.0, 80.0]
    assert camion_fin == [40.0, 80.0, 160.0]
    assert "160" not in review.trajectories_alt(mid_term)


def test_fictional_data_is_labelled(mid_term):
    assert review.title("Tableau", mid_term) == "Tableau (données fictives)"
    assert review.source_line(mid_term).startswith("DONNÉES FICTIVES")


def test_without_measurements_the_review_says_so():
    empty = review_context("bilan-final", "", "", "")
    assert review.trajectories_chart(empty) is None
    assert "aucune réponse" in review.answers_markdown(empty)
    assert review.title("Tableau", empty) == "Tableau"
    assert "Aucune mesure n'a encore été enregistrée" in empty.entete()


def _run(tmp_path, name, notebook="06-bilan.ipynb", **params):
    out = tmp_path / f"{name}.ipynb"
    pm.execute_notebook(
        str(notebooks_dir() / notebook),
        str(out),
        parameters=params,
        kernel_name="python3",
        cwd=str(tmp_path),
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def _outputs(nb):
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def _text(nb) -> str:
    return "\n".join(o.get("data", {}).get("text/markdown", "") for o in _outputs(nb))


@pytest.mark.slow
def test_review_notebook_with_fictional_measurements(tmp_path):
    nb = _run(tmp_path, "mid", profile="bilan-intermediaire", suivi="exemples/suivi-fictif.xlsx")
    text = _text(nb)
    assert "Bilan intermédiaire (18 mois)" in text and "1er septembre 2021" in text
    # The synthesis (issue 11): key figures and status grid, both titled as fictional.
    assert text.count("données fictives") >= 2 and "DONNÉES FICTIVES" in text
    assert "cible atteinte" in text and "retard" in text
    # The per-fiche chapter draws the measurements and steps of the fiches.
    fiches = _run(
        tmp_path,
        "mid-fiches",
        "06-bilan-fiches.ipynb",
        profile="bilan-intermediaire",
        suivi="exemples/suivi-fictif.xlsx",
    )
    charts_out = [
        o for o in _outputs(fiches) if o.get("metadata", {}).get("pa", {}).get("kind") == "chart"
    ]
    assert charts_out
    for out in charts_out:
        assert "image/svg+xml" in out["data"] and "pa-chart" in out["data"]["text/html"]
    assert "réalisé en retard" in _text(fiches)


@pytest.mark.slow
def test_review_notebook_without_measurements(tmp_path):
    nb = _run(tmp_path, "empty", profile="bilan-final")
    text = _text(nb)
    assert "Bilan final (3 ans)" in text and "1er mars 2023" in text
    assert "Aucune mesure n'a encore été enregistrée" in text
    assert "fictive" not in text.lower()
