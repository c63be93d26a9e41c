"""Command-line entry point: ``projet-associatif``.

Each sub-command lives in the module that holds its logic; this file only parses
arguments, prints in French and turns known errors into a clear message and a
non-zero exit code (never a bare traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from projet_associatif import __version__
from projet_associatif.cli.argparse_fr import (
    FrenchArgumentParser,
    FrenchRawDescriptionHelpFormatter,
)
from projet_associatif.cli.edition import add_edition
from projet_associatif.config.profiles import (
    REVIEW_PROFILES,
    ProfileError,
    base_profile,
    check_profile,
    resolve_as_of,
)
from projet_associatif.core.errors import DataError
from projet_associatif.core.paths import (
    ROOT_ENV,
    ROOT_OPTION,
    ProjectNotFound,
    check_project,
    project_root,
)
from projet_associatif.data.completeness import Completeness
from projet_associatif.data.package import UnknownResource, ValidationSummary, validate_all
from projet_associatif.publish import ENGINES, FORMATS

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)

EXIT_OK = 0
EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a process stopped by Ctrl-C

EPILOG = """\
Exemples :
  projet-associatif validate                 vérifie toutes les données de data/
  projet-associatif audit                    contrôle l'arithmétique du document source
  projet-associatif build                    construit le rapport (HTML, PDF, DOCX) dans _book/
  projet-associatif build --profile bilan-intermediaire --suivi exemples/suivi-fictif.xlsx
  projet-associatif suivi modele suivi.xlsx  écrit un classeur de suivi prêt à remplir
  projet-associatif edition nouvelle ../projet-2026 --depuis .   prépare l'édition suivante

Le projet est le dossier courant ou le plus proche de ses parents qui contient _quarto.yml et
data/association/identite.yaml (comme git trouve son dépôt), ou celui que nomme --projet DOSSIER.

