"""Write a new project's README, home page and ``.gitignore`` from the package's templates."""

from __future__ import annotations

from pathlib import Path

from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.texts import text

#: What a project's build writes and git should not keep.
GITIGNORE = (
    "build/",
    "_book/",
    "_freeze/",
    ".quarto/",
    ".ipynb_checkpoints/",
    "__pycache__/",
)


def _write(path: Path, content: str) -> Path:
    path.write_text(content.rstrip("\n") + "\n", encoding="utf-8", newline="\n")
    return path


def write_next_readme(
    root: Path, *, organisation: str, year: int, previous: int, name: str
) -> Path:
    """Write the README of a next edition: build, validate, update, rewrite, follow up."""
    content = text("edition-readme-suivante").format(
        organisation=organisation, annee=year, precedente=previous, dossier=name
    )
    return _write(root / "README.md", content)


def write_blank_readme(
    root: Path, *, organisation: str, year: int, epci: list[str], name: str
) -> Path:
    """Write the README of a blank project: build, fill the data, write the texts."""
    content = text("edition-readme-vierge").format(
        organisation=organisation, annee=year, epci=", ".join(epci), dossier=name
    )
    return _write(root / "README.md", content)


def write_home_page(root: Path, *, organisation: str, year: int) -> Path:
    """Write ``index.qmd`` of a blank project: the home page's heading and what to write."""
    # Markdown that Quarto and Pandoc render: the name is text, never markup.
    content = text("edition-accueil").format(organisation=escape_markdown(organisation), annee=year)
    return _write(root / "index.qmd", content)


def write_gitignore(root: Path) -> Path:
    """Write the project's ``.gitignore``: what builds write."""
    return _write(root / ".gitignore", "\n".join(GITIGNORE))
