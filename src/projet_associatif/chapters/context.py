"""Socio-economic context (chapter 3.2): its tables, charts and sentences.

Over 500 lines because the chapter's five sections (education, unemployment, poverty,
over-indebtedness, RSA) stay in the one module of their notebook, a few small functions each.

The figures are the source document's, as printed (tables of page 7: DIRECCTE
Auvergne-Rhône-Alpes, INSEE 2015); this module only reshapes them for tables and charts,
computes what the text says about them (sums, differences) and fills in the figures. The
document's own words (the chart's legend, the tables' notes, the poverty paragraph and the
names of its perimeters) are the project's: ``report/textes/contexte-socio-economique.yaml``,
read with ``core.texts.project_texts``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from itertools import pairwise
from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.analysis.key_figures import figure, row_by_id
from projet_associatif.core.formatting import NBSP, euros, number, percent
from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.texts import project_texts
from projet_associatif.present import alt_text, charts
from projet_associatif.present.blocks import Figure, Table, Text
from projet_associatif.present.provenance import (
    ordinal_fr,
    source_markdown,
    source_text,
    vintage_fr,
)

Sources = Sequence[Mapping[str, Any]]
TEXTS = "contexte-socio-economique"


def source_line(sources: Sources) -> Text:
    """Return a « Source : » line to show under prose that quotes figures."""
    return Text(source_markdown(sources))


# --- titles carrying the data's own dates ---------------------------------------------------


def education_title(levels: pd.DataFrame) -> str:
    """Return the education chart's title with its month."""
    months = ", ".join(vintage_fr(str(p)) for p in dict.fromkeys(levels["periode"]))
    return f"Niveau de formation des demandeurs d'emploi, {months}"


def unemployment_title(rates: pd.DataFrame) -> str:
    """Return the unemployment chart's title with its first and last quarters."""
    ordered = rates.assign(debut=rates["periode"].map(quarter_start)).sort_values("debut")
    labels = ordered["periode_libelle"]
    return f"Taux de chômage, {labels.iloc[0]} à {labels.iloc[-1]}"


def poverty_title(poverty: pd.DataFrame) -> str:
    """Return the poverty chart's title with its year."""
    years = ", ".join(str(y) for y in dict.fromkeys(poverty["annee"]))
    return f"Taux de pauvreté (INSEE, {years})"


def rsa_title(rsa: pd.DataFrame) -> str:
    """Return the RSA table's title with its quarter."""
    quarters = ", ".join(vintage_fr(str(p)) for p in dict.fromkeys(rsa["periode"]))
    return f"Part des bénéficiaires du RSA dans la demande d'emploi ABC, {quarters}"


# --- 3.2 education level of job seekers ----------------------------------------------------


def education_frame(levels: pd.DataFrame) -> pd.DataFrame:
    """Return the education levels in the source's order, one row per level and territory."""
    frame = levels.sort_values(["ordre", "territoire"], kind="stable")
    return frame[["niveau", "territoire", "part_pct"]].reset_index(drop=True)


def column_totals(levels: pd.DataFrame) -> dict[str, float]:
    """Return the sum of the printed percentages of each territory's column."""
    totals = levels.groupby("territoire", sort=False)["part_pct"].sum()
    return {str(k): float(v) for k, v in totals.items()}


def education_totals(levels: pd.DataFrame) -> str:
    """Return the sentence saying what each column of printed percentages adds up to."""
    totals = column_totals(levels)
    parts = [f"{escape_markdown(name)} {percent(total, 0)}" for name, total in totals.items()]
    off = [escape_markdown(name) for name, total in totals.items() if round(total, 6) != 100]
    text = "Les pourcentages imprimés totalisent, par colonne : " + " ; ".join(parts) + "."
    if off:
        columns = " et ".join(off)
        text += (
            f" La colonne {columns} ne fait pas 100{NBSP}% (arrondis de la source) :"
            " les valeurs sont reproduites telles qu'imprimées."
        )
    return text


