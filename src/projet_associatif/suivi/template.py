"""Write the workbook the commission fills in, built from the sheets' Table Schemas.

Every input sheet gets its header, column widths, drop-down lists and date or number
validations from its schema (``suivi/schemas/``); the « Instructions » sheet reads its prose
from ``textes/classeur-suivi.yaml`` and the status rules from ``textes/regles-evaluation.yaml``,
and lists each column's instruction (the schema's ``description``). The texts name the
organisation through placeholders (``{organisation}``, ``{nom_court}``), filled from
identite.yaml of the data package the workbook is built for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from projet_associatif.config.identity import identity
from projet_associatif.core.errors import DataError, Problem
from projet_associatif.core.formatting import date_fr, is_missing
from projet_associatif.core.texts import texts
from projet_associatif.suivi.referentiel import (
    Referentiel,
    for_fiches,
    load_referentiel,
    plain_text,
    step_summary,
)
from projet_associatif.suivi.schema import FieldType, IdList, SheetSchema, sheet_schemas

#: Rows of the template that carry data validations and formats.
TEMPLATE_ROWS = 1000

#: The workbook's fixed texts (instructions, fictional banner), editable in ``textes/``.
WORKBOOK_TEXTS = "classeur-suivi"

#: Banner written above the header of every sheet of a fictional example.
FICTIONAL_BANNER: str = texts(WORKBOOK_TEXTS)["bandeau_fictif"]

_HEADER_FILL = "1F4E79"
_INFO_FILL = "EDEDED"
_BANNER_FILL = "C00000"


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
        ref = for_fiches(ref, fiches)
    workbook = build_workbook(ref)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def build_workbook(ref: Referentiel, *, banner: str | None = None) -> Workbook:
    """Return the template workbook; ``banner`` goes above every header if given."""
    wb = Workbook()
    wb.remove(wb.active)
    header_row = 2 if banner else 1
    if banner:
        _warning_sheet(wb, ref, banner)
    _instructions_sheet(wb, ref, banner)
    ranges = _lists_sheet(wb, ref)
    for schema in sheet_schemas().values():
        _input_sheet(wb, schema, ref, ranges, header_row, banner)
    _reference_sheets(wb, ref, header_row, banner)
    wb.move_sheet("Listes", offset=len(wb.sheetnames))
    wb.active = wb.sheetnames.index("Mesures")
    return wb


def _fill(text: str, ref: Referentiel) -> str:
    """Return a workbook text with the organisation's names in place of its placeholders."""
    if "{organisation}" not in text and "{nom_court}" not in text:
        return text
    names = identity(ref.data_dir)
    return text.replace("{organisation}", names.organisation).replace(
        "{nom_court}", names.short_name
    )


def _banner_row(ws: Any, banner: str, ncols: int) -> None:
    cell = ws.cell(row=1, column=1, value=banner)
    cell.font = Font(bold=True, color="FFFFFF")
    cell.alignment = Alignment(vertical="center")
    for col in range(1, max(ncols, 1) + 1):
        ws.cell(row=1, column=col).fill = PatternFill("solid", fgColor=_BANNER_FILL)


def _header(ws: Any, row: int, names: list[str], widths: list[int]) -> None:
    for col, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=_HEADER_FILL)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def _warning_sheet(wb: Workbook, ref: Referentiel, banner: str) -> None:
    ws = wb.create_sheet("Avertissement")
    ws.column_dimensions["A"].width = 110
    ws["A1"] = banner
    ws["A1"].font = Font(bold=True, size=14, color=_BANNER_FILL)
    ws["A3"] = _fill(texts(WORKBOOK_TEXTS)["avertissement_fictif"], ref)


def _instructions_sheet(wb: Workbook, ref: Referentiel, banner: str | None) -> None:
    words = texts(WORKBOOK_TEXTS)
    titles = words["titres"]
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

    schemas = sheet_schemas().values()
    line(_fill(words["titre"], ref), bold=True, size=14)
    line("", _fill(words["presentation"], ref))
    line()
    line(titles["a_remplir"], bold=True)
    for schema in schemas:
        suffix = words["feuille_facultative"] if schema.optional else ""
        line(schema.sheet, f"{schema.purpose[0].upper()}{schema.purpose[1:]}{suffix}.")
    line()
    line(titles["reference"], bold=True)
    for sheet, text in words["feuilles_de_reference"].items():
        line(sheet, _fill(text, ref))
    line()
    line(titles["regles"], bold=True)
    start = date_fr(ref.start, "jour") + (f" ({ref.start_status})" if ref.start_status else "")
    for rule in words["regles_de_saisie"]:
        line(rule["titre"], _fill(rule["texte"], ref).replace("{debut}", start))
    line()
    line(titles["statuts"], bold=True)
    rules = texts("regles-evaluation")
    line(titles["statut_indicateurs"], rules["statut"])
    line(titles["statut_etapes"], rules["jalon"])
    line()
    line(titles["colonnes"], bold=True)
    for schema in schemas:
        for item in schema.fields:
            mark = words["obligatoire"] if item.required else ""
            line(f"{schema.sheet} · {item.name}", f"{item.description}{mark}.")


