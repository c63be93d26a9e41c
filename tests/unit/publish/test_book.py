"""The book configuration: Quarto's merge semantics and the chapter list of each profile."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from quarto_rules import default_profile, quarto_home_page, quarto_home_text, title_line

from projet_associatif.config.identity import organisation
from projet_associatif.core.paths import project_root
from projet_associatif.publish import RenderError
from projet_associatif.publish.book import book_config, merge_configs, profiles

# Report order of docs/architecture.md (« Chapters and file names »).
PROJET_2020 = [
    "index.qmd",
    "notebooks/01-valeurs.ipynb",
    "report/02-objectifs-generaux.qmd",
    "report/03-descriptif.qmd",
    "notebooks/03-1-contexte-territorial.ipynb",
    "notebooks/03-2-contexte-socio-economique.ipynb",
    "report/03-3-histoire.qmd",
    "notebooks/03-4-public-activite.ipynb",
    "notebooks/03-5-ressources.ipynb",
    "notebooks/04-analyse-swot.ipynb",
    "notebooks/05-strategie.ipynb",
    "report/06-evaluations.qmd",
    "notebooks/a1-fiches-action.ipynb",
    "notebooks/a2-audit.ipynb",
    "notebooks/a3-sources.ipynb",
]


def files(profile: str | None) -> list[str | None]:
    return [e.file for e in book_config(profile).entries]


def test_projet_2020_follows_the_architecture_order():
    assert files("projet-2020") == PROJET_2020


# A review is its own document: its home page, the synthesis, the objectives and fiches;
# it refers to the 2020 document instead of reprinting it (issue 11).
REVIEW = [
    "index.md",
    "notebooks/06-bilan.ipynb",
    "notebooks/06-bilan-fiches.ipynb",
    "notebooks/06-bilan-preconisations.ipynb",
]


def test_review_profiles_are_their_own_book():
    assert files("bilan-intermediaire") == REVIEW
    # Only the final review compares with the mid-term one.
    assert files("bilan-final") == [*REVIEW, "notebooks/06-bilan-evolution.ipynb"]


@pytest.mark.parametrize("profile", ["bilan-intermediaire", "bilan-final"])
def test_review_home_page_refers_to_the_2020_document(profile):
    config = book_config(profile)
    home = config.source(config.home)
    assert home == project_root() / "index.md"
    text = home.read_text(encoding="utf-8")
    assert "../../projet-2020/html/index.html" in text
    assert 'imprime="../projet-2020/projet-associatif.pdf"' in text


def test_projet_2020_has_no_dashboard():
    assert "notebooks/06-bilan.ipynb" not in files("projet-2020")


def test_default_profile_is_projet_2020():
    assert book_config(None).profile == "projet-2020"
    assert files(None) == PROJET_2020


def test_every_profile_has_its_file():
    assert profiles() == ["bilan-final", "bilan-intermediaire", "projet-2020"]


@pytest.mark.parametrize("profile", ["projet-2020", "bilan-intermediaire", "bilan-final"])
def test_profiles_publish_into_their_own_directory(profile):
    config = book_config(profile)
    assert config.output_dir == f"_book/{profile}"
    assert config.output_file == "projet-associatif"
    assert config.lang == "fr"


def test_titles_differ_by_profile():
    titles = {p: book_config(p).title for p in profiles()}
    assert titles["projet-2020"] == "Projet associatif 2020"
    assert "Bilan intermédiaire" in titles["bilan-intermediaire"]
    assert "Bilan final" in titles["bilan-final"]
    assert len({book_config(p).subtitle for p in profiles()}) == 3


def test_part_3_holds_its_five_chapters_and_appendices_go_down_a_level():
    entries = book_config("projet-2020").entries
    part = [e for e in entries if e.role == "part"]
    assert [e.file for e in part] == ["report/03-descriptif.qmd"]
    inside = [e.stem for e in entries if e.part == "report/03-descriptif.qmd"]
    assert inside == [
        "03-1-contexte-territorial",
        "03-2-contexte-socio-economique",
        "03-3-histoire",
        "03-4-public-activite",
        "03-5-ressources",
    ]
    depths = {e.stem: e.depth for e in entries}
    assert depths["03-3-histoire"] == 1 and depths["a2-audit"] == 1
    assert depths["01-valeurs"] == 0 and depths["03-descriptif"] == 0


def test_notebooks_are_the_files_the_build_executes():
    assert book_config("bilan-final").notebooks() == [
        "06-bilan.ipynb",
        "06-bilan-fiches.ipynb",
        "06-bilan-preconisations.ipynb",
        "06-bilan-evolution.ipynb",
    ]
    assert "06-bilan.ipynb" not in book_config("projet-2020").notebooks()


@pytest.mark.parametrize("profile", ["projet-2020", "bilan-intermediaire", "bilan-final"])
def test_every_book_file_exists_where_quarto_looks_for_it(profile):
    # `quarto render` at the root stops at once on a chapter it cannot find (quarto-cli
    # book-config.ts: « Book chapter '…' not found »), before any pre-render step runs.
    config = book_config(profile)
    root = project_root()
    files = [e.file for e in config.entries if e.file]
    assert quarto_home_page(files) == files[0]  # Quarto requires a home page, placed first
    missing = [f for f in files if not (root / f).is_file()]
    assert not missing


@pytest.mark.parametrize("home", ["index.qmd", "index.md"])
def test_home_page_is_an_unnumbered_preface(home):
    # Quarto numbers every chapter whose title is not .unnumbered: « 1. Nos valeurs » is
    # then chapter 1, as its title says, and its tables « Tableau 1.x ».
    first_line = (project_root() / home).read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("# ") and ".unnumbered" in first_line


def test_every_hand_written_chapter_exists():
    config = book_config("bilan-final")
    for entry in config.entries:
        if entry.file and not entry.is_notebook:
            assert config.source(entry).is_file(), entry.file


def test_base_config_declares_no_chapter_list():
    # Quarto concatenates arrays when it merges a profile: a list here would be
    # prepended to every profile's list.
    base = yaml.safe_load((project_root() / "_quarto.yml").read_text(encoding="utf-8"))
    assert "chapters" not in base["book"]
    assert base["profile"]["default"] == "projet-2020"
    assert base["execute"]["enabled"] is False
    assert base["number-sections"] is False


def test_merge_concatenates_arrays_merges_objects_replaces_scalars():
    base = {"book": {"title": "A", "appendices": ["x"], "chapters": ["i", "j"]}, "lang": "fr"}
    over = {"book": {"title": "B", "chapters": ["j", "k"]}, "toc": True}
    merged = merge_configs(base, over)
    assert merged == {
        "book": {"title": "B", "appendices": ["x"], "chapters": ["i", "j", "k"]},
        "lang": "fr",
        "toc": True,
    }
    assert base["book"]["chapters"] == ["i", "j"]  # inputs untouched


def test_merge_coerces_a_scalar_to_an_array_like_quarto():
    assert merge_configs({"css": "a.css"}, {"css": ["b.css"]}) == {"css": ["a.css", "b.css"]}


def test_unknown_profile_is_a_french_error():
    with pytest.raises(RenderError, match="Profil inconnu : « bilan-annuel »"):
        book_config("bilan-annuel")


def test_a_profile_without_chapters_is_refused(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text("project:\n  type: book\nbook:\n  title: T\n")
    (tmp_path / "_quarto-vide.yml").write_text("book:\n  subtitle: S\n")
    with pytest.raises(RenderError, match="aucun chapitre"):
        book_config("vide", tmp_path)


def test_plain_part_titles_and_hrefs_are_read(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text(
        "book:\n  title: T\n  chapters:\n    - index.qmd\n"
        "    - part: Deuxième partie\n      chapters:\n        - href: b.qmd\n"
    )
    (tmp_path / "_quarto-p.yml").write_text("lang: fr\n")
    entries = book_config("p", tmp_path).entries
    assert [(e.role, e.file, e.title) for e in entries] == [
        ("chapter", "index.qmd", None),
        ("part", None, "Deuxième partie"),
        ("chapter", "b.qmd", None),
    ]
    assert entries[1].stem == "deuxieme-partie"


# --- the home page of each profile, found as Quarto 1.10 finds it -------------------------------


@pytest.mark.parametrize("profile", profiles())
def test_quarto_at_the_root_renders_each_profiles_own_home_page(profile):
    root = project_root()
    text = quarto_home_text(root, profile)
    title = title_line(text)
    if profile == default_profile(root):
        # The projet associatif's preface, not the reviews' presentation.
        assert "{#introduction .unnumbered}" in title
        assert "Présentation du bilan" not in text
    else:
        assert title == "# Présentation du bilan {#presentation-bilan .unnumbered}"
        assert "../../projet-2020/html/index.html" in text  # the 2020 document referred to
    # The Pandoc engine reads that very file as the book's first page.
    config = book_config(profile)
    assert config.home is config.entries[0]
    assert config.source(config.home).read_text(encoding="utf-8") == text


def test_the_home_pages_differ_and_hold_no_profile_condition():
    # One file per home page: a `when-profile` condition around a title would not do, as
    # Quarto takes the first « # » line for the title before any condition is resolved.
    root = project_root()
    texts = {p: quarto_home_text(root, p) for p in profiles()}
    default = texts.pop(default_profile(root))
    assert texts and all(t != default for t in texts.values())
    for text in [default, *texts.values()]:
        assert "when-profile" not in text and "unless-profile" not in text


def test_the_home_page_goes_first_as_quarto_places_it(tmp_path: Path):
    (tmp_path / "_quarto.yml").write_text("book:\n  title: T\n")
    (tmp_path / "_quarto-p.yml").write_text(
        "book:\n  chapters:\n    - a.qmd\n    - index.md\n    - b.qmd\n"
    )
    assert files_of(book_config("p", tmp_path)) == ["index.md", "a.qmd", "b.qmd"]
    # A file named index.* in a folder is not a home page for Quarto (path from the root).
    (tmp_path / "_quarto-q.yml").write_text("book:\n  chapters:\n    - report/index.qmd\n")
    with pytest.raises(RenderError, match="« q » n'a pas de page d'accueil : Quarto exige"):
        book_config("q", tmp_path)


def files_of(config) -> list[str | None]:
    return [e.file for e in config.entries]


@pytest.mark.parametrize("profile", profiles())
def test_the_books_author_is_the_organisation_the_data_names(profile):
    # Quarto reads book: author from _quarto.yml; the title page, the PDF and DOCX metadata
    # read identite.yaml: a project whose two names differ would contradict itself.
    assert book_config(profile).author == organisation()


def test_a_hand_written_chapter_not_written_yet_is_a_heading_and_a_box(tmp_path: Path):
    from projet_associatif.publish.book_tree import MISSING_CHAPTER_TITLE, chapter_markdown

    config = book_config("projet-2020")
    entry = next(e for e in config.entries if e.file == "report/03-3-histoire.qmd")
    text, notebook = chapter_markdown(
        config, entry, target="pdf", executed_dir=tmp_path, figures_dir=tmp_path,
        figures_href="", root=tmp_path,
    )  # fmt: skip
    assert notebook is None
    assert text.startswith(f"# {MISSING_CHAPTER_TITLE}\n")
    assert '::: {.pa-a-completer role="note"}' in text
    assert "report/03-3-histoire.qmd" in text.replace("\\", "")
    # The project's own chapter, present, is read as it is.
    written, _ = chapter_markdown(
        config, entry, target="pdf", executed_dir=tmp_path, figures_dir=tmp_path,
        figures_href="", root=project_root(),
    )  # fmt: skip
    assert "pa-a-completer" not in written and MISSING_CHAPTER_TITLE not in written
