"""The review's pages on screen: no horizontal scroll at 1280 px nor at 390 px (issue 11).

Uses the session's shared book (the bilan intermédiaire built from the fictional workbook).
On a narrow screen the status grid and the fiche tables become one card per row, each cell
preceded by its column's name.
"""

from __future__ import annotations

import browser_support as support
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REVIEW_PAGES = (
    "index.html",
    "06-bilan.html",
    "06-bilan-fiches.html",
    "06-bilan-preconisations.html",
)


@pytest.fixture(scope="module")
def browser():
    with support.chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def site(book):
    with support.serve(book.html_dir) as base:
        yield base


def _overflow(page) -> dict:
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          const wide = [];
          for (const el of document.querySelectorAll('main *')) {
            const box = el.getBoundingClientRect();
            const parent = el.parentElement.getBoundingClientRect();
            if (box.width > 0 && box.right > root.clientWidth + 1
                && parent.right <= root.clientWidth + 1
                && getComputedStyle(el).visibility !== 'hidden'
                && !el.closest('thead')) {
              wide.push(el.tagName + ' ' + (el.textContent || '').slice(0, 50));
            }
          }
          return {scroll: root.scrollWidth, client: root.clientWidth, wide: wide};
        }"""
    )


@pytest.mark.parametrize("width", [1280, 390])
def test_review_pages_need_no_horizontal_scroll(browser, site, book, width):
    for path in REVIEW_PAGES:
        assert (book.html_dir / path).is_file(), path
        with support.offline_page(browser, site, path) as (page, _visit):
            page.set_viewport_size({"width": width, "height": 900})
            found = _overflow(page)
            assert found["scroll"] <= found["client"], (path, width, found["wide"][:5])
            assert found["wide"] == [], (path, width)


def test_on_a_phone_the_grid_is_one_card_per_fiche_with_named_cells(browser, site):
    with support.offline_page(browser, site, "06-bilan.html") as (page, _visit):
        page.set_viewport_size({"width": 390, "height": 900})
        cells = page.evaluate(
            """() => Array.from(document.querySelectorAll('.pa-grille tbody tr')).map(tr => {
                 const td = tr.querySelectorAll('td');
                 return {display: getComputedStyle(tr).display,
                         label: getComputedStyle(td[2], '::before').content,
                         status: td[4].textContent};
               })"""
        )
    assert len(cells) == 18
    assert all(c["display"] == "block" for c in cells)
    assert all(c["label"] == '"Indicateurs : "' for c in cells)
    # Symbol and word, not colour alone.
    assert all(c["status"][0] in "✔✖○" and len(c["status"]) > 3 for c in cells)
