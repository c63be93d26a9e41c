"""Generate the FICTIONAL follow-up example: exemples/suivi-fictif.xlsx and exemples/suivi-fictif/.

Every value below is invented to show how the reviews work; none describes the real activity
of the Mission Locale. The scenario exercises each status at the mid-term (2021-09-01) and
final (2023-03-01) closing dates, the project start being 2020-03-01:

- camion-mobile-i1: on track at mid-term; a measurement dated after it reaches the target at
  the final review (ignored at mid-term, counted at the final review);
- reseaux-sociaux-i1: target reached; antennes-permanences-i3 (downward): behind target;
- espace-jeunes-i1 and site-internet-i4 (a rate, over a period): measured without target;
- espace-jeunes-i2: qualitative, measured; se-former-i1: a target but no measurement;
- steps done on time, done late, not done past their date, not yet due, without date.

Run: ``python exemples/generer_suivi_fictif.py`` (deterministic: same bytes every run).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from projet_associatif.suivi.reader import read_suivi
from projet_associatif.suivi.referentiel import load_referentiel
from projet_associatif.suivi.schema import sheet_schemas
from projet_associatif.suivi.sheets import FICTIONAL_COLUMN
from projet_associatif.suivi.template import FICTIONAL_BANNER, build_workbook

HERE = Path(__file__).resolve().parent
XLSX = HERE / "suivi-fictif.xlsx"
CSV_DIR = HERE / "suivi-fictif"
FIXED_TIME = dt.datetime(2020, 3, 1)  # document properties and zip entries: reproducible bytes
STAMP = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
D = dt.date

MESURES = [
    # On track at mid-term (80 vs 75.1 expected on 2021-08-31), reached at the final review.
    {"indicateur": "camion-mobile-i1", "date": D(2021, 3, 31), "valeur": 40, "source": "fictif"},
    {"indicateur": "camion-mobile-i1", "date": D(2021, 8, 31), "valeur": 80, "source": "fictif"},
    {
        "indicateur": "camion-mobile-i1",
        "date": D(2022, 9, 30),
        "valeur": 160,
        "commentaire": "mesure postérieure au bilan intermédiaire",
        "source": "fictif",
    },
    # Target (1500) reached at mid-term.
    {"indicateur": "reseaux-sociaux-i1", "date": D(2020, 9, 30), "valeur": 950},
    {"indicateur": "reseaux-sociaux-i1", "date": D(2021, 3, 31), "valeur": 1250},
    {"indicateur": "reseaux-sociaux-i1", "date": D(2021, 6, 30), "valeur": 1600},
    # Downward indicator behind target (40 -> 10 by 2022-09-01).
    {"indicateur": "antennes-permanences-i3", "date": D(2020, 12, 31), "valeur": 38},
    {"indicateur": "antennes-permanences-i3", "date": D(2021, 6, 30), "valeur": 35},
    {"indicateur": "antennes-permanences-i3", "date": D(2022, 12, 31), "valeur": 22},
    # No target: the latest value is shown with its trend.
    {"indicateur": "espace-jeunes-i1", "date": D(2020, 12, 31), "valeur": 420},
    {"indicateur": "espace-jeunes-i1", "date": D(2021, 6, 30), "valeur": 510},
    # A rate measured over a period (the end of the period dates it).
    {
        "indicateur": "site-internet-i4",
        "periode_debut": D(2021, 1, 1),
        "periode_fin": D(2021, 6, 30),
        "valeur": 35.5,
        "commentaire": "enquête d'accueil",
    },
    # Qualitative.
    {
        "indicateur": "espace-jeunes-i2",
        "date": D(2021, 6, 15),
        "valeur": "Plutôt satisfaits",
        "commentaire": "enquête de satisfaction inventée pour l'exemple",
    },
]

CIBLES = [
    {
        "indicateur": "camion-mobile-i1",
        "valeur_reference": 0,
        "cible": 150,
        "date_cible": D(2023, 3, 1),
        "commentaire": "cible fictive",
    },
    {
        "indicateur": "reseaux-sociaux-i1",
        "valeur_reference": 800,
        "cible": 1500,
        "date_cible": D(2022, 3, 1),
        "commentaire": "cible fictive",
    },
    {
        "indicateur": "antennes-permanences-i3",
        "valeur_reference": 40,
        "cible": 10,
        "date_cible": D(2022, 9, 1),
        "commentaire": "cible fictive",
    },
    {"indicateur": "se-former-i1", "cible": 5, "commentaire": "cible fictive, jamais mesurée"},
]

# In the order of the fiches (the template's order). Completion dates never exceed the
# mid-term closing date: the reader refuses a completion in the future of the closing date,
# and the example must read at both dates.
JALONS = [
    {"fiche": "camion-mobile", "etape": "Etape 1", "date_prevue": D(2020, 6, 30),
     "date_realisee": D(2020, 9, 15)},
    {"fiche": "camion-mobile", "etape": "Etape 2", "date_prevue": D(2020, 9, 30),
     "date_realisee": D(2020, 9, 10)},
    {"fiche": "camion-mobile", "etape": "Etape 4", "date_prevue": D(2021, 1, 31),
     "date_realisee": D(2021, 2, 15)},
    {"fiche": "camion-mobile", "etape": "Etape 5", "date_prevue": D(2021, 3, 31),
     "commentaire": "tournée du camion pas encore lancée"},
    {"fiche": "reseaux-sociaux", "etape": "Etape 3", "date_prevue": D(2020, 3, 31),
     "date_realisee": D(2020, 3, 20)},
    {"fiche": "jeune-referent", "etape": "Etape 1", "date_prevue": D(2021, 3, 31),
     "date_realisee": D(2021, 3, 15)},
    {"fiche": "jeune-referent", "etape": "Etape 3", "date_prevue": D(2021, 6, 30)},
    {"fiche": "site-internet", "etape": "Etape 5", "date_prevue": D(2023, 12, 31)},
    {"fiche": "espace-jeunes", "etape": "Etape 3", "date_prevue": D(2022, 6, 30)},
]  # fmt: skip

REPONSES = [
    {"fiche": "camion-mobile", "question": "R1", "date": D(2021, 6, 15),
     "reponse": "Pas encore : la tournée n'a pas commencé (réponse fictive)."},
    {"fiche": "camion-mobile", "question": "P7", "date": D(2021, 6, 15),
     "reponse": "Non : achat du camion retardé (réponse fictive)."},
    {"fiche": "espace-jeunes", "question": "R6", "date": D(2022, 11, 15),
     "reponse": "Les ateliers du mercredi ont plu (réponse fictive)."},
]  # fmt: skip

# Three recommendations of the mid-term commission (what became of each is recorded for the
# final review) and one of the final commission.
PRECONISATIONS = [
    {
        "date": D(2021, 9, 1),
        "fiche": "camion-mobile",
        "preconisation": "Lancer la tournée du camion sur trois communes pilotes avant la fin "
        "de l'année (préconisation fictive).",
        "priorite": "haute",
        "qui": "Direction",
        "echeance": D(2021, 12, 31),
        "suite": "réalisée",
        "commentaire_suite": "tournée lancée en novembre 2021 (fictif)",
    },
    {
        "date": D(2021, 9, 1),
        "fiche": "jeune-referent",
        "preconisation": "Informer le public du rôle de jeune référent lors des ateliers "
        "collectifs (préconisation fictive).",
        "priorite": "moyenne",
        "qui": "Conseillers Mission Locale",
        "echeance": D(2022, 3, 31),
        "suite": "en cours",
    },
    {
        "date": D(2021, 9, 1),
        "preconisation": "Fixer une échéance à chaque étape des fiches-action pour pouvoir "
        "mesurer les retards (préconisation fictive).",
        "priorite": "haute",
        "qui": "Commission de suivi",
        "echeance": D(2021, 12, 31),
        "suite": "abandonnée",
        "commentaire_suite": "remplacée par un point d'étape trimestriel (fictif)",
    },
    {
        "date": D(2023, 2, 15),
        "fiche": "antennes-permanences",
        "preconisation": "Revoir l'organisation des rendez-vous pour réduire l'attente des "
        "jeunes (préconisation fictive).",
        "priorite": "haute",
        "qui": "Direction",
        "echeance": D(2023, 9, 30),
    },
]

ROWS = {
    "mesures": MESURES,
    "jalons": JALONS,
    "reponses": REPONSES,
    "cibles": CIBLES,
    "preconisations": PRECONISATIONS,
}

README = """\
# DONNÉES FICTIVES — exemple de suivi de la commission

