"""Build orchestration: cache hits and misses, atomic publication, manifest, exit codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
from build_support import fake_render, make_project, run, tree_hashes
from notebook_support import write_notebook as notebook

from projet_associatif.config.profiles import add_months, resolve_as_of
from projet_associatif.core.errors import DataError
from projet_associatif.core.paths import ROOT_ENV, project_root
from projet_associatif.pipeline import build as build_module
from projet_associatif.pipeline.build import build_from_args
from projet_associatif.pipeline.plan import (
    FALLBACK_EPOCH,
    BuildError,
    chapter_notebooks,
    source_date_epoch,
)
from projet_associatif.pipeline.publication import publish, recover_interrupted_publish


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = make_project(tmp_path / "projet")
    monkeypatch.setenv(ROOT_ENV, str(root))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    project_root.cache_clear()
    # Rendering is not the subject here; the chapter list comes from the real book_config.
    monkeypatch.setattr(build_module, "_render", fake_render)
    yield root
    project_root.cache_clear()


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2020, 9, 1), 18) == dt.date(2022, 3, 1)
    assert add_months(dt.date(2020, 9, 1), 36) == dt.date(2023, 9, 1)
    assert add_months(dt.date(2021, 8, 31), 18) == dt.date(2023, 2, 28)


def test_notebooks_come_from_the_profile_chapters_and_appendices(project):
    notebooks = chapter_notebooks("projet-2020")
    assert notebooks == [
        project / "notebooks" / "01-mesures.ipynb",
        project / "notebooks" / "02-autres.ipynb",
    ]


def test_a_chapter_without_its_notebook_stops_the_build(project):
    (project / "notebooks" / "02-autres.ipynb").unlink()
    with pytest.raises(BuildError, match="introuvable.*notebooks/02-autres.ipynb"):
        run()


def test_profile_dates_come_from_the_project_start(project):
    data = project / "data"
    assert resolve_as_of("projet-2020", None, data) == dt.date(2020, 9, 1)
    assert resolve_as_of("bilan-intermediaire", None, data) == dt.date(2022, 3, 1)
    assert resolve_as_of("bilan-final", "", data) == dt.date(2023, 9, 1)
    assert resolve_as_of("bilan-final", "2024-01-15", data) == dt.date(2024, 1, 15)


def test_missing_start_date_is_a_french_data_error(project):
    for path in (project / "data" / "evaluation").iterdir():
        path.unlink()
    with pytest.raises(DataError, match="evaluation_cadre.*date_debut_projet"):
        resolve_as_of("bilan-final", None, project / "data")


@pytest.mark.slow
def test_cache_data_change_force_and_publication(project):
    first = run()
    assert sorted(first.executed) == ["01-mesures.ipynb", "02-autres.ipynb"]
    html = project / "_book" / "projet-2020" / "html" / "index.html"
    assert "total mesures 3 projet-2020 2020-09-01" in html.read_text()

    second = run()
    assert second.executed == []
    assert sorted(second.cached) == ["01-mesures.ipynb", "02-autres.ipynb"]

    csv = project / "data" / "a" / "mesures.csv"
    csv.write_text(csv.read_text().replace("y,2", "y,40"), encoding="utf-8")
    third = run()
    assert third.executed == ["01-mesures.ipynb"]
    assert third.cached == ["02-autres.ipynb"]
    assert "total mesures 41" in html.read_text()

    forced = run(force=True)
    assert sorted(forced.executed) == ["01-mesures.ipynb", "02-autres.ipynb"]
    assert not list((project / "_book").glob(".projet-2020.*")), "no directory left aside"


@pytest.mark.slow
def test_unchanged_build_does_not_render_again_unless_the_book_was_touched(project, monkeypatch):
    calls = []

    def counting(executed_dir, staging, **kwargs):
        calls.append(staging)
        return fake_render(executed_dir, staging, **kwargs)

    monkeypatch.setattr(build_module, "_render", counting)
    from projet_associatif.publish import notebooks as render_notebooks

    warmed = []
    monkeypatch.setattr(render_notebooks, "warm_up", lambda: warmed.append(1))
    first = run()
    assert warmed == [1]  # loaded while the notebooks ran
    run()
    assert len(calls) == 1
    assert warmed == [1], "nothing to run: the renderer is not loaded (no-op under a second)"
    pdf = first.outputs["pdf"]
    pdf.write_text("modifié à la main")
    again = run()
    assert len(calls) == 2 and again.executed == []
    assert pdf.read_text() != "modifié à la main"
    run(formats="html")
    assert len(calls) == 3, "other formats: render again"


@pytest.mark.slow
def test_the_kernels_are_told_the_project_the_build_found(project, monkeypatch):
    notebook(
        project / "notebooks" / "02-autres.ipynb", f"import os\nprint(os.environ[{ROOT_ENV!r}])"
    )
    monkeypatch.delenv(ROOT_ENV)
    monkeypatch.chdir(project / "data")  # found from the working directory, like git
    result = run(formats="html", notebooks_only=True)
    assert result.profile == "projet-2020"  # the default: the project's base document
    executed = project / "build" / "projet-2020" / "notebooks" / "02-autres.ipynb"
    assert str(project) in executed.read_text(encoding="utf-8")
    assert ROOT_ENV not in os.environ


@pytest.mark.slow
def test_parameters_are_part_of_the_key(project):
    run()
    other = run(as_of="2021-06-30")
    assert sorted(other.executed) == ["01-mesures.ipynb", "02-autres.ipynb"]
    executed = nbformat.read(other.executed_dir / "01-mesures.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells for o in c.get("outputs", []))
    assert "2021-06-30" in printed


@pytest.mark.slow
def test_notebooks_run_in_parallel(project):
    for name in ("01-mesures", "02-autres"):
        notebook(
            project / "notebooks" / f"{name}.ipynb",
            "import time\nstart = time.time()\ntime.sleep(2)\nprint(start, time.time())",
        )
    result = run(jobs=2, notebooks_only=True)
    spans = []
    for name in result.executed:
        nb = nbformat.read(result.executed_dir / name, as_version=4)
        spans.append(tuple(map(float, nb.cells[-1].outputs[0]["text"].split())))
    (a0, a1), (b0, b1) = spans
    assert a0 < b1 and b0 < a1, f"executions did not overlap: {spans}"


def break_data(root: Path) -> None:
    csv = root / "data" / "a" / "mesures.csv"
    csv.write_text("code,valeur\nx,1\ny,deux\n", encoding="utf-8")


def break_notebook(root: Path) -> None:
    notebook(root / "notebooks" / "02-autres.ipynb", "raise ValueError('valeur impossible')")


def break_renderer(root: Path, monkeypatch) -> None:
    def failing(executed_dir, staging, **kwargs):
        (staging / "html").mkdir(parents=True)
        (staging / "html" / "index.html").write_text("à moitié écrit")
        raise RuntimeError("typst a échoué")

    monkeypatch.setattr(build_module, "_render", failing)


def drop_a_format(root: Path, monkeypatch) -> None:
    def partial(executed_dir, staging, **kwargs):
        return {"html": fake_render(executed_dir, staging, **kwargs)["html"]}

    monkeypatch.setattr(build_module, "_render", partial)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("breakage", "error", "message"),
    [
        (break_data, DataError, "deux"),
        (break_notebook, BuildError, "02-autres.ipynb a échoué à la cellule n° 2"),
        (break_renderer, BuildError, "typst a échoué"),
        (drop_a_format, BuildError, "n'a pas produit : pdf"),
    ],
)
def test_failed_build_leaves_the_book_byte_identical(
    project, monkeypatch, breakage, error, message
):
    run()
    book = project / "_book" / "projet-2020"
    before = tree_hashes(book)
    assert before
    if breakage in (break_renderer, drop_a_format):
        breakage(project, monkeypatch)
    else:
        breakage(project)
    # A change that a successful build would publish: it must not appear.
    other = project / "data" / "b" / "autres.csv"
    other.write_text("code,valeur\nz,99\n", encoding="utf-8")
    with pytest.raises(error, match=message):
        run()
    assert tree_hashes(book) == before
    assert not list((project / "build" / "projet-2020").glob("staging-*"))


@pytest.mark.slow
def test_cli_reports_a_failing_notebook_in_french(project, capsys):
    break_notebook(project)
    args = types.SimpleNamespace(
        profile="projet-2020", as_of=None, formats="html", engine="pandoc", suivi=None,
        force=False, jobs=2, notebooks_only=False, data_dir=None, complete=False,
    )  # fmt: skip
    from rich.console import Console

    code = build_from_args(args, Console(file=sys.stdout, highlight=False))
    err = capsys.readouterr().err
    assert code == 1
    assert "notebooks/02-autres.ipynb a échoué à la cellule n° 2" in err
    assert "raise ValueError('valeur impossible')" in err
    assert "ValueError : valeur impossible" in err
    assert (project / "build" / "projet-2020" / "failed" / "02-autres.ipynb").is_file()
    assert not (project / "_book" / "projet-2020").exists()


def test_cli_stops_on_bad_data_with_exit_1(project, capsys):
    break_data(project)
    args = types.SimpleNamespace(
        profile="projet-2020", as_of=None, formats="html", engine="pandoc", suivi=None,
        force=False, jobs=1, notebooks_only=False, data_dir=None, complete=False,
    )  # fmt: skip
    from rich.console import Console

    assert build_from_args(args, Console(file=sys.stdout)) == 1
    err = capsys.readouterr().err
    assert "data/a/mesures.csv, ligne 3, colonne « valeur »" in err
    assert not (project / "build" / "projet-2020" / "notebooks").exists()


def test_cli_rejects_unknown_format_and_bad_date_with_exit_2(project, capsys):
    from rich.console import Console

    base = dict(
        profile="projet-2020", as_of=None, formats="html", engine="pandoc", suivi=None,
        force=False, jobs=1, notebooks_only=False, data_dir=None, complete=False,
    )  # fmt: skip
    assert build_from_args(types.SimpleNamespace(**{**base, "formats": "odt"}), Console()) == 2
    assert "Format(s) inconnu(s) : odt" in capsys.readouterr().err
    assert build_from_args(types.SimpleNamespace(**{**base, "as_of": "01/03/2022"}), Console()) == 2
    assert "AAAA-MM-JJ" in capsys.readouterr().err


NEWEST = 1_700_000_000  # 2023-11-14


@pytest.mark.slow
def test_manifest_lists_inputs_outputs_and_reads(project, monkeypatch):
    seen = {}

    def spying_render(executed_dir, staging, **kwargs):
        seen.update(kwargs["meta"])
        return fake_render(executed_dir, staging, **kwargs)

    monkeypatch.setattr(build_module, "_render", spying_render)
    for path in project.rglob("*"):
        if path.is_file():
            os.utime(path, (NEWEST - 86_400, NEWEST - 86_400))
    os.utime(project / "data" / "a" / "mesures.csv", (NEWEST, NEWEST))
    result = run()
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    inputs = {e["chemin"]: e["sha256"] for e in manifest["entrees"]}
    csv = project / "data" / "a" / "mesures.csv"
    assert inputs["data/a/mesures.csv"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert "notebooks/01-mesures.ipynb" in inputs
    outputs = {e["chemin"]: e["sha256"] for e in manifest["sorties"]}
    html = project / "_book" / "projet-2020" / "html" / "index.html"
    assert outputs["html/index.html"] == hashlib.sha256(html.read_bytes()).hexdigest()
    reads = {n["source"]: n["fichiers_lus"] for n in manifest["notebooks"]}
    assert "data/a/mesures.csv" in reads["notebooks/01-mesures.ipynb"]
    assert "data/b/autres.csv" not in reads["notebooks/01-mesures.ipynb"]
    assert manifest["outils"]["papermill"]
    assert manifest["formats_publies"] == {
        "html": "html/index.html",
        "pdf": "projet-associatif.pdf",
    }
    # No git repository in tmp_path: the newest input's modification time (set above),
    # passed to the renderer.
    assert manifest["source_date_epoch"] == NEWEST != FALLBACK_EPOCH
    assert "dernière modification des entrées" in manifest["origine_date"]
    assert seen["build_date"] == "2023-11-14"
    assert seen["manifest"]["entrees"] == manifest["entrees"]
    published = project / "_book" / "projet-2020" / "manifest.json"
    assert json.loads(published.read_text(encoding="utf-8")) == manifest


def test_the_organisation_comes_from_the_data_into_the_manifest_and_the_renderer(
    project, monkeypatch
):
    seen = {}

    def spying_render(executed_dir, staging, **kwargs):
        seen.update(kwargs["meta"])
        return fake_render(executed_dir, staging, **kwargs)

    path = project / "data" / "association" / "identite.yaml"
    text = path.read_text(encoding="utf-8")
    renamed = "Association <Essai> & *Cie* de l'Allier"
    path.write_text(
        text.replace("organisation: Mission Locale de Moulins et sa région",
                     f"organisation: \"{renamed}\""), encoding="utf-8",
    )  # fmt: skip
    monkeypatch.setattr(build_module, "_render", spying_render)
    result = run()
    manifest = json.loads(result.manifest_path.read_text(encoding="utf-8"))
    assert manifest["organisation"] == seen["organisation"] == renamed


def test_publish_replaces_the_whole_directory(tmp_path):
    target = tmp_path / "_book" / "p"
    (target / "ancien").mkdir(parents=True)
    (target / "ancien" / "page.html").write_text("ancien")
    staging = tmp_path / "build" / "staging-1"
    staging.mkdir(parents=True)
    (staging / "index.html").write_text("nouveau")
    publish(staging, target)
    assert tree_hashes(target) == {"index.html": hashlib.sha256(b"nouveau").hexdigest()}
    assert not staging.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["p"]


def _publication(root: Path, text: str) -> Path:
    """Write a small publication (two files, one in a subfolder) and return its folder."""
    (root / "html").mkdir(parents=True)
    (root / "html" / "index.html").write_text(text, encoding="utf-8")
    (root / "projet-associatif.pdf").write_bytes(text.encode("utf-8") * 3)
    return root


def _leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name != target.name)


@pytest.mark.parametrize("failing", ["mise de côté de l'ancien", "arrivée du nouveau"])
def test_a_failure_during_the_swap_leaves_the_old_report_byte_identical(
    tmp_path, monkeypatch, failing
):
    target = _publication(tmp_path / "_book" / "p", "ancien")
    staging = _publication(tmp_path / "build" / "staging-1", "nouveau")
    before = tree_hashes(target)
    real_rename = os.rename

    def rename(src, dst):
        moves_new_in = Path(src) == staging
        if (failing == "arrivée du nouveau") == moves_new_in:
            raise OSError(f"disque plein ({failing})")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(os, "replace", rename)
    with pytest.raises(OSError, match="disque plein"):
        publish(staging, target)
    assert tree_hashes(target) == before
    assert _leftovers(target) == []


def test_the_old_report_is_complete_somewhere_until_the_new_one_is_in_place(tmp_path, monkeypatch):
    # A crash may strike between any two file-system operations: at every one of them the
    # old publication must exist whole, at its place or set aside where recovery finds it.
    target = _publication(tmp_path / "_book" / "p", "ancien")
    staging = _publication(tmp_path / "build" / "staging-1", "nouveau")
    old, new = tree_hashes(target), tree_hashes(staging)
    steps = []

    def check(step: str) -> None:
        steps.append(step)
        if target.is_dir() and tree_hashes(target) == new:
            return
        asides = [target, *target.parent.glob(f".{target.name}.ancien-*")]
        assert any(a.is_dir() and tree_hashes(a) == old for a in asides), (
            f"ancienne publication introuvable avant/après : {step}"
        )

    def watched(name, function):
        def wrapper(path, *args, **kwargs):
            check(f"avant {name}({Path(path).name})")
            result = function(path, *args, **kwargs)
            check(f"après {name}({Path(path).name})")
            return result

        return wrapper

    for module, name in [(os, "rename"), (os, "replace"), (shutil, "rmtree"), (shutil, "move")]:
        monkeypatch.setattr(module, name, watched(name, getattr(module, name)))
    publish(staging, target)
    assert tree_hashes(target) == new
    assert _leftovers(target) == []
    assert len(steps) >= 4, steps  # the watch saw the swap itself


def _interrupt_between_the_two_renames(target: Path) -> Path:
    """Leave the state a crash between publish()'s two renames leaves: old aside, no target."""
    aside = target.parent / f".{target.name}.ancien-x1y2z3"
    os.rename(target, aside)
    nouveau = target.parent / f".{target.name}.nouveau-a1b2c3"
    shutil.copytree(aside, nouveau)  # and a new one copied next to it (cross-device publish)
    return aside


