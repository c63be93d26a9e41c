"""Render the book without Quarto: Pandoc 3 (pypandoc-binary) for HTML and DOCX, Typst for PDF.

One Pandoc tree per target is built from the chapters (executed notebooks and
hand-written ``.qmd``), numbered once across the book (``numbering``), then written:

- HTML: one page per chapter (sidebar table of contents, previous/next links, the
  notebook page linked from its chapter), assets copied to ``html/assets/``;
- PDF: one Typst document (cover page, table of contents, page numbers, running
  chapter title) compiled in-process by ``typst``;
- DOCX: one Word document with Heading styles, real tables and a table-of-contents field.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import shutil
import string
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from projet_associatif.config.identity import organisation
from projet_associatif.core.paths import project_root
from projet_associatif.publish.book import APPENDICES_TITLE, BookConfig, Entry
from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.memo import Memo
from projet_associatif.publish.notebooks import (
    Target,
    accessible_tables,
    notebook_html,
    notebook_markdown,
)
from projet_associatif.publish.numbering import chapter_labels, number_book
from projet_associatif.publish.search import INDEX_NAME, SCRIPT_NAME, index_script, search_index

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
FILTERS = HERE / "filters"
PRINT_FILTER = FILTERS / "impression.lua"
# PDF and DOCX: tables span the text width, each column at least its longest word wide.
TABLE_WIDTHS_FILTER = FILTERS / "largeurs-tableaux.lua"
TYPST_IMAGES_FILTER = FILTERS / "images-typst.lua"
READER = "markdown"
PDF_NAME = "projet-associatif.pdf"
DOCX_NAME = "projet-associatif.docx"
# Fonts embedded in the typst package: Libertinus Serif has « » ’ € and U+00A0/U+202F.
MAIN_FONT = "Libertinus Serif"
CSS_FILES = ("pa-commun.css", "pa-pandoc.css", "pa-impression.css")
# PDF/UA-1: tagged PDF, document title and language, alternative text on every image.
PDF_STANDARDS = ["ua-1"]
FICTIF_LABEL = "Données fictives"


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


def pandoc_path() -> str:
    """Return the Pandoc executable shipped in the pypandoc-binary wheel."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def run_pandoc(
    args: list[str],
    text: str,
    *,
    chapter: str | None = None,
    fmt: str | None = None,
    cwd: Path | None = None,
    epoch: int | None = None,
    memo: Memo | None = None,
) -> str:
    """Run Pandoc on ``text`` and return its output; raise RenderError with its stderr.

    ``epoch`` becomes SOURCE_DATE_EPOCH: Pandoc then dates the DOCX (document properties,
    zip entries) with it instead of the clock. With ``memo`` the output is looked up first
    and stored after; only for conversions that read nothing but ``text`` and the files
    named in ``args`` (Lua filters), and write only to standard output.
    """
    if memo is None:
        return _pandoc(args, text, chapter=chapter, fmt=fmt, cwd=cwd, epoch=epoch)
    files = [Path(a) for a in args if os.path.isabs(a) and os.path.isfile(a)]
    key = memo.key("pandoc", args, text, files=files)
    with memo.claim(key):
        hit = memo.get(key)
        if hit is not None:
            return hit.decode("utf-8")
        out = _pandoc(args, text, chapter=chapter, fmt=fmt, cwd=cwd, epoch=epoch)
        memo.put(key, out.encode("utf-8"))
    return out


def _pandoc(
    args: list[str],
    text: str,
    *,
    chapter: str | None,
    fmt: str | None,
    cwd: Path | None,
    epoch: int | None,
) -> str:
    """Run the Pandoc executable (see :func:`run_pandoc`)."""
    env = None
    if epoch is not None:
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    try:
        proc = subprocess.run(
            [pandoc_path(), *args],
            input=text,
            capture_output=True,
            text=True,
            encoding="utf-8",
            cwd=cwd,
            env=env,
            check=False,
        )
    except OSError as exc:
        raise RenderError(f"Pandoc introuvable ({exc})", chapter=chapter, fmt=fmt) from exc
    if proc.returncode != 0:
        raise RenderError("Pandoc a échoué", chapter=chapter, fmt=fmt, stderr=proc.stderr)
    return proc.stdout


