"""Start a blank projet associatif for any territory, from a template project's structure.

``edition nouvelle DOSSIER --vierge --nom … --epci …`` takes the template's book, chapters
and schemas, blanks every text and table, writes ``identite.yaml`` for the new organisation
and extracts the reference (communes, EPCI, map outlines) for its EPCI.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from projet_associatif.config.identity import identity
from projet_associatif.core.markup import escape_markdown
from projet_associatif.data.reference import refresh
from projet_associatif.edition import profiles
from projet_associatif.edition.blank_data import blank_data
from projet_associatif.edition.next_edition import IDENTITY_FILE, IGNORED, NewProject, check_source
from projet_associatif.edition.notebooks import blank_notebook, blank_qmd
from projet_associatif.edition.readme import write_blank_readme, write_gitignore, write_home_page
from projet_associatif.edition.target import EditionError, check_target, staged
from projet_associatif.edition.territory import Territory, identity_text

#: Report assets copied as they are: templates, styles, the DOCX reference.
REPORT_ASSETS = ("typst", "quarto", "assets", "reference.docx")


def package_checkout() -> Path:
    """Return the checkout this package sits in, the default template, or a French error."""
    root = Path(__file__).resolve().parents[3]
    if (root / profiles.MAIN_CONFIG).is_file() and (root / IDENTITY_FILE).is_file():
        return root
    raise EditionError(
        "Le paquet installé n'est pas dans un projet qui puisse servir de modèle : "
        "nommez-en un avec --modele DOSSIER."
    )


def new_blank(
    target: Path,
    *,
    organisation: str,
    short_name: str,
    year: int,
    territory: Territory,
    template: Path | None = None,
) -> NewProject:
    """Write a blank project for ``organisation`` and ``territory`` into ``target``."""
    template = check_source(template or package_checkout())
    target = check_target(target)
    if template == target or template.is_relative_to(target):
        raise EditionError(f"{target} contient le projet modèle : choisissez un autre dossier.")
    model = identity(template / "data")
    # The names go into Markdown (headings, anchors): a name is text, never markup.
    names = {
        model.organisation: escape_markdown(organisation),
        model.short_name: escape_markdown(short_name),
    }
    base = profiles.default_profile(template)
    with staged(target) as root:
        _copy_report(template / "report", root / "report", names)
        (root / "notebooks").mkdir()
        for notebook in sorted((template / "notebooks").glob("*.ipynb")):
            blank_notebook(notebook, root / "notebooks" / notebook.name, names)
        blank_data(template / "data", root / "data")
        (root / IDENTITY_FILE).write_text(
            identity_text(
                organisation=organisation, short_name=short_name, year=year, territory=territory
            ),
            encoding="utf-8",
        )
        config = (template / profiles.MAIN_CONFIG).read_text(encoding="utf-8")
        name = profiles.base_profile_name(year)
        (root / profiles.MAIN_CONFIG).write_text(
            profiles.main_config(config, year=year, author=organisation, profiles=[name]),
            encoding="utf-8",
        )
        model_profile = profiles.read_yaml(profiles.profile_path(template, base))
        profiles.write_base_profile(
            root,
            profiles.base_profile(model_profile, year=year, previous=False, blank=True),
            year,
        )
        write_home_page(root, organisation=organisation, year=year)
        # Reads the territory from the new identite.yaml once data.reference does so.
        reference = [target / p.relative_to(root) for p in refresh(root / "data")]
        write_blank_readme(
            root,
            organisation=organisation,
            year=year,
            epci=[f"{n} ({c})" for c, n in territory.epci.items()],
            name=target.name,
        )
        write_gitignore(root)
    return NewProject(target, year, [name], [], reference)


def _copy_report(source: Path, target: Path, names: dict[str, str]) -> None:
    """Copy the report's assets as they are and its chapters blanked (no document texts)."""
    target.mkdir()
    for asset in REPORT_ASSETS:
        path = source / asset
        if path.is_dir():
            shutil.copytree(path, target / asset, ignore=IGNORED)
        elif path.is_file():
            shutil.copyfile(path, target / asset)
    for chapter in sorted(source.glob("*.qmd")):
        text = chapter.read_text(encoding="utf-8")
        (target / chapter.name).write_text(blank_qmd(text, names), encoding="utf-8")
