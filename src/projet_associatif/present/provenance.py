"""Say where every figure comes from: source lines, the data package, the audit, the build.

Used by the chapters (« Source : … » lines built from the resource descriptors), by annex B
(the audit of the source's figures, shown as it is: nothing is corrected) and by annex C
(the data package's resources, the reference extract, the fingerprints and tool versions of
an execution, and the build manifest).
"""

from __future__ import annotations

import json
import platform
import re
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from projet_associatif import __version__
from projet_associatif.analysis.audit import STATUSES, Finding
from projet_associatif.config.identity import source_document
from projet_associatif.core.formatting import MINUS, MISSING, NBSP, date_fr, nombre
from projet_associatif.core.markup import escape_markdown
from projet_associatif.core.paths import data_dir as default_data_dir
from projet_associatif.core.paths import project_root
from projet_associatif.data.cache import IGNORED_DIRS, sha256_file
from projet_associatif.data.package import discover, validate_all

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

#: French meaning of each audit status, in the order the annex presents them.
STATUS_MEANINGS = {
    "écart": "la valeur calculée s'écarte de la valeur énoncée au-delà des arrondis : "
    "incohérence du document source",
    "arrondi": "la différence s'explique par l'arrondi des chiffres énoncés",
    "information": "incohérence de libellé, cellule laissée vide par la source ou comparaison "
    "avec un référentiel d'un autre millésime : signalée, sans être une erreur de calcul",
    "conforme": "la valeur calculée égale la valeur énoncée, à la précision près",
}
STATUS_ORDER = ("écart", "arrondi", "information", "conforme")
_STATUS_PLURALS = {
    "conforme": ("contrôle conforme", "contrôles conformes"),
    "arrondi": ("écart d'arrondi", "écarts d'arrondi"),
    "écart": ("écart", "écarts"),
    "information": ("information", "informations"),
}


# --- source lines --------------------------------------------------------------------------


# A vintage the short form keeps: a year, quarter, month or day (« 2018 », « 2018-T2 »,
# « juin 2018 », « 2e trimestre 2018 »). Longer ones (« communes au 1er janvier 2025
# (déduit) ; … ») are left to annex C.
_DATED = re.compile(
    r"(?:\d{4}(?:-T[1-4]|-\d{2}(?:-\d{2})?)?"
    r"|(?:1er|[1-4]e) trimestre \d{4}"
    r"|(?:janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre"
    r"|décembre) \d{4})"
)
_ANNEX = re.compile(r"^Annexe (\d+)")


def ordinal_fr(n: int) -> str:
    """Return a French ordinal: « 1er », « 2e »."""
    return "1er" if n == 1 else f"{n}e"


def vintage_fr(text: str) -> str:
    """Spell out a vintage: « 2018-T2 » → « 2e trimestre 2018 », « 2018-06 » → « juin 2018 »."""
    text = re.sub(
        r"\b(\d{4})-T([1-4])\b",
        lambda m: f"{ordinal_fr(int(m.group(2)))} trimestre {m.group(1)}",
        text,
    )
    text = re.sub(
        r"\b(\d{4})-(\d{2})-(\d{2})\b",
        lambda m: date_fr(m.group(0), "jour"),
        text,
    )
    return re.sub(
        r"\b(\d{4})-(0[1-9]|1[0-2])\b",
        lambda m: date_fr(f"{m.group(0)}-01", "mois"),
        text,
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} et {items[-1]}"


def _document_places(sources: Iterable[Mapping[str, Any]]) -> str:
    pages = sorted({int(s["page"]) for s in sources if s.get("page")})
    annexes = sorted(
        {
            int(m.group(1))
            for s in sources
            if not s.get("page") and (m := _ANNEX.match(str(s.get("section") or "").strip()))
        }
    )
    places = [f"p.{NBSP}{_and([str(p) for p in pages])}"] if pages else []
    places += [f"annexe {a}" for a in annexes]
    return ", ".join([source_document().cited_as, *places])


def _public_entry(source: Mapping[str, Any]) -> tuple[str, str | None]:
    name = str(source.get("publisher") or source["title"]).strip()
    raw = str(source.get("vintage") or "").strip()
    vintage = vintage_fr(raw)
    year = re.search(r"\d{4}", vintage)
    if not _DATED.fullmatch(raw) or (year and year.group(0) in name):
        # An undated vintage, or one the name already carries, is told in annex C only.
        return name, None
    return name, vintage