# --- reading the chapters -----------------------------------------------------------------


def strip_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a leading YAML front matter from a ``.qmd`` file."""
    import yaml

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
        raise RenderError(f"Chapitre introuvable : {source}", chapter=entry.file)
    meta, body = strip_front_matter(source.read_text(encoding="utf-8"))
    if meta.get("title") and not re.search(r"^#\s", body, flags=re.M):
        body = f"# {meta['title']}\n\n{body}"
    return body, None


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


# --- metadata ----------------------------------------------------------------------------


def french_date(value: Any) -> str | None:
    """Return an ISO date (or date) as « 30 septembre 2021 »; other text unchanged."""
    if value in (None, ""):
        return None
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    from babel.dates import format_date

    text = format_date(day, format="long", locale="fr_FR")
    # French writes the first day of a month as an ordinal: « 1er septembre 2021 ».
    return re.sub(r"^1 ", "1er ", text)


def source_date_epoch(meta: Mapping[str, Any]) -> int | None:
    """Return the build's SOURCE_DATE_EPOCH (``meta``, else the environment), or None."""
    value = meta.get("source_date_epoch")
    if value in (None, ""):
        value = os.environ.get("SOURCE_DATE_EPOCH", "")
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def fictional_notice(meta: Mapping[str, Any]) -> str | None:
    """Return the « Données fictives » notice when the build says the measurements are fictional.

    The build sets ``meta["fictif"]`` from the measurement file it read (its « données
    fictives » markers) and ``meta["suivi"]`` to that file; every page of every format
    then carries this sentence.
    """
    if not meta.get("fictif"):
        return None
    name = Path(str(meta["suivi"])).name if meta.get("suivi") else ""
    origin = f"du fichier d'exemple « {name} »" if name else "d'un fichier d'exemple"
    return (
        f"{FICTIF_LABEL} : les mesures de ce bilan proviennent {origin} ; "
        "elles ne décrivent pas l'activité réelle de la Mission Locale."
    )


def meta_organisation(meta: Mapping[str, Any]) -> str:
    """Return the organisation the build read from the data (else the project's data says)."""
    return str(meta.get("organisation") or organisation())


def cover_fields(config: BookConfig, meta: Mapping[str, Any]) -> dict[str, str]:
    """Return what the title page shows, from the profile and the build's ``meta``."""
    fields = {
        "title": config.title,
        "subtitle": config.subtitle or "",
        "pa-organisation": meta_organisation(meta),
        "pa-profil": str(meta.get("profile_label") or config.profile_label),
        "pa-arrete": french_date(meta.get("as_of")) or "",
        "pa-suivi": Path(str(meta["suivi"])).name if meta.get("suivi") else "",
        "pa-genere": french_date(meta.get("build_date")) or "",
        "pa-fictif": fictional_notice(meta) or "",
        "date": config.date or "",
        "lang": config.lang,
    }
    return {k: v for k, v in fields.items() if v}


