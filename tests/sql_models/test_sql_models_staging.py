"""Staging views on DuckDB, built from the SQL dbt compiles: typed columns, normalised text, the YAML tests.

How dbt runs them through Dagster (a failed model, an unchanged delivery) is in tests/test_sql_model_assets.py.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from r57_pipelines.dbt_project import model_name

DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "boolean": "BOOLEAN",
}
TEMPLATES = [
    "citizen_register",
    "person_register",
    "enterprise_register",
    "land_register",
    "vehicle_register",
    "dossier_register",
    "facility_register",
    "asset_register",
]


def staged(con, database_id: str, table: str) -> list[dict]:
    cursor = con.execute(f'select * from "stg_{database_id}"."{table}"')
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def data_test_failures(con, compiled: dict, database_id: str, table: str) -> dict[str, int]:
    """{dbt test name: failing rows} of the YAML tests on `stg_<database_id>.<table>`, by dbt's compiled SQL."""
    model = compiled[model_name(database_id, table)]["unique_id"]
    return {
        f"{n['test_metadata']['name']}({n.get('column_name') or ''})": con.execute(
            f"select count(*) from ({n['compiled_code']})"
        ).fetchone()[0]
        for n in compiled.values()
        if n["resource_type"] == "test" and n.get("attached_node") == model
    }


def test_every_template_is_covered(database_per_template):
    assert set(database_per_template) == set(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_clean_delivery_stages_typed_and_unchanged(con, compiled, stage, database_per_template, make_clean_raw, template):
    database = database_per_template[template]
    delivered = {t.name: make_clean_raw(database.id, t) for t in database.contract.tables}

    stage(database)

    views = con.execute("select view_name from duckdb_views() where schema_name = ?", [f"stg_{database.id}"]).fetchall()
    assert {v for (v,) in views} == {t.name for t in database.contract.tables}
    for table in database.contract.tables:
        described = con.execute(f'describe "stg_{database.id}"."{table.name}"').fetchall()
        types = {row[0]: row[1] for row in described}
        rows = staged(con, database.id, table.name)
        assert len(rows) == len(delivered[table.name])
        for column in table.columns:
            assert types[column.name] == DUCKDB_TYPES[column.type], (table.name, column.name)
            for raw, row in zip(delivered[table.name], rows):
                assert row[column.name] is not None, (table.name, column.name, raw[column.name])
                if column.type == "varchar":  # a clean value is already in normal form
                    assert row[column.name] == raw[column.name], (table.name, column.name)
        assert all(failing == 0 for failing in data_test_failures(con, compiled, database.id, table.name).values())


def test_citizen_text_is_normalised_and_bad_values_become_null(con, stage, database_per_template, make_raw):
    database = database_per_template["citizen_register"]
    table = database.contract.table("citizen")
    nfd_name = unicodedata.normalize("NFD", "  Nguyễn  Văn\u00a0\tAn ")
    rows = [
        {
            "personal_id": " 001 234 567 890 ",
            "full_name": nfd_name,
            "birth_date": "2025-13-45",
            "sex": unicodedata.normalize("NFD", "NỮ"),
            "province_code": "1",
            "commune_code": "4",
            "address": "   ",
            "phone": "+84 912-345.678",
            "updated_at": "2025-01-02T03:04:05+07:00",
        },
        {
            "personal_id": "001234567891",
            "full_name": "TRẦN THỊ BÌNH",
            "birth_date": " 1990-01-02 ",
            "sex": "m",
            "province_code": "79",
            "commune_code": "26734",
            "address": "",
            "phone": "0243 826 1234",
            "updated_at": "yesterday",
        },
        {
            "personal_id": "001234567892",
            "full_name": None,
            "birth_date": "02/01/1990",
            "sex": "unknown",
            "province_code": "01",
            "commune_code": "00004",
            "address": None,
            "phone": None,
            "updated_at": "",
        },
    ]
    make_raw(database.id, "citizen", rows, [c.name for c in table.columns])
    stage(database)
    first, second, third = staged(con, database.id, "citizen")

    assert nfd_name != "Nguyễn Văn An"
    assert first["full_name"] == "Nguyễn Văn An" and unicodedata.is_normalized("NFC", first["full_name"])
    assert first["full_name_key"] == "nguyễn văn an"
    assert first["personal_id"] == "001234567890"
    assert first["birth_date"] is None  # 2025-13-45
    assert first["sex"] == "Nữ"
    assert (first["province_code"], first["commune_code"]) == ("01", "00004")
    assert first["address"] is None
    assert first["phone"] == "0912345678"
    assert first["updated_at"] == dt.datetime(2025, 1, 1, 20, 4, 5, tzinfo=dt.timezone.utc)

    assert second["full_name_key"] == "trần thị bình"
    assert second["birth_date"] == dt.date(1990, 1, 2)
    assert second["sex"] == "Nam"
    assert second["phone"] == "02438261234"
    assert second["updated_at"] is None

    assert third["full_name"] is None and third["full_name_key"] is None
    assert third["birth_date"] is None  # not ISO 8601
    assert third["sex"] is None
    assert third["updated_at"] is None


def test_numbers_and_plates(con, stage, database_per_template, make_raw):
    land = database_per_template["land_register"]
    columns = [c.name for c in land.contract.table("parcel").columns]
    make_raw(
        land.id,
        "parcel",
        [
            {"parcel_id": "p1", "map_sheet": "12.0", "parcel_no": "12.5", "area_m2": "nan", "land_use": " odt "},
            {"parcel_id": "p2", "map_sheet": "x", "parcel_no": " 7 ", "area_m2": "1,5", "land_use": None},
            {"parcel_id": "p3", "map_sheet": "-3", "parcel_no": "99999999999", "area_m2": "1e3"},
        ],
        columns,
    )
    vehicles = database_per_template["vehicle_register"]
    make_raw(
        vehicles.id,
        "vehicle",
        [{"plate": " 30a-123.45 ", "vehicle_type": "ô tô", "owner_name": "Lê  Đức"}],
        [c.name for c in vehicles.contract.table("vehicle").columns],
    )
    stage(land)
    stage(vehicles)

    parcels = staged(con, land.id, "parcel")
    assert [(p["map_sheet"], p["parcel_no"], p["area_m2"], p["land_use"]) for p in parcels] == [
        (12, None, None, "ODT"),  # 12.5 is not rounded to a parcel number; nan is no area
        (None, 7, None, None),  # decimal comma is not a number in the contract
        (-3, None, 1000.0, None),  # out of integer range
    ]
    (vehicle,) = staged(con, vehicles.id, "vehicle")
    assert (vehicle["plate"], vehicle["plate_key"]) == ("30A-123.45", "30A12345")
    assert (vehicle["vehicle_type"], vehicle["owner_name_key"]) == ("Ô TÔ", "lê đức")


def test_yaml_data_tests_count_failing_rows(con, compiled, stage, database_per_template, make_clean_raw, make_raw):
    database = database_per_template["person_register"]
    table = database.contract.table("person")
    rows = make_clean_raw(database.id, table, 3)
    rows[1]["record_id"] = rows[0]["record_id"]  # duplicate key
    rows[2]["record_id"] = " "  # null after cleaning
    rows[2]["sex"] = "X"  # not accepted (null after normalising, so accepted_values passes; not_null is not stated)
    make_raw(database.id, "person", rows, [c.name for c in table.columns])
    stage(database)
    failures = data_test_failures(con, compiled, database.id, "person")
    # dbt counts the rows its test query returns: one repeated record_id is one failure
    assert failures == {"not_null(record_id)": 1, "unique(record_id)": 1, "accepted_values(sex)": 0}
