"""Load every table of ``data/`` through one validated door.

Each table is described by a Frictionless *Data Resource* descriptor
(``<name>.resource.yaml``) holding its path, Table Schema (or JSON Schema for YAML
documents), sources with vintage, and licence. :func:`load` validates the file
against that descriptor and returns typed pandas objects; :func:`validate_all`
checks the whole package for the ``validate`` command.
"""

from __future__ import annotations

import codecs
import copy
import csv
import functools
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from projet_associatif.core.errors import DataError, Problem, relative
from projet_associatif.core.paths import build_dir
from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.data import integrity
from projet_associatif.data.cache import atomic_write
from projet_associatif.data.integrity import json_path, yaml_line

if TYPE_CHECKING:
    import pandas as pd

DESCRIPTOR_SUFFIX = ".resource.yaml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: When set, every file read by :func:`load` is appended (one absolute path per line) to the
#: file this variable names. The build sets it for each notebook so that its cache key covers
#: exactly the data the notebook read, even though papermill runs it in another process.
READ_LOG_ENV = "PROJET_ASSOCIATIF_READ_LOG"

#: French names of Table Schema types, for messages.
TYPE_NAMES = {
    "integer": "un nombre entier (ex. 2089)",
    "number": "un nombre (ex. 15.5, point décimal)",
    "string": "du texte",
    "boolean": "vrai/faux (true/false)",
    "date": "une date AAAA-MM-JJ (ex. 2020-03-01)",
    "year": "une année (ex. 2019)",
    "yearmonth": "un mois AAAA-MM (ex. 2018-06)",
    "datetime": "une date et heure ISO 8601",
}

_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_SPACED_THOUSANDS = re.compile(r"^-?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?$")


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


@dataclass
class ValidationSummary:
    """Outcome of validating one resource, for the ``validate`` command."""

    name: str
    file: str
    rows: int | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return whether the resource has no problem."""
        return not self.problems


def discover(data_dir: Path | None = None) -> dict[str, ResourceInfo]:
    """Return every resource declared under ``data_dir``, by name."""
    root = Path(data_dir or default_data_dir())
    found: dict[str, ResourceInfo] = {}
    for descriptor_path in sorted(root.rglob(f"*{DESCRIPTOR_SUFFIX}")):
        descriptor = _read_descriptor(descriptor_path)
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


def load(name: str, data_dir: Path | None = None) -> Any:
    """Validate one resource and return it typed: a DataFrame for CSV, Python data for YAML.

    Raises :class:`DataError` naming the file, line, column and rule of every problem.
    """
    info = resource(name, data_dir)
    _log_read(info, data_dir)
    problems = check(info, data_dir)
    if problems:
        raise DataError(problems)
    return _read_typed(info)


def _log_read(info: ResourceInfo, data_dir: Path | None) -> None:
    log = os.environ.get(READ_LOG_ENV)
    if not log:
        return
    paths = _inputs_of(info, Path(data_dir or default_data_dir()))
    with open(log, "a", encoding="utf-8") as handle:
        handle.writelines(f"{p.resolve()}\n" for p in paths)


def validate_all(data_dir: Path | None = None) -> list[ValidationSummary]:
    """Validate every resource of the package and return one summary per resource."""
    root = Path(data_dir or default_data_dir())
    summaries = [_validate_one(info, root) for info in discover(root).values()]
    return summaries + _orphans(root)


def _validate_one(info: ResourceInfo, root: Path) -> ValidationSummary:
    """Check one resource and count its rows when it is valid."""
    import pandas as pd

    problems = check(info, root)
    rows = None
    if not problems:
        typed = _read_typed(info)
        rows = len(typed) if isinstance(typed, pd.DataFrame) else None
    return ValidationSummary(info.name, relative(info.path), rows, problems)


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


#: The modules whose code decides whether a resource is valid: the validation cache's key.
VALIDATING_MODULES = ("data/package.py", "core/errors.py", "data/integrity.py")


@functools.cache
def _code_digest() -> str:
    """Return a hash of the validating code and of the validators' versions."""
    import hashlib
    from importlib.metadata import version

    digest = hashlib.sha256()
    for module in VALIDATING_MODULES:
        digest.update((Path(__file__).parents[1] / module).read_bytes())
    for dist in ("frictionless", "jsonschema"):
        digest.update(f"{dist}={version(dist)}".encode())
    return digest.hexdigest()


