"""Check a build's inputs before any notebook runs: the data package, then the measurement file.

Mistakes in either reach the analyst or the commission as a list naming file, sheet, row
and column, never as a notebook failure.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from rich.console import Console

from projet_associatif.core.errors import DataError, relative
from projet_associatif.core.paths import project_root
from projet_associatif.data.package import validate_all_cached, validation_cache
from projet_associatif.pipeline.progress import format_seconds


def validate_data(data: Path, console: Console) -> None:
    """Validate every resource; raise :class:`DataError` with every problem found."""
    started = time.perf_counter()
    summaries = validate_all_cached(data, validation_cache())
    problems = [p for s in summaries for p in s.problems]
    if problems:
        raise DataError(problems)
    console.print(
        f"Données valides : {len(summaries)} ressource(s) "
        f"({format_seconds(time.perf_counter() - started)})."
    )


def check_suivi(path: Path | None, data: Path, as_of: dt.date, console: Console) -> bool:
    """Validate the measurement file; return whether it declares itself fictional."""
    if path is None:
        return False
    # start-up cost: the reader brings pandas (~0,5 s), which a build without a
    # measurement file whose notebooks come from the cache never needs.
    from projet_associatif.suivi.reader import future_date_warnings, read_suivi

    suivi = read_suivi(path, data_dir=data, as_of=as_of)
    for line in future_date_warnings(suivi):
        console.print(line, style="yellow", markup=False)
    flag = " — DONNÉES FICTIVES" if suivi.fictional else ""
    console.print(f"Fichier de suivi valide : {relative(path, project_root())}{flag}.")
    return suivi.fictional
