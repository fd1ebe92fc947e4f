"""The gettext catalogs (locales/<lang>/LC_MESSAGES/messages.po), read once at start.

The .po files are read directly with Babel, so a fresh clone needs no compile step and the
git tree holds no build output. Message ids are symbolic keys ("book.title"); a role's own
wording of a message is the same key under the role as gettext context (msgctxt
"midwife"), and a plural is a msgid/msgid_plural pair with one form per CLDR plural rule."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    with po_path(lang).open("rb") as fp:
        return read_po(fp, locale=lang, domain=DOMAIN)


@dataclass(frozen=True)
class Messages:
    """One language's translated messages: (context, key) -> the text, or the plural forms."""

    texts: dict[tuple[str | None, str], str]
    plurals: dict[str, tuple[str, ...]]
    catalog: Catalog

    def plural(self, key: str, n: int) -> str:
        return self.plurals[key][_plural_function(self.catalog.plural_expr)(n)]


@cache
def _plural_function(expr: str):
    from gettext import c2py

    return c2py(expr)


@cache
def messages(lang: str) -> Messages:
    catalog = read_catalog(lang)
    texts: dict[tuple[str | None, str], str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue  # the header, and guesses nobody has checked
        if message.pluralizable:
            if all(message.string):
                plurals[message.id[0]] = tuple(message.string)
        elif message.string:
            texts[(message.context, message.id)] = message.string
    return Messages(texts, plurals, catalog)
