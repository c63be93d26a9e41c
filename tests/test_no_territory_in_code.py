"""No file of the package names the 2020 document's territory: its words belong to the project.

The package serves every projet associatif — the next edition, another Mission Locale's — so
the place names, sentences and facts of one document live in that project's ``data/`` and
``report/textes/``, never in ``src/projet_associatif/`` (code, texts, templates, schemas).
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "projet_associatif"
#: Words of one document only (case-insensitive).
TERRITORY = re.compile(r"moulins", re.IGNORECASE)


def package_files(root: Path = PACKAGE) -> list[Path]:
    """Return every file of the package (any extension), bytecode and egg-info excluded."""
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(part.endswith(".egg-info") for part in path.parts)
    )


def territory_lines(files: list[Path], root: Path = PACKAGE) -> list[str]:
    """Return « file:line: text » for every line naming the territory."""
    found = []
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if TERRITORY.search(line):
                found.append(f"{path.relative_to(root.parent)}:{number}: {line.strip()[:120]}")
    return found


def test_the_package_names_no_territory():
    found = territory_lines(package_files())
    assert not found, (
        "Le paquet nomme le territoire d'un document (sa place : data/ ou report/textes/ du "
        "projet) :\n" + "\n".join(found)
    )


def test_the_check_sees_every_kind_of_file(tmp_path):
    package = tmp_path / "projet_associatif"
    (package / "textes").mkdir(parents=True)
    (package / "textes" / "a.yaml").write_text("ok: oui\nnom: Mission Locale de MOULINS\n")
    (package / "b.typ").write_text("// rien\n")
    (package / "x.egg-info").mkdir()
    (package / "x.egg-info" / "PKG-INFO").write_text("Moulins\n")
    found = territory_lines(package_files(package), package)
    assert found == ["projet_associatif/textes/a.yaml:2: nom: Mission Locale de MOULINS"]
