"""The project is found like git finds its repository: variable, working directory, checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

from projet_associatif.core import paths
from projet_associatif.core.paths import ROOT_ENV, ProjectNotFound, check_project, project_root

CHECKOUT = Path(paths.__file__).resolve().parents[3]


def make(folder: Path, *, identity: bool = True) -> Path:
    """Write a folder with a project's two markers (or only the book's, ``identity=False``)."""
    folder.mkdir(parents=True)
    (folder / "_quarto.yml").write_text("project:\n  type: book\n", encoding="utf-8")
    if identity:
        (folder / "data" / "association").mkdir(parents=True)
        (folder / "data" / "association" / "identite.yaml").write_text("", encoding="utf-8")
    return folder


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(ROOT_ENV, raising=False)


def test_the_variable_comes_first(tmp_path, monkeypatch):
    root = make(tmp_path / "projet")
    monkeypatch.chdir(make(tmp_path / "autre"))
    monkeypatch.setenv(ROOT_ENV, str(root))
    assert project_root() == root


def test_the_nearest_ancestor_of_the_working_directory_holding_both_files(
    tmp_path, monkeypatch, no_env
):
    outer = make(tmp_path / "exterieur")
    inner = make(outer / "interieur")
    (inner / "report" / "typst").mkdir(parents=True)
    monkeypatch.chdir(inner / "report" / "typst")
    assert project_root() == inner
    # A folder with _quarto.yml alone is not a project: its ancestor is.
    half = make(outer / "moitie", identity=False)
    monkeypatch.chdir(half)
    assert project_root() == outer


def test_outside_any_project_the_checkout_of_the_package_serves(tmp_path, monkeypatch, no_env):
    monkeypatch.chdir(tmp_path)
    assert project_root() == CHECKOUT


def test_a_change_of_variable_or_directory_is_seen_without_clearing_a_cache(
    tmp_path, monkeypatch, no_env
):
    first, second = make(tmp_path / "un"), make(tmp_path / "deux")
    monkeypatch.chdir(first)
    assert project_root() == first
    monkeypatch.chdir(second)
    assert project_root() == second
    monkeypatch.setenv(ROOT_ENV, str(first))
    assert project_root() == first


def test_nowhere_to_be_found_is_a_french_error_naming_where_and_how(tmp_path, monkeypatch, no_env):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paths, "__file__", str(tmp_path / "site-packages" / "p" / "paths.py"))
    project_root.cache_clear()
    try:
        with pytest.raises(ProjectNotFound) as error:
            project_root()
    finally:
        project_root.cache_clear()
    message = str(error.value)
    assert message.startswith("Projet introuvable : aucun dossier contenant _quarto.yml et ")
    assert str(tmp_path) in message and "--projet DOSSIER" in message and ROOT_ENV in message


def test_a_variable_naming_no_project_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(ROOT_ENV, str(tmp_path))
    with pytest.raises(ProjectNotFound, match=f"n'est pas un projet \\({ROOT_ENV}\\)"):
        project_root()


def test_check_project_resolves_the_folder(tmp_path, monkeypatch):
    root = make(tmp_path / "projet")
    monkeypatch.chdir(tmp_path)
    assert check_project("projet") == root
    with pytest.raises(ProjectNotFound, match="--projet"):
        check_project(tmp_path)
