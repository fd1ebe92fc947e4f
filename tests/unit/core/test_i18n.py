"""Every message exists in bokmål, nynorsk and English, with the same placeholders, and the
catalogs match the code: nothing used and missing, nothing unused, no .po out of date."""

import re
import string
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from digihelse.core.i18n import LANGS, normalise_lang, t, tn, variants
from digihelse.core.i18n.catalogs import read_catalog

ROOT = Path(__file__).resolve().parents[3]


def _fields(text: str) -> frozenset[str]:
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


def _ids(catalog) -> dict[tuple[str | None, str], bool]:
    """(context, key) -> whether it is a plural, for every message in a catalog."""
    return {(m.context, m.id[0] if m.pluralizable else m.id): m.pluralizable
            for m in catalog if m.id}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The code's messages, extracted as `make messages` does (keywords from the Makefile)."""
    keywords = re.search(r"^BABEL_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(),
                         re.M).group(1).split()
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"),
                                "--no-default-keywords", *keywords, "-o", str(pot),
                                str(ROOT / "digihelse"), str(ROOT / "devtools")])
    with pot.open("rb") as fp:
        return _ids(read_po(fp))


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_has_every_message_the_code_uses(extracted, lang):
    assert sorted(set(extracted) - set(_ids(read_catalog(lang)))) == []


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_has_no_message_the_code_does_not_use(extracted, lang):
    assert sorted(set(_ids(read_catalog(lang))) - set(extracted)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_up_to_date_with_the_code(extracted, lang):
    """Same messages, each a plural exactly where the code asks for one."""
    assert _ids(read_catalog(lang)) == extracted


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated_with_the_same_placeholders(lang):
    reference = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m
                 for m in read_catalog("nb") if m.id}
    for message in read_catalog(lang):
        if not message.id:
            continue
        forms = message.string if message.pluralizable else (message.string,)
        assert not message.fuzzy and all(form.strip() for form in forms), message.id
        key = (message.context, message.id[0] if message.pluralizable else message.id)
        nb = reference[key].string
        nb_fields = _fields(nb[-1] if message.pluralizable else nb)
        assert all(_fields(form) <= nb_fields | {"n"} for form in forms), message.id
        if not message.pluralizable:
            assert _fields(message.string) == nb_fields, message.id


@pytest.mark.parametrize("raw,expected", [
    ("nn", "nn"), ("en-GB", "en"), ("no", "nb"), ("nb_NO", "nb"), ("se", "nb"), (None, "nb"),
])
def test_language_codes_are_normalised(raw, expected):
    assert normalise_lang(raw) == expected


def test_placeholders_are_filled():
    assert t("home.hello", "nn", name="Ida") == "Hei, Ida"


def test_plurals_follow_the_number():
    assert tn("sched.n_free", 1, "nb") == "1 ledig tid"
    assert tn("sched.n_free", 3, "nb") == "3 ledige tider"
    assert tn("sched.n_free", 0, "en") == "0 free times"


def test_a_role_has_its_own_wording_and_others_the_common_one():
    assert t("day.note", "nb", role="midwife") != t("day.note", "nb")
    assert t("day.note", "nb", role="school_nurse") == t("day.note", "nb")
    assert set(variants("day.note")) == {None, "midwife"}


def test_an_unknown_key_raises_instead_of_showing_the_key():
    with pytest.raises(KeyError):
        t("no.such.key", "nb")


def test_every_policy_explanation_has_a_text():
    from digihelse.access.policy import explanation_keys

    for key in explanation_keys():
        assert t(key, "en")


def test_sms_texts_are_in_the_recipients_language_with_babels_dates():
    import datetime as dt

    from digihelse.booking import notices as svc
    from digihelse.core.timeutil import OSLO

    start = dt.datetime(2026, 11, 25, 10, 15, tzinfo=OSLO)
    assert svc.confirmation_text(start) == \
        "Timen din hos helsesykepleier er bestilt: onsdag 25. november kl. 10.15."
    assert svc.confirmation_text(start, lang="nn") == \
        "Timen din hos helsesjukepleiar er bestilt: onsdag 25. november kl. 10.15."
    assert svc.confirmation_text(start, lang="en") == \
        "Your appointment with the school nurse is booked: Wednesday 25 November at 10.15."
    assert svc.reminder_text(start, dt.date(2026, 11, 24), "", lang="nn") == \
        "Du har ein time i morgon kl. 10.15."
    assert svc.slot_label(start) == "Onsdag 25. nov 10.15"


def test_the_schedule_counts_free_times_in_plural_and_in_the_roles_words():
    from digihelse.ui.state.nurse_schedule import done_text, effect_text

    assert effect_text(1, 3, "nb") == t("sched.effect.both", "nb", new="1 ny ledig tid",
                                        gone="3 ledige tider")
    assert "2 new free times" in done_text(2, 0, "en")
    assert done_text(2, 0, "nb", role="midwife") != done_text(2, 0, "nb", role="school_nurse")


def test_every_booking_topic_has_a_message_in_every_language():
    from digihelse.booking.models import Topic
    from digihelse.core.i18n.families import keyed

    for topic in Topic:
        for lang in LANGS:
            assert t(keyed("topic", topic), lang)


def test_numbers_plurals_and_role_wording_read_as_each_reader_expects():
    from digihelse.core.i18n import text
    from digihelse.core.i18n.formatting import day_month, number

    assert (number(71.5, "nb"), number(71.5, "nn"), number(71.5, "en")) == \
        ("71,5", "71,5", "71.5")
    assert number(168.0, "nb") == "168" and number(27, "en", 1) == "27.0"
    assert tn("card.mine.questions", 1, "nb") == "1 nytt spørsmål"
    assert tn("card.mine.questions", 3, "nb") == "3 nye spørsmål"
    assert tn("card.mine.questions", 1, "en") == "1 new question"
    import datetime as dt

    assert day_month(dt.date(2026, 12, 3), "en") == "3 December"
    assert t("card.form.sf_hint", "nn") == "Frå veke 24"
    # The midwife reads about "her", the woman about "you".
    assert "deg" in text("card.background.intro", "nb")
    assert "henne" in text("card.background.intro", "nb", role="midwife")
    assert "Eleven" not in text("day.note", "nb")  # also at the youth clinic and for children
