"""National identity numbers and ages: validation, birth dates, centuries, D- and
synthetic numbers, and the 29 February birthday."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digihelse.people.nin import (
    InvalidNin,
    NinKind,
    age_on,
    birthday_in,
    control_digits,
    is_valid_nin,
    make_nin,
    parse_nin,
    synthetic_nin,
)


def test_a_known_valid_number():
    # 01010750160: an example valid number (1 January 2007, individual number 501).
    nin = parse_nin("01010750160")
    assert nin.birth_date == dt.date(2007, 1, 1)
    assert nin.kind is NinKind.FNR


@pytest.mark.parametrize("text,reason", [
    ("", "11 siffer"),
    ("0101075016", "11 siffer"),
    ("0101075016a", "11 siffer"),
    ("01010750161", "Kontrollsifrene"),
    ("01010750170", "Kontrollsifrene"),
])
def test_invalid_numbers_say_why(text, reason):
    with pytest.raises(InvalidNin, match=reason):
        parse_nin(text)


def test_a_date_that_does_not_exist_is_refused():
    first_nine = "310207500"  # 31 February
    digits = control_digits(first_nine)
    if digits is None:
        first_nine = "310207501"
        digits = control_digits(first_nine)
    with pytest.raises(InvalidNin, match="finnes ikke"):
        parse_nin(first_nine + digits)


@pytest.mark.parametrize("birth,individual,expected_year", [
    (dt.date(1985, 6, 15), 123, 1985),  # 000-499: 1900s
    (dt.date(1875, 6, 15), 600, 1875),  # 500-749 with year 54-99: 1854-1899
    (dt.date(2012, 6, 15), 612, 2012),  # 500-999 with year 00-39: 2000s
    (dt.date(1965, 6, 15), 950, 1965),  # 900-999 with year 40-99: 1940-1999
])
def test_century_from_the_individual_number(birth, individual, expected_year):
    for candidate in range(individual, individual + 40):
        nin = make_nin(birth, candidate, synthetic=False)
        if nin:
            break
    assert parse_nin(nin).birth_date.year == expected_year


def test_individual_number_750_899_with_year_40_99_is_refused():
    for individual in range(750, 800):
        nin = make_nin(dt.date(1960, 1, 1), individual, synthetic=False)
        if nin:
            with pytest.raises(InvalidNin, match="Individnummeret"):
                parse_nin(nin)
            return
    pytest.fail("no candidate number")


def test_d_number_adds_40_to_the_day():
    for individual in range(100, 140):
        first_nine = f"{17 + 40:02d}0585{individual:03d}"
        digits = control_digits(first_nine)
        if digits:
            nin = parse_nin(first_nine + digits)
            assert nin.kind is NinKind.DNR
            assert nin.birth_date == dt.date(1985, 5, 17)
            return
    pytest.fail("no candidate number")


def test_synthetic_number_adds_80_to_the_month():
    nin = parse_nin(synthetic_nin(dt.date(2011, 11, 30)))
    assert nin.value[2:4] == "91"
    assert nin.kind is NinKind.SYNTHETIC and nin.is_synthetic
    assert nin.birth_date == dt.date(2011, 11, 30)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2039, 12, 31)),
       st.integers(min_value=0, max_value=500))
def test_every_synthetic_number_is_valid_and_round_trips(birth, seed):
    nin = synthetic_nin(birth, seed)
    assert is_valid_nin(nin)
    assert parse_nin(nin).birth_date == birth


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_one_changed_digit_breaks_the_control_digits(text):
    if not is_valid_nin(text):
        return
    for position in range(11):
        changed = text[:position] + str((int(text[position]) + 1) % 10) + text[position + 1:]
        assert not is_valid_nin(changed)


def test_age_turns_on_the_birthday_not_before():
    birth = dt.date(2010, 5, 17)
    assert age_on(birth, dt.date(2022, 5, 16)) == 11
    assert age_on(birth, dt.date(2022, 5, 17)) == 12


def test_a_29_february_birthday():
    birth = dt.date(2012, 2, 29)
    nin = parse_nin(synthetic_nin(birth))
    assert nin.birth_date == birth
    # In a year without 29 February the person turns a year older on 1 March.
    assert age_on(birth, dt.date(2023, 2, 28)) == 10
    assert age_on(birth, dt.date(2023, 3, 1)) == 11
    assert age_on(birth, dt.date(2024, 2, 28)) == 11
    assert age_on(birth, dt.date(2024, 2, 29)) == 12
    assert birthday_in(birth, 2023) == dt.date(2023, 3, 1)
    assert birthday_in(birth, 2024) == dt.date(2024, 2, 29)
