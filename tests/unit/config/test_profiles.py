"""The profile table: the base document is the project's own, named by its _quarto.yml."""

from __future__ import annotations

import shutil

import pytest
import yaml

from projet_associatif.config import profiles
from projet_associatif.config.profiles import (
    ProfileError,
    base_profile,
    check_profile,
    get_profile,
    profile_names,
)
from projet_associatif.core.paths import ROOT_ENV, project_root


def test_this_projects_base_document_is_the_2020_one():
    assert base_profile() == "projet-2020"
    assert profile_names() == ("projet-2020", "bilan-intermediaire", "bilan-final")
    assert get_profile("projet-2020").label == "Projet associatif 2020"


@pytest.fixture
def edition(tmp_path, monkeypatch):
    """A copy of this project's book and identity, edition 2026 (no notebook, no chapter)."""
    root = tmp_path / "projet"
    (root / "data").mkdir(parents=True)
    shutil.copytree(project_root() / "data" / "association", root / "data" / "association")
    shutil.copytree(project_root() / "data" / "evaluation", root / "data" / "evaluation")
    config = (project_root() / "_quarto.yml").read_text(encoding="utf-8")
    (root / "_quarto.yml").write_text(config.replace("projet-2020", "projet-2026"), "utf-8")
    identity = root / "data" / "association" / "identite.yaml"
    identity.write_text(
        identity.read_text(encoding="utf-8").replace(
            "edition:\n  annee: 2020", "edition:\n  annee: 2026"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv(ROOT_ENV, str(root))
    return root


def test_another_edition_names_its_own_base_document(edition):
    assert base_profile() == "projet-2026"
    profile = get_profile("projet-2026", edition / "data")
    assert (profile.name, profile.label, profile.is_review) == (
        "projet-2026",
        "Projet associatif 2026",
        False,
    )
    with pytest.raises(ProfileError, match="projet-2026, bilan-intermediaire, bilan-final"):
        check_profile("projet-2020")
    assert list(profiles.profiles(edition / "data")) == [
        "projet-2026",
        "bilan-intermediaire",
        "bilan-final",
    ]


def test_a_list_default_takes_its_first_profile(tmp_path):
    (tmp_path / "_quarto.yml").write_text(
        yaml.safe_dump({"profile": {"default": ["projet-2031", "autre"]}}), encoding="utf-8"
    )
    assert base_profile(tmp_path) == "projet-2031"


@pytest.mark.parametrize(
    "config",
    ["project:\n  type: book\n", "profile:\n  default: bilan-final\n", "profile: [a]\n"],
    ids=["absent", "un-bilan", "malforme"],
)
def test_a_base_profile_not_stated_is_a_french_error_naming_the_file(tmp_path, config):
    (tmp_path / "_quarto.yml").write_text(config, encoding="utf-8")
    with pytest.raises(ProfileError) as error:
        base_profile(tmp_path)
    assert str(tmp_path / "_quarto.yml") in str(error.value)
    assert "« profile: default: »" in str(error.value)


def test_an_edit_of_quarto_yml_is_seen(tmp_path):
    path = tmp_path / "_quarto.yml"
    path.write_text("profile:\n  default: projet-2020\n", encoding="utf-8")
    assert base_profile(tmp_path) == "projet-2020"
    path.write_text("profile:\n  default: projet-2026\n", encoding="utf-8")
    assert base_profile(tmp_path) == "projet-2026"


def test_a_framework_still_to_fill_dates_the_base_document_from_its_edition(edition):
    from projet_associatif.config.profiles import resolve_as_of
    from projet_associatif.core.errors import MissingData

    framework = edition / "data" / "evaluation" / "evaluation_cadre.yaml"
    assert resolve_as_of("projet-2026", None, edition / "data").isoformat() == "2020-03-01"
    framework.unlink()  # « à compléter »: a blank project's framework
    assert resolve_as_of("projet-2026", None, edition / "data").isoformat() == "2026-01-01"
    # A review has no date without the framework: the gap is named, not guessed.
    with pytest.raises(MissingData, match="evaluation_cadre.yaml"):
        resolve_as_of("bilan-final", None, edition / "data")