def _metadata_args(fields: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for key, value in fields.items():
        args += ["-M", f"{key}={value}"]
    return args


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


def print_blocks(book: Book) -> list[Any]:
    """Return the single-document blocks: chapters in order, the appendices under a heading."""
    return [block for group in print_chapters(book) for block in group]


def typst_template_dir(work_dir: Path, root: Path) -> Path:
    """Copy the Pandoc Typst template next to the project's Quarto partials."""
    folder = work_dir / "modele-typst"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("livre.typ", "definitions.typ"):
        shutil.copyfile(TEMPLATES / "typst" / name, folder / name)
    for name in ("typst-template.typ", "typst-show.typ"):
        source = root / "report" / "typst" / name
        if not source.is_file():
            raise RenderError(f"Partiel Typst introuvable : {source}", fmt="pdf")
        shutil.copyfile(source, folder / name)
    return folder / "livre.typ"


def write_pdf(
    book: Book,
    output: Path,
    work_dir: Path,
    meta: Mapping[str, Any],
    *,
    root: Path,
    memo: Memo | None = None,
) -> Path:
    """Write the book as Typst, then compile it to PDF with the typst package."""
    import typst

    # Each chapter is written as Typst on its own (and remembered), then the template wraps
    # them: after a data change only the chapters that changed are written again.
    filters = [
        *("--lua-filter", str(PRINT_FILTER), "--lua-filter", str(TABLE_WIDTHS_FILTER)),
        *("--lua-filter", str(TYPST_IMAGES_FILTER)),
    ]
    bodies = [
        run_pandoc(
            ["-f", "json", "-t", "typst", *filters],
            json.dumps({"pandoc-api-version": book.api_version, "meta": {}, "blocks": group}),
            fmt="pdf",
            memo=memo,
        ).strip()
        for group in print_chapters(book)
    ]
    body = {"t": "RawBlock", "c": ["typst", "\n\n".join(b for b in bodies if b)]}
    doc = {"pandoc-api-version": book.api_version, "meta": {}, "blocks": [body]}
    template = typst_template_dir(work_dir, root)
    fields = cover_fields(book.config, meta)
    args = ["-f", "json", "-t", "typst", "-s", "--template", str(template), "--toc"]
    args += ["--toc-depth=2", "-V", f"mainfont={MAIN_FONT}", "-V", "papersize=a4"]
    # The numbering already wrote « Figure N : » in the captions.
    args += ["-M", "pa-legendes-numerotees=true"]
    source = run_pandoc(args + _metadata_args(fields), json.dumps(doc), fmt="pdf", cwd=work_dir)
    typ = work_dir / "projet-associatif.typ"
    typ.write_text(source, encoding="utf-8")
    try:
        # The timestamp fixes /CreationDate, /ModDate and the XMP dates; Typst derives the
        # document /ID from the title and content, so two builds give the same bytes.
        pdf = typst.compile(
            str(typ),
            root=str(work_dir),
            ignore_system_fonts=True,
            timestamp=source_date_epoch(meta),
            pdf_standards=PDF_STANDARDS,
        )
    except Exception as exc:
        hint = ""
        if "PDF/UA" in str(exc):
            hint = (
                "\nLe PDF doit respecter PDF/UA-1 (accessibilité) : chaque image a besoin "
                "d'un texte alternatif (charts.show(..., alt=...))."
            )
        raise RenderError(
            "La compilation Typst a échoué", fmt="pdf", stderr=f"{exc}{hint}\n(source : {typ})"
        ) from exc
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(pdf)
    return output


def reference_docx(root: Path, work_dir: Path) -> Path:
    """Return the project's Word reference document, or Pandoc's default in French."""
    project_reference = root / "report" / "reference.docx"
    if project_reference.is_file():
        return project_reference
    from projet_associatif.publish.docx import write_reference_docx

    return write_reference_docx(work_dir / "reference.docx")


def write_docx(
    book: Book,
    output: Path,
    work_dir: Path,
    meta: Mapping[str, Any],
    *,
    root: Path,
) -> Path:
    """Write the book as one Word document (Heading styles, real tables, TOC field)."""
    doc = {"pandoc-api-version": book.api_version, "meta": {}, "blocks": print_blocks(book)}
    fields = cover_fields(book.config, meta)
    lines = [
        f"Document : {fields['pa-profil']}" if "pa-profil" in fields else "",
        f"Données arrêtées au {fields['pa-arrete']}" if "pa-arrete" in fields else "",
        f"Fichier de mesures : {fields['pa-suivi']}" if "pa-suivi" in fields else "",
        FICTIF_LABEL if "pa-fictif" in fields else "",
    ]
    docx_fields = {
        "title": fields["title"],
        "subtitle": fields.get("subtitle", ""),
        "author": fields["pa-organisation"],
        "date": " — ".join(x for x in lines if x) or fields.get("date", ""),
        "lang": "fr-FR",
        "toc-title": "Table des matières",
    }
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    args = ["-f", "json", "-t", "docx", "-o", str(output), "--toc", "--toc-depth=2"]
    args += ["--lua-filter", str(PRINT_FILTER), "--lua-filter", str(TABLE_WIDTHS_FILTER)]
    from projet_associatif.publish.docx import prepared_reference

    epoch = source_date_epoch(meta)
    # Word repeats the reference document's header on every page: the fictional notice
    # goes there.
    reference = prepared_reference(
        reference_docx(root, work_dir),
        work_dir / "reference-construction.docx",
        header=fields.get("pa-fictif"),
        epoch=epoch,
    )
    args += ["--reference-doc", str(reference)]
    args += _metadata_args({k: v for k, v in docx_fields.items() if v})
    run_pandoc(args, json.dumps(doc), fmt="docx", cwd=work_dir, epoch=epoch)
    return output


# --- HTML --------------------------------------------------------------------------------


def _ids(node: Any, found: set[str]) -> None:
    """Collect element identifiers of a Pandoc JSON tree."""
    if isinstance(node, dict):
        kind, content = node.get("t"), node.get("c")
        if kind in ("Header",) and isinstance(content, list):
            found.add(content[1][0])
        elif kind in ("Div", "Span", "CodeBlock", "Table", "Figure") and isinstance(content, list):
            attr = content[0]
            if isinstance(attr, list) and attr and isinstance(attr[0], str) and attr[0]:
                found.add(attr[0])
        for value in node.values():
            _ids(value, found)
    elif isinstance(node, list):
        for value in node:
            _ids(value, found)


def _relink(node: Any, here: str, pages: Mapping[str, str]) -> None:
    """Point ``#id`` links at the page that holds the id (chapters are separate pages)."""
    if isinstance(node, dict):
        if node.get("t") == "Link":
            target = node["c"][2]
            url = target[0]
            if url.startswith("#") and pages.get(url[1:], here) != here:
                target[0] = pages[url[1:]] + url
        for value in node.values():
            _relink(value, here, pages)
    elif isinstance(node, list):
        for value in node:
            _relink(value, here, pages)


def sidebar_html(book: Book, current: str) -> str:
    """Return the book's table of contents, parts and appendices nested, current page marked."""

    def item(chapter: Chapter) -> str:
        mark = ' aria-current="page"' if chapter.page == current else ""
        return f'<a href="{chapter.page}"{mark}>{html.escape(chapter.title)}</a>'

    parts: list[str] = []
    open_group: str | None = None
    for chapter in book.chapters:
        entry = chapter.entry
        group = (
            entry.part
            if entry.part is not None
            else ("annexes" if entry.role == "appendix" else None)
        )
        if open_group is not None and group != open_group:
            parts.append("</ul></li>")
            open_group = None
        if entry.role == "part":
            parts.append(f'<li class="pa-partie">{item(chapter)}<ul>')
            open_group = entry.file or entry.title
            continue
        if group == "annexes" and open_group is None:
            parts.append(f'<li class="pa-partie"><span>{APPENDICES_TITLE}</span><ul>')
            open_group = "annexes"
        parts.append(f"<li>{item(chapter)}</li>")
    if open_group is not None:
        parts.append("</ul></li>")
    return "<ul>" + "".join(parts) + "</ul>"


def page_toc_html(blocks: list[Any]) -> str:
    """Return the « Sur cette page » list of the chapter's level-2 headings."""
    items = [
        f'<li><a href="#{html.escape(b["c"][1][0])}">{html.escape(stringify(b["c"][2]))}</a></li>'
        for b in blocks
        if b.get("t") == "Header" and b["c"][0] == 2 and b["c"][1][0]
    ]
    if len(items) < 2:
        return ""
    return (
        '<nav class="pa-sur-cette-page" aria-labelledby="pa-sur-cette-page-titre">'
        '<h2 id="pa-sur-cette-page-titre">Sur cette page</h2><ul>' + "".join(items) + "</ul></nav>"
    )


def pager_html(book: Book, index: int) -> str:
    """Return the previous/next chapter links."""
    links = []
    if index > 0:
        prev = book.chapters[index - 1]
        links.append(
            f'<a class="pa-precedent" rel="prev" href="{prev.page}">'
            f"<span>Précédent</span> {html.escape(prev.title)}</a>"
        )
    if index < len(book.chapters) - 1:
        nxt = book.chapters[index + 1]
        links.append(
            f'<a class="pa-suivant" rel="next" href="{nxt.page}">'
            f"<span>Suivant</span> {html.escape(nxt.title)}</a>"
        )
    return (
        '<nav class="pa-pages" aria-label="Chapitre précédent et suivant">'
        + "".join(links)
        + "</nav>"
    )


def copy_assets(html_dir: Path, root: Path) -> None:
    """Ship the CSS, the Vega bundle and pa-charts.js with the pages (nothing from a CDN)."""
    assets = html_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    for name in CSS_FILES:
        source = root / "report" / "assets" / name
        if not source.is_file():
            raise RenderError(f"Feuille de style introuvable : {source}", fmt="html")
        shutil.copyfile(source, assets / name)
    loader = HERE / "assets" / "pa-charts.js"
    if not loader.is_file():
        loader = root / "report" / "assets" / "pa-charts.js"
    if not loader.is_file():
        raise RenderError("pa-charts.js introuvable (projet_associatif/assets/).", fmt="html")
    shutil.copyfile(loader, assets / "pa-charts.js")
    search_script = HERE / "assets" / SCRIPT_NAME
    if not search_script.is_file():
        raise RenderError(f"{SCRIPT_NAME} introuvable (projet_associatif/assets/).", fmt="html")
    shutil.copyfile(search_script, assets / SCRIPT_NAME)
    (assets / "vega-bundle.js").write_text(vega_bundle(), encoding="utf-8")


def vega_bundle() -> str:
    """Return the offline Vega bundle, made once per environment by the charts module.

    Read from its file when it exists: importing the charts module (altair) to find it
    would cost more than the copy.
    """
    from projet_associatif.core.paths import vega_bundle_path

    path = vega_bundle_path()
    if path.is_file():
        return path.read_text(encoding="utf-8")
    from projet_associatif.present.charts import vega_bundle as make_bundle

    return make_bundle()


def notice_html(meta: Mapping[str, Any]) -> str:
    """Return the « Données fictives » banner of an HTML page (empty for real data)."""
    notice = fictional_notice(meta)
    if not notice:
        return ""
    label, _, rest = notice.partition(" : ")
    return (
        '<p class="pa-fictif" role="note">'
        f"<strong>{html.escape(label)}</strong> : {html.escape(rest)}</p>"
    )


#: What a reader downloads, by format: file published next to html/, and its label.
DOWNLOADS = {
    "pdf": (PDF_NAME, "PDF (à imprimer)"),
    "docx": (DOCX_NAME, "DOCX (à modifier dans Word ou LibreOffice)"),
}


def downloads_html(formats: Sequence[str]) -> str:
    """Return the page header's links to the PDF and DOCX of the same render."""
    links = [
        f'<a href="../{DOWNLOADS[f][0]}" download>{html.escape(DOWNLOADS[f][1])}</a>'
        for f in formats
        if f in DOWNLOADS
    ]
    if not links:
        return ""
    return f'<p class="pa-telechargements">Télécharger le rapport : {" · ".join(links)}</p>'


_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)
_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>", re.DOTALL)


