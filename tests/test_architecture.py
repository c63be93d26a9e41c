"""The package's layers: imports point down, sit at the top of modules, and form no cycle.

Read by the AST (nothing is imported): every module of ``src/projet_associatif/`` belongs to
one layer, and a module imports only from its own layer or from layers below it
(:data:`LAYERS`, bottom first). An import inside a function (or a class) is allowed only to
keep a heavy library out of a process that does not need it — ``projet-associatif --help``,
a rebuild taken from the cache, a notebook kernel — and only when listed below, with its
cost measured (``python -X importtime``) and a ``# start-up cost: …`` comment at the import.
Never to hide a cycle: cycles are found with local imports counted.

Every violation is reported in one failure, with file, line and rule.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = "projet_associatif"
SOURCE = Path(__file__).resolve().parents[1] / "src" / PACKAGE

#: The layers, bottom first. The top-level ``__init__`` counts as ``core``.
LAYERS = (
    "core",
    "data",
    "config",
    "suivi",
    "analysis",
    "present",
    "chapters",
    "publish",
    "pipeline",
    "edition",
    "cli",
)

#: The comment that must sit at (or just above) every allowed function-local import.
COST_COMMENT = "start-up cost"

#: Libraries a function may import for itself, and why; measured over the command line's
#: own imports (``python -X importtime``, best of five, 2-core machine under load).
LOCAL_LIBRARIES = {
    # ~0,4 s: a build whose notebooks all come from the cache never runs papermill.
    "papermill": "papermill, only when a notebook runs",
    # ~0,25 s: read and written only around a notebook's execution or rendering.
    "nbformat": "nbformat, only when a notebook is executed or rendered",
    # ~0,13 s: a kernel is needed only when a notebook runs.
    "jupyter_client": "jupyter_client, only when a notebook runs",
    # ~0,5 s: `--help`, `validate` on a cached record and the no-op build need no DataFrame.
    "pandas": "pandas, not needed by the command line's start",
    # ~0,35 s: frictionless checks only the resources whose files changed.
    "frictionless": "frictionless, only when a resource is validated again",
    # ~0,25 s: JSON Schema checks only the documents whose files changed.
    "jsonschema": "jsonschema, only when a document is validated again",
    # ~0,05 s: only to render, or to record pandoc's version in the manifest.
    "pypandoc": "pypandoc, only to render or to record pandoc's version",
    # ~0,03 s (email, zipfile…), in every process that imports the package.
    "importlib.metadata": "importlib.metadata, only to read installed versions",
    # rich's tables: only when the command line prints the audit (not in a notebook kernel).
    "rich.table": "rich.table, only to print the audit in a terminal",
}

#: Modules of the package a function may import, and why (the module drags in a library
#: of :data:`LOCAL_LIBRARIES` at import time).
LOCAL_MODULES = {
    ("projet_associatif.cli.main", "projet_associatif.analysis.audit"): "pandas, for `audit` only",
    ("projet_associatif.cli.main", "projet_associatif.pipeline.build"): (
        "logging, subprocess, threads, rich.live: ~0,1 s of the ~0,35 s of `--help`"
    ),
    ("projet_associatif.cli.main", "projet_associatif.data.reference"): (
        "importlib.metadata, email, zipfile, lzma: ~0,1 s, for `referentiel` only"
    ),
    ("projet_associatif.cli.main", "projet_associatif.analysis.audit_findings"): (
        "pandas, for `audit` only"
    ),
    ("projet_associatif.cli.main", "projet_associatif.suivi.reader"): "pandas, for `suivi` only",
    ("projet_associatif.cli.main", "projet_associatif.suivi.template"): (
        "openpyxl and pandas, for `suivi modele` only"
    ),
    # core.formatting brings pandas (~0,5 s): `validate` on a cached record needs no DataFrame.
    ("projet_associatif.data.integrity", "projet_associatif.core.formatting"): (
        "pandas, only when a document is checked again"
    ),
    ("projet_associatif.data.validation", "projet_associatif.core.formatting"): (
        "pandas, only when a resource is validated again"
    ),
    ("projet_associatif.cli.main", "projet_associatif.suivi.fusion"): "pandas, for `suivi` only",
    ("projet_associatif.cli.main", "projet_associatif.edition.command"): (
        "importlib.metadata, lzma and the reference readers: ~0,1 s, for `edition` only"
    ),
    ("projet_associatif.pipeline.checks", "projet_associatif.suivi.reader"): (
        "pandas, only when a build is given a measurement file"
    ),
    # publish.book (the chapter list) is read by the profiles and Quarto's pre-render: the
    # engines' libraries (nbconvert, nbformat, pypandoc, pandas: ~1 s) wait for a render.
    ("projet_associatif.publish", "projet_associatif.publish.pandoc"): (
        "nbconvert, nbformat, pypandoc, pandas: only when a book is rendered"
    ),
    ("projet_associatif.publish", "projet_associatif.publish.quarto"): (
        "nbconvert, nbformat, pandas: only when Quarto renders"
    ),
    ("projet_associatif.publish.html_site", "projet_associatif.present.charts"): (
        "altair and vl-convert (~1 s): only when the HTML's chart bundle is not built yet"
    ),
    ("projet_associatif.pipeline.build", "projet_associatif.publish.notebooks"): (
        "nbformat and the renderer's libraries, loaded while the kernels run"
    ),
    ("projet_associatif.pipeline.execute", "projet_associatif.pipeline.kernels"): (
        "jupyter_client, only when a notebook runs"
    ),
    ("projet_associatif.pipeline.execute", "projet_associatif.pipeline.kernel_engine"): (
        "papermill, only when a notebook runs"
    ),
}

#: Violations tolerated for a while (none today: the redesign of issue 12 removed the last
#: ones). An entry names the rule and the modules, never a line, so that edits elsewhere in
#: a file do not change it; ``test_known_violations_still_occur`` flags the entries fixed.
KNOWN_VIOLATIONS: set[str] = set()


@dataclass(frozen=True)
class Violation:
    """One broken rule: where, which rule (its stable key), and what to do."""

    file: str
    line: int
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Import:
    """One imported module, as a module of the package sees it."""

    importer: str
    target: str
    file: Path
    line: int
    local: bool  # inside a function or a class
    typing_only: bool  # under ``if TYPE_CHECKING:``: never runs
    commented: bool  # a ``# start-up cost:`` comment at it or just above


def module_name(path: Path, root: Path) -> str:
    """Return the dotted name of the module at ``path`` (a package: its ``__init__``)."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """Return the layer of a module of the package (the top-level package is ``core``)."""
    parts = module.split(".")
    if len(parts) == 1:
        return LAYERS[0]
    return parts[1] if parts[1] in LAYERS else None


def _commented(lines: list[str], node: ast.stmt) -> bool:
    """Return whether a start-up cost comment sits on the import or just above it.

    Just above: on the comment lines and imports right before it (one comment may serve
    two imports of the same library written one after the other).
    """
    end = node.end_lineno or node.lineno
    if any(COST_COMMENT in line for line in lines[node.lineno - 1 : end]):
        return True
    index = node.lineno - 2
    while index >= 0:
        text = lines[index].strip()
        if COST_COMMENT in text and text.startswith("#"):
            return True
        if not (text.startswith(("#", "import ", "from ")) or text.endswith(")")):
            return False
        index -= 1
    return False


def imports_of(path: Path, root: Path) -> list[Import]:
    """Return every import of one module, resolved to modules where they are modules."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text, filename=str(path))
    importer = module_name(path, root)
    package = importer if path.name == "__init__.py" else importer.rpartition(".")[0]
    found: list[Import] = []

    def visit(node: ast.AST, local: bool, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                for target in _targets(child, package, root):
                    found.append(
                        Import(
                            importer,
                            target,
                            path,
                            child.lineno,
                            local,
                            typing_only,
                            _commented(lines, child),
                        )
                    )
            inner = local or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda
            )
            checking = typing_only or (
                isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            )
            visit(child, inner, checking)

    visit(tree, False, False)
    return found


