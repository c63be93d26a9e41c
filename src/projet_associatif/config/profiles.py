"""The three documents a project publishes: one table of names, labels and review delays.

The base document (``projet-<année>``) is the projet associatif itself, dated at the project's
start: its name is the ``profile: default:`` of the project's ``_quarto.yml`` (each edition has
its own), its label « Projet associatif <année> » comes from the edition's year in
``data/association/identite.yaml``. The reviews' labels and delays come from the data's
evaluation framework (``data/evaluation/evaluation_cadre.yaml``, list ``bilans``): that file is
their one home.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from projet_associatif.config.identity import identity
from projet_associatif.core.dates import to_date
from projet_associatif.core.errors import DataError, MissingData, Problem, relative
from projet_associatif.core.paths import project_root
from projet_associatif.data.package import load, resource

#: Resource holding the evaluation framework; its ``date_debut_projet`` anchors every profile.
FRAMEWORK_RESOURCE = "evaluation_cadre"
START_KEY = "date_debut_projet"

#: The project's book configuration, whose ``profile: default:`` names the base document.
QUARTO_CONFIG = "_quarto.yml"
#: The base document's label, completed with the edition's year.
BASE_LABEL = "Projet associatif {year}"
#: The reviews the framework must describe (its ``bilans`` ids), in report order.
MID_TERM_REVIEW = "bilan-intermediaire"
FINAL_REVIEW = "bilan-final"
REVIEW_PROFILES = (MID_TERM_REVIEW, FINAL_REVIEW)


class ProfileError(ValueError):
    """Raise on an unknown profile or a malformed date given on the command line."""


@dataclass(frozen=True)
class Profile:
    """One publishable document: its name, French label and review delay."""

    name: str
    label: str
    months_after_start: int

    @property
    def is_review(self) -> bool:
        """Return whether the document is a review (dated some months after the start)."""
        return self.name in REVIEW_PROFILES


def base_profile(root: Path | None = None) -> str:
    """Return the name of the project's base document: ``profile: default:`` of ``_quarto.yml``.

    Read with yaml alone (no data, no pandas), and again only when the file changes: the
    command line asks for it before anything else.
    """
    path = (root or project_root()) / QUARTO_CONFIG
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise ProfileError(f"{path} introuvable : il nomme le profil de base du projet.") from exc
    return _base_profile(path, stamp)


@cache
def _base_profile(path: Path, mtime_ns: int) -> str:
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"{path} illisible ({exc}).") from exc
    section = config.get("profile") if isinstance(config, Mapping) else None
    default = section.get("default") if isinstance(section, Mapping) else None
    if isinstance(default, list):  # Quarto accepts a list: its first profile is the default
        default = default[0] if default else None
    if not isinstance(default, str) or not default.strip() or default in REVIEW_PROFILES:
        raise ProfileError(
            f"{path} : la clé « profile: default: » doit nommer le profil du document de base "
            f"du projet (projet-AAAA, l'année de l'édition), pas {default!r}."
        )
    return default.strip()


def profile_names(root: Path | None = None) -> tuple[str, ...]:
    """Return the valid profile names: the project's base document, then the reviews."""
    return (base_profile(root), *REVIEW_PROFILES)


def check_profile(name: str) -> str:
    """Return ``name`` if it names a profile, else raise with the list of valid names."""
    names = profile_names()
    if name not in names:
        raise ProfileError(f"Profil inconnu « {name} ». Profils disponibles : {', '.join(names)}.")
    return name


def profiles(data_dir: Path | None = None) -> dict[str, Profile]:
    """Return the profile table: the base document, then each review the framework states.

    A review's label is the framework's ``libelle`` followed by its delay (« Bilan
    intermédiaire (18 mois) », « Bilan final (3 ans) »).
    """
    reviews = _reviews(data_dir)
    base = base_profile()
    table = {base: get_profile(base, data_dir)}
    for name in REVIEW_PROFILES:
        label, months = reviews[name]
        table[name] = Profile(name, f"{label} ({duration_fr(months)})", months)
    return table


def get_profile(name: str, data_dir: Path | None = None) -> Profile:
    """Return a profile by name, with the list of valid names when it is unknown.

    The base document needs nothing from the framework's reviews, so it never reads them:
    its label names the edition's year (``identite.yaml``).
    """
    if check_profile(name) == base_profile():
        return Profile(name, BASE_LABEL.format(year=identity(data_dir).edition_year), 0)
    return profiles(data_dir)[name]


