"""Reference curves and chart series for the card. Pure: no database, no UI.

Symphysis-fundus (SF) height
    The INTERGROWTH-21st international standard for symphysis-fundal height:
    Papageorghiou AT, Ohuma EO, Gravett MG, et al. International standards for
    symphysis-fundal height based on serial measurements from the Fetal Growth Longitudinal
    Study of the INTERGROWTH-21st Project: prospective cohort study in eight countries.
    BMJ 2016;355:i5662, doi:10.1136/bmj.i5662 (open access, CC BY-NC).

        mean (cm) = 5.133374 + 0.1058353119 * GA**2 - 0.0231295 * GA**2 * ln(GA)
        SD (cm)   = 0.9922667 + 0.0258087 * GA

    with GA the gestational age in exact weeks; the standard covers 16-42 weeks and is
    normally distributed, so a centile is mean + z * SD. The paper publishes the 3rd,
    10th, 50th, 90th and 97th centiles, the bands drawn here.
    Confidence: the coefficients are those implemented identically by two independent
    sources we could read (the LSHTM "gigs" R package and a second R implementation);
    we could not read the BMJ table itself to compare digits, so the test checks
    hand-computed values of this equation, not the paper's table.

Blood pressure
    The line at 140/90 mmHg: hypertension in pregnancy is a systolic pressure >= 140 or a
    diastolic pressure >= 90 (NGF, Veileder i fødselshjelp, "Hypertensive
    svangerskapskomplikasjoner og eklampsi"; ISSHP 2018).

Weight
    The measurements and the gain since the weight before pregnancy. No reference band:
    the usual one (IOM 2009, by BMI) is a total for the whole pregnancy, not a curve."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from statistics import NormalDist

from digihelse.healthcard.dating import format_ga

SF_SOURCE = ("INTERGROWTH-21st, international standard for symphysis-fundal height "
             "(Papageorghiou et al., BMJ 2016;355:i5662)")
SF_SOURCE_URL = "https://doi.org/10.1136/bmj.i5662"
SF_STANDARD_WEEKS = (16, 42)  # where the standard is defined
SF_CHART_WEEKS = (24, 40)  # what the card draws (the card records SF height from week 24)
SF_CENTILES = (3, 10, 50, 90, 97)

BP_SYSTOLIC_LIMIT = 140
BP_DIASTOLIC_LIMIT = 90
BP_SOURCE = "NGF, Veileder i fødselshjelp: hypertensjon ≥ 140/90 mmHg"

_NORMAL = NormalDist()


def bp_at_or_above_limit(systolic: int | None, diastolic: int | None) -> bool:
    """A blood pressure at or above 140 systolic or 90 diastolic (BP_SOURCE): a carer
    should see her the same day. A reading without both numbers is not judged."""
    if systolic is None or diastolic is None:
        return False
    return systolic >= BP_SYSTOLIC_LIMIT or diastolic >= BP_DIASTOLIC_LIMIT


def z_for_centile(centile: float) -> float:
    return _NORMAL.inv_cdf(centile / 100)


# --- SF height ------------------------------------------------------------------------------

def sf_mean_cm(ga_weeks: float) -> float:
    """The INTERGROWTH-21st median (= mean) SF height at an exact gestational age."""
    g2 = ga_weeks * ga_weeks
    return 5.133374 + 0.1058353119 * g2 - 0.0231295 * g2 * math.log(ga_weeks)


def sf_sd_cm(ga_weeks: float) -> float:
    return 0.9922667 + 0.0258087 * ga_weeks


def sf_centile_cm(centile: float, ga_weeks: float) -> float:
    """The SF height at a centile (e.g. 10) and gestational age."""
    return sf_mean_cm(ga_weeks) + z_for_centile(centile) * sf_sd_cm(ga_weeks)


def sf_z_score(sf_cm: float, ga_days: int) -> float:
    weeks = ga_days / 7
    return (sf_cm - sf_mean_cm(weeks)) / sf_sd_cm(weeks)


def sf_centile(sf_cm: float, ga_days: int) -> float:
    """The centile (0-100) of one measurement; outside 16-42 weeks the standard says
    nothing, so ValueError."""
    if not SF_STANDARD_WEEKS[0] * 7 <= ga_days <= SF_STANDARD_WEEKS[1] * 7:
        raise ValueError("the SF standard covers 16+0 to 42+0 weeks")
    return 100 * _NORMAL.cdf(sf_z_score(sf_cm, ga_days))


@dataclass(frozen=True)
class ReferenceRow:
    """The bands at one gestational week: centile -> cm, rounded to 0.1 cm."""

    week: int
    centiles: dict[int, float]

    @property
    def p3(self) -> float:
        return self.centiles[3]

    @property
    def p10(self) -> float:
        return self.centiles[10]

    @property
    def p50(self) -> float:
        return self.centiles[50]

    @property
    def p90(self) -> float:
        return self.centiles[90]

    @property
    def p97(self) -> float:
        return self.centiles[97]


def sf_reference(first_week: int = SF_CHART_WEEKS[0], last_week: int = SF_CHART_WEEKS[1],
                 centiles: Sequence[int] = SF_CENTILES) -> list[ReferenceRow]:
    """The centile bands by completed week, for drawing under the woman's points."""
    if first_week < SF_STANDARD_WEEKS[0] or last_week > SF_STANDARD_WEEKS[1]:
        raise ValueError("the SF standard covers 16 to 42 weeks")
    return [ReferenceRow(week, {c: round(sf_centile_cm(c, week), 1) for c in centiles})
            for week in range(first_week, last_week + 1)]


