"""Charts (report/charts.py) read without colour, with one run, and with series of equal values."""

from __future__ import annotations

import re

import pytest

from r57_pipelines.report.charts import DASHES, FONT, GAP, LABEL_SPACING, MARKERS, BarChart, LineChart, line_chart

KEYS = ["foundational", "partial", "not_started", "at_risk"]
NAMES = {"foundational": "Đã có nền tảng", "partial": "Đang triển khai", "not_started": "Chưa triển khai", "at_risk": "Nguy cơ"}


def _runs(*counts: tuple[int, int, int, int], start: int = 1) -> list[dict]:
    return [{"as_of": f"2025-12-{start + i:02d}", **dict(zip(KEYS, c))} for i, c in enumerate(counts)]


def test_a_single_run_is_a_bar_per_series_with_its_marker_and_value():
    chart = line_chart(_runs((4, 5, 3, 8)), KEYS, names=NAMES)
    assert isinstance(chart, BarChart) and chart.as_of == "2025-12-01"
    left, top, right, bottom = chart.plot
    rows = chart.rows
    assert [s.key for s, _, _ in rows] == KEYS
    for (s, centre, point), value in zip(rows, (4, 5, 3, 8)):
        assert point.value == value and point.y == centre
        assert left < point.x <= right  # a bar from the axis to the value, not a dot on an empty axis
        assert len(s.markers) == 1
    scale = {round((p.x - left) / p.value, 6) for _, _, p in rows}
    assert len(scale) == 1  # bar lengths in proportion to the values
    centres = [c for _, c, _ in rows]
    assert min(b - a for a, b in zip(centres, centres[1:])) >= FONT + 4  # one row each: the names never overlap
    assert [t.value for t in chart.x_ticks] == [0, 2, 4, 6, 8]


def test_a_single_run_keeps_a_series_without_a_value():
    chart = line_chart([{"as_of": "2025-12-01", "correct": 93.3, "live": None}], ["correct", "live"], y_max=100)
    (_, _, correct), (live_series, _, live) = chart.rows
    assert correct.value == 93.3 and live is None and live_series.markers == []
    assert chart.digits == 1  # 93,3 / 93.3, not 93


def test_each_series_has_its_own_marker_and_dash():
    chart = line_chart(_runs((4, 5, 3, 8), (4, 6, 2, 8)), KEYS, names=NAMES)
    assert isinstance(chart, LineChart)
    assert len({s.marker for s in chart.series}) == len(KEYS) and len({s.dash for s in chart.series}) == len(KEYS)
    assert all(s.marker in MARKERS and s.dash in DASHES for s in chart.series)
    assert len({s.swatch() for s in chart.series}) == len(KEYS)  # the legend draws the same markers
    assert all(len(s.markers) == 2 for s in chart.series)


def test_series_with_equal_values_are_all_visible():
    # foundational and partial are equal throughout, and all four meet at the last run.
    chart = line_chart(_runs((4, 4, 3, 8), (4, 4, 4, 4), (4, 4, 4, 4)), KEYS, names=NAMES)
    assert chart.nudged
    left, top, right, bottom = chart.plot
    for i in range(3):
        ys = sorted(s.points[i].y for s in chart.series)
        assert min(b - a for a, b in zip(ys, ys[1:])) >= GAP - 1e-9  # no marker hides another
        for s in chart.series:  # and none is drawn far from its value
            true_y = bottom - (bottom - top) * s.points[i].value / 8
            assert abs(s.points[i].y - true_y) <= GAP * (len(KEYS) - 1) / 2 + 1e-9
    # Each series keeps its own direct label with its own value, stacked, not on top of one another.
    labels = sorted(s.label.y for s in chart.series)
    assert min(b - a for a, b in zip(labels, labels[1:])) >= LABEL_SPACING - 1e-9
    assert {s.label.point.value for s in chart.series} == {4}


def test_distinct_values_are_drawn_where_they_are():
    chart = line_chart(_runs((1, 10, 20, 30), (2, 12, 24, 36)), KEYS, y_max=40)
    assert not chart.nudged
    left, top, right, bottom = chart.plot
    for s in chart.series:
        for p in s.points:
            assert p.y == pytest.approx(bottom - (bottom - top) * p.value / 40)


def test_date_labels_never_overlap():
    rows = [{"as_of": f"2025-{m:02d}-{d:02d}", "a": d} for m in (10, 11) for d in range(1, 29)]
    chart = line_chart(rows, ["a"])
    xs = [x for x, _, _ in chart.x_labels]
    assert chart.x_labels[0][1] == "2025-10-01" and chart.x_labels[-1][1] == "2025-11-28"
    assert min(b - a for a, b in zip(xs, xs[1:])) > 90  # wider than a date label
    assert len(chart.series[0].markers) <= 25  # 56 nightly points: a marker every few, and the last
    assert chart.series[0].marked[-1] == len(rows) - 1


def test_marker_paths_are_closed_shapes():
    chart = line_chart(_runs((1, 2, 3, 4), (1, 2, 3, 4)), KEYS)
    for s in chart.series:
        for _, d in s.markers:
            assert d.startswith("M") and d.endswith("Z") and re.fullmatch(r"[MmLlHhVvAaZz0-9., -]+", d)


def test_a_rendered_chart_has_readable_text_markers_and_its_data_table():
    from r57_pipelines.report.site import _environment, strings

    template = _environment().from_string(
        '{% import "_macros.html.j2" as m with context %}{{ m.trend_chart(rows, "Trend") }}'
    )
    numbers = {"en": lambda v, digits=0: "—" if v is None else f"{v:,.{digits}f}"}
    html = template.render(
        rows=_runs((4, 4, 3, 8), (4, 4, 4, 4)), t=strings()["en"], lang="en", num=numbers["en"], date=lambda d: d
    )
    assert html.count('class="marker s') == 8 + 4  # two points a series, and the legend's four
    assert len(set(re.findall(r'stroke-dasharray="([^"]+)"', html))) == 4
    assert 'data-testid="chart-nudged"' in html
    assert re.search(r'<details class="chart-data"[^>]*>.*<td class="date">2025-12-02</td>', html, re.S)
    single = template.render(rows=_runs((4, 5, 3, 8)), t=strings()["en"], lang="en", num=numbers["en"], date=lambda d: d)
    assert "Only one run so far (2025-12-01)" in single and single.count('class="bar s') == 4