def source_text(sources: Iterable[Mapping[str, Any]]) -> str:
    """Return the short text after « Source : » for descriptor sources.

    The source document is cited once with its pages (« projet associatif 2020, p. 7 et 16 »);
    each public source by its ``publisher`` (else its title) and its vintages when they are
    dates (« DIRECCTE Auvergne-Rhône-Alpes, juin 2018 et 2e trimestre 2018 »). Entries are
    deduplicated and joined by « ; »; the full references (title, section, page, vintage)
    are in annex C.
    """
    document: list[Mapping[str, Any]] = []
    public: dict[str, list[str]] = {}
    for source in sources:
        title = str(source.get("title") or "").strip()
        if not title:
            raise ValueError("Source sans titre : chaque source a un titre (document, éditeur).")
        if title == source_document().title:
            document.append(source)
            continue
        name, vintage = _public_entry(source)
        vintages = public.setdefault(name, [])
        if vintage and vintage not in vintages:
            vintages.append(vintage)
    if not document and not public:
        raise ValueError("Aucune source : un chiffre publié a toujours une source.")
    entries = [f"{name}, {_and(v)}" if v else name for name, v in public.items()]
    return " ; ".join([_document_places(document)] * bool(document) + entries)


def source_markdown(sources: Iterable[Mapping[str, Any]]) -> str:
    """Return a Markdown « Source : … » line, its text escaped, for prose under a figure."""
    return f"Source{NBSP}: {escape_markdown(source_text(sources))}"


def select_sources(
    sources: Sequence[Mapping[str, Any]], sections: Iterable[str]
) -> list[Mapping[str, Any]]:
    """Return the descriptor sources whose section is one of ``sections``, in descriptor order.

    Raise when none matches: a table quoting a section its descriptor does not declare would
    get a wrong source line.
    """
    wanted = {str(s) for s in sections}
    chosen = [s for s in sources if str(s.get("section", "")) in wanted]
    if not chosen:
        raise ValueError(
            "Aucune source du descripteur ne correspond aux sections : "
            + " ; ".join(sorted(wanted))
        )
    return chosen


def frame_source(frame: pd.DataFrame, sections: Iterable[str] | None = None) -> str:
    """Return the source line of a loaded table (``load`` keeps its sources in ``attrs``).

    With ``sections``, only the sources of those sections are cited; with a ``section``
    column in the frame and no ``sections``, the sections of its rows are cited.
    """
    sources = frame.attrs.get("sources") or []
    if not sources:
        raise ValueError(
            "Tableau sans sources : chargez-le avec datapackage.load (qui garde ses sources)."
        )
    if sections is None and "section" in frame.columns:
        sections = list(dict.fromkeys(frame["section"].dropna()))
    if sections is not None:
        sources = select_sources(sources, sections)
    return source_text(sources)


# --- annex C: the data package -------------------------------------------------------------


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


def _sources_cell(sources: Sequence[Mapping[str, Any]]) -> str:
    groups: dict[str, list[str]] = {}
    for source in sources:
        title = str(source.get("title", "")).strip() or MISSING
        title = SOURCE_DOCUMENT_SHORT if title == source_document().title else title
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
        ("Fichiers d'entrée", nombre(len(manifest.get("entrees") or []))),
        ("Notebooks exécutés", nombre(len(manifest.get("notebooks") or []))),
        ("Fichiers publiés", nombre(len(manifest.get("sorties") or []))),
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


# --- annex B: the audit --------------------------------------------------------------------


def status_counts(findings: Sequence[Finding]) -> pd.DataFrame:
    """Return the number of checks per status, with the meaning of each status."""
    unknown = {f.statut for f in findings} - set(STATUSES)
    if unknown:
        raise ValueError(f"Statut(s) d'audit inconnu(s) : {sorted(unknown)}")
    rows = [
        {
            "Statut": status,
            "Signification": STATUS_MEANINGS[status],
            "Contrôles": sum(f.statut == status for f in findings),
        }
        for status in STATUS_ORDER
    ]
    rows.append({"Statut": "Total", "Signification": "", "Contrôles": len(findings)})
    return pd.DataFrame(rows)


def _count(n: int, status: str) -> str:
    singular, plural = _STATUS_PLURALS[status]
    return f"{nombre(n)} {singular if n == 1 else plural}"


