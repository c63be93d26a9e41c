"""``edition nouvelle`` as typed: refusals are French, exit non-zero and write nothing."""

from __future__ import annotations

from pathlib import Path

import yaml

from projet_associatif.cli.main import main

ROOT = Path(__file__).resolve().parents[3]


def test_a_year_not_after_the_source_is_refused(tmp_path, capsys):
    assert (
        main(["edition", "nouvelle", str(tmp_path / "p"), "--depuis", str(ROOT), "--annee", "2020"])
        == 2
    )
    assert "ne suit pas celle du projet source (2020)" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_folder_is_refused(tmp_path, capsys):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "notes.txt").write_text("à garder")
    assert main(["edition", "nouvelle", str(tmp_path / "p"), "--depuis", str(ROOT)]) == 2
    assert "n'est pas vide" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "p").iterdir()] == ["notes.txt"]


def test_a_source_that_is_not_a_project_is_refused(tmp_path, capsys):
    args = [
        "edition",
        "nouvelle",
        str(tmp_path / "p"),
        "--depuis",
        str(tmp_path),
        "--annee",
        "2030",
    ]
    assert main(args) == 2
    assert "n'est pas un projet associatif" in capsys.readouterr().err


def test_blank_options_need_the_blank_mode(tmp_path, capsys):
    args = [
        "edition",
        "nouvelle",
        str(tmp_path / "p"),
        "--depuis",
        str(ROOT),
        "--epci",
        "200071363",
    ]
    assert main(args) == 2
    assert "--epci" in capsys.readouterr().err


def test_blank_needs_a_name_and_epci(tmp_path, capsys):
    assert main(["edition", "nouvelle", str(tmp_path / "p"), "--vierge", "--nom", "X"]) == 2
    assert "--epci" in capsys.readouterr().err


def test_an_unknown_epci_is_a_data_error_and_writes_nothing(tmp_path, capsys):
    args = ["edition", "nouvelle", str(tmp_path / "p"), "--vierge", "--nom", "X", "--epci", "123"]
    assert main(args) == 1
    assert "« 123 » inconnu" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_folder_inside_the_copied_data_is_refused(tmp_path, capsys):
    args = ["edition", "nouvelle", str(ROOT / "data" / "essai"), "--depuis", str(ROOT)]
    assert main([*args, "--annee", "2030"]) == 2
    assert "dossier copié" in capsys.readouterr().err
    assert not (ROOT / "data" / "essai").exists()


def test_a_name_with_markup_is_written_as_text_into_the_new_projects_markdown(tmp_path):
    # The name lands in Markdown that Pandoc and Quarto render (home page, headings): a
    # hostile `<script>` or `$math$` must stay the characters typed.
    name = "Mission Locale <script>alert(1)</script> **gras** $x$ {{< include a.qmd >}}"
    target = tmp_path / "hostile"
    assert main(["edition", "nouvelle", str(target), "--vierge", "--nom", name,
                 "--epci", "200071082", "--annee", "2026"]) == 0  # fmt: skip
    home = (target / "index.qmd").read_text(encoding="utf-8")
    history = (target / "report" / "03-3-histoire.qmd").read_text(encoding="utf-8")
    for text in (home, history):
        assert "<script>" not in text and "**gras**" not in text and "{{<" not in text
        assert r"\<script\>alert(1)\</script\> \*\*gras\*\* \$x\$" in text
    # Quarto reads the book's author as Markdown too.
    config = yaml.safe_load((target / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["book"]["author"].startswith(r"Mission Locale \<script\>alert(1)\</script\>")
