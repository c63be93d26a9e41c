import re
import shutil

import pandas as pd
import pytest

from projet_associatif.chapters import resources
from projet_associatif.core.formatting import NBSP
from projet_associatif.core.paths import data_dir
from projet_associatif.data.package import load
from projet_associatif.present import charts, tables

N = NBSP


@pytest.fixture(scope="module")
def chiffres():
    return load("chiffres_cles")


@pytest.fixture(scope="module")
def produits():
    return load("produits_2019")


@pytest.fixture(scope="module")
def partenaires():
    return load("besoins_partenaires")


def changed_income(produits, **values):
    """Return the income table with the Etat row changed (sources kept)."""
    frame = produits.copy()
    for column, value in values.items():
        frame.loc[frame["id"] == "etat", column] = value
    frame.attrs = dict(produits.attrs)
    return frame


# --- staff -----------------------------------------------------------------------------------


def test_staff_table_states_then_computes_the_cdi(chiffres):
    table = resources.staff_frame(chiffres)
    assert table["Valeur"].tolist() == ["23", f"87{N}%", f"11,75{N}ans", "environ 20"]
    assert table["Indicateur"].tolist()[:2] == [
        "Salariés (2019)",
        "Part des salariés en CDI (2019)",
    ]
    assert "année non précisée" in table["Indicateur"][2]
    computed = table.iloc[3]
    assert computed["Indicateur"] == "Salariés en CDI (calculé)"
    # 0,87 × 23 = 20,01 ; 20/23 = 86,96 % is the only whole count rounding to 87 %.
    assert f"87{N}% × 23 = 20,01" in computed["Origine"]
    assert "seul effectif entier" in computed["Origine"]


def test_cdi_count_range_follows_the_data(chiffres):
    changed = chiffres.copy()
    changed.loc[changed["id"] == "salaries_2019", "valeur"] = 230.0
    changed.attrs = dict(chiffres.attrs)
    exact, low, high = resources.cdi_count(changed)
    assert exact == pytest.approx(200.1)
    # 198/230 = 86,09 % ; 199/230 = 86,52 % ; 201/230 = 87,39 % ; 202/230 = 87,83 %
    assert (low, high) == (199, 201)
    assert "de 199 à 201" in resources.staff_frame(changed).iloc[3]["Origine"]


# --- lists -----------------------------------------------------------------------------------


def test_list_item_bolds_the_verb_and_escapes_markdown():
    assert resources.list_item("S'OUTILLER", "avec un plan") == "**S'OUTILLER** avec un plan"
    assert resources.list_item(pd.NA, "De vêtue") == "De vêtue"
    assert resources.list_item("", "a*b") == r"a\*b"


def test_staff_needs_list_in_source_order():
    text = resources.staff_needs_text(load("besoins_salaries")).markdown
    bullets = [line for line in text.splitlines() if line.startswith("- ")]
    assert bullets[0] == "- **S'OUTILLER** avec un plan de formation adapté"
    assert [b.split("**")[1] for b in bullets] == [
        "S'OUTILLER",
        "EVOLUER",
        "OBTENIR",
        "EVOLUER",
        "DISPOSER",
    ]
    assert text.rstrip().endswith(f"Source{N}: projet associatif 2020, p.{N}18")


def test_funders_needs_are_those_of_the_financial_section(partenaires):
    text = resources.funders_needs_text(partenaires).markdown
    assert "### LES FINANCEURS DONNEUR D'ORDRE" in text
    assert "L'Etat, le Conseil Régional, le Conseil Départemental" in text
    assert "- **REPENDRE** aux objectifs de diminution du chômage" in text  # typo kept
    assert "entreprises" not in text.lower().split("source")[0]
    assert text.count("\n- ") == 9  # 4 + 5 items
    assert text.rstrip().endswith(f"Source{N}: projet associatif 2020, p.{N}21")


def test_partners_needs_are_the_three_other_categories(partenaires):
    text = resources.partners_needs_text(partenaires).markdown
    headings = re.findall(r"^### (.+)$", text, re.M)
    assert headings == [
        "Les entreprises – le monde économique",
        "Les centres de formations, partenaires de l'emploi, Education Nationale",
        "Les différents acteurs sociaux, associations locales",
    ]
    assert "FINANCEURS" not in text
    assert text.rstrip().endswith(f"Source{N}: projet associatif 2020, p.{N}22")
    with pytest.raises(ValueError, match="Aucun besoin"):
        resources.partner_needs_markdown(partenaires, "Section inconnue")


