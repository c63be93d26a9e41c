"""Chapter « Ce qui a changé depuis l'édition précédente »: each figure « 2020 → 2026 ».

For a next edition only (its ``identite.yaml`` names the previous edition's data): per
resource, the figures that changed, written « valeur 2020 → valeur 2026 » in French number
formatting with their unit, how many stayed the same, and the rows added or removed; then
what was not compared and why. A project without a previous edition gets one sentence.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from projet_associatif.analysis.edition_changes import (
    EditionChanges,
    FigureChange,
    ResourceChanges,
    Row,
    edition_changes,
)
from projet_associatif.core.formatting import NBSP, euros, number, percent, points
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present.blocks import Table, Text
from projet_associatif.present.tables import column_decimals

ARROW = "→"
NO_PREVIOUS = (
    "Ce projet n'a pas d'édition précédente déclarée (identite.yaml, « edition » → "
    "« precedente ») : il n'y a rien à comparer."
)
#: Columns of a resource's table of changed figures.
LINE, LABEL, FIGURE = "Ligne", "Libellé", "Chiffre"


def changes(data_dir: Path | None = None) -> EditionChanges | None:
    """Return the comparison with the previous edition, or None when there is none."""
    return edition_changes(data_dir)


def value_text(value: float | int, unit: str | None, decimals: int) -> str:
    """Return one figure in French, with its unit (« 15,5 % », « 12 000 € », « +0,6 pt »)."""
    if unit == "points":
        return points(value, decimals)
    if unit == "pct":
        return percent(value, decimals)
    if unit == "annees":
        return f"{number(value, decimals)}{NBSP}ans"
    if unit == "eur":
        return euros(value, 2 if decimals else 0)
    return number(value, decimals)


def change_text(change: FigureChange) -> str:
    """Return « previous → current », both written alike (same decimals, same unit)."""
    decimals = column_decimals(pd.Series([change.previous, change.current]))
    before = value_text(change.previous, change.unit, decimals)
    after = value_text(change.current, change.unit, decimals)
    return f"{before}{NBSP}{ARROW} {after}"


def summary(result: EditionChanges | None) -> Text:
    """Return the opening sentence: which editions are compared, and the counts."""
    if result is None:
        return Text(escape_markdown(NO_PREVIOUS))
    changed = sum(len(r.changed) for r in result.resources)
    same = sum(r.unchanged for r in result.resources)
    added = sum(len(r.added) for r in result.resources)
    removed = sum(len(r.removed) for r in result.resources)
    prev, cur = result.previous_year, result.current_year
    if not (changed or added or removed):
        return Text(
            f"Aucun chiffre n'a changé entre l'édition {prev} et l'édition {cur} : "
            f"{_count(same, 'chiffre comparé', 'chiffres comparés')}, tous identiques."
        )
    return Text(
        f"Les données de l'édition {cur} sont comparées à celles de l'édition {prev}, "
        "ligne à ligne sur la clé de chaque table : "
        f"{_count(changed, 'chiffre a changé', 'chiffres ont changé')}, "
        f"{_count(same, 'est inchangé', 'sont inchangés')} ; "
        f"{_rows_count(added, removed)}. "
        f"Chaque chiffre modifié s'écrit « valeur {prev} {ARROW} valeur {cur} »."
    )


def _count(n: int, one: str, many: str) -> str:
    # French: zero takes the singular (« 0 ligne retirée »).
    return f"{number(n)} {one if n <= 1 else many}"


def _rows_count(added: int, removed: int) -> str:
    if not (added or removed):
        return "aucune ligne ajoutée ni retirée"
    return (
        f"{_count(added, 'ligne ajoutée', 'lignes ajoutées')}, "
        f"{_count(removed, 'ligne retirée', 'lignes retirées')}"
    )


def _row_name(row: Row) -> str:
    return " · ".join(row.key)


def resource_sentence(result: EditionChanges, resource: ResourceChanges) -> Text:
    """Return what changed in one resource, in one paragraph: counts, added and removed rows."""
    if not resource.has_changes:
        if not resource.unchanged:
            return Text("Aucun chiffre n'est présent dans les deux éditions.")
        return Text(
            f"Aucun chiffre n'a changé ({_count(resource.unchanged, 'inchangé', 'inchangés')})."
        )
    parts = [
        _count(len(resource.changed), "chiffre a changé", "chiffres ont changé"),
        _count(resource.unchanged, "inchangé", "inchangés"),
    ]
    text = f"{', '.join(parts)}."
    if resource.added:
        text += f" Lignes ajoutées en {result.current_year} : {_rows_list(resource.added)}."
    if resource.removed:
        text += f" Lignes retirées depuis {result.previous_year} : {_rows_list(resource.removed)}."
    return Text(text)


def _rows_list(rows: list[Row]) -> str:
    return " ; ".join(
        escape_markdown(f"{_row_name(r)} ({r.label})" if r.label else _row_name(r)) for r in rows
    )


def changes_frame(result: EditionChanges, resource: ResourceChanges) -> pd.DataFrame:
    """Return one line per changed figure: the row, its label, the figure, « avant → après »."""
    header = f"{result.previous_year} {ARROW} {result.current_year}"
    with_label = any(c.row.label for c in resource.changed)
    columns = [LINE, *([LABEL] if with_label else []), FIGURE, header]
    rows = [
        {
            LINE: _row_name(c.row),
            LABEL: c.row.label,
            FIGURE: c.field_title,
            header: change_text(c),
        }
        for c in resource.changed
    ]
    return pd.DataFrame(rows, columns=columns)


def changes_table(result: EditionChanges, resource: ResourceChanges) -> Table | None:
    """Return the table of one resource's changed figures (None when none changed)."""
    if not resource.changed:
        return None
    frame = changes_frame(result, resource)
    header = frame.columns[-1]
    return Table(
        frame,
        title=f"{resource.title} : chiffres modifiés depuis l'édition {result.previous_year}",
        source=f"{resource.file}, éditions {result.previous_year} et {result.current_year}",
        align={header: "right"},
        label=f"tbl-edition-{_anchor(resource.name)}",
    )


