"""Shared helpers of the notebook tests: run each chapter twice, read and check its outputs.

Every chapter test executes its notebooks once with the default parameters and once with
non-default ones (the intermediate-review profile, an explicit as-of date and a copy of data/
with some values changed), then checks the output contract of docs/architecture.md.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill

from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import data_dir, notebooks_dir

CHANGED_PARAMETERS = {"profile": "bilan-intermediaire", "as_of": "2021-09-01"}
DEFAULT_PARAMETERS = ['data_dir = ""', 'profile = ""', 'as_of = ""', 'suivi = ""']


def write_notebook(path: Path, *cells: str, markdown_first: bool = False) -> Path:
    """Write a small test notebook: the standard parameters cell, then ``cells``.

    ``markdown_first`` puts a Markdown heading before the code cells (cell numbering tests).
    """
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    parameters = "\n".join(DEFAULT_PARAMETERS)
    nb.cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    if markdown_first:
        nb.cells.append(nbformat.v4.new_markdown_cell("# Chapitre de test"))
    nb.cells += [nbformat.v4.new_code_cell(textwrap.dedent(c).strip()) for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in a file, asserting it occurs exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} absent de {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def copy_of_data(base: Path) -> Path:
    """Return a copy of the project's data/ under ``base``, to be edited by a test."""
    root = base / "data"
    shutil.copytree(data_dir(), root)
    return root


def execute_twice(names: tuple[str, ...], out: Path, changed_data: Path) -> dict:
    """Execute each notebook with default and changed parameters; key (name, variant)."""
    runs = {}
    for name in names:
        runs[(name, "defaut")] = {}
        runs[(name, "modifie")] = {"data_dir": str(changed_data), **CHANGED_PARAMETERS}

    def run(key):
        name, variant = key
        target = out / f"{name}.{variant}.ipynb"
        papermill.execute_notebook(
            str(notebooks_dir() / f"{name}.ipynb"),
            str(target),
            parameters=runs[key],
            kernel_name="python3",
            cwd=str(out),
            progress_bar=False,
        )
        return key, nbformat.read(target, as_version=4)

    # Kernels start slowly: run the executions side by side.
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        return dict(pool.map(run, runs))


def outputs(nb) -> list:
    """Return every output of the notebook's code cells."""
    return [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]


def text_of(nb) -> str:
    """Return every Markdown and plain-text output and every chart's HTML and SVG, joined."""
    parts = []
    for o in outputs(nb):
        data = o.get("data", {})
        parts.append(data.get("text/markdown") or data.get("text/plain", ""))
        parts += [data.get(m, "") for m in ("text/html", "image/svg+xml")]
        parts.append(o.get("text", ""))
    return "\n".join(str(p) for p in parts)


def check_contract(nb) -> list[str]:
    """Assert no error, tables with a source line, charts with SVG, figure and data table."""
    kinds = []
    for o in outputs(nb):
        assert o.output_type != "error", f"{o.get('ename')}: {o.get('evalue')}"
        assert not (o.output_type == "stream" and o.get("name") == "stderr"), o.get("text")
        pa = o.get("metadata", {}).get("pa")
        if not pa:
            continue
        kinds.append(pa["kind"])
        data = o["data"]
        if pa["kind"] == "table":
            assert f"Source{NBSP}:" in data["text/markdown"]
        elif pa["kind"] == "chart":
            assert data["image/svg+xml"].lstrip().startswith("<svg")
            assert '<figure class="pa-chart"' in data["text/html"]
            assert "Données du graphique" in data["text/html"]
            assert pa["alt"].strip() and pa["title"].strip() and pa["source"].strip()
    return kinds


def check_conventions(name: str) -> None:
    """Assert the committed notebook is thin, parameterised and free of outputs and paths."""
    nb = nbformat.read(notebooks_dir() / f"{name}.ipynb", as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0] is nb.cells[1]
    assert tagged[0].source.split("\n") == DEFAULT_PARAMETERS
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "setup(data_dir, profile, as_of, suivi)" in code[1].source
    for cell in code:
        assert not cell.get("outputs"), "notebook committed with outputs"
        assert not re.search(r"^\s*(def|class|for|while) ", cell.source, flags=re.M)
        assert ".csv" not in cell.source and ".yaml" not in cell.source
        assert "data/" not in cell.source
    assert len({c.id for c in nb.cells}) == len(nb.cells)
