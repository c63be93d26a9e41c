"""Remember which resources passed validation, keyed on everything their check depends on.

The build validates the package once (``validate_all_cached``) and records, under
``build/cache/validation/``, the digest of each resource that passed: the files its check
reads (its data, its descriptor, its JSON schema, the resources it points at) and the code
that decides validity (:data:`VALIDATING_MODULES`, the validators' versions). Notebooks run
in kernels, other processes: a ``load`` there trusts a resource whose digest is recorded
instead of checking it again. Failures are never recorded.
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib.metadata import version
from pathlib import Path

import yaml

from projet_associatif.core.paths import build_dir
from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.data import integrity
from projet_associatif.data.descriptors import ResourceInfo, UnknownResource, discover
from projet_associatif.data.readers import parse_document

#: The modules whose code decides whether a resource is valid: the validation record's key.
#: ``tests/unit/data/test_integrity.py`` checks that every module ``data/package.py`` imports,
#: directly or not, is listed (but the cache and the paths, which hold no rule).
VALIDATING_MODULES = (
    "core/dates.py",
    "core/errors.py",
    "core/formatting.py",
    "data/completeness.py",
    "data/descriptors.py",
    "data/fill_state.py",
    "data/integrity.py",
    "data/messages.py",
    "data/package.py",
    "data/readers.py",
    "data/validation.py",
    "data/validation_record.py",
)

#: The validators whose version is part of the key.
VALIDATORS = ("frictionless", "jsonschema")

#: File, under the validation cache folder, naming the resources that passed (by digest).
PASSED_RECORD = "ressources-valides.json"


def validation_cache() -> Path:
    """Return the folder where the build remembers which resources passed validation."""
    return build_dir() / "cache" / "validation"


@functools.cache
def code_digest() -> str:
    """Return a hash of the validating code and of the validators' versions."""
    digest = hashlib.sha256()
    for module in VALIDATING_MODULES:
        digest.update((Path(__file__).parents[1] / module).read_bytes())
    for dist in VALIDATORS:
        digest.update(f"{dist}={version(dist)}".encode())
    return digest.hexdigest()


def inputs_of(
    info: ResourceInfo, data_dir: Path, resources: dict[str, ResourceInfo] | None = None
) -> list[Path]:
    """Return every file the check of one resource reads: its own and those it points at.

    ``resources`` spares reading every descriptor again when the caller has them.
    """
    paths = [info.descriptor_path, info.path]
    schema = info.descriptor.get("jsonSchema")
    if isinstance(schema, str):
        paths.append(info.descriptor_path.parent / schema)
    targets = [t for t in _targets_of(info) if t != info.name]
    if targets:
        resources = resources if resources is not None else discover(data_dir)
        for target in targets:
            if target in resources:  # an unknown one is reported by the check itself
                paths += [resources[target].descriptor_path, resources[target].path]
    return list(dict.fromkeys(paths))


def _targets_of(info: ResourceInfo) -> list[str]:
    """Return the resources a resource points at: foreign keys, renvois, cells it names."""
    names = [
        fk.get("reference", {}).get("resource")
        for fk in info.descriptor.get("schema", {}).get("foreignKeys", [])
    ]
    cells = []
    for spec in info.descriptor.get("renvois") or []:
        if not isinstance(spec, dict):
            continue
        if "ressource" in spec:
            names.append(spec["ressource"])
        elif isinstance(spec.get("cellule"), dict) and "chemin" in spec:
            cells.append(spec)
    if cells and info.path.is_file():
        # The tables a document's cells name are in the document itself.
        try:
            document = parse_document(info, info.path.read_text(encoding="utf-8-sig"))
        except (ValueError, yaml.YAMLError, UnicodeDecodeError):
            document = None
        for spec in cells:
            key = spec["cellule"].get("ressource")
            for node in integrity.walk(document, str(spec["chemin"])):
                if isinstance(node.value, dict) and isinstance(node.value.get(key), str):
                    names.append(node.value[key])
    return [n for n in dict.fromkeys(names) if isinstance(n, str) and n]


def resource_digest(
    info: ResourceInfo, root: Path, code: str, resources: dict[str, ResourceInfo] | None = None
) -> str:
    """Return a hash of everything the check of one resource depends on."""
    digest = hashlib.sha256(code.encode())
    for path in inputs_of(info, root, resources):
        digest.update(str(path.resolve()).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"\0absent")
        digest.update(b"\0")
    return digest.hexdigest()


@functools.cache
def _passed_digests(record: Path, mtime_ns: int) -> frozenset[str]:
    try:
        return frozenset(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return frozenset()


def passed_before(info: ResourceInfo, data_dir: Path | None) -> bool:
    """Tell whether the build already validated this resource in exactly its current state.

    Notebooks run in kernels, other processes: without this every ``load`` would check its
    table again with frictionless (0,5 s for the whole package, in every chapter).
    """
    record = validation_cache() / PASSED_RECORD
    try:
        passed = _passed_digests(record, record.stat().st_mtime_ns)
    except OSError:
        return False
    if not passed:
        return False
    root = Path(data_dir or default_data_dir())
    try:
        return resource_digest(info, root, code_digest()) in passed
    except (OSError, UnknownResource):
        return False
