"""The project's Typst partials compile in the document Quarto 1.10 writes for a book.

Quarto cannot run here, so the test rebuilds what it does (quarto-cli 1.10): its Typst
template includes, in this order, ``numbering.typ``, ``definitions.typ``,
``typst-template.typ``, the header includes, ``page.typ``, ``typst-show.typ``, the
include-before blocks and the body (``src/resources/formats/typst/pandoc/quarto/``). For a
book, its bundled orange-book extension supplies ``numbering.typ`` and ``page.typ`` (the
project supplies the other two), and its ``orange-book.lua`` filter writes ``#part[…]`` and
``#show: appendices.with("Annexes", hide-parent: true)`` into the body; Quarto also adds,
before the body, a rule that restarts its float counters at each level-1 heading.

The stand-ins below are written for this test (not copies): they define what the orange-book
partials define and have the same effect on the page. The body has the shape Quarto writes
for this book: an unnumbered home page, numbered chapters, a part page, tables and a figure
as ``quarto-float-*`` figures with their ``tbl-``/``fig-`` labels, a reference, appendices.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest

from projet_associatif.core.paths import project_root
from projet_associatif.publish.tools import pandoc_path

PARTIALS = project_root() / "report" / "typst"

# Quarto 1.10's Typst template (template.typ), partial order kept.
QUARTO_TEMPLATE = """\
$numbering.typ()$

$definitions.typ()$

$typst-template.typ()$

$for(header-includes)$
$header-includes$
$endfor$

$page.typ()$

$typst-show.typ()$

$for(include-before)$
$include-before$
$endfor$

$body$
"""

# Stand-in for orange-book's numbering.typ: chapter-based numbering read from the heading
# counter, appendix patterns when the "appendix-state" state is set.
NUMBERING = """\
#let equation-numbering = it => {
  let motif = if state("appendix-state", none).get() != none { "(A.1)" } else { "(1.1)" }
  numbering(motif, counter(heading).get().first(), it)
}
#let callout-numbering = it => {
  let motif = if state("appendix-state", none).get() != none { "A.1" } else { "1.1" }
  numbering(motif, counter(heading).get().first(), it)
}
#let subfloat-numbering(n-super, subfloat-idx) = {
  let motif = if state("appendix-state", none).get() != none { "A.1a" } else { "1.1a" }
  numbering(motif, counter(heading).get().first(), n-super, subfloat-idx)
}
#let theorem-inherited-levels = 1
#let theorem-numbering(loc) = "1.1"
#let theorem-render(prefix: none, title: "", full-title: auto, body) = body
"""

# Stand-in for Quarto's definitions.typ (what Pandoc's Typst output presupposes).
DEFINITIONS = """\
#let horizontalrule = line(start: (25%,0%), end: (75%,0%))
#let endnote(num, contents) = [#stack(dir: ltr, spacing: 3pt, super[#num], contents)]
#let brand-color = (:)
#let brand-logo = (:)
"""

# Stand-in for orange-book's page.typ with no margin option given.
PAGE = """\
#set page(
  paper: $if(papersize)$"$papersize$"$else$"us-letter"$endif$,
  margin: (x: 1.25in, y: 1.25in),
  numbering: none,
  columns: 1,
)
"""

SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">'
    '<rect width="200" height="100" fill="#0072B2"/></svg>'
)


def table(caption: str, label: str, cells: str = "[EPCI], [Population], [Moulins], [67972]"):
    """Return a table the way Quarto 1.10 writes a ``tbl-`` float in Typst."""
    return (
        f"#figure([\n#table(columns: 2, {cells})\n], caption: figure.caption(\n"
        f'position: top, \n[\n{caption}\n]), \nkind: "quarto-float-tbl", \n'
        f'supplement: "Tableau", \n)\n<{label}>\n'
    )


def figure(caption: str, label: str) -> str:
    """Return an image the way Quarto 1.10 writes a ``fig-`` float in Typst."""
    return (
        f'#figure([\n#box(image("carte.svg", alt: "{caption}"))\n], caption: figure.caption(\n'
        f'position: bottom, \n[\n{caption}\n]), \nkind: "quarto-float-fig", \n'
        f'supplement: "Figure", \n)\n<{label}>\n'
    )


BODY = f"""\
#show heading.where(level: 1): it => {{
  counter(figure.where(kind: "quarto-float-fig")).update(0)
  counter(figure.where(kind: "quarto-float-tbl")).update(0)
  counter(figure.where(kind: "quarto-float-lst")).update(0)
  counter(math.equation).update(0)
  it
}}

#heading(level: 1, numbering: none)[Un projet associatif pour qui, pourquoi ?]
<introduction>
Texte de la préface.