def test_an_interrupted_publish_is_recovered(tmp_path):
    target = _publication(tmp_path / "_book" / "p", "ancien")
    before = tree_hashes(target)
    _interrupt_between_the_two_renames(target)
    assert not target.exists()
    recover_interrupted_publish(target)
    assert tree_hashes(target) == before
    assert _leftovers(target) == []
    # Nothing to recover: the publication in place is left alone.
    recover_interrupted_publish(target)
    assert tree_hashes(target) == before


def test_recovery_restores_the_newest_aside_and_leaves_an_empty_book_alone(tmp_path):
    book = tmp_path / "_book"
    book.mkdir()
    target = book / "p"
    recover_interrupted_publish(target)  # nothing published yet, nothing aside
    assert list(book.iterdir()) == []
    # Two crashes in a row: the newest aside is the last good publication, whatever its name.
    older = _publication(book / ".p.ancien-zzz", "plus ancien")
    newer = _publication(book / ".p.ancien-aaa", "ancien")
    before = tree_hashes(newer)
    os.utime(older, (1_600_000_000, 1_600_000_000))
    os.utime(newer, (1_700_000_000, 1_700_000_000))
    recover_interrupted_publish(target)
    assert tree_hashes(target) == before
    assert _leftovers(target) == []


def test_publish_into_a_new_book_folder(tmp_path, monkeypatch):
    target = tmp_path / "nouveau-depot" / "_book" / "p"
    staging = _publication(tmp_path / "build" / "staging-1", "nouveau")
    new = tree_hashes(staging)
    real_rename = os.rename

    def rename(src, dst):
        if Path(src) == staging:
            raise OSError("plein")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="plein"):  # the first publication fails: nothing appears
        publish(staging, target)
    assert not target.exists() and _leftovers(target) == []
    monkeypatch.setattr(os, "rename", real_rename)
    publish(staging, target)
    assert tree_hashes(target) == new
    assert _leftovers(target) == []


