"""Prepare the repository for ``quarto render`` / ``quarto preview`` at its root.

``_quarto.yml`` names this module in ``project: pre-render:`` (Quarto runs the command
before every render of the project, https://quarto.org/docs/projects/scripts.html). It
runs the project's own execution — data validation, then the notebooks with papermill,
keyed on the data files, parameters and environment (what ``projet-associatif build
--notebooks-only`` runs) — for the active Quarto profile (``--profile`` sets QUARTO_PROFILE),
then writes each executed notebook over ``notebooks/<nom>.ipynb``, made ready for Quarto
(``render.quarto_inputs``), and the offline chart scripts next to the Quarto filter.
``project: post-render:`` runs it again with ``--post-render``: it writes the « Voir le
notebook » pages that the Quarto filter links from each notebook chapter.
Quarto then renders what ``_quarto.yml`` lists, with ``execute: enabled: false``: the
book is the one ``projet-associatif build --engine quarto`` renders.

Quarto checks that every chapter file exists before it runs this step, so the chapters
are the notebooks of ``notebooks/`` themselves: after a root render they hold their
outputs (``git restore notebooks`` gives back the thin notebooks). A notebook is
rewritten only when its content changed, so ``quarto preview`` does not loop.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
from rich.console import Console

from projet_associatif.core.paths import build_dir, notebooks_dir, project_root
from projet_associatif.pipeline.build import EXIT_USAGE, run_build
from projet_associatif.publish.book import book_config, merged_settings, profiles
from projet_associatif.publish.quarto import (
    STAGED_ENV,
    place_notebook,
    write_filter_assets,
    write_notebook_pages,
)


def active_profile(root: Path | None = None) -> str:
    """Return the profile Quarto renders: the first of QUARTO_PROFILE we know, else the default."""
    known = profiles(root)
    for name in os.environ.get("QUARTO_PROFILE", "").split(","):
        if name.strip() in known:
            return name.strip()
    return str(merged_settings(None, root)["profile"])


def place_executed(executed_dir: Path, profile: str, root: Path | None = None) -> list[Path]:
    """Write the profile's executed notebooks, ready for Quarto, over ``notebooks/``.

    Return the notebooks actually rewritten (those whose content changed).
    """
    base = root or project_root()
    target_dir = notebooks_dir() if root is None else base / "notebooks"
    written = []
    for name in book_config(profile, base).notebooks():
        nb = place_notebook(executed_dir / name, target_dir)
        text = nbformat.writes(nb)
        target = target_dir / name
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
            written.append(target)
    write_filter_assets(base)
    return written


def write_pages(output_dir: Path, profile: str, executed_dir: Path | None = None) -> list[Path]:
    """Write the « Voir le notebook » pages of the chapters Quarto rendered as HTML."""
    names = [
        name
        for name in book_config(profile).notebooks()
        if (output_dir / "notebooks" / f"{Path(name).stem}.html").is_file()
    ]
    executed = executed_dir or build_dir() / profile / "notebooks"
    write_notebook_pages(executed, output_dir, names)
    return [output_dir / "notebooks" / f"{Path(n).stem}.notebook.html" for n in names]


def main(argv: Sequence[str] | None = None) -> int:
    """Execute the active profile's notebooks and put them where Quarto renders them.

    With ``--post-render`` (``project: post-render:``), write the notebook pages instead.
    Other options go to ``projet-associatif build --notebooks-only``, not here.
    """
    args = list(argv or [])
    unknown = [a for a in args if a != "--post-render"]
    if unknown:
        print(
            f"Option(s) inconnue(s) : {' '.join(unknown)}. Pour d'autres options, lancez "
            "« projet-associatif build --notebooks-only … » avant « quarto render ».",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if os.environ.get(STAGED_ENV):
        # The staging project of `build --engine quarto` already holds executed notebooks,
        # and render.quarto writes the notebook pages itself.
        return 0
    profile = active_profile()
    if "--post-render" in args:
        given = os.environ.get("QUARTO_PROJECT_OUTPUT_DIR")
        output = Path(given or book_config(profile).output_dir)
        if not output.is_absolute():
            output = project_root() / output
        pages = write_pages(output, profile)
        print(f"Après rendu Quarto : {len(pages)} page(s) « Voir le notebook » écrite(s).")
        return 0
    code = run_build(Console(highlight=False), profile=profile, notebooks_only=True)
    if code != 0:
        print("Pré-rendu Quarto arrêté : les notebooks n'ont pas été exécutés.", file=sys.stderr)
        return code
    written = place_executed(build_dir() / profile / "notebooks", profile)
    print(f"Pré-rendu Quarto ({profile}) : {len(written)} notebook(s) mis à jour dans notebooks/.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
