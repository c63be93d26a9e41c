import pandas as pd
import pypandoc
import pytest

from projet_associatif.core.formatting import MINUS, NBSP
from projet_associatif.present import tables

S = NBSP


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "EPCI": ["Moulins Communauté", "Entr'Allier | Besbre", None],
            "population": pd.array([64_000, 1_637_478, None], dtype="Int64"),
            "part_pct": [15.5, 2.25, None],
            "montant_eur": [1200.5, 3.0, -4.0],
        }
    )


def _rows(table: str) -> list[list[str]]:
    """Split a pipe table into stripped cells, honouring escaped pipes."""
    rows = []
    for line in table.splitlines():
        cells = [c.strip().replace("\0", "|") for c in line.replace(r"\|", "\0").split("|")]
        rows.append(cells[1:-1])
    return rows


def test_markdown_table_formats_numbers_in_french(frame):
    rows = _rows(tables.markdown_table(frame))
    assert rows[2] == ["Moulins Communauté", f"64{S}000", f"15,50{S}%", f"1{S}200,50{S}€"]
    assert rows[3][1:] == [f"1{S}637{S}478", f"2,25{S}%", f"3,00{S}€"]
    assert rows[4] == ["—", "—", "—", f"{MINUS}4,00{S}€"]


def test_markdown_table_aligns_numbers_right_and_text_left(frame):
    separator = tables.markdown_table(frame).splitlines()[1]
    specs = [c.strip() for c in separator.strip("|").split("|")]
    assert specs[0].startswith(":") and not specs[0].endswith(":")
    assert all(s.endswith(":") and not s.startswith(":") for s in specs[1:])


def test_align_override_and_unknown_columns(frame):
    separator = tables.markdown_table(frame, align={"EPCI": "center"}).splitlines()[1]
    first = separator.strip("|").split("|")[0].strip()
    assert first.startswith(":") and first.endswith(":")
    with pytest.raises(KeyError, match="absentes"):
        tables.markdown_table(frame, align={"absente": "left"})
    with pytest.raises(KeyError, match="absentes"):
        tables.markdown_table(frame, formats={"absente": "nombre"})


def test_pipes_in_text_are_escaped_and_the_table_keeps_its_columns(frame):
    table = tables.markdown_table(frame)
    assert r"Entr'Allier \| Besbre" in table
    assert all(len(row) == 4 for row in _rows(table))


def test_markdown_specials_and_newlines_in_text_are_neutralised():
    df = pd.DataFrame({"texte": ["*gras* et _souligné_\n[lien](x) <b>"]})
    row = _rows(tables.markdown_table(df))[2][0]
    assert row == r"\*gras\* et \_souligné\_ \[lien\](x) \<b\>"


def test_named_and_callable_formats(frame):
    df = frame.assign(evolution=[0.6, -0.3, 0.0])
    table = tables.markdown_table(
        df,
        formats={
            "population": "nombre:1",
            "part_pct": "pourcentage:0",
            "evolution": "points",
            "EPCI": lambda v: f"**{v}**",
        },
    )
    rows = _rows(table)
    assert rows[2] == [
        "**Moulins Communauté**",
        f"64{S}000,0",
        f"16{S}%",
        f"1{S}200,50{S}€",
        f"+0,6{S}pt",
    ]
    assert rows[4][0] == "—"  # missing values never reach the caller's formatter
    assert rows[4][4] == f"0,0{S}pt"


def test_unknown_named_format_is_refused(frame):
    with pytest.raises(ValueError, match="Format inconnu"):
        tables.markdown_table(frame, formats={"population": "milliers"})
    with pytest.raises(ValueError, match="décimales"):
        tables.markdown_table(frame, formats={"population": "date:2"})


def test_dates_and_booleans_by_default():
    df = pd.DataFrame({"jalon": pd.to_datetime(["2021-09-01", None]), "atteint": [True, False]})
    rows = _rows(tables.markdown_table(df))
    assert rows[2] == ["1er septembre 2021", "oui"]
    assert rows[3] == ["—", "non"]


def test_float_column_keeps_the_data_decimals_for_every_row():
    df = pd.DataFrame({"densite_hab_km2": [45.2, 102.75, 8.0]})
    assert [r[0] for r in _rows(tables.markdown_table(df))[2:]] == ["45,20", "102,75", "8,00"]


