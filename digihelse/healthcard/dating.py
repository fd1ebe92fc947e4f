"""Pregnancy dating: due dates, gestational age and the recommended consultations.

Pure functions on dates; no database, no settings, no UI.

Conventions, with their sources and the one place where we depart from Norwegian practice:

* **Due date from the last period** (menstruasjonstermin): the first day of the last period
  plus 283 days (DOMAIN.md, "The pregnancy card": NGF; the same 283 days is eSnurra's median
  pregnancy length, esnurra.no/bruk: "eSnurra bruker en median svangerskapslengde på 283
  dager"). International practice (Naegele, WHO) uses 280.
* **Due date from ultrasound** (ultralydtermin): a formula gives the gestational age at the
  scan (menstrual age: days since an "equivalent" first day of the last period), and the due
  date is that equivalent day plus the same 283 days, so both due dates mean the same thing
  (eSnurra: "regne seg tilbake til antatt siste mens ved å trekke fra median
  svangerskapslengde (283 dager)"). The formulas are cited where they are implemented; see
  ``crl_gestational_age_days`` and ``bpd_gestational_age_days`` (neither is eSnurra itself:
  its coefficients are not published in a form we could verify).
* **Corrected due date**: the ultrasound due date when there is one (NEL,
  svangerskapskalkulator: "Dersom beregnet termin blir endret ved ultralyd-undersøkelse i uke
  17-19, er det ultralydbestemt termin som er mest pålitelig"), see ``corrected_due_date``.
* **Gestational age from the due date**: counted so that the due date is **40+0**
  (``GA_ON_DUE_DATE`` = 280 days; 280 days before the due date is 0+0). This is the
  international convention and the one this project uses (the demo data and the issue's
  "uke 27+3 i dag" assume it). NOTE: Norwegian practice differs: with eSnurra the
  gestational age is 283 minus the days left, so the due date itself is **40+3**
  (esnurra.no; Helsedirektoratet recommends eSnurra). With 280 here and 283 in the due
  dates, the week shown is three days behind the days since the (equivalent) last period:
  on the day of a scan that measures 10+1, the card says 9+5. Switching is one constant in
  this file, ``GA_ON_DUE_DATE = NORWEGIAN_GA_ON_DUE_DATE``; it moves every week shown, the
  recommended-consultation windows and the demo data's "27+3" by three days.
* Weeks are completed weeks + days ("27+3" is 27 full weeks and 3 days), as on the paper
  card (eSnurra: "Tidsregningen bruker fullgåtte uker").
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

from digihelse.core.i18n.families import keyed

PREGNANCY_DAYS = 283  # first day of the last period to the due date (NGF, eSnurra)
GA_ON_DUE_DATE = 280  # gestational age on the due date as shown: 40+0 (see the module doc)
NORWEGIAN_GA_ON_DUE_DATE = 283  # eSnurra's convention: the due date is 40+3


class DatingMethod(enum.StrEnum):
    """How the due date in use was set; the UI's text key is card.dating.<value>."""

    LMP = "lmp"  # last menstrual period + 283 days
    CRL = "crl"  # first-trimester crown-rump length
    BPD = "bpd"  # second-trimester biparietal diameter
    ULTRASOUND = "ultrasound"  # a scan whose measurement is not recorded here
    IVF = "ivf"  # embryo transfer date (assisted conception)
    MANUAL = "manual"  # set by the midwife or GP from another source (e.g. a hospital scan)


