"""Source versus master data: fields that re-collect what the population database already holds.

The root cause named in the reports is that ministries collect again, beside a personal number, fields
that are master data elsewhere (name, birth date, sex, address). Law 60/2024 art. 11(2) asks databases
not to. For every table with a personal-number column, each such field is counted, and compared with
the population database's value for the same person (on the staging views: typed and normalised).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb
import sqlglot.expressions as exp

from r57_pipelines.delivery.load import loaded_delivery_sha256
from r57_pipelines.registry import Column, ColumnKind, Database, Registry, Table
from r57_pipelines.sql_models import staging_sha256
from r57_pipelines.warehouse import qualified, table_columns, tables_in

MASTER_DATABASE, MASTER_TABLE, MASTER_KEY = "population", "citizen", "personal_id"
# Kind of a re-collected column -> the master column holding the same fact.
MASTER_FIELD_BY_KIND = {
    ColumnKind.person_name: "full_name",
    ColumnKind.birth_date: "birth_date",
    ColumnKind.sex: "sex",
    ColumnKind.address: "address",
}
TEXT_KINDS = (ColumnKind.person_name, ColumnKind.address)
CACHE_SCHEMA = "r57_cache"  # tables derived from one delivery, named by its hash; rebuilt when it changes
COMPARISON_VERSION = "1"  # change it when the comparison below changes: every key changes with it


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
    input_key: str | None = None  # what it was computed from (see `input_key`)


def _fields(table: Table) -> list[Column]:
    """The columns of a contract table that re-collect master data beside a personal number (none without one)."""
    if not table.columns_of_kind(ColumnKind.personal_id):
        return []
    return [c for c in table.columns if c.kind in MASTER_FIELD_BY_KIND]


def _comparable(column: exp.Expression, kind: ColumnKind) -> exp.Expression:
    return exp.func("lower", column) if kind in TEXT_KINDS else column


def input_key(database_sha256: str | None, master_sha256: str | None) -> str | None:
    if database_sha256 is None or master_sha256 is None:
        return None
    material = f"{COMPARISON_VERSION}\0{database_sha256}\0{master_sha256}\0{staging_sha256()}"
    return hashlib.sha256(material.encode()).hexdigest()


def _recorded(con: duckdb.DuckDBPyConnection, database_id: str, key: str) -> list[Recollection] | None:
    """The rows an earlier run computed from the same inputs, or None."""
    rows = con.execute(
        """
        select database_id, ministry, table_name, key_column, column_name, master_column, rows, matched,
               disagreeing, input_key
        from r57.master_recollection
        where database_id = $id and input_key = $key
          and as_of = (select max(as_of) from r57.master_recollection where database_id = $id and input_key = $key)
        order by table_name, key_column, column_name
        """,
        {"id": database_id, "key": key},
    ).fetchall()
    return [Recollection(*row) for row in rows] or None


def find_recollections(con: duckdb.DuckDBPyConnection, registry: Registry) -> tuple[list[Recollection], int]:
    """Every re-collected field of the estate, and how many databases' data was compared again in this call.

    A database whose delivery and the population database's are those of an earlier run keeps that run's
    rows (read, not recomputed): an unchanged night compares nothing, a night with one new delivery
    compares that one.
    """
    master_schema = f"stg_{MASTER_DATABASE}"
    if MASTER_TABLE not in tables_in(con, master_schema):
        return [], 0
    master_sha256 = loaded_delivery_sha256(con, MASTER_DATABASE)
    found, to_compare = [], []
    for db in registry.databases.values():
        if db.id == MASTER_DATABASE or not any(_fields(t) for t in db.contract.tables):
            continue
        delivered = loaded_delivery_sha256(con, db.id)
        if delivered is None:
            continue  # never loaded: nothing to compare
        key = input_key(delivered, master_sha256)
        earlier = _recorded(con, db.id, key) if key else None
        if earlier is None:
            to_compare.append((db, key))
        else:
            found += earlier
    compared = 0
    if to_compare:
        snapshot = _master_snapshot(con, master_schema, master_sha256)
        master_columns = table_columns(con, master_schema, MASTER_TABLE)
        for db, key in to_compare:
            rows = _compare(con, db, snapshot, master_columns, key)
            compared += bool(rows)  # none: no comparable column was delivered, and no data was read
            found += rows
    return found, compared


def _master_snapshot(con: duckdb.DuckDBPyConnection, master_schema: str, master_sha256: str | None) -> exp.Table:
    """The master side, already comparable, built once per population delivery.

    The staging view normalises on every read: at 50M rows, normalising the master again for every table
    compared was most of this asset's time. Kept in r57_cache under the delivery's hash; a new delivery
    replaces it.
    """
    master_columns = table_columns(con, master_schema, MASTER_TABLE)
    select = exp.select(
        exp.column(MASTER_KEY),
        *(
            _comparable(exp.column(column), kind).as_(column)
            for kind, column in MASTER_FIELD_BY_KIND.items()
            if column in master_columns
        ),
    ).from_(exp.table_(MASTER_TABLE, db=master_schema, quoted=True))
    name = f"master_snapshot_{(master_sha256 or 'unhashed')[:16]}"
    con.execute(f"create schema if not exists {CACHE_SCHEMA}")
    if master_sha256 is None or name not in tables_in(con, CACHE_SCHEMA):
        for stale in tables_in(con, CACHE_SCHEMA):
            if stale.startswith("master_snapshot_"):
                con.execute(f"drop table {qualified(CACHE_SCHEMA, stale)}")
        con.execute(f"create table {qualified(CACHE_SCHEMA, name)} as {select.sql(dialect='duckdb')}")
    return exp.table_(name, db=CACHE_SCHEMA, quoted=True)


def _compare(
    con: duckdb.DuckDBPyConnection, db: Database, snapshot: exp.Table, master_columns: set[str], key: str | None
) -> list[Recollection]:
    found = []
    for table in db.contract.tables:
        present = table_columns(con, f"stg_{db.id}", table.name)
        for personal_id in table.columns_of_kind(ColumnKind.personal_id):
            fields = [c for c in _fields(table) if c.name in present and MASTER_FIELD_BY_KIND[c.kind] in master_columns]
            if personal_id.name not in present or not fields:
                continue
            src = exp.column(personal_id.name, "s")
            master_key = exp.column(MASTER_KEY, "m")
            select = exp.select(exp.func("count", src).as_("rows"), exp.func("count", master_key).as_("matched"))
            for i, col in enumerate(fields):
                mine = _comparable(exp.column(col.name, "s"), col.kind)
                theirs = exp.column(MASTER_FIELD_BY_KIND[col.kind], "m")
                differs = exp.and_(master_key.is_(exp.null()).not_(), exp.NullSafeNEQ(this=mine, expression=theirs))
                select = select.select(exp.func("count_if", differs).as_(f"d{i}"))
            query = select.from_(exp.table_(table.name, db=f"stg_{db.id}", quoted=True).as_("s")).join(
                snapshot.copy().as_("m"), on=exp.EQ(this=src, expression=master_key), join_type="left"
            )
            rows, matched, *disagreeing = con.execute(query.sql(dialect="duckdb")).fetchone()
            found += [
                Recollection(db.id, db.ministry, table.name, personal_id.name, col.name,
                             MASTER_FIELD_BY_KIND[col.kind], rows, matched, d, key)
                for col, d in zip(fields, disagreeing)
            ]
    return found


def record_recollections(con: duckdb.DuckDBPyConnection, as_of: dt.date, found: list[Recollection]) -> None:
    rows = [
        (as_of, f.database_id, f.ministry, f.table, f.key_column, f.column, f.master_column, f.rows, f.matched,
         f.disagreeing, f.input_key)
        for f in found
    ]
    con.execute("begin transaction")
    con.execute("delete from r57.master_recollection where as_of = ?", [as_of])
    if rows:
        con.executemany("insert into r57.master_recollection values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
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
