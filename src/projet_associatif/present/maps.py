"""Draw a map of communes grouped by EPCI, each EPCI named on it, sites as sized symbols.

Presentation only: outlines, labels, legends and points come in as parameters, an Altair
chart goes out. Vega-Lite cannot move a text mark out of another's way, so the labels are
placed here, in the map's pixels, estimated with a local equirectangular plane (over some
50 km it stays within a few pixels of the conformal conic projection Vega fits to the same
view).

The points frame has one row per site: ``lieu``, ``type_site``, ``longitude``, ``latitude``,
``demi_journees_par_mois`` (the symbol's size, may be missing) and ``etiquette`` (its label);
``None`` when no site is known yet: the map then has no site layer. (Just over 500 lines:
the labels' placement and the chart that draws them are read together.)
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import altair as alt
import pandas as pd

from projet_associatif.core.formatting import is_missing
from projet_associatif.present import charts

MAP_DECIMALS = 3  # about 100 m: under a pixel at the printed size, a third of the bytes
MAP_WIDTH, MAP_HEIGHT = 420, 400

Box = tuple[float, float, float, float]  # left, top, right, bottom, in pixels
Ring = list[tuple[float, float]]
NAME_LINE_CHARS = (18, 22, 26, 60)  # line lengths tried, the most compact name first
NAME_FONT_SIZE = 12
NAME_CHAR_PX = 6.4  # mean advance of bold 12 px Liberation Sans (6.0 measured) plus 7 %
NAME_LINE_PX = 15
SITE_FONT_SIZE = 11
SITE_CHAR_PX = 5.2  # the same for regular 11 px (4.9 measured)
SITE_LABEL_DX = 14
SITE_LABEL_HALF_PX = 7
SITE_SIZES = (40, 500)  # the site symbols' areas, in square pixels
MARGIN_PX = 3
LEGEND_CHARS = 44  # a legend label's characters within the theme's 280 px (11 px text)


@dataclass(frozen=True)
class Coverage:
    """Hold one entry of the coverage legend: its label, the lines it is drawn on, its opacity.

    Vega draws an array of strings as lines: the printed page is about 600 px wide, so a
    long label is given on several lines.
    """

    label: str
    lines: tuple[str, ...]
    opacity: float


# --- outlines ---------------------------------------------------------------------------------


def signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Return the shoelace area of a ring in degrees: positive when counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2


def _round_ring(ring: list[list[float]], decimals: int, clockwise: bool) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y in ring:
        point = [round(x, decimals), round(y, decimals)]
        if not out or point != out[-1]:
            out.append(point)
    if (signed_area(out) < 0) != clockwise:
        out.reverse()
    return out


def _round_polygon(rings: list[list[list[float]]], decimals: int) -> list[list[list[float]]]:
    # d3-geo (Vega) reads a counter-clockwise exterior ring as « the whole sphere minus this
    # polygon », the reverse of RFC 7946: exterior rings go clockwise, holes the other way.
    return [_round_ring(r, decimals, clockwise=i == 0) for i, r in enumerate(rings)]


def round_geometry(geometry: Mapping[str, Any], decimals: int = MAP_DECIMALS) -> dict[str, Any]:
    """Return the geometry with rounded coordinates, rings wound as d3-geo expects."""
    kind = geometry["type"]
    if kind == "Polygon":
        coords = _round_polygon(geometry["coordinates"], decimals)
    elif kind == "MultiPolygon":
        coords = [_round_polygon(poly, decimals) for poly in geometry["coordinates"]]
    else:
        raise ValueError(f"Géométrie non prise en charge : {kind}")
    return {"type": kind, "coordinates": coords}


def _lines_expr(entries: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Return a Vega expression replacing each legend label by its lines."""
    expr = "datum.label"
    # The last entry is tested first: the expression reads as the original legend did.
    for label, lines in reversed(entries):
        expr = f"datum.label === {json.dumps(label)} ? {json.dumps(list(lines))} : ({expr})"
    return expr


def _name_legend(labels: Sequence[str]) -> alt.Legend:
    """Return the EPCI legend, a name too long for its line given on two or more."""
    long = [(label, textwrap.wrap(label, LEGEND_CHARS)) for label in labels]
    long = [(label, lines) for label, lines in long if len(lines) > 1]
    wrapped = {"labelExpr": _lines_expr(long)} if long else {}
    return alt.Legend(direction="vertical", orient="bottom", symbolType="square", **wrapped)


