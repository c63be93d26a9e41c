"""Find and read the resource descriptors (``<name>.resource.yaml``) of the data package.

A descriptor is a Frictionless *Data Resource*: the data file's path, its Table Schema (or a
JSON Schema for YAML documents), its sources with vintage, its licence, and the project's
``lignes`` and ``renvois`` declarations (see :mod:`projet_associatif.data.integrity`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from projet_associatif.core.errors import DataError, Problem, relative
from projet_associatif.core.paths import data_dir as default_data_dir

DESCRIPTOR_SUFFIX = ".resource.yaml"
#: The C loader when PyYAML has it: the communes' GeoJSON is large.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnknownResource(KeyError):
    """Raise when a resource name is not declared by any descriptor of the data package."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class ResourceInfo:
    """One data resource as declared by its descriptor."""

    name: str
    descriptor_path: Path
    descriptor: dict[str, Any]

    @property
    def path(self) -> Path:
        """Return the data file the descriptor points to."""
        return (self.descriptor_path.parent / self.descriptor["path"]).resolve()

    @property
    def format(self) -> str:
        """Return ``csv``, ``yaml`` or ``json`` (from the descriptor, else the file suffix)."""
        fmt = self.descriptor.get("format") or self.path.suffix.lstrip(".")
        if fmt in {"yaml", "yml"}:
            return "yaml"
        return "json" if fmt in {"json", "geojson"} else fmt

    @property
    def fields(self) -> list[dict[str, Any]]:
        """Return the Table Schema fields (empty for YAML documents)."""
        return list(self.descriptor.get("schema", {}).get("fields", []))


def discover(data_dir: Path | None = None) -> dict[str, ResourceInfo]:
    """Return every resource declared under ``data_dir``, by name."""
    root = Path(data_dir or default_data_dir())
    found: dict[str, ResourceInfo] = {}
    for descriptor_path in sorted(root.rglob(f"*{DESCRIPTOR_SUFFIX}")):
        descriptor = read_descriptor(descriptor_path)
        if not isinstance(descriptor, dict) or "name" not in descriptor or "path" not in descriptor:
            raise DataError(
                [
                    Problem(
                        relative(descriptor_path),
                        "descripteur invalide : les clés « name » et « path » sont obligatoires",
                    )
                ]
            )
        name = descriptor["name"]
        if name in found:
            raise DataError(
                [
                    Problem(
                        relative(descriptor_path),
                        f"la ressource « {name} » est déjà décrite par "
                        f"{relative(found[name].descriptor_path)}",
                    )
                ]
            )
        found[name] = ResourceInfo(name, descriptor_path, descriptor)
    return found


def resource(name: str, data_dir: Path | None = None) -> ResourceInfo:
    """Return the descriptor of one resource, with a clear error if it does not exist."""
    resources = discover(data_dir)
    if name not in resources:
        known = ", ".join(sorted(resources)) or "aucune"
        raise UnknownResource(f"Ressource inconnue « {name} ». Ressources disponibles : {known}.")
    return resources[name]


def stamp(*paths: Path) -> tuple:
    """Return what identifies the content of files cheaply: path, size, modification time."""
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)


_DESCRIPTORS: dict[Path, tuple[tuple, Any]] = {}


def read_descriptor(path: Path) -> Any:
    """Return a parsed descriptor, re-read only when the file changed (load() is called often)."""
    current = stamp(path)
    cached = _DESCRIPTORS.get(path)
    if cached is None or cached[0] != current:
        cached = (current, read_yaml(path))
        _DESCRIPTORS[path] = cached
    return copy.deepcopy(cached[1])


def read_yaml(path: Path) -> Any:
    """Return a YAML file parsed, or raise a :class:`DataError` naming its line."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark else None
        raise DataError(
            [
                Problem(
                    relative(path),
                    f"YAML illisible : {getattr(exc, 'problem', exc)}",
                    row=row,
                    rule="yaml",
                )
            ]
        ) from exc
