"""Her own measurements on the page (digihelse.ui.presenters.home_readings): what she
types becomes a draft or a plain message by field, a reading becomes a row, and a refused
read says one thing whatever refused it."""

from __future__ import annotations

import datetime as dt

import pytest

from digihelse.access.actors import AccessDenied
from digihelse.core.i18n import LANGS, t
from digihelse.core.timeutil import OSLO
from digihelse.healthcard.errors import CardNotFound, StaleEdit
from digihelse.healthcard.home_readings import HomeReadingView
from digihelse.ui.presenters.home_readings import (
    FIELDS,
    every_problem,
    field_of,
    now_fields,
    parse_reading,
    reading_fields,
    reading_row,
    refusal_text,
)

FORM = {"measured_on": "2026-12-05", "measured_time": "07:30", "bp_systolic": "145",
        "bp_diastolic": "95", "pulse": "", "weight_kg": ""}


def _form(**changes: str) -> dict[str, str]:
    return {**FORM, **changes}


def test_a_blood_pressure_at_home_becomes_a_draft_in_utc():
    draft, errors = parse_reading(_form(pulse=" 78 "))
    assert errors == {}
    assert draft is not None
    assert (draft.bp_systolic, draft.bp_diastolic, draft.pulse, draft.weight_kg) \
        == (145, 95, 78, None)
    assert draft.measured_at == dt.datetime(2026, 12, 5, 7, 30, tzinfo=OSLO)
    assert draft.measured_at.utcoffset() == dt.timedelta(0)


def test_a_weight_takes_a_decimal_comma_or_point():
    for typed in ("71,5", "71.5", " 71,5 "):
        draft, errors = parse_reading(_form(bp_systolic="", bp_diastolic="", weight_kg=typed))
        assert errors == {} and draft is not None and draft.weight_kg == 71.5


@pytest.mark.parametrize("name", ["bp_systolic", "bp_diastolic", "pulse"])
@pytest.mark.parametrize("typed", ["abc", "14o", "120,5", "1/2"])
def test_a_blood_pressure_or_pulse_that_is_not_a_whole_number_says_what_to_type(name, typed):
    draft, errors = parse_reading(_form(**{name: typed}))
    assert draft is None
    assert errors == {name: "card.error.home_whole_number"}


def test_a_weight_that_is_not_a_number_says_what_to_type():
    draft, errors = parse_reading(_form(weight_kg="seksti"))
    assert draft is None and errors == {"weight_kg": "card.error.home_weight_number"}


def test_a_missing_or_unreadable_date_or_time_is_the_fields_own_error():
    assert parse_reading(_form(measured_on=""))[1] == \
        {"measured_on": "card.error.home_when_missing"}
    assert parse_reading(_form(measured_on="5. desember"))[1] == \
        {"measured_on": "card.error.invalid"}
    assert parse_reading(_form(measured_time=""))[1] == \
        {"measured_time": "card.error.home_when_missing"}
    assert parse_reading(_form(measured_time="halv åtte"))[1] == \
        {"measured_time": "card.error.invalid"}


def test_every_problem_at_once_each_under_its_field():
    _draft, errors = parse_reading(_form(bp_systolic="x", weight_kg="y", measured_time="z"))
    assert set(errors) == {"bp_systolic", "weight_kg", "measured_time"}
    assert set(errors) <= set(FIELDS)


@pytest.mark.parametrize("key", ["card.error.home_whole_number",
                                 "card.error.home_weight_number",
                                 "card.error.home_when_missing", "card.error.home_empty",
                                 "card.error.home_in_future", "card.error.home_too_old",
                                 "card.error.pulse_alone", "card.error.pulse_range"])
def test_her_messages_are_plain_words_in_every_language(key):
    texts = {lang: t(key, lang) for lang in LANGS}
    assert all(text and text != key and text.endswith(".") for text in texts.values())
    assert texts["nb"] != texts["en"]  # not the same words copied into each language


def test_the_services_time_error_is_shown_under_the_date():
    assert field_of("measured_at") == "measured_on"
    assert field_of("bp_systolic") == "bp_systolic"