def review_months(data_dir: Path | None = None) -> dict[str, int]:
    """Return each review profile's delay in months, as the evaluation framework states it.

    Read from the framework's ``bilans`` list (``id`` = profile name, ``duree_mois``): the
    one home of the delays (« un bilan intermédiaire à 18 mois et […] un bilan final à 3
    ans », section 6 of the source).
    """
    return {name: months for name, (_, months) in _reviews(data_dir).items()}


def _reviews(data_dir: Path | None) -> dict[str, tuple[str, int]]:
    """Return (label, months) of each review of the framework's ``bilans`` list."""
    framework = load(FRAMEWORK_RESOURCE, data_dir)
    entries = framework.get("bilans") if isinstance(framework, Mapping) else None
    found = {
        entry.get("id"): (entry.get("libelle"), entry.get("duree_mois"))
        for entry in entries or []
        if isinstance(entry, Mapping)
    }
    missing = [
        name
        for name in REVIEW_PROFILES
        if name not in found
        or not isinstance(found[name][1], int)
        or not isinstance(found[name][0], str)
    ]
    if missing:
        raise DataError(
            [
                Problem(
                    relative(resource(FRAMEWORK_RESOURCE, data_dir).path),
                    "liste « bilans » incomplète : il faut une entrée « id: "
                    + " » et une entrée « id: ".join(missing)
                    + " » avec son libellé « libelle » et sa durée « duree_mois » (nombre de "
                    "mois après le début du projet)",
                    column="bilans",
                    rule="échéances des bilans",
                )
            ]
        )
    return {name: (str(found[name][0]), int(found[name][1])) for name in REVIEW_PROFILES}


def duration_fr(months: int) -> str:
    """Return a delay in French as the source words it: « 18 mois », « 1 an », « 3 ans »."""
    if months and months % 12 == 0:
        years = months // 12
        return f"{years} an" if years == 1 else f"{years} ans"
    return f"{months} mois"


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` plus ``months`` calendar months, clamped to the month's last day.

    Written by hand (as dateutil's relativedelta does it) to avoid a dependency for one sum.
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def parse_date(text: str) -> dt.date:
    """Parse an AAAA-MM-JJ date, or raise :class:`ProfileError` saying the expected form."""
    # to_date would read a longer text's first ten characters: the whole text must be a date.
    try:
        day = to_date(text) if len(text.strip()) == 10 else None
    except (TypeError, ValueError):
        day = None
    if day is None:
        raise ProfileError(
            f"Date « {text} » invalide : écrivez-la au format AAAA-MM-JJ (ex. 2022-03-01)."
        )
    return day


def project_start(data_dir: Path | None = None) -> dt.date:
    """Return the project's start date from the evaluation framework in the data.

    The one place that reads it: every default as-of date and the reviews count from it.
    """
    try:
        info = resource(FRAMEWORK_RESOURCE, data_dir)
    except KeyError as exc:
        where = relative(Path(data_dir)) if data_dir else "data/"
        raise DataError(
            [
                Problem(
                    where,
                    f"ressource « {FRAMEWORK_RESOURCE} » introuvable : sa clé « {START_KEY} » "
                    "(date de début du projet) fixe la date d'arrêté par défaut des profils. "
                    "Ajoutez-la, ou passez la date explicitement avec --as-of AAAA-MM-JJ.",
                    rule="date de début du projet",
                )
            ]
        ) from exc
    framework = load(FRAMEWORK_RESOURCE, data_dir)
    value = framework.get(START_KEY) if isinstance(framework, Mapping) else None
    try:
        day = to_date(value) if isinstance(value, str | dt.date) else None
    except ValueError:
        day = None
    if day is not None:
        return day
    raise DataError(
        [
            Problem(
                relative(info.path),
                f"clé « {START_KEY} » absente ou invalide ({value!r}) : attendu une date "
                "AAAA-MM-JJ, la date de début du projet",
                column=START_KEY,
                rule="date de début du projet",
            )
        ]
    )


def resolve_as_of(
    profile: str, as_of: str | dt.date | None, data_dir: Path | None = None
) -> dt.date:
    """Return the as-of date: the one given, else the profile's default from the start date."""
    check_profile(profile)
    if isinstance(as_of, dt.date):
        return as_of
    if as_of:
        return parse_date(as_of)
    try:
        start = project_start(data_dir)  # first: its error says how to do without the data
    except MissingData:
        # A new project's framework may still be « à compléter »: its base document is then
        # dated 1 January of its edition year, so that it builds (and says what is missing);
        # a review has no meaning without the framework's start date and dates.
        if get_profile(profile, data_dir).is_review:
            raise
        return dt.date(identity(data_dir).edition_year, 1, 1)
    return add_months(start, get_profile(profile, data_dir).months_after_start)
