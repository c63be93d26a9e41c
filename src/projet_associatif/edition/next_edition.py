"""Start the next edition of a project: its structure, data, texts, and what is stale.

``edition nouvelle DOSSIER --depuis SOURCE --annee N`` copies the project's book, chapters,
notebooks and data, snapshots the data as the previous edition's, marks the figures older
than N « à actualiser », refreshes the reference extract, and writes a README for the new
project — into a temporary sibling renamed at the end.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from projet_associatif.config.identity import identity
from projet_associatif.data.reference import refresh
from projet_associatif.edition import profiles
from projet_associatif.edition.readme import write_gitignore, write_next_readme
from projet_associatif.edition.target import EditionError, check_target, staged
from projet_associatif.edition.vintages import StaleMark, mark_stale
from projet_associatif.edition.yaml_text import set_key

IDENTITY_FILE = Path("data/association/identite.yaml")
#: Where the previous edition's data are kept, relative to the new project's root.
PREVIOUS_DATA = "edition-precedente/data"
#: The project's folders copied as they are (report texts, notebooks, data).
COPIED_FOLDERS = ("report", "notebooks", "data")
#: Never copied from a folder: what tools write next to the sources.
#: Folders of data/ never marked stale: the reference extract (refreshed here) and the
#: fidelity checks (they describe the source document's transcription, not figures).
NOT_STALE = frozenset({"reference", "fidelite"})
IGNORED = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc")


@dataclass
class NewProject:
    """What a new project holds, for the command's summary."""

    root: Path
    year: int
    profiles: list[str]
    stale: list[StaleMark] = field(default_factory=list)
    reference: list[Path] = field(default_factory=list)


def check_source(source: Path) -> Path:
    """Return the source project's root, or a French error if it is not a project."""
    source = Path(source).resolve()
    for needed in (Path(profiles.MAIN_CONFIG), IDENTITY_FILE):
        if not (source / needed).is_file():
            raise EditionError(
                f"{source} n'est pas un projet associatif : {needed} y manque "
                "(--depuis nomme le dossier d'un projet, celui qui contient _quarto.yml)."
            )
    return source


def new_edition(target: Path, source: Path, year: int) -> NewProject:
    """Write the edition ``year`` of the project ``source`` into the new folder ``target``."""
    source = check_source(source)
    target = check_target(target)
    if target == source or source.is_relative_to(target):
        raise EditionError(f"{target} contient le projet source : choisissez un autre dossier.")
    if any(target.is_relative_to(source / f) for f in COPIED_FOLDERS):
        raise EditionError(f"{target} est dans un dossier copié du projet source.")
    previous = identity(source / "data")
    if year <= previous.edition_year:
        raise EditionError(
            f"L'édition {year} ne suit pas celle du projet source ({previous.edition_year}) : "
            f"donnez une année postérieure avec --annee."
        )
    base = profiles.default_profile(source)
    reviews = profiles.review_profiles(source)
    with staged(target) as root:
        for folder in COPIED_FOLDERS:
            if (source / folder).is_dir():
                shutil.copytree(source / folder, root / folder, ignore=IGNORED)
        shutil.copytree(source / "data", root / PREVIOUS_DATA, ignore=IGNORED)
        # Every home page: the base document's index.qmd and the reviews' index.md (Quarto
        # takes a book's home page from its chapter list, any file named index.*).
        for home in sorted(source.glob("index.*")):
            if home.is_file():
                shutil.copyfile(home, root / home.name)
        names = [profiles.base_profile_name(year), *reviews]
        config = (source / profiles.MAIN_CONFIG).read_text(encoding="utf-8")
        (root / profiles.MAIN_CONFIG).write_text(
            profiles.main_config(config, year=year, author=previous.organisation, profiles=names),
            encoding="utf-8",
        )
        template = profiles.read_yaml(profiles.profile_path(source, base))
        profiles.write_base_profile(
            root, profiles.base_profile(template, year=year, previous=True, blank=False), year
        )
        for review in reviews:
            text = profiles.profile_path(source, review).read_text(encoding="utf-8")
            profiles.profile_path(root, review).write_text(
                profiles.review_profile(text, old_year=previous.edition_year, year=year),
                encoding="utf-8",
            )
        _write_edition(root, year, previous.edition_year)
        stale = mark_stale(root / "data", year, skip={"identite"}, skip_dirs=NOT_STALE)
        reference = [target / p.relative_to(root) for p in refresh(root / "data")]
        write_next_readme(
            root,
            organisation=previous.organisation,
            year=year,
            previous=previous.edition_year,
            name=target.name,
        )
        write_gitignore(root)
    stale = [StaleMark(m.name, target / m.descriptor.relative_to(root), m.reason) for m in stale]
    return NewProject(target, year, names, stale, reference)


def _write_edition(root: Path, year: int, previous_year: int) -> None:
    """Set ``edition`` in the new project's identity: its year, and the previous edition."""
    path = root / IDENTITY_FILE
    block = {"annee": year, "precedente": {"annee": previous_year, "donnees": PREVIOUS_DATA}}
    path.write_text(set_key(path.read_text(encoding="utf-8"), "edition", block), encoding="utf-8")
