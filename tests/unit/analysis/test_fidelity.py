"""analysis/fidelity.py: where the source's text is, and a project that has none."""

from __future__ import annotations

from projet_associatif.analysis import fidelity
from projet_associatif.core.errors import MissingData
from projet_associatif.core.paths import project_root
from projet_associatif.data.package import UnknownResource, load


def test_the_source_file_is_named_by_the_projects_data():
    path = fidelity.source_path()
    assert path == project_root() / load("structure_source")["fichier"]
    assert path.is_file() and fidelity.structure().file == load("structure_source")["fichier"]
    assert fidelity.segments() and fidelity.omissions()


def test_a_project_without_source_document_has_nothing_to_check(monkeypatch):
    monkeypatch.setattr(fidelity, "source_document", lambda: None)
    assert fidelity.source_path() is None
    assert fidelity.segments() == []


def test_a_project_without_fidelity_data_has_nothing_to_check(monkeypatch):
    def absent(name):
        if name == "omissions":
            raise MissingData(f"data/fidelite/{name}.yaml", "omissions")
        raise UnknownResource(name)

    monkeypatch.setattr(fidelity, "resource", absent)
    assert fidelity.source_path() is None
    assert fidelity.segments() == [] and fidelity.omissions() == []
