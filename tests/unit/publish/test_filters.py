"""What every format shares: numbering, references, table widths; the print Lua filters."""

from __future__ import annotations

import json

import pytest

from projet_associatif.publish.numbering import chapter_labels, number_book
from projet_associatif.publish.tools import run_pandoc

DOC = """\
# Territoire {#sec-territoire}

Voir @tbl-epci, [@fig-carte] et @sec-territoire ; paquet @etalab/decoupage-administratif.

| EPCI | Communes |
|:--|--:|
| Moulins Communauté | 44 |

: Les EPCI {#tbl-epci}

![Carte du territoire](carte.svg){#fig-carte}

::: {.pa-graphique}
```{=html}
<figure class="pa-chart"><figcaption><span>Population</span></figcaption></figure>
```
:::

| Sans légende |
|---|
| x |

| Statut | Signification, une phrase assez longue pour dépasser soixante-douze caractères |
|:--|:--|
| écart | incohérence |

: Contrôles {#tbl-controles}
"""


def filtered(to: str, text: str = DOC) -> str:
    """Read ``text``, number it as the book is numbered, write it as ``to``."""
    doc = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], text))
    doc["blocks"] = number_book([doc["blocks"]])[0]
    return run_pandoc(["-f", "json", "-t", to, "--wrap=none"], json.dumps(doc))


def test_figures_and_captioned_tables_are_numbered_in_reading_order():
    html = filtered("html5")
    # A single chapter counts as chapter 1: « Tableau 1.1 », as Quarto numbers a book.
    assert '<span class="pa-numero">Tableau\u00a01.1\u00a0:</span> Les EPCI' in html
    assert '<span class="pa-numero">Figure\u00a01.1\u00a0:</span> Carte du territoire' in html
    # The interactive chart comes next: its figcaption gets the following number.
    assert (
        '<figcaption><span class="pa-numero">Figure\u00a01.2\u00a0:</span> <span>Population' in html
    )
    # A table without caption is not counted.
    assert '<span class="pa-numero">Tableau\u00a01.2\u00a0:</span> Contrôles' in html
    assert "Tableau\u00a01.3" not in html


def test_quarto_references_become_links_and_other_mentions_stay_text():
    html = filtered("html5")
    assert '<a href="#tbl-epci">tableau\u00a01.1</a>' in html
    assert '<a href="#fig-carte">figure\u00a01.1</a>' in html
    assert '<a href="#sec-territoire">Territoire</a>' in html
    assert "@etalab/decoupage-administratif" in html
    typst = filtered("typst")
    assert "#cite" not in typst and "bibliography" not in typst


def test_table_columns_are_sized_by_content():
    doc = json.loads(filtered("json"))
    tables = [b for b in doc["blocks"] if b["t"] == "Table"]
    widths = [spec[1]["t"] for table in tables for spec in table["c"][2]]
    assert widths and set(widths) == {"ColWidthDefault"}


def test_numbers_restart_in_each_chapter_and_references_cross_them():
    def read(text: str) -> list:
        return json.loads(run_pandoc(["-f", "markdown", "-t", "json"], text))["blocks"]

    first = read("# Un {#sec-un}\n\n![Carte](c.svg){#fig-a}\n\nVoir @fig-b et [@sec-deux; @fig-a].")
    second = read(
        '# Deux "cités" *ici* {#sec-deux}\n\n![Barres](b.svg){#fig-b}\n\n'
        "Voir [@fig-a; @sec-absente] et @sec-un."
    )
    numbered = number_book([first, second], ["3", "A"])
    doc = {"pandoc-api-version": [1, 23, 1], "meta": {}, "blocks": numbered[0] + numbered[1]}
    html = run_pandoc(["-f", "json", "-t", "html5", "--wrap=none"], json.dumps(doc))
    assert '<span class="pa-numero">Figure\u00a03.1\u00a0:</span> Carte' in html
    assert '<span class="pa-numero">Figure\u00a0A.1\u00a0:</span> Barres' in html
    # Forward reference from the first chapter to the second one.
    assert '<a href="#fig-b">figure\u00a0A.1</a>' in html
    # Section titles as Pandoc's stringify gives them: curly quotes, emphasis dropped.
    assert '<a href="#sec-deux">Deux \u201ccités\u201d ici</a>, <a href="#fig-a">figure' in html
    # One unknown key: the whole citation stays as written.
    assert "[@fig-a; @sec-absente]" in html
    assert '<a href="#sec-un">Un</a>' in html


def test_chapter_labels_follow_quartos_book_numbering():
    # quarto-cli book-config.ts (bookRenderItems): chapters numbered from 1 in reading
    # order, part pages and .unnumbered chapters skipped, appendices numbered again from 1
    # and shown as letters.
    roles = ["chapter", "chapter", "part", "chapter", "chapter", "appendix", "appendix"]
    numbered = [False, True, True, True, True, True, True]
    assert chapter_labels(roles, numbered) == [None, "1", None, "2", "3", "A", "B"]


def test_floats_outside_a_numbered_chapter_are_numbered_alone():
    doc = json.loads(run_pandoc(["-f", "markdown", "-t", "json"], DOC))
    html = run_pandoc(
        ["-f", "json", "-t", "html5", "--wrap=none"],
        json.dumps({**doc, "blocks": number_book([doc["blocks"]], [None])[0]}),
    )
    assert '<span class="pa-numero">Tableau\u00a01\u00a0:</span> Les EPCI' in html


def test_chapter_labels_need_one_flag_per_entry():
    with pytest.raises(ValueError):
        chapter_labels(["chapter"], [])


