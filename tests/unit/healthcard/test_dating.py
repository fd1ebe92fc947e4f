"""Due dates, gestational age and the recommended consultations, against worked examples."""

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digihelse.healthcard import dating
from digihelse.healthcard.dating import DatingError, DatingMethod

D = dt.date


# --- Due date from the last period (NGF: 283 days) ----------------------------------------

@pytest.mark.parametrize("lmp,due", [
    (D(2026, 1, 1), D(2026, 10, 11)),
    (D(2025, 12, 31), D(2026, 10, 10)),
    (D(2024, 2, 29), D(2024, 12, 8)),  # a leap day: plain day arithmetic
    (D(2026, 5, 20), D(2027, 2, 27)),
])
def test_due_date_from_the_last_period_is_283_days_later(lmp, due):
    assert dating.due_date_from_lmp(lmp) == due


# --- Gestational age ---------------------------------------------------------------------

def test_the_due_date_is_40_plus_0_and_280_days_before_is_0_plus_0():
    due = D(2026, 10, 11)
    assert dating.gestational_age(due, due) == (40, 0)
    assert dating.gestational_age(due, due - dt.timedelta(days=280)) == (0, 0)
    assert dating.gestational_age(due, due - dt.timedelta(days=88)) == (27, 3)
    assert dating.gestational_age(due, due + dt.timedelta(days=10)) == (41, 3)


def test_before_0_plus_0_there_is_no_gestational_age():
    due = D(2026, 10, 11)
    with pytest.raises(ValueError):
        dating.gestational_age(due, due - dt.timedelta(days=281))


def test_norwegian_convention_is_one_argument_away():
    due = D(2026, 10, 11)
    assert dating.gestational_age(due, due,
                                  ga_on_due_date=dating.NORWEGIAN_GA_ON_DUE_DATE) == (40, 3)
    lmp = due - dt.timedelta(days=283)
    assert dating.gestational_age(due, lmp,
                                  ga_on_due_date=dating.NORWEGIAN_GA_ON_DUE_DATE) == (0, 0)


@pytest.mark.parametrize("value,text", [(192, "27+3"), ((27, 3), "27+3"), (0, "0+0"),
                                        (280, "40+0"), (6, "0+6")])
def test_format_ga(value, text):
    assert dating.format_ga(value) == text


@pytest.mark.parametrize("value", [-1, (27, 7), (-1, 2)])
def test_format_ga_refuses_nonsense(value):
    with pytest.raises(ValueError):
        dating.format_ga(value)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1)),
       st.integers(min_value=0, max_value=300))
def test_date_at_ga_and_gestational_age_are_inverse(due, days):
    day = dating.date_at_ga(due, *divmod(days, 7))
    assert dating.gestational_age_days(due, day) == days


# --- Ultrasound: CRL (Robinson & Fleming 1975) --------------------------------------------

@pytest.mark.parametrize("crl_mm,weeks,days", [
    # Rows of Robinson's own 1975 table (mean CRL at a menstrual age) that his regression
    # reproduces to within a day; the raw table is noisy elsewhere.
    (17.0, 8, 0),
    (33.0, 10, 0),
    (36.0, 10, 3),
])
def test_crl_formula_against_robinsons_table(crl_mm, weeks, days):
    ga = dating.crl_gestational_age_days(crl_mm, velocity_correction=False)
    assert abs(ga - (weeks * 7 + days)) <= 1


def test_crl_bmus_form_is_robinson_with_the_velocity_factor():
    assert dating.crl_gestational_age_days(33.0) == pytest.approx(
        dating.crl_gestational_age_days(33.0 * 1.037, velocity_correction=False))
    # 8.052 * sqrt(1.037 * 33) + 23.73 = 70.83 days (hand-computed)
    assert dating.crl_gestational_age_days(33.0) == pytest.approx(70.83, abs=0.01)


def test_crl_due_date_worked_example():
    scan = D(2026, 3, 12)
    result = dating.date_by_crl(scan, 33.0)
    # 70.83 days -> 71 = 10+1 at the scan; due = scan + 283 - 71 days.
    assert (result.ga_days, result.ga_text) == (71, "10+1")
    assert abs((result.due_date - D(2026, 10, 10)).days) <= 1
    assert result.method == DatingMethod.CRL


@pytest.mark.parametrize("crl_mm", [5.0, 12.0, 60.0, 80.0, 0.0, -3.0])
def test_crl_outside_8_to_12_weeks_is_refused(crl_mm):
    with pytest.raises(DatingError) as refused:
        dating.date_by_crl(D(2026, 3, 12), crl_mm)
    assert refused.value.key == "card.error.crl_range"


def test_crl_window_edges():
    low, high = dating.CRL_RANGE_MM
    assert dating.date_by_crl(D(2026, 3, 12), low).ga_days == 56  # 8+0
    assert dating.date_by_crl(D(2026, 3, 12), high).ga_days == 84  # 12+0
    assert 14.5 < low < 16 and 54 < high < 56


# --- Ultrasound: BPD (Hadlock 1984) -------------------------------------------------------

