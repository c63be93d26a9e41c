"""Two renders of the same executed notebooks give byte-identical HTML, PDF and DOCX.

The first render is the session's shared book (``projet-associatif build`` in this
process); the second calls ``render_book`` on the same executed notebooks with the same
``meta``, in a fresh Python process with another hash seed, another working directory, no
SOURCE_DATE_EPOCH in the environment and another staging path, so that set ordering,
caches, temporary names and the clock cannot hide.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import browser_support as support
import pytest

from projet_associatif.core.paths import ROOT_ENV

pytestmark = pytest.mark.slow

SECOND_RENDER = """
import json, sys
from pathlib import Path
from projet_associatif.publish import render_book
executed, staging, profile, meta = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
memo = Path(sys.argv[5]) if len(sys.argv) > 5 else None
render_book(Path(executed), Path(staging), profile=profile,
            formats=["html", "pdf", "docx"], engine="pandoc", meta=meta, memo_dir=memo)
"""


def render_elsewhere(book: support.Book, base: Path, *memo: str) -> Path:
    """Render the book's executed notebooks again in a fresh process; return the staging."""
    staging = base / "un" / "autre" / "chemin"
    workdir = base / "cwd"
    workdir.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONHASHSEED"] = "4242"
    # Same inputs: the project the build ran on (its copy), whose paths the pages relativise.
    env[ROOT_ENV] = str(book.published_dir.parent.parent)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SECOND_RENDER,
            str(book.executed_dir),
            str(staging),
            support.PROFILE,
            json.dumps(book.meta),
            *memo,
        ],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return staging


@pytest.fixture(scope="module")
def second(book, tmp_path_factory) -> Path:
    """Render again from scratch: no remembered step."""
    return render_elsewhere(book, tmp_path_factory.mktemp("second-rendu-ailleurs"))


@pytest.fixture(scope="module")
def remembered(book, tmp_path_factory) -> Path:
    """Render again with the build's remembered steps (build/cache/rendu): all hits."""
    memo = book.published_dir.parent.parent / "build" / "cache" / "rendu"
    before = sorted(memo.glob("*/*"))
    assert before, "the build remembers its render steps"
    staging = render_elsewhere(book, tmp_path_factory.mktemp("rendu-memorise"), str(memo))
    assert sorted(memo.glob("*/*")) == before, "every step was remembered: nothing new stored"
    return staging


def tree(root: Path) -> dict[str, str]:
    """Return the SHA-256 of every file under ``root`` (the build's manifest.json aside)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_the_same_files_are_produced(book, second):
    first, again = tree(book.published_dir), tree(second)
    assert sorted(first) == sorted(again)
    assert {"projet-associatif.pdf", "projet-associatif.docx", "html/index.html"} <= set(first)
    # The shared book is the mid-term review: 4 chapter pages and 3 notebook pages.
    assert len([n for n in first if n.endswith(".html")]) >= 7


def test_every_file_is_byte_identical(book, second):
    first, again = tree(book.published_dir), tree(second)
    different = sorted(name for name in first if first[name] != again.get(name))
    assert different == []


def test_remembered_steps_give_the_same_bytes_as_computing_them(book, remembered):
    first, again = tree(book.published_dir), tree(remembered)
    assert sorted(first) == sorted(again)
    different = sorted(name for name in first if first[name] != again.get(name))
    assert different == []


def test_dates_come_from_source_date_epoch_not_the_clock(book):
    import pypdf

    reader = pypdf.PdfReader(book.outputs["pdf"])
    assert reader.metadata["/CreationDate"] == "D:20240102000000Z"
    assert reader.metadata["/ModDate"] == "D:20240102000000Z"
    with zipfile.ZipFile(book.outputs["docx"]) as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
        assert ">2024-01-02T00:00:00Z</dcterms:created>" in core
        assert ">2024-01-02T00:00:00Z</dcterms:modified>" in core
        # Zip entries are dated from the same epoch (zip stores local times, no zone).
        assert {info.date_time[:3] for info in archive.infolist()} == {(2024, 1, 2)}


def test_no_build_path_leaks_into_the_outputs(book):
    from projet_associatif.core.paths import project_root

    copy = book.published_dir.parent.parent
    leaks = [str(copy), str(book.executed_dir), str(project_root()), "/tmp/"]
    texts: dict[str, str] = {}
    for path in book.rendered_files():
        if path.suffix in {".html", ".css", ".js"}:
            texts[str(path)] = path.read_text(encoding="utf-8")
    with zipfile.ZipFile(book.outputs["docx"]) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                texts[f"docx:{name}"] = archive.read(name).decode("utf-8")
    import pypdf

    reader = pypdf.PdfReader(book.outputs["pdf"])
    texts["pdf"] = "\n".join(page.extract_text() for page in reader.pages)
    found = {name: [s for s in leaks if s in text] for name, text in texts.items()}
    assert {k: v for k, v in found.items() if v} == {}
