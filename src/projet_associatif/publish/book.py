"""Read the Quarto book configuration of a profile, merged the way Quarto merges it.

`_quarto.yml` is the single source of truth for the chapters: the Pandoc renderer and
the build read it here and never keep a second list.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from projet_associatif.core.paths import project_root
from projet_associatif.publish.errors import RenderError

BASE_CONFIG = "_quarto.yml"
# A Quarto book's home page is the chapter whose path, relative to the project, starts
# with « index. » (quarto-cli 1.10, src/project/types/book/book-shared.ts,
# ``isBookIndexPage``: ``target.startsWith("index.")``), any extension an engine claims
# (.qmd, .md, .ipynb). ``bookRenderItems`` (book-config.ts) moves it to the front, and
# fails when no chapter is one: « Book contents must include a home page (e.g. index.md) ».
# Each profile names its own in its chapter list: index.qmd (the projet), index.md (the
# reviews). The book renders only its chapters (``project: render:``), so the other one
# is not an input of the render (project-context.ts, ``projectInputFiles``).
HOME_PREFIX = "index."
APPENDICES_TITLE = "Annexes"
# What every engine publishes next to html/ (and the HTML pages offer to download).
PDF_NAME = "projet-associatif.pdf"
DOCX_NAME = "projet-associatif.docx"
DOCUMENT_SUFFIXES = (".qmd", ".ipynb", ".md")

Role = Literal["chapter", "part", "appendix"]


@dataclass(frozen=True)
class Entry:
    """One item of the book in reading order: a chapter, a part page or an appendix."""

    file: str | None
    role: Role
    part: str | None = None
    title: str | None = None

    @property
    def is_notebook(self) -> bool:
        """Tell whether the entry is a notebook executed by the build."""
        return bool(self.file) and self.file.endswith(".ipynb")

    @property
    def stem(self) -> str:
        """Return the file name without extension (or a slug of a part title)."""
        if self.file:
            return Path(self.file).stem
        return _slug(self.title or "partie")

    @property
    def depth(self) -> int:
        """Return how many levels the headings go down in a single-file book."""
        return 1 if (self.part is not None or self.role == "appendix") else 0


@dataclass(frozen=True)
class BookConfig:
    """The merged configuration of one profile: metadata, entries in order, formats."""

    profile: str
    title: str
    subtitle: str | None
    author: str | None
    date: str | None
    lang: str
    output_dir: str
    output_file: str
    profile_label: str
    entries: tuple[Entry, ...]
    formats: Mapping[str, Any] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def chapters(self) -> tuple[Entry, ...]:
        """Return every entry in reading order, part pages and appendices included."""
        return self.entries

    def notebooks(self) -> list[str]:
        """Return the notebook file names (``01-valeurs.ipynb``…) the build must execute."""
        return [Path(e.file).name for e in self.entries if e.is_notebook and e.file]

    @property
    def home(self) -> Entry:
        """Return the home page, first of the entries as Quarto places it."""
        return self.entries[0]

    def source(self, entry: Entry, root: Path | None = None) -> Path:
        """Return where a hand-written entry lives in the repository."""
        base = root or project_root()
        if entry.file is None:
            raise ValueError("Cette entrée n'a pas de fichier source.")
        return base / entry.file


def merge_configs(base: Any, override: Any) -> Any:
    """Merge two YAML trees like Quarto: objects merge, arrays concatenate, scalars replace.

    Quarto (``mergeConfigs``, lodash ``mergeWith`` with ``mergeArrayCustomizer``)
    concatenates arrays and drops duplicates by their JSON form, keeping the first.
    """
    if isinstance(base, list) or isinstance(override, list):
        if not base:
            return override
        if not override:
            return base
        combined = list(base if isinstance(base, list) else [base])
        combined += override if isinstance(override, list) else [override]
        seen: set[str] = set()
        unique = []
        for value in combined:
            key = json.dumps(value, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                unique.append(value)
        return unique
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge_configs(base[key], value) if key in base else value
        return merged
    return override


def read_yaml(path: Path) -> dict[str, Any]:
    """Read one Quarto YAML file, with a French error naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RenderError(f"Configuration Quarto illisible : {path} ({exc})") from exc
    if not isinstance(data, dict):
        raise RenderError(f"Configuration Quarto invalide : {path} n'est pas un dictionnaire.")
    return data


