"""The Lua filters shared by the three formats: numbering, references, table widths."""

from __future__ import annotations

import json

from projet_associatif.render.pandoc import NUMBERING_FILTER, TABLES_FILTER, run_pandoc

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


def filtered(to: str) -> str:
    return run_pandoc(
        ["-f", "markdown", "-t", to, "--wrap=none", "--lua-filter", str(TABLES_FILTER)]
        + ["--lua-filter", str(NUMBERING_FILTER)],
        DOC,
    )


def test_figures_and_captioned_tables_are_numbered_in_reading_order():
    html = filtered("html5")
    assert '<span class="pa-numero">Tableau\u00a01\u00a0:</span> Les EPCI' in html
    assert '<span class="pa-numero">Figure\u00a01\u00a0:</span> Carte du territoire' in html
    # The interactive chart comes next: its figcaption gets the following number.
    assert (
        '<figcaption><span class="pa-numero">Figure\u00a02\u00a0:</span> <span>Population' in html
    )
    # A table without caption is not counted.
    assert '<span class="pa-numero">Tableau\u00a02\u00a0:</span> Contrôles' in html
    assert "Tableau\u00a03" not in html


def test_quarto_references_become_links_and_other_mentions_stay_text():
    html = filtered("html5")
    assert '<a href="#tbl-epci">tableau\u00a01</a>' in html
    assert '<a href="#fig-carte">figure\u00a01</a>' in html
    assert '<a href="#sec-territoire">Territoire</a>' in html
    assert "@etalab/decoupage-administratif" in html
    typst = filtered("typst")
    assert "#cite" not in typst and "bibliography" not in typst


def test_table_columns_are_sized_by_content():
    doc = json.loads(filtered("json"))
    tables = [b for b in doc["blocks"] if b["t"] == "Table"]
    widths = [spec[1]["t"] for table in tables for spec in table["c"][2]]
    assert widths and set(widths) == {"ColWidthDefault"}


def test_print_styles_questions_and_cross_references():
    from projet_associatif.render.pandoc import PRINT_FILTER

    text = "::: {.pa-question}\nQue poursuivons-nous ?\n:::\n\n::: {.pa-renvoi}\nVoir 1.\n:::\n"
    typst = run_pandoc(["-f", "markdown", "-t", "typst", "--lua-filter", str(PRINT_FILTER)], text)
    assert "#strong[Que poursuivons-nous ?]" in typst
    assert "#emph[Voir 1.]" in typst


def test_typst_images_carry_their_alternative_text_for_pdf_ua():
    from projet_associatif.render.pandoc import TYPST_IMAGES_FILTER

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
