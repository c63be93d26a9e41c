"""Write the book as one Word document, from a reference document prepared for the build.

The document has Heading styles, real tables (full text width, the « Texte de tableau »
style) and a table-of-contents field. The reference document is the project's
(``report/reference.docx``) or Pandoc's default with French as the proofing language;
each build dates its entries from SOURCE_DATE_EPOCH and, for fictional data, adds the
« Données fictives » header.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from projet_associatif.publish.book import DOCX_NAME
from projet_associatif.publish.book_tree import Book, print_chapters
from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.memo import Memo
from projet_associatif.publish.metadata import (
    FICTIONAL_LABEL,
    cover_fields,
    metadata_args,
    source_date_epoch,
)
from projet_associatif.publish.tools import DOCX_PRINT_FILTERS, pandoc_path, run_pandoc

__all__ = ["DOCX_NAME", "write_docx"]


def write_reference_docx(path: Path) -> Path:
    """Write Pandoc's reference.docx with French as the proofing language of every style."""
    path.parent.mkdir(parents=True, exist_ok=True)
    default = path.with_suffix(".pandoc.docx")
    proc = subprocess.run(
        [pandoc_path(), "-o", str(default), "--print-default-data-file", "reference.docx"],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RenderError(
            "Modèle Word de Pandoc indisponible", fmt="docx", stderr=proc.stderr.decode()
        )
    with (
        zipfile.ZipFile(default) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/styles.xml":
                text = data.decode("utf-8")
                # Word checks spelling and hyphenates with the style's language.
                text = re.sub(r'(<w:lang\b[^>]*?w:val=")[^"]*(")', r"\1fr-FR\2", text)
                data = text.encode("utf-8")
            out.writestr(item, data)
    default.unlink()
    return path


HEADER_PART = "word/header-pa.xml"
HEADER_ID = "rIdPaEnTete"
HEADER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
HEADER_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"


def header_xml(text: str) -> str:
    """Return a Word header part holding one bold, bordered paragraph of ``text``."""
    border = '<w:bottom w:val="single" w:sz="8" w:space="2" w:color="000000"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<w:p><w:pPr><w:pStyle w:val="Header"/><w:pBdr>{border}</w:pBdr>'
        '<w:jc w:val="center"/></w:pPr>'
        f'<w:r><w:rPr><w:b/><w:lang w:val="fr-FR"/></w:rPr><w:t xml:space="preserve">{escape(text)}'
        "</w:t></w:r></w:p></w:hdr>"
    )


def prepared_reference(
    reference: Path, output: Path, *, header: str | None = None, epoch: int | None = None
) -> Path:
    """Write a copy of ``reference`` for one build: entries dated ``epoch``, optional header.

    Pandoc copies some parts of the reference document (theme, fonts, settings) with their
    zip dates: dating them from SOURCE_DATE_EPOCH makes every entry of the output share
    the build's date. With ``header``, every page carries that text in its header (Pandoc
    takes headers and footers from the reference document). Entry order is kept.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    # Zip dates start in 1980 and have no time zone: the UTC time of the epoch is stored.
    stamp = time.gmtime(max(epoch, 315_532_800))[:6] if epoch is not None else None
    with zipfile.ZipFile(reference) as source, zipfile.ZipFile(output, "w") as out:
        items = source.infolist()
        for item in items:
            data = source.read(item.filename)
            if item.filename == "word/styles.xml":
                data = with_table_text_style(data.decode("utf-8")).encode("utf-8")
            if header is not None:
                data = _with_header_part(item.filename, data)
            entry = zipfile.ZipInfo(item.filename, date_time=stamp or item.date_time)
            out.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED)
        if header is not None:
            part = zipfile.ZipInfo(HEADER_PART, date_time=stamp or items[0].date_time)
            out.writestr(
                part, header_xml(header).encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED
            )
    return output


TABLE_TEXT_STYLE = "Texte de tableau"


def with_table_text_style(styles: str) -> str:
    """Add the paragraph style of table cells (filters/largeurs-tableaux.lua) if missing.

    Table text is set a size smaller than the body, as in the PDF: wide tables then keep
    whole words in their columns, in Word and in LibreOffice.
    """
    if f'w:val="{TABLE_TEXT_STYLE}"' in styles:
        return styles
    style = (
        '<w:style w:type="paragraph" w:customStyle="1" w:styleId="Textedetableau">'
        f'<w:name w:val="{TABLE_TEXT_STYLE}"/><w:basedOn w:val="Compact"/><w:qFormat/>'
        '<w:pPr><w:spacing w:before="20" w:after="20"/></w:pPr>'
        '<w:rPr><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>'
    )
    return styles.replace("</w:styles>", style + "</w:styles>")


def _with_header_part(name: str, data: bytes) -> bytes:
    """Return one entry of the reference document, wired to the header part."""
    if name == "word/document.xml":
        return _with_header_reference(data.decode("utf-8")).encode("utf-8")
    if name == "word/_rels/document.xml.rels":
        relation = (
            f'<Relationship Type="{HEADER_TYPE}" Id="{HEADER_ID}" '
            f'Target="{HEADER_PART.removeprefix("word/")}" />'
        )
        return (
            data.decode("utf-8").replace("</Relationships>", relation + "</Relationships>").encode()
        )
    if name == "[Content_Types].xml":
        override = f'<Override PartName="/{HEADER_PART}" ContentType="{HEADER_CONTENT_TYPE}" />'
        return data.decode("utf-8").replace("</Types>", override + "</Types>").encode("utf-8")
    return data


def _with_header_reference(document: str) -> str:
    """Put a default header reference first in every section of ``document``."""
    reference = f'<w:headerReference w:type="default" r:id="{HEADER_ID}" />'
    updated, count = re.subn(r"(<w:sectPr\b[^>]*>)", r"\1" + reference, document)
    if count == 0:
        raise RenderError(
            "Le document Word de référence n'a pas de section (w:sectPr).", fmt="docx"
        )
    return updated


def reference_docx(root: Path, work_dir: Path) -> Path:
    """Return the project's Word reference document, or Pandoc's default in French."""
    project_reference = root / "report" / "reference.docx"
    if project_reference.is_file():
        return project_reference
    return write_reference_docx(work_dir / "reference.docx")


def write_docx(
    book: Book,
    output: Path,
    work_dir: Path,
    meta: Mapping[str, Any],
    *,
    root: Path,
    memo: Memo | None = None,
) -> Path:
    """Write the book as one Word document (Heading styles, real tables, TOC field)."""
    doc = {
        "pandoc-api-version": book.api_version,
        "meta": {},
        "blocks": filtered_blocks(book, memo),
    }
    fields = cover_fields(book.config, meta)
    lines = [
        f"Document : {fields['pa-profil']}" if "pa-profil" in fields else "",
        f"Données arrêtées au {fields['pa-arrete']}" if "pa-arrete" in fields else "",
        f"Fichier de mesures : {fields['pa-suivi']}" if "pa-suivi" in fields else "",
        FICTIONAL_LABEL if "pa-fictif" in fields else "",
    ]
    docx_fields = {
        "title": fields["title"],
        "subtitle": fields.get("subtitle", ""),
        "author": fields["pa-organisation"],
        "date": " — ".join(x for x in lines if x) or fields.get("date", ""),
        "lang": "fr-FR",
        "toc-title": "Table des matières",
    }
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    args = ["-f", "json", "-t", "docx", "-o", str(output), "--toc", "--toc-depth=2"]
    epoch = source_date_epoch(meta)
    # Word repeats the reference document's header on every page: the fictional notice
    # goes there.
    reference = prepared_reference(
        reference_docx(root, work_dir),
        work_dir / "reference-construction.docx",
        header=fields.get("pa-fictif"),
        epoch=epoch,
    )
    args += ["--reference-doc", str(reference)]
    args += metadata_args({k: v for k, v in docx_fields.items() if v})
    run_pandoc(args, json.dumps(doc), fmt="docx", cwd=work_dir, epoch=epoch)
    return output


def filtered_blocks(book: Book, memo: Memo | None = None) -> list[Any]:
    """Return the book's blocks for Word, each chapter through the print filters on its own.

    The filters (impression.lua, then largeurs-tableaux.lua, as for a DOCX) act on one
    element at a time, so filtering chapter by chapter gives the blocks that filtering the
    whole document gives; each chapter's result is remembered, and after a data change
    only the chapters that changed pass through the filters again.
    """
    blocks: list[Any] = []
    for group in print_chapters(book):
        chapter = {"pandoc-api-version": book.api_version, "meta": {}, "blocks": group}
        args = ["-f", "json", "-t", "json", "--lua-filter", str(DOCX_PRINT_FILTERS)]
        out = run_pandoc(args, json.dumps(chapter), fmt="docx", memo=memo)
        blocks += json.loads(out)["blocks"]
    return blocks
