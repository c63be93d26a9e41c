"""Render the executed notebooks and hand-written chapters into HTML, PDF and DOCX.

``render_book`` is the only entry point the build uses. It writes into ``staging_dir``
only: ``html/index.html`` (and the other pages and assets), ``projet-associatif.pdf``,
``projet-associatif.docx`` — the same names for both engines.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from projet_associatif.publish.errors import RenderError

if TYPE_CHECKING:
    from projet_associatif.publish.book import BookConfig
    from projet_associatif.publish.memo import Memo
    from projet_associatif.publish.notebooks import Target
    from projet_associatif.publish.pandoc import Book

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
    if chosen == "quarto":
        from projet_associatif.publish.quarto import render_with_quarto

        return render_with_quarto(
            executed_dir, staging_dir, profile=profile, formats=wanted, meta=meta or {}
        )
    return render_with_pandoc(
        executed_dir,
        staging_dir,
        profile=profile,
        formats=wanted,
        meta=meta or {},
        memo_dir=memo_dir,
    )


def render_with_pandoc(
    executed_dir: Path,
    staging_dir: Path,
    *,
    profile: str,
    formats: list[str],
    meta: Mapping[str, Any],
    root: Path | None = None,
    memo_dir: Path | None = None,
) -> dict[str, Path]:
    """Render with Pandoc (HTML, DOCX) and Typst (PDF); no Quarto needed.

    The formats are rendered side by side in threads: most of the work is Pandoc and
    Typst, which run outside the interpreter's lock. With ``memo_dir``, conversions whose
    inputs did not change since an earlier render are taken from there (see ``memo``).
    """
    from projet_associatif.core.paths import project_root
    from projet_associatif.publish.book import book_config
    from projet_associatif.publish.memo import Memo

    base = root or project_root()
    config = book_config(profile, base)
    memo = Memo(memo_dir) if memo_dir is not None else None
    with tempfile.TemporaryDirectory(prefix="rendu-") as tmp:
        work = Path(tmp)

        job = _Job(config, executed_dir, staging_dir, meta, base, memo, tuple(formats))

        def one(fmt: str) -> Path:
            folder = work / fmt  # each format its own files: they run at the same time
            folder.mkdir()
            return _RENDERERS[fmt](job, folder)

        with ThreadPoolExecutor(max_workers=len(formats) or 1) as pool:
            futures = {fmt: pool.submit(one, fmt) for fmt in formats}
        # In the order asked, so that the same failure is always the one reported.
        produced = {fmt: future.result() for fmt, future in futures.items()}
    if memo is not None:
        memo.prune()
    return produced


@dataclass(frozen=True)
class _Job:
    """What every format's renderer works from."""

    config: BookConfig
    executed_dir: Path
    staging_dir: Path
    meta: Mapping[str, Any]
    root: Path
    memo: Memo | None
    formats: tuple[str, ...] = ()


def _read(job: _Job, target: Target, figures_dir: Path, figures_href: str) -> Book:
    """Read the book for one format (figures written to ``figures_dir``)."""
    from projet_associatif.publish import pandoc

    return pandoc.read_book(
        job.config,
        job.executed_dir,
        target=target,
        figures_dir=figures_dir,
        figures_href=figures_href,
        root=job.root,
        memo=job.memo,
    )


def _html(job: _Job, work: Path) -> Path:
    from projet_associatif.publish import pandoc

    html_dir = job.staging_dir / "html"
    book = _read(job, "html", html_dir / "figures", "figures")
    downloads = [f for f in ("pdf", "docx") if f in job.formats]
    return pandoc.write_html(
        book, html_dir, job.meta, root=job.root, memo=job.memo, downloads=downloads
    )


def _pdf(job: _Job, work: Path) -> Path:
    from projet_associatif.publish import pandoc

    book = _read(job, "pdf", work / "figures-pdf", "figures-pdf")
    return pandoc.write_pdf(
        book, job.staging_dir / pandoc.PDF_NAME, work, job.meta, root=job.root, memo=job.memo
    )


def _docx(job: _Job, work: Path) -> Path:
    from projet_associatif.publish import pandoc

    book = _read(job, "docx", work / "figures-docx", "figures-docx")
    return pandoc.write_docx(
        book, job.staging_dir / pandoc.DOCX_NAME, work, job.meta, root=job.root
    )


_RENDERERS = {"html": _html, "pdf": _pdf, "docx": _docx}
