"""A data value is text, never markup: hostile values in every free-text field, three formats.

One copy of the project gets a hostile value appended to every free-text cell of every CSV
table and every free-text string of every YAML document — the fields are read from the
descriptors (a string field with no pattern, enum, format, key or foreign key; a YAML string
the JSON Schema still accepts once changed), so a new column is covered without editing this
test. Two copies are built (``projet-associatif build``, Pandoc engine, HTML + PDF + DOCX):
the 2020 project, whose chapters and annexes read every table, and the mid-term review, its
own document, which reads the strategy and the commission's input; each format is read back:

- HTML (chapter pages and standalone notebook pages), parsed: no element, attribute or
  script that came from the data, and every hostile value that shows does so in full, as text;
- PDF (pypdf) and DOCX (python-docx): the hostile values are there, as text.

A hostile value is appended to the original text, not put in its place: the data keep their
meaning (an EPCI stays shared, a quotation stays inside its fiche), and one value is always
changed the same way wherever it appears, so references by value (a theme named in the
correspondences) still match.
"""

from __future__ import annotations

import collections
import csv
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import browser_support as support
import docx
import jsonschema
import nbformat
import pypandoc
import pypdf
import pytest
import yaml
from bs4 import BeautifulSoup

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
MARKDOWN = "**gras** _x_ [lien](http://e.x) `code` | # @ $ ~ { } \\"
TYPST = '#panic("x") @ref <lbl> $x$'
HOSTILE = (SCRIPT, IMAGE, MARKDOWN, TYPST)
#: A part of each hostile value that stays text if the rest is read as markup (the link is
#: looked for in the DOM): where it shows, the whole value must show around it.
WITNESSES = {"alert(1)": (SCRIPT, IMAGE), "e.x)": (MARKDOWN,), "panic": (TYPST,)}
#: Free-text columns whose values name something else: the code picks the partners' needs
#: of a chapter by the section's name.
REFERENCES = {
    "besoins_partenaires.section",
}
#: Table Schema constraints that make a string field a code, not free text.
NOT_FREE = ("pattern", "enum")


def hostile(value: str) -> str:
    """Return ``value`` followed by one hostile value, always the same for the same value."""
    digest = hashlib.sha256(value.encode("utf-8")).digest()
    return f"{value} {HOSTILE[digest[0] % len(HOSTILE)]}"


def free_columns(descriptor: dict[str, Any]) -> list[str]:
    """Return the free-text columns of a CSV table, from its Table Schema."""
    schema = descriptor.get("schema", {})
    keyed = set(schema.get("primaryKey") or [])
    for fk in schema.get("foreignKeys") or []:
        keyed.update(fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]])
    return [
        f["name"]
        for f in schema.get("fields", [])
        if f.get("type", "string") == "string"
        and f.get("format", "default") == "default"
        and not any(c in f.get("constraints", {}) for c in NOT_FREE)
        and f["name"] not in keyed
    ]


def _leaves(node: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    if isinstance(node, dict):
        return [leaf for k, v in node.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*path, i))]
    return [(path, node)] if isinstance(node, str) else []


def _set(document: Any, path: tuple, value: str) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def _flat(text: str) -> str:
    return " ".join(text.split())


def _refused(errors: Any, edited: dict[tuple, str]) -> set[tuple]:
    """Return the edited strings that the schema errors (or their sub-errors) point at."""
    found = set()
    for error in errors:
        where = tuple(error.absolute_path)
        if where in edited:
            found.add(where)
        else:
            found |= _refused(error.context or [], edited)
    return found


