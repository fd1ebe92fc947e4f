"""The SF-height standard, the 140/90 line, and turning consultations into chart points."""

import datetime as dt
import math

import pytest

from digihelse.healthcard import reference as ref
from digihelse.healthcard.reference import Measurement


def _mean_by_hand(weeks: float) -> float:
    # The INTERGROWTH-21st equation written out independently of reference.py.
    return (5.133374 + 0.1058353119 * weeks ** 2
            - 0.0231295 * weeks ** 2 * math.log(weeks))


@pytest.mark.parametrize("weeks,mean,sd", [
    # Hand-computed from the published equations (mean and SD in cm).
    (24, 23.75, 1.6117),
    (36, 34.88, 1.9214),
    (40, 37.95, 2.0246),
])
def test_sf_equation(weeks, mean, sd):
    assert ref.sf_mean_cm(weeks) == pytest.approx(mean, abs=0.01)
    assert ref.sf_mean_cm(weeks) == pytest.approx(_mean_by_hand(weeks))
    assert ref.sf_sd_cm(weeks) == pytest.approx(sd, abs=0.001)


def test_sf_reference_rows_24_to_40():
    rows = ref.sf_reference()
    assert [row.week for row in rows] == list(range(24, 41))
    for row in rows:
        assert row.p3 < row.p10 < row.p50 < row.p90 < row.p97
        # Symmetric bands: the standard is normal at each week.
        assert row.p50 - row.p10 == pytest.approx(row.p90 - row.p50, abs=0.11)
    at_36 = rows[12]
    assert at_36.week == 36
    assert at_36.p50 == pytest.approx(34.9, abs=0.05)
    assert at_36.p3 == pytest.approx(34.877 - 1.8808 * 1.9214, abs=0.06)
    assert at_36.p97 == pytest.approx(34.877 + 1.8808 * 1.9214, abs=0.06)
    # The median grows every week.
    assert [r.p50 for r in rows] == sorted(r.p50 for r in rows)


def test_sf_reference_refuses_weeks_the_standard_does_not_cover():
    with pytest.raises(ValueError):
        ref.sf_reference(10, 40)
    with pytest.raises(ValueError):
        ref.sf_centile(30, 12 * 7)


def test_sf_centile_of_a_measurement():
    assert ref.sf_centile(ref.sf_mean_cm(30), 30 * 7) == pytest.approx(50)
    low = ref.sf_centile_cm(3, 30)
    assert ref.sf_centile(low, 30 * 7) == pytest.approx(3, abs=0.01)
    assert "Papageorghiou" in ref.SF_SOURCE and "bmj.i5662" in ref.SF_SOURCE_URL


def _m(day: int, ga: int, **values) -> Measurement:
    return Measurement(dt.date(2026, 6, 1) + dt.timedelta(days=day), ga, **values)


def test_chart_series_from_consultations():
    rows = [
        _m(28, 196, weight_kg=74.0, bp_systolic=142, bp_diastolic=88, sf_height_cm=24.0),
        _m(0, 168, weight_kg=71.0, bp_systolic=118, bp_diastolic=72, sf_height_cm=24.5),
        _m(14, 182, weight_kg=None, bp_systolic=None, bp_diastolic=None),
    ]
    charts = ref.charts(rows, weight_before_kg=65.0)
    # Points in time order, only where measured.
    assert [p.ga_text for p in charts.sf.points] == ["24+0", "28+0"]
    assert [p.value for p in charts.weight.points] == [71.0, 74.0]
    assert [p.value for p in charts.weight.gain] == [6.0, 9.0]
    assert charts.bp.systolic_limit == 140 and charts.bp.diastolic_limit == 90
    assert [p.value for p in charts.bp.systolic] == [118, 142]
    assert [p.flag for p in charts.bp.systolic] == [None, "high"]
    assert charts.bp.diastolic[1].flag == "high"  # flags the consultation, both lines
    # 24 cm at 28+0 is below the 10th centile (25.5 cm); 24.5 cm at 24+0 is near the median.
    assert charts.sf.points[1].flag == "below_p10"
    assert charts.sf.points[0].flag is None
    assert len(charts.sf.reference) == 17


def test_weight_gain_needs_the_weight_before():
    chart = ref.weight_series([_m(0, 168, weight_kg=71.0)])
    assert chart.gain == [] and chart.points[0].ga_weeks == 24


@pytest.mark.parametrize("systolic,diastolic,flag", [
    (139, 89, None), (140, 80, "high"), (120, 90, "high"), (160, 110, "high"),
])
def test_bp_limit_line(systolic, diastolic, flag):
    chart = ref.bp_series([_m(0, 200, bp_systolic=systolic, bp_diastolic=diastolic)])
    assert chart.systolic[0].flag == flag