def map_features(
    geojson: Mapping[str, Any], areas: pd.DataFrame, decimals: int = MAP_DECIMALS
) -> list[dict[str, Any]]:
    """Return the commune outlines with their EPCI's label and coverage, coordinates rounded.

    ``areas`` has one row per EPCI: ``code_epci``, ``epci`` (the label written on the map)
    and ``couverture`` (its coverage legend label).
    """
    by_code = {row.code_epci: row for row in areas.itertuples(index=False)}
    features = []
    for feature in geojson["features"]:
        props = feature["properties"]
        row = by_code.get(props["code_epci"])
        if row is None:
            raise KeyError(f"EPCI {props['code_epci']} de {props['nom']} absent de la table epci")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "commune": props["nom"],
                    "epci": row.epci,
                    "couverture": row.couverture,
                },
                "geometry": round_geometry(feature["geometry"], decimals),
            }
        )
    return features


# --- the map's pixels -------------------------------------------------------------------------


def _rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    polygons = geometry["coordinates"]
    return [r for p in (polygons if geometry["type"] == "MultiPolygon" else [polygons]) for r in p]


def pixel_plane(geojson: Mapping[str, Any]) -> tuple[Any, Any, tuple[float, float]]:
    """Return (to_pixels, to_degrees, size) for the map's view, the outlines fitted to it."""
    points = [pt for f in geojson["features"] for r in _rings(f["geometry"]) for pt in r]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))
    west, north = min(lons) * shrink, max(lats)
    scale = min(MAP_WIDTH / (max(lons) * shrink - west), MAP_HEIGHT / (north - min(lats)))

    def to_pixels(lon: float, lat: float) -> tuple[float, float]:
        return (lon * shrink - west) * scale, (north - lat) * scale

    def to_degrees(x: float, y: float) -> tuple[float, float]:
        return (x / scale + west) / shrink, north - y / scale

    return to_pixels, to_degrees, to_pixels(max(lons), min(lats))


def _centroid(rings: list[Ring]) -> tuple[float, float]:
    """Return the centroid of the area the rings enclose, holes wound the other way."""
    area = x_moment = y_moment = 0.0
    for ring in rings:
        for (x0, y0), (x1, y1) in pairwise(ring):
            cross = x0 * y1 - x1 * y0
            area += cross
            x_moment += (x0 + x1) * cross
            y_moment += (y0 + y1) * cross
    return x_moment / (3 * area), y_moment / (3 * area)


def overlaps(box: Box, others: list[Box]) -> bool:
    """Return whether ``box`` meets any of ``others`` (touching edges do not count)."""
    left, top, right, bottom = box
    return any(
        left < o_right and o_left < right and top < o_bottom and o_top < bottom
        for o_left, o_top, o_right, o_bottom in others
    )


def symbol_half(points: pd.DataFrame) -> list[float]:
    """Return each site symbol's half side, in pixels (the map's size scale)."""
    low, high = SITE_SIZES
    most = points["demi_journees_par_mois"].max()
    most = most if not is_missing(most) and most > 0 else 1.0
    # The symbol's area grows linearly from zero (the map's size scale).
    return [
        math.sqrt(low + (high - low) * (value / most if not is_missing(value) else 0)) / 2
        for value in points["demi_journees_par_mois"]
    ]


# --- where the site labels go -------------------------------------------------------------------


def _label_candidates(x: float, y: float, half: float, width: float) -> list[Box]:
    """Return the boxes a site's label may take, best first: right, left, below, above.

    Beside the symbol the label may also slide up or down by a line or two; below and
    above, it may be centred or start or end at the symbol.
    """
    h = SITE_LABEL_HALF_PX
    boxes = []
    for shift in (0, -2 * h, 2 * h, -4 * h, 4 * h):
        boxes.append((x + SITE_LABEL_DX, y - h + shift, x + SITE_LABEL_DX + width, y + h + shift))
        boxes.append((x - SITE_LABEL_DX - width, y - h + shift, x - SITE_LABEL_DX, y + h + shift))
    for middle in (y + half + 1 + h, y - half - 1 - h):
        for left in (x - width / 2, x - half, x + half - width):
            boxes.append((left, middle - h, left + width, middle + h))
    return boxes


