"""Compose annex B (``notebooks/a2-audit.ipynb``): the audit of the source's own figures.

The findings come from :mod:`projet_associatif.analysis.audit` and are shown as they are:
nothing is corrected. Each status gets a table (number, check, both values, gap) followed by
the list of where both values come from, keyed by the same numbers. What each status means is
an editable text (``textes/statuts-audit.yaml``); the method is the notebook's Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from projet_associatif.analysis.audit_findings import STATUSES, AuditStatus, Finding
from projet_associatif.config.identity import source_document
from projet_associatif.core.formatting import MINUS, MISSING, NBSP, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.texts import texts
from projet_associatif.present.blocks import Table, Text
from projet_associatif.present.tables import slug

#: The order in which the annex presents the statuses: discrepancies first.
STATUS_ORDER = (
    AuditStatus.DISCREPANCY,
    AuditStatus.ROUNDING,
    AuditStatus.INFORMATION,
    AuditStatus.CONSISTENT,
)

#: How a count of checks of each status is said, singular and plural.
_STATUS_PLURALS = {
    AuditStatus.CONSISTENT: ("contrôle conforme", "contrôles conformes"),
    AuditStatus.ROUNDING: ("écart d'arrondi", "écarts d'arrondi"),
    AuditStatus.DISCREPANCY: ("écart", "écarts"),
    AuditStatus.INFORMATION: ("information", "informations"),
}

#: Letter numbering the checks of each status (« E1 », « A1 », « I1 », « C1 »).
STATUS_CODES = {
    AuditStatus.DISCREPANCY: "E",
    AuditStatus.ROUNDING: "A",
    AuditStatus.INFORMATION: "I",
    AuditStatus.CONSISTENT: "C",
}

_STATUS_TITLES = {
    AuditStatus.DISCREPANCY: "Écarts relevés dans le document source",
    AuditStatus.ROUNDING: "Écarts expliqués par les arrondis",
    AuditStatus.INFORMATION: "Informations (libellés, cellules vides, référentiel)",
    AuditStatus.CONSISTENT: "Contrôles conformes",
}

FINDING_COLUMNS = ("N°", "Contrôle", "Déclaré", "Calculé", "Écart (calculé − déclaré)")
_VALUE_COLUMNS = ("Déclaré", "Calculé", "Écart (calculé − déclaré)")

AUDIT_SOURCE = (
    "{cited} (valeurs déclarées, page à chaque ligne) ; valeurs calculées "
    "par le module d'audit à partir des tables validées du paquet de données"
)


def status_meanings() -> dict[str, str]:
    """Return what each audit status means, from ``textes/statuts-audit.yaml``."""
    meanings = texts("statuts-audit")
    missing = [str(s) for s in STATUS_ORDER if s not in meanings]
    if missing:
        raise ValueError(f"textes/statuts-audit.yaml : statut(s) sans signification : {missing}")
    return meanings


def status_counts(findings: Sequence[Finding]) -> pd.DataFrame:
    """Return the number of checks per status, with the meaning of each status."""
    unknown = {f.status for f in findings} - set(STATUSES)
    if unknown:
        raise ValueError(f"Statut(s) d'audit inconnu(s) : {sorted(unknown)}")
    meanings = status_meanings()
    rows = [
        {
            "Statut": str(status),
            "Signification": meanings[status],
            "Contrôles": sum(f.status == status for f in findings),
        }
        for status in STATUS_ORDER
    ]
    rows.append({"Statut": "Total", "Signification": "", "Contrôles": len(findings)})
    return pd.DataFrame(rows)


def _audit_source() -> str:
    """Return the audit tables' source line (a project without source document says so)."""
    document = source_document()
    return AUDIT_SOURCE.format(cited=document.cited_as if document else "document source")


def status_counts_table(findings: Sequence[Finding]) -> Table:
    """Return the table of the number of checks per status."""
    return Table(
        status_counts(findings),
        title="Contrôles de l'audit par statut",
        source=_audit_source(),
        label="tbl-audit-statuts",
    )


def _count(n: int, status: AuditStatus) -> str:
    singular, plural = _STATUS_PLURALS[status]
    return f"{number(n)} {singular if n == 1 else plural}"


