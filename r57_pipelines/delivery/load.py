"""Load one database's delivery into the warehouse, all or nothing, and describe what happened."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from r57_pipelines.delivery.errors import DeliveryError
from r57_pipelines.delivery.manifest import MANIFEST_NAME, Manifest, read_manifest, resolve_data_file
from r57_pipelines.delivery.readers import load_file
from r57_pipelines.registry import Database
from r57_pipelines.warehouse import qualified, quoted, raw_schema, tables_in

DELIVERY_INFO_TABLE = "_r57_delivery"  # cannot clash with a contract table: registry names start with a letter


@dataclass
class DeliveredFile:
    table: str
    file: str
    format: str
    sha256: str
    bytes: int
    rows: int | None = None


@dataclass
class DeliveryOutcome:
    """What became of a database's delivery in this run: loaded, unchanged, rejected or absent."""

    database_id: str
    status: str
    folder: str | None = None
    error: str | None = None
    extracted_at: dt.datetime | None = None
    delivery_sha256: str | None = None
    files: list[DeliveredFile] = field(default_factory=list)
    load_seconds: float = 0.0

    @property
    def total_rows(self) -> int | None:
        return sum(f.rows or 0 for f in self.files) if self.status in ("loaded", "unchanged") else None

    @property
    def total_bytes(self) -> int:
        return sum(f.bytes for f in self.files)

    @property
    def usable(self) -> bool:
        return self.status in ("loaded", "unchanged")

    def files_json(self) -> list[dict]:
        return [asdict(f) for f in self.files]


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _check_manifest_matches(folder: Path, manifest: Manifest, database: Database) -> None:
    where = folder / MANIFEST_NAME
    if manifest.database_id != database.id:
        raise DeliveryError(where, f"database_id {manifest.database_id!r} does not match folder {database.id!r}")
    if manifest.ministry != database.ministry:
        raise DeliveryError(
            where, f"ministry {manifest.ministry!r} is not the registered owner {database.ministry!r} of {database.id}"
        )


def _previous_load(con: duckdb.DuckDBPyConnection, database_id: str) -> tuple[str, list[dict]] | None:
    """The hash and files of the delivery now in raw_<db>, if its tables are still there."""
    row = con.execute(
        """
        select delivery_sha256, files from r57.deliveries
        where database_id = ? and status in ('loaded', 'unchanged')
        order by recorded_at desc limit 1
        """,
        [database_id],
    ).fetchone()
    if row is None or DELIVERY_INFO_TABLE not in tables_in(con, raw_schema(database_id)):
        return None
    return row[0], json.loads(row[1]) if isinstance(row[1], str) else row[1]


def load_delivery(con: duckdb.DuckDBPyConnection, database: Database, folder: Path | None) -> DeliveryOutcome:
    """Load `folder` into `raw_<db>`; a bad delivery leaves the previous load in place and is reported."""
    if folder is None:
        return DeliveryOutcome(database.id, "absent")
    started = time.perf_counter()
    outcome = DeliveryOutcome(database.id, "rejected", folder=str(folder))
    try:
        manifest = read_manifest(folder)
        _check_manifest_matches(folder, manifest, database)
        outcome.extracted_at = manifest.extracted_at
        paths = {t.name: resolve_data_file(folder, t) for t in manifest.tables}
        outcome.files = [
            DeliveredFile(t.name, t.file, t.file_format, sha256_of(paths[t.name]), paths[t.name].stat().st_size)
            for t in manifest.tables
        ]
        digest = hashlib.sha256(sha256_of(folder / MANIFEST_NAME).encode())
        for f in outcome.files:
            digest.update(f"{f.table}\0{f.sha256}".encode())
        outcome.delivery_sha256 = digest.hexdigest()

        previous = _previous_load(con, database.id)
        if previous and previous[0] == outcome.delivery_sha256:
            rows = {f["table"]: f.get("rows") for f in previous[1]}
            for f in outcome.files:
                f.rows = rows.get(f.table)
            outcome.status = "unchanged"
        else:
            _replace_raw_tables(con, database, manifest, paths, outcome)
            outcome.status = "loaded"
    except DeliveryError as exc:
        outcome.status, outcome.error = "rejected", str(exc)
    outcome.load_seconds = time.perf_counter() - started
    return outcome


def _replace_raw_tables(
    con: duckdb.DuckDBPyConnection,
    database: Database,
    manifest: Manifest,
    paths: dict[str, Path],
    outcome: DeliveryOutcome,
) -> None:
    """Swap in the new delivery inside one transaction, so a failure keeps the last good load."""
    schema = raw_schema(database.id)
    con.execute("begin transaction")
    try:
        con.execute(f"drop schema if exists {quoted(schema)} cascade")
        con.execute(f"create schema {quoted(schema)}")
        for f in outcome.files:
            f.rows = load_file(con, paths[f.table], f.format, qualified(schema, f.table))
        con.execute(
            f"create table {qualified(schema, DELIVERY_INFO_TABLE)} as "
            "select ?::timestamptz as extracted_at, ? as sha256, ?::bigint as rows",
            [manifest.extracted_at, outcome.delivery_sha256, sum(f.rows or 0 for f in outcome.files)],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