def _targets(node: ast.Import | ast.ImportFrom, package: str, root: Path) -> list[str]:
    """Return the modules an import statement loads (``from m import sub`` → ``m.sub``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolved against the importing package
        parents = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        base = ".".join([*parents, *([base] if base else [])])
    if not base.startswith(PACKAGE):
        return [base]
    targets = []
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        folder = root.parent.joinpath(*candidate.split("."))
        is_module = folder.with_suffix(".py").is_file() or (folder / "__init__.py").is_file()
        targets.append(candidate if is_module else base)
    return list(dict.fromkeys(targets))


def _where(path: Path, root: Path) -> str:
    """Return ``path`` as a message shows it: from the repository (or the planted root)."""
    base = root.parents[1] if root == SOURCE else root.parent
    return str(path.relative_to(base))


def check(root: Path = SOURCE) -> tuple[list[Violation], list[Import]]:
    """Return every violation of the rules in the package at ``root``, and its imports."""
    imports = [i for path in sorted(root.rglob("*.py")) for i in imports_of(path, root)]
    violations: list[Violation] = []
    for imp in imports:
        where = _where(imp.file, root)
        internal = imp.target == PACKAGE or imp.target.startswith(PACKAGE + ".")
        if internal:
            low, high = layer_of(imp.importer), layer_of(imp.target)
            if low is None or high is None:
                unknown = imp.importer if low is None else imp.target
                violations.append(
                    Violation(
                        where,
                        imp.line,
                        f"layer: {imp.importer} -> {imp.target}",
                        f"{unknown} belongs to no layer (layers: {', '.join(LAYERS)})",
                    )
                )
            elif LAYERS.index(high) > LAYERS.index(low):
                violations.append(
                    Violation(
                        where,
                        imp.line,
                        f"layer: {imp.importer} -> {imp.target}",
                        f"{imp.importer} (layer {low}) imports {imp.target} (layer {high}): "
                        f"a module imports only from its own layer or from a layer below",
                    )
                )
        if not imp.local:
            continue
        if internal:
            allowed = (imp.importer, imp.target) in LOCAL_MODULES
        else:
            allowed = any(
                imp.target == name or imp.target.startswith(name + ".") for name in LOCAL_LIBRARIES
            )
        if not allowed:
            violations.append(
                Violation(
                    where,
                    imp.line,
                    f"local: {imp.importer} -> {imp.target}",
                    f"function-local import of {imp.target}: import it at the top of the module "
                    "(a local import is allowed only for a start-up cost listed in "
                    "tests/test_architecture.py)",
                )
            )
        elif not imp.commented:
            violations.append(
                Violation(
                    where,
                    imp.line,
                    f"comment: {imp.importer} -> {imp.target}",
                    f"function-local import of {imp.target} without a "
                    f"« # {COST_COMMENT}: <why> » comment",
                )
            )
    violations += _cycles(imports, root)
    return violations, imports


def _cycles(imports: list[Import], root: Path) -> list[Violation]:
    """Return one violation per import cycle between modules (local imports included)."""
    graph: dict[str, set[str]] = {}
    first: dict[tuple[str, str], Import] = {}
    for imp in imports:
        if imp.typing_only or not imp.target.startswith(PACKAGE):
            continue
        graph.setdefault(imp.importer, set()).add(imp.target)
        first.setdefault((imp.importer, imp.target), imp)
    violations = []
    for component in _strongly_connected(graph):
        if len(component) < 2:
            continue
        cycle = _one_cycle(graph, sorted(component))
        edge = first[(cycle[0], cycle[1])]
        violations.append(
            Violation(
                _where(edge.file, root),
                edge.line,
                "cycle: " + ", ".join(sorted(component)),
                "import cycle: " + " -> ".join([*cycle, cycle[0]]),
            )
        )
    return violations


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Return the strongly connected components of ``graph`` (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _one_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """Return one cycle through the first module of a component (breadth first)."""
    start = component[0]
    members = set(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph.get(node, ())):
            if child == start:
                return paths[node]
            if child in members and child not in paths:
                paths[child] = [*paths[node], child]
                queue.append(child)
    return component


def report(violations: list[Violation]) -> str:
    """Return every violation, one a line, for one failure message."""
    return f"{len(violations)} import rule(s) broken:\n" + "\n".join(map(str, violations))


def is_known(violation: Violation, known: set[str] = KNOWN_VIOLATIONS) -> bool:
    """Return whether a violation is listed; a cycle is, if a listed cycle holds its modules."""
    if violation.key in known:
        return True
    if not violation.key.startswith("cycle: "):
        return False
    modules = set(violation.key.removeprefix("cycle: ").split(", "))
    return any(
        modules <= set(k.removeprefix("cycle: ").split(", "))
        for k in known
        if k.startswith("cycle: ")
    )


def test_imports_point_down_sit_at_the_top_and_form_no_cycle():
    violations, _ = check()
    new = [v for v in violations if not is_known(v)]
    assert not new, report(new)


def test_known_violations_still_occur():
    """An entry of KNOWN_VIOLATIONS that no longer occurs is removed, so none comes back.

    A listed cycle that shrank (some of its imports fixed) is to be replaced by the smaller.
    """
    keys = {v.key for v in check()[0]}
    fixed = sorted(KNOWN_VIOLATIONS - keys)
    assert not fixed, "fixed, remove from KNOWN_VIOLATIONS:\n" + "\n".join(fixed)


def test_the_local_imports_allowed_are_still_needed():
    """Each allowed local import is in use, so that the lists stay short."""
    imports = check()[1]
    used_modules = {(i.importer, i.target) for i in imports if i.local}
    used_libraries = {
        name
        for i in imports
        if i.local
        for name in LOCAL_LIBRARIES
        if i.target == name or i.target.startswith(name + ".")
    }
    assert not set(LOCAL_MODULES) - used_modules
    assert not set(LOCAL_LIBRARIES) - used_libraries


def test_every_module_belongs_to_a_layer():
    modules = {module_name(p, SOURCE) for p in SOURCE.rglob("*.py")}
    assert modules
    assert not [m for m in modules if layer_of(m) is None]


def write(root: Path, name: str, text: str) -> None:
    """Write one module of a planted package (parents made packages)."""
    path = root.joinpath(*name.split(".")[1:]).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for folder in [root, *path.relative_to(root).parents]:
        (root / folder / "__init__.py").touch()
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def planted(tmp_path) -> Path:
    """Return a tiny package that follows every rule."""
    root = tmp_path / PACKAGE
    write(root, f"{PACKAGE}.core.paths", "import os\n")
    write(root, f"{PACKAGE}.data.package", f"from {PACKAGE}.core import paths\n")
    write(
        root,
        f"{PACKAGE}.cli.main",
        "from __future__ import annotations\n"
        "from typing import TYPE_CHECKING\n"
        f"from {PACKAGE}.data.package import paths\n"
        "if TYPE_CHECKING:\n"
        f"    from {PACKAGE}.core.paths import os\n"
        "def run():\n"
        "    # start-up cost: papermill, only when a notebook runs\n"
        "    import papermill\n"
        "    from papermill.exceptions import PapermillExecutionError\n",
    )
    return root


def keys(root: Path) -> set[str]:
    """Return the violations' keys for the package at ``root``."""
    return {v.key for v in check(root)[0]}


