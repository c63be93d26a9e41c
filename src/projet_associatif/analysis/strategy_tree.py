"""Read the strategy's tree: general objectives → operational objectives → fiches-action.

Pure computations on the ``objectifs`` and ``fiches_action`` documents (chapter 5 and annex
A present them): the operational objectives in part 5's order, the checks that the tree and
the fiches agree, and the counts of each level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: Keys of a fiche that are identifiers or the project's notes, not the source's text.
NOT_SOURCE_TEXT = ("note_transcription", "id", "numero", "objectif_operationnel")


def operational_objectives(objectifs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the operational objectives in part 5 order, each with its general objective.

    Each one gets ``general`` (its general objective) and ``code`` (« 1.2 »: general
    objective 1, operational objective 2).
    """
    rows = []
    for og in sorted(objectifs["objectifs_generaux"], key=lambda o: o["ordre_section_5"]):
        for oo in og["objectifs_operationnels"]:
            rows.append({**oo, "general": og, "code": f"{og['numero']}.{oo['numero']}"})
    return rows


def check_strategy(objectifs: Mapping[str, Any], fiches: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return every inconsistency between the objectives tree and the fiches (empty if none)."""
    problems = []
    by_id = {f["id"]: f for f in fiches}
    listed: list[str] = []
    for oo in operational_objectives(objectifs):
        for ident in oo["fiches"]:
            listed.append(ident)
            fiche = by_id.get(ident)
            if fiche is None:
                problems.append(f"{oo['id']} : fiche inconnue « {ident} »")
            elif fiche["objectif_operationnel"] != oo["id"]:
                problems.append(
                    f"fiche « {ident} » : rattachée à {fiche['objectif_operationnel']} mais "
                    f"listée sous {oo['id']}"
                )
    missing = [f["id"] for f in fiches if f["id"] not in listed]
    if missing:
        problems.append(f"fiches absentes de l'arbre des objectifs : {', '.join(missing)}")
    ordered = [f["id"] for f in sorted(fiches, key=lambda f: f["numero"])]
    if not problems and listed != ordered:
        problems.append("l'ordre des fiches diffère entre la partie 5 et l'annexe")
    return problems


def fiches_in_order(
    objectifs: Mapping[str, Any], fiches: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """Return the fiches in the source's order, after checking them against the tree."""
    problems = check_strategy(objectifs, fiches)
    if problems:
        raise ValueError("Objectifs et fiches incohérents :\n- " + "\n- ".join(problems))
    return sorted(fiches, key=lambda f: f["numero"])


def tree_counts(objectifs: Mapping[str, Any]) -> tuple[int, int, int]:
    """Return the number of general objectives, operational objectives and actions."""
    general = objectifs["objectifs_generaux"]
    operational = operational_objectives(objectifs)
    return len(general), len(operational), sum(len(oo["fiches"]) for oo in operational)


def fiche_source_texts(fiche: Mapping[str, Any]) -> Iterable[str]:
    """Yield every source text of a fiche (transcription notes and identifiers excluded)."""

    def walk(value: Any) -> Iterable[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            for key, sub in value.items():
                if key not in NOT_SOURCE_TEXT:
                    yield from walk(sub)
        elif isinstance(value, list):
            for sub in value:
                yield from walk(sub)

    yield from walk(fiche)
