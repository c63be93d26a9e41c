"""Render data frames as French-formatted tables: Markdown for the report, HTML for charts.

``show`` emits one ``text/markdown`` output that Jupyter, nbconvert's Markdown export,
Pandoc and Quarto all read the same way:

    | Colonne | Valeur |
    |:--------|-------:|
    | …       |      … |

    : Titre du tableau {#tbl-titre-du-tableau}

    Note : …

    Source : …

The ``: caption`` paragraph after a pipe table is Pandoc's table caption (``table_captions``),
which Quarto documents too; the ``{#tbl-…}`` identifier makes Quarto number it
(« Tableau 1 ») and keeps the caption in Quarto's Typst output, which drops captions of
unlabelled tables (quarto-cli issue 11733). Pandoc 3 turns it into the table's id
(HTML) or a Typst label. Jupyter shows the caption line as plain text.
"""

from __future__ import annotations

import decimal
import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import partial
from typing import Literal

import pandas as pd
from tabulate import tabulate

from projet_associatif.core.formatting import (
    MISSING,
    date_fr,
    euros,
    is_missing,
    number,
    percent,
    points,
)
from projet_associatif.core.markup import escape_html, escape_markdown, one_line

Formatter = Callable[[object], str]
#: A pipe and the backslashes before it: escaped when their number is even.
_BARE_PIPE = re.compile(r"(\\*)\|")
Align = Literal["left", "right", "center"]

NAMED_FORMATS: dict[str, Callable[..., str]] = {
    "nombre": number,
    "euros": euros,
    "pourcentage": percent,
    "points": points,
    "date": date_fr,
    "mois": partial(date_fr, style="mois"),
    "annee": partial(date_fr, style="annee"),
}


def _text(x: object) -> str:
    if is_missing(x):
        return MISSING
    if isinstance(x, bool):
        return "oui" if x else "non"
    return str(x)


def _named(spec: str) -> Formatter:
    """Return the formatter named ``nom`` or ``nom:décimales`` (e.g. ``pourcentage:0``)."""
    name, _, digits = spec.partition(":")
    if name == "texte":
        return _text
    if name not in NAMED_FORMATS:
        known = ", ".join(sorted([*NAMED_FORMATS, "texte"]))
        raise ValueError(f"Format inconnu : {spec!r} (formats connus : {known})")
    fn = NAMED_FORMATS[name]
    if not digits:
        return fn
    if name in ("date", "mois", "annee"):
        raise ValueError(f"Le format {name!r} ne prend pas de décimales : {spec!r}")
    return partial(fn, decimals=int(digits))


def is_numeric(series: pd.Series) -> bool:
    """Return True for a column of numbers (booleans excluded), whatever its dtype."""
    if pd.api.types.is_bool_dtype(series):
        return False
    if pd.api.types.is_numeric_dtype(series):
        return True
    kind = pd.api.types.infer_dtype(series, skipna=True)
    return kind in ("integer", "floating", "mixed-integer-float", "decimal")


def column_decimals(series: pd.Series, cap: int = 3) -> int:
    """Return the most decimals any value of ``series`` carries, so a column lines up."""
    most = 0
    for value in series:
        if is_missing(value):
            continue
        exponent = decimal.Decimal(str(value)).normalize().as_tuple().exponent
        if isinstance(exponent, int):
            most = max(most, -exponent)
    return min(most, cap)


def default_formatter(name: str, series: pd.Series) -> Formatter:
    """Return the formatter a column gets without instructions: by unit suffix, then dtype.

    Numbers keep the decimals the data carries (at most 3), the same for the whole column.
    """
    if is_numeric(series):
        digits = column_decimals(series)
        # Column names carry their unit (data conventions): part_pct, montant_eur.
        if name.endswith("_pct"):
            return partial(percent, decimals=digits)
        if name.endswith("_eur"):
            return partial(euros, decimals=2 if digits else 0)
        return partial(number, decimals=digits)
    if pd.api.types.is_datetime64_any_dtype(series):
        return date_fr
    return _text


def format_frame(
    frame: pd.DataFrame, formats: Mapping[str, Formatter | str] | None = None
) -> pd.DataFrame:
    """Return a copy of ``frame`` whose cells are French display strings."""
    formats = dict(formats or {})
    unknown = set(formats) - set(frame.columns)
    if unknown:
        raise KeyError(f"Colonnes absentes du tableau : {sorted(unknown)}")
    out = {}
    for name in frame.columns:
        spec = formats.get(name)
        if spec is None:
            fn = default_formatter(str(name), frame[name])
        elif isinstance(spec, str):
            fn = _named(spec)
        else:
            fn = spec
        out[name] = [MISSING if is_missing(v) else fn(v) for v in frame[name]]
    return pd.DataFrame(out, index=frame.index, columns=frame.columns, dtype=object)


