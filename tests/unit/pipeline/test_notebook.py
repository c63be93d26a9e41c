"""A notebook's setup(): parameters, and « À compléter » boxes instead of missing-data errors.

A cell that meets a table not filled in yet shows the box naming the file, and papermill goes
on with the next cell; any other exception still fails the notebook. In a warm kernel the
handler does not outlive the notebook that installed it.
"""

from __future__ import annotations

import nbformat
import pytest
from notebook_support import write_notebook as notebook

from projet_associatif.data.cache import PACKAGE_DIR
from projet_associatif.pipeline.execute import KERNEL_NAME, NotebookFailure, execute_notebook
from projet_associatif.pipeline.kernels import WarmKernel

pytestmark = pytest.mark.slow

SETUP = (
    "from IPython.display import display\n"
    "from projet_associatif.pipeline.notebook import setup\n"
    "ctx = setup(data_dir, profile, as_of, suivi)"
)


def outputs(path):
    """Return the outputs of each code cell of an executed notebook, in order."""
    nb = nbformat.read(path, as_version=4)
    return [c.get("outputs", []) for c in nb.cells if c.cell_type == "code"]


def run(source, out, kernel, tmp_path):
    execute_notebook(
        source, out / source.name, {}, failed_dir=tmp_path / "echecs",
        kernel=kernel, read_log=tmp_path / f"{source.stem}.reads",
    )  # fmt: skip


def test_missing_data_shows_a_box_and_the_notebook_goes_on(tmp_path):
    root = tmp_path / "projet"
    tolerant = notebook(
        root / "notebooks" / "01-incomplet.ipynb",
        SETUP,
        # A chapter function given the placeholder load() returns for an empty table.
        "from projet_associatif.chapters import resources\n"
        "from projet_associatif.data.completeness import Missing\n"
        "display(resources.income_table(Missing('data/ressources/produits.csv')))\n"
        "print('jamais')",
        "from projet_associatif.core.errors import MissingData\n"
        "raise MissingData('report/textes/contexte.yaml', 'le texte du contexte')",
        "print('suite')",
        # A name the failed cell meant to assign stands for the gap: the next cell shows the box.
        "tableau = resources.income_table(Missing('data/ressources/produits.csv'))",
        "display(tableau)",
    )
    strict = notebook(
        root / "notebooks" / "02-sans-setup.ipynb",
        "from projet_associatif.core.errors import MissingData\nraise MissingData('data/x.csv')",
    )
    broken = notebook(root / "notebooks" / "03-erreur.ipynb", SETUP, "raise ValueError('vraie')")
    warm = WarmKernel(KERNEL_NAME, [root, PACKAGE_DIR], [root / "build"])
    try:
        run(tolerant, root / "build", warm, tmp_path)
        # The next notebook runs as in a fresh kernel: no handler, the error fails it.
        with pytest.raises(NotebookFailure):
            run(strict, root / "build", warm, tmp_path)
        with pytest.raises(NotebookFailure, match="vraie"):
            run(broken, root / "build", warm, tmp_path)
    finally:
        warm.shutdown()

    cells = outputs(root / "build" / tolerant.name)
    (placeholder,), (text,), (after,) = cells[2], cells[3], cells[4]
    for output in (placeholder, text):
        assert output["output_type"] == "display_data"
        assert output["data"]["text/markdown"].startswith("::: {.pa-a-completer")
        assert output["metadata"]["pa"]["kind"] == "a-completer"
    assert "data/ressources/produits.csv" in placeholder["data"]["text/markdown"]
    assert "report/textes/contexte.yaml" in text["data"]["text/markdown"]
    assert "le texte du contexte" in text["data"]["text/markdown"]
    assert after["text"] == "suite\n"
    assert cells[5][0]["data"]["text/markdown"] == placeholder["data"]["text/markdown"]
    assert cells[6][0]["data"]["text/markdown"] == placeholder["data"]["text/markdown"]
    assert not any(o["output_type"] == "error" for c in cells for o in c)


def test_outside_ipython_nothing_is_installed_and_load_stays_strict():
    from projet_associatif.data import completeness
    from projet_associatif.pipeline.notebook import show_missing_data_as_boxes

    assert show_missing_data_as_boxes() is False
    assert completeness.tolerant() is False


def test_only_the_names_a_cell_binds_stand_for_the_gap():
    from projet_associatif.core.errors import MissingData
    from projet_associatif.data.completeness import Missing
    from projet_associatif.pipeline.notebook import _stand_in_for_unassigned

    namespace = {"deja": 1}
    code = "a, (b, *c) = f()\nd: int = g()\nx[i] = 3\ndeja = h()\nprint(e)"
    _stand_in_for_unassigned(code, namespace, MissingData("data/x.csv", "x"))
    assert sorted(namespace) == ["a", "b", "c", "d", "deja"]
    assert namespace["deja"] == 1
    assert all(isinstance(namespace[n], Missing) for n in "abcd")
    with pytest.raises(MissingData, match="data/x.csv"):
        len(namespace["a"])
