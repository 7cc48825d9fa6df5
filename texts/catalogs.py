"""Keep the catalogs in step with the code: `python -m texts.catalogs check|update`.

Each domain's messages are extracted (with Babel) from the files listed in `SOURCES`; `update`
merges them into `locale/<lang>/LC_MESSAGES/<domain>.po`, keeping every translation and adding
new ids with an empty translation; `check` (run by the test suite) fails on a message the code
uses that a catalog lacks or leaves untranslated, and on a catalog entry no code uses.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract as extract_messages
from babel.messages.pofile import read_po, write_po

from texts import DOMAINS, LOCALE_DIR, Lang

ROOT = LOCALE_DIR.parent.parent

#: Which files speak in which domain (globs relative to the project root, `**` for any depth).
#: A file belongs to one domain: name it exactly to take it out of another domain's wildcard.
SOURCES: dict[str, tuple[str, ...]] = {
    "case": ("workflows/**/*.py", "domain/**/*.py"),
    "terms": ("texts/terms.py",),
    "actions": ("domain/catalogue.py",),
    "cli": ("starter.py", "stack.py", "cli/**/*.py"),
    "runtime": ("runtime/**/*.py", "ledger/**/*.py", "service/**/*.py"),
    "notify": ("notify/**/*.py", "cli/notifications.py"),
    "report": ("activities/**/*.py", "activities/templates/**/*.html"),
    "web": ("api/**/*.py", "api/templates/**/*.html"),
}

KEYWORDS = {
    "_": None,
    "N_": None,
    "gettext": None,
    "pgettext": ((1, "c"), 2),
    "ngettext": (1, 2),
    "term_": ((1, "c"), 2),
}
#: A fixed header date, so that `update` changes a catalog only where its messages change.
HEADER_DATE = datetime(2026, 11, 25, tzinfo=UTC)


def files(domain: str) -> list[Path]:
    """The files of one domain. A file named exactly in one domain belongs there, even if
    another domain's wildcard also matches it."""
    named = {ROOT / p for patterns in SOURCES.values() for p in patterns if "*" not in p}
    found: set[Path] = set()
    for pattern in SOURCES[domain]:
        if "*" not in pattern:
            found.add(ROOT / pattern)
            continue
        found.update(path for path in ROOT.glob(pattern) if path not in named)
    return sorted(path for path in found if path.is_file())


def extract(domain: str) -> Catalog:
    """The messages the code of one domain uses, as a template catalog."""
    template = Catalog(domain=domain, project="dispute-engine", charset="utf-8")
    for path in files(domain):
        if path.suffix == ".html":
            method, options = "jinja2", {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
        else:
            method, options = "python", {}
        with path.open("rb") as fh:
            found = extract_messages(method, fh, KEYWORDS, ("NOTE",), options)
            for lineno, message, comments, context in found:
                where = [(str(path.relative_to(ROOT)), lineno)]
                template.add(message, None, where, auto_comments=comments, context=context)
    return template


def po_path(domain: str, lang: Lang) -> Path:
    return LOCALE_DIR / lang.value / "LC_MESSAGES" / f"{domain}.po"


def _read(domain: str, lang: Lang) -> Catalog:
    path = po_path(domain, lang)
    if not path.exists():
        return Catalog(locale=lang.value, domain=domain, charset="utf-8", fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale=lang.value, domain=domain)


@dataclass
class Problems:
    missing: list[str]
    untranslated: list[str]
    unused: list[str]

    def __bool__(self) -> bool:
        return bool(self.missing or self.untranslated or self.unused)


def _key(message) -> tuple[str | None, str]:
    mid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, mid


def _label(key: tuple[str | None, str]) -> str:
    return f"{key[0]}|{key[1]}" if key[0] else key[1]


def problems(domain: str, lang: Lang = Lang.zh) -> Problems:
    used = {_key(m): m for m in extract(domain) if m.id}
    have = {_key(m): m for m in _read(domain, lang) if m.id}

    def translated(m) -> bool:
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        return all(strings) and not m.fuzzy

    return Problems(
        missing=sorted(_label(k) for k in used.keys() - have.keys()),
        untranslated=sorted(_label(k) for k, m in have.items() if k in used and not translated(m)),
        unused=sorted(_label(k) for k in have.keys() - used.keys()),
    )


def update(domain: str, lang: Lang = Lang.zh) -> Path:
    """Merge the code's messages into the catalog, keeping translations; drop unused ones."""
    catalog = _read(domain, lang)
    catalog.update(extract(domain), no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.project, catalog.version, catalog.fuzzy = "dispute-engine", "", False
    catalog.creation_date = catalog.revision_date = HEADER_DATE
    catalog.last_translator = catalog.language_team = "dispute-engine"
    path = po_path(domain, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, include_lineno=False, sort_by_file=False)
    return path


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    langs = [lang for lang in Lang if lang is not Lang.en]
    bad = 0
    for domain in DOMAINS:
        for lang in langs:
            if command == "update":
                print(f"updated {update(domain, lang).relative_to(ROOT)}")
            found = problems(domain, lang)
            for what in ("missing", "untranslated", "unused"):
                for label in getattr(found, what):
                    print(f"{domain}.po ({lang}): {what}: {label}")
            bad += bool(found.missing or found.untranslated)
    return 1 if bad and command == "check" else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
