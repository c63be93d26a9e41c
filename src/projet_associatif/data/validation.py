"""Check one resource against its descriptor and return its problems, in French.

In order, each step stopping the check of the file when it fails: the ``lignes``, ``renvois``
and ``actualisation`` declarations, the file (not empty, UTF-8, comma-separated), the CSV
header by name, the cells (frictionless, Table Schema) or the document (jsonschema, JSON
Schema), the row counts; then what points elsewhere: foreign keys and ``renvois``
(:mod:`projet_associatif.data.integrity`). A resource still « à compléter » (absent file,
header-only CSV, empty document: :mod:`projet_associatif.data.fill_state`) has no problem
for it: its declarations and header are checked, not its row counts nor its references, and
nothing pointing into it is checked against its emptiness. Results are memoised per state of
the files in this process, and a resource the build recorded as valid is trusted
(:mod:`projet_associatif.data.validation_record`).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml

from projet_associatif.core.errors import Problem, relative
from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.data import integrity
from projet_associatif.data.descriptors import ResourceInfo, discover, read_yaml, resource, stamp
from projet_associatif.data.fill_state import actualisation_problems, emptiness
from projet_associatif.data.messages import document_message, table_problem
from projet_associatif.data.readers import parse_document, read_typed
from projet_associatif.data.validation_record import inputs_of, passed_before

_TABLE_CHECKS: dict[tuple, tuple[list[Problem], int]] = {}
_OWN_CHECKS: dict[tuple, list[Problem]] = {}
#: Stamps of the files of resources known valid in this process: all their inputs, and
#: their own two files (a target of a cross-reference needs only to be valid on its own).
_KNOWN_GOOD: set[tuple] = set()
_OWN_GOOD: set[tuple] = set()


def check(info: ResourceInfo, data_dir: Path | None = None) -> list[Problem]:
    """Return every problem of one resource (empty when valid)."""
    file = relative(info.path)
    if not info.path.is_file():
        return _declaration_problems(info)  # an absent file is « à compléter », not an error
    root = Path(data_dir or default_data_dir())
    if _inputs_stamp(info, root) in _KNOWN_GOOD:
        return []
    if passed_before(info, data_dir):
        trust(info, root)
        return []
    problems = own_problems(info, file)
    if not problems and not emptiness(info):
        problems = _check_foreign_keys(info, file, data_dir) + _check_references(info, file, root)
    return problems


def trust(info: ResourceInfo, root: Path, resources: dict[str, ResourceInfo] | None = None) -> None:
    """Remember that a resource is valid in exactly its current state (and its targets')."""
    _KNOWN_GOOD.add(_inputs_stamp(info, root, resources))
    _OWN_GOOD.add(stamp(info.path, info.descriptor_path))


def _inputs_stamp(
    info: ResourceInfo, root: Path, resources: dict[str, ResourceInfo] | None = None
) -> tuple:
    """Return the stamp of every file a resource's check reads (a target may change too)."""
    try:
        return stamp(*(p for p in inputs_of(info, root, resources) if p.exists()))
    except OSError:
        return ()


def own_problems(info: ResourceInfo, file: str) -> list[Problem]:
    """Return the problems of a resource on its own, memoised per file state in this process.

    Cross-references need their targets to be valid on their own first; two documents may
    point at each other, so this never looks at what a resource points at.
    """
    key = (stamp(info.path, info.descriptor_path), file)
    if key not in _OWN_CHECKS:
        _OWN_CHECKS[key] = _check_own(info, file)
    return list(_OWN_CHECKS[key])


def _check_own(info: ResourceInfo, file: str) -> list[Problem]:
    """Check a resource's declarations, file, header, cells and row count, in that order."""
    declared = _declaration_problems(info)
    if declared:
        return declared
    raw = info.path.read_bytes()
    if not raw.strip(codecs.BOM_UTF8 + b" \t\r\n"):
        if info.format in {"yaml", "json"}:
            return []  # an empty document is « à compléter »
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
        if not rows:
            return problems  # header only: « à compléter », its row count is not yet due
        return problems + integrity.table_row_count_problems(info.descriptor, file, rows)
    if info.format in {"yaml", "json"}:
        return _check_document(info, file, raw)
    return [
        Problem(
            file, f"format « {info.format} » non pris en charge (csv, yaml ou json)", rule="format"
        )
    ]


def _declaration_problems(info: ResourceInfo) -> list[Problem]:
    """Return the problems of the descriptor's own declarations (lignes, renvois, actualisation)."""
    descriptor_file = relative(info.descriptor_path)
    return integrity.declaration_problems(
        info.descriptor, descriptor_file, is_table=info.format == "csv"
    ) + actualisation_problems(info.descriptor, descriptor_file)


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


def _check_table_cached(info: ResourceInfo, file: str) -> tuple[list[Problem], int]:
    """Return :func:`_check_table`'s result, memoised per file state within this process.

    frictionless takes ~50 ms a table; the audit and notebooks load the same tables often.
    """
    key = (stamp(info.path, info.descriptor_path), file)
    if key not in _TABLE_CHECKS:
        _TABLE_CHECKS[key] = _check_table(info, file)
    problems, rows = _TABLE_CHECKS[key]
    return list(problems), rows


def _check_table(info: ResourceInfo, file: str) -> tuple[list[Problem], int]:
    """Return the cell-level problems of a table and how many data rows it has."""
    # start-up cost: frictionless takes 0,5 to 3 s to import (python -X importtime, with
    # pandas); a build whose data passed before checks no table, nor do most commands.
    import frictionless

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
            problems.append(table_problem(file, err, fields))
    return problems, rows


def _check_foreign_keys(info: ResourceInfo, file: str, data_dir: Path | None) -> list[Problem]:
    """Return a problem for each value a Table Schema foreign key does not find in its target."""
    # start-up cost: core.formatting imports pandas and babel (~1 s); only reached when a
    # table with foreign keys is checked, and pandas is then already imported.
    from projet_associatif.core.formatting import is_missing

    foreign_keys = info.descriptor.get("schema", {}).get("foreignKeys", [])
    if not foreign_keys:
        return []
    table = read_typed(info)
    problems = []
    for fk in foreign_keys:
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        target = resource(ref["resource"], data_dir) if ref.get("resource") else info
        if target is not info and (
            not target.path.is_file()
            or own_problems(target, relative(target.path))
            or emptiness(target)
        ):
            continue  # the referenced table reports its own problems, or is « à compléter »
        ref_table = table if target is info else read_typed(target)
        known = {tuple(map(str, r)) for r in ref_table[ref_fields].itertuples(index=False)}
        for offset, values in enumerate(table[fields].itertuples(index=False)):
            if any(is_missing(v) for v in values):
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


def _check_document(info: ResourceInfo, file: str, raw: bytes) -> list[Problem]:
    """Return the problems of a YAML or JSON document: syntax, JSON Schema, list lengths."""
    # start-up cost: jsonschema takes about 1 s to import (python -X importtime); only
    # reached when a document is checked.
    import jsonschema

    text = raw.decode("utf-8-sig")
    try:
        document = parse_document(info, text)
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
    if document is None or document == {} or document == []:
        return []  # an empty document is « à compléter »
    if isinstance(schema, str):
        schema = read_yaml(info.descriptor_path.parent / schema)
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
                document_message(error),
                row=integrity.yaml_line(node, path),
                column=integrity.json_path(path) or "(racine)",
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
        return integrity.yaml_line(tree[0], list(path))

    return line_of


def _check_references(info: ResourceInfo, file: str, root: Path) -> list[Problem]:
    """Check every value the descriptor's ``renvois`` declare as pointing elsewhere."""
    specs = [s for s in info.descriptor.get("renvois") or [] if isinstance(s, dict)]
    if not specs:
        return []
    resources = discover(root)
    names = sorted(resources)
    typed = read_typed(info)
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
        if not target.path.is_file() or emptiness(target):
            return None  # « à compléter »: nothing to point into yet
        trusted = stamp(target.path, target.descriptor_path) in _OWN_GOOD
        if not trusted and own_problems(target, relative(target.path)):
            return None
        typed = read_typed(target)
    return integrity.Target(
        name=target.name,
        file=relative(target.path),
        data=typed,
        is_table=target.format == "csv",
        fields=[f["name"] for f in target.fields],
        primary_key=list(target.descriptor.get("schema", {}).get("primaryKey", [])),
    )
