"""Build cache: what the key covers, when an entry still holds, the kernel's read hook."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from projet_associatif.data import package as datapackage
from projet_associatif.data.cache import (
    BOOTSTRAP_MODULES,
    READ_LOG_ENV,
    BuildCache,
    Recipe,
    bootstrap_hash,
    environment_hash,
    package_hash,
    read_log,
    sha256_json,
    source_of,
    suivi_hash,
    tree_listing,
)


def recipe(tmp_path: Path, **changes) -> Recipe:
    nb = tmp_path / "01-a.ipynb"
    if not nb.exists():
        nb.write_text('{"cells": []}')
    fields = dict(
        notebook=nb,
        parameters={"profile": "projet-2020", "as_of": "2020-09-01"},
        bootstrap="b",
        environment="e",
        suivi=None,
        data_listing=["a.csv"],
    )
    fields.update(changes)
    return Recipe(**fields)


def test_key_changes_with_every_ingredient(tmp_path):
    base = recipe(tmp_path).key()
    assert recipe(tmp_path).key() == base
    assert (
        recipe(tmp_path, parameters={"profile": "bilan-final", "as_of": "2020-09-01"}).key() != base
    )
    assert recipe(tmp_path, bootstrap="b2").key() != base
    assert recipe(tmp_path, environment="e2").key() != base
    assert recipe(tmp_path, suivi="s").key() != base
    assert recipe(tmp_path, data_listing=["a.csv", "b.csv"]).key() != base
    (tmp_path / "01-a.ipynb").write_text('{"cells": [1]}')
    assert recipe(tmp_path).key() != base


def test_entry_holds_until_a_file_it_read_changes(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("a,b\n1,2\n")
    unrelated = tmp_path / "autre.csv"
    unrelated.write_text("x\n")
    executed = tmp_path / "executed.ipynb"
    executed.write_text('{"executed": true}')
    cache = BuildCache(tmp_path / "cache")
    r = recipe(tmp_path)
    assert cache.lookup(r.key()) is None
    cache.store(r.key(), executed, [data], r)
    hit = cache.lookup(r.key())
    assert hit is not None and hit.read_text() == '{"executed": true}'
    assert cache.reads_of(r.key()) == [data]
    unrelated.write_text("y\n")
    assert BuildCache(tmp_path / "cache").lookup(r.key()) is not None
    data.write_text("a,b\n1,3\n")
    assert BuildCache(tmp_path / "cache").lookup(r.key()) is None
    data.unlink()
    assert BuildCache(tmp_path / "cache").lookup(r.key()) is None


def test_package_hash_follows_module_sources(tmp_path):
    package = tmp_path / "pkg"
    (package / "__pycache__").mkdir(parents=True)
    (package / "mod.py").write_text("x = 1\n")
    before = package_hash(package)
    (package / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\x00")
    assert package_hash(package) == before
    (package / "mod.py").write_text("x = 2\n")
    after_edit = package_hash(package)
    assert after_edit != before
    (package / "gabarit.typ").write_text("#set page()")  # templates shape the outputs too
    assert package_hash(package) != after_edit


def test_environment_hash_is_stable():
    assert environment_hash() == environment_hash()
    assert len(environment_hash()) == 64


def test_environment_hash_follows_installed_distributions(tmp_path, monkeypatch):
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def current() -> str:
        environment_hash.cache_clear()
        return environment_hash()

    try:
        before = current()
        (site / "exemple_paquet-1.0.dist-info").mkdir()
        installed = current()
        (site / "exemple_paquet-1.0.dist-info").rename(site / "exemple_paquet-1.1.dist-info")
        upgraded = current()
        (site / "ancien_paquet-2.0.egg-info").mkdir()
        with_egg = current()
        assert len({before, installed, upgraded, with_egg}) == 4
        # A non-metadata folder is not a distribution.
        (site / "exemple_paquet").mkdir()
        assert current() == with_egg
    finally:
        environment_hash.cache_clear()


def test_bytecode_counts_as_its_source():
    pyc = "/p/src/pkg/sub/__pycache__/charts.cpython-311.pyc"
    assert source_of(pyc) == "/p/src/pkg/sub/charts.py"
    assert source_of("/p/data/a.csv") == "/p/data/a.csv"


def test_listing_ignores_caches(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "t.csv").write_text("x")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "z.pyc").write_text("x")
    assert tree_listing(tmp_path) == ["a/t.csv"]


def test_read_log_variable_is_the_one_datapackage_uses():
    assert READ_LOG_ENV == datapackage.READ_LOG_ENV


def test_read_hook_records_reads_not_writes(tmp_path):
    root = tmp_path / "projet"
    (root / "build").mkdir(parents=True)
    read = root / "lu.csv"
    read.write_text("x")
    (root / "build" / "sortie.txt").write_text("x")
    outside = tmp_path / "dehors.csv"
    outside.write_text("x")
    log = tmp_path / "reads.log"
    script = f"""
