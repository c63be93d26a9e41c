"""Turn an executed notebook into Pandoc Markdown, or into a standalone offline HTML page.

Readers never see code: parameter cells and code inputs are dropped, Markdown cells and
outputs are kept. Each output becomes Markdown chosen for the target format — the
interactive ``pa-chart`` figure for HTML, an SVG (PDF) or PNG (DOCX) file with the
chart title as caption and its description as alternative text for print — following
the chart and table contract of ``docs/architecture.md``.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import struct
import threading
from pathlib import Path
from typing import Any, Literal

import nbformat
import yaml
from nbconvert import HTMLExporter, MarkdownExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import Unicode

from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.paths import project_root
from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.memo import Memo

Target = Literal["html", "pdf", "docx"]
HIDDEN_TAGS = {"parameters", "injected-parameters", "remove-cell"}
# Width of the text block of the printed book (A4, 2.5 cm margins) at 96 px per inch.
TEXT_WIDTH_PX = 605
TEMPLATES = Path(__file__).parent / "templates"


def _attribute(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def _raw_block(fmt: str, content: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", content)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{={fmt}}}\n{content.rstrip()}\n{fence}"


def _code_block(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text.rstrip()}\n{fence}"


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def svg_width_px(svg: str) -> float | None:
    """Return the width of an SVG document in CSS pixels, when it states one."""
    head = re.search(r"<svg\b[^>]*>", svg)
    if not head:
        return None
    match = re.search(r'\bwidth="([\d.]+)(px)?"', head.group(0))
    if match:
        return float(match.group(1))
    box = re.search(r'\bviewBox="[\d.\-]+[ ,]+[\d.\-]+[ ,]+([\d.]+)', head.group(0))
    return float(box.group(1)) if box else None


def png_width_px(data: bytes) -> int | None:
    """Return the pixel width read from a PNG header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return struct.unpack(">I", data[16:20])[0]


def width_percent(width_px: float | None) -> int:
    """Return the printed width of a figure as a share of the text width (at most 100)."""
    if not width_px:
        return 100
    return max(10, min(100, round(width_px / TEXT_WIDTH_PX * 100)))