def _inputs_of(
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
            document = _parse_document(info, info.path.read_text(encoding="utf-8-sig"))
        except (ValueError, yaml.YAMLError, UnicodeDecodeError):
            document = None
        for spec in cells:
            key = spec["cellule"].get("ressource")
            for node in integrity.walk(document, str(spec["chemin"])):
                if isinstance(node.value, dict) and isinstance(node.value.get(key), str):
                    names.append(node.value[key])
    return [n for n in dict.fromkeys(names) if isinstance(n, str) and n]


def _resource_digest(
    info: ResourceInfo, root: Path, code: str, resources: dict[str, ResourceInfo] | None = None
) -> str:
    """Return a hash of everything the check of one resource depends on."""
    import hashlib

    digest = hashlib.sha256(code.encode())
    for path in _inputs_of(info, root, resources):
        digest.update(str(path.resolve()).encode() + b"\0")
        digest.update(path.read_bytes() if path.is_file() else b"\0absent")
        digest.update(b"\0")
    return digest.hexdigest()


#: File, under the validation cache folder, naming the resources that passed (by digest).
PASSED_RECORD = "ressources-valides.json"


def validation_cache() -> Path:
    """Return the folder where the build remembers which resources passed validation."""
    return build_dir() / "cache" / "validation"


@functools.cache
def _passed_digests(record: Path, mtime_ns: int) -> frozenset[str]:
    try:
        return frozenset(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return frozenset()


def _passed_before(info: ResourceInfo, data_dir: Path | None) -> bool:
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
        return _resource_digest(info, root, _code_digest()) in passed
    except (OSError, UnknownResource):
        return False


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
    code = _code_digest()
    summaries, still_valid = [], {}
    resources = discover(root)
    for info in resources.values():
        key = _resource_digest(info, root, code, resources) if info.path.is_file() else None
        known = passed.get(key) if key else None
        if known is not None:
            summary = ValidationSummary(known["name"], known["file"], known["rows"])
            # Later load() calls in this process may trust the file while it stays the same.
            _trust(info, root, resources)
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


def check(info: ResourceInfo, data_dir: Path | None = None) -> list[Problem]:
    """Return every problem of one resource (empty when valid)."""
    file = relative(info.path)
    if not info.path.is_file():
        return [Problem(file, "fichier introuvable", rule="path")]
    root = Path(data_dir or default_data_dir())
    stamp = _inputs_stamp(info, root)
    if stamp in _KNOWN_GOOD:
        return []
    if _passed_before(info, data_dir):
        _trust(info, root)
        return []
    problems = _own_problems(info, file)
    if not problems:
        problems = _check_foreign_keys(info, file, data_dir) + _check_references(info, file, root)
    return problems


def _inputs_stamp(
    info: ResourceInfo, root: Path, resources: dict[str, ResourceInfo] | None = None
) -> tuple:
    """Return the stamp of every file a resource's check reads (a target may change too)."""
    try:
        return _stamp(*(p for p in _inputs_of(info, root, resources) if p.exists()))
    except OSError:
        return ()


_OWN_CHECKS: dict[tuple, list[Problem]] = {}


def _own_problems(info: ResourceInfo, file: str) -> list[Problem]:
    """Return the problems of a resource on its own, memoised per file state in this process.

    Cross-references need their targets to be valid on their own first; two documents may
    point at each other, so this never looks at what a resource points at.
    """
    key = (_stamp(info.path, info.descriptor_path), file)
    if key not in _OWN_CHECKS:
        _OWN_CHECKS[key] = _check_own(info, file)
    return list(_OWN_CHECKS[key])


def _check_own(info: ResourceInfo, file: str) -> list[Problem]:
    """Check a resource's declarations, file, header, cells and row count, in that order."""
    declared = integrity.declaration_problems(
        info.descriptor, relative(info.descriptor_path), is_table=info.format == "csv"
    )
    if declared:
        return declared
    raw = info.path.read_bytes()
    if not raw.strip(codecs.BOM_UTF8 + b" \t\r\n"):
        return [
            Problem(
                file, "fichier vide : il doit contenir au moins la ligne d'en-tête", rule="non-vide"
            )
        ]
    encoding_problem = _check_utf8(file, raw)
    if encoding_problem:
        return [encoding_problem]
    if info.format == "csv":
        problems = _check_csv_dialect(info, file, raw) or _check_header(info, file, raw)
        if problems:
            return problems
        problems, rows = _check_table_cached(info, file)
        return problems + integrity.table_row_count_problems(info.descriptor, file, rows)
    if info.format in {"yaml", "json"}:
        return _check_document(info, file, raw)
    return [
        Problem(
            file, f"format « {info.format} » non pris en charge (csv, yaml ou json)", rule="format"
        )
    ]


_DESCRIPTORS: dict[Path, tuple[tuple, Any]] = {}


def _read_descriptor(path: Path) -> Any:
    """Return a parsed descriptor, re-read only when the file changed (load() is called often)."""
    stamp = _stamp(path)
    cached = _DESCRIPTORS.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, _read_yaml(path))
        _DESCRIPTORS[path] = cached
    return copy.deepcopy(cached[1])


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
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


def _check_utf8(file: str, raw: bytes) -> Problem | None:
    """Reject non-UTF-8 files, pointing at the first bad line (usually Excel's Windows-1252)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        guess = raw[exc.start : exc.start + 1].decode("cp1252", errors="replace")
        return Problem(
            file,
            "le fichier n'est pas encodé en UTF-8 (probablement Windows-1252, l'encodage par "
            f"défaut d'Excel : caractère « {guess} »). Dans Excel, utilisez « Enregistrer sous » "
            "→ « CSV UTF-8 (délimité par des virgules) », ou dans LibreOffice cochez "
            "« Jeu de caractères : Unicode (UTF-8) ».",
            row=line,
            rule="encodage UTF-8",
        )
    return None


def _check_csv_dialect(info: ResourceInfo, file: str, raw: bytes) -> list[Problem]:
    """Reject the semicolon-separated CSV that French Excel writes, saying how to fix it."""
    text = raw.decode("utf-8-sig")
    header = text.splitlines()[0] if text.splitlines() else ""
    expected = [f["name"] for f in info.fields]
    if ";" in header and "," not in header and len(expected) > 1:
        return [
            Problem(
                file,
                "séparateur point-virgule détecté (format CSV d'Excel en français). Le projet "
                "attend des virgules comme séparateur et un point comme séparateur décimal : "
                "enregistrez avec « CSV UTF-8 (délimité par des virgules) » ou, dans LibreOffice, "
                "choisissez le séparateur « , ».",
                row=1,
                rule="séparateur virgule",
            )
        ]
    return []


def _frictionless_descriptor(info: ResourceInfo) -> dict[str, Any]:
    """Return the descriptor frictionless validates: ours minus foreign keys (checked here)."""
    schema = dict(info.descriptor.get("schema", {}))
    schema.pop("foreignKeys", None)
    return {
        "name": info.name.replace("_", "-"),
        "path": info.path.name,
        "format": "csv",
        "encoding": "utf-8-sig",
        "schema": schema,
    }


def _stamp(*paths: Path) -> tuple:
    """Return what identifies the content of files cheaply: path, size, modification time."""
    return tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in paths)


_TABLE_CHECKS: dict[tuple, tuple[list[Problem], int]] = {}
#: Stamps of the files of resources known valid in this process: all their inputs, and
#: their own two files (a target of a cross-reference needs only to be valid on its own).
_KNOWN_GOOD: set[tuple] = set()
_OWN_GOOD: set[tuple] = set()


def _trust(
    info: ResourceInfo, root: Path, resources: dict[str, ResourceInfo] | None = None
) -> None:
    """Remember that a resource is valid in exactly its current state (and its targets')."""
    _KNOWN_GOOD.add(_inputs_stamp(info, root, resources))
    _OWN_GOOD.add(_stamp(info.path, info.descriptor_path))


def _check_table_cached(info: ResourceInfo, file: str) -> tuple[list[Problem], int]:
    """Return :func:`_check_table`'s result, memoised per file state within this process.

    frictionless takes ~50 ms a table; the audit and notebooks load the same tables often.
    """
    key = (_stamp(info.path, info.descriptor_path), file)
    if key not in _TABLE_CHECKS:
        _TABLE_CHECKS[key] = _check_table(info, file)
    problems, rows = _TABLE_CHECKS[key]
    return list(problems), rows


def _check_table(info: ResourceInfo, file: str) -> tuple[list[Problem], int]:
    """Return the cell-level problems of a table and how many data rows it has."""
    import frictionless  # slow to import: only when a table is checked

    descriptor = _frictionless_descriptor(info)
    fields = {f["name"]: f for f in info.fields}
    try:
        res = frictionless.Resource(descriptor, basepath=str(info.path.parent))
        report = res.validate()
    except frictionless.FrictionlessException as exc:
        return [
            Problem(file, f"descripteur ou schéma invalide : {exc.error.message}", rule="schéma")
        ], 0
    problems = []
    rows = 0
    for task in report.tasks:
        rows += int(task.stats.get("rows", 0) or 0)
        for err in task.errors:
            problems.append(_translate(file, err, fields))
    return problems, rows


def _check_header(info: ResourceInfo, file: str, raw: bytes) -> list[Problem]:
    """Compare the header with the schema by name, before any cell is read.

    frictionless compares labels by position: one column deleted in the middle is reported
    as another (optional) column missing, followed by a wrong-type error in every shifted
    cell. Named once here, the real cause stops the check of the file.
    """
    expected = [f["name"] for f in info.fields]
    if not expected:
        return []
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))), [])
    problems = []
    for position, name in enumerate(expected):
        if name not in header:
            after = f"après « {expected[position - 1]} »" if position else "en première position"
            problems.append(
                Problem(
                    file,
                    f"colonne absente de l'en-tête (attendue {after}) : ajoutez-la, même vide",
                    1,
                    name,
                    "colonnes du schéma",
                )
            )
    for position, name in enumerate(header, start=1):
        if not name:
            problems.append(
                Problem(
                    file,
                    f"colonne sans nom dans l'en-tête (colonne n° {position})",
                    1,
                    None,
                    "colonnes du schéma",
                )
            )
        elif name not in expected:
            hint = integrity.close_matches(name, set(expected) - set(header))
            problems.append(
                Problem(file, f"colonne inconnue du schéma{hint}", 1, name, "colonnes du schéma")
            )
    for name in sorted({h for h in header if h and header.count(h) > 1}):
        problems.append(
            Problem(file, "colonne en double dans l'en-tête", 1, name, "colonnes du schéma")
        )
    if not problems and header != expected:
        problems.append(
            Problem(
                file,
                "les colonnes ne sont pas dans l'ordre du schéma : " + ", ".join(expected),
                1,
                None,
                "colonnes du schéma",
            )
        )
    return problems