def education_chart(levels: pd.DataFrame) -> alt.LayerChart:
    """Return horizontal grouped bars of the levels, each labelled with its territory and value.

    The territory's name is written beside each bar: colour is never the only way to tell
    the Allier from the region (WCAG 1.4.1), in grey print or for colour-blind readers.
    """
    frame = education_frame(levels)
    bars = charts.grouped_bar_chart(
        frame,
        "part_pct",
        "niveau",
        "territoire",
        x_title="Part des demandeurs d'emploi (%)",
        y_title="Niveau de formation",
        group_title="Territoire",
    )
    text = (
        bars.transform_calculate(
            etiquette=f"datum.territoire + ' ' + format(datum.part_pct, ',.0f') + '{NBSP}%'"
        )
        .mark_text(align="left", baseline="middle", dx=3)
        .encode(text="etiquette:N", color=alt.value(charts.TEXT_COLOR))
    )
    return alt.layer(bars, text)


def education_alt(levels: pd.DataFrame) -> str:
    """Return the alt text of the education chart, every value included."""
    by_level = alt_text.series(
        education_frame(levels),
        "niveau",
        "territoire",
        "part_pct",
        lambda territory, share: f"{territory} {percent(share, 0)}",
    )
    return alt_text.sentence(
        "Barres groupées, part des demandeurs d'emploi par niveau de formation, le nom du "
        "territoire et la valeur écrits au bout de chaque barre. ",
        by_level,
    )


def education_section(levels: pd.DataFrame, sources: Sources) -> list[Figure | Text]:
    """Return the education chart and what each column of printed percentages adds up to."""
    chart = Figure(
        education_chart(levels),
        title=education_title(levels),
        source=source_text(sources),
        alt=education_alt(levels),
    )
    return [chart, Text(education_totals(levels))]


# --- 3.2 unemployment --------------------------------------------------------------------------


def quarter_start(period: str) -> pd.Timestamp:
    """Return the first day of a quarter written AAAA-Tn."""
    match = re.fullmatch(r"(\d{4})-T([1-4])", period)
    if not match:
        raise ValueError(f"Trimestre illisible : {period!r} (attendu AAAA-Tn)")
    year, quarter = int(match.group(1)), int(match.group(2))
    return pd.Timestamp(year=year, month=3 * quarter - 2, day=1)


def unemployment_frame(rates: pd.DataFrame) -> pd.DataFrame:
    """Return the rates with a date per quarter, so that time is spaced honestly on an axis."""
    frame = rates[["territoire", "periode", "taux_pct"]].copy()
    frame["trimestre"] = frame["periode"].map(quarter_start)
    # Stable sort: the territories keep the source's order (France, ARA, Allier).
    return frame[["trimestre", "territoire", "taux_pct"]].sort_values(
        "trimestre", kind="stable", ignore_index=True
    )


def gap_labels() -> dict[bool, str]:
    """Return the legend of the line style: solid within a year, dotted across a longer gap."""
    fixed = project_texts(TEXTS)
    return {False: fixed["trace_continu"], True: fixed["trace_pointille"]}


def unemployment_segments(rates: pd.DataFrame) -> pd.DataFrame:
    """Return each pair of consecutive quarters of a series, marked when over a year apart."""
    frame = unemployment_frame(rates)
    labels = gap_labels()
    rows = []
    for territory, series in frame.groupby("territoire", sort=False):
        points = list(series.itertuples(index=False))
        for index, (start, end) in enumerate(pairwise(points)):
            long_gap = (end.trimestre - start.trimestre).days > 366
            for point in (start, end):
                rows.append(
                    {
                        "trimestre": point.trimestre,
                        "taux_pct": point.taux_pct,
                        "territoire": territory,
                        "segment": f"{territory}-{index}",
                        "trace": labels[long_gap],
                    }
                )
    return pd.DataFrame(rows)


