"""``python -m workers.messages [DIR ...] [--check]``: extract the texts marked for translation
(``_()``, ``N_()``, ``{% trans %}``) from a source directory's code and templates into its
Simplified Chinese catalog, keeping every translation already made.

A DIR is ``shared``, a service (``intake``) or a feature package with its own catalog
(``services/intake/booking``); without one, every directory that has a ``locales`` folder.
A subdirectory with a catalog of its own is left to it. Translate the new entries
(``msgstr``) by hand in ``DIR/locales/zh_CN/LC_MESSAGES/messages.po``; English is the source
text, so it needs no catalog. ``--check`` changes nothing and exits 1 when a text of
``shared`` or a service has no Chinese in any catalog.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from shared.i18n import CATALOG_DOMAIN, ROOT, catalog_dirs

CHINESE = "zh_CN"
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None, "both": None}
SKIP_DIRS = ("locales", "__pycache__", "static")


def source_dir(name: str) -> Path:
    if name == "shared" or "/" in name:
        return ROOT / name
    return ROOT / "services" / name


def all_sources() -> list[str]:
    services = sorted(p.parent.name for p in (ROOT / "services").glob("*/app.py"))
    return ["shared", *services]


def catalog_path(directory: Path) -> Path:
    return directory / "locales" / CHINESE / "LC_MESSAGES" / f"{CATALOG_DOMAIN}.po"


def extract(directory: Path, *, own_only: bool) -> Catalog:
    """Every text marked under ``directory``; with ``own_only``, not in subdirectories that
    keep a catalog of their own."""

    def wanted(path: str) -> bool:
        sub = Path(path)
        if any(part in SKIP_DIRS or part.startswith(".") for part in sub.parts):
            return False
        return not (own_only and sub != directory and (sub / "locales").is_dir())

    template = Catalog(domain=CATALOG_DOMAIN)
    found = extract_from_dir(
        str(directory),
        method_map=METHODS,
        options_map=OPTIONS,
        keywords=KEYWORDS,
        directory_filter=wanted,
    )
    for filename, lineno, message, comments, context in found:
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def read_catalog(directory: Path) -> Catalog:
    path = catalog_path(directory)
    if not path.exists():
        return Catalog(locale=CHINESE, domain=CATALOG_DOMAIN)
    with path.open("rb") as file:
        return read_po(file, locale=CHINESE)


def _text(message_id: str | Sequence[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _translated(string: str | Sequence[str] | None) -> bool:
    return bool(string) if isinstance(string, str) or string is None else all(string)


def untranslated(catalog: Catalog) -> list[str]:
    return [_text(m.id) for m in catalog if m.id and (not _translated(m.string) or m.fuzzy)]


def update(directory: Path) -> Catalog:
    catalog = read_catalog(directory)
    catalog.update(extract(directory, own_only=True), no_fuzzy_matching=True)
    catalog.project, catalog.fuzzy = "roomline", False
    path = catalog_path(directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as file:
        write_po(file, catalog, width=100, ignore_obsolete=True, sort_output=True)
    return catalog


def translated_texts() -> set[str]:
    """Every text some catalog gives a Chinese for (a plural by its singular; a text the same
    in both languages, like "PDF", counts when its entry is filled)."""
    found: set[str] = set()
    for directory in catalog_dirs():
        catalog = read_catalog(directory.parent)
        found |= {_text(m.id) for m in catalog if m.id and _translated(m.string) and not m.fuzzy}
    return found


def missing_chinese(name: str) -> list[str]:
    """Texts marked anywhere under ``shared`` or a service that no catalog translates."""
    marked = {_text(m.id) for m in extract(source_dir(name), own_only=False) if m.id}
    return sorted(marked - translated_texts())


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="shared, a service or a feature directory")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.check:
        missing = {name: missing_chinese(name) for name in args.names or all_sources()}
        for name, texts in missing.items():
            print(f"{name}: {len(texts)} texts without Chinese", *texts[:20], sep="\n  ")
        return 1 if any(missing.values()) else 0
    directories = [source_dir(n) for n in args.names] or [d.parent for d in catalog_dirs()]
    for directory in directories:
        catalog = update(directory)
        where = directory.relative_to(ROOT)
        print(f"{where}: {len(catalog)} texts, {len(untranslated(catalog))} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
