"""Show a build's progress: one line per notebook, and its status at the end.

On a terminal the lines are redrawn in place; in logs and CI each change is one line.
"""

from __future__ import annotations

import enum
import threading

from rich.console import Console
from rich.live import Live
from rich.table import Table


class NotebookStatus(enum.StrEnum):
    """What happened to a notebook in a build (the French value is what the board shows)."""

    EXECUTED = "exécuté"
    CACHED = "en cache"
    FAILED = "échec"
    #: Not started: an earlier notebook failed.
    CANCELLED = "annulé"


class ProgressBoard:
    """Show one line per notebook: en attente, en cours, en cache, terminé (durée), échec."""

    def __init__(self, console: Console, names: list[str]):
        self.console = console
        self.states = dict.fromkeys(names, "en attente")
        self.lock = threading.Lock()
        self.live: Live | None = None

    def __enter__(self) -> ProgressBoard:
        if self.console.is_terminal:
            self.live = Live(self._table(), console=self.console, refresh_per_second=4)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.update(self._table())
            self.live.__exit__(None, None, None)

    def set(self, name: str, state: str) -> None:
        """Record a notebook's new state and show it."""
        with self.lock:
            self.states[name] = state
            if self.live is not None:
                self.live.update(self._table())
            else:  # logs and CI: one line per change instead of a redrawn table
                self.console.print(f"  {name} : {state}")

    def _table(self) -> Table:
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column("Notebook")
        table.add_column("État")
        colours = {
            NotebookStatus.CACHED: "cyan",
            NotebookStatus.FAILED: "red",
            "en cours": "yellow",
        }
        for name, state in self.states.items():
            colour = "green" if state.startswith("terminé") else colours.get(state, "dim")
            table.add_row(name, f"[{colour}]{state}[/]")
        return table


def format_seconds(seconds: float) -> str:
    """Return a duration the French way: « 42,3 s »."""
    return f"{seconds:.1f}".replace(".", ",") + " s"
