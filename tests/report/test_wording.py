"""The report's texts and the verdict's reasons exist in both languages; charts lay out by date."""

from __future__ import annotations

from importlib import resources

import yaml

from r57_pipelines.readiness.check_wording import check_text
from r57_pipelines.readiness.wording import Decimal, Share, delivery_finding, delivery_problem, say, why_not_evaluated
from r57_pipelines.report.charts import line_chart
from r57_pipelines.report.site import LANGUAGES, strings


def test_every_report_text_is_in_vietnamese_and_english():
    catalog = strings()
    assert set(catalog) == set(LANGUAGES) and catalog["vi"].keys() == catalog["en"].keys()
    assert all(catalog["vi"][k].strip() and catalog["en"][k].strip() for k in catalog["vi"])


def test_every_reason_is_in_both_languages_and_puts_words_in_the_same_language():
    catalog = yaml.safe_load(resources.files("r57_pipelines.readiness").joinpath("reasons.yaml").read_text("utf-8"))
    for name, group in catalog.items():
        entries = group if isinstance(group, list) else group.values()
        assert all({"en", "vi"} <= set(texts) for texts in entries)
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


def test_numbers_in_reasons_are_written_the_readers_way():
    said = say("check_failing", table="persons", check="birth_date is empty", unexpected=3330, elements=12380,
               share=Share(0.269), severity="major", allowed=Share(0.05, 0))
    assert "3.330 trên 12.380" in said.vi and "26,9%" in said.vi and "5%" in said.vi
    assert "3,330 of 12,380" in said.en and "26.9%" in said.en
    score = say("below_threshold", dimension="correct", score=Decimal(93.25), threshold=Decimal(95, 0))
    assert "93,2" in score.vi or "93,3" in score.vi
    assert "93.2" in score.en or "93.3" in score.en


def test_a_rejected_delivery_is_said_in_words_with_its_file():
    said = delivery_problem("dossier.xlsx: cannot be read as xlsx: File is not a zip file")
    assert said.vi == "tệp dossier.xlsx không đọc được dưới dạng xlsx"
    assert said.en == "dossier.xlsx cannot be read as xlsx"
    missing = delivery_finding("person.parquet: contract column(s) missing: status, sex")
    assert missing.vi == "tệp person.parquet thiếu cột theo quy định: status, sex"
    unknown = delivery_problem("data.csv: something nobody foresaw")
    assert "data.csv" in unknown.vi and "something" not in unknown.vi


def test_checks_are_said_from_templates_never_from_parameter_names():
    catalog = yaml.safe_load(resources.files("r57_pipelines.readiness").joinpath("checks.yaml").read_text("utf-8"))
    for section in ("rules", "types"):
        for entry in catalog[section].values():
            assert set(entry) == {"pass", "fail"} and all(set(t) == {"en", "vi"} for t in entry.values())
    recent = check_text("person.updated_at.recent", "person", "expect_column_parsed_values_to_be_between", failing=True)
    assert "recent_since" not in recent.en and "updated_at" in recent.vi
    fresh = check_text("_r57_delivery.extracted_at.fresh", "_r57_delivery", "expect_column_parsed_values_to_be_between")
    assert "_r57_delivery" not in fresh.en + fresh.vi
    authored = check_text("dossier.status+opened.column_pair_values_to_be_equal.0123abcd", "dossier",
                          "expect_column_pair_values_to_be_equal", failing=True)
    assert authored.en == "(status, opened) differ"


def test_why_a_check_did_not_run_is_said_in_words():
    assert why_not_evaluated("column not delivered: status").vi == "chưa bàn giao cột: status"
    authored = why_not_evaluated("civil/authored/person.json: expectation 2 (expect_x): no column 'y'")
    assert authored.vi == "tệp civil/authored/person.json: kiểm tra thứ 2 không dùng được như đã viết"