def profiles(root: Path | None = None) -> list[str]:
    """Return the profiles that have a ``_quarto-<profil>.yml`` file, sorted."""
    base = root or project_root()
    return sorted(p.stem.removeprefix("_quarto-") for p in base.glob("_quarto-*.yml"))


def merged_settings(profile: str | None = None, root: Path | None = None) -> dict[str, Any]:
    """Return ``_quarto.yml`` merged with ``_quarto-<profile>.yml`` (and the profile used)."""
    base = root or project_root()
    config = read_yaml(base / BASE_CONFIG)
    # Quarto removes the `profile` key before merging and uses its `default`.
    profile_section = config.pop("profile", {}) or {}
    chosen = profile or _default_profile(profile_section)
    if not chosen:
        raise RenderError("Aucun profil demandé et aucun profil par défaut dans _quarto.yml.")
    path = base / f"_quarto-{chosen}.yml"
    if not path.is_file():
        known = ", ".join(profiles(base)) or "aucun"
        raise RenderError(f"Profil inconnu : « {chosen} » (profils disponibles : {known}).")
    merged = merge_configs(config, read_yaml(path))
    merged["profile"] = chosen
    return merged


def book_config(profile: str | None = None, root: Path | None = None) -> BookConfig:
    """Return the book of ``profile``: title, subtitle, entries in order, formats."""
    settings = merged_settings(profile, root)
    book = settings.get("book") or {}
    project = settings.get("project") or {}
    entries = _entries(book.get("chapters") or [], "chapter")
    entries += _entries(book.get("appendices") or [], "appendix")
    if not entries:
        raise RenderError(f"Le profil « {settings['profile']} » ne déclare aucun chapitre.")
    entries = home_first(entries, settings["profile"])
    title = str(book.get("title") or settings.get("title") or "")
    return BookConfig(
        profile=settings["profile"],
        title=title,
        subtitle=_text(book.get("subtitle")),
        author=_text(book.get("author")),
        date=_text(book.get("date")),
        lang=str(settings.get("lang") or "fr"),
        output_dir=str(project.get("output-dir") or "_book"),
        output_file=str(book.get("output-file") or "projet-associatif"),
        profile_label=str(settings.get("pa-profil") or settings["profile"]),
        entries=tuple(entries),
        formats=settings.get("format") or {},
        settings=settings,
    )


def is_home_page(file: str | None) -> bool:
    """Tell whether a chapter file is a book's home page, by Quarto's rule (``index.*``)."""
    return file is not None and file.startswith(HOME_PREFIX)


def home_first(entries: list[Entry], profile: str) -> list[Entry]:
    """Return the entries with the home page first, as Quarto orders a book; none is an error."""
    # The first one found, parts and appendices included: book-config.ts, bookRenderItems.
    found = next((i for i, e in enumerate(entries) if is_home_page(e.file)), None)
    if found is None:
        raise RenderError(
            f"Le profil « {profile} » n'a pas de page d'accueil : Quarto exige parmi les "
            "chapitres du livre un fichier index.qmd (ou index.md) à la racine du projet."
        )
    return [entries[found], *entries[:found], *entries[found + 1 :]]


def _default_profile(section: Any) -> str | None:
    if not isinstance(section, dict):
        return None
    default = section.get("default")
    if isinstance(default, list):
        return str(default[0]) if default else None
    if default:
        return str(default)
    groups = section.get("group") or []
    # As in Quarto, the first member of a group is active when nothing is asked.
    if groups and isinstance(groups[0], list):
        return str(groups[0][0])
    return str(groups[0]) if groups else None


def _entries(items: list[Any], role: Role, part: str | None = None) -> list[Entry]:
    found: list[Entry] = []
    for item in items:
        if isinstance(item, str):
            found.append(Entry(file=item, role=role, part=part))
        elif isinstance(item, dict) and "part" in item:
            label = str(item["part"])
            is_file = label.endswith(DOCUMENT_SUFFIXES)
            found.append(
                Entry(
                    file=label if is_file else None,
                    role="part",
                    title=None if is_file else label,
                )
            )
            found += _entries(item.get("chapters") or [], role, part=label)
        elif isinstance(item, dict) and item.get("href"):
            found.append(Entry(file=str(item["href"]), role=role, part=part))
        else:
            raise RenderError(f"Entrée de livre non reconnue dans _quarto.yml : {item!r}")
    return found


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "partie"