def _overlap_area(box: Box, others: list[Box]) -> float:
    left, top, right, bottom = box
    return sum(
        max(0.0, min(right, o_right) - max(left, o_left))
        * max(0.0, min(bottom, o_bottom) - max(top, o_top))
        for o_left, o_top, o_right, o_bottom in others
    )


def _site_label_boxes(points: pd.DataFrame, to_pixels: Any, size: tuple[float, float]) -> list[Box]:
    """Return where each site's label goes: the first side clear of other labels and symbols.

    Sites are placed in decreasing order of half-days (the siège first); a label that
    fits nowhere takes the spot where it covers the least.
    """
    width, height = size
    halves = symbol_half(points)
    centres = [to_pixels(r.longitude, r.latitude) for r in points.itertuples(index=False)]
    symbols = [(x - h, y - h, x + h, y + h) for (x, y), h in zip(centres, halves, strict=True)]
    frame = [(-1e9, -1e9, 0, 1e9), (width, -1e9, 1e9, 1e9), (-1e9, -1e9, 1e9, 0)]
    frame.append((-1e9, height, 1e9, 1e9))
    boxes: dict[int, Box] = {}
    days = points["demi_journees_par_mois"].fillna(0).tolist()
    order = sorted(range(len(points)), key=lambda i: -days[i])
    for i in order:
        (x, y), half = centres[i], halves[i]
        text = points["etiquette"].iloc[i]
        candidates = _label_candidates(x, y, half, len(text) * SITE_CHAR_PX)
        others = [b for j, b in enumerate(symbols) if j != i] + list(boxes.values()) + frame
        padded = [
            (left - MARGIN_PX, top - MARGIN_PX, right + MARGIN_PX, bottom + MARGIN_PX)
            for left, top, right, bottom in candidates
        ]
        # The first free spot, else the one that covers the least.
        costs = [_overlap_area(p, others) for p in padded]
        boxes[i] = candidates[costs.index(min(costs))]
    return [boxes[i] for i in range(len(points))]


def site_label_points(geojson: Mapping[str, Any], points: pd.DataFrame) -> pd.DataFrame:
    """Return the sites with where their label starts (left end, middle), clear of the others.

    Each label goes right of its symbol, else left, below or above: two nearby sites must
    not print their names over each other.
    """
    to_pixels, to_degrees, size = pixel_plane(geojson)
    placed = points.copy()
    anchors = [
        to_degrees(left, (top + bottom) / 2)
        for left, top, _, bottom in _site_label_boxes(points, to_pixels, size)
    ]
    placed["longitude_etiquette"] = [lon for lon, _ in anchors]
    placed["latitude_etiquette"] = [lat for _, lat in anchors]
    return placed


def site_boxes(points: pd.DataFrame, to_pixels: Any, size: tuple[float, float]) -> list[Box]:
    """Return the room each site symbol and its label take, margins included."""
    boxes = []
    labels = _site_label_boxes(points, to_pixels, size)
    for row, half, label in zip(
        points.itertuples(index=False), symbol_half(points), labels, strict=True
    ):
        x, y = to_pixels(row.longitude, row.latitude)
        for left, top, right, bottom in ((x - half, y - half, x + half, y + half), label):
            boxes.append((left - MARGIN_PX, top - MARGIN_PX, right + MARGIN_PX, bottom + MARGIN_PX))
    return boxes


# --- where the EPCI names go --------------------------------------------------------------------


def name_box(x: float, y: float, text: str, margin: float = MARGIN_PX) -> Box:
    """Return the room a name of one or more lines takes, centred on (x, y)."""
    lines = text.split("\n")
    half_width = max(len(line) for line in lines) * NAME_CHAR_PX / 2 + margin
    half_height = len(lines) * NAME_LINE_PX / 2 + margin
    return x - half_width, y - half_height, x + half_width, y + half_height


class _Owners:
    """Tell which EPCI a pixel of the map lies on (even-odd rule, so holes are outside)."""

    def __init__(self, rings: Mapping[str, list[Ring]]) -> None:
        self.rings = rings
        # A ray cast to the right only meets rings spanning the point's height.
        self.spans = {
            code: [(min(y for _, y in r), max(y for _, y in r), r) for r in own]
            for code, own in rings.items()
        }
        self.cache: dict[tuple[int, int], str | None] = {}

    def __call__(self, x: float, y: float) -> str | None:
        key = (round(x), round(y))  # a pixel is precise enough, and repeats are many
        if key not in self.cache:
            self.cache[key] = next(
                (code for code, spans in self.spans.items() if self._inside(*key, spans)), None
            )
        return self.cache[key]

    @staticmethod
    def _inside(x: float, y: float, spans: list[tuple[float, float, Ring]]) -> bool:
        inside = False
        for low, high, ring in spans:
            if not low <= y <= high:
                continue
            for (x0, y0), (x1, y1) in pairwise(ring):
                if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
        return inside


