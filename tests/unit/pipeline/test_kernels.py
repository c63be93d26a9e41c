"""Warm kernels: a notebook run after others in one kernel gives what a fresh kernel gives.

Same executed notebook (byte for byte), same recorded reads (so the build cache stays
exact), no state carried over: names, execution counter, modules, working directory,
warnings. A kernel that dies is replaced.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from notebook_support import write_notebook as notebook

from projet_associatif.core.paths import data_dir, notebooks_dir, project_root
from projet_associatif.data.cache import IGNORED_DIRS, PACKAGE_DIR, kernel_arguments, read_log
from projet_associatif.pipeline.execute import KERNEL_NAME, ExecutionError, execute_notebook
from projet_associatif.pipeline.kernels import WarmKernel

pytestmark = pytest.mark.slow


def printed(path: Path) -> list[str]:
    """Return the printed text of each code cell, in order."""
    nb = nbformat.read(path, as_version=4)
    return [
        "".join(o.get("text", "") for o in c.get("outputs", []))
        for c in nb.cells
        if c.cell_type == "code"
    ]


def without_output_path(path: Path) -> dict:
    """Return the executed notebook as JSON, minus the one field naming where it was written."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    nb["metadata"]["papermill"].pop("output_path")
    return nb


@pytest.fixture
def roots():
    root = project_root()
    return [root, data_dir(), PACKAGE_DIR], [root / name for name in IGNORED_DIRS]


def test_real_chapter_after_another_equals_a_fresh_run(tmp_path, roots):
    """03-4 then a1 in one kernel: a1's notebook and reads equal a1 run alone."""
    read_roots, exclude = roots
    parameters = {"data_dir": str(data_dir()), "profile": "projet-2020", "as_of": "", "suivi": ""}
    first, second = (
        notebooks_dir() / f"{n}.ipynb" for n in ("03-4-public-activite", "a1-fiches-action")
    )
    warm = WarmKernel(KERNEL_NAME, read_roots, exclude)
    try:
        for source in (first, second):
            execute_notebook(
                source, tmp_path / "chaud" / source.name, parameters,
                failed_dir=tmp_path / "echecs", kernel=warm,
                read_log=tmp_path / "chaud" / f"{source.stem}.reads",
            )  # fmt: skip
    finally:
        warm.shutdown()
    fresh_log = tmp_path / "frais" / f"{second.stem}.reads"
    fresh_log.parent.mkdir()
    execute_notebook(
        second, tmp_path / "frais" / second.name, parameters,
        failed_dir=tmp_path / "echecs", kernel_args=kernel_arguments(fresh_log, read_roots, exclude),
    )  # fmt: skip

    assert without_output_path(tmp_path / "chaud" / second.name) == without_output_path(
        tmp_path / "frais" / second.name
    )
    warm_reads = read_log(tmp_path / "chaud" / f"{second.stem}.reads")
    assert set(warm_reads) == set(read_log(fresh_log))
    # The second notebook re-imports what the first had imported, and re-reads shared data.
    assert PACKAGE_DIR / "data" / "package.py" in warm_reads
    assert any(p.suffix == ".csv" for p in warm_reads)


def test_nothing_carries_over_from_one_notebook_to_the_next(tmp_path):
    root = tmp_path / "projet"
    data = root / "data" / "valeur.txt"
    data.parent.mkdir(parents=True)
    data.write_text("42")
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    first = notebook(
        root / "notebooks" / "01-premier.ipynb",
        "reste = 'du premier'",
        f"import os, warnings\nos.chdir({str(elsewhere)!r})\n"
        "warnings.warn('une fois', UserWarning)",
        f"import projet_associatif.core.formatting\nopen({str(data)!r}).read()",
    )
    second = notebook(
        root / "notebooks" / "02-second.ipynb",
        "print('reste' in globals(), 'projet_associatif.core.formatting' in __import__('sys').modules)",
        "import os\nprint(os.getcwd())",
        "import warnings\nwarnings.warn('une fois', UserWarning)",
        f"from projet_associatif.core import formatting\nprint(open({str(data)!r}).read())",
    )
    warm = WarmKernel(KERNEL_NAME, [root, PACKAGE_DIR], [root / "build"])
    try:
        for source in (first, second):
            execute_notebook(
                source, root / "build" / source.name, {}, failed_dir=tmp_path / "echecs",
                kernel=warm, read_log=tmp_path / f"{source.stem}.reads",
            )  # fmt: skip
    finally:
        warm.shutdown()

    out = root / "build" / second.name
    texts = printed(out)
    assert texts[1] == "False False\n"  # no parameters given: nothing injected after cell 0
    assert texts[2].strip() == str(second.parent)
    nb = nbformat.read(out, as_version=4)
    streams = [o for o in nb.cells[3].outputs if o.get("name") == "stderr"]
    assert streams and "une fois" in streams[0]["text"]  # the warning is shown again
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3, 4, 5]
    reads = read_log(tmp_path / "02-second.reads")
    assert data in reads and PACKAGE_DIR / "core" / "formatting.py" in reads
    assert tmp_path / "01-premier.reads" not in reads


def test_a_dead_kernel_is_replaced(tmp_path):
    dies = notebook(tmp_path / "notebooks" / "01-meurt.ipynb", "import os\nos._exit(3)")
    lives = notebook(tmp_path / "notebooks" / "02-vit.ipynb", "print('vivant')")
    warm = WarmKernel(KERNEL_NAME, [tmp_path], [])
    try:
        with pytest.raises(ExecutionError, match="01-meurt.ipynb n'a pas pu être exécuté"):
            execute_notebook(
                dies, tmp_path / "build" / dies.name, {}, failed_dir=tmp_path / "echecs",
                kernel=warm, read_log=tmp_path / "meurt.reads",
            )  # fmt: skip
        assert warm.km is None
        execute_notebook(
            lives, tmp_path / "build" / lives.name, {}, failed_dir=tmp_path / "echecs",
            kernel=warm, read_log=tmp_path / "vit.reads",
        )  # fmt: skip
    finally:
        warm.shutdown()
    assert printed(tmp_path / "build" / lives.name)[-1] == "vivant\n"


def test_papermill_loads_while_the_kernel_boots(tmp_path):
    """``while_booting`` runs once the kernel process is launched, before it answers."""
    warm = WarmKernel(KERNEL_NAME, [tmp_path], [])
    seen = []
    try:
        warm.start(tmp_path, while_booting=lambda: seen.append((warm.km is not None, warm.kc)))
        assert seen == [(True, None)]  # launched, no client yet
        assert warm.kc is not None
    finally:
        warm.shutdown()


def test_the_kernel_module_imports_neither_papermill_nor_its_engine():
    """No cycle and no start-up cost: kernels does not import kernel_engine (papermill)."""
    code = (
        "import sys, projet_associatif.pipeline.kernels\n"
        "print(sorted(m for m in ('papermill', 'projet_associatif.pipeline.kernel_engine')"
        " if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr
