"""Record the follow-up commission's measurements: an Excel template and a validating reader.

The commission (part 6 of the source) records four kinds of input, one sheet of the
workbook (or one CSV file of a directory) each:

- ``Mesures``: a value of an indicator at a date (or over a period);
- ``Jalons``: the planned and actual dates of the steps of each fiche-action;
- ``Réponses``: answers to the evaluation questions (R1…, P1…) for a fiche;
- ``Cibles``: the targets the commission sets (the source gives none).

:func:`write_template` writes the workbook to fill in; :func:`read_suivi` reads it back
(or the CSV directory), checks every cell against the data package and raises one
:class:`~projet_associatif.core.errors.DataError` listing every problem found.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.core.errors import DataError, Problem, relative
from projet_associatif.core.formatting import date_fr
from projet_associatif.core.texts import texts

# --------------------------------------------------------------------------------------
# Layout of the workbook: one source of truth for the template, the reader and the docs.
# --------------------------------------------------------------------------------------

#: Value kinds of a column, which decide how a cell is parsed.
ID_INDICATEUR, ID_FICHE, ID_QUESTION, ETAPE = "indicateur", "fiche", "question", "etape"
DATE, NOMBRE, TEXTE, VALEUR = "date", "nombre", "texte", "valeur"
PRIORITE, SUITE = "priorite", "suite"

#: Allowed values of the recommendations' drop-down lists (sheet « Préconisations »).
PRIORITES = ("haute", "moyenne", "basse")
SUITES = ("à faire", "en cours", "réalisée", "abandonnée")

#: Rows of the template that carry data validations and formats.
TEMPLATE_ROWS = 1000

#: Banner written above the header of every sheet of a fictional example.
FICTIF_BANNER = "DONNÉES FICTIVES — exemple de démonstration, ne décrit pas l'activité réelle"

#: Optional column of the CSV files marking every row of a fictional example.
FICTIF_COLUMN = "fictif"


@dataclass(frozen=True)
class Column:
    """One column of an input sheet: header, value kind and help for the instructions."""

    name: str
    kind: str
    required: bool
    width: int
    help: str
    in_header: bool = True  # False: the column may be absent (informative only)


@dataclass(frozen=True)
class SheetSpec:
    """One kind of input: sheet name, CSV file name, columns and purpose."""

    kind: str
    sheet: str
    csv: str
    purpose: str
    columns: tuple[Column, ...]
    optional: bool = False

    @property
    def names(self) -> list[str]:
        """Return the header names in order."""
        return [c.name for c in self.columns]


SPECS: dict[str, SheetSpec] = {
    "mesures": SheetSpec(
        "mesures",
        "Mesures",
        "mesures.csv",
        "une ligne par valeur mesurée d'un indicateur, à une date ou sur une période",
        (
            Column(
                "indicateur",
                ID_INDICATEUR,
                True,
                24,
                "identifiant de l'indicateur (liste déroulante ; voir la feuille « Indicateurs »)",
            ),
            Column(
                "date",
                DATE,
                False,
                13,
                "date de la mesure ; obligatoire sauf si la période est renseignée",
            ),
            Column("periode_debut", DATE, False, 14, "début de la période mesurée (facultatif)"),
            Column(
                "periode_fin",
                DATE,
                False,
                13,
                "fin de la période mesurée ; sert de date de la mesure si « date » est vide",
            ),
            Column(
                "valeur",
                VALEUR,
                False,
                14,
                "un nombre pour les indicateurs de nature « nombre » ou « taux » (obligatoire), "
                "un texte court pour les indicateurs qualitatifs",
            ),
            Column(
                "commentaire",
                TEXTE,
                False,
                50,
                "précisions ; pour un indicateur qualitatif, la valeur ou le commentaire suffit",
            ),
            Column("source", TEXTE, False, 30, "origine de la mesure (outil, enquête, bilan…)"),
        ),
    ),
    "jalons": SheetSpec(
        "jalons",
        "Jalons",
        "jalons.csv",
        "une ligne par étape de fiche-action : date prévue et date de réalisation",
        (
            Column(
                "fiche", ID_FICHE, True, 28, "identifiant de la fiche-action (liste déroulante)"
            ),
            Column(
                "etape", ETAPE, True, 12, "libellé de l'étape tel que dans la fiche (« Etape 1 »)"
            ),
            Column(
                "quoi",
                TEXTE,
                False,
                45,
                "rappel du contenu de l'étape (pré-rempli, non relu)",
                in_header=False,
            ),
            Column(
                "date_prevue",
                DATE,
                False,
                13,
                "échéance fixée par la commission ; vide = étape « sans échéance »",
            ),
            Column(
                "date_realisee",
                DATE,
                False,
                14,
                "date à laquelle l'étape a été réalisée ; vide = pas encore réalisée ; "
                "ne peut pas être postérieure à la date d'arrêté du bilan",
            ),
            Column("commentaire", TEXTE, False, 50, "précisions"),
        ),
    ),
    "reponses": SheetSpec(
        "reponses",
        "Réponses",
        "reponses.csv",
        "une ligne par réponse à une question d'évaluation (R1… résultats, P1… processus)",
        (
            Column(
                "fiche", ID_FICHE, True, 28, "identifiant de la fiche-action (liste déroulante)"
            ),
            Column(
                "question",
                ID_QUESTION,
                True,
                10,
                "identifiant de la question (voir la feuille « Questions »)",
            ),
            Column("reponse", TEXTE, True, 70, "réponse de la commission"),
            Column("date", DATE, True, 13, "date de la réponse (réunion de la commission)"),
        ),
    ),
    "cibles": SheetSpec(
        "cibles",
        "Cibles",
        "cibles.csv",
        "les cibles fixées par la commission (le projet associatif n'en chiffre aucune)",
        (
            Column("indicateur", ID_INDICATEUR, True, 24, "identifiant de l'indicateur"),
            Column(
                "valeur_reference",
                NOMBRE,
                False,
                16,
                "valeur de départ, au début du projet ; vide = première mesure",
            ),
            Column("cible", NOMBRE, True, 12, "valeur à atteindre"),
            Column(
                "date_cible",
                DATE,
                False,
                13,
                "date à laquelle la cible doit être atteinte ; vide = bilan final (3 ans)",
            ),
            Column("commentaire", TEXTE, False, 50, "justification de la cible"),
        ),
        optional=True,
    ),
    # Source, partie 6 : la commission du bilan intermédiaire « préconise les ajustements et
    # axes de travail à mettre en place sur les prochains mois ».
    "preconisations": SheetSpec(
        "preconisations",
        "Préconisations",
        "preconisations.csv",
        "les préconisations de la commission (ajustements, axes de travail) et ce qu'elles "
        "sont devenues",
        (
            Column(
                "date",
                DATE,
                True,
                13,
                "date de la réunion de la commission qui formule la préconisation",
            ),
            Column(
                "fiche",
                ID_FICHE,
                False,
                28,
                "fiche-action concernée (liste déroulante) ; vide = préconisation générale",
            ),
            Column("preconisation", TEXTE, True, 70, "la préconisation, en une ou deux phrases"),
            Column("priorite", PRIORITE, False, 11, "haute, moyenne ou basse (liste déroulante)"),
            Column("qui", TEXTE, False, 28, "qui la met en œuvre"),
            Column("echeance", DATE, False, 13, "date à laquelle elle doit être mise en œuvre"),
            Column(
                "suite",
                SUITE,
                False,
                13,
                "ce qu'elle est devenue : à faire, en cours, réalisée ou abandonnée "
                "(à mettre à jour pour le bilan final)",
            ),
            Column("commentaire_suite", TEXTE, False, 50, "précisions sur la suite donnée"),
        ),
        optional=True,
    ),
}

#: Sheets of the template that the reader knows and ignores.
REFERENCE_SHEETS = ("Instructions", "Indicateurs", "Questions", "Fiches", "Listes", "Avertissement")

#: Frame columns and dtypes of a read :class:`Suivi`, per kind.
FRAME_COLUMNS: dict[str, dict[str, str]] = {
    "mesures": {
        "indicateur": "string",
        "date": "datetime64[ns]",
        "periode_debut": "datetime64[ns]",
        "periode_fin": "datetime64[ns]",
        "valeur": "Float64",
        "valeur_texte": "string",
        "commentaire": "string",
        "source": "string",
    },
    "jalons": {
        "fiche": "string",
        "etape": "string",
        "date_prevue": "datetime64[ns]",
        "date_realisee": "datetime64[ns]",
        "commentaire": "string",
    },
    "reponses": {
        "fiche": "string",
        "question": "string",
        "reponse": "string",
        "date": "datetime64[ns]",
    },
    "cibles": {
        "indicateur": "string",
        "valeur_reference": "Float64",
        "cible": "Float64",
        "date_cible": "datetime64[ns]",
        "commentaire": "string",
    },
    "preconisations": {
        "date": "datetime64[ns]",
        "fiche": "string",
        "preconisation": "string",
        "priorite": "string",
        "qui": "string",
        "echeance": "datetime64[ns]",
        "suite": "string",
        "commentaire_suite": "string",
    },
}


def empty_frame(kind: str) -> pd.DataFrame:
    """Return an empty, typed frame of one kind of input."""
    return pd.DataFrame(
        {name: pd.Series(dtype=dtype) for name, dtype in FRAME_COLUMNS[kind].items()}
    )


@dataclass
class Suivi:
    """The commission's recorded inputs, validated and typed."""

    mesures: pd.DataFrame = field(default_factory=lambda: empty_frame("mesures"))
    jalons: pd.DataFrame = field(default_factory=lambda: empty_frame("jalons"))
    reponses: pd.DataFrame = field(default_factory=lambda: empty_frame("reponses"))
    cibles: pd.DataFrame = field(default_factory=lambda: empty_frame("cibles"))
    preconisations: pd.DataFrame = field(default_factory=lambda: empty_frame("preconisations"))
    fictif: bool = False
    path: Path | None = None
    #: Warnings (not errors): dates after the day the file was read, see :data:`NOT_FUTURE`.
    dates_futures: list[Problem] = field(default_factory=list)

    @property
    def vide(self) -> bool:
        """Return whether nothing at all has been recorded."""
        return all(len(getattr(self, kind)) == 0 for kind in SPECS)

    @property
    def lignes_dates_futures(self) -> int:
        """Return how many rows hold a date after the day the file was read."""
        return len({(p.file, p.sheet, p.row) for p in self.dates_futures})


