"""House style for Altair charts and the one output every chart is displayed as.

Just over 500 lines: the theme, the output contract and the three chart builders share the
same French formats and are read together.

``mimebundle`` (what ``blocks.Figure`` displays) follows the chart output contract of
``docs/architecture.md``: one display output whose mimebundle holds a static SVG (PDF, DOCX,
Jupyter), a 2× PNG (DOCX fallback) and an HTML figure (inline SVG + Vega-Lite spec for the
offline interactive view + data table), with ``{"pa": {...}}`` metadata for the renderers.

Font: ``FONT`` starts with Liberation Sans, which vl-convert bundles (so the SVG is laid out
and the PNG drawn with it on any machine), then Arial/Helvetica, metrically identical, for
browsers and Word. Typst has no sans font of its own: it draws SVG text with the first
family of the list it knows, else with its default Libertinus Serif; the text stays real,
selectable text (checked in tests/unit/present/test_charts.py).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from collections.abc import Mapping
from typing import Any, Literal

import altair as alt
import pandas as pd
import vl_convert as vlc

from projet_associatif.core.formatting import MINUS, MISSING, NBSP
from projet_associatif.core.paths import build_dir, vega_bundle_path
from projet_associatif.present import tables

THEME = "projet_associatif"
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
# Okabe–Ito hues that reach 3:1 against white (WCAG 1.4.11), plus a dark grey; all five stay
# apart under simulated protanopia, deuteranopia and tritanopia (tests/unit/present/test_charts.py).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#666666")
TEXT_COLOR = "#222222"
AXIS_COLOR = "#595959"
GRID_COLOR = "#DDDDDD"
FONT_SIZE = 12
TITLE_SIZE = 14

# d3's fr-FR locale with a no-break space before « % » (d3 uses U+202F there): the same
# characters as formatting.py, so charts and tables match.
FORMAT_LOCALE = {
    "decimal": ",",
    "thousands": NBSP,
    "grouping": [3],
    "currency": ["", f"{NBSP}€"],
    "percent": f"{NBSP}%",
    "minus": MINUS,
    "nan": MISSING,
}
TIME_FORMAT_LOCALE = vlc.get_time_format_locale("fr-FR")
# The Vega-Lite version Altair writes; vl-convert renders and bundles the same one.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])

Period = Literal["jour", "mois", "trimestre", "annee"]
PERIODS: dict[str, tuple[str, str]] = {
    # period: (Vega-Lite timeUnit, d3 time format) — month names come from the fr-FR locale.
    "jour": ("yearmonthdate", "%-d %b %Y"),
    "mois": ("yearmonth", "%b %Y"),
    "trimestre": ("yearquarter", "T%q %Y"),
    "annee": ("year", "%Y"),
}


def theme() -> alt.theme.ThemeConfig:
    """Return the house Altair theme: readable sizes, contrasted colours, French locale."""
    # Axes and legends write their labels and titles alike.
    labels = {
        "labelFont": FONT,
        "titleFont": FONT,
        "labelFontSize": FONT_SIZE,
        "titleFontSize": FONT_SIZE,
        "labelColor": TEXT_COLOR,
        "titleColor": TEXT_COLOR,
    }
    axis = {
        **labels,
        "titleFontWeight": "bold",
        "domainColor": AXIS_COLOR,
        "tickColor": AXIS_COLOR,
        "gridColor": GRID_COLOR,
        "labelLimit": 280,
        # Vega's generated descriptions are English; the figure's alt text speaks instead.
        "aria": False,
    }
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"continuousWidth": 400, "continuousHeight": 260, "stroke": None},
            "axis": axis,
            "legend": {
                **labels,
                "labelLimit": 280,
                "orient": "bottom",
                "direction": "horizontal",
                "aria": False,
            },
            "header": {"labelFontSize": FONT_SIZE, "titleFontSize": FONT_SIZE},
            "title": {"font": FONT, "fontSize": TITLE_SIZE, "color": TEXT_COLOR, "anchor": "start"},
            "mark": {"color": PALETTE[0], "aria": False},
            "text": {"font": FONT, "fontSize": FONT_SIZE, "color": TEXT_COLOR},
            "line": {"strokeWidth": 2.5},
            "point": {"size": 50, "filled": True},
            "range": {"category": list(PALETTE)},
            "locale": {"number": FORMAT_LOCALE, "time": TIME_FORMAT_LOCALE},
        }
    }


alt.theme.register(THEME, enable=True)(theme)


# --- the displayed output ------------------------------------------------------------------


def chart_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """Return the chart's Vega-Lite spec with the house theme and inline data, no URL."""
    with alt.theme.enable(THEME):
        spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def chart_id(spec: Mapping[str, Any], *parts: str) -> str:
    """Return an HTML id derived from the spec and captions, stable across rebuilds."""
    payload = json.dumps([spec, parts], sort_keys=True, ensure_ascii=False, default=str)
    return "pa-chart-" + hashlib.sha256(payload.encode()).hexdigest()[:12]


