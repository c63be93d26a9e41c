"""Notebook execution: the venv's kernel, French failures naming the cell, cwd, read log."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
from notebook_support import write_notebook as notebook

from projet_associatif.data.cache import kernel_arguments, read_log
from projet_associatif.pipeline.execute import (
    KERNEL_NAME,
    ExecutionError,
    NotebookFailure,
    check_kernel,
    execute_notebook,
)
from projet_associatif.pipeline.progress import format_seconds


def printed(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_python3_kernel_is_this_environment():
    from jupyter_client.manager import KernelManager

    check_kernel()
    manager = KernelManager(kernel_name=KERNEL_NAME)
    assert manager.format_kernel_cmd()[0] == sys.executable


def test_format_seconds_is_french():
    assert format_seconds(42.34) == "42,3 s"


@pytest.mark.slow
def test_failure_names_the_notebook_and_the_cell(tmp_path):
    source = notebook(
        tmp_path / "notebooks" / "03-essai.ipynb",
        "total = 1 + 1",
        "# diviser pour voir\nratio = total / 0",
        "print('jamais atteint')",
        markdown_first=True,
    )
    output = tmp_path / "build" / "notebooks" / "03-essai.ipynb"
    failed = tmp_path / "build" / "failed"
    with pytest.raises(NotebookFailure) as caught:
        execute_notebook(source, output, {"profile": "bilan-final"}, failed_dir=failed)
    failure = caught.value
    # Source cells: 1 parameters, 2 Markdown, 3 total, 4 ratio (papermill adds one at run time).
    assert failure.cell_number == 4
    assert failure.first_line == "# diviser pour voir"
    assert failure.ename == "ZeroDivisionError"
    message = str(failure)
    assert "03-essai.ipynb a échoué à la cellule n° 4" in message
    assert "ZeroDivisionError : division by zero" in message
    assert "Traceback" not in message
    assert not output.exists()
    kept = failed / "03-essai.ipynb"
    assert kept.is_file() and "Notebook exécuté conservé pour inspection" in message
    errors = [
        o for c in nbformat.read(kept, as_version=4).cells for o in c.get("outputs", [])
        if o.get("output_type") == "error"
    ]  # fmt: skip
    assert errors and errors[0]["ename"] == "ZeroDivisionError"


@pytest.mark.slow
def test_data_errors_reach_the_message_in_french(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    source = notebook(
        tmp_path / "notebooks" / "01-donnees.ipynb",
        "from projet_associatif.data.package import load\nload('inexistante', data_dir)",
    )
    with pytest.raises(NotebookFailure, match="Ressource inconnue « inexistante »"):
        execute_notebook(
            source, tmp_path / "out.ipynb", {"data_dir": str(data)}, failed_dir=tmp_path / "f"
        )


@pytest.mark.slow
def test_kernel_runs_in_the_notebook_directory_whatever_the_callers_cwd(tmp_path, monkeypatch):
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    source = notebook(tmp_path / "notebooks" / "01-cwd.ipynb", "import os\nprint(os.getcwd())")
    output = tmp_path / "build" / "01-cwd.ipynb"
    execute_notebook(source, output, {}, failed_dir=tmp_path / "failed")
    assert printed(output).strip() == str(source.parent)
    assert Path.cwd() == elsewhere


@pytest.mark.slow
def test_executed_notebook_is_reproducible_and_parameterised(tmp_path):
    source = notebook(tmp_path / "notebooks" / "01-p.ipynb", "print(profile, as_of)")
    output = tmp_path / "build" / "01-p.ipynb"
    parameters = {"profile": "bilan-intermediaire", "as_of": "2022-03-01"}
    execute_notebook(source, output, parameters, failed_dir=tmp_path / "failed")
    first = output.read_bytes()
    assert "bilan-intermediaire 2022-03-01" in printed(output)
    execute_notebook(source, output, parameters, failed_dir=tmp_path / "failed")
    assert output.read_bytes() == first


@pytest.mark.slow
def test_kernel_records_files_read_under_the_roots_only(tmp_path):
    root = tmp_path / "projet"
    inside = root / "data" / "lu.txt"
    inside.parent.mkdir(parents=True)
    inside.write_text("contenu")
    outside = tmp_path / "dehors.txt"
    outside.write_text("ailleurs")
    written = root / "data" / "ecrit.txt"
    source = notebook(
        root / "notebooks" / "01-lectures.ipynb",
        f"open({str(inside)!r}).read()\nopen({str(outside)!r}).read()\n"
        f"open({str(written)!r}, 'w').write('x')\n"
        "import os\nprint(os.environ.get('PROJET_ASSOCIATIF_READ_LOG'))",
    )
    log = tmp_path / "lectures.log"
    output = root / "build" / "01-lectures.ipynb"
    execute_notebook(
        source,
        output,
        {},
        failed_dir=tmp_path / "failed",
        kernel_args=kernel_arguments(log, [root], [root / "build"]),
    )
    assert read_log(log) == [inside]
    # datapackage.load also reports its reads through this variable, into the same log.
    assert printed(output).strip() == str(log)
    nb = nbformat.read(output, as_version=4)
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2]


def test_a_missing_kernel_is_explained(monkeypatch):
    from jupyter_client import kernelspec

    def missing(self, name):
        raise kernelspec.NoSuchKernel(name)

    monkeypatch.setattr(kernelspec.KernelSpecManager, "get_kernel_spec", missing)
    with pytest.raises(ExecutionError, match="ipykernel install --sys-prefix"):
        check_kernel()


def test_a_foreign_kernel_is_refused(monkeypatch, tmp_path):
    from jupyter_client import kernelspec

    foreign = kernelspec.KernelSpec(
        argv=["/opt/autre/bin/python", "-m", "ipykernel_launcher"], resource_dir=str(tmp_path)
    )
    monkeypatch.setattr(kernelspec.KernelSpecManager, "get_kernel_spec", lambda self, n: foreign)
    with pytest.raises(ExecutionError, match="pas l'interpréteur de cet environnement"):
        check_kernel()
    assert os.path.dirname(sys.executable) != "/opt/autre/bin"
