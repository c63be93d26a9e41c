"""The Quarto engine: staging project, command lines and file placement, with a fake quarto."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import nbformat
import pytest
from quarto_rules import default_profile, quarto_home_text, title_line

from projet_associatif.core.paths import project_root
from projet_associatif.publish import RenderError, choose_engine, render_book
from projet_associatif.publish import quarto as quarto_module
from projet_associatif.publish.book import book_config, profiles

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
    staged = os.environ.get("PA_QUARTO_STAGING")
    python = os.environ["PATH"].split(os.pathsep)[0]
    handle.write(json.dumps({{"args": args, "cwd": os.getcwd(), "files": files, "staged": staged, "python": python}}) + "\n")
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
    monkeypatch.setattr(quarto_module, "vega_bundle", lambda: "window.vegaEmbed = null;")
    return journal


@pytest.fixture
def executed(tmp_path: Path) -> Path:
    folder = tmp_path / "executes"
    folder.mkdir()
    # The notebooks of the 2020 project and of the reviews (each its own book).
    names = {name for profile in profiles() for name in book_config(profile).notebooks()}
    for name in sorted(names):
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
            "pa-organisation:Mission Locale de Moulins et sa région",  # from the data
            "pa-profil:Bilan intermédiaire",
            "pa-arrete:30 septembre 2021",
            "pa-suivi:suivi-fictif.xlsx",
            "pa-genere:1er octobre 2021",
        ]
    # The staging project is never the repository and is removed afterwards; its
    # pre-render step is told that the notebooks are already executed.
    assert not Path(logged[0]["cwd"]).exists()
    assert {c["staged"] for c in logged} == {"1"}
    # Those steps run `python -m projet_associatif…`: this interpreter comes first on PATH.
    assert {c["python"] for c in logged} == {str(Path(sys.executable).parent)}


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
        "index.md",
        "report/03-3-histoire.qmd",
        "report/typst/typst-template.typ",
        "report/typst/typst-show.typ",
        "report/reference.docx",
        "report/quarto/pa-graphiques.lua",
        "report/quarto/build/vega-bundle.js",
        "report/quarto/build/pa-charts.js",
    }
    expected |= {f"notebooks/{n}" for n in book_config("bilan-intermediaire").notebooks()}
    assert expected <= files


def test_a_chapter_not_written_yet_is_staged_as_its_box(fake_quarto, executed, tmp_path):
    import shutil

    from projet_associatif.core.paths import project_root

    root = tmp_path / "projet"
    root.mkdir()
    for config_file in project_root().glob("_quarto*.yml"):
        shutil.copyfile(config_file, root / config_file.name)
    shutil.copyfile(project_root() / "index.qmd", root / "index.qmd")
    shutil.copytree(project_root() / "report", root / "report")
    (root / "report" / "03-3-histoire.qmd").unlink()
    project = tmp_path / "mise-en-scene"
    quarto_module.stage_project(executed, project, "projet-2020", root=root)
    staged = (project / "report" / "03-3-histoire.qmd").read_text(encoding="utf-8")
    assert staged.startswith("# Chapitre à rédiger") and "pa-a-completer" in staged
    # A chapter that exists is copied as it is.
    assert (project / "report" / "06-evaluations.qmd").read_bytes() == (
        root / "report" / "06-evaluations.qmd"
    ).read_bytes()


def test_staged_notebooks_are_the_executed_ones(fake_quarto, executed, tmp_path, monkeypatch):
    from projet_associatif.publish import quarto

    project = tmp_path / "projet"
    names = quarto.stage_project(executed, project, "bilan-intermediaire")
    assert "06-bilan.ipynb" in names
    nb = nbformat.read(project / "notebooks" / "06-bilan.ipynb", as_version=4)
    assert nb.cells[1].outputs[0]["text"] == "ok\n"  # outputs kept: nothing re-executed
    # Same cells as executed: the « Voir le notebook » link is the Quarto filter's (HTML only).
    assert len(nb.cells) == 2
    # A review has its own home page, index.md, not the 2020 document's index.qmd.
    home = (project / "index.md").read_text(encoding="utf-8")
    assert home.startswith("# Présentation du bilan")
    assert not (project / "index.qmd").exists()


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
    from projet_associatif.publish.quarto import metadata_args

    args = metadata_args({**META, "fictif": True})
    values = [args[i + 1] for i, a in enumerate(args) if a == "-M"]
    notice = [v for v in values if v.startswith("pa-fictif:")]
    assert len(notice) == 1
    assert notice[0].startswith("pa-fictif:Données fictives : ")
    assert "suivi-fictif.xlsx" in notice[0]
    assert not any(v.startswith("pa-fictif:") for v in values_of(metadata_args(META)))


def values_of(args: list[str]) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == "-M"]


# --- what Quarto renders: the staged notebooks -----------------------------------------


def chart_notebook(folder: Path, name: str, extra_output: dict | None = None) -> Path:
    """Write an executed notebook whose one output is a chart of the chart contract."""
    import altair as alt
    import pandas as pd

    from projet_associatif.present import charts

    frame = pd.DataFrame({"epci": ["Moulins Communauté", "Bocage"], "population": [67972, 14030]})
    chart = alt.Chart(frame).mark_bar().encode(x="population:Q", y="epci:N")
    data, metadata = charts.mimebundle(
        chart, title="Population des EPCI", source="Projet associatif 2020", alt="Deux barres"
    )
    cell = nbformat.v4.new_code_cell("charts.show(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    cell.metadata["papermill"] = {"start_time": "2026-12-04T18:00:00", "duration": 0.5}
    if extra_output:
        cell.outputs.append(nbformat.v4.new_output("display_data", **extra_output))
    injected = nbformat.v4.new_code_cell(
        'data_dir = "/home/analyste/projet/data"', metadata={"tags": ["injected-parameters"]}
    )
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-12-04T18:00:00"}
    nb.cells = [nbformat.v4.new_markdown_cell("# 3.1 Contexte territorial"), injected, cell]
    path = folder / name
    nbformat.write(nb, path)
    return path


def test_staged_charts_are_numbered_figures_with_no_output_quarto_loads_a_cdn_for(
    fake_quarto, executed, tmp_path
):
    from projet_associatif.publish import quarto

    chart_notebook(executed, "03-1-contexte-territorial.ipynb")
    project = tmp_path / "projet"
    quarto.stage_project(executed, project, "projet-2020")
    staged = nbformat.read(project / "notebooks" / "03-1-contexte-territorial.ipynb", 4)
    outputs = [o for c in staged.cells if c.cell_type == "code" for o in c.outputs]
    # Quarto (src/core/jupyter/widgets.ts) adds require.js and jQuery from a CDN to the page
    # of any notebook with a text/html or application/javascript output.
    for output in outputs:
        assert not {"text/html", "application/javascript"} & set(output.get("data", {}))
    text = outputs[0]["data"]["text/markdown"]
    ident = outputs[0]["metadata"]["pa"]["id"]
    # A fig- float (Quarto numbers it « Figure 3.1 »), the caption as its last paragraph.
    assert text.startswith(f"::: {{#fig-{ident}}}")
    assert "\n\nPopulation des EPCI\n\n:::\n" in text
    # HTML: the interactive figure, its title left to the float's caption.
    html = text.split('::: {.content-visible when-format="html"}', 1)[1].split("\n:::\n", 1)[0]
    assert '<figure class="pa-chart"' in html and "pa-chart-view" in html
    assert 'type="application/json"' in html and "pa-chart-title" not in html
    # DOCX and Typst: the PNG and SVG files, next to the notebook, with the alt text.
    for fmt, suffix in (("docx", "png"), ("typst", "svg")):
        href = f"build/03-1-contexte-territorial-{ident}.{suffix}"
        assert (
            f'::: {{.content-visible when-format="{fmt}"}}\n![]({href}){{fig-alt="Deux barres"'
            in text
        )
        assert (project / "notebooks" / href).stat().st_size > 100
    assert "Source\u00a0: Projet associatif 2020" in text


def test_staged_charts_carry_their_values_as_a_table_in_pdf_and_docx(
    fake_quarto, executed, tmp_path
):
    """Issue 10: a Quarto PDF or DOCX prints each chart's values, as the Pandoc engine does."""
    from projet_associatif.publish import quarto
    from projet_associatif.publish.notebooks import chart_data_markdown

    chart_notebook(executed, "03-1-contexte-territorial.ipynb")
    project = tmp_path / "projet"
    quarto.stage_project(executed, project, "projet-2020")
    staged = nbformat.read(project / "notebooks" / "03-1-contexte-territorial.ipynb", 4)
    output = next(o for c in staged.cells if c.cell_type == "code" for o in c.outputs)
    text, meta = output["data"]["text/markdown"], output["metadata"]["pa"]
    assert meta["data_markdown"]
    # The same block (caption « Données du graphique », same table) as the Pandoc engine's.
    table = chart_data_markdown(meta).strip()
    assert table.startswith("::: {.pa-donnees-graphique}\nDonnées du graphique")
    block = f'::: {{.content-visible unless-format="html"}}\n{table}\n:::'
    assert block in text
    # After the figure and its source line; never in the HTML branch (the figure has its own).
    assert text.index(block) > text.index("Source\u00a0: Projet associatif 2020")
    assert text.count(table) == 1
    assert "67\u00a0972" in table and "Bocage" in table


