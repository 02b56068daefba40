"""A small warehouse with one planted defect of every kind, and which check must catch each.

`testdb` is a synthetic database whose contract uses every column kind (and a compound key, a missing
column and an undelivered table); `population.citizen` is its master data. Each defect sits on its own
record so that the checks it trips are known exactly (PLANTED: record_id -> check_ids).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from pathlib import Path

import duckdb

from r57_pipelines.domain.communes import current_communes
from r57_pipelines.domain.identifiers import make_personal_id, make_tax_code
from r57_pipelines.domain.provinces import current_province_codes, province_name
from r57_pipelines.domain.text import to_tcvn3_mojibake
from r57_pipelines.registry import Database

AS_OF = dt.date(2025, 12, 4)
PARAMETERS = {
    "as_of_date": "2025-12-04",
    "as_of": "2025-12-04T23:59:59+07:00",
    "recent_since": "2024-12-04T23:59:59+07:00",
    "recent_share": 1.0,  # every record must be recent: the one stale record fails the live rule
    "extracted_since": "2025-11-24T23:59:59+07:00",
    "min_rows": {"record": 30, "pair": 10, "absent": 1},
}

TESTDB = Database.model_validate(
    {
        "id": "testdb",
        "name_vi": "Cơ sở dữ liệu thử",
        "name_en": "Test database",
        "ministry": "MPS",
        "programme": "r71",
        "domain": "test",
        "deadline": "2025-12-31",
        "cadence": "weekly",
        "expected_rows": 40,
        "contract": {
            "tables": [
                {
                    "name": "record",
                    "primary_key": ["record_id"],
                    "natural_key": ["full_name", "birth_date"],
                    "columns": [
                        {"name": "record_id", "kind": "code", "required": True},
                        {"name": "personal_id", "kind": "personal_id", "required": True},
                        {"name": "full_name", "kind": "person_name", "required": True},
                        {"name": "birth_date", "type": "date", "kind": "birth_date", "required": True},
                        {"name": "sex", "kind": "sex", "required": True},
                        {"name": "province_code", "kind": "province_code", "required": True},
                        {"name": "commune_code", "kind": "commune_code"},
                        {"name": "address", "kind": "address"},
                        {"name": "phone", "kind": "phone"},
                        {"name": "tax_code", "kind": "tax_code"},
                        {"name": "plate", "kind": "plate"},
                        {"name": "note", "kind": "text"},
                        {"name": "registered_on", "type": "date", "kind": "date"},
                        {"name": "amount", "type": "double", "kind": "amount"},
                        {"name": "updated_at", "type": "timestamp", "kind": "updated_at", "required": True},
                    ],
                    "master_refs": [
                        {
                            "column": "personal_id",
                            "master_database": "population",
                            "master_table": "citizen",
                            "master_column": "personal_id",
                            "agree": {"full_name": "full_name", "birth_date": "birth_date"},
                        }
                    ],
                },
                {
                    "name": "pair",
                    "primary_key": ["a_code", "b_code"],
                    "columns": [
                        {"name": "a_code", "kind": "code", "required": True},
                        {"name": "b_code", "kind": "code", "required": True},
                        {"name": "province_code", "kind": "province_code", "required": True},
                        {"name": "label", "kind": "text"},
                        {"name": "not_delivered", "kind": "text"},
                        {"name": "required_not_delivered", "kind": "code", "required": True},
                    ],
                },
                {
                    "name": "absent",
                    "primary_key": ["id"],
                    "columns": [{"name": "id", "kind": "code", "required": True}],
                },
            ]
        },
    }
)

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em", "Vũ Thị Giang"]
N = 40

# record_id -> the check_ids (of table `record`) its defect must fail; no other record fails anything.
PLANTED: dict[str, set[str]] = {
    "R001": {"record.personal_id.valid_format", "record.personal_id.in_master"},
    "R002": {"record.personal_id_agrees"},
    "R003": {"record.full_name.agrees_with_master"},
    "R004": {"record.full_name.whitespace"},
    "R005": {"record.full_name.nfc"},
    "R006": {"record.full_name.mojibake"},
    "R007": {"record.birth_date.valid_date"},
    "R008": {"record.birth_date.iso_format"},
    "R009": {"record.birth_date.in_range"},
    "R010": {"record.birth_date.in_range", "record.personal_id_agrees"},
    "R011": {"record.sex.valid_value"},
    "R012": {"record.province_code.current_province"},
    "R013": {"record.commune_code.in_official_list"},
    "R014": {"record.phone.national_form"},
    "R015": {"record.phone.valid_mobile"},
    "R016": {"record.tax_code.valid_tax_code"},
    "R017": {"record.plate.valid_format"},
    "R018": {"record.note.not_placeholder"},
    "R019": {"record.registered_on.valid_date", "record.registered_on.iso_format"},
    "R020": {"record.amount.non_negative"},
    "R021": {"record.amount.valid_number"},
    "R022": {"record.updated_at.valid_timestamp", "record.updated_at.iso_format"},
    "R023": {"record.updated_at.recent"},
    "R024": {"record.updated_at.in_range"},
    "R027 ": {"record.record_id.whitespace"},
    "R030": {"record.personal_id.in_master"},
    "R031": {"record.full_name.present", "record.full_name.whitespace", "record.full_name.agrees_with_master"},
    "R032": {"record.birth_date.present"},
    "R033": {"record.address.not_placeholder"},
    "R034": {"record.commune_code.in_official_list"},
    "R035": {"record.commune_code.not_merged"},
    "R036": {"record.commune_code.in_province"},
    "R037": {"record.address.names_commune"},
}
# Defects that are about a group of rows, not one row.
DUPLICATE_PK = "R026"  # R025 is delivered with record_id R026 too: one row beyond the first
NATURAL_DUPLICATE = ("R028", "R029")  # the same person (name in capitals) under two record ids


def _commune(province: str, i: int) -> str:
    """The i-th commune (by code) of a current province in the official list."""
    codes = sorted(code for code, c in current_communes().items() if c.province == province)
    return codes[i % len(codes)]


def _address(i: int, commune: str) -> str:
    c = current_communes()[commune]
    return f"Số {i} đường Lê Lợi, {c.kind.lower()} {c.name}, {province_name(c.province)}"


def _base(i: int) -> dict[str, str | None]:
    sex = "Nam" if i % 2 == 0 else "Nữ"
    born = dt.date(1950 + i, 1 + i % 12, 1 + i % 28)
    province = sorted(current_province_codes())[i % 34]
    return {
        "record_id": f"R{i:03d}",
        "personal_id": make_personal_id("01", sex, born.year, i),
        "full_name": f"{NAMES[i % len(NAMES)]} {['Một', 'Hai', 'Ba', 'Bốn'][i % 4]}",
        "birth_date": born.isoformat(),
        "sex": sex,
        "province_code": province,
        "commune_code": _commune(province, i),
        "address": _address(i, _commune(province, i)),
        "phone": f"0912{i:06d}",
        "tax_code": make_tax_code(i),
        "plate": f"{30 + i % 60:02d}A-{100 + i:03d}.{i % 100:02d}",
        "note": "Hồ sơ đã kiểm tra",
        "registered_on": (dt.date(2020, 1, 1) + dt.timedelta(days=i)).isoformat(),
        "amount": f"{i * 1000.5}",
        "updated_at": f"2025-11-{1 + i % 28:02d}T10:00:00+07:00",
    }


def records() -> tuple[list[dict], list[dict]]:
    """(record rows, citizen rows): citizen i is the master of record i unless a defect says otherwise."""
    rows = [_base(i) for i in range(N)]
    citizens = [dict(r) for r in rows]

    def both(i: int, **values: str | None) -> None:
        rows[i].update(values)
        citizens[i].update({k: v for k, v in values.items() if k in ("personal_id", "full_name", "birth_date", "sex")})

    rows[1]["personal_id"] = "0010900000"
    wrong_sex = "Nữ" if rows[2]["sex"] == "Nam" else "Nam"
    both(2, personal_id=make_personal_id("01", wrong_sex, 1952, 2))
    rows[3]["full_name"] = "Tên Khác Hẳn"
    rows[4]["full_name"] = "  " + rows[4]["full_name"].replace(" ", "   ") + " "
    rows[5]["full_name"] = unicodedata.normalize("NFD", rows[5]["full_name"])
    both(6, full_name=to_tcvn3_mojibake(rows[6]["full_name"]))
    both(7, birth_date="1957-02-30")
    both(8, birth_date="15/06/1958", personal_id=make_personal_id("01", rows[8]["sex"], 1958, 8))
    both(9, birth_date="2030-01-01", personal_id=make_personal_id("01", rows[9]["sex"], 2030, 9))
    both(10, birth_date="1890-05-05")
    rows[11]["sex"] = "M"
    rows[12]["province_code"] = "02"  # Hà Giang: merged into Tuyên Quang (08) on 1 Jul 2025
    rows[13]["commune_code"] = "1234"
    rows[14]["phone"] = "+84 912 000 014"
    rows[15]["phone"] = "0112345678"
    good = rows[16]["tax_code"]
    rows[16]["tax_code"] = good[:9] + str((int(good[9]) + 1) % 10)
    rows[17]["plate"] = "30I-123.45"
    rows[18]["note"] = "N/A"
    rows[19]["registered_on"] = "2024/01/05"
    rows[20]["amount"] = "-5"
    rows[21]["amount"] = "1,5"
    rows[22]["updated_at"] = "2025-11-01 10:00:00"
    rows[23]["updated_at"] = "2019-01-01T00:00:00+07:00"
    rows[24]["updated_at"] = "2026-06-01T00:00:00+07:00"
    rows[25]["record_id"] = DUPLICATE_PK
    rows[27]["record_id"] = "R027 "
    both(28, full_name=rows[29]["full_name"].upper(), birth_date=rows[29]["birth_date"], sex=rows[29]["sex"],
         personal_id=make_personal_id("01", rows[29]["sex"], int(rows[29]["birth_date"][:4]), 28))
    citizens[30] = None  # type: ignore[call-overload]
    rows[31]["full_name"] = "   "
    rows[32]["birth_date"] = None
    rows[33]["address"] = "KHÔNG CÓ"
    rows[34]["commune_code"] = "99999"  # no such commune
    rows[35]["commune_code"] = "00001"  # Phúc Xá (Hà Nội): merged into Hồng Hà on 1 Jul 2025
    other = _commune("79" if rows[36]["province_code"] != "79" else "01", 0)
    rows[36].update(commune_code=other, address=_address(36, other))  # a real commune, of another province
    rows[37]["address"] = _address(37, _commune(rows[37]["province_code"], 1))  # names another commune
    return rows, [c for c in citizens if c is not None]


PAIR_ROWS = [
    ("A", "1", "01", "Cặp một"),
    ("A", "2", "01", "Cặp hai"),
    ("A", "1", "01", "Cặp một lặp"),  # duplicate compound key
    ("B", None, "01", "Thiếu mã"),  # missing required b_code
]


def build_warehouse(path: Path, *, extracted_at: str = "2025-11-01 08:00:00+07") -> Path:
    """Write the DuckDB file: raw_testdb.{record, pair, _r57_delivery} and raw_population.citizen (all VARCHAR)."""
    rows, citizens = records()
    con = duckdb.connect(str(path))
    try:
        con.execute("CREATE SCHEMA raw_testdb; CREATE SCHEMA raw_population")
        record_cols = [c.name for c in TESTDB.contract.table("record").columns] + ["extra_column"]
        con.execute(
            "CREATE TABLE raw_testdb.record (" + ", ".join(f'"{c}" VARCHAR' for c in record_cols) + ")"
        )
        con.executemany(
            "INSERT INTO raw_testdb.record VALUES (" + ", ".join("?" for _ in record_cols) + ")",
            [[r.get(c) for c in record_cols[:-1]] + ["extra"] for r in rows],
        )
        citizen_cols = ["personal_id", "full_name", "birth_date", "sex", "province_code", "commune_code", "address",
                        "phone", "updated_at"]
        con.execute(
            "CREATE TABLE raw_population.citizen (" + ", ".join(f'"{c}" VARCHAR' for c in citizen_cols) + ")"
        )
        con.executemany(
            "INSERT INTO raw_population.citizen VALUES (" + ", ".join("?" for _ in citizen_cols) + ")",
            [[c.get(k) for k in citizen_cols] for c in citizens],
        )
        con.execute("CREATE TABLE raw_testdb.pair (a_code VARCHAR, b_code VARCHAR, province_code VARCHAR, label VARCHAR)")
        con.executemany("INSERT INTO raw_testdb.pair VALUES (?, ?, ?, ?)", PAIR_ROWS)
        con.execute(
            "CREATE TABLE raw_testdb._r57_delivery (extracted_at TIMESTAMPTZ, sha256 VARCHAR, rows BIGINT)"
        )
        con.execute("INSERT INTO raw_testdb._r57_delivery VALUES (CAST(? AS TIMESTAMPTZ), 'abc', 44)", [extracted_at])
    finally:
        con.close()
    return path