class OutputsToMarkdown(Preprocessor):
    """Replace every code-cell output by one Markdown output chosen for the target format."""

    target = Unicode("html").tag(config=True)
    chapter = Unicode("").tag(config=True)
    figures_dir = Unicode("").tag(config=True)
    figures_href = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        """Restart figure numbering for each notebook, so file names stay stable."""
        self._count = 0
        self.written: list[str] = []
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        """Rewrite the outputs of one code cell."""
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for output in cell.get("outputs", []):
            text = self.output_markdown(output)
            if text:
                outputs.append(
                    nbformat.v4.new_output(
                        "display_data", data={"text/markdown": text}, metadata={}
                    )
                )
        cell.outputs = outputs
        return cell, resources

    def output_markdown(self, output: dict[str, Any]) -> str | None:
        """Return the Markdown for one output, or None when readers should not see it."""
        kind = output.get("output_type")
        if kind == "error":
            message = f"{output.get('ename', 'Erreur')} : {output.get('evalue', '')}"
            raise RenderError(
                f"Le notebook exécuté contient une erreur ({message})", chapter=self.chapter
            )
        if kind == "stream":
            # Warnings go to stderr: noise for readers, visible in the notebook page.
            return None if output.get("name") == "stderr" else _code_block(_joined(output.text))
        data = output.get("data", {})
        self._sizes = output.get("metadata") or {}
        meta = self._sizes.get("pa") or {}
        if meta.get("kind") == "chart":
            return self.chart(data, meta)
        if "text/markdown" in data:
            return _joined(data["text/markdown"]).strip()
        if self.target == "html" and "text/html" in data:
            return _raw_block("html", _joined(data["text/html"]))
        for mime in self._image_order():
            if mime in data:
                return self.image(data[mime], mime, title="", alt="")
        if "text/plain" in data:
            return _code_block(_joined(data["text/plain"]))
        return None

    def chart(self, data: dict[str, Any], meta: dict[str, Any]) -> str:
        """Return a chart: the interactive figure for HTML, a captioned image for print."""
        title = str(meta.get("title") or "")
        alt = str(meta.get("alt") or title)
        source = str(meta.get("source") or "")
        if self.target == "html" and "text/html" in data:
            # The numbering filter adds « Figure N » to the figcaption of this div.
            return (
                "::: {.pa-graphique}\n" + _raw_block("html", _joined(data["text/html"])) + "\n:::"
            )
        for mime in self._image_order():
            if mime in data:
                figure = self.image(data[mime], mime, title=title, alt=alt)
                if source:
                    figure += (
                        f"\n\n::: {{.pa-source}}\nSource\u00a0: {escape_markdown(source)}\n:::"
                    )
                return figure + chart_data_markdown(meta)
        raise RenderError(
            f"Le graphique « {title} » n'a ni SVG ni PNG pour le format {self.target}",
            chapter=self.chapter,
        )

    def image(self, value: Any, mime: str, *, title: str, alt: str) -> str:
        """Write one image file with a stable name and return its Markdown figure."""
        self._count += 1
        stem = f"{self.chapter}-figure-{self._count:02d}"
        folder = Path(self.figures_dir)
        folder.mkdir(parents=True, exist_ok=True)
        if mime == "image/svg+xml":
            svg = _joined(value)
            name = f"{stem}.svg"
            (folder / name).write_text(svg, encoding="utf-8")
            width = svg_width_px(svg)
        else:
            raw = base64.b64decode(_joined(value))
            name = f"{stem}.png"
            (folder / name).write_bytes(raw)
            pixels = png_width_px(raw)
            # Without stated size, assume the contract's PNG drawn at twice the SVG size.
            width = pixels / 2 if pixels else None
        # Notebook metadata gives the displayed size (Jupyter's convention), when present.
        stated = (getattr(self, "_sizes", {}).get(mime) or {}).get("width")
        if isinstance(stated, int | float) and stated > 0:
            width = float(stated)
        self.written.append(name)
        href = f"{self.figures_href}/{name}" if self.figures_href else str(folder / name)
        attrs = f'#fig-{stem} alt="{_attribute(alt or title)}" width={width_percent(width)}%'
        return f"![{escape_markdown(title)}]({href}){{{attrs}}}"

    def _image_order(self) -> list[str]:
        if self.target == "docx":
            # Word needs a PNG fallback for SVG, which Pandoc only makes with rsvg-convert.
            return ["image/png", "image/svg+xml"]
        if self.target == "pdf":
            return ["image/svg+xml", "image/png"]
        return ["image/svg+xml", "image/png"]


def chart_data_markdown(meta: dict[str, Any]) -> str:
    """Return the chart's values as a table for print (HTML has « Données du graphique »)."""
    table = str(meta.get("data_markdown") or "").strip()
    if not table:
        return ""
    measure = str(meta.get("data_label") or "").strip()
    label = (
        f"Données du graphique — {escape_markdown(measure)}" if measure else "Données du graphique"
    )
    return f"\n\n::: {{.pa-donnees-graphique}}\n{label}\u00a0:\n\n{table}\n:::"


def _front_matter_title(nb: nbformat.NotebookNode) -> None:
    """Turn a leading Quarto front-matter raw cell into a level-one heading."""
    if not nb.cells or nb.cells[0].cell_type != "raw":
        return
    text = _joined(nb.cells[0].source).strip()
    if not (text.startswith("---") and text.endswith("---")):
        return
    try:
        meta = yaml.safe_load(text.strip("-")) or {}
    except yaml.YAMLError:
        return
    title = meta.get("title") if isinstance(meta, dict) else None
    nb.cells[0] = nbformat.v4.new_markdown_cell(f"# {title}" if title else "")


