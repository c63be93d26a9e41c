"""The build's provenance record, published as ``_book/<profil>/manifest.json``.

It holds everything the rendered outputs depend on (inputs with hashes, parameters, tool
versions, the notebooks and what each read), so an unchanged manifest with an intact
publication means there is nothing to render again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import platform
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from projet_associatif import __version__
from projet_associatif.config.identity import organisation
from projet_associatif.core.errors import relative
from projet_associatif.data.cache import environment_hash, package_hash, sha256_file
from projet_associatif.pipeline.execute import Outcome
from projet_associatif.pipeline.plan import Plan, files_under

#: Manifest fields filled in after rendering, left out when comparing two builds.
AFTER_RENDER = ("formats_publies", "sorties")


def _version(distribution: str) -> str | None:
    """Return the installed version of ``distribution``, or None."""
    # start-up cost: importlib.metadata (~0,03 s) is for the build only, not for `--help`.
    import importlib.metadata as metadata

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
        # start-up cost: pypandoc (~0,05 s) is for the build only, not for `--help`.
        import pypandoc

        versions["pandoc"] = pypandoc.get_pandoc_version()
    quarto = shutil.which("quarto")
    if quarto:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=30)
            versions["quarto"] = out.stdout.strip() or None
    return versions


def hashed(paths: Sequence[Path], root: Path) -> list[dict[str, str]]:
    """Return each existing file with its path relative to ``root`` and its SHA-256."""
    return [
        {"chemin": relative(p, root), "sha256": sha256_file(p)}
        for p in sorted(set(paths))
        if p.is_file()
    ]


def build_manifest(plan: Plan, outcomes: list[Outcome]) -> dict[str, Any]:
    """Return the provenance record: inputs with hashes, parameters, tools, notebooks."""
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
        "entrees": hashed(plan.inputs, root),
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


def up_to_date(target: Path, manifest: dict[str, Any]) -> dict[str, Path] | None:
    """Return the published paths if ``target`` is intact and built from the same manifest."""
    try:
        published = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = {k: v for k, v in published.items() if k not in AFTER_RENDER} == {
        k: v for k, v in manifest.items() if k not in AFTER_RENDER
    }
    on_disk = [e for e in hashed(files_under(target), target) if e["chemin"] != "manifest.json"]
    if not same or on_disk != published.get("sorties") or not published.get("formats_publies"):
        return None
    outputs = {name: target / path for name, path in published["formats_publies"].items()}
    return {**outputs, "provenance": target / "manifest.json"}


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as indented UTF-8 JSON (the manifest's form on disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    path.write_text(text, encoding="utf-8")
