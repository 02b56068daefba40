"""Source versus master data: fields that re-collect what the population database already holds.

The root cause named in the reports is that ministries collect again, beside a personal number, fields
that are master data elsewhere (name, birth date, sex, address). Law 60/2024 art. 11(2) asks databases
not to. For every table with a personal-number column, each such field is counted, and compared with
the population database's value for the same person (on the staging views: typed and normalised).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import sqlglot.expressions as exp

from r57_pipelines.registry import ColumnKind, Registry
from r57_pipelines.warehouse import table_columns, tables_in

MASTER_DATABASE, MASTER_TABLE, MASTER_KEY = "population", "citizen", "personal_id"
# Kind of a re-collected column -> the master column holding the same fact.
MASTER_FIELD_BY_KIND = {
    ColumnKind.person_name: "full_name",
    ColumnKind.birth_date: "birth_date",
    ColumnKind.sex: "sex",
    ColumnKind.address: "address",
}
TEXT_KINDS = (ColumnKind.person_name, ColumnKind.address)
SNAPSHOT = "r57_master_snapshot"  # a temporary table, gone with the connection


@dataclass(frozen=True)
class Recollection:
    database_id: str
    ministry: str
    table: str
    key_column: str
    column: str
    master_column: str
    rows: int  # rows whose personal number is filled
    matched: int  # rows whose personal number is in the population database
    disagreeing: int  # matched rows whose value differs from the master value


def _comparable(column: exp.Expression, kind: ColumnKind) -> exp.Expression:
    return exp.func("lower", column) if kind in TEXT_KINDS else column


def find_recollections(con: duckdb.DuckDBPyConnection, registry: Registry) -> list[Recollection]:
    master_schema = f"stg_{MASTER_DATABASE}"
    if MASTER_TABLE not in tables_in(con, master_schema):
        return []
    # The staging view normalises on every read: snapshot the master side once, already comparable,
    # instead of once per table compared (at 50M rows that was most of this asset's time).
    master_columns = table_columns(con, master_schema, MASTER_TABLE)
    snapshot = exp.select(
        exp.column(MASTER_KEY),
        *(
            _comparable(exp.column(column), kind).as_(column)
            for kind, column in MASTER_FIELD_BY_KIND.items()
            if column in master_columns
        ),
    ).from_(exp.table_(MASTER_TABLE, db=master_schema, quoted=True))
    con.execute(f"create or replace temp table {SNAPSHOT} as {snapshot.sql(dialect='duckdb')}")
    try:
        return _compare_with_snapshot(con, registry, master_columns)
    finally:
        con.execute(f"drop table if exists {SNAPSHOT}")


def _compare_with_snapshot(
    con: duckdb.DuckDBPyConnection, registry: Registry, master_columns: set[str]
) -> list[Recollection]:
    found = []
    for db in registry.databases.values():
        if db.id == MASTER_DATABASE:
            continue
        for table in db.contract.tables:
            present = table_columns(con, f"stg_{db.id}", table.name)
            for key in table.columns_of_kind(ColumnKind.personal_id):
                fields = [
                    c for c in table.columns
                    if c.kind in MASTER_FIELD_BY_KIND and c.name in present and MASTER_FIELD_BY_KIND[c.kind] in master_columns
                ]
                if key.name not in present or not fields:
                    continue
                src = exp.column(key.name, "s")
                master_key = exp.column(MASTER_KEY, "m")
                select = exp.select(
                    exp.func("count", src).as_("rows"), exp.func("count", master_key).as_("matched")
                )
                for i, col in enumerate(fields):
                    mine = _comparable(exp.column(col.name, "s"), col.kind)
                    theirs = exp.column(MASTER_FIELD_BY_KIND[col.kind], "m")
                    differs = exp.and_(master_key.is_(exp.null()).not_(), exp.NullSafeNEQ(this=mine, expression=theirs))
                    select = select.select(exp.func("count_if", differs).as_(f"d{i}"))
                query = select.from_(exp.table_(table.name, db=f"stg_{db.id}", quoted=True).as_("s")).join(
                    exp.table_(SNAPSHOT).as_("m"),
                    on=exp.EQ(this=src, expression=master_key),
                    join_type="left",
                )
                rows, matched, *disagreeing = con.execute(query.sql(dialect="duckdb")).fetchone()
                found += [
                    Recollection(db.id, db.ministry, table.name, key.name, col.name,
                                 MASTER_FIELD_BY_KIND[col.kind], rows, matched, d)
                    for col, d in zip(fields, disagreeing)
                ]
    return found


def record_recollections(con: duckdb.DuckDBPyConnection, as_of: dt.date, found: list[Recollection]) -> None:
    rows = [
        (as_of, f.database_id, f.ministry, f.table, f.key_column, f.column, f.master_column, f.rows, f.matched,
         f.disagreeing)
        for f in found
    ]
    con.execute("begin transaction")
    con.execute("delete from r57.master_recollection where as_of = ?", [as_of])
    if rows:
        con.executemany("insert into r57.master_recollection values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("commit")


def summarise_by_ministry(found: list[Recollection]) -> dict[str, dict[str, int]]:
    summary: dict[str, dict[str, int]] = {}
    for f in found:
        entry = summary.setdefault(f.ministry, {"databases": 0, "fields": 0, "values_compared": 0, "disagreeing": 0})
        entry["fields"] += 1
        entry["values_compared"] += f.matched
        entry["disagreeing"] += f.disagreeing
    for ministry in summary:
        summary[ministry]["databases"] = len({f.database_id for f in found if f.ministry == ministry})
    return dict(sorted(summary.items()))
