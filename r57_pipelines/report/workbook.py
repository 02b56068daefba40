"""readiness.xlsx: the same figures as the site, for reviewers who work in a spreadsheet.

Sheets: Summary (per programme, in the shape of the published status), Databases (one row each),
Checks (every check outcome each verdict used, masked samples included), History (each database's
tier and scores at every run). Written in openpyxl's
write-only mode: rows stream to disk, so thousands of checks cost little memory.
"""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from r57_pipelines.readiness.policy import DIMENSIONS
from r57_pipelines.report.data import ReportData

SUMMARY_COLUMNS = ("total", "foundational", "partial", "not_started", "at_risk", "partial_not_at_risk")
DATABASE_COLUMNS = (
    "id", "name", "name_vi", "ministry", "programme", "deadline", "cadence", "tier", "at_risk", "risk_reasons",
    *(f"score_{d}" for d in DIMENSIONS), "rows", "delivery_status", "delivery_error", "extracted_at",
    "delivery_sha256", "checks_evaluated", "checks_failed",
)
HISTORY_COLUMNS = ("database_id", "as_of", "tier", "at_risk", *DIMENSIONS)
CHECK_COLUMNS = (
    "database_id", "table", "check_id", "dimension", "severity", "description", "success", "unexpected", "elements",
    "masked_samples", "engine",
)


def _header(sheet, names: tuple[str, ...]) -> None:
    bold = Font(bold=True)
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)


def write_workbook(data: ReportData, path: Path) -> Path:
    book = Workbook(write_only=True)

    summary = book.create_sheet("Summary")
    summary.append(["as_of", data.as_of])
    summary.append(["run_id", data.document["run_id"]])
    summary.append(["scope", data.ministry or "national"])
    summary.append([])
    _header(summary, ("programme", *SUMMARY_COLUMNS))
    for programme, counts in data.document["summary"].items():
        summary.append([programme, *(counts[c] for c in SUMMARY_COLUMNS)])

    databases = book.create_sheet("Databases")
    _header(databases, DATABASE_COLUMNS)
    for db in data.databases:
        delivery = db["delivery"]
        databases.append([
            db["id"], db["name"], db["name_vi"], db["ministry"], db["programme"], db["deadline"], db["cadence"],
            db["tier"], db["at_risk"], "; ".join(db["risk_reasons"]), *(db["scores"][d] for d in DIMENSIONS),
            db["rows"], delivery["status"], delivery.get("error"), delivery.get("extracted_at"), delivery.get("sha256"),
            db["checks"]["evaluated"], db["checks"]["failed"],
        ])

    checks = book.create_sheet("Checks")
    _header(checks, CHECK_COLUMNS)
    for db in data.databases:
        for c in data.checks.get(db["id"], []):
            checks.append([
                db["id"], c.table_name, c.check_id, c.dimension, c.severity, c.description,
                c.success, c.unexpected_count, c.element_count,
                json.dumps(list(c.masked_samples), ensure_ascii=False) if c.masked_samples else None,
                c.engine,
            ])

    history = book.create_sheet("History")
    _header(history, HISTORY_COLUMNS)
    for db in data.databases:
        for h in data.score_history.get(db["id"], []):
            history.append([db["id"], h["as_of"], h["tier"], h["at_risk"], *(h[d] for d in DIMENSIONS)])

    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
