"""Charts laid out at build time (the templates draw them as inline SVG: no script, no CDN).

``line_chart(rows, keys)`` gives one of two layouts:

- ``LineChart`` over two runs or more: x proportional to time, one line per key;
- ``BarChart`` for a single run (a line through one date would be a column of dots on an empty axis):
  one horizontal bar per key, its name on the left and its value at its end.

Readable without colour: every series has its own marker shape and dash pattern (``MARKERS``,
``DASHES``, the same in the legend), and a direct label (its name and last value) at the end of its
line. Equal values stay visible: series whose points would cover each other are drawn a few pixels
apart (``GAP``; the chart says so) and their direct labels are stacked, each with its own value. The
SVG is drawn at its own size in CSS pixels (never scaled below 12/13), so ``FONT`` is the size read.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from typing import NamedTuple

WIDTH = 480
LINE_HEIGHT = 240
FONT = 13  # px, axis and label text (report.css: svg .axis, svg .label)
CHAR, DIGIT = 7.0, 8.6  # px, generous advances of a FONT px sans-serif letter and (bold) digit: label layout only
DATE_CHARS = (3, 8)  # letters, digits: "31 Dec 2025", "31/12/2025", "2025-12-31"
TOP, BOTTOM = 20, 32
GAP = 6.0  # px between points of different series that would otherwise overlap
MARKER_RADIUS = 4.5
LABEL_SPACING = FONT + 3  # px between the baselines of stacked direct labels
MAX_MARKERS = 24  # per series: past that, a marker every few points (and always the last)
BAR_ROW, BAR_THICKNESS = 30, 14

# Style slot n (1-based) of a series: colour class s<n> (report.css), MARKERS[n-1], DASHES[n-1].
MARKERS = ("circle", "square", "triangle", "diamond", "triangle_down", "plus")
DASHES = ("none", "8 4", "2 3", "10 3 2 3", "5 2", "1 3")


class Point(NamedTuple):
    x: float
    y: float  # where it is drawn: nudged by up to a few GAPs off a series with the same value
    as_of: str
    value: float


class Tick(NamedTuple):
    pos: float  # y of a value-axis tick on a line chart, x on a bar chart
    label: str  # the value as plain text (the template writes it in the reader's locale)

    @property
    def value(self) -> float:
        return float(self.label)


class Label(NamedTuple):
    """A series' direct label: its name and the value at `point`, written at (x, y)."""

    x: float
    y: float
    point: Point
    moved: bool  # pushed off its point's height by a neighbour: a leader line joins them


def marker_path(shape: str, x: float, y: float, r: float = MARKER_RADIUS) -> str:
    """SVG path data of one marker of `shape` centred on (x, y), about 2r across."""
    if shape == "circle":
        return f"M{x - r:.1f},{y:.1f}a{r:.1f},{r:.1f} 0 1,0 {2 * r:.1f},0a{r:.1f},{r:.1f} 0 1,0 {-2 * r:.1f},0Z"
    if shape == "square":
        s = r * 0.85
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}Z"
    if shape in ("triangle", "triangle_down"):
        d = -1 if shape == "triangle" else 1
        return f"M{x:.1f},{y + d * r * 1.2:.1f}L{x + r * 1.1:.1f},{y - d * r * 0.75:.1f}L{x - r * 1.1:.1f},{y - d * r * 0.75:.1f}Z"
    if shape == "diamond":
        return f"M{x:.1f},{y - r * 1.25:.1f}L{x + r * 1.05:.1f},{y:.1f}L{x:.1f},{y + r * 1.25:.1f}L{x - r * 1.05:.1f},{y:.1f}Z"
    a, b = r * 0.4, r * 1.15  # plus: arm half-width, arm length
    return (
        f"M{x - a:.1f},{y - b:.1f}h{2 * a:.1f}v{b - a:.1f}h{b - a:.1f}v{2 * a:.1f}h{a - b:.1f}v{b - a:.1f}"
        f"h{-2 * a:.1f}v{a - b:.1f}h{a - b:.1f}v{-2 * a:.1f}h{b - a:.1f}Z"
    )


