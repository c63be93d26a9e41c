"""Run Pandoc (the executable of the pypandoc-binary wheel) and find its Lua filters.

Every renderer that calls Pandoc goes through :func:`run_pandoc`: the HTML site, the PDF
(Pandoc writes Typst), the DOCX and the Word reference document.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pypandoc

from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.memo import Memo

FILTERS = Path(__file__).parent / "filters"
PRINT_FILTER = FILTERS / "impression.lua"
# PDF and DOCX: tables span the text width, each column at least its longest word wide.
TABLE_WIDTHS_FILTER = FILTERS / "largeurs-tableaux.lua"
TYPST_IMAGES_FILTER = FILTERS / "images-typst.lua"
# DOCX: the two filters above, as for a DOCX, in a conversion to Pandoc's JSON (by chapter).
DOCX_PRINT_FILTERS = FILTERS / "impression-docx.lua"


def pandoc_path() -> str:
    """Return the Pandoc executable shipped in the pypandoc-binary wheel."""
    return pypandoc.get_pandoc_path()


def run_pandoc(
    args: list[str],
    text: str,
    *,
    chapter: str | None = None,
    fmt: str | None = None,
    cwd: Path | None = None,
    epoch: int | None = None,
    memo: Memo | None = None,
) -> str:
    """Run Pandoc on ``text`` and return its output; raise RenderError with its stderr.

    ``epoch`` becomes SOURCE_DATE_EPOCH: Pandoc then dates the DOCX (document properties,
    zip entries) with it instead of the clock. With ``memo`` the output is looked up first
    and stored after; only for conversions that read nothing but ``text`` and the files
    named in ``args`` (Lua filters), and write only to standard output.
    """
    if memo is None:
        return _pandoc(args, text, chapter=chapter, fmt=fmt, cwd=cwd, epoch=epoch)
    files = [Path(a) for a in args if os.path.isabs(a) and os.path.isfile(a)]
    key = memo.key("pandoc", args, text, files=files)
    with memo.claim(key):
        hit = memo.get(key)
        if hit is not None:
            return hit.decode("utf-8")
        out = _pandoc(args, text, chapter=chapter, fmt=fmt, cwd=cwd, epoch=epoch)
        memo.put(key, out.encode("utf-8"))
    return out


def _pandoc(
    args: list[str],
    text: str,
    *,
    chapter: str | None,
    fmt: str | None,
    cwd: Path | None,
    epoch: int | None,
) -> str:
    """Run the Pandoc executable (see :func:`run_pandoc`)."""
    env = None
    if epoch is not None:
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    try:
        proc = subprocess.run(
            [pandoc_path(), *args],
            input=text,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=cwd,
            env=env,
            check=False,
        )
    except OSError as exc:
        raise RenderError(f"Pandoc introuvable ({exc})", chapter=chapter, fmt=fmt) from exc
    if proc.returncode != 0:
        raise RenderError("Pandoc a échoué", chapter=chapter, fmt=fmt, stderr=proc.stderr)
    return proc.stdout