def test_public_needs_seven_types():
    text = resources.public_needs_text(load("besoins_publics")).markdown
    assert len(re.findall(r"^### ", text, re.M)) == 7
    assert "- De vêtue" in text
    assert "**ECOUTER et APPORTER** un soutien moral" in text


def test_means_six_categories_with_rubrics():
    text = resources.means_text(load("moyens")).markdown
    assert re.findall(r"^### (.+)$", text, re.M) == [
        "MOYENS MATERIELS",
        "MOYENS FINANCIERS",
        "LOGISTIQUE",
        "PARTENARIAT",
        "OFFRES DE SERVICE",
        "MOYENS HUMAINS",
    ]
    assert f"- **Permanences**{N}: Jaligny" in text and "IFI 03 – Maison d'Arrêt" in text
    assert "- PMSMP" in text


# --- income 2019 -----------------------------------------------------------------------------


def test_income_table_has_every_row_and_column(produits):
    table = resources.income_frame(produits)
    assert list(table.columns) == [
        "Libellé",
        "Reprise de fonds dédiés 2018",
        "Subvention 2019",
        "Total 2019",
    ]
    assert len(table) == 12
    etat = table.iloc[0].tolist()
    assert etat == ["Etat", f"148{N}587{N}€", f"705{N}004{N}€", f"853{N}591{N}€"]
    subtotal = table.iloc[6].tolist()
    assert subtotal == [
        "**Total subventions**",
        f"**163{N}587{N}€**",
        f"**1{N}473{N}891{N}€**",
        f"**1{N}637{N}478{N}€**",
    ]
    assert table.iloc[10].tolist() == ["Reprise provisions", "—", "—", "—"]
    # The source leaves the reprise cell of « Total des produits » blank: shown blank.
    assert table.iloc[11].tolist()[1] == "—"
    assert table.iloc[11].tolist()[3] == f"**1{N}756{N}332{N}€**"


def test_income_markdown_keeps_bold_and_escapes_nothing_else(produits):
    text = tables.markdown(
        resources.income_frame(produits),
        title="Produits 2019",
        source="s",
        formats=resources.INCOME_FORMATS,
    )
    assert "| **Total des produits** " in text
    assert "Autres organismes (Pôle Emploi, FASST, ...)" in text
    assert r"\*\*" not in text


def test_funder_shares_sorted_with_computed_shares(produits):
    shares = resources.funder_shares(produits)
    assert len(shares) == 6
    assert shares["total_2019_eur"].is_monotonic_decreasing
    assert shares.iloc[0]["financeur"] == "Etat"
    # 853 591 / 1 637 478 = 52,13 % (checked by hand)
    assert shares.iloc[0]["part_pct"] == pytest.approx(52.128, abs=0.001)
    assert shares["part_pct"].sum() == pytest.approx(100)
    assert shares.iloc[0]["etiquette"] == f"853{N}591{N}€ (52,1{N}%)"
    assert shares.iloc[-1]["financeur"].startswith("Autres organismes")
    assert shares.iloc[-1]["etiquette"] == f"102{N}447{N}€ (6,3{N}%)"  # 102 447 / 1 637 478


def test_funder_shares_follow_the_data(produits):
    changed = changed_income(produits, subvention_2019_eur=805004.0, total_2019_eur=953591.0)
    shares = resources.funder_shares(changed)
    # 953 591 / (1 637 478 + 100 000) = 54,88 %
    assert shares.iloc[0]["part_pct"] == pytest.approx(54.883, abs=0.001)
    note = resources.funders_sum_note(changed)
    assert f"1{N}737{N}478{N}€" in note and "différente du « Total subventions »" in note
    assert "annexe B" in note


def test_funders_sum_note_and_sentence(produits):
    assert "égale au « Total subventions » imprimé" in resources.funders_sum_note(produits)
    sentence = resources.main_funder_sentence(produits).markdown
    assert sentence.startswith("Le premier financeur est « Etat »")
    assert f"52,1{N}%" in sentence
    assert f"853{N}591{N}€ ÷ 1{N}637{N}478{N}€" in sentence


