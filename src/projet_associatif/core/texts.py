"""Read the fixed texts the package shows (rules, instructions) from editable files.

The files live in ``projet_associatif/textes/``: Markdown for prose, YAML for texts keyed by
name. A non-programmer edits them there, never inside Python; the code only picks them up.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

TEXTS_DIR = Path(__file__).resolve().parents[1] / "textes"


@functools.cache
def text(name: str) -> str:
    """Return the Markdown text ``textes/<name>.md``, without its final newline."""
    return (TEXTS_DIR / f"{name}.md").read_text(encoding="utf-8").rstrip("\n")


@functools.cache
def texts(name: str) -> dict[str, Any]:
    """Return the texts of ``textes/<name>.yaml``, keyed by name."""
    with open(TEXTS_DIR / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)
