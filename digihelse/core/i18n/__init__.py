"""The UI's words in bokmål (default), nynorsk and English.

Texts are keyed by a short dotted name; every key exists in every language (a unit test
checks it), so a screen never shows a key or falls back silently."""

from __future__ import annotations

from digihelse.core.i18n import (
    texts,
    texts_card,
    texts_carer_forms,
    texts_personnel,
    texts_sharing,
)

# One dictionary, assembled from a module per area of the app; a key defined twice is a bug.
TEXTS: dict[str, dict[str, str]] = {}
for _module in (texts, texts_personnel, texts_card, texts_sharing, texts_carer_forms):
    _clash = TEXTS.keys() & _module.TEXTS.keys()
    if _clash:
        raise RuntimeError(f"texts defined twice: {sorted(_clash)}")
    TEXTS.update(_module.TEXTS)

LANGS = ("nb", "nn", "en")
DEFAULT_LANG = "nb"
LANG_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


def normalise_lang(value: str | None) -> str:
    """A supported language code from user input such as 'nn', 'en-GB' or 'no'."""
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    if code == "no":
        return "nb"
    return code if code in LANGS else DEFAULT_LANG


_BY_LANG: dict[str, dict[str, str]] = {
    lang: {key: variants[lang] for key, variants in TEXTS.items()} for lang in LANGS
}


# "day.note@midwife" is the midwife's wording of "day.note" ("Hun skrev" for "Eleven skrev"):
# the personnel pages are shared, and only a few sentences name who booked.
ROLE_MARK = "@"
_BY_ROLE: dict[tuple[str, str], dict[str, str]] = {}
for (_lang, _texts) in _BY_LANG.items():
    for _key in [k for k in _texts if ROLE_MARK in k]:
        _base, _role = _key.split(ROLE_MARK, 1)
        _BY_ROLE.setdefault((_lang, _role), dict(_texts))[_base] = _texts[_key]


def texts_for(lang: str, role: str = "") -> dict[str, str]:
    """The texts in a language, in a role's wording where it has its own."""
    lang = normalise_lang(lang)
    return _BY_ROLE.get((lang, role)) or _BY_LANG[lang]


def role_key(key: str, role: str) -> str:
    """The role's own variant of a key when there is one, else the key."""
    variant = f"{key}{ROLE_MARK}{role}"
    return variant if role and variant in TEXTS else key


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    text = texts_for(lang)[key]
    return text.format(**values) if values else text
