"""Cross-check the source document's own arithmetic, without correcting anything.

Each check compares a figure *as stated* by the source with the same figure *as
computed* from other stated figures (sum of parts, share × total, rate difference,
count of table rows…) and records both values and where each comes from. The
result is data: a list of :class:`Finding`, written as CSV and published in an annex.

The findings and their statuses are defined in :mod:`projet_associatif.analysis.audit_findings`.
The audit runs on whatever data exist: a group of checks whose data are still « à compléter »
stops there and is listed in :attr:`AuditResult.skipped` instead of failing the audit.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif.analysis.audit_findings import (
    AuditResult,
    AuditStatus,
    Finding,
    compare,
    note,
    plain_value,
)
from projet_associatif.config.identity import identity
from projet_associatif.core.errors import MissingData
from projet_associatif.core.formatting import is_missing, number
from projet_associatif.data.package import load

SOURCE = "Projet associatif 2020"
# The two printed unemployment evolutions, both measured to 1T 2018: (name, stated column,
# printed column heading, start period, start period as printed).
UNEMPLOYMENT_EVOLUTIONS = (
    ("annuelle", "evolution_annuelle_points", "Evolution annuelle", "2017-T1", "1T 2017"),
    ("2008-2018", "evolution_2008_2018_points", "Evolution 2018 2008", "2008-T2", "2T 2008"),
)


def _where(frame: pd.DataFrame, detail: str = "") -> str:
    """Return a human description of where a figure comes from: section, page, file."""
    sources = frame.attrs.get("sources") or [{}]
    first = sources[0]
    parts = [SOURCE]
    if first.get("section"):
        parts.append(str(first["section"]))
    if first.get("page"):
        parts.append(f"p. {first['page']}")
    if detail:
        parts.append(detail)
    return ", ".join(parts)


def _key_figures(data_dir: Path | None) -> pd.DataFrame:
    return load("chiffres_cles", data_dir).set_index("id")


def _figure(figures: pd.DataFrame, key: str) -> float | None:
    return float(figures.loc[key, "valeur"]) if key in figures.index else None


def check_income(data_dir: Path | None) -> Iterator[Finding]:
    """Check the 2019 income table: each row, each column total, the grand totals."""
    table = load("produits_2019", data_dir)
    where = _where(table, "tableau « Produits 2019 »")
    cols = ["reprise_fonds_dedies_2018_eur", "subvention_2019_eur", "total_2019_eur"]
    labels = {
        "reprise_fonds_dedies_2018_eur": "Reprise de fonds dédiés 2018",
        "subvention_2019_eur": "Subvention 2019",
        "total_2019_eur": "TOTAL 2019",
    }
    for row in table.itertuples():
        parts = [getattr(row, c) for c in cols[:2]]
        if is_missing(row.total_2019_eur) and all(is_missing(p) for p in parts):
            continue
        computed = sum(float(p) for p in parts if not is_missing(p))
        blank_in_total = row.type_ligne == "total" and any(is_missing(p) for p in parts)
        if blank_in_total and not is_missing(row.total_2019_eur) and computed != row.total_2019_eur:
            # A blank cell in a total row is a figure the source left out, not a zero.
            yield note(
                f"produits-ligne-{row.ordre}",
                "total de ligne",
                f"{row.libelle} : reprise + subvention = total",
                plain_value(float(row.total_2019_eur)),
                "",
                stated_source=f"{where}, ligne « {row.libelle} », colonne TOTAL 2019",
                computed_source=f"{where}, même ligne, colonnes reprise et subvention",
                comment="une cellule de la ligne est vide dans la source : comparaison impossible",
            )
            continue
        yield compare(
            f"produits-ligne-{row.ordre}",
            "total de ligne",
            f"{row.libelle} : reprise + subvention = total",
            None if is_missing(row.total_2019_eur) else float(row.total_2019_eur),
            computed,
            stated_source=f"{where}, ligne « {row.libelle} », colonne TOTAL 2019",
            computed_source=f"{where}, même ligne, colonnes reprise et subvention",
        )
    kinds = table["type_ligne"]
    financeurs = table[kinds == "financeur"]
    totals = table[kinds == "total"].reset_index(drop=True)
    if len(totals) >= 1:
        subtotal = totals.iloc[0]
        for col in cols:
            yield compare(
                f"produits-total-subventions-{col}",
                "somme des parties",
                f"« {subtotal.libelle} », colonne {labels[col]} = somme des financeurs",
                None if is_missing(subtotal[col]) else float(subtotal[col]),
                float(financeurs[col].fillna(0).sum()),
                stated_source=f"{where}, ligne « {subtotal.libelle} »",
                computed_source=f"{where}, lignes des {len(financeurs)} financeurs",
            )
    if len(totals) >= 2:
        subtotal, grand = totals.iloc[0], totals.iloc[-1]
        others = table[kinds == "autre produit"]
        for col in cols:
            computed = float(subtotal[col]) if not is_missing(subtotal[col]) else 0.0
            computed += float(others[col].fillna(0).sum())
            stated = None if is_missing(grand[col]) else float(grand[col])
            comment = ""
            if stated is None:
                comment = (
                    "cellule laissée vide par la source ; la somme des parties donnerait "
                    f"{plain_value(computed)} €"
                )
            yield compare(
                f"produits-total-produits-{col}",
                "somme des parties",
                f"« {grand.libelle} », colonne {labels[col]} = total subventions + autres produits",
                stated,
                computed,
                stated_source=f"{where}, ligne « {grand.libelle} »",
                computed_source=f"{where}, « {subtotal.libelle} » + {len(others)} autres produits",
                comment=comment,
            )


def check_territory(data_dir: Path | None) -> Iterator[Finding]:
    """Check the zone's stated counts against the EPCI and sites tables."""
    epci = load("epci", data_dir)
    figures = _key_figures(data_dir)
    shared_with = identity(data_dir).territory.shared_with
    where_epci = _where(epci, "descriptions des 4 EPCI")
    in_zone = epci["communes_zone_nombre"].fillna(epci["communes_nombre"])
    detail = " + ".join(str(int(n)) for n in in_zone)
    yield _count_check(
        figures,
        "zone-communes",
        "nombre de communes de la zone = somme des communes de chaque EPCI dans la zone",
        "zone_communes",
        in_zone.sum(),
        f"{where_epci} : {detail} (EPCI entiers, ou part dans la zone pour les deux EPCI partagés)",
        comment="la source ne liste pas les communes de la zone : l'écart ne peut pas être "
        "localisé",
    )
    epci_counts = (
        # (check id, what is compared, key figure, count in the data, how it is counted)
        (
            "zone-epci",
            "nombre d'EPCI décrits = nombre annoncé",
            "zone_epci",
            len(epci),
            "EPCI décrits un à un",
        ),
        (
            "zone-communautes-communes",
            "communautés de communes après 2017 = EPCI de type CC décrits",
            "cc_apres_2017",
            (epci["type_epci"] == "CC").sum(),
            "EPCI de type CC",
        ),
        (
            "zone-epci-partages",
            f"EPCI partagés avec la {shared_with}" if shared_with else "EPCI partagés",
            "cc_partagees",
            epci["partage"].fillna(False).sum(),
            "EPCI marqués partagés",
        ),
    )
    for ident, label, key, count, counted in epci_counts:
        yield _count_check(figures, ident, label, key, count, f"{where_epci} : {counted}")
    sites = load("sites", data_dir)
    where_sites = _where(sites, "implantation des lieux d'accueil")
    for kind, key in (("antenne", "antennes"), ("permanence", "permanences")):
        yield _count_check(
            figures,
            f"sites-{key}",
            f"nombre de {key} annoncé = {key} décrites",
            key,
            (sites["type_site"] == kind).sum(),
            f"{where_sites} : lieux de type {kind}",
        )
    both = sites.dropna(subset=["demi_journees_par_mois", "demi_journees_par_mois_fiche"])
    for row in both.itertuples():
        # "tous les 15 jours" (26 a year) vs "deux par mois" (24 a year): the same rhythm said
        # two ways; 0.25 half-day a month absorbs that difference and nothing larger.
        yield compare(
            f"frequence-{row.id}",
            "cohérence",
            f"{row.nom} : fréquence de la partie 3 = fréquence de la fiche-action",
            float(row.demi_journees_par_mois),
            float(row.demi_journees_par_mois_fiche),
            stated_source=f"{where_sites} : « {row.frequence_texte} »",
            computed_source=f"{SOURCE}, annexe 1, fiche ANTENNES ET PERMANENCES : "
            f"« {row.frequence_fiche_texte} »",
            tolerance=0.25,
            comment="en demi-journées par mois",
        )


