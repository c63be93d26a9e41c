"""The render memo: a chapter whose content changed is rendered again, never served stale."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest

from projet_associatif.publish import memo as memo_module
from projet_associatif.publish.memo import Memo
from projet_associatif.publish.notebooks import notebook_html, notebook_markdown
from projet_associatif.publish.tools import run_pandoc


def chapter(path: Path, text: str) -> Path:
    """Write an executed chapter whose only content is ``text`` (same size for any version)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(f"# Chapitre\n\n{text}")]
    nbformat.write(nb, path)
    return path


def entries(memo: Memo) -> list[Path]:
    return sorted(memo.directory.glob("*/*"))


@pytest.fixture(autouse=True)
def fresh_code_hash():
    memo_module._code_hash.cache_clear()
    yield
    memo_module._code_hash.cache_clear()


def test_a_chapter_edited_in_place_is_not_served_stale(tmp_path):
    memo = Memo(tmp_path / "rendu")
    path = chapter(tmp_path / "03-1-contexte.ipynb", "Version A du texte.")
    for target in ("html", "pdf"):
        assert "Version A" in notebook_markdown(
            path, target=target, figures_dir=tmp_path / "fig", memo=memo
        )
    page = notebook_html(path, tmp_path / "page.html", memo=memo).read_text(encoding="utf-8")
    assert "Version A" in page
    stored = entries(memo)
    assert len(stored) == 3
    # Unchanged: served from the memo (nothing new is stored).
    notebook_markdown(path, target="html", figures_dir=tmp_path / "fig", memo=memo)
    notebook_html(path, tmp_path / "page.html", memo=memo)
    assert entries(memo) == stored
    # Same path, same size, same modification time: only the content tells the versions apart.
    mtime = path.stat().st_mtime_ns
    chapter(path, "Version B du texte.")
    os.utime(path, ns=(mtime, mtime))
    for target in ("html", "pdf"):
        text = notebook_markdown(path, target=target, figures_dir=tmp_path / "fig", memo=memo)
        assert "Version B" in text and "Version A" not in text
    page = notebook_html(path, tmp_path / "page.html", memo=memo).read_text(encoding="utf-8")
    assert "Version B" in page and "Version A" not in page


def test_a_changed_lua_filter_is_run_again(tmp_path):
    memo = Memo(tmp_path / "rendu")
    lua = tmp_path / "filtre.lua"
    lua.write_text('function Str(s) return pandoc.Str("AAAA") end\n', encoding="utf-8")
    args = ["--from=markdown", "--to=plain", "--lua-filter", str(lua)]
    assert run_pandoc(args, "mot", memo=memo).strip() == "AAAA"
    lua.write_text('function Str(s) return pandoc.Str("BBBB") end\n', encoding="utf-8")
    assert run_pandoc(args, "mot", memo=memo).strip() == "BBBB"


def test_the_key_follows_content_environment_and_package(tmp_path, monkeypatch):
    memo = Memo(tmp_path / "rendu")
    data = tmp_path / "entree.txt"
    data.write_text("un", encoding="utf-8")
    base = memo.key("etape", "x", files=[data])
    assert memo.key("etape", "x", files=[data]) == base
    assert memo.key("etape", "y", files=[data]) != base
    assert memo.key("autre-etape", "x", files=[data]) != base
    data.write_text("deux", encoding="utf-8")
    assert memo.key("etape", "x", files=[data]) != base
    data.write_text("un", encoding="utf-8")
    for name in ("environment_hash", "package_hash"):
        with monkeypatch.context() as m:
            m.setattr(memo_module, name, lambda: "autre")
            memo_module._code_hash.cache_clear()
            assert memo.key("etape", "x", files=[data]) != base, name
        memo_module._code_hash.cache_clear()
    assert memo.key("etape", "x", files=[data]) == base


def test_entries_sharing_a_shard_are_all_kept_and_each_step_has_its_own_lock(tmp_path):
    memo = Memo(tmp_path / "rendu")
    first, second = "ab" + "0" * 62, "ab" + "1" * 62  # same two-character shard folder
    memo.put(first, b"un")
    memo.put(second, b"deux")
    memo.put(first, b"un bis")  # a step stored again replaces its entry
    assert (memo.get(first), memo.get(second), memo.get("cd" + "0" * 62)) == (
        b"un bis",
        b"deux",
        None,
    )
    assert memo.claim(first) is memo.claim(first)
    assert memo.claim(first) is not memo.claim(second)


def test_prune_deletes_only_entries_unused_for_a_month(tmp_path):
    memo = Memo(tmp_path / "rendu")
    assert memo.prune() == 0  # no memo folder yet
    old, recent, read = ("ab" + c * 62 for c in "012")
    for key in (old, recent, read):
        memo.put(key, key.encode())
    month = time.time() - 31 * 86400
    for key in (old, read):
        os.utime(memo.directory / key[:2] / key, (month, month))
    assert memo.get(read) == read.encode()  # reading an entry marks it as used
    assert memo.prune() == 1
    assert (memo.get(old), memo.get(recent), memo.get(read)) == (
        None,
        recent.encode(),
        read.encode(),
    )
    # The age limit is the build cache's.
    for key in (recent, read):
        os.utime(memo.directory / key[:2] / key, (month + 2 * 86400,) * 2)
    assert memo.prune(max_age_days=30) == 0
    assert memo.prune(max_age_days=28) == 2
