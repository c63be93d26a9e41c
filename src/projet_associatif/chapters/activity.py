"""Chapter 3.4 « Le public »: the infographic's key figures and what they allow to compute.

The source prints the figures of its « Le public » infographic without a year; the data keeps
them without vintage and so does every title here (« année non précisée par la source »).
Figures computed from stated ones are labelled « calculé » with their formula; counts derived
from whole percentages are approximate, and ``analysis.key_figures.compatible_counts`` gives
the range of counts that the rounded percentage allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from projet_associatif.analysis.edition_changes import PreviousTable
from projet_associatif.analysis.key_figures import (
    compatible_counts,
    figure,
    figure_row,
    share_count,
)
from projet_associatif.core.formatting import MISSING, NBSP, euros, number, percent
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present.blocks import Table, Text
from projet_associatif.present.provenance import select_sources, source_text
from projet_associatif.present.tables import Align, column_decimals

#: The infographic's figures, in the source's order, with the label shown to readers.
PUBLIC_FIGURES: tuple[tuple[str, str], ...] = (
    ("jeunes_accompagnes_2019", "Jeunes accompagnés"),
    ("mineurs_pct", "Mineurs (part des jeunes accompagnés)"),
    ("hommes_pct", "Hommes (part des jeunes accompagnés)"),
    ("infra_bac_pct", "Niveau infra bac (part des jeunes accompagnés)"),
    ("sans_diplome_pct", "Sans diplôme (part des jeunes accompagnés)"),
    ("evenements_2019", "Événements"),
    ("entretiens_part_evenements_pct", "Entretiens (part des événements)"),
    ("entretiens_2019", "Entretiens"),
    ("entretiens_par_jeune", "Entretiens en moyenne par jeune"),
)

#: Shares of the young people followed whose count can be estimated: the noun counted and the
#: label of the computed count (French elision written out: « d'hommes »).
PUBLIC_SHARES: tuple[tuple[str, str, str], ...] = (
    ("mineurs_pct", "mineurs", "Nombre de mineurs"),
    ("hommes_pct", "hommes", "Nombre d'hommes"),
    ("infra_bac_pct", "jeunes de niveau infra bac", "Nombre de jeunes de niveau infra bac"),
    ("sans_diplome_pct", "jeunes sans diplôme", "Nombre de jeunes sans diplôme"),
)

YOUNG = "jeunes_accompagnes_2019"
EVENTS = "evenements_2019"
INTERVIEWS = "entretiens_2019"
INTERVIEW_SHARE = "entretiens_part_evenements_pct"
PER_YOUNG = "entretiens_par_jeune"
NO_YEAR = "année non précisée par la source"


# --- stated figures, as printed ---------------------------------------------------------------


def format_figure(value: float, unite: str, libelle: str = "") -> str:
    """Return a stated figure as printed, in French: « 2 089 », « 8 % », « 11,75 ans », « +7 »."""
    decimals = column_decimals(pd.Series([value]))
    if unite == "pct":
        text = percent(value, decimals=decimals)
    elif unite == "eur":
        text = euros(value)
    elif unite == "annees":
        text = f"{number(value, decimals)}{NBSP}ans"
    else:
        text = number(value, decimals)
    # The source prints « +7 »: the sign is part of what it states, so it is kept.
    if str(libelle).lstrip().startswith("+") and not text.startswith("+"):
        text = f"+{text}"
    return text


def stated(chiffres: pd.DataFrame, key: str) -> str:
    """Return one key figure formatted as the source prints it."""
    row = figure_row(chiffres, key)
    return format_figure(float(row["valeur"]), str(row["unite"]), str(row["libelle"]))


def figures_frame(chiffres: pd.DataFrame, figures: Sequence[tuple[str, str]]) -> pd.DataFrame:
    """Return the « Indicateur | Valeur » panel of the given figures, values as printed."""
    return pd.DataFrame(
        [{"Indicateur": label, "Valeur": stated(chiffres, key)} for key, label in figures],
        columns=["Indicateur", "Valeur"],
    )


def vintage_label(chiffres: pd.DataFrame, keys: Sequence[str]) -> str:
    """Return the year of a set of figures as the data states it, or say it is not stated."""
    years = [figure_row(chiffres, k)["millesime"] for k in keys]
    given = [str(y).strip() if isinstance(y, str) and y.strip() else None for y in years]
    known = list(dict.fromkeys(y for y in given if y))
    if not known:
        return NO_YEAR
    if len(known) == 1 and None not in given:
        return known[0]
    rest = f" ; sinon {NO_YEAR}" if None in given else ""
    return "millésimes : " + ", ".join(known) + rest


def figures_source(chiffres: pd.DataFrame, keys: Sequence[str]) -> str:
    """Return the source line of some key figures: the sections and pages of their rows."""
    sections = list(dict.fromkeys(str(figure_row(chiffres, k)["section"]) for k in keys))
    return source_text(select_sources(chiffres.attrs.get("sources") or [], sections))


# --- computed figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    """One figure computed from stated ones, with its formula and how it compares."""

    label: str
    formula: str
    value: str
    remark: str


def public_derived(chiffres: pd.DataFrame) -> list[Derived]:
    """Return the figures that the infographic's arithmetic allows, each with its formula."""
    young = figure(chiffres, YOUNG)
    derived = []
    for key, _, label in PUBLIC_SHARES:
        pct = figure(chiffres, key)
        low, high = compatible_counts(int(young), pct)
        derived.append(
            Derived(
                f"{label} (calculé)",
                f"{stated(chiffres, key)} × {stated(chiffres, YOUNG)}",
                f"environ {number(share_count(young, pct), 0)}",
                f"{stated(chiffres, key)} étant arrondi à l'unité, tout effectif de "
                f"{number(low)} à {number(high)} donne ce pourcentage",
            )
        )
    events, interviews = figure(chiffres, EVENTS), figure(chiffres, INTERVIEWS)
    per_young = figure_row(chiffres, PER_YOUNG)
    share = figure_row(chiffres, INTERVIEW_SHARE)
    derived += [
        Derived(
            "Événements par jeune accompagné (calculé)",
            f"{stated(chiffres, EVENTS)} ÷ {stated(chiffres, YOUNG)}",
            number(events / young, 1),
            "non énoncé par la source",
        ),
        Derived(
            "Entretiens par jeune accompagné (calculé)",
            f"{stated(chiffres, INTERVIEWS)} ÷ {stated(chiffres, YOUNG)}",
            number(interviews / young, 1),
            f"la source indique « {per_young['libelle']} »",
        ),
        Derived(
            "Part des entretiens dans les événements (calculé)",
            f"{stated(chiffres, INTERVIEWS)} ÷ {stated(chiffres, EVENTS)}",
            percent(100 * interviews / events, 1),
            f"la source indique « {share['libelle']} »",
        ),
        Derived(
            "Événements autres que les entretiens (calculé)",
            f"{stated(chiffres, EVENTS)} − {stated(chiffres, INTERVIEWS)}",
            number(events - interviews, 0),
            "non énoncé par la source",
        ),
    ]
    return derived


