"""Run several notebooks in one Jupyter kernel, each from the state of a fresh kernel.

Starting a kernel and importing pandas and altair costs more than most of our notebooks
compute. A build therefore gives each worker thread one *warm* kernel that runs its
notebooks one after the other. Before each notebook a silent prelude (not a cell: the
executed notebook does not show it) resets what a notebook's output could depend on:

- the IPython namespace, output history and execution counter (cells count from 1 again);
- this package's modules, imported again by the notebook, and the read log that keys the
  build cache (see :func:`projet_associatif.cache.start_notebook`);
- the working directory and the warnings already shown.

Third-party libraries stay imported: they belong to the environment hash, not to a notebook.
The result is checked by the tests: a notebook run after another in the same kernel gives
the same executed notebook and the same recorded reads as in a fresh kernel.

papermill runs the notebook through its documented extension point, an engine
(:data:`ENGINE_NAME`), which reuses the kernel instead of starting one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.iorw import write_ipynb
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

from .cache import kernel_arguments

ENGINE_NAME = "projet-associatif-noyau-chaud"

#: Seconds a kernel has to start and answer; a cold machine importing nothing yet is slow.
START_TIMEOUT_S = 120

#: Run at kernel start-up, while the build checks the data: the libraries every chapter
#: imports (pandas, altair, vl-convert, babel…) come in with these modules. The modules
#: themselves are dropped before each notebook (``start_notebook``); the libraries stay.
WARM_UP = (
    "try:\n"
    "    import projet_associatif.charts, projet_associatif.tables, projet_associatif.notebook\n"
    "except Exception:\n"
    "    pass  # the notebook that needs them will say what is wrong\n"
)


class KernelStateError(RuntimeError):
    """Raise when the prelude that resets a warm kernel fails."""


def prelude(log_path: Path, cwd: Path) -> str:
    """Return the code that readies a warm kernel for the next notebook."""
    return (
        "import projet_associatif.cache as _pa_cache\n"
        f"_pa_cache.start_notebook({str(log_path)!r}, {str(cwd)!r})\n"
        # new_session: execution counter back to 1, output history emptied.
        "get_ipython().reset(new_session=True)\n"
    )


class _WarmClient(PapermillNotebookClient):
    """papermill's client on a kernel and channels it does not own: prelude first, keep both."""

    def __init__(self, nb_man: Any, *, prelude: str, kc: Any, **kwargs: Any):
        super().__init__(nb_man, **kwargs)
        self.kc = kc  # nbclient then starts no client of its own (setup_kernel)
        self.prelude = prelude

    def papermill_execute_cells(self) -> None:
        """Reset the kernel, then run the notebook's cells as papermill does."""
        assert self.kc is not None
        msg_id = self.kc.execute(self.prelude, silent=True, store_history=False)
        reply = self.wait_for_reply(msg_id)
        content = (reply or {}).get("content", {})
        if content.get("status") != "ok":
            raise KernelStateError(
                "remise à zéro du noyau impossible : "
                f"{content.get('ename', 'pas de réponse')} : {content.get('evalue', '')}"
            )
        super().papermill_execute_cells()


class _WarmEngine(NBClientEngine):
    """papermill engine that executes in the kernel manager given as ``km``."""

    @classmethod
    def execute_notebook(
        cls, nb: Any, kernel_name: str, output_path: str | None = None, **kwargs: Any
    ) -> Any:
        """Execute without saving after every cell; papermill writes the result once.

        papermill saves after each cell so that progress can be watched; that rewrites and
        re-validates the whole notebook twice per cell, seconds of the build's CPU for the
        chapters with maps. A kernel that dies still leaves its partial notebook.
        """
        try:
            return super().execute_notebook(nb, kernel_name, output_path=None, **kwargs)
        except Exception:
            if output_path:
                write_ipynb(nb, output_path)
            raise

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man: Any,
        kernel_name: str,
        log_output: bool = False,
        stdout_file: Any = None,
        stderr_file: Any = None,
        start_timeout: int = START_TIMEOUT_S,
        execution_timeout: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run the notebook like papermill's nbclient engine, with the prelude first."""
        kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
        code = kwargs.pop("prelude")
        final = merge_kwargs(
            kwargs,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        return _WarmClient(nb_man, prelude=code, **final).execute()


papermill_engines.register(ENGINE_NAME, _WarmEngine)


class WarmKernel:
    """One kernel for one worker thread: started on first use, shut down by that thread.

    Its manager and client are asynchronous and bound to the event loop of the thread that
    started them, so a kernel never changes thread. The client is kept too: a new one
    waits for the kernel to answer and then 0,2 s for stray messages, at every notebook.
    """

    def __init__(self, kernel_name: str, read_roots: list[Path], read_exclude: list[Path]):
        self.kernel_name = kernel_name
        self.read_roots = read_roots
        self.read_exclude = read_exclude
        self.km: AsyncKernelManager | None = None
        self.kc: Any = None

    def start(self, cwd: Path) -> tuple[AsyncKernelManager, Any]:
        """Return the running kernel's manager and client, starting the kernel (in ``cwd``)."""
        if self.km is None or not run_sync(self.km.is_alive)():
            self.shutdown()
            km = AsyncKernelManager(kernel_name=self.kernel_name)
            args = [
                *kernel_arguments(None, self.read_roots, self.read_exclude, then=(WARM_UP,)),
                # The kernel's own log (plain-TCP warning, KeyboardInterrupt at shutdown) is
                # noise for analysts; cell errors reach us through the executed notebook.
                "--IPKernelApp.log_level=CRITICAL",
                # Two kernels must not lock the same history database (nbclient's default).
                "--HistoryManager.hist_file=:memory:",
            ]
            run_sync(km.start_kernel)(extra_arguments=args, cwd=str(cwd))
            self.km = km
            self.kc = km.client()
            self.kc.allow_stdin = False  # input() fails at once instead of waiting forever
            self.kc.start_channels()
            try:
                run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT_S)
            except BaseException:
                self.shutdown()
                raise
        return self.km, self.kc

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
