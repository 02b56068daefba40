"""Load one database's delivery into the warehouse, all or nothing, and describe what happened."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from r57_pipelines.delivery.errors import DeliveryError
from r57_pipelines.delivery.manifest import MANIFEST_NAME, Manifest, read_manifest, resolve_data_file
from r57_pipelines.delivery.readers import load_file
from r57_pipelines.masking import mask_text
from r57_pipelines.registry import Database
from r57_pipelines.warehouse import qualified, quoted, raw_schema, table_columns, tables_in

DELIVERY_INFO_TABLE = "_r57_delivery"  # cannot clash with a contract table: registry names start with a letter


@dataclass
class DeliveredFile:
    table: str
    file: str
    format: str
    sha256: str
    bytes: int
    rows: int | None = None
    # size, modification time and inode when it was hashed: equal next time, the hash is taken as it was
    stat: list[int] | None = None


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
    # What was noticed while reading it (a byte-order mark, a declared encoding, columns outside the
    # contract, ...): one plain sentence each, naming the file. Not defects of the data: those are checks.
    findings: list[str] = field(default_factory=list)

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


def _delivered_file(table: str, name: str, file_format: str, path: Path, before: list[dict]) -> DeliveredFile:
    """The file's facts; its sha256 is read again only when its size, modification time or inode changed
    since the load now in the warehouse (as git's index does): an unchanged night reads no data."""
    st = path.stat()
    stat = [st.st_size, st.st_mtime_ns, st.st_ino]
    known = next((f for f in before if f.get("table") == table and f.get("file") == name and f.get("stat") == stat), None)
    sha256 = known["sha256"] if known else sha256_of(path)
    return DeliveredFile(table, name, file_format, sha256, st.st_size, stat=stat)


def _check_manifest_matches(folder: Path, manifest: Manifest, database: Database) -> None:
    where = folder / MANIFEST_NAME
    if manifest.database_id != database.id:
        raise DeliveryError(where, f"database_id {manifest.database_id!r} does not match folder {database.id!r}")
    if manifest.ministry != database.ministry:
        raise DeliveryError(
            where, f"ministry {manifest.ministry!r} is not the registered owner {database.ministry!r} of {database.id}"
        )


def _json(value: object) -> list:
    return (json.loads(value) if isinstance(value, str) else value) or []


def _previous_load(con: duckdb.DuckDBPyConnection, database_id: str) -> tuple[str, list[dict], list[str]] | None:
    """The hash, files and findings of the delivery now in raw_<db>, if its tables are still there."""
    row = con.execute(
        """
        select delivery_sha256, files, findings from r57.deliveries
        where database_id = ? and status in ('loaded', 'unchanged')
        order by recorded_at desc limit 1
        """,
        [database_id],
    ).fetchone()
    if row is None or DELIVERY_INFO_TABLE not in tables_in(con, raw_schema(database_id)):
        return None
    return row[0], _json(row[1]), _json(row[2])


def loaded_delivery_sha256(con: duckdb.DuckDBPyConnection, database_id: str) -> str | None:
    """The hash of the delivery now in raw_<db> (the last good load, whatever this run's delivery was)."""
    schema = raw_schema(database_id)
    if DELIVERY_INFO_TABLE not in tables_in(con, schema):
        return None
    row = con.execute(f"select sha256 from {qualified(schema, DELIVERY_INFO_TABLE)}").fetchone()
    return row[0] if row else None


def in_folder(path: Path | str, folder: Path) -> str:
    """A file as errors name it: relative to the delivery (or sources) folder, never the machine's own path."""
    try:
        return Path(path).absolute().relative_to(folder.absolute()).as_posix() or "."
    except ValueError:
        return Path(path).name


def shown(name: str, limit: int = 60) -> str:
    """A name from a delivery as findings and errors print it: quoted, control characters escaped,
    cut short, long digit runs hidden (a header row may really be a row of data)."""
    text = repr(name)
    return mask_text(text if len(text) <= limit else text[: limit - 1] + "…")


def load_delivery(
    con: duckdb.DuckDBPyConnection, database: Database, folder: Path | None, *, scratch: Path | None = None
) -> DeliveryOutcome:
    """Load `folder` into `raw_<db>`; a bad delivery leaves the previous load in place and is reported.

    `scratch`: where converted copies of text files may be written while they are read (default: the
    system's temporary folder); the delivery itself is only ever read.
    """
    if folder is None:
        return DeliveryOutcome(database.id, "absent")
    started = time.perf_counter()
    outcome = DeliveryOutcome(database.id, "rejected", folder=str(folder))
    try:
        manifest = read_manifest(folder)
        _check_manifest_matches(folder, manifest, database)
        outcome.extracted_at = manifest.extracted_at
        paths = {t.name: resolve_data_file(folder, t) for t in manifest.tables}
        previous = _previous_load(con, database.id)
        outcome.files = [
            _delivered_file(t.name, t.file, t.file_format, paths[t.name], previous[1] if previous else [])
            for t in manifest.tables
        ]
        digest = hashlib.sha256(sha256_of(folder / MANIFEST_NAME).encode())
        for f in outcome.files:
            digest.update(f"{f.table}\0{f.sha256}".encode())
        outcome.delivery_sha256 = digest.hexdigest()

        if previous and previous[0] == outcome.delivery_sha256:
            rows = {f["table"]: f.get("rows") for f in previous[1]}
            for f in outcome.files:
                f.rows = rows.get(f.table)
            outcome.findings = list(previous[2])
            outcome.status = "unchanged"
        else:
            _replace_raw_tables(con, database, manifest, paths, outcome, scratch)
            outcome.status = "loaded"
    except DeliveryError as exc:
        problem = exc.problem
        for known in (folder, scratch):  # readers quote the paths they read: never the machine's own
            if known is not None:
                problem = problem.replace(f"{known.absolute()}{os.sep}", "").replace(f"{known}{os.sep}", "")
        outcome.status, outcome.error = "rejected", f"{in_folder(exc.path, folder)}: {problem}"
    outcome.load_seconds = time.perf_counter() - started
    return outcome


def _replace_raw_tables(
    con: duckdb.DuckDBPyConnection,
    database: Database,
    manifest: Manifest,
    paths: dict[str, Path],
    outcome: DeliveryOutcome,
    scratch: Path | None,
) -> None:
    """Swap in the new delivery inside one transaction, so a failure keeps the last good load."""
    schema = raw_schema(database.id)
    declared = {t.name: t for t in manifest.tables}
    contract = {t.name: t for t in database.contract.tables}
    con.execute("begin transaction")
    try:
        con.execute(f"drop schema if exists {quoted(schema)} cascade")
        con.execute(f"create schema {quoted(schema)}")
        for f in outcome.files:
            loaded = load_file(
                con, paths[f.table], f.format, qualified(schema, f.table),
                encoding=declared[f.table].encoding, scratch=scratch, label=f.file,
            )
            f.rows = loaded.rows
            outcome.findings.extend(loaded.findings)
            outcome.findings.extend(
                _compare_with_contract(con, database, schema, f, paths[f.table], loaded.source_types)
            )
        missing_tables = sorted(set(contract) - set(declared))
        if missing_tables:
            outcome.findings.append(
                f"{MANIFEST_NAME}: contract table(s) not delivered: {', '.join(missing_tables)}"
            )
        con.execute(
            f"create table {qualified(schema, DELIVERY_INFO_TABLE)} as "
            "select ?::timestamptz as extracted_at, ? as sha256, ?::bigint as rows",
            [manifest.extracted_at, outcome.delivery_sha256, sum(f.rows or 0 for f in outcome.files)],
        )
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


MAX_NAMES_SHOWN = 8
_NUMERIC_TYPE = re.compile(r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|FLOAT|DOUBLE|REAL|DECIMAL.*)$")


def _names(names: list[str]) -> str:
    listed = ", ".join(shown(n) for n in names[:MAX_NAMES_SHOWN])
    return listed + (f" and {len(names) - MAX_NAMES_SHOWN} more" if len(names) > MAX_NAMES_SHOWN else "")


def _compare_with_contract(
    con: duckdb.DuckDBPyConnection,
    database: Database,
    schema: str,
    delivered: DeliveredFile,
    path: Path,
    source_types: dict[str, str],
) -> list[str]:
    """Findings on a loaded file's shape against the contract; DeliveryError when nothing of it fits."""
    table = next((t for t in database.contract.tables if t.name == delivered.table), None)
    if table is None:
        return [f"{delivered.file}: table {shown(delivered.table)} is not in the contract of {database.id}; loaded, not checked"]
    present = table_columns(con, schema, delivered.table)
    expected = [c.name for c in table.columns]
    # DuckDB matches identifiers without regard to case, and so do the staging views.
    missing = [c for c in expected if c not in {p.lower() for p in present}]
    extra = sorted(c for c in present if c.lower() not in set(expected))
    if len(missing) == len(expected):
        raise DeliveryError(
            path,
            f"none of the contract's columns of table {delivered.table!r} were found; the header reads as "
            f"{len(present)} column(s): {_names(sorted(present))} (a header row is required, and the delimiter "
            "must be one of , ; | or tab)",
        )
    findings = []
    if missing:
        findings.append(f"{delivered.file}: contract column(s) missing: {', '.join(missing)}")
    if extra:
        findings.append(f"{delivered.file}: column(s) not in the contract, loaded but not checked: {_names(extra)}")
    numeric = [
        f"{c.name} {source_types[c.name]}"
        for c in table.columns
        if c.type == "varchar" and _NUMERIC_TYPE.match(source_types.get(c.name, ""))
    ]
    if numeric:
        findings.append(
            f"{delivered.file}: column(s) stored as numbers where the contract has text (leading zeros are "
            f"lost): {', '.join(numeric)}"
        )
    if delivered.rows == 0:
        findings.append(f"{delivered.file}: no rows (header only)" if delivered.format == "csv" else f"{delivered.file}: no rows")
    return findings
