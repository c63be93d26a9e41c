"""Quarto 1.10's own rules for a book, written apart from the package to check it against.

Each rule cites the quarto-cli source it restates; the tests apply them to the repository
and to the staging project of ``build --engine quarto``, as ``quarto render`` would.
"""

from __future__ import annotations

from pathlib import Path

import yaml


def quarto_home_page(files: list[str]) -> str | None:
    """Return the book's home page by Quarto's own rule, written here apart from the package.

    quarto-cli 1.10, src/project/types/book/book-config.ts, ``bookRenderItems``: the first
    chapter, part or appendix whose path ``isBookIndexPage`` (book-shared.ts:
    ``target.startsWith("index.")``), moved to the front; none is an error.
    """
    return next((f for f in files if f.startswith("index.")), None)


def _book_files(items: list) -> list[str]:
    """Flatten a raw ``book: chapters:`` list as Quarto reads it (parts, hrefs, nesting)."""
    found: list[str] = []
    for item in items:
        if isinstance(item, str):
            found.append(item)
        elif "part" in item:
            found += [item["part"]] if str(item["part"]).endswith((".qmd", ".md")) else []
            found += _book_files(item.get("chapters") or [])
        else:
            found.append(item["href"])
    return found


def quarto_home_text(root: Path, profile: str) -> str:
    """Return the text of the home page ``quarto render --profile <profil>`` renders in ``root``."""
    files: list[str] = []
    for key in ("chapters", "appendices"):
        # Merging a profile concatenates arrays (quarto-cli mergeConfigs; publish.book).
        for name in ("_quarto.yml", f"_quarto-{profile}.yml"):
            raw = yaml.safe_load((root / name).read_text(encoding="utf-8")) or {}
            files += _book_files((raw.get("book") or {}).get(key) or [])
    home = quarto_home_page(files)
    assert home is not None, f"{profile} : aucune page d'accueil pour Quarto"
    return (root / home).read_text(encoding="utf-8")


def title_line(text: str) -> str:
    """Return the line Quarto takes for a chapter's title: its first « # » line."""
    # Quarto takes a chapter's title from its first « # » line, whatever div it sits in
    # (src/core/pandoc/pandoc-partition.ts, partitionMarkdown).
    return next(line for line in text.splitlines() if line.startswith("# "))


def default_profile(root: Path) -> str:
    """Return the profile `quarto render` renders without --profile (``profile: default:``)."""
    base = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    return base["profile"]["default"]
