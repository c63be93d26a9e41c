"""The offline search of the Pandoc engine's HTML site: its prebuilt index and its box.

The index (assets/recherche-index.js) is checked against the published pages of the
2020 project; the box is used in headless Chromium as a reader would, network blocked.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import browser_support as support
import pytest

from projet_associatif.publish.search import fold, index_script, page_sections, search_index

PREFIX = "window.PA_RECHERCHE = "


def read_index(html_dir: Path) -> tuple[str, list[dict[str, str]]]:
    """Return the index script as written and the entries it holds."""
    text = (html_dir / "assets" / "recherche-index.js").read_text(encoding="utf-8")
    assert text.startswith(PREFIX) and text.endswith(";\n")
    return text, json.loads(text[len(PREFIX) : -2])


class _Headings(HTMLParser):
    """Collect the identifiers of the h1–h3 of a page's <main>."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self._in_main = False

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main = True
        elif self._in_main and tag in ("h1", "h2", "h3") and dict(attrs).get("id"):
            self.ids.append(dict(attrs)["id"])

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False


def main_heading_ids(page: Path) -> list[str]:
    parser = _Headings()
    parser.feed(page.read_text(encoding="utf-8"))
    # The « Sur cette page » box is navigation, not a section of the chapter.
    return [i for i in parser.ids if i != "pa-sur-cette-page-titre"]


# --- the index, from page bodies ----------------------------------------------------------


HOSTILE_BODY = (
    '<h1 id="titre">Éducation &amp; emploi</h1><p>Intro avant&nbsp;tout.</p>'
    '<h2 id="a">Données</h2><p>Valeur &lt;script&gt;alert(1)&lt;/script&gt; &amp; « Œuvre »</p>'
    "<figure><svg><text>axe-du-graphique</text></svg></figure>"
    "<h4>Sous-titre</h4><p>reste dans la section</p>"
    "<h2>Sans ancre</h2><p>texte</p>"
)


def test_sections_are_cut_at_headings_with_an_anchor_and_skip_drawings():
    sections = page_sections(HOSTILE_BODY)
    assert [(s["a"], s["s"]) for s in sections] == [
        ("titre", "Éducation & emploi"),
        ("a", "Données"),
    ]
    assert sections[0]["x"] == "Intro avant\u00a0tout."
    text = sections[1]["x"]
    # Entities decoded once: the index holds the text a reader sees, not markup.
    assert "<script>alert(1)</script> & « Œuvre »" in text
    assert "axe-du-graphique" not in text
    assert "Sous-titre reste dans la section" in text and "Sans ancre texte" in text


def test_folding_drops_accents_and_case_and_keeps_positions():
    text = "Évaluation de l'ŒUVRE à Moulins\u202f: déjà"
    folded = fold(text)
    assert folded == "evaluation de l'œuvre a moulins : deja"
    assert len(folded) == len(text)


def test_index_script_is_data_whatever_the_text_holds():
    entries = search_index([("03-x.html", "Chapitre <b>", HOSTILE_BODY)])
    script = index_script(entries)
    # No character that could close a <script> or open markup is written as such.
    assert not re.search(r"[<>&]", script)
    assert json.loads(script[len(PREFIX) : -2]) == entries
    assert entries[1]["f"].startswith("valeur <script>") and entries[1]["g"] == "donnees"
    assert entries[0]["p"] == "03-x.html" and entries[0]["t"] == "Chapitre <b>"


# --- the index of the published 2020 project ---------------------------------------------


def test_index_covers_every_chapter_page_and_every_heading(book_2020):
    html_dir = book_2020.html_dir
    script, entries = read_index(html_dir)
    pages = book_2020.chapter_pages()
    assert {e["p"] for e in entries} == set(pages)
    for page in pages:
        anchors = [e["a"] for e in entries if e["p"] == page and e["a"]]
        assert anchors == main_heading_ids(html_dir / page), page
        # Every anchor of the index is an element of its page.
        text = (html_dir / page).read_text(encoding="utf-8")
        assert all(f'id="{a}"' in text for a in anchors)
    # Data values reach the index as the reader's text (the EPCI of the 2020 project).
    territory = [e for e in entries if "Bocage Bourbonnais" in e["x"]]
    assert territory and all("bocage bourbonnais" in e["f"] for e in territory)
    assert not re.search(r"[<>&]", script)
    # Written again, the index is the same bytes: it depends on the pages alone.
    assert index_script(entries) == script


def test_every_chapter_page_loads_the_search_script(book_2020):
    for page in book_2020.chapter_pages():
        text = (book_2020.html_dir / page).read_text(encoding="utf-8")
        assert '<script src="assets/recherche-index.js" defer></script>' in text, page
        assert '<script src="assets/pa-recherche.js" defer></script>' in text, page
        assert '<label for="pa-recherche-champ">Rechercher dans le rapport</label>' in text


# --- the box, in the browser ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_typing_a_word_lists_sections_and_the_first_result_opens_its_page(book_2020):
    _, entries = read_index(book_2020.html_dir)
    with (
        support.serve(book_2020.html_dir) as base,
        support.chromium() as browser,
        support.offline_page(browser, base, "index.html") as (page, visit),
    ):
        box = page.get_by_role("searchbox", name="Rechercher dans le rapport")
        assert box.is_visible()
        # Accents and case do not matter: « bourbonnais » finds « Bourbonnais ».
        box.press_sequentially("bourbonnais")
        results = page.locator(".pa-recherche-resultats a")
        results.first.wait_for()
        # The script writes absolute URLs (percent-encoded): compare them decoded.
        first_href = unquote(results.first.get_attribute("href"))
        # Sections whose heading holds the word come first, then the book's order.
        in_heading = [e for e in entries if "bourbonnais" in e["g"]]
        expected = (in_heading or [e for e in entries if "bourbonnais" in e["f"]])[0]
        assert expected["a"], "the expected section has an anchor"
        assert first_href == f"{base}{expected['p']}#{expected['a']}"
        # The excerpt marks the word where it is, in the case of the text.
        assert results.first.locator("mark").first.inner_text().lower() == "bourbonnais"
        count = len([e for e in entries if "bourbonnais" in e["g"] + " " + e["f"]])
        shown = min(count, 10)
        assert results.count() == shown
        assert page.locator(".pa-recherche-etat").inner_text().startswith(f"{count} résultat")
        # Keyboard: the arrow reaches the first result, Enter follows it.
        box.press("ArrowDown")
        assert unquote(page.evaluate("document.activeElement.href")) == first_href
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: unquote(url) == first_href)
        target = page.locator(f'[id="{expected["a"]}"]')
        assert target.is_visible() and expected["s"] in target.inner_text()
        assert "Bourbonnais" in page.locator("main").inner_text()
        # From that page too the box works: nothing found is said, and the query is folded
        # like the index (« ÉVALUATION » finds « évaluation », « Evaluation »).
        box = page.get_by_role("searchbox", name="Rechercher dans le rapport")
        box.fill("zzqx introuvable")
        assert page.locator(".pa-recherche-etat").inner_text() == "Aucun résultat"
        assert page.locator(".pa-recherche-resultats a").count() == 0
        box.fill("ÉVALUATION")
        page.locator(".pa-recherche-resultats a").first.wait_for()
        assert "valuation" in page.locator(".pa-recherche-resultats").inner_text()
        assert visit.external_requests == [] and visit.page_errors == []
        assert visit.console_errors == []
