#!/usr/bin/env python3
"""Time the build: cold, no-op, one data file changed, and the floor.

    python bench/benchmark.py [--runs 3] [--profile projet-2020] [--format html,pdf,docx]

Every measurement runs ``projet-associatif build`` in a fresh process on a throw-away copy
of the project (``PROJET_ASSOCIATIF_ROOT`` points at it, ``PYTHONPATH`` at its ``src/``), so
the working tree, its ``build/`` and ``_book/`` are never touched and edits made to the
package during the benchmark do not invalidate the cache under measurement. Each figure is
the median of ``--runs`` runs.

- construction à froid : no build/ and no _book/ (no cache);
- reconstruction à vide : nothing changed since the previous build;
- une donnée modifiée : one value of one CSV read by a notebook changed, then rebuild;
- plancher : one warm process imports the libraries and runs the code of every notebook
  (all tables and charts computed, nothing written): what a build costs at the very least.
  It imports this package first, as the build's kernels do (``startup.py``).

Chapters declared in _quarto*.yml whose notebook does not exist yet are dropped from the
copy (and listed), so the script runs on whatever notebooks exist.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "build", "_book", "_freeze", ".quarto", ".pytest_cache", ".ruff_cache",
    "__pycache__", ".ipynb_checkpoints", "node_modules", "*.egg-info",
)  # fmt: skip


def seconds(value: float) -> str:
    return f"{value:.1f}".replace(".", ",") + " s"


def copy_project(destination: Path, head: bool = False) -> Path:
    """Copy the working tree (or, with ``head``, the last commit) to ``destination``."""
    if not head:
        shutil.copytree(REPO, destination, ignore=IGNORE)
        return destination
    destination.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive.stdout, check=True)
    return destination


def drop_missing_notebooks(root: Path) -> list[str]:
    """Remove chapters whose notebook does not exist from every _quarto*.yml of the copy."""
    dropped: list[str] = []

    def keep(item) -> bool:
        if isinstance(item, str) and item.endswith(".ipynb") and not (root / item).exists():
            dropped.append(item)
            return False
        return True

    def clean(node):
        if isinstance(node, list):
            return [clean(i) for i in node if keep(i)]
        if isinstance(node, dict):
            return {k: clean(v) for k, v in node.items()}
        return node

    for config in sorted(root.glob("_quarto*.yml")):
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
        config.write_text(yaml.safe_dump(clean(data), allow_unicode=True), encoding="utf-8")
    return sorted(set(dropped))


def environment(root: Path) -> dict[str, str]:
    """Return the environment that makes every process use the copy and its package."""
    paths = [str(root / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {
        **os.environ,
        "PROJET_ASSOCIATIF_ROOT": str(root),
        "PYTHONPATH": os.pathsep.join(paths),
        "COLUMNS": "100",
    }


def run_build(root: Path, args: argparse.Namespace, *extra: str) -> float:
    """Run the CLI build in a new process on the copy; return its wall time."""
    command = [
        sys.executable, "-m", "projet_associatif.cli.main", "build", "--profile", args.profile,
        "--format", args.formats, "--engine", args.engine, *extra,
    ]  # fmt: skip
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    if args.notebooks_only:
        command.append("--notebooks-only")
    env = environment(root)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"La construction a échoué (code {done.returncode}) : voir ci-dessus.")
    return elapsed


def clean_outputs(root: Path) -> None:
    for name in ("build", "_book"):
        shutil.rmtree(root / name, ignore_errors=True)


def pick_data_file(root: Path, profile: str) -> tuple[Path, str]:
    """Return a CSV read by some notebook and a numeric column that can change by one."""
    manifest = json.loads((root / "build" / profile / "manifest.json").read_text())
    reads = [p for n in manifest["notebooks"] for p in n["fichiers_lus"] if p.endswith(".csv")]
    counts = {p: reads.count(p) for p in reads}
    for path in sorted(counts, key=lambda p: (counts[p], p)):  # read by the fewest first
        csv_path = root / path
        descriptor = csv_path.with_name(csv_path.stem + ".resource.yaml")
        if not descriptor.is_file():
            continue
        schema = yaml.safe_load(descriptor.read_text(encoding="utf-8"))["schema"]
        # Keys, unique and bounded columns could turn a +1 into a validation error.
        keys = set(schema.get("primaryKey") or [])
        for fk in schema.get("foreignKeys") or []:
            keys.update(fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]])
        for field in schema["fields"]:
            constraints = field.get("constraints", {})
            if (
                field.get("type") in {"integer", "number"}
                and field["name"] not in keys
                and not {"maximum", "enum", "unique"} & set(constraints)
            ):
                return csv_path, field["name"]
    raise SystemExit("Aucune colonne numérique modifiable dans les CSV lus par les notebooks.")


def nudge(csv_path: Path, column: str, step: int) -> None:
    """Add ``step`` to the first non-empty value of ``column`` (a one-value change)."""
    rows = list(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    index = rows[0].index(column)
    for row in rows[1:]:
        if row[index].strip():
            value = float(row[index])
            new = value + step
            row[index] = str(int(new)) if new.is_integer() and "." not in row[index] else str(new)
            break
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    csv_path.write_text(out.getvalue(), encoding="utf-8")


FLOOR_WORKER = r"""
import json, sys, time, contextlib, io
start = time.perf_counter()
import projet_associatif  # first, as in the build's kernels: it skips slow optional imports
import nbformat
from IPython.core.interactiveshell import InteractiveShell
import pandas, altair, vl_convert  # the libraries every chapter uses
import projet_associatif.data.package, projet_associatif.core.paths
imported = time.perf_counter()
shell = InteractiveShell.instance()
params = json.loads(sys.argv[1])
notebooks = json.loads(sys.argv[2])
for path in notebooks:
    shell.user_ns.clear()
    shell.user_ns.update(params)
    cells = [
        c.source for c in nbformat.read(path, as_version=4).cells
        if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    ]  # the parameters cell is replaced by params
    for source in cells:
        with contextlib.redirect_stdout(io.StringIO()):
            result = shell.run_cell(source, store_history=False, silent=False)
        if not result.success:
            raise SystemExit(f"{path}: {result.error_in_exec or result.error_before_exec!r}")