def audit_summary_sentence(findings: Sequence[Finding]) -> str:
    """Return the one-sentence summary of the audit, counts by status."""
    counts = {s: sum(f.statut == s for f in findings) for s in STATUS_ORDER}
    listed = [_count(counts[s], s) for s in STATUS_ORDER]
    return (
        f"L'audit compte {nombre(len(findings))} contrôles{NBSP}: "
        f"{', '.join(listed[:-1])} et {listed[-1]}. Aucun chiffre du document source n'a été "
        "corrigé : les valeurs énoncées sont publiées telles qu'imprimées, et les tables de "
        "données les gardent ainsi."
    )


def audit_value(text: str) -> str:
    """Return an audit value in French: numbers formatted (floating noise below 1e-9 is 0)."""
    text = (text or "").strip()
    if not text:
        return MISSING
    try:
        value = float(text)
    except ValueError:
        return text
    if abs(value) < 1e-9:
        value = 0.0
    return nombre(value)


def audit_gap(text: str) -> str:
    """Return a gap (calculé − déclaré) signed, « 0 » when nil, « — » when not computable."""
    shown = audit_value(text)
    if shown in (MISSING, "0") or shown.startswith(MINUS) or not shown[:1].isdigit():
        return shown
    return f"+{shown}"


#: Letter numbering the checks of each status (« E1 », « A1 », « I1 », « C1 »).
STATUS_CODES = {"écart": "E", "arrondi": "A", "information": "I", "conforme": "C"}


def _of_status(findings: Sequence[Finding], status: str) -> list[Finding]:
    if status not in STATUSES:
        raise ValueError(f"Statut d'audit inconnu : {status!r} ({', '.join(STATUSES)})")
    return [f for f in findings if f.statut == status]


def findings_table(findings: Sequence[Finding], status: str) -> pd.DataFrame:
    """Return the findings of one status as the annex's table: number, check, both values.

    The origins of the values and the comments, long texts, follow the table as a list
    (:func:`findings_origins_markdown`) keyed by the same numbers: the table stays narrow
    enough for the printed page.
    """
    rows = [
        {
            "N°": f"{STATUS_CODES[status]}{i}",
            "Contrôle": f"{f.controle} ({f.categorie})",
            "Déclaré": audit_value(f.valeur_declaree),
            "Calculé": audit_value(f.valeur_calculee),
            "Écart (calculé − déclaré)": audit_gap(f.ecart),
        }
        for i, f in enumerate(_of_status(findings, status), start=1)
    ]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def findings_origins_markdown(findings: Sequence[Finding], status: str) -> str:
    """Return, for each finding of one status, where both values come from and the comment."""
    items = []
    for i, f in enumerate(_of_status(findings, status), start=1):
        text = (
            f"Valeur déclarée{NBSP}: {f.source_declaree or MISSING}. "
            f"Valeur calculée{NBSP}: {f.source_calculee or MISSING}."
        )
        if f.commentaire:
            text += f" Commentaire{NBSP}: {f.commentaire}."
        items.append(f"- **{STATUS_CODES[status]}{i}** — {escape_markdown(text)}")
    return "\n".join(items) + "\n"


FINDING_COLUMNS = ("N°", "Contrôle", "Déclaré", "Calculé", "Écart (calculé − déclaré)")
_VALUE_COLUMNS = ("Déclaré", "Calculé", "Écart (calculé − déclaré)")


def _numeric_text(text: str) -> bool:
    """Return True for a French-formatted number (or « — »), False for words."""
    return bool(re.fullmatch(rf"[+{MINUS}]?[\d{NBSP}]+(,\d+)?|{MISSING}", text))


AUDIT_SOURCE = (
    "{cited} (valeurs déclarées, page à chaque ligne) ; valeurs calculées "
    "par le module d'audit à partir des tables validées du paquet de données"
)

_STATUS_TITLES = {
    "écart": "Écarts relevés dans le document source",
    "arrondi": "Écarts expliqués par les arrondis",
    "information": "Informations (libellés, cellules vides, référentiel)",
    "conforme": "Contrôles conformes",
}


def show_findings(findings: Sequence[Finding], status: str) -> None:
    """Display the table of one status, or a sentence saying that no check has that status."""
    from IPython.display import Markdown, display

    from projet_associatif.present import tables

    frame = findings_table(findings, status)
    if frame.empty:
        display(Markdown(f"Aucun contrôle n'a le statut « {status} »."))
        return
    # Numbers line up on the right; a column holding words (titles compared) stays left.
    right = {c: "right" for c in _VALUE_COLUMNS if all(_numeric_text(v) for v in frame[c])}
    tables.show(
        frame,
        title=f"{_STATUS_TITLES[status]} ({nombre(len(frame))})",
        source=AUDIT_SOURCE.format(cited=source_document().cited_as),
        align=right,
        label=f"tbl-audit-{tables.slug(status)}",
        note="origine des deux valeurs et commentaire de chaque contrôle : liste qui suit, "
        "par numéro.",
    )
    display(Markdown(findings_origins_markdown(findings, status)))