def test_funder_chart_is_sorted_labelled_and_described(produits):
    shares = resources.funder_shares(produits)
    chart = resources.funder_chart(shares)
    spec = charts.chart_spec(chart)
    assert len(spec["layer"]) == 2
    y = spec["layer"][0]["encoding"]["y"]
    assert y["sort"] == shares["financeur"].tolist()
    bundle, meta = charts.mimebundle(
        chart,
        title="t",
        source="s",
        alt=resources.funder_chart_alt(shares),
        data=resources.funder_chart_data(shares),
    )
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", bundle["image/svg+xml"])
    assert f"853{N}591{N}€ (52,1{N}%)" in texts
    assert f"1{N}000{N}000" in texts  # French axis labels
    alt = meta["pa"]["alt"]
    assert all(name in alt for name in shares["financeur"])
    assert f"52,1{N}%" in alt
    assert "Données du graphique" in bundle["text/html"]
    assert "Part des financeurs (calculée)" in bundle["text/html"]


def test_no_funder_row_is_an_error(produits):
    others = produits[produits["type_ligne"] != "financeur"]
    with pytest.raises(ValueError, match="financeur"):
        resources.funder_shares(others)


# --- governance ------------------------------------------------------------------------------


def test_colleges_table_and_sentence():
    colleges = load("colleges")
    table = resources.colleges_frame(colleges)
    assert table["Collège"].tolist()[0] == "Collège des élus"
    assert table["Voix"].tolist() == ["délibératif", "consultatif", "délibératif", "délibératif"]
    sentence = resources.colleges_sentence(colleges).markdown
    assert f"4 collèges{N}: 3 à voix délibérative et 1 à voix consultative" in sentence


# --- what the notebook displays -------------------------------------------------------------


def test_income_table_keeps_bold_totals_and_its_note(produits):
    table = resources.income_table(produits)
    bundle, meta = table._repr_mimebundle_()
    text = bundle["text/markdown"]
    assert "| **Total des produits** " in text and r"\*\*" not in text
    assert ": Produits 2019 (en euros) {#tbl-produits-2019}" in text
    assert meta["pa"]["label"] == "tbl-produits-2019"
    assert meta["pa"]["note"].startswith("lignes et colonnes telles qu'imprimées")


def test_funders_figure_follows_the_data(produits):
    changed = changed_income(produits, subvention_2019_eur=805004.0, total_2019_eur=953591.0)
    bundle, meta = resources.funders_figure(changed)._repr_mimebundle_()
    assert meta["pa"]["kind"] == "chart"
    assert meta["pa"]["source"].endswith("; parts calculées")
    assert f"953{N}591{N}€ (54,9{N}%)" in re.findall(
        r"<text[^>]*>([^<]*)</text>", bundle["image/svg+xml"]
    )


def test_staff_and_colleges_tables_carry_their_labels(chiffres):
    staff = resources.staff_table(chiffres)
    assert staff.label == "tbl-salaries" and staff.frame.equals(resources.staff_frame(chiffres))
    assert "environ 20" in staff.markdown
    colleges = resources.colleges_table(load("colleges"))
    assert colleges._repr_mimebundle_()[1]["pa"]["label"] == "tbl-colleges"
    sentence = resources.staff_sentence(chiffres).markdown
    assert "comptabilisait 23 salariés" in sentence.replace(N, " ")


def test_the_staff_sentence_names_the_organisation_of_the_data(tmp_path, chiffres):
    assert resources.staff_sentence(chiffres).markdown.startswith(
        "En 2019, la Mission Locale de Moulins comptabilisait 23"
    )
    folder = tmp_path / "data" / "association"
    folder.mkdir(parents=True)
    for name in ("identite.yaml", "identite.resource.yaml"):
        shutil.copyfile(data_dir() / "association" / name, folder / name)
    identite = folder / "identite.yaml"
    text = identite.read_text(encoding="utf-8")
    identite.write_text(
        text.replace(
            "nom_court: Mission Locale de Moulins", "nom_court: Mission *Locale* de Vichy"
        ),
        encoding="utf-8",
    )
    sentence = resources.staff_sentence(chiffres, tmp_path / "data").markdown
    assert sentence.startswith(r"En 2019, la Mission \*Locale\* de Vichy comptabilisait 23")


def test_row_kinds_and_voices_are_the_data_values(produits):
    assert set(produits["type_ligne"]) >= {resources.IncomeLine.FUNDER, resources.IncomeLine.TOTAL}
    assert set(load("colleges")["voix"]) == set(resources.Voice)
