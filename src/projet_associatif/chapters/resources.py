"""Chapter 3.5 « Ressources »: staff, income 2019, funders, partners, needs answered, means.

Lists keep the source's order and spelling (typos included); the income table shows every
row and column as printed, totals as stated. Shares of the funders are computed here, on the
sum of the funders' rows, and said to be computed.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

import altair as alt
import pandas as pd

from projet_associatif.analysis.key_figures import (
    compatible_counts,
    figure,
    figure_row,
    share_count,
)
from projet_associatif.chapters.activity import NO_YEAR, figures_source, stated
from projet_associatif.config.identity import identity
from projet_associatif.core.formatting import MISSING, NBSP, euros, is_missing, number, percent
from projet_associatif.core.markup import escape_markdown
from projet_associatif.present import alt_text
from projet_associatif.present.blocks import Figure, Table, Text
from projet_associatif.present.provenance import frame_source

#: Staff figures of « Ressources humaines », with the label shown to readers.
STAFF_FIGURES: tuple[tuple[str, str], ...] = (
    ("salaries_2019", "Salariés"),
    ("cdi_pct", "Part des salariés en CDI"),
    ("anciennete_moyenne_annees", "Ancienneté moyenne"),
)
STAFF, CDI = "salaries_2019", "cdi_pct"

#: Sections of the source where the partners' needs are listed (column ``section``).
FUNDERS_SECTION = "3. Descriptif de l'existant — Les ressources financières"
PARTNERS_SECTION = "3. Descriptif de l'existant — Les partenaires"


class IncomeLine(StrEnum):
    """Kinds of rows of « PRODUITS 2019 », as the data writes them (column ``type_ligne``)."""

    FUNDER = "financeur"
    TOTAL = "total"


class Voice(StrEnum):
    """The voice of a college at the general assembly (column ``voix`` of ``colleges``)."""

    DELIBERATIVE = "délibératif"
    CONSULTATIVE = "consultatif"


#: Columns of the income table: data name → header (the source's own headers).
INCOME_COLUMNS = {
    "reprise_fonds_dedies_2018_eur": "Reprise de fonds dédiés 2018",
    "subvention_2019_eur": "Subvention 2019",
    "total_2019_eur": "Total 2019",
}


# --- staff ------------------------------------------------------------------------------------


def _with_year(chiffres: pd.DataFrame, key: str, label: str) -> str:
    year = figure_row(chiffres, key)["millesime"]
    return f"{label} ({year if isinstance(year, str) and year.strip() else NO_YEAR})"


def cdi_count(chiffres: pd.DataFrame) -> tuple[float, int, int]:
    """Return the count the CDI share stands for, and the whole counts compatible with it."""
    staff, cdi = figure(chiffres, STAFF), figure(chiffres, CDI)
    low, high = compatible_counts(int(staff), cdi)
    return share_count(staff, cdi), low, high


def staff_frame(chiffres: pd.DataFrame) -> pd.DataFrame:
    """Return the staff figures as stated, then the number of CDI computed from them."""
    rows = [
        {
            "Indicateur": _with_year(chiffres, key, label),
            "Valeur": stated(chiffres, key),
            "Origine": "énoncé par la source",
        }
        for key, label in STAFF_FIGURES
    ]
    exact, low, high = cdi_count(chiffres)
    if low == high:
        compatible = (
            f"seul effectif entier dont la part, arrondie à l'unité, donne {stated(chiffres, CDI)}"
        )
    elif low > high:
        compatible = f"aucun effectif entier ne donne exactement {stated(chiffres, CDI)}"
    else:
        compatible = (
            f"effectifs entiers compatibles avec l'arrondi : de {number(low)} à {number(high)}"
        )
    rows.append(
        {
            "Indicateur": "Salariés en CDI (calculé)",
            "Valeur": f"environ {number(exact, 0)}",
            "Origine": f"calculé : {stated(chiffres, CDI)} × {stated(chiffres, STAFF)} = "
            f"{number(exact, 2)} ; {compatible}",
        }
    )
    return pd.DataFrame(rows, columns=["Indicateur", "Valeur", "Origine"])


def staff_sentence(chiffres: pd.DataFrame, data_dir: Path | None = None) -> Text:
    """Return the source's sentences on the staff, with their figures taken from the data.

    The organisation is named in its short form (``nom_court`` of identite.yaml, in
    ``data_dir``: the project's data by default).
    """
    year = figure_row(chiffres, STAFF)["millesime"]
    seniority = stated(chiffres, "anciennete_moyenne_annees")
    name = escape_markdown(identity(data_dir).short_name)
    return Text(
        f"En {escape_markdown(str(year))}, la {name} comptabilisait "
        f"{stated(chiffres, STAFF)} "
        f"salariés ({stated(chiffres, CDI)} en CDI). En moyenne {seniority} d'ancienneté."
    )


def staff_table(chiffres: pd.DataFrame) -> Table:
    """Return the staff figures with their source."""
    return Table(
        staff_frame(chiffres),
        title="Les salariés de la Mission Locale",
        source=figures_source(chiffres, [k for k, _ in STAFF_FIGURES]),
        align={"Valeur": "right"},
        label="tbl-salaries",
    )


# --- lists of needs and means -----------------------------------------------------------------


def list_item(verbe: object, texte: object) -> str:
    """Return one item of a list as the source prints it: verb in bold capitals, then text."""
    text = escape_markdown(str(texte))
    if is_missing(verbe) or not str(verbe).strip():
        return text
    return f"**{escape_markdown(str(verbe))}** {text}"


def bullet_list(items: Sequence[str]) -> str:
    """Return Markdown bullets (one per item)."""
    if not items:
        raise ValueError("Liste vide : rien à afficher.")
    return "\n".join(f"- {item}" for item in items)


def with_source(markdown: str, source: str) -> str:
    """Return a Markdown block followed by its « Source : » line."""
    return f"{markdown.rstrip()}\n\nSource{NBSP}: {escape_markdown(source)}\n"


def staff_needs_text(besoins: pd.DataFrame) -> Text:
    """Return the staff's needs (S'OUTILLER…) as a Markdown list with its source."""
    ordered = besoins.sort_values("ordre")
    items = [list_item(r.verbe, r.texte) for r in ordered.itertuples()]
    return Text(with_source(bullet_list(items), frame_source(besoins)))


def _groups(frame: pd.DataFrame, order: str, key: str) -> list[pd.DataFrame]:
    ordered = frame.sort_values([order, "ordre"], kind="stable")
    return [group for _, group in ordered.groupby(key, sort=False)]


def _paragraph(value: object) -> str | None:
    if is_missing(value) or not str(value).strip():
        return None
    return escape_markdown(str(value))


def partner_needs_markdown(besoins: pd.DataFrame, section: str) -> str:
    """Return the partners' needs listed in one section of the source, category by category.

    Each category gets a level-3 heading (its title in the source), the line that follows it
    (e.g. the funders named), the introductory sentence, then its list.
    """
    rows = besoins[besoins["section"] == section]
    if rows.empty:
        raise ValueError(f"Aucun besoin de partenaire dans la section « {section} ».")
    blocks = []
    for group in _groups(rows, "categorie_ordre", "categorie_id"):
        first = group.iloc[0]
        parts = [f"### {escape_markdown(first['categorie'])}"]
        parts += [p for p in (_paragraph(first["categorie_precision"]),) if p]
        parts += [p for p in (_paragraph(first["introduction"]),) if p]
        parts.append(bullet_list([list_item(r.verbe, r.texte) for r in group.itertuples()]))
        blocks.append("\n\n".join(parts))
    return with_source("\n\n".join(blocks), frame_source(rows))


def funders_needs_text(besoins: pd.DataFrame) -> Text:
    """Return the needs of the funders and intercommunalities (« Les ressources financières »)."""
    return Text(partner_needs_markdown(besoins, FUNDERS_SECTION))


def partners_needs_text(besoins: pd.DataFrame) -> Text:
    """Return the needs of the other partners (« Les partenaires »)."""
    return Text(partner_needs_markdown(besoins, PARTNERS_SECTION))


def public_needs_text(besoins: pd.DataFrame) -> Text:
    """Return the seven types of needs answered, each with its sentence and list."""
    blocks = []
    for group in _groups(besoins, "besoin_ordre", "besoin_id"):
        first = group.iloc[0]
        parts = [f"### {escape_markdown(first['besoin'])}"]
        parts += [p for p in (_paragraph(first["introduction"]),) if p]
        parts.append(bullet_list([list_item(r.verbe, r.texte) for r in group.itertuples()]))
        blocks.append("\n\n".join(parts))
    return Text(with_source("\n\n".join(blocks), frame_source(besoins)))


def means_item(rubrique: object, element: object) -> str:
    """Return one means item: « **Rubrique** : détail », or the element alone."""
    text = escape_markdown(str(element))
    if is_missing(rubrique) or not str(rubrique).strip():
        return text
    return f"**{escape_markdown(str(rubrique))}**{NBSP}: {text}"


def means_text(moyens: pd.DataFrame) -> Text:
    """Return « Nos moyens » category by category (offers of service included)."""
    blocks = []
    for group in _groups(moyens, "categorie_ordre", "categorie_id"):
        title = escape_markdown(group.iloc[0]["categorie"])
        items = [means_item(r.rubrique, r.element) for r in group.itertuples()]
        blocks.append(f"### {title}\n\n{bullet_list(items)}")
    return Text(with_source("\n\n".join(blocks), frame_source(moyens)))


# --- income 2019 ------------------------------------------------------------------------------


def _amount(value: object, bold: bool) -> str:
    if is_missing(value):
        return MISSING
    text = euros(value)
    return f"**{text}**" if bold else text


def income_frame(produits: pd.DataFrame) -> pd.DataFrame:
    """Return the PRODUITS 2019 table with every row and column, totals rows in bold.

    Cells are Markdown already (bold totals): show it with :data:`INCOME_FORMATS`, which tells
    the table module not to escape them. Blank cells of the source show « — ».
    """
    missing = {"libelle", "type_ligne", *INCOME_COLUMNS} - set(produits.columns)
    if missing:
        raise KeyError(f"Colonnes absentes de produits_2019 : {sorted(missing)}")
    rows = []
    for row in produits.sort_values("ordre").itertuples():
        bold = row.type_ligne == IncomeLine.TOTAL
        label = escape_markdown(str(row.libelle))
        line = {"Libellé": f"**{label}**" if bold else label}
        for column, header in INCOME_COLUMNS.items():
            line[header] = _amount(getattr(row, column), bold)
        rows.append(line)
    return pd.DataFrame(rows, columns=["Libellé", *INCOME_COLUMNS.values()])


def _trusted(text: object) -> str:
    return str(text)


#: Formats marking every income column as ready-made Markdown (callables are not escaped).
INCOME_FORMATS = {name: _trusted for name in ["Libellé", *INCOME_COLUMNS.values()]}


def income_table(produits: pd.DataFrame) -> Table:
    """Return the income 2019 table as printed by the source, with its source line."""
    return Table(
        income_frame(produits),
        title="Produits 2019 (en euros)",
        source=frame_source(produits),
        formats=INCOME_FORMATS,
        align={header: "right" for header in INCOME_COLUMNS.values()},
        label="tbl-produits-2019",
        note="lignes et colonnes telles qu'imprimées ; « — » : cellule vide dans la source ; "
        "en gras, les totaux énoncés par la source, non recalculés (leur contrôle figure à "
        "l'annexe B).",
    )


def funder_shares(produits: pd.DataFrame) -> pd.DataFrame:
    """Return the funders' 2019 totals, largest first, with their share of the funders' sum."""
    funders = produits[produits["type_ligne"] == IncomeLine.FUNDER].dropna(
        subset=["total_2019_eur"]
    )
    if funders.empty:
        raise ValueError("Aucune ligne « financeur » avec un total 2019 dans produits_2019.")
    frame = pd.DataFrame(
        {
            "financeur": funders["libelle"].astype(str).to_list(),
            "total_2019_eur": funders["total_2019_eur"].astype(float).to_list(),
        }
    )
    total = frame["total_2019_eur"].sum()
    frame["part_pct"] = 100 * frame["total_2019_eur"] / total
    frame = frame.sort_values("total_2019_eur", ascending=False, kind="stable")
    frame["etiquette"] = [
        f"{euros(v)} ({percent(p, 1)})"
        for v, p in zip(frame["total_2019_eur"], frame["part_pct"], strict=True)
    ]
    return frame.reset_index(drop=True)


def funders_sum_note(produits: pd.DataFrame) -> str:
    """Return how the shares' denominator (sum of the funders) compares with the stated total."""
    shares = funder_shares(produits)
    computed = shares["total_2019_eur"].sum()
    totals = produits[produits["type_ligne"] == IncomeLine.TOTAL].sort_values("ordre")
    base = (
        f"parts calculées sur la somme des totaux 2019 des {number(len(shares))} financeurs, "
        f"{euros(computed)}"
    )
    if totals.empty or is_missing(totals.iloc[0]["total_2019_eur"]):
        return base + "."
    first = totals.iloc[0]
    printed = float(first["total_2019_eur"])
    if abs(printed - computed) < 0.005:
        return f"{base}, égale au « {escape_markdown(first['libelle'])} » imprimé par la source."
    return (
        f"{base}, différente du « {escape_markdown(first['libelle'])} » imprimé par la source "
        f"({euros(printed)}) : voir l'annexe B."
    )


