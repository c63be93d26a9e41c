"""Compose « État du projet » (``notebooks/completude.ipynb``): what remains to fill in.

The checklist of ``validate``, as the report shows it: every resource of the data package
with its file and its state (rempli, à compléter, à actualiser, conservé) and what to do
about it; the counts; a sentence when everything is filled in. New projects' profiles list
this chapter; the 2020 document does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from projet_associatif.core.errors import relative
from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.data.completeness import Completeness
from projet_associatif.data.package import discover, state_of
from projet_associatif.present.blocks import Table, Text

SOURCE = "descripteurs et fichiers du paquet de données (data/), lus à la construction du rapport"

#: What the analyst does for a resource in each state (the file is named beside it).
TODO = {
    Completeness.TO_COMPLETE: "remplir le fichier : {what}",
    Completeness.TO_UPDATE: (
        "mettre à jour les chiffres, puis retirer le bloc « actualisation » du descripteur "
        "(ou écrire « statut: conservé » avec un motif)"
    ),
    Completeness.KEPT: "rien : chiffres conservés ({why})",
    Completeness.FILLED: "rien",
}

#: What to do for a blank project's table, whose descriptor describes nothing yet.
BLANK_TODO = (
    "remplir le fichier selon les colonnes de son descripteur, puis y écrire sa description "
    "et ses sources (titre, millésime)"
)

#: Plural words of the counts sentence, in the checklist's order.
COUNT_WORDS = {
    Completeness.FILLED: ("remplie", "remplies"),
    Completeness.TO_COMPLETE: ("à compléter", "à compléter"),
    Completeness.TO_UPDATE: ("à actualiser", "à actualiser"),
    Completeness.KEPT: ("conservée", "conservées"),
}


@dataclass(frozen=True)
class Item:
    """One line of the checklist: a resource, its file, its state and what to do."""

    name: str
    title: str
    file: str
    state: Completeness
    todo: str


def checklist(data_dir: Path | None = None) -> list[Item]:
    """Return every resource of the data package with its state, in the package's order."""
    root = Path(data_dir or default_data_dir())
    items = []
    for info in discover(root).values():
        state = state_of(info.name, root)
        title = str(info.descriptor.get("title") or info.name)
        block = info.descriptor.get("actualisation")
        why = block.get("motif", "") if isinstance(block, dict) else ""
        what = str(info.descriptor.get("description") or title).strip().split("\n")[0]
        if what.startswith("À compléter"):
            # A blank project's descriptors all say the same: the schema is the guide.
            todo = BLANK_TODO
        else:
            todo = TODO[state].format(what=what, why=why or "motif non précisé")
        items.append(Item(info.name, title, relative(info.path), state, todo))
    return items


def counts(items: list[Item]) -> dict[Completeness, int]:
    """Return how many resources are in each state (every state, zero included)."""
    return {state: sum(1 for i in items if i.state == state) for state in COUNT_WORDS}


def summary(items: list[Item]) -> Text:
    """Return the counts, or the sentence saying that the project is complete."""
    number = counts(items)
    if not items:
        return Text("Le paquet de données ne décrit encore aucune ressource.")
    if number[Completeness.TO_COMPLETE] == number[Completeness.TO_UPDATE] == 0:
        return Text(
            f"Les {len(items)}{NBSP}ressources du paquet de données sont remplies et à jour"
            f" : il ne reste rien à compléter."
        )
    always = (Completeness.FILLED, Completeness.TO_COMPLETE)
    shown = {state: n for state, n in number.items() if n or state in always}
    parts = [f"{n}{NBSP}{COUNT_WORDS[state][n > 1]}" for state, n in shown.items()]
    listed = ", ".join(parts[:-1]) + " et " + parts[-1] if len(parts) > 1 else parts[0]
    return Text(
        f"Le paquet de données compte {len(items)}{NBSP}ressources : {listed}. "
        "Chaque ressource à compléter apparaît aussi dans le rapport, à sa place, sous la forme "
        "d'un encadré « À compléter » qui nomme le fichier à remplir."
    )


def remaining_table(items: list[Item]) -> Table | Text:
    """Return the table of what remains to do (à compléter, à actualiser), or a sentence."""
    todo = [i for i in items if i.state in (Completeness.TO_COMPLETE, Completeness.TO_UPDATE)]
    if not todo:
        return Text("Aucune ressource n'est à compléter ni à actualiser.")
    return Table(
        _frame(todo, with_todo=True),
        title="Ce qui reste à compléter ou à actualiser",
        source=SOURCE,
    )


def done_table(items: list[Item]) -> Table | Text:
    """Return the table of the resources filled in or explicitly kept."""
    done = [i for i in items if i.state in (Completeness.FILLED, Completeness.KEPT)]
    if not done:
        return Text("Aucune ressource n'est encore remplie.")
    kept = any(i.state == Completeness.KEPT for i in done)
    return Table(
        _frame(done, with_todo=kept),
        title="Ressources remplies",
        source=SOURCE,
    )


def _frame(items: list[Item], *, with_todo: bool) -> pd.DataFrame:
    """Return the checklist's rows as the report shows them."""
    frame = pd.DataFrame(
        {
            "Ressource": [i.title for i in items],
            "Fichier": [i.file for i in items],
            "État": [str(i.state) for i in items],
            "À faire": [i.todo for i in items],
        }
    )
    return frame if with_todo else frame.drop(columns="À faire")