def read_notebook(path: Path, chapter: str) -> nbformat.NotebookNode:
    """Read an executed notebook, with a French error naming the chapter."""
    if not path.is_file():
        raise RenderError(f"Notebook exécuté introuvable : {path}", chapter=chapter)
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:
        raise RenderError(f"Notebook illisible : {path} ({exc})", chapter=chapter) from exc


#: One exporter of each kind per process: the first conversion of an exporter costs
#: ~0,3 s (templates, filters), several times a conversion. Formats render in parallel
#: threads, so each conversion holds its exporter's lock (the Markdown preprocessor holds
#: the chapter being converted).
_MARKDOWN_LOCK = threading.Lock()
_HTML_LOCK = threading.Lock()


@functools.cache
def _markdown_exporter() -> tuple[MarkdownExporter, OutputsToMarkdown]:
    """Return the process's Markdown exporter and its output preprocessor."""
    return _new_markdown_exporter()


def _new_markdown_exporter() -> tuple[MarkdownExporter, OutputsToMarkdown]:
    exporter = MarkdownExporter()
    exporter.exclude_input = True
    exporter.exclude_raw = True
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=HIDDEN_TAGS, enabled=True), enabled=True
    )
    outputs = OutputsToMarkdown()
    exporter.register_preprocessor(outputs, enabled=True)
    return exporter, outputs


@functools.cache
def _html_exporter() -> HTMLExporter:
    """Return the process's HTML exporter."""
    return _new_html_exporter()


def warm_up() -> None:
    """Make both exporters ready (templates loaded) before the first chapter needs them."""
    empty = nbformat.v4.new_notebook()
    with _MARKDOWN_LOCK:
        _markdown_exporter()[0].from_notebook_node(empty)
    with _HTML_LOCK:
        _html_exporter().from_notebook_node(empty, resources={"pa_back": "", "pa_fictif": ""})


def _new_html_exporter() -> HTMLExporter:
    exporter = HTMLExporter(
        template_name="pa-notebook",
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
    )
    exporter.language_code = "fr"
    # No require.js, MathJax, Mermaid or widget manager from a CDN: the template
    # drops those blocks; a check below keeps it that way.
    exporter.require_js_url = ""
    exporter.mathjax_url = ""
    return exporter


def notebook_markdown(
    path: Path,
    *,
    target: Target,
    figures_dir: Path,
    figures_href: str = "",
    chapter: str | None = None,
    memo: Memo | None = None,
) -> str:
    """Return the executed notebook at ``path`` as Pandoc Markdown for ``target``.

    Figure files are written to ``figures_dir`` as ``<chapitre>-figure-NN.svg|png`` and
    referenced as ``figures_href/<name>`` (or by absolute path when ``figures_href`` is
    empty). With ``memo``, an unchanged notebook's text and figures are taken from there.
    """
    name = chapter or path.stem
    key = None
    if memo is not None and path.is_file():
        # The absolute folder is part of the text only when no href is given.
        where = figures_href or str(figures_dir)
        key = memo.key("notebook-markdown", target, name, where, files=[path])
        hit = memo.get(key)
        if hit is not None:
            return _restore(json.loads(hit), figures_dir)
    nb = read_notebook(path, name)
    _front_matter_title(nb)
    with _MARKDOWN_LOCK:
        exporter, outputs = _markdown_exporter()
        outputs.target = target
        outputs.chapter = name
        outputs.figures_dir = str(figures_dir)
        outputs.figures_href = figures_href
        try:
            body, _ = exporter.from_notebook_node(nb)
        except RenderError:
            raise
        except Exception as exc:
            raise RenderError(f"Conversion nbconvert impossible ({exc})", chapter=name) from exc
        written = list(outputs.written)
    text = body.strip() + "\n"
    if key is not None and memo is not None:
        figures = {f: base64.b64encode((figures_dir / f).read_bytes()).decode() for f in written}
        memo.put(key, json.dumps({"text": text, "figures": figures}).encode("utf-8"))
    return text


