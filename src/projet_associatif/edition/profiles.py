"""Write a new project's Quarto book and profiles: ``_quarto.yml`` and ``_quarto-<profil>.yml``.

The base profile is named after the edition (``projet-2026``) and titled « Projet associatif
2026 ». Every profile of a new project opens with the completeness chapter; a next edition's
base profile ends (before its appendices) with what changed since the previous edition.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.texts import texts
from projet_associatif.edition.target import EditionError
from projet_associatif.edition.yaml_text import dump, reads_back
from projet_associatif.publish.book import is_home_page

MAIN_CONFIG = "_quarto.yml"
HOME_PAGE = "index.qmd"
#: « État du projet : ce qui reste à compléter », the checklist: first after the home page.
COMPLETENESS_CHAPTER = "notebooks/completude.ipynb"
#: « Ce qui a changé depuis l'édition précédente »: last chapter before the appendices.
PREVIOUS_CHAPTER = "notebooks/edition-precedente.ipynb"
#: The source audit: a blank project transcribes no source document.
AUDIT_APPENDIX = "notebooks/a2-audit.ipynb"

PROFILE_HEADER = (
    "# Profil par défaut : le projet associatif {annee}, écrit par « projet-associatif "
    "edition nouvelle ».\n"
)


def base_profile_name(year: int) -> str:
    """Return the base document's profile name for an edition (``projet-2026``)."""
    return f"projet-{year}"


def title(year: int) -> str:
    """Return the base document's title for an edition (« Projet associatif 2026 »)."""
    return texts("edition")["titre_projet"].format(annee=year)


def profile_path(root: Path, profile: str) -> Path:
    """Return the file of one profile of the project at ``root``."""
    return root / f"_quarto-{profile}.yml"


def read_yaml(path: Path) -> dict[str, Any]:
    """Return a project's YAML file, or a French error naming it."""
    try:
        return dict(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError) as exc:
        raise EditionError(f"{path} : lecture impossible ({exc}).") from exc


def default_profile(root: Path) -> str:
    """Return the default profile of the project at ``root`` (its base document)."""
    config = read_yaml(root / MAIN_CONFIG)
    name = (config.get("profile") or {}).get("default")
    if not name or not profile_path(root, name).is_file():
        raise EditionError(
            f"{root / MAIN_CONFIG} : aucun profil par défaut lisible (« profile: default: » "
            "doit nommer un fichier _quarto-<profil>.yml voisin)."
        )
    return name


def review_profiles(root: Path) -> list[str]:
    """Return the other profiles of the project at ``root`` (the reviews), in its group's order."""
    base = default_profile(root)
    names = sorted(p.name[len("_quarto-") : -len(".yml")] for p in root.glob("_quarto-*.yml"))
    groups = (read_yaml(root / MAIN_CONFIG).get("profile") or {}).get("group") or []
    order = [n for group in groups for n in group]
    names.sort(key=lambda n: order.index(n) if n in order else len(order))
    return [n for n in names if n != base]


def main_config(text: str, *, year: int, author: str, profiles: list[str]) -> str:
    """Return ``_quarto.yml`` for a new edition: default profile, group, title, author, date.

    The template's comments are kept; if its lines are not where they are expected, the
    document is written again from its content.
    """
    base = base_profile_name(year)
    group = "[" + ", ".join(profiles) + "]"
    # Quarto reads `book: author` as Markdown: the name is text, never markup.
    author = escape_markdown(author)
    quoted = json.dumps(author, ensure_ascii=False)  # a JSON string is a YAML string
    edits = [
        (r"^([ \t]+default:[ \t]*).*$", rf"\g<1>{base}"),
        (r"^([ \t]+-[ \t]*)\[projet-[^\]]*\][ \t]*$", rf"\g<1>{group}"),
        (r"^(  title:[ \t]*).*$", rf'\g<1>"{title(year)}"'),
        (r"^(  author:[ \t]*).*$", lambda m: m.group(1) + quoted),
        (r"^(  date:[ \t]*).*$", rf'\g<1>"{year}"'),
    ]
    result = text
    for pattern, repl in edits:
        result = re.sub(pattern, repl, result, count=1, flags=re.MULTILINE)
    expected = yaml.safe_load(text) or {}
    expected.setdefault("profile", {})["default"] = base
    expected["profile"]["group"] = [profiles]
    book = expected.setdefault("book", {})
    book.update({"title": title(year), "author": author, "date": str(year)})
    return result if reads_back(result, expected) else dump(expected)


def _with_completeness(chapters: list[Any]) -> list[Any]:
    """Return the chapter list with the completeness chapter right after the home page."""
    chapters = [c for c in chapters if c != COMPLETENESS_CHAPTER]
    # The home page is any index.* (the reviews' is index.md), wherever the list puts it.
    homes = [i for i, c in enumerate(chapters) if isinstance(c, str) and is_home_page(c)]
    at = homes[0] + 1 if homes else 0
    return chapters[:at] + [COMPLETENESS_CHAPTER] + chapters[at:]


def base_profile(
    template: dict[str, Any], *, year: int, previous: bool, blank: bool
) -> dict[str, Any]:
    """Return the base profile of a new edition, from the template project's base profile.

    ``previous``: add the chapter on what changed since the previous edition. ``blank``:
    drop the source audit and the template's subtitle (its slogan, not the new project's).
    """
    profile = dict(template)
    book = dict(profile.get("book") or {})
    chapters = _with_completeness(list(book.get("chapters") or [HOME_PAGE]))
    if previous and PREVIOUS_CHAPTER not in chapters:
        chapters.append(PREVIOUS_CHAPTER)
    book["chapters"] = chapters
    appendices = [a for a in book.get("appendices") or [] if not (blank and a == AUDIT_APPENDIX)]
    if appendices:
        book["appendices"] = appendices
    else:
        book.pop("appendices", None)
    book["title"] = title(year)
    if blank:
        book.pop("subtitle", None)
    profile["book"] = book
    project = dict(profile.get("project") or {})
    project["output-dir"] = f"_book/{base_profile_name(year)}"
    profile["project"] = project
    profile["pa-profil"] = title(year)
    return profile


def write_base_profile(root: Path, profile: dict[str, Any], year: int) -> Path:
    """Write the base profile of the project at ``root``; return its file."""
    path = profile_path(root, base_profile_name(year))
    path.write_text(PROFILE_HEADER.format(annee=year) + dump(profile), encoding="utf-8")
    return path


def review_profile(text: str, *, old_year: int, year: int) -> str:
    """Return a review profile for a new edition: years renamed, completeness chapter added."""
    # Every year of the edition in a review's file names that edition (title, comments).
    result = re.sub(rf"(?<!\d){old_year}(?!\d)", str(year), text)
    # Quarto's home page is any root file index.* (the reviews' is index.md).
    home = re.search(r"^([ \t]+- )index\.[A-Za-z]+[ \t]*$", result, flags=re.MULTILINE)
    expected = yaml.safe_load(result) or {}
    book = expected.get("book") or {}
    book["chapters"] = _with_completeness(list(book.get("chapters") or []))
    if home:
        line = f"{home.group(1)}{COMPLETENESS_CHAPTER}\n"
        result = result[: home.end() + 1] + line + result[home.end() + 1 :]
    return result if reads_back(result, expected) else dump(expected)
