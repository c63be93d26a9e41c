"""Chapter 5 and annex A: objectives tree, summary of the actions, the 18 fiches in full."""

import copy
import json
import re

import pypandoc
import pytest

from projet_associatif.analysis import strategy_tree
from projet_associatif.chapters import strategy
from projet_associatif.core.formatting import NBSP
from projet_associatif.data.package import load
from projet_associatif.present import charts

SKIPPED_KEYS = {"note_transcription", "id", "numero", "objectif_operationnel"}


@pytest.fixture(scope="module")
def objectifs():
    return load("objectifs")


@pytest.fixture(scope="module")
def fiches():
    return load("fiches_action")["fiches"]


@pytest.fixture(scope="module")
def indicateurs():
    return load("indicateurs")


def unescape(markdown: str) -> str:
    """Undo Markdown backslash escapes; flatten ASCII whitespace (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"\\(.)", r"\1", markdown)).strip()


def source_texts(value):
    """Yield every text of a fiche, written independently of the module under test."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, sub in value.items():
            if key not in SKIPPED_KEYS:
                yield from source_texts(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from source_texts(sub)


# --- objectives ---------------------------------------------------------------------------------


def test_tree_has_2_general_6_operational_and_18_actions(objectifs, fiches):
    assert strategy_tree.tree_counts(objectifs) == (2, 6, 18)
    tree = strategy.objectives_tree_text(objectifs, fiches).markdown
    levels = [len(m.group(1)) for m in re.finditer(r"^( *)- ", tree, re.MULTILINE)]
    assert levels.count(0) == 2
    assert levels.count(2) == 6
    assert levels.count(4) == len(fiches) == 18
    for fiche in fiches:
        assert strategy.escape_markdown(fiche["titre_sommaire"]) in tree
        assert f"(#fiche-{fiche['id']})" in tree


def test_tree_follows_part_5_order_and_numbering(objectifs, fiches):
    tree = unescape(strategy.objectives_tree_text(objectifs, fiches).markdown)
    assert tree.index("Objectif général 1 — Être connu") < tree.index("Objectif général 2 —")
    assert "Objectif opérationnel 2.3 — *Développer l'ingénierie et l'expertise*" in tree
    positions = [tree.index(f"n°{NBSP}{n}{NBSP}:") for n in range(1, 19)]
    assert positions == sorted(positions)


def test_tree_renders_as_nested_lists_in_pandoc(objectifs, fiches):
    markdown = strategy.objectives_tree_text(objectifs, fiches).markdown
    ast = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    assert [b["t"] for b in ast["blocks"]] == ["BulletList"]
    assert pypandoc.convert_text(markdown, "html", format="markdown").count("<li>") == 26


def test_tree_sentence_counts(objectifs):
    sentence = strategy.tree_sentence(objectifs).markdown
    assert "2 objectifs généraux" in sentence and "6 objectifs opérationnels" in sentence
    assert "18 plans" in sentence


def test_check_strategy_finds_mismatches(objectifs, fiches):
    assert strategy_tree.check_strategy(objectifs, fiches) == []
    moved = copy.deepcopy(fiches)
    moved[0]["objectif_operationnel"] = "OG2-OO3"
    assert any("camion-mobile" in p for p in strategy_tree.check_strategy(objectifs, moved))
    extra = [*copy.deepcopy(fiches), {**fiches[0], "id": "nouvelle-fiche", "numero": 19}]
    assert any("nouvelle-fiche" in p for p in strategy_tree.check_strategy(objectifs, extra))
    with pytest.raises(ValueError, match="incohérents"):
        strategy_tree.fiches_in_order(objectifs, moved)


def test_introduction_quotes_part_5_and_both_definitions(objectifs):
    text = unescape(strategy.introduction_text(objectifs).markdown)
    part = objectifs["section_5"]
    for item in part["questions"]:
        assert item["question"] in text and " ".join(item["texte"].split()) in text
    for definition in part["definitions"].values():
        assert "*" + " ".join(definition.split()) in text
    assert text.rstrip().endswith(f"Source{NBSP}: projet associatif 2020, p.{NBSP}30, 31 et 32")


def test_fiche_and_annex_source_lines_are_short(fiches, indicateurs):
    text = strategy.fiche_markdown(fiches[0], indicateurs)
    assert text.rstrip().endswith(
        f"Source{NBSP}: projet associatif 2020, annexe 1, fiche n°{NBSP}{fiches[0]['numero']} ; "
        "indicateurs : catalogue d'évaluation du projet"
    )
    assert strategy.annex_source_text().markdown == (
        f"Source{NBSP}: projet associatif 2020, p.{NBSP}30, annexe 1\n"
    )


def test_actions_per_objective_and_chart_text(objectifs):
    frame = strategy.actions_per_objective(objectifs)
    assert list(frame["fiches_nombre"]) == [5, 2, 2, 3, 5, 1]
    assert frame["fiches_nombre"].sum() == 18
    alt_text = strategy.actions_chart_alt(frame)
    assert "1.1 Aller vers (Objectif général 1) : 5" in alt_text
    assert "2.3 Développer l'ingénierie et l'expertise (Objectif général 2) : 1" in alt_text
    spec = strategy.actions_chart(frame).to_dict()
    assert [panel["layer"][0]["mark"]["type"] for panel in spec["vconcat"]] == ["bar", "bar"]


def test_actions_chart_writes_the_general_objective_on_each_panel(objectifs):
    # WCAG 1.4.1: the general objective is a panel title, not only a bar colour.
    frame = strategy.actions_per_objective(objectifs)
    spec = charts.chart_spec(strategy.actions_chart(frame))
    generals = sorted(objectifs["objectifs_generaux"], key=lambda o: o["ordre_section_5"])
    assert len(spec["vconcat"]) == len(generals) == 2
    for panel, og in zip(spec["vconcat"], generals, strict=True):
        title = " ".join(panel["title"]["text"])
        assert title == f"Objectif général {og['numero']} — {og['libelle']}"
        rows = spec["datasets"][panel["data"]["name"]]
        assert [r["objectif_operationnel"][:2] for r in rows] == [
            f"{og['numero']}." for _ in og["objectifs_operationnels"]
        ]
    svg = charts.svg(spec)
    assert "<tspan>Objectif général 1 — Être connu" in svg
    assert "<tspan>Objectif général 2 — Apporter" in svg
    assert float(svg.split('width="', 1)[1].split('"', 1)[0]) <= 620  # printed text block
    assert "un panneau par objectif général" in strategy.actions_chart_alt(frame)


def test_summary_table_lists_the_18_actions_in_order(objectifs, fiches):
    table = strategy.summary_frame(objectifs, fiches)
    assert list(table["N°"]) == list(range(1, 19))
    assert list(table.columns) == [
        "N°",
        "Plan d'action",
        "Objectif opérationnel",
        "Calendrier",
        "Coordination",
        "Fiche",
    ]
    by_number = {f["numero"]: f for f in fiches}
    for row in table.itertuples(index=False):
        fiche = by_number[row[0]]
        assert unescape(row[1]) == fiche["titre_sommaire"]
        assert unescape(row[3]) == " ".join(fiche["calendrier"].split())
        assert unescape(row[4]) == " ".join(fiche["coordination"].split())
        assert row[5] == f"[voir l'annexe A](#fiche-{fiche['id']})"
    assert unescape(table.iloc[0]["Objectif opérationnel"]) == "1.1 Aller vers"


def test_summary_table_splits_by_general_objective(objectifs, fiches):
    first = strategy.summary_frame(objectifs, fiches, "OG1")
    second = strategy.summary_frame(objectifs, fiches, "OG2")
    assert list(first["N°"]) == list(range(1, 10))
    assert list(second["N°"]) == list(range(10, 19))
    assert all(unescape(v).startswith("2.") for v in second["Objectif opérationnel"])


# --- rendering helpers ------------------------------------------------------------------------


def test_paragraph_never_opens_a_block():
    assert strategy.paragraph("- tiret") == r"\- tiret"
    assert strategy.paragraph("2. point") == r"2\. point"
    assert strategy.paragraph("2 chaises") == "2 chaises"
    for text in ("- tiret", "2. point", "(1) un", "a) deux", "# titre", "> citation"):
        ast = json.loads(pypandoc.convert_text(strategy.paragraph(text), "json", format="markdown"))
        assert [b["t"] for b in ast["blocks"]] == ["Para"], text


def test_labelled_item_puts_several_blocks_under_the_label():
    item = strategy.labelled_item(
        "Comment ?", ["Intro :", ["un", {"texte": "deux", "items": ["a"]}]]
    )
    assert item == "- **Comment ?**\n\n  Intro :\n\n  - un\n  - deux\n    - a"
    assert strategy.labelled_item("Quand ?", None) == "- **Quand ?** —"
    assert strategy.labelled_item("Objectif", "x") == f"- **Objectif{NBSP}:** x"


def test_line_markdown_distinguishes_absent_empty_and_several_rows():
    empty = {"quoi": None, "quand": None, "qui": None, "comment": None}
    assert "n'a pas cette ligne" in strategy.line_markdown("Perspectives", None)
    assert "imprimée vide" in strategy.line_markdown("Perspectives", empty)
    rows = [{**empty, "quoi": "premier"}, {**empty, "quoi": "second"}]
    text = strategy.line_markdown("Perspectives", {**empty, "lignes": rows})
    assert "Rangée 1" in text and "Rangée 2" in text and "second" in text


# --- the fiches ---------------------------------------------------------------------------------


def test_every_fiche_renders_its_title_steps_and_every_text(fiches, indicateurs, objectifs):
    assert len(fiches) == 18
    for fiche in fiches:
        markdown = strategy.fiche_markdown(fiche, indicateurs, objectifs)
        assert markdown.startswith(f"## {fiche['numero']} — ")
        assert f"{{#fiche-{fiche['id']}}}" in markdown.split("\n")[0]
        text = unescape(markdown)
        assert fiche["titre"] in text
        for step in fiche["etapes"]:
            assert f"**{step['etape']}**" in markdown
        for piece in source_texts(fiche):
            assert " ".join(piece.split()) in text, (fiche["id"], piece)


def test_fiches_show_their_transcription_notes_apart(fiches, indicateurs):
    espace = next(f for f in fiches if f["id"] == "espace-jeunes")
    text = unescape(strategy.fiche_markdown(espace, indicateurs))
    assert "Note de transcription (projet)" in text
    assert " ".join(espace["note_transcription"].split()) in text
    assert "Sous-étape 5" in text and "Rangée 2" in text


def test_fiche_shows_an_empty_partners_cell_and_a_missing_perspectives_row(fiches, indicateurs):
    reseaux = next(f for f in fiches if f["id"] == "reseaux-sociaux")
    assert reseaux["partenaires"] is None
    text = unescape(strategy.fiche_markdown(reseaux, indicateurs))
    assert f"Partenaire(s) associé(s) à l'action{NBSP}:** case vide dans la source" in text
    recueillir = next(f for f in fiches if f["id"] == "recueillir-parole")
    assert recueillir["perspectives"] is None
    assert "n'a pas cette ligne" in strategy.fiche_markdown(recueillir, indicateurs)


def test_fiche_lists_its_indicators_with_undefined_targets(fiches, indicateurs):
    for fiche in fiches:
        mine = indicateurs[indicateurs["fiche"] == fiche["id"]]
        text = unescape(strategy.fiche_markdown(fiche, indicateurs))
        for label in mine["libelle"]:
            assert " ".join(label.split()) in text
        assert text.count(f"cible{NBSP}: non définie par la source") == len(mine)


def test_fiche_shows_a_target_once_the_commission_sets_one(fiches, indicateurs):
    changed = indicateurs.copy()
    changed.loc[changed["id"] == "camion-mobile-i1", "cible"] = 120
    text = unescape(strategy.fiche_markdown(fiches[0], changed))
    assert f"cible{NBSP}: 120{NBSP}jeunes" in text
    assert text.count(f"cible{NBSP}: non définie par la source") == (
        int((indicateurs["fiche"] == "camion-mobile").sum()) - 1
    )


def test_fiche_names_the_part_5_title_when_it_differs(fiches, indicateurs):
    differing = [f for f in fiches if f["titre"] != f["titre_sommaire"]]
    assert len(differing) == 7
    for fiche in differing:
        assert "Intitulé dans la partie 5" in strategy.fiche_markdown(fiche, indicateurs)


def test_fiche_markdown_parses_as_lists_not_code(fiches, indicateurs, objectifs):
    markdown = "\n".join(strategy.fiche_markdown(f, indicateurs, objectifs) for f in fiches)
    ast = json.loads(pypandoc.convert_text(markdown, "json", format="markdown"))
    kinds = {b["t"] for b in ast["blocks"]}
    assert "CodeBlock" not in kinds  # an over-indented block would become code
    headers = [b for b in ast["blocks"] if b["t"] == "Header"]
    assert [h["c"][1][0] for h in headers] == [f"fiche-{f['id']}" for f in fiches]


def test_fiche_source_texts_skip_notes_and_identifiers(fiches):
    texts = list(strategy_tree.fiche_source_texts(fiches[0]))
    assert fiches[0]["titre"] in texts
    assert fiches[0]["etapes"][0]["note_transcription"] not in texts
    assert fiches[0]["id"] not in texts


# --- what the notebooks display -------------------------------------------------------------


def test_summary_tables_one_per_general_objective_with_caption_and_source(objectifs, fiches):
    tables = strategy.summary_tables(objectifs, fiches)
    assert [t.frame["N°"].tolist() for t in tables] == [list(range(1, 10)), list(range(10, 19))]
    first = tables[0]
    assert first.title.startswith("Les plans d'action de l'objectif général 1 — Être connu")
    bundle, meta = first._repr_mimebundle_()
    assert "[voir l'annexe A](#fiche-camion-mobile)" in bundle["text/markdown"]
    assert bundle["text/markdown"].endswith(f"Source{NBSP}: {first.source}\n")
    assert meta["pa"]["kind"] == "table" and meta["pa"]["note"] == first.note
    assert first.source.startswith("projet associatif 2020, p.")


def test_actions_figure_follows_the_chart_contract(objectifs):
    figure = strategy.actions_figure(objectifs)
    bundle, meta = figure._repr_mimebundle_()
    assert bundle["image/svg+xml"].lstrip().startswith("<svg")
    assert meta["pa"]["kind"] == "chart"
    assert meta["pa"]["title"] == "Nombre de plans d'action par objectif opérationnel"
    assert meta["pa"]["source"].endswith("; nombres comptés sur l'arbre des objectifs")
    assert "1.1 Aller vers (Objectif général 1) : 5" in meta["pa"]["alt"]


def test_fiche_texts_one_per_fiche_in_order(fiches, indicateurs, objectifs):
    texts = strategy.fiche_texts(list(reversed(fiches)), indicateurs, objectifs)
    assert [t.markdown.split("\n", 1)[0] for t in texts] == [
        f"## {f['numero']} — {strategy.escape_markdown(f['titre'])} {{#fiche-{f['id']}}}"
        for f in sorted(fiches, key=lambda f: f["numero"])
    ]
    assert texts[0].markdown == strategy.fiche_markdown(fiches[0], indicateurs, objectifs)
