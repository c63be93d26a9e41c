"""Load every table of ``data/`` through one validated door.

Each table is described by a Frictionless *Data Resource* descriptor
(``<name>.resource.yaml``) holding its path, Table Schema (or JSON Schema for YAML
documents), sources with vintage, and licence. :func:`load` validates the file
against that descriptor and returns typed pandas objects; :func:`validate_all`
checks the whole package for the ``validate`` command.

This module is the door: the rest of the package and the notebooks import from here.
The work is done below it: :mod:`~projet_associatif.data.descriptors` (finding and reading
descriptors), :mod:`~projet_associatif.data.validation` (checks → problems, worded by
:mod:`~projet_associatif.data.messages`), :mod:`~projet_associatif.data.readers` (typed
frames and documents), :mod:`~projet_associatif.data.validation_record` (what the build
already validated), :mod:`~projet_associatif.data.fill_state` (what is still « à compléter »
or « à actualiser »).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from projet_associatif.core.errors import DataError, MissingData, Problem, relative
from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.data import completeness, fill_state
from projet_associatif.data.cache import READ_LOG_ENV, atomic_write
from projet_associatif.data.completeness import Completeness, Missing
from projet_associatif.data.descriptors import (
    DESCRIPTOR_SUFFIX,
    ResourceInfo,
    UnknownResource,
    discover,
    resource,
)
from projet_associatif.data.readers import read_typed
from projet_associatif.data.validation import check, trust
from projet_associatif.data.validation_record import (
    PASSED_RECORD,
    VALIDATING_MODULES,
    code_digest,
    inputs_of,
    resource_digest,
    validation_cache,
)

__all__ = [
    "DESCRIPTOR_SUFFIX",
    "PASSED_RECORD",
    "READ_LOG_ENV",
    "VALIDATING_MODULES",
    "Completeness",
    "DataError",
    "Missing",
    "MissingData",
    "ResourceInfo",
    "UnknownResource",
    "ValidationSummary",
    "check",
    "discover",
    "freshness",
    "load",
    "read_typed",
    "resource",
    "sources_of",
    "state_of",
    "validate_all",
    "validate_all_cached",
    "validation_cache",
]


@dataclass
class ValidationSummary:
    """Outcome of validating one resource, for the ``validate`` command."""

    name: str
    file: str
    rows: int | None
    problems: list[Problem] = field(default_factory=list)
    state: Completeness = Completeness.FILLED

    @property
    def ok(self) -> bool:
        """Return whether the resource has no problem."""
        return not self.problems


def load(name: str, data_dir: Path | None = None) -> Any:
    """Validate one resource and return it typed: a DataFrame for CSV, Python data for YAML.

    Raises :class:`DataError` naming the file, line, column and rule of every problem, and
    :class:`MissingData` naming the file when the resource is still « à compléter » (absent
    file, header-only CSV, empty document) — or, in a notebook
    (:func:`~projet_associatif.data.completeness.tolerant`), returns a
    :class:`~projet_associatif.data.completeness.Missing` placeholder that raises it on use.
    """
    info = resource(name, data_dir)
    _log_read(info, data_dir)
    problems = check(info, data_dir)
    if problems:
        raise DataError(problems)
    gap = fill_state.emptiness(info)
    if gap:
        if completeness.tolerant():
            return Missing(info.path, gap)
        raise MissingData(info.path, gap)
    return read_typed(info)


def freshness(name: str, data_dir: Path | None = None) -> Completeness:
    """Return FILLED, TO_UPDATE (« à actualiser ») or KEPT (« conservé ») for a resource.

    From its descriptor's ``actualisation`` block, for the captions and the checklist.
    """
    return fill_state.freshness(resource(name, data_dir))


def state_of(name: str, data_dir: Path | None = None) -> Completeness:
    """Return a resource's checklist state: « à compléter » if it holds no data, else freshness."""
    return fill_state.state(resource(name, data_dir))


