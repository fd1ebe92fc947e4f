"""The UI's words in bokmål (default), nynorsk and English, from gettext catalogs.

Code names a message by a literal key that `pybabel extract` finds (babel.cfg): `t("key",
lang)` on the server, `T("key")` in a page, `tn("key", n, lang)` for a plural, and
`P_(role, key)` to declare a role's own wording. Every message exists in every language
and every message in a catalog is used (tests/test_i18n.py), so a screen never shows a
key, and an unknown key raises instead of falling back silently."""

from __future__ import annotations

from functools import cache

from digihelse.core.i18n.catalogs import messages

LANGS = ("nb", "nn", "en")
DEFAULT_LANG = "nb"
LANG_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def normalise_lang(value: str | None) -> str:
    """A supported language code from user input such as 'nn', 'en-GB' or 'no'."""
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    if code == "no":
        return "nb"
    return code if code in LANGS else DEFAULT_LANG


def P_(role: str, key: str) -> str:
    """Marks that `role` has its own wording of `key` (msgctxt), for extraction."""
    return key


# The personnel pages are shared, and only a few sentences name who booked: the midwife's
# wording says "Hun skrev" where others read "Skrevet ved bestillingen". t() and T() pick a
# role's wording wherever the catalog has one; this list is what extraction sees.
ROLE_WORDING = (
    P_("midwife", "day.note"),
    P_("midwife", "day.cancel.reason"),
    P_("midwife", "day.cancel.hint"),
    P_("midwife", "day.msg.blocked"),
    P_("midwife", "sched.intro"),
    P_("midwife", "sched.done.new"),
    P_("midwife", "sched.conflicts"),
    P_("midwife", "sched.conflicts_todo"),
    P_("midwife", "card.background.intro"),
    P_("gp", "card.background.intro"),
)


def text(key: str, lang: str = DEFAULT_LANG, role: str = "") -> str:
    """The message unformatted: the role's wording where it has one. KeyError if unknown."""
    texts = messages(normalise_lang(lang)).texts
    if role and (role, key) in texts:
        return texts[(role, key)]
    return texts[(None, key)]


def is_message(key: str) -> bool:
    return (None, key) in messages(DEFAULT_LANG).texts


def t(key: str, lang: str = DEFAULT_LANG, *, role: str = "", **values: object) -> str:
    """The message in a language (and role), its {placeholders} filled in."""
    message = text(key, lang, role)
    return message.format(**values) if values else message


def tn(key: str, n: int, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The plural form of a message for n ("1 ledig tid", "3 ledige tider"); {n} is n."""
    return messages(normalise_lang(lang)).plural(key, n).format(n=n, **values)


@cache
def _contexts() -> dict[str, set[str | None]]:
    by_key: dict[str, set[str | None]] = {}
    for context, key in messages(DEFAULT_LANG).texts:
        by_key.setdefault(key, set()).add(context)
    return by_key


def variants(key: str) -> dict[str | None, dict[str, str]]:
    """A message in every language, by role context (None: everyone's wording)."""
    contexts = _contexts().get(key, set())
    if None not in contexts:
        raise KeyError(f"no message {key!r}")
    return {context: {lang: messages(lang).texts[(context, key)] for lang in LANGS}
            for context in sorted(contexts, key=lambda c: c or "")}


# Everyone's wording of every (singular) message, by key and language: for tests and
# benchmarks that look for the words on a page or in a websocket frame.
TEXTS: dict[str, dict[str, str]] = {
    key: {lang: messages(lang).texts[(None, key)] for lang in LANGS}
    for (context, key) in messages(DEFAULT_LANG).texts if context is None
}