def _restore(entry: dict[str, Any], figures_dir: Path) -> str:
    """Write a remembered conversion's figure files; return its Markdown."""
    if entry["figures"]:
        figures_dir.mkdir(parents=True, exist_ok=True)
    for name, data in entry["figures"].items():
        (figures_dir / name).write_bytes(base64.b64decode(data))
    return entry["text"]


def notebook_html(
    path: Path,
    output: Path,
    *,
    title: str | None = None,
    back_href: str | None = None,
    notice: str | None = None,
    memo: Memo | None = None,
) -> Path:
    """Write the executed notebook as a standalone HTML page that loads nothing remote.

    ``notice`` is the « Données fictives » sentence shown at the top of the page, if any.
    With ``memo``, a page already exported from the same notebook is copied.
    """
    key = None
    if memo is not None and path.is_file():
        key = memo.key("notebook-html", title, back_href, notice, files=[path])
        hit = memo.get(key)
        if hit is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(hit)
            return output
    nb = read_notebook(path, path.stem)
    stable_parameters(nb)
    exporter = _html_exporter()
    if title:
        nb.metadata["title"] = title
    resources = {"pa_back": back_href or "", "pa_fictif": notice or ""}
    try:
        with _HTML_LOCK:
            body, _ = exporter.from_notebook_node(nb, resources=resources)
    except Exception as exc:
        raise RenderError(f"Export HTML du notebook impossible ({exc})", chapter=path.stem) from exc
    body = accessible_tables(body)
    remote = remote_resources(body)
    if remote:
        raise RenderError(
            "La page du notebook chargerait des ressources distantes : " + ", ".join(remote),
            chapter=path.stem,
        )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    if key is not None and memo is not None:
        memo.put(key, output.read_bytes())
    return output


_THEAD = re.compile(r"<thead>.*?</thead>", flags=re.S)


def accessible_tables(body: str) -> str:
    """Mark column headers with ``scope="col"``; an empty header cell becomes a data cell.

    Pandoc writes bare ``<th>``: the scope tells screen readers which cells a header
    covers, and an empty ``<th>`` (corner of a matrix) would be announced as a header
    with no name.
    """

    def fix(match: re.Match[str]) -> str:
        head = re.sub(r"<th\b([^>]*)>(\s*)</th>", r"<td\1>\2</td>", match.group(0))
        return re.sub(r"<th\b(?![^>]*\bscope=)", '<th scope="col"', head)

    return _THEAD.sub(fix, body)


def stable_parameters(nb: nbformat.NotebookNode, root: Path | None = None) -> None:
    """Make papermill's injected cell the same from one build to the next.

    papermill gives that cell a random id (the page's ``id="cell-id=…"``) and the build
    passes absolute paths (``/home/…/data``): shown as they are, the notebook page would
    differ between two executions or two checkouts. The id becomes fixed and the project's
    paths relative to its root, which ``setup()`` reads the same way, so the code shown
    stays valid.
    """
    base = str(root or project_root()).rstrip("/")
    injected = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and "injected-parameters" in cell.metadata.get("tags", [])
    ]
    for number, cell in enumerate(injected, start=1):
        if "id" in cell:
            cell["id"] = "parametres-injectes" + (f"-{number}" if number > 1 else "")
        source = _joined(cell.source)
        for quote in ('"', "'"):
            source = source.replace(f"{quote}{base}{quote}", f"{quote}.{quote}")
            source = source.replace(f"{quote}{base}/", quote)
        cell.source = source


_RESOURCE = re.compile(
    r"<(script|link|img|iframe|source|video|audio)\b[^>]*?\b(src|href)\s*=\s*[\"']?(https?:)?//"
    r"|\bimport\s*\(\s*[\"'](https?:)?//|@import\s+(url\()?[\"']?(https?:)?//",
    re.IGNORECASE,
)


def remote_resources(html: str) -> list[str]:
    """Return the tags (or script imports) of ``html`` that would fetch from the network."""
    return [m.group(0) for m in _RESOURCE.finditer(html)]
