"""Our values (chapter 1): the epigraph, the 8 public-service principles and the 1990 charter.

Texts are the source's, as transcribed in data/valeurs/; this module only lays them out as
Markdown that Jupyter, Pandoc (HTML, Typst, DOCX) and Quarto read the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from projet_associatif.core.formatting import date_fr
from projet_associatif.core.markup import escape_markdown, escape_paragraphs
from projet_associatif.present.blocks import Table, Text
from projet_associatif.present.provenance import source_markdown, source_text

Sources = Sequence[Mapping[str, Any]]


def epigraph(introduction: Mapping[str, Any]) -> Text:
    """Return the epigraph of « 1. Nos valeurs » as a Markdown block quote."""
    return Text(f"> {escape_markdown(introduction['epigraphe'])}")


def principles_intro(introduction: Mapping[str, Any]) -> Text:
    """Return the source's sentence introducing the principles, as a block quote."""
    return Text(f"> {escape_markdown(str(introduction['introduction_principes']))}")


def principles_frame(values: pd.DataFrame) -> pd.DataFrame:
    """Return the principles in the source's order, one row each: Principe, Définition."""
    frame = values.sort_values("ordre", ignore_index=True)
    return pd.DataFrame(
        {"Principe": frame["principe"].astype(str), "Définition": frame["definition"].astype(str)}
    )


def principles_table(values: pd.DataFrame, sources: Sources) -> Table:
    """Return the table of the public-service principles with its source line."""
    return Table(
        principles_frame(values),
        title="Les principes (valeurs) de la mission de service public des Missions Locales",
        source=source_text(sources),
    )


def _list_items(items: list[str]) -> str:
    # The source ends each principle with a comma and the last one with a full stop.
    lines = [
        f"- **{escape_markdown(item)}**{',' if i < len(items) - 1 else '.'}"
        for i, item in enumerate(items)
    ]
    return "\n".join(lines)


def _article(number: int, text: str) -> str:
    """Return an article: its number in bold before the first paragraph, paragraphs kept."""
    return f"**Art. {number}.** {escape_paragraphs(text)}"


def articles(charter: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return every article with the number and title of its part, in the charter's order."""
    return [
        {"partie": part["numero"], "partie_titre": part["titre"], **article}
        for part in charter["parties"]
        for article in part["articles"]
    ]


def charter_markdown(
    charter: Mapping[str, Any],
    level: int = 2,
    sources: Sources = (),
    heading: bool = True,
) -> str:
    """Return the whole charter as Markdown: title, date, preamble, principles, parts.

    ``level`` is the heading level of the charter's title; its parts are one level below.
    ``heading=False`` writes the title as a bold line, for a page whose heading names it.
    Non-empty ``sources`` end the text with their « Source : … » line.
    """
    name = f"{escape_markdown(charter['intitule'])} — « {escape_markdown(charter['titre'])} »"
    adopted = date_fr(str(charter["date_adoption"]))
    blocks = [
        f"{'#' * level} {name}" if heading else f"**{name}**",
        f"*Adoptée le {adopted} par le {escape_markdown(charter['adoptee_par'])}.*",
        *[escape_markdown(p) for p in charter["preambule"]],
        _list_items([str(p) for p in charter["principes"]]),
    ]
    for section in charter["parties"]:
        title = f"{escape_markdown(section['numero'])} – {escape_markdown(section['titre'])}"
        blocks.append(f"{'#' * (level + 1)} {title}")
        blocks += [_article(a["numero"], a["texte"]) for a in section["articles"]]
    if sources:
        blocks.append(source_markdown(sources))
    return "\n\n".join(blocks) + "\n"


def charter_section(charter: Mapping[str, Any], sources: Sources) -> Text:
    """Return the charter under the chapter's own heading (its title in bold), with its source."""
    return Text(charter_markdown(charter, level=2, sources=sources, heading=False))
