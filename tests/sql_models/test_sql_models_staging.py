"""Staging views on DuckDB: typed columns, normalised text, failures reported per model without raising."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest

from r57_pipelines import sql_models

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


def test_every_template_is_covered(database_per_template):
    assert set(database_per_template) == set(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_clean_delivery_stages_typed_and_unchanged(con, project, database_per_template, make_clean_raw, template):
    database = database_per_template[template]
    delivered = {t.name: make_clean_raw(database.id, t) for t in database.contract.tables}

    outcomes = sql_models.run_staging(con, database, project)

    assert [o.error for o in outcomes if not o.ok] == []
    assert {o.target for o in outcomes} == {f"stg_{database.id}.{t.name}" for t in database.contract.tables}
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
        models = [project.models[f"stg_{table.name}"]]
        assert all(failing == 0 for failing in sql_models.run_data_tests(con, models, database.id).values())


def test_citizen_text_is_normalised_and_bad_values_become_null(con, project, database_per_template, make_raw):
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
    assert all(o.ok for o in sql_models.run_staging(con, database, project))
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


def test_numbers_and_plates(con, project, database_per_template, make_raw):
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
    assert all(o.ok for o in sql_models.run_staging(con, land, project))
    assert all(o.ok for o in sql_models.run_staging(con, vehicles, project))

    parcels = staged(con, land.id, "parcel")
    assert [(p["map_sheet"], p["parcel_no"], p["area_m2"], p["land_use"]) for p in parcels] == [
        (12, None, None, "ODT"),  # 12.5 is not rounded to a parcel number; nan is no area
        (None, 7, None, None),  # decimal comma is not a number in the contract
        (-3, None, 1000.0, None),  # out of integer range
    ]
    (vehicle,) = staged(con, vehicles.id, "vehicle")
    assert (vehicle["plate"], vehicle["plate_key"]) == ("30A-123.45", "30A12345")
    assert (vehicle["vehicle_type"], vehicle["owner_name_key"]) == ("Ô TÔ", "lê đức")


def test_a_missing_column_fails_that_model_only_without_raising(con, project, database_per_template, make_raw):
    database = database_per_template["enterprise_register"]
    enterprise, owner = database.contract.table("enterprise"), database.contract.table("owner")
    make_raw(database.id, "enterprise", [], [c.name for c in enterprise.columns] + ["extra_column"])
    make_raw(database.id, "owner", [], [c.name for c in owner.columns if c.name != "full_name"])

    outcomes = {o.model: o for o in sql_models.run_staging(con, database, project)}

    assert outcomes["stg_enterprise"].ok  # an extra column is ignored
    failed = outcomes["stg_owner"]
    assert not failed.ok and failed.target == f"stg_{database.id}.owner" and failed.database_id == database.id
    assert "full_name" in failed.error and "Binder Error" in failed.error
    assert failed.seconds >= 0


def test_a_failing_rerun_drops_the_stale_view(con, project, database_per_template, make_clean_raw, make_raw):
    database = database_per_template["person_register"]
    table = database.contract.table("person")
    make_clean_raw(database.id, table)
    assert all(o.ok for o in sql_models.run_staging(con, database, project))
    assert all(o.ok for o in sql_models.run_staging(con, database, project))  # idempotent

    make_raw(database.id, "person", [], [c.name for c in table.columns if c.name != "sex"])
    (outcome,) = sql_models.run_staging(con, database, project)
    assert not outcome.ok and "sex" in outcome.error
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = 'person'",
        [f"stg_{database.id}"],
    ).fetchone()[0]
    assert exists == 0


def test_an_absent_raw_table_is_a_failed_outcome(con, project, database_per_template):
    database = database_per_template["dossier_register"]
    (outcome,) = sql_models.run_staging(con, database, project)
    assert not outcome.ok and "dossier" in outcome.error


def test_yaml_data_tests_count_failing_rows(con, project, database_per_template, make_clean_raw, make_raw):
    database = database_per_template["person_register"]
    table = database.contract.table("person")
    rows = make_clean_raw(database.id, table, 3)
    rows[1]["record_id"] = rows[0]["record_id"]  # duplicate key
    rows[2]["record_id"] = " "  # null after cleaning
    rows[2]["sex"] = "X"  # not accepted (null after normalising, so accepted_values passes; not_null is not stated)
    make_raw(database.id, "person", rows, [c.name for c in table.columns])
    assert all(o.ok for o in sql_models.run_staging(con, database, project))
    results = sql_models.run_data_tests(con, [project.models["stg_person"]], database.id)
    assert results == {
        "stg_person: not_null(record_id)": 1,
        "stg_person: unique(record_id)": 2,
        "stg_person: accepted_values(sex)": 0,
    }


def test_views_built_from_the_same_delivery_and_sql_are_not_rebuilt(con, project, database_per_template, make_clean_raw):
    database = database_per_template["citizen_register"]
    for table in database.contract.tables:
        make_clean_raw(database.id, table)
    schema = f"raw_{database.id}"
    con.execute(f'create table "{schema}"._r57_delivery as select \'sha-1\' as sha256')

    def built_from() -> set:
        return {r[0] for r in con.execute("select comment from duckdb_views() where schema_name = ?",
                                          [f"stg_{database.id}"]).fetchall()}

    assert all(o.ok for o in sql_models.run_staging(con, database, project))
    first = built_from()
    assert len(first) == 1 and None not in first  # every view says what it was built from

    con.execute(f'drop view "stg_{database.id}"."citizen"')  # if it were rebuilt, it would be back
    con.execute(f'create view "stg_{database.id}"."citizen" as select 1 as x')
    con.execute(f"comment on view \"stg_{database.id}\".\"citizen\" is '{next(iter(first))}'")
    assert all(o.ok for o in sql_models.run_staging(con, database, project))
    assert [d[0] for d in con.execute(f'describe "stg_{database.id}"."citizen"').fetchall()] == ["x"]

    con.execute(f"update \"{schema}\"._r57_delivery set sha256 = 'sha-2'")  # a new delivery: rebuilt
    assert all(o.ok for o in sql_models.run_staging(con, database, project))
    assert "personal_id" in [d[0] for d in con.execute(f'describe "stg_{database.id}"."citizen"').fetchall()]
    assert built_from() != first