# --------------------------------------------------------------------------------------
# Reference data from the data package: what ids are valid.
# --------------------------------------------------------------------------------------


@dataclass
class Referentiel:
    """What the data package says the commission can refer to."""

    indicateurs: pd.DataFrame
    fiches: list[dict[str, Any]]
    objectifs: list[dict[str, Any]]
    questions: pd.DataFrame  # id, type, libelle
    date_debut: dt.date
    bilans_mois: dict[str, int]
    date_debut_statut: str | None = None  # « hypothèse » when the source gives no date

    @property
    def fiche_ids(self) -> list[str]:
        """Return the fiche ids in the order of the fiches."""
        return [f["id"] for f in self.fiches]

    @property
    def etapes(self) -> dict[str, list[str]]:
        """Return the step labels of each fiche, in order."""
        return {f["id"]: [str(e["etape"]) for e in f.get("etapes") or []] for f in self.fiches}

    @property
    def natures(self) -> dict[str, str]:
        """Return the nature (nombre, taux, qualitatif) of each indicator."""
        return dict(zip(self.indicateurs["id"], self.indicateurs["nature"], strict=True))


#: Reviews and their month offsets from the project start, used when the data package
#: does not state them (part 6: « bilan intermédiaire à 18 mois », « bilan final à 3 ans »).
DEFAULT_BILANS_MOIS = {"intermediaire": 18, "final": 36}


def load_referentiel(data_dir: Path | None = None) -> Referentiel:
    """Load indicators, fiches, objectives and evaluation questions from the data package."""
    from projet_associatif.data.package import load

    data_dir = Path(data_dir) if data_dir else None
    indicateurs = load("indicateurs", data_dir)
    fiches = load("fiches_action", data_dir)["fiches"]
    objectifs = load("objectifs", data_dir)["objectifs_generaux"]
    cadre = load("evaluation_cadre", data_dir)
    return Referentiel(
        indicateurs=indicateurs,
        fiches=fiches,
        objectifs=objectifs,
        questions=_questions(cadre),
        date_debut=_date_debut(cadre),
        bilans_mois=_bilans_mois(cadre),
        date_debut_statut=_find_key(cadre, "date_debut_projet_statut"),
    )


_QUESTION_ID = re.compile(r"^[RP]\d+$")


