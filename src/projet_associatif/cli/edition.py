"""The ``edition`` sub-commands' options and their French help, with examples."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from projet_associatif.cli.argparse_fr import FrenchRawDescriptionHelpFormatter

EDITION_EPILOG = """\
Exemples :
  # l'édition suivante de ce projet, dans un dossier voisin :
  projet-associatif edition nouvelle ../projet-2026 --depuis . --annee 2026
  # un projet vierge pour une autre Mission Locale (codes SIREN des EPCI) :
  projet-associatif edition nouvelle ../ml-vichy --vierge \\
      --nom "Mission Locale de Vichy" \\
      --epci 200071363

Puis : cd DOSSIER, projet-associatif validate (ce qui reste à compléter ou à actualiser),
projet-associatif build. Le README.md du nouveau dossier détaille la suite.
"""


def add_edition(
    sub: argparse._SubParsersAction,
    func: Callable[[argparse.Namespace], int],
    number: Callable[[str], int],
) -> None:
    """Add the ``edition`` group to the sub-commands: start the next edition, or a blank project.

    ``func`` runs the command; ``number`` reads a whole number with a French error.
    """
    edition = sub.add_parser(
        "edition",
        help="préparer l'édition suivante ou un projet vierge pour une autre Mission Locale",
        description="préparer l'édition suivante du projet associatif, ou un projet vierge "
        "pour une autre Mission Locale",
    )
    edition_sub = edition.add_subparsers(dest="edition_command", metavar="ACTION")
    new = edition_sub.add_parser(
        "nouvelle",
        help="créer un nouveau projet dans un dossier neuf",
        description="Créer un nouveau projet associatif dans DOSSIER (neuf ou vide ; rien n'y "
        "est écrit en cas d'erreur). Avec --depuis : l'édition suivante d'un projet (structure, "
        "données avec leurs millésimes, textes à réécrire, chiffres anciens marqués « à "
        "actualiser », données de l'édition précédente gardées pour comparaison). Avec "
        "--vierge : la structure d'un projet modèle pour un autre territoire, titres et "
        "schémas gardés, sans aucun chiffre ni texte du modèle.",
        epilog=EDITION_EPILOG,
        formatter_class=FrenchRawDescriptionHelpFormatter,
    )
    new.add_argument("dossier", type=Path, metavar="DOSSIER", help="dossier du nouveau projet")
    mode = new.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--depuis",
        type=Path,
        metavar="SOURCE",
        help="dossier du projet dont partir (l'édition précédente)",
    )
    mode.add_argument("--vierge", action="store_true", help="projet vierge (exige --nom et --epci)")
    new.add_argument(
        "--annee",
        type=number,
        metavar="N",
        help="année de la nouvelle édition (défaut : l'année en cours)",
    )
    blank = new.add_argument_group("projet vierge (--vierge)")
    blank.add_argument("--nom", metavar="NOM", help="nom de l'organisation, en entier")
    blank.add_argument(
        "--nom-court",
        dest="nom_court",
        metavar="NOM",
        help="forme courte, dans les phrases (défaut : le nom entier)",
    )
    blank.add_argument(
        "--epci",
        action="append",
        metavar="CODE[,CODE…]",
        help="codes SIREN des EPCI couverts (répétable, ou séparés par des virgules)",
    )
    blank.add_argument(
        "--partage",
        action="append",
        metavar="CODE",
        help="EPCI partagé avec une autre Mission Locale (parmi --epci ; répétable)",
    )
    blank.add_argument(
        "--modele",
        type=Path,
        metavar="DOSSIER",
        help="projet dont reprendre la structure (défaut : celui du paquet installé)",
    )
    new.set_defaults(func=func)