class OtherDevice:
    """A stat result whose device number differs from the real one."""

    def __init__(self, result: os.stat_result):
        self._result = result

    @property
    def st_dev(self) -> int:
        return self._result.st_dev + 1

    def __getattr__(self, name: str):
        return getattr(self._result, name)


def test_publish_across_file_systems_copies_next_to_the_target_first(tmp_path, monkeypatch):
    target = _publication(tmp_path / "_book" / "p", "ancien")
    staging = _publication(tmp_path / "build" / "staging-1", "nouveau")
    new = tree_hashes(staging)
    real_stat, real_rename = os.stat, os.rename

    def stat(path, *args, **kwargs):
        # The build folder on another device than _book/ (e.g. a tmpfs build/).
        result = real_stat(path, *args, **kwargs)
        return OtherDevice(result) if Path(path) == staging else result

    moved_in = []

    def rename(src, dst):
        if Path(dst) == target:
            moved_in.append(Path(src))
        return real_rename(src, dst)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "rename", rename)
    publish(staging, target)
    assert tree_hashes(target) == new
    assert not staging.exists()
    assert _leftovers(target) == []
    # The new publication came in by one rename, from a copy beside the target.
    [source] = moved_in
    assert source.parent == target.parent and source.name.startswith(".p.nouveau-")