def test_bpd_formula_worked_example():
    # 9.54 + 1.482 * 4.6 + 0.1676 * 4.6**2 = 19.9036 weeks = 139.33 days (hand-computed)
    assert dating.bpd_gestational_age_days(46) == pytest.approx(139.33, abs=0.01)
    result = dating.date_by_bpd(D(2026, 5, 4), 46)
    assert (result.ga_days, result.ga_text) == (139, "19+6")
    assert abs((result.due_date - (D(2026, 5, 4) + dt.timedelta(days=283 - 139))).days) <= 1


@pytest.mark.parametrize("bpd_mm", [10.0, 60.0, 95.0])
def test_bpd_outside_12_to_22_weeks_is_refused(bpd_mm):
    with pytest.raises(DatingError) as refused:
        dating.date_by_bpd(D(2026, 5, 4), bpd_mm)
    assert refused.value.key == "card.error.bpd_range"


def test_bpd_grows_with_age():
    ages = [dating.bpd_gestational_age_days(mm) for mm in range(14, 56)]
    assert ages == sorted(ages)


# --- The due date in use -----------------------------------------------------------------

def test_ultrasound_wins_over_the_last_period():
    lmp_due, us_due = D(2026, 10, 11), D(2026, 10, 4)
    assert dating.corrected_due_date(lmp_due, us_due, ultrasound_method=DatingMethod.BPD) == (
        us_due, DatingMethod.BPD)
    assert dating.corrected_due_date(lmp_due, None) == (lmp_due, DatingMethod.LMP)
    assert dating.corrected_due_date(None, us_due) == (us_due, DatingMethod.ULTRASOUND)
    assert dating.corrected_due_date(None, None) == (None, None)


def test_ivf_dating_from_the_transfer_day():
    # A day-5 embryo: 19 days of gestation at transfer, due 283 - 19 = 264 days later.
    transfer = D(2026, 2, 1)
    assert dating.due_date_from_embryo_transfer(transfer, 5) == transfer + dt.timedelta(264)
    assert dating.corrected_due_date(D(2026, 10, 11), D(2026, 10, 4),
                                     ivf_due=D(2026, 10, 23))[1] == DatingMethod.IVF
    with pytest.raises(DatingError):
        dating.due_date_from_embryo_transfer(transfer, 9)


# --- The nine recommended consultations --------------------------------------------------

def test_nine_consultations_for_a_due_date():
    due = D(2026, 10, 11)
    schedule = dating.recommended_schedule(due)
    assert [item.key for item in schedule] == ["first", "w18", "w24", "w28", "w32", "w36",
                                               "w38", "w40", "w41"]
    assert [item.number for item in schedule] == list(range(1, 10))
    by_key = {item.key: item for item in schedule}
    assert by_key["first"].window_start == D(2026, 2, 15)  # 6+0
    assert by_key["first"].window_end == D(2026, 4, 4)  # 12+6
    assert by_key["w24"].target_date == D(2026, 6, 21)  # 24+0
    assert by_key["w40"].target_date == due  # 40+0 is the due date
    assert by_key["w41"].target_date == D(2026, 10, 18)
    # The windows tile the pregnancy in order, without overlap.
    for earlier, later in itertools.pairwise(schedule):
        assert earlier.window_end < later.window_start
    assert not any(item.done for item in schedule)


def test_a_consultation_in_a_window_marks_it_done_and_moves_next():
    due = D(2026, 10, 11)
    held = [D(2026, 3, 1), D(2026, 5, 12), D(2026, 6, 20)]  # 8+0, 18+2, 23+6
    schedule = dating.recommended_schedule(due, held)
    assert [item.key for item in schedule if item.done] == ["first", "w18", "w24"]
    assert schedule[2].done_on == D(2026, 6, 20)
    upcoming = dating.next_consultation(schedule, D(2026, 6, 25))
    assert upcoming is not None and upcoming.key == "w28"
    assert not upcoming.is_open(D(2026, 6, 25)) and upcoming.is_open(D(2026, 7, 19))


def test_a_missed_window_is_skipped_by_next_consultation():
    due = D(2026, 10, 11)
    schedule = dating.recommended_schedule(due, [D(2026, 3, 1)])
    today = D(2026, 7, 10)  # 27+5: the week-24 window has closed without a consultation
    assert schedule[2].is_missed(today)
    upcoming = dating.next_consultation(schedule, today)
    assert upcoming is not None and upcoming.key == "w28" and upcoming.is_open(today)
    assert dating.next_consultation(schedule, D(2026, 12, 1)) is None


def test_two_consultations_in_one_window_count_once():
    due = D(2026, 10, 11)
    schedule = dating.recommended_schedule(due, [D(2026, 7, 20), D(2026, 7, 6)])
    assert sum(item.done for item in schedule) == 1
    assert schedule[3].done_on == D(2026, 7, 6)


def test_the_ultrasound_windows():
    due = D(2026, 10, 11)
    early, routine = dating.recommended_ultrasounds(due, [D(2026, 5, 6)])
    assert (early.window_start, early.window_end) == (D(2026, 3, 22), D(2026, 4, 11))
    assert routine.done and routine.done_on == D(2026, 5, 6)
    assert not early.done