def chapter(result: EditionChanges | None) -> list[Text | Table]:
    """Return the whole chapter after its title: summary, resource by resource, then the rest.

    Without a previous edition, the one sentence saying so (no empty heading).
    """
    blocks: list[Text | Table] = [summary(result)]
    if result is None:
        return blocks
    changed = [r for r in result.resources if r.has_changes]
    if changed:
        blocks.append(Text("## Les chiffres, table par table {#edition-precedente-tables}"))
    for resource in changed:
        heading = f"### {escape_markdown(resource.title)} {{#edition-{_anchor(resource.name)}}}"
        blocks.append(Text(f"{heading}\n\n{resource_sentence(result, resource)}"))
        table = changes_table(result, resource)
        if table is not None:
            blocks.append(table)
    same = [r for r in result.resources if not r.has_changes]
    if same:
        blocks.append(unchanged_text(same))
    if result.not_compared:
        blocks.append(not_compared_text(result))
    return blocks


def unchanged_text(resources: list[ResourceChanges]) -> Text:
    """Return the tables whose figures all stayed the same, one line each, under a heading."""
    items = "\n".join(
        f"- {escape_markdown(r.title)} : "
        + (
            _count(r.unchanged, "chiffre identique", "chiffres identiques")
            if r.unchanged
            else "aucun chiffre présent dans les deux éditions"
        )
        + "."
        for r in resources
    )
    return Text(f"## Les tables sans changement {{#edition-precedente-sans-changement}}\n\n{items}")


def _anchor(name: str) -> str:
    return name.replace("_", "-")


def not_compared_text(result: EditionChanges) -> Text:
    """Return the resources left out of the comparison, each with its reason, under a heading."""
    items = "\n".join(
        f"- {escape_markdown(n.title)} : {escape_markdown(n.reason)}." for n in result.not_compared
    )
    return Text(
        "## Ce qui n'est pas comparé {#edition-precedente-non-compare}\n\n"
        "Ces tables n'ont pas de chiffres à apparier ligne à ligne ; leurs changements se "
        f"lisent dans les chapitres eux-mêmes.\n\n{items}"
    )
