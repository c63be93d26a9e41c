"""Turn executed notebooks into what Quarto renders: numbered charts, no HTML output left.

Two things in an executed notebook would make Quarto's book differ from the Pandoc engine's:

- Quarto adds require.js and jQuery from cdn.jsdelivr.net to every page whose notebook has
  an output carrying ``text/html`` or ``application/javascript`` (quarto-cli
  ``src/core/jupyter/widgets.ts``: ``extractJupyterWidgetDependencies`` treats such outputs
  as JavaScript widgets, ``includesForJupyterWidgetDependencies`` writes the CDN tags);
  the chart contract's HTML figure is such an output.
- Quarto numbers only figures with a ``fig-`` label; a chart output has none.

So each chart output becomes one ``text/markdown`` output (Quarto shows ``text/markdown``
first in every format, ``src/core/jupyter/display-data.ts``): a ``fig-`` figure whose caption
is the chart title, holding the interactive HTML figure for HTML (``content-visible
when-format="html"``, Quarto's conditional content), the PNG for DOCX and the SVG for Typst,
written next to the notebook in ``build/``; then the source line and, for PDF and DOCX, the
chart's values as a table (« Données du graphique », as the Pandoc engine prints them).
Any other output with HTML or JavaScript stops the render with a French error naming the
chapter.

Quarto features used, as documented: div figures ``::: {#fig-…}`` whose last paragraph is
the caption (https://quarto.org/docs/authoring/cross-references.html), conditional content
``.content-visible when-format=…`` (https://quarto.org/docs/authoring/conditional.html),
``fig-alt`` (https://quarto.org/docs/authoring/figures.html#alt-text).
"""

from __future__ import annotations

import base64
import copy
import re
from pathlib import Path
from typing import Any

import nbformat

from projet_associatif.publish.errors import RenderError
from projet_associatif.publish.notebooks import (
    chart_data_markdown,
    escape_markdown,
    png_width_px,
    svg_width_px,
    width_percent,
)

#: Outputs Quarto treats as JavaScript widgets (and loads require.js + jQuery for).
WIDGET_MIME_TYPES = ("text/html", "application/javascript")
#: Figure files, next to the notebook; « build » is ignored by git and by the build's hashes.
FIGURES_DIR = "build"
_TITLE_SPAN = re.compile(r'<span class="pa-chart-title">.*?</span>\s*', flags=re.S)


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _attribute(text: str) -> str:
    return " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')


def _raw_html(html: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", html)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{{=html}}\n{html.strip()}\n{fence}"


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` unless the file already holds it (``quarto preview`` reloads on writes)."""
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def chart_markdown(data: dict[str, Any], meta: dict[str, Any], stem: str, folder: Path) -> str:
    """Return the Quarto Markdown of one chart output; write its SVG and PNG into ``folder``."""
    ident = str(meta.get("id") or f"{stem}-{len(list(folder.glob('*.svg'))) + 1:02d}")
    title = str(meta.get("title") or "")
    alt = str(meta.get("alt") or title)
    source = str(meta.get("source") or "")
    folder.mkdir(parents=True, exist_ok=True)
    href = f"{FIGURES_DIR}/{stem}-{ident}"
    branches = []
    if "text/html" in data:
        # The float's caption says « Figure 3.1 : titre »; the figure keeps only its source.
        html = _TITLE_SPAN.sub("", _joined(data["text/html"]), count=1)
        branches.append(("html", _raw_html(html)))
    alt_attr = f'fig-alt="{_attribute(alt)}"'
    if "image/png" in data:
        raw = base64.b64decode(_joined(data["image/png"]))
        _write(folder / f"{stem}-{ident}.png", raw)
        pixels = png_width_px(raw)
        width = width_percent(pixels / 2 if pixels else None)
        branches.append(("docx", f"![]({href}.png){{{alt_attr} width={width}%}}"))
    if "image/svg+xml" in data:
        svg = _joined(data["image/svg+xml"])
        _write(folder / f"{stem}-{ident}.svg", svg.encode("utf-8"))
        width = width_percent(svg_width_px(svg))
        branches.append(("typst", f"![]({href}.svg){{{alt_attr} width={width}%}}"))
    if not branches:
        raise RenderError(f"Le graphique « {title} » n'a ni HTML, ni SVG, ni PNG", chapter=stem)
    parts = [f"::: {{#fig-{ident}}}"]
    for fmt, body in branches:
        parts.append(f'::: {{.content-visible when-format="{fmt}"}}\n{body}\n:::')
    parts.append(escape_markdown(title))
    parts.append(":::")
    if source:
        line = f"Source\u00a0: {escape_markdown(source)}"
        parts.append(
            f'::: {{.content-visible unless-format="html"}}\n::: {{.pa-source}}\n{line}\n:::\n:::'
        )
    # PDF and DOCX: the chart's values as a table, as the Pandoc engine prints them (the
    # HTML figure has its own « Données du graphique »).
    values = chart_data_markdown(meta).strip()
    if values:
        parts.append(f'::: {{.content-visible unless-format="html"}}\n{values}\n:::')
    return "\n\n".join(parts) + "\n"


def quarto_notebook(
    nb: nbformat.NotebookNode, stem: str, notebook_dir: Path
) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` whose chart outputs are Quarto figures (files in ``build/``).

    Papermill's injected parameters (absolute paths) and its timings are dropped: the
    notebook may be written over its source (``quarto render`` at the root), where it must
    stay the analyst's notebook plus outputs, and the same from one execution to the next.
    """
    result = copy.deepcopy(nb)
    result.metadata.pop("papermill", None)
    result.cells = [
        c for c in result.cells if "injected-parameters" not in c.metadata.get("tags", [])
    ]
    folder = notebook_dir / FIGURES_DIR
    for cell in result.cells:
        for key in ("papermill", "execution"):
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        outputs = []
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            meta = (output.get("metadata") or {}).get("pa") or {}
            if meta.get("kind") == "chart":
                text = chart_markdown(data, meta, stem, folder)
                output = nbformat.v4.new_output(
                    "display_data",
                    data={"text/markdown": text, "text/plain": _joined(data.get("text/plain", ""))},
                    metadata={"pa": meta},
                )
            widgets = [m for m in WIDGET_MIME_TYPES if m in data and meta.get("kind") != "chart"]
            if widgets:
                raise RenderError(
                    "Une sortie du notebook contient " + ", ".join(widgets) + " : Quarto "
                    "chargerait alors require.js et jQuery depuis un CDN (page hors ligne "
                    "impossible). Renvoyez-la comme un bloc (present.blocks : Table, Figure).",
                    chapter=stem,
                )
            outputs.append(output)
        cell.outputs = outputs
    return result


def widget_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Return the MIME types in ``nb``'s outputs that make Quarto load require.js and jQuery."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            found += [m for m in WIDGET_MIME_TYPES if m in (output.get("data") or {})]
    return found