@dataclass(frozen=True)
class Series:
    key: str
    points: list[Point]
    style: int = 1  # 1-based style slot
    marked: tuple[int, ...] = ()  # indexes of the points drawn with a marker
    label: Label | None = None

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.points)

    @property
    def marker(self) -> str:
        return MARKERS[(self.style - 1) % len(MARKERS)]

    @property
    def dash(self) -> str:
        return DASHES[(self.style - 1) % len(DASHES)]

    @property
    def markers(self) -> list[tuple[Point, str]]:
        """Each marked point with its marker's path data."""
        return [(self.points[i], marker_path(self.marker, self.points[i].x, self.points[i].y)) for i in self.marked]

    def swatch(self, x: float = 14, y: float = 7) -> str:
        """The marker for a legend swatch (a 28 x 14 box with the line through it)."""
        return marker_path(self.marker, x, y)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str, str]]  # x, as-of date, text-anchor (the ends stay inside the plot)
    y_ticks: list[Tick]
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    nudged: bool = False  # some points are drawn a few pixels off their value (equal values)
    digits: int = 0  # decimals to write values with: 1 when any value has a fraction
    kind: str = "line"


@dataclass(frozen=True)
class BarChart:
    """One run: a bar per series. Each series' single point is the end of its bar (x: value)."""

    width: int
    height: int
    series: list[Series]
    x_ticks: list[Tick]  # the value axis, along the bottom
    plot: tuple[float, float, float, float]
    as_of: str
    digits: int = 0
    bar_thickness: float = BAR_THICKNESS
    kind: str = "bars"

    @property
    def rows(self) -> list[tuple[Series, float, Point | None]]:
        """Each series with the centre line of its row and its point (None: no value)."""
        top = self.plot[1]
        return [(s, top + BAR_ROW * (i + 0.5), s.points[0] if s.points else None) for i, s in enumerate(self.series)]


