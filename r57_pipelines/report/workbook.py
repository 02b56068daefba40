"""readiness.xlsx: the same figures as the site, for reviewers who work in a spreadsheet.

Sheets, in Vietnamese: Tổng hợp (per programme, in the shape of the published status), Cơ sở dữ liệu
(one row each), Kiểm tra (every check outcome each verdict used, masked samples included), Lịch sử
(each database's tier and scores at every run). Headers and codes are said in Vietnamese words from
strings.yaml; the database id and check id stay as machine ids so rows join with readiness.json.

Every sheet has its header frozen, an auto-filter over its rows and sized columns; dates, times and
numbers are typed cells (Excel has no time zones: times are Vietnam local time, as the header says).
Written in openpyxl's write-only mode: rows stream to disk, so thousands of checks cost little memory.
Write-only sheets take panes and column widths only before the first row (they go at the top of the
sheet's XML); the auto-filter goes at the end, once the last row is known.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from r57_pipelines.locale_format import VIETNAM
from r57_pipelines.readiness.check_wording import check_text, table_label
from r57_pipelines.readiness.policy import DIMENSIONS
from r57_pipelines.readiness.wording import delivery_problem, why_not_evaluated
from r57_pipelines.readiness.scoring import CheckRow
from r57_pipelines.report.data import ReportData
from r57_pipelines.report.site import strings

LANG = "vi"
SUMMARY_COUNTS = ("total", "foundational", "partial", "not_started", "at_risk", "partial_not_at_risk")

# How a column's cells are written: the number format of typed cells, and which wrap.
FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "score": "0.0", "int": "#,##0"}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: str = "text"  # text | wrap | date | datetime | score | int


class _Sheet:
    """A write-only sheet: optional lines above, a bold header frozen in place, typed rows, an auto-filter."""

    def __init__(self, book: Workbook, title: str, columns: Sequence[Column], frozen_columns: int = 0,
                 above: Iterable[Sequence] = ()):
        self.sheet = book.create_sheet(title)
        self.columns = columns
        above = list(above)
        self.header_row = len(above) + 1
        # Before the first append: write-only sheets write views and column widths at the top.
        for i, column in enumerate(columns, 1):
            self.sheet.column_dimensions[get_column_letter(i)].width = column.width
        self.sheet.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{self.header_row + 1}"
        for line in above:
            self.sheet.append([self._label(value) if i == 0 else self._typed(value) for i, value in enumerate(line)])
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.sheet, value=column.header)
            cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
            header.append(cell)
        self.sheet.append(header)
        self.rows = 0

    def _label(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.font = _HEADER_FONT
        return cell

    def _typed(self, value):
        """A value on a line above the header: dates and times as typed cells."""
        kind = "datetime" if isinstance(value, dt.datetime) else "date" if isinstance(value, dt.date) else None
        if kind is None:
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format, cell.alignment = FORMATS[kind], Alignment(horizontal="left")
        return cell

    def append(self, values: Sequence) -> None:
        cells = []
        for column, value in zip(self.columns, values, strict=True):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.alignment = _WRAP if column.kind == "wrap" else _TOP
            if column.kind in FORMATS and isinstance(value, (int, float, dt.date)):
                cell.number_format = FORMATS[column.kind]
            cells.append(cell)
        self.sheet.append(cells)
        self.rows += 1

    def close(self) -> None:
        last = f"{get_column_letter(len(self.columns))}{self.header_row + self.rows}"
        self.sheet.auto_filter.ref = f"A{self.header_row}:{last}"


def _t() -> dict[str, str]:
    return strings()[LANG]


def _word(prefix: str, code: str | None) -> str | None:
    """A code said as a word of strings.yaml (`tier_partial` -> "Đang triển khai"); the code if none is known."""
    if code is None:
        return None
    return _t().get(f"{prefix}_{code}", code)


def _yes_no(value: bool | None) -> str | None:
    return None if value is None else _t()["answer_yes" if value else "answer_no"]


def _score(value: float | None) -> float | str:
    return _t()["not_assessed"] if value is None else round(float(value), 1)


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def _local_time(value: str | None) -> dt.datetime | None:
    """An ISO time with an offset as Vietnam local time, naive (Excel cells have no time zone)."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    return moment.astimezone(VIETNAM).replace(tzinfo=None) if moment.tzinfo else moment


def _lines(texts: Iterable[str] | None) -> str | None:
    return "\n".join(texts) if texts else None


def _samples(samples: Sequence[dict]) -> str | None:
    """Masked samples as text: a one-column sample as its value, a wider one as `col=value, col=value`."""
    def one(sample: dict) -> str:
        shown = {col: "∅" if value is None else str(value) for col, value in sample.items()}
        return next(iter(shown.values())) if len(shown) == 1 else ", ".join(f"{c}={v}" for c, v in shown.items())

    return "; ".join(one(s) for s in samples) if samples else None


def _check_description(c: CheckRow) -> str:
    """What the check found (failing) or requires, in Vietnamese (readiness/checks.yaml)."""
    return check_text(c.check_id, c.table_name, c.expectation_type, failing=c.success is False).vi


def _not_evaluated(reason: str | None) -> str | None:
    """Why a check did not run, in Vietnamese words."""
    return why_not_evaluated(reason).vi if reason else None


def _check_result(c: CheckRow) -> str:
    return _t()["not_evaluated" if c.success is None else "passed" if c.success else "failed"]


def _scope(data: ReportData) -> str:
    t = _t()
    if not data.ministry:
        return t["scope_national"]
    ministry = data.ministries.get(data.ministry)
    return t["scope_ministry"].format(name=ministry.name_vi if ministry else data.ministry)


