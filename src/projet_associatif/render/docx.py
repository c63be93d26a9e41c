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
