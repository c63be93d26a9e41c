"""The rules of a sheet that its Table Schema cannot say, each a small named check.

A sheet's schema lists its checks by name (``verifications``); each runs on a row once its
cells are parsed (:class:`~projet_associatif.suivi.rows.RowReader`), may record problems
and may complete the row's values (a measurement's date is its period's end when blank).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from projet_associatif.suivi.cells import is_blank, normalise
from projet_associatif.suivi.referentiel import Nature, Referentiel
from projet_associatif.suivi.rows import RowReader, is_percent_cell


@dataclass(frozen=True)
class Context:
    """What a check may need besides the row: the data package's ids and the as-of date."""

    ref: Referentiel
    as_of: dt.date


Check = Callable[[RowReader, Context], None]


def date_or_period(r: RowReader, ctx: Context) -> None:
    """Require a date or a period's end; check the period; date the row by its end if blank."""
    day, start, end = (r.values.get(n) for n in ("date", "periode_debut", "periode_fin"))
    end_blank = is_blank(r.raw("periode_fin").value)
    if is_blank(r.raw("date").value) and end_blank:
        r.problem(
            "date", "date de mesure manquante (renseignez « date » ou la période)", "obligatoire"
        )
    if start and end_blank:
        r.problem("periode_fin", "fin de période manquante alors que le début est donné", "période")
    if start and end and start > end:
        r.problem("periode_debut", "le début de la période est après sa fin", "période")
    if day and end and day != end:
        r.problem(
            "date",
            "la date diffère de la fin de période : laissez « date » vide pour une période",
            "période",
        )
    r.values["date"] = day or end


def value_by_nature(r: RowReader, ctx: Context) -> None:
    """Read ``valeur`` as a number (nombre, taux) or a text (qualitatif) after the indicator."""
    nature = ctx.ref.natures.get(r.values["indicateur"]) if r.known("indicateur") else None
    value, text = None, None
    if nature in {Nature.NUMBER, Nature.RATE}:
        value = r.number("valeur", required=True, percent=nature == Nature.RATE)
    elif nature == Nature.QUALITATIVE:
        text = r.text("valeur")
        if text is None and r.values.get("commentaire") is None:
            r.problem("valeur", "indicateur qualitatif sans valeur ni commentaire", "obligatoire")
    r.values["valeur"], r.values["valeur_texte"] = value, text


def step_of_the_fiche(r: RowReader, ctx: Context) -> None:
    """Require a step of the row's fiche; write it as the fiche spells it (« Étape 1 »)."""
    step = r.values.get("etape")
    if not r.known("fiche") or step is None:
        return
    labels = ctx.ref.steps[r.values["fiche"]]
    matches = [label for label in labels if normalise(label) == normalise(step)]
    if not matches:
        known = ", ".join(labels) or "aucune"
        r.problem(
            "etape",
            f"étape « {step} » inconnue pour la fiche « {r.values['fiche']} » (étapes : {known})",
            "étape connue",
        )
    else:
        r.values["etape"] = matches[0]


def done_by_as_of(r: RowReader, ctx: Context) -> None:
    """Refuse a step done after the review's as-of date: it cannot have happened yet."""
    done = r.values.get("date_realisee")
    if done and done > ctx.as_of:
        r.problem(
            "date_realisee",
            f"date future par rapport à la date d'arrêté ({ctx.as_of.isoformat()}) : "
            f"une étape ne peut pas avoir été réalisée le {done.isoformat()}",
            "date réalisée ≤ date d'arrêté",
        )


def numeric_target(r: RowReader, ctx: Context) -> None:
    """Refuse a target for a qualitative indicator."""
    if r.known("indicateur") and ctx.ref.natures[r.values["indicateur"]] == Nature.QUALITATIVE:
        r.problem("cible", "un indicateur qualitatif n'a pas de cible chiffrée", "cible chiffrée")


def rate_in_percent(r: RowReader, ctx: Context) -> None:
    """Read a rate's target typed in a percent-formatted cell (0.155) as 15.5."""
    if not (r.known("indicateur") and ctx.ref.natures[r.values["indicateur"]] == Nature.RATE):
        return
    for name in ("valeur_reference", "cible"):
        if r.values.get(name) is not None and is_percent_cell(r.raw(name)):
            r.values[name] *= 100


def deadline_after_date(r: RowReader, ctx: Context) -> None:
    """Refuse a recommendation due before the meeting that made it."""
    day, deadline = r.values.get("date"), r.values.get("echeance")
    if day and deadline and deadline < day:
        r.problem(
            "echeance",
            f"échéance ({deadline.isoformat()}) antérieure à la date de la préconisation "
            f"({day.isoformat()})",
            "échéance après la date",
        )


#: The checks a schema may name in ``verifications``.
CHECKS: dict[str, Check] = {
    "date_ou_periode": date_or_period,
    "valeur_selon_nature": value_by_nature,
    "etape_de_la_fiche": step_of_the_fiche,
    "realisation_avant_arrete": done_by_as_of,
    "cible_chiffree": numeric_target,
    "taux_en_pourcentage": rate_in_percent,
    "echeance_apres_date": deadline_after_date,
}
