"""Check what spans a whole resource or several: row counts (``lignes``) and ids (``renvois``).

Both are declared in a resource's descriptor (``<name>.resource.yaml``), next to its schema:

``lignes``
    How many rows a table must have, from the source (``{exact: 8, selon: "…"}`` or
    ``{minimum: 1, selon: "…"}``); for a document, a list of such entries, each with the
    ``chemin`` of a list that must not be emptied (``{chemin: "fiches", exact: 18, …}``).
``renvois``
    The values that point at another table or document: ``{chemin, ressource, champ}`` (the
    values at ``chemin`` must be found at ``champ`` of ``ressource``: a column of a table, or
    a path in a document), optionally ``avec`` (sibling values that must match together) and
    ``filtre`` (only some rows or items of the target count); or ``{chemin, cellule}`` for an
    object naming a resource, a row and a column of a table.

Paths read like ``correspondances[*].faiblesses[*].elements[*]``: ``[*]`` is every item of a
list; for a table, ``chemin`` is a column name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from projet_associatif.core.errors import Problem

_TOKEN = re.compile(r"\[(\*|\d+)\]|([^.\[\]]+)")


def parse_path(text: str) -> list[str | int | None]:
    """Return the parts of a path: keys, list indexes, and None for ``[*]``."""
    parts: list[str | int | None] = []
    for index, key in _TOKEN.findall(str(text)):
        if key:
            parts.append(key)
        else:
            parts.append(None if index == "*" else int(index))
    return parts


@dataclass(frozen=True)
class Node:
    """One value found at a path, with where it is and the mapping that holds it."""

    path: tuple[str | int, ...]
    value: Any
    holder: Mapping[str, Any] | None


def walk(document: Any, path: str) -> Iterator[Node]:
    """Yield every value at ``path`` (absent keys are skipped: optional parts stay optional)."""

    def descend(value: Any, parts: list, where: tuple, holder: Any) -> Iterator[Node]:
        if not parts:
            yield Node(where, value, holder)
            return
        head, rest = parts[0], parts[1:]
        if isinstance(head, str):
            if isinstance(value, Mapping) and head in value:
                yield from descend(value[head], rest, (*where, head), value)
        elif isinstance(value, list):
            indexes = range(len(value)) if head is None else [head]
            for i in indexes:
                if 0 <= i < len(value):
                    yield from descend(value[i], rest, (*where, i), holder)

    yield from descend(document, parse_path(path), (), None)


def json_path(path: list[Any] | tuple[Any, ...]) -> str:
    """Return a path as readers write it: ``correspondances[3].fiche``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def yaml_line(node: Any, path: list[Any] | tuple[Any, ...]) -> int | None:
    """Return the 1-based line of the YAML node at ``path`` (closest existing ancestor)."""
    current = node
    for part in path:
        if isinstance(current, yaml.MappingNode):
            match = next((v for k, v in current.value if k.value == str(part)), None)
        elif (
            isinstance(current, yaml.SequenceNode)
            and isinstance(part, int)
            and part < len(current.value)
        ):
            match = current.value[part]
        else:
            match = None
        if match is None:
            break
        current = match
    return current.start_mark.line + 1 if current is not None else None


def close_matches(value: Any, candidates: Any) -> str:
    """Return « — vouliez-vous dire « x » ? » for the closest known values, or nothing."""
    known = sorted({str(c) for c in candidates if c is not None})
    found = difflib.get_close_matches(str(value), known, n=3, cutoff=0.6)
    if not found:
        return ""
    # Only the matches about as close as the best: « allier_ensemble », not every « _ensemble ».
    ratio = {f: difflib.SequenceMatcher(None, str(value), f).ratio() for f in found}
    found = [f for f in found if ratio[f] >= ratio[found[0]] - 0.05]
    names = [f"« {f} »" for f in found]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " ou " + names[-1]
    return f" — vouliez-vous dire {listed} ?"


# --- row counts -------------------------------------------------------------------------------