def _questions(cadre: Any) -> pd.DataFrame:
    """Return every question (id R…/P…) found in the evaluation framework, in order."""
    found: list[dict[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            qid = node.get("id")
            if isinstance(qid, str) and _QUESTION_ID.match(qid):
                text = next(
                    (
                        node[k]
                        for k in ("libelle", "question", "texte", "intitule")
                        if isinstance(node.get(k), str)
                    ),
                    "",
                )
                kind = "résultat" if qid.startswith("R") else "processus"
                found.append({"id": qid, "type": kind, "libelle": text})
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(cadre)
    frame = pd.DataFrame(found, columns=["id", "type", "libelle"])
    return frame.drop_duplicates("id").reset_index(drop=True)


def _date_debut(cadre: Any) -> dt.date:
    """Return the project start date stated by the evaluation framework."""
    value = _find_key(cadre, "date_debut_projet")
    if isinstance(value, dict):
        value = value.get("date") or value.get("valeur")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    raise DataError(
        [
            Problem(
                "evaluation_cadre",
                "date de début du projet (date_debut_projet) introuvable dans le cadre "
                "d'évaluation",
                rule="date_debut_projet",
            )
        ]
    )


def _bilans_mois(cadre: Any) -> dict[str, int]:
    """Return the month offsets of the reviews stated by the framework (else 18 and 36)."""
    months = dict(DEFAULT_BILANS_MOIS)
    found: list[int] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("duree_mois", "mois", "delai_mois", "echeance_mois"):
                if isinstance(node.get(key), int):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(_find_key(cadre, "bilans") or [])
    if len(found) >= 2:
        months = {"intermediaire": min(found), "final": max(found)}
    return months


def _find_key(node: Any, key: str) -> Any:
    """Return the first value stored under ``key`` anywhere in a nested document."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        for value in node.values():
            found = _find_key(value, key)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = _find_key(item, key)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------------------
# Template
# --------------------------------------------------------------------------------------


def write_template(
    path: Path | str, data_dir: Path | None = None, *, fiches: list[int] | None = None
) -> Path:
    """Write an empty measurement workbook, ready to fill in, and return its path.

    ``fiches`` (numbers) restricts it to one coordinator's fiches: their indicators, steps
    and drop-down lists only (``projet-associatif suivi modele --fiche N``).
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise DataError(
            [Problem(str(path), "le classeur de suivi doit avoir l'extension .xlsx", rule=".xlsx")]
        )
    ref = load_referentiel(data_dir)
    if fiches:
        from projet_associatif.suivi.fusion import template_for_fiches

        ref = template_for_fiches(ref, fiches)
    workbook = build_workbook(ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def build_workbook(ref: Referentiel, *, banner: str | None = None) -> Any:
    """Return the template workbook (openpyxl); ``banner`` goes above every header if given."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    header_row = 2 if banner else 1
    if banner:
        _warning_sheet(wb, banner)
    _instructions_sheet(wb, ref, banner)
    ranges = _lists_sheet(wb, ref)
    for spec in SPECS.values():
        _input_sheet(wb, spec, ref, ranges, header_row, banner)
    _reference_sheets(wb, ref, header_row, banner)
    wb.move_sheet("Listes", offset=len(wb.sheetnames))
    wb.active = wb.sheetnames.index("Mesures")
    return wb


_HEADER_FILL = "1F4E79"
_INFO_FILL = "EDEDED"
_BANNER_FILL = "C00000"


def _banner_row(ws: Any, banner: str, ncols: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    cell = ws.cell(row=1, column=1, value=banner)
    cell.font = Font(bold=True, color="FFFFFF")
    cell.alignment = Alignment(vertical="center")
    for col in range(1, max(ncols, 1) + 1):
        ws.cell(row=1, column=col).fill = PatternFill("solid", fgColor=_BANNER_FILL)


def _header(ws: Any, row: int, names: list[str], widths: list[int]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    for col, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _warning_sheet(wb: Any, banner: str) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet("Avertissement")
    ws.column_dimensions["A"].width = 110
    ws["A1"] = banner
    ws["A1"].font = Font(bold=True, size=14, color=_BANNER_FILL)
    ws["A3"] = (
        "Toutes les valeurs, dates, cibles et réponses de ce classeur sont inventées pour "
        "montrer le fonctionnement du suivi. Elles ne décrivent pas l'activité de la Mission "
        "Locale de Moulins et sa région."
    )


def _instructions_sheet(wb: Any, ref: Referentiel, banner: str | None) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet("Instructions")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 100
    row = 1
    if banner:
        _banner_row(ws, banner, 2)
        row = 2

    def line(a: str = "", b: str = "", *, bold: bool = False, size: int = 11) -> None:
        nonlocal row
        ws.cell(row=row, column=1, value=a).font = Font(bold=bold or bool(b), size=size)
        cell = ws.cell(row=row, column=2, value=b or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=row, column=1).alignment = Alignment(vertical="top")
        row += 1

    line("Classeur de suivi du projet associatif", bold=True, size=14)
    line(
        "",
        "Ce classeur sert à la commission de suivi (partie 6 du projet associatif) à "
        "enregistrer les mesures des indicateurs, les dates des étapes des fiches-action et "
        "les réponses aux questions d'évaluation, pour produire le bilan intermédiaire "
        "(18 mois) et le bilan final (3 ans).",
    )
    line()
    line("Feuilles à remplir", bold=True)
    for spec in SPECS.values():
        suffix = " — feuille facultative" if spec.optional else ""
        line(spec.sheet, f"{spec.purpose[0].upper()}{spec.purpose[1:]}{suffix}.")
    line()
    line("Feuilles de référence", bold=True)
    line("Indicateurs", "Liste des indicateurs : identifiant, fiche, libellé, nature, unité.")
    line("Questions", "Questions d'évaluation du résultat (R…) et du processus (P…).")
    line("Fiches", "Les fiches-action avec leur identifiant et leur objectif opérationnel.")
    line()
    line("Règles de saisie", bold=True)
    rules = [
        (
            "Ne pas renommer",
            "Ne renommez ni les feuilles ni les en-têtes de colonnes, n'ajoutez pas de feuille : "
            "le programme les cherche par leur nom et signale toute feuille inconnue.",
        ),
        (
            "Dates",
            "Saisissez une date Excel (ex. 15/03/2021, affichée 2021-03-15) ou un texte au "
            "format AAAA-MM-JJ (ex. 2021-03-15). Le format JJ/MM/AAAA en texte est accepté.",
        ),
        (
            "Nombres",
            "Tapez les nombres comme d'habitude dans Excel en français (virgule décimale : "
            "12,5) ; Excel les enregistre comme des nombres. Ne tapez pas d'unité ni d'espace "
            "dans la cellule : « 12 jeunes » est refusé.",
        ),
        (
            "Taux",
            "Pour un taux en %, saisissez 15,5 pour 15,5 %. Une cellule au format pourcentage "
            "(15,5 % affiché, 0,155 stocké) est aussi comprise.",
        ),
        (
            "Listes déroulantes",
            "Les identifiants d'indicateur, de fiche, d'étape et de question se choisissent "
            "dans une liste ; une valeur inconnue est refusée à la lecture.",
        ),
        (
            "Doublons",
            "Une seule mesure par indicateur et par date ; une seule ligne par étape de "
            "fiche ; une seule cible par indicateur.",
        ),
        (
            "Date d'arrêté",
            "Le bilan est arrêté à une date : 18 mois ou 3 ans après le début du projet, fixé "
            f"au {french_date(ref.date_debut)}{_statut(ref)}. Les mesures postérieures sont "
            "ignorées par le bilan ; une date de réalisation postérieure est refusée (date "
            "future).",
        ),
        (
            "Lignes vides",
            "Les lignes vides sont ignorées. Dans « Jalons », une étape sans aucune date ni "
            "commentaire n'est pas relue.",
        ),
        (
            "Vérifier",
            "projet-associatif build --profile bilan-intermediaire --suivi CHEMIN/DU/CLASSEUR.xlsx "
            "vérifie le classeur et liste toutes les erreurs (feuille, ligne, colonne).",
        ),
        (
            "Fichiers CSV",
            "À la place du classeur, un dossier peut contenir mesures.csv, jalons.csv, "
            "reponses.csv, cibles.csv et preconisations.csv (facultatifs) : UTF-8, séparateur "
            "virgule, point "
            "décimal (12.5), dates AAAA-MM-JJ, mêmes en-têtes que les feuilles.",
        ),
    ]
    for title, text in rules:
        line(title, text)
    line()
    line("Calcul des statuts", bold=True)
    rules_text = texts("regles-evaluation")
    line("Indicateurs", rules_text["statut"])
    line("Étapes", rules_text["jalon"])
    line()
    line("Colonnes", bold=True)
    for spec in SPECS.values():
        for col in spec.columns:
            mark = " (obligatoire)" if col.required else ""
            line(f"{spec.sheet} · {col.name}", f"{col.help}{mark}.")


def _statut(ref: Referentiel) -> str:
    """Return « (hypothèse) » when the data package marks the start date as assumed."""
    return f" ({ref.date_debut_statut})" if ref.date_debut_statut else ""


def _lists_sheet(wb: Any, ref: Referentiel) -> dict[str, str]:
    """Write the hidden « Listes » sheet and return the range of each drop-down list."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet("Listes")
    etapes: list[str] = []
    for labels in ref.etapes.values():
        etapes += [label for label in labels if label not in etapes]
    lists = {
        ID_INDICATEUR: list(ref.indicateurs["id"]),
        ID_FICHE: ref.fiche_ids,
        ID_QUESTION: list(ref.questions["id"]),
        ETAPE: etapes,
        PRIORITE: list(PRIORITES),
        SUITE: list(SUITES),
    }
    ranges = {}
    for col, (kind, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=kind)
        for i, value in enumerate(values, start=2):
            ws.cell(row=i, column=col, value=value)
        if values:
            ranges[kind] = f"Listes!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _input_sheet(
    wb: Any,
    spec: SheetSpec,
    ref: Referentiel,
    ranges: dict[str, str],
    header_row: int,
    banner: str | None,
) -> None:
    from openpyxl.styles import PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    ws = wb.create_sheet(spec.sheet)
    if banner:
        _banner_row(ws, banner, len(spec.columns))
    _header(ws, header_row, spec.names, [c.width for c in spec.columns])
    first, last = header_row + 1, header_row + TEMPLATE_ROWS
    for col_index, col in enumerate(spec.columns, start=1):
        letter = get_column_letter(col_index)
        area = f"{letter}{first}:{letter}{last}"
        dv = None
        if col.kind in ranges:
            dv = DataValidation(type="list", formula1=ranges[col.kind], allow_blank=True)
            dv.error = "Choisissez une valeur de la liste."
        elif col.kind == DATE:
            dv = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(2000,1,1)",
                formula2="DATE(2100,12,31)",
                allow_blank=True,
            )
            dv.error = "Saisissez une date (ex. 15/03/2021 ou 2021-03-15)."
            for r in range(first, last + 1):
                ws.cell(row=r, column=col_index).number_format = "yyyy-mm-dd"
        elif col.kind == NOMBRE:
            dv = DataValidation(
                type="decimal", operator="between", formula1="-1E+12", formula2="1E+12"
            )
            dv.allow_blank = True
            dv.error = "Saisissez un nombre, sans unité."
        if dv is not None:
            dv.errorTitle = f"Valeur refusée ({col.name})"
            dv.promptTitle = col.name
            dv.prompt = col.help[:250]  # Excel caps input messages at 255 characters
            dv.showErrorMessage = True
            dv.showInputMessage = True
            dv.add(area)
            ws.add_data_validation(dv)
    if spec.kind == "jalons":
        _prefill_steps(ws, ref, first, PatternFill("solid", fgColor=_INFO_FILL))


def _prefill_steps(ws: Any, ref: Referentiel, first: int, fill: Any) -> None:
    """List every step of every fiche, so the commission only fills in dates."""
    row = first
    for fiche in ref.fiches:
        for etape in fiche.get("etapes") or []:
            ws.cell(row=row, column=1, value=fiche["id"])
            ws.cell(row=row, column=2, value=str(etape["etape"]))
            ws.cell(row=row, column=3, value=step_summary(etape)).fill = fill
            row += 1


def plain_text(content: Any) -> str | None:
    """Return a fiche cell (text, or blocks of paragraphs and bullet lists) as one line."""
    if content is None:
        return None
    if isinstance(content, str):
        return " ".join(content.split())
    if isinstance(content, dict):
        parts = [plain_text(content.get("texte")), plain_text(content.get("items"))]
        return " : ".join(p for p in parts if p) or None
    if isinstance(content, list):
        parts = [plain_text(item) for item in content]
        return " ; ".join(p for p in parts if p) or None
    return " ".join(str(content).split())


def step_summary(etape: dict[str, Any]) -> str | None:
    """Return what a step is about: its « Quoi ? », or its sub-steps' when it has none."""
    text = plain_text(etape.get("quoi"))
    if text is None and etape.get("sous_etapes"):
        parts = [plain_text(sub.get("quoi")) for sub in etape["sous_etapes"]]
        text = " / ".join(p for p in parts if p) or None
    return text


def _reference_sheets(wb: Any, ref: Referentiel, header_row: int, banner: str | None) -> None:
    numeros = {f["id"]: f.get("numero") for f in ref.fiches}
    ind = ref.indicateurs
    rows = [
        [
            r["id"],
            r["fiche"],
            numeros.get(r["fiche"]),
            r["libelle"],
            r["nature"],
            _none(r.get("unite")),
            _none(r.get("sens")),
            _none(r.get("periodicite_source")),
        ]
        for r in ind.to_dict("records")
    ]
    _table_sheet(
        wb,
        "Indicateurs",
        ["identifiant", "fiche", "n° fiche", "libellé", "nature", "unité", "sens", "périodicité"],
        [24, 28, 8, 70, 11, 14, 11, 30],
        rows,
        header_row,
        banner,
    )
    _table_sheet(
        wb,
        "Questions",
        ["identifiant", "type", "question"],
        [12, 12, 100],
        ref.questions[["id", "type", "libelle"]].values.tolist(),
        header_row,
        banner,
    )
    oo = {
        f: o["id"]
        for og in ref.objectifs
        for o in og["objectifs_operationnels"]
        for f in o["fiches"]
    }
    _table_sheet(
        wb,
        "Fiches",
        ["identifiant", "n°", "titre", "objectif opérationnel"],
        [30, 6, 80, 22],
        [
            [f["id"], f.get("numero"), plain_text(f.get("titre")), oo.get(f["id"])]
            for f in ref.fiches
        ],
        header_row,
        banner,
    )


def _none(value: Any) -> Any:
    return (
        None
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA
        else value
    )


def _table_sheet(
    wb: Any,
    title: str,
    names: list[str],
    widths: list[int],
    rows: list[list[Any]],
    header_row: int,
    banner: str | None,
) -> None:
    from openpyxl.styles import Alignment

    ws = wb.create_sheet(title)
    if banner:
        _banner_row(ws, banner, len(names))
    _header(ws, header_row, names, widths)
    for i, values in enumerate(rows, start=header_row + 1):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=_none(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def french_date(day: dt.date) -> str:
    """Return a date as French prose: « 1er mars 2020 »."""
    return date_fr(day, "jour")


# --------------------------------------------------------------------------------------
# Reader
# --------------------------------------------------------------------------------------


@dataclass
class _Cell:
    """One raw cell: its value, its Excel number format and where it was read."""

    value: Any
    number_format: str = "General"


@dataclass
class _Table:
    """One sheet or CSV file, as raw rows keyed by header name."""

    spec: SheetSpec
    file: str
    sheet: str | None
    header_row: int
    headers: list[str]
    rows: list[tuple[int, dict[str, _Cell]]]
    fictif: bool = False


#: Columns whose dates record what already happened: a date after today is a typing error
#: (planned dates and target dates may lie ahead).
NOT_FUTURE = {
    "mesures": ("date", "periode_debut", "periode_fin"),
    "jalons": ("date_realisee",),
    "reponses": ("date",),
}


def read_suivi(
    path: Path | str,
    *,
    data_dir: Path | None = None,
    as_of: dt.date | str | None = None,
    today: dt.date | None = None,
) -> Suivi:
    """Read and validate a measurement workbook (.xlsx) or a directory of CSV files.

    ``as_of`` is the review's closing date (default: today): a step cannot have been
    done after it. Raises :class:`DataError` listing every problem (sheet, row, column).
    A measurement, completion or answer dated after ``today`` (default: the computer's
    date) cannot be true yet: it is kept, and listed in :attr:`Suivi.dates_futures`.
    """
    path = Path(path)
    today = today or dt.date.today()
    as_of_date = _as_date(as_of) if as_of else today
    file = relative(path)
    if not path.exists():
        raise DataError([Problem(file, "fichier ou dossier de suivi introuvable", rule="chemin")])
    ref = load_referentiel(data_dir)
    if path.is_dir():
        tables, problems, fictif = _read_csv_dir(path)
    elif path.suffix.lower() in {".xlsx", ".xlsm"}:
        tables, problems, fictif = _read_workbook(path)
    else:
        raise DataError(
            [
                Problem(
                    file,
                    "format non pris en charge : donnez un classeur .xlsx ou un dossier de "
                    "fichiers CSV",
                    rule="format",
                )
            ]
        )
    frames: dict[str, pd.DataFrame] = {}
    for kind, table in tables.items():
        frame, table_problems = _PARSERS[kind](table, ref, as_of_date)
        frames[kind] = frame
        problems += table_problems
    if problems:
        raise DataError(problems)
    return Suivi(
        **{kind: frames.get(kind, empty_frame(kind)) for kind in SPECS},
        fictif=fictif or any(t.fictif for t in tables.values()),
        path=path,
        dates_futures=[
            p for kind, table in tables.items() for p in _future_dates(table, kind, today)
        ],
    )


def future_date_warnings(suivi: Suivi) -> list[str]:
    """Return the lines that warn about dates after today (none when there are none)."""
    lines = [f"Avertissement : {problem}" for problem in suivi.dates_futures]
    if lines:
        lines.append(
            f"{suivi.lignes_dates_futures} ligne(s) datée(s) après aujourd'hui : vérifiez la "
            "saisie (le bilan les compte dans ses notes)."
        )
    return lines


def _future_dates(table: _Table, kind: str, today: dt.date) -> list[Problem]:
    """Return a warning for each date of :data:`NOT_FUTURE` that lies after ``today``."""
    found = []
    for row, cells in table.rows:
        for column in NOT_FUTURE.get(kind, ()):
            day = parse_date(cells.get(column, _Cell(None)).value)
            if day is not None and day > today:
                found.append(
                    Problem(
                        table.file,
                        f"date {day.isoformat()} postérieure à aujourd'hui "
                        f"({today.isoformat()}) : erreur de saisie probable",
                        row=row,
                        column=column,
                        rule="date ≤ aujourd'hui",
                        sheet=table.sheet,
                    )
                )
    return found


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _norm(text: Any) -> str:
    """Return text without accents, case or surrounding space, for lenient name matching."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _is_fictif_marker(value: Any) -> bool:
    return value is not None and "donnees fictives" in _norm(value)


def _read_workbook(path: Path) -> tuple[dict[str, _Table], list[Problem], bool]:
    from openpyxl import load_workbook

    file = relative(path)
    try:
        wb = load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many types on a damaged file
        raise DataError(
            [Problem(file, f"classeur illisible : {exc}", rule="classeur .xlsx")]
        ) from exc
    problems: list[Problem] = []
    by_norm = {_norm(name): name for name in wb.sheetnames}
    known = {_norm(s.sheet) for s in SPECS.values()} | {_norm(s) for s in REFERENCE_SHEETS}
    fictif = False
    if "avertissement" in by_norm:
        ws = wb[by_norm["avertissement"]]
        fictif = any(_is_fictif_marker(c) for row in ws.iter_rows(values_only=True) for c in row)
    for name in wb.sheetnames:
        if _norm(name) not in known:
            expected = ", ".join(f"« {s.sheet} »" for s in SPECS.values())
            problems.append(
                Problem(
                    file,
                    f"feuille inconnue (renommée ?) : les feuilles attendues sont {expected}. "
                    "Redonnez-lui son nom ou supprimez-la.",
                    sheet=name,
                    rule="feuilles du modèle",
                )
            )
    tables: dict[str, _Table] = {}
    for spec in SPECS.values():
        name = by_norm.get(_norm(spec.sheet))
        if name is None:
            if not spec.optional:
                problems.append(
                    Problem(
                        file,
                        f"feuille « {spec.sheet} » absente (supprimée ou renommée ?)",
                        sheet=spec.sheet,
                        rule="feuilles du modèle",
                    )
                )
            continue
        ws = wb[name]
        grid = [
            [_Cell(c.value, c.number_format or "General") for c in row]
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row)
        ]
        table, table_problems = _table_from_grid(spec, file, name, grid)
        problems += table_problems
        if table is not None:
            tables[spec.kind] = table
    return tables, problems, fictif


def _read_csv_dir(path: Path) -> tuple[dict[str, _Table], list[Problem], bool]:
    import csv

    problems: list[Problem] = []
    readme = [p for p in path.iterdir() if p.name.lower().startswith("readme")]
    fictif = any(_is_fictif_marker(p.read_text(encoding="utf-8", errors="replace")) for p in readme)
    known = {s.csv for s in SPECS.values()}
    for extra in sorted(p for p in path.glob("*.csv") if p.name not in known):
        problems.append(
            Problem(
                relative(extra),
                "fichier CSV inconnu (renommé ?) : les fichiers attendus sont "
                + ", ".join(sorted(known)),
                rule="fichiers du suivi",
            )
        )
    tables: dict[str, _Table] = {}
    for spec in SPECS.values():
        csv_path = path / spec.csv
        file = relative(csv_path)
        if not csv_path.is_file():
            if not spec.optional:
                problems.append(Problem(file, "fichier absent", rule="fichiers du suivi"))
            continue
        raw = csv_path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problems.append(
                Problem(
                    file,
                    "le fichier n'est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 »",
                    rule="encodage UTF-8",
                )
            )
            continue
        lines = list(csv.reader(text.splitlines()))
        if lines and ";" in ",".join(lines[0]) and len(lines[0]) == 1:
            problems.append(
                Problem(
                    file,
                    "séparateur point-virgule détecté : le suivi attend des virgules "
                    "(« CSV UTF-8 (délimité par des virgules) »)",
                    row=1,
                    rule="séparateur virgule",
                )
            )
            continue
        grid = [[_Cell(v if v.strip() != "" else None) for v in line] for line in lines]
        table, table_problems = _table_from_grid(spec, file, None, grid)
        problems += table_problems
        if table is not None:
            tables[spec.kind] = table
    return tables, problems, fictif


def _table_from_grid(
    spec: SheetSpec, file: str, sheet: str | None, grid: list[list[_Cell]]
) -> tuple[_Table | None, list[Problem]]:
    """Find the header row (below an optional banner) and key every data row by header."""
    required = {c.name for c in spec.columns if c.in_header}
    header_index = None
    fictif = False
    for i, row in enumerate(grid[:10]):
        values = {_norm(c.value) for c in row if c.value is not None}
        if len(values & required) >= max(1, len(required) // 2):
            header_index = i
            break
        fictif = fictif or any(_is_fictif_marker(c.value) for c in row)
    if header_index is None:
        return None, [
            Problem(
                file,
                "ligne d'en-tête introuvable : la première ligne doit porter les noms de "
                f"colonnes ({', '.join(spec.names)})",
                row=1,
                sheet=sheet,
                rule="en-têtes",
            )
        ]
    header_row = header_index + 1
    headers = [_norm(c.value) if c.value is not None else "" for c in grid[header_index]]
    while headers and headers[-1] == "":
        headers.pop()
    problems = []
    allowed = set(spec.names) | {FICTIF_COLUMN}
    for name in spec.names:
        col = next(c for c in spec.columns if c.name == name)
        if col.in_header and name not in headers:
            problems.append(
                Problem(
                    file,
                    "colonne absente de l'en-tête (renommée ou supprimée ?)",
                    row=header_row,
                    column=name,
                    sheet=sheet,
                    rule="en-têtes",
                )
            )
    for index, name in enumerate(headers):
        if name == "" or name in allowed:
            if headers.count(name) > 1 and name:
                problems.append(
                    Problem(
                        file,
                        "colonne en double dans l'en-tête",
                        row=header_row,
                        column=name,
                        sheet=sheet,
                        rule="en-têtes",
                    )
                )
            continue
        problems.append(
            Problem(
                file,
                f"colonne inconnue « {grid[header_index][index].value} » (attendues : "
                f"{', '.join(spec.names)})",
                row=header_row,
                column=str(grid[header_index][index].value),
                sheet=sheet,
                rule="en-têtes",
            )
        )
    if problems:
        return None, problems
    rows = []
    for offset, row in enumerate(grid[header_index + 1 :], start=header_row + 1):
        cells = {
            name: row[i] if i < len(row) else _Cell(None) for i, name in enumerate(headers) if name
        }
        if FICTIF_COLUMN in cells:
            flag = cells.pop(FICTIF_COLUMN).value
            fictif = fictif or (not _blank(flag) and _norm(flag) not in {"non", "false", "0"})
        if all(_blank(c.value) for c in cells.values()):
            continue
        rows.append((offset, cells))
    return _Table(spec, file, sheet, header_row, headers, rows, fictif), []


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


class _RowReader:
    """Parse the cells of one row, recording a problem for each bad cell."""

    def __init__(self, table: _Table, row: int, cells: dict[str, _Cell], problems: list[Problem]):
        self.table, self.row, self.cells, self.problems = table, row, cells, problems

    def problem(self, column: str | None, message: str, rule: str) -> None:
        """Record one problem at this row (and column)."""
        self.problems.append(
            Problem(
                self.table.file,
                message,
                row=self.row,
                column=column,
                rule=rule,
                sheet=self.table.sheet,
            )
        )

    def raw(self, name: str) -> _Cell:
        """Return the raw cell of a column (blank when the column is absent)."""
        return self.cells.get(name, _Cell(None))

    def text(self, name: str, *, required: bool = False) -> str | None:
        """Return a text cell, stripped; None when blank."""
        value = self.raw(name).value
        if _blank(value):
            if required:
                self.problem(name, "valeur obligatoire manquante", "obligatoire")
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.datetime):
            value = value.date().isoformat()
        return str(value).strip()

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        """Return a date cell (Excel date, AAAA-MM-JJ or JJ/MM/AAAA text); None when blank."""
        value = self.raw(name).value
        if _blank(value):
            if required:
                self.problem(name, "date obligatoire manquante", "obligatoire")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.problem(
                name,
                f"« {value} » n'est pas une date valide "
                "(AAAA-MM-JJ, ex. 2021-03-15, ou date Excel)",
                "date",
            )
        return parsed

    def number(self, name: str, *, required: bool = False, percent: bool = False) -> float | None:
        """Return a numeric cell as float; None when blank; text is refused."""
        cell = self.raw(name)
        value = cell.value
        if _blank(value):
            if required:
                self.problem(name, "valeur numérique obligatoire manquante", "obligatoire")
            return None
        number = parse_number(value, from_csv=self.table.sheet is None)
        if number is None:
            hint = ""
            text = str(value).strip()
            if re.fullmatch(r"-?\d+,\d+", text):
                hint = (
                    " Virgule décimale dans un texte : dans un fichier CSV, écrivez 12.5 ; "
                    "dans Excel, saisissez le nombre dans une cellule au format nombre."
                    if self.table.sheet is None
                    else " Le nombre a été saisi comme du texte : retapez-le dans une cellule "
                    "au format « Nombre » (sans apostrophe ni espace)."
                )
            elif re.search(r"\d", text):
                hint = " Écrivez le nombre seul, sans unité ni espace."
            self.problem(
                name,
                f"« {value} » n'est pas un nombre (texte dans une cellule numérique).{hint}",
                "nombre",
            )
            return None
        if percent and "%" in (cell.number_format or ""):
            number *= 100  # a percent-formatted cell stores 0.155 for 15.5 %
        return number


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_CSV_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_date(value: Any) -> dt.date | None:
    """Return the date a cell holds, or None if it is not a valid date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None  # a bare number would be an Excel serial shown as a number: ambiguous
    text = value.strip()
    match = _ISO_DATE.match(text)
    if match:
        y, m, d = (int(g) for g in match.groups())
    else:
        match = _FR_DATE.match(text)
        if not match:
            return None
        d, m, y = (int(g) for g in match.groups())
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_number(value: Any, *, from_csv: bool) -> float | None:
    """Return the number a cell holds, or None for text (CSV cells are text by nature)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if math.isnan(value) else float(value)
    if from_csv and isinstance(value, str) and _CSV_NUMBER.match(value.strip()):
        return float(value.strip())
    return None


#: How each kind of id is named in messages: (noun, « inconnu(e) », where to look).
_ID_WORDS = {
    "indicateur": ("indicateur", "inconnu", "voir la feuille « Indicateurs »"),
    "fiche": ("fiche", "inconnue", "voir la feuille « Fiches »"),
    "question": ("question", "inconnue", "voir la feuille « Questions »"),
}


def _check_id(reader: _RowReader, name: str, value: str | None, known: set[str]) -> bool:
    """Record a problem if ``value`` is not a known id; return whether it is usable."""
    if value is None:
        return False
    if value not in known:
        noun, unknown, where = _ID_WORDS[name]
        known_word = "connu" if unknown == "inconnu" else "connue"
        reader.problem(name, f"{noun} « {value} » {unknown} : {where}", f"{noun} {known_word}")
        return False
    return True


def _parse_mesures(
    table: _Table, ref: Referentiel, as_of: dt.date
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    natures = ref.natures
    records = []
    seen: dict[tuple[str, dt.date], int] = {}
    for row, cells in table.rows:
        r = _RowReader(table, row, cells, problems)
        ind = r.text("indicateur", required=True)
        ok = _check_id(r, "indicateur", ind, set(natures))
        day = r.date("date")
        start = r.date("periode_debut")
        end = r.date("periode_fin")
        commentaire = r.text("commentaire")
        if _blank(r.raw("date").value) and _blank(r.raw("periode_fin").value):
            r.problem(
                "date",
                "date de mesure manquante (renseignez « date » ou la période)",
                "obligatoire",
            )
        if start and _blank(r.raw("periode_fin").value):
            r.problem(
                "periode_fin", "fin de période manquante alors que le début est donné", "période"
            )
        if start and end and start > end:
            r.problem("periode_debut", "le début de la période est après sa fin", "période")
        if day and end and day != end:
            r.problem(
                "date",
                "la date diffère de la fin de période : laissez « date » vide pour une période",
                "période",
            )
        value, text = None, None
        nature = natures.get(ind) if ok else None
        if nature in {"nombre", "taux"}:
            value = r.number("valeur", required=True, percent=nature == "taux")
        elif nature == "qualitatif":
            text = r.text("valeur")
            if text is None and commentaire is None:
                r.problem(
                    "valeur",
                    "indicateur qualitatif sans valeur ni commentaire",
                    "obligatoire",
                )
        effective = day or end
        if ok and effective:
            key = (ind, effective)
            if key in seen:
                r.problem(
                    "date",
                    f"mesure en double : même indicateur et même date qu'à la ligne {seen[key]}",
                    "unicité indicateur + date",
                )
            else:
                seen[key] = row
        records.append(
            {
                "indicateur": ind,
                "date": effective,
                "periode_debut": start,
                "periode_fin": end,
                "valeur": value,
                "valeur_texte": text,
                "commentaire": commentaire,
                "source": r.text("source"),
            }
        )
    return _typed("mesures", records), problems


def _parse_jalons(
    table: _Table, ref: Referentiel, as_of: dt.date
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    etapes = ref.etapes
    records = []
    seen: dict[tuple[str, str], int] = {}
    for row, cells in table.rows:
        # A pre-filled step with no date and no comment carries nothing: skip it.
        if all(
            _blank(cells.get(n, _Cell(None)).value)
            for n in ("date_prevue", "date_realisee", "commentaire")
        ):
            continue
        r = _RowReader(table, row, cells, problems)
        fiche = r.text("fiche", required=True)
        ok = _check_id(r, "fiche", fiche, set(etapes))
        etape = r.text("etape", required=True)
        if ok and etape is not None:
            matches = [label for label in etapes[fiche] if _norm(label) == _norm(etape)]
            if not matches:
                known = ", ".join(etapes[fiche]) or "aucune"
                r.problem(
                    "etape",
                    f"étape « {etape} » inconnue pour la fiche « {fiche} » (étapes : {known})",
                    "étape connue",
                )
            else:
                etape = matches[0]
        prevue = r.date("date_prevue")
        realisee = r.date("date_realisee")
        if realisee and realisee > as_of:
            r.problem(
                "date_realisee",
                f"date future par rapport à la date d'arrêté ({as_of.isoformat()}) : "
                f"une étape ne peut pas avoir été réalisée le {realisee.isoformat()}",
                "date réalisée ≤ date d'arrêté",
            )
        if fiche and etape:
            key = (fiche, _norm(etape))
            if key in seen:
                r.problem(
                    "etape",
                    f"étape en double : même fiche et même étape qu'à la ligne {seen[key]}",
                    "unicité fiche + étape",
                )
            else:
                seen[key] = row
        records.append(
            {
                "fiche": fiche,
                "etape": etape,
                "date_prevue": prevue,
                "date_realisee": realisee,
                "commentaire": r.text("commentaire"),
            }
        )
    return _typed("jalons", records), problems


def _parse_reponses(
    table: _Table, ref: Referentiel, as_of: dt.date
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    records = []
    seen: dict[tuple[str, str, dt.date], int] = {}
    questions = set(ref.questions["id"])
    for row, cells in table.rows:
        r = _RowReader(table, row, cells, problems)
        fiche = r.text("fiche", required=True)
        _check_id(r, "fiche", fiche, set(ref.fiche_ids))
        question = r.text("question", required=True)
        _check_id(r, "question", question, questions)
        reponse = r.text("reponse", required=True)
        day = r.date("date", required=True)
        if fiche and question and day:
            key = (fiche, question, day)
            if key in seen:
                r.problem(
                    "question",
                    f"réponse en double : même fiche, question et date qu'à la ligne {seen[key]}",
                    "unicité fiche + question + date",
                )
            else:
                seen[key] = row
        records.append({"fiche": fiche, "question": question, "reponse": reponse, "date": day})
    return _typed("reponses", records), problems


def _parse_cibles(
    table: _Table, ref: Referentiel, as_of: dt.date
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    natures = ref.natures
    records = []
    seen: dict[str, int] = {}
    for row, cells in table.rows:
        r = _RowReader(table, row, cells, problems)
        ind = r.text("indicateur", required=True)
        ok = _check_id(r, "indicateur", ind, set(natures))
        percent = ok and natures[ind] == "taux"
        if ok and natures[ind] == "qualitatif":
            r.problem(
                "cible", "un indicateur qualitatif n'a pas de cible chiffrée", "cible chiffrée"
            )
        reference = r.number("valeur_reference", percent=percent)
        cible = r.number("cible", required=True, percent=percent)
        date_cible = r.date("date_cible")
        if ok:
            if ind in seen:
                r.problem(
                    "indicateur",
                    f"cible en double : même indicateur qu'à la ligne {seen[ind]}",
                    "unicité indicateur",
                )
            else:
                seen[ind] = row
        records.append(
            {
                "indicateur": ind,
                "valeur_reference": reference,
                "cible": cible,
                "date_cible": date_cible,
                "commentaire": r.text("commentaire"),
            }
        )
    return _typed("cibles", records), problems


def _choice(r: _RowReader, name: str, allowed: tuple[str, ...]) -> str | None:
    """Return a drop-down value (case-insensitive), recording a problem if it is not allowed."""
    value = r.text(name)
    if value is None:
        return None
    for option in allowed:
        if _norm(value) == _norm(option):
            return option
    choices = ", ".join(f"« {a} »" for a in allowed)
    r.problem(name, f"« {value} » n'est pas une valeur permise : {choices}", f"{name} permise")
    return None


def _parse_preconisations(
    table: _Table, ref: Referentiel, as_of: dt.date
) -> tuple[pd.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    records = []
    seen: dict[tuple[Any, ...], int] = {}
    for row, cells in table.rows:
        r = _RowReader(table, row, cells, problems)
        day = r.date("date", required=True)
        fiche = r.text("fiche")
        if fiche is not None and not _check_id(r, "fiche", fiche, set(ref.fiche_ids)):
            fiche = None
        text = r.text("preconisation", required=True)
        echeance = r.date("echeance")
        if day and echeance and echeance < day:
            r.problem(
                "echeance",
                f"échéance ({echeance.isoformat()}) antérieure à la date de la préconisation "
                f"({day.isoformat()})",
                "échéance après la date",
            )
        if day and text:
            key = (day, fiche, _norm(text))
            if key in seen:
                r.problem(
                    "preconisation",
                    "préconisation en double : même date, fiche et texte qu'à la ligne "
                    f"{seen[key]}",
                    "unicité date + fiche + préconisation",
                )
            else:
                seen[key] = row
        records.append(
            {
                "date": day,
                "fiche": fiche,
                "preconisation": text,
                "priorite": _choice(r, "priorite", PRIORITES),
                "qui": r.text("qui"),
                "echeance": echeance,
                "suite": _choice(r, "suite", SUITES),
                "commentaire_suite": r.text("commentaire_suite"),
            }
        )
    return _typed("preconisations", records), problems


_PARSERS = {
    "mesures": _parse_mesures,
    "jalons": _parse_jalons,
    "reponses": _parse_reponses,
    "cibles": _parse_cibles,
    "preconisations": _parse_preconisations,
}


def _typed(kind: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    """Return records as a frame with the kind's columns and dtypes."""
    if not records:
        return empty_frame(kind)
    frame = pd.DataFrame.from_records(records, columns=list(FRAME_COLUMNS[kind]))
    for name, dtype in FRAME_COLUMNS[kind].items():
        if dtype.startswith("datetime"):
            frame[name] = pd.to_datetime(frame[name]).astype(dtype)
        else:
            frame[name] = frame[name].astype(dtype)
    return frame