def _lists_sheet(wb: Workbook, ref: Referentiel) -> dict[str, str]:
    """Write the hidden « Listes » sheet and return the range of each drop-down list."""
    ws = wb.create_sheet("Listes")
    steps: list[str] = []
    for labels in ref.steps.values():
        steps += [label for label in labels if label not in steps]
    lists: dict[str, list[str]] = {
        IdList.INDICATOR: list(ref.indicateurs["id"]),
        IdList.FICHE: ref.fiche_ids,
        IdList.QUESTION: list(ref.questions["id"]),
        IdList.STEP: steps,
    }
    for schema in sheet_schemas().values():  # the schemas' fixed lists (enum), by column
        lists.update({f.name: list(f.enum) for f in schema.fields if f.enum})
    ranges = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(row=1, column=col, value=str(name))
        for i, value in enumerate(values, start=2):
            ws.cell(row=i, column=col, value=value)
        if values:
            ranges[str(name)] = f"Listes!${letter}$2:${letter}${len(values) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _input_sheet(
    wb: Workbook,
    schema: SheetSchema,
    ref: Referentiel,
    ranges: dict[str, str],
    header_row: int,
    banner: str | None,
) -> None:
    ws = wb.create_sheet(schema.sheet)
    if banner:
        _banner_row(ws, banner, len(schema.fields))
    _header(ws, header_row, schema.names, [f.width for f in schema.fields])
    first, last = header_row + 1, header_row + TEMPLATE_ROWS
    for col_index, item in enumerate(schema.fields, start=1):
        letter = get_column_letter(col_index)
        area = f"{letter}{first}:{letter}{last}"
        dv = None
        list_name = str(item.id_list) if item.id_list else (item.name if item.enum else None)
        if list_name in ranges:
            dv = DataValidation(type="list", formula1=ranges[list_name], allow_blank=True)
            dv.error = "Choisissez une valeur de la liste."
        elif item.type == FieldType.DATE:
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
        elif item.type == FieldType.NUMBER:
            dv = DataValidation(
                type="decimal", operator="between", formula1="-1E+12", formula2="1E+12"
            )
            dv.allow_blank = True
            dv.error = "Saisissez un nombre, sans unité."
        if dv is not None:
            dv.errorTitle = f"Valeur refusée ({item.name})"
            dv.promptTitle = item.name
            dv.prompt = item.description[:250]  # Excel caps input messages at 255 characters
            dv.showErrorMessage = True
            dv.showInputMessage = True
            dv.add(area)
            ws.add_data_validation(dv)
    if schema.kind == "jalons":
        _prefill_steps(ws, ref, first, PatternFill("solid", fgColor=_INFO_FILL))


def _prefill_steps(ws: Any, ref: Referentiel, first: int, fill: PatternFill) -> None:
    """List every step of every fiche, so the commission only fills in dates."""
    row = first
    for fiche in ref.fiches:
        for etape in fiche.get("etapes") or []:
            ws.cell(row=row, column=1, value=fiche["id"])
            ws.cell(row=row, column=2, value=str(etape["etape"]))
            ws.cell(row=row, column=3, value=step_summary(etape)).fill = fill
            row += 1


def _reference_sheets(wb: Workbook, ref: Referentiel, header_row: int, banner: str | None) -> None:
    numeros = {f["id"]: f.get("numero") for f in ref.fiches}
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
        for r in ref.indicateurs.to_dict("records")
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
    objective_of = {
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
            [f["id"], f.get("numero"), plain_text(f.get("titre")), objective_of.get(f["id"])]
            for f in ref.fiches
        ],
        header_row,
        banner,
    )


def _none(value: Any) -> Any:
    """Return None for a missing value (an empty cell), else the value."""
    return None if is_missing(value) else value


def _table_sheet(
    wb: Workbook,
    title: str,
    names: list[str],
    widths: list[int],
    rows: list[list[Any]],
    header_row: int,
    banner: str | None,
) -> None:
    ws = wb.create_sheet(title)
    if banner:
        _banner_row(ws, banner, len(names))
    _header(ws, header_row, names, widths)
    for i, values in enumerate(rows, start=header_row + 1):
        for j, value in enumerate(values, start=1):
            cell = ws.cell(row=i, column=j, value=_none(value))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