def test_an_html_output_that_is_not_a_chart_stops_the_staging(fake_quarto, executed, tmp_path):
    from projet_associatif.publish import quarto

    frame_html = {"data": {"text/html": "<table><tr><td>1</td></tr></table>", "text/plain": "1"}}
    chart_notebook(executed, "05-strategie.ipynb", extra_output=frame_html)
    with pytest.raises(RenderError, match="05-strategie") as caught:
        quarto.stage_project(executed, tmp_path / "projet", "projet-2020")
    assert "text/html" in str(caught.value) and "CDN" in str(caught.value)


# --- `quarto render` at the root: the pre-render step -----------------------------------


def test_prerender_uses_quartos_active_profile_else_the_default(monkeypatch):
    from projet_associatif.pipeline.quarto_prerender import active_profile

    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    assert active_profile() == "projet-2020"
    monkeypatch.setenv("QUARTO_PROFILE", "brouillon,bilan-final")
    assert active_profile() == "bilan-final"


def test_prerender_places_quarto_ready_notebooks_and_rewrites_only_changes(
    fake_quarto, executed, tmp_path
):
    from projet_associatif.core.paths import project_root
    from projet_associatif.pipeline.quarto_prerender import place_executed

    root = tmp_path / "depot"
    (root / "notebooks").mkdir(parents=True)
    for config_file in project_root().glob("_quarto*.yml"):
        (root / config_file.name).write_bytes(config_file.read_bytes())
    chart_notebook(executed, "03-1-contexte-territorial.ipynb")
    written = place_executed(executed, "projet-2020", root)
    names = {p.name for p in written}
    assert names == set(book_config("projet-2020").notebooks())
    placed = nbformat.read(root / "notebooks" / "03-1-contexte-territorial.ipynb", 4)
    assert placed.cells[1].outputs[0]["data"]["text/markdown"].startswith("::: {#fig-")
    # Written over the analyst's notebook: no papermill parameters (absolute paths), no
    # timings that would differ from one execution to the next.
    assert (
        "/home/analyste" not in (root / "notebooks" / "03-1-contexte-territorial.ipynb").read_text()
    )
    assert "papermill" not in placed.metadata and "papermill" not in placed.cells[1].metadata
    assert (root / "report" / "quarto" / "build" / "pa-charts.js").is_file()
    # A second run changes nothing: `quarto preview` would otherwise render again and again.
    assert place_executed(executed, "projet-2020", root) == []


