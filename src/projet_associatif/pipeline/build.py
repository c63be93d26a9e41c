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

from projet_associatif import __version__
from projet_associatif.config.identity import organisation
from projet_associatif.config.profiles import (
    Profile,
    ProfileError,
    check_profile,
    get_profile,
    parse_date,
    resolve_as_of,
)
from projet_associatif.core.errors import DataError, relative
from projet_associatif.core.paths import book_dir, build_dir, project_root, report_dir
from projet_associatif.data.cache import (
    IGNORED_DIRS,
    PACKAGE_DIR,
    BuildCache,
    Recipe,
    bootstrap_hash,
    environment_hash,
    package_hash,
    sha256_file,
    suivi_hash,
    tree_listing,
)
from projet_associatif.pipeline.execute import (
    ExecutionError,
    Outcome,
    RunStatus,
    Task,
    format_seconds,
    run_all,
)
from projet_associatif.publish.book import book_config

FORMATS = ("html", "pdf", "docx")

#: SOURCE_DATE_EPOCH when neither the environment nor git gives one: 2020-01-01T00:00:00Z,
#: the year of the projet associatif. Fixed so that builds outside git are reproducible too.
FALLBACK_EPOCH = 1_577_836_800

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: Exit code after Ctrl-C, as shells report a process stopped by SIGINT (128 + 2).
EXIT_INTERRUPTED = 130


def chapter_notebooks(profile: str) -> list[Path]:
    """Return the notebooks among the profile's chapters and appendices, in report order.

    The chapter list has one source of truth, ``_quarto.yml`` + ``_quarto-<profil>.yml``,
    read by :func:`projet_associatif.publish.book.book_config`.
    """
    check_profile(profile)
    root = project_root()
    files = [e.file for e in book_config(profile).entries if e.is_notebook and e.file]
    return [root / f for f in dict.fromkeys(files)]


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
        return [o.source.name for o in self.notebooks if o.status == RunStatus.EXECUTED]

    @property
    def cached(self) -> list[str]:
        """Return the names of the notebooks copied from the cache."""
        return [o.source.name for o in self.notebooks if o.status == RunStatus.CACHED]


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
    from projet_associatif.publish import render_book

    return render_book(executed_dir, staging, **kwargs)


@dataclass
class Plan:
    """Everything a build of one profile works from, resolved once."""

    profile: Profile
    as_of: dt.date
    formats: list[str]
    engine: str
    root: Path
    data: Path
    suivi: Path | None
    notebooks: list[Path]
    inputs: list[Path]
    epoch: int
    epoch_origin: str
    fictif: bool = False

    @property
    def profile_dir(self) -> Path:
        """Return ``build/<profil>/``."""
        return build_dir() / self.profile.name

    @property
    def executed_dir(self) -> Path:
        """Return where the executed notebooks go (same file names as the sources)."""
        return self.profile_dir / "notebooks"

    @property
    def target(self) -> Path:
        """Return the published directory ``_book/<profil>/``."""
        return book_dir() / self.profile.name

    def parameters(self) -> dict[str, str]:
        """Return the notebooks' parameters (absolute paths, ISO date)."""
        return {
            "data_dir": str(self.data),
            "profile": self.profile.name,
            "as_of": self.as_of.isoformat(),
            "suivi": str(self.suivi) if self.suivi else "",
        }


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
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise UsageError("--jobs doit valoir au moins 1.")
    plan = _plan(profile, as_of, formats, engine, suivi, data_dir, console)
    result = BuildResult(
        profile, plan.as_of, plan.executed_dir, [], plan.profile_dir / "manifest.json", 0.0
    )
    with _environment("SOURCE_DATE_EPOCH", str(plan.epoch)):
        console.print(
            f"[bold]{plan.profile.label}[/] — date d'arrêté {plan.as_of.isoformat()}, "
            f"{len(plan.notebooks)} notebook(s), {jobs} en parallèle au plus"
        )
        result.notebooks = _execute(plan, force, jobs, console, render_next=not notebooks_only)
        manifest = _manifest(plan, result.notebooks)
        root = plan.root
        if notebooks_only:
            _write_json(result.manifest_path, manifest)
            result.duration_s = time.perf_counter() - start
            console.print(
                f"Notebooks exécutés dans {relative(plan.executed_dir, root)}/ en "
                f"{format_seconds(result.duration_s)} ({_counts(result)})."
            )
            return result
        result.book_dir = plan.target
        published = None if force else _up_to_date(plan.target, manifest)
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


def _plan(
    profile: str,
    as_of: str | dt.date | None,
    formats: str | Sequence[str],
    engine: str,
    suivi: Path | None,
    data_dir: Path | None,
    console: Console,
) -> Plan:
    """Check the options and the data, and resolve dates, chapters and inputs."""
    check_profile(profile)
    wanted = parse_formats(formats)
    root = project_root()
    data = Path(data_dir).resolve() if data_dir else root / "data"
    suivi_path = Path(suivi).resolve() if suivi else None
    if suivi_path is not None and not suivi_path.exists():
        raise UsageError(f"Fichier de suivi introuvable : {suivi}.")
    if isinstance(as_of, str) and as_of:
        as_of = parse_date(as_of)  # a typo in the date must not wait for the validation
    try:
        day = resolve_as_of(profile, as_of, data)
        spec = get_profile(profile, data)  # the reviews' labels come from the data
    except DataError:
        _validate(data, console)  # reports every problem of the package, not only this one
        raise
    notebooks = chapter_notebooks(profile)
    missing = [n for n in notebooks if not n.is_file()]
    if missing:
        raise BuildError(
            f"Chapitre(s) déclaré(s) dans _quarto.yml ou _quarto-{profile}.yml mais "
            "introuvable(s) : " + ", ".join(relative(m, root) for m in missing)
        )
    quarto_files = [root / "_quarto.yml", root / f"_quarto-{profile}.yml", root / "index.qmd"]
    inputs = [*_files_under(data), *notebooks, *_files_under(report_dir()), *quarto_files]
    if suivi_path is not None:
        inputs += _files_under(suivi_path) if suivi_path.is_dir() else [suivi_path]
    epoch, origin = source_date_epoch(root, [*inputs, PACKAGE_DIR])
    return Plan(spec, day, wanted, engine, root, data, suivi_path, notebooks, inputs, epoch, origin)