def unemployment_chart(rates: pd.DataFrame) -> alt.LayerChart:
    """Return the rates as points on a time axis, joined by lines dashed across data gaps.

    The four quarters are nine years apart, then a few months: a temporal axis keeps that
    spacing; a dashed segment says that nothing is known in between.
    """
    frame = unemployment_frame(rates)
    groups = list(dict.fromkeys(frame["territoire"]))
    # Whole years on the axis, so that every year gets a tick at the same spacing.
    first, last = frame["trimestre"].min().year, frame["trimestre"].max().year + 1
    domain = [alt.DateTime(year=first, month=1, date=1), alt.DateTime(year=last, month=1, date=1)]
    x = alt.X(
        "trimestre",
        type="temporal",
        timeUnit="yearquarter",
        title="Trimestre (position dans le temps)",
        scale=alt.Scale(domain=domain),
        axis=alt.Axis(format="%Y", labelAngle=0, tickCount={"interval": "year", "step": 1}),
    )
    y = alt.Y("taux_pct", type="quantitative", title="Taux de chômage (%)")
    legend = alt.Legend(direction="vertical")
    # The same explicit domain on both channels lets Vega-Lite merge them into one legend.
    scale = alt.Scale(domain=groups)
    color = alt.Color("territoire", type="nominal", title="Territoire", scale=scale, legend=legend)
    shape = alt.Shape("territoire", type="nominal", title="Territoire", scale=scale, legend=legend)
    points = (
        charts.line_chart(
            frame,
            "trimestre",
            "taux_pct",
            color="territoire",
            period="trimestre",
            x_title="Trimestre",
            y_title="Taux de chômage (%)",
            color_title="Territoire",
        )
        .mark_point(filled=True, size=70, opacity=1)
        .encode(x=x, y=y, color=color, shape=shape)
        .properties(width=440, height=260)
    )
    segments = (
        alt.Chart(unemployment_segments(rates))
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=y,
            # One legend for colour and shape, drawn from the points layer.
            color=alt.Color("territoire", type="nominal", scale=scale, legend=None),
            detail=alt.Detail("segment", type="nominal"),
            strokeDash=alt.StrokeDash(
                "trace",
                type="nominal",
                title="Tracé",
                sort=[gap_labels()[False], gap_labels()[True]],
                scale=alt.Scale(range=[[1, 0], [5, 4]]),
                legend=alt.Legend(direction="vertical"),
            ),
        )
    )
    last = frame[frame["trimestre"] == frame["trimestre"].max()]
    labels = (
        alt.Chart(last)
        .transform_calculate(
            etiquette=f"datum.territoire + ' ' + format(datum.taux_pct, ',.1f') + '{NBSP}%'"
        )
        .mark_text(align="left", dx=8, baseline="middle")
        .encode(x=x, y=y, text="etiquette:N", color=alt.value(charts.TEXT_COLOR))
    )
    return alt.layer(points, segments, labels)


def unemployment_alt(rates: pd.DataFrame) -> str:
    """Return the alt text of the unemployment chart, every value included."""
    series = alt_text.series(
        rates,
        "territoire",
        "periode_libelle",
        "taux_pct",
        lambda period, rate: f"{period} {percent(rate)}",
    )
    return alt_text.sentence(
        "Taux de chômage trimestriels sur un axe du temps (trimestres inégalement espacés). ",
        series,
    )


def unemployment_figure(rates: pd.DataFrame, sources: Sources) -> Figure:
    """Return the unemployment chart with its title, source line and text alternative."""
    return Figure(
        unemployment_chart(rates),
        title=unemployment_title(rates),
        source=source_text(sources),
        alt=unemployment_alt(rates),
    )


