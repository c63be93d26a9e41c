"""The Quarto engine: staging project, command lines and file placement, with a fake quarto."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import nbformat
import pytest

from projet_associatif.render import RenderError, choose_engine, render_book
from projet_associatif.render import pandoc as pandoc_module
from projet_associatif.render.book import book_config

# A stand-in for the quarto CLI: logs what it was asked and what the staging project
# held, then writes the outputs a real `quarto render` would write.
FAKE_QUARTO = r"""#!{python}
import json, os, sys
from pathlib import Path

args = sys.argv[1:]
project = Path(args[1])
log = Path(os.environ["FAUX_QUARTO_JOURNAL"])
files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
with log.open("a", encoding="utf-8") as handle:
    handle.write(json.dumps({{"args": args, "cwd": os.getcwd(), "files": files}}) + "\n")
if os.environ.get("FAUX_QUARTO_ECHEC") == args[args.index("--to") + 1]:
    sys.stderr.write("ERROR: compilation impossible (faux quarto)\n")
    sys.exit(1)
out = project / args[args.index("--output-dir") + 1]
out.mkdir(parents=True, exist_ok=True)
fmt = args[args.index("--to") + 1]
if fmt == "html":
    (out / "index.html").write_text("<html lang=fr>accueil</html>")
    (out / "notebooks").mkdir()
    (out / "notebooks" / "01-valeurs.html").write_text("<html lang=fr>valeurs</html>")
elif fmt == "typst":
    (out / "projet-associatif.pdf").write_bytes(b"%PDF-1.7 faux")
elif fmt == "docx":
    (out / "projet-associatif.docx").write_bytes(b"PK faux")
