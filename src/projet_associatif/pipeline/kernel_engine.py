"""The papermill engine that runs a notebook in a warm kernel (see ``kernels``).

papermill's documented extension point: an engine, registered under :data:`ENGINE_NAME`,
which executes in the kernel manager and client it is given instead of starting a kernel,
and runs a silent prelude before the first cell. A module of its own, imported by no other
module at its top, so that starting a kernel does not wait for papermill to be imported
(``execute.load_engine`` imports it while the kernel boots).
"""

from __future__ import annotations

from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.iorw import write_ipynb
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

ENGINE_NAME = "projet-associatif-noyau-chaud"


class KernelStateError(RuntimeError):
    """Raise when the prelude that resets a warm kernel fails."""


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
    """papermill engine that executes in the kernel manager and client given (``km``, ``kc``)."""

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
        start_timeout: int = 60,  # papermill's default; the kernel is already started
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
