"""present/maps.py: the map drawn from parameters alone (outlines, areas, legend, points)."""

import json

import pandas as pd
import pytest

from projet_associatif.present import charts, maps


def square(x, y, side=0.2):
    """Return a counter-clockwise square ring (RFC 7946 winding) with its corner at (x, y)."""
    return [[x, y], [x + side, y], [x + side, y + side], [x, y + side], [x, y]]


@pytest.fixture(scope="module")
def geojson():
    # Two areas side by side, made of two and one « communes ».
    features = [
        ("A", "Alpha-1", square(3.0, 46.0)),
        ("A", "Alpha-2", square(3.0, 46.2)),
        ("B", "Beta-1", square(3.2, 46.0, 0.4)),
    ]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code_epci": code, "nom": name},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
            for code, name, ring in features
        ],
    }


COVERAGES = [
    maps.Coverage("Zone entière", ("Zone", "entière"), 0.9),
    maps.Coverage("Zone partagée", ("Zone", "partagée"), 0.3),
]


@pytest.fixture(scope="module")
def areas():
    return pd.DataFrame(
        {
            "code_epci": ["A", "B"],
            "epci": ["Premier ensemble", "Second ensemble (partagé)"],
            "couverture": ["Zone entière", "Zone partagée"],
        }
    )


@pytest.fixture(scope="module")
def points():
    return pd.DataFrame(
        {
            "lieu": ["Siège", "Permanence"],
            "type_site": ["siège", "permanence"],
            "commune": ["Alpha-1", "Beta-1"],
            "longitude": [3.1, 3.4],
            "latitude": [46.1, 46.2],
            "demi_journees_par_mois": [40.0, None],
            "etiquette": ["Alpha-1 (40,0)", "Beta-1 (—)"],
        }
    )


def test_features_carry_the_area_label_and_coverage(geojson, areas):
    features = maps.map_features(geojson, areas)
    assert [f["properties"]["epci"] for f in features] == [
        "Premier ensemble",
        "Premier ensemble",
        "Second ensemble (partagé)",
    ]
    assert features[2]["properties"]["couverture"] == "Zone partagée"
    # Exterior rings clockwise for d3-geo.
    assert all(maps.signed_area(f["geometry"]["coordinates"][0]) < 0 for f in features)


def test_an_outline_of_an_unknown_area_is_refused(geojson, areas):
    with pytest.raises(KeyError, match="Beta-1"):
        maps.map_features(geojson, areas.iloc[:1])


def test_legend_and_shapes_come_from_the_parameters(geojson, areas, points):
    chart = maps.commune_map(
        geojson, areas, points, COVERAGES, {"siège": "square", "permanence": "circle"}
    )
    spec = charts.chart_spec(chart)
    opacity = spec["layer"][0]["encoding"]["opacity"]
    assert opacity["scale"] == {"domain": ["Zone entière", "Zone partagée"], "range": [0.9, 0.3]}
    expr = opacity["legend"]["labelExpr"]
    # Each label is replaced by its lines; the first entry is tested first.
    assert expr.index(json.dumps("Zone entière")) < expr.index(json.dumps("Zone partagée"))
    assert json.dumps(["Zone", "partagée"]) in expr and expr.endswith("(datum.label))")
    marks = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    assert marks["encoding"]["shape"]["scale"] == {
        "domain": ["siège", "permanence"],
        "range": ["square", "circle"],
    }
    assert "Moulins" not in json.dumps(spec)


def test_each_name_is_written_on_its_own_area(geojson, areas, points):
    placed = maps.epci_label_points(geojson, areas, points)
    assert placed["epci"].tolist() == areas["epci"].tolist()
    first, second = placed.itertuples()
    assert 3.0 <= first.longitude <= 3.2 and 3.2 <= second.longitude <= 3.6


def test_a_site_label_never_covers_another_site(geojson, points):
    placed = maps.site_label_points(geojson, points)
    to_pixels, _, _ = maps.pixel_plane(geojson)
    halves = maps.symbol_half(points)
    for i, row in enumerate(placed.itertuples()):
        left, middle = to_pixels(row.longitude_etiquette, row.latitude_etiquette)
        width = len(row.etiquette) * maps.SITE_CHAR_PX
        box = (
            left,
            middle - maps.SITE_LABEL_HALF_PX,
            left + width,
            middle + maps.SITE_LABEL_HALF_PX,
        )
        others = []
        for j, (other, half) in enumerate(zip(points.itertuples(), halves, strict=True)):
            if j != i:
                x, y = to_pixels(other.longitude, other.latitude)
                others.append((x - half, y - half, x + half, y + half))
        assert not maps.overlaps(box, others)


def test_without_points_the_map_has_no_site_layer(geojson, areas):
    # A project whose sites are still to fill in: outlines and names only.
    spec = charts.chart_spec(maps.commune_map(geojson, areas, None, COVERAGES, {}))
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["geoshape", "text", "text"]
    assert not any({"shape", "size"} & set(layer["encoding"]) for layer in spec["layer"])
    placed = maps.epci_label_points(geojson, areas, None)
    assert placed["epci"].tolist() == areas["epci"].tolist()
    assert "Premier ensemble" in charts.svg(spec)


def test_a_legend_name_too_long_for_its_line_is_wrapped(geojson, areas, points):
    plain = charts.chart_spec(maps.commune_map(geojson, areas, points, COVERAGES, {}))
    # Short names: the legend is Vega's own, no expression.
    assert "labelExpr" not in plain["layer"][0]["encoding"]["color"]["legend"]
    long = areas.assign(epci=["Premier ensemble", "Communauté de communes " * 3 + "(partagé)"])
    spec = charts.chart_spec(maps.commune_map(geojson, long, points, COVERAGES, {}))
    expr = spec["layer"][0]["encoding"]["color"]["legend"]["labelExpr"]
    assert json.dumps("Premier ensemble") not in expr
    lines = json.loads(expr.split(" ? ", 1)[1].split(" : ", 1)[0])
    assert len(lines) == 2 and all(len(line) <= maps.LEGEND_CHARS for line in lines)
    assert " ".join(lines) == long["epci"].iloc[1]
