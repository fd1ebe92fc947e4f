"""The UI's words in bokmål (default), nynorsk and English.

Texts are keyed by a short dotted name; every key exists in every language (a unit test
checks it), so a screen never shows a key or falls back silently."""

from __future__ import annotations

from digihelse.i18n import texts, texts_card, texts_personnel

# One dictionary, assembled from a module per area of the app; a key defined twice is a bug.
TEXTS: dict[str, dict[str, str]] = {}
for _module in (texts, texts_personnel, texts_card):
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


def texts_for(lang: str) -> dict[str, str]:
    return _BY_LANG[normalise_lang(lang)]


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    text = texts_for(lang)[key]
    return text.format(**values) if values else text
