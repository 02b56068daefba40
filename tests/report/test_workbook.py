"""readiness.xlsx as an officer opens it: Vietnamese sheets and headers, frozen headers, filters, typed cells."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from r57_pipelines.readiness.policy import DIMENSIONS

pytestmark = pytest.mark.slow

SHEETS = ["Tổng hợp", "Cơ sở dữ liệu", "Kiểm tra", "Lịch sử"]
TIERS = {"foundational": "Đã có nền tảng", "partial": "Đang triển khai", "not_started": "Chưa triển khai"}
YES_NO = {True: "có", False: "không"}
RESULTS = {"đạt", "không đạt", "không chạy được"}
NOT_ASSESSED = "chưa đánh giá"
DELIVERY_STATUSES = {"đã nạp", "không đổi so với lần trước", "bị từ chối", "chưa bàn giao"}
SNAKE = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@pytest.fixture(scope="module")
def book(sample_estate_run):
    # Not read-only: panes, filters and column widths are only read by a full load.
    workbook = load_workbook(sample_estate_run.home / "reports" / "readiness.xlsx")
    yield workbook
    workbook.close()


def _table(sheet) -> tuple[int, list[str], list[dict]]:
    """The header row (the one just above the frozen pane), its names, and the rows below as dicts."""
    header_row = int(re.sub(r"[A-Z]+", "", sheet.freeze_panes)) - 1
    names = [c.value for c in sheet[header_row]]
    rows = [
        dict(zip(names, cells))
        for cells in sheet.iter_rows(min_row=header_row + 1)
        if any(c.value is not None for c in cells)
    ]
    return header_row, names, rows


def _is_score(cell, expected: float | None) -> bool:
    if expected is None:
        return cell.value == NOT_ASSESSED
    # Rounded to one decimal (readiness.json keeps two; the history mart keeps them all).
    return (
        isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
        and cell.value == round(cell.value, 1) and abs(cell.value - expected) <= 0.05 + 1e-9
        and cell.number_format == "0.0"
    )


def test_every_sheet_is_vietnamese_with_its_header_frozen_filtered_and_sized(book):
    assert book.sheetnames == SHEETS
    for sheet in book:
        assert sheet.freeze_panes, f"{sheet.title}: no frozen panes"
        header_row, names, rows = _table(sheet)
        assert rows, sheet.title
        header = sheet[header_row]
        assert all(c.font.b for c in header), f"{sheet.title}: header not bold"
        assert all(isinstance(n, str) and n.strip() and not SNAKE.match(n) for n in names), (sheet.title, names)
        last = f"{header[-1].column_letter}{header_row + len(rows)}"
        assert sheet.auto_filter.ref == f"A{header_row}:{last}", sheet.title
        assert all(sheet.column_dimensions[c.column_letter].width >= 8 for c in header), sheet.title
    # The data sheets keep their id column in view as well as the header.
    assert [book[s].freeze_panes for s in SHEETS[1:]] == ["B2", "B2", "B2"]


def test_databases_sheet_has_typed_cells_and_vietnamese_words(book, sample_estate_run):
    document = sample_estate_run.document
    _, names, rows = _table(book["Cơ sở dữ liệu"])
    assert names[0] == "Tên cơ sở dữ liệu" and "Mức" in names and "Mã CSDL" in names
    by_id = {row["Mã CSDL"].value: row for row in rows}
    assert set(by_id) == {d["id"] for d in document["databases"]}
    score_headers = [n for n in names if n.startswith("Điểm ")]
    assert len(score_headers) == len(DIMENSIONS)
    extracted_header = next(n for n in names if n.startswith("Thời điểm trích xuất") and "giờ Việt Nam" in n)
    for db in document["databases"]:
        row = by_id[db["id"]]
        assert row["Tên cơ sở dữ liệu"].value == db["name_vi"]
        assert row["Mức"].value == TIERS[db["tier"]]
        assert row["Có nguy cơ"].value == YES_NO[db["at_risk"]]
        assert row["Chương trình"].value in ("KH 02", "NQ 71")
        deadline = row["Thời hạn"].value
        assert isinstance(deadline, dt.datetime) and deadline.date() == dt.date.fromisoformat(db["deadline"])
        for header, dimension in zip(score_headers, DIMENSIONS):
            assert _is_score(row[header], db["scores"][dimension]), (db["id"], header, row[header].value)
        counts = {"Kiểm tra đã chạy": db["checks"]["evaluated"], "Kiểm tra không đạt": db["checks"]["failed"],
                  "Số bản ghi": db["rows"]}
        for header, value in counts.items():
            assert row[header].value == value and (value is None or type(row[header].value) is int), (db["id"], header)
        extracted = db["delivery"]["extracted_at"]
        if extracted:
            local = dt.datetime.fromisoformat(extracted).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).replace(tzinfo=None)
            assert row[extracted_header].value == local and row[extracted_header].is_date
        else:
            assert row[extracted_header].value is None
        assert row["Trạng thái bàn giao"].value in DELIVERY_STATUSES

    at_risk = next(d for d in document["databases"] if d["at_risk"] and d["risk_reasons_vi"] and d["to_next_tier_vi"])
    row = by_id[at_risk["id"]]
    reasons, next_tier = row["Lý do có nguy cơ"], row["Cần làm để lên mức tiếp theo"]
    assert reasons.value.split("\n") == at_risk["risk_reasons_vi"] and reasons.alignment.wrap_text
    assert next_tier.value.split("\n") == at_risk["to_next_tier_vi"] and next_tier.alignment.wrap_text
    # Vietnamese first; the English reasons come after, in their own columns.
    assert names.index("Lý do có nguy cơ") < names.index("Lý do có nguy cơ (tiếng Anh)")


def test_checks_sheet_has_every_outcome_in_words_with_readable_samples(book, sample_estate_run):
    document = sample_estate_run.document
    _, names, rows = _table(book["Kiểm tra"])
    assert names[:3] == ["Mã CSDL", "Bảng", "Mã kiểm tra"]
    listed = sum(c["checks_total"] for d in document["databases"] for c in d["score_coverage"].values())
    assert len(rows) == listed > 1000
    assert {r["Kết quả"].value for r in rows} <= RESULTS
    failed = sum(r["Kết quả"].value == "không đạt" for r in rows)
    assert failed == sum(d["checks"]["failed"] for d in document["databases"]) > 0
    assert {r["Tiêu chí"].value for r in rows} <= {"Đúng", "Đủ", "Sạch", "Sống"}
    assert {r["Mức độ"].value for r in rows} <= {"nghiêm trọng", "lớn", "nhỏ"}
    assert all(type(r[h].value) is int for r in rows for h in ("Số không đạt", "Số đã kiểm tra"))
    samples = [r["Mẫu (đã che)"].value for r in rows if r["Mẫu (đã che)"].value]
    assert samples and not any(s.lstrip().startswith(("[", "{")) for s in samples)
    assert any("; " in s for s in samples)
    # Checks and tables said in Vietnamese words (checks.yaml), not the suites' English or r57's internal names.
    assert "_r57_delivery" not in {r["Bảng"].value for r in rows}
    assert any(r["Mô tả"].value == "bản trích xuất đủ mới theo chu kỳ cập nhật" for r in rows)


def test_history_sheet_has_dates_tiers_in_words_and_rounded_scores(book, sample_estate_run):
    document = sample_estate_run.document
    _, names, rows = _table(book["Lịch sử"])
    as_of = dt.date.fromisoformat(document["as_of"])
    today = {r["Mã CSDL"].value: r for r in rows if r["Ngày đánh giá"].value.date() == as_of}
    assert set(today) == {d["id"] for d in document["databases"]}
    assert all(isinstance(r["Ngày đánh giá"].value, dt.datetime) for r in rows)
    assert {r["Mức"].value for r in rows} <= set(TIERS.values())
    assert {r["Có nguy cơ"].value for r in rows} <= set(YES_NO.values())
    score_headers = [n for n in names if n.startswith("Điểm ")]
    for db in document["databases"]:
        row = today[db["id"]]
        assert row["Mức"].value == TIERS[db["tier"]] and row["Có nguy cơ"].value == YES_NO[db["at_risk"]]
        for header, dimension in zip(score_headers, DIMENSIONS):
            assert _is_score(row[header], db["scores"][dimension]), (db["id"], header, row[header].value)


def test_summary_sheet_has_the_date_scope_and_counts_per_programme(book, sample_estate_run):
    document = sample_estate_run.document
    sheet = book["Tổng hợp"]
    assert sheet["A1"].value == "Tính đến ngày"
    assert isinstance(sheet["B1"].value, dt.datetime) and sheet["B1"].value.date().isoformat() == document["as_of"]
    lines = {row[0]: row[1] for row in sheet.iter_rows(max_row=4, values_only=True)}
    assert lines["Phạm vi"] == "Toàn quốc (Bộ Công an)"
    _, names, rows = _table(sheet)
    assert names[:3] == ["Chương trình", "Tên đầy đủ", "Tổng số"] and "Đã có nền tảng" in names
    by_programme = {r["Chương trình"].value: r for r in rows}
    assert set(by_programme) == {"KH 02", "NQ 71"}
    for code, short in (("plan02_key", "KH 02"), ("r71", "NQ 71")):
        counts, row = document["summary"][code], by_programme[short]
        assert (row["Tổng số"].value, row["Đã có nền tảng"].value, row["Đang triển khai"].value,
                row["Chưa triển khai"].value) == (counts["total"], counts["foundational"], counts["partial"],
                                                   counts["not_started"])
    assert (by_programme["KH 02"]["Tổng số"].value, by_programme["KH 02"]["Đã có nền tảng"].value) == (12, 4)
