"""Blank a template's data package: every descriptor and schema kept, no figure left.

Each descriptor keeps its name, path, title, format, licence, schema and ``renvois``; its
sources and description become placeholders the analyst fills, its ``actualisation`` and its
``lignes`` row counts (the template's own) go. A CSV keeps its header row only; a YAML
document is not copied (« à compléter » until written). Each folder's README becomes a short
guide.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from projet_associatif.core.texts import text, texts
from projet_associatif.data.descriptors import discover
from projet_associatif.edition.yaml_text import dump

#: Folders of a template's data/ a blank project does not take: the source's fidelity
#: checks (it transcribes no source) and the reference extract (extracted again).
NOT_COPIED = frozenset({"fidelite", "reference"})
#: Descriptor keys that describe the template's figures, not the table's structure.
DROPPED_KEYS = ("actualisation", "lignes")


def blank_descriptor(descriptor: dict) -> dict:
    """Return a descriptor without the template's figures: sources and description to fill."""
    edition = texts("edition")
    blank = {k: v for k, v in descriptor.items() if k not in DROPPED_KEYS}
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
    header = texts("edition")["entete_descripteur"] + "\n"
    for info in discover(source).values():
        relative = info.descriptor_path.relative_to(source)
        if relative.parts[0] in NOT_COPIED:
            continue
        out = target / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(header + dump(blank_descriptor(info.descriptor)), encoding="utf-8")
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
            guide.format(dossier=folder.relative_to(target).as_posix()) + "\n", encoding="utf-8"
        )
        written.append(readme)
    top = target / "README.md"
    top.write_text(text("edition-donnees-guide").format(dossier="data") + "\n", encoding="utf-8")
    written.append(top)
    return written
