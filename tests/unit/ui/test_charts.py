"""The server-drawn charts: accessible names, escaped text, points where they belong."""

import re

from digihelse.ui.components.charts import Band, Chart, Series, render_svg


def _chart(**kw) -> Chart:
    base = dict(title="SF-mål", description="Målt symfyse-fundus-høyde mot referansen",
                x_label="Uke", y_label="cm", x_range=(24, 40), y_range=(15, 45),
                x_ticks=(24, 32, 40), y_ticks=(20, 30, 40))
    base.update(kw)
    return Chart(**base)


def test_chart_has_an_accessible_name_and_description():
    svg = render_svg(_chart(), "sf")
    assert 'role="img"' in svg and 'aria-labelledby="sf-t sf-d"' in svg
    assert '<title id="sf-t">SF-mål</title>' in svg


def test_text_is_escaped():
    svg = render_svg(_chart(title="<script>x</script>"), "c")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_points_land_inside_the_plot_and_limits_are_drawn():
    chart = _chart(series=[Series("Målt", [(24, 24.0), (28, 27.5), (40, 38.0)])],
                   bands=[Band("10–90", [(24, 21), (40, 34)], [(24, 26), (40, 40)])],
                   limits=[("140", 30)])
    svg = render_svg(chart, "c")
    circles = re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)"', svg)
    assert len(circles) == 3
    for cx, cy in circles:
        assert 40 <= float(cx) <= 328 and 12 <= float(cy) <= 186
    assert "<polygon" in svg and 'stroke-dasharray="6 4"' in svg