def _count_check(
    figures: pd.DataFrame,
    ident: str,
    label: str,
    key: str,
    count: float,
    computed_source: str,
    **extra: Any,
) -> Finding:
    """Compare the key figure ``key`` stated by the source with a count made in the data."""
    return compare(
        ident,
        "comptage",
        label,
        _figure(figures, key),
        float(count),
        stated_source=_cite(figures, key),
        computed_source=computed_source,
        **extra,
    )


def _cite(figures: pd.DataFrame, *keys: str) -> str:
    """Return where key figures are stated: section, page and each figure as printed."""
    rows = [figures.loc[k] for k in keys if k in figures.index]
    if not rows:
        return SOURCE
    first = rows[0]
    place = [SOURCE]
    if not is_missing(first.get("section")):
        place.append(str(first["section"]))
    if not is_missing(first.get("page")):
        place.append(f"p. {first['page']}")
    quoted = " ; ".join(f"« {r['libelle']} » ({number(float(r['valeur']))})" for r in rows)
    return f"{', '.join(place)} : {quoted}"


def check_public(data_dir: Path | None) -> Iterator[Finding]:
    """Check the activity and staff figures of « Le public » and « Ressources humaines »."""
    figures = _key_figures(data_dir)
    events = _figure(figures, "evenements_2019")
    share = _figure(figures, "entretiens_part_evenements_pct")
    interviews = _figure(figures, "entretiens_2019")
    young = _figure(figures, "jeunes_accompagnes_2019")
    if None not in (events, share, interviews):
        # A share printed as a whole percentage stands for anything within ±0.5 point.
        yield compare(
            "public-entretiens",
            "taux",
            "entretiens = part des entretiens × événements",
            interviews,
            events * share / 100,
            stated_source=_cite(figures, "entretiens_2019"),
            computed_source=_cite(figures, "entretiens_part_evenements_pct", "evenements_2019"),
            tolerance=events * 0.5 / 100,
            comment="une part arrondie à l'unité vaut à ±0,5 point près",
        )
    per_young = _figure(figures, "entretiens_par_jeune")
    if None not in (interviews, young, per_young):
        # « +7 en moyenne » reads « 7 and more »: compare the whole part of the quotient.
        quotient = interviews / young
        yield compare(
            "public-entretiens-par-jeune",
            "taux",
            "entretiens par jeune : partie entière de entretiens ÷ jeunes accompagnés",
            per_young,
            float(math.floor(quotient)),
            stated_source=_cite(figures, "entretiens_par_jeune"),
            computed_source=_cite(figures, "entretiens_2019", "jeunes_accompagnes_2019"),
            comment=f"quotient exact {number(quotient, 2)} ; « +7 » se lit « plus de 7 »",
        )
    staff = _figure(figures, "salaries_2019")
    cdi = _figure(figures, "cdi_pct")
    if None not in (staff, cdi):
        count = round(staff * cdi / 100)
        yield compare(
            "personnel-cdi",
            "taux",
            "part des CDI = nombre entier de CDI ÷ effectif, arrondi",
            cdi,
            100 * count / staff,
            stated_source=_cite(figures, "cdi_pct"),
            computed_source=f"{_cite(figures, 'salaries_2019')}, soit {int(count)} CDI",
            tolerance=0.5,
            comment=f"{int(count)} salariés en CDI sur {int(staff)}",
        )


