"""A blank data package: descriptors and schemas kept, no figure, no source of the template."""

from __future__ import annotations

from pathlib import Path

import yaml

from projet_associatif.edition.blank_data import (
    blank_data,
    blank_descriptor,
    header_only,
    template_places,
)

ROOT = Path(__file__).resolve().parents[3]


def test_blank_descriptor_keeps_the_schema_and_drops_the_template_figures():
    descriptor = yaml.safe_load(
        (ROOT / "data/territoire/epci.resource.yaml").read_text(encoding="utf-8")
    )
    descriptor["actualisation"] = {"statut": "à actualiser", "edition": 2026}
    blank = blank_descriptor(descriptor)
    assert blank["schema"] == descriptor["schema"]
    assert blank["name"] == "epci" and blank["path"] == "epci.csv"
    assert "lignes" not in blank and "actualisation" not in blank
    assert len(blank["sources"]) == 1
    assert blank["sources"][0]["title"].startswith("À compléter")
    assert "Moulins" not in yaml.safe_dump(blank["sources"], allow_unicode=True)
    assert "Moulins" not in blank["description"]


def test_header_only_keeps_a_quoted_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,"b,c",d\n1,2,3\n', encoding="utf-8")
    assert header_only(path) == 'a,"b,c",d\n'


def test_blank_data_of_this_project(tmp_path):
    target = tmp_path / "data"
    blank_data(ROOT / "data", target)
    assert not (target / "fidelite").exists()
    assert not (target / "reference").exists()
    csv_file = target / "territoire" / "epci.csv"
    assert len(csv_file.read_text(encoding="utf-8").splitlines()) == 1
    assert (target / "valeurs" / "charte.resource.yaml").is_file()
    assert not (target / "valeurs" / "charte.yaml").exists()  # a YAML document: to write
    identity = yaml.safe_load(
        (target / "association" / "identite.resource.yaml").read_text(encoding="utf-8")
    )
    assert (
        identity["jsonSchema"]
        == yaml.safe_load(
            (ROOT / "data/association/identite.resource.yaml").read_text(encoding="utf-8")
        )["jsonSchema"]
    )
    assert not (target / "association" / "identite.yaml").exists()  # the caller writes it
    assert "À compléter" in (target / "territoire" / "README.md").read_text(encoding="utf-8")
    descriptor = yaml.safe_load(
        (target / "territoire" / "epci.resource.yaml").read_text(encoding="utf-8")
    )
    assert "lignes" not in descriptor


def test_allowed_values_naming_the_template_places_go_the_others_stay():
    places = template_places(ROOT / "data")
    assert {"Moulins", "Moulins Communauté"} <= places
    descriptor = yaml.safe_load(
        (ROOT / "data/territoire/chiffres_cles.resource.yaml").read_text(encoding="utf-8")
    )
    fields = {f["name"]: f for f in blank_descriptor(descriptor, places)["schema"]["fields"]}
    assert "enum" not in fields["perimetre"]["constraints"]
    assert fields["perimetre"]["constraints"]["required"] is True
    assert "pct" in fields["unite"]["constraints"]["enum"]
    assert "Moulins" not in yaml.safe_dump(fields, allow_unicode=True)
