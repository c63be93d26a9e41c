"""Build a report: validate the data, execute the notebooks, render, publish atomically.

The steps live in their own modules — the plan (``plan``), the input checks (``checks``),
the execution (``execute``), the provenance record (``manifest``), the swap into
``_book/`` (``publication``) — and this module runs them in order.
``_book/<profil>/`` is replaced in one rename, and only when every requested format was
produced: on any failure it stays byte-identical to the previous publication.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from projet_associatif.config.profiles import ProfileError
from projet_associatif.core.errors import DataError, relative
from projet_associatif.core.paths import ROOT_ENV, ProjectNotFound, build_dir
from projet_associatif.data.cache import (
    IGNORED_DIRS,
    PACKAGE_DIR,
    BuildCache,
    Recipe,
    bootstrap_hash,
    environment_hash,
    suivi_hash,
    tree_listing,
)
from projet_associatif.pipeline.checks import check_suivi, validate_data
from projet_associatif.pipeline.execute import ExecutionError, Outcome, Task, run_all
from projet_associatif.pipeline.manifest import build_manifest, hashed, up_to_date, write_json
from projet_associatif.pipeline.plan import (
    BuildError,
    Plan,
    UsageError,
    files_under,
    make_plan,
)
from projet_associatif.pipeline.progress import NotebookStatus, format_seconds
from projet_associatif.pipeline.publication import publish, recover_interrupted_publish
from projet_associatif.publish import FORMATS, render_book

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: Exit code after Ctrl-C, as shells report a process stopped by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130


@dataclass
class BuildResult:
    """What a build produced and how long it took."""

    profile: str
    as_of: dt.date
    executed_dir: Path
    notebooks: list[Outcome]
    manifest_path: Path
    duration_s: float
    book_dir: Path | None = None
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def executed(self) -> list[str]:
        """Return the names of the notebooks that were run."""
        return [o.source.name for o in self.notebooks if o.status == NotebookStatus.EXECUTED]

    @property
    def cached(self) -> list[str]:
        """Return the names of the notebooks copied from the cache."""
        return [o.source.name for o in self.notebooks if o.status == NotebookStatus.CACHED]


@contextlib.contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """Set one environment variable for the duration of the build, then restore it."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


def _render(executed_dir: Path, staging: Path, **kwargs: Any) -> dict[str, Path]:
    """Call the renderer (a separate seam so tests can replace it)."""
    return render_book(executed_dir, staging, **kwargs)


def build(
    profile: str = "",
    as_of: str | dt.date | None = None,
    formats: str | Sequence[str] = FORMATS,
    engine: str = "auto",
    suivi: Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    data_dir: Path | None = None,
    *,
    notebooks_only: bool = False,
    complete: bool = False,
    console: Console | None = None,
) -> BuildResult:
    """Validate, execute, render and publish one profile; raise on the first failed step.

    An empty ``profile`` is the project's base document (``projet-<année>``).
    With ``complete`` (``--complet``), data « à compléter » or « à actualiser » stop the
    build before any notebook runs; otherwise they build, with « à compléter » boxes.
    """
    start = time.perf_counter()
    console = console or Console(highlight=False)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise UsageError("--jobs doit valoir au moins 1.")
    plan = make_plan(profile, as_of, formats, engine, suivi, data_dir, console)
    if complete:
        validate_data(plan.data, console, complete=True)
    result = BuildResult(
        plan.profile.name,
        plan.as_of,
        plan.executed_dir,
        [],
        plan.profile_dir / "manifest.json",
        0.0,
    )
    # The kernels (and any child) work on the project this build found, wherever they start.
    with _environment("SOURCE_DATE_EPOCH", str(plan.epoch)), _environment(ROOT_ENV, str(plan.root)):
        console.print(
            f"[bold]{plan.profile.label}[/] — date d'arrêté {plan.as_of.isoformat()}, "
            f"{len(plan.notebooks)} notebook(s), {jobs} en parallèle au plus"
        )
        result.notebooks = _execute(plan, force, jobs, console, render_next=not notebooks_only)
        manifest = build_manifest(plan, result.notebooks)
        root = plan.root
        if notebooks_only:
            write_json(result.manifest_path, manifest)
            result.duration_s = time.perf_counter() - start
            console.print(
                f"Notebooks exécutés dans {relative(plan.executed_dir, root)}/ en "
                f"{format_seconds(result.duration_s)} ({_counts(result)})."
            )
            return result
        result.book_dir = plan.target
        published = None if force else up_to_date(plan.target, manifest)
        if published is not None:
            result.outputs = published
            verb = "Rapport déjà à jour"
        else:
            result.outputs = _render_and_publish(plan, manifest, result.manifest_path, console)
            verb = "Rapport publié"
    result.duration_s = time.perf_counter() - start
    console.print(f"{verb} dans {relative(plan.target, root)}/ :")
    for name, path in result.outputs.items():
        console.print(f"  {name} : {relative(path, root)}")
    console.print(f"[green]{verb} en {format_seconds(result.duration_s)}[/] ({_counts(result)}).")
    return result