def _translate(file: str, err: Any, fields: dict[str, dict[str, Any]]) -> Problem:
    """Turn one frictionless error into a French problem naming line, column and rule."""
    code = err.type
    row = getattr(err, "row_number", None)
    column = getattr(err, "field_name", None) or getattr(err, "label", None)
    cell = getattr(err, "cell", None)
    note = getattr(err, "note", "")
    if code == "type-error":
        ftype = fields.get(column, {}).get("type", "")
        expected = TYPE_NAMES.get(ftype, ftype)
        hint = ""
        if _DECIMAL_COMMA.match(str(cell)):
            hint = " Virgule décimale détectée : écrivez le nombre avec un point (ex. 15.5)."
        elif _SPACED_THOUSANDS.match(str(cell)):
            hint = " Séparateur de milliers détecté : écrivez le nombre sans espace (ex. 1637478)."
        return Problem(
            file, f"« {cell} » n'est pas {expected}.{hint}", row, column, f"type {ftype}"
        )
    if code == "constraint-error":
        constraint = re.search(r'constraint "(\w+)"', note or "")
        name = constraint.group(1) if constraint else "contrainte"
        value = fields.get(column, {}).get("constraints", {}).get(name)
        return Problem(file, _constraint_message(name, cell, value, note), row, column, name)
    if code in {"primary-key", "unique-error"}:
        other = re.search(r"position (\d+)", note or "")
        where = f" (mêmes valeurs qu'à la ligne {other.group(1)})" if other else ""
        return Problem(file, f"clé primaire en double{where}", row, column, "clé primaire unique")
    if code == "missing-label":
        return Problem(
            file, "colonne obligatoire absente de l'en-tête", 1, column, "colonnes du schéma"
        )
    if code == "extra-label":
        return Problem(file, "colonne inconnue du schéma", 1, column, "colonnes du schéma")
    if code in {"incorrect-label", "duplicate-label", "blank-label"}:
        return Problem(
            file,
            f"en-tête incorrect ({note or code}) : les colonnes doivent suivre le schéma",
            1,
            column,
            code,
        )
    if code == "missing-cell":
        return Problem(
            file, "cellule manquante (ligne trop courte)", row, column, "nombre de colonnes"
        )
    if code == "extra-cell":
        return Problem(
            file,
            f"cellule en trop « {cell} » (ligne trop longue ; une virgule non protégée par des "
            "guillemets ?)",
            row,
            None,
            "nombre de colonnes",
        )
    if code == "blank-row":
        return Problem(file, "ligne vide", row, None, "pas de ligne vide")
    if code in {"encoding-error", "source-error", "scheme-error", "format-error"}:
        return Problem(file, f"fichier illisible : {note or err.message}", None, None, code)
    return Problem(file, err.message, row, column, code)