def test_a_leftover_that_cannot_be_deleted_fails_neither_publish_nor_recovery(
    tmp_path, monkeypatch
):
    target = _publication(tmp_path / "_book" / "p", "ancien")
    (target / "verrouille.txt").write_text("ouvert ailleurs", encoding="utf-8")
    staging = _publication(tmp_path / "build" / "staging-1", "nouveau")
    new = tree_hashes(staging)
    real_unlink = os.unlink

    def unlink(path, *args, **kwargs):
        if os.fspath(path).endswith("verrouille.txt"):
            raise PermissionError("fichier verrouillé")
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", unlink)
    publish(staging, target)  # the old one could not be fully deleted: still published
    assert tree_hashes(target) == new
    [aside] = _leftovers(target)
    recover_interrupted_publish(target)  # tries again, and does not fail either
    assert tree_hashes(target) == new
    monkeypatch.setattr(os, "unlink", real_unlink)
    recover_interrupted_publish(target)
    assert _leftovers(target) == []


@pytest.mark.slow
@pytest.mark.parametrize("next_build", ["échoue", "réussit"])
def test_the_next_build_recovers_an_interrupted_publish(project, monkeypatch, next_build):
    run()
    book = project / "_book" / "projet-2020"
    before = tree_hashes(book)
    _interrupt_between_the_two_renames(book)
    (project / "data" / "b" / "autres.csv").write_text("code,valeur\nz,99\n", encoding="utf-8")
    if next_build == "échoue":
        break_renderer(project, monkeypatch)
        with pytest.raises(BuildError, match="typst a échoué"):
            run()
        assert tree_hashes(book) == before
    else:
        run()
        assert "total autres 99" in (book / "html" / "index.html").read_text(encoding="utf-8")
    assert _leftovers(book) == []