def test_markdown_has_caption_with_id_note_and_source(frame):
    text = tables.markdown(
        frame, title="Population des EPCI", source="Projet associatif 2020, p. 7", note="Arrondi."
    )
    blocks = text.strip().split("\n\n")
    assert blocks[0] == tables.markdown_table(frame)
    assert blocks[1] == ": Population des EPCI {#tbl-population-des-epci}"
    assert blocks[2] == f"Note{S}: Arrondi."
    assert blocks[3] == f"Source{S}: Projet associatif 2020, p. 7"


def test_markdown_requires_title_and_source(frame):
    with pytest.raises(ValueError, match="titre et une source"):
        tables.markdown(frame, title="Titre", source=" ")


def test_label_can_be_chosen_or_removed(frame):
    text = tables.markdown(frame, title="T", source="S", label="tbl-epci")
    assert ": T {#tbl-epci}" in text
    assert ": T\n" in tables.markdown(frame, title="T", source="S", label="")


def test_slug_is_ascii():
    assert tables.slug("Part des 16–25 ans « NEET » (%)") == "part-des-16-25-ans-neet"
    assert tables.slug("Œuvres d'Été") == "oeuvres-d-ete"


@pytest.mark.parametrize("to", ["html", "typst", "docx"])
def test_pandoc_reads_a_captioned_right_aligned_table(frame, to, tmp_path):
    text = tables.markdown(frame, title="Population des EPCI", source="Source X")
    if to == "docx":
        import docx

        out = tmp_path / "t.docx"
        pypandoc.convert_text(text, "docx", format="markdown", outputfile=str(out))
        document = docx.Document(str(out))
        assert len(document.tables) == 1
        cell = document.tables[0].cell(2, 1)
        assert cell.text == f"1{S}637{S}478"
        assert cell.paragraphs[0].alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT
        captions = [p.text for p in document.paragraphs if p.style.name == "Table Caption"]
        assert captions == ["Population des EPCI"]
        return
    out = pypandoc.convert_text(text, to, format="markdown")
    if to == "html":
        assert '<table id="tbl-population-des-epci"' in out
        assert "<caption>Population des EPCI</caption>" in out
        assert f'<td style="text-align: right;">1{S}637{S}478</td>' in out
    else:
        assert "caption: [Population des EPCI]" in out
        assert "kind: table" in out
        assert "<tbl-population-des-epci>" in out
        assert "[1~637~478]" in out


def test_html_table_escapes_and_aligns(frame):
    text = tables.html_table(frame)
    assert text.startswith('<table class="pa-data" data-quarto-disable-processing="true">')
    assert '<th scope="col" style="text-align: left">EPCI</th>' in text
    assert "Entr&#x27;Allier | Besbre" in text
    assert f'<td style="text-align: right">1{S}637{S}478</td>' in text
    assert text.count("<tr>") == 4


def test_nbconvert_markdown_export_keeps_the_markdown_output(frame):
    import nbformat
    from nbconvert import MarkdownExporter

    text = tables.markdown(frame, title="Titre", source="Source")
    cell = nbformat.v4.new_code_cell("tables.show(...)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/markdown": text, "text/plain": text},
            metadata={"pa": {"kind": "table"}},
        )
    ]
    body, _ = MarkdownExporter(exclude_input=True).from_notebook_node(
        nbformat.v4.new_notebook(cells=[cell])
    )
    assert text.strip() in body


def test_markdown_table_escapes_text_under_the_default_formatter():
    """The charts' data tables give text columns the default formatter: still plain text."""
    frame = pd.DataFrame({"lieu": ["Moulins [lien](http://e.x) **gras**"], "n": [1]})
    formats = {name: tables.default_formatter(name, frame[name]) for name in frame.columns}
    text = tables.markdown_table(frame, formats=formats)
    assert "\\[lien\\]" in text and "\\*\\*gras\\*\\*" in text
    # A caller's own formatter still writes Markdown on purpose.
    linked = tables.markdown_table(frame, formats={"lieu": lambda v: f"[{v[:7]}](#a)"})
    assert "[Moulins](#a)" in linked