Ce dossier et le classeur `../suivi-fictif.xlsx` contiennent les mêmes données, **inventées**
pour montrer le fonctionnement du bilan intermédiaire et du bilan final. Elles ne décrivent pas
l'activité de la Mission Locale de Moulins et sa région. Chaque ligne porte la colonne `fictif`.

Régénérer : `python exemples/generer_suivi_fictif.py`.

Essayer : `projet-associatif build --profile bilan-intermediaire --suivi exemples/suivi-fictif.xlsx`
(ou `--suivi exemples/suivi-fictif`).
"""


def write_workbook(path: Path) -> None:
    """Fill the template (with its « DONNÉES FICTIVES » banners) and save it reproducibly."""
    wb = build_workbook(load_referentiel(), banner=FICTIONAL_BANNER)
    first = 3  # row 1: banner, row 2: header
    for kind, rows in ROWS.items():
        schema = sheet_schemas()[kind]
        ws = wb[schema.sheet]
        if kind == "jalons":
            targets = {
                (ws.cell(r, 1).value, ws.cell(r, 2).value): r
                for r in range(first, ws.max_row + 1)
                if ws.cell(r, 1).value
            }
            for row in rows:
                r = targets[(row["fiche"], row["etape"])]  # pre-filled by the template
                for c, name in enumerate(schema.names, start=1):
                    if name in row:
                        ws.cell(r, c, row[name])
            continue
        for r, row in enumerate(rows, start=first):
            for c, name in enumerate(schema.names, start=1):
                ws.cell(r, c, row.get(name))
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "projet_associatif (exemple fictif)"
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_fixed_zip(buffer.getvalue()))


def _fixed_zip(data: bytes) -> bytes:
    """Return the same zip with fixed entry times, so the file is byte-for-byte reproducible."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time as « modified »: pin it as well.
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + STAMP.encode(), content
                )
            dst.writestr(fixed, content)
    return out.getvalue()


