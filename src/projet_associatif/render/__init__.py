"""Render the executed notebooks and hand-written chapters into HTML, PDF and DOCX.

``render_book`` is the only entry point the build uses. It writes into ``staging_dir``
only: ``html/index.html`` (and the other pages and assets), ``projet-associatif.pdf``,
``projet-associatif.docx`` — the same names for both engines.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import RenderError

__all__ = ["FORMATS", "RenderError", "choose_engine", "render_book"]

FORMATS = ("html", "pdf", "docx")
ENGINES = ("auto", "pandoc", "quarto")


def choose_engine(engine: str) -> str:
    """Return the engine to use: ``auto`` means Quarto when installed, Pandoc otherwise."""
    if engine not in ENGINES:
        raise RenderError(
            f"Moteur de rendu inconnu : « {engine} » (attendu : {', '.join(ENGINES)})."
        )
    if engine == "auto":
        return "quarto" if shutil.which("quarto") else "pandoc"
    return engine


def render_book(
    executed_dir: Path,
    staging_dir: Path,
    *,
    profile: str,
    formats: Iterable[str] = FORMATS,
    engine: str = "auto",
    meta: Mapping[str, Any] | None = None,
) -> dict[str, Path]:
    """Render the book of ``profile`` from ``executed_dir`` into ``staging_dir``.

    ``meta`` holds what the title page shows: ``profile_label``, ``as_of`` (ISO date),
    ``suivi`` (measurement file), ``build_date`` and ``source_date_epoch``. Returns the
    path of each format produced (``html`` → ``html/index.html``).
    """
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise RenderError(f"Format inconnu : {', '.join(unknown)} (attendu : html, pdf, docx).")
    chosen = choose_engine(engine)
    # Absolute paths: Pandoc runs in a temporary working directory.
    executed_dir, staging_dir = Path(executed_dir).resolve(), Path(staging_dir).resolve()
    staging_dir.mkdir(parents=True, exist_ok=True)
    if chosen == "quarto":
        from .quarto import render_with_quarto

        return render_with_quarto(
            executed_dir, staging_dir, profile=profile, formats=wanted, meta=meta or {}
        )
    return render_with_pandoc(
        executed_dir, staging_dir, profile=profile, formats=wanted, meta=meta or {}
    )


def render_with_pandoc(
    executed_dir: Path,
    staging_dir: Path,
    *,
    profile: str,
    formats: list[str],
    meta: Mapping[str, Any],
    root: Path | None = None,
) -> dict[str, Path]:
    """Render with Pandoc (HTML, DOCX) and Typst (PDF); no Quarto needed."""
    from ..paths import project_root
    from . import pandoc
    from .book import book_config

    base = root or project_root()
    config = book_config(profile, base)
    produced: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="rendu-") as tmp:
        work = Path(tmp)
        if "html" in formats:
            html_dir = staging_dir / "html"
            book = pandoc.read_book(
                config,
                executed_dir,
                work,
                target="html",
                figures_dir=html_dir / "figures",
                figures_href="figures",
                root=base,
            )
            produced["html"] = pandoc.write_html(book, html_dir, meta, root=base)
        if "pdf" in formats:
            book = pandoc.read_book(
                config,
                executed_dir,
                work,
                target="pdf",
                figures_dir=work / "figures-pdf",
                figures_href="figures-pdf",
                root=base,
            )
            produced["pdf"] = pandoc.write_pdf(
                book, staging_dir / pandoc.PDF_NAME, work, meta, root=base
            )
        if "docx" in formats:
            book = pandoc.read_book(
                config,
                executed_dir,
                work,
                target="docx",
                figures_dir=work / "figures-docx",
                figures_href="figures-docx",
                root=base,
            )
            produced["docx"] = pandoc.write_docx(
                book, staging_dir / pandoc.DOCX_NAME, work, meta, root=base
            )
    return produced