def _place(code: str, text: str, owners: _Owners, taken: list[Box]) -> tuple[float, float] | None:
    """Return the free spot nearest the EPCI's centroid where its name covers no other EPCI.

    The name's centre lies on its EPCI; its edges may overhang the blank around the map,
    not a neighbour. Candidates are a 4-pixel grid; None when none is free.
    """
    rings = owners.rings[code]
    cx, cy = _centroid(rings)
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    grid = [
        (x, y)
        for x in range(math.floor(min(xs)), math.ceil(max(xs)) + 1, 4)
        for y in range(math.floor(min(ys)), math.ceil(max(ys)) + 1, 4)
    ]
    grid.sort(key=lambda p: (p[0] - cx) ** 2 + (p[1] - cy) ** 2)
    for x, y in grid:
        if owners(x, y) != code or overlaps(name_box(x, y, text), taken):
            continue
        left, top, right, bottom = name_box(x, y, text, margin=0)
        probes = [
            (left + (right - left) * i / 6, top + (bottom - top) * j / 4)
            for i in range(7)
            for j in range(5)
        ]
        if all(owners(px, py) in (code, None) for px, py in probes):
            return x, y
    return None


def epci_label_points(
    geojson: Mapping[str, Any], areas: pd.DataFrame, points: pd.DataFrame | None
) -> pd.DataFrame:
    """Return where each EPCI's name is written: on the EPCI, clear of the sites and their labels.

    ``areas`` gives, in drawing order, each EPCI's ``code_epci`` and ``epci`` (its name on
    the map). The spot is the free one nearest the centroid of the EPCI's commune outlines,
    in the map's pixels; the longitude and latitude returned are that spot's.
    """
    to_pixels, to_degrees, (width, height) = pixel_plane(geojson)
    rings: dict[str, list[Ring]] = {}
    for feature in geojson["features"]:
        # The drawn outlines, wound alike: holes then subtract from the centroid's area.
        drawn = round_geometry(feature["geometry"], MAP_DECIMALS)
        own = rings.setdefault(feature["properties"]["code_epci"], [])
        own += [[to_pixels(lon, lat) for lon, lat in r] for r in _rings(drawn)]
    owners = _Owners(rings)
    # Beyond the view's edges, as if taken: a name must not push the map's frame.
    taken = [(-1e9, -1e9, 0, 1e9), (width, -1e9, 1e9, 1e9), (-1e9, -1e9, 1e9, 0)]
    taken.append((-1e9, height, 1e9, 1e9))
    if points is not None:
        taken += site_boxes(points, to_pixels, (width, height))
    rows = []
    for row in areas.itertuples(index=False):
        if row.code_epci not in rings:
            raise KeyError(f"Aucun contour de commune pour l'EPCI {row.code_epci}")
        # Three short lines first, then two, then one: the first shape with a free spot.
        shapes = ["\n".join(textwrap.wrap(row.epci, w)) for w in NAME_LINE_CHARS]
        text, (x, y) = shapes[0], _centroid(rings[row.code_epci])
        for shape in shapes:
            spot = _place(row.code_epci, shape, owners, taken)
            if spot is not None:
                text, (x, y) = shape, spot
                break
        taken.append(name_box(x, y, text))  # names do not cover each other either
        lon, lat = to_degrees(x, y)
        rows.append({"epci": row.epci, "etiquette_epci": text, "longitude": lon, "latitude": lat})
    return pd.DataFrame(rows)


# --- the chart ----------------------------------------------------------------------------------


