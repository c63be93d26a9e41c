"""Remember render steps whose output is a function of their inputs alone.

Reading a chapter into Pandoc's tree, writing one HTML page, exporting one notebook page:
when a single data file changes, only one or two chapters change, and every other step
would produce the same bytes again. Each step's key is the SHA-256 of everything it reads
(the text it is given, its options, the content of every file it is given, the versions
of the environment and of this package), so a hit is exactly what a run would return.

Entries live under ``build/cache/rendu/``; those unused for a month are deleted.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from projet_associatif.data.cache import (
    CACHE_MAX_AGE_DAYS,
    atomic_write,
    environment_hash,
    package_hash,
    sha256_file,
    sha256_json,
    unused_files,
)


@functools.cache
def _code_hash() -> str:
    # Filters, templates and the writer's own code: one hash per process, as they do not
    # change while a build runs.
    return sha256_json([environment_hash(), package_hash()])


class Memo:
    """A directory of outputs, each stored under the hash of what produced it."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def claim(self, key: str) -> threading.Lock:
        """Return the lock of ``key``, so that one step is computed once at a time.

        Formats render in parallel and often need the same conversion (PDF and Word read a
        chapter alike): the second waits for the first's result instead of redoing it.
        """
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def key(self, step: str, *inputs: Any, files: Sequence[Path] = ()) -> str:
        """Return the key of ``step`` run on ``inputs`` with ``files`` (hashed by content)."""
        contents = [[str(f), sha256_file(f)] for f in files]
        return sha256_json([step, _code_hash(), contents, *inputs])

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """Return the stored output for ``key``, or None."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        os.utime(path)  # marks the entry as used, for prune()
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (atomically: a concurrent reader sees all or nothing)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data)

    def prune(self, max_age_days: float = CACHE_MAX_AGE_DAYS) -> int:
        """Delete entries unused for ``max_age_days``; return how many were deleted."""
        unused = unused_files(self.directory, "*/*", max_age_days)
        for path in unused:
            path.unlink(missing_ok=True)
        return len(unused)
