"""Swap a rendered report into ``_book/<profil>/`` in one rename, and recover from a crash.

``_book/<profil>/`` is at every moment either the complete old publication or the complete
new one: a failed or interrupted build never leaves half a report behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def publish(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging``: old aside, new into place, old deleted.

    Each step is a rename, so ``target`` is at every moment either the complete old
    publication, the complete new one, or (between two renames) briefly absent.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.stat(staging).st_dev != os.stat(target.parent).st_dev:
        # A rename cannot cross file systems: copy next to the target first.
        near = Path(tempfile.mkdtemp(prefix=f".{target.name}.nouveau-", dir=target.parent))
        near.rmdir()
        shutil.copytree(staging, near)
        shutil.rmtree(staging)
        staging = near
    aside = None
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.ancien-", dir=target.parent))
        aside.rmdir()
        os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        if aside is not None:
            os.rename(aside, target)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def recover_interrupted_publish(target: Path) -> None:
    """Put back a publication left aside by an interrupted :func:`publish`, drop leftovers."""
    if not target.parent.is_dir():
        return
    asides = sorted(target.parent.glob(f".{target.name}.ancien-*"), key=lambda p: p.stat().st_mtime)
    if asides and not target.exists():
        os.rename(asides.pop(), target)
    for leftover in [*asides, *target.parent.glob(f".{target.name}.nouveau-*")]:
        shutil.rmtree(leftover, ignore_errors=True)