def _counts(result: BuildResult) -> str:
    return f"{len(result.executed)} notebook(s) exécuté(s), {len(result.cached)} en cache"


def _check_suivi(path: Path | None, data: Path, as_of: dt.date, console: Console) -> bool:
    """Validate the measurement file before any notebook runs; return whether it is fictional.

    Its mistakes must reach the commission as a list naming sheet, row and column, not as a
    notebook failure.
    """
    if path is None:
        return False
    from projet_associatif.suivi.reader import future_date_warnings, read_suivi

    suivi = read_suivi(path, data_dir=data, as_of=as_of)
    for line in future_date_warnings(suivi):
        console.print(line, style="yellow", markup=False)
    flag = " — DONNÉES FICTIVES" if suivi.fictional else ""
    console.print(f"Fichier de suivi valide : {relative(path, project_root())}{flag}.")
    return suivi.fictional


def _validate(data: Path, console: Console) -> None:
    """Validate every resource; raise :class:`DataError` with every problem found."""
    from projet_associatif.data.package import validate_all_cached, validation_cache

    started = time.perf_counter()
    summaries = validate_all_cached(data, validation_cache())
    problems = [p for s in summaries for p in s.problems]
    if problems:
        raise DataError(problems)
    console.print(
        f"Données valides : {len(summaries)} ressource(s) "
        f"({format_seconds(time.perf_counter() - started)})."
    )


def _check_inputs(plan: Plan, console: Console) -> None:
    """Validate the data, then the measurement file; raise on the first that fails."""
    _validate(plan.data, console)
    plan.fictif = _check_suivi(plan.suivi, plan.data, plan.as_of, console)


def _execute(
    plan: Plan, force: bool, jobs: int, console: Console, *, render_next: bool = True
) -> list[Outcome]:
    """Check the inputs and execute every notebook (or copy it from the cache).

    The kernels start while the inputs are checked; no notebook runs on invalid inputs.
    With ``render_next``, when notebooks run, the renderer's libraries are loaded while this
    process would otherwise only wait for the kernels.
    """

    def load_renderer() -> None:
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


def _manifest(plan: Plan, outcomes: list[Outcome]) -> dict[str, Any]:
    """Return the provenance record: inputs with hashes, parameters, tools, notebooks.

    It holds everything the rendered outputs depend on, so an unchanged manifest with an
    intact publication means there is nothing to render again.
    """
    root = plan.root
    return {
        "projet": "projet-associatif",
        "version": __version__,
        "profil": plan.profile.name,
        "libelle": plan.profile.label,
        "organisation": organisation(plan.data),
        "date_arrete": plan.as_of.isoformat(),
        "formats": plan.formats,
        "moteur": plan.engine,
        "donnees": relative(plan.data, root),
        "suivi": relative(plan.suivi, root) if plan.suivi else None,
        "source_date_epoch": plan.epoch,
        "origine_date": plan.epoch_origin,
        "date_construction": dt.datetime.fromtimestamp(plan.epoch, tz=dt.UTC).isoformat(),
        "entrees": _hashed(plan.inputs, root),
        "paquet_sha256": package_hash(),
        "environnement_sha256": environment_hash(),
        "outils": tool_versions(),
        "notebooks": [
            {
                "source": relative(o.source, root),
                "execute": relative(o.output, root),
                "sha256": sha256_file(o.output),
                "cle_cache": o.key,
                "fichiers_lus": sorted(relative(p, root) for p in o.reads),
            }
            for o in outcomes
        ],
        "formats_publies": {},
        "sorties": [],
    }


#: Manifest fields filled in after rendering, left out when comparing two builds.
_AFTER_RENDER = ("formats_publies", "sorties")


def _up_to_date(target: Path, manifest: dict[str, Any]) -> dict[str, Path] | None:
    """Return the published paths if ``target`` is intact and built from the same manifest."""
    try:
        published = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = {k: v for k, v in published.items() if k not in _AFTER_RENDER} == {
        k: v for k, v in manifest.items() if k not in _AFTER_RENDER
    }
    on_disk = [e for e in _hashed(_files_under(target), target) if e["chemin"] != "manifest.json"]
    if not same or on_disk != published.get("sorties") or not published.get("formats_publies"):
        return None
    outputs = {name: target / path for name, path in published["formats_publies"].items()}
    return {**outputs, "provenance": target / "manifest.json"}


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
        "fictif": plan.fictif,
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
        manifest["sorties"] = _hashed(_files_under(staging), staging)
        _write_json(manifest_path, manifest)
        shutil.copyfile(manifest_path, staging / "manifest.json")  # published as provenance
        publish(staging, target)
        published = {name: target / path for name, path in relative_outputs.items()}
        return {**published, "provenance": target / "manifest.json"}
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
    except KeyboardInterrupt as exc:
        # Publication is one rename: whenever Ctrl-C came, _book/ holds a whole report.
        cause = getattr(exc, "cause", "Ctrl-C")  # cli.Terminated on SIGTERM
        err.print(f"[red]Construction interrompue ({cause}) : _book/ garde sa dernière version.[/]")
        return getattr(exc, "exit_code", EXIT_INTERRUPTED)
    return EXIT_OK
