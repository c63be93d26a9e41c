"""Compose annex C (``notebooks/a3-sources.ipynb``): data sources, vintages and provenance.

The data package's resources with their full references (the short « Source : » lines under
figures come from :mod:`projet_associatif.present.provenance`), the passages of the source the
report leaves out on purpose, the public reference extract, and the fingerprints and tool
versions of the execution that produced the report; the build manifest's tables too.
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif import __version__
from projet_associatif.config.identity import source_document
from projet_associatif.core.formatting import MISSING, NBSP, date_fr, number
from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.core.paths import project_root
from projet_associatif.data.cache import IGNORED_DIRS, sha256_file
from projet_associatif.data.package import discover, load, sources_of, validate_all
from projet_associatif.present.blocks import Table, Text
from projet_associatif.present.provenance import source_text

#: Length of the SHA-256 prefixes shown to readers (the manifest keeps the full hashes).
SHORT_HASH = 12

#: Distributions whose versions shape the published numbers, tables and charts.
TOOLS = (
    "pandas",
    "frictionless",
    "jsonschema",
    "PyYAML",
    "Babel",
    "tabulate",
    "altair",
    "vl-convert-python",
    "papermill",
    "nbformat",
    "nbconvert",
    "ipykernel",
    "pypandoc-binary",
    "typst",
)


def _root(data_dir: Path | None) -> Path:
    return Path(data_dir) if data_dir else default_data_dir()


def _licences(licences: Sequence[Mapping[str, Any]]) -> str:
    # Short names keep the column narrow; licence_notes() spells each one out once.
    return " ; ".join(str(x.get("name") or x.get("title")) for x in licences) or MISSING


def licence_notes(data_dir: Path | None = None) -> str:
    """Return each licence name of the data package with its full title, once."""
    seen: dict[str, str] = {}
    for info in discover(_root(data_dir)).values():
        for licence in info.descriptor.get("licenses") or []:
            name = str(licence.get("name") or licence.get("title"))
            seen.setdefault(name, str(licence.get("title") or name))
    return " ; ".join(f"{name} = {title}" for name, title in seen.items())


#: The source document's name in annex C's table: its title is written once in the note.
SOURCE_DOCUMENT_SHORT = "Document source"
#: What annex C says of omissions when the project transcribes no earlier document.
NO_SOURCE_DOCUMENT = (
    "Ce projet associatif ne reprend pas de document source (pas de « document_source » dans "
    "data/association/identite.yaml) : aucun passage n'est omis, aucun test de fidélité ne "
    "s'applique."
)


def _sources_cell(sources: Sequence[Mapping[str, Any]]) -> str:
    document = source_document()
    groups: dict[str, list[str]] = {}
    for source in sources:
        title = str(source.get("title", "")).strip() or MISSING
        title = SOURCE_DOCUMENT_SHORT if document and title == document.title else title
        item = ", ".join(
            p
            for p in (
                str(source.get("section", "")).strip(),
                f"p.{NBSP}{source['page']}" if source.get("page") else "",
            )
            if p
        )
        groups.setdefault(title, [])
        if item and item not in groups[title]:
            groups[title].append(item)
    cells = [f"{t}{NBSP}: {' ; '.join(items)}" if items else t for t, items in groups.items()]
    return ". ".join(cells) or MISSING


def _vintages_cell(sources: Sequence[Mapping[str, Any]]) -> str:
    vintages = [str(s["vintage"]).strip() for s in sources if s.get("vintage")]
    return " ; ".join(dict.fromkeys(vintages)) or "non précisé"


def resources_table(data_dir: Path | None = None) -> pd.DataFrame:
    """Return one row per data resource: title, file, sources, vintage, licence, rows.

    Every resource is validated on the way (``validate_all``): the row count is that of a
    valid table, and YAML documents, which have no rows, show « — ».
    """
    root = _root(data_dir)
    infos = discover(root)
    summaries = {s.name: s for s in validate_all(root)}
    rows = []
    for name, info in sorted(infos.items(), key=lambda item: _relative(item[1].path, root)):
        sources = info.descriptor.get("sources") or []
        summary = summaries.get(name)
        rows.append(
            {
                "Titre": str(info.descriptor.get("title") or name),
                "Fichier": _relative(info.path, root),
                "Sources": _sources_cell(sources),
                "Millésime": _vintages_cell(sources),
                "Licence": _licences(info.descriptor.get("licenses") or []),
                "Lignes": summary.rows if summary is not None and summary.ok else None,
            }
        )
    frame = pd.DataFrame(rows)
    frame["Lignes"] = frame["Lignes"].astype("Int64")
    return frame


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return Path(path).name


def data_files(data_dir: Path | None = None) -> list[Path]:
    """Return every file of the data directory, sorted, outside tool and output folders."""
    root = _root(data_dir)
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not IGNORED_DIRS.intersection(p.relative_to(root).parts)
    )


def short_hash(digest: str, length: int = SHORT_HASH) -> str:
    """Return the first ``length`` hexadecimal characters of a SHA-256."""
    if not re.fullmatch(r"[0-9a-f]{64}", digest or ""):
        raise ValueError(f"Empreinte SHA-256 invalide : {digest!r}")
    return digest[:length]


def data_fingerprints(data_dir: Path | None = None) -> pd.DataFrame:
    """Return each data file with its size in bytes and the start of its SHA-256."""
    root = _root(data_dir)
    return pd.DataFrame(
        [
            {
                "Fichier": _relative(path, root),
                "Taille (octets)": path.stat().st_size,
                "SHA-256 (début)": short_hash(sha256_file(path)),
            }
            for path in data_files(root)
        ],
        columns=["Fichier", "Taille (octets)", "SHA-256 (début)"],
    )


def provenance_files(data_dir: Path | None = None) -> list[Path]:
    """Return the ``PROVENANCE.md`` files of the data package (reference extracts)."""
    return [p for p in data_files(data_dir) if p.name == "PROVENANCE.md"]


def _section(text: str, heading: str) -> str:
    """Return the body of the ``## heading`` section of a Markdown text ("" when absent)."""
    match = re.search(rf"^##\s+{re.escape(heading)}\s*$(.*?)(?=^##\s|\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def _pipe_rows(block: str) -> list[list[str]]:
    rows = []
    for line in block.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if all(re.fullmatch(r":?-+:?", c) for c in cells):
            continue
        rows.append(cells)
    return rows


def reference_packages(path: Path) -> pd.DataFrame:
    """Return the « Paquets lus » table of a PROVENANCE.md: package, version, file, short hash."""
    rows = _pipe_rows(_section(Path(path).read_text(encoding="utf-8"), "Paquets lus"))
    if len(rows) < 2:
        raise ValueError(f"{path} : tableau « Paquets lus » introuvable.")
    header, body = rows[0], rows[1:]
    expected = ["Paquet", "Version", "Fichier", "SHA-256"]
    if header != expected:
        raise ValueError(f"{path} : colonnes « {' | '.join(header)} », attendu {expected}.")
    return pd.DataFrame(
        [
            {
                "Paquet": package,
                "Version": version,
                "Fichier du paquet": file.strip("`"),
                "SHA-256 (début)": short_hash(digest.strip("`")),
            }
            for package, version, file, digest in body
        ]
    )


def reference_vintages(path: Path) -> list[str]:
    """Return the bullet items of the « Millésimes » section of a PROVENANCE.md."""
    block = _section(Path(path).read_text(encoding="utf-8"), "Millésimes")
    return [line[2:].strip() for line in block.splitlines() if line.startswith("- ")]


_AT = re.compile(r"(?<!\\)@")


def reference_vintages_markdown(path: Path) -> str:
    """Return the reference vintages as a Markdown list followed by its source line."""
    items = reference_vintages(path)
    if not items:
        raise ValueError(f"{path} : section « Millésimes » vide ou absente.")
    where = "/".join(Path(path).parts[-2:])
    # The items are Markdown (bold package names) but « @etalab/… » would read as a citation.
    body = "\n".join("- " + _AT.sub(r"\\@", item) for item in items)
    return (
        f"{body}\n\nSource{NBSP}: fichier {where} du paquet de données (généré par "
        "« projet-associatif referentiel »).\n"
    )


def tool_versions(tools: Sequence[str] = TOOLS) -> pd.DataFrame:
    """Return the versions of Python, of this package and of ``tools`` (« non installé »)."""
    rows = [
        {"Outil": "Python", "Version": platform.python_version()},
        {"Outil": "projet-associatif", "Version": __version__},
    ]
    for name in tools:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "non installé"
        rows.append({"Outil": name, "Version": version})
    return pd.DataFrame(rows)


def data_dir_label(data_dir: Path | None) -> str:
    """Return how to name the data directory to readers, without a machine's absolute path."""
    if data_dir is None:
        return "data/ (répertoire de données du projet)"
    path = Path(data_dir).resolve()
    try:
        return path.relative_to(project_root().resolve()).as_posix() + "/"
    except ValueError:
        return f"{path.name}/ (répertoire de données fourni en paramètre, hors du projet)"


def execution_table(context: Any) -> pd.DataFrame:
    """Return the parameters of this execution (profile, as-of date, data, measurements)."""
    suivi = getattr(context, "suivi", None)
    return pd.DataFrame(
        [
            {"Paramètre": "Profil", "Valeur": f"{context.profile_label} ({context.profile})"},
            {"Paramètre": "Date d'arrêté", "Valeur": date_fr(context.as_of)},
            {"Paramètre": "Données", "Valeur": data_dir_label(context.data_dir)},
            {
                "Paramètre": "Fichier de suivi",
                "Valeur": Path(suivi).name if suivi else "aucun",
            },
        ]
    )


# --- the build manifest (build/<profil>/manifest.json, published as manifest.json) -------------


def read_manifest(path: Path) -> dict[str, Any]:
    """Return the build manifest written by ``projet_associatif.pipeline.build``."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path} : manifeste illisible (JSON invalide, ligne {exc.lineno})."
        ) from exc
    if not isinstance(manifest, dict) or "profil" not in manifest:
        raise ValueError(f"{path} : ce n'est pas un manifeste de construction (clé « profil »).")
    return manifest


def manifest_table(path: Path) -> pd.DataFrame:
    """Return the build manifest's key facts (profile, dates, version, hashes, tools) as a table."""
    manifest = read_manifest(path)
    epoch_origin = manifest.get("origine_date")
    built = manifest.get("date_construction")
    rows = [
        ("Profil", f"{manifest.get('libelle') or manifest['profil']} ({manifest['profil']})"),
        (
            "Date d'arrêté",
            date_fr(manifest["date_arrete"]) if manifest.get("date_arrete") else None,
        ),
        (
            "Date de construction",
            f"{date_fr(built)} ({epoch_origin})" if built and epoch_origin else built,
        ),
        ("Version du projet", manifest.get("version")),
        ("Formats", ", ".join(manifest.get("formats") or []) or None),
        ("Moteur de rendu", manifest.get("moteur")),
        ("Données", manifest.get("donnees")),
        ("Fichier de suivi", manifest.get("suivi") or "aucun"),
        ("Fichiers d'entrée", number(len(manifest.get("entrees") or []))),
        ("Notebooks exécutés", number(len(manifest.get("notebooks") or []))),
        ("Fichiers publiés", number(len(manifest.get("sorties") or []))),
    ]
    for key, label in (
        ("paquet_sha256", "Code du paquet"),
        ("environnement_sha256", "Environnement"),
    ):
        if manifest.get(key):
            rows.append((f"{label} (SHA-256, début)", short_hash(manifest[key])))
    for tool, version in (manifest.get("outils") or {}).items():
        rows.append((f"Outil : {tool}", version or "absent"))
    return pd.DataFrame(
        [{"Élément": k, "Valeur": MISSING if v is None else str(v)} for k, v in rows]
    )


def manifest_inputs(path: Path) -> pd.DataFrame:
    """Return the manifest's input files with the start of their SHA-256."""
    manifest = read_manifest(path)
    return pd.DataFrame(
        [
            {"Fichier": item["chemin"], "SHA-256 (début)": short_hash(item["sha256"])}
            for item in manifest.get("entrees") or []
        ],
        columns=["Fichier", "SHA-256 (début)"],
    )


# --- the annex's blocks ------------------------------------------------------------------------

DESCRIPTORS_SOURCE = (
    "descripteurs des ressources (fichiers <nom>.resource.yaml) du paquet de données, "
    "chaque ressource validée lors de l'exécution"
)


def resources(data_dir: Path | None = None) -> Table:
    """Return the table of every resource of the data package."""
    document = source_document()
    # A blank project has no source document to name.
    named = f"« {SOURCE_DOCUMENT_SHORT} » : {document.title}. " if document else ""
    return Table(
        resources_table(data_dir),
        title="Les tables du paquet de données",
        source=DESCRIPTORS_SOURCE,
        label="tbl-paquet-de-donnees",
        note=f"{named}Licences : "
        f"{licence_notes(data_dir)}. « — » dans la colonne Lignes : document YAML (texte "
        "structuré), sans lignes.",
    )


def omissions_table(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the deliberate omissions of the source: passage, place, formats, reason."""
    rows = []
    for entry in load("omissions", data_dir)["omissions"]:
        passage = entry.get("texte") or f"motif : {entry['motif']}"
        scope = ", ".join(entry.get("formats", [])) or "tous"
        if entry.get("profils"):
            scope += " ; profils : " + ", ".join(entry["profils"])
        rows.append(
            {
                "Passage de la source": passage,
                "Place dans la source": entry["section"],
                "Formats": scope,
                "Raison": entry["raison"],
            }
        )
    return pd.DataFrame(
        rows, columns=["Passage de la source", "Place dans la source", "Formats", "Raison"]
    )


def omissions(data_dir: Path | None = None) -> Table | Text:
    """Return the table of the passages of the source the report leaves out on purpose.

    A project that transcribes no source document (no ``document_source`` in identite.yaml)
    has nothing to leave out: one sentence says so.
    """
    if source_document() is None:
        return Text(NO_SOURCE_DOCUMENT)
    return Table(
        omissions_table(data_dir),
        title="Passages de la source omis délibérément",
        source=source_text(sources_of("omissions", data_dir)) + " ; data/fidelite/omissions.yaml",
        label="tbl-omissions",
        note="Tout autre passage de la source (phrase ou nombre) est vérifié dans le HTML, le "
        "PDF et le DOCX par le test de fidélité (tests/integration/test_fidelity.py). « motif » : "
        "expression régulière désignant des passages répétés.",
    )


def reference_extracts(data_dir: Path | None = None) -> list[Table | Text]:
    """Return, for each PROVENANCE.md of the data package, its packages and vintages."""
    files = provenance_files(data_dir)
    if not files:
        return [Text("Le paquet de données ne contient aucun extrait de référentiel public.")]
    root = _root(data_dir)
    blocks: list[Table | Text] = []
    for path in files:
        where = _relative(path, root)
        blocks.append(
            Table(
                reference_packages(path),
                title=f"Paquets publics lus pour l'extrait {Path(where).parent.as_posix()}/",
                source=f"fichier {where} du paquet de données",
            )
        )
        blocks.append(Text(reference_vintages_markdown(path)))
    return blocks


def execution(context: Any) -> Table:
    """Return the table of the parameters of this execution."""
    return Table(
        execution_table(context),
        title="Paramètres de cette exécution",
        source="paramètres du notebook, résolus par projet_associatif.pipeline.notebook.setup",
    )


def fingerprints(data_dir: Path | None = None) -> Table:
    """Return the table of every data file with the start of its SHA-256."""
    return Table(
        data_fingerprints(data_dir),
        title="Empreintes des fichiers de données",
        source="fichiers du répertoire de données, empreintes SHA-256 calculées lors de "
        "l'exécution (12 premiers caractères)",
    )


def tools() -> Table:
    """Return the table of the versions of Python and of the packages that shape the outputs."""
    return Table(
        tool_versions(),
        title="Versions des outils",
        source="métadonnées des paquets Python installés (importlib.metadata), lors de l'exécution",
    )


def manifest(path: Path) -> list[Table]:
    """Return a build manifest's tables: its key facts, then its inputs with short hashes."""
    where = Path(path).name
    return [
        Table(manifest_table(path), title="Manifeste de construction", source=where),
        Table(
            manifest_inputs(path),
            title="Entrées de la construction",
            source=f"{where} (empreintes SHA-256, 12 premiers caractères)",
        ),
    ]
