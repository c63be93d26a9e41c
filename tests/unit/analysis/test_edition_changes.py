"""The previous edition's figures beside this edition's: pairs, added and removed rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from edition_support import HOSTILE, next_edition

from projet_associatif.analysis.edition_changes import (
    FigureChange,
    compare_editions,
    edition_changes,
)
from projet_associatif.core.errors import MissingData


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return next_edition(tmp_path_factory.mktemp("edition-2026"))


@pytest.fixture(scope="module")
def result(project):
    return edition_changes(project)


def by_name(result, name):
    return next(r for r in result.resources if r.name == name)


def test_the_years_come_from_identite(result):
    assert (result.previous_year, result.current_year) == (2020, 2026)


def test_each_changed_figure_is_paired_on_the_primary_key(result):
    changed = by_name(result, "chiffres_cles").changed
    assert changed == [
        FigureChange(
            row=changed[0].row,
            field="valeur",
            field_title="Valeur",
            previous=127,
            current=130,
            unit=None,
        )
    ]
    assert changed[0].row.key == ("zone_communes",)
    assert changed[0].row.label == HOSTILE
    rate = by_name(result, "taux_chomage").changed
    assert [(c.row.key, c.previous, c.current, c.unit) for c in rate] == [
        (("Allier", "2017-T1"), 10.1, 9.65, "pct")
    ]


def test_rows_of_one_edition_only_are_added_or_removed(result):
    key_figures = by_name(result, "chiffres_cles")
    assert [r.key for r in key_figures.added] == [("test_ajout",)]
    assert [r.key for r in key_figures.removed] == [("zone_cc",)]
    # zone_cc's and test_ajout's figures are in one edition only: neither changed nor same.
    total = len(key_figures.changed) + key_figures.unchanged
    assert total == 36  # 37 rows in 2020: one removed, one added


def test_unchanged_resources_count_their_figures(result):
    rsa = by_name(result, "rsa_demandeurs")
    assert not rsa.has_changes and rsa.unchanged == 12


def test_documents_and_text_tables_are_listed_with_their_reason(result):
    reasons = {n.name: n.reason for n in result.not_compared}
    assert "YAML" in reasons["identite"]
    assert reasons["valeurs"] == "aucun chiffre à comparer"
    # Positional columns (ordre, page) are never compared as figures.
    assert "produits_2019" not in reasons
    assert {c.field for r in result.resources for c in r.changed} <= {"valeur", "taux_pct"}


def test_a_resource_of_one_edition_only_is_listed(project, tmp_path):
    previous = project.parent / "edition-precedente" / "data"
    shutil.copytree(previous, tmp_path / "avant")
    for suffix in (".csv", ".resource.yaml"):
        (tmp_path / "avant" / "contexte" / f"taux_pauvrete{suffix}").unlink()
    outcome = compare_editions(tmp_path / "avant", project, 2020, 2026)
    assert {n.name: n.reason for n in outcome.not_compared}["taux_pauvrete"] == (
        "absente de l'édition 2020"
    )


def test_a_project_without_previous_edition_compares_nothing():
    assert edition_changes() is None


def test_a_missing_previous_folder_is_to_complete_and_named(tmp_path):
    with pytest.raises(MissingData) as caught:
        compare_editions(tmp_path / "edition-precedente" / "data", None, 2020, 2026)
    assert "edition-precedente" in str(caught.value.path)


def test_previous_data_that_no_longer_validate_are_listed_with_the_problem(project, tmp_path):
    previous = project.parent / "edition-precedente" / "data"
    shutil.copytree(previous, tmp_path / "avant")
    rates = tmp_path / "avant" / "contexte" / "taux_pauvrete.csv"
    lines = rates.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[3] = "beaucoup"
    rates.write_text("".join([lines[0], ",".join(fields), *lines[2:]]), encoding="utf-8")
    outcome = compare_editions(tmp_path / "avant", project, 2020, 2026)
    reason = {n.name: n.reason for n in outcome.not_compared}["taux_pauvrete"]
    assert reason.startswith("les données de l'édition 2020 ne sont plus valides (")
    assert "taux_pauvrete.csv" in reason and "ligne 2" in reason
    assert "taux_chomage" in {r.name for r in outcome.resources}
