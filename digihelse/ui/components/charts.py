"""Small, accessible SVG charts drawn on the server: no chart library in the browser.

A chart is an <svg role="img"> with a <title> and <desc>; the page shows the same numbers
as a table beside it, so nothing is conveyed by the picture alone (WCAG 1.1.1, 1.4.1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 340, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 12, 12, 34
INK, MUTED, BRAND, BAND, ALERT = "#1a1a1a", "#4a4a4a", "#005a70", "#cfe3ea", "#a4161a"


@dataclass(frozen=True)
class Series:
    label: str
    points: Sequence[tuple[float, float]]
    colour: str = BRAND
    dashed: bool = False
    markers: bool = True
    reference: bool = False  # the same on every chart of its kind (e.g. the median)
    hollow: bool = False  # open markers: her own readings at home ("målt selv")


@dataclass(frozen=True)
class Band:
    """A shaded area between two curves (e.g. the 10th and 90th centiles)."""

    label: str
    lower: Sequence[tuple[float, float]]
    upper: Sequence[tuple[float, float]]
    colour: str = BAND


@dataclass(frozen=True)
class Chart:
    title: str
    description: str
    x_label: str
    y_label: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    series: Sequence[Series] = ()
    bands: Sequence[Band] = ()
    limits: Sequence[tuple[str, float]] = ()  # horizontal lines, e.g. ("140", 140)
    x_ticks: Sequence[float] = field(default_factory=tuple)
    y_ticks: Sequence[float] = field(default_factory=tuple)


def _scale(chart: Chart):
    (x0, x1), (y0, y1) = chart.x_range, chart.y_range
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def point(x: float, y: float) -> tuple[float, float]:
        px = PAD_LEFT + (x - x0) / (x1 - x0) * plot_w
        py = PAD_TOP + (1 - (y - y0) / (y1 - y0)) * plot_h
        return round(px, 1), round(py, 1)

    return point


def _path(points: Sequence[tuple[float, float]], point) -> str:
    return " ".join(f"{'M' if i == 0 else 'L'}{x},{y}"
                    for i, (x, y) in enumerate(point(px, py) for px, py in points))


def render_svg(chart: Chart, chart_id: str, *, shared_y: bool = True) -> str:
    """The chart as an SVG string; every text in it is escaped."""
    head, tail = render_frame(chart, chart_id, shared_y=shared_y)
    return head + render_marks(chart, shared_y=shared_y) + tail


def render_frame(chart: Chart, chart_id: str, *, shared_y: bool = True) -> tuple[str, str]:
    """What goes before and after the marks: the <svg> with its title and description,
    bands, axes, ticks, limits, reference series and axis labels. It holds no one's
    values, so a page can compile it in once per language and take only the marks as
    state. With `shared_y` False the y ticks follow the values and go with the marks."""
    point = _scale(chart)
    (x0, x1), (y0, y1) = chart.x_range, chart.y_range
    left, bottom = point(x0, y0)
    right, top = point(x1, y1)
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" class="chart" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{chart_id}-t">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-d">{escape(chart.description)}</desc>',
    ]
    for band in chart.bands:
        outline = list(band.lower) + list(reversed(band.upper))
        coords = " ".join("{},{}".format(*point(x, y)) for x, y in outline)
        head.append(f'<polygon points="{coords}" fill="{band.colour}" stroke="none"/>')
    head.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" '
                f'stroke="{MUTED}"/>')
    head.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="{MUTED}"/>')
    for tick in chart.x_ticks:
        x, _ = point(tick, y0)
        head.append(f'<text x="{x}" y="{bottom + 14}" font-size="11" text-anchor="middle" '
                    f'fill="{INK}">{escape(_num(tick))}</text>')
    if shared_y:
        head += _y_ticks(chart, point)
    for label, value in chart.limits:
        _, y = point(x0, value)
        head.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="{ALERT}" '
                    f'stroke-dasharray="6 4" stroke-width="1.5"/>')
        head.append(f'<text x="{right - 2}" y="{y - 4}" font-size="11" text-anchor="end" '
                    f'fill="{ALERT}">{escape(label)}</text>')
    for series in chart.series:
        if series.reference:
            head += _series(series, point)
    tail = [
        f'<text x="{(left + right) / 2}" y="{HEIGHT - 4}" font-size="11" '
        f'text-anchor="middle" fill="{INK}">{escape(chart.x_label)}</text>',
        f'<text x="10" y="{(top + bottom) / 2}" font-size="11" text-anchor="middle" '
        f'fill="{INK}" transform="rotate(-90 10 {(top + bottom) / 2})">'
        f'{escape(chart.y_label)}</text>',
        "</svg>",
    ]
    return "".join(head), "".join(tail)


def render_marks(chart: Chart, *, shared_y: bool = True) -> str:
    """The person's own series (and, without `shared_y`, the y ticks that follow them)."""
    point = _scale(chart)
    parts = [] if shared_y else _y_ticks(chart, point)
    for series in chart.series:
        if not series.reference:
            parts += _series(series, point)
    return "".join(parts)


def _y_ticks(chart: Chart, point) -> list[str]:
    (x0, x1), _ = chart.x_range, chart.y_range
    left, _ = point(x0, chart.y_range[0])
    right, _ = point(x1, chart.y_range[0])
    parts = []
    for tick in chart.y_ticks:
        _, y = point(x0, tick)
        parts.append(f'<text x="{left - 4}" y="{y + 4}" font-size="11" text-anchor="end" '
                     f'fill="{INK}">{escape(_num(tick))}</text>')
        parts.append(f'<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="#e3e8eb"/>')
    return parts


def _series(series: Series, point) -> list[str]:
    if not series.points:
        return []
    dash = ' stroke-dasharray="4 3"' if series.dashed else ""
    # Lines and points take their common look from the stylesheet (.chart .ln, .chart .pt):
    # a card's marks travel as state, so each one is kept short.
    parts = [f'<path d="{_path(series.points, point)}" class="ln" '
             f'stroke="{series.colour}"{dash}/>']
    if series.markers and series.hollow:
        # Open rings on a dashed line: told apart by shape, not by colour (WCAG 1.4.1).
        for x, y in series.points:
            cx, cy = point(x, y)
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="4" stroke="{series.colour}" '
                         f'class="ph"/>')
    elif series.markers:
        for x, y in series.points:
            cx, cy = point(x, y)
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="4" fill="{series.colour}" '
                         f'class="pt"/>')
    return parts


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