def _log_read(info: ResourceInfo, data_dir: Path | None) -> None:
    """Append the files the check of ``info`` reads to the build's read log, if one is set.

    The build sets :data:`READ_LOG_ENV` for each notebook so that its cache key covers
    exactly the data the notebook read, even though papermill runs it in another process.
    """
    log = os.environ.get(READ_LOG_ENV)
    if not log:
        return
    paths = inputs_of(info, Path(data_dir or default_data_dir()))
    with open(log, "a", encoding="utf-8") as handle:
        handle.writelines(f"{p.resolve()}\n" for p in paths)


def sources_of(name: str, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Return the declared sources of a resource (title, section, vintage), for captions.

    The sources of a resource « à actualiser » carry the edition they are to be updated
    for (:data:`~projet_associatif.data.fill_state.STALE_FOR`), which the caption says.
    """
    return fill_state.caption_sources(resource(name, data_dir))


def validate_all(data_dir: Path | None = None) -> list[ValidationSummary]:
    """Validate every resource of the package and return one summary per resource."""
    root = Path(data_dir or default_data_dir())
    summaries = [_validate_one(info, root) for info in discover(root).values()]
    return summaries + _orphans(root)


def _validate_one(info: ResourceInfo, root: Path) -> ValidationSummary:
    """Check one resource, count its rows when it is valid, and tell how far it is filled."""
    problems = check(info, root)
    rows = None
    state = fill_state.state(info)
    if not problems and info.path.is_file():
        typed = read_typed(info)
        rows = len(typed) if info.format == "csv" else None
    return ValidationSummary(info.name, relative(info.path), rows, problems, state)


def _orphans(root: Path) -> list[ValidationSummary]:
    """Return a failed summary for each CSV file that no descriptor describes."""
    described = {info.path for info in discover(root).values()}
    return [
        ValidationSummary(
            orphan.stem,
            relative(orphan),
            None,
            [
                Problem(
                    relative(orphan),
                    "fichier sans descripteur : ajoutez un fichier "
                    f"« {orphan.stem}{DESCRIPTOR_SUFFIX} » qui le décrit",
                    rule="descripteur",
                )
            ],
        )
        for orphan in sorted(root.rglob("*.csv"))
        if orphan.resolve() not in described
    ]


def validate_all_cached(
    data_dir: Path | None = None, cache_dir: Path | None = None
) -> list[ValidationSummary]:
    """Return :func:`validate_all`, checking again only the resources that changed.

    A resource that passed is remembered under the hash of the files its check reads (its
    data, its descriptor, its JSON schema, the tables its foreign keys point to) and of the
    validating code: editing one file re-checks that resource and the ones referring to
    it, not the whole package. Failures are never remembered.
    """
    root = Path(data_dir or default_data_dir())
    if cache_dir is None:
        return validate_all(root)
    record = Path(cache_dir) / PASSED_RECORD
    try:
        passed = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        passed = {}
    code = code_digest()
    summaries, still_valid = [], {}
    resources = discover(root)
    for info in resources.values():
        key = resource_digest(info, root, code, resources) if info.path.is_file() else None
        known = passed.get(key) if key else None
        if known is not None:
            summary = ValidationSummary(
                known["name"], known["file"], known["rows"], state=fill_state.state(info)
            )
            # Later load() calls in this process may trust the file while it stays the same.
            trust(info, root, resources)
        else:
            summary = _validate_one(info, root)
        if summary.ok and key:
            still_valid[key] = {"name": summary.name, "file": summary.file, "rows": summary.rows}
        summaries.append(summary)
    if still_valid != passed:
        record.parent.mkdir(parents=True, exist_ok=True)
        # Atomic: a kernel or a concurrent build never reads half a file.
        atomic_write(record, json.dumps(still_valid, ensure_ascii=False).encode("utf-8"))
    return summaries + _orphans(root)