# --- Chart series ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Measurement:
    """What the charts need of one consultation (service.py builds these)."""

    held_on: dt.date
    ga_days: int
    weight_kg: float | None = None
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    sf_height_cm: float | None = None


@dataclass(frozen=True)
class ChartPoint:
    held_on: dt.date
    ga_days: int
    value: float
    flag: str | None = None  # e.g. "below_p10", "high"; the UI's key is card.flag.<flag>

    @property
    def ga_weeks(self) -> float:
        """The x coordinate: exact weeks."""
        return self.ga_days / 7

    @property
    def ga_text(self) -> str:
        return format_ga(self.ga_days)


@dataclass(frozen=True)
class SfChart:
    points: list[ChartPoint]
    reference: list[ReferenceRow]
    centiles: tuple[int, ...] = SF_CENTILES
    source: str = SF_SOURCE
    source_url: str = SF_SOURCE_URL


@dataclass(frozen=True)
class BpChart:
    systolic: list[ChartPoint]
    diastolic: list[ChartPoint]
    systolic_limit: int = BP_SYSTOLIC_LIMIT
    diastolic_limit: int = BP_DIASTOLIC_LIMIT
    source: str = BP_SOURCE
    # Her own readings at home ("målt selv"), drawn in another style.
    home_systolic: list[ChartPoint] = field(default_factory=list)
    home_diastolic: list[ChartPoint] = field(default_factory=list)


@dataclass(frozen=True)
class WeightChart:
    points: list[ChartPoint]  # kg
    gain: list[ChartPoint]  # kg since before pregnancy; empty without that weight
    weight_before_kg: float | None = None
    home: list[ChartPoint] = field(default_factory=list)  # her own weighings ("målt selv")


@dataclass(frozen=True)
class Charts:
    sf: SfChart
    bp: BpChart
    weight: WeightChart


def _in_order(measurements: Iterable[Measurement]) -> list[Measurement]:
    return sorted(measurements, key=lambda m: (m.held_on, m.ga_days))


def _sf_flag(sf_cm: float, ga_days: int) -> str | None:
    # Below the 10th or above the 90th centile: the card's cue for a growth scan.
    try:
        centile = sf_centile(sf_cm, ga_days)
    except ValueError:
        return None
    if centile < 10:
        return "below_p10"
    if centile > 90:
        return "above_p90"
    return None


def sf_series(measurements: Iterable[Measurement]) -> SfChart:
    points = [ChartPoint(m.held_on, m.ga_days, m.sf_height_cm,
                         _sf_flag(m.sf_height_cm, m.ga_days))
              for m in _in_order(measurements) if m.sf_height_cm is not None]
    return SfChart(points, sf_reference())


def bp_series(measurements: Iterable[Measurement]) -> BpChart:
    systolic, diastolic = [], []
    for m in _in_order(measurements):
        if m.bp_systolic is None or m.bp_diastolic is None:
            continue
        high = m.bp_systolic >= BP_SYSTOLIC_LIMIT or m.bp_diastolic >= BP_DIASTOLIC_LIMIT
        flag = "high" if high else None
        systolic.append(ChartPoint(m.held_on, m.ga_days, m.bp_systolic, flag))
        diastolic.append(ChartPoint(m.held_on, m.ga_days, m.bp_diastolic, flag))
    return BpChart(systolic, diastolic)


def weight_series(measurements: Iterable[Measurement],
                  weight_before_kg: float | None = None) -> WeightChart:
    points = [ChartPoint(m.held_on, m.ga_days, m.weight_kg)
              for m in _in_order(measurements) if m.weight_kg is not None]
    gain = [] if weight_before_kg is None else [
        ChartPoint(p.held_on, p.ga_days, round(p.value - weight_before_kg, 1)) for p in points]
    return WeightChart(points, gain, weight_before_kg)


def charts(measurements: Iterable[Measurement], weight_before_kg: float | None = None,
           home: Iterable[Measurement] = ()) -> Charts:
    """All three charts from the consultations, with her own readings at home (`home`)
    beside them on the blood-pressure and weight charts."""
    rows = list(measurements)
    own = list(home)
    home_bp = bp_series(own)
    bp = replace(bp_series(rows), home_systolic=home_bp.systolic,
                 home_diastolic=home_bp.diastolic)
    weight = replace(weight_series(rows, weight_before_kg),
                     home=weight_series(own).points)
    return Charts(sf_series(rows), bp, weight)
