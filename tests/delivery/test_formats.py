"""Each delivery format loads as text columns through DuckDB; bad deliveries name the file and problem."""

from __future__ import annotations

import os

import duckdb
import pytest

from r57_pipelines.delivery.load import load_delivery
from r57_pipelines.warehouse import ensure_schema
from tests.builders import ROWS, as_csv, as_jsonl, as_parquet, as_xlsx, write_delivery


@pytest.fixture
def con():
    connection = duckdb.connect()
    ensure_schema(connection)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("suffix", "encode"), [("csv", as_csv), ("parquet", as_parquet), ("jsonl", as_jsonl), ("xlsx", as_xlsx)]
)
def test_each_format_loads_every_value_as_delivered_text(tmp_path, con, registry, suffix, encode):
    folder = write_delivery(tmp_path, "population", "MPS", {"citizen": (f"citizen.{suffix}", encode(ROWS))})
    outcome = load_delivery(con, registry.databases["population"], folder)
    assert outcome.status == "loaded", outcome.error
    assert outcome.total_rows == 2
    assert len(outcome.files[0].sha256) == 64 and outcome.files[0].bytes > 0
    types = {r[1] for r in con.execute("describe raw_population.citizen").fetchall()}
    assert types == {"VARCHAR"}
    loaded = con.execute("select personal_id, full_name, updated_at from raw_population.citizen order by 1").fetchall()
    # Leading zeros kept, diacritics and offsets intact: nothing was typed or re-encoded on the way in.
    assert loaded == [
        ("001090000001", "Nguyễn Văn An", "2025-06-12T14:23:05+07:00"),
        ("079195000002", "Trần Thị Bích", "2025-11-30T08:00:00+07:00"),
    ]


def test_unchanged_delivery_is_not_loaded_again(tmp_path, con, registry):
    from r57_pipelines.delivery.record import record_delivery
    import datetime as dt

    folder = write_delivery(tmp_path, "population", "MPS", {"citizen": ("citizen.csv", as_csv(ROWS))})
    first = load_delivery(con, registry.databases["population"], folder)
    record_delivery(con, "run-1", dt.date(2025, 12, 4), "MPS", first)
    second = load_delivery(con, registry.databases["population"], folder)
    assert second.status == "unchanged" and second.total_rows == 2
    assert second.delivery_sha256 == first.delivery_sha256


def test_an_unchanged_night_hashes_no_data_file_and_a_touched_file_is_hashed_again(tmp_path, con, registry, monkeypatch):
    from r57_pipelines.delivery import load
    from r57_pipelines.delivery.record import record_delivery
    import datetime as dt

    database = registry.databases["population"]
    folder = write_delivery(tmp_path, "population", "MPS", {"citizen": ("citizen.csv", as_csv(ROWS))})
    first = load_delivery(con, database, folder)
    record_delivery(con, "run-1", dt.date(2025, 12, 4), "MPS", first)
    hashed: list[str] = []
    real = load.sha256_of
    monkeypatch.setattr(load, "sha256_of", lambda path, *a: hashed.append(path.name) or real(path, *a))

    second = load_delivery(con, database, folder)
    assert second.status == "unchanged" and hashed == ["manifest.yaml"]  # the data file's stat matched

    data = folder / "citizen.csv"
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 1_000_000_000))  # touched, same bytes
    hashed.clear()
    third = load_delivery(con, database, folder)
    assert hashed == ["citizen.csv", "manifest.yaml"] and third.status == "unchanged"
    assert third.delivery_sha256 == first.delivery_sha256


def test_a_file_that_cannot_be_read_keeps_the_previous_load(tmp_path, con, registry):
    from r57_pipelines.delivery.record import record_delivery
    import datetime as dt

    database = registry.databases["population"]
    folder = write_delivery(tmp_path, "population", "MPS", {"citizen": ("citizen.parquet", as_parquet(ROWS))})
    record_delivery(con, "run-1", dt.date(2025, 12, 3), "MPS", load_delivery(con, database, folder))
    truncated = as_parquet(ROWS * 50)
    (folder / "citizen.parquet").write_bytes(truncated[: len(truncated) // 2])
    outcome = load_delivery(con, database, folder)
    assert outcome.status == "rejected"
    # the file named as the ministry knows it, relative to its delivery; never the machine's own path
    assert outcome.error.startswith("citizen.parquet: cannot be read as parquet") and str(tmp_path) not in outcome.error
    assert con.execute("select count(*) from raw_population.citizen").fetchone()[0] == 2


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ("database_id: population\nministry: MPS\ntables: [{name: citizen, file: c.csv}]\n", "extracted_at"),
        (
            "database_id: population\nministry: MPS\nextracted_at: '2025-12-03T23:00:00'\n"
            "tables: [{name: citizen, file: c.csv}]\n",
            "timezone",
        ),
        ("database_id: [population\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        (
            "database_id: population\nministry: MPS\nextracted_at: '2025-12-03T23:00:00+07:00'\n"
            "tables: [{name: citizen, file: ../../etc/passwd.csv}]\n",
            "inside the delivery folder",
        ),
        (
            "database_id: population\nministry: MPS\nextracted_at: '2025-12-03T23:00:00+07:00'\n"
            "tables: [{name: citizen, file: c.dbf}]\n",
            "unknown format",
        ),
        (
            "database_id: population\nministry: MOF\nextracted_at: '2025-12-03T23:00:00+07:00'\n"
            "tables: [{name: citizen, file: c.csv}]\n",
            "not the registered owner",
        ),
        (
            "database_id: land\nministry: MPS\nextracted_at: '2025-12-03T23:00:00+07:00'\n"
            "tables: [{name: citizen, file: c.csv}]\n",
            "does not match folder",
        ),
        (
            "database_id: population\nministry: MPS\nextracted_at: '2025-12-03T23:00:00+07:00'\n"
            "tables: [{name: citizen, file: missing.csv}]\n",
            "not found",
        ),
    ],
)
def test_bad_manifest_is_rejected_naming_the_file_and_problem(tmp_path, con, registry, manifest, problem):
    folder = tmp_path / "MPS" / "population"
    folder.mkdir(parents=True)
    (folder / "c.csv").write_bytes(as_csv(ROWS))
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    outcome = load_delivery(con, registry.databases["population"], folder)
    assert outcome.status == "rejected"
    named = "missing.csv" if problem == "not found" else "manifest.yaml"
    assert outcome.error.startswith(f"{named}: ") and problem in outcome.error and str(tmp_path) not in outcome.error


def test_symlinked_data_file_is_rejected(tmp_path, con, registry):
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(as_csv(ROWS))
    folder = write_delivery(tmp_path, "population", "MPS", {"citizen": ("citizen.csv", b"")})
    (folder / "citizen.csv").unlink()
    os.symlink(outside, folder / "citizen.csv")
    outcome = load_delivery(con, registry.databases["population"], folder)
    assert outcome.status == "rejected" and "symbolic link" in outcome.error


def test_hostile_table_name_is_quoted_not_executed(tmp_path, con, registry):
    name = 'citizen"; drop schema r57 cascade; --'
    folder = write_delivery(tmp_path, "population", "MPS", {name: ("citizen.csv", as_csv(ROWS))})
    outcome = load_delivery(con, registry.databases["population"], folder)
    assert outcome.status == "loaded"
    assert con.execute("select count(*) from r57.deliveries").fetchone()[0] == 0  # r57 schema still there
    tables = {r[0] for r in con.execute("select table_name from information_schema.tables where table_schema = 'raw_population'").fetchall()}
    assert name in tables
