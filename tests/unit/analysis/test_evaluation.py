"""Review statuses: hand-computed cases at the mid-term (2021-09-01) and final (2023-03-01) dates."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from projet_associatif.analysis import evaluation as ev
from projet_associatif.analysis.review_context import review_context
from projet_associatif.analysis.statuses import (
    IndicatorStatus,
    StepStatus,
    Trend,
    indicator_rule,
    step_rule,
)
from projet_associatif.chapters.review import NO_MEASUREMENT, fictional_warning, heading
from projet_associatif.config.profiles import add_months
from projet_associatif.core.texts import texts
from projet_associatif.suivi.reader import empty_frame
from projet_associatif.suivi.referentiel import load_referentiel

DATA = Path(__file__).resolve().parents[2] / "fixtures" / "suivi" / "data"
START = dt.date(2020, 3, 1)
MID = dt.date(2021, 9, 1)
FINAL = dt.date(2023, 3, 1)
D = dt.date


def frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    """Return a typed Suivi frame built from partial rows."""
    base = empty_frame(kind)
    if not rows:
        return base
    out = pd.DataFrame(rows).reindex(columns=base.columns)
    return out.astype(base.dtypes.to_dict())


@pytest.fixture(scope="module")
def ref():
    return load_referentiel(DATA)


# The fictional scenario, one indicator per case (see exemples/ for the same idea on real ids).
MESURES = frame(
    "mesures",
    [
        # camion-accueils: on track at mid-term, target reached at the final review.
        {"indicateur": "camion-accueils", "date": "2020-09-01", "valeur": 20.0},
        {"indicateur": "camion-accueils", "date": "2021-06-01", "valeur": 70.0},
        {"indicateur": "camion-accueils", "date": "2022-06-01", "valeur": 120.0},
        # reseaux-abonnes: target already reached at mid-term.
        {"indicateur": "reseaux-abonnes", "date": "2021-03-01", "valeur": 350.0},
        {"indicateur": "reseaux-abonnes", "date": "2021-08-01", "valeur": 520.0},
        # reseaux-rejets (taux, baisse): behind.
        {"indicateur": "reseaux-rejets", "date": "2021-06-01", "valeur": 28.0},
        # espace-frequentation: measured, no target.
        {"indicateur": "espace-frequentation", "date": "2021-01-15", "valeur": 340.0},
        {"indicateur": "espace-frequentation", "date": "2021-07-01", "valeur": 300.0},
        # camion-satisfaction (qualitatif): only measured after the mid-term date.
        {
            "indicateur": "camion-satisfaction",
            "date": "2022-01-10",
            "valeur_texte": "Partenaires satisfaits",
        },
        # espace-ateliers: never measured.
    ],
)
CIBLES = frame(
    "cibles",
    [
        {
            "indicateur": "camion-accueils",
            "valeur_reference": 0.0,
            "cible": 100.0,
            "date_cible": "2022-03-01",
        },
        {
            "indicateur": "reseaux-abonnes",
            "valeur_reference": 200.0,
            "cible": 500.0,
            "date_cible": "2023-03-01",
        },
        {
            "indicateur": "reseaux-rejets",
            "valeur_reference": 30.0,
            "cible": 10.0,
            "date_cible": "2022-09-01",
        },
    ],
)


def statuses(ref, as_of) -> pd.DataFrame:
    table = ev.indicator_status(
        ref.indicateurs, MESURES, CIBLES, as_of=as_of, start=START, end=FINAL
    )
    return table.set_index("Indicateur")


# ---------------------------------------------------------------- small pure functions


def test_add_months_gives_the_review_dates_and_clamps_month_ends():
    assert add_months(START, 18) == MID
    assert add_months(START, 36) == FINAL
    assert add_months(D(2020, 1, 31), 1) == D(2020, 2, 29)
    assert add_months(D(2021, 11, 30), 3) == D(2022, 2, 28)


def test_trend_compares_the_last_two_values():
    assert ev.trend(10.0, 12.0) == "hausse"
    assert ev.trend(12.0, 10.0) == "baisse"
    assert ev.trend(10.0, 10.0) == "stable"
    assert ev.trend(None, 10.0) == "—"


def test_expected_value_is_linear_between_baseline_and_target():
    # 2020-03-01 -> 2022-03-01 is 730 days; 2021-03-01 is day 365: exactly half way.
    assert ev.expected_value(100, START, 200, D(2022, 3, 1), D(2021, 3, 1)) == pytest.approx(150)
    assert ev.expected_value(100, START, 200, D(2022, 3, 1), D(2019, 1, 1)) == 100
    assert ev.expected_value(100, START, 200, D(2022, 3, 1), D(2024, 1, 1)) == 200
    assert ev.expected_value(100, START, 200, START, D(2021, 1, 1)) == 200


def test_meets_respects_the_direction():
    assert ev.meets(10, 10, "hausse") and ev.meets(11, 10, "hausse")
    assert not ev.meets(9, 10, "hausse")
    assert ev.meets(9, 10, "baisse") and not ev.meets(11, 10, "baisse")


def kw(**over):
    base = dict(
        latest=50.0,
        latest_date=D(2021, 3, 1),
        first=50.0,
        first_date=D(2021, 3, 1),
        reference=0.0,
        start=START,
        target=100.0,
        target_date=D(2022, 3, 1),
        end=FINAL,
        as_of=MID,
        sens="hausse",
    )
    base.update(over)
    return base


def test_quantitative_status_cases():
    # 50 at day 365 of 730 toward 100 from 0: expected 50, met exactly -> on track.
    status, expected = ev.quantitative_status(**kw())
    assert (status, expected) == ("en bonne voie", pytest.approx(50.0))
    assert ev.quantitative_status(**kw(latest=49.0))[0] == "en retard"
    assert ev.quantitative_status(**kw(latest=100.0)) == ("cible atteinte", None)
    assert ev.quantitative_status(**kw(target=None)) == ("sans cible", None)
    # Deadline passed without reaching the target: behind, whatever the interpolation says.
    assert ev.quantitative_status(**kw(as_of=D(2022, 3, 1)))[0] == "en retard"
    # No target date: the final review is the deadline (1095 days from the start).
    status, expected = ev.quantitative_status(**kw(target_date=None))
    assert status == "en bonne voie"
    assert expected == pytest.approx(100 * 365 / 1095)


def test_quantitative_status_without_reference_starts_from_the_first_measurement():
    # From 40 on 2020-09-01 to 100 on 2022-03-01 (546 days); at 2021-06-01 (273 days): 70.
    args = kw(
        reference=None,
        first=40.0,
        first_date=D(2020, 9, 1),
        latest=69.0,
        latest_date=D(2021, 6, 1),
    )
    status, expected = ev.quantitative_status(**args)
    assert expected == pytest.approx(70.0)
    assert status == "en retard"
    args["latest"] = 70.0
    assert ev.quantitative_status(**args)[0] == "en bonne voie"


def test_quantitative_status_downward_and_without_direction():
    # Baisse from 30 to 10: 25 at half way (expected 20) is behind, 18 is on track.
    args = kw(reference=30.0, target=10.0, latest=25.0, sens="baisse")
    assert ev.quantitative_status(**args) == ("en retard", pytest.approx(20.0))
    args["latest"] = 18.0
    assert ev.quantitative_status(**args)[0] == "en bonne voie"
    # « sans objet »: the direction is inferred from the baseline and the target.
    args.update(sens="sans objet", latest=9.0)
    assert ev.quantitative_status(**args)[0] == "cible atteinte"


# ---------------------------------------------------------------- indicators at both dates


def test_target_on_track_at_mid_term_then_reached(ref):
    mid, final = statuses(ref, MID), statuses(ref, FINAL)
    # Mid-term: 70 on 2021-06-01 (day 457 of 730 toward 100 from 0): expected 62.6.
    row = mid.loc["camion-accueils"]
    assert row["Statut"] == "en bonne voie"
    assert row["Dernière valeur"] == 70.0
    assert row["Valeur attendue"] == pytest.approx(100 * 457 / 730)
    assert row["Tendance"] == "hausse"
    assert row["Mesures"] == 2  # the 2022-06-01 measurement is after the mid-term date
    assert row["Date de la dernière mesure"] == D(2021, 6, 1)
    # Final: the 2022-06-01 measurement counts.
    row = final.loc["camion-accueils"]
    assert (row["Statut"], row["Dernière valeur"], row["Mesures"]) == ("cible atteinte", 120.0, 3)


def test_target_reached(ref):
    for as_of in (MID, FINAL):
        row = statuses(ref, as_of).loc["reseaux-abonnes"]
        assert row["Statut"] == "cible atteinte"
        assert row["Dernière valeur"] == 520.0


def test_behind_target_downward_rate(ref):
    # 28 % on 2021-06-01, half way (457/914 days) from 30 to 10: expected 20 -> behind.
    row = statuses(ref, MID).loc["reseaux-rejets"]
    assert row["Statut"] == "en retard"
    assert row["Valeur attendue"] == pytest.approx(20.0)
    assert row["Tendance"] == "—"
    # Final: the 2022-09-01 deadline passed without reaching 10.
    assert statuses(ref, FINAL).loc["reseaux-rejets", "Statut"] == "en retard"


def test_without_target_shows_latest_value(ref):
    row = statuses(ref, MID).loc["espace-frequentation"]
    assert row["Statut"] == "sans cible"
    assert row["Dernière valeur"] == 300.0
    assert row["Valeur précédente"] == 340.0
    assert row["Tendance"] == "baisse"
    assert pd.isna(row["Cible"])


def test_missing_measurement(ref):
    for as_of in (MID, FINAL):
        row = statuses(ref, as_of).loc["espace-ateliers"]
        assert row["Statut"] == "non mesuré"
        assert row["Mesures"] == 0
        assert pd.isna(row["Dernière valeur"])


def test_qualitative_measured_only_after_mid_term(ref):
    assert statuses(ref, MID).loc["camion-satisfaction", "Statut"] == "non mesuré"
    row = statuses(ref, FINAL).loc["camion-satisfaction"]
    assert row["Statut"] == "mesuré"
    assert row["Dernière valeur"] == "Partenaires satisfaits"


def test_targets_of_the_data_package_apply_when_the_commission_sets_none(ref):
    indicateurs = ref.indicateurs.copy()
    i = indicateurs.index[indicateurs["id"] == "espace-frequentation"][0]
    indicateurs.loc[i, ["valeur_reference", "cible"]] = [250.0, 290.0]
    table = ev.indicator_status(
        indicateurs, MESURES, CIBLES, as_of=MID, start=START, end=FINAL
    ).set_index("Indicateur")
    assert table.loc["espace-frequentation", "Statut"] == "cible atteinte"  # 300 >= 290
    indicateurs.loc[i, "cible"] = 320.0
    table = ev.indicator_status(
        indicateurs, MESURES, CIBLES, as_of=MID, start=START, end=FINAL
    ).set_index("Indicateur")
    # 250 -> 320 by 2023-03-01 (1095 days); on 2021-07-01 (day 487): 281.1; 300 is ahead.
    assert table.loc["espace-frequentation", "Statut"] == "en bonne voie"
    assert table.loc["espace-frequentation", "Valeur attendue"] == pytest.approx(
        250 + 70 * 487 / 1095
    )


def test_indicator_table_has_french_columns_in_order(ref):
    table = ev.indicator_status(ref.indicateurs, MESURES, CIBLES, as_of=MID, start=START, end=FINAL)
    assert list(table.columns) == list(ev.INDICATOR_COLUMNS.values())
    assert list(table["Indicateur"]) == list(ref.indicateurs["id"])


# ---------------------------------------------------------------- milestones

JALONS = frame(
    "jalons",
    [
        # late: planned 2020-06-30, done 2020-09-15.
        {
            "fiche": "camion-mobile",
            "etape": "Etape 0",
            "date_prevue": "2020-06-30",
            "date_realisee": "2020-09-15",
        },
        # on time.
        {
            "fiche": "camion-mobile",
            "etape": "Etape 1",
            "date_prevue": "2020-12-31",
            "date_realisee": "2020-12-01",
        },
        # not done, planned before the mid-term date -> late.
        {"fiche": "camion-mobile", "etape": "Etape 2", "date_prevue": "2021-03-31"},
        # not yet due at mid-term, due (and not done) at the final review.
        {"fiche": "reseaux-sociaux", "etape": "Etape 1", "date_prevue": "2022-06-30"},
        # done after the mid-term date: ignored at mid-term, counted at the final review.
        {
            "fiche": "reseaux-sociaux",
            "etape": "Etape 2",
            "date_prevue": "2022-12-31",
            "date_realisee": "2022-10-01",
            "commentaire": "fait",
        },
        # espace-jeunes / Étape 1: nothing recorded -> sans échéance.
    ],
)


def milestones(ref, as_of):
    etapes = ev.steps_frame(ref.fiches)
    return ev.milestone_status(etapes, JALONS, as_of=as_of).set_index(["Fiche", "Étape"])


def test_step_status_cases():
    assert ev.step_status(D(2021, 1, 1), D(2021, 1, 1), MID) == ("réalisé dans les délais", None)
    assert ev.step_status(D(2021, 1, 1), D(2021, 1, 11), MID) == ("réalisé en retard", 10)
    assert ev.step_status(D(2021, 8, 31), None, MID) == ("non réalisé (en retard)", 1)
    assert ev.step_status(MID, None, MID) == ("pas encore dû", None)
    assert ev.step_status(None, None, MID) == ("sans échéance", None)
    assert ev.step_status(None, D(2021, 1, 1), MID) == ("réalisé (sans échéance)", None)
    # Done after the closing date: not done yet at that date.
    assert ev.step_status(D(2021, 1, 1), D(2022, 1, 1), MID) == ("non réalisé (en retard)", 243)


def test_milestones_at_mid_term(ref):
    table = milestones(ref, MID)
    assert table.loc[("camion-mobile", "Etape 0"), "Statut"] == "réalisé en retard"
    assert table.loc[("camion-mobile", "Etape 0"), "Retard (jours)"] == 77
    assert table.loc[("camion-mobile", "Etape 1"), "Statut"] == "réalisé dans les délais"
    assert table.loc[("camion-mobile", "Etape 2"), "Statut"] == "non réalisé (en retard)"
    assert table.loc[("camion-mobile", "Etape 2"), "Retard (jours)"] == 154
    assert table.loc[("reseaux-sociaux", "Etape 1"), "Statut"] == "pas encore dû"
    assert table.loc[("reseaux-sociaux", "Etape 2"), "Statut"] == "pas encore dû"
    assert table.loc[("reseaux-sociaux", "Etape 2"), "Date réalisée"] is None
    assert table.loc[("espace-jeunes", "Étape 1"), "Statut"] == "sans échéance"
    assert table.loc[("camion-mobile", "Etape 0"), "Quoi"] == "Emergence d'une idée"


def test_milestones_at_final_review(ref):
    table = milestones(ref, FINAL)
    assert table.loc[("reseaux-sociaux", "Etape 1"), "Statut"] == "non réalisé (en retard)"
    assert table.loc[("reseaux-sociaux", "Etape 2"), "Statut"] == "réalisé dans les délais"
    assert table.loc[("reseaux-sociaux", "Etape 2"), "Date réalisée"] == D(2022, 10, 1)
    assert table.loc[("reseaux-sociaux", "Etape 2"), "Commentaire"] == "fait"
    assert len(table) == 6


def test_steps_frame_uses_sub_steps_when_a_step_has_no_quoi():
    fiches = [
        {
            "id": "x",
            "numero": 2,
            "etapes": [
                {
                    "etape": "Etape 3",
                    "quoi": None,
                    "sous_etapes": [{"quoi": "Etablir un planning"}, {"quoi": ["A", ["B", "C"]]}],
                }
            ],
        }
    ]
    assert ev.steps_frame(fiches).loc[0, "quoi"] == "Etablir un planning / A ; B ; C"


# ---------------------------------------------------------------- summaries and dashboard

REPONSES = frame(
    "reponses",
    [
        {"fiche": "camion-mobile", "question": "R1", "reponse": "Pas encore", "date": "2021-06-15"},
        {"fiche": "camion-mobile", "question": "R1", "reponse": "Oui", "date": "2022-12-01"},
        {"fiche": "camion-mobile", "question": "P2", "reponse": "Non", "date": "2021-06-15"},
    ],
)


def tables(ref, as_of):
    ind = ev.indicator_status(ref.indicateurs, MESURES, CIBLES, as_of=as_of, start=START, end=FINAL)
    jal = ev.milestone_status(ev.steps_frame(ref.fiches), JALONS, as_of=as_of)
    rep = ev.answers_table(REPONSES, ref.questions, as_of=as_of)
    return ind, jal, rep


def test_answers_keep_the_latest_answer_at_the_closing_date(ref):
    _, _, mid = tables(ref, MID)
    assert list(mid["Question"]) == ["R1", "P2"]
    assert mid.set_index("Question").loc["R1", "Réponse"] == "Pas encore"
    assert mid.set_index("Question").loc["P2", "Libellé de la question"].startswith("Le calendrier")
    _, _, final = tables(ref, FINAL)
    assert final.set_index("Question").loc["R1", "Réponse"] == "Oui"


def test_summary_by_fiche_counts_statuses(ref):
    ind, jal, _ = tables(ref, MID)
    summary = ev.summary_by_fiche(ind, jal, ref.fiches).set_index("Fiche")
    camion = summary.loc["camion-mobile"]
    assert camion["Indicateurs : en bonne voie"] == 1
    assert camion["Indicateurs : non mesuré"] == 1
    assert camion["Étapes : réalisé en retard"] == 1
    assert camion["Étapes : réalisé dans les délais"] == 1
    assert camion["Étapes : non réalisé (en retard)"] == 1
    reseaux = summary.loc["reseaux-sociaux"]
    assert reseaux["Indicateurs : cible atteinte"] == 1
    assert reseaux["Indicateurs : en retard"] == 1
    assert reseaux["Étapes : pas encore dû"] == 2
    # Every indicator and step is counted exactly once.
    ind_cols = [c for c in summary if c.startswith("Indicateurs : ")]
    step_cols = [c for c in summary if c.startswith("Étapes : ")]
    assert summary[ind_cols].to_numpy().sum() == len(ref.indicateurs)
    assert summary[step_cols].to_numpy().sum() == 6


def test_summary_by_objective_sums_the_fiches(ref):
    ind, jal, _ = tables(ref, FINAL)
    by_fiche = ev.summary_by_fiche(ind, jal, ref.fiches)
    oo = ev.summary_by_objective(by_fiche, ref.objectifs).set_index("Objectif")
    assert oo.loc["OG1-OO1", "Actions"] == 2
    # OG1-OO1 = camion-mobile + reseaux-sociaux at the final review: accueils and abonnés
    # reached, rejets behind; 2 steps not done late (camion Etape 2, réseaux Etape 1).
    assert oo.loc["OG1-OO1", "Indicateurs : cible atteinte"] == 2
    assert oo.loc["OG1-OO1", "Indicateurs : en retard"] == 1
    assert oo.loc["OG1-OO1", "Étapes : non réalisé (en retard)"] == 2
    og = ev.summary_by_objective(by_fiche, ref.objectifs, level="general").set_index("Objectif")
    assert og.loc["OG2", "Indicateurs : sans cible"] == 1
    assert og.loc["OG2", "Étapes : sans échéance"] == 1
    with pytest.raises(ValueError):
        ev.summary_by_objective(by_fiche, ref.objectifs, level="autre")


def test_dashboard_one_line_per_fiche(ref):
    ind, jal, rep = tables(ref, MID)
    board = ev.dashboard(ind, jal, rep, ref.fiches).set_index("N° fiche")
    assert list(board.columns) == ev.DASHBOARD_COLUMNS[1:]
    assert board.loc[1, "Indicateurs"] == 2
    assert board.loc[1, "Indicateurs mesurés"] == 1
    assert board.loc[1, "Étapes réalisées"] == 2
    assert board.loc[1, "Étapes en retard"] == 1
    assert board.loc[1, "Réponses"] == 2
    assert board.loc[1, "Situation"] == "retard constaté"
    assert board.loc[4, "Situation"] == "retard constaté"  # reseaux-rejets is behind
    assert board.loc[17, "Situation"] == "sans retard constaté"  # fréquentation measured


def test_dashboard_without_any_data_says_so(ref):
    ind = ev.indicator_status(
        ref.indicateurs, empty_frame("mesures"), None, as_of=MID, start=START, end=FINAL
    )
    jal = ev.milestone_status(ev.steps_frame(ref.fiches), empty_frame("jalons"), as_of=MID)
    rep = ev.answers_table(empty_frame("reponses"), ref.questions, as_of=MID)
    board = ev.dashboard(ind, jal, rep, ref.fiches)
    assert set(board["Situation"]) == {"aucune donnée"}
    assert set(ind["Statut"]) == {"non mesuré"}


# ---------------------------------------------------------------- review context


def test_review_context_defaults_and_labels():
    mid = review_context("bilan-intermediaire", "", "", str(DATA))
    assert mid.as_of == MID
    assert mid.label == "Bilan intermédiaire (18 mois)"
    assert mid.suivi_file is None
    assert not mid.has_measurements
    assert NO_MEASUREMENT == "Aucune mesure n'a encore été enregistrée"
    assert "Aucune mesure n'a encore été enregistrée" in heading(mid).markdown
    assert "1er septembre 2021" in heading(mid).markdown
    final = review_context("bilan-final", None, None, DATA)
    assert (final.as_of, final.label) == (FINAL, "Bilan final (3 ans)")
    other = review_context("bilan-final", "2022-01-31", "", DATA)
    assert other.as_of == D(2022, 1, 31)


def test_review_context_rejects_a_profile_without_review():
    with pytest.raises(ValueError, match="sans bilan"):
        review_context("projet-2020", "", "", DATA)


def test_review_context_reads_the_measurement_file(tmp_path):
    csv_dir = tmp_path / "suivi"
    csv_dir.mkdir()
    (csv_dir / "README.md").write_text("DONNÉES FICTIVES\n", encoding="utf-8")
    (csv_dir / "mesures.csv").write_text(
        "indicateur,date,periode_debut,periode_fin,valeur,commentaire,source\n"
        "camion-accueils,2022-06-01,,,120,,\n",
        encoding="utf-8",
    )
    (csv_dir / "jalons.csv").write_text(
        "fiche,etape,date_prevue,date_realisee,commentaire\n", encoding="utf-8"
    )
    (csv_dir / "reponses.csv").write_text("fiche,question,reponse,date\n", encoding="utf-8")
    mid = review_context("bilan-intermediaire", "", csv_dir, DATA)
    assert mid.suivi_file == "suivi"
    assert mid.fictional and "Données fictives" in fictional_warning(mid)
    assert not mid.has_measurements  # the only measurement is after 2021-09-01
    final = review_context("bilan-final", "", csv_dir, DATA)
    assert final.has_measurements and NO_MEASUREMENT not in heading(final).markdown
    assert final.indicators().set_index("Indicateur").loc["camion-accueils", "Mesures"] == 1
    assert len(final.dashboard()) == 3
    assert len(final.by_objective("general")) == 2


# ---------------------------------------------------------------- the fictional example (real ids)

EXEMPLES = Path(__file__).resolve().parents[3] / "exemples"


def example_statuses(profile):
    ctx = review_context(profile, "", EXEMPLES / "suivi-fictif.xlsx", "")
    return (
        ctx,
        ctx.indicators().set_index("Indicateur"),
        ctx.milestones().set_index(["Fiche", "Étape"]),
    )


def test_fictional_example_at_mid_term():
    ctx, ind, jal = example_statuses("bilan-intermediaire")
    assert ctx.fictional and "Données fictives" in heading(ctx).markdown
    assert "hypothèse" in heading(ctx).markdown  # the data package marks the start date as assumed
    assert ind.loc["camion-mobile-i1", "Statut"] == "en bonne voie"
    assert ind.loc["camion-mobile-i1", "Mesures"] == 2  # the 2022-09-30 value is ignored
    assert ind.loc["reseaux-sociaux-i1", "Statut"] == "cible atteinte"
    assert ind.loc["antennes-permanences-i3", "Statut"] == "en retard"
    assert ind.loc["espace-jeunes-i1", "Statut"] == "sans cible"
    assert ind.loc["espace-jeunes-i2", "Statut"] == "mesuré"
    assert ind.loc["se-former-i1", "Statut"] == "non mesuré"
    assert ind.loc["se-former-i1", "Cible"] == 5
    assert jal.loc[("camion-mobile", "Etape 1"), "Statut"] == "réalisé en retard"
    assert jal.loc[("camion-mobile", "Etape 2"), "Statut"] == "réalisé dans les délais"
    assert jal.loc[("camion-mobile", "Etape 5"), "Statut"] == "non réalisé (en retard)"
    assert jal.loc[("espace-jeunes", "Etape 3"), "Statut"] == "pas encore dû"
    assert jal.loc[("camion-mobile", "Etape 0"), "Statut"] == "sans échéance"


def test_fictional_example_at_final_review():
    ctx, ind, jal = example_statuses("bilan-final")
    assert ind.loc["camion-mobile-i1", "Statut"] == "cible atteinte"
    assert ind.loc["camion-mobile-i1", "Dernière valeur"] == 160
    assert ind.loc["antennes-permanences-i3", "Statut"] == "en retard"
    assert jal.loc[("espace-jeunes", "Etape 3"), "Statut"] == "non réalisé (en retard)"
    assert jal.loc[("site-internet", "Etape 5"), "Statut"] == "pas encore dû"
    assert len(ctx.answers()) == 3


def test_real_data_without_measurements_says_so():
    ctx = review_context("bilan-final", "", "", "")
    assert "Aucune mesure n'a encore été enregistrée" in heading(ctx).markdown
    board = ctx.dashboard()
    assert len(board) == len(ctx.referential.fiches) == 18
    assert set(board["Situation"]) == {"aucune donnée"}
    assert len(ctx.by_objective()) == sum(
        len(og["objectifs_operationnels"]) for og in ctx.referential.objectifs
    )


def test_the_indicator_direction_wins_over_the_side_of_the_target():
    # Inconsistent data (a rising indicator given a lower target): the rule follows ``sens``.
    rising = kw(reference=30.0, target=10.0, latest=20.0, sens="hausse")
    assert ev.quantitative_status(**rising)[0] == "cible atteinte"
    falling = kw(reference=10.0, target=30.0, latest=20.0, sens="baisse")
    assert ev.quantitative_status(**falling)[0] == "cible atteinte"
    # « sans objet » with a target equal to the baseline reads as « hausse »: 40 < 50 is behind.
    flat = kw(reference=50.0, target=50.0, latest=40.0, sens="sans objet")
    assert ev.quantitative_status(**flat)[0] == "en retard"
    # A falling indicator exactly at its target has reached it.
    assert ev.meets(10.0, 10.0, "baisse")


def test_date_boundaries_of_steps_and_expected_values():
    # Done on the as-of date: done; one day after the planned date: one day late.
    assert ev.step_status(D(2021, 1, 1), MID, MID) == (
        StepStatus.DONE_LATE,
        (MID - D(2021, 1, 1)).days,
    )
    assert ev.step_status(D(2021, 1, 1), D(2021, 1, 2), MID) == (StepStatus.DONE_LATE, 1)
    assert ev.step_status(D(2021, 1, 1), D(2021, 1, 1), MID) == (StepStatus.DONE_ON_TIME, None)
    # A target one day after its baseline: the baseline is still expected on the first day.
    assert ev.expected_value(0, START, 10, START + dt.timedelta(days=1), START) == 0


# ---------------------------------------------------------------- one home for delays and statuses


def test_a_framework_of_12_months_moves_the_mid_term_review(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    framework = data / "evaluation" / "evaluation_cadre.yaml"
    text = framework.read_text(encoding="utf-8")
    framework.write_text(text.replace("duree_mois: 18", "duree_mois: 12"), encoding="utf-8")
    twelve = D(2021, 3, 1)  # 2020-03-01 + 12 months
    mid = review_context("bilan-intermediaire", "", "", data)
    assert (mid.as_of, mid.label) == (twelve, "Bilan intermédiaire (1 an)")
    assert "Bilan intermédiaire (1 an)" in heading(mid).markdown
    final = review_context("bilan-final", "", "", data)
    assert final.as_of == FINAL  # the final review keeps its 36 months
    assert final.mid_term_date == twelve == final.mid_term().as_of
    assert final.mid_term().label == "Bilan intermédiaire (1 an)"
    # The real framework still says 18 months.
    assert review_context("bilan-intermediaire", "", "", DATA).as_of == MID


def test_statuses_are_enum_members_and_an_unknown_one_cannot_be_made(ref):
    with pytest.raises(ValueError):
        IndicatorStatus("presque atteinte")
    with pytest.raises(ValueError):
        StepStatus("réalisée")
    assert {type(s) for s in statuses(ref, MID)["Statut"]} == {IndicatorStatus}
    assert {type(s) for s in milestones(ref, MID)["Statut"]} == {StepStatus}
    assert ev.quantitative_status(**kw(sens="hausse"))[0] in set(IndicatorStatus)
    assert isinstance(ev.trend(1.0, 2.0), Trend)
    # The member is the French word the review prints.
    assert f"{IndicatorStatus.TARGET_MET}" == "cible atteinte"


def test_the_indicator_rule_is_the_editable_text_and_names_every_status():
    assert indicator_rule() == texts("regles-evaluation")["statut"]
    assert step_rule() == texts("regles-evaluation")["jalon"]
    for status in IndicatorStatus:
        assert f"« {status} »" in indicator_rule(), status
