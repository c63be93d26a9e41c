"""What the book says about itself: title page fields, dates, the « Données fictives » notice.

Both engines read these: the Pandoc engine passes them to its templates (``-M clé=valeur``),
the Quarto engine to Quarto (``-M clé:valeur``, see ``quarto.metadata_args``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from projet_associatif.config.identity import organisation
from projet_associatif.core.dates import to_date
from projet_associatif.core.formatting import date_fr
from projet_associatif.publish.book import BookConfig

FICTIONAL_LABEL = "Données fictives"


def date_text(value: Any) -> str | None:
    """Return an ISO date (or date) as « 30 septembre 2021 », None when missing.

    Text that is not an ISO date is shown as it is: the title page repeats what the
    profile or the build says.
    """
    try:
        day = to_date(value)
    except (TypeError, ValueError):
        return str(value)
    return None if day is None else date_fr(day)


def source_date_epoch(meta: Mapping[str, Any]) -> int | None:
    """Return the build's SOURCE_DATE_EPOCH (``meta``, else the environment), or None."""
    value = meta.get("source_date_epoch")
    if value in (None, ""):
        value = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def fictional_notice(meta: Mapping[str, Any]) -> str | None:
    """Return the « Données fictives » notice when the build says the measurements are fictional.

    The build sets ``meta["fictif"]`` from the measurement file it read (its « données
    fictives » markers) and ``meta["suivi"]`` to that file; every page of every format
    then carries this sentence.
    """
    if not meta.get("fictif"):
        return None
    name = Path(str(meta["suivi"])).name if meta.get("suivi") else ""
    origin = f"du fichier d'exemple « {name} »" if name else "d'un fichier d'exemple"
    return (
        f"{FICTIONAL_LABEL} : les mesures de ce bilan proviennent {origin} ; "
        "elles ne décrivent pas l'activité réelle de la Mission Locale."
    )


def meta_organisation(meta: Mapping[str, Any]) -> str:
    """Return the organisation the build read from the data (else the project's data says)."""
    return str(meta.get("organisation") or organisation())


def cover_fields(config: BookConfig, meta: Mapping[str, Any]) -> dict[str, str]:
    """Return what the title page shows, from the profile and the build's ``meta``."""
    fields = {
        "title": config.title,
        "subtitle": config.subtitle or "",
        "pa-organisation": meta_organisation(meta),
        "pa-profil": str(meta.get("profile_label") or config.profile_label),
        "pa-arrete": date_text(meta.get("as_of")) or "",
        "pa-suivi": Path(str(meta["suivi"])).name if meta.get("suivi") else "",
        "pa-genere": date_text(meta.get("build_date")) or "",
        "pa-fictif": fictional_notice(meta) or "",
        "date": config.date or "",
        "lang": config.lang,
    }
    return {k: v for k, v in fields.items() if v}


def metadata_args(fields: Mapping[str, str]) -> list[str]:
    """Return Pandoc's ``-M clé=valeur`` options for ``fields``."""
    args: list[str] = []
    for key, value in fields.items():
        args += ["-M", f"{key}={value}"]
    return args