def svg(spec: Mapping[str, Any]) -> str:
    """Return the static SVG of a Vega-Lite spec, numbers and dates in French."""
    return vlc.vegalite_to_svg(
        dict(spec),
        vl_version=VL_VERSION,
        format_locale=FORMAT_LOCALE,
        time_format_locale=TIME_FORMAT_LOCALE,
    )


def png(spec: Mapping[str, Any]) -> bytes:
    """Return a PNG with twice the SVG's pixels, tagged 192 ppi so it prints at the SVG's size.

    vl-convert multiplies the pixels by ``scale × ppi / 72``: 0.75 × 192 / 72 = 2. Pandoc
    reads the ppi to size the image in DOCX.
    """
    return vlc.vegalite_to_png(
        dict(spec),
        vl_version=VL_VERSION,
        scale=0.75,
        ppi=192,
        format_locale=FORMAT_LOCALE,
        time_format_locale=TIME_FORMAT_LOCALE,
    )


def _prefix_svg_ids(text: str, prefix: str) -> str:
    # Vega numbers its clip paths clip1, clip2… in every SVG: on a page with several
    # inline charts, url(#clip1) would point at another chart's clip path.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', text)


def _svg_size(text: str) -> tuple[int, int]:
    root = re.search(r"<svg\b[^>]*>", text)
    width = re.search(r'\bwidth="([\d.]+)', root.group(0)) if root else None
    height = re.search(r'\bheight="([\d.]+)', root.group(0)) if root else None
    if not (width and height):
        raise ValueError("SVG sans largeur ni hauteur : sortie de vl-convert inattendue.")
    return round(float(width.group(1))), round(float(height.group(1)))


def _json_script(spec: Mapping[str, Any]) -> str:
    # Escape <, > and & so that no string of the spec can close the script element.
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_CHANNEL_ORDER = ("row", "column", "y", "x", "yOffset", "xOffset", "color", "detail")


