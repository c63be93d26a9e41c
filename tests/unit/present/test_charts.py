import base64
import io
import itertools
import json
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import pypandoc
import pypdf
import pytest
import typst

from projet_associatif.core.formatting import NBSP
from projet_associatif.present import charts

EPCI = pd.DataFrame(
    {
        "epci": ["Moulins Communauté", "Entr'Allier Besbre et Loire", "Bocage Bourbonnais"],
        "population": [64_000, 1_637_478, 20_500],
    }
)
ARGS = {"title": "Population des EPCI", "source": "INSEE, 2018", "alt": "Barres : population"}


@pytest.fixture(scope="module")
def bar():
    return charts.bar_chart(EPCI, "population", "epci", x_title="Population", y_title="EPCI")


@pytest.fixture(scope="module")
def bundle(bar):
    return charts.mimebundle(bar, **ARGS)


# --- colours ------------------------------------------------------------------------------


def _linear(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _contrast(colour: str, background: str = "#FFFFFF") -> float:
    """WCAG 2 contrast ratio."""
    weights = np.array([0.2126, 0.7152, 0.0722])
    la, lb = (_linear(colour) @ weights, _linear(background) @ weights)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_contrast_formula_matches_wcag_reference_values():
    assert _contrast("#000000") == pytest.approx(21.0)
    assert _contrast("#767676") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("colour", charts.PALETTE)
def test_palette_colours_reach_3_to_1_against_white(colour):
    assert _contrast(colour) >= 3.0


@pytest.mark.parametrize("colour", [charts.TEXT_COLOR, charts.AXIS_COLOR])
def test_text_and_axis_colours_reach_4_5_to_1_against_white(colour):
    assert _contrast(colour) >= 4.5


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
CVD = {
    "vision normale": np.eye(3),
    "protanopie": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deutéranopie": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopie": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(linear_rgb, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", CVD)
def test_palette_colours_stay_apart_under_colour_blindness(vision):
    matrix = CVD[vision]
    labs = [_lab(matrix @ _linear(c)) for c in charts.PALETTE]
    closest = min(np.linalg.norm(a - b) for a, b in itertools.combinations(labs, 2))
    assert closest >= 15, f"{vision} : ΔE minimal {closest:.1f}"


# --- theme --------------------------------------------------------------------------------


def test_theme_is_registered_and_enabled():
    assert charts.THEME in alt.theme.names()
    assert alt.theme.active == charts.THEME


def test_theme_sizes_and_locale():
    config = charts.theme()["config"]
    for part in ("axis", "legend"):
        for key, value in config[part].items():
            if key.endswith("FontSize"):
                assert value >= 11, (part, key)
    assert config["text"]["fontSize"] >= 11
    assert config["range"]["category"] == list(charts.PALETTE)
    assert config["locale"]["number"]["thousands"] == NBSP
    assert config["locale"]["time"]["months"][2] == "mars"


# --- the mimebundle -----------------------------------------------------------------------


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_bundle_holds_the_three_mimetypes_and_metadata(bundle):
    data, metadata = bundle
    assert {"image/svg+xml", "image/png", "text/html"} <= set(data)
    assert data["image/svg+xml"].startswith("<svg")
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")
    pa = metadata["pa"]
    printed = {"data_markdown": pa["data_markdown"], "data_label": pa["data_label"]}
    assert pa == {"kind": "chart", **ARGS, "id": pa["id"], **printed}


def test_bundle_carries_the_chart_values_as_a_table_for_print(bundle):
    table = bundle[1]["pa"]["data_markdown"]
    assert table.splitlines()[0].startswith("| EPCI")
    assert f"1{NBSP}637{NBSP}478" in table and f"20{NBSP}500" in table


def test_svg_numbers_are_french(bundle):
    texts = _texts(bundle[0]["image/svg+xml"])
    assert f"1{NBSP}637{NBSP}478" in texts  # the bar's value label
    assert f"1{NBSP}600{NBSP}000" in texts  # an axis tick
    joined = " ".join(texts)
    assert "1,637,478" not in joined and "1,600,000" not in joined
    assert "\u202f" not in joined


def test_svg_text_is_at_least_11_px(bundle):
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)px"', bundle[0]["image/svg+xml"])]
    assert sizes and min(sizes) >= 11


def test_svg_has_no_english_aria_descriptions(bundle):
    assert "titled" not in bundle[0]["image/svg+xml"]


def test_png_is_twice_the_svg_at_192_ppi(bundle):
    data, metadata = bundle
    png = base64.b64decode(data["image/png"])
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (
        2 * metadata["image/png"]["width"],
        2 * metadata["image/png"]["height"],
    )
    phys = png.index(b"pHYs")
    ppm_x, ppm_y, unit = struct.unpack(">IIB", png[phys + 4 : phys + 13])
    assert unit == 1 and round(ppm_x * 0.0254) == 192 == round(ppm_y * 0.0254)


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.data: dict[str, str] = {}
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))
        self._stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self._stack:
            self._stack.remove(tag)

    def handle_data(self, data):
        for tag in self._stack:
            self.data[tag] = self.data.get(tag, "") + data


