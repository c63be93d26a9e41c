"""Compute the review statuses of indicators, steps, fiches and objectives at a closing date.

Just over 500 lines: the four status computations and the summaries built on them share
their column names and are tested together (tests/unit/analysis/test_evaluation.py).

Pure functions on DataFrames: the inputs are the frames of a
:class:`~projet_associatif.suivi.reader.Suivi` and of the data package; the outputs are frames
with French column names, ready to display in the review (``notebooks/06-bilan*.ipynb``).
Statuses are the members of :mod:`.statuses`; :mod:`.review_context` gathers what the review
notebooks need for one profile.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import pandas as pd

from projet_associatif.analysis.statuses import (
    STEPS_DONE,
    Direction,
    FicheSituation,
    IndicatorStatus,
    ObjectiveLevel,
    StepStatus,
    Trend,
)
from projet_associatif.core.dates import to_date
from projet_associatif.core.formatting import is_missing
from projet_associatif.suivi.referentiel import step_summary

_EPS = 1e-9


def _text(value: Any) -> str | None:
    return None if is_missing(value) else str(value)


def _num(value: Any) -> float | None:
    return None if is_missing(value) else float(value)


# --------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------


def effective_targets(indicators: pd.DataFrame, targets: pd.DataFrame | None) -> pd.DataFrame:
    """Return the indicators with the commission's targets overriding the data package's."""
    out = indicators.copy()
    for name in ("valeur_reference", "cible", "date_cible"):
        if name not in out:
            out[name] = None
    out["valeur_reference"] = out["valeur_reference"].astype("Float64")
    out["cible"] = out["cible"].astype("Float64")
    out["date_cible"] = pd.to_datetime(out["date_cible"])
    if targets is None or targets.empty:
        return out
    by_id = targets.set_index("indicateur")
    for i, ind in out["id"].items():
        if ind not in by_id.index:
            continue
        row = by_id.loc[ind]
        out.loc[i, "cible"] = row["cible"]
        if not is_missing(row["valeur_reference"]):
            out.loc[i, "valeur_reference"] = row["valeur_reference"]
        if not is_missing(row["date_cible"]):
            out.loc[i, "date_cible"] = row["date_cible"]
    return out


def measures_as_of(measures: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Return the measurements dated on or before ``as_of``, oldest first."""
    kept = measures[pd.to_datetime(measures["date"]) <= pd.Timestamp(as_of)]
    return kept.sort_values(["indicateur", "date"], kind="stable")


def trend(previous: float | None, latest: float | None) -> Trend:
    """Return « hausse », « baisse », « stable », or « — » without two values."""
    if previous is None or latest is None:
        return Trend.NONE
    if latest > previous + _EPS:
        return Trend.UP
    if latest < previous - _EPS:
        return Trend.DOWN
    return Trend.STABLE


def expected_value(
    base: float, base_date: dt.date, target: float, target_date: dt.date, at: dt.date
) -> float:
    """Return the value expected at ``at`` on the straight line from the baseline to the target.

    Before the baseline date the baseline is expected; from the target date on, the target.
    """
    span = (target_date - base_date).days
    if span <= 0:
        return target
    share = min(max((at - base_date).days / span, 0.0), 1.0)
    return base + (target - base) * share


def meets(value: float, threshold: float, direction: str) -> bool:
    """Return whether ``value`` reaches ``threshold`` in the indicator's direction."""
    if direction == Direction.DOWN:
        return value <= threshold + _EPS
    return value >= threshold - _EPS