def _counts(result: BuildResult) -> str:
    return f"{len(result.executed)} notebook(s) exécuté(s), {len(result.cached)} en cache"


def _check_inputs(plan: Plan, console: Console) -> None:
    """Validate the data, then the measurement file; raise on the first that fails."""
    validate_data(plan.data, console)
    plan.fictional = check_suivi(plan.suivi, plan.data, plan.as_of, console)


def _execute(
    plan: Plan, force: bool, jobs: int, console: Console, *, render_next: bool = True
) -> list[Outcome]:
    """Check the inputs and execute every notebook (or copy it from the cache).

    The kernels start while the inputs are checked; no notebook runs on invalid inputs.
    With ``render_next``, when notebooks run, the renderer's libraries are loaded while this
    process would otherwise only wait for the kernels.
    """

    def load_renderer() -> None:
        # start-up cost: the renderer's libraries (nbformat…, ~0,7 s) load while the kernels
        # run, and not at all on a rebuild whose notebooks all come from the cache.
        from projet_associatif.publish.notebooks import warm_up

        warm_up()

    parameters = plan.parameters()
    bootstrap, environment = bootstrap_hash(), environment_hash()
    listing, suivi_digest = tree_listing(plan.data), suivi_hash(plan.suivi)
    tasks = [
        Task(
            nb,
            plan.executed_dir / nb.name,
            parameters,
            Recipe(nb, parameters, bootstrap, environment, suivi_digest, listing),
        )
        for nb in plan.notebooks
    ]
    cache = BuildCache(build_dir() / "cache")
    outcomes = run_all(
        tasks,
        cache,
        jobs=jobs,
        force=force,
        failed_dir=plan.profile_dir / "failed",
        log_dir=plan.profile_dir / "reads",
        read_roots=[plan.root, plan.data, PACKAGE_DIR, *([plan.suivi] if plan.suivi else [])],
        read_exclude=[plan.root / name for name in IGNORED_DIRS],
        console=console,
        prepare=lambda: _check_inputs(plan, console),
        while_waiting=load_renderer if render_next else None,
    )
    plan.executed_dir.mkdir(parents=True, exist_ok=True)
    wanted = {nb.name for nb in plan.notebooks}
    for stale in plan.executed_dir.glob("*.ipynb"):  # chapters dropped from the profile
        if stale.name not in wanted:
            stale.unlink()
    errors = [o.error for o in outcomes if o.error is not None]
    if errors:
        raise BuildError("\n".join(str(e) for e in errors))
    cache.prune()
    return outcomes