def _expected(spec: Mapping[str, Any]) -> tuple[str, int] | None:
    for kind in ("exact", "minimum"):
        if isinstance(spec.get(kind), int) and not isinstance(spec.get(kind), bool):
            return kind, spec[kind]
    return None


def _count_problem(kind: str, wanted: int, found: int) -> str | None:
    if kind == "exact" and found != wanted:
        return f"{found} au lieu de {wanted}"
    if kind == "minimum" and found < wanted:
        return f"{found}, il en faut au moins {wanted}"
    return None


def _rule(kind: str, wanted: int) -> str:
    return f"lignes : {'exactement' if kind == 'exact' else 'au moins'} {wanted}"


def _source_says(spec: Mapping[str, Any]) -> str:
    return f" (selon la source : {spec['selon']})" if spec.get("selon") else ""


def declaration_problems(
    descriptor: Mapping[str, Any], descriptor_file: str, *, is_table: bool
) -> list[Problem]:
    """Return what is wrong with the ``lignes`` and ``renvois`` declarations themselves."""
    problems = []
    specs = descriptor.get("lignes")
    if specs is not None:
        if is_table != isinstance(specs, Mapping):
            form = (
                "{exact: N, selon: …} ou {minimum: N, selon: …}"
                if is_table
                else "une liste d'entrées {chemin: …, exact: N, selon: …}"
            )
            problems.append(
                Problem(
                    descriptor_file,
                    f"déclaration du nombre de lignes invalide : pour "
                    f"{'une table' if is_table else 'un document'}, écrivez {form}",
                    column="lignes",
                    rule="lignes",
                )
            )
            specs = []
        listed = [specs] if isinstance(specs, Mapping) else specs
        for i, spec in enumerate(listed):
            valid = isinstance(spec, Mapping) and _expected(spec) is not None
            if not valid or (not is_table and "chemin" not in spec):
                where = "lignes" if is_table else f"lignes[{i}]"
                problems.append(
                    Problem(
                        descriptor_file,
                        "déclaration du nombre de lignes invalide : écrivez {exact: N} ou "
                        "{minimum: N} (N entier), avec « selon » qui cite la source"
                        + ("" if is_table else " et « chemin » qui désigne la liste"),
                        column=where,
                        rule="lignes",
                    )
                )
    for i, spec in enumerate(descriptor.get("renvois") or []):
        ok = isinstance(spec, Mapping) and "chemin" in spec
        ok = ok and (
            isinstance(spec.get("cellule"), Mapping) or ("ressource" in spec and "champ" in spec)
        )
        if not ok:
            problems.append(
                Problem(
                    descriptor_file,
                    "renvoi invalide : écrivez {chemin, ressource, champ} ou {chemin, cellule}",
                    column=f"renvois[{i}]",
                    rule="renvois",
                )
            )
    return problems


def table_row_count_problems(descriptor: Mapping[str, Any], file: str, rows: int) -> list[Problem]:
    """Return a problem when a table has fewer (or, for ``exact``, other) rows than declared."""
    spec = descriptor.get("lignes")
    if not isinstance(spec, Mapping) or _expected(spec) is None:
        return []
    kind, wanted = _expected(spec)  # type: ignore[misc]
    gap = _count_problem(kind, wanted, rows)
    if gap is None:
        return []
    return [
        Problem(
            file,
            f"nombre de lignes de données : {gap}{_source_says(spec)}. Le tableau a-t-il été "
            "tronqué ou des lignes supprimées par erreur ?",
            rule=_rule(kind, wanted),
        )
    ]


def _lists_at(document: Any, path: str) -> list[Node]:
    """Return the lists a ``lignes`` entry counts, a missing one as a node whose value is None.

    A list missing from its object counts as empty (the analyst deleted the key with its
    items); a missing parent is not counted here (its own entry, or the schema, reports it).
    """
    parts = parse_path(path)
    if not parts or not isinstance(parts[-1], str):
        return list(walk(document, path))
    key, parent = parts[-1], parts[:-1]
    parents = [Node((), document, None)] if not parent else list(walk(document, _join(parent)))
    return [
        Node((*node.path, key), node.value.get(key), node.value)
        for node in parents
        if isinstance(node.value, Mapping)
    ]


