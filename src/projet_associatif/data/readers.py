"""Read a resource's file into typed Python objects: a DataFrame for CSV, data for YAML/JSON.

These readers trust the file: :mod:`projet_associatif.data.validation` checks it first, and
:func:`projet_associatif.data.package.load` never returns what failed the checks.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import yaml

from projet_associatif.data.descriptors import YAML_LOADER, ResourceInfo
from projet_associatif.data.fill_state import caption_sources

if TYPE_CHECKING:
    import pandas as pd

#: Spellings of the Table Schema boolean values the CSV files may use.
_TRUTH = {
    "true": True,
    "True": True,
    "TRUE": True,
    "1": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "0": False,
}


def parse_document(info: ResourceInfo, text: str) -> Any:
    """Parse a YAML or JSON document (C loaders when available: the GeoJSON is large)."""
    if info.format == "json":
        return json.loads(text)
    return yaml.load(text, Loader=YAML_LOADER)


def read_typed(info: ResourceInfo) -> Any:
    """Return a resource's content typed by its schema: a DataFrame, or a parsed document.

    A table's frame carries the resource name and its declared sources in ``attrs``.
    """
    if info.format in {"yaml", "json"}:
        return parse_document(info, info.path.read_text(encoding="utf-8-sig"))
    # start-up cost: pandas takes 1 to 4 s to import (python -X importtime); the command
    # line and a rebuild with nothing to do must answer within a second, and read no table.
    import pandas as pd

    frame = pd.read_csv(info.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = set(info.descriptor.get("schema", {}).get("missingValues", [""]))
    for spec in info.fields:
        name = spec["name"]
        if name not in frame:
            continue
        column = frame[name].where(~frame[name].isin(missing), None)
        frame[name] = _convert(pd, column, spec.get("type", "string"))
    frame.attrs["resource"] = info.name
    frame.attrs["sources"] = caption_sources(info)
    return frame


def _convert(pd: Any, column: pd.Series, kind: str) -> pd.Series:
    """Return a column of text converted to the pandas type of its Table Schema type.

    ``pd`` is pandas, imported by the caller (see :func:`read_typed`).
    """
    if kind in {"integer", "year"}:
        return pd.to_numeric(column).astype("Int64")
    if kind == "number":
        return pd.to_numeric(column).astype("Float64")
    if kind == "boolean":
        return column.map(_TRUTH, na_action="ignore").astype("boolean")
    if kind == "date":
        # A whole column at once, as datetime64: the tables' date columns stay vectorised
        # (core.dates.to_date is the parser of single values).
        return pd.to_datetime(column, format="%Y-%m-%d")
    return column.astype("string")
