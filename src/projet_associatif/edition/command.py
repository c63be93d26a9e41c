"""Run ``edition nouvelle`` from parsed options and say what was created, in French."""

from __future__ import annotations

import argparse
import datetime

from rich.console import Console

from projet_associatif.edition.blank import new_blank
from projet_associatif.edition.next_edition import NewProject, new_edition
from projet_associatif.edition.target import EditionError
from projet_associatif.edition.territory import check_territory, split_codes

EXIT_OK = 0
EXIT_USAGE = 2


def create(args: argparse.Namespace, console: Console, err_console: Console) -> int:
    """Create the project the options describe; return the command's exit code."""
    year = args.annee or datetime.date.today().year
    try:
        if args.vierge:
            project = _blank(args, year)
        else:
            unused = [
                o for o in ("nom", "nom_court", "epci", "partage", "modele") if getattr(args, o)
            ]
            if unused:
                names = ", ".join("--" + o.replace("_", "-") for o in unused)
                raise EditionError(f"{names} : options d'un projet vierge (--vierge) seulement.")
            project = new_edition(args.dossier, args.depuis, year)
    except EditionError as exc:
        err_console.print(str(exc), style="red", markup=False, highlight=False, soft_wrap=True)
        return EXIT_USAGE
    _summary(project, console)
    return EXIT_OK


def _blank(args: argparse.Namespace, year: int) -> NewProject:
    """Check the blank project's options and create it."""
    if not args.nom or not args.epci:
        raise EditionError(
            "--vierge demande le nom de l'organisation (--nom) et ses EPCI (--epci)."
        )
    territory = check_territory(split_codes(args.epci), split_codes(args.partage))
    return new_blank(
        args.dossier,
        organisation=args.nom,
        short_name=args.nom_court or args.nom,
        year=year,
        territory=territory,
        template=args.modele,
    )


def _summary(project: NewProject, console: Console) -> None:
    """Print what was created and what to do next."""
    console.print(f"[green]Projet créé :[/] {project.root} (édition {project.year}).")
    console.print(f"Profils : {', '.join(project.profiles)}.")
    if project.stale:
        console.print(f"{len(project.stale)} table(s) marquée(s) « à actualiser » :")
        for mark in project.stale:
            console.print(f"  - {mark.name} : {mark.reason}", markup=False)
    console.print(
        f"Référentiel extrait : {len(project.reference)} fichier(s) dans data/reference/."
    )
    console.print(
        f"Suite : cd {project.root} ; projet-associatif validate ; projet-associatif build "
        "(voir README.md)."
    )