def test_staging_tells_the_prerender_step_it_has_nothing_to_execute(monkeypatch):
    from projet_associatif.pipeline import quarto_prerender
    from projet_associatif.publish.quarto import STAGED_ENV

    def fail(*_args, **_kwargs):
        raise AssertionError("le pré-rendu a lancé la construction")

    monkeypatch.setattr(quarto_prerender, "run_build", fail)
    monkeypatch.setenv(STAGED_ENV, "1")
    assert quarto_prerender.main([]) == 0


def test_the_prerender_step_runs_the_build_itself(monkeypatch):
    """The step calls the pipeline's build (notebooks only), not the command line above it."""
    from projet_associatif.pipeline import quarto_prerender
    from projet_associatif.publish.quarto import STAGED_ENV

    calls = []
    monkeypatch.setattr(quarto_prerender, "run_build", lambda console, **o: calls.append(o) or 1)
    monkeypatch.delenv(STAGED_ENV, raising=False)
    monkeypatch.delenv("QUARTO_PROFILE", raising=False)
    assert quarto_prerender.main([]) == 1  # the build's failure is the step's
    assert calls == [{"profile": "projet-2020", "notebooks_only": True}]
    assert quarto_prerender.main(["--force"]) == 2  # build options go to the CLI
    assert len(calls) == 1


