"""Resolve what one build works from, before anything runs: profile, dates, chapters, inputs.

Every option is checked here, so that a typo fails at once and not after the data checks.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from projet_associatif.config.profiles import (
    Profile,
    base_profile,
    check_profile,
    get_profile,
    parse_date,
    resolve_as_of,
)
from projet_associatif.core.errors import DataError, relative
from projet_associatif.core.paths import book_dir, build_dir, project_root, report_dir
from projet_associatif.data.cache import PACKAGE_DIR, tree_listing
from projet_associatif.pipeline.checks import validate_data
from projet_associatif.publish import FORMATS
from projet_associatif.publish.book import book_config

#: SOURCE_DATE_EPOCH when neither the environment nor git gives one: 2020-01-01T00:00:00Z,
#: the year of the projet associatif. Fixed so that builds outside git are reproducible too.
FALLBACK_EPOCH = 1_577_836_800


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
    #: Whether the measurement file declares itself fictional (known once it is checked).
    fictional: bool = False

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
    """Return SOURCE_DATE_EPOCH and its origin: environment, last git commit, or newest input."""
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
    # Outside git (a new project not yet committed), the newest input's modification time:
    # still the same for the same files, and never a date older than what the report shows
    # (a fixed date would date a 2026 edition from 2020).
    times = [int(p.stat().st_mtime) for p in inputs if p.is_file()]
    if times:
        return max(times), "date de la dernière modification des entrées (hors dépôt git)"
    return FALLBACK_EPOCH, "valeur fixe (2020-01-01, hors dépôt git et sans entrée)"


def files_under(directory: Path) -> list[Path]:
    """Return the files of ``directory`` that a build depends on (caches and outputs left out)."""
    return [directory / name for name in tree_listing(directory)]


def make_plan(
    profile: str,
    as_of: str | dt.date | None,
    formats: str | Sequence[str],
    engine: str,
    suivi: Path | None,
    data_dir: Path | None,
    console: Console,
) -> Plan:
    """Check the options and the data, and resolve dates, chapters and inputs.

    An empty ``profile`` is the project's base document (``profile: default:`` of _quarto.yml).
    """
    profile = check_profile(profile or base_profile())
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
        validate_data(data, console)  # reports every problem of the package, not only this one
        raise
    notebooks = chapter_notebooks(profile)
    missing = [n for n in notebooks if not n.is_file()]
    if missing:
        raise BuildError(
            f"Chapitre(s) déclaré(s) dans _quarto.yml ou _quarto-{profile}.yml mais "
            "introuvable(s) : " + ", ".join(relative(m, root) for m in missing)
        )
    # The profile's home page: index.qmd or index.md, at the root (publish.book.HOME_PREFIX).
    home = book_config(profile).home.file or ""
    quarto_files = [root / "_quarto.yml", root / f"_quarto-{profile}.yml", root / home]
    inputs = [*files_under(data), *notebooks, *files_under(report_dir()), *quarto_files]
    if suivi_path is not None:
        inputs += files_under(suivi_path) if suivi_path.is_dir() else [suivi_path]
    epoch, origin = source_date_epoch(root, [*inputs, PACKAGE_DIR])
    return Plan(spec, day, wanted, engine, root, data, suivi_path, notebooks, inputs, epoch, origin)
