"""The published HTML opens in headless Chromium, JavaScript on and the network blocked.

Every page of the real book (chapters and « Voir le notebook » pages) loads without a
console error, without any request leaving 127.0.0.1, and every chart becomes a live
Vega view with drawn marks, an accessible name and its data table.
"""

from __future__ import annotations

import re

import browser_support as support
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module", params=["projet-2020", support.PROFILE])
def book(request, tmp_path_factory) -> support.Book:
    """Return each published document: the 2020 project and the mid-term review."""
    return support.shared_book(tmp_path_factory, request.param)


@pytest.fixture(scope="module")
def reports(book) -> dict[str, support.PageReport]:
    """Return every page's browser report for ``book`` (one Chromium pass per book)."""
    return {r.path: r for r in support.survey(book)}


def test_every_page_of_the_book_was_visited(book, reports):
    chapters = book.chapter_pages()
    notebooks = book.notebook_pages()
    # One page per entry of the profile (parts and appendices included), one notebook page
    # per executed notebook.
    from projet_associatif.publish.book import book_config

    config = book_config(book.meta["profile"])
    assert len(chapters) == len(config.entries)
    assert len(notebooks) == len(config.notebooks())
    assert set(reports) == set(chapters) | set(notebooks)
    # The links « Voir le notebook » point at pages that exist.
    for name in config.notebooks():
        stem = name.removesuffix(".ipynb")
        chapter = (book.html_dir / f"{stem}.html").read_text(encoding="utf-8")
        assert f'href="notebooks/{stem}.html"' in chapter


def test_no_console_error_and_no_page_error(reports):
    problems = {
        path: r.visit.console_errors + r.visit.page_errors
        for path, r in reports.items()
        if r.visit.console_errors or r.visit.page_errors
    }
    assert problems == {}


def test_no_request_leaves_the_machine(reports):
    external = {
        p: r.visit.external_requests for p, r in reports.items() if r.visit.external_requests
    }
    failed = {p: r.visit.failed_requests for p, r in reports.items() if r.visit.failed_requests}
    assert external == {}
    assert failed == {}
    # The chapter pages really did load their scripts and styles from the local server.
    index = reports["index.html"].visit.local_requests
    assert any(u.endswith("assets/pa-pandoc.css") for u in index)
    with_charts = [r for r in reports.values() if r.facts["charts"] and "/" not in r.path]
    assert with_charts
    for report in with_charts:
        assert any(u.endswith("assets/vega-bundle.js") for u in report.visit.local_requests)


def test_every_chart_becomes_a_live_vega_view_with_drawn_marks(book, reports):
    charts = {p: reports[p].facts["charts"] for p in book.chapter_pages()}
    assert sum(len(c) for c in charts.values()) >= 1, "le livre devrait contenir des graphiques"
    for path, page_charts in charts.items():
        assert reports[path].charts_ready, path
        for i, chart in enumerate(page_charts):
            where = f"{path}, graphique {i + 1}"
            assert chart["live"] and chart["interactive"], where
            assert chart["width"] > 50 and chart["height"] > 50, where
            assert chart["drawn"] >= 1, where


def test_notebook_pages_keep_their_static_charts(book, reports):
    pages = [reports[p] for p in book.notebook_pages()]
    charts = [c for r in pages for c in r.facts["charts"]]
    assert charts, "les pages des notebooks montrent aussi les graphiques"
    for chart in charts:
        assert not chart["live"]
        assert chart["drawn"] >= 1 and chart["width"] > 50


def test_charts_have_a_name_and_their_data(reports):
    for path, report in reports.items():
        for i, chart in enumerate(report.facts["charts"]):
            where = f"{path}, graphique {i + 1}"
            assert chart["role"] == "img", where
            assert len(chart["label"]) >= 20, where
            assert chart["summary"] == "Données du graphique", where
            assert chart["data_headers"] >= 1 and chart["data_rows"] >= 1, where


def test_every_image_has_alternative_text_and_loads(reports):
    assert {
        p: r.facts["images_without_alt"]
        for p, r in reports.items()
        if r.facts["images_without_alt"]
    } == {}
    assert {
        p: r.facts["broken_images"] for p, r in reports.items() if r.facts["broken_images"]
    } == {}


def test_every_page_says_the_data_are_fictional(book, reports):
    meta = book.meta
    if meta["profile"] == "projet-2020":
        # No measurement file: the 2020 project shows no fictional banner anywhere.
        assert meta["fictif"] is False
        assert {p: r.facts["notice"] for p, r in reports.items() if r.facts["notice"]} == {}
        return
    # The build read the « données fictives » markers of the example workbook itself.
    assert meta["fictif"] is True
    for path, report in reports.items():
        notice = report.facts["notice"]
        assert notice is not None, f"{path} : pas de bandeau « Données fictives » visible"
        assert notice.startswith("Données fictives :"), path
        assert support.SUIVI in notice, path
    # The header of the chapter pages names the review, its date and the measurement file.
    from projet_associatif.core.formatting import date_fr

    for path, report in reports.items():
        if path.startswith("notebooks/"):
            continue
        header = re.sub(r"\s+", " ", report.facts["header"])
        assert meta["profile_label"] in header, path
        assert f"données arrêtées au {date_fr(meta['as_of'])}" in header, path
        assert f"fichier de mesures : {support.SUIVI}" in header, path


def test_without_javascript_the_static_chart_stays(book):
    page_name = next(
        p
        for p in book.chapter_pages()
        if "pa-chart-view" in (book.html_dir / p).read_text(encoding="utf-8")
    )
    with support.serve(book.html_dir) as base, support.chromium() as browser:
        context = browser.new_context(java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto(base + page_name)
            view = page.locator(".pa-chart-view").first
            assert view.locator("svg").count() == 1
            assert "pa-chart-live" not in (view.get_attribute("class") or "")
            box = view.locator("svg").bounding_box()
            assert box and box["width"] > 50 and box["height"] > 50
        finally:
            context.close()


def test_the_offline_guard_catches_remote_resources(tmp_path):
    """The harness itself: a page asking a CDN is caught, so an empty list means something."""
    (tmp_path / "page.html").write_text(
        '<!DOCTYPE html><html lang="fr"><head><title>t</title>'
        '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script></head>'
        '<body><img src="http://example.org/logo.png" alt="logo"></body></html>',
        encoding="utf-8",
    )
    with (
        support.serve(tmp_path) as base,
        support.chromium() as browser,
        support.offline_page(browser, base, "page.html") as (_page, visit),
    ):
        pass
    assert "https://cdn.jsdelivr.net/npm/vega@5" in visit.external_requests
    assert "http://example.org/logo.png" in visit.external_requests
    assert visit.console_errors
