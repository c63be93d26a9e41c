"""Run several notebooks in one Jupyter kernel, each from the state of a fresh kernel.

Starting a kernel and importing pandas and altair costs more than most of our notebooks
compute. A build therefore gives each worker thread one *warm* kernel that runs its
notebooks one after the other. Before each notebook a silent prelude (not a cell: the
executed notebook does not show it) resets what a notebook's output could depend on:

- the IPython namespace, output history and execution counter (cells count from 1 again);
- this package's modules, imported again by the notebook, and the read log that keys the
  build cache (see :func:`projet_associatif.data.cache.start_notebook`);
- the working directory and the warnings already shown;
- the « À compléter » exception handler a notebook's ``setup()`` installed.

Third-party libraries stay imported: they belong to the environment hash, not to a notebook.
The result is checked by the tests: a notebook run after another in the same kernel gives
the same executed notebook and the same recorded reads as in a fresh kernel.

papermill runs the notebook through its documented extension point, an engine
(``kernel_engine``), which reuses the kernel instead of starting one. This module does not
import it (nor papermill): the caller loads it while the kernel boots (``while_booting``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from projet_associatif.data.cache import kernel_arguments

#: Seconds a kernel has to start and answer; a cold machine importing nothing yet is slow.
START_TIMEOUT_S = 120

#: Run at kernel start-up, while the build checks the data: the libraries every chapter
#: imports (pandas, altair, vl-convert, babel…) come in with these modules. The modules
#: themselves are dropped before each notebook (``start_notebook``); the libraries stay.
WARM_UP = (
    "try:\n"
    "    import projet_associatif.present.charts, projet_associatif.present.tables\n"
    "    import projet_associatif.pipeline.notebook\n"
    "except Exception:\n"
    "    pass  # the notebook that needs them will say what is wrong\n"
)


def prelude(log_path: Path, cwd: Path) -> str:
    """Return the code that readies a warm kernel for the next notebook."""
    return (
        "import projet_associatif.data.cache as _pa_cache\n"
        f"_pa_cache.start_notebook({str(log_path)!r}, {str(cwd)!r})\n"
        # The « À compléter » handler of pipeline.notebook.setup: a fresh kernel has none.
        "get_ipython().set_custom_exc((), None)\n"
        "_pa_rappels = get_ipython().events.callbacks['post_run_cell']\n"
        "_pa_rappels[:] = [r for r in _pa_rappels\n"
        "                  if not getattr(r, '__module__', '').startswith('projet_associatif.')]\n"
        "for _pa_format in get_ipython().display_formatter.formatters.values():\n"
        "    for _pa_type in [t for t in _pa_format.type_printers\n"
        "                     if getattr(t, '__module__', '').startswith('projet_associatif.')]:\n"
        "        del _pa_format.type_printers[_pa_type]\n"
        # new_session: execution counter back to 1, output history emptied.
        "get_ipython().reset(new_session=True)\n"
    )


class WarmKernel:
    """One kernel for one worker thread: started on first use, shut down by that thread.

    Its manager and client are asynchronous and bound to the event loop of the thread that
    started them, so a kernel never changes thread. The client is kept too: a new one
    waits for the kernel to answer and then 0,2 s for stray messages, at every notebook.
    """

    def __init__(
        self,
        kernel_name: str,
        read_roots: list[Path],
        read_exclude: list[Path],
        runtime_dir: Path | None = None,
    ):
        self.kernel_name = kernel_name
        self.read_roots = read_roots
        self.read_exclude = read_exclude
        #: Where the kernel's connection file goes. The build gives a directory it owns and
        #: deletes on every exit path, Ctrl-C included (jupyter_client's default, a file in
        #: the system's temporary directory, outlives an interrupted build).
        self.runtime_dir = runtime_dir
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None

    def prelude(self, log_path: Path, cwd: Path) -> str:
        """Return the code that readies this kernel for the next notebook (see :func:`prelude`)."""
        return prelude(log_path, cwd)

    def start(
        self, cwd: Path, *, while_booting: Callable[[], object] | None = None
    ) -> tuple[AsyncKernelManager, Any]:
        """Return the running kernel's manager and client, starting the kernel (in ``cwd``).

        ``while_booting`` runs once the kernel process is launched, before waiting for it to
        answer: what the caller needs next (papermill) is imported while the kernel imports.
        """
        if self.km is None or not run_sync(self.km.is_alive)():
            self.shutdown()
            km = AsyncKernelManager(kernel_name=self.kernel_name)
            if self.runtime_dir is not None:
                km.connection_file = str(self.runtime_dir / f"kernel-{uuid.uuid4()}.json")
            args = [
                *kernel_arguments(None, self.read_roots, self.read_exclude, then=(WARM_UP,)),
                # The kernel's own log (plain-TCP warning, KeyboardInterrupt at shutdown) is
                # noise for analysts; cell errors reach us through the executed notebook.
                "--IPKernelApp.log_level=CRITICAL",
                # Two kernels must not lock the same history database (nbclient's default).
                "--HistoryManager.hist_file=:memory:",
            ]
            self.km = km  # from now on, kill() can reach it
            try:
                run_sync(km.start_kernel)(extra_arguments=args, cwd=str(cwd))
            except BaseException:
                self.km = None
                with contextlib.suppress(Exception):  # what is left of it: connection file
                    run_sync(km.cleanup_resources)()
                raise
            if while_booting is not None:
                try:
                    while_booting()
                except BaseException:
                    self.shutdown()
                    raise
            self.kc = km.client()
            self.kc.allow_stdin = False  # input() fails at once instead of waiting forever
            self.kc.start_channels()
            try:
                run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT_S)
            except BaseException:
                self.shutdown()
                raise
        return self.km, self.kc

    def kill(self) -> None:
        """Kill the kernel's processes at once, from any thread (the build was interrupted).

        The kernel runs in a session of its own (jupyter_client starts it so), so Ctrl-C in
        the terminal does not reach it: the build has to stop it. Its manager belongs to the
        worker thread's event loop; a signal does not. The worker then sees a dead kernel
        and shuts it down as usual.
        """
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        if process is None:
            return
        with contextlib.suppress(OSError):  # already gone
            os.killpg(process.pid, signal.SIGKILL)  # the kernel leads its session
        with contextlib.suppress(OSError):
            process.kill()

    def shutdown(self) -> None:
        """Stop the kernel, if one runs; the next notebook starts a new one."""
        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if kc is not None:
            kc.stop_channels()
        if km is None:
            return
        try:
            # Killed rather than asked: its notebooks are done and saved, and a polite
            # shutdown waits ~0,3 s at the end of every build for nothing.
            run_sync(km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 - already dead: nothing left to stop
            run_sync(km.cleanup_resources)()