def derived_frame(derived: Sequence[Derived]) -> pd.DataFrame:
    """Return computed figures as a table: indicator, formula, result, comparison."""
    return pd.DataFrame(
        [
            {
                "Indicateur": d.label,
                "Formule": d.formula,
                "Résultat": d.value,
                "Précision ou comparaison": d.remark,
            }
            for d in derived
        ],
        columns=["Indicateur", "Formule", "Résultat", "Précision ou comparaison"],
    )


def approximation_sentence(chiffres: pd.DataFrame) -> Text:
    """Return the sentence saying why the counts derived from percentages are approximate."""
    young = figure(chiffres, YOUNG)
    key, noun, _ = PUBLIC_SHARES[0]
    pct = figure(chiffres, key)
    low, high = compatible_counts(int(young), pct)
    return Text(
        "Les pourcentages de l'infographie sont des nombres entiers, donc arrondis : les "
        "effectifs qui en sont déduits sont approchés. Ainsi "
        f"{stated(chiffres, key)} de {stated(chiffres, YOUNG)} jeunes font environ "
        f"{number(share_count(young, pct), 0)} {noun} (calculé), mais tout effectif de "
        f"{number(low)} à {number(high)} {noun} donnerait aussi {stated(chiffres, key)} "
        "une fois arrondi."
    )


def interviews_sentence(chiffres: pd.DataFrame) -> Text:
    """Return the sentence comparing interviews per young person with the stated « +7 »."""
    young, interviews = figure(chiffres, YOUNG), figure(chiffres, INTERVIEWS)
    per_young = figure_row(chiffres, PER_YOUNG)
    stated_value = float(per_young["valeur"])
    quotient = interviews / young
    # « +7 » reads « more than 7 »: the quotient agrees when it lies in [7, 8).
    agrees = stated_value <= quotient < stated_value + 1
    verdict = "ce qui concorde avec" if agrees else "ce qui ne concorde pas avec"
    return Text(
        f"{stated(chiffres, INTERVIEWS)} entretiens pour {stated(chiffres, YOUNG)} jeunes "
        f"accompagnés font en moyenne {number(quotient, 1)} entretiens par jeune (calculé), "
        f"{verdict} le « {escape_markdown(per_young['libelle'])} » de l'infographie."
    )


# --- tables ----------------------------------------------------------------------------------


def key_figures_table(chiffres: pd.DataFrame, previous: PreviousTable | None = None) -> Table:
    """Return the infographic's figures as a table with title and source.

    With the previous edition's key figures, a third column gives each figure's value in
    that edition (same identifier), « — » when it had none.
    """
    keys = [k for k, _ in PUBLIC_FIGURES]
    frame = figures_frame(chiffres, PUBLIC_FIGURES)
    align: dict[str, Align] = {"Valeur": "right"}
    note = (
        "valeurs telles qu'imprimées dans l'infographie « Le public » ; les pourcentages "
        "y sont arrondis à l'unité."
    )
    if previous is not None:
        column = f"Édition {previous.year}"
        known = set(previous.table["id"])
        frame[column] = [stated(previous.table, k) if k in known else MISSING for k in keys]
        align[column] = "right"
        note = f"{note[:-1]} ; « {column} » : la valeur de l'édition précédente."
    return Table(
        frame,
        title=f"Le public et l'activité : chiffres clés ({vintage_label(chiffres, keys)})",
        source=figures_source(chiffres, keys),
        align=align,
        label="tbl-public-chiffres-cles",
        note=note,
    )


def computed_figures_table(chiffres: pd.DataFrame) -> Table:
    """Return the figures computed from the infographic, each with its formula."""
    keys = [k for k, _ in PUBLIC_FIGURES]
    return Table(
        derived_frame(public_derived(chiffres)),
        title="Chiffres calculés à partir de l'infographie « Le public »",
        source=f"{figures_source(chiffres, keys)} ; calculs à partir des chiffres énoncés",
        align={"Résultat": "right"},
        label="tbl-public-calculs",
        note="« calculé » : chiffre absent de la source, obtenu par la formule indiquée à "
        "partir des chiffres qu'elle énonce.",
    )