"""


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "quarto"
    script.write_text(FAKE_QUARTO.format(python=sys.executable), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    journal = tmp_path / "journal.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAUX_QUARTO_JOURNAL", str(journal))
    # The real bundle takes seconds to build; its content is not what is tested here.
    monkeypatch.setattr(pandoc_module, "vega_bundle", lambda: "window.vegaEmbed = null;")
    return journal


@pytest.fixture
def executed(tmp_path: Path) -> Path:
    folder = tmp_path / "executes"
    folder.mkdir()
    for name in book_config("bilan-intermediaire").notebooks():
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell("print('ok')")
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ok\n")]
        nb.cells = [nbformat.v4.new_markdown_cell(f"# {Path(name).stem}"), cell]
        nbformat.write(nb, folder / name)
    return folder


def calls(journal: Path) -> list[dict]:
    return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines()]


META = {
    "profile_label": "Bilan intermédiaire",
    "as_of": "2021-09-30",
    "suivi": "exemples/suivi-fictif.xlsx",
    "build_date": "2021-10-01",
}


def test_auto_engine_prefers_quarto_when_installed(fake_quarto):
    assert choose_engine("auto") == "quarto"
    assert choose_engine("pandoc") == "pandoc"
    with pytest.raises(RenderError, match="Moteur de rendu inconnu"):
        choose_engine("latex")


def test_auto_engine_falls_back_to_pandoc(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert choose_engine("auto") == "pandoc"


def test_one_quarto_render_per_format_with_profile_and_no_execution(
    fake_quarto, executed, tmp_path
):
    staging = tmp_path / "staging"
    render_book(
        executed,
        staging,
        profile="bilan-intermediaire",
        formats=["html", "pdf", "docx"],
        engine="auto",
        meta=META,
    )
    logged = calls(fake_quarto)
    assert [c["args"][c["args"].index("--to") + 1] for c in logged] == ["html", "typst", "docx"]
    for call in logged:
        args = call["args"]
        assert args[0] == "render"
        assert Path(args[1]) == Path(call["cwd"])
        assert args[args.index("--profile") + 1] == "bilan-intermediaire"
        assert "--no-execute" in args
        fmt = {"html": "html", "typst": "pdf", "docx": "docx"}[args[args.index("--to") + 1]]
        assert args[args.index("--output-dir") + 1] == f"_rendu/{fmt}"
        metadata = [args[i + 1] for i, a in enumerate(args) if a == "-M"]
        assert metadata == [
            "pa-profil:Bilan intermédiaire",
            "pa-arrete:30 septembre 2021",
            "pa-suivi:suivi-fictif.xlsx",
            "pa-genere:1er octobre 2021",
        ]
    # The staging project is never the repository and is removed afterwards.
    assert not Path(logged[0]["cwd"]).exists()


def test_staging_project_holds_config_home_page_executed_notebooks_and_assets(
    fake_quarto, executed, tmp_path
):
    render_book(
        executed, tmp_path / "s", profile="bilan-intermediaire", formats=["pdf"], engine="quarto"
    )
    files = set(calls(fake_quarto)[0]["files"])
    expected = {
        "_quarto.yml",
        "_quarto-bilan-intermediaire.yml",
        "index.qmd",
        "report/index.qmd",
        "report/03-3-histoire.qmd",
        "report/typst/typst-template.typ",
        "report/typst/typst-show.typ",
        "report/reference.docx",
        "report/quarto/pa-graphiques.lua",
        "report/quarto/assets/vega-bundle.js",
        "report/quarto/assets/pa-charts.js",
    }
    expected |= {f"notebooks/{n}" for n in book_config("bilan-intermediaire").notebooks()}
    assert expected <= files


def test_staged_notebooks_are_the_executed_ones_with_a_notebook_link(
    fake_quarto, executed, tmp_path, monkeypatch
):
    from projet_associatif.render import quarto

    project = tmp_path / "projet"
    names = quarto.stage_project(executed, project, "bilan-intermediaire")
    assert "06-bilan.ipynb" in names
    nb = nbformat.read(project / "notebooks" / "06-bilan.ipynb", as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "ok\n"  # outputs kept: nothing re-executed
    assert nb.cells[-1].source == "[Voir le notebook](06-bilan.notebook.html){.pa-voir-notebook}"
    # A review has its own home page (pa-accueil), not the 2020 document's.
    home = (project / "index.qmd").read_text(encoding="utf-8")
    assert home.startswith("# Présentation du bilan")


def test_outputs_are_moved_to_the_pandoc_renderer_names(fake_quarto, executed, tmp_path):
    staging = tmp_path / "staging"
    produced = render_book(
        executed,
        staging,
        profile="bilan-intermediaire",
        formats=["html", "pdf", "docx"],
        engine="quarto",
        meta=META,
    )
    assert produced == {
        "html": staging.resolve() / "html" / "index.html",
        "pdf": staging.resolve() / "projet-associatif.pdf",
        "docx": staging.resolve() / "projet-associatif.docx",
    }
    assert (staging / "projet-associatif.pdf").read_bytes() == b"%PDF-1.7 faux"
    assert (staging / "html" / "notebooks" / "01-valeurs.html").is_file()
    # Standalone notebook pages sit next to Quarto's chapter pages.
    page = staging / "html" / "notebooks" / "06-bilan.notebook.html"
    assert "print" in page.read_text(encoding="utf-8")
    assert sorted(p.name for p in staging.iterdir()) == [
        "html",
        "projet-associatif.docx",
        "projet-associatif.pdf",
    ]


def test_quarto_failure_names_the_format_and_shows_stderr(
    fake_quarto, executed, tmp_path, monkeypatch
):
    monkeypatch.setenv("FAUX_QUARTO_ECHEC", "typst")
    with pytest.raises(RenderError) as caught:
        render_book(
            executed,
            tmp_path / "s",
            profile="bilan-intermediaire",
            formats=["html", "pdf"],
            engine="quarto",
        )
    message = str(caught.value)
    assert "Quarto a échoué" in message
    assert "format : pdf" in message
    assert "compilation impossible (faux quarto)" in message


def test_missing_executed_notebook_is_named(fake_quarto, executed, tmp_path):
    (executed / "06-bilan-fiches.ipynb").unlink()
    with pytest.raises(RenderError, match="06-bilan-fiches"):
        render_book(
            executed, tmp_path / "s", profile="bilan-final", formats=["html"], engine="quarto"
        )
    assert not fake_quarto.exists()  # quarto never ran


def test_fictional_measurements_reach_quarto_as_pa_fictif():
    from projet_associatif.render.quarto import metadata_args

    args = metadata_args({**META, "fictif": True})
    values = [args[i + 1] for i, a in enumerate(args) if a == "-M"]
    notice = [v for v in values if v.startswith("pa-fictif:")]
    assert len(notice) == 1
    assert notice[0].startswith("pa-fictif:Données fictives : ")
    assert "suivi-fictif.xlsx" in notice[0]
    assert not any(v.startswith("pa-fictif:") for v in values_of(metadata_args(META)))


def values_of(args: list[str]) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == "-M"]
