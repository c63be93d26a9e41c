"""Blank the prose of chapters: notebooks and ``.qmd`` keep their headings and their code.

A blank project starts from the structure of a template: each heading stays (the template's
organisation renamed), each run of prose becomes one guidance line « À rédiger », code cells
stay as they are (they compute from the data, which the new project fills in), and the
``.qmd`` front matter stays.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from projet_associatif.core.texts import texts

#: A Markdown ATX heading (« # Titre {#ancre} »).
HEADING = re.compile(r"^#{1,6}\s")
#: A ``.qmd`` front matter at the very top of the file.
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


def guidance() -> str:
    """Return the guidance line that replaces a run of prose."""
    return texts("edition")["a_rediger"].strip()


#: A heading's identifier (« {#histoire-mission-locale-de-ville-a} »).
ANCHOR = re.compile(r"\{#([\w-]+)")


def slug_words(name: str) -> list[str]:
    """Return the lower-case words of a name, as they appear in a heading's identifier."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9]+", folded)


def rename(line: str, names: Mapping[str, str]) -> str:
    """Return ``line`` with each old name replaced by its new one (longest first).

    In an identifier, the words that set the old name apart (« ville-a ») become those of
    the new one (« ville-b »).
    """
    for old in sorted(names, key=len, reverse=True):
        line = line.replace(old, names[old])
    for old, new in names.items():
        line = ANCHOR.sub(lambda m, o=old, n=new: "{#" + _anchor(m[1], o, n), line)
    return line


def _anchor(identifier: str, old: str, new: str) -> str:
    """Return an identifier whose words proper to ``old`` become those proper to ``new``.

    Words of two letters or less (« de », « l ») are left: they are not what names a place.
    """
    old_words, new_words = slug_words(old), slug_words(new)
    own = {w for w in old_words if w not in new_words and len(w) > 2}
    replacement = "-".join(w for w in new_words if w not in old_words) or "organisation"
    out: list[str] = []
    for word in identifier.split("-"):
        if word not in own:
            out.append(word)
        elif replacement not in out:
            out.append(replacement)
    return "-".join(out)


def blank_markdown(text: str, names: Mapping[str, str] | None = None) -> str:
    """Return Markdown with its headings kept and each run of prose replaced by guidance.

    Fenced code (```` ``` ````) counts as prose: a blank project has nothing to show yet.
    """
    names = names or {}
    out: list[str] = []
    prose = False
    fence = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fence = not fence
            prose = True
            continue
        if not fence and HEADING.match(line):
            if prose:
                out += [guidance(), ""]
                prose = False
            out += [rename(line, names), ""]
        elif line.strip():
            prose = True
    if prose:
        out += [guidance(), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def blank_qmd(text: str, names: Mapping[str, str] | None = None) -> str:
    """Return a ``.qmd`` chapter blanked, its front matter kept as it is."""
    match = FRONT_MATTER.match(text)
    head = match.group(0) if match else ""
    return head + ("\n" if head else "") + blank_markdown(text[len(head) :], names)


def blank_notebook(source: Path, target: Path, names: Mapping[str, str] | None = None) -> None:
    """Write ``source``'s notebook to ``target`` with its Markdown cells blanked.

    Code cells keep their source, tags and metadata; outputs are cleared (they were the
    template's figures).
    """
    notebook = json.loads(source.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", []))
            cell["source"] = blank_markdown(text, names).rstrip("\n").splitlines(keepends=True)
            cell.pop("attachments", None)
        elif cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    target.write_text(
        json.dumps(notebook, ensure_ascii=False, indent=1) + "\n", encoding="utf-8", newline="\n"
    )
