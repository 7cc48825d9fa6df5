"""Human text in the users' language: gettext catalogs, Chinese by default.

Code is written with English message ids; `texts/locale/zh/LC_MESSAGES/<domain>.po` holds the
Chinese. English is the catalogs' source language, so `en` needs no catalog. One catalog per area
of the code, so each is small and owned by one part:

- `case`: what a case records and shows (event summaries, the Web UI's summary, details and
  timer summaries); the case's language is fixed when it starts, so a replay reads the same.
- `terms`: the names of machine values (levels, statuses, risk colours, dispute types…).
- `actions`: each action's label and help (domain/catalogue.py), for the CLI and the page.
- `cli`: `starter.py` and the stack's messages, `status`'s human view, the worklist.
- `notify`, `report`, `web`: notifications, the assessment's files, the API's pages.

A process picks its language once (`--lang`, else `DISPUTE_LANG`, else Chinese) with
`use_lang`; a case carries its own. The `.po` files are read with Babel and compiled in memory on
first use (a worker reads them all at start), so there is no build step and no compiled file
to go stale. JSON keys, event kinds,
search-attribute values and exit statuses are the machine contract: never translated.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from enum import StrEnum
from functools import cache
from pathlib import Path

# Imported here, not where a catalog is first read: that may be inside a workflow's sandbox,
# which refuses the locks Babel creates when it is imported (`texts` itself passes through).
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("case", "terms", "actions", "cli", "runtime", "notify", "report", "web")
LANG_ENV = "DISPUTE_LANG"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


DEFAULT_LANG = Lang.zh


def parse_lang(value: str | None) -> Lang:
    """'zh', 'zh_CN', 'zh-CN.UTF-8', 'en', 'en_US'… to a supported language; Chinese for none."""
    if not value:
        return DEFAULT_LANG
    code = value.strip().lower().replace("-", "_").split(".")[0].split("_")[0]
    try:
        return Lang(code)
    except ValueError:
        supported = ", ".join(lang.value for lang in Lang)
        raise ValueError(f"unknown language {value!r} (supported: {supported})") from None


_process_lang: Lang | None = None


def use_lang(value: str | Lang | None = None) -> Lang:
    """Fix this process's language: the value given, else `DISPUTE_LANG`, else Chinese."""
    global _process_lang
    _process_lang = parse_lang(value if value else os.environ.get(LANG_ENV))
    return _process_lang


def process_lang() -> Lang:
    """This process's language (read from `DISPUTE_LANG` on first use if `use_lang` was not
    called)."""
    return _process_lang if _process_lang is not None else use_lang()


@cache
def catalog(domain: str, lang: Lang | str) -> _gettext.NullTranslations:
    """The translations of one domain in one language (cached for the process)."""
    if domain not in DOMAINS:
        raise ValueError(f"unknown text domain {domain!r}")
    lang = Lang(lang)
    if lang is Lang.en:
        return _gettext.NullTranslations()
    po = LOCALE_DIR / lang.value / "LC_MESSAGES" / f"{domain}.po"
    if not po.exists():
        return _gettext.NullTranslations()
    with po.open("rb") as fh:
        parsed = read_po(fh, locale=lang.value, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, parsed, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is written, translated later with `_(...)`."""
    return message


class Texts:
    """One domain's texts in one language, called as gettext's names so Babel extracts them:
    `_("...")`, `_.pgettext("context", "...")`, `_.ngettext("one", "many", n)`. Format after
    translating, with named fields: `_("{days} days left").format(days=3)`."""

    __slots__ = ("_t", "domain", "lang")

    def __init__(self, domain: str, lang: Lang | str) -> None:
        self.domain = domain
        self.lang = Lang(lang)
        self._t = catalog(domain, self.lang)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    __call__ = gettext

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._t.ngettext(singular, plural, count)


@cache
def texts(domain: str, lang: Lang | str) -> Texts:
    return Texts(domain, lang)


def process_texts(domain: str) -> Texts:
    """A domain's texts in this process's language."""
    return texts(domain, process_lang())


def preload() -> None:
    """Read every catalog of every language (a worker does it at start: a workflow task then
    never reads a file)."""
    for domain in DOMAINS:
        for lang in Lang:
            catalog(domain, lang)
