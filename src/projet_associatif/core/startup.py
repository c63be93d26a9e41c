"""Keep process start-up short: skip optional imports that cost seconds and serve nothing here.

Imported by the command line and inside every notebook kernel the build starts, before
pandas, altair or nbformat: keep it to the standard library.
"""

from __future__ import annotations

import sys

#: Optional modules another library imports when installed, and why we never need them.
#:
#: ``rfc3987_syntax``: jsonschema (through ``jupyter`` → ``jsonschema[format-nongpl]``)
#: imports it eagerly to check the ``iri`` formats, and it compiles ~35 Earley grammars on
#: import: 1.8 s in every process that imports altair, nbformat or frictionless — ten
#: kernels per build. No schema of ours, of nbformat or of Vega-Lite uses ``iri``; without
#: the module jsonschema simply leaves that one format unchecked.
#: (python-jsonschema/jsonschema#1428; the lazy fork ``rfc3987-syntax2`` is not what
#: jsonschema imports.)
SKIPPED_OPTIONAL_IMPORTS = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Make the optional imports above fail fast (ImportError) unless already imported."""
    for name in SKIPPED_OPTIONAL_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None = "not importable"
