"""Render the book with Quarto (``--engine quarto``), when Quarto is installed.

Quarto renders a staging copy of the project, never the repository itself:

- ``_quarto*.yml`` and ``report/`` copied as they are, and the profile's home page where
  its chapter list names it (``index.qmd`` or ``index.md``, next to ``_quarto.yml``: see
  ``book.HOME_PREFIX``), so that Quarto renders the very files of ``quarto render`` at the root;
- the notebooks already executed by papermill (``build/<profil>/notebooks/``) placed in
  ``notebooks/``, made ready for Quarto (``quarto_inputs``: charts as numbered figures, no
  HTML output that would make Quarto load scripts from a CDN); ``execute: enabled:
  false`` and ``--no-execute`` keep Quarto from running them again, and the pre- and
  post-render steps of ``_quarto.yml`` know (``STAGED_ENV``) that they have nothing to do;
- ``vega-bundle.js`` and ``pa-charts.js`` written next to the Quarto filter that adds
  them to every HTML page (``report/quarto/pa-graphiques.lua``), and a « Voir le
  notebook » link to each notebook chapter's page, written here after the render.

``quarto render`` at the root of the repository renders the same book: its pre-render
step (``projet_associatif.pipeline.quarto_prerender``) prepares the repository the same way and
its post-render step writes the notebook pages.

One ``quarto render --profile <profil> --to html|typst|docx`` per format, each in its own
output directory (Quarto empties the output directory before a full render), then the
outputs are moved to the names the Pandoc renderer uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat

from projet_associatif.core.paths import project_root
from projet_associatif.publish.book import DOCX_NAME, PDF_NAME, book_config
from projet_associatif.publish.book_tree import missing_chapter_markdown
from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.html_site import ASSETS, vega_bundle
from projet_associatif.publish.metadata import date_text, fictional_notice, meta_organisation
from projet_associatif.publish.notebooks import notebook_html
from projet_associatif.publish.quarto_inputs import quarto_notebook

QUARTO_FORMATS = {"html": "html", "pdf": "typst", "docx": "docx"}
OUTPUT_ROOT = "_rendu"
STAGING_NAME = "projet-quarto"
# Generated next to the filter that ships them; « build » is ignored by git and the build.
FILTER_ASSETS = Path("report") / "quarto" / "build"
#: Set for Quarto's run in the staging project: its notebooks are already executed.
STAGED_ENV = "PA_QUARTO_STAGING"


def quarto_executable() -> str:
    """Return the ``quarto`` command found on PATH."""
    found = shutil.which("quarto")
    if not found:
        raise RenderError("Quarto est introuvable (commande « quarto » absente du PATH).")
    return found


def metadata_args(meta: Mapping[str, Any]) -> list[str]:
    """Return the ``-M clé:valeur`` options that feed the title page (typst-show.typ)."""
    values = {
        "pa-organisation": meta_organisation(meta),
        "pa-profil": meta.get("profile_label"),
        "pa-arrete": date_text(meta.get("as_of")),
        "pa-suivi": Path(str(meta["suivi"])).name if meta.get("suivi") else None,
        "pa-genere": date_text(meta.get("build_date")),
        # Read by typst-show.typ (PDF footer) and report/quarto/pa-graphiques.lua (HTML).
        "pa-fictif": fictional_notice(meta),
    }
    args: list[str] = []
    for key, value in values.items():
        if value:
            args += ["-M", f"{key}:{value}"]
    return args


def quarto_command(project: Path, profile: str, fmt: str, meta: Mapping[str, Any]) -> list[str]:
    """Return the ``quarto render`` command line for one output format."""
    return [
        quarto_executable(),
        "render",
        str(project),
        "--profile",
        profile,
        "--to",
        QUARTO_FORMATS[fmt],
        "--no-execute",
        "--output-dir",
        f"{OUTPUT_ROOT}/{fmt}",
        *metadata_args(meta),
    ]


def stage_project(
    executed_dir: Path, project: Path, profile: str, *, root: Path | None = None
) -> list[str]:
    """Build the staging Quarto project; return the notebook names placed in it."""
    base = root or project_root()
    config = book_config(profile, base)
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for config_file in base.glob("_quarto*.yml"):
        shutil.copyfile(config_file, project / config_file.name)
    shutil.copytree(base / "report", project / "report", ignore=shutil.ignore_patterns("build"))
    # The hand-written chapters outside report/ (the home page), under their own names.
    for entry in config.entries:
        if not entry.file or entry.is_notebook or (project / entry.file).exists():
            continue
        source = config.source(entry, base)
        if source.is_file():
            (project / entry.file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, project / entry.file)
    # Quarto stops on a chapter file that does not exist: a chapter not written yet gets
    # the « À compléter » box the Pandoc engine shows for it.
    for entry in config.entries:
        if entry.file and not entry.is_notebook:
            staged = project / entry.file
            if not staged.is_file():
                staged.parent.mkdir(parents=True, exist_ok=True)
                text = missing_chapter_markdown(config.source(entry, base), base)
                staged.write_text(text, encoding="utf-8")
    (project / "notebooks").mkdir()
    names = config.notebooks()
    for name in names:
        source = executed_dir / name
        if not source.is_file():
            raise RenderError(f"Notebook exécuté introuvable : {source}", chapter=name)
        nb = place_notebook(source, project / "notebooks")
        nbformat.write(nb, project / "notebooks" / name)
    write_filter_assets(project)
    return names


def staged_environment() -> dict[str, str]:
    """Return the environment of Quarto's run in the staging project.

    Quarto runs the `pre-render` and `post-render` commands of `_quarto.yml`
    (``python -m projet_associatif.pipeline.quarto_prerender``): ``python`` must be this
    interpreter, which has the package, even when its environment is not activated; and
    ``STAGED_ENV`` tells those steps that there is nothing to do.
    """
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, STAGED_ENV: "1", "PATH": path}


def place_notebook(executed: Path, notebook_dir: Path) -> nbformat.NotebookNode:
    """Return the executed notebook made ready for Quarto; its figures go to ``notebook_dir``."""
    nb = nbformat.read(executed, as_version=4)
    return quarto_notebook(nb, executed.stem, notebook_dir)


def write_filter_assets(project: Path) -> Path:
    """Write vega-bundle.js and pa-charts.js where report/quarto/pa-graphiques.lua finds them."""
    assets = project / FILTER_ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    loader = (ASSETS / "pa-charts.js").read_text(encoding="utf-8")
    for name, text in (("pa-charts.js", loader), ("vega-bundle.js", vega_bundle())):
        path = assets / name
        # Unchanged files are left alone: `quarto preview` reloads on every write.
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return assets


def render_with_quarto(
    executed_dir: Path,
    staging_dir: Path,
    *,
    profile: str,
    formats: list[str],
    meta: Mapping[str, Any],
    root: Path | None = None,
) -> dict[str, Path]:
    """Render each format with Quarto and move the outputs into ``staging_dir``."""
    # The staging project lives in a temporary directory: only outputs reach staging_dir.
    work = Path(tempfile.mkdtemp(prefix="rendu-quarto-"))
    project = work / STAGING_NAME
    produced: dict[str, Path] = {}
    try:
        names = stage_project(executed_dir, project, profile, root=root)
        config = book_config(profile, root)
        for fmt in formats:
            command = quarto_command(project, profile, fmt, meta)
            env = staged_environment()
            proc = subprocess.run(
                command, cwd=project, capture_output=True, text=True, check=False, env=env
            )
            if proc.returncode != 0:
                raise RenderError(
                    "Quarto a échoué", fmt=fmt, stderr=(proc.stderr or proc.stdout)[-4000:]
                )
            out_dir = project / OUTPUT_ROOT / fmt
            produced[fmt] = _collect(fmt, out_dir, staging_dir, config.output_file, proc)
        if "html" in produced:
            write_notebook_pages(executed_dir, staging_dir / "html", names)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return produced


def write_notebook_pages(executed_dir: Path, html_dir: Path, names: list[str]) -> None:
    """Write the « Voir le notebook » pages that pa-graphiques.lua links from each chapter."""
    for name in names:
        stem = Path(name).stem
        notebook_html(
            executed_dir / name,
            html_dir / "notebooks" / f"{stem}.notebook.html",
            back_href=f"{stem}.html",
        )


def _collect(
    fmt: str, out_dir: Path, staging_dir: Path, stem: str, proc: subprocess.CompletedProcess
) -> Path:
    """Move one format's output to its published name; complain if Quarto made none."""
    if fmt == "html":
        index = out_dir / "index.html"
        if not index.is_file():
            raise RenderError("Quarto n'a pas produit index.html", fmt=fmt, stderr=proc.stderr)
        target = staging_dir / "html"
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(out_dir), str(target))
        return target / "index.html"
    suffix = "pdf" if fmt == "pdf" else "docx"
    found = out_dir / f"{stem}.{suffix}"
    if not found.is_file():
        candidates = sorted(out_dir.rglob(f"*.{suffix}"))
        if len(candidates) != 1:
            raise RenderError(
                f"Quarto n'a pas produit {stem}.{suffix}", fmt=fmt, stderr=proc.stderr
            )
        found = candidates[0]
    target = staging_dir / (PDF_NAME if fmt == "pdf" else DOCX_NAME)
    shutil.move(str(found), str(target))
    return target