def evolutions_frame(
    rates: pd.DataFrame, stated: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the stated evolutions beside the differences the quarterly rates give.

    The source does not say which quarters it compares: the latest quarter minus the
    same quarter a year before, and minus the first quarter of the series, are shown.
    """
    wide = rates.pivot(index="territoire", columns="periode", values="taux_pct")
    periods = sorted(wide.columns, key=quarter_start)
    latest, first = periods[-1], periods[0]
    year_before = f"{int(latest[:4]) - 1}{latest[4:]}"
    labels = dict(zip(rates["periode"], rates["periode_libelle"], strict=True))
    annual_title = f"{labels[latest]} − {labels.get(year_before, year_before)} (calculé)"
    long_title = f"{labels[latest]} − {labels[first]} (calculé)"
    rows = []
    for row in stated.itertuples(index=False):
        rates_of = wide.loc[row.territoire]
        annual = rates_of[latest] - rates_of[year_before] if year_before in wide else None
        rows.append(
            {
                "Territoire": row.territoire,
                "Évolution annuelle (énoncée)": float(row.evolution_annuelle_points),
                annual_title: round(float(annual), 6) if annual is not None else None,
                "Évolution 2018-2008 (énoncée)": float(row.evolution_2008_2018_points),
                long_title: round(float(rates_of[latest] - rates_of[first]), 6),
            }
        )
    frame = pd.DataFrame(rows)
    return frame, {c: "points" for c in frame.columns if c != "Territoire"}


def evolutions_table(rates: pd.DataFrame, stated: pd.DataFrame, sources: Sources) -> Table:
    """Return the stated evolutions beside the computed ones, with how they are computed."""
    frame, formats = evolutions_frame(rates, stated)
    return Table(
        frame,
        title="Évolutions du taux de chômage (points de pourcentage)",
        source=source_text(sources),
        formats=formats,
        note=project_texts(TEXTS)["evolutions"],
    )


# --- 3.2 poverty, over-indebtedness, RSA ---------------------------------------------------


def poverty_labels() -> dict[str, str]:
    """Return the name the chart gives each poverty rate, by its ``id`` (the project's texts)."""
    return dict(project_texts(TEXTS).get("pauvrete_libelles") or {})


def poverty_frame(poverty: pd.DataFrame) -> pd.DataFrame:
    """Return one labelled row per poverty rate, in the source's order.

    A rate the project's texts do not name is labelled « territoire (population) ».
    """
    names = poverty_labels()
    labels = [
        names.get(i, f"{t} ({p})")
        for i, t, p in zip(poverty["id"], poverty["territoire"], poverty["population"], strict=True)
    ]
    return pd.DataFrame({"perimetre": labels, "taux_pct": poverty["taux_pct"].astype(float)})


def perimeter_bars(frame: pd.DataFrame, value: str, x_title: str) -> alt.LayerChart:
    """Return horizontal bars of ``value`` by ``perimetre``, values written on the bars."""
    return charts.bar_chart(frame, value, "perimetre", x_title=x_title, y_title="Périmètre")


def perimeter_alt(
    what: str, frame: pd.DataFrame, value: str, word: Callable[[str, float], str]
) -> str:
    """Return the alt text of :func:`perimeter_bars`: what it shows, then every perimeter."""
    values = alt_text.pairs(frame, "perimetre", value, word)
    return alt_text.sentence(f"Barres horizontales, {what} : ", values)


def poverty_chart(poverty: pd.DataFrame) -> alt.LayerChart:
    """Return horizontal bars of the poverty rates, values written on the bars."""
    return perimeter_bars(poverty_frame(poverty), "taux_pct", "Taux de pauvreté (%)")


def poverty_alt(poverty: pd.DataFrame) -> str:
    """Return the alt text of the poverty chart, every value included."""
    year = poverty["annee"].iloc[0]
    return perimeter_alt(
        f"taux de pauvreté (INSEE, {year})",
        poverty_frame(poverty),
        "taux_pct",
        lambda scope, rate: f"{scope} {percent(rate)}",
    )


def _rate(poverty: pd.DataFrame, ident: str) -> float:
    return float(row_by_id(poverty, ident, "taux_pauvrete")["taux_pct"])


def poverty_remarks(poverty: pd.DataFrame) -> str:
    """Return the data's remarks on the poverty rates (territory inferred, implied ranking)."""
    notes = poverty[poverty["note"].notna()]
    names = poverty_labels()
    items = []
    for row in notes.itertuples(index=False):
        label = names.get(row.id, row.id)
        note = str(row.note)
        items.append(
            f"- *{escape_markdown(label)}* : {escape_markdown(note[:1].lower() + note[1:])}"
        )
    return "Remarques sur la source :\n\n" + "\n".join(items) if items else ""


class _Rates(dict):
    """The formatted poverty rates by ``id``: a template naming an absent one says which."""

    def __missing__(self, ident: str) -> str:
        raise KeyError(
            f"{TEXTS}.yaml cite le taux « {ident} », absent de data/contexte/taux_pauvrete.csv"
        )


def poverty_paragraph(poverty: pd.DataFrame) -> str:
    """Return the source's poverty paragraph: the project's wording, the data's rates.

    The wording (``pauvrete`` in the project's texts, one item per paragraph) cites each rate
    by its ``id`` (``{taux[id]}``); ``{comparaison}`` is one of two wordings, chosen by whether
    the rate ``pauvrete_comparaison.taux`` is above every rate of ``pauvrete_comparaison.face_a``
    — a sentence saying « higher » stays true when the data change.
    """
    words = project_texts(TEXTS)
    compared = words["pauvrete_comparaison"]
    rate = _rate(poverty, compared["taux"])
    higher = all(rate > _rate(poverty, other) for other in compared["face_a"])
    rates = _Rates(
        (str(i), percent(float(r))) for i, r in zip(poverty["id"], poverty["taux_pct"], strict=True)
    )
    return "\n\n".join(
        paragraph.format(
            annee=int(poverty["annee"].iloc[0]),
            comparaison=compared["plus_eleve" if higher else "sinon"],
            taux=rates,
        )
        for paragraph in words["pauvrete"]
    )


def poverty_section(poverty: pd.DataFrame, sources: Sources) -> list[Figure | Text]:
    """Return the source's poverty paragraph, the chart of the rates and the data's remarks."""
    chart = Figure(
        poverty_chart(poverty),
        title=poverty_title(poverty),
        source=source_text(sources),
        alt=poverty_alt(poverty),
    )
    return [Text(poverty_paragraph(poverty)), chart, Text(poverty_remarks(poverty))]


def debt_sentence(figures: pd.DataFrame) -> str:
    """Return the source's over-indebtedness sentence (the project's words) with its figures."""
    rank = int(figure(figures, "surendettement_rang_national"))
    amount = figure(figures, "surendettement_montant_moyen_eur")
    return project_texts(TEXTS)["surendettement"].format(
        rang=ordinal_fr(rank), montant=euros(amount)
    )


def debt_section(figures: pd.DataFrame, sources: Sources) -> list[Text]:
    """Return the over-indebtedness sentence and its source line (``chiffres_cles``' own).

    The resource's first source is the territory's page (p. 7), where the sentence is.
    """
    return [Text(debt_sentence(figures)), source_line(sources[:1])]


def _signed_percent(value: object) -> str:
    text = percent(value)
    return text if text.startswith("−") or not any(c in "123456789" for c in text) else f"+{text}"


def rsa_frame(rsa: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the RSA table with French headers and the formats of its columns."""
    frame = pd.DataFrame(
        {
            "Territoire": rsa["territoire"],
            "DEFM bénéficiaires du RSA": rsa["defm_brsa_nombre"],
            "Évolution annuelle du nombre": rsa["evolution_annuelle_pct"],
            "Part RSA / DEFM": rsa["part_rsa_defm_pct"],
            "Évolution annuelle de la part": rsa["evolution_part_points"],
        }
    )
    formats = {
        "DEFM bénéficiaires du RSA": "nombre",
        "Évolution annuelle du nombre": _signed_percent,
        "Part RSA / DEFM": "pourcentage",
        "Évolution annuelle de la part": "points",
    }
    return frame, formats


def rsa_sentence(rsa: pd.DataFrame) -> str:
    """Return the sentence comparing one territory's share of RSA recipients with the others.

    The territory and the wording are the project's (``rsa_phrase``); ``{autres}`` lists every
    other row of the table, « 13,2 % en Auvergne-Rhône-Alpes et 15,9 % en France ».
    """
    words = project_texts(TEXTS)["rsa_phrase"]
    rows = rsa.set_index("territoire")
    main = words["territoire"]
    others = [
        f"{percent(float(rows.loc[t, 'part_rsa_defm_pct']))} en {escape_markdown(t)}"
        for t in rows.index
        if t != main
    ]
    return words["texte"].format(
        nombre=number(int(rows.loc[main, "defm_brsa_nombre"])),
        part=percent(float(rows.loc[main, "part_rsa_defm_pct"])),
        autres=" et ".join(others),
    )


def rsa_section(rsa: pd.DataFrame, sources: Sources) -> list[Text | Table]:
    """Return the sentence on the territory's share of RSA recipients, then the RSA table."""
    frame, formats = rsa_frame(rsa)
    table = Table(
        frame,
        title=rsa_title(rsa),
        source=source_text(sources),
        formats=formats,
        note=project_texts(TEXTS)["rsa"],
    )
    return [Text(rsa_sentence(rsa)), table]