def _constraint_message(name: str, cell: Any, value: Any, note: str) -> str:
    """Return the French wording of one broken Table Schema constraint."""
    if name == "required":
        return "valeur obligatoire manquante"
    if name in {"minimum", "maximum"}:
        return _bound_message(name, cell, value)
    if name == "enum":
        return f"« {cell} » n'est pas une valeur autorisée ({', '.join(map(str, value or []))})"
    if name == "pattern":
        return f"« {cell} » ne respecte pas le format attendu ({value})"
    if name == "unique":
        return f"« {cell} » apparaît plusieurs fois alors que la colonne doit être unique"
    if name == "minLength":
        return f"« {cell} » est trop court (au moins {value} caractères)"
    if name == "maxLength":
        return f"« {cell} » est trop long (au plus {value} caractères)"
    return f"« {cell} » : {note}"


def _bound_message(kind: str, value: Any, bound: Any) -> str:
    """Return the French wording of a value outside its bounds: below a minimum, above a maximum."""
    if kind == "minimum":
        return f"« {value} » est inférieur au minimum autorisé ({bound})"
    if kind == "exclusiveMinimum":
        return f"« {value} » doit être strictement supérieur à {bound}"
    if kind == "maximum":
        return f"« {value} » dépasse le maximum autorisé ({bound})"
    return f"« {value} » doit être strictement inférieur à {bound}"


