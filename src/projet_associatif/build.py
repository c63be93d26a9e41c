"""Build a report: validate the data, execute the notebooks, render, publish atomically.

``_book/<profil>/`` is replaced in one rename, and only when every requested format was
produced: on any failure it stays byte-identical to the previous publication.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from . import __version__
from .cache import (
    IGNORED_DIRS,
    BuildCache,
    Recipe,
    bootstrap_hash,
    environment_hash,
    package_hash,
    sha256_file,
    suivi_hash,
    tree_listing,
)
from .errors import DataError, relative
from .execute import ExecutionError, Outcome, Task, check_kernel, format_seconds, run_all
from .paths import book_dir, build_dir, project_root, report_dir
from .profiles import ProfileError, chapter_notebooks, get_profile, resolve_as_of

FORMATS = ("html", "pdf", "docx")

#: SOURCE_DATE_EPOCH when neither the environment nor git gives one: 2020-01-01T00:00:00Z,
#: the year of the projet associatif. Fixed so that builds outside git are reproducible too.
FALLBACK_EPOCH = 1_577_836_800

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class BuildError(Exception):
    """Raise when a build step fails; the message says what failed and where, in French."""


class UsageError(ValueError):
    """Raise on a malformed build option."""


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
        return [o.source.name for o in self.notebooks if o.status == "exécuté"]

    @property
    def cached(self) -> list[str]:
        """Return the names of the notebooks copied from the cache."""
        return [o.source.name for o in self.notebooks if o.status == "en cache"]


def parse_formats(formats: str | Sequence[str]) -> list[str]:
    """Return the requested formats as a list, refusing unknown ones."""
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    wanted = [f.strip().lower() for f in items if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise UsageError(
            f"Format(s) inconnu(s) : {', '.join(unknown) or '(aucun)'}. "
            f"Formats possibles : {', '.join(FORMATS)}."
        )
    return list(dict.fromkeys(wanted))


def source_date_epoch(root: Path, inputs: Sequence[Path]) -> tuple[int, str]:
    """Return SOURCE_DATE_EPOCH and its origin: environment, last git commit of inputs, or fixed."""
    given = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if given.isdigit():
        return int(given), "variable d'environnement SOURCE_DATE_EPOCH"
    paths = [relative(p, root) for p in inputs if p.exists()]
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct", "--", *paths],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return int(done.stdout.strip()), "date du dernier commit git des entrées"
    except (OSError, subprocess.TimeoutExpired):
        pass
    return FALLBACK_EPOCH, "valeur fixe (2020-01-01, hors dépôt git)"


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


def _version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def tool_versions() -> dict[str, str | None]:
    """Return the versions of the tools that shape the outputs (None when absent)."""
    versions: dict[str, str | None] = {
        "python": platform.python_version(),
        "papermill": _version("papermill"),
        "altair": _version("altair"),
        "vl-convert": _version("vl-convert-python"),
        "typst": _version("typst"),
        "pandoc": None,
        "quarto": None,
    }
    with contextlib.suppress(Exception):  # pandoc missing or broken: recorded as absent
        import pypandoc

        versions["pandoc"] = pypandoc.get_pandoc_version()
    quarto = shutil.which("quarto")
    if quarto:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=30)
            versions["quarto"] = out.stdout.strip() or None
    return versions


def _files_under(directory: Path) -> list[Path]:
    return [directory / name for name in tree_listing(directory)]


def _hashed(paths: Sequence[Path], root: Path) -> list[dict[str, str]]:
    return [
        {"chemin": relative(p, root), "sha256": sha256_file(p)}
        for p in sorted(set(paths))
        if p.is_file()
    ]


def publish(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging``: old aside, new into place, old deleted.

    Each step is a rename, so ``target`` is at every moment either the complete old
    publication, the complete new one, or (between two renames) briefly absent.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.stat(staging).st_dev != os.stat(target.parent).st_dev:
        # A rename cannot cross file systems: copy next to the target first.
        near = Path(tempfile.mkdtemp(prefix=f".{target.name}.nouveau-", dir=target.parent))
        near.rmdir()
        shutil.copytree(staging, near)
        shutil.rmtree(staging)
        staging = near
    aside = None
    if target.exists():
        aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.ancien-", dir=target.parent))
        aside.rmdir()
        os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        if aside is not None:
            os.rename(aside, target)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


def recover_interrupted_publish(target: Path) -> None:
    """Put back a publication left aside by an interrupted :func:`publish`, drop leftovers."""
    if not target.parent.is_dir():
        return
    asides = sorted(target.parent.glob(f".{target.name}.ancien-*"), key=lambda p: p.stat().st_mtime)
    if asides and not target.exists():
        os.rename(asides.pop(), target)
    for leftover in [*asides, *target.parent.glob(f".{target.name}.nouveau-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _render(executed_dir: Path, staging: Path, **kwargs: Any) -> dict[str, Path]:
    """Call the renderer (a separate seam so tests can replace it)."""
    from .render import render_book

    return render_book(executed_dir, staging, **kwargs)


def build(
    profile: str = "projet-2020",
    as_of: str | dt.date | None = None,
    formats: str | Sequence[str] = FORMATS,
    engine: str = "auto",
    suivi: Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    data_dir: Path | None = None,
    *,
    notebooks_only: bool = False,
    console: Console | None = None,
) -> BuildResult:
    """Validate, execute, render and publish one profile; raise on the first failed step."""
    start = time.perf_counter()
    console = console or Console(highlight=False)
    spec = get_profile(profile)
    wanted = parse_formats(formats)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise UsageError("--jobs doit valoir au moins 1.")
    root = project_root()
    data = Path(data_dir).resolve() if data_dir else root / "data"
    suivi_path = Path(suivi).resolve() if suivi else None
    if suivi_path is not None and not suivi_path.exists():
        raise UsageError(f"Fichier de suivi introuvable : {suivi}.")

    _validate(data, console)
    day = resolve_as_of(profile, as_of, data)
    notebooks = chapter_notebooks(profile)
    missing = [n for n in notebooks if not n.is_file()]
    if missing:
        raise BuildError(
            "Chapitre(s) déclaré(s) dans _quarto.yml mais introuvable(s) : "
            + ", ".join(relative(m, root) for m in missing)
        )

    profile_dir = build_dir() / profile
    executed_dir = profile_dir / "notebooks"
    quarto_files = [root / "_quarto.yml", root / f"_quarto-{profile}.yml"]
    inputs = [*_files_under(data), *notebooks, *_files_under(report_dir()), *quarto_files]
    if suivi_path is not None:
        inputs += _files_under(suivi_path) if suivi_path.is_dir() else [suivi_path]
    package_dir = Path(__file__).resolve().parent
    epoch, epoch_origin = source_date_epoch(root, [*inputs, package_dir])

    with _environment("SOURCE_DATE_EPOCH", str(epoch)):
        console.print(
            f"[bold]{spec.label}[/] — date d'arrêté {day.isoformat()}, "
            f"{len(notebooks)} notebook(s), {jobs} en parallèle au plus"
        )
        outcomes = _execute(
            notebooks,
            executed_dir,
            profile_dir,
            data,
            suivi_path,
            profile,
            day,
            force,
            jobs,
            console,
        )
        manifest = _manifest(
            spec.name,
            spec.label,
            day,
            wanted,
            engine,
            suivi_path,
            data,
            root,
            inputs,
            outcomes,
            epoch,
            epoch_origin,
        )
        manifest_path = profile_dir / "manifest.json"
        result = BuildResult(profile, day, executed_dir, outcomes, manifest_path, 0.0)
        if notebooks_only:
            _write_json(manifest_path, manifest)
            result.duration_s = time.perf_counter() - start
            console.print(
                f"Notebooks exécutés dans {relative(executed_dir, root)}/ en "
                f"{format_seconds(result.duration_s)} ({_counts(result)})."
            )
            return result
        target = book_dir() / profile
        result.book_dir = target
        result.outputs = _render_and_publish(
            executed_dir,
            profile_dir,
            target,
            manifest,
            manifest_path,
            engine,
            wanted,
            suivi_path,
            day,
            epoch,
            console,
        )
    result.duration_s = time.perf_counter() - start
    console.print(f"Rapport publié dans {relative(target, root)}/ :")
    for name, path in result.outputs.items():
        console.print(f"  {name} : {relative(path, root)}")
    console.print(
        f"[green]Rapport publié en {format_seconds(result.duration_s)}[/] ({_counts(result)})."
    )
    return result


def _counts(result: BuildResult) -> str:
    return f"{len(result.executed)} notebook(s) exécuté(s), {len(result.cached)} en cache"


def _validate(data: Path, console: Console) -> None:
    """Validate every resource; raise :class:`DataError` with every problem found."""
    from .datapackage import validate_all

    started = time.perf_counter()
    summaries = validate_all(data)
    problems = [p for s in summaries for p in s.problems]
    if problems:
        raise DataError(problems)
    console.print(
        f"Données valides : {len(summaries)} ressource(s) "
        f"({format_seconds(time.perf_counter() - started)})."
    )


def _execute(
    notebooks: list[Path],
    executed_dir: Path,
    profile_dir: Path,
    data: Path,
    suivi: Path | None,
    profile: str,
    day: dt.date,
    force: bool,
    jobs: int,
    console: Console,
) -> list[Outcome]:
    """Execute every notebook (or copy it from the cache); raise if any failed."""
    root = project_root()
    parameters = {
        "data_dir": str(data),
        "profile": profile,
        "as_of": day.isoformat(),
        "suivi": str(suivi) if suivi else "",
    }
    bootstrap, environment = bootstrap_hash(), environment_hash()
    listing = tree_listing(data)
    suivi_digest = suivi_hash(suivi)
    tasks = [
        Task(
            nb,
            executed_dir / nb.name,
            parameters,
            Recipe(nb, parameters, bootstrap, environment, suivi_digest, listing),
        )
        for nb in notebooks
    ]
    if tasks:
        check_kernel()
    executed_dir.mkdir(parents=True, exist_ok=True)
    wanted = {nb.name for nb in notebooks}
    for stale in executed_dir.glob("*.ipynb"):  # chapters dropped from the profile
        if stale.name not in wanted:
            stale.unlink()
    package_dir = Path(__file__).resolve().parent
    roots = [root, data, package_dir, *([suivi] if suivi else [])]
    exclude = [root / name for name in IGNORED_DIRS]
    outcomes = run_all(
        tasks,
        BuildCache(build_dir() / "cache"),
        jobs=jobs,
        force=force,
        failed_dir=profile_dir / "failed",
        log_dir=profile_dir / "reads",
        read_roots=roots,
        read_exclude=exclude,
        console=console,
    )
    errors = [o.error for o in outcomes if o.error is not None]
    if errors:
        raise BuildError("\n".join(str(e) for e in errors))
    return outcomes


def _manifest(
    profile: str,
    label: str,
    day: dt.date,
    formats: list[str],
    engine: str,
    suivi: Path | None,
    data: Path,
    root: Path,
    inputs: list[Path],
    outcomes: list[Outcome],
    epoch: int,
    epoch_origin: str,
) -> dict[str, Any]:
    """Return the provenance record: inputs with hashes, parameters, tools, notebooks."""
    build_date = dt.datetime.fromtimestamp(epoch, tz=dt.UTC)
    return {
        "projet": "projet-associatif",
        "version": __version__,
        "profil": profile,
        "libelle": label,
        "date_arrete": day.isoformat(),
        "formats": formats,
        "moteur": engine,
        "donnees": relative(data, root),
        "suivi": relative(suivi, root) if suivi else None,
        "source_date_epoch": epoch,
        "origine_date": epoch_origin,
        "date_construction": build_date.isoformat(),
        "entrees": _hashed(inputs, root),
        "paquet_sha256": package_hash(),
        "environnement_sha256": environment_hash(),
        "outils": tool_versions(),
        "notebooks": [
            {
                "source": relative(o.source, root),
                "execute": relative(o.output, root),
                "sha256": sha256_file(o.output),
                "cle_cache": o.key,
                "fichiers_lus": [relative(p, root) for p in o.reads],
            }
            for o in outcomes
        ],
        "sorties": [],
    }


def _render_and_publish(
    executed_dir: Path,
    profile_dir: Path,
    target: Path,
    manifest: dict[str, Any],
    manifest_path: Path,
    engine: str,
    formats: list[str],
    suivi: Path | None,
    day: dt.date,
    epoch: int,
    console: Console,
) -> dict[str, Path]:
    """Render into a staging directory, then swap it in; return the published paths."""
    root = project_root()
    recover_interrupted_publish(target)
    profile_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="staging-", dir=profile_dir))
    meta = {
        "profile": manifest["profil"],
        "profile_label": manifest["libelle"],
        "as_of": day.isoformat(),
        "suivi": manifest["suivi"],
        "build_date": dt.datetime.fromtimestamp(epoch, tz=dt.UTC).date().isoformat(),
        "source_date_epoch": epoch,
        "manifest": manifest,
    }
    try:
        console.print(f"Rendu ({engine}) : {', '.join(formats)}…")
        try:
            produced = _render(
                executed_dir,
                staging,
                profile=manifest["profil"],
                formats=formats,
                engine=engine,
                meta=meta,
            )
        except Exception as exc:
            raise BuildError(
                f"Échec du rendu (moteur {engine}, formats {', '.join(formats)}) : "
                f"{type(exc).__name__} : {exc}\n  Entrée : {relative(executed_dir, root)}/ ; "
                f"{relative(target, root)}/ n'a pas été modifié."
            ) from exc
        produced = {k: Path(v) for k, v in (produced or {}).items()}
        absent = [f for f in formats if f not in produced or not produced[f].exists()]
        if absent:
            raise BuildError(
                f"Le rendu n'a pas produit : {', '.join(absent)} (dans {relative(staging, root)}). "
                f"{relative(target, root)}/ n'a pas été modifié."
            )
        manifest["sorties"] = _hashed(_files_under(staging), staging)
        _write_json(manifest_path, manifest)
        shutil.copyfile(manifest_path, staging / "manifest.json")  # published as provenance
        published = {
            name: target / path.resolve().relative_to(staging.resolve())
            for name, path in produced.items()
        }
        publish(staging, target)
        published["provenance"] = target / "manifest.json"
        return published
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")


def build_from_args(args: argparse.Namespace, console: Console) -> int:
    """Run ``projet-associatif build`` from parsed options; return the exit code."""
    err = Console(stderr=True, highlight=False)
    try:
        build(
            profile=args.profile,
            as_of=args.as_of,
            formats=args.formats,
            engine=args.engine,
            suivi=args.suivi,
            force=args.force,
            jobs=args.jobs,
            data_dir=args.data_dir,
            notebooks_only=args.notebooks_only,
            console=console,
        )
    except (ProfileError, UsageError) as exc:
        err.print(f"[red]{exc}[/]", markup=True)
        return EXIT_USAGE
    except DataError as exc:
        err.print(exc.render(limit=200), markup=False)
        err.print("[red]Construction arrêtée : corrigez les données ci-dessus.[/]")
        return EXIT_FAILURE
    except (BuildError, ExecutionError) as exc:
        err.print(str(exc), markup=False, style="red")
        err.print("[red]Construction échouée : _book/ n'a pas été modifié.[/]")
        return EXIT_FAILURE
    return EXIT_OK