import os
from projet_associatif.data.cache import record_reads
record_reads({str(log)!r}, [{str(root)!r}], [{str(root / "build")!r}])
open({str(read)!r}).read(); open({str(read)!r}).read()
open({str(outside)!r}).read()
open({str(root / "build" / "sortie.txt")!r}).read()
open({str(root / "nouveau.txt")!r}, "w").write("y")
os.close(os.open({str(root / "autre.txt")!r}, os.O_WRONLY | os.O_CREAT))
import json  # imports outside the roots are not recorded
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    assert read_log(log) == [read]


def test_prune_deletes_only_entries_unused_for_long(tmp_path):
    import os
    import time

    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}")
    cache = BuildCache(tmp_path / "cache")
    old, recent = recipe(tmp_path, bootstrap="old"), recipe(tmp_path, bootstrap="recent")
    cache.store(old.key(), executed, [], old)
    cache.store(recent.key(), executed, [], recent)
    long_ago = time.time() - 40 * 86400
    os.utime(tmp_path / "cache" / f"{old.key()}.json", (long_ago, long_ago))
    assert cache.prune(max_age_days=30) == 1
    assert cache.lookup(old.key()) is None
    assert cache.lookup(recent.key()) is not None
    assert not (tmp_path / "cache" / f"{old.key()}.ipynb").exists()


def test_file_hashes_are_remembered_per_path(tmp_path):
    # Two inputs with the same size and modification time but different bytes.
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x,1\n")
    b.write_text("x,2\n")
    os.utime(b, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns))
    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}")
    r = recipe(tmp_path)
    BuildCache(tmp_path / "cache").store(r.key(), executed, [a, b], r)
    assert BuildCache(tmp_path / "cache").lookup(r.key()) is not None
    b.write_text("x,3\n")
    os.utime(b, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns))
    assert BuildCache(tmp_path / "cache").lookup(r.key()) is None


def test_an_entry_without_its_notebook_is_a_miss(tmp_path):
    executed = tmp_path / "executed.ipynb"
    executed.write_text("{}")
    r = recipe(tmp_path)
    cache = BuildCache(tmp_path / "cache")
    cache.store(r.key(), executed, [], r)
    assert cache.lookup(r.key()) is not None
    (tmp_path / "cache" / f"{r.key()}.ipynb").unlink()
    assert cache.lookup(r.key()) is None


def test_json_hash_ignores_key_order_and_accepts_paths():
    assert sha256_json({"a": 1, "b": 2}) == sha256_json({"b": 2, "a": 1})
    assert sha256_json({"p": Path("data/a.csv")}) == sha256_json({"p": "data/a.csv"})


def test_suivi_hash_follows_the_measurement_file_or_folder(tmp_path):
    assert suivi_hash(None) is None
    assert suivi_hash(tmp_path / "absent.xlsx") == "absent"
    workbook = tmp_path / "suivi.xlsx"
    workbook.write_bytes(b"classeur")
    assert suivi_hash(workbook) == hashlib.sha256(b"classeur").hexdigest()
    folder = tmp_path / "suivi"
    folder.mkdir()
    (folder / "mesures.csv").write_text("a\n")
    before = suivi_hash(folder)
    assert suivi_hash(folder) == before
    (folder / "mesures.csv").write_text("b\n")
    assert suivi_hash(folder) != before


def test_bootstrap_hash_follows_only_the_kernel_bootstrap_modules(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    for name in BOOTSTRAP_MODULES:
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(f"# {name}\n")
    (package / "autre.py").write_text("x = 1\n")
    before = bootstrap_hash(package)
    (package / "autre.py").write_text("x = 2\n")  # imported later: recorded as a read instead
    assert bootstrap_hash(package) == before
    (package / "core" / "startup.py").write_text("# changé\n")
    assert bootstrap_hash(package) != before
