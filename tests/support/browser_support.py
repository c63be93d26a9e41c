"""Build the real book once per test session and open its pages in headless Chromium, offline.

The browser, accessibility, publication and reproducibility tests share two books, each
``projet-associatif build`` as typed (data validation, papermill execution of the real
notebooks, Pandoc + Typst rendering, atomic publication) run on a copy of the project: the
2020 projet associatif itself, and the bilan-intermédiaire review (its own document) with
the fictional measurement file of ``exemples/``. Each takes about a minute on two cores, so
both are cached in this module for the whole pytest process.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROFILE = "bilan-intermediaire"
SUIVI = "suivi-fictif.xlsx"
#: 2024-01-02T00:00:00Z: any fixed value; the outputs must not depend on the clock.
EPOCH = 1_704_153_600
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: even a request that escaped page routing could not resolve a name.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


#: What a copy of the project needs to build (the repository minus generated files).
_NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "build", "_book", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info"
)


@dataclass(frozen=True, eq=False)
class Book:
    """The shared book: what ``projet-associatif build`` executed and published."""

    executed_dir: Path
    published_dir: Path
    outputs: dict[str, Path]
    meta: dict[str, Any]

    @property
    def html_dir(self) -> Path:
        """Return the directory of the HTML site."""
        return self.outputs["html"].parent

    def chapter_pages(self) -> list[str]:
        """Return the chapter pages (relative to the site), in file-name order."""
        return sorted(p.name for p in self.html_dir.glob("*.html"))

    def notebook_pages(self) -> list[str]:
        """Return the standalone notebook pages (« Voir le notebook »)."""
        return sorted(f"notebooks/{p.name}" for p in (self.html_dir / "notebooks").glob("*.html"))

    def pages(self) -> list[str]:
        """Return every HTML page of the site."""
        return self.chapter_pages() + self.notebook_pages()

    def rendered_files(self) -> list[Path]:
        """Return the files the renderer wrote (the build adds manifest.json beside them)."""
        return sorted(
            p for p in self.published_dir.rglob("*") if p.is_file() and p.name != "manifest.json"
        )


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    """Set environment variables for a while, and let project_root() see the change."""
    from projet_associatif.core.paths import project_root

    previous = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    project_root.cache_clear()
    try:
        yield
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        project_root.cache_clear()


def build_through_cli(project: Path, profile: str, suivi: Path | None = None) -> dict[str, Path]:
    """Run ``projet-associatif build`` through the real parser on ``project``; return outputs.

    All three formats, Pandoc + Typst, two notebooks at a time; the outputs (``html``,
    ``pdf``, ``docx``) are read from the published manifest.
    """
    from projet_associatif.cli.main import main
    from projet_associatif.core.paths import ROOT_ENV

    argv = ["build", "--profile", profile, "--format", "html,pdf,docx", "--engine", "pandoc"]
    argv += ["--jobs", "2", *(["--suivi", str(suivi)] if suivi else [])]
    with _environment(**{ROOT_ENV: str(project), "SOURCE_DATE_EPOCH": str(EPOCH)}):
        code = main(argv)
    assert code == 0, f"projet-associatif {' '.join(argv)} : code {code}"
    published = project / "_book" / profile
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    return {name: published / path for name, path in manifest["formats_publies"].items()}


def build_book(
    base: Path,
    prepare: Callable[[Path], None] | None = None,
    profile: str = PROFILE,
    suivi: str | None = SUIVI,
) -> Book:
    """Run the real build (validation, papermill, render, publish) on a copy of the project.

    It goes through the command line as typed (:func:`build_through_cli`). The copy keeps
    the repository's build/ and _book/ untouched; ``prepare``, when given, edits the copy
    (its root is passed) before the build. The renderer's ``meta`` is recorded on its way
    through the build's render seam, so that tests can render again from the same inputs.
    """
    from projet_associatif.core.paths import project_root
    from projet_associatif.pipeline import build

    project = base / "projet"
    shutil.copytree(project_root(), project, ignore=_NOT_COPIED)
    if prepare is not None:
        prepare(project)
    seen: dict[str, Any] = {}
    real_render = build._render

    def recording_render(executed_dir: Path, staging: Path, **kwargs: Any) -> dict[str, Path]:
        seen.update(kwargs)
        return real_render(executed_dir, staging, **kwargs)

    build._render = recording_render
    try:
        suivi_path = project / "exemples" / suivi if suivi else None
        outputs = build_through_cli(project, profile, suivi_path)
    finally:
        build._render = real_render
    executed_dir = project / "build" / profile / "notebooks"
    return Book(executed_dir, project / "_book" / profile, outputs, dict(seen["meta"]))


#: An empty workbook, as ``projet-associatif suivi modele`` writes it, in the project copy.
EMPTY_SUIVI = "suivi-vide.xlsx"


def _write_empty_workbook(project: Path) -> None:
    from projet_associatif.suivi.template import write_template

    write_template(project / "exemples" / EMPTY_SUIVI, project / "data")


@functools.cache
def _shared_book(base: Path, profile: str, suivi: str | None) -> Book:
    prepare = _write_empty_workbook if suivi == EMPTY_SUIVI else None
    return build_book(base, prepare=prepare, profile=profile, suivi=suivi)


def shared_book(tmp_path_factory, profile: str = PROFILE) -> Book:
    """Return the session's book of ``profile``, built on first use (once per pytest process).

    The reviews are built with the fictional measurement file, projet-2020 without any.
    """
    name = "livre-partage" if profile == PROFILE else f"livre-partage-{profile}"
    base = tmp_path_factory.getbasetemp() / name
    base.mkdir(exist_ok=True)
    return _shared_book(base, profile, None if profile == "projet-2020" else SUIVI)


def shared_empty_review(tmp_path_factory, profile: str) -> Book:
    """Return the review ``profile`` built from an empty workbook (once per pytest process)."""
    base = tmp_path_factory.getbasetemp() / f"livre-vide-{profile}"
    base.mkdir(exist_ok=True)
    return _shared_book(base, profile, EMPTY_SUIVI)


def shared_book_2020(tmp_path_factory) -> Book:
    """Return the session's 2020 projet associatif, built on first use (once per process)."""
    return shared_book(tmp_path_factory, "projet-2020")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) and yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch Debian's Chromium headless through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise RuntimeError(
            f"{CHROMIUM} est absent : installez le paquet Debian « chromium » "
            "(python3 run.py test le fait quand il tourne en root)."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """What happened while a page loaded: console errors, page errors, blocked requests."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    local_requests: list[str] = field(default_factory=list)


@contextmanager
def offline_page(browser: Any, base_url: str, path: str) -> Iterator[tuple[Any, Visit]]:
    """Open ``base_url + path`` with JavaScript on and every non-local request aborted."""
    context = browser.new_context(java_script_enabled=True, locale="fr-FR")
    visit = Visit(base_url + path)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(base_url):
            visit.local_requests.append(url)
            route.continue_()
        else:
            visit.external_requests.append(url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and visit.console_errors.append(m.text))
    page.on("pageerror", lambda e: visit.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: visit.failed_requests.append(r.url))
    try:
        page.goto(visit.url, wait_until="load")
        yield page, visit
    finally:
        context.close()


def wait_for_charts(page: Any, timeout_ms: int = 20_000) -> None:
    """Wait until pa-charts.js has replaced every static chart with a live Vega view."""
    page.wait_for_function(
        """() => {
            const views = document.querySelectorAll('.pa-chart-view');
            return Array.from(views).every(v => v.classList.contains('pa-chart-live'));
        }""",
        timeout=timeout_ms,
    )


#: Collected in one evaluation per page: what the browser tests assert on.
_PAGE_FACTS = """() => {
  const visible = (el) => !!el && el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility !== 'hidden';
  const charts = Array.from(document.querySelectorAll('.pa-chart-view')).map((view) => {
    const svg = view.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    // Data marks of a Vega view (not axes, legends or titles) drawn with a visible size;
    // the static SVG of vl-convert has the same structure.
    const drawn = svg ? Array.from(svg.querySelectorAll('g.role-mark > *')).filter((m) => {
      const b = m.getBBox ? m.getBBox() : {width: 0, height: 0};
      return b.width > 0 || b.height > 0;
    }).length : 0;
    const figure = view.closest('figure');
    const details = figure ? figure.querySelector('details') : null;
    const summary = details ? details.querySelector('summary') : null;
    return {
      live: view.classList.contains('pa-chart-live'),
      interactive: !!view.querySelector('.pa-chart-interactive.vega-embed svg.marks'),
      role: view.getAttribute('role'),
      label: (view.getAttribute('aria-label') || '').trim(),
      width: box.width,
      height: box.height,
      drawn: drawn,
      summary: summary ? summary.textContent.trim() : null,
      data_headers: details ? details.querySelectorAll('th').length : 0,
      data_rows: details ? details.querySelectorAll('tbody tr').length : 0,
    };
  });
  const notice = document.querySelector('.pa-fictif');
  return {
    lang: document.documentElement.lang,
    title: document.title,
    charts: charts,
    images_without_alt: Array.from(document.querySelectorAll('img'))
      .filter((img) => !(img.getAttribute('alt') || '').trim())
      .map((img) => img.getAttribute('src')),
    broken_images: Array.from(document.querySelectorAll('img'))
      .filter((img) => !img.complete || img.naturalWidth === 0)
      .map((img) => img.getAttribute('src')),
    notice: notice && visible(notice) ? notice.textContent.replace(/\\s+/g, ' ').trim() : null,
    header: (document.querySelector('header') || document.body).innerText,
    thead_th_without_scope: document.querySelectorAll('thead th:not([scope])').length,
  };
}"""


@dataclass
class PageReport:
    """One page as the browser saw it: load events, facts, axe-core violations."""

    path: str
    visit: Visit
    facts: dict[str, Any]
    charts_ready: bool
    violations: list[dict[str, Any]]
    axe_version: str


def run_axe(page: Any) -> tuple[list[dict[str, Any]], str]:
    """Run axe-core (WCAG 2.1 A and AA, plus structure rules) and return its violations."""
    from axe_playwright_python.sync_playwright import Axe

    options = {
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        # Best-practice rules about structure, on top of the WCAG tags.
        "rules": {
            rule: {"enabled": True}
            for rule in (
                "heading-order",
                "landmark-one-main",
                "page-has-heading-one",
                "region",
                "empty-table-header",
                "landmark-unique",
            )
        },
        "resultTypes": ["violations"],
    }
    response = Axe().run(page, options=options).response
    return response["violations"], response["testEngine"]["version"]


def survey_site(html_dir: Path, pages: list[str], *, chapter_pages: set[str]) -> list[PageReport]:
    """Visit every page offline: wait for the live charts, collect facts, run axe-core."""
    reports = []
    with serve(html_dir) as base_url, chromium() as browser:
        for path in pages:
            with offline_page(browser, base_url, path) as (page, visit):
                ready = True
                # Chapter pages load the Vega bundle; notebook pages keep their static SVG.
                if path in chapter_pages and page.locator(".pa-chart-view").count():
                    try:
                        wait_for_charts(page)
                    except Exception:  # the assertion on `live` says which chart failed
                        ready = False
                facts = page.evaluate(_PAGE_FACTS)
                violations, version = run_axe(page)
                reports.append(PageReport(path, visit, facts, ready, violations, version))
    return reports


@functools.cache
def _survey(book: Book) -> tuple[PageReport, ...]:
    return tuple(survey_site(book.html_dir, book.pages(), chapter_pages=set(book.chapter_pages())))


def survey(book: Book) -> tuple[PageReport, ...]:
    """Return the reports of every page of ``book`` (one browser pass per pytest process)."""
    return _survey(book)


#: The window widths every page must fit: a laptop and a phone (CSS pixels).
WINDOW_WIDTHS = (1280, 390)

#: The page's width against the window's, and the outermost elements that stick out.
_WIDTH_FACTS = """() => {
  const inner = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    const parent = el.parentElement;
    if (right > inner + 1 && parent && parent.getBoundingClientRect().right <= inner + 1) {
      const text = (el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 60);
      out.push(`<${el.tagName.toLowerCase()} class="${el.className}"> ${Math.round(right)} px : ${text}`);
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: inner, culprits: out.slice(0, 5)};
}"""


def too_wide_pages(html_dir: Path, pages: list[str], widths=WINDOW_WIDTHS) -> dict[str, Any]:
    """Return the pages wider than the window, per width, with what sticks out of them."""
    found: dict[str, Any] = {}
    with serve(html_dir) as base_url, chromium() as browser:
        for width in widths:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
            context.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith(base_url) else route.abort()
                ),
            )
            try:
                page = context.new_page()
                for path in pages:
                    page.goto(base_url + path, wait_until="load")
                    # The live Vega views replace the static charts: measure the page after.
                    if not path.startswith("notebooks/") and page.locator(".pa-chart-view").count():
                        wait_for_charts(page)
                    facts = page.evaluate(_WIDTH_FACTS)
                    if facts["scroll"] > facts["inner"]:
                        found[f"{path} à {width} px"] = facts
            finally:
                context.close()
    return found