def _check_foreign_keys(info: ResourceInfo, file: str, data_dir: Path | None) -> list[Problem]:
    import pandas as pd

    foreign_keys = info.descriptor.get("schema", {}).get("foreignKeys", [])
    if not foreign_keys:
        return []
    table = _read_typed(info)
    problems = []
    for fk in foreign_keys:
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        target = resource(ref["resource"], data_dir) if ref.get("resource") else info
        if target is not info and (
            not target.path.is_file() or _own_problems(target, relative(target.path))
        ):
            continue  # the referenced table reports its own problems
        ref_table = table if target is info else _read_typed(target)
        known = {tuple(map(str, r)) for r in ref_table[ref_fields].itertuples(index=False)}
        for offset, values in enumerate(table[fields].itertuples(index=False)):
            if any(pd.isna(v) for v in values):
                continue
            if tuple(map(str, values)) not in known:
                problems.append(
                    Problem(
                        file,
                        f"« {', '.join(map(str, values))} » est inconnu dans "
                        f"{relative(target.path)} (colonne {', '.join(ref_fields)})",
                        row=offset + 2,
                        column=", ".join(fields),
                        rule=f"clé étrangère vers {target.name}",
                    )
                )
    return problems


def _parse_document(info: ResourceInfo, text: str) -> Any:
    """Parse a YAML or JSON document (C loaders when available: the GeoJSON is large)."""
    if info.format == "json":
        return json.loads(text)
    return yaml.load(text, Loader=_YAML_LOADER)