def _nice_max(value: float) -> float:
    """The axis top: a multiple of 4, so counts get whole-number ticks at each quarter."""
    for top in (4, 8, 12, 20, 40, 60, 100, 120, 200, 400, 1000):
        if value <= top:
            return float(top)
    return float(-(-value // 4) * 4)


def _anchor(index: int, last: int) -> str:
    return "start" if index == 0 else "end" if index == last else "middle"


def _ticks(top: float, bottom: float = 0.0) -> list[tuple[float, str]]:
    return [(bottom + (top - bottom) * f, f"{bottom + (top - bottom) * f:g}") for f in (0, 0.25, 0.5, 0.75, 1)]


def _value_chars(value: float | None) -> int:
    """Characters of a value as the template writes it (grouped thousands, one decimal for a fraction)."""
    if value is None:
        return 1
    digits = len(f"{abs(value):,.0f}")
    return digits + (2 if value != int(value) else 0) + (1 if value < 0 else 0)


def _text_width(chars: int, digits: int = 0) -> float:
    """Room for `chars` letters and `digits` digits (DejaVu Sans, the widest common sans, fits)."""
    return chars * CHAR + digits * DIGIT


def line_chart(
    rows: list[dict],
    keys: list[str],
    y_max: float | None = None,
    names: dict[str, str] | None = None,
    width: int = WIDTH,
    zoom: bool = False,
) -> LineChart | BarChart | None:
    """One series per key over `rows` ({"as_of": "YYYY-MM-DD", key: value}); None with no rows.

    `names` (key -> the text the reader sees) sizes the room for labels. Two runs or more give a
    `LineChart`, x proportional to time, so irregular runs (a missed night) show as gaps, not as even
    steps; a single run gives a `BarChart`. `zoom`: the line chart's value axis starts just below the
    lowest value instead of at 0 (scores that all sit between 95 and 100 would otherwise be one thick
    line along the top); bars always start at 0.
    """
    if not rows:
        return None
    names = names or {k: k for k in keys}
    values = [r[k] for r in rows for k in keys if r.get(k) is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=1) or 1)
    digits = 1 if any(float(v) != int(v) for v in values) else 0
    if len(rows) == 1:
        return replace(_bar_chart(rows[0], keys, top, names, width), digits=digits)
    bottom = _zoomed_bottom(top, min(values, default=0)) if zoom else 0.0
    return replace(_line_chart(rows, keys, top, names, width, bottom), digits=digits)


def _zoomed_bottom(top: float, lowest: float) -> float:
    """The highest axis bottom under `lowest` (with some room) whose quarter ticks are round numbers."""
    k = math.floor(math.log10(top / 100)) if top > 0 else 0
    steps = sorted(m * 10.0**e for e in range(k, k + 3) for m in (1, 2, 2.5, 5) if m * 10.0**e <= top / 4)
    for step in steps:
        bottom = top - 4 * step
        if 0 <= bottom <= lowest - 0.4 * step:
            return bottom
    return 0.0


def _bar_chart(row: dict, keys: list[str], top: float, names: dict[str, str], width: int) -> BarChart:
    name_room = _text_width(max(len(names.get(k, k)) for k in keys))
    value_room = _text_width(1, max(_value_chars(row.get(k)) for k in keys))
    left = 8 + name_room + 10
    right = width - 10 - value_room - MARKER_RADIUS
    upper = 6
    lower = upper + BAR_ROW * len(keys)
    height = int(lower + BOTTOM - 6)

    def x_of(value: float) -> float:
        return left + (right - left) * (value / top)

    series = []
    for n, key in enumerate(keys, start=1):
        value = row.get(key)
        cy = upper + BAR_ROW * (n - 0.5)
        points = [] if value is None else [Point(x_of(value), cy, row["as_of"], value)]
        series.append(Series(key, points, style=n, marked=tuple(range(len(points)))))
    return BarChart(
        width=width,
        height=height,
        series=series,
        x_ticks=[Tick(x_of(v), label) for v, label in _ticks(top)],
        plot=(left, upper, right, lower),
        as_of=row["as_of"],
    )


def _spread(ys: list[tuple[float, int]]) -> dict[int, float]:
    """Positions (by series index) for points at heights `ys`, at least GAP apart, order kept.

    Points closer than GAP form a cluster, spread evenly around the cluster's mean."""
    placed: dict[int, float] = {}
    ordered = sorted(ys)
    clusters: list[list[tuple[float, int]]] = []
    for y, i in ordered:
        if clusters and y - clusters[-1][-1][0] < GAP:
            clusters[-1].append((y, i))
        else:
            clusters.append([(y, i)])
    for cluster in clusters:
        mean = sum(y for y, _ in cluster) / len(cluster)
        spread = GAP * (len(cluster) - 1)
        for j, (y, i) in enumerate(cluster):
            placed[i] = y if len(cluster) == 1 else mean - spread / 2 + GAP * j
    return placed


def _stack_labels(wanted: list[tuple[float, int]], upper: float, lower: float) -> dict[int, float]:
    """Label baselines (by series index) LABEL_SPACING apart, each block of stacked labels centred on the
    heights its labels want, the whole kept inside [upper, lower] where it fits."""
    blocks: list[list[tuple[float, int]]] = []  # runs of labels stacked together, in order
    centres: list[float] = []  # the mean wanted height of each block
    for y, i in sorted(wanted):
        blocks.append([(y, i)])
        centres.append(y)
        # Merge with the block above while they overlap, recentring the merged block.
        while len(blocks) > 1:
            above_bottom = centres[-2] + LABEL_SPACING * (len(blocks[-2]) - 1) / 2
            below_top = centres[-1] - LABEL_SPACING * (len(blocks[-1]) - 1) / 2
            if below_top - above_bottom >= LABEL_SPACING:
                break
            merged = blocks[-2] + blocks[-1]
            blocks[-2:] = [merged]
            centres[-2:] = [sum(y for y, _ in merged) / len(merged)]
    placed: list[tuple[float, int]] = []
    for block, centre in zip(blocks, centres):
        first = centre - LABEL_SPACING * (len(block) - 1) / 2
        placed += [(first + LABEL_SPACING * j, i) for j, (_, i) in enumerate(block)]
    # Inside the bounds: push down from the top, then up from the bottom.
    ys = [y for y, _ in placed]
    for j in range(len(ys)):
        ys[j] = max(ys[j], upper if j == 0 else ys[j - 1] + LABEL_SPACING)
    for j in range(len(ys) - 1, -1, -1):
        ys[j] = min(ys[j], lower if j == len(ys) - 1 else ys[j + 1] - LABEL_SPACING)
    return {i: y for y, (_, i) in zip(ys, placed)}


def _line_chart(
    rows: list[dict], keys: list[str], top: float, names: dict[str, str], width: int, bottom: float = 0.0
) -> LineChart:
    days = [dt.date.fromisoformat(r["as_of"]) for r in rows]
    first, span = days[0], max((days[-1] - days[0]).days, 1)
    ticks = _ticks(top, bottom)
    last_values = {k: next((r[k] for r in reversed(rows) if r.get(k) is not None), None) for k in keys}
    left = 10 + _text_width(0, max(_value_chars(v) for v, _ in ticks))
    label_room = max(_text_width(len(names.get(k, k)) + 1, _value_chars(v)) for k, v in last_values.items())
    right = width - 12 - label_room - 18
    upper, lower = TOP, LINE_HEIGHT - BOTTOM

    def x_of(day: dt.date) -> float:
        return left + (right - left) * ((day - first).days / span)

    def y_of(value: float) -> float:
        return lower - (lower - upper) * ((value - bottom) / (top - bottom))

    # Points of different series that would cover each other are drawn GAP apart.
    drawn: dict[tuple[int, int], float] = {}
    nudged = False
    for i, row in enumerate(rows):
        ys = [(y_of(row[k]), n) for n, k in enumerate(keys) if row.get(k) is not None]
        for n, y in _spread(ys).items():
            drawn[(n, i)] = y
            nudged = nudged or abs(y - y_of(rows[i][keys[n]])) > 0.5
    series = []
    for n, key in enumerate(keys):
        points = [
            Point(x_of(d), drawn[(n, i)], r["as_of"], r[key]) for i, (d, r) in enumerate(zip(days, rows)) if r.get(key) is not None
        ]
        step = max(1, math.ceil(len(points) / MAX_MARKERS))
        marked = tuple(sorted({*range(0, len(points), step), len(points) - 1})) if points else ()
        series.append(Series(key, points, style=n + 1, marked=marked))
    # Direct labels at the right of the plot, beside each line's last point, stacked where they would overlap.
    label_y = _stack_labels(
        [(s.points[-1].y + FONT * 0.35, n) for n, s in enumerate(series) if s.points], upper + FONT * 0.35, lower + FONT * 0.35
    )
    series = [
        Series(
            s.key, s.points, s.style, s.marked,
            Label(right + 12, label_y[n], s.points[-1], abs(label_y[n] - (s.points[-1].y + FONT * 0.35)) > 2) if s.points else None,
        )
        for n, s in enumerate(series)
    ]
    return LineChart(
        width=width,
        height=LINE_HEIGHT,
        series=series,
        x_labels=_x_labels(days, rows, x_of, len(rows)),
        y_ticks=[Tick(y_of(v), label) for v, label in ticks],
        plot=(left, upper, right, lower),
        nudged=nudged,
    )


def _x_labels(days: list[dt.date], rows: list[dict], x_of, count: int) -> list[tuple[float, str, str]]:
    """Date labels that do not overlap: always the first and the last, others evenly between where they fit."""
    room = _text_width(*DATE_CHARS) + 12
    plot_width = x_of(days[-1]) - x_of(days[0])
    wanted = max(2, min(count, int(plot_width // room) + 1))
    step = max(1, (count - 1) / (wanted - 1))
    candidates = sorted({0, count - 1, *(round(j * step) for j in range(wanted))})

    def extent(i: int) -> tuple[float, float]:
        x, anchor = x_of(days[i]), _anchor(i, count - 1)
        width = _text_width(*DATE_CHARS)
        return (x, x + width) if anchor == "start" else (x - width, x) if anchor == "end" else (x - width / 2, x + width / 2)

    kept = [0]
    for i in candidates[1:-1]:
        if extent(i)[0] > extent(kept[-1])[1] + 8 and extent(i)[1] < extent(count - 1)[0] - 8:
            kept.append(i)
    if count > 1:
        if extent(count - 1)[0] <= extent(kept[-1])[1] and len(kept) > 1:
            kept.pop()
        kept.append(count - 1)
    return [(x_of(days[i]), rows[i]["as_of"], _anchor(i, count - 1)) for i in kept]
