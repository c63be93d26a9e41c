"""Data group evaluation/: the evaluation framework (part 6) and the indicator catalogue."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from projet_associatif.core.errors import DataError
from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import discover, load, resource


@pytest.fixture(scope="module")
def cadre():
    return load("evaluation_cadre")


@pytest.fixture(scope="module")
def indicateurs():
    return load("indicateurs")


def test_every_resource_of_the_group_loads():
    names = sorted(discover(data_dir() / "evaluation"))
    assert names == ["evaluation_cadre", "indicateurs"]
    for name in names:
        assert load(name) is not None, name
        assert resource(name).descriptor["sources"], name
        assert resource(name).descriptor["licenses"], name


def test_seven_result_and_eight_process_questions(cadre):
    analyses = {a["id"]: a["questions"] for a in cadre["analyses"]}
    assert [q["id"] for q in analyses["resultat"]] == [f"R{i}" for i in range(1, 8)]
    assert [q["id"] for q in analyses["processus"]] == [f"P{i}" for i in range(1, 9)]
    # the source prints the process questions as two lists: 5 then 3
    assert [q["liste"] for q in analyses["processus"]] == [1] * 5 + [2] * 3
    assert all(q["texte"].rstrip(".").endswith("?") for q in analyses["resultat"])


def test_reviews_at_18_and_36_months(cadre):
    assert {b["id"]: b["duree_mois"] for b in cadre["bilans"]} == {
        "bilan-intermediaire": 18,
        "bilan-final": 36,
    }


def test_commission_composition_and_two_commissions(cadre):
    commission = cadre["commission_suivi"]
    assert commission["composition"] == ["gouvernance", "direction", "équipe"]
    assert [c["id"] for c in commission["commissions"]] == [
        "suivi-plans-actions-objectifs",
        "suivi-pas",
    ]
    assert all(c["role"] for c in commission["commissions"])


def test_start_date_is_a_documented_assumption(cadre):
    assert date.fromisoformat(cadre["date_debut_projet"]) == date(2020, 3, 1)
    assert cadre["date_debut_projet_statut"] == "hypothèse"
    justification = cadre["date_debut_projet_justification"]
    assert "mars 2021" in justification and "Mars 2020" in justification


def test_indicators_reference_existing_fiches(indicateurs):
    fiche_ids = [f["id"] for f in load("fiches_action")["fiches"]]
    assert set(indicateurs["fiche"]) == set(fiche_ids)
    # catalogue order follows the annex order of the fiches
    first_seen = list(dict.fromkeys(indicateurs["fiche"]))
    assert first_seen == fiche_ids
    assert all(
        i.startswith(f + "-i") for i, f in zip(indicateurs["id"], indicateurs["fiche"], strict=True)
    )


def test_indicators_have_no_invented_baseline_or_target(indicateurs):
    for column in ("valeur_reference", "cible", "date_cible"):
        assert indicateurs[column].isna().all(), column


def test_indicator_classification_follows_the_wording(indicateurs):
    by_label = indicateurs.set_index("libelle")
    assert by_label.loc["Taux de rejet de demande de formation", "sens"] == "baisse"
    assert by_label.loc["Taux de rejet de demande de formation", "unite"] == "%"
    assert (
        by_label.loc["Nombres de jeunes n'ayant pas de rdv dans les 15 jours", "sens"] == "baisse"
    )
    assert by_label.loc["Nombre de formation annulée faute de participants", "sens"] == "baisse"
    qualitative = indicateurs[indicateurs["nature"] == "qualitatif"]
    assert (qualitative["sens"] == "sans objet").all()
    assert qualitative["unite"].isna().all()
    rates = indicateurs[indicateurs["nature"] == "taux"]
    assert (rates["unite"] == "%").all()


def _copy(name: str, tmp_path: Path) -> Path:
    """Copy a resource (descriptor and file) to tmp_path and return the data file copy."""
    info = resource(name)
    shutil.copy(info.descriptor_path, tmp_path / info.descriptor_path.name)
    return Path(shutil.copy(info.path, tmp_path / info.path.name))


def test_missing_justification_is_rejected(tmp_path):
    path = _copy("evaluation_cadre", tmp_path)
    text = path.read_text(encoding="utf-8")
    head = text.split("date_debut_projet_justification:")[0]
    path.write_text(head, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("evaluation_cadre", tmp_path)
    [problem] = caught.value.problems
    assert problem.file.endswith("evaluation_cadre.yaml")
    assert problem.rule == "required"
    assert "date_debut_projet_justification" in problem.message
    assert problem.row is not None


def test_indicator_of_an_unknown_fiche_is_rejected(tmp_path):
    path = _copy("indicateurs", tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if ",permanence-tiers-lieux," in line)
    lines[at] = lines[at].replace(",permanence-tiers-lieux,", ",fiche-inconnue,", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load("indicateurs", tmp_path)
    assert {(p.row, p.column, p.rule) for p in caught.value.problems} == {(at + 1, "fiche", "enum")}