def test_a_planted_package_that_follows_the_rules_passes(planted):
    assert keys(planted) == set()


def test_a_wrong_way_import_fails_naming_file_line_and_layers(planted):
    write(planted, f"{PACKAGE}.core.formatting", f"import os\n\nfrom {PACKAGE}.cli import main\n")
    violations = check(planted)[0]
    assert [str(v) for v in violations] == [
        f"{PACKAGE}/core/formatting.py:3: {PACKAGE}.core.formatting (layer core) imports "
        f"{PACKAGE}.cli.main (layer cli): a module imports only from its own layer or from "
        "a layer below"
    ]


def test_a_local_import_fails_unless_listed_and_commented(planted):
    write(
        planted,
        f"{PACKAGE}.data.cache",
        "def f():\n"
        "    import json\n"  # stdlib: nothing to save
        f"    from {PACKAGE}.core import paths\n"  # the package: not listed
        "    import pandas\n",  # listed, but no comment
    )
    assert keys(planted) == {
        f"local: {PACKAGE}.data.cache -> json",
        f"local: {PACKAGE}.data.cache -> {PACKAGE}.core.paths",
        f"comment: {PACKAGE}.data.cache -> pandas",
    }


def test_a_cycle_hidden_by_a_local_import_fails(planted):
    write(planted, f"{PACKAGE}.pipeline.kernels", "def start():\n    from . import engine\n")
    write(planted, f"{PACKAGE}.pipeline.engine", f"from {PACKAGE}.pipeline.kernels import X\n")
    assert keys(planted) == {
        f"local: {PACKAGE}.pipeline.kernels -> {PACKAGE}.pipeline.engine",
        f"cycle: {PACKAGE}.pipeline.engine, {PACKAGE}.pipeline.kernels",
    }


