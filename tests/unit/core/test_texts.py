"""core/texts.py: the package's fixed texts, and a project's own texts under report/textes/."""

from __future__ import annotations

import pytest

from projet_associatif.core import texts as core_texts
from projet_associatif.core.errors import DataError, MissingData
from projet_associatif.core.texts import project_texts, texts


@pytest.fixture
def textes(tmp_path, monkeypatch):
    """Return the report/textes/ folder of a project in ``tmp_path``."""
    monkeypatch.setattr(core_texts, "report_dir", lambda: tmp_path / "report")
    folder = tmp_path / "report" / "textes"
    folder.mkdir(parents=True)
    return folder


def test_the_projects_texts_are_read_from_its_report_folder(textes):
    (textes / "chapitre.yaml").write_text("phrase: Une **phrase** de {n} mots.\n", "utf-8")
    assert project_texts("chapitre") == {"phrase": "Une **phrase** de {n} mots."}
    assert core_texts.project_texts_path("chapitre") == textes / "chapitre.yaml"


def test_a_changed_file_is_read_again(textes):
    path = textes / "chapitre.yaml"
    path.write_text("phrase: avant\n", "utf-8")
    assert project_texts("chapitre")["phrase"] == "avant"
    path.write_text("phrase: après le changement\n", "utf-8")
    assert project_texts("chapitre")["phrase"] == "après le changement"


@pytest.mark.parametrize("content", [None, "", "# rien que des commentaires\n"])
def test_an_absent_or_empty_file_is_a_text_to_complete(textes, content):
    path = textes / "chapitre.yaml"
    if content is not None:
        path.write_text(content, "utf-8")
    with pytest.raises(MissingData) as raised:
        project_texts("chapitre")
    assert raised.value.path == path and raised.value.what == "texte du chapitre"


def test_unreadable_yaml_is_an_error_naming_the_file_and_line(textes):
    (textes / "chapitre.yaml").write_text("phrase: ok\nautre: [non fermé\n", "utf-8")
    with pytest.raises(DataError) as raised:
        project_texts("chapitre")
    (problem,) = raised.value.problems
    assert problem.file.endswith("chapitre.yaml") and problem.row is not None
    assert "YAML illisible" in problem.message and not isinstance(raised.value, MissingData)


def test_a_list_is_not_a_set_of_named_texts(textes):
    (textes / "chapitre.yaml").write_text("- une\n- deux\n", "utf-8")
    with pytest.raises(DataError, match="associer un nom à chaque texte"):
        project_texts("chapitre")


def test_the_packages_texts_name_the_organisation_by_placeholder():
    warning = texts("classeur-suivi")["avertissement_fictif"]
    assert warning.endswith("l'activité de la {organisation}.")