def _join(parts: list[str | int | None]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, str):
            out += f".{part}" if out else part
        else:
            out += "[*]" if part is None else f"[{part}]"
    return out


def document_count_problems(
    descriptor: Mapping[str, Any], file: str, document: Any, line_of: Callable[[tuple], int | None]
) -> list[Problem]:
    """Return a problem for each declared list of a document that is shorter than declared."""
    specs = descriptor.get("lignes")
    if not isinstance(specs, list):
        return []
    problems = []
    for spec in specs:
        if not isinstance(spec, Mapping) or _expected(spec) is None or "chemin" not in spec:
            continue
        kind, wanted = _expected(spec)  # type: ignore[misc]
        nodes = _lists_at(document, str(spec["chemin"]))
        for node in nodes:
            found = len(node.value) if isinstance(node.value, list) else 0
            gap = _count_problem(kind, wanted, found)
            if gap is None:
                continue
            problems.append(
                Problem(
                    file,
                    f"nombre d'éléments de la liste : {gap}{_source_says(spec)}. La liste a-t-elle "
                    "été vidée ou raccourcie par erreur ?",
                    row=line_of(node.path),
                    column=json_path(node.path),
                    rule=_rule(kind, wanted),
                )
            )
    return problems


# --- cross-references -------------------------------------------------------------------------


@dataclass
class Target:
    """What a cross-reference can point at: a table (DataFrame) or a document, by name."""

    name: str
    file: str
    data: Any
    is_table: bool
    fields: list[str]
    primary_key: list[str]


#: Return the target resource (None when it does not exist or has problems of its own).
TargetReader = Callable[[str], "Target | None"]


def _text(value: Any) -> str | None:
    """Return a value as the text it is compared by, None when it is missing."""
    # start-up cost: core.formatting imports pandas and babel (~1 s); cross-references are
    # only checked when a table is loaded, and pandas is then already imported.
    from projet_associatif.core.formatting import is_missing

    return None if is_missing(value) else str(value)


def _target_keys(spec: Mapping[str, Any], target: Target) -> list[tuple[str | None, ...]]:
    """Return the (value, *avec values) tuples the target offers, after its ``filtre``."""
    together = dict(spec.get("avec") or {})
    kept = dict(spec.get("filtre") or {})
    if target.is_table:
        frame = target.data
        columns = [spec["champ"], *together.values()]
        keys = []
        for record in frame.to_dict("records"):
            if all(_text(record.get(k)) == _text(v) for k, v in kept.items()):
                keys.append(tuple(_text(record.get(c)) for c in columns))
        return keys
    keys = []
    for node in walk(target.data, str(spec["champ"])):
        holder = node.holder or {}
        if all(_text(holder.get(k)) == _text(v) for k, v in kept.items()):
            keys.append((_text(node.value), *(_text(holder.get(c)) for c in together.values())))
    return keys


def _where_target(spec: Mapping[str, Any], target: Target) -> str:
    what = f"colonne {spec['champ']}" if target.is_table else f"chemin {spec['champ']}"
    kept_only = spec.get("filtre") or {}
    if kept_only:
        kept = ", ".join(f"{k} = {'(vide)' if v is None else v}" for k, v in kept_only.items())
        what += f", parmi les {'lignes' if target.is_table else 'éléments'} où {kept}"
    return f"{target.file} ({what})"


