"""What several test modules build: small deliveries written the way a ministry would, the rows they hold,
a stand-in report bundle, and the project's commands in this virtual environment.

Nothing here depends on the working directory: a test runs the same from any folder (project paths come
from `r57_pipelines.paths`, commands from the folder of the Python running the tests).
"""

from __future__ import annotations

import io
import json
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from r57_pipelines.paths import SAMPLE_SOURCES_DIR

BIN = Path(sys.executable).parent  # .venv/bin when run as .venv/bin/pytest


def command(name: str) -> str:
    """A console script installed beside this Python (`r57`, `dagster`), whichever folder the test runs from."""
    return str(BIN / name)


R57 = command("r57")

# Two population records as delivered (text), with some of the `citizen` table's columns.
ROWS = [
    {"personal_id": "001090000001", "full_name": "Nguyễn Văn An", "birth_date": "1990-03-15", "sex": "Nam",
     "updated_at": "2025-06-12T14:23:05+07:00"},
    {"personal_id": "079195000002", "full_name": "Trần Thị Bích", "birth_date": "1995-07-01", "sex": "Nữ",
     "updated_at": "2025-11-30T08:00:00+07:00"},
]


def citizens(**overrides: str | None) -> list[dict]:
    """ROWS with every column of the `citizen` table (Phường Hoàn Kiếm, Hà Nội); `overrides` set a column in every row."""
    base = {"province_code": "01", "commune_code": "00004", "address": None, "phone": None}
    return [{**row, **base, **overrides} for row in ROWS]


def as_csv(rows: list[dict]) -> bytes:
    header = ",".join(rows[0])
    return (header + "\n" + "\n".join(",".join(r.values()) for r in rows) + "\n").encode("utf-8")


def as_parquet(rows: list[dict]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink)
    return sink.getvalue()


def as_jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")


def as_xlsx(rows: list[dict]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


def write_delivery(
    sources: Path,
    database_id: str,
    ministry: str,
    tables: dict[str, tuple[str, bytes]],
    extracted_at: str = "2025-12-03T23:00:00+07:00",
) -> Path:
    """Write `<sources>/<ministry>/<database_id>/` with a manifest; tables: name -> (file name, bytes)."""
    folder = sources / ministry / database_id
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, content in tables.values():
        (folder / file_name).write_bytes(content)
    manifest = {
        "database_id": database_id,
        "ministry": ministry,
        "extracted_at": extracted_at,
        "tables": [{"name": name, "file": file_name} for name, (file_name, _) in tables.items()],
    }
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return folder


BUNDLE_FILES = ("readiness.json", "readiness.xlsx", "index.html", "vi/index.html", "en/index.html", "vi/db/a.html")


def write_bundle(folder: Path, text: str) -> None:
    """A stand-in report bundle for the publishing tests: the bundle's kinds of file, each holding `text`."""
    for name in BUNDLE_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def copy_sample_deliveries(sources: Path, folders: Iterable[str]) -> Path:
    """A small estate: these `<MINISTRY>/<db>` folders of the committed sample estate, copied into `sources`."""
    for folder in folders:
        shutil.copytree(SAMPLE_SOURCES_DIR / folder, sources / folder)
    return sources
