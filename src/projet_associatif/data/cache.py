"""Cache executed notebooks, keyed on everything that determines their output.

A notebook's output depends on: the notebook file, its parameters, the installed
environment, the package modules it imports and the data files it reads. The first three
are known before execution and form the *recipe* key. The rest is only known after
execution: the kernel records every file it opens under the project, the data directory
and the package (see :func:`record_reads`), and the cache entry stores their SHA-256. A
later build hits the cache when the recipe key matches and every recorded file still has
the same hash.

Recording reads in the kernel (an audit hook, :pep:`578`) sees every route to a file —
``data.package.load``, foreign-key checks reading a second table, ``openpyxl`` reading a
measurement workbook, the package's own modules (through their ``.pyc``) — without
trusting a hand-written list that could drift. Editing the renderer therefore re-executes
no notebook, while editing a module a notebook imports re-executes that notebook.

This module is imported inside the notebook kernel too: keep its top-level imports to the
standard library.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Bump when the key or the entry layout changes, so old entries are never misread.
CACHE_FORMAT = 1

#: Entries not used for this long are deleted after a build (each one is an executed
#: notebook with its figures: the cache would otherwise grow with every data edit).
CACHE_MAX_AGE_DAYS = 30

#: When set, every file read by ``data.package.load`` is appended (one absolute path per
#: line) to the file this variable names, on top of the audit hook. The build sets it for
#: each notebook so that its cache key covers exactly the data the notebook read, even
#: though papermill runs it in another process. Its one home: ``data.package`` imports it.
READ_LOG_ENV = "PROJET_ASSOCIATIF_READ_LOG"

#: Directory names whose files never count as notebook inputs (outputs, caches, tooling).
IGNORED_DIRS = {"build", "_book", "_freeze", ".git", ".venv", "__pycache__", ".ipynb_checkpoints"}

#: Modules a kernel holds before its first notebook (imported to install the read hook,
#: so their reads are never logged): hashed into every recipe, and kept across notebooks.
BOOTSTRAP_MODULES = (
    "__init__.py",
    "core/__init__.py",
    "core/startup.py",
    "data/__init__.py",
    "data/cache.py",
)


def _module_name(relative: str) -> str:
    """Return the dotted name of a module given by its path inside the package."""
    dotted = relative.removesuffix(".py").replace("/", ".").removesuffix("__init__").rstrip(".")
    return f"{_PACKAGE}.{dotted}" if dotted else _PACKAGE


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_json(value: Any) -> str:
    """Return the hex SHA-256 of a value's canonical JSON form."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


PACKAGE_DIR = Path(__file__).resolve().parents[1]


def package_hash(package: Path = PACKAGE_DIR) -> str:
    """Return one hash of every file of the package: modules, templates, filters, scripts."""
    return sha256_json({name: sha256_file(package / name) for name in tree_listing(package)})


def bootstrap_hash(package: Path = PACKAGE_DIR) -> str:
    """Return the hash of the modules the kernel imports before the read hook is installed."""
    return sha256_json({name: sha256_file(package / name) for name in BOOTSTRAP_MODULES})


def source_of(path: str) -> str:
    """Return the ``.py`` file a ``__pycache__/<module>.<tag>.pyc`` was compiled from."""
    folder, name = os.path.split(path)
    if name.endswith(".pyc") and os.path.basename(folder) == "__pycache__":
        return os.path.join(os.path.dirname(folder), name.split(".", 1)[0] + ".py")
    return path


@functools.cache
def environment_hash() -> str:
    """Return one hash of the interpreter and every installed distribution with its version.

    What is installed is what runs, so it is hashed rather than a lock file that may lag.
    """
    # The dist-info directory names carry name and version: listing them is enough, and
    # avoids parsing hundreds of METADATA files (0.3 s) on every no-op rebuild.
    dists = sorted(
        {
            entry.name.lower()
            for folder in map(Path, sys.path)
            if folder.is_dir()
            for entry in folder.iterdir()
            if entry.suffix in {".dist-info", ".egg-info"}
        }
    )
    return sha256_json({"python": sys.version, "platform": platform.platform(), "dists": dists})


def tree_listing(directory: Path) -> list[str]:
    """Return the sorted relative paths of every file under ``directory``.

    Part of the key: adding or removing a data file can change what ``load`` finds.
    """
    if not directory.is_dir():
        return []
    return sorted(
        str(p.relative_to(directory))
        for p in directory.rglob("*")
        if p.is_file() and not IGNORED_DIRS.intersection(p.relative_to(directory).parts)
    )