def funder_chart(shares: pd.DataFrame) -> alt.LayerChart:
    """Return horizontal bars of the funders' 2019 totals, labelled in euros and shares."""
    data = shares[["financeur", "total_2019_eur", "etiquette"]].copy()
    # Room on the right of the longest bar for its label.
    domain = [0, float(data["total_2019_eur"].max()) * 1.55]
    base = alt.Chart(data).encode(
        y=alt.Y("financeur:N", sort=list(data["financeur"]), title=None),
        x=alt.X(
            "total_2019_eur:Q",
            title="Total 2019 (en euros)",
            scale=alt.Scale(domain=domain, nice=False),
            axis=alt.Axis(format=",.0f", tickCount=4),
        ),
    )
    bars = base.mark_bar()
    labels = base.mark_text(align="left", baseline="middle", dx=4).encode(text="etiquette:N")
    return alt.layer(bars, labels).properties(width=380, height=alt.Step(28))


def funder_chart_alt(shares: pd.DataFrame) -> str:
    """Return the chart's alternative text: what it shows, every value included."""
    return alt_text.sentence(
        "Barres horizontales du total 2019 de chaque financeur, du plus grand au plus petit, "
        "avec sa part du total des financeurs (calculée) : ",
        (
            f"{r.financeur} : {euros(r.total_2019_eur)} ({percent(r.part_pct, 1)})"
            for r in shares.itertuples()
        ),
    )