end = time.perf_counter()
print(json.dumps({"import_s": imported - start, "compute_s": end - imported}))
"""


def floor(root: Path, args: argparse.Namespace) -> tuple[float, float, float]:
    """Run every notebook's code in one fresh process; return (total, import, compute)."""
    env = environment(root)
    code = (
        "import json, sys\n"
        "from projet_associatif.config.profiles import resolve_as_of\n"
        "from projet_associatif.pipeline.plan import chapter_notebooks\n"
        f"profile = {args.profile!r}\n"
        "print(json.dumps([[str(p) for p in chapter_notebooks(profile)],"
        " resolve_as_of(profile, None).isoformat()]))"
    )
    listed = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    notebooks, as_of = json.loads(listed.stdout)
    params = {"data_dir": str(root / "data"), "profile": args.profile, "as_of": as_of, "suivi": ""}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", FLOOR_WORKER, json.dumps(params), json.dumps(notebooks)],
        env=env,
        cwd=root / "notebooks",
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit("Le calcul du plancher a échoué : voir ci-dessus.")
    parts = json.loads(done.stdout.strip().splitlines()[-1])
    return total, parts["import_s"], parts["compute_s"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="mesures par scénario (médiane)")
    parser.add_argument("--profile", default="projet-2020")
    parser.add_argument("--format", dest="formats", default="html,pdf,docx")
    parser.add_argument("--engine", default="pandoc", choices=["auto", "pandoc", "quarto"])
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--notebooks-only", action="store_true", help="sans le rendu")
    parser.add_argument("--keep", action="store_true", help="garder la copie du projet")
    parser.add_argument(
        "--head",
        action="store_true",
        help="mesurer le dernier commit plutôt que l'arbre de travail",
    )
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="pa-bench-"))
    root = copy_project(tmp / "projet", head=args.head)
    dropped = drop_missing_notebooks(root)
    if dropped:
        print(f"Chapitres sans notebook, retirés de la copie : {', '.join(dropped)}")
    try:
        cold = []
        for _ in range(args.runs):
            clean_outputs(root)
            cold.append(run_build(root, args))
        noop = [run_build(root, args) for _ in range(args.runs)]
        changed = []
        try:
            csv_path, column = pick_data_file(root, args.profile)
        except SystemExit as exc:
            print(exc)
            csv_path = None
        if csv_path is not None:
            print(f"Donnée modifiée à chaque mesure : {csv_path.relative_to(root)}, « {column} »")
            for i in range(args.runs):
                nudge(csv_path, column, 1 if i % 2 == 0 else -1)
                changed.append(run_build(root, args))
        total, imports, compute = floor(root, args)

        base = statistics.median(cold)
        lines = [
            ("Construction à froid", base),
            ("Reconstruction à vide", statistics.median(noop)),
        ]
        if changed:
            label = f"Une donnée modifiée ({csv_path.relative_to(root)}, {column})"
            lines.append((label, statistics.median(changed)))
        lines.append(("Plancher (un processus, tout calculé)", total))
        print(f"\nMédianes sur {args.runs} mesure(s), profil {args.profile} :")
        for label, value in lines:
            print(f"  {label:<60} {seconds(value):>9}   {value / base:5.2f} × froid")
        print(f"  dont import des bibliothèques {seconds(imports)}, calculs {seconds(compute)}")
    finally:
        if args.keep:
            print(f"Copie conservée : {root}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
