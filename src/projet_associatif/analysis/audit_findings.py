"""Record what one cross-check of the source found: status, both values, their origins.

Statuses:
- ``conforme``: the computed value equals the stated one (within the stated precision);
- ``arrondi``: they differ by no more than the rounding of the stated parts can explain;
- ``écart``: they differ beyond rounding — a discrepancy in the source;
- ``information``: a textual inconsistency or a value the source leaves blank, shown for
  transparency but not an arithmetic discrepancy.

The checks themselves are in :mod:`projet_associatif.analysis.audit`; the findings are data,
written as CSV (French columns) or printed by the CLI, and published in annex B.
"""

from __future__ import annotations

import csv
import enum
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.core.formatting import is_missing


class AuditStatus(enum.StrEnum):
    """Status of one cross-check; the value is the French word the annex and the CSV show."""

    CONSISTENT = "conforme"
    ROUNDING = "arrondi"
    DISCREPANCY = "écart"
    INFORMATION = "information"


#: Every status, in the order of the CSV's and the CLI's summary.
STATUSES = tuple(AuditStatus)


@dataclass(frozen=True)
class Finding:
    """One cross-check: the stated value, the computed value, and where both come from."""

    id: str
    category: str
    check: str
    stated: str
    computed: str
    gap: str
    status: AuditStatus
    stated_source: str
    computed_source: str
    comment: str = ""


#: The CSV column (French, as published) of each field of :class:`Finding`.
CSV_COLUMNS = {
    "id": "id",
    "category": "categorie",
    "check": "controle",
    "stated": "valeur_declaree",
    "computed": "valeur_calculee",
    "gap": "ecart",
    "status": "statut",
    "stated_source": "source_declaree",
    "computed_source": "source_calculee",
    "comment": "commentaire",
}


def plain_value(value: Any) -> str:
    """Return a value as plain text for the findings table (formatting is the renderer's)."""
    if is_missing(value):
        return ""
    if isinstance(value, float):
        # Two decimals are the finest precision the source prints; rounding also drops the
        # float noise of differences (1e-15).
        value = round(value, 2) + 0.0
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0")
    return str(value)


def compare(
    id_: str,
    category: str,
    check: str,
    stated: float | None,
    computed: float | None,
    *,
    stated_source: str,
    computed_source: str,
    tolerance: float = 0.0,
    rounding: float = 0.0,
    comment: str = "",
) -> Finding:
    """Return the finding of one numeric comparison.

    ``tolerance`` absorbs the precision of the stated figure itself (e.g. 0.5 for a whole
    percentage); ``rounding`` is the larger gap that the rounding of several stated parts
    can explain (status ``arrondi``).
    """
    if is_missing(stated) or is_missing(computed):
        status, gap = AuditStatus.INFORMATION, None
        comment = comment or "valeur absente de la source : comparaison impossible"
    else:
        gap = float(computed) - float(stated)
        if abs(gap) <= tolerance + 1e-9:
            status = AuditStatus.CONSISTENT
        elif abs(gap) <= rounding + 1e-9:
            status = AuditStatus.ROUNDING
        else:
            status = AuditStatus.DISCREPANCY
    return Finding(
        id_,
        category,
        check,
        plain_value(stated),
        plain_value(computed),
        plain_value(gap),
        status,
        stated_source,
        computed_source,
        comment,
    )


def note(
    id_: str,
    category: str,
    check: str,
    stated: str,
    computed: str,
    *,
    stated_source: str,
    computed_source: str,
    comment: str,
) -> Finding:
    """Return an ``information`` finding for a textual inconsistency."""
    return Finding(
        id_,
        category,
        check,
        stated,
        computed,
        "",
        AuditStatus.INFORMATION,
        stated_source,
        computed_source,
        comment,
    )


def _csv_row(finding: Finding) -> dict[str, str]:
    return {CSV_COLUMNS[name]: value for name, value in asdict(finding).items()}


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Return the findings as a DataFrame with French column names (the published table)."""
    return pd.DataFrame([_csv_row(f) for f in findings], columns=list(CSV_COLUMNS.values()))


def write_audit(findings: list[Finding], path: Path) -> Path:
    """Write the findings as a UTF-8 CSV file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CSV_COLUMNS.values()))
        writer.writeheader()
        writer.writerows(_csv_row(f) for f in findings)
    return path


#: Order in which the CLI prints the findings: discrepancies first.
CONSOLE_ORDER = (
    AuditStatus.DISCREPANCY,
    AuditStatus.ROUNDING,
    AuditStatus.INFORMATION,
    AuditStatus.CONSISTENT,
)


class AuditResult(list[Finding]):
    """The findings of an audit, and the groups of checks that lacked data (``skipped``)."""

    def __init__(self, findings: Any = ()) -> None:
        super().__init__(findings)
        #: One French line per group of checks not run: what it covers, the file to fill.
        self.skipped: list[str] = []


def print_audit(findings: list[Finding], console: Any) -> None:
    """Print the findings grouped by status, discrepancies first."""
    # start-up cost: rich is needed only when the CLI prints, not when a notebook audits.
    from rich.table import Table

    order = {status: i for i, status in enumerate(CONSOLE_ORDER)}
    table = Table(title="Audit des chiffres du document source", show_lines=True)
    for name in ("Statut", "Contrôle", "Déclaré", "Calculé", "Où"):
        table.add_column(name, overflow="fold")
    colour = {
        AuditStatus.DISCREPANCY: "red",
        AuditStatus.ROUNDING: "yellow",
        AuditStatus.INFORMATION: "cyan",
        AuditStatus.CONSISTENT: "green",
    }
    for f in sorted(findings, key=lambda f: order[f.status]):
        table.add_row(
            f"[{colour[f.status]}]{f.status}[/]",
            f.check + (f"\n({f.comment})" if f.comment else ""),
            f.stated,
            f.computed,
            f"déclaré : {f.stated_source}\ncalculé : {f.computed_source}",
        )
    console.print(table)
    console.print(summary_sentence(findings))
    for line in getattr(findings, "skipped", []):
        console.print(f"Non exécuté faute de données : {line}", style="yellow", markup=False)


def summary_sentence(findings: list[Finding]) -> str:
    """Return the one-line French count of findings by status, with correct plurals."""
    counts = {s: sum(f.status == s for f in findings) for s in STATUSES}

    def count(n: int, singular: str, plural: str) -> str:
        return f"{n} {singular if n <= 1 else plural}"

    skipped = len(getattr(findings, "skipped", []))
    not_run = count(skipped, "groupe de contrôles non exécuté", "groupes de contrôles non exécutés")
    missing = f" ; {not_run} faute de données (à compléter)" if skipped else ""
    return (
        f"{count(len(findings), 'contrôle', 'contrôles')} : "
        f"{count(counts[AuditStatus.CONSISTENT], 'conforme', 'conformes')}, "
        f"{count(counts[AuditStatus.ROUNDING], 'écart d’arrondi', 'écarts d’arrondi')}, "
        f"{count(counts[AuditStatus.DISCREPANCY], 'écart', 'écarts')}, "
        f"{count(counts[AuditStatus.INFORMATION], 'information', 'informations')}"
        f"{missing}."
    )
