"""Estate-wide marts over r57's own tables, built from the SQL dbt compiles."""

from __future__ import annotations

import datetime as dt

from tests.sql_models.conftest import build_compiled
from r57_pipelines.warehouse import ensure_schema

COLUMNS = ["run_id", "as_of", "database_id", "ministry", "status", "total_bytes", "total_rows", "recorded_at"]


def add(con, *rows):
    con.executemany(
        f"insert into r57.deliveries ({', '.join(COLUMNS)}) values ({', '.join('?' for _ in COLUMNS)})",
        [list(r) for r in rows],
    )


def at(hour: int) -> dt.datetime:
    return dt.datetime(2025, 6, 2, hour, tzinfo=dt.timezone.utc)


def test_ministry_deliveries_for_the_latest_as_of(con, compiled, project):
    ensure_schema(con)
    old, new = dt.date(2025, 6, 1), dt.date(2025, 6, 2)
    add(
        con,
        # an older as-of: ignored
        ("r0", old, "population", "MPS", "loaded", 100, 10, at(1)),
        ("r0", old, "land", "MAE", "loaded", 100, 10, at(1)),
        # the latest as-of
        ("r1", new, "population", "MPS", "rejected", 50, None, at(2)),
        ("r2", new, "population", "MPS", "loaded", 1000, 40, at(3)),  # a later run's row wins
        ("r2", new, "residence", "MPS", "unchanged", 500, 20, at(3)),
        ("r2", new, "identity", "MPS", "rejected", 70, None, at(3)),
        ("r2", new, "land", "MAE", "absent", None, None, at(3)),
    )
    marts = [n for n in compiled.values() if n["resource_type"] == "model" and n["schema"] == "marts"]
    assert {n["name"] for n in marts} >= {"latest_deliveries", "ministry_deliveries"}
    build_compiled(con, marts, project)

    rows = con.execute(
        """
        select ministry, as_of, databases_total, databases_delivered, databases_loaded, databases_unchanged,
               databases_rejected, databases_absent, rows_delivered, bytes_delivered, bytes_rejected
        from marts.ministry_deliveries order by ministry
        """
    ).fetchall()
    assert rows == [
        ("MAE", new, 1, 0, 0, 0, 0, 1, 0, 0, 0),
        ("MPS", new, 3, 2, 1, 1, 1, 0, 60, 1500, 70),
    ]
    kind = con.execute(
        "select table_type from information_schema.tables"
        " where table_schema = 'marts' and table_name = 'ministry_deliveries'"
    ).fetchone()
    assert kind == ("BASE TABLE",)
    mart_ids = {n["unique_id"] for n in marts}
    tests = [n for n in compiled.values() if n["resource_type"] == "test" and n.get("attached_node") in mart_ids]
    assert tests and all(con.execute(f"select count(*) from ({t['compiled_code']})").fetchone()[0] == 0 for t in tests)