def commune_map(
    geojson: Mapping[str, Any],
    areas: pd.DataFrame,
    points: pd.DataFrame | None,
    coverages: Sequence[Coverage],
    shapes: Mapping[str, str],
) -> alt.LayerChart:
    """Return the map of the communes coloured by EPCI, opacity by coverage, sites as points.

    ``areas`` gives, in legend order, each EPCI's ``code_epci``, ``epci`` (its name, written
    on it: colour is never the only way to tell them apart, WCAG 1.4.1) and ``couverture``
    (one of the ``coverages`` labels). ``shapes`` maps each site type to its symbol. Without
    ``points`` (no site known yet) the map has neither site symbols nor their legends.
    """
    labels = areas["epci"].tolist()
    features = map_features(geojson, areas)
    projection = alt.Projection(type="conicConformal", parallels=[44, 49], rotate=[-3, 0])
    communes = (
        alt.Chart(alt.Data(values=features))
        .mark_geoshape(stroke="white", strokeWidth=0.4)
        .encode(
            color=alt.Color(
                "properties.epci",
                type="nominal",
                title="EPCI",
                scale=alt.Scale(domain=labels, range=list(charts.PALETTE[: len(labels)])),
                legend=_name_legend(labels),
            ),
            opacity=alt.Opacity(
                "properties.couverture",
                type="nominal",
                title="Couverture",
                scale=alt.Scale(
                    domain=[c.label for c in coverages], range=[c.opacity for c in coverages]
                ),
                legend=alt.Legend(
                    direction="vertical",
                    orient="bottom",
                    symbolType="square",
                    labelExpr=_lines_expr([(c.label, c.lines) for c in coverages]),
                ),
            ),
            tooltip=[
                alt.Tooltip("properties.commune", type="nominal", title="Commune"),
                alt.Tooltip("properties.epci", type="nominal", title="EPCI"),
            ],
        )
    )
    names = alt.Chart(epci_label_points(geojson, areas, points)).encode(
        longitude="longitude:Q", latitude="latitude:Q", text="etiquette_epci:N"
    )
    name_style = {
        "fontSize": NAME_FONT_SIZE,
        "fontWeight": "bold",
        "lineBreak": "\n",
        "align": "center",
        "baseline": "middle",
        "lineHeight": NAME_LINE_PX,
    }
    names_halo = names.mark_text(**name_style, stroke="white", strokeWidth=3, strokeOpacity=0.8)
    names_top = names.mark_text(**name_style).encode(color=alt.value(charts.TEXT_COLOR))
    layers = [communes, names_halo, names_top]
    if points is not None:
        layers += site_layers(geojson, points, shapes)
    return (
        alt.layer(*layers)
        .project(**projection.to_dict())
        .properties(width=MAP_WIDTH, height=MAP_HEIGHT)
    )


def site_layers(
    geojson: Mapping[str, Any], points: pd.DataFrame, shapes: Mapping[str, str]
) -> list[alt.Chart]:
    """Return the sites' layers: symbols sized by half-days, then their labels over a halo."""
    kinds = [str(k) for k in shapes if k in set(points["type_site"])]
    base = alt.Chart(points).encode(
        longitude="longitude:Q",
        latitude="latitude:Q",
    )
    marks = base.mark_point(filled=True, color=charts.TEXT_COLOR, stroke="white", opacity=1).encode(
        shape=alt.Shape(
            "type_site",
            type="nominal",
            title="Lieu d'accueil",
            scale=alt.Scale(domain=kinds, range=[shapes[k] for k in kinds]),
            legend=alt.Legend(direction="vertical", orient="right"),
        ),
        size=alt.Size(
            "demi_journees_par_mois",
            type="quantitative",
            title="Demi-journées par mois",
            scale=alt.Scale(range=list(SITE_SIZES), zero=True),
            legend=alt.Legend(direction="vertical", orient="right", values=[2, 10, 40]),
        ),
        tooltip=[
            alt.Tooltip("lieu", type="nominal", title="Lieu"),
            alt.Tooltip("demi_journees_par_mois", type="quantitative", title="Demi-journées/mois"),
        ],
    )
    # Labels start where site_label_points put them: beside, below or above their symbol.
    labelled = alt.Chart(site_label_points(geojson, points)).encode(
        longitude="longitude_etiquette:Q", latitude="latitude_etiquette:Q", text="etiquette:N"
    )
    site_style = {"align": "left", "baseline": "middle", "fontSize": SITE_FONT_SIZE}
    text = labelled.mark_text(**site_style, stroke="white", strokeWidth=3, strokeOpacity=0.8)
    # A second text layer without halo: Vega draws stroke over fill, so the halo goes below.
    text_top = labelled.mark_text(**site_style).encode(color=alt.value(charts.TEXT_COLOR))
    return [marks, text, text_top]
