"""Read the book's chapters into Pandoc trees, numbered once across the book.

Each entry of the profile's book (executed notebook or hand-written ``.qmd``) becomes
Pandoc's JSON blocks for one target format; figures and tables then get chapter-based
numbers as Quarto gives them (``numbering``). The HTML site writes one page per chapter;
PDF and DOCX put the chapters in one document (:func:`print_chapters`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from projet_associatif.core.errors import relative
from projet_associatif.core.paths import project_root
from projet_associatif.present.blocks import ToComplete
from projet_associatif.publish.book import APPENDICES_TITLE, BookConfig, Entry
from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.memo import Memo
from projet_associatif.publish.notebooks import Target, notebook_markdown
from projet_associatif.publish.numbering import chapter_labels, number_book
from projet_associatif.publish.tools import run_pandoc

READER = "markdown"


@dataclass
class Chapter:
    """One entry of the book with its Pandoc blocks and where it is published."""

    entry: Entry
    blocks: list[Any]
    title: str
    page: str
    notebook: Path | None = None


@dataclass
class Book:
    """The chapters of one target, in reading order, numbered."""

    config: BookConfig
    target: Target
    api_version: list[int]
    chapters: list[Chapter] = field(default_factory=list)


# --- reading the chapters -----------------------------------------------------------------


def strip_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a leading YAML front matter from a ``.qmd`` file."""
    match = re.match(r"\A---[ \t]*\n(.*?)\n(---|\.\.\.)[ \t]*\n", text, flags=re.S)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError:
        meta = {}
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


def page_name(entry: Entry) -> str:
    """Return the HTML file of an entry: the home page is index.html."""
    return "index.html" if entry.stem == "index" else f"{entry.stem}.html"


def chapter_markdown(
    config: BookConfig,
    entry: Entry,
    *,
    target: Target,
    executed_dir: Path,
    figures_dir: Path,
    figures_href: str,
    root: Path,
    memo: Memo | None = None,
) -> tuple[str, Path | None]:
    """Return the Markdown of one entry for ``target`` (and the executed notebook used)."""
    if entry.file is None:
        return f"# {entry.title}\n", None
    if entry.is_notebook:
        notebook = executed_dir / Path(entry.file).name
        text = notebook_markdown(
            notebook,
            target=target,
            figures_dir=figures_dir,
            figures_href=figures_href,
            chapter=entry.stem,
            memo=memo,
        )
        if target == "html":
            link = f"[Voir le notebook](notebooks/{entry.stem}.html)"
            text += f"\n::: {{.pa-voir-notebook}}\n{link}\n:::\n"
        return text, notebook
    source = config.source(entry, root)
    if not source.is_file():
        return missing_chapter_markdown(source, root), None
    meta, body = strip_front_matter(source.read_text(encoding="utf-8"))
    if meta.get("title") and not re.search(r"^#\s", body, flags=re.M):
        body = f"# {meta['title']}\n\n{body}"
    return body, None


#: The title of a hand-written chapter not written yet (its file is absent).
MISSING_CHAPTER_TITLE = "Chapitre à rédiger"


def missing_chapter_markdown(source: Path, root: Path) -> str:
    """Return what stands for a hand-written chapter whose file is absent: a heading, a box.

    A new project lists its chapters before they are written: the book still builds, and
    the box names the file to write, as for a table still to fill in.
    """
    box = ToComplete(
        relative(source, root),
        "ce chapitre, rédigé en Markdown (Quarto), n'est pas encore écrit.",
        "Créez ce fichier : un titre de niveau 1 (« # Titre »), puis le texte du chapitre.",
    )
    return f"# {MISSING_CHAPTER_TITLE}\n\n{box.markdown}"


def stringify(inlines: list[Any]) -> str:
    """Return the plain text of Pandoc JSON inlines."""
    out: list[str] = []
    for node in inlines:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps", "Superscript"):
            out.append(stringify(content))
        elif kind in ("Span", "Link", "Image"):
            out.append(stringify(content[1]))
        elif kind == "Quoted":
            out.append("« " + stringify(content[1]) + " »")
        elif kind == "Code":
            out.append(content[1])
    return "".join(out)


