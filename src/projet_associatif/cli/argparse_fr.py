"""An argparse parser that speaks French: usage, group titles, help and usage errors.

argparse looks every message of its own up through gettext when it prints it (or, for the
group titles and the ``--help`` line, when a parser is created): ``argparse._`` and
``argparse.ngettext``, bound once at import time to the process-wide gettext catalogue.
:class:`FrenchArgumentParser` swaps in the French catalogue below around each of its own
steps only, so other parsers of the process (pytest's, a library's) keep their language.
The catalogue is keyed on argparse's English messages (Python 3.11 to 3.13);
``tests/unit/cli/test_cli.py`` checks it covers every message of the running Python's argparse.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

#: argparse's messages (gettext msgids) and their French translation.
MESSAGES = {
    "usage: ": "utilisation : ",
    "positional arguments": "arguments positionnels",
    "options": "options",
    "optional arguments": "options",  # Python ≤ 3.9, kept for old catalogues
    "subcommands": "sous-commandes",
    # Python 3.13: section headings and ArgumentDefaultsHelpFormatter. The space before the
    # colon of a heading comes from FrenchHelpFormatter.start_section, on every version.
    "%(heading)s:": "%(heading)s:",
    " (default: %(default)s)": " (défaut : %(default)s)",
    "show this help message and exit": "afficher cette aide et quitter",
    "show program's version number and exit": "afficher le numéro de version et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s : avertissement : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "choix invalide : %(value)r (choix possibles : %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "valeur invalide (%(type)s) : %(value)r",
    "expected one argument": "une valeur est attendue",
    "expected at most one argument": "une valeur au plus est attendue",
    "expected at least one argument": "une valeur au moins est attendue",
    "ambiguous option: %(option)s could match %(matches)s": (
        "option ambiguë : %(option)s peut désigner %(matches)s"
    ),
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "ignored explicit argument %r": "valeur %r ignorée",
    "unexpected option string: %s": "option inattendue : %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "commande inconnue %(parser_name)r (choix possibles : %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir '%(filename)s' : %(error)s",
    'argument "-" with mode %r': 'argument "-" avec le mode %r',
    "option '%(option)s' is deprecated": "l'option '%(option)s' est obsolète",
    "argument '%(argument_name)s' is deprecated": "l'argument '%(argument_name)s' est obsolète",
    "command '%(parser_name)s' is deprecated": "la commande '%(parser_name)s' est obsolète",
    # Programming errors (a parser declared wrongly), never seen by a user of a correct CLI;
    # translated so that the catalogue is complete.
    ".__call__() not defined": ".__call__() non défini",
    "conflicting subparser: %s": "sous-commande en conflit : %s",
    "conflicting subparser alias: %s": "alias de sous-commande en conflit : %s",
    "cannot merge actions - two groups are named %r": (
        "fusion impossible : deux groupes s'appellent %r"
    ),
    "'required' is an invalid argument for positionals": (
        "« required » n'est pas admis pour un argument positionnel"
    ),
    "invalid option string %(option)r: must start with a character %(prefix_chars)r": (
        "option %(option)r invalide : elle doit commencer par un caractère %(prefix_chars)r"
    ),
    "dest= is required for options like %r": "dest= est obligatoire pour une option comme %r",
    "invalid conflict_resolution value: %r": "valeur de conflict_resolution invalide : %r",
    "mutually exclusive arguments must be optional": (
        "des arguments mutuellement exclusifs doivent être des options"
    ),
    "cannot have multiple subparser arguments": "un seul groupe de sous-commandes est permis",
    "%r is not callable": "%r n'est pas appelable",
}

#: argparse's messages with a plural form: (singular, plural) -> French (singular, plural).
PLURAL_MESSAGES = {
    ("conflicting option string: %s", "conflicting option strings: %s"): (
        "option en conflit : %s",
        "options en conflit : %s",
    ),
    ("expected %s argument", "expected %s arguments"): (
        "%s valeur attendue",
        "%s valeurs attendues",
    ),
}

_lock = threading.RLock()

#: No-break space: French puts one before « : ; ! ? » and inside « », and a line must not
#: start with the colon (argparse's wrapping breaks on ASCII spaces only).
NBSP = "\u00a0"
_SPACE_BEFORE = re.compile(r" ([:;!?»])")


def french_spaces(text: str) -> str:
    """Return ``text`` with no-break spaces where French typography wants them."""
    return _SPACE_BEFORE.sub(NBSP + r"\1", text).replace("« ", "«" + NBSP)


class FrenchHelpFormatter(argparse.HelpFormatter):
    """Help formatter with French typography: « options : », no-break spaces in help texts."""

    def start_section(self, heading: str | None) -> None:
        """Open a section; argparse appends the colon, French wants a space before it."""
        super().start_section(f"{heading}{NBSP}" if heading else heading)

    def _split_lines(self, text: str, width: int) -> list[str]:
        return super()._split_lines(french_spaces(text), width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return super()._fill_text(french_spaces(text), width, indent)


class FrenchRawDescriptionHelpFormatter(FrenchHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """French help formatter that keeps the description and epilog's line breaks."""


def gettext(message: str) -> str:
    """Return the French for one of argparse's messages (the message itself if unknown)."""
    return french_spaces(MESSAGES[message]) if message in MESSAGES else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the French singular or plural form of one of argparse's messages."""
    french = PLURAL_MESSAGES.get((singular, plural))
    if french is None:
        return singular if n == 1 else plural
    return french_spaces(french[0] if n == 1 else french[1])


@contextlib.contextmanager
def french_messages() -> Iterator[None]:
    """Make argparse look its messages up in the French catalogue for a while."""
    with _lock:
        previous = argparse._, argparse.ngettext  # type: ignore[attr-defined]
        argparse._, argparse.ngettext = gettext, ngettext  # type: ignore[attr-defined]
        try:
            yield
        finally:
            argparse._, argparse.ngettext = previous  # type: ignore[attr-defined]


class FrenchArgumentParser(argparse.ArgumentParser):
    """An :class:`argparse.ArgumentParser` whose own words (help, usage, errors) are French.

    Sub-parsers are of the same class (argparse's default ``parser_class``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        with french_messages():
            super().__init__(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Add sub-commands (their default title is translated)."""
        with french_messages():
            return super().add_subparsers(**kwargs)

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """Parse like argparse; unrecognised arguments are reported in French."""
        with french_messages():
            return super().parse_args(args, namespace)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        """Parse like argparse; ``--help``, ``--version`` and usage errors print in French."""
        with french_messages():
            return super().parse_known_args(args, namespace)

    def format_usage(self) -> str:
        """Return the usage line, in French."""
        with french_messages():
            return super().format_usage()

    def format_help(self) -> str:
        """Return the help, in French."""
        with french_messages():
            return super().format_help()

    def error(self, message: str) -> Any:
        """Print the usage and a French error message on stderr, then exit with code 2."""
        with french_messages():
            return super().error(message)