def reference_problems(
    spec: Mapping[str, Any],
    sources: list[tuple[Any, Mapping[str, Any] | None, Any]],
    target: Target,
    failed: set[tuple[int, str]],
) -> list[tuple[Any, str, str]]:
    """Return (location, message, rule) for each value of ``sources`` the target lacks.

    ``sources`` holds (value, holder, location) for every value at the renvoi's ``chemin``;
    the location is given back as it came. ``failed`` records (holder, key) pairs already
    reported, across the renvois of one resource: a value whose ``avec`` names one of them is
    not reported again (an unknown theme, not also each of its items).
    """
    keys = _target_keys(spec, target)
    values = {k[0] for k in keys}
    siblings = dict(spec.get("avec") or {})
    found = []
    last = parse_path(str(spec["chemin"]))[-1]
    for value, holder, location in sources:
        text = _text(value)
        if text is None:
            continue
        if holder is not None and any((id(holder), k) in failed for k in siblings):
            continue  # the sibling it goes with is already reported
        context = tuple(_text((holder or {}).get(k)) for k in siblings)
        if (text, *context) in keys:
            continue
        if holder is not None and isinstance(last, str):
            failed.add((id(holder), last))
        rule = f"renvoi vers {target.name}"
        if text not in values or not siblings:
            message = f"« {text} » est inconnu dans {_where_target(spec, target)}" + close_matches(
                text, values
            )
        else:
            together = ", ".join(f"{k} « {c} »" for k, c in zip(siblings, context, strict=True))
            fitting = [k[0] for k in keys if k[1:] == context]
            message = (
                f"« {text} » existe dans {_where_target(spec, target)}, mais pas avec "
                f"{together}" + close_matches(text, fitting)
            )
        found.append((location, message, rule))
    return found


def cell_problems(
    spec: Mapping[str, Any],
    node: Node,
    read_target: TargetReader,
    resource_names: list[str],
) -> list[tuple[tuple, str, str]]:
    """Return (path, message, rule) for an object that names a table, a row and a column."""
    keys = dict(spec["cellule"])
    value = node.value
    if not isinstance(value, Mapping) or keys.get("ressource") not in value:
        return []  # another kind of item (a quotation): nothing points elsewhere
    r_key, c_key, f_key = keys.get("ressource"), keys.get("cle"), keys.get("champ")
    name = str(value[r_key])
    path = node.path
    if name not in resource_names:
        return [
            (
                (*path, r_key),
                f"ressource inconnue « {name} »" + close_matches(name, resource_names),
                "ressource connue",
            )
        ]
    target = read_target(name)
    if target is None:
        return []  # the target reports its own problems
    if not target.is_table:
        return [((*path, r_key), f"« {name} » est un document, pas une table", "table")]
    problems = []
    rule = f"cellule de {name}"
    if f_key and f_key in value and str(value[f_key]) not in target.fields:
        field = str(value[f_key])
        problems.append(
            (
                (*path, f_key),
                f"colonne « {field} » inconnue dans {target.file}"
                + close_matches(field, target.fields),
                rule,
            )
        )
    if c_key and c_key in value:
        problems += _row_key_problems(value[c_key], (*path, c_key), target, rule)
    return problems


def _row_key_problems(
    row_key: Any, path: tuple, target: Target, rule: str
) -> list[tuple[tuple, str, str]]:
    frame = target.data
    if isinstance(row_key, Mapping):
        selector = {str(k): v for k, v in row_key.items()}
    elif len(target.primary_key) == 1:
        selector = {target.primary_key[0]: row_key}
    else:
        keys = ", ".join(target.primary_key) or "aucune"
        return [
            (
                path,
                f"la clé primaire de {target.file} a plusieurs champs ({keys}) : désignez la "
                "ligne par {colonne: valeur}",
                rule,
            )
        ]
    problems = []
    mask = None
    for column, wanted in selector.items():
        where = path if not isinstance(row_key, Mapping) else (*path, column)
        if column not in frame.columns:
            problems.append(
                (
                    where,
                    f"colonne « {column} » inconnue dans {target.file}"
                    + close_matches(column, target.fields),
                    rule,
                )
            )
            continue
        texts = frame[column].map(_text)
        if str(wanted) not in set(texts):
            problems.append(
                (
                    where,
                    f"« {wanted} » est inconnu dans {target.file} (colonne {column})"
                    + close_matches(wanted, texts),
                    rule,
                )
            )
        match = texts == str(wanted)
        mask = match if mask is None else mask & match
    if not problems and mask is not None and int(mask.sum()) != 1:
        problems.append(
            (
                path,
                f"{dict(selector)} désigne {int(mask.sum())} lignes de {target.file} : il en faut "
                "exactement une",
                rule,
            )
        )
    return problems
