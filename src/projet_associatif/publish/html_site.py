"""Write the book as an HTML site: one page per chapter, assets and search index shipped.

Each page has the book's table of contents (parts and appendices nested), the chapter's
« Sur cette page » list, previous/next links, the links to the PDF and DOCX of the same
render, and the notebook page linked from its chapter. Nothing is loaded from a CDN: the
CSS, the Vega bundle, ``pa-charts.js`` and the search script are copied to ``assets/``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from projet_associatif.core.paths import vega_bundle_path
from projet_associatif.publish.book import APPENDICES_TITLE, DOCX_NAME, PDF_NAME
from projet_associatif.publish.book_tree import Book, Chapter, stringify
from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.memo import Memo
from projet_associatif.publish.metadata import cover_fields, fictional_notice
from projet_associatif.publish.notebooks import accessible_tables, notebook_html
from projet_associatif.publish.search import INDEX_NAME, SCRIPT_NAME, index_script, search_index
from projet_associatif.publish.tools import run_pandoc

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
ASSETS = HERE / "assets"
CSS_FILES = ("pa-commun.css", "pa-pandoc.css", "pa-impression.css")


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
    loader = ASSETS / "pa-charts.js"
    if not loader.is_file():
        loader = root / "report" / "assets" / "pa-charts.js"
    if not loader.is_file():
        raise RenderError(
            "pa-charts.js introuvable (projet_associatif/publish/assets/).", fmt="html"
        )
    shutil.copyfile(loader, assets / "pa-charts.js")
    search_script = ASSETS / SCRIPT_NAME
    if not search_script.is_file():
        raise RenderError(
            f"{SCRIPT_NAME} introuvable (projet_associatif/publish/assets/).", fmt="html"
        )
    shutil.copyfile(search_script, assets / SCRIPT_NAME)
    (assets / "vega-bundle.js").write_text(vega_bundle(), encoding="utf-8")


def vega_bundle() -> str:
    """Return the offline Vega bundle, made once per environment by the charts module.

    Read from its file when it exists: importing the charts module (altair) to find it
    would cost more than the copy.
    """
    path = vega_bundle_path()
    if path.is_file():
        return path.read_text(encoding="utf-8")
    # start-up cost: the charts module imports altair and vl-convert (about 1 s), which
    # only a build without the bundle file needs.
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
            book_title=html.escape(book.config.title),
            organisation=html.escape(fields["pa-organisation"]),
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