def suivi_hash(suivi: Path | None) -> str | None:
    """Return the hash of the measurement file (or of every file of a CSV folder)."""
    if suivi is None:
        return None
    if suivi.is_dir():
        return sha256_json({name: sha256_file(suivi / name) for name in tree_listing(suivi)})
    return sha256_file(suivi) if suivi.is_file() else "absent"


_PACKAGE = __name__.partition(".")[0]


@dataclass
class _Recorder:
    """Where the read hook of this process writes, and what it already wrote there."""

    log: Any = None
    seen: set[str] = field(default_factory=set)
    roots: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    installed: bool = False


_recorder = _Recorder()


def record_reads(log_path: str | None, roots: list[str], exclude: list[str]) -> None:
    """Record in ``log_path`` every file under ``roots`` this process opens for reading.

    Runs inside the kernel at start-up. An audit hook cannot be removed: it is installed
    once, and :func:`start_notebook` points it at the next notebook's log. With
    ``log_path`` None nothing is recorded until then.
    """
    _recorder.roots = tuple(roots)
    _recorder.prefixes = tuple(os.path.join(r, "") for r in roots)
    _recorder.excluded = tuple(os.path.join(e, "") for e in exclude)
    if log_path is not None:
        _switch_log(log_path)
    if not _recorder.installed:
        sys.addaudithook(_hook)
        _recorder.installed = True