def _reading(**changes) -> HomeReadingView:
    values = {"id": 7, "measured_at": dt.datetime(2026, 12, 5, 6, 30, tzinfo=dt.UTC),
              "ga_text": "27+3", "bp_systolic": 145, "bp_diastolic": 95, "pulse": 78,
              "weight_kg": 71.2, "high": True, "hidden_from_proxy": False, "version": 2}
    return HomeReadingView(**{**values, **changes})


def test_a_reading_as_a_row_in_bokmal_and_english():
    row = reading_row(_reading(), "nb")
    assert row.when.startswith("5. desember") and "07.30" in row.when and "27+3" in row.when
    assert row.lines[0].endswith("145/95 (puls 78)")
    assert row.lines[1].endswith("71,2")
    assert row.high and not row.hidden and (row.id, row.version) == (7, 2)
    assert reading_row(_reading(), "en").lines[1].endswith("71.2")


def test_a_row_shows_only_what_she_measured():
    weight_only = reading_row(_reading(bp_systolic=None, bp_diastolic=None, pulse=None,
                                       high=False, ga_text=None), "nb")
    assert len(weight_only.lines) == 1 and "/" not in weight_only.lines[0]
    assert "27+3" not in weight_only.when and not weight_only.high


def test_a_reading_goes_back_into_the_form_as_she_typed_it():
    fields = reading_fields(_reading())
    assert fields == {"measured_on": "2026-12-05", "measured_time": "07:30",
                      "bp_systolic": "145", "bp_diastolic": "95", "pulse": "78",
                      "weight_kg": "71,2", "version": "2"}
    draft, errors = parse_reading(fields)
    assert errors == {} and draft is not None
    assert draft.measured_at == _reading().measured_at


def test_a_new_form_starts_now_in_oslo_with_nothing_measured():
    fields = now_fields(dt.datetime(2026, 6, 30, 22, 5, tzinfo=dt.UTC))
    assert (fields["measured_on"], fields["measured_time"]) == ("2026-07-01", "00:05")
    assert all(fields[name] == "" for name in ("bp_systolic", "bp_diastolic", "pulse",
                                               "weight_kg", "version"))


def test_a_refused_read_says_the_same_whatever_refused_it():
    not_found = t("card.error.not_found", "nb")
    assert refusal_text(CardNotFound(), "nb") == not_found
    assert refusal_text(AccessDenied("denied", "no"), "nb") == not_found
    assert refusal_text(StaleEdit(), "nb") == t("card.error.stale", "nb")  # her own save


NOW = dt.datetime(2026, 12, 5, 8, 0, tzinfo=dt.UTC)


def _every_problem(**changes: str) -> dict[str, str]:
    form = _form(**changes)
    draft, errors = parse_reading(form)
    assert draft is None
    return every_problem(form, errors, NOW)


def test_a_slip_and_a_value_out_of_range_are_told_at_once():
    assert _every_problem(bp_diastolic="950", pulse="7o") == {
        "bp_diastolic": "card.error.bp_diastolic_range",
        "pulse": "card.error.home_whole_number"}
    assert _every_problem(weight_kg="x", bp_systolic="300") == {
        "bp_systolic": "card.error.bp_systolic_range",
        "weight_kg": "card.error.home_weight_number"}


def test_nothing_is_said_that_only_follows_from_the_unread_value():
    # The upper number unread: no "write both numbers", no "pulse goes with a pressure".
    assert _every_problem(bp_systolic="l45", pulse="78") == {
        "bp_systolic": "card.error.home_whole_number"}
    # Only the weight was typed, and not as a number: no "the form is empty".
    assert _every_problem(bp_systolic="", bp_diastolic="", weight_kg="?") == {
        "weight_kg": "card.error.home_weight_number"}
    # An unreadable time: the numbers are still checked, the time keeps its own message.
    assert _every_problem(measured_time="x", bp_diastolic="950") == {
        "measured_time": "card.error.invalid", "bp_diastolic": "card.error.bp_diastolic_range"}


def test_a_real_second_problem_is_still_told():
    # The lower number left out (not mistyped) while the pulse is mistyped.
    assert _every_problem(bp_diastolic="", pulse="x") == {
        "bp_diastolic": "card.error.bp_pair", "pulse": "card.error.home_whole_number"}
