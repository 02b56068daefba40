"""The report's texts and the verdict's reasons exist in both languages; charts lay out by date."""

from __future__ import annotations

from importlib import resources

import yaml

from r57_pipelines.readiness.wording import say
from r57_pipelines.report.charts import line_chart
from r57_pipelines.report.site import LANGUAGES, strings


def test_every_report_text_is_in_vietnamese_and_english():
    catalog = strings()
    assert set(catalog) == set(LANGUAGES) and catalog["vi"].keys() == catalog["en"].keys()
    assert all(catalog["vi"][k].strip() and catalog["en"][k].strip() for k in catalog["vi"])


def test_every_reason_is_in_both_languages_and_puts_words_in_the_same_language():
    catalog = yaml.safe_load(resources.files("r57_pipelines.readiness").joinpath("reasons.yaml").read_text("utf-8"))
    for group in catalog.values():
        assert all(set(texts) == {"en", "vi"} for texts in group.values())
    said = say("tier_fell", from_tier="foundational", tier="not_started")
    assert said.en == "tier fell from foundational to not started"
    assert said.vi == "mức giảm từ đã có nền tảng xuống chưa triển khai"


def test_chart_x_follows_the_calendar_not_the_run_count():
    rows = [{"as_of": "2025-12-01", "a": 1}, {"as_of": "2025-12-02", "a": 2}, {"as_of": "2025-12-11", "a": 3}]
    chart = line_chart(rows, ["a"])
    (x0, _, _, _), (x1, _, _, _), (x2, _, _, _) = chart.series[0].points
    assert round((x1 - x0) * 9, 6) == round(x2 - x1, 6)  # 1 day, then 9 days
    assert chart.x_labels[0][1:] == ("2025-12-01", "start") and chart.x_labels[-1][1:] == ("2025-12-11", "end")
    assert [label for _, label in chart.y_ticks] == ["0", "1", "2", "3", "4"]  # whole numbers for counts
    assert line_chart([], ["a"]) is None
    higher, lower = line_chart([{"as_of": "2025-12-01", "a": 80, "b": 20}], ["a", "b"], y_max=100).series
    assert higher.points[0][1] < lower.points[0][1]  # SVG y grows downwards
