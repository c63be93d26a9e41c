"""A new project is written whole or not at all; refusals leave nothing behind."""

from __future__ import annotations

import pytest

from projet_associatif.edition.target import EditionError, check_target, staged


def test_a_non_empty_folder_is_refused(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "x").write_text("x")
    with pytest.raises(EditionError, match="n'est pas vide"):
        check_target(tmp_path / "p")


def test_an_empty_folder_is_accepted_and_filled(tmp_path):
    (tmp_path / "p").mkdir()
    with staged(tmp_path / "p") as root:
        (root / "f").write_text("ok")
    assert (tmp_path / "p" / "f").read_text() == "ok"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_an_error_while_writing_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError), staged(tmp_path / "p") as root:
        (root / "f").write_text("half")
        raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
