"""Write a new project all at once: into a temporary sibling, renamed when it is complete."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


class EditionError(Exception):
    """Raise when a new project cannot be started as asked; the message is French."""


def check_target(target: Path) -> Path:
    """Return ``target`` resolved, or refuse it when it exists and is not an empty folder."""
    target = Path(target).resolve()
    if target.exists():
        if not target.is_dir():
            raise EditionError(f"{target} existe déjà et n'est pas un dossier.")
        if any(target.iterdir()):
            raise EditionError(
                f"Le dossier {target} existe et n'est pas vide : choisissez un dossier "
                "nouveau (ou vide), rien n'y a été écrit."
            )
    return target


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield a temporary sibling of ``target`` to write into; rename it when all is written.

    Whatever stops the writing (an error, Ctrl-C) removes the sibling: never a half-written
    project under the name asked for.
    """
    target = check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".en-cours", dir=target.parent)
    )
    try:
        yield staging
        check_target(target)  # a folder filled in the meantime is not overwritten
        if target.exists():
            target.rmdir()
        os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