# --- the Quarto configuration ------------------------------------------------------------


@pytest.mark.parametrize("profile", ["projet-2020", "bilan-final"])
def test_quarto_captions_are_the_pandoc_engines(profile):
    from projet_associatif.publish.book import merged_settings
    from projet_associatif.publish.numbering import label

    crossref = merged_settings(profile)["crossref"]
    # Chapter-based numbers, the rule render/numbering.py applies for the Pandoc engine.
    assert crossref["chapters"] is True
    # Quarto writes « {tbl-title} 3.2{title-delim} » (French default: « Table »).
    for kind, title in (("tbl", "Tableau"), ("fig", "Figure")):
        assert crossref[f"{kind}-title"] == title
        quarto_label = f"{crossref[f'{kind}-title']}\u00a03.2{crossref['title-delim']}"
        assert quarto_label == label(title, "3.2")
    assert (crossref["tbl-prefix"], crossref["fig-prefix"]) == ("tableau", "figure")


@pytest.mark.parametrize("profile", ["projet-2020", "bilan-intermediaire", "bilan-final"])
def test_quarto_html_offers_the_pdf_and_the_docx_and_a_search_box(profile):
    from projet_associatif.publish.book import merged_settings

    settings = merged_settings(profile)
    book = settings["book"]
    # Quarto's book options: a download button per format on every page, and its search box.
    assert sorted(book["downloads"]) == ["docx", "pdf"]
    assert book["search"] is True
    # The PDF Quarto offers is the one the book renders: Typst, beside DOCX.
    assert {"typst", "docx", "html"} <= set(settings["format"])


def test_quarto_pre_render_runs_the_projects_module():
    import importlib
    import shlex

    from projet_associatif.publish.book import merged_settings

    command = shlex.split(merged_settings("projet-2020")["project"]["pre-render"])
    assert command[:2] == ["python", "-m"]
    assert callable(importlib.import_module(command[2]).main)


LUA_HARNESS = """
quarto = {{ doc = {{
  input_file = "{input}",
  is_format = function(f) return f == "{fmt}" end,
  add_html_dependency = function(dep) end,
}} }}
dofile("{filter}")
"""


def quarto_filter(
    input_file: str, fmt: str, tmp_path: Path, meta: str = "", body: str = "Texte.", to="html5"
) -> str:
    """Run report/quarto/pa-graphiques.lua through Pandoc with a stand-in ``quarto`` module."""
    from projet_associatif.core.paths import project_root
    from projet_associatif.publish.tools import run_pandoc

    harness = tmp_path / "harnais.lua"
    lua = project_root() / "report" / "quarto" / "pa-graphiques.lua"
    harness.write_text(LUA_HARNESS.format(input=input_file, fmt=fmt, filter=lua), "utf-8")
    args = ["-f", "markdown", "-t", to, "--wrap=none", "--lua-filter", str(harness)]
    return run_pandoc(args, meta + body)