def summary(findings: Sequence[Finding]) -> Text:
    """Return the one-sentence summary of the audit, counts by status.

    Groups of checks that could not run for lack of data (``findings.skipped``, see
    :func:`~projet_associatif.analysis.audit.run_audit`) are named after it.
    """
    counts = {s: sum(f.status == s for f in findings) for s in STATUS_ORDER}
    listed = [_count(counts[s], s) for s in STATUS_ORDER]
    skipped = [escape_markdown(line) for line in getattr(findings, "skipped", [])]
    groups = (
        "1 groupe de contrôles n'a pas pu être exécuté"
        if len(skipped) == 1
        else f"{number(len(skipped))} groupes de contrôles n'ont pas pu être exécutés"
    )
    lacking = f" Faute de données, {groups}{NBSP}: {' ; '.join(skipped)}." if skipped else ""
    return Text(
        f"L'audit compte {number(len(findings))} contrôles{NBSP}: "
        f"{', '.join(listed[:-1])} et {listed[-1]}. Aucun chiffre du document source n'a été "
        "corrigé : les valeurs énoncées sont publiées telles qu'imprimées, et les tables de "
        f"données les gardent ainsi.{lacking}"
    )


def audit_value(text: str) -> str:
    """Return an audit value in French: numbers formatted (floating noise below 1e-9 is 0)."""
    text = (text or "").strip()
    if not text:
        return MISSING
    try:
        value = float(text)
    except ValueError:
        return text
    if abs(value) < 1e-9:
        value = 0.0
    return number(value)


def audit_gap(text: str) -> str:
    """Return a gap (calculé − déclaré) signed, « 0 » when nil, « — » when not computable."""
    shown = audit_value(text)
    if shown in (MISSING, "0") or shown.startswith(MINUS) or not shown[:1].isdigit():
        return shown
    return f"+{shown}"


def _of_status(findings: Sequence[Finding], status: str) -> list[Finding]:
    if status not in STATUSES:
        raise ValueError(f"Statut d'audit inconnu : {status!r} ({', '.join(STATUSES)})")
    return [f for f in findings if f.status == status]


def findings_table(findings: Sequence[Finding], status: str) -> pd.DataFrame:
    """Return the findings of one status as the annex's table: number, check, both values.

    The origins of the values and the comments, long texts, follow the table as a list
    (:func:`findings_origins_markdown`) keyed by the same numbers: the table stays narrow
    enough for the printed page.
    """
    chosen = _of_status(findings, status)
    code = STATUS_CODES[AuditStatus(status)]
    rows = [
        {
            "N°": f"{code}{i}",
            "Contrôle": f"{f.check} ({f.category})",
            "Déclaré": audit_value(f.stated),
            "Calculé": audit_value(f.computed),
            "Écart (calculé − déclaré)": audit_gap(f.gap),
        }
        for i, f in enumerate(chosen, start=1)
    ]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def findings_origins_markdown(findings: Sequence[Finding], status: str) -> str:
    """Return, for each finding of one status, where both values come from and the comment."""
    items = []
    for i, f in enumerate(_of_status(findings, status), start=1):
        text = (
            f"Valeur déclarée{NBSP}: {f.stated_source or MISSING}. "
            f"Valeur calculée{NBSP}: {f.computed_source or MISSING}."
        )
        if f.comment:
            text += f" Commentaire{NBSP}: {f.comment}."
        items.append(f"- **{STATUS_CODES[AuditStatus(status)]}{i}** — {escape_markdown(text)}")
    return "\n".join(items) + "\n"


def _numeric_text(text: str) -> bool:
    """Return True for a French-formatted number (or « — »), False for words."""
    return bool(re.fullmatch(rf"[+{MINUS}]?[\d{NBSP}]+(,\d+)?|{MISSING}", text))


def findings_of_status(findings: Sequence[Finding], status: str) -> list[Table | Text]:
    """Return the table of one status and the origins list, or a sentence if none has it."""
    frame = findings_table(findings, status)
    if frame.empty:
        return [Text(f"Aucun contrôle n'a le statut « {status} ».")]
    # Numbers line up on the right; a column holding words (titles compared) stays left.
    right = {c: "right" for c in _VALUE_COLUMNS if all(_numeric_text(v) for v in frame[c])}
    table = Table(
        frame,
        title=f"{_STATUS_TITLES[AuditStatus(status)]} ({number(len(frame))})",
        source=_audit_source(),
        align=right,
        label=f"tbl-audit-{slug(status)}",
        note="origine des deux valeurs et commentaire de chaque contrôle : liste qui suit, "
        "par numéro.",
    )
    return [table, Text(findings_origins_markdown(findings, status))]
