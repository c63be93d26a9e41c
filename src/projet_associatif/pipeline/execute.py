"""Execute parameterised notebooks with papermill, in parallel, through the build cache.

Errors name the notebook and the failing cell in French; the failed executed notebook is
kept in ``build/<profil>/failed/`` for inspection.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from projet_associatif.core.errors import relative
from projet_associatif.data.cache import BuildCache, Recipe, read_log
from projet_associatif.pipeline.progress import NotebookStatus, ProgressBoard, format_seconds

if TYPE_CHECKING:
    from projet_associatif.pipeline.kernels import WarmKernel

KERNEL_NAME = "python3"

#: Per-cell limit: a cell that hangs must fail the build, not block it forever.
CELL_TIMEOUT_S = 1800

#: Names jupyter_client replaces with the running interpreter (sys.executable).
_SELF_PYTHON = {
    "python",
    f"python{sys.version_info[0]}",
    "python{}.{}".format(*sys.version_info[:2]),
}


class ExecutionError(Exception):
    """Raise when a notebook cannot be executed; the message is French and names the notebook."""


@dataclass
class NotebookFailure(ExecutionError):
    """Raise when a cell of a notebook raised an exception."""

    notebook: str
    cell_number: int | None
    exec_count: int | None
    first_line: str
    ename: str
    evalue: str
    kept: str | None

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"cellule n° {self.cell_number}" if self.cell_number else "cellule inconnue"
        if self.exec_count:
            where += f" (In [{self.exec_count}])"
        line = f" « {self.first_line} »" if self.first_line else ""
        text = f"Le notebook {self.notebook} a échoué à la {where}{line} :"
        text += f"\n  {self.ename} : {self.evalue}"
        if self.kept:
            text += f"\n  Notebook exécuté conservé pour inspection : {self.kept}"
        return text


@dataclass
class Task:
    """One notebook to run: source, destination and parameters."""

    source: Path
    output: Path
    parameters: dict[str, Any]
    recipe: Recipe


@dataclass
class Outcome:
    """What happened to one notebook."""

    source: Path
    output: Path
    status: NotebookStatus
    duration_s: float
    key: str
    reads: list[Path] = field(default_factory=list)
    error: ExecutionError | None = None


def check_kernel() -> None:
    """Check that the ``python3`` kernel runs this interpreter, or say how to fix it."""
    # start-up cost: jupyter_client (~0,13 s), only when a notebook runs.
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    except NoSuchKernel as exc:
        raise ExecutionError(
            f"Noyau Jupyter « {KERNEL_NAME} » introuvable. Installez ipykernel dans cet "
            f"environnement ({sys.executable} -m pip install ipykernel) puis exécutez "
            f"« {sys.executable} -m ipykernel install --sys-prefix »."
        ) from exc
    program = spec.argv[0] if spec.argv else ""
    same = program in _SELF_PYTHON or Path(program).parent == Path(sys.executable).parent
    if not same:
        raise ExecutionError(
            f"Le noyau Jupyter « {KERNEL_NAME} » ({spec.resource_dir}) lance {program}, pas "
            f"l'interpréteur de cet environnement ({sys.executable}) : les notebooks ne "
            "verraient pas les mêmes paquets. Supprimez ce noyau (jupyter kernelspec remove "
            f"{KERNEL_NAME}) ou réinstallez-le depuis cet environnement ({sys.executable} -m "
            "ipykernel install --sys-prefix)."
        )


def execute_notebook(
    source: Path,
    output: Path,
    parameters: dict[str, Any],
    *,
    failed_dir: Path,
    kernel_args: list[str] | None = None,
    kernel: WarmKernel | None = None,
    read_log: Path | None = None,
) -> None:
    """Run one notebook with papermill into ``output``; raise :class:`NotebookFailure` on error.

    Without ``kernel`` the notebook gets a kernel of its own, started with ``kernel_args``.
    With a :class:`~projet_associatif.pipeline.kernels.WarmKernel` it runs in that kernel after a
    reset, its reads recorded in ``read_log``.
    """
    # start-up cost: papermill (~0,4 s), only when a notebook runs.
    import papermill
    from papermill.exceptions import PapermillExecutionError

    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.stem}.", suffix=".ipynb", dir=output.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    if kernel is None:
        how: dict[str, Any] = {
            # papermill's own ``cwd`` chdir()s the whole process, which is unsafe with
            # notebooks running in threads; nbclient starts the kernel in this directory.
            "resources": {"metadata": {"path": str(source.parent)}},
            # The kernel's own log (plain-TCP warning, KeyboardInterrupt at shutdown) is
            # noise for analysts; cell errors reach us through the executed notebook.
            "extra_arguments": [*(kernel_args or []), "--IPKernelApp.log_level=CRITICAL"],
        }
    else:
        if read_log is None:
            raise ValueError("read_log est requis avec un noyau chaud.")
        how = {
            "engine_name": load_engine(),
            "prelude": kernel.prelude(read_log, source.parent),
        }
    try:
        if kernel is not None:
            how["km"], how["kc"] = kernel.start(source.parent)  # failures are reported below
        papermill.execute_notebook(
            str(source),
            str(tmp),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            progress_bar=False,
            execution_timeout=CELL_TIMEOUT_S,
            **how,
        )
    except PapermillExecutionError as exc:
        kept = _keep_failed(tmp, failed_dir / source.name)
        raise NotebookFailure(
            notebook=relative(source),
            cell_number=_source_cell_number(source, kept, exc),
            exec_count=exc.exec_count,
            first_line=_first_line(exc.source),
            ename=exc.ename,
            evalue=_one_paragraph(exc.evalue),
            kept=relative(kept) if kept else None,
        ) from exc
    except Exception as exc:
        # Kernel death, timeout, unreadable notebook: no cell output, still a French message.
        if kernel is not None:
            kernel.shutdown()  # its state is unknown: the next notebook gets a new one
        kept = _keep_failed(tmp, failed_dir / source.name)
        note = f"\n  Notebook partiel conservé : {relative(kept)}" if kept else ""
        raise ExecutionError(
            f"Le notebook {relative(source)} n'a pas pu être exécuté : "
            f"{type(exc).__name__} : {_one_paragraph(str(exc))}{note}"
        ) from exc
    else:
        _normalise(tmp, output)
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)


def load_engine() -> str:
    """Import papermill and register the warm-kernel engine; return the engine's name.

    A worker calls it while its kernel boots, so that the first notebook does not wait for
    papermill's import.
    """
    # start-up cost: papermill (~0,4 s), only when a notebook runs.
    from projet_associatif.pipeline import kernel_engine

    return kernel_engine.ENGINE_NAME


def _normalise(path: Path, final: Path) -> None:
    """Drop timestamps and random ids so that the same inputs give the same executed notebook."""
    # start-up cost: nbformat (~0,25 s), only after a notebook ran (papermill loaded it).
    import nbformat

    nb = nbformat.read(path, as_version=4)
    volatile = ("start_time", "end_time", "duration")
    for holder in [nb.metadata, *(cell.metadata for cell in nb.cells)]:
        holder.pop("execution", None)  # nbclient's per-message timestamps
        for key in volatile:
            holder.get("papermill", {}).pop(key, None)
    for cell in nb.cells:  # papermill gives the injected cell a random id on every run
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"
    if "papermill" in nb.metadata:  # papermill wrote the temporary name
        nb.metadata.papermill["output_path"] = str(final)
    nbformat.write(nb, path)


def _keep_failed(tmp: Path, destination: Path) -> Path | None:
    """Move the partially executed notebook to ``failed/``; return where, or None."""
    if not tmp.is_file() or tmp.stat().st_size == 0:
        return None
    destination.parent.mkdir(parents=True, exist_ok=True)
    os.replace(tmp, destination)
    return destination


def _source_cell_number(source: Path, kept: Path | None, exc: Any) -> int | None:
    """Return the 1-based position of the failing cell in the *source* notebook.

    papermill's index counts the injected parameters cell (and its error banner); cell ids
    survive execution, so the failing cell is found in the source by id, else by content.
    """
    # start-up cost: nbformat (~0,25 s), only after a notebook failed (papermill loaded it).
    import nbformat

    original = nbformat.read(source, as_version=4)
    executed_id = None
    if kept is not None:
        executed = nbformat.read(kept, as_version=4)
        for cell in executed.cells:
            if cell.get("execution_count") == exc.exec_count and any(
                o.get("output_type") == "error" for o in cell.get("outputs", [])
            ):
                executed_id = cell.get("id")
                break
    for number, cell in enumerate(original.cells, start=1):
        if executed_id is not None and cell.get("id") == executed_id:
            return number
    for number, cell in enumerate(original.cells, start=1):
        if cell.cell_type == "code" and cell.source == exc.source:
            return number
    return None


def _first_line(source: str) -> str:
    """Return the first non-empty line of a cell's source, shortened for a message."""
    for line in source.splitlines():
        if line.strip():
            return line.strip() if len(line.strip()) <= 80 else line.strip()[:79] + "…"
    return ""