def _parse(html_text: str) -> _Collector:
    collector = _Collector()
    collector.feed(html_text)
    return collector


def test_html_is_an_offline_figure(bundle):
    html_text = bundle[0]["text/html"]
    assert "<script src" not in html_text
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", html_text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    parsed = _parse(html_text)
    scripts = [attrs for tag, attrs in parsed.starts if tag == "script"]
    assert scripts == [{"type": "application/json", "id": bundle[1]["pa"]["id"]}]
    assert parsed.starts[0] == ("figure", {"class": "pa-chart", "id": f"{scripts[0]['id']}-figure"})


def test_html_view_carries_the_alt_text_and_the_spec_reference(bundle):
    parsed = _parse(bundle[0]["text/html"])
    view = next(attrs for tag, attrs in parsed.starts if attrs.get("class") == "pa-chart-view")
    assert view["role"] == "img"
    assert view["aria-label"] == ARGS["alt"]
    assert view["data-spec"] == bundle[1]["pa"]["id"]
    assert bundle[0]["image/svg+xml"] in bundle[0]["text/html"]


def test_html_spec_is_the_inlined_vega_lite_spec(bundle, bar):
    html_text = bundle[0]["text/html"]
    ident = bundle[1]["pa"]["id"]
    raw = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', html_text)
    spec = json.loads(raw.group(1))
    assert spec == charts.chart_spec(bar)
    assert "$schema" not in spec
    values = next(iter(spec["datasets"].values()))
    assert {"epci": "Moulins Communauté", "population": 64000} in values


def test_html_caption_and_data_table(bundle):
    parsed = _parse(bundle[0]["text/html"])
    assert parsed.data["figcaption"] == f"Population des EPCI Source{NBSP}: INSEE, 2018"
    assert parsed.data["summary"] == "Données du graphique"
    table = parsed.data["table"]
    # Category first, then the measure, headed by the axis titles, numbers in French.
    assert table.startswith("EPCIPopulation")
    assert f"Entr'Allier Besbre et Loire1{NBSP}637{NBSP}478" in table


def test_figcaption_is_the_last_child_of_the_figure(bundle):
    assert bundle[0]["text/html"].endswith("</figcaption></figure>")