def test_every_violation_is_reported_at_once(planted):
    write(planted, f"{PACKAGE}.core.texts", f"from {PACKAGE}.data import package\n")
    write(planted, f"{PACKAGE}.config.profiles", f"from {PACKAGE}.publish import book\n")
    write(planted, f"{PACKAGE}.publish.book", "")
    message = report(check(planted)[0])
    assert message.startswith("2 import rule(s) broken:")
    assert f"{PACKAGE}/core/texts.py:1: " in message
    assert f"{PACKAGE}/config/profiles.py:1: " in message


def test_a_cycle_that_shrank_is_still_known_and_a_grown_one_is_not():
    known = {"cycle: a.x, a.y, a.z"}

    def cycle(*modules: str) -> Violation:
        return Violation("f.py", 1, "cycle: " + ", ".join(modules), "")

    assert is_known(cycle("a.x", "a.y"), known)
    assert not is_known(cycle("a.x", "a.w"), known)
    assert not is_known(cycle("a.w", "a.x", "a.y", "a.z"), known)


def test_the_architecture_map_names_every_module_of_the_package():
    """docs/architecture.md's module list is the map a newcomer reads: no module missing."""
    doc = (SOURCE.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z_]+/[a-z_]+\.py)` \|", doc, re.M))
    modules = {
        path.relative_to(SOURCE).as_posix()
        for path in SOURCE.glob("*/*.py")
        if path.name != "__init__.py" or path.parent.name == "publish"
    }
    assert modules - listed == set(), "absent de docs/architecture.md : " + ", ".join(
        sorted(modules - listed)
    )
    assert listed - modules == set(), "listé mais introuvable : " + ", ".join(
        sorted(listed - modules)
    )