def _switch_log(log_path: str) -> None:
    """Send the reads recorded from now on to ``log_path``, forgetting what was seen."""
    if _recorder.log is not None:
        _recorder.log.close()
    _recorder.log = None
    _recorder.seen = set()
    # Opened for appending: the hook ignores writes, so the log never records itself.
    _recorder.log = open(log_path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115
    os.environ[READ_LOG_ENV] = log_path


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or _recorder.log is None:
        return
    try:
        path, mode, flags = args
        if isinstance(path, int) or path is None:
            return
        if mode is None:  # os.open: only flags tell a read from a write
            if flags & _WRITE_FLAGS:
                return
        elif any(c in mode for c in "wax+"):
            return
        # An import opens the cached bytecode: count it as reading the module's source.
        path = source_of(os.path.abspath(os.fsdecode(path)))
        if path in _recorder.seen:
            return
        inside = path in _recorder.roots or path.startswith(_recorder.prefixes)
        if inside and not path.startswith(_recorder.excluded) and not _metadata(path):
            _recorder.seen.add(path)
            _recorder.log.write(path + "\n")
    except Exception:  # noqa: BLE001 - a hook must never break the notebook's own I/O
        return


def _metadata(path: str) -> bool:
    """Tell whether ``path`` is installed-package metadata (``*.egg-info``, ``*.dist-info``).

    Libraries scan it for entry points once per process: it is part of the environment
    hash, not an input of the notebook that happened to trigger the scan.
    """
    return f".egg-info{os.sep}" in path or f".dist-info{os.sep}" in path


def start_notebook(log_path: str, cwd: str) -> None:
    """Make a kernel that ran other notebooks ready for the next one, as a fresh one would be.

    Called inside a warm kernel (see ``kernels``) before the notebook's first cell; the
    IPython namespace and execution counter are reset by the caller. What this does:

    - reads go to the new notebook's log, and files already seen are recorded again;
    - every module of this package but the bootstrap ones leaves ``sys.modules`` (and its
      parent's attributes), so the notebook imports it again: module-level caches start
      empty, and the hook sees each module and data file *this* notebook uses — without
      this, a table loaded by the previous notebook would be served from memory and
      missing from this notebook's cache key;
    - the working directory is the notebook's folder; warnings shown once are shown again.

    Third-party libraries stay imported: they are part of the environment hash.
    """
    _switch_log(log_path)
    keep = {_PACKAGE, *(_module_name(name) for name in BOOTSTRAP_MODULES)}
    for name in [m for m in sys.modules if m.startswith(f"{_PACKAGE}.") and m not in keep]:
        del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if parent in sys.modules and getattr(sys.modules[parent], child, None) is not None:
            # ``from package import module`` would otherwise find the old module object.
            delattr(sys.modules[parent], child)
    os.chdir(cwd)
    filters = list(warnings.filters)
    warnings.resetwarnings()  # invalidates every module's "already warned" registry
    warnings.filters[:] = filters
    warnings.onceregistry.clear()


def kernel_arguments(
    log_path: Path | None, roots: list[Path], exclude: list[Path], then: tuple[str, ...] = ()
) -> list[str]:
    """Return the kernel command-line options that install :func:`record_reads` at start-up.

    ``exec_lines`` run before the first cell without counting as an execution, so the
    executed notebook is the same as without the hook. The environment variable is set in
    the kernel itself: notebooks run in threads, so the build's own environment is shared.
    ``log_path`` None (a warm kernel) records nothing until :func:`start_notebook`.
    ``then`` is code to run after the hook is installed, at start-up too.
    """
    log = None if log_path is None else str(log_path)
    call = (
        "import projet_associatif.data.cache as _pa_cache; "
        f"_pa_cache.record_reads({log!r}, {[str(r) for r in roots]!r}, "
        f"{[str(e) for e in exclude]!r}); del _pa_cache"
    )
    return [f"--IPKernelApp.exec_lines={json.dumps([call, *then])}"]


def read_log(log_path: Path) -> list[Path]:
    """Return the distinct files recorded in a read log, in first-read order."""
    if not log_path.is_file():
        return []
    lines = log_path.read_text(encoding="utf-8").splitlines()
    return [Path(p) for p in dict.fromkeys(line for line in lines if line)]


@dataclass
class Recipe:
    """What determines a notebook's output, apart from the files it reads."""

    notebook: Path
    parameters: dict[str, Any]
    bootstrap: str
    environment: str
    suivi: str | None = None
    data_listing: list[str] = field(default_factory=list)

    def key(self) -> str:
        """Return the recipe's hex key."""
        return sha256_json(
            {
                "format": CACHE_FORMAT,
                "notebook_name": self.notebook.name,
                "notebook": sha256_file(self.notebook),
                "parameters": self.parameters,
                "bootstrap": self.bootstrap,
                "environment": self.environment,
                "suivi": self.suivi,
                "data_listing": self.data_listing,
            }
        )


class BuildCache:
    """Store executed notebooks under ``build/cache/``: ``<key>.ipynb`` and ``<key>.json``."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._hashes: dict[tuple[str, int, int], str] = {}

    def _file_hash(self, path: Path) -> str | None:
        # Memoised on (path, mtime, size): many notebooks read the same descriptors.
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        marker = (str(path), stat.st_mtime_ns, stat.st_size)
        if marker not in self._hashes:
            self._hashes[marker] = sha256_file(path)
        return self._hashes[marker]

    def lookup(self, key: str) -> Path | None:
        """Return the cached executed notebook for ``key`` if every recorded read is unchanged."""
        record_path = self.directory / f"{key}.json"
        notebook = self.directory / f"{key}.ipynb"
        if not record_path.is_file() or not notebook.is_file():
            return None
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        for path, digest in record.get("reads", {}).items():
            if self._file_hash(Path(path)) != digest:
                return None
        os.utime(record_path)  # marks the entry as used, for prune()
        return notebook

    def prune(self, max_age_days: float = CACHE_MAX_AGE_DAYS) -> int:
        """Delete entries unused for ``max_age_days``; return how many were deleted."""
        unused = unused_files(self.directory, "*.json", max_age_days)
        for record in unused:
            record.unlink(missing_ok=True)  # the record first: no entry without notebook
            record.with_suffix(".ipynb").unlink(missing_ok=True)
        return len(unused)

    def store(self, key: str, executed: Path, reads: list[Path], recipe: Recipe) -> None:
        """Save an executed notebook and the hashes of the files it read."""
        self.directory.mkdir(parents=True, exist_ok=True)
        record = {
            "format": CACHE_FORMAT,
            "notebook": str(recipe.notebook),
            "parameters": recipe.parameters,
            "reads": {str(p): self._file_hash(p) for p in reads},
        }
        # The notebook first, the record last: a record always points at a complete notebook.
        atomic_write(self.directory / f"{key}.ipynb", executed.read_bytes())
        atomic_write(
            self.directory / f"{key}.json",
            json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        )

    def reads_of(self, key: str) -> list[Path]:
        """Return the files the cached entry for ``key`` recorded as read."""
        record_path = self.directory / f"{key}.json"
        if not record_path.is_file():
            return []
        return [Path(p) for p in json.loads(record_path.read_text(encoding="utf-8"))["reads"]]


def unused_files(directory: Path, pattern: str, max_age_days: float) -> list[Path]:
    """Return the files of ``directory`` matching ``pattern`` unused for ``max_age_days``.

    The caches touch an entry each time they serve it, so its modification time is its
    last use.
    """
    if not directory.is_dir():
        return []
    limit = time.time() - max_age_days * 86400
    return [p for p in directory.glob(pattern) if p.is_file() and p.stat().st_mtime < limit]


def atomic_write(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file and one rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
