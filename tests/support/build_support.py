"""Helpers shared by several test folders (moved from test_build.py)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import nbformat
import yaml
from notebook_support import write_notebook as notebook

from projet_associatif.pipeline.build import build

REAL_DATA = Path(__file__).resolve().parents[2] / "data"


def table(folder: Path, name: str, rows: list[tuple[str, int]]) -> None:
    """Write a two-column CSV resource with its descriptor."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["code,valeur", *(f"{code},{value}" for code, value in rows)]
    (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    descriptor = {
        "name": name,
        "path": f"{name}.csv",
        "title": f"Table de test {name}",
        "format": "csv",
        "schema": {
            "fields": [
                {"name": "code", "type": "string", "constraints": {"required": True}},
                {"name": "valeur", "type": "integer", "constraints": {"minimum": 0}},
            ],
            "primaryKey": ["code"],
        },
    }
    (folder / f"{name}.resource.yaml").write_text(yaml.safe_dump(descriptor), encoding="utf-8")


def make_project(root: Path) -> Path:
    """Create a tiny project: two data tables, the evaluation framework, two notebooks."""
    root.mkdir(parents=True)
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nprofile:\n  default: projet-2020\n"
        "book:\n  title: Test\n  appendices:\n    - notebooks/02-autres.ipynb\n",
        encoding="utf-8",
    )
    (root / "_quarto-projet-2020.yml").write_text(
        "book:\n  chapters:\n    - index.qmd\n"
        "    - part: Partie\n      chapters:\n        - notebooks/01-mesures.ipynb\n",
        encoding="utf-8",
    )
    table(root / "data" / "a", "mesures", [("x", 1), ("y", 2)])
    table(root / "data" / "b", "autres", [("z", 10)])
    cadre = root / "data" / "evaluation"
    cadre.mkdir(parents=True)
    (cadre / "evaluation_cadre.yaml").write_text(
        "date_debut_projet: 2020-09-01\n"
        "bilans:\n"
        "  - {id: bilan-intermediaire, libelle: Bilan intermédiaire, duree_mois: 18}\n"
        "  - {id: bilan-final, libelle: Bilan final, duree_mois: 36}\n",
        encoding="utf-8",
    )
    (cadre / "evaluation_cadre.resource.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "evaluation_cadre",
                "path": "evaluation_cadre.yaml",
                "format": "yaml",
                "jsonSchema": {
                    "type": "object",
                    "required": ["date_debut_projet"],
                    "properties": {"date_debut_projet": {}, "bilans": {}},
                },
            }
        ),
        encoding="utf-8",
    )
    # The organisation's name and the source's title have their one home in the data.
    identity = root / "data" / "association"
    identity.mkdir(parents=True)
    for name in ("identite.yaml", "identite.resource.yaml"):
        shutil.copyfile(REAL_DATA / "association" / name, identity / name)
    for name in ("mesures", "autres"):
        notebook(
            root / "notebooks" / f"0{1 if name == 'mesures' else 2}-{name}.ipynb",
            "from projet_associatif.data.package import load",
            f'frame = load("{name}", data_dir or None)\n'
            f'print("total {name}", int(frame["valeur"].sum()), profile, as_of)',
        )
    return root


def fake_render(executed_dir: Path, staging: Path, *, profile, formats, engine, meta, memo_dir):
    """Stand in for the renderer: write the notebooks' printed lines into every format."""
    lines = []
    for path in sorted(executed_dir.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            lines += [
                o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stdout"
            ]
    body = "".join(lines) + f"{meta['profile_label']} {meta['as_of']} {meta['build_date']}\n"
    out = {}
    for fmt in formats:
        path = staging / ("html/index.html" if fmt == "html" else f"projet-associatif.{fmt}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
        out[fmt] = path
    return out


def tree_hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def run(**kwargs):
    """Build the tiny project with the test defaults (two jobs, HTML and PDF)."""
    kwargs.setdefault("jobs", 2)
    kwargs.setdefault("formats", "html,pdf")
    return build(**kwargs)