def test_quarto_filter_links_each_notebook_chapter_to_its_page(tmp_path):
    html = quarto_filter("/p/notebooks/03-1-contexte-territorial.ipynb", "html", tmp_path)
    assert '<div class="pa-voir-notebook">' in html
    assert '<a href="03-1-contexte-territorial.notebook.html">Voir le notebook</a>' in html
    # Not for a hand-written chapter, not in print.
    assert "Voir le notebook" not in quarto_filter("/p/report/03-3-histoire.qmd", "html", tmp_path)
    assert "Voir le notebook" not in quarto_filter("/p/notebooks/a.ipynb", "typst", tmp_path)


def test_quarto_filter_draws_the_box_to_complete_in_print(tmp_path):
    box = '::: {.pa-a-completer role="note"}\n**À compléter** : data/a\\<b\\>.csv\n:::\n'
    chapter = "/p/notebooks/03-5-ressources.ipynb"
    typst = quarto_filter(chapter, "typst", tmp_path, body=box, to="typst")
    assert "#block(width: 100%" in typst and "stroke:" in typst
    docx = quarto_filter(chapter, "docx", tmp_path, body=box, to="json")
    assert "<w:pBdr>" in docx and "data/a&lt;b&gt;.csv" in docx
    html = quarto_filter(chapter, "html", tmp_path, body=box)
    assert '<div class="pa-a-completer" role="note">' in html


def test_quarto_filter_puts_the_fictional_notice_first(tmp_path):
    meta = '---\npa-fictif: "Données fictives : exemple"\n---\n\n'
    html = quarto_filter("/p/notebooks/06-bilan.ipynb", "html", tmp_path, meta)
    assert html.index('class="pa-fictif"') < html.index("Texte.") < html.index("Voir le notebook")


def test_post_render_writes_the_notebook_pages_quarto_links_to(executed, tmp_path):
    from projet_associatif.pipeline.quarto_prerender import write_pages

    output = tmp_path / "_book"
    (output / "notebooks").mkdir(parents=True)
    (output / "notebooks" / "05-strategie.html").write_text("<html></html>", "utf-8")
    pages = write_pages(output, "projet-2020", executed)
    assert pages == [output / "notebooks" / "05-strategie.notebook.html"]
    page = pages[0].read_text(encoding="utf-8")
    assert "print" in page and 'href="05-strategie.html"' in page


@pytest.mark.parametrize("profile", profiles())
def test_staged_project_renders_the_home_page_of_the_root_project(
    fake_quarto, executed, tmp_path, profile
):
    # `build --engine quarto` and `quarto render --profile <profil>` at the root: Quarto
    # finds the same home page (its rule: quarto_rules) in both, the one the Pandoc engine
    # reads; the projet's for the default profile, the reviews' for a review.
    project = tmp_path / "projet"
    quarto_module.stage_project(executed, project, profile)
    staged = quarto_home_text(project, profile)
    assert staged == quarto_home_text(project_root(), profile)
    config = book_config(profile)
    assert staged == config.source(config.home).read_text(encoding="utf-8")
    is_review = profile != default_profile(project_root())
    assert title_line(staged).startswith("# Présentation du bilan") == is_review


def test_the_quarto_filter_draws_the_box_with_the_pandoc_engines_own_code():
    # report/quarto/pa-graphiques.lua carries a copy of the box's drawing (a project does not
    # load the package's files when Quarto renders it): the two copies must stay the same.
    from projet_associatif.core.paths import project_root
    from projet_associatif.publish.tools import FILTERS

    def drawing(path: Path) -> str:
        text = path.read_text(encoding="utf-8")
        start = text.index('local cadre_couleur = "')
        end = text.index("function Div(div)")
        # Each engine asks for the output format its own way.
        return (
            text[start:end]
            .replace('quarto.doc.is_format("typst")', 'FORMAT == "typst"')
            .replace('quarto.doc.is_format("docx")', 'FORMAT == "docx"')
        )

    package = FILTERS / "impression.lua"
    assert drawing(project_root() / "report" / "quarto" / "pa-graphiques.lua") == drawing(package)
