"""The ``projet-associatif`` command line, in French."""