def _render_and_publish(
    plan: Plan, manifest: dict[str, Any], manifest_path: Path, console: Console
) -> dict[str, Path]:
    """Render into a staging directory, then swap it in; return the published paths."""
    root, target = plan.root, plan.target
    recover_interrupted_publish(target)
    plan.profile_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=plan.profile_dir))
    meta = {
        "profile": plan.profile.name,
        "profile_label": plan.profile.label,
        "as_of": plan.as_of.isoformat(),
        "suivi": manifest["suivi"],
        "fictif": plan.fictional,
        "organisation": manifest["organisation"],
        "build_date": dt.datetime.fromtimestamp(plan.epoch, tz=dt.UTC).date().isoformat(),
        "source_date_epoch": plan.epoch,
        "manifest": manifest,
    }
    formats, engine = plan.formats, plan.engine
    try:
        console.print(f"Rendu ({engine}) : {', '.join(formats)}…")
        try:
            produced = _render(
                plan.executed_dir,
                staging,
                profile=plan.profile.name,
                formats=formats,
                engine=engine,
                meta=meta,
                memo_dir=build_dir() / "cache" / "rendu",
            )
        except Exception as exc:
            raise BuildError(
                f"Échec du rendu (moteur {engine}, formats {', '.join(formats)}) : "
                f"{type(exc).__name__} : {exc}\n  Entrée : {relative(plan.executed_dir, root)}/ ; "
                f"{relative(target, root)}/ n'a pas été modifié."
            ) from exc
        produced = {k: Path(v).resolve() for k, v in (produced or {}).items()}
        absent = [f for f in formats if f not in produced or not produced[f].exists()]
        if absent:
            raise BuildError(
                f"Le rendu n'a pas produit : {', '.join(absent)} (dans {relative(staging, root)}). "
                f"{relative(target, root)}/ n'a pas été modifié."
            )
        relative_outputs = {k: p.relative_to(staging.resolve()) for k, p in produced.items()}
        manifest["formats_publies"] = {k: str(p) for k, p in relative_outputs.items()}
        manifest["sorties"] = hashed(files_under(staging), staging)
        write_json(manifest_path, manifest)
        shutil.copyfile(manifest_path, staging / "manifest.json")  # published as provenance
        publish(staging, target)
        published = {name: target / path for name, path in relative_outputs.items()}
        return {**published, "provenance": target / "manifest.json"}
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def build_from_args(args: argparse.Namespace, console: Console) -> int:
    """Run ``projet-associatif build`` from parsed options; return the exit code."""
    return run_build(
        console,
        profile=args.profile or "",
        as_of=args.as_of,
        formats=args.formats,
        engine=args.engine,
        suivi=args.suivi,
        force=args.force,
        jobs=args.jobs,
        data_dir=args.data_dir,
        notebooks_only=args.notebooks_only,
        complete=args.complete,
    )


def run_build(console: Console, **options: Any) -> int:
    """Run :func:`build` with ``options``; print any failure in French, return the exit code."""
    err = Console(stderr=True, highlight=False)
    try:
        build(**options, console=console)
    except (ProfileError, UsageError, ProjectNotFound) as exc:
        err.print(str(exc), markup=False, style="red")
        return EXIT_USAGE
    except DataError as exc:
        err.print(exc.render(limit=200), markup=False)
        err.print("[red]Construction arrêtée : corrigez les données ci-dessus.[/]")
        return EXIT_FAILURE
    except (BuildError, ExecutionError) as exc:
        err.print(str(exc), markup=False, style="red")
        err.print("[red]Construction échouée : _book/ n'a pas été modifié.[/]")
        return EXIT_FAILURE
    except KeyboardInterrupt as exc:
        # Publication is one rename: whenever Ctrl-C came, _book/ holds a whole report.
        cause = getattr(exc, "cause", "Ctrl-C")  # cli.Terminated on SIGTERM
        err.print(f"[red]Construction interrompue ({cause}) : _book/ garde sa dernière version.[/]")
        return getattr(exc, "exit_code", EXIT_INTERRUPTED)
    return EXIT_OK
