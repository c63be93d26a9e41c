"""Make the Word reference document: Pandoc's default styles, language set to French."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from .errors import RenderError


def write_reference_docx(path: Path) -> Path:
    """Write Pandoc's reference.docx with French as the proofing language of every style."""
    from .pandoc import pandoc_path

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
    from xml.sax.saxutils import escape

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


def reference_with_header(reference: Path, output: Path, text: str) -> Path:
    """Write a copy of ``reference`` whose pages all carry ``text`` in their header.

    Pandoc takes headers and footers from the reference document, so the notice reaches
    every page of the Word output. Entry order and dates are kept: the copy is the same
    for the same inputs.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(reference) as source, zipfile.ZipFile(output, "w") as out:
        items = source.infolist()
        for item in items:
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = _with_header_reference(data.decode("utf-8")).encode("utf-8")
            elif item.filename == "word/_rels/document.xml.rels":
                relation = (
                    f'<Relationship Type="{HEADER_TYPE}" Id="{HEADER_ID}" '
                    f'Target="{HEADER_PART.removeprefix("word/")}" />'
                )
                text_rels = data.decode("utf-8").replace(
                    "</Relationships>", relation + "</Relationships>"
                )
                data = text_rels.encode("utf-8")
            elif item.filename == "[Content_Types].xml":
                override = (
                    f'<Override PartName="/{HEADER_PART}" ContentType="{HEADER_CONTENT_TYPE}" />'
                )
                data = data.decode("utf-8").replace("</Types>", override + "</Types>").encode()
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
        part = zipfile.ZipInfo(HEADER_PART, date_time=items[0].date_time)
        out.writestr(part, header_xml(text).encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return output


def _with_header_reference(document: str) -> str:
    """Put a default header reference first in every section of ``document``."""
    reference = f'<w:headerReference w:type="default" r:id="{HEADER_ID}" />'
    updated, count = re.subn(r"(<w:sectPr\b[^>]*>)", r"\1" + reference, document)
    if count == 0:
        raise RenderError(
            "Le document Word de référence n'a pas de section (w:sectPr).", fmt="docx"
        )
    return updated
