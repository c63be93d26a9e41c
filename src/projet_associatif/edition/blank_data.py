"""Blank a template's data package: every descriptor and schema kept, no figure left.

Each descriptor keeps its name, path, title, format, licence, schema and ``renvois``; its
sources and description become placeholders the analyst fills, its ``actualisation`` and its
``lignes`` row counts (the template's own) go. A CSV keeps its header row only; a YAML
document is not copied (« à compléter » until written). Each folder's README becomes a short
guide.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from pathlib import Path

import yaml

from projet_associatif.core.texts import text, texts
from projet_associatif.data.descriptors import discover
from projet_associatif.edition.yaml_text import dump

#: Folders of a template's data/ a blank project does not take: the source's fidelity
#: checks (it transcribes no source) and the reference extract (extracted again).
NOT_COPIED = frozenset({"fidelite", "reference"})
#: Descriptor keys that describe the template's figures, not the table's structure.
DROPPED_KEYS = ("actualisation", "lignes")


def template_places(data_dir: Path) -> frozenset[str]:
    """Return the names of the template's communes and EPCI (reference extract, identity)."""
    places: set[str] = set()
    path = data_dir / "reference" / "communes.csv"
    if path.is_file():
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                places.update(row[key] for key in ("nom", "nom_epci") if row.get(key))
    identity = data_dir / "association" / "identite.yaml"
    if identity.is_file():
        document = yaml.safe_load(identity.read_text(encoding="utf-8")) or {}
        places.update(e["nom"] for e in (document.get("territoire") or {}).get("epci", []))
    return frozenset(places)


def _names_a_place(values: list, places: frozenset[str]) -> bool:
    """Return whether a list of allowed values names one of the template's places."""
    text = "\n".join(str(v) for v in values)
    return any(re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text) for p in places)


def _without_place_enums(schema: dict, places: frozenset[str]) -> dict:
    """Return a Table Schema whose lists of allowed values naming the template's places go.

    The template's commune and EPCI names are its territory, not the table's
    structure: the new project's analyst writes their own places.
    """
    schema = copy.deepcopy(schema)
    for field in schema.get("fields", []):
        constraints = field.get("constraints") or {}
        if _names_a_place(constraints.get("enum") or [], places):
            del constraints["enum"]
    return schema


def blank_descriptor(descriptor: dict, places: frozenset[str] = frozenset()) -> dict:
    """Return a descriptor without the template's figures: sources and description to fill.

    ``places`` are the template's communes and EPCI: a column's allowed values naming one of
    them are dropped.
    """
    edition = texts("edition")
    blank = {k: v for k, v in descriptor.items() if k not in DROPPED_KEYS}
    if "schema" in blank:
        blank["schema"] = _without_place_enums(blank["schema"], places)
    blank["sources"] = [dict(edition["source_a_completer"])]
    if "description" in blank:
        blank["description"] = edition["description_a_completer"]
    return blank


def header_only(path: Path) -> str:
    """Return a CSV file's header row alone (its first record, quoted as needed)."""
    with open(path, encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), [])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(header)
    return out.getvalue()


def blank_data(source: Path, target: Path) -> list[Path]:
    """Write a blank copy of the data package ``source`` into ``target``; return the files.

    YAML documents are left to write (the caller writes ``identite.yaml``).
    """
    written = []
    places = template_places(source)
    header = texts("edition")["entete_descripteur"] + "\n"
    for info in discover(source).values():
        relative = info.descriptor_path.relative_to(source)
        if relative.parts[0] in NOT_COPIED:
            continue
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(header + dump(blank_descriptor(info.descriptor, places)), encoding="utf-8")
        written.append(out)
        data_file = info.path
        if info.format == "csv" and data_file.is_file():
            data_out = out.parent / info.descriptor["path"]
            data_out.write_text(header_only(data_file), encoding="utf-8", newline="\n")
            written.append(data_out)
    guide = text("edition-donnees-guide")
    for folder in sorted({p.parent for p in written}):
        readme = folder / "README.md"
        readme.write_text(
            guide.format(dossier=f"{target.name}/{folder.relative_to(target).as_posix()}") + "\n",
            encoding="utf-8",
        )
        written.append(readme)
    top = target / "README.md"
    top.write_text(guide.format(dossier=target.name) + "\n", encoding="utf-8")
    written.append(top)
    return written
