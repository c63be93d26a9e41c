"""Compute the review statuses of indicators, steps, fiches and objectives at a closing date.

Pure functions on DataFrames: the inputs are the frames of a
:class:`~projet_associatif.suivi.reader.Suivi` and of the data package; the outputs are frames
with French column names, ready to display in the review (``notebooks/06-bilan.ipynb``).
:func:`review_context` gathers what that notebook needs for one profile.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.config.profiles import add_months, get_profile
from projet_associatif.core.formatting import date_fr
from projet_associatif.core.markup import escape_markdown
from projet_associatif.suivi.reader import Suivi, read_suivi
from projet_associatif.suivi.referentiel import Referentiel, load_referentiel, step_summary

# Indicator statuses, in display order.
CIBLE_ATTEINTE = "cible atteinte"
EN_BONNE_VOIE = "en bonne voie"
EN_RETARD = "en retard"
SANS_CIBLE = "sans cible"
MESURE = "mesuré"
NON_MESURE = "non mesuré"
STATUTS_INDICATEUR = (CIBLE_ATTEINTE, EN_BONNE_VOIE, EN_RETARD, SANS_CIBLE, MESURE, NON_MESURE)

# Step (milestone) statuses, in display order.
REALISE_A_TEMPS = "réalisé dans les délais"
REALISE_EN_RETARD = "réalisé en retard"
NON_REALISE_EN_RETARD = "non réalisé (en retard)"
PAS_ENCORE_DU = "pas encore dû"
REALISE_SANS_ECHEANCE = "réalisé (sans échéance)"
SANS_ECHEANCE = "sans échéance"
STATUTS_JALON = (
    REALISE_A_TEMPS,
    REALISE_EN_RETARD,
    NON_REALISE_EN_RETARD,
    PAS_ENCORE_DU,
    REALISE_SANS_ECHEANCE,
    SANS_ECHEANCE,
)

# Overall situation of a fiche on the dashboard.
RETARD_CONSTATE = "retard constaté"
SANS_RETARD = "sans retard constaté"
AUCUNE_DONNEE = "aucune donnée"

AUCUNE_MESURE = "Aucune mesure n'a encore été enregistrée"

#: The status rule, worded for the report (the notebook prints it under the table).
REGLE_STATUT = (
    "Chaque indicateur est lu à la date d'arrêté : les mesures postérieures sont ignorées. "
    "La dernière valeur est comparée à la cible fixée par la commission, dans le sens de "
    "l'indicateur (à la hausse : valeur ≥ cible ; à la baisse : valeur ≤ cible) : si elle "
    "l'atteint, « cible atteinte ». Sinon, la valeur attendue à la date de la dernière mesure "
    "est obtenue par interpolation linéaire entre la valeur de référence (au début du projet, "
    "ou à défaut la première mesure) et la cible à sa date cible (à défaut, la date du bilan "
    "final) : la dernière valeur est « en bonne voie » si elle atteint la valeur attendue, "
    "« en retard » sinon ou si la date cible est passée. Sans cible : « sans cible », avec la "
    "dernière valeur. Un indicateur qualitatif est « mesuré » dès qu'une appréciation est "
    "enregistrée. Sans aucune mesure à la date d'arrêté : « non mesuré ». La tendance compare "
    "les deux dernières mesures."
)

REGLE_JALON = (
    "Une étape est « réalisée dans les délais » si sa date de réalisation ne dépasse pas sa "
    "date prévue, « réalisée en retard » sinon ; non réalisée à la date d'arrêté, elle est "
    "« non réalisée (en retard) » si la date prévue est passée, « pas encore due » sinon. Une "
    "étape sans date prévue enregistrée est « sans échéance » : la source ne donne pas de "
    "dates d'échéance exploitables, c'est la commission qui les fixe."
)

PROFILS = {
    "bilan-intermediaire": ("intermediaire", "Bilan intermédiaire"),
    "bilan-final": ("final", "Bilan final"),
}

_EPS = 1e-9


def _date(value: Any) -> dt.date | None:
    """Return a plain date from a Timestamp, date or missing value."""
    if value is None or value is pd.NaT or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    return float(value)


# --------------------------------------------------------------------------------------
# Indicators
# --------------------------------------------------------------------------------------


def effective_targets(indicateurs: pd.DataFrame, cibles: pd.DataFrame) -> pd.DataFrame:
    """Return the indicators with the commission's targets overriding the data package's."""
    out = indicateurs.copy()
    for name in ("valeur_reference", "cible", "date_cible"):
        if name not in out:
            out[name] = None
    out["valeur_reference"] = out["valeur_reference"].astype("Float64")
    out["cible"] = out["cible"].astype("Float64")
    out["date_cible"] = pd.to_datetime(out["date_cible"])
    if cibles is None or cibles.empty:
        return out
    by_id = cibles.set_index("indicateur")
    for i, ind in out["id"].items():
        if ind not in by_id.index:
            continue
        row = by_id.loc[ind]
        out.loc[i, "cible"] = row["cible"]
        if not pd.isna(row["valeur_reference"]):
            out.loc[i, "valeur_reference"] = row["valeur_reference"]
        if not pd.isna(row["date_cible"]):
            out.loc[i, "date_cible"] = row["date_cible"]
    return out


def measures_as_of(mesures: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Return the measurements dated on or before ``as_of``, oldest first."""
    kept = mesures[pd.to_datetime(mesures["date"]) <= pd.Timestamp(as_of)]
    return kept.sort_values(["indicateur", "date"], kind="stable")