= 1. Nos valeurs
<valeurs>
{table("Les principes du service public", "tbl-principes")}

= 2. Objectifs généraux
<objectifs-generaux>
Texte.

#part[3. Descriptif de l'existant]
Le descriptif de l'existant est un état des lieux.

= 3.1 Contexte territorial
<contexte-territorial>
{table("Les EPCI du territoire", "tbl-epci")}
{figure("Carte du territoire", "fig-carte")}

{table("Lieux d'accueil du public", "tbl-lieux")}
Voir le @tbl-lieux et la @fig-carte.

#show: appendices.with("Annexes", hide-parent: true)
#heading(level: 1, numbering: none)[Annexes]
= Annexe A — Les fiches-action
<fiches-action>
{table("Les 18 fiches-action", "tbl-fiches")}
"""


def render_quarto_shaped(work: Path, extra: dict[str, str] | None = None) -> bytes:
    """Fill Quarto's template with the project's partials and the body; compile it."""
    for name in ("typst-template.typ", "typst-show.typ"):
        shutil.copyfile(PARTIALS / name, work / name)
    files = {
        "livre-quarto.typ": QUARTO_TEMPLATE,
        "numbering.typ": NUMBERING,
        "definitions.typ": DEFINITIONS,
        "page.typ": PAGE,
        "carte.svg": SVG,
    }
    for name, text in files.items():
        (work / name).write_text(text, encoding="utf-8")
    markdown = "```{=typst}\n" + BODY + "\n```\n"
    metadata = {
        "title": "Projet associatif 2020",
        "lang": "fr",
        "pa-profil": "Projet associatif 2020",
        "toc-title": "Table des matières",
        **(extra or {}),
    }
    args = [pandoc_path(), "-f", "markdown", "-t", "typst", "-s"]
    args += ["--template", str(work / "livre-quarto.typ"), "--toc", "--toc-depth=2"]
    args += ["-V", "papersize=a4", "-V", "mainfont=Libertinus Serif"]
    for key, value in metadata.items():
        args += ["-M", f"{key}={value}"]
    source = subprocess.run(
        args, input=markdown, capture_output=True, text=True, check=True, encoding="utf-8"
    ).stdout
    typ = work / "index.typ"
    typ.write_text(source, encoding="utf-8")
    import typst

    return typst.compile(str(typ), root=str(work), ignore_system_fonts=True)


@pytest.fixture(scope="module")
def pdf_text(tmp_path_factory) -> str:
    work = tmp_path_factory.mktemp("quarto-typst")
    pdf = work / "livre.pdf"
    pdf.write_bytes(render_quarto_shaped(work))
    pages = [page.extract_text() for page in pypdf.PdfReader(pdf).pages]
    return "\n".join(re.sub(r"[\u00a0\u202f ]+", " ", page) for page in pages)


def test_the_organisation_is_the_documents_metadata_never_a_default(tmp_path, pdf_text):
    # The template is copied into every association's project: it names none of its own.
    assert "Mission Locale" not in pdf_text
    named = pypdf.PdfReader(
        io.BytesIO(render_quarto_shaped(tmp_path, {"pa-organisation": "Mission Locale de Vichy"}))
    )
    assert named.metadata.author == "Mission Locale de Vichy"
    assert "Mission Locale de Vichy" in named.pages[0].extract_text()


def test_quarto_book_compiles_with_the_project_partials(pdf_text):
    # The part page and the appendices (orange-book's #part and appendices) are there.
    assert "3. Descriptif de l'existant" in pdf_text.replace("’", "'")
    assert "Annexes" in pdf_text
    assert "Annexe A — Les fiches-action" in pdf_text


def test_tables_and_figures_are_numbered_by_chapter_and_appendix(pdf_text):
    # Same labels and numbers as Quarto's HTML and DOCX and as the Pandoc engine.
    assert "Tableau 1.1 : Les principes du service public" in pdf_text
    assert "Tableau 3.1 : Les EPCI du territoire" in pdf_text
    assert "Figure 3.1 : Carte du territoire" in pdf_text
    assert "Tableau 3.2 : Lieux d'accueil du public" in pdf_text.replace("’", "'")
    assert "Tableau A.1 : Les 18 fiches-action" in pdf_text
    assert "Voir le Tableau 3.2 et la Figure 3.1" in pdf_text


def test_the_part_title_stays_text_in_the_table_of_contents(pdf_text):
    # orange-book.lua writes #part[3. Descriptif…] unescaped: « 3. » must not become a
    # numbered list (a list would break the table-of-contents line before its leaders).
    text = pdf_text.replace("’", "'")
    assert re.search(r"3\. Descriptif de l'existant \. \.", text)
    assert re.search(r"1\. Nos valeurs \. \.", text)
