"""The organisation's name and the source's title: one home in the data, read everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import pypdf
import pytest
from render_support import META, TITLES, executed_notebook

from projet_associatif.config import identity as identity_module
from projet_associatif.config.identity import identity, organisation, source_document
from projet_associatif.core.errors import DataError
from projet_associatif.core.paths import data_dir
from projet_associatif.present.provenance import source_text
from projet_associatif.publish import render_book
from projet_associatif.publish.book import book_config

NAME = "Mission Locale de Moulins et sa région"
TITLE = "Projet associatif 2020 de la Mission Locale de Moulins et sa région"
#: A name that would be markup in Markdown, Typst, HTML or XML if it were not escaped.
HOSTILE = "Asso <b>#set</b> *Cie* _x_ $y$ \\ @ref [l](http://e.x) & « Allier » // fin"


def identity_copy(tmp_path: Path, name: str) -> Path:
    """Return a data folder holding only the identity resource, its organisation renamed."""
    folder = tmp_path / "data" / "association"
    folder.mkdir(parents=True)
    for file in ("identite.yaml", "identite.resource.yaml"):
        shutil.copyfile(data_dir() / "association" / file, folder / file)
    rename(folder / "identite.yaml", name)
    return tmp_path / "data"


def rename(path: Path, name: str) -> None:
    """Write ``name`` as the organisation (a YAML double-quoted string)."""
    escaped = name.replace("\\", "\\\\").replace('"', '\\"')
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(
            f'organisation: "{escaped}"\n' if line.startswith("organisation:") else line
            for line in lines
        ),
        encoding="utf-8",
    )


def test_the_real_data_names_the_organisation_and_the_source():
    assert organisation() == NAME
    assert source_document().title == TITLE
    assert source_document().cited_as == "projet associatif 2020"
    assert source_document().year == 2020


def test_a_changed_file_changes_the_identity(tmp_path):
    data = identity_copy(tmp_path, "Mission Locale de Vichy")
    assert organisation(data) == "Mission Locale de Vichy"
    rename(data / "association" / "identite.yaml", HOSTILE)
    identity_module._read.cache_clear()  # same second: the file date may not have moved
    assert organisation(data) == HOSTILE
    assert identity(data).source.title == TITLE


def test_an_empty_name_is_a_data_error(tmp_path):
    data = identity_copy(tmp_path, "")
    with pytest.raises(DataError, match="identite"):
        organisation(data)


def test_captions_cite_the_source_by_the_short_form_of_the_data():
    sources = [{"title": TITLE, "page": 7}, {"title": TITLE, "page": 16}]
    assert source_text(sources) == f"{source_document().cited_as}, p.\u00a07 et 16"


def test_the_pdf_and_docx_carry_the_organisation_as_text(tmp_path):
    """The build passes the data's name to the renderer (test_build.py); here, its outputs."""
    executed = tmp_path / "executes"
    executed.mkdir()
    for name in book_config("projet-2020").notebooks():
        executed_notebook(executed / name, TITLES[Path(name).stem])
    outputs = render_book(
        executed,
        tmp_path / "staging",
        profile="projet-2020",
        formats=["pdf", "docx", "html"],
        engine="pandoc",
        meta={**META, "organisation": HOSTILE},
    )
    pdf = pypdf.PdfReader(outputs["pdf"])
    assert pdf.metadata.author == HOSTILE
    cover = " ".join(pdf.pages[0].extract_text().split())
    assert " ".join(HOSTILE.split()) in cover and NAME not in cover
    assert docx.Document(outputs["docx"]).core_properties.author == HOSTILE
    page = outputs["html"].read_text(encoding="utf-8")
    assert "Asso &lt;b&gt;#set&lt;/b&gt; *Cie*" in page and "<b>#set" not in page