def _check_document(info: ResourceInfo, file: str, raw: bytes) -> list[Problem]:
    import jsonschema

    text = raw.decode("utf-8-sig")
    try:
        document = _parse_document(info, text)
    except json.JSONDecodeError as exc:
        return [Problem(file, f"JSON illisible : {exc.msg}", row=exc.lineno, rule="syntaxe JSON")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [
            Problem(
                file,
                f"YAML illisible : {getattr(exc, 'problem', exc)}",
                row=mark.line + 1 if mark else None,
                rule="syntaxe YAML",
            )
        ]
    schema = info.descriptor.get("jsonSchema")
    if schema is None:
        return [
            Problem(
                relative(info.descriptor_path),
                "jsonSchema manquant dans le descripteur",
                rule="schéma",
            )
        ]
    if isinstance(schema, str):
        schema = _read_yaml(info.descriptor_path.parent / schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    if not errors:
        return integrity.document_count_problems(
            info.descriptor, file, document, _line_finder(text)
        )
    # Composing the node tree is slow: only do it to locate errors (JSON is valid YAML here).
    node = yaml.compose(text)
    problems = []
    for error in errors:
        path = list(error.absolute_path)
        problems.append(
            Problem(
                file,
                _french_json_error(error),
                row=yaml_line(node, path),
                column=json_path(path) or "(racine)",
                rule=str(error.validator),
            )
        )
    return problems


def _line_finder(text: str) -> Any:
    """Return a function giving the line of a path in ``text``, composing the tree only if asked."""
    tree: list[Any] = []

    def line_of(path: Any) -> int | None:
        if not tree:
            tree.append(yaml.compose(text))
        return yaml_line(tree[0], list(path))

    return line_of


def _check_references(info: ResourceInfo, file: str, root: Path) -> list[Problem]:
    """Check every value the descriptor's ``renvois`` declare as pointing elsewhere."""
    specs = [s for s in info.descriptor.get("renvois") or [] if isinstance(s, dict)]
    if not specs:
        return []
    resources = discover(root)
    names = sorted(resources)
    typed = _read_typed(info)
    is_table = info.format == "csv"
    line_of = None if is_table else _line_finder(info.path.read_text(encoding="utf-8-sig"))
    targets: dict[str, integrity.Target | None] = {}

    def read_target(name: str) -> integrity.Target | None:
        if name not in targets:
            targets[name] = _as_target(resources.get(name), info, typed)
        return targets[name]

    def located(where: Any, message: str, rule: str) -> Problem:
        if is_table:
            row, column = where
            return Problem(file, message, row=row, column=column, rule=rule)
        return Problem(
            file, message, row=line_of(where), column=integrity.json_path(where), rule=rule
        )

    records = typed.to_dict("records") if is_table else []
    failed: set[tuple[int, str]] = set()
    problems = []
    for spec in specs:
        if isinstance(spec.get("cellule"), dict):
            for node in integrity.walk(typed if not is_table else None, str(spec["chemin"])):
                for where, message, rule in integrity.cell_problems(spec, node, read_target, names):
                    problems.append(located(where, message, rule))
            continue
        target_name = str(spec["ressource"])
        target = read_target(target_name)
        if target is None:
            if target_name not in resources:
                problems.append(
                    Problem(
                        relative(info.descriptor_path),
                        f"renvoi vers une ressource inconnue « {target_name} »"
                        + integrity.close_matches(target_name, names),
                        column="renvois",
                        rule="renvois",
                    )
                )
            continue  # otherwise the target reports its own problems
        if is_table:
            column = str(spec["chemin"])
            sources = [
                (record.get(column), record, (offset + 2, column))
                for offset, record in enumerate(records)
            ]
        else:
            sources = [(n.value, n.holder, n.path) for n in integrity.walk(typed, spec["chemin"])]
        for where, message, rule in integrity.reference_problems(spec, sources, target, failed):
            problems.append(located(where, message, rule))
    return problems


def _as_target(
    target: ResourceInfo | None, info: ResourceInfo, typed: Any
) -> integrity.Target | None:
    """Return a resource as a cross-reference target, or None if it is absent or invalid."""
    if target is None:
        return None
    if target is not info:
        if not target.path.is_file():
            return None
        trusted = _stamp(target.path, target.descriptor_path) in _OWN_GOOD
        if not trusted and _own_problems(target, relative(target.path)):
            return None
        typed = _read_typed(target)
    return integrity.Target(
        name=target.name,
        file=relative(target.path),
        data=typed,
        is_table=target.format == "csv",
        fields=[f["name"] for f in target.fields],
        primary_key=list(target.descriptor.get("schema", {}).get("primaryKey", [])),
    )


def _french_json_error(error: Any) -> str:
    kind = error.validator
    if kind == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        return f"champ obligatoire manquant : « {missing[0] if missing else error.message} »"
    if kind == "type":
        return f"« {error.instance!r} » n'a pas le type attendu ({error.validator_value})"
    if kind == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return f"« {error.instance} » n'est pas une valeur autorisée ({allowed})"
    if kind == "additionalProperties":
        return f"champ inconnu du schéma : {error.message.split('(')[-1].rstrip(')')}"
    if kind in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        return _bound_message(kind, error.instance, error.validator_value)
    if kind == "pattern":
        return f"« {error.instance} » ne respecte pas le format {error.validator_value}"
    if kind == "format":
        return f"« {error.instance} » n'est pas au format {error.validator_value}"
    if kind == "minItems":
        return (
            f"liste trop courte : {len(error.instance)} élément(s), il en faut au moins "
            f"{error.validator_value}"
        )
    if kind == "maxItems":
        return (
            f"liste trop longue : {len(error.instance)} élément(s), au plus "
            f"{error.validator_value} attendu(s)"
        )
    if kind == "minLength":
        return f"texte trop court (au moins {error.validator_value} caractère(s))"
    if kind == "uniqueItems":
        return "éléments en double dans la liste"
    return error.message


def _read_typed(info: ResourceInfo) -> Any:
    if info.format in {"yaml", "json"}:
        return _parse_document(info, info.path.read_text(encoding="utf-8-sig"))
    # Imported here, not at the top: the command line starts 0,3 s sooner, and a rebuild
    # with nothing to do must answer within a second.
    import pandas as pd

    frame = pd.read_csv(info.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = set(info.descriptor.get("schema", {}).get("missingValues", [""]))
    for spec in info.fields:
        name = spec["name"]
        if name not in frame:
            continue
        column = frame[name].where(~frame[name].isin(missing), None)
        frame[name] = _convert(column, spec.get("type", "string"))
    frame.attrs["resource"] = info.name
    frame.attrs["sources"] = info.descriptor.get("sources", [])
    return frame


def _convert(column: pd.Series, kind: str) -> pd.Series:
    import pandas as pd

    if kind in {"integer", "year"}:
        return pd.to_numeric(column).astype("Int64")
    if kind == "number":
        return pd.to_numeric(column).astype("Float64")
    if kind == "boolean":
        truth = {
            "true": True,
            "True": True,
            "TRUE": True,
            "1": True,
            "false": False,
            "False": False,
            "FALSE": False,
            "0": False,
        }
        return column.map(truth, na_action="ignore").astype("boolean")
    if kind == "date":
        return pd.to_datetime(column, format="%Y-%m-%d")
    if kind == "yearmonth":
        return column.astype("string")
    return column.astype("string")


def sources_of(name: str, data_dir: Path | None = None) -> list[dict[str, Any]]:
    """Return the declared sources of a resource (title, section, vintage), for captions."""
    return list(resource(name, data_dir).descriptor.get("sources", []))
