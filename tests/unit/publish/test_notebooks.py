"""Executed notebook → Pandoc Markdown per target, and the offline notebook page."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import nbformat
import pytest

from projet_associatif.publish import RenderError
from projet_associatif.publish.notebooks import (
    notebook_html,
    notebook_markdown,
    remote_resources,
    svg_width_px,
    width_percent,
)

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="302.5" height="100"><rect/></svg>'
TABLE = (
    "| EPCI | Population |\n|:--|--:|\n| Moulins Communauté | 67\u202f972 |\n\n"
    ": Population des EPCI {#tbl-population}\n\nSource\u00a0: Projet associatif 2020, p. 7\n"
)


def tiny_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def chart_output() -> nbformat.NotebookNode:
    figure = (
        '<figure class="pa-chart"><div class="pa-chart-view" role="img" aria-label="Barres"'
        ' data-spec="c1"><svg></svg></div><script type="application/json" id="c1">{}</script>'
        '<figcaption><span class="pa-chart-title">Population</span></figcaption></figure>'
    )
    return nbformat.v4.new_output(
        "display_data",
        data={
            "image/svg+xml": SVG,
            "image/png": base64.b64encode(tiny_png(8, 4)).decode(),
            "text/html": figure,
            "text/plain": "Graphique : Population",
        },
        metadata={
            "pa": {
                "kind": "chart",
                "title": "Population des EPCI",
                "source": "Projet associatif 2020, p. 7",
                "alt": 'Barres "population" par EPCI',
                "data_markdown": "| EPCI | Population |\n|:--|--:|\n| Moulins | 67\u202f972 |",
            },
            "image/png": {"width": 302.5, "height": 100},
        },
    )


def write_notebook(path: Path, *, extra_outputs=()) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('profile = "projet-2020"', metadata={"tags": ["parameters"]})
    injected = nbformat.v4.new_code_cell(
        'profile = "bilan-final"', metadata={"tags": ["injected-parameters"]}
    )
    injected.outputs = [nbformat.v4.new_output("stream", name="stdout", text="PARAMETRE-INJECTE")]
    chart = nbformat.v4.new_code_cell("charts.show(carte_des_epci)")
    chart.outputs = [chart_output()]
    table = nbformat.v4.new_code_cell("tables.show(population)")
    table.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/markdown": TABLE, "text/plain": TABLE},
            metadata={"pa": {"kind": "table", "title": "Population des EPCI"}},
        ),
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: bruit"),
        *extra_outputs,
    ]
    nb.cells = [
        params,
        injected,
        nbformat.v4.new_markdown_cell("# 3.1 Contexte territorial\n\nLe texte du chapitre."),
        chart,
        table,
    ]
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebook(tmp_path: Path) -> Path:
    return write_notebook(tmp_path / "03-1-contexte-territorial.ipynb")


def test_html_keeps_prose_and_outputs_but_no_code(notebook: Path, tmp_path: Path):
    md = notebook_markdown(notebook, target="html", figures_dir=tmp_path / "fig")
    assert md.startswith("# 3.1 Contexte territorial")
    assert "::: {.pa-graphique}" in md and '<figure class="pa-chart">' in md
    assert "```{=html}" in md
    assert "| Moulins Communauté | 67\u202f972 |" in md
    for hidden in ("charts.show", "tables.show", 'profile = "', "PARAMETRE-INJECTE", "bruit"):
        assert hidden not in md
    assert not (tmp_path / "fig").exists()  # the interactive figure needs no file


def test_pdf_uses_svg_files_with_caption_and_alt_text(notebook: Path, tmp_path: Path):
    md = notebook_markdown(notebook, target="pdf", figures_dir=tmp_path / "fig", figures_href="fig")
    figure = tmp_path / "fig" / "03-1-contexte-territorial-figure-01.svg"
    assert figure.read_text(encoding="utf-8") == SVG
    line = next(x for x in md.splitlines() if x.startswith("!["))
    assert line.startswith("![Population des EPCI](fig/03-1-contexte-territorial-figure-01.svg)")
    assert 'alt="Barres \\"population\\" par EPCI"' in line
    # 302.5 px wide = half of the 605 px text block.
    assert "width=50%" in line
    assert "Source\u00a0: Projet associatif 2020, p. 7" in md
    assert "<figure" not in md


def test_docx_uses_the_png(notebook: Path, tmp_path: Path):
    md = notebook_markdown(
        notebook, target="docx", figures_dir=tmp_path / "fig", figures_href="fig"
    )
    png = tmp_path / "fig" / "03-1-contexte-territorial-figure-01.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "](fig/03-1-contexte-territorial-figure-01.png)" in md
    assert not (tmp_path / "fig" / "03-1-contexte-territorial-figure-01.svg").exists()


@pytest.mark.parametrize("target", ["pdf", "docx"])
def test_print_puts_the_chart_values_in_a_table_after_the_chart(
    notebook: Path, tmp_path: Path, target: str
):
    md = notebook_markdown(notebook, target=target, figures_dir=tmp_path / "fig")
    figure, values = md.index("![Population des EPCI]"), md.index("| Moulins | 67\u202f972 |")
    assert figure < md.index("Données du graphique\u00a0:") < values


def test_html_keeps_the_chart_values_in_the_figure_only(notebook: Path, tmp_path: Path):
    md = notebook_markdown(notebook, target="html", figures_dir=tmp_path / "fig")
    assert "| Moulins |" not in md and "pa-donnees-graphique" not in md


def test_figure_names_are_stable_between_runs(notebook: Path, tmp_path: Path):
    first = notebook_markdown(notebook, target="pdf", figures_dir=tmp_path / "a")
    second = notebook_markdown(notebook, target="pdf", figures_dir=tmp_path / "a")
    assert first == second
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [
        "03-1-contexte-territorial-figure-01.svg"
    ]


def test_error_output_names_the_chapter(tmp_path: Path):
    error = nbformat.v4.new_output("error", ename="KeyError", evalue="'population'", traceback=[])
    path = write_notebook(tmp_path / "04-analyse-swot.ipynb", extra_outputs=[error])
    with pytest.raises(RenderError) as caught:
        notebook_markdown(path, target="html", figures_dir=tmp_path / "fig")
    assert "04-analyse-swot" in str(caught.value)
    assert "KeyError" in str(caught.value)


def test_missing_notebook_names_the_chapter(tmp_path: Path):
    with pytest.raises(RenderError, match="chapitre : 05-strategie"):
        notebook_markdown(
            tmp_path / "05-strategie.ipynb",
            target="pdf",
            figures_dir=tmp_path,
            chapter="05-strategie",
        )


def test_notebook_page_is_offline_and_shows_the_code(notebook: Path, tmp_path: Path):
    page = notebook_html(notebook, tmp_path / "page.html", back_href="../03-1.html")
    text = page.read_text(encoding="utf-8")
    assert '<html lang="fr">' in text
    assert "carte_des_epci" in text  # the code readers of the report do not see
    assert 'href="../03-1.html"' in text
    assert remote_resources(text) == []
    assert "cdnjs" not in text and "require.js" not in text


def test_remote_resources_are_detected():
    html = (
        '<script src="https://cdn.example/x.js"></script><link href="//fonts.example/f.css">'
        '<script type="module">await import("https://cdn.example/m.mjs")</script>'
        '<img src="figures/a.svg"><a href="https://example.org">lien</a>'
    )
    found = remote_resources(html)
    assert len(found) == 3
    assert not any("figures/a.svg" in f or "example.org" in f for f in found)


def test_sizes():
    assert svg_width_px(SVG) == 302.5
    assert svg_width_px('<svg viewBox="0 0 120 40"></svg>') == 120
    assert width_percent(None) == 100
    assert width_percent(6050) == 100
    assert width_percent(1) == 10


def executed_with_injected_cell(path: Path, cell_id: str, root: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    injected = nbformat.v4.new_code_cell(
        f'# Parameters\ndata_dir = "{root}/data"\nsuivi = "{root}/exemples/suivi-fictif.xlsx"\n'
        'autre = "/srv/ailleurs/mesures.csv"\n',
        metadata={"tags": ["injected-parameters"]},
    )
    injected["id"] = cell_id
    nb.cells = [nbformat.v4.new_markdown_cell("# Bilan"), injected]
    nb.cells[0]["id"] = "titre"
    nbformat.write(nb, path)
    return path


def test_notebook_page_does_not_depend_on_papermill_ids_or_the_checkout(tmp_path: Path):
    from projet_associatif.core.paths import project_root

    root = project_root()
    first = executed_with_injected_cell(tmp_path / "a.ipynb", "d5f2d67d", root)
    second = executed_with_injected_cell(tmp_path / "b.ipynb", "f5946c7b", root)
    pages = [
        notebook_html(nb, tmp_path / f"{nb.stem}.html", back_href="../06-bilan.html").read_text(
            encoding="utf-8"
        )
        for nb in (first, second)
    ]
    assert pages[0] == pages[1]
    assert 'id="cell-id=parametres-injectes"' in pages[0]
    assert str(root) not in pages[0]
    # Paths inside the project are written from its root, as setup() reads them; a path
    # elsewhere is the user's own and stays as given.
    assert "exemples/suivi-fictif.xlsx" in pages[0]
    assert "/srv/ailleurs/mesures.csv" in pages[0]


def test_notebook_page_tables_have_scoped_headers_and_the_fictional_notice(tmp_path: Path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("tableau")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={
                "text/html": "<table><thead><tr><th></th><th>Statut</th></tr></thead>"
                "<tbody><tr><th>1</th><td>en retard</td></tr></tbody></table>"
            },
        )
    ]
    nb.cells = [cell]
    path = tmp_path / "t.ipynb"
    nbformat.write(nb, path)
    notice = "Données fictives : les mesures de ce bilan proviennent d'un fichier d'exemple."
    text = notebook_html(path, tmp_path / "t.html", notice=notice).read_text(encoding="utf-8")
    assert '<th scope="col">Statut</th>' in text and "<td></td>" in text
    assert (
        '<p class="pa-fictif" role="note"><strong>Données fictives</strong> : les mesures' in text
    )
    plain = notebook_html(path, tmp_path / "u.html").read_text(encoding="utf-8")
    assert 'class="pa-fictif"' not in plain
