"""Change one top-level key of a YAML file's text, keeping its comments where possible."""

from __future__ import annotations

import re
from typing import Any

import yaml

#: Where a dump puts non-ASCII letters and long lines: as written, lines up to 100 characters.
DUMP_OPTIONS = {"allow_unicode": True, "sort_keys": False, "width": 100}


def dump(value: Any) -> str:
    """Return ``value`` as YAML the way the project writes it (UTF-8 letters, key order kept)."""
    return yaml.safe_dump(value, **DUMP_OPTIONS)


def _block(key: str) -> re.Pattern[str]:
    # The key's line, then every following line that is indented, a list item or blank.
    return re.compile(rf"^{re.escape(key)}:.*\n(?:(?:[ \t-].*)?\n)*", re.MULTILINE)


def set_key(text: str, key: str, value: Any, *, comment: str = "") -> str:
    """Return ``text`` with the top-level ``key`` set to ``value`` (``None``: key removed).

    The block of the key is replaced in place (or appended), so the file's other lines and
    comments stay; if the result does not read back as expected, the whole document is
    written again (comments lost, content right).
    """
    if not text.endswith("\n"):
        text += "\n"
    expected = dict(yaml.safe_load(text) or {})
    if value is None:
        expected.pop(key, None)
        new_block = ""
    else:
        expected[key] = value
        new_block = comment + dump({key: value})
    pattern = _block(key)
    if pattern.search(text):
        result = pattern.sub(lambda _: new_block, text, count=1)
    else:
        result = text + new_block
    return result if reads_back(result, expected) else dump(expected)


def reads_back(text: str, expected: Any) -> bool:
    """Return whether ``text`` parses to ``expected`` (an edit of a YAML text went right)."""
    try:
        return yaml.safe_load(text) == expected
    except yaml.YAMLError:
        return False