Documentation : README.md et data/README.md.
"""

PROJECT_HELP = (
    "dossier du projet (défaut : le dossier courant ou le plus proche de ses parents qui "
    "contient _quarto.yml et data/association/identite.yaml)"
)


def _project_option(parser: argparse.ArgumentParser, *, main: bool = False) -> None:
    """Add ``--projet DOSSIER`` to ``parser``.

    On a sub-command it is set only when given (``SUPPRESS``): argparse would otherwise let
    the sub-command's default erase the value given before the command's name.
    """
    parser.add_argument(
        ROOT_OPTION,
        dest="projet",
        type=Path,
        metavar="DOSSIER",
        default=None if main else argparse.SUPPRESS,
        help=PROJECT_HELP,
    )


def _cmd_validate(args: argparse.Namespace) -> int:
    # Validity first, then completeness: only broken rules fail, unless --complet.
    summaries = validate_all(args.data_dir)
    table = Table(title="Validation du paquet de données", show_lines=False)
    table.add_column("Ressource")
    table.add_column("Fichier")
    table.add_column("Lignes", justify="right")
    table.add_column("État")
    for s in summaries:
        state = "[green]OK[/]" if s.ok else f"[red]{len(s.problems)} erreur(s)[/]"
        table.add_row(s.name, s.file, "—" if s.rows is None else str(s.rows), state)
    console.print(table)
    lacking = _print_checklist(summaries)
    problems = [p for s in summaries for p in s.problems]
    n_ok = sum(s.ok for s in summaries)
    if problems:
        err_console.print(DataError(problems).render(limit=200))
        err_console.print(f"[red]{n_ok}/{len(summaries)} ressources valides.[/]")
        return EXIT_DATA
    console.print(f"[green]{n_ok}/{len(summaries)} ressources valides.[/]")
    if lacking and args.complet:
        err_console.print(
            f"[red]Données incomplètes ({lacking} ressource(s) à compléter ou à actualiser) : "
            "--complet exige un paquet entièrement rempli et à jour.[/]"
        )
        return EXIT_DATA
    return EXIT_OK


_STATE_STYLE = {
    Completeness.FILLED: "green",
    Completeness.KEPT: "green",
    Completeness.TO_COMPLETE: "yellow",
    Completeness.TO_UPDATE: "yellow",
}


def _print_checklist(summaries: Sequence[ValidationSummary]) -> int:
    """Print what is filled, « à compléter » and « à actualiser »; return how many lack."""
    table = Table(title="Complétude du paquet de données", show_lines=False)
    table.add_column("Ressource")
    table.add_column("Fichier")
    table.add_column("État")
    for s in summaries:
        table.add_row(s.name, s.file, f"[{_STATE_STYLE[s.state]}]{s.state}[/]")
    console.print(table)
    counts = {state: sum(s.state == state for s in summaries) for state in Completeness}
    filled = counts[Completeness.FILLED] + counts[Completeness.KEPT]
    kept = counts[Completeness.KEPT]
    console.print(
        f"{filled} remplie(s)"
        + (f" (dont {kept} conservée(s) sans mise à jour)" if kept else "")
        + f", {counts[Completeness.TO_COMPLETE]} à compléter, "
        f"{counts[Completeness.TO_UPDATE]} à actualiser."
    )
    return counts[Completeness.TO_COMPLETE] + counts[Completeness.TO_UPDATE]


def _cmd_audit(args: argparse.Namespace) -> int:
    # start-up cost: the audit brings pandas (~0,5 s), which `--help` must not wait for.
    from projet_associatif.analysis.audit import run_audit
    from projet_associatif.analysis.audit_findings import AuditStatus, print_audit, write_audit

    findings = run_audit(args.data_dir)
    print_audit(findings, console)
    if args.output:
        write_audit(findings, args.output)
        console.print(f"Résultat écrit dans {args.output}")
    if args.strict and any(f.status == AuditStatus.DISCREPANCY for f in findings):
        return EXIT_DATA
    return EXIT_OK


def _cmd_build(args: argparse.Namespace) -> int:
    # The default is the project's own base document, known once the project is found.
    args.profile = check_profile(args.profile or base_profile())
    # start-up cost: the build's modules bring logging, subprocess, threads, rich.live
    # (~0,1 s in all), which `--help` must not wait for.
    from projet_associatif.pipeline.build import build_from_args

    return build_from_args(args, console)


def _cmd_reference(args: argparse.Namespace) -> int:
    # start-up cost: the refresh brings importlib.metadata, email, zipfile, lzma (~0,1 s).
    from projet_associatif.data.reference import refresh

    written = refresh(args.data_dir)
    for path in written:
        console.print(f"écrit : {path}")
    return EXIT_OK


def _cmd_suivi_template(args: argparse.Namespace) -> int:
    # start-up cost: the workbook's reader brings pandas (~0,5 s), not needed by `--help`.
    from projet_associatif.suivi.template import write_template

    path = write_template(args.output, args.data_dir, fiches=args.fiche)
    console.print(f"Classeur de suivi écrit : {path}")
    return EXIT_OK


def _cmd_suivi_merge(args: argparse.Namespace) -> int:
    # start-up cost: the workbook's reader brings pandas (~0,5 s), not needed by `--help`.
    from projet_associatif.suivi.fusion import merge

    as_of = resolve_as_of(args.profile, args.as_of, args.data_dir)
    result = merge(args.fichiers, args.output, data_dir=args.data_dir, as_of=as_of)
    detail = ", ".join(f"« {sheet} » {n} ligne(s)" for sheet, n in result.rows.items())
    flag = " — DONNÉES FICTIVES" if result.fictional else ""
    console.print(
        f"[green]{len(args.fichiers)} classeurs fusionnés[/] dans {result.output} : {detail}{flag}."
    )
    return EXIT_OK


def _cmd_suivi_check(args: argparse.Namespace) -> int:
    # start-up cost: the workbook's reader brings pandas (~0,5 s), not needed by `--help`.
    from projet_associatif.suivi.reader import future_date_warnings, read_suivi

    as_of = resolve_as_of(args.profile, args.as_of, args.data_dir)
    suivi = read_suivi(args.fichier, data_dir=args.data_dir, as_of=as_of)
    counts = {
        "mesures": len(suivi.mesures),
        "jalons": len(suivi.jalons),
        "réponses": len(suivi.reponses),
        "cibles": len(suivi.cibles),
    }
    detail = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    flag = " — DONNÉES FICTIVES" if suivi.fictional else ""
    for line in future_date_warnings(suivi):
        err_console.print(line, style="yellow", markup=False)
    console.print(f"[green]{args.fichier} est valide[/] au {as_of:%Y-%m-%d} : {detail}{flag}.")
    return EXIT_OK


def _cmd_edition_new(args: argparse.Namespace) -> int:
    # start-up cost: the edition modules bring the registry readers (importlib.metadata,
    # lzma, ~0,1 s), which `--help` must not wait for.
    from projet_associatif.edition.command import create

    return create(args, console, err_console)


def whole_number(text: str) -> int:
    """Return the integer written in ``text``; argparse reports the French message."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"nombre entier attendu, pas {text!r}") from None


