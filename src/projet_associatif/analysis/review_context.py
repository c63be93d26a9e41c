"""Gather what the review notebooks need for one profile: dates, label, workbook, statuses.

:func:`review_context` reads and validates the commission's workbook and takes every date
and label from the profile table (:mod:`projet_associatif.config.profiles`): the as-of date,
the project start and the final review's date have their one home there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from projet_associatif.analysis.evaluation import (
    answers_table,
    dashboard,
    indicator_status,
    measures_as_of,
    milestone_status,
    steps_frame,
    summary_by_fiche,
    summary_by_objective,
)
from projet_associatif.analysis.statuses import ObjectiveLevel
from projet_associatif.config.profiles import (
    FINAL_REVIEW,
    MID_TERM_REVIEW,
    get_profile,
    project_start,
    resolve_as_of,
    review_months,
)
from projet_associatif.core.paths import project_root
from projet_associatif.suivi.reader import Suivi, read_suivi
from projet_associatif.suivi.referentiel import Referentiel, load_referentiel


@dataclass
class ReviewContext:
    """What the review notebooks need: dates, label, measurement file and the statuses."""

    profile: str
    label: str
    as_of: dt.date
    start: dt.date
    end: dt.date
    suivi_file: str | None
    suivi: Suivi
    referential: Referentiel
    data_dir: Path | None = None

    @property
    def fictional(self) -> bool:
        """Return whether the measurement file declares itself fictional."""
        return self.suivi.fictional

    @property
    def has_measurements(self) -> bool:
        """Return whether any indicator measurement is dated on or before the closing date."""
        return len(measures_as_of(self.suivi.mesures, self.as_of)) > 0

    @property
    def _numbers(self) -> dict[str, int]:
        return {f["id"]: f.get("numero") for f in self.referential.fiches}

    def indicators(self) -> pd.DataFrame:
        """Return the indicator status table at the closing date."""
        return indicator_status(
            self.referential.indicateurs,
            self.suivi.mesures,
            self.suivi.cibles,
            as_of=self.as_of,
            start=self.start,
            end=self.end,
            numbers=self._numbers,
        )

    def milestones(self) -> pd.DataFrame:
        """Return the step status table at the closing date."""
        steps = steps_frame(self.referential.fiches)
        return milestone_status(steps, self.suivi.jalons, as_of=self.as_of)

    def answers(self) -> pd.DataFrame:
        """Return the latest answers to the evaluation questions at the closing date."""
        return answers_table(
            self.suivi.reponses,
            self.referential.questions,
            as_of=self.as_of,
            numbers=self._numbers,
        )

    def by_fiche(self) -> pd.DataFrame:
        """Return the status counts per fiche."""
        return summary_by_fiche(self.indicators(), self.milestones(), self.referential.fiches)

    def by_objective(self, level: str = ObjectiveLevel.OPERATIONAL) -> pd.DataFrame:
        """Return the status counts per operational (or general) objective."""
        return summary_by_objective(self.by_fiche(), self.referential.objectifs, level=level)

    def dashboard(self) -> pd.DataFrame:
        """Return the one-page synthesis, one line per fiche."""
        return dashboard(
            self.indicators(), self.milestones(), self.answers(), self.referential.fiches
        )

    @property
    def mid_term_date(self) -> dt.date:
        """Return the mid-term review's default as-of date (start + the framework's delay)."""
        return resolve_as_of(MID_TERM_REVIEW, None, self.data_dir)

    def mid_term(self) -> ReviewContext:
        """Return the mid-term review recomputed from the same workbook at its as-of date.

        Measurements, steps and answers dated after that date are left out, so the final
        review can say what moved since (the workbook keeps no copy of the mid-term state).
        """
        label = get_profile(MID_TERM_REVIEW, self.data_dir).label
        return replace(self, profile=MID_TERM_REVIEW, label=label, as_of=self.mid_term_date)

    def recommendations(self) -> pd.DataFrame:
        """Return the commission's recommendations dated on or before the closing date."""
        frame = self.suivi.preconisations
        kept = frame[pd.to_datetime(frame["date"]) <= pd.Timestamp(self.as_of)]
        return kept.sort_values(["date"], kind="stable").reset_index(drop=True)


def review_context(
    profile: str,
    as_of: str | dt.date | None = "",
    suivi_path: str | Path | None = "",
    data_dir: str | Path | None = "",
) -> ReviewContext:
    """Return the review context for a profile, reading and validating the measurement file.

    Empty strings mean defaults (the notebook parameters are primitives): ``as_of`` = the
    profile's default date (start + the framework's delay), no measurement file, the
    project's ``data/`` directory.
    """
    data = Path(data_dir) if data_dir else None
    reviews = review_months(data)
    if profile not in reviews:
        known = ", ".join(reviews)
        raise ValueError(f"profil « {profile} » sans bilan : choisissez parmi {known}")
    closing = resolve_as_of(profile, as_of or None, data)
    suivi = Suivi()
    name = None
    if suivi_path:
        path = _resolve(Path(suivi_path))
        suivi = read_suivi(path, data_dir=data, as_of=closing)
        name = path.name
    return ReviewContext(
        profile=profile,
        label=get_profile(profile, data).label,
        as_of=closing,
        start=project_start(data),
        end=resolve_as_of(FINAL_REVIEW, None, data),
        suivi_file=name,
        suivi=suivi,
        referential=load_referentiel(data),
        data_dir=data,
    )


def _resolve(path: Path) -> Path:
    """Return ``path`` as given if it exists, else relative to the project root."""
    if path.is_absolute() or path.exists():
        return path
    candidate = project_root() / path
    return candidate if candidate.exists() else path