def make_hostile(data: Path) -> dict[str, list[str]]:
    """Append hostile values to every free-text field under ``data``; return what changed.

    A YAML string is free text when the document stays valid with it changed; a string
    whose value is another field's code, or a YAML string found inside another (a
    quotation), is a reference and stays as it is.
    """
    tables, documents = {}, {}
    # Values of codes (keys, patterns, enums) and the descriptors' own words (a row names
    # the section of its source): references, not free text.
    fixed: set[str] = set()
    for descriptor_path in sorted(data.rglob("*.resource.yaml")):
        descriptor = yaml.safe_load(descriptor_path.read_text(encoding="utf-8"))
        path = descriptor_path.parent / descriptor["path"]
        # A publisher's name is only displayed (provenance.source_text), never matched: a
        # table column holding the same name (source_externe) stays free text.
        fixed.update(
            v for where, v in _leaves(descriptor.get("sources", [])) if where[-1] != "publisher"
        )
        if descriptor.get("format") == "csv":
            tables[descriptor["name"]] = (path, descriptor)
        elif descriptor.get("format") == "yaml":
            documents[descriptor["name"]] = (path, descriptor)
    rows_of = {}
    for name, (path, descriptor) in tables.items():
        with path.open(encoding="utf-8", newline="") as f:
            rows_of[name] = list(csv.DictReader(f))
        columns = set(free_columns(descriptor))
        fixed.update(v for row in rows_of[name] for k, v in row.items() if k not in columns and v)
    parsed = {
        name: yaml.safe_load(p.read_text(encoding="utf-8")) for name, (p, _) in documents.items()
    }
    # Quotations live in the YAML documents (a correspondence quotes its fiche's words); the
    # identity names the organisation and its partners, it quotes nothing (the EPCI table's
    # partner Mission Locale is free text, though identite.yaml names it too).
    texts = [_flat(v) for n, doc in parsed.items() if n != "identite" for _, v in _leaves(doc)]
    everything = "\n".join(texts)
    copies = collections.Counter(texts)

    def free(value: str) -> bool:
        # Decided on the value alone, so that every copy of a value changes alike.
        flat = _flat(value)
        quotation = copies[flat] and everything.count(flat) > copies[flat]
        return bool(flat) and value not in fixed and not quotation

    changed: dict[str, list[str]] = {}
    for name, (path, descriptor) in tables.items():
        columns = free_columns(descriptor)
        for row in rows_of[name]:
            for column in columns:
                if free(row[column]):
                    row[column] = hostile(row[column])
                    changed.setdefault(name, []).append(column)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows_of[name][0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows_of[name])
        path.write_text(out.getvalue(), encoding="utf-8")
    for name, (path, descriptor) in documents.items():
        document = parsed[name]
        validator = jsonschema.Draft202012Validator(
            descriptor["jsonSchema"], format_checker=jsonschema.FormatChecker()
        )
        edited = {}
        for where, value in _leaves(document):
            if free(value):
                edited[where] = value
                _set(document, where, hostile(value))
        # What the schema refuses changed is a code: put it back.
        while errors := list(validator.iter_errors(document)):
            refused = _refused(errors, edited)
            assert refused, f"{name} : {errors[0].message}"
            for where in refused:
                _set(document, where, edited.pop(where))
        changed[name] = ["/".join(map(str, where)) for where in edited]
        text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
    return changed


@pytest.fixture(
    scope="module",
    params=[("projet-2020", None), ("bilan-intermediaire", support.SUIVI)],
    ids=["projet-2020", "bilan-intermediaire"],
)
def hostile_book(request, tmp_path_factory) -> tuple[support.Book, dict[str, list[str]]]:
    # Two documents read the data: the 2020 project (every chapter and annex) and the
    # review (its own book: fiches, indicators, the commission's input).
    profile, suivi = request.param
    changed: dict[str, list[str]] = {}
    base = tmp_path_factory.mktemp(f"livre-hostile-{profile}")
    book = support.build_book(
        base,
        prepare=lambda project: changed.update(make_hostile(project / "data")),
        profile=profile,
        suivi=suivi,
    )
    return book, changed


def test_every_free_text_column_and_document_gets_hostile_values(hostile_book):
    book, changed = hostile_book
    data = book.executed_dir.parents[2] / "data"  # the project copy: build/<profil>/notebooks
    missed = []
    for descriptor_path in sorted(data.rglob("*.resource.yaml")):
        descriptor = yaml.safe_load(descriptor_path.read_text(encoding="utf-8"))
        name = descriptor["name"]
        if descriptor.get("format") == "yaml":
            missed += [] if changed.get(name) else [name]
        elif descriptor.get("format") == "csv":
            columns = set(free_columns(descriptor)) - set(changed.get(name, []))
            missed += sorted({f"{name}.{c}" for c in columns} - REFERENCES)
    assert not missed


def _normal(text: str) -> str:
    """Return ``text`` with spaces flattened and typographic quotes made straight.

    Zero-width spaces are dropped: the renderers add them as invisible break opportunities
    inside long words of narrow table cells (render/filters/largeurs-tableaux.lua).
    """
    text = text.replace("\u200b", "")
    text = re.sub(r"[\s\u00a0\u202f]+", " ", text)
    # Straight quotes from the data come out as typographic ones (« » in French spacing).
    text = re.sub(r"« ?", '"', re.sub(r" ?»", '"', text))
    return text.translate(str.maketrans({"“": '"', "”": '"', "’": "'"}))


def _assert_whole(text: str, where: str) -> None:
    """Each witness word of a hostile value shows only inside the whole value, as text."""
    for word, values in WITNESSES.items():
        seen = text.count(word)
        whole = sum(text.count(_normal(v)) for v in values)
        assert seen == whole, f"{where} : « {word} » {seen} fois, valeur entière {whole} fois"


