"""Name the review's statuses (French values, shown as they are) and read their rules.

Each status is an :class:`enum.StrEnum` member whose value is the French word the review
prints: code compares members, never French literals, and a status outside these lists
cannot be produced. The rules that explain them to readers live in
``textes/regles-evaluation.yaml`` (keys ``statut`` and ``jalon``), where a non-programmer
edits them; they must stay faithful to the computation in :mod:`.evaluation`.
"""

from __future__ import annotations

from enum import StrEnum

from projet_associatif.core.formatting import MISSING
from projet_associatif.core.texts import texts

RULES_TEXT = "regles-evaluation"


class IndicatorStatus(StrEnum):
    """Status of an indicator at the as-of date, in display order (best first)."""

    TARGET_MET = "cible atteinte"
    ON_TRACK = "en bonne voie"
    LATE = "en retard"
    NO_TARGET = "sans cible"
    MEASURED = "mesuré"
    NOT_MEASURED = "non mesuré"


class StepStatus(StrEnum):
    """Status of a fiche's step (milestone) at the as-of date, in display order."""

    DONE_ON_TIME = "réalisé dans les délais"
    DONE_LATE = "réalisé en retard"
    NOT_DONE_LATE = "non réalisé (en retard)"
    NOT_YET_DUE = "pas encore dû"
    DONE_NO_DEADLINE = "réalisé (sans échéance)"
    NO_DEADLINE = "sans échéance"


#: Step statuses that mean the step was done by the as-of date.
STEPS_DONE = (StepStatus.DONE_ON_TIME, StepStatus.DONE_LATE, StepStatus.DONE_NO_DEADLINE)


class FicheSituation(StrEnum):
    """Overall situation of a fiche on the dashboard."""

    LATE = "retard constaté"
    NO_DELAY = "sans retard constaté"
    NO_DATA = "aucune donnée"


class Direction(StrEnum):
    """Direction in which an indicator improves (the data's ``sens`` column)."""

    UP = "hausse"
    DOWN = "baisse"


class Trend(StrEnum):
    """Move between an indicator's two latest measurements (« — » without two values)."""

    UP = "hausse"
    DOWN = "baisse"
    STABLE = "stable"
    NONE = MISSING


class ObjectiveLevel(StrEnum):
    """Level at which the review sums its counts: operational or general objectives."""

    OPERATIONAL = "operationnel"
    GENERAL = "general"


def indicator_rule() -> str:
    """Return the indicator status rule, worded for the report (textes/regles-evaluation.yaml)."""
    return texts(RULES_TEXT)["statut"]


def step_rule() -> str:
    """Return the step status rule, worded for the report (textes/regles-evaluation.yaml)."""
    return texts(RULES_TEXT)["jalon"]
