"""Write the book as one PDF: Pandoc writes Typst, the typst package compiles it in-process.

The PDF has a cover page, a table of contents, page numbers and the running chapter title
(``templates/typst/livre.typ`` with the project's Quarto partials, ``report/typst/``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typst

from projet_associatif.publish.book import PDF_NAME
from projet_associatif.publish.book_tree import Book, print_chapters
from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.memo import Memo
from projet_associatif.publish.metadata import cover_fields, metadata_args, source_date_epoch
from projet_associatif.publish.tools import (
    PRINT_FILTER,
    TABLE_WIDTHS_FILTER,
    TYPST_IMAGES_FILTER,
    run_pandoc,
)

__all__ = ["PDF_NAME", "write_pdf"]

TEMPLATES = Path(__file__).parent / "templates"
# Fonts embedded in the typst package: Libertinus Serif has « » ’ € and U+00A0/U+202F.
MAIN_FONT = "Libertinus Serif"
# PDF/UA-1: tagged PDF, document title and language, alternative text on every image.
PDF_STANDARDS = ["ua-1"]


def typst_template_dir(work_dir: Path, root: Path) -> Path:
    """Copy the Pandoc Typst template next to the project's Quarto partials."""
    folder = work_dir / "modele-typst"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("livre.typ", "definitions.typ"):
        shutil.copyfile(TEMPLATES / "typst" / name, folder / name)
    for name in ("typst-template.typ", "typst-show.typ"):
        source = root / "report" / "typst" / name
        if not source.is_file():
            raise RenderError(f"Partiel Typst introuvable : {source}", fmt="pdf")
        shutil.copyfile(source, folder / name)
    return folder / "livre.typ"


def write_pdf(
    book: Book,
    output: Path,
    work_dir: Path,
    meta: Mapping[str, Any],
    *,
    root: Path,
    memo: Memo | None = None,
) -> Path:
    """Write the book as Typst, then compile it to PDF with the typst package."""
    # Each chapter is written as Typst on its own (and remembered), then the template wraps
    # them: after a data change only the chapters that changed are written again.
    filters = [
        *("--lua-filter", str(PRINT_FILTER), "--lua-filter", str(TABLE_WIDTHS_FILTER)),
        *("--lua-filter", str(TYPST_IMAGES_FILTER)),
    ]
    bodies = [
        run_pandoc(
            ["-f", "json", "-t", "typst", *filters],
            json.dumps({"pandoc-api-version": book.api_version, "meta": {}, "blocks": group}),
            fmt="pdf",
            memo=memo,
        ).strip()
        for group in print_chapters(book)
    ]
    body = {"t": "RawBlock", "c": ["typst", "\n\n".join(b for b in bodies if b)]}
    doc = {"pandoc-api-version": book.api_version, "meta": {}, "blocks": [body]}
    template = typst_template_dir(work_dir, root)
    fields = cover_fields(book.config, meta)
    args = ["-f", "json", "-t", "typst", "-s", "--template", str(template), "--toc"]
    args += ["--toc-depth=2", "-V", f"mainfont={MAIN_FONT}", "-V", "papersize=a4"]
    # The numbering already wrote « Figure N : » in the captions.
    args += ["-M", "pa-legendes-numerotees=true"]
    source = run_pandoc(args + metadata_args(fields), json.dumps(doc), fmt="pdf", cwd=work_dir)
    typ = work_dir / "projet-associatif.typ"
    typ.write_text(source, encoding="utf-8")
    try:
        # The timestamp fixes /CreationDate, /ModDate and the XMP dates; Typst derives the
        # document /ID from the title and content, so two builds give the same bytes.
        pdf = typst.compile(
            str(typ),
            root=str(work_dir),
            ignore_system_fonts=True,
            timestamp=source_date_epoch(meta),
            pdf_standards=PDF_STANDARDS,
        )
    except Exception as exc:
        hint = ""
        if "PDF/UA" in str(exc):
            hint = (
                "\nLe PDF doit respecter PDF/UA-1 (accessibilité) : chaque image a besoin "
                "d'un texte alternatif (Figure(..., alt=...) dans le chapitre)."
            )
        raise RenderError(
            "La compilation Typst a échoué", fmt="pdf", stderr=f"{exc}{hint}\n(source : {typ})"
        ) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pdf)
    return output
