"""A next edition of the project for the tests: the 2020 data as previous, then a few edits."""

from __future__ import annotations

import shutil
from pathlib import Path

from notebook_support import copy_of_data, replace_once

from projet_associatif.core.paths import data_dir

#: A label a hostile editor typed: it must stay text wherever it is shown.
HOSTILE = "<b>#set</b> *gras* | [lien](http://e.x) $x$"
#: Fictional test row (not a figure of the source): it only exists in the next edition.
ADDED = "test_ajout,Ligne ajoutée pour le test,42,nombre,Allier,2026,3. Descriptif de l'existant — Contexte territorial,7,,\n"


def next_edition(base: Path) -> Path:
    """Return a next edition's project under ``base``: the 2020 data as previous, then edits.

    Two figures changed (a count with its label made hostile, a rate in %), one key figure
    added and one removed; identite.yaml names the previous edition.
    """
    previous = base / "edition-precedente" / "data"
    previous.parent.mkdir(parents=True)
    shutil.copytree(data_dir(), previous)
    data = copy_of_data(base)
    key_figures = data / "territoire" / "chiffres_cles.csv"
    replace_once(
        key_figures,
        "zone_communes,soit 127 communes,127,",
        f'zone_communes,"{HOSTILE}",130,',
    )
    text = key_figures.read_text(encoding="utf-8")
    removed = next(line for line in text.splitlines(keepends=True) if line.startswith("zone_cc,"))
    key_figures.write_text(text.replace(removed, "") + ADDED, encoding="utf-8")
    replace_once(
        data / "contexte" / "taux_chomage.csv",
        "Allier,2017-T1,1T 2017,10.1,",
        "Allier,2017-T1,1T 2017,9.65,",
    )
    replace_once(
        data / "association" / "identite.yaml",
        "edition:\n  annee: 2020\n",
        "edition:\n  annee: 2026\n  precedente: {annee: 2020, donnees: edition-precedente/data}\n",
    )
    return data
