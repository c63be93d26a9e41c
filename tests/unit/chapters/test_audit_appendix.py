"""Annex B: the audit's findings shown as they are, numbered, with both values' origins."""

import pytest

from projet_associatif.analysis import audit, audit_findings
from projet_associatif.chapters import audit_appendix as appendix
from projet_associatif.core.formatting import MINUS, NBSP
from projet_associatif.present.blocks import Table, Text

N = NBSP


# --- the audit annex -------------------------------------------------------------------------


def finding(id_, stated, computed, **kwargs):
    return audit_findings.compare(
        id_,
        "test",
        f"contrôle {id_}",
        stated,
        computed,
        stated_source="d",
        computed_source="c",
        **kwargs,
    )


@pytest.fixture
def findings():
    return [
        finding("a", 4, 4),
        finding("b", 127, 126),
        finding("c", 100, 101, rounding=3),
        finding("d", 1756332, None),
        finding("e", 15704, 15703.4, tolerance=170.7),
    ]


def test_status_counts(findings):
    counts = appendix.status_counts(findings).set_index("Statut")["Contrôles"]
    assert counts.to_dict() == {
        "écart": 1,
        "arrondi": 1,
        "information": 1,
        "conforme": 2,
        "Total": 5,
    }


def test_summary_sentence_counts_and_says_nothing_was_corrected(findings):
    text = str(appendix.summary(findings))
    assert text.startswith(
        f"L'audit compte 5 contrôles{N}: 1 écart, 1 écart d'arrondi, 1 information et "
        "2 contrôles conformes."
    )
    assert "Aucun chiffre du document source n'a été corrigé" in text


@pytest.mark.parametrize(
    ("text", "value", "gap"),
    [
        ("1756332", f"1{N}756{N}332", f"+1{N}756{N}332"),
        ("-1", f"{MINUS}1", f"{MINUS}1"),
        ("0.4", "0,4", "+0,4"),
        ("1.055e-15", "0", "0"),
        ("0.1667", "0,167", "+0,167"),
        ("", "—", "—"),
        ("VIS MA VIE", "VIS MA VIE", "VIS MA VIE"),
    ],
)
def test_audit_values_in_french(text, value, gap):
    assert appendix.audit_value(text) == value
    assert appendix.audit_gap(text) == gap


def test_findings_table_shows_both_values_numbered(findings):
    table = appendix.findings_table(findings, "écart")
    assert list(table.columns) == [
        "N°",
        "Contrôle",
        "Déclaré",
        "Calculé",
        "Écart (calculé − déclaré)",
    ]
    assert table.iloc[0].tolist() == ["E1", "contrôle b (test)", "127", "126", f"{MINUS}1"]
    conformes = appendix.findings_table(findings, "conforme")
    assert conformes["N°"].tolist() == ["C1", "C2"]
    assert conformes["Contrôle"].tolist() == ["contrôle a (test)", "contrôle e (test)"]
    with pytest.raises(ValueError):
        appendix.findings_table(findings, "faux")


def test_findings_origins_follow_the_table_numbers(findings):
    text = appendix.findings_origins_markdown(findings, "information")
    assert text == (
        f"- **I1** — Valeur déclarée{N}: d. Valeur calculée{N}: c. Commentaire{N}: valeur "
        "absente de la source : comparaison impossible.\n"
    )
    conformes = appendix.findings_origins_markdown(findings, "conforme").splitlines()
    assert [line.split("**")[1] for line in conformes] == ["C1", "C2"]
    assert "Commentaire" not in conformes[0]


def test_the_real_audit_finds_the_127_communes():
    findings = audit.run_audit()
    table = appendix.findings_table(findings, "écart")
    row = table[table["Contrôle"].str.startswith("nombre de communes de la zone")].iloc[0]
    origins = appendix.findings_origins_markdown(findings, "écart")
    assert f"**{row['N°']}** — Valeur déclarée" in origins and "127 communes" in origins
    assert (row["Déclaré"], row["Calculé"]) == ("127", "126")


def test_findings_of_status_align_numbers_right_and_words_left(findings):
    table, origins = appendix.findings_of_status(findings, audit_findings.AuditStatus.DISCREPANCY)
    assert isinstance(table, Table) and isinstance(origins, Text)
    bundle, metadata = table._repr_mimebundle_()
    text = bundle["text/markdown"]
    assert f"Source{N}:" in text
    assert "liste qui suit" in text
    assert metadata["pa"]["label"] == "tbl-audit-ecart"
    header_rule = text.splitlines()[1]
    assert header_rule.split("|")[3].strip().endswith(":")  # Déclaré: right-aligned
    assert origins.markdown.startswith("- **E1** — Valeur déclarée")
    texts = [
        audit_findings.note(
            "t",
            "libellé",
            "titre",
            "VIS MA VIE",
            "VIS MA VIE EN ML",
            stated_source="d",
            computed_source="c",
            comment="x",
        ),
    ]
    table, _ = appendix.findings_of_status(texts, "information")
    rule = table.markdown.splitlines()[1]
    assert rule.split("|")[3].strip().startswith(":")  # words: left-aligned
    (sentence,) = appendix.findings_of_status(texts, "écart")
    assert isinstance(sentence, Text) and "Aucun contrôle" in sentence.markdown


def test_status_meanings_come_from_the_editable_text(findings, monkeypatch):
    meanings = appendix.status_counts(findings).set_index("Statut")["Signification"]
    assert meanings["écart"].endswith("incohérence du document source")
    monkeypatch.setattr(
        appendix, "texts", lambda name: {s: f"sens {s}" for s in audit_findings.STATUSES}
    )
    assert appendix.status_counts(findings).iloc[0]["Signification"] == "sens écart"
    monkeypatch.setattr(appendix, "texts", lambda name: {"écart": "x"})
    with pytest.raises(ValueError, match="sans signification"):
        appendix.status_counts(findings)


def test_status_counts_table_is_labelled_for_cross_references(findings):
    table = appendix.status_counts_table(findings)
    assert table._repr_mimebundle_()[1]["pa"]["label"] == "tbl-audit-statuts"
    assert table.frame.iloc[-1].tolist() == ["Total", "", 5]


def test_summary_names_the_checks_that_lacked_data(findings):
    from projet_associatif.analysis.audit_findings import AuditResult

    assert "Faute de données" not in str(appendix.summary(findings))
    result = AuditResult(findings)
    result.skipped.append("produits 2019 (data/association/produits_2019.csv à compléter)")
    text = str(appendix.summary(result))
    assert text.startswith(str(appendix.summary(findings)))
    assert f"1 groupe de contrôles n'a pas pu être exécuté{N}: produits 2019" in text
    assert "produits\\_2019.csv" in text  # a file name is text, not markup