def test_print_styles_questions_and_cross_references():
    from projet_associatif.publish.tools import PRINT_FILTER

    text = "::: {.pa-question}\nQue poursuivons-nous ?\n:::\n\n::: {.pa-renvoi}\nVoir 1.\n:::\n"
    typst = run_pandoc(["-f", "markdown", "-t", "typst", "--lua-filter", str(PRINT_FILTER)], text)
    assert "#strong[Que poursuivons-nous ?]" in typst
    assert "#emph[Voir 1.]" in typst


BOX = (
    '::: {.pa-a-completer role="note"}\n**À compléter** : data/a\\<b\\>.csv\n\nles effectifs\n:::\n'
)


def test_print_draws_the_box_to_complete_as_a_frame():
    from projet_associatif.publish.tools import PRINT_FILTER

    typst = run_pandoc(["-f", "markdown", "-t", "typst", "--lua-filter", str(PRINT_FILTER)], BOX)
    start = typst.index("#block(width: 100%")
    assert "stroke:" in typst[start:] and "fill:" in typst[start:]
    assert typst.index("#strong[À compléter]") > start
    assert typst.rstrip().endswith("]")
    html = run_pandoc(["-f", "markdown", "-t", "html5"], BOX)
    assert '<div class="pa-a-completer" role="note">' in html and "a&lt;b&gt;.csv" in html


def test_docx_draws_the_box_to_complete_as_bordered_shaded_paragraphs():
    from projet_associatif.publish.tools import DOCX_PRINT_FILTERS

    doc = run_pandoc(["-f", "markdown", "-t", "json"], BOX)
    out = json.loads(
        run_pandoc(["-f", "json", "-t", "json", "--lua-filter", str(DOCX_PRINT_FILTERS)], doc)
    )
    raws = [b["c"][1] for b in out["blocks"] if b["t"] == "RawBlock" and b["c"][0] == "openxml"]
    assert len(raws) == 2
    assert all("<w:pBdr>" in r and 'w:fill="FFF3C4"' in r for r in raws)
    assert '<w:b/></w:rPr><w:t xml:space="preserve">À compléter</w:t>' in raws[0]
    # The file name is text: escaped for XML, never markup.
    assert "data/a&lt;b&gt;.csv" in raws[0] and "<b>" not in raws[0]
    assert "les effectifs" in raws[1]


def test_typst_images_carry_their_alternative_text_for_pdf_ua():
    from projet_associatif.publish.tools import TYPST_IMAGES_FILTER

    text = (
        '![Population des EPCI](fig.svg){#fig-pop alt="Barres : Moulins \\"67 972\\"" '
        "width=97%}\n\nEn ligne ![logo](logo.png){width=300px} ici.\n\n![](sans-texte.png)\n"
    )
    typst = run_pandoc(
        ["-f", "markdown", "-t", "typst", "--lua-filter", str(TYPST_IMAGES_FILTER)], text
    )
    # In a figure: the image keeps its width relative to the text and gets the alt attribute.
    assert '#figure([#image("fig.svg", width: 97%, alt: "Barres : Moulins \\"67 972\\"")]' in typst
    # Inline: boxed as Pandoc does, pixels as points, the caption serves as alternative text.
    assert '#box(image("logo.png", width: 225.0pt, alt: "logo"))' in typst
    # Nothing to say: left to Pandoc, and PDF/UA-1 compilation will refuse it.
    assert 'image("sans-texte.png")' in typst


CHAPTERS = [
    """\
# Un

::: {.pa-question}
Que poursuivons-nous ?
:::

| EPCI | Communes |
|:--|--:|
| Moulins Communauté | 44 |

Voir [le projet](../projet-2020/html/index.html){imprime="../projet-2020/projet-associatif.pdf"}.
""",
    """\
# Deux

::: {.pa-bilan-tableau .pa-preconisations}
| Préconisation | Échéance | Suite |
|:--|:--|:--|
| Ouvrir une permanence | 2022 | [✔ réalisée]{.pa-statut-ok} |
:::
""",
]


def test_docx_filters_chapter_by_chapter_give_the_whole_documents_bytes(tmp_path):
    """The DOCX writer filters each chapter on its own (and remembers it): same document."""
    from projet_associatif.publish.tools import (
        DOCX_PRINT_FILTERS,
        PRINT_FILTER,
        TABLE_WIDTHS_FILTER,
    )

    docs = [json.loads(run_pandoc(["-f", "markdown", "-t", "json"], c)) for c in CHAPTERS]
    whole = {**docs[0], "blocks": [b for d in docs for b in d["blocks"]]}
    out = ["-f", "json", "-t", "docx", "-o"]
    filters = ["--lua-filter", str(PRINT_FILTER), "--lua-filter", str(TABLE_WIDTHS_FILTER)]
    run_pandoc([*out, "entier.docx", *filters], json.dumps(whole), cwd=tmp_path, epoch=1)
    by_chapter = [
        json.loads(
            run_pandoc(
                ["-f", "json", "-t", "json", "--lua-filter", str(DOCX_PRINT_FILTERS)],
                json.dumps(d),
            )
        )["blocks"]
        for d in docs
    ]
    # The filters saw FORMAT = "docx": table text style, coloured status run.
    text = json.dumps(by_chapter, ensure_ascii=False)
    assert "Texte de tableau" in text and '<w:color w:val=\\"1A7F37\\"/>' in text
    assert '"../projet-2020/projet-associatif.pdf"' in text and '"Strong"' in text
    joined = {**docs[0], "blocks": [b for blocks in by_chapter for b in blocks]}
    run_pandoc([*out, "chapitres.docx"], json.dumps(joined), cwd=tmp_path, epoch=1)
    assert (tmp_path / "chapitres.docx").read_bytes() == (tmp_path / "entier.docx").read_bytes()