# The help names no organisation: it must not read (and validate) the data, which costs
# seconds, and the same command serves every project folder.
DESCRIPTION = (
    "Projet associatif reproductible : valide les données, contrôle les "
    "chiffres du document source, exécute les notebooks et publie le rapport en HTML, PDF "
    "et DOCX."
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every sub-command and its help in French."""
    parser = FrenchArgumentParser(
        prog="projet-associatif",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=FrenchRawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {__version__}",
        help="afficher le numéro de version et quitter",
    )
    _project_option(parser, main=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMANDE")

    def add(
        name: str, help_: str, func: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            metavar="DOSSIER",
            help="dossier des données (défaut : data/ à la racine du projet)",
        )
        _project_option(p)
        p.set_defaults(func=func)
        return p

    validate = add(
        "validate",
        "valider toutes les tables de data/ contre leurs schémas, puis dire ce qui reste "
        "à compléter ou à actualiser",
        _cmd_validate,
    )
    validate.add_argument(
        "--complet",
        action="store_true",
        help="sortir en erreur (code 1) si une ressource est à compléter ou à actualiser "
        "(pour la publication finale)",
    )

    audit = add(
        "audit",
        "contrôler l'arithmétique du document source (totaux, sommes, parts, taux) "
        "sans rien corriger",
        _cmd_audit,
    )
    audit.add_argument(
        "--output",
        type=Path,
        metavar="FICHIER",
        help="écrire aussi le résultat (CSV) dans ce fichier",
    )
    audit.add_argument(
        "--strict", action="store_true", help="sortir en erreur (code 1) si un écart est trouvé"
    )

    build = add(
        "build",
        "valider, exécuter les notebooks et publier le rapport dans _book/<profil>/",
        _cmd_build,
    )
    build.add_argument(
        "--profile",
        default=None,
        metavar="PROFIL",
        help="document à produire : le projet associatif (projet-AAAA, l'année de l'édition : "
        f"le défaut, « profile: default: » de _quarto.yml), {' ou '.join(REVIEW_PROFILES)}",
    )
    build.add_argument(
        "--as-of",
        dest="as_of",
        metavar="AAAA-MM-JJ",
        help="date d'arrêté (défaut : selon le profil)",
    )
    build.add_argument(
        "--format",
        dest="formats",
        default=",".join(FORMATS),
        metavar="FORMATS",
        help=f"formats, séparés par des virgules (défaut : {','.join(FORMATS)})",
    )
    build.add_argument(
        "--engine",
        default="auto",
        choices=ENGINES,
        help="moteur de rendu : quarto s'il est installé (auto), sinon Pandoc + Typst",
    )
    build.add_argument(
        "--suivi",
        type=Path,
        metavar="FICHIER",
        help="fichier de mesures de suivi (.xlsx ou dossier de CSV)",
    )
    build.add_argument("--force", action="store_true", help="tout reconstruire, sans le cache")
    build.add_argument(
        "--complet",
        dest="complete",
        action="store_true",
        help="refuser de construire si une ressource est à compléter ou à actualiser "
        "(pour la publication finale)",
    )
    build.add_argument(
        "--jobs",
        type=whole_number,
        default=None,
        metavar="N",
        help="notebooks exécutés en parallèle (défaut : nombre de cœurs)",
    )
    build.add_argument(
        "--notebooks-only",
        action="store_true",
        help="exécuter les notebooks sans produire le rapport",
    )

    ref = add(
        "referentiel",
        "régénérer l'extrait du référentiel des communes et EPCI (data/reference/) "
        "depuis les paquets installés",
        _cmd_reference,
    )
    ref.set_defaults(func=_cmd_reference)

    suivi = sub.add_parser(
        "suivi",
        help="outils de la commission de suivi",
        description="outils de la commission de suivi",
    )
    _project_option(suivi)
    suivi_sub = suivi.add_subparsers(dest="suivi_command", metavar="ACTION")
    template = suivi_sub.add_parser(
        "modele",
        help="écrire un classeur Excel de suivi prêt à remplir",
        description="écrire un classeur Excel de suivi prêt à remplir",
    )
    template.add_argument(
        "output", type=Path, metavar="CLASSEUR", help="chemin du classeur .xlsx à écrire"
    )
    template.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        metavar="DOSSIER",
        help="dossier des données (défaut : data/)",
    )
    template.add_argument(
        "--fiche",
        type=int,
        action="append",
        metavar="N",
        help="ne garder que la fiche-action n° N (répétable : --fiche 1 --fiche 3), "
        "pour le classeur d'un coordinateur",
    )
    _project_option(template)
    template.set_defaults(func=_cmd_suivi_template)
    merge = suivi_sub.add_parser(
        "fusionner",
        help="fusionner les classeurs de plusieurs coordinateurs en un seul",
        description="fusionner des classeurs (ou dossiers de CSV) de suivi en un classeur ; "
        "les conflits (même indicateur et date avec deux valeurs, une étape avec deux "
        "dates…) sont signalés avec le fichier, la feuille, la ligne et la colonne de chaque "
        "côté, et rien n'est écrit",
    )
    merge.add_argument("fichiers", type=Path, nargs="+", help="classeurs .xlsx ou dossiers")
    merge.add_argument("-o", "--output", type=Path, required=True, help="classeur .xlsx à écrire")
    merge.add_argument(
        "--profile",
        default="bilan-final",
        choices=["bilan-intermediaire", "bilan-final"],
        help="bilan dont la date d'arrêté sert à la vérification (défaut : bilan-final)",
    )
    merge.add_argument("--as-of", dest="as_of", help="date d'arrêté AAAA-MM-JJ")
    merge.add_argument("--data-dir", type=Path, default=None, help="dossier des données")
    _project_option(merge)
    merge.set_defaults(func=_cmd_suivi_merge)
    check = suivi_sub.add_parser(
        "verifier",
        help="valider un classeur ou dossier de suivi sans construire le rapport",
        description="valider un classeur (.xlsx) ou un dossier de CSV de suivi : identifiants, "
        "nombres, dates, doublons ; les erreurs nomment la feuille, la ligne et la colonne",
    )
    check.add_argument(
        "fichier", type=Path, metavar="FICHIER", help="classeur .xlsx ou dossier de CSV"
    )
    check.add_argument(
        "--profile",
        default="bilan-intermediaire",
        choices=["bilan-intermediaire", "bilan-final"],
        help="bilan dont la date d'arrêté sert de référence (défaut : bilan-intermediaire)",
    )
    check.add_argument(
        "--as-of",
        dest="as_of",
        metavar="AAAA-MM-JJ",
        help="date d'arrêté (défaut : selon le bilan)",
    )
    check.add_argument(
        "--data-dir", type=Path, default=None, metavar="DOSSIER", help="dossier des données"
    )
    _project_option(check)
    check.set_defaults(func=_cmd_suivi_check)
    add_edition(sub, _cmd_edition_new, whole_number)
    return parser


class Terminated(KeyboardInterrupt):
    """Raise in the main thread on SIGTERM, so that a stopped build cleans up as on Ctrl-C."""

    exit_code = 143  # 128 + SIGTERM, as shells report it
    cause = "signal SIGTERM"


@contextlib.contextmanager
def _sigterm_stops_like_ctrl_c() -> Iterator[None]:
    """Turn SIGTERM (a CI job cancelled, ``kill``) into :class:`Terminated` for a while."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals
        return

    def stop(signum: int, frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _project_exported(option: Path | None) -> Iterator[None]:
    """Find the project (``--projet``, else as :func:`project_root` does) and export it.

    ``PROJET_ASSOCIATIF_ROOT`` then names it for the command's duration: the notebooks'
    kernels, Quarto's pre-render and every child process work on the same project. A command
    run where no project is found goes on (``--version``, a command that makes a project):
    the first use of the project raises :class:`ProjectNotFound`.
    """
    previous = os.environ.get(ROOT_ENV)
    if option is not None:
        os.environ[ROOT_ENV] = str(check_project(option))
    else:
        with contextlib.suppress(ProjectNotFound):
            os.environ[ROOT_ENV] = str(project_root())
    try:
        yield
    finally:  # `main` is called in-process too (tests): leave the environment as it was
        if previous is None:
            os.environ.pop(ROOT_ENV, None)
        else:
            os.environ[ROOT_ENV] = previous


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        with _sigterm_stops_like_ctrl_c(), _project_exported(args.projet):
            return args.func(args)
    except ProjectNotFound as exc:
        err_console.print(str(exc), style="red", markup=False)
        return EXIT_USAGE
    except DataError as exc:
        err_console.print(f"[red]{exc.render(limit=200)}[/]")
        return EXIT_DATA
    except UnknownResource as exc:
        err_console.print(f"[red]{exc}[/]")
        return EXIT_DATA
    except ProfileError as exc:
        err_console.print(f"[red]{exc}[/]")
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        err_console.print(f"Interrompu ({getattr(exc, 'cause', 'Ctrl-C')}).")
        return getattr(exc, "exit_code", EXIT_INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