def alignments(
    frame: pd.DataFrame,
    formats: Mapping[str, Formatter | str] | None = None,
    align: Mapping[str, Align] | None = None,
) -> list[Align]:
    """Return each column's alignment: numbers right, everything else left, unless told."""
    formats = formats or {}
    align = dict(align or {})
    unknown = set(align) - set(frame.columns)
    if unknown:
        raise KeyError(f"Colonnes absentes du tableau : {sorted(unknown)}")
    result: list[Align] = []
    for name in frame.columns:
        if name in align:
            result.append(align[name])
            continue
        spec = formats.get(name)
        numeric_spec = isinstance(spec, str) and spec.split(":")[0] in (
            "nombre",
            "euros",
            "pourcentage",
            "points",
        )
        result.append("right" if numeric_spec or is_numeric(frame[name]) else "left")
    return result


def _escape_cell_only(text: str) -> str:
    # Output of a caller's formatter is Markdown on purpose (links, emphasis, values escaped
    # already): only the pipes that would end the cell are escaped, not those escaped already.
    return _BARE_PIPE.sub(lambda m: m[1] + ("|" if len(m[1]) % 2 else "\\|"), one_line(text))


def markdown_table(
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, Formatter | str] | None = None,
    align: Mapping[str, Align] | None = None,
) -> str:
    """Return ``frame`` (index ignored) as a pipe table with French numbers."""
    cells = format_frame(frame, formats)
    # A caller's formatter writes Markdown; the plain-text default (``_text``, which the
    # charts' data tables use for every text column) does not: its values are escaped.
    trusted = {
        name for name, spec in (formats or {}).items() if callable(spec) and spec is not _text
    }
    rows = [
        [
            _escape_cell_only(value) if name in trusted else escape_markdown(value)
            for name, value in zip(cells.columns, row, strict=True)
        ]
        for row in cells.itertuples(index=False, name=None)
    ]
    headers = [escape_markdown(str(name)) for name in cells.columns]
    return tabulate(
        rows,
        headers=headers,
        tablefmt="pipe",
        colalign=alignments(frame, formats, align),
        disable_numparse=True,
    )


def slug(text: str) -> str:
    """Return an ASCII identifier for ``text`` (« Part des 16–25 ans » → ``part-des-16-25-ans``)."""
    letters = unicodedata.normalize("NFKD", text.lower().replace("œ", "oe").replace("æ", "ae"))
    bare = "".join(c for c in letters if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", bare).strip("-")[:60].rstrip("-")


def markdown(
    frame: pd.DataFrame | None,
    *,
    title: str,
    source: str,
    formats: Mapping[str, Formatter | str] | None = None,
    note: str | None = None,
    label: str | None = None,
    align: Mapping[str, Align] | None = None,
    body: str | None = None,
) -> str:
    """Return the table, its caption, an optional note and the source line as Markdown.

    ``label`` defaults to ``tbl-`` + the slug of the title; pass another one when two tables
    of the same document share a title, and ``""`` for no identifier. ``body``, a Markdown
    table composed by the caller, replaces the one built from ``frame``.
    """
    if not title.strip() or not source.strip():
        raise ValueError("Un tableau publié a toujours un titre et une source.")
    if label is None:
        label = f"tbl-{slug(title)}"
    anchor = f" {{#{label}}}" if label else ""
    table = body if body is not None else markdown_table(frame, formats=formats, align=align)
    parts = [table, f": {escape_markdown(title)}{anchor}"]
    if note:
        parts.append(f"Note\u00a0: {escape_markdown(note)}")
    parts.append(f"Source\u00a0: {escape_markdown(source)}")
    return "\n\n".join(parts) + "\n"


def html_table(
    frame: pd.DataFrame,
    *,
    formats: Mapping[str, Formatter | str] | None = None,
    align: Mapping[str, Align] | None = None,
    css_class: str = "pa-data",
) -> str:
    """Return ``frame`` (index ignored) as an escaped HTML table with French numbers."""
    cells = format_frame(frame, formats)
    sides = alignments(frame, formats, align)
    head = "".join(
        f'<th scope="col" style="text-align: {side}">{escape_html(str(name))}</th>'
        for name, side in zip(cells.columns, sides, strict=True)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td style="text-align: {side}">{escape_html(value)}</td>'
            for value, side in zip(row, sides, strict=True)
        )
        + "</tr>"
        for row in cells.itertuples(index=False, name=None)
    )
    # Quarto would otherwise parse this raw HTML table into a Markdown one.
    return (
        f'<table class="{css_class}" data-quarto-disable-processing="true">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
