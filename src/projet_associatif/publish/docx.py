"""Make the Word reference document: Pandoc's default styles, language set to French."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from projet_associatif.publish.errors import RenderError


def write_reference_docx(path: Path) -> Path:
    """Write Pandoc's reference.docx with French as the proofing language of every style."""
    from projet_associatif.publish.pandoc import pandoc_path

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


def prepared_reference(
    reference: Path, output: Path, *, header: str | None = None, epoch: int | None = None
) -> Path:
    """Write a copy of ``reference`` for one build: entries dated ``epoch``, optional header.

    Pandoc copies some parts of the reference document (theme, fonts, settings) with their
    zip dates: dating them from SOURCE_DATE_EPOCH makes every entry of the output share
    the build's date. With ``header``, every page carries that text in its header (Pandoc
    takes headers and footers from the reference document). Entry order is kept.
    """
    import time

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
