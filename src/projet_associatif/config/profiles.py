"""The three documents the project publishes, their labels, dates and chapters."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from projet_associatif.core.errors import DataError, Problem, relative
from projet_associatif.core.paths import project_root

#: Resource holding the evaluation framework; its ``date_debut_projet`` anchors every profile.
FRAMEWORK_RESOURCE = "evaluation_cadre"
START_KEY = "date_debut_projet"


class ProfileError(ValueError):
    """Raise on an unknown profile or a malformed date given on the command line."""


@dataclass(frozen=True)
class Profile:
    """One publishable document: its name, French label and review delay."""

    name: str
    label: str
    months_after_start: int


# Delays from section 6 of the source: « un bilan intermédiaire à 18 mois et […] un bilan
# final à 3 ans ». The 2020 document itself is dated at the project's start.
PROFILES = {
    p.name: p
    for p in (
        Profile("projet-2020", "Projet associatif 2020", 0),
        Profile("bilan-intermediaire", "Bilan intermédiaire (18 mois)", 18),
        Profile("bilan-final", "Bilan final (3 ans)", 36),
    )
}


def get_profile(name: str) -> Profile:
    """Return a profile by name, with the list of valid names when it is unknown."""
    if name not in PROFILES:
        raise ProfileError(
            f"Profil inconnu « {name} ». Profils disponibles : {', '.join(PROFILES)}."
        )
    return PROFILES[name]


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
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ProfileError(
            f"Date « {text} » invalide : écrivez-la au format AAAA-MM-JJ (ex. 2022-03-01)."
        ) from exc


def project_start(data_dir: Path | None = None) -> dt.date:
    """Return the project's start date from the evaluation framework in the data."""
    from projet_associatif.data.package import load, resource

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
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
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


def review_months(data_dir: Path | None = None) -> dict[str, int]:
    """Return each review profile's delay in months, as the evaluation framework states it.

    Read from the framework's ``bilans`` list (``id`` = profile name, ``duree_mois``): the
    one home of the delays (« un bilan intermédiaire à 18 mois et […] un bilan final à 3
    ans », section 6 of the source).
    """
    from projet_associatif.data.package import load, resource

    framework = load(FRAMEWORK_RESOURCE, data_dir)
    reviews = framework.get("bilans") if isinstance(framework, Mapping) else None
    months = {
        entry.get("id"): entry.get("duree_mois")
        for entry in reviews or []
        if isinstance(entry, Mapping)
    }
    missing = [
        name
        for name in ("bilan-intermediaire", "bilan-final")
        if not isinstance(months.get(name), int)
    ]
    if missing:
        raise DataError(
            [
                Problem(
                    relative(resource(FRAMEWORK_RESOURCE, data_dir).path),
                    "liste « bilans » incomplète : il faut une entrée « id: "
                    + " » et une entrée « id: ".join(missing)
                    + " » avec sa durée « duree_mois » (nombre de mois après le début du projet)",
                    column="bilans",
                    rule="échéances des bilans",
                )
            ]
        )
    return {name: int(value) for name, value in months.items() if isinstance(value, int)}


def resolve_as_of(
    profile: str, as_of: str | dt.date | None, data_dir: Path | None = None
) -> dt.date:
    """Return the as-of date: the one given, else the profile's default from the start date."""
    spec = get_profile(profile)
    if isinstance(as_of, dt.date):
        return as_of
    if as_of:
        return parse_date(as_of)
    return add_months(project_start(data_dir), spec.months_after_start)


def chapter_notebooks(profile: str) -> list[Path]:
    """Return the notebooks among the profile's chapters and appendices, in report order.

    The chapter list has one source of truth, ``_quarto.yml`` + ``_quarto-<profil>.yml``,
    read by :func:`projet_associatif.publish.book.book_config`.
    """
    from projet_associatif.publish.book import book_config

    get_profile(profile)
    root = project_root()
    files = [e.file for e in book_config(profile).entries if e.is_notebook and e.file]
    return [root / f for f in dict.fromkeys(files)]
