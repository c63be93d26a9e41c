"""Stale marking: the newest year of a vintage, and the « à actualiser » block."""

from __future__ import annotations

import pytest
import yaml

from projet_associatif.edition.vintages import mark_stale, newest_year, stale_reason


@pytest.mark.parametrize(
    ("vintage", "year"),
    [
        ("2018", 2018),
        ("2017-2018", 2018),
        ("2019 T1", 2019),
        ("2018-T2", 2018),
        ("2008-T2 à 2018-T1", 2018),
        ("juin 2018", 2018),
        ("2018-10-17", 2018),
        ("2018 (présence sur le territoire) ; 2013 (densité INSEE)", 2018),
        ("non précisé par la source (infographie sans date)", None),
        ("À compléter : le millésime des chiffres (année)", None),
        ("", None),
        (None, None),
        (2015, 2015),
        ("code 200071140", None),  # a SIREN is not a year
    ],
)
def test_newest_year_reads_the_newest_year_written(vintage, year):
    assert newest_year(vintage) == year


def test_a_resource_older_than_the_edition_is_stale_a_recent_one_is_not():
    old = {"sources": [{"vintage": "2018"}, {"vintage": "2015"}]}
    recent = {"sources": [{"vintage": "2015"}, {"vintage": "2026 T1"}]}
    assert "2018" in stale_reason(old, 2026)
    assert stale_reason(recent, 2026) is None


def test_a_resource_without_any_vintage_is_stale_with_its_reason():
    assert "millésime" in stale_reason({"sources": [{"title": "x"}]}, 2026)
    assert "millésime" in stale_reason({}, 2026)


DESCRIPTOR = """\
# A comment the analyst wrote, kept.
name: {name}
path: {name}.csv
sources:
  - title: Quelque part
    vintage: "{vintage}"
schema:
  fields:
    - {{name: a, type: string}}
"""


def test_mark_stale_writes_the_block_keeps_comments_and_skips(tmp_path):
    data = tmp_path / "data"
    for folder, name, vintage in [
        ("g", "ancienne", "2017-2018"),
        ("g", "recente", "2026"),
        ("g", "identite", "2020"),
        ("reference", "communes", "2020"),
    ]:
        (data / folder).mkdir(parents=True, exist_ok=True)
        (data / folder / f"{name}.resource.yaml").write_text(
            DESCRIPTOR.format(name=name, vintage=vintage), encoding="utf-8"
        )
    marks = mark_stale(data, 2026, skip={"identite"}, skip_dirs={"reference"})
    assert [m.name for m in marks] == ["ancienne"]
    text = (data / "g" / "ancienne.resource.yaml").read_text(encoding="utf-8")
    assert text.startswith("# A comment the analyst wrote, kept.\n")
    block = yaml.safe_load(text)["actualisation"]
    assert block["statut"] == "à actualiser"
    assert block["edition"] == 2026
    assert "2018" in block["motif"]
    for name in ("recente", "identite"):
        assert "actualisation" not in (data / "g" / f"{name}.resource.yaml").read_text()
    assert "actualisation" not in (data / "reference" / "communes.resource.yaml").read_text()


def test_mark_stale_replaces_an_earlier_block(tmp_path):
    path = tmp_path / "t.resource.yaml"
    path.write_text(
        DESCRIPTOR.format(name="t", vintage="2020")
        + "actualisation:\n  statut: conservé\n  edition: 2023\n  motif: charte\n",
        encoding="utf-8",
    )
    mark_stale(tmp_path, 2026)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document["actualisation"]["edition"] == 2026
    assert path.read_text(encoding="utf-8").count("actualisation:") == 1