def check_context(data_dir: Path | None) -> Iterator[Finding]:
    """Check unemployment evolutions and education-level shares."""
    rates = load("taux_chomage", data_dir)
    evolutions = load("taux_chomage_evolutions", data_dir).set_index("territoire")
    where = _where(rates, "tableau « Évolution du taux de chômage »")
    pivot = rates.pivot_table(index="territoire", columns="periode", values="taux_pct")
    for territory, row in pivot.iterrows():
        if territory not in evolutions.index:
            continue
        stated = evolutions.loc[territory]
        for name, column, printed, start, start_label in UNEMPLOYMENT_EVOLUTIONS:
            yield compare(
                f"chomage-evolution-{name}-{_slug(territory)}",
                "taux",
                f"{territory} : évolution {name} = taux 1T 2018 − taux {start_label}",
                float(stated[column]),
                float(row["2018-T1"] - row[start]),
                stated_source=f"{where}, colonne « {printed} »",
                computed_source=f"{where}, colonnes 1T 2018 et {start_label}",
                tolerance=0.05,
            )
    levels = load("niveau_formation_demandeurs", data_dir)
    where = _where(levels, "tableau « Niveau de formation des demandeurs d'emploi »")
    for territory, group in levels.groupby("territoire", sort=False):
        n = len(group)
        yield compare(
            f"niveau-formation-somme-{_slug(territory)}",
            "parts = 100 %",
            f"{territory} : somme des parts des {n} niveaux de formation = 100 %",
            100.0,
            float(group["part_pct"].sum()),
            stated_source=f"{where} (total implicite de 100 %)",
            computed_source=f"{where}, colonne {territory} : somme des {n} parts",
            tolerance=0.0,
            rounding=0.5 * n,
            comment=f"{n} parts arrondies à l'unité : un écart d'au plus {0.5 * n:g} "
            f"point{'s' if 0.5 * n >= 2 else ''} s'explique par les arrondis",
        )