def _encoded_fields(spec: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the field definitions of every encoding channel, layers included, once each.

    Categories and periods come first (rows, then axes, then groups), measures last, the
    order a reader expects in a table.
    """
    found: dict[str, tuple[tuple[bool, int], dict[str, Any]]] = {}
    for part in [spec, *spec.get("layer", [])]:
        for channel, definitions in part.get("encoding", {}).items():
            rank = _CHANNEL_ORDER.index(channel) if channel in _CHANNEL_ORDER else 99
            for definition in definitions if isinstance(definitions, list) else [definitions]:
                field = definition.get("field") if isinstance(definition, dict) else None
                if isinstance(field, str) and field not in found:
                    key = (definition.get("type") == "quantitative", rank)
                    found[field] = (key, definition)
    return [definition for _, definition in sorted(found.values(), key=lambda item: item[0])]


def _quarter(value: object) -> str:
    stamp = pd.Timestamp(value)
    return f"T{stamp.quarter} {stamp.year}"


_TIME_UNIT_FORMATS = {"yearmonth": "mois", "year": "annee", "yearquarter": _quarter}


def data_table(
    chart: alt.TopLevelMixin, spec: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the chart's encoded fields, headed by their axis titles, and their formats."""
    candidates = [chart, *getattr(chart, "layer", [])]
    frame = next((c.data for c in candidates if isinstance(c.data, pd.DataFrame)), None)
    if frame is None:
        raise ValueError(
            "Les données du graphique ne sont pas un DataFrame : "
            "passez data=… à la figure (blocks.Figure)."
        )
    definitions = [d for d in _encoded_fields(spec) if d["field"] in frame.columns]
    if not definitions:
        return frame, {}
    columns, formats = {}, {}
    for definition in definitions:
        field = definition["field"]
        title = definition.get("title") or field
        title = " ".join(title) if isinstance(title, list) else str(title)
        columns[field] = title
        unit = definition.get("timeUnit")
        unit = unit.get("unit") if isinstance(unit, dict) else unit
        # Formats are chosen on the data's own names, which carry the units (_pct, _eur).
        formats[title] = _TIME_UNIT_FORMATS.get(unit) or tables.default_formatter(
            field, frame[field]
        )
    return frame[list(columns)].rename(columns=columns), formats


#: A series column with more values than this is not spread into columns for print.
MAX_SERIES_COLUMNS = 6


def print_table(
    frame: pd.DataFrame, formats: Mapping[str, Any]
) -> tuple[pd.DataFrame, dict[str, Any], str]:
    """Return the chart's values laid out compactly for print, their formats and the measure.

    A table of one measure by category and series (« Trimestre, Territoire, Taux ») becomes
    one row per category and one column per series, as the source prints such tables; any
    other table is kept as it is (and the measure is then the empty string).
    """
    columns = list(frame.columns)
    if len(columns) != 3:
        return frame, dict(formats), ""
    category, series, measure = columns
    spread = (
        tables.is_numeric(frame[measure])
        and not tables.is_numeric(frame[series])
        and frame[series].nunique() <= MAX_SERIES_COLUMNS
        and not frame.duplicated([category, series]).any()
    )
    if not spread:
        return frame, dict(formats), ""
    order = list(pd.unique(frame[series]))
    wide = frame.pivot(index=category, columns=series, values=measure)
    wide = wide.reindex(index=pd.unique(frame[category]), columns=order).reset_index()
    wide.columns = [category, *[str(name) for name in order]]
    spread_formats = {category: formats[category]} if category in formats else {}
    if measure in formats:
        spread_formats.update({str(name): formats[measure] for name in order})
    return wide, spread_formats, str(measure)


def _figure(
    chart_svg: str, spec: Mapping, ident: str, title: str, source: str, alt_text: str, table: str
) -> str:
    esc = html.escape
    return (
        f'<figure class="pa-chart" id="{ident}-figure">'
        f'<div class="pa-chart-view" role="img" aria-label="{esc(alt_text)}" '
        f'data-spec="{ident}">{chart_svg}</div>'
        f'<script type="application/json" id="{ident}">{_json_script(spec)}</script>'
        f'<details class="pa-chart-data"><summary>Données du graphique</summary>{table}</details>'
        f'<figcaption><span class="pa-chart-title">{esc(title)}</span> '
        f'<span class="pa-chart-source">Source{NBSP}: {esc(source)}</span></figcaption>'
        "</figure>"
    )


def mimebundle(
    chart: alt.TopLevelMixin,
    *,
    title: str,
    source: str,
    alt: str,
    data: pd.DataFrame | None = None,
) -> tuple[dict[str, str], dict[str, Any]]:
    """Return the (data, metadata) pair of the chart output contract."""
    for name, value in (("title", title), ("source", source), ("alt", alt)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"Un graphique publié a toujours un texte « {name} » non vide.")
    spec = chart_spec(chart)
    ident = chart_id(spec, title, source, alt)
    chart_svg = _prefix_svg_ids(svg(spec), ident)
    width, height = _svg_size(chart_svg)
    shown, formats = (data, {}) if data is not None else data_table(chart, spec)
    table = tables.html_table(shown, formats=formats)
    compact, compact_formats, measure = print_table(shown, formats)
    bundle = {
        "image/svg+xml": chart_svg,
        "image/png": base64.b64encode(png(spec)).decode("ascii"),
        "text/html": _figure(chart_svg, spec, ident, title, source, alt, table),
        "text/plain": f"Graphique{NBSP}: {title} (Source{NBSP}: {source})",
    }
    size = {"width": width, "height": height}
    metadata = {
        "pa": {
            "kind": "chart",
            "title": title,
            "source": source,
            "alt": alt,
            "id": ident,
            # Print has no « Données du graphique » to open: the renderers put this table
            # after the figure in PDF and DOCX, so every value is readable as text there too.
            "data_markdown": tables.markdown_table(compact, formats=compact_formats),
            "data_label": measure,
        },
        "image/png": size,
        "image/svg+xml": size,
    }
    return bundle, metadata


def vega_bundle() -> str:
    """Return the offline Vega + Vega-Lite + vega-embed bundle, exposing ``window.vegaEmbed``.

    Generating it takes seconds: it is cached under build/vega/, keyed by the altair and
    vl-convert versions (altair fixes the Vega-Lite version).
    """
    path = vega_bundle_path(build_dir())
    if path.is_file():
        return path.read_text(encoding="utf-8")
    # The default snippet assigns vegaEmbed, vegaLite and vega to window.
    text = vlc.javascript_bundle(vl_version=VL_VERSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)  # atomic: a concurrent build never reads half a file
    return text


# --- chart builders used by the notebooks ------------------------------------------------


def _check_groups(frame: pd.DataFrame, field: str | None) -> list[Any]:
    """Return the groups of ``field`` in data order; refuse more than the palette holds."""
    if field is None:
        return []
    groups = list(dict.fromkeys(frame[field].dropna()))
    if len(groups) > len(PALETTE):
        raise ValueError(
            f"{len(groups)} groupes dans {field!r} : au-delà de {len(PALETTE)}, les couleurs ne "
            "se distinguent plus ; préférez un tableau ou plusieurs graphiques."
        )
    return groups


def _label_expr(field: str, series: pd.Series) -> str:
    """Return a Vega expression printing ``field`` in French, with its unit from the name."""
    number = f"format(datum[{json.dumps(field)}], ',.{tables.column_decimals(series)}f')"
    if field.endswith("_pct"):
        return f"{number} + '{NBSP}%'"
    if field.endswith("_eur"):
        return f"{number} + '{NBSP}€'"
    return number


def _axes(frame: pd.DataFrame, x: str, y: str) -> tuple[bool, str, str]:
    """Return (horizontal, value field, category field): the numeric field is the value."""
    horizontal = tables.is_numeric(frame[x])
    value, category = (x, y) if horizontal else (y, x)
    if not tables.is_numeric(frame[value]):
        raise ValueError(f"Ni {x!r} ni {y!r} n'est numérique : rien à représenter en barres.")
    return horizontal, value, category


def _bar_encoding(frame, x, y, x_title, y_title, sort) -> tuple[bool, str, dict[str, Any]]:
    horizontal, value, category = _axes(frame, x, y)
    titles = {x: x_title or x, y: y_title or y}
    value_channel, category_channel = (alt.X, alt.Y) if horizontal else (alt.Y, alt.X)
    encoding = {
        "x" if horizontal else "y": value_channel(value, type="quantitative", title=titles[value]),
        "y" if horizontal else "x": category_channel(
            category,
            type="nominal",
            title=titles[category],
            # The source's order, not the alphabet, unless the notebook asks.
            sort=list(dict.fromkeys(frame[category])) if sort is None else sort,
            axis=alt.Axis() if horizontal else alt.Axis(labelAngle=0),
        ),
    }
    return horizontal, value, encoding


def bar_chart(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    color: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    color_title: str | None = None,
    sort: list[Any] | str | None = None,
    labels: bool = True,
) -> alt.Chart | alt.LayerChart:
    """Return a bar chart, horizontal when ``x`` is the numeric field, values written on bars."""
    groups = _check_groups(frame, color)
    horizontal, value, encoding = _bar_encoding(frame, x, y, x_title, y_title, sort)
    if color:
        encoding["color"] = alt.Color(
            color, type="nominal", title=color_title or color, sort=groups
        )
    # Bands wide enough for a French-formatted value label (« 1 637 478 », « 48,5 % »).
    base = alt.Chart(frame).encode(**encoding)
    base = base.properties(
        **{"height" if horizontal else "width": alt.Step(26 if horizontal else 64)}
    )
    bars = base.mark_bar()
    if not labels:
        return bars
    text = (
        base.transform_calculate(etiquette=_label_expr(value, frame[value]))
        .mark_text(
            align="left" if horizontal else "center",
            baseline="middle" if horizontal else "bottom",
            dx=4 if horizontal else 0,
            dy=0 if horizontal else -3,
        )
        .encode(text="etiquette:N", color=alt.value(TEXT_COLOR))
    )
    return alt.layer(bars, text)


def grouped_bar_chart(
    frame: pd.DataFrame,
    x: str,
    y: str,
    group: str,
    *,
    x_title: str | None = None,
    y_title: str | None = None,
    group_title: str | None = None,
    sort: list[Any] | str | None = None,
) -> alt.Chart:
    """Return bars of each category side by side for each ``group`` (colour and legend)."""
    groups = _check_groups(frame, group)
    horizontal, _, encoding = _bar_encoding(frame, x, y, x_title, y_title, sort)
    offset = alt.YOffset if horizontal else alt.XOffset
    encoding["yOffset" if horizontal else "xOffset"] = offset(group, type="nominal", sort=groups)
    encoding["color"] = alt.Color(group, type="nominal", title=group_title or group, sort=groups)
    chart = alt.Chart(frame).mark_bar().encode(**encoding)
    # The step is per category: one band per group plus a gap between categories.
    step = alt.Step((16 if horizontal else 24) * len(groups) + 12)
    return chart.properties(**{"height" if horizontal else "width": step})


_TICKS = {
    "jour": None,
    "mois": {"interval": "month", "step": 1},
    "trimestre": {"interval": "month", "step": 3},
    "annee": {"interval": "year", "step": 1},
}


def line_chart(
    frame: pd.DataFrame,
    x: str,
    y: str,
    *,
    color: str | None = None,
    period: Period = "mois",
    x_title: str | None = None,
    y_title: str | None = None,
    color_title: str | None = None,
) -> alt.Chart:
    """Return a time series of ``y`` with French period labels (« janv. 2020 », « T1 2020 »)."""
    if period not in PERIODS:
        raise ValueError(f"Période inconnue : {period!r} ({', '.join(PERIODS)})")
    groups = _check_groups(frame, color)
    unit, fmt = PERIODS[period]
    ticks = {"tickCount": _TICKS[period]} if _TICKS[period] else {}
    # No vertical grid: with monthly ticks it would hatch the plot.
    axis = alt.Axis(format=fmt, labelAngle=0, labelOverlap=True, grid=False, **ticks)
    encoding = {
        "x": alt.X(x, type="temporal", timeUnit=unit, title=x_title or x, axis=axis),
        "y": alt.Y(y, type="quantitative", title=y_title or y),
    }
    if color:
        encoding["color"] = alt.Color(
            color, type="nominal", title=color_title or color, sort=groups
        )
    return alt.Chart(frame).mark_line(point=True).encode(**encoding)