def scrolling_tables(body: str) -> str:
    """Put each table in a box of its own that scrolls sideways when the table is too wide.

    A wide table must not widen the page (at 390 px, a phone): its box scrolls instead.
    The box is a named region reachable with the keyboard, so that it can be scrolled
    without a mouse (WCAG 2.1.1; axe-core's « scrollable-region-focusable »).
    """

    def wrap(match: re.Match[str]) -> str:
        caption = _CAPTION.search(match.group(0))
        text = re.sub(r"<[^>]+>", "", caption.group(1)) if caption else ""
        label = html.escape(" ".join(html.unescape(text).split()) or "Tableau", quote=True)
        return (
            f'<div class="pa-tableau" role="region" tabindex="0" aria-label="{label}">'
            f"{match.group(0)}</div>"
        )

    return _TABLE.sub(wrap, body)


def write_html(
    book: Book,
    html_dir: Path,
    meta: Mapping[str, Any],
    *,
    root: Path,
    memo: Memo | None = None,
    downloads: Sequence[str] = (),
) -> Path:
    """Write one page per chapter, the notebook pages, the assets; return index.html.

    The search index of every chapter page goes to ``assets/recherche-index.js``; it is
    made from the page bodies, which Pandoc's memo already remembers, and costs no more
    than writing the pages (so it is not remembered on its own).

    ``downloads`` names the other formats of this render ("pdf", "docx"): every chapter
    page links to them (they are published next to ``html/``).
    """
    html_dir.mkdir(parents=True, exist_ok=True)
    copy_assets(html_dir, root)
    pages: dict[str, str] = {}
    for chapter in book.chapters:
        found: set[str] = set()
        _ids(chapter.blocks, found)
        for ident in found:
            pages.setdefault(ident, chapter.page)
    template = string.Template((TEMPLATES / "page.html").read_text(encoding="utf-8"))
    fields = cover_fields(book.config, meta)
    indexed: list[tuple[str, str, str]] = []
    for index, chapter in enumerate(book.chapters):
        _relink(chapter.blocks, chapter.page, pages)
        doc = {"pandoc-api-version": book.api_version, "meta": {}, "blocks": chapter.blocks}
        body = run_pandoc(
            ["-f", "json", "-t", "html5", "--wrap=none"],
            json.dumps(doc),
            chapter=chapter.entry.file or chapter.title,
            fmt="html",
            memo=memo,
        )
        body = scrolling_tables(accessible_tables(body))
        indexed.append((chapter.page, chapter.title, body))
        scripts = ""
        if "pa-chart-view" in body:
            scripts = (
                '<script src="assets/vega-bundle.js" defer></script>\n'
                '<script src="assets/pa-charts.js" defer></script>'
            )
        page = template.substitute(
            lang=html.escape(book.config.lang),
            page_title=html.escape(chapter.title),
            organisation=html.escape(fields["pa-organisation"]),
            book_title=html.escape(book.config.title),
            subtitle=html.escape(book.config.subtitle or ""),
            profile=html.escape(fields.get("pa-profil", "")),
            as_of=html.escape(
                f" — données arrêtées au {fields['pa-arrete']}" if "pa-arrete" in fields else ""
            ),
            suivi=html.escape(
                f" — fichier de mesures : {fields['pa-suivi']}" if "pa-suivi" in fields else ""
            ),
            notice=notice_html(meta),
            downloads=downloads_html(downloads),
            scripts=scripts,
            sidebar=sidebar_html(book, chapter.page),
            page_toc=page_toc_html(chapter.blocks),
            body=body,
            pager=pager_html(book, index),
        )
        (html_dir / chapter.page).write_text(page, encoding="utf-8")
        if chapter.notebook is not None:
            try:
                notebook_html(
                    chapter.notebook,
                    html_dir / "notebooks" / f"{chapter.entry.stem}.html",
                    title=chapter.title,
                    back_href=f"../{chapter.page}",
                    notice=fictional_notice(meta),
                    memo=memo,
                )
            except RenderError as exc:
                raise exc.in_format("html") from exc
    index = index_script(search_index(indexed))
    (html_dir / "assets" / INDEX_NAME).write_text(index, encoding="utf-8")
    return html_dir / "index.html"
