"""Publish a projet associatif reproducibly: validated data, notebooks, one book, three formats."""

from projet_associatif.core.startup import skip_slow_optional_imports

__version__ = "0.1.0"

# Here rather than in each entry point: the command line, every notebook kernel (the build's
# and an analyst's in Jupyter) and the tests all import this package before altair.
skip_slow_optional_imports()
