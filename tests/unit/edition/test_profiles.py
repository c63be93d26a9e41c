"""A new project's book and profiles: names, titles, author, chapters."""

from __future__ import annotations

from pathlib import Path

import yaml

from projet_associatif.edition import profiles

ROOT = Path(__file__).resolve().parents[3]


def template_profile() -> dict:
    return profiles.read_yaml(ROOT / "_quarto-projet-2020.yml")


def test_main_config_names_the_new_base_profile_title_author_and_date():
    text = (ROOT / "_quarto.yml").read_text(encoding="utf-8")
    out = profiles.main_config(
        text,
        year=2026,
        author="Mission Locale « Test » : Vichy",
        profiles=["projet-2026", "bilan-intermediaire", "bilan-final"],
    )
    config = yaml.safe_load(out)
    assert config["profile"]["default"] == "projet-2026"
    assert config["profile"]["group"] == [["projet-2026", "bilan-intermediaire", "bilan-final"]]
    assert config["book"]["title"] == "Projet associatif 2026"
    assert config["book"]["author"] == "Mission Locale « Test » : Vichy"
    assert config["book"]["date"] == "2026"
    # The rest of the book is the template's, comments included.
    assert config["format"] == yaml.safe_load(text)["format"]
    assert "# Livre Quarto du projet associatif" in out


def test_next_edition_base_profile_adds_completeness_first_and_previous_last():
    profile = profiles.base_profile(template_profile(), year=2026, previous=True, blank=False)
    book = profile["book"]
    assert book["chapters"][:2] == ["index.qmd", profiles.COMPLETENESS_CHAPTER]
    assert book["chapters"][-1] == profiles.PREVIOUS_CHAPTER
    assert profiles.AUDIT_APPENDIX in book["appendices"]
    assert book["title"] == profile["pa-profil"] == "Projet associatif 2026"
    assert profile["project"]["output-dir"] == "_book/projet-2026"
    assert book["subtitle"] == template_profile()["book"]["subtitle"]


def test_blank_base_profile_drops_the_audit_and_the_template_subtitle():
    profile = profiles.base_profile(template_profile(), year=2027, previous=False, blank=True)
    book = profile["book"]
    assert profiles.AUDIT_APPENDIX not in book["appendices"]
    assert profiles.PREVIOUS_CHAPTER not in str(book["chapters"])
    assert "subtitle" not in book
    assert book["chapters"][1] == profiles.COMPLETENESS_CHAPTER
    assert profile["project"]["output-dir"] == "_book/projet-2027"


def test_written_base_profile_reads_back(tmp_path):
    profile = profiles.base_profile(template_profile(), year=2026, previous=True, blank=False)
    path = profiles.write_base_profile(tmp_path, profile, 2026)
    assert path.name == "_quarto-projet-2026.yml"
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == profile


def test_review_profile_renames_the_year_and_adds_completeness():
    text = (ROOT / "_quarto-bilan-final.yml").read_text(encoding="utf-8")
    out = profiles.review_profile(text, old_year=2020, year=2026)
    review = yaml.safe_load(out)
    assert review["book"]["title"] == "Bilan final du projet associatif 2026"
    assert review["book"]["chapters"][:2] == ["index.md", profiles.COMPLETENESS_CHAPTER]
    assert "2020" not in out
    # Edited in place, comments kept: not dumped again from the parsed YAML.
    assert "#" in out


def test_default_and_review_profiles_of_this_project():
    assert profiles.default_profile(ROOT) == "projet-2020"
    assert profiles.review_profiles(ROOT) == ["bilan-intermediaire", "bilan-final"]