def quantitative_status(
    *,
    latest: float,
    latest_date: dt.date,
    first: float,
    first_date: dt.date,
    reference: float | None,
    start: dt.date,
    target: float | None,
    target_date: dt.date | None,
    end: dt.date,
    as_of: dt.date,
    sens: str | None,
) -> tuple[IndicatorStatus, float | None]:
    """Return (status, expected value) of a measured quantitative indicator.

    Rule: without a target, « sans cible ». With one, the direction is the indicator's
    ``sens`` (for « sans objet », the side of the target from the baseline). The latest value
    meeting the target is « cible atteinte ». Otherwise the expected value at the latest
    measurement's date is interpolated linearly between the baseline — ``reference`` at the
    project ``start``, or the first measurement when there is no reference — and the target at
    ``target_date`` (default ``end``, the final review): « en bonne voie » if the latest value
    meets it and the target date has not passed at ``as_of``, else « en retard ».
    """
    if target is None:
        return IndicatorStatus.NO_TARGET, None
    base, base_date = (reference, start) if reference is not None else (first, first_date)
    if sens in tuple(Direction):
        direction = Direction(sens)
    else:  # « sans objet »: the side of the target from the baseline
        direction = Direction.UP if target >= base else Direction.DOWN
    if meets(latest, target, direction):
        return IndicatorStatus.TARGET_MET, None
    deadline = target_date or end
    expected = expected_value(base, base_date, target, deadline, latest_date)
    if as_of >= deadline:
        return IndicatorStatus.LATE, expected
    on_track = meets(latest, expected, direction)
    return (IndicatorStatus.ON_TRACK if on_track else IndicatorStatus.LATE), expected


#: French column names of the indicator status table.
INDICATOR_COLUMNS = {
    "numero": "N° fiche",
    "fiche": "Fiche",
    "id": "Indicateur",
    "libelle": "Libellé",
    "nature": "Nature",
    "unite": "Unité",
    "sens": "Sens",
    "valeur_reference": "Valeur de référence",
    "cible": "Cible",
    "date_cible": "Date cible",
    "nb_mesures": "Mesures",
    "derniere_valeur": "Dernière valeur",
    "date_derniere": "Date de la dernière mesure",
    "valeur_precedente": "Valeur précédente",
    "tendance": "Tendance",
    "valeur_attendue": "Valeur attendue",
    "statut": "Statut",
}