def _ministry_name(data: ReportData, code: str) -> str:
    ministry = data.ministries.get(code)
    return ministry.name_vi if ministry else code


def _score_columns() -> list[Column]:
    t = _t()
    return [Column(t["wb_score"].format(dimension=t[f"dimension_{d}"].lower()), 11, "score") for d in DIMENSIONS]


def _summary(book: Workbook, data: ReportData) -> None:
    t = _t()
    above = [
        [t["as_of"], _date(data.as_of)],
        [t["wb_generated_at"], _local_time(data.document.get("generated_at"))],
        [t["run_id"], data.document.get("run_id")],
        [t["wb_scope"], _scope(data)],
        [],
    ]
    count_headers = {
        "total": t["total"], "foundational": t["tier_foundational"], "partial": t["tier_partial"],
        "not_started": t["tier_not_started"], "at_risk": t["at_risk"], "partial_not_at_risk": t["wb_partial_not_at_risk"],
    }
    columns = [
        Column(t["programme"], 22), Column(t["wb_programme_full"], 42, "wrap"),
        *(Column(count_headers[c], 16, "int") for c in SUMMARY_COUNTS),
    ]
    sheet = _Sheet(book, t["wb_sheet_summary"], columns, above=above)
    for programme, counts in data.document["summary"].items():
        sheet.append([_word("programme_short", programme), _word("programme", programme),
                      *(counts[c] for c in SUMMARY_COUNTS)])
    sheet.close()


def _databases(book: Workbook, data: ReportData) -> None:
    t = _t()
    columns = [
        Column(t["wb_name_vi"], 46, "wrap"), Column(t["wb_database_id"], 28), Column(t["ministry"], 28, "wrap"),
        Column(t["programme"], 11), Column(t["deadline"], 12, "date"), Column(t["cadence"], 14),
        Column(t["tier"], 17), Column(t["wb_at_risk"], 11), Column(t["wb_risk_reasons"], 60, "wrap"),
        Column(t["to_next_tier"], 70, "wrap"), *_score_columns(), Column(t["rows"], 12, "int"),
        Column(t["wb_delivery_status"], 16), Column(t["wb_delivery_error"], 40, "wrap"),
        Column(t["wb_extracted_at"], 19, "datetime"), Column(t["sha256"], 20), Column(t["checks_evaluated"], 12, "int"),
        Column(t["failing_checks"], 12, "int"), Column(t["wb_name_en"], 40, "wrap"),
        Column(t["wb_risk_reasons_en"], 50, "wrap"), Column(t["wb_to_next_tier_en"], 60, "wrap"),
    ]
    # Frozen: the header and the Vietnamese name, so a row stays named while reading across.
    sheet = _Sheet(book, t["wb_sheet_databases"], columns, frozen_columns=1)
    for db in data.databases:
        delivery = db["delivery"]
        sheet.append([
            db["name_vi"], db["id"], _ministry_name(data, db["ministry"]), _word("programme_short", db["programme"]),
            _date(db["deadline"]), _word("cadence", db["cadence"]), _word("tier", db["tier"]), _yes_no(db["at_risk"]),
            _lines(db.get("risk_reasons_vi")), _lines(db.get("to_next_tier_vi")),
            *(_score(db["scores"][d]) for d in DIMENSIONS), db["rows"], _word("delivery", delivery["status"]),
            delivery_problem(delivery["error"]).vi if delivery.get("error") else None, _local_time(delivery.get("extracted_at")), delivery.get("sha256"),
            db["checks"]["evaluated"], db["checks"]["failed"], db["name"], _lines(db.get("risk_reasons")),
            _lines(db.get("to_next_tier")),
        ])
    sheet.close()


def _checks(book: Workbook, data: ReportData) -> None:
    t = _t()
    columns = [
        Column(t["wb_database_id"], 28), Column(t["table"], 20), Column(t["wb_check_id"], 34), Column(t["dimension"], 10),
        Column(t["severity"], 13), Column(t["wb_description"], 60, "wrap"), Column(t["result"], 15),
        Column(t["wb_unexpected"], 12, "int"), Column(t["wb_elements"], 12, "int"),
        Column(t["masked_samples"], 50, "wrap"), Column(t["engine"], 20), Column(t["wb_not_evaluated_reason"], 40, "wrap"),
    ]
    sheet = _Sheet(book, t["wb_sheet_checks"], columns, frozen_columns=1)
    for db in data.databases:
        for c in data.checks.get(db["id"], []):
            sheet.append([
                db["id"], table_label(c.table_name).vi, c.check_id, _word("dimension", c.dimension), _word("severity", c.severity),
                _check_description(c), _check_result(c), int(c.unexpected_count), int(c.element_count),
                _samples(c.masked_samples), _word("engine", c.engine), _not_evaluated(c.not_evaluated_reason),
            ])
    sheet.close()


def _history(book: Workbook, data: ReportData) -> None:
    t = _t()
    columns = [
        Column(t["wb_database_id"], 28), Column(t["wb_as_of"], 13, "date"), Column(t["tier"], 17),
        Column(t["wb_at_risk"], 11), *_score_columns(),
    ]
    sheet = _Sheet(book, t["wb_sheet_history"], columns, frozen_columns=1)
    for db in data.databases:
        for h in data.score_history.get(db["id"], []):
            sheet.append([
                db["id"], _date(h["as_of"]), _word("tier", h["tier"]), _yes_no(h["at_risk"]),
                *(_score(h[d]) for d in DIMENSIONS),
            ])
    sheet.close()


def write_workbook(data: ReportData, path: Path) -> Path:
    book = Workbook(write_only=True)
    _summary(book, data)
    _databases(book, data)
    _checks(book, data)
    _history(book, data)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
