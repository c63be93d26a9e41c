"""The audit finds the source's real discrepancies, and none where its arithmetic holds."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from projet_associatif.analysis.audit import check_context, check_public, run_audit
from projet_associatif.analysis.audit_findings import (
    Finding,
    compare,
    findings_frame,
    summary_sentence,
    write_audit,
)
from projet_associatif.cli.main import main
from projet_associatif.core.paths import data_dir


@pytest.fixture(scope="module")
def findings():
    return {f.id: f for f in run_audit()}


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    return target


def _edit_csv(path: Path, key: str, key_value: str, column: str, value) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (frame[key] == key_value).sum() == 1
    frame.loc[frame[key] == key_value, column] = str(value)
    frame.to_csv(path, index=False)


def test_the_only_arithmetic_discrepancies_are_those_checked_by_hand(findings):
    # By hand: 44 + 25 + 27 + 30 = 126 communes, not 127; the Allier education shares add up
    # to 8 + 10 + 20 + 44 + 7 + 12 = 101 %. Every other total, sum and rate holds.
    flagged = {i: f.status for i, f in findings.items() if f.status in {"écart", "arrondi"}}
    assert flagged == {"zone-communes": "écart", "niveau-formation-somme-allier": "arrondi"}
    assert (
        findings["zone-communes"].stated,
        findings["zone-communes"].computed,
    ) == ("127", "126")


@pytest.mark.parametrize(
    "check_id",
    [
        "produits-total-subventions-total_2019_eur",
        "produits-total-produits-total_2019_eur",
        "produits-total-produits-subvention_2019_eur",
        "public-entretiens",
        "public-entretiens-par-jeune",
        "personnel-cdi",
        "chomage-evolution-annuelle-allier",
        "chomage-evolution-2008-2018-france",
        "niveau-formation-somme-auvergne-rhone-alpes",
        "sites-antennes",
        "sites-permanences",
        "strategie-fiches",
        "frequence-permanence_bourbon",
    ],
)
def test_checks_that_hold_are_conforming(findings, check_id):
    assert findings[check_id].status == "conforme", findings[check_id]


def test_blank_total_cell_is_information_not_discrepancy(findings):
    finding = findings["produits-total-produits-reprise_fonds_dedies_2018_eur"]
    assert finding.status == "information"
    assert finding.stated == "" and finding.computed == "163587"


def test_textual_inconsistencies_are_reported_as_information(findings):
    assert findings["etapes-espace-jeunes"].status == "information"
    assert findings["etapes-espace-jeunes"].computed == "1, 3"
    assert findings["titre-vis-ma-vie"].status == "information"


def test_every_finding_says_where_both_values_come_from(findings):
    for finding in findings.values():
        assert finding.stated_source and finding.computed_source, finding.id


def test_a_changed_subsidy_breaks_the_row_and_the_totals(data_copy):
    _edit_csv(
        data_copy / "association" / "produits_2019.csv", "libelle", "Etat", "total_2019_eur", 853592
    )
    result = {f.id: f for f in run_audit(data_copy)}
    assert result["produits-ligne-1"].status == "écart"
    assert result["produits-ligne-1"].gap == "-1"
    assert result["produits-total-subventions-total_2019_eur"].status == "écart"


def test_a_changed_unemployment_rate_breaks_its_evolutions(data_copy):
    path = data_copy / "contexte" / "taux_chomage.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = (frame["territoire"] == "Allier") & (frame["periode"] == "2018-T1")
    frame.loc[row, "taux_pct"] = "9.9"
    frame.to_csv(path, index=False)
    result = {f.id: f for f in run_audit(data_copy)}
    assert result["chomage-evolution-annuelle-allier"].status == "écart"
    assert result["chomage-evolution-2008-2018-allier"].status == "écart"
    assert result["chomage-evolution-annuelle-france"].status == "conforme"


def test_the_audit_never_modifies_the_data(data_copy):
    def digest():
        return {
            p: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(data_copy.rglob("*"))
            if p.is_file()
        }

    before = digest()
    run_audit(data_copy)
    assert digest() == before


def test_written_audit_round_trips(tmp_path, findings):
    path = write_audit(list(findings.values()), tmp_path / "audit.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(findings_frame(list(findings.values())).columns)
    assert len(frame) == len(findings)
    # The published columns stay French whatever the code calls the fields.
    assert list(frame.columns)[1:4] == ["categorie", "controle", "valeur_declaree"]
    row = frame.set_index("id").loc["zone-communes"]
    assert (row["statut"], row["valeur_declaree"], row["valeur_calculee"]) == (
        "écart",
        "127",
        "126",
    )


def test_cli_audit_strict_fails_on_the_discrepancy(tmp_path, capsys):
    out = tmp_path / "audit.csv"
    assert main(["audit", "--output", str(out)]) == 0
    assert out.is_file()
    assert main(["audit", "--strict"]) == 1
    assert "1 écart," in capsys.readouterr().out


@pytest.mark.parametrize(
    ("gap", "status"),
    [
        (0.5, "conforme"),
        (-0.5, "conforme"),
        (0.51, "arrondi"),
        (-3.0, "arrondi"),
        (3.0, "arrondi"),
        (3.01, "écart"),
        (-3.01, "écart"),
    ],
)
def test_compare_tolerance_and_rounding_bounds_are_inclusive_and_exact(gap, status):
    finding = compare(
        "x",
        "taux",
        "contrôle",
        100.0,
        100.0 + gap,
        stated_source="a",
        computed_source="b",
        tolerance=0.5,
        rounding=3.0,
    )
    assert finding.status == status
    # Without a rounding allowance, beyond the tolerance is a discrepancy at once.
    if status == "arrondi":
        assert (
            compare(
                "x",
                "taux",
                "c",
                100.0,
                100.0 + gap,
                stated_source="a",
                computed_source="b",
                tolerance=0.5,
            ).status
            == "écart"
        )


# Each edit puts a stated figure just inside or just outside the allowance the check documents.
# By hand: Allier's six education shares add up to 101; six whole shares explain up to 3 points.
# Events 34 140 × 46 % = 15 704.4 interviews, ± 0.5 point of 34 140 = ± 170.7.
# Allier's rate went from 10.1 to 9.8: −0.3 point, stated to the tenth (± 0.05).
# 23 staff × 86.5 % → 20 CDI = 86.96 %, within 0.5 point of 86.5 but not of 86.4.
@pytest.mark.parametrize(
    ("edit", "check_id", "status"),
    [
        (("contexte/niveau_formation_demandeurs.csv", "ordre", "6", 14), "allier", "arrondi"),
        (("contexte/niveau_formation_demandeurs.csv", "ordre", "6", 15), "allier", "écart"),
        (("territoire/chiffres_cles.csv", "id", "entretiens_2019", 15534), "public", "conforme"),
        (("territoire/chiffres_cles.csv", "id", "entretiens_2019", 15533), "public", "écart"),
        (("territoire/chiffres_cles.csv", "id", "entretiens_2019", 15875), "public", "conforme"),
        (("territoire/chiffres_cles.csv", "id", "entretiens_2019", 15876), "public", "écart"),
        (
            ("contexte/taux_chomage_evolutions.csv", "territoire", "Allier", -0.34),
            "chomage",
            "conforme",
        ),
        (
            ("contexte/taux_chomage_evolutions.csv", "territoire", "Allier", -0.36),
            "chomage",
            "écart",
        ),
        (("territoire/chiffres_cles.csv", "id", "cdi_pct", 86.5), "personnel", "conforme"),
        (("territoire/chiffres_cles.csv", "id", "cdi_pct", 86.4), "personnel", "écart"),
    ],
)
def test_each_check_allows_exactly_its_documented_rounding(data_copy, edit, check_id, status):
    path, key, key_value, value = edit
    column = {
        "contexte/niveau_formation_demandeurs.csv": "part_pct",
        "territoire/chiffres_cles.csv": "valeur",
        "contexte/taux_chomage_evolutions.csv": "evolution_annuelle_points",
    }[path]
    frame = pd.read_csv(data_copy / path, dtype=str, keep_default_na=False)
    row = frame[key] == key_value
    if path.startswith("contexte/niveau"):
        row &= frame["territoire"] == "Allier"
    assert row.sum() == 1
    frame.loc[row, column] = str(value)
    frame.to_csv(data_copy / path, index=False)
    finding_id = {
        "allier": "niveau-formation-somme-allier",
        "public": "public-entretiens",
        "chomage": "chomage-evolution-annuelle-allier",
        "personnel": "personnel-cdi",
    }[check_id]
    checks = check_context if path.startswith("contexte/") else check_public
    found = {f.id: f for f in checks(data_copy)}
    assert found[finding_id].status == status, found[finding_id]


def test_a_finding_records_both_values_their_sources_and_the_gap_as_printed():
    finding = compare(
        "id-x",
        "taux",
        "contrôle",
        2.5,
        2 / 3,
        stated_source="déclarée",
        computed_source="calculée",
        tolerance=0.0,
        rounding=3.0,
    )
    assert finding == Finding(
        "id-x", "taux", "contrôle", "2.5", "0.67", "-1.83", "arrondi", "déclarée", "calculée", ""
    )
    # Whole numbers without decimals, two decimals at most, no "-0".
    for value, text in [(127.0, "127"), (0.999, "1"), (-0.001, "0"), (1.25, "1.25"), (None, "")]:
        shown = compare("x", "t", "c", value, 0.0, stated_source="a", computed_source="b")
        assert shown.stated == text


@pytest.mark.parametrize(
    ("stated", "computed"), [(None, 1.0), (1.0, None), (float("nan"), 1.0), (1.0, float("nan"))]
)
def test_a_missing_value_is_information_with_a_reason(stated, computed):
    finding = compare("x", "t", "c", stated, computed, stated_source="a", computed_source="b")
    assert (finding.status, finding.gap) == ("information", "")
    assert finding.comment == "valeur absente de la source : comparaison impossible"
    own = compare(
        "x",
        "t",
        "c",
        stated,
        computed,
        stated_source="a",
        computed_source="b",
        comment="vide",
    )
    assert own.comment == "vide"


def test_checks_lacking_data_are_skipped_and_counted(data_copy):
    income = data_copy / "association" / "produits_2019.csv"
    income.write_text(income.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = run_audit(data_copy)
    assert not any(f.id.startswith("produits-") for f in result)
    assert any(f.id.startswith("reference-") for f in result)  # the other checks still ran
    assert len(result.skipped) == 1
    assert "produits 2019" in result.skipped[0] and "produits_2019.csv" in result.skipped[0]
    assert "1 groupe de contrôles non exécuté faute de données" in summary_sentence(result)


def test_the_full_audit_skips_nothing():
    full = run_audit()
    assert full.skipped == [] and "non exécuté" not in summary_sentence(full)
