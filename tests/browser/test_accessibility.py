"""Accessibility of the published HTML: axe-core (WCAG 2.1 A and AA) finds nothing.

The same browser pass as tests/browser/test_browser.py (one per pytest process) runs axe-core,
shipped inside the axe-playwright-python wheel, on every page of the real book; the
other tests check what axe cannot: language, keyboard access, print styles, and that
colour is never the only mark of a link or of the current page.
"""

from __future__ import annotations

import browser_support as support
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module", params=["projet-2020", support.PROFILE])
def surveyed(request, tmp_path_factory) -> tuple[support.Book, dict[str, support.PageReport]]:
    """Return each published document (2020 project, mid-term review) and its page reports."""
    book = support.shared_book(tmp_path_factory, request.param)
    return book, {r.path: r for r in support.survey(book)}


def summary(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}) : {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    ]


def test_axe_finds_no_violation_on_any_page(surveyed):
    book, reports = surveyed
    # The shared book is the mid-term review, its own document since issue 11.
    assert set(reports) == set(book.pages()) and len(reports) >= 7
    found = {path: summary(r.violations) for path, r in reports.items() if r.violations}
    assert found == {}


def test_axe_is_the_bundled_axe_core_4(surveyed):
    _, reports = surveyed
    versions = {r.axe_version for r in reports.values()}
    assert len(versions) == 1
    assert versions.pop().startswith("4.")


def test_axe_reports_real_problems(tmp_path):
    """The harness itself: a page with known faults gets violations, so zero means something."""
    (tmp_path / "mauvaise.html").write_text(
        "<!DOCTYPE html><html><head><title>t</title></head><body>"
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        '<p style="color:#aaa;background:#fff">texte pâle</p>'
        '<a href="#"></a></body></html>',
        encoding="utf-8",
    )
    with (
        support.serve(tmp_path) as base,
        support.chromium() as browser,
        support.offline_page(browser, base, "mauvaise.html") as (page, _visit),
    ):
        violations, _version = support.run_axe(page)
    ids = {v["id"] for v in violations}
    assert {"html-has-lang", "image-alt", "color-contrast", "link-name"} <= ids


def test_every_page_is_in_french(surveyed):
    _, reports = surveyed
    assert {p: r.facts["lang"] for p, r in reports.items() if r.facts["lang"] != "fr"} == {}
    assert all(r.facts["title"].strip() for r in reports.values())


def test_table_headers_have_a_scope(surveyed):
    _, reports = surveyed
    assert {
        p: r.facts["thead_th_without_scope"]
        for p, r in reports.items()
        if r.facts["thead_th_without_scope"]
    } == {}


@pytest.fixture(scope="module")
def browser():
    with support.chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(book):
    with support.serve(book.html_dir) as base:
        yield base


def test_skip_link_is_first_and_visible_with_a_focus_outline(browser, site, book):
    for path in ("index.html", "06-bilan.html"):
        with support.offline_page(browser, site, path) as (page, _visit):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => {
                  const el = document.activeElement;
                  const box = el.getBoundingClientRect();
                  const style = getComputedStyle(el);
                  return {cls: el.className, href: el.getAttribute('href'),
                          inView: box.left >= 0 && box.top >= 0 && box.width > 0,
                          outline: style.outlineStyle, outlineWidth: style.outlineWidth,
                          target: !!document.getElementById('contenu')};
                }"""
            )
            assert focused["cls"] == "pa-evitement" and focused["href"] == "#contenu", path
            assert focused["inView"] and focused["target"], path
            assert focused["outline"] != "none" and focused["outlineWidth"] != "0px", path
            page.keyboard.press("Enter")
            assert page.evaluate("location.hash") == "#contenu"


def test_data_table_of_a_chart_opens_from_the_keyboard(browser, site, book):
    path = next(
        p
        for p in book.chapter_pages()
        if "pa-chart-data" in (book.html_dir / p).read_text(encoding="utf-8")
    )
    with support.offline_page(browser, site, path) as (page, _visit):
        summary_el = page.locator("details.pa-chart-data > summary").first
        summary_el.focus()
        assert not page.locator("details.pa-chart-data").first.evaluate("d => d.open")
        page.keyboard.press("Enter")
        assert page.locator("details.pa-chart-data").first.evaluate("d => d.open")
        assert page.locator("details.pa-chart-data table").first.is_visible()


def test_colour_is_not_the_only_mark_of_links_and_current_page(browser, site, book):
    with support.offline_page(browser, site, "06-bilan.html") as (page, _visit):
        styles = page.evaluate(
            """() => {
              const deco = (el) => getComputedStyle(el).textDecorationLine;
              const inText = Array.from(document.querySelectorAll('main p a, main li a'));
              const current = document.querySelector('.pa-sommaire a[aria-current="page"]');
              const cs = getComputedStyle(current);
              const notice = getComputedStyle(document.querySelector('.pa-fictif'));
              return {
                links: inText.length,
                plain: inText.filter((a) => !deco(a).includes('underline')).map((a) => a.href),
                currentWeight: cs.fontWeight, currentBorder: cs.borderLeftStyle,
                noticeBorder: notice.borderTopStyle,
              };
            }"""
        )
    assert styles["links"] >= 1
    assert styles["plain"] == []
    assert int(styles["currentWeight"]) >= 600 and styles["currentBorder"] != "none"
    assert styles["noticeBorder"] != "none"


def test_print_stylesheet_hides_navigation_and_keeps_the_notice(browser, site, book):
    with support.offline_page(browser, site, "06-bilan.html") as (page, _visit):
        page.emulate_media(media="print")
        assert not page.locator(".pa-sommaire").is_visible()
        assert not page.locator(".pa-pages").is_visible()
        assert page.locator(".pa-fictif").is_visible()
        assert page.locator("main h1").first.is_visible()
        page.emulate_media(media="screen")
        assert page.locator(".pa-sommaire").is_visible()
