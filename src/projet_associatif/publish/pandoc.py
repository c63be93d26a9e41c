"""Render the book without Quarto: Pandoc 3 (pypandoc-binary) for HTML and DOCX, Typst for PDF.

One Pandoc tree per target is read from the chapters and numbered once (``book_tree``),
then written by the format's module:

- HTML (``html_site``): one page per chapter, assets and search index shipped;
- PDF (``pdf``): one Typst document compiled in-process by ``typst``;
- DOCX (``docx``): one Word document with Heading styles, real tables and a TOC field.

The formats render side by side in threads: most of the work is Pandoc and Typst, which
run outside the interpreter's lock.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projet_associatif.core.paths import project_root
from projet_associatif.publish.book import DOCX_NAME, PDF_NAME, BookConfig, book_config
from projet_associatif.publish.book_tree import Book, read_book
from projet_associatif.publish.docx import write_docx
from projet_associatif.publish.html_site import write_html
from projet_associatif.publish.memo import Memo
from projet_associatif.publish.notebooks import Target
from projet_associatif.publish.pdf import write_pdf


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

    With ``memo_dir``, conversions whose inputs did not change since an earlier render are
    taken from there (see ``memo``).
    """
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
    return read_book(
        job.config,
        job.executed_dir,
        target=target,
        figures_dir=figures_dir,
        figures_href=figures_href,
        root=job.root,
        memo=job.memo,
    )


def _html(job: _Job, work: Path) -> Path:
    html_dir = job.staging_dir / "html"
    book = _read(job, "html", html_dir / "figures", "figures")
    downloads = [f for f in ("pdf", "docx") if f in job.formats]
    return write_html(book, html_dir, job.meta, root=job.root, memo=job.memo, downloads=downloads)


def _pdf(job: _Job, work: Path) -> Path:
    book = _read(job, "pdf", work / "figures-pdf", "figures-pdf")
    return write_pdf(book, job.staging_dir / PDF_NAME, work, job.meta, root=job.root, memo=job.memo)


def _docx(job: _Job, work: Path) -> Path:
    book = _read(job, "docx", work / "figures-docx", "figures-docx")
    return write_docx(
        book, job.staging_dir / DOCX_NAME, work, job.meta, root=job.root, memo=job.memo
    )


_RENDERERS = {"html": _html, "pdf": _pdf, "docx": _docx}
