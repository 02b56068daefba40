"""Line charts laid out at build time (the templates draw them as inline SVG: no script, no CDN)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIDTH, HEIGHT = 600, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 28


@dataclass(frozen=True)
class Series:
    key: str
    points: list[tuple[float, float, str, float]]  # x, y, as-of date, value

    @property
    def path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in self.points)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    series: list[Series]
    x_labels: list[tuple[float, str, str]]  # x, text, text-anchor (the ends stay inside the plot)
    y_ticks: list[tuple[float, str]]
    plot: tuple[float, float, float, float]  # left, top, right, bottom


def _nice_max(value: float) -> float:
    """The axis top: a multiple of 4, so counts get whole-number ticks at each quarter."""
    for top in (4, 8, 12, 20, 40, 60, 100, 120, 200, 400, 1000):
        if value <= top:
            return float(top)
    return float(-(-value // 4) * 4)


def _anchor(index: int, last: int) -> str:
    return "start" if index == 0 else "end" if index == last else "middle"


def line_chart(rows: list[dict], keys: list[str], y_max: float | None = None) -> LineChart | None:
    """One series per key over `rows` ({"as_of": "YYYY-MM-DD", key: value}); None with no rows.

    x is proportional to time, so irregular runs (a missed night) show as gaps, not as even steps.
    """
    if not rows:
        return None
    days = [dt.date.fromisoformat(r["as_of"]) for r in rows]
    first, span = days[0], max((days[-1] - days[0]).days, 1)
    values = [r[k] for r in rows for k in keys if r.get(k) is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=1) or 1)
    left, right, upper, lower = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM

    def x_of(day: dt.date) -> float:
        return left + (right - left) * ((day - first).days / span if len(rows) > 1 else 0.5)

    def y_of(value: float) -> float:
        return lower - (lower - upper) * (value / top)

    series = [
        Series(key, [(x_of(d), y_of(r[key]), r["as_of"], r[key]) for d, r in zip(days, rows) if r.get(key) is not None])
        for key in keys
    ]
    # At most six date labels, always the first and the last.
    step = max(1, (len(rows) - 1) // 5)
    label_at = sorted({*range(0, len(rows), step), len(rows) - 1})
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        series=series,
        x_labels=[
            (x_of(days[i]), rows[i]["as_of"], "middle" if len(rows) == 1 else _anchor(i, len(rows) - 1)) for i in label_at
        ],
        y_ticks=[(y_of(top * f), f"{top * f:g}") for f in (0, 0.25, 0.5, 0.75, 1)],
        plot=(left, upper, right, lower),
    )