class DatingError(ValueError):
    """A measurement or date that the dating method cannot use.

    ``key`` is the i18n key of the message (texts_card), ``values`` its placeholders."""

    def __init__(self, key: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


# --- Small helpers ------------------------------------------------------------------------

def _round_days(days: float) -> int:
    """Round half up to whole days (Python's round() rounds half to even)."""
    return math.floor(days + 0.5)


def ga_days_of(weeks: int, days: int = 0) -> int:
    return weeks * 7 + days


def split_ga(total_days: int) -> tuple[int, int]:
    """(completed weeks, days) of a gestational age in days."""
    if total_days < 0:
        raise ValueError("a gestational age cannot be negative")
    return divmod(total_days, 7)


def format_ga(value: int | tuple[int, int]) -> str:
    """ "27+3" from 192 days or from (27, 3)."""
    weeks, days = split_ga(value) if isinstance(value, int) else value
    if weeks < 0 or not 0 <= days <= 6:
        raise ValueError(f"not a gestational age: {value!r}")
    return f"{weeks}+{days}"


# --- Due dates ----------------------------------------------------------------------------

def due_date_from_lmp(lmp: dt.date) -> dt.date:
    """The due date from the first day of the last period: + 283 days (NGF; eSnurra's
    median pregnancy length). E.g. 2026-01-01 -> 2026-10-11."""
    return lmp + dt.timedelta(days=PREGNANCY_DAYS)


def due_date_from_ga(on: dt.date, ga_days: int) -> dt.date:
    """The due date when the gestational age on a day is known from a scan: the equivalent
    first day of the last period is `on - ga_days`, plus 283 days (eSnurra's relation)."""
    return on + dt.timedelta(days=PREGNANCY_DAYS - ga_days)


def due_date_from_embryo_transfer(transfer: dt.date, embryo_age_days: int) -> dt.date:
    """IVF: the gestational age at transfer is 14 days + the embryo's age in days (NEL,
    svangerskapskalkulator: "dato for innsetting av embryo (14 dager + alder på embryo i dager
    ved innsetting)"), to be confirmed by a first-trimester scan."""
    if not 2 <= embryo_age_days <= 7:
        raise DatingError("card.error.embryo_age", "embryo age must be 2-7 days")
    return due_date_from_ga(transfer, 14 + embryo_age_days)


def corrected_due_date(lmp_due: dt.date | None, ultrasound_due: dt.date | None, *,
                       ultrasound_method: DatingMethod | None = None,
                       ivf_due: dt.date | None = None
                       ) -> tuple[dt.date | None, DatingMethod | None]:
    """The due date in use and how it was set.

    IVF dating first (the day of conception is known, provided a first-trimester scan
    confirms it: NEL), then ultrasound, then the last period. In Norwegian practice the
    ultrasound due date replaces the period-based one (NEL, svangerskapskalkulator: "Dersom
    beregnet termin blir endret ved ultralyd-undersøkelse i uke 17-19, er det
    ultralydbestemt termin som er mest pålitelig"; Helsedirektoratet made eSnurra the one
    national dating method in 2014). We apply no threshold for the difference."""
    if ivf_due is not None:
        return ivf_due, DatingMethod.IVF
    if ultrasound_due is not None:
        return ultrasound_due, ultrasound_method or DatingMethod.ULTRASOUND
    if lmp_due is not None:
        return lmp_due, DatingMethod.LMP
    return None, None


# --- Ultrasound formulas ------------------------------------------------------------------

# Robinson HP, Fleming JEE. A critical evaluation of sonar "crown-rump length" measurements.
# Br J Obstet Gynaecol 1975;82:702-10: GA (days) = 8.052 * sqrt(CRL mm) + 23.73.
ROBINSON_A, ROBINSON_B = 8.052, 23.73
# The British Medical Ultrasound Society's version multiplies the CRL by 1.037, correcting
# Robinson's 1975 equipment for today's sound velocity of 1540 m/s (Loughna P, Chitty L,
# Evans T, Chudleigh T. Fetal size and dating: charts recommended for clinical obstetric
# practice. Ultrasound 2009;17(3):161-7, doi:10.1179/174313409X448543). eSnurra also
# assumes 1540 m/s ("Lydhastighet 1540 m/s", nsfm.no/esnurra).
BMUS_VELOCITY_FACTOR = 1.037

# Hadlock FP, Deter RL, Harrist RB, Park SK. Estimating fetal age: computer-assisted
# analysis of multiple fetal growth parameters. Radiology 1984;152:497-501:
# menstrual age (weeks) = 9.54 + 1.482 * BPD + 0.1676 * BPD**2, BPD in cm.
HADLOCK_BPD = (9.54, 1.482, 0.1676)

CRL_WINDOW = (ga_days_of(8), ga_days_of(12))  # 8+0 to 12+0 (eSnurra: CRL most accurate)
BPD_WINDOW = (ga_days_of(12), ga_days_of(22, 6))  # 12+0 to 22+6 (eSnurra: BPD)


def crl_gestational_age_days(crl_mm: float, *, velocity_correction: bool = True) -> float:
    """Gestational age in days from the crown-rump length (Robinson & Fleming 1975).

    With ``velocity_correction`` (the default) this is the BMUS-recommended form,
    GA = 8.052 * sqrt(1.037 * CRL) + 23.73, for scanners calibrated at 1540 m/s; without
    it, Robinson's original equation, which reproduces his own 1975 table (e.g. 33.0 mm ->
    70 days = 10+0). Confidence: the coefficients 8.052 and 23.73 are certain (many
    independent sources); the 1.037 factor is as BMUS and the Fetal Medicine Foundation
    publish it. Not eSnurra's own CRL model, whose coefficients we could not verify."""
    if crl_mm <= 0:
        raise DatingError("card.error.crl_range", "CRL must be positive")
    length = crl_mm * (BMUS_VELOCITY_FACTOR if velocity_correction else 1.0)
    return ROBINSON_A * math.sqrt(length) + ROBINSON_B


def bpd_gestational_age_days(bpd_mm: float) -> float:
    """Gestational age in days from the biparietal diameter (Hadlock et al. 1984).

    menstrual age (weeks) = 9.54 + 1.482 * BPD + 0.1676 * BPD**2 with BPD in cm; e.g.
    46 mm -> 19.90 weeks = 139 days = 19+6.

    Confidence and caveats, plainly: the equation and its coefficients are as widely
    reproduced from Hadlock 1984 (high confidence). It is NOT eSnurra, the Norwegian
    standard for BPD dating (Gjessing, Grøttum, Eik-Nes, Ultrasound Obstet Gynecol
    2007;30:19-27), whose model we could not verify and so did not invent. Hadlock measured
    BPD outer-to-inner edge and derived the equation at 14-42 weeks; eSnurra measures
    outer-to-outer (esnurra.no) and dates from 12+0, so an outer-outer BPD gives Hadlock a
    slightly higher age, and 12+0-13+6 is an extrapolation. Replace this function with
    eSnurra's published model before clinical use."""
    if bpd_mm <= 0:
        raise DatingError("card.error.bpd_range", "BPD must be positive")
    a, b, c = HADLOCK_BPD
    cm = bpd_mm / 10
    return (a + b * cm + c * cm * cm) * 7


def _crl_mm_for(ga_days: float, velocity_correction: bool = True) -> float:
    length = ((ga_days - ROBINSON_B) / ROBINSON_A) ** 2
    return length / (BMUS_VELOCITY_FACTOR if velocity_correction else 1.0)


def _bpd_mm_for(ga_days: float) -> float:
    a, b, c = HADLOCK_BPD
    weeks = ga_days / 7
    return 10 * (-b + math.sqrt(b * b - 4 * c * (a - weeks))) / (2 * c)


# The measurements accepted, for messages: those whose age, rounded to whole days, falls in
# the window. With the BMUS form CRL 15.1-54.9 mm for 8+0-12+0; BPD 14.0-55.5 mm for
# 12+0-22+6.
def _mm_range(low_mm: float, high_mm: float) -> tuple[float, float]:
    # Inward to 0.1 mm, so that both ends printed are accepted.
    return math.ceil(low_mm * 10) / 10, math.floor(high_mm * 10) / 10


CRL_RANGE_MM = _mm_range(_crl_mm_for(CRL_WINDOW[0] - 0.5), _crl_mm_for(CRL_WINDOW[1] + 0.5))
BPD_RANGE_MM = _mm_range(_bpd_mm_for(BPD_WINDOW[0] - 0.5), _bpd_mm_for(BPD_WINDOW[1] + 0.5))


@dataclass(frozen=True)
class UltrasoundDating:
    """The result of dating by one ultrasound measurement."""

    scan_date: dt.date
    method: DatingMethod  # CRL or BPD
    measurement_mm: float
    ga_days: int  # gestational age at the scan, whole days
    due_date: dt.date
    formula: str  # a short citation, shown with the due date

    @property
    def ga_text(self) -> str:
        return format_ga(self.ga_days)


def date_by_crl(scan_date: dt.date, crl_mm: float) -> UltrasoundDating:
    """Due date from a CRL measured at 8+0-12+0; refuses measurements outside it."""
    ga = _round_days(crl_gestational_age_days(crl_mm))
    low, high = CRL_WINDOW
    if not low <= ga <= high:
        raise DatingError("card.error.crl_range",
                          f"CRL {crl_mm} mm is outside 8+0-12+0 ({CRL_RANGE_MM[0]}-"
                          f"{CRL_RANGE_MM[1]} mm)", low=CRL_RANGE_MM[0], high=CRL_RANGE_MM[1])
    return UltrasoundDating(scan_date, DatingMethod.CRL, crl_mm, ga,
                            due_date_from_ga(scan_date, ga),
                            "Robinson & Fleming 1975 (BMUS 2009, ×1.037)")


def date_by_bpd(scan_date: dt.date, bpd_mm: float) -> UltrasoundDating:
    """Due date from a BPD measured at 12+0-22+6; refuses measurements outside it."""
    ga = _round_days(bpd_gestational_age_days(bpd_mm))
    low, high = BPD_WINDOW
    if not low <= ga <= high:
        raise DatingError("card.error.bpd_range",
                          f"BPD {bpd_mm} mm is outside 12+0-22+6 ({BPD_RANGE_MM[0]}-"
                          f"{BPD_RANGE_MM[1]} mm)", low=BPD_RANGE_MM[0], high=BPD_RANGE_MM[1])
    return UltrasoundDating(scan_date, DatingMethod.BPD, bpd_mm, ga,
                            due_date_from_ga(scan_date, ga), "Hadlock et al. 1984")


def date_by_ultrasound(scan_date: dt.date, method: DatingMethod | str,
                       measurement_mm: float) -> UltrasoundDating:
    if DatingMethod(method) == DatingMethod.CRL:
        return date_by_crl(scan_date, measurement_mm)
    if DatingMethod(method) == DatingMethod.BPD:
        return date_by_bpd(scan_date, measurement_mm)
    raise DatingError("card.error.scan_method", f"not an ultrasound method: {method}")


# --- Gestational age ----------------------------------------------------------------------

def gestational_age_days(due_date: dt.date, on: dt.date, *,
                         ga_on_due_date: int = GA_ON_DUE_DATE) -> int:
    """Days of gestation on a day, counted back from the due date (40+0 by default)."""
    return ga_on_due_date - (due_date - on).days


def gestational_age(due_date: dt.date, on: dt.date, *,
                    ga_on_due_date: int = GA_ON_DUE_DATE) -> tuple[int, int]:
    """(weeks, days) on a day: (40, 0) on the due date, (0, 0) 280 days before it.
    Raises ValueError before 0+0."""
    return split_ga(gestational_age_days(due_date, on, ga_on_due_date=ga_on_due_date))


# Past 45+0 a due date no longer describes an ongoing pregnancy: no "week 47 today".
GA_SHOWN_UNTIL = ga_days_of(45)


def ga_in_pregnancy(due_date: dt.date | None, on: dt.date) -> int | None:
    """Days of gestation on a day, or None without a due date or outside 0+0 to 45+0."""
    if due_date is None:
        return None
    days = gestational_age_days(due_date, on)
    return days if 0 <= days <= GA_SHOWN_UNTIL else None


def ga_text_on(due_date: dt.date | None, on: dt.date) -> str | None:
    """"27+3" on a day, or None where ga_in_pregnancy gives none."""
    days = ga_in_pregnancy(due_date, on)
    return None if days is None else format_ga(days)


def date_at_ga(due_date: dt.date, weeks: int, days: int = 0, *,
               ga_on_due_date: int = GA_ON_DUE_DATE) -> dt.date:
    """The day on which the pregnancy is weeks+days."""
    return due_date - dt.timedelta(days=ga_on_due_date - ga_days_of(weeks, days))


# --- The hospital's due date, and the app's cross-check (issue #20) --------------------------
#
# The due date from the routine ultrasound is recorded as the hospital gave it: hospitals
# date with eSnurra (Helsedirektoratet made it the national method in 2014), and the carer
# types that date and the scan date. The formulas above are not eSnurra (see their
# docstrings), so what they give from a CRL or BPD is shown to personnel only, as a
# cross-check of what was typed ("Appens beregning, bare til kontroll"), and never sets
# the due date. A difference of more than CROSS_CHECK_DAYS is pointed out: our choice, to
# catch a mistyped date or measurement; it is not a clinical threshold (the models differ
# by a day or two at most over the windows they share).
CROSS_CHECK_DAYS = 3


@dataclass(frozen=True)
class CrossCheck:
    """The app's own due date from the scan's measurement, beside the recorded one."""

    computed: UltrasoundDating
    recorded_due: dt.date
    difference_days: int  # computed minus recorded; positive: the app's is later

    @property
    def differs(self) -> bool:
        return abs(self.difference_days) > CROSS_CHECK_DAYS


def cross_check(recorded_due: dt.date | None, scan_date: dt.date | None,
                scan_method: str | None, scan_mm: float | None) -> CrossCheck | None:
    """The app's computation beside the hospital's due date, or None when either is
    missing or the measurement is outside its method's window."""
    if recorded_due is None or scan_date is None or scan_method is None or scan_mm is None:
        return None
    try:
        computed = date_by_ultrasound(scan_date, scan_method, scan_mm)
    except DatingError:
        return None
    return CrossCheck(computed, recorded_due, (computed.due_date - recorded_due).days)


# --- The recommended consultations --------------------------------------------------------

@dataclass(frozen=True)
class Visit:
    """One recommended check-up: a target and the window in which a consultation counts.

    The targets are the national guideline's (DOMAIN.md: weeks 6-12, 18, 24, 28, 32, 36,
    38, 40, 41; Helsedirektoratet, "Svangerskapsomsorgen"). The windows are our choice: they
    tile the pregnancy without overlap, so one consultation counts for one visit only."""

    key: str  # i18n: card.visit.<key>
    target_weeks: tuple[int, int]  # first and last target week, e.g. (6, 12) or (24, 24)
    window: tuple[int, int]  # gestational age in days, inclusive
    kind: str = "consultation"  # or "ultrasound"


CONSULTATIONS: tuple[Visit, ...] = (
    Visit("first", (6, 12), (ga_days_of(6), ga_days_of(12, 6))),
    Visit("w18", (18, 18), (ga_days_of(17), ga_days_of(20, 6))),  # with the routine scan
    Visit("w24", (24, 24), (ga_days_of(21), ga_days_of(25, 6))),
    Visit("w28", (28, 28), (ga_days_of(26), ga_days_of(29, 6))),
    Visit("w32", (32, 32), (ga_days_of(30), ga_days_of(33, 6))),
    Visit("w36", (36, 36), (ga_days_of(34), ga_days_of(36, 6))),
    Visit("w38", (38, 38), (ga_days_of(37), ga_days_of(38, 6))),
    Visit("w40", (40, 40), (ga_days_of(39), ga_days_of(40, 6))),
    Visit("w41", (41, 41), (ga_days_of(41), ga_days_of(42, 6))),
)
# The two scans the programme offers (DOMAIN.md): early ultrasound 11+0-13+6 and the
# routine scan at 17-19 weeks. They are not among the nine consultations.
ULTRASOUNDS: tuple[Visit, ...] = (
    Visit("early_ultrasound", (11, 13), (ga_days_of(11), ga_days_of(13, 6)), "ultrasound"),
    Visit("routine_ultrasound", (17, 19), (ga_days_of(17), ga_days_of(19, 6)), "ultrasound"),
)


@dataclass(frozen=True)
class ScheduleItem:
    """One recommended visit, in dates for one pregnancy."""

    number: int  # 1-9 for consultations, 1-2 for scans
    key: str  # i18n: card.visit.<key>
    kind: str  # consultation or ultrasound
    target_weeks: tuple[int, int]
    target_date: dt.date  # the first day of the first target week
    window_start: dt.date
    window_end: dt.date
    done_on: dt.date | None = None

    @property
    def done(self) -> bool:
        return self.done_on is not None

    @property
    def label_key(self) -> str:
        return keyed("card.visit", self.key)

    def is_open(self, today: dt.date) -> bool:
        return self.window_start <= today <= self.window_end

    def is_missed(self, today: dt.date) -> bool:
        return not self.done and today > self.window_end


def _schedule(visits: Iterable[Visit], due_date: dt.date, days: Iterable[dt.date],
              ga_on_due_date: int) -> list[ScheduleItem]:
    # Each day counts for the visit whose window holds it; the earliest such day wins.
    seen = sorted(set(days))
    items = []
    for number, visit in enumerate(visits, start=1):
        first_day, last_day = (due_date - dt.timedelta(days=ga_on_due_date - edge)
                               for edge in visit.window)
        done_on = next((day for day in seen if first_day <= day <= last_day), None)
        target = date_at_ga(due_date, visit.target_weeks[0], ga_on_due_date=ga_on_due_date)
        items.append(ScheduleItem(number, visit.key, visit.kind, visit.target_weeks, target,
                                  first_day, last_day, done_on))
    return items


def recommended_schedule(due_date: dt.date, consultation_days: Iterable[dt.date] = (), *,
                         ga_on_due_date: int = GA_ON_DUE_DATE) -> list[ScheduleItem]:
    """The nine recommended consultations for a due date, each marked done when one of the
    given consultation days falls in its window."""
    return _schedule(CONSULTATIONS, due_date, consultation_days, ga_on_due_date)


def recommended_ultrasounds(due_date: dt.date, scan_days: Iterable[dt.date] = (), *,
                            ga_on_due_date: int = GA_ON_DUE_DATE) -> list[ScheduleItem]:
    """The early and the routine ultrasound windows, marked done by known scan days."""
    return _schedule(ULTRASOUNDS, due_date, scan_days, ga_on_due_date)


def next_consultation(schedule: Iterable[ScheduleItem], today: dt.date
                      ) -> ScheduleItem | None:
    """The first visit not yet done whose window has not closed: the one open now, or the
    next to open. None when every window has passed (or the woman has given birth)."""
    return next((item for item in schedule if not item.done and item.window_end >= today),
                None)