def test_source_date_epoch_comes_from_the_environment_then_git_then_2020(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert source_date_epoch(tmp_path, [])[0] == 1700000000
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "hier")  # not a number of seconds: ignored
    epoch, origin = source_date_epoch(tmp_path, [])
    # Outside git, the fixed date the docs promise: 1 January 2020, midnight UTC.
    assert dt.datetime.fromtimestamp(epoch, tz=dt.UTC) == dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    assert "2020-01-01" in origin
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    # In git, the date of the last commit that touched an input, not of later commits.
    repo = tmp_path / "depot"
    repo.mkdir()
    (repo / "entree.csv").write_text("a\n1\n", encoding="utf-8")
    (repo / "autre.txt").write_text("x\n", encoding="utf-8")

    def git(*args: str, date: str = "") -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        identity = ["-c", "user.name=Test", "-c", "user.email=test@example.org"]
        subprocess.run(
            ["git", "-C", str(repo), *identity, *args], check=True, env=env, capture_output=True
        )

    git("init", "-q")
    git("add", "entree.csv")
    git("commit", "-q", "-m", "entrée", date="2021-05-06T07:08:09Z")
    git("add", "autre.txt")
    git("commit", "-q", "-m", "autre", date="2022-01-01T00:00:00Z")
    epoch, origin = source_date_epoch(repo, [repo / "entree.csv"])
    assert dt.datetime.fromtimestamp(epoch, tz=dt.UTC) == dt.datetime(
        2021, 5, 6, 7, 8, 9, tzinfo=dt.UTC
    )
    assert origin == "date du dernier commit git des entrées"


def test_build_complet_refuses_incomplete_data_before_any_notebook(project, capsys):
    from rich.console import Console

    from projet_associatif.pipeline.checks import validate_data

    (project / "data" / "a" / "mesures.csv").write_text("code,valeur\n", encoding="utf-8")
    console = Console(file=sys.stdout, highlight=False)
    validate_data(project / "data", console)  # the default build accepts it
    assert "dont 1 à compléter" in capsys.readouterr().out
    with pytest.raises(DataError) as caught:
        run(profile="projet-2020", complete=True)
    problem = caught.value.problems[0]
    assert problem.file.endswith("mesures.csv") and problem.rule == "complétude"
    assert not (project / "build" / "projet-2020" / "notebooks").exists()
    args = types.SimpleNamespace(
        profile="projet-2020", as_of=None, formats="html", engine="pandoc", suivi=None,
        force=False, jobs=1, notebooks_only=False, data_dir=None, complete=True,
    )  # fmt: skip
    assert build_from_args(args, console) == 1
    assert "--complet" in capsys.readouterr().err