def _one_paragraph(text: str) -> str:
    """Return an exception message with ANSI colours removed, indented for the error block."""
    clean = re.sub(r"\x1b\[[0-9;]*m", "", text or "").strip()
    return clean.replace("\n", "\n  ")


@contextlib.contextmanager
def _quiet(logger_name: str, *, when: bool) -> Iterator[None]:
    """Silence a library's logger for a while (if ``when``), then restore it."""
    logger = logging.getLogger(logger_name)
    previous = logger.disabled
    logger.disabled = previous or when
    try:
        yield
    finally:
        logger.disabled = previous


def run_all(
    tasks: list[Task],
    cache: BuildCache,
    *,
    jobs: int,
    force: bool,
    failed_dir: Path,
    log_dir: Path,
    read_roots: list[Path],
    read_exclude: list[Path],
    console: Console,
    runner: Callable[..., None] = execute_notebook,
    prepare: Callable[[], None] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> list[Outcome]:
    """Run every task (cache first, then up to ``jobs`` workers) and return the outcomes.

    Each worker is a thread with one warm kernel (see ``kernels``) that runs its notebooks
    one after the other. ``prepare`` (the data validation) runs while the kernels start;
    if it raises, no notebook runs and its exception propagates. ``while_waiting`` runs
    next, only when some notebook runs. After the first failure no new notebook starts;
    those already running finish.
    """
    outcomes: dict[Path, Outcome] = {}
    pending: list[tuple[Task, str]] = []
    hits: list[tuple[Task, str, Path]] = []
    names = [t.source.name for t in tasks]
    with ProgressBoard(console, names) as board:
        for task in tasks:
            key = task.recipe.key()
            hit = None if force else cache.lookup(key)
            if hit is not None:
                hits.append((task, key, hit))
            else:
                pending.append((task, key))

        if pending:
            check_kernel()  # only when a kernel is needed: a rebuild from cache needs none
        stop = threading.Event()
        interrupted = threading.Event()  # Ctrl-C: kernels killed on purpose
        lock = threading.Lock()
        queue = iter(pending)

        def one(task: Task, key: str, kernel: WarmKernel) -> Outcome:
            if stop.is_set():
                board.set(task.source.name, NotebookStatus.CANCELLED)
                return Outcome(task.source, task.output, NotebookStatus.CANCELLED, 0.0, key)
            board.set(task.source.name, "en cours")
            log_dir.mkdir(parents=True, exist_ok=True)
            log_path = log_dir / f"{task.source.stem}.reads"
            log_path.unlink(missing_ok=True)
            start = time.perf_counter()
            try:
                runner(
                    task.source,
                    task.output,
                    task.parameters,
                    failed_dir=failed_dir,
                    kernel=kernel,
                    read_log=log_path,
                )
            except ExecutionError as exc:
                stop.set()
                state = "interrompu" if interrupted.is_set() else NotebookStatus.FAILED
                board.set(task.source.name, state)
                duration = time.perf_counter() - start
                return Outcome(
                    task.source, task.output, NotebookStatus.FAILED, duration, key, error=exc
                )
            duration = time.perf_counter() - start
            reads = read_log(log_path)
            cache.store(key, task.output, reads, task.recipe)
            (failed_dir / task.source.name).unlink(missing_ok=True)  # an old failure is stale now
            board.set(task.source.name, f"terminé ({format_seconds(duration)})")
            return Outcome(task.source, task.output, NotebookStatus.EXECUTED, duration, key, reads)

        errors: list[BaseException] = []
        go = threading.Event()
        kernels: list[WarmKernel] = []
        # The kernels' connection files go to a directory this run owns and deletes on every
        # way out: nothing is left in the temporary directory, even after Ctrl-C.
        runtime_dir = (
            Path(tempfile.mkdtemp(prefix="projet-associatif-noyaux-")) if pending else None
        )

        def worker() -> None:
            # start-up cost: jupyter_client (~0,13 s), only when a notebook runs.
            from projet_associatif.pipeline.kernels import WarmKernel

            kernel = WarmKernel(KERNEL_NAME, read_roots, read_exclude, runtime_dir)
            with lock:
                kernels.append(kernel)
            try:
                with contextlib.suppress(Exception):  # a failed start is reported by the run
                    # papermill is imported while the kernel boots, not after.
                    kernel.start(pending[0][0].source.parent, while_booting=load_engine)
                go.wait()
                while not errors:
                    with lock:
                        item = next(queue, None)
                    if item is None:
                        return
                    outcome = one(*item, kernel)
                    with lock:
                        outcomes[outcome.source] = outcome
            except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                stop.set()
                errors.append(exc)
            finally:
                kernel.shutdown()  # by the thread that started it: its event loop

        threads = [
            threading.Thread(target=worker, name=f"notebooks-{i + 1}", daemon=True)
            for i in range(max(1, min(jobs, len(pending))) if pending else 0)
        ]
        for thread in threads:
            thread.start()
        try:
            try:
                try:
                    if prepare is not None:
                        prepare()
                    for task, key, hit in hits:  # only now: nothing is written before the checks
                        task.output.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copyfile(hit, task.output)
                        reads = cache.reads_of(key)
                        outcomes[task.source] = Outcome(
                            task.source, task.output, NotebookStatus.CACHED, 0.0, key, reads
                        )
                        board.set(task.source.name, NotebookStatus.CACHED)
                finally:
                    go.set()
                if pending and while_waiting is not None:
                    while_waiting()
                for thread in threads:
                    thread.join()
            except BaseException as exc:
                stop.set()
                errors.append(exc)  # no new notebook starts
                if isinstance(exc, KeyboardInterrupt):
                    # Abandoned: the running notebooks are not worth waiting for.
                    interrupted.set()
                    with lock:
                        for kernel in kernels:
                            kernel.kill()
                # nbclient logs (in English) the death of the kernels killed on purpose.
                with _quiet("papermill", when=interrupted.is_set()):
                    for thread in threads:  # kernels are shut down by their threads: wait
                        thread.join()
                raise
        finally:
            if runtime_dir is not None:
                shutil.rmtree(runtime_dir, ignore_errors=True)
        if errors:
            raise errors[0]
    return [outcomes[t.source] for t in tasks]