def trend(previous: float | None, latest: float | None) -> str:
    """Return « hausse », « baisse », « stable », or « — » without two values."""
    if previous is None or latest is None:
        return "—"
    if latest > previous + _EPS:
        return "hausse"
    if latest < previous - _EPS:
        return "baisse"
    return "stable"


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
    if direction == "baisse":
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
) -> tuple[str, float | None]:
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
        return SANS_CIBLE, None
    base, base_date = (reference, start) if reference is not None else (first, first_date)
    direction = sens if sens in {"hausse", "baisse"} else ("hausse" if target >= base else "baisse")
    if meets(latest, target, direction):
        return CIBLE_ATTEINTE, None
    deadline = target_date or end
    expected = expected_value(base, base_date, target, deadline, latest_date)
    if as_of >= deadline:
        return EN_RETARD, expected
    return (EN_BONNE_VOIE if meets(latest, expected, direction) else EN_RETARD), expected


#: French column names of the indicator status table.
COLONNES_INDICATEURS = {
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
    indicateurs: pd.DataFrame,
    mesures: pd.DataFrame,
    cibles: pd.DataFrame | None,
    *,
    as_of: dt.date,
    start: dt.date,
    end: dt.date,
    numeros: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Return one line per indicator: latest value at ``as_of``, trend, target and status.

    ``start`` is the project start (date of the reference values), ``end`` the default target
    date (final review). See :func:`quantitative_status` and :data:`REGLE_STATUT`.
    """
    table = effective_targets(indicateurs, cibles)
    kept = measures_as_of(mesures, as_of)
    groups = {ind: g for ind, g in kept.groupby("indicateur", sort=False)}
    rows = []
    for rec in table.to_dict("records"):
        g = groups.get(rec["id"])
        row = {
            "numero": (numeros or {}).get(rec["fiche"]),
            "fiche": rec["fiche"],
            "id": rec["id"],
            "libelle": rec["libelle"],
            "nature": rec["nature"],
            "unite": _text(rec.get("unite")),
            "sens": _text(rec.get("sens")),
            "valeur_reference": _num(rec["valeur_reference"]),
            "cible": _num(rec["cible"]),
            "date_cible": _date(rec["date_cible"]),
            "nb_mesures": 0 if g is None else len(g),
            "derniere_valeur": None,
            "date_derniere": None,
            "valeur_precedente": None,
            "tendance": "—",
            "valeur_attendue": None,
            "statut": NON_MESURE,
        }
        if g is not None and len(g):
            last = g.iloc[-1]
            row["date_derniere"] = _date(last["date"])
            if rec["nature"] == "qualitatif":
                text = last["valeur_texte"]
                row["derniere_valeur"] = last["commentaire"] if pd.isna(text) else text
                row["statut"] = MESURE
            else:
                latest = _num(last["valeur"])
                previous = _num(g.iloc[-2]["valeur"]) if len(g) >= 2 else None
                row.update(derniere_valeur=latest, valeur_precedente=previous)
                row["tendance"] = trend(previous, latest)
                row["statut"], row["valeur_attendue"] = quantitative_status(
                    latest=latest,
                    latest_date=row["date_derniere"],
                    first=_num(g.iloc[0]["valeur"]),
                    first_date=_date(g.iloc[0]["date"]),
                    reference=row["valeur_reference"],
                    start=start,
                    target=row["cible"],
                    target_date=row["date_cible"],
                    end=end,
                    as_of=as_of,
                    sens=rec.get("sens"),
                )
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(COLONNES_INDICATEURS))
    frame["nb_mesures"] = frame["nb_mesures"].astype("Int64")
    frame["numero"] = frame["numero"].astype("Int64")
    for name in ("valeur_reference", "cible", "valeur_precedente", "valeur_attendue"):
        frame[name] = frame[name].astype("Float64")
    return frame.rename(columns=COLONNES_INDICATEURS)


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
) -> tuple[str, int | None]:
    """Return (status, days late) of one step at ``as_of``; a completion after it is ignored."""
    if done is not None and done > as_of:
        done = None  # not yet done at the closing date
    if planned is None:
        return (REALISE_SANS_ECHEANCE if done else SANS_ECHEANCE), None
    if done is not None:
        late = (done - planned).days
        return (REALISE_A_TEMPS, None) if late <= 0 else (REALISE_EN_RETARD, late)
    if planned < as_of:
        return NON_REALISE_EN_RETARD, (as_of - planned).days
    return PAS_ENCORE_DU, None


COLONNES_JALONS = {
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


def milestone_status(etapes: pd.DataFrame, jalons: pd.DataFrame, *, as_of: dt.date) -> pd.DataFrame:
    """Return one line per fiche step with its dates and status at ``as_of``.

    Steps come from the fiches (:func:`steps_frame`); the commission's ``jalons`` give their
    dates. See :func:`step_status` and :data:`REGLE_JALON`.
    """
    recorded = {(j["fiche"], j["etape"]): j for j in jalons.to_dict("records")}
    rows = []
    for step in etapes.to_dict("records"):
        j = recorded.get((step["fiche"], step["etape"]), {})
        planned = _date(j.get("date_prevue"))
        done = _date(j.get("date_realisee"))
        status, late = step_status(planned, done, as_of)
        comment = j.get("commentaire")
        rows.append(
            {
                **step,
                "date_prevue": planned,
                "date_realisee": done if done and done <= as_of else None,
                "statut": status,
                "retard_jours": late,
                "commentaire": None if comment is None or pd.isna(comment) else comment,
            }
        )
    frame = pd.DataFrame(rows, columns=list(COLONNES_JALONS))
    frame["retard_jours"] = frame["retard_jours"].astype("Int64")
    frame["numero"] = frame["numero"].astype("Int64")
    return frame.rename(columns=COLONNES_JALONS)


# --------------------------------------------------------------------------------------
# Answers to the evaluation questions
# --------------------------------------------------------------------------------------


def answers_table(
    reponses: pd.DataFrame,
    questions: pd.DataFrame,
    *,
    as_of: dt.date,
    numeros: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Return the latest answer to each (fiche, question) given on or before ``as_of``."""
    kept = reponses[pd.to_datetime(reponses["date"]) <= pd.Timestamp(as_of)]
    kept = kept.sort_values(["fiche", "question", "date"], kind="stable")
    latest = kept.groupby(["fiche", "question"], sort=False).tail(1)
    texts = dict(zip(questions["id"], questions["libelle"], strict=True))
    order = {qid: i for i, qid in enumerate(questions["id"])}
    rows = [
        {
            "N° fiche": (numeros or {}).get(r["fiche"]),
            "Fiche": r["fiche"],
            "Question": r["question"],
            "Libellé de la question": texts.get(r["question"]),
            "Réponse": r["reponse"],
            "Date": _date(r["date"]),
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


def _counts(frame: pd.DataFrame, statuses: tuple[str, ...], fiches: list[str]) -> pd.DataFrame:
    """Return, per fiche id, the number of lines in each status (zeros included)."""
    table = pd.crosstab(frame["Fiche"], frame["Statut"]) if len(frame) else pd.DataFrame()
    return table.reindex(index=fiches, columns=list(statuses), fill_value=0).astype("int64")


def summary_by_fiche(
    indicateurs: pd.DataFrame,
    jalons: pd.DataFrame,
    fiches: list[dict[str, Any]],
) -> pd.DataFrame:
    """Return one line per fiche counting its indicators and steps in each status.

    ``indicateurs`` and ``jalons`` are the outputs of :func:`indicator_status` and
    :func:`milestone_status`.
    """
    ids = [f["id"] for f in fiches]
    ind = _counts(indicateurs, STATUTS_INDICATEUR, ids)
    jal = _counts(jalons, STATUTS_JALON, ids)
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
    by_fiche: pd.DataFrame, objectifs: list[dict[str, Any]], *, niveau: str = "operationnel"
) -> pd.DataFrame:
    """Return the counts of :func:`summary_by_fiche` summed per operational or general objective."""
    if niveau not in {"operationnel", "general"}:
        raise ValueError("niveau doit valoir « operationnel » ou « general »")
    counts = [c for c in by_fiche.columns if c.startswith(("Indicateurs : ", "Étapes : "))]
    indexed = by_fiche.set_index("Fiche")
    rows = []
    for og in objectifs:
        groups = (
            [(oo["id"], oo.get("libelle"), oo["fiches"]) for oo in og["objectifs_operationnels"]]
            if niveau == "operationnel"
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


COLONNES_TABLEAU_DE_BORD = [
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
    indicateurs: pd.DataFrame,
    jalons: pd.DataFrame,
    reponses: pd.DataFrame,
    fiches: list[dict[str, Any]],
) -> pd.DataFrame:
    """Return the one-page synthesis: one line per fiche with counts and its situation.

    « Étapes en retard » counts steps not done past their planned date. The situation is
    « retard constaté » when an indicator or a step is late, « aucune donnée » when nothing is
    recorded for the fiche (no measure, no step date, no answer), else « sans retard constaté ».
    """
    ids = [f["id"] for f in fiches]
    ind = _counts(indicateurs, STATUTS_INDICATEUR, ids)
    jal = _counts(jalons, STATUTS_JALON, ids)
    n_ind = ind.sum(axis=1)
    n_rep = reponses["Fiche"].value_counts().reindex(ids, fill_value=0) if len(reponses) else 0
    dated = jalons[jalons["Date prévue"].notna() | jalons["Date réalisée"].notna()]
    n_dated = dated["Fiche"].value_counts().reindex(ids, fill_value=0)
    measured = n_ind - ind[NON_MESURE]
    done = jal[REALISE_A_TEMPS] + jal[REALISE_EN_RETARD] + jal[REALISE_SANS_ECHEANCE]
    late = ind[EN_RETARD] + jal[NON_REALISE_EN_RETARD]
    n_rep = n_rep if isinstance(n_rep, pd.Series) else pd.Series(0, index=ids)
    situation = [
        RETARD_CONSTATE
        if late[f] > 0
        else AUCUNE_DONNEE
        if measured[f] == 0 and n_dated[f] == 0 and n_rep[f] == 0
        else SANS_RETARD
        for f in ids
    ]
    frame = pd.DataFrame(
        {
            "N° fiche": [f.get("numero") for f in fiches],
            "Action": [f.get("titre_sommaire") or f.get("titre") for f in fiches],
            "Objectif opérationnel": [f.get("objectif_operationnel") for f in fiches],
            "Indicateurs": n_ind.to_numpy(),
            "Indicateurs mesurés": measured.to_numpy(),
            "Cibles atteintes": ind[CIBLE_ATTEINTE].to_numpy(),
            "En bonne voie": ind[EN_BONNE_VOIE].to_numpy(),
            "En retard": ind[EN_RETARD].to_numpy(),
            "Étapes": jal.sum(axis=1).to_numpy(),
            "Étapes réalisées": done.to_numpy(),
            "Étapes en retard": jal[NON_REALISE_EN_RETARD].to_numpy(),
            "Réponses": n_rep.to_numpy(),
            "Situation": situation,
        },
        columns=COLONNES_TABLEAU_DE_BORD,
    )
    frame["N° fiche"] = frame["N° fiche"].astype("Int64")
    return frame


# --------------------------------------------------------------------------------------
# Review context for the notebook
# --------------------------------------------------------------------------------------


@dataclass
class ReviewContext:
    """What the review notebook needs: dates, label, measurement file and the statuses."""

    profile: str
    libelle: str
    as_of: dt.date
    date_debut: dt.date
    date_fin: dt.date
    suivi_fichier: str | None
    suivi: Suivi
    referentiel: Referentiel

    @property
    def fictif(self) -> bool:
        """Return whether the measurement file declares itself fictional."""
        return self.suivi.fictional

    @property
    def a_des_mesures(self) -> bool:
        """Return whether any indicator measurement is dated on or before the closing date."""
        return len(measures_as_of(self.suivi.mesures, self.as_of)) > 0

    @property
    def message(self) -> str | None:
        """Return the plain statement to print when nothing has been measured yet."""
        return None if self.a_des_mesures else AUCUNE_MESURE

    @property
    def avertissement(self) -> str | None:
        """Return the warning to print on every page showing fictional data."""
        if not self.fictif:
            return None
        return (
            "Données fictives : les mesures de ce bilan proviennent d'un fichier d'exemple "
            f"({self.suivi_fichier}) et ne décrivent pas l'activité réelle."
        )

    @property
    def note_dates_futures(self) -> str:
        """Return the note counting the rows of the file dated after the day it was read."""
        n = self.suivi.future_date_rows
        lignes = f"{n} ligne du fichier de suivi porte"
        if n > 1:
            lignes = f"{n} lignes du fichier de suivi portent"
        return (
            f"Note : {lignes} une date postérieure au jour de la construction du bilan : "
            "erreur de saisie probable, à corriger."
        )

    @property
    def _numeros(self) -> dict[str, int]:
        return {f["id"]: f.get("numero") for f in self.referentiel.fiches}

    def indicateurs(self) -> pd.DataFrame:
        """Return the indicator status table at the closing date."""
        return indicator_status(
            self.referentiel.indicateurs,
            self.suivi.mesures,
            self.suivi.cibles,
            as_of=self.as_of,
            start=self.date_debut,
            end=self.date_fin,
            numeros=self._numeros,
        )

    def jalons(self) -> pd.DataFrame:
        """Return the step status table at the closing date."""
        etapes = steps_frame(self.referentiel.fiches)
        return milestone_status(etapes, self.suivi.jalons, as_of=self.as_of)

    def reponses(self) -> pd.DataFrame:
        """Return the latest answers to the evaluation questions at the closing date."""
        return answers_table(
            self.suivi.reponses,
            self.referentiel.questions,
            as_of=self.as_of,
            numeros=self._numeros,
        )

    def par_fiche(self) -> pd.DataFrame:
        """Return the status counts per fiche."""
        return summary_by_fiche(self.indicateurs(), self.jalons(), self.referentiel.fiches)

    def par_objectif(self, niveau: str = "operationnel") -> pd.DataFrame:
        """Return the status counts per operational (or general) objective."""
        return summary_by_objective(self.par_fiche(), self.referentiel.objectifs, niveau=niveau)

    def tableau_de_bord(self) -> pd.DataFrame:
        """Return the one-page synthesis, one line per fiche."""
        return dashboard(
            self.indicateurs(), self.jalons(), self.reponses(), self.referentiel.fiches
        )

    @property
    def date_intermediaire(self) -> dt.date:
        """Return the mid-term review's default as-of date (start + 18 months)."""
        return add_months(self.date_debut, self.referentiel.review_months["bilan-intermediaire"])

    def bilan_intermediaire(self) -> ReviewContext:
        """Return the mid-term review recomputed from the same workbook at its as-of date.

        Measurements, steps and answers dated after that date are left out, so the final
        review can say what moved since (the workbook keeps no copy of the mid-term state).
        """
        label = get_profile("bilan-intermediaire").label
        return replace(
            self, profile="bilan-intermediaire", libelle=label, as_of=self.date_intermediaire
        )

    def preconisations(self) -> pd.DataFrame:
        """Return the commission's recommendations dated on or before the closing date."""
        frame = self.suivi.preconisations
        kept = frame[pd.to_datetime(frame["date"]) <= pd.Timestamp(self.as_of)]
        return kept.sort_values(["date"], kind="stable").reset_index(drop=True)

    def entete(self) -> str:
        """Return the Markdown heading block of the review (label, date, file, warnings)."""
        start = date_fr(self.date_debut)
        if self.referentiel.start_status:
            start += f", {escape_markdown(self.referentiel.start_status)}"
        lines = [
            f"**{self.libelle}** — situation arrêtée au {date_fr(self.as_of)} "
            f"(début du projet : {start}).",
            "",
            f"Fichier de suivi : {escape_markdown(self.suivi_fichier or 'aucun')}.",
        ]
        if self.avertissement:
            lines += ["", f"**{self.avertissement}**"]
        if self.suivi.future_date_rows:
            lines += ["", self.note_dates_futures]
        if self.message:
            lines += ["", f"{self.message}."]
        return "\n".join(lines)


def review_context(
    profile: str,
    as_of: str | dt.date | None = "",
    suivi_path: str | Path | None = "",
    data_dir: str | Path | None = "",
) -> ReviewContext:
    """Return the review context for a profile, reading and validating the measurement file.

    Empty strings mean defaults (the notebook parameters are primitives): ``as_of`` = start
    date + 18 or 36 months, no measurement file, the project's ``data/`` directory.
    """
    if profile not in PROFILS:
        known = ", ".join(PROFILS)
        raise ValueError(f"profil « {profile} » sans bilan : choisissez parmi {known}")
    data = Path(data_dir) if data_dir else None
    ref = load_referentiel(data)
    months = ref.review_months[profile]
    end = add_months(ref.start, ref.review_months["bilan-final"])
    if as_of:
        closing = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    else:
        closing = add_months(ref.start, months)
    suivi = Suivi()
    name = None
    if suivi_path:
        path = _resolve(Path(suivi_path))
        suivi = read_suivi(path, data_dir=data, as_of=closing)
        name = path.name
    return ReviewContext(
        profile=profile,
        libelle=get_profile(profile).label,
        as_of=closing,
        date_debut=ref.start,
        date_fin=end,
        suivi_fichier=name,
        suivi=suivi,
        referentiel=ref,
    )


def _resolve(path: Path) -> Path:
    """Return ``path`` as given if it exists, else relative to the project root."""
    if path.is_absolute() or path.exists():
        return path
    from projet_associatif.core.paths import project_root

    candidate = project_root() / path
    return candidate if candidate.exists() else path