def _html_pages(book: support.Book) -> list[Path]:
    return [book.html_dir / page for page in book.pages()]


def test_html_has_no_live_element_from_data(hostile_book):
    book, _ = hostile_book
    pages = _html_pages(book)
    assert any("notebooks" in p.parts for p in pages)
    shown = 0
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        name = page.relative_to(book.html_dir)
        for tag in soup.find_all(True):
            for attribute, value in tag.attrs.items():
                text = " ".join(value) if isinstance(value, list) else str(value)
                assert not (attribute.lower().startswith("on") and "alert" in text), (name, tag)
            if tag.name == "img":
                assert tag.get("src") != "x", (name, tag)
            if tag.name == "a":
                assert tag.get("href") != "http://e.x", (name, tag)
            if tag.name == "script" and "alert(1)" in tag.get_text():
                # Chart data travel as JSON, which must stay JSON (never a closed script).
                assert tag.get("type") == "application/json", (name, tag)
                json.loads(tag.get_text())
        for hidden in soup.find_all(["script", "style", "svg"]):
            hidden.decompose()
        text = _normal(soup.get_text(" "))
        assert "Traceback" not in text, name
        if "notebooks" not in name.parts:
            # nbconvert's pages show the SWOT grid table as its raw lines, which cut values
            # across rows: their Markdown is the chapters', and tests/unit/core/test_markup.py reads
            # escaped values with nbconvert's own Markdown renderer.
            _assert_whole(text, str(name))
        shown += sum(text.count(_normal(v)) for v in HOSTILE)
    for value in HOSTILE:
        assert any(
            _normal(value)
            in _normal(BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser").get_text(" "))
            for p in pages
        ), value
    assert shown > 100


def test_pdf_shows_hostile_values_as_text(hostile_book):
    book, _ = hostile_book
    pages = [p.extract_text() for p in pypdf.PdfReader(book.outputs["pdf"]).pages]
    squeezed = re.sub(r"\s+", "", _normal("\n".join(pages)))
    for value in HOSTILE:
        assert re.sub(r"\s+", "", _normal(value)) in squeezed, value


def _docx_text(path: Path) -> str:
    document = docx.Document(path)
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return _normal("\n".join(parts))


def test_docx_shows_hostile_values_as_text(hostile_book):
    book, _ = hostile_book
    text = _docx_text(book.outputs["docx"])
    _assert_whole(text, "DOCX")
    for value in HOSTILE:
        assert _normal(value) in text, value


def test_quarto_reads_the_same_escaped_markdown(hostile_book, tmp_path):
    """The Quarto engine's staged notebooks, read by Pandoc as Quarto does, make no element."""
    from projet_associatif.publish.quarto import stage_project

    book, _ = hostile_book
    root = book.executed_dir.parents[2]  # the project copy: build/<profil>/notebooks
    profile = book.published_dir.name
    names = stage_project(book.executed_dir, tmp_path / "quarto", profile, root=root)
    assert names
    for name in names:
        staged = tmp_path / "quarto" / "notebooks" / name
        nb = nbformat.read(staged, as_version=4)
        markdown = "\n\n".join(
            str(o["data"]["text/markdown"])
            for cell in nb.cells
            if cell.cell_type == "code"
            for o in cell.get("outputs", [])
            if "text/markdown" in o.get("data", {})
        )
        html = pypandoc.convert_text(
            markdown, "html", format="markdown", extra_args=["--wrap=none"]
        )
        soup = BeautifulSoup(html, "html.parser")
        assert not soup.find("img", src="x"), name
        for script in soup.find_all("script"):
            # The charts' figures carry their spec as JSON data (never code, never closed early).
            assert script.get("type") == "application/json", (name, script)
            json.loads(script.get_text())
        for hidden in soup.find_all(["script", "style", "svg"]):
            hidden.decompose()
        assert not soup.find("a", href="http://e.x"), name
        _assert_whole(_normal(soup.get_text(" ")), f"Quarto, {name}")


def test_search_index_holds_hostile_values_as_data(hostile_book):
    # The offline search (render/search.py) indexes the chapter pages: the values are in
    # its text whole, and the script that carries them writes no <, > or & as such.
    book, _ = hostile_book
    script = (book.html_dir / "assets" / "recherche-index.js").read_text(encoding="utf-8")
    assert not re.search(r"[<>&]", script)
    entries = json.loads(script.removeprefix("window.PA_RECHERCHE = ").removesuffix(";\n"))
    text = _normal(" ".join(f"{e['s']} {e['x']}" for e in entries))
    _assert_whole(text, "recherche-index.js")
    assert sum(text.count(_normal(v)) for v in HOSTILE) > 50