# --- displays of annexes B and C -------------------------------------------------------------

DESCRIPTORS_SOURCE = (
    "descripteurs des ressources (fichiers <nom>.resource.yaml) du paquet de données, "
    "chaque ressource validée lors de l'exécution"
)


def show_status_counts(findings: Sequence[Finding]) -> None:
    """Display the number of checks per status, with the meaning of each status."""
    from projet_associatif.present import tables

    tables.show(
        status_counts(findings),
        title="Contrôles de l'audit par statut",
        source=AUDIT_SOURCE.format(cited=source_document().cited_as),
        label="tbl-audit-statuts",
    )


def show_resources(data_dir: Path | None = None) -> None:
    """Display the table of every resource of the data package."""
    from projet_associatif.present import tables

    tables.show(
        resources_table(data_dir),
        title="Les tables du paquet de données",
        source=DESCRIPTORS_SOURCE,
        label="tbl-paquet-de-donnees",
        note=f"« {SOURCE_DOCUMENT_SHORT} » : {source_document().title}. Licences : "
        f"{licence_notes(data_dir)}. « — » dans la colonne Lignes : document YAML (texte "
        "structuré), sans lignes.",
    )


def omissions_table(data_dir: Path | None = None) -> pd.DataFrame:
    """Return the deliberate omissions of the source: passage, place, formats, reason."""
    from projet_associatif.data.package import load

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


def show_omissions(data_dir: Path | None = None) -> None:
    """Display the passages of the source the report leaves out on purpose, with why."""
    from projet_associatif.data.package import sources_of
    from projet_associatif.present import tables

    tables.show(
        omissions_table(data_dir),
        title="Passages de la source omis délibérément",
        source=source_text(sources_of("omissions", data_dir)) + " ; data/fidelite/omissions.yaml",
        label="tbl-omissions",
        note="Tout autre passage de la source (phrase ou nombre) est vérifié dans le HTML, le "
        "PDF et le DOCX par le test de fidélité (tests/test_fidelity.py). « motif » : "
        "expression régulière désignant des passages répétés.",
    )


def show_reference(data_dir: Path | None = None) -> None:
    """Display, for each PROVENANCE.md of the data package, its packages and vintages."""
    from IPython.display import Markdown, display

    from projet_associatif.present import tables

    files = provenance_files(data_dir)
    if not files:
        display(Markdown("Le paquet de données ne contient aucun extrait de référentiel public."))
        return
    root = _root(data_dir)
    for path in files:
        where = _relative(path, root)
        tables.show(
            reference_packages(path),
            title=f"Paquets publics lus pour l'extrait {Path(where).parent.as_posix()}/",
            source=f"fichier {where} du paquet de données",
        )
        display(Markdown(reference_vintages_markdown(path)))


def show_execution(context: Any) -> None:
    """Display the parameters of this execution."""
    from projet_associatif.present import tables

    tables.show(
        execution_table(context),
        title="Paramètres de cette exécution",
        source="paramètres du notebook, résolus par projet_associatif.pipeline.notebook.setup",
    )


def show_data_fingerprints(data_dir: Path | None = None) -> None:
    """Display every data file with the start of its SHA-256."""
    from projet_associatif.present import tables

    tables.show(
        data_fingerprints(data_dir),
        title="Empreintes des fichiers de données",
        source="fichiers du répertoire de données, empreintes SHA-256 calculées lors de "
        "l'exécution (12 premiers caractères)",
    )


def show_tool_versions() -> None:
    """Display the versions of Python and of the packages that shape the outputs."""
    from projet_associatif.present import tables

    tables.show(
        tool_versions(),
        title="Versions des outils",
        source="métadonnées des paquets Python installés (importlib.metadata), lors de l'exécution",
    )


def show_manifest(path: Path) -> None:
    """Display a build manifest: its key facts, then its input files with short hashes."""
    from projet_associatif.present import tables

    where = Path(path).name
    tables.show(manifest_table(path), title="Manifeste de construction", source=where)
    tables.show(
        manifest_inputs(path),
        title="Entrées de la construction",
        source=f"{where} (empreintes SHA-256, 12 premiers caractères)",
    )
