"""chapters/completeness.py and notebooks/completude.ipynb: the checklist as the report shows it."""

from __future__ import annotations

import nbformat
import papermill
import pytest
from notebook_support import check_contract, check_conventions, copy_of_data, outputs

from projet_associatif.chapters import completeness
from projet_associatif.core.paths import data_dir, notebooks_dir
from projet_associatif.data.completeness import Completeness


@pytest.fixture(scope="module")
def incomplete(tmp_path_factory):
    """A copy of data/ with one table emptied, one document removed, one figure stale."""
    data = copy_of_data(tmp_path_factory.mktemp("incomplet"))
    produits = data / "association" / "produits_2019.csv"
    produits.write_text(produits.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    (data / "valeurs" / "charte.yaml").unlink()
    descriptor = data / "contexte" / "taux_chomage.resource.yaml"
    with descriptor.open("a", encoding="utf-8") as handle:
        handle.write("actualisation:\n  statut: à actualiser\n  edition: 2026\n")
    kept = data / "contexte" / "taux_pauvrete.resource.yaml"
    with kept.open("a", encoding="utf-8") as handle:
        handle.write(
            "actualisation:\n  statut: conservé\n  edition: 2026\n  motif: pas de millésime plus récent\n"
        )
    return data


def test_the_checklist_gives_each_resource_its_state(incomplete):
    items = {i.name: i for i in completeness.checklist(incomplete)}
    assert items["produits_2019"].state == Completeness.TO_COMPLETE
    assert items["produits_2019"].file.endswith("association/produits_2019.csv")
    assert items["produits_2019"].todo.startswith("remplir le fichier : ")
    assert items["charte"].state == Completeness.TO_COMPLETE
    assert items["taux_chomage"].state == Completeness.TO_UPDATE
    assert items["taux_pauvrete"].state == Completeness.KEPT
    assert "pas de millésime plus récent" in items["taux_pauvrete"].todo
    assert items["valeurs"].state == Completeness.FILLED
    number = completeness.counts(list(items.values()))
    assert number[Completeness.TO_COMPLETE] == 2 and number[Completeness.TO_UPDATE] == 1


def test_the_summary_counts_and_says_when_all_is_complete(incomplete):
    text = str(completeness.summary(completeness.checklist(incomplete)))
    assert "2\u00a0à compléter" in text and "1\u00a0à actualiser" in text
    assert "1\u00a0conservée" in text
    complete = str(completeness.summary(completeness.checklist(data_dir())))
    assert "il ne reste rien à compléter" in complete
    assert str(completeness.remaining_table(completeness.checklist(data_dir()))).startswith(
        "Aucune ressource"
    )


def test_the_notebook_shows_what_remains_with_the_files(incomplete, tmp_path):
    check_conventions("completude")
    out = tmp_path / "completude.ipynb"
    papermill.execute_notebook(
        str(notebooks_dir() / "completude.ipynb"), str(out),
        parameters={"data_dir": str(incomplete)}, kernel_name="python3",
        cwd=str(tmp_path), progress_bar=False,
    )  # fmt: skip
    nb = nbformat.read(out, as_version=4)
    assert check_contract(nb).count("table") == 2
    tables = {
        o["metadata"]["pa"]["title"]: o["data"]["text/markdown"]
        for o in outputs(nb)
        if o.get("metadata", {}).get("pa", {}).get("kind") == "table"
    }
    remaining = tables["Ce qui reste à compléter ou à actualiser"]
    assert "produits\\_2019.csv" in remaining and "charte.yaml" in remaining
    assert "taux\\_chomage.csv" in remaining and "taux\\_pauvrete" not in remaining
    assert "taux\\_pauvrete" in tables["Ressources remplies"]
    assert "produits\\_2019" not in tables["Ressources remplies"]
