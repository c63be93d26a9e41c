"""Check a build's inputs before any notebook runs: the data package, then the measurement file.

Mistakes in either reach the analyst or the commission as a list naming file, sheet, row
and column, never as a notebook failure.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from rich.console import Console

from projet_associatif.core.errors import DataError, Problem, relative
from projet_associatif.core.paths import project_root
from projet_associatif.data.completeness import Completeness
from projet_associatif.data.package import validate_all_cached, validation_cache
from projet_associatif.pipeline.progress import format_seconds

#: The states that make ``--complet`` refuse the data (« conservé » is a decision, not a gap).
LACKING = (Completeness.TO_COMPLETE, Completeness.TO_UPDATE)


def validate_data(data: Path, console: Console, *, complete: bool = False) -> None:
    """Validate every resource; raise :class:`DataError` with every problem found.

    Resources « à compléter » or « à actualiser » are accepted (a new project builds with
    « à compléter » boxes) unless ``complete`` (``build --complet``, the final publication).
    """
    started = time.perf_counter()
    summaries = validate_all_cached(data, validation_cache())
    problems = [p for s in summaries for p in s.problems]
    if problems:
        raise DataError(problems)
    lacking = [s for s in summaries if s.state in LACKING]
    if complete and lacking:
        raise DataError(
            [
                Problem(
                    s.file,
                    f"ressource « {s.name} » {s.state} : --complet exige des données "
                    "remplies et à jour",
                    rule="complétude",
                )
                for s in lacking
            ]
        )
    gaps = ", ".join(
        f"{n} {state}" for state in LACKING if (n := sum(s.state == state for s in summaries))
    )
    console.print(
        f"Données valides : {len(summaries)} ressource(s)"
        + (f", dont {gaps}" if gaps else "")
        + f" ({format_seconds(time.perf_counter() - started)})."
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