def check_strategy(data_dir: Path | None) -> Iterator[Finding]:
    """Check counts and titles of objectives and action plans between part 5 and annex 1."""
    objectives = load("objectifs", data_dir)
    fiches = load("fiches_action", data_dir)["fiches"]
    general = objectives["objectifs_generaux"]
    operational = [oo for og in general for oo in og["objectifs_operationnels"]]
    listed = [f for oo in operational for f in oo["fiches"]]
    where5 = f"{SOURCE}, 5. Stratégie et plans d'action, p. 30-32"
    where_a = f"{SOURCE}, annexe 1 « Plans d'action »"
    yield compare(
        "strategie-fiches",
        "comptage",
        "fiches-action annoncées dans la stratégie = fiches de l'annexe 1",
        float(len(listed)),
        float(len(fiches)),
        stated_source=f"{where5} : plans d'action listés sous les objectifs",
        computed_source=f"{where_a} : fiches « Intitulé de l'Action »",
    )
    by_id = {f["id"]: f for f in fiches}
    for oo in operational:
        for fiche_id in oo["fiches"]:
            fiche = by_id.get(fiche_id)
            if fiche is None:
                continue
            short, full = fiche.get("titre_sommaire", ""), fiche.get("titre", "")
            if _norm(short) != _norm(full):
                yield note(
                    f"titre-{fiche_id}",
                    "libellé",
                    "intitulé de la fiche identique dans la stratégie et dans l'annexe",
                    short,
                    full,
                    stated_source=f"{where5}, objectif {oo['id']}",
                    computed_source=f"{where_a}, fiche n° {fiche.get('numero')}",
                    comment="intitulés différents ; les deux sont conservés tels quels",
                )
    for fiche in fiches:
        numbers = [_step_number(s.get("etape", "")) for s in fiche.get("etapes", [])]
        numbers = [n for n in numbers if n is not None]
        expected = list(range(numbers[0], numbers[0] + len(numbers))) if numbers else []
        if numbers and numbers != expected:
            yield note(
                f"etapes-{fiche['id']}",
                "numérotation",
                f"{fiche['titre']} : étapes numérotées sans saut",
                ", ".join(map(str, expected)),
                ", ".join(map(str, numbers)),
                stated_source=f"{where_a}, fiche n° {fiche.get('numero')}",
                computed_source=f"{where_a}, fiche n° {fiche.get('numero')}, étapes",
                comment="numérotation des étapes discontinue dans la source",
            )


def check_reference(data_dir: Path | None) -> Iterator[Finding]:
    """Compare the source's EPCI figures with the public reference extract (information)."""
    try:
        reference = load("epci_reference", data_dir).set_index("code_epci")
    except KeyError:
        return
    epci = load("epci", data_dir)
    for row in epci.itertuples():
        if row.code_epci not in reference.index:
            continue
        ref = reference.loc[row.code_epci]
        vintage = ref.get("population_millesime", "")
        pairs = (
            ("communes_nombre", "communes_nombre_decoupage", "communes"),
            ("population", "population_municipale", "population"),
        )
        for col, ref_col, label in pairs:
            if ref_col not in ref:
                continue
            stated, public = getattr(row, col), ref[ref_col]
            finding = compare(
                f"reference-{col}-{row.code_epci}",
                "référentiel",
                f"{row.nom} : {label} selon la source et selon le référentiel public",
                float(stated),
                float(public),
                stated_source=f"{_where(epci)} (chiffres 2018)",
                computed_source=f"référentiel data/reference (millésime {vintage})",
            )
            if finding.status != AuditStatus.CONSISTENT:
                # Different vintages: a gap is information, not a discrepancy of the source.
                finding = replace(
                    finding,
                    status=AuditStatus.INFORMATION,
                    comment="millésimes différents : écart attendu, donné pour information",
                )
            yield finding


CHECKS: tuple[Callable[[Path | None], Iterator[Finding]], ...] = (
    check_territory,
    check_public,
    check_context,
    check_income,
    check_strategy,
    check_reference,
)
#: What each group of checks covers, to name the ones that could not run.
CHECK_LABELS = {
    check_territory: "territoire",
    check_public: "public accompagné",
    check_context: "contexte socio-économique",
    check_income: "produits 2019",
    check_strategy: "stratégie",
    check_reference: "référentiel public",
}


def run_audit(data_dir: Path | None = None) -> AuditResult:
    """Run every check on the validated data and return the findings in a stable order.

    A group of checks whose data are « à compléter » keeps the findings it made and stops;
    it is named, with the file to fill, in the result's ``skipped``.
    """
    findings = AuditResult()
    for check in CHECKS:
        try:
            for finding in check(data_dir):
                findings.append(finding)
        except MissingData as exc:
            findings.skipped.append(f"{CHECK_LABELS[check]} ({exc.file} à compléter)")
    ids = [f.id for f in findings]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise RuntimeError(f"identifiants de contrôle en double : {sorted(duplicates)}")
    return findings


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


def _norm(text: str) -> str:
    return _slug(text or "")


def _step_number(label: str) -> int | None:
    digits = "".join(c for c in str(label) if c.isdigit())
    return int(digits) if digits else None