def test_ids_are_stable_within_and_across_processes(bar, bundle):
    again = charts.mimebundle(bar, **ARGS)
    assert again == bundle
    code = (
        "import sys, pandas as pd\n"
        "from projet_associatif.present import charts\n"
        f"frame = pd.DataFrame({EPCI.to_dict(orient='list')!r})\n"
        "chart = charts.bar_chart(frame, 'population', 'epci', x_title='Population',"
        " y_title='EPCI')\n"
        f"sys.stdout.write(charts.mimebundle(chart, **{ARGS!r})[0]['text/html'])\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert other == bundle[0]["text/html"]


def test_ids_differ_between_charts(bar, bundle):
    other = charts.mimebundle(bar, **{**ARGS, "title": "Autre titre"})
    assert other[1]["pa"]["id"] != bundle[1]["pa"]["id"]


def test_text_is_escaped_and_the_script_cannot_be_closed():
    frame = pd.DataFrame({"libelle": ["</script><b>"], "n": [1]})
    chart = charts.bar_chart(frame, "libelle", "n")
    data, _ = charts.mimebundle(chart, title="<i>Titre</i>", source="A & B", alt='Dit "bonjour"')
    html_text = data["text/html"]
    assert html_text.count("</script>") == 1
    assert "<i>" not in html_text and "&lt;i&gt;Titre&lt;/i&gt;" in html_text
    assert 'aria-label="Dit &quot;bonjour&quot;"' in html_text
    assert "A &amp; B" in html_text


def test_svg_ids_are_prefixed_with_the_chart_id():
    frame = pd.DataFrame({"a": [1, 3], "b": [2, 5]})
    chart = (
        alt.Chart(frame)
        .mark_point(clip=True)
        .encode(x=alt.X("a:Q", scale=alt.Scale(domain=[0, 2])), y="b:Q")
    )
    data, metadata = charts.mimebundle(chart, title="T", source="S", alt="A")
    svg = data["image/svg+xml"]
    ids = re.findall(r'\bid="([^"]+)"', svg)
    refs = re.findall(r"url\(#([^)]+)\)", svg)
    assert ids and refs
    assert all(i.startswith(metadata["pa"]["id"] + "-") for i in ids)
    assert set(refs) <= set(ids)


@pytest.mark.parametrize("missing", ["title", "source", "alt"])
def test_title_source_and_alt_are_required(bar, missing):
    with pytest.raises(ValueError, match=missing):
        charts.mimebundle(bar, **{**ARGS, missing: "  "})


def test_data_argument_replaces_the_chart_data_in_the_table(bar):
    shown = pd.DataFrame({"Territoire": ["Allier"], "Habitants": [335_975]})
    data, _ = charts.mimebundle(bar, **ARGS, data=shown)
    table = _parse(data["text/html"]).data["table"]
    assert table == f"TerritoireHabitantsAllier335{NBSP}975"


def test_bar_chart_is_horizontal_when_x_is_numeric_and_keeps_data_order(bar):
    spec = charts.chart_spec(bar)
    encoding = spec["layer"][0]["encoding"]
    assert encoding["x"]["type"] == "quantitative"
    assert encoding["y"]["sort"] == list(EPCI["epci"])


def test_bar_chart_value_labels_carry_the_unit_of_the_column():
    frame = pd.DataFrame({"annee": ["2018", "2019"], "part_pct": [48.5, 50.25]})
    data, _ = charts.mimebundle(charts.bar_chart(frame, "annee", "part_pct"), **ARGS)
    texts = _texts(data["image/svg+xml"])
    assert f"48,50{NBSP}%" in texts and f"50,25{NBSP}%" in texts


def test_bar_chart_refuses_two_text_fields():
    frame = pd.DataFrame({"a": ["x"], "b": ["y"]})
    with pytest.raises(ValueError, match="numérique"):
        charts.bar_chart(frame, "a", "b")


def test_too_many_groups_are_refused():
    frame = pd.DataFrame({"g": list("abcdef"), "x": ["u"] * 6, "n": range(6)})
    with pytest.raises(ValueError, match="6 groupes"):
        charts.grouped_bar_chart(frame, "x", "n", "g")


def test_grouped_bar_chart_offsets_and_colours_by_group():
    frame = pd.DataFrame(
        {"annee": ["2018", "2019"] * 2, "sexe": ["F", "F", "H", "H"], "n": [1, 2, 3, 4]}
    )
    encoding = charts.chart_spec(charts.grouped_bar_chart(frame, "annee", "n", "sexe"))["encoding"]
    assert encoding["xOffset"]["field"] == "sexe" == encoding["color"]["field"]
    assert encoding["color"]["sort"] == ["F", "H"]


@pytest.mark.parametrize(
    ("period", "axis_label", "table_label"),
    [
        ("mois", "janv. 2020", "janvier 2020"),
        ("trimestre", "T1 2020", "T1 2020"),
        ("annee", "2020", "2020"),
        ("jour", "1 janv. 2020", "1er janvier 2020"),
    ],
)
def test_line_chart_period_labels_are_french(period, axis_label, table_label):
    frame = pd.DataFrame(
        {"periode": pd.date_range("2020-01-01", periods=8, freq="QS"), "jeunes": range(8)}
    )
    chart = charts.line_chart(frame, "periode", "jeunes", period=period, x_title="Période")
    data, _ = charts.mimebundle(chart, **ARGS)
    assert axis_label in _texts(data["image/svg+xml"])
    table = _parse(data["text/html"]).data["table"]
    assert table.startswith("PériodejeunesT1 2020" if period == "trimestre" else "Périodejeunes")
    assert table_label in table


def test_line_chart_refuses_unknown_period():
    with pytest.raises(ValueError, match="Période inconnue"):
        charts.line_chart(pd.DataFrame({"d": [], "n": []}), "d", "n", period="semaine")


# --- offline JavaScript -------------------------------------------------------------------


def test_vega_bundle_is_cached_on_disk(tmp_path, monkeypatch):
    from importlib.metadata import version

    monkeypatch.setattr(charts, "build_dir", lambda: tmp_path)
    text = charts.vega_bundle()
    assert "window.vegaEmbed=" in text.replace(" ", "")
    cached = list((tmp_path / "vega").glob("vega-bundle-*.js"))
    assert [p.name for p in cached] == [
        f"vega-bundle-altair{version('altair')}-vlc{version('vl-convert-python')}.js"
    ]

    def fail(**_):
        raise AssertionError("the bundle should come from the cache")

    monkeypatch.setattr(charts.vlc, "javascript_bundle", fail)
    assert charts.vega_bundle() == text


HARNESS = r"""
const fs = require("fs");
const [source, specPath, mode] = process.argv.slice(2);
const spec = JSON.parse(fs.readFileSync(specPath, "utf8"));
function node(tag) {
  const classes = new Set();
  return {
    tag, children: [], hidden: false, attrs: {},
    classList: { add: (c) => classes.add(c), contains: (c) => classes.has(c) },
    get childNodes() { return this.children; },
    appendChild(n) { this.children.push(n); return n; },
    removeChild(n) {
      const i = this.children.indexOf(n);
      if (i < 0) throw new Error("not a child");
      this.children.splice(i, 1); return n;
    },
    getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; },
  };
}
const view = node("div");
view.attrs = { "data-spec": "pa-chart-x", role: "img", "aria-label": "Texte" };
view.appendChild(node("svg"));
const script = { textContent: JSON.stringify(spec) };
global.document = {
  readyState: "complete",
  getElementById: (id) => (id === "pa-chart-x" ? script : null),
  querySelectorAll: (sel) => (sel === ".pa-chart-view[data-spec]" ? [view] : []),
  createElement: node,
  addEventListener() {},
};
global.window = {};
const calls = [];
if (mode !== "missing") {
  window.vegaEmbed = (el, s, opts) => {
    calls.push({ s, opts });
    return mode === "ok" ? Promise.resolve({}) : Promise.reject(new Error("échec"));
  };
}
new Function(fs.readFileSync(source, "utf8"))();
setTimeout(() => {
  console.log(JSON.stringify({
    children: view.children.map((c) => c.tag + (c.hidden ? ":hidden" : "")),
    live: view.classList.contains("pa-chart-live"),
    role: view.attrs.role,
    calls: calls.map((c) => ({
      mode: c.opts.mode, renderer: c.opts.renderer, actions: c.opts.actions,
      thousands: c.opts.formatLocale.thousands, march: c.opts.timeFormatLocale.months[2],
      datasets: Object.keys(c.s.datasets).length,
    })),
  }));
}, 20);
"""


@pytest.mark.parametrize(
    ("mode", "children", "live", "calls"),
    [("ok", ["div"], True, 1), ("fail", ["svg"], False, 1), ("missing", ["svg"], False, 0)],
)
def test_pa_charts_js_swaps_the_static_svg_only_on_success(
    bar, tmp_path, mode, children, live, calls
):
    node = shutil.which("node")
    assert node, "node (Debian nodejs) is part of the machine image"
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS, encoding="utf-8")
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps(charts.chart_spec(bar)), encoding="utf-8")
    source = str(Path(charts.__file__).parents[1] / "publish" / "assets" / "pa-charts.js")
    out = subprocess.run(
        [node, str(harness), source, str(spec_path), mode],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["children"] == children
    assert result["live"] is live
    assert result["role"] == "img"
    assert len(result["calls"]) == calls
    if calls:
        assert result["calls"][0] == {
            "mode": "vega-lite",
            "renderer": "svg",
            "actions": False,
            "thousands": NBSP,
            "march": "mars",
            "datasets": 1,
        }


# --- the static outputs in the other renderers ---------------------------------------------


def test_svg_text_stays_text_in_typst_pdf_with_bundled_fonts_only(bundle, tmp_path):
    (tmp_path / "chart.svg").write_text(bundle[0]["image/svg+xml"], encoding="utf-8")
    (tmp_path / "doc.typ").write_text('#image("chart.svg", width: 100%)\n', encoding="utf-8")
    pdf = typst.compile(str(tmp_path / "doc.typ"), ignore_system_fonts=True)
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "\x00" not in text
    assert f"1{NBSP}637{NBSP}478" in text
    assert "Moulins Communauté" in text


def test_png_keeps_the_svg_size_in_docx(tmp_path):
    # Small enough for Pandoc not to shrink it to the page width.
    small = charts.bar_chart(EPCI.head(2), "epci", "population").properties(height=120)
    data, metadata = charts.mimebundle(small, **ARGS)
    assert metadata["image/png"]["width"] < 500
    (tmp_path / "chart.png").write_bytes(base64.b64decode(data["image/png"]))
    out = tmp_path / "doc.docx"
    pypandoc.convert_text(
        "![Légende](chart.png)\n",
        "docx",
        format="markdown",
        outputfile=str(out),
        cworkdir=str(tmp_path),
    )
    document = zipfile.ZipFile(out).read("word/document.xml").decode()
    cx, cy = map(int, re.search(r'<wp:extent cx="(\d+)" cy="(\d+)"', document).groups())
    emu_per_px = 9525  # 914400 EMU per inch / 96 px per inch
    assert cx == pytest.approx(metadata["image/png"]["width"] * emu_per_px, rel=0.01)
    assert cy == pytest.approx(metadata["image/png"]["height"] * emu_per_px, rel=0.01)


def test_print_table_spreads_one_measure_by_series_like_the_source():
    frame = pd.DataFrame(
        {
            "Trimestre": ["T2 2008", "T2 2008", "T1 2018", "T1 2018"],
            "Territoire": ["France", "Allier", "France", "Allier"],
            "Taux (%)": [7.0, 7.1, 8.9, 9.8],
        }
    )
    wide, formats, measure = charts.print_table(frame, {"Taux (%)": "pourcentage:1"})
    assert list(wide.columns) == ["Trimestre", "France", "Allier"]
    assert wide.values.tolist() == [["T2 2008", 7.0, 7.1], ["T1 2018", 8.9, 9.8]]
    assert formats == {"France": "pourcentage:1", "Allier": "pourcentage:1"}
    assert measure == "Taux (%)"
    # Not one measure by category and series: kept as it is.
    kept, _, label = charts.print_table(frame.drop(columns="Territoire"), {})
    assert kept.equals(frame.drop(columns="Territoire")) and label == ""
    twice = pd.concat([frame, frame.head(1)])
    assert charts.print_table(twice, {})[2] == ""