def funder_chart_data(shares: pd.DataFrame) -> pd.DataFrame:
    """Return the chart's data table, in French, shares marked as computed."""
    return pd.DataFrame(
        {
            "Financeur": shares["financeur"],
            "Total 2019": [euros(v) for v in shares["total_2019_eur"]],
            "Part des financeurs (calculée)": [percent(p, 1) for p in shares["part_pct"]],
        }
    )


def funders_figure(produits: pd.DataFrame) -> Figure:
    """Return the chart of the funders' 2019 totals (SVG, PNG, HTML figure)."""
    shares = funder_shares(produits)
    return Figure(
        funder_chart(shares),
        title="Total 2019 des subventions par financeur",
        source=f"{frame_source(produits)} ; parts calculées",
        alt=funder_chart_alt(shares),
        data=funder_chart_data(shares),
    )


def main_funder_sentence(produits: pd.DataFrame) -> Text:
    """Return the sentence naming the first funder and its computed share."""
    shares = funder_shares(produits)
    first = shares.iloc[0]
    total = shares["total_2019_eur"].sum()
    note = funders_sum_note(produits)
    return Text(
        f"Le premier financeur est « {escape_markdown(first['financeur'])} »{NBSP}: "
        f"{euros(first['total_2019_eur'])} en 2019 (reprise de fonds dédiés comprise), soit "
        f"{percent(first['part_pct'], 1)} des {euros(total)} apportés par les "
        f"{number(len(shares))} financeurs (calculé{NBSP}: {euros(first['total_2019_eur'])} ÷ "
        f"{euros(total)}). {note[:1].upper()}{note[1:]}"
    )


# --- governance -------------------------------------------------------------------------------


def colleges_frame(colleges: pd.DataFrame) -> pd.DataFrame:
    """Return the colleges in the source's order, with their voice as printed."""
    ordered = colleges.sort_values("ordre")
    return pd.DataFrame(
        {"Collège": ordered["college"].to_list(), "Voix": ordered["voix"].to_list()}
    )


def colleges_sentence(colleges: pd.DataFrame) -> Text:
    """Return the sentence counting the colleges and their voices (counted from the table)."""
    counts = colleges["voix"].value_counts()
    deliberative = int(counts.get(Voice.DELIBERATIVE, 0))
    consultative = int(counts.get(Voice.CONSULTATIVE, 0))
    return Text(
        f"L'association est constituée de {number(len(colleges))} collèges{NBSP}: "
        f"{number(deliberative)} à voix délibérative et {number(consultative)} à voix "
        "consultative (décompte du tableau ci-dessous)."
    )


def colleges_table(colleges: pd.DataFrame) -> Table:
    """Return the colleges table with its source."""
    return Table(
        colleges_frame(colleges),
        title="Les collèges de l'association",
        source=frame_source(colleges),
        label="tbl-colleges",
        note="voix telle qu'indiquée entre parenthèses par la source.",
    )