def write_csv_dir(path: Path) -> None:
    """Write the same rows as CSV files (UTF-8, comma, ISO dates), each row marked fictif."""
    path.mkdir(exist_ok=True)
    for kind, rows in ROWS.items():
        schema = sheet_schemas()[kind]
        names = [*schema.header_names, FICTIONAL_COLUMN]
        with open(path / schema.csv, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(names)
            for row in rows:
                values = [_csv(row.get(n)) for n in names[:-1]]
                writer.writerow([*values, "DONNÉES FICTIVES"])
    (path / "README.md").write_text(README, encoding="utf-8")


def _csv(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def main() -> None:
    """Write both forms of the example and check that they read back identically."""
    write_workbook(XLSX)
    write_csv_dir(CSV_DIR)
    from_xlsx = read_suivi(XLSX, as_of="2021-09-01")
    from_csv = read_suivi(CSV_DIR, as_of="2021-09-01")
    assert from_xlsx.fictional and from_csv.fictional
    for kind in ROWS:
        pd.testing.assert_frame_equal(getattr(from_xlsx, kind), getattr(from_csv, kind))
    print(f"écrit : {XLSX.relative_to(HERE.parent)} et {CSV_DIR.relative_to(HERE.parent)}/")


if __name__ == "__main__":
    main()
