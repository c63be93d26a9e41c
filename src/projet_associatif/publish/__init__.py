"""Render the executed notebooks and hand-written chapters into HTML, PDF and DOCX.

``render_book`` is the only entry point the build uses. It writes into ``staging_dir``
only: ``html/index.html`` (and the other pages and assets), ``projet-associatif.pdf``,
``projet-associatif.docx`` — the same names for both engines.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from projet_associatif.publish.errors import RenderError

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
    memo_dir: Path | None = None,
) -> dict[str, Path]:
    """Render the book of ``profile`` from ``executed_dir`` into ``staging_dir``.

    ``meta`` holds what the title page shows: ``profile_label``, ``as_of`` (ISO date),
    ``suivi`` (measurement file), ``build_date`` and ``source_date_epoch``. Returns the
    path of each format produced (``html`` → ``html/index.html``). ``memo_dir`` keeps
    unchanged conversions from one render to the next (Pandoc engine; Quarto has its own).
    """
    wanted = list(dict.fromkeys(formats))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown:
        raise RenderError(f"Format inconnu : {', '.join(unknown)} (attendu : html, pdf, docx).")
    chosen = choose_engine(engine)
    # Absolute paths: Pandoc runs in a temporary working directory.
    executed_dir, staging_dir = Path(executed_dir).resolve(), Path(staging_dir).resolve()
    staging_dir.mkdir(parents=True, exist_ok=True)
    # Importing this package must stay cheap: the book configuration (publish.book), read by
    # the profiles and the Quarto pre-render, lives in it.
    if chosen == "quarto":
        # start-up cost: the engines import nbconvert, nbformat, pypandoc and pandas (~1 s).
        from projet_associatif.publish.quarto import render_with_quarto

        return render_with_quarto(
            executed_dir, staging_dir, profile=profile, formats=wanted, meta=meta or {}
        )
    # start-up cost: as above (nbconvert, nbformat, pypandoc, pandas).
    from projet_associatif.publish.pandoc import render_with_pandoc

    return render_with_pandoc(
        executed_dir,
        staging_dir,
        profile=profile,
        formats=wanted,
        meta=meta or {},
        memo_dir=memo_dir,
    )