def first_heading(blocks: list[Any]) -> dict[str, Any] | None:
    """Return the first Header block (searching inside Divs)."""
    for block in blocks:
        if block.get("t") == "Header":
            return block
        if block.get("t") == "Div":
            found = first_heading(block["c"][1])
            if found:
                return found
    return None


def read_book(
    config: BookConfig,
    executed_dir: Path,
    *,
    target: Target,
    figures_dir: Path,
    figures_href: str,
    root: Path | None = None,
    memo: Memo | None = None,
) -> Book:
    """Read every entry of the book into Pandoc blocks for ``target``, numbered once."""
    base = root or project_root()
    shift_headings = target != "html"
    book: Book | None = None
    chapters: list[Chapter] = []
    for entry in config.entries:
        name = entry.file or entry.title or entry.stem
        try:
            text, notebook = chapter_markdown(
                config,
                entry,
                target=target,
                executed_dir=executed_dir,
                figures_dir=figures_dir,
                figures_href=figures_href,
                root=base,
                memo=memo,
            )
        except RenderError as exc:
            raise exc.in_format(target) from exc
        args = ["-f", READER, "-t", "json"]
        if shift_headings and entry.depth:
            # Single-file book: chapters of a part and appendices go one level down.
            args.append(f"--shift-heading-level-by={entry.depth}")
        doc = json.loads(run_pandoc(args, text, chapter=name, fmt=target, memo=memo))
        if book is None:
            book = Book(config=config, target=target, api_version=doc["pandoc-api-version"])
        heading = first_heading(doc["blocks"])
        title = stringify(heading["c"][2]) if heading else (entry.title or entry.stem)
        chapters.append(Chapter(entry, doc["blocks"], title, page_name(entry), notebook))
    if book is None:
        raise RenderError("Le livre ne contient aucun chapitre.", fmt=target)
    book.chapters = _numbered(book, chapters)
    return book


def _numbered(book: Book, chapters: list[Chapter]) -> list[Chapter]:
    """Give figures and tables chapter-based numbers, as Quarto does; size columns by content."""
    roles = [c.entry.role for c in chapters]
    numbered = [not _is_unnumbered(first_heading(c.blocks)) for c in chapters]
    labels = chapter_labels(roles, numbered)
    blocks = number_book([c.blocks for c in chapters], labels)
    for chapter, chapter_blocks in zip(chapters, blocks, strict=True):
        chapter.blocks = chapter_blocks
    return chapters


def _is_unnumbered(heading: dict[str, Any] | None) -> bool:
    """Tell whether a chapter's title carries Quarto's ``.unnumbered`` class."""
    return heading is not None and "unnumbered" in heading["c"][1][1]


# --- print (PDF and DOCX) ------------------------------------------------------------------


def print_chapters(book: Book) -> list[list[Any]]:
    """Return each chapter's blocks for a single document, the appendices under a heading."""
    groups: list[list[Any]] = []
    appendices_started = False
    for chapter in book.chapters:
        blocks: list[Any] = []
        if chapter.entry.role == "appendix" and not appendices_started:
            appendices_started = True
            title = [{"t": "Str", "c": APPENDICES_TITLE}]
            blocks.append({"t": "Header", "c": [1, ["annexes", [], []], title]})
        content = list(chapter.blocks)
        if book.target == "pdf":
            # Typst marker read by the running header (report/typst/typst-template.typ),
            # placed after the title so that it lands on the chapter's first page.
            marker = f"#metadata({json.dumps(chapter.title, ensure_ascii=False)}) <pa-chapitre>"
            at = next((i + 1 for i, b in enumerate(content) if b.get("t") == "Header"), 0)
            content.insert(at, {"t": "RawBlock", "c": ["typst", marker]})
        groups.append(blocks + content)
    return groups