def indicator_status(
    indicators: pd.DataFrame,
    measures: pd.DataFrame,
    targets: pd.DataFrame | None,
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    numbers: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Return one line per indicator: latest value at ``as_of``, trend, target and status.

    ``start`` is the project start (date of the reference values), ``end`` the default target
    date (final review). See :func:`quantitative_status` and
    :func:`~projet_associatif.analysis.statuses.indicator_rule`.
    """
    table = effective_targets(indicators, targets)
    kept = measures_as_of(measures, as_of)
    groups = {ind: g for ind, g in kept.groupby("indicateur", sort=False)}
    rows = []
    for rec in table.to_dict("records"):
        g = groups.get(rec["id"])
        row = {
            "numero": (numbers or {}).get(rec["fiche"]),
            "fiche": rec["fiche"],
            "id": rec["id"],
            "libelle": rec["libelle"],
            "nature": rec["nature"],
            "unite": _text(rec.get("unite")),
            "sens": _text(rec.get("sens")),
            "valeur_reference": _num(rec["valeur_reference"]),
            "cible": _num(rec["cible"]),
            "date_cible": to_date(rec["date_cible"]),
            "nb_mesures": 0 if g is None else len(g),
            "derniere_valeur": None,
            "date_derniere": None,
            "valeur_precedente": None,
            "tendance": Trend.NONE,
            "valeur_attendue": None,
            "statut": IndicatorStatus.NOT_MEASURED,
        }
        if g is not None and len(g):
            last = g.iloc[-1]
            row["date_derniere"] = to_date(last["date"])
            if rec["nature"] == "qualitatif":
                text = last["valeur_texte"]
                row["derniere_valeur"] = last["commentaire"] if is_missing(text) else text
                row["statut"] = IndicatorStatus.MEASURED
            else:
                latest = _num(last["valeur"])
                previous = _num(g.iloc[-2]["valeur"]) if len(g) >= 2 else None
                row.update(derniere_valeur=latest, valeur_precedente=previous)
                row["tendance"] = trend(previous, latest)
                row["statut"], row["valeur_attendue"] = quantitative_status(
                    latest=latest,
                    latest_date=row["date_derniere"],
                    first=_num(g.iloc[0]["valeur"]),
                    first_date=to_date(g.iloc[0]["date"]),
                    reference=row["valeur_reference"],
                    start=start,
                    target=row["cible"],
                    target_date=row["date_cible"],
                    end=end,
                    as_of=as_of,
                    sens=rec.get("sens"),
                )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(INDICATOR_COLUMNS))
    frame["nb_mesures"] = frame["nb_mesures"].astype("Int64")
    frame["numero"] = frame["numero"].astype("Int64")
    for name in ("valeur_reference", "cible", "valeur_precedente", "valeur_attendue"):
        frame[name] = frame[name].astype("Float64")
    return frame.rename(columns=INDICATOR_COLUMNS)


# --------------------------------------------------------------------------------------
# Steps (milestones)
# --------------------------------------------------------------------------------------


def steps_frame(fiches: list[dict[str, Any]]) -> pd.DataFrame:
    """Return one line per step of every fiche: fiche, numero, etape, quoi."""
    rows = [
        {
            "fiche": f["id"],
            "numero": f.get("numero"),
            "etape": str(e["etape"]),
            "quoi": step_summary(e),
        }
        for f in fiches
        for e in f.get("etapes") or []
    ]
    return pd.DataFrame(rows, columns=["fiche", "numero", "etape", "quoi"])


def step_status(
    planned: dt.date | None, done: dt.date | None, as_of: dt.date
) -> tuple[StepStatus, int | None]:
    """Return (status, days late) of one step at ``as_of``; a completion after it is ignored."""
    if done is not None and done > as_of:
        done = None  # not yet done at the closing date
    if planned is None:
        return (StepStatus.DONE_NO_DEADLINE if done else StepStatus.NO_DEADLINE), None
    if done is not None:
        late = (done - planned).days
        return (StepStatus.DONE_ON_TIME, None) if late <= 0 else (StepStatus.DONE_LATE, late)
    if planned < as_of:
        return StepStatus.NOT_DONE_LATE, (as_of - planned).days
    return StepStatus.NOT_YET_DUE, None


MILESTONE_COLUMNS = {
    "numero": "N° fiche",
    "fiche": "Fiche",
    "etape": "Étape",
    "quoi": "Quoi",
    "date_prevue": "Date prévue",
    "date_realisee": "Date réalisée",
    "statut": "Statut",
    "retard_jours": "Retard (jours)",
    "commentaire": "Commentaire",
}


def milestone_status(
    steps: pd.DataFrame, milestones: pd.DataFrame, *, as_of: dt.date
) -> pd.DataFrame:
    """Return one line per fiche step with its dates and status at ``as_of``.

    Steps come from the fiches (:func:`steps_frame`); the commission's ``milestones``
    (« jalons ») give their dates. See :func:`step_status` and
    :func:`~projet_associatif.analysis.statuses.step_rule`.
    """
    recorded = {(j["fiche"], j["etape"]): j for j in milestones.to_dict("records")}
    rows = []
    for step in steps.to_dict("records"):
        j = recorded.get((step["fiche"], step["etape"]), {})
        planned = to_date(j.get("date_prevue"))
        done = to_date(j.get("date_realisee"))
        status, late = step_status(planned, done, as_of)
        comment = j.get("commentaire")
        rows.append(
            {
                **step,
                "date_prevue": planned,
                "date_realisee": done if done and done <= as_of else None,
                "statut": status,
                "retard_jours": late,
                "commentaire": None if is_missing(comment) else comment,
            }
        )
    frame = pd.DataFrame(rows, columns=list(MILESTONE_COLUMNS))
    frame["retard_jours"] = frame["retard_jours"].astype("Int64")
    frame["numero"] = frame["numero"].astype("Int64")
    return frame.rename(columns=MILESTONE_COLUMNS)


# --------------------------------------------------------------------------------------
# Answers to the evaluation questions
# --------------------------------------------------------------------------------------


def answers_table(
    answers: pd.DataFrame,
    questions: pd.DataFrame,
    *,
    as_of: dt.date,
    numbers: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Return the latest answer to each (fiche, question) given on or before ``as_of``."""
    kept = answers[pd.to_datetime(answers["date"]) <= pd.Timestamp(as_of)]
    kept = kept.sort_values(["fiche", "question", "date"], kind="stable")
    latest = kept.groupby(["fiche", "question"], sort=False).tail(1)
    texts = dict(zip(questions["id"], questions["libelle"], strict=True))
    order = {qid: i for i, qid in enumerate(questions["id"])}
    rows = [
        {
            "N° fiche": (numbers or {}).get(r["fiche"]),
            "Fiche": r["fiche"],
            "Question": r["question"],
            "Libellé de la question": texts.get(r["question"]),
            "Réponse": r["reponse"],
            "Date": to_date(r["date"]),
        }
        for r in latest.to_dict("records")
    ]
    frame = pd.DataFrame(
        rows, columns=["N° fiche", "Fiche", "Question", "Libellé de la question", "Réponse", "Date"]
    )
    frame["N° fiche"] = frame["N° fiche"].astype("Int64")
    rank = frame["Question"].map(order)
    return (
        frame.assign(_rank=rank)
        .sort_values(["N° fiche", "Fiche", "_rank"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


# --------------------------------------------------------------------------------------
# Summaries and dashboard
# --------------------------------------------------------------------------------------


def _counts(frame: pd.DataFrame, statuses: type[StrEnum], fiches: list[str]) -> pd.DataFrame:
    """Return, per fiche id, the number of lines in each status (zeros included)."""
    table = pd.crosstab(frame["Fiche"], frame["Statut"]) if len(frame) else pd.DataFrame()
    return table.reindex(index=fiches, columns=list(statuses), fill_value=0).astype("int64")


def summary_by_fiche(
    indicators: pd.DataFrame,
    milestones: pd.DataFrame,
    fiches: list[dict[str, Any]],
) -> pd.DataFrame:
    """Return one line per fiche counting its indicators and steps in each status.

    ``indicators`` and ``milestones`` are the outputs of :func:`indicator_status` and
    :func:`milestone_status`.
    """
    ids = [f["id"] for f in fiches]
    ind = _counts(indicators, IndicatorStatus, ids)
    jal = _counts(milestones, StepStatus, ids)
    ind.columns = [f"Indicateurs : {s}" for s in ind.columns]
    jal.columns = [f"Étapes : {s}" for s in jal.columns]
    head = pd.DataFrame(
        {
            "N° fiche": [f.get("numero") for f in fiches],
            "Fiche": ids,
            "Action": [f.get("titre_sommaire") or f.get("titre") for f in fiches],
            "Objectif opérationnel": [f.get("objectif_operationnel") for f in fiches],
        }
    )
    head["N° fiche"] = head["N° fiche"].astype("Int64")
    out = pd.concat(
        [head.reset_index(drop=True), ind.reset_index(drop=True), jal.reset_index(drop=True)],
        axis=1,
    )
    return out


def summary_by_objective(
    by_fiche: pd.DataFrame,
    objectives: list[dict[str, Any]],
    *,
    level: str = ObjectiveLevel.OPERATIONAL,
) -> pd.DataFrame:
    """Return the counts of :func:`summary_by_fiche` summed per operational or general objective."""
    if level not in tuple(ObjectiveLevel):
        raise ValueError("niveau doit valoir « operationnel » ou « general »")
    counts = [c for c in by_fiche.columns if c.startswith(("Indicateurs : ", "Étapes : "))]
    indexed = by_fiche.set_index("Fiche")
    rows = []
    for og in objectives:
        groups = (
            [(oo["id"], oo.get("libelle"), oo["fiches"]) for oo in og["objectifs_operationnels"]]
            if level == ObjectiveLevel.OPERATIONAL
            else [
                (
                    og["id"],
                    og.get("libelle"),
                    [f for oo in og["objectifs_operationnels"] for f in oo["fiches"]],
                )
            ]
        )
        for oid, label, fiche_ids in groups:
            present = [f for f in fiche_ids if f in indexed.index]
            sums = indexed.loc[present, counts].sum() if present else pd.Series(0, index=counts)
            rows.append({"Objectif": oid, "Libellé": label, "Actions": len(fiche_ids), **sums})
    frame = pd.DataFrame(rows, columns=["Objectif", "Libellé", "Actions", *counts])
    return frame.astype({c: "int64" for c in ["Actions", *counts]})


DASHBOARD_COLUMNS = [
    "N° fiche",
    "Action",
    "Objectif opérationnel",
    "Indicateurs",
    "Indicateurs mesurés",
    "Cibles atteintes",
    "En bonne voie",
    "En retard",
    "Étapes",
    "Étapes réalisées",
    "Étapes en retard",
    "Réponses",
    "Situation",
]


def dashboard(
    indicators: pd.DataFrame,
    milestones: pd.DataFrame,
    answers: pd.DataFrame,
    fiches: list[dict[str, Any]],
) -> pd.DataFrame:
    """Return the one-page synthesis: one line per fiche with counts and its situation.

    « Étapes en retard » counts steps not done past their planned date. The situation is
    « retard constaté » when an indicator or a step is late, « aucune donnée » when nothing is
    recorded for the fiche (no measure, no step date, no answer), else « sans retard constaté ».
    """
    ids = [f["id"] for f in fiches]
    ind = _counts(indicators, IndicatorStatus, ids)
    jal = _counts(milestones, StepStatus, ids)
    n_ind = ind.sum(axis=1)
    n_rep = answers["Fiche"].value_counts().reindex(ids, fill_value=0) if len(answers) else 0
    dated = milestones[milestones["Date prévue"].notna() | milestones["Date réalisée"].notna()]
    n_dated = dated["Fiche"].value_counts().reindex(ids, fill_value=0)
    measured = n_ind - ind[IndicatorStatus.NOT_MEASURED]
    done = jal[list(STEPS_DONE)].sum(axis=1)
    late = ind[IndicatorStatus.LATE] + jal[StepStatus.NOT_DONE_LATE]
    n_rep = n_rep if isinstance(n_rep, pd.Series) else pd.Series(0, index=ids)
    situation = [
        FicheSituation.LATE
        if late[f] > 0
        else FicheSituation.NO_DATA
        if measured[f] == 0 and n_dated[f] == 0 and n_rep[f] == 0
        else FicheSituation.NO_DELAY
        for f in ids
    ]
    frame = pd.DataFrame(
        {
            "N° fiche": [f.get("numero") for f in fiches],
            "Action": [f.get("titre_sommaire") or f.get("titre") for f in fiches],
            "Objectif opérationnel": [f.get("objectif_operationnel") for f in fiches],
            "Indicateurs": n_ind.to_numpy(),
            "Indicateurs mesurés": measured.to_numpy(),
            "Cibles atteintes": ind[IndicatorStatus.TARGET_MET].to_numpy(),
            "En bonne voie": ind[IndicatorStatus.ON_TRACK].to_numpy(),
            "En retard": ind[IndicatorStatus.LATE].to_numpy(),
            "Étapes": jal.sum(axis=1).to_numpy(),
            "Étapes réalisées": done.to_numpy(),
            "Étapes en retard": jal[StepStatus.NOT_DONE_LATE].to_numpy(),
            "Réponses": n_rep.to_numpy(),
            "Situation": situation,
        },
        columns=DASHBOARD_COLUMNS,
    )
    frame["N° fiche"] = frame["N° fiche"].astype("Int64")
    return frame
