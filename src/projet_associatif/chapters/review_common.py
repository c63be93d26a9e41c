"""Share the pieces of the review's chapters: status badges, fiche links, review tables.

The review (bilan intermédiaire, bilan final) is its own book (``_quarto-bilan-*.yml``), one
chapter module per notebook: :mod:`review_synthesis` (``06-bilan``), :mod:`review_fiches`
(``06-bilan-fiches``), :mod:`review_recommendations` (``06-bilan-preconisations``) and
:mod:`review_evolution` (``06-bilan-evolution``). Every status is written with a symbol and a
word, and coloured by the class ``pa-statut-*`` (CSS in HTML, ``impression.lua`` in PDF and
DOCX): never by colour alone. Tables keep few, short columns so that they fit a portrait page
and a phone screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from projet_associatif.analysis.review_context import ReviewContext
from projet_associatif.analysis.statuses import FicheSituation, IndicatorStatus, StepStatus
from projet_associatif.chapters.review import source_line, title
from projet_associatif.core.formatting import NBSP, date_fr, is_missing, number
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present.blocks import Table

#: Symbol and colour class of every status (indicators, steps, fiches).
STATUS_SYMBOLS: dict[str, tuple[str, str]] = {
    IndicatorStatus.TARGET_MET: ("✔", "ok"),
    IndicatorStatus.ON_TRACK: ("▲", "voie"),
    IndicatorStatus.LATE: ("✖", "retard"),
    IndicatorStatus.NO_TARGET: ("◆", "neutre"),
    IndicatorStatus.MEASURED: ("◆", "neutre"),
    IndicatorStatus.NOT_MEASURED: ("○", "attente"),
    StepStatus.DONE_ON_TIME: ("✔", "ok"),
    StepStatus.DONE_LATE: ("✔", "voie"),
    StepStatus.DONE_NO_DEADLINE: ("✔", "ok"),
    StepStatus.NOT_DONE_LATE: ("✖", "retard"),
    StepStatus.NOT_YET_DUE: ("○", "attente"),
    StepStatus.NO_DEADLINE: ("–", "attente"),
    FicheSituation.LATE: ("✖", "retard"),
    FicheSituation.NO_DELAY: ("✔", "ok"),
    FicheSituation.NO_DATA: ("○", "attente"),
}

#: Every step status that means done (on time, late, or without a deadline).
DONE_STATUSES = (StepStatus.DONE_ON_TIME, StepStatus.DONE_LATE, StepStatus.DONE_NO_DEADLINE)


def badge(status: str, text: str | None = None) -> str:
    """Return a status as Markdown: symbol, word(s) and colour class, kept on one line."""
    symbol, kind = STATUS_SYMBOLS[status]
    return status_span(symbol, kind, text if text is not None else status)


def status_span(symbol: str, kind: str, words: str) -> str:
    """Return a symbol and (escaped) words in a span of colour class ``pa-statut-<kind>``."""
    text = escape_markdown(words)
    return f"[{symbol_markdown(symbol)}{NBSP}{text}]{{.pa-statut .pa-statut-{kind}}}"


def symbol_markdown(symbol: str) -> str:
    """Return a status symbol in its own span: the PDF draws it with a font that has it."""
    return f"[{symbol}]{{.pa-symbole}}"


def breakable(text: str) -> str:
    """Return ``text`` with a line-break opportunity after each slash.

    The source joins words with slashes (« partenaires/employeurs/financeurs/jeunes »): too
    long for a table column, Word and LibreOffice would otherwise cut it mid-word.
    """
    return text.replace("/", "/\u200b")


def plural(n: int, words: tuple[str, str]) -> str:
    """Return « n word » with the singular for 0 and 1, the plural above (French rule)."""
    return f"{number(n)} {words[0] if n <= 1 else words[1]}"


def fiche_by_id(bilan: ReviewContext, fiche_id: str) -> dict[str, Any]:
    """Return the fiche-action of the framework with this id."""
    return next(f for f in bilan.referential.fiches if f["id"] == fiche_id)


def fiche_label(fiche: dict[str, Any]) -> str:
    """Return « Fiche N — TITRE » (escaped Markdown)."""
    name = fiche.get("titre_sommaire") or fiche.get("titre") or fiche["id"]
    return f"Fiche {fiche.get('numero')} — {escape_markdown(name)}"


def fiche_anchor(fiche_id: str) -> str:
    """Return the identifier of a fiche's section in chapter 2 (links from the synthesis)."""
    return f"bilan-fiche-{fiche_id}"


def fiche_link(fiche: dict[str, Any]) -> str:
    """Return « Fiche N — TITRE » linked to the fiche's section."""
    return f"[{fiche_label(fiche)}](#{fiche_anchor(fiche['id'])})"


def objective_of(bilan: ReviewContext) -> dict[str, str]:
    """Return the general objective id of every fiche id."""
    return {
        fiche: og["id"]
        for og in bilan.referential.objectifs
        for oo in og["objectifs_operationnels"]
        for fiche in oo["fiches"]
    }


def markdown_cell(value: object) -> str:
    """Return a cell already written as Markdown (and escaped) by the review's code, as is."""
    return str(value)


def markdown_formats(frame: pd.DataFrame) -> dict[str, Callable[[object], str]]:
    """Return formatters that keep every cell of ``frame`` as the Markdown built here."""
    return dict.fromkeys(frame.columns, markdown_cell)


def review_table(
    frame: pd.DataFrame,
    bilan: ReviewContext,
    *,
    name: str,
    kinds: tuple[str, ...],
    formats: dict[str, Any] | None = None,
) -> Table:
    """Return a review table: flagged title, the review's source line, ``pa-bilan-tableau`` Div.

    ``kinds`` are the classes naming the table's kind (``pa-grille``, ``pa-cartes``…): the
    print filter gives each kind its column widths, the CSS turns ``pa-cartes`` into cards on
    a phone. Without ``formats`` every cell is the Markdown built by the review's code.
    """
    return Table(
        frame,
        title=title(name, bilan),
        source=source_line(bilan),
        formats=markdown_formats(frame) if formats is None else formats,
        classes=("pa-bilan-tableau", *kinds),
    )


def by_date(day: Any) -> str:
    """Return « au 1er mars 2023 » for a target date, "" when there is none."""
    return "" if is_missing(day) else f" au {date_fr(day)}"
