"""Every text exists in bokmål, nynorsk and English, with the same placeholders."""

import string

import pytest

from digihelse.core.i18n import LANGS, TEXTS, normalise_lang, t


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_key_has_every_language(key):
    variants = TEXTS[key]
    assert set(variants) == set(LANGS)
    assert all(variants[lang].strip() for lang in LANGS)
    assert len({frozenset(_fields(variants[lang])) for lang in LANGS}) == 1


@pytest.mark.parametrize("raw,expected", [
    ("nn", "nn"), ("en-GB", "en"), ("no", "nb"), ("nb_NO", "nb"), ("se", "nb"), (None, "nb"),
])
def test_language_codes_are_normalised(raw, expected):
    assert normalise_lang(raw) == expected


def test_placeholders_are_filled():
    assert t("home.hello", "nn", name="Ida") == "Hei, Ida"


def test_every_policy_explanation_has_a_text():
    from digihelse.access.policy import explanation_keys

    assert set(explanation_keys()) <= set(TEXTS)
