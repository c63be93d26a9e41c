#!/usr/bin/env python3
"""Set everything up on a fresh machine, then build the report or run the tests.

    python3 run.py report [options de « projet-associatif build »]
    python3 run.py test   [options de pytest]

Only the standard library is used here: this script runs before anything is installed.
It creates ``.venv/``, installs the project (again only when pyproject.toml changed),
installs Debian's Chromium (browser tests) and LibreOffice Writer (the DOCX opened as its
editors do) when they are missing and we are root,
then hands over to the project's own command.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-extras"
EXTRAS = "test,reference"
# The reference-data tests regenerate data/reference/ from this npm package (see
# data/reference/README.md); it is installed locally under the git-ignored build/.
NPM_REFERENCE = "@etalab/decoupage-administratif@6.0.0"
NPM_PREFIX = ROOT / "build" / "npm"


def sh(*cmd: str | os.PathLike[str], **kw) -> None:
    """Run a command, echoing it, and stop with its exit code when it fails."""
    print("+", " ".join(map(str, cmd)), flush=True)
    result = subprocess.run([str(c) for c in cmd], **kw)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv(extras: str) -> None:
    """Create the virtual environment and install the project with ``extras`` if needed."""
    if not (BIN / "python").exists():
        print(f"Création de l'environnement virtuel {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    wanted = f"{digest} {extras}"
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    sh(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    sh(BIN / "python", "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[{extras}]")
    STAMP.write_text(wanted)


def ensure_npm_reference() -> None:
    """Install the npm reference package for the reference-data tests when it is absent."""
    if (NPM_PREFIX / "node_modules" / "@etalab" / "decoupage-administratif").is_dir():
        return
    npm = shutil.which("npm")
    if not npm:
        print("npm est absent : installez Node.js pour les tests du référentiel.", file=sys.stderr)
        return
    NPM_PREFIX.mkdir(parents=True, exist_ok=True)
    sh(npm, "install", "--no-audit", "--no-fund", "--prefix", NPM_PREFIX, NPM_REFERENCE)


#: Debian packages the tests need, each with the program that tells it is installed:
#: Chromium for the browser tests, LibreOffice Writer to open the DOCX as its editors do.
DEBIAN_TEST_PACKAGES = {
    "chromium": ("chromium", "fonts-dejavu-core"),
    "soffice": ("libreoffice-writer-nogui",),
}


def ensure_debian_packages() -> None:
    """Install Debian's Chromium and LibreOffice Writer for the tests when absent (needs root)."""
    missing = [
        package
        for program, packages in DEBIAN_TEST_PACKAGES.items()
        if not (shutil.which(program) or Path("/usr/bin", program).exists())
        for package in packages
    ]
    if not missing:
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        sh("apt-get", "update", "-qq", env=env)
        sh("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)
    else:
        print(
            f"Paquets Debian absents : {' '.join(missing)}. Installez-les "
            f"(sudo apt-get install {' '.join(missing)}) pour les tests dans le navigateur "
            "et l'ouverture du DOCX dans LibreOffice.",
            file=sys.stderr,
        )


def main(argv: list[str]) -> int:
    """Dispatch ``report`` or ``test`` after setting the machine up."""
    if not argv or argv[0] not in {"report", "test"}:
        print(__doc__)
        return 2
    action, rest = argv[0], argv[1:]
    ensure_venv(EXTRAS)
    if action == "report":
        return subprocess.call([str(BIN / "projet-associatif"), "build", *rest])
    ensure_npm_reference()
    ensure_debian_packages()
    code = subprocess.call([str(BIN / "python"), "-m", "pytest", *rest], cwd=ROOT)
    if code == 5:
        print("pytest n'a exécuté aucun test : échec.", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
