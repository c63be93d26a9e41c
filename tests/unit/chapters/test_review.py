"""The review chapter: statuses, trajectories and answers at the as-of date."""

from __future__ import annotations

import datetime as dt

import nbformat
import papermill as pm
import pytest

from projet_associatif.analysis.review_context import review_context
from projet_associatif.chapters import review
from projet_associatif.core.paths import notebooks_dir, project_root

FICTIF = str(project_root() / "exemples" / "suivi-fictif.xlsx")


@pytest.fixture(scope="module")
def mid_term():
    return review_context("bilan-intermediaire", "", FICTIF, "")


@pytest.fixture(scope="module")
def final():
    return review_context("bilan-final", "", FICTIF, "")


# Counted by hand from exemples/suivi-fictif/ (mesures.csv, cibles.csv) and the 53 indicators of
# data/evaluation/indicateurs.csv; the project starts on 2020-03-01, so the mid-term review is
# on 2021-09-01 and the final one (the default target date) on 2023-03-01.
# - reseaux-sociaux-i1: 1600 on 2021-06-30 reaches its target 1500: cible atteinte (both).
# - camion-mobile-i1: target 150 on 2023-03-01 from 0 on 2020-03-01. Mid-term: 80 on
#   2021-08-31, expected 150 × 548/1095 = 75.1: en bonne voie. Final: 160, cible atteinte.
# - antennes-permanences-i3 (baisse): target 10 on 2022-09-01 from 40. Mid-term: 35 on
#   2021-06-30, expected 40 − 30 × 486/914 = 24.0: en retard. Final: 22, date passed: en retard.
# - espace-jeunes-i1 and site-internet-i4: measured, no target: sans cible.
# - espace-jeunes-i2 (qualitatif): mesuré. se-former-i1 has a target but no measure.
# - the other 46 indicators and se-former-i1: non mesuré (47).
EXPECTED_COUNTS = {
    "mid": {
        "cible atteinte": 1,
        "en bonne voie": 1,
        "en retard": 1,
        "sans cible": 2,
        "mesuré": 1,
        "non mesuré": 47,
    },
    "final": {
        "cible atteinte": 2,
        "en bonne voie": 0,
        "en retard": 1,
        "sans cible": 2,
        "mesuré": 1,
        "non mesuré": 47,
    },
}
EXPECTED_STATUS = {
    "mid": {
        "reseaux-sociaux-i1": "cible atteinte",
        "camion-mobile-i1": "en bonne voie",
        "antennes-permanences-i3": "en retard",
        "espace-jeunes-i1": "sans cible",
        "site-internet-i4": "sans cible",
        "espace-jeunes-i2": "mesuré",
        "se-former-i1": "non mesuré",
    },
    "final": {
        "reseaux-sociaux-i1": "cible atteinte",
        "camion-mobile-i1": "cible atteinte",
        "antennes-permanences-i3": "en retard",
        "espace-jeunes-i1": "sans cible",
        "site-internet-i4": "sans cible",
        "espace-jeunes-i2": "mesuré",
        "se-former-i1": "non mesuré",
    },
}


@pytest.mark.parametrize("which", ["mid", "final"])
def test_status_counts_match_the_hand_count_of_the_fictional_workbook(which, mid_term, final):
    bilan = mid_term if which == "mid" else final
    counts = review.status_counts(bilan)
    assert list(counts["Statut"]) == list(review.STATUS_ORDER)
    assert dict(counts.itertuples(index=False)) == EXPECTED_COUNTS[which]
    table = bilan.indicators()
    statuses = dict(zip(table["Indicateur"], table["Statut"], strict=True))
    assert len(statuses) == 53
    assert {i: statuses[i] for i in EXPECTED_STATUS[which]} == EXPECTED_STATUS[which]
    alt_text = review.status_alt(bilan)
    for status, n in EXPECTED_COUNTS[which].items():
        assert f"{status} : {n}" in alt_text


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
    assert "Aucune mesure n'a encore été enregistrée" in review.heading(empty).markdown


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
