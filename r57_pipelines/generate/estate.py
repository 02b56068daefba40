"""Generate the whole sample estate: plan, master population, then one delivery folder per database.

Layout: <out>/<ministry>/<database_id>/manifest.yaml plus one data file per contract table. Before
writing, the ministry folders of the registry under <out> are removed (nothing else is touched), so a
re-run leaves no folder of a database that is now meant to be absent.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from r57_pipelines.generate import writers
from r57_pipelines.generate.codes import tax_codes
from r57_pipelines.generate.defects import plant
from r57_pipelines.generate.plan import STALE, DatabasePlan, EstatePlan, build_plan
from r57_pipelines.generate.population import build_population
from r57_pipelines.generate.records import DatabaseRows
from r57_pipelines.generate.seeding import rng_for
from r57_pipelines.generate.timeline import Timeline, extract_moment, iso_local
from r57_pipelines.generate.volumes import DEFAULT_TOTAL_ROWS, MASTER_DATABASE, rows_for
from r57_pipelines.registry import ColumnKind, Database, Registry, Table

DEFAULT_AS_OF = dt.date(2025, 12, 4)
DEFAULT_SEED = 57
ORGANISATION_SHARE = 0.02  # organisations referred to by tax code (asset owners, facilities), per estate row


@dataclass(frozen=True)
class DeliverySummary:
    database_id: str
    ministry: str
    profile: str
    tier: str
    at_risk: bool
    file_format: str | None
    extracted_at: str | None
    rows: dict[str, int] = field(default_factory=dict)  # per table, as written
    damaged_rows: int = 0  # rows the planted defect touched (all rows for a dropped column)
    variant: str | None = None
    damaged_columns: tuple[str, ...] = ()
    fraction: float = 0.0


@dataclass(frozen=True)
class GenerationSummary:
    out_dir: Path
    seed: int
    as_of: dt.date
    total_rows: int  # requested
    rows_written: int
    bytes_written: int
    seconds: float
    plan: EstatePlan
    deliveries: tuple[DeliverySummary, ...]

    def intended_status(self) -> dict[str, dict[str, object]]:
        return self.plan.intended_status()

    def __str__(self) -> str:
        delivered = sum(1 for d in self.deliveries if d.file_format is not None)
        return (
            f"wrote {self.rows_written:,} rows in {delivered} deliveries ({len(self.deliveries) - delivered} absent), "
            f"{self.bytes_written / 1e6:.1f} MB, to {self.out_dir} in {self.seconds:.1f} s "
            f"(seed {self.seed}, as of {self.as_of})"
        )


def _clear(out_dir: Path, registry: Registry) -> None:
    for code in registry.ministries:
        folder = out_dir / code
        if folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder)


def _has_tax_key(db: Database) -> bool:
    first = db.contract.tables[0]
    return any(c.kind == ColumnKind.tax_code and c.name in first.primary_key for c in first.columns)


def generate_estate(
    registry: Registry,
    out_dir: Path,
    total_rows: int | None = DEFAULT_TOTAL_ROWS,
    as_of: dt.date = DEFAULT_AS_OF,
    seed: int = DEFAULT_SEED,
) -> GenerationSummary:
    """Write the sample estate under out_dir; same arguments give byte-identical files.

    total_rows=None means DEFAULT_TOTAL_ROWS (the committed sample_sources/ size).
    """
    started = time.perf_counter()
    total_rows = DEFAULT_TOTAL_ROWS if total_rows is None else total_rows
    if total_rows < 1:
        raise ValueError(f"total_rows must be positive, got {total_rows}")
    plan = build_plan(registry, seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir, registry)

    plans = plan.by_id()
    population = build_population(seed, rows_for(plans[MASTER_DATABASE].share, total_rows, MASTER_DATABASE), as_of)
    organisations = max(50, round(total_rows * ORGANISATION_SHARE))
    organisation_codes = tax_codes(0, organisations)
    next_tax_code = organisations

    deliveries = []
    for db in registry.databases.values():
        dbp = plans[db.id]
        if not dbp.delivered:
            deliveries.append(_summary(dbp, None, {}, 0))
            continue
        stale = dbp.profile == STALE
        moment = extract_moment(as_of, db.cadence, rng_for(seed, db.id, "extract"), stale)
        rows = DatabaseRows(
            db,
            rows_for(dbp.share, total_rows),
            population,
            Timeline(as_of, moment, stale),
            seed,
            tax_code_start=next_tax_code,
            organisation_codes=organisation_codes,
            is_master=db.id == MASTER_DATABASE,
        )
        if _has_tax_key(db):
            next_tax_code += rows.parent_rows_needed()
        written, damaged = _write_delivery(out_dir, db, dbp, rows, iso_local(moment), seed)
        deliveries.append(_summary(dbp, iso_local(moment), written, damaged))

    files = [p for code in registry.ministries for p in (out_dir / code).rglob("*") if p.is_file()]
    return GenerationSummary(
        out_dir=out_dir,
        seed=seed,
        as_of=as_of,
        total_rows=total_rows,
        rows_written=sum(sum(d.rows.values()) for d in deliveries),
        bytes_written=sum(p.stat().st_size for p in files),
        seconds=time.perf_counter() - started,
        plan=plan,
        deliveries=tuple(deliveries),
    )


def _summary(dbp: DatabasePlan, extracted_at: str | None, rows: dict[str, int], damaged: int) -> DeliverySummary:
    d = dbp.defect
    return DeliverySummary(
        database_id=dbp.database_id,
        ministry=dbp.ministry,
        profile=dbp.profile,
        tier=dbp.tier,
        at_risk=dbp.at_risk,
        file_format=dbp.file_format,
        extracted_at=extracted_at,
        rows=rows,
        damaged_rows=damaged,
        variant=d.variant if d else None,
        damaged_columns=d.columns if d else (),
        fraction=d.fraction if d else 0.0,
    )


def _write_delivery(
    out_dir: Path, db: Database, dbp: DatabasePlan, rows: DatabaseRows, extracted_at: str, seed: int
) -> tuple[dict[str, int], int]:
    folder = out_dir / db.ministry / db.id
    folder.mkdir(parents=True)
    fmt = dbp.file_format
    assert fmt is not None
    main = db.contract.tables[0].name
    listed: list[tuple[str, str]] = []
    written: dict[str, int] = {}
    damaged = 0
    for table_rows in rows.tables():
        table = table_rows.table
        file_name = table.name + writers.SUFFIX[fmt]
        listed.append((table.name, file_name))
        path = folder / file_name
        chunks: Iterator[pa.Table] = table_rows.chunks
        tally = _Tally()
        if dbp.defect is not None and table.name == dbp.defect.table:
            chunks = _planted(chunks, dbp, table, seed, tally)
        if table.name == main and dbp.profile in writers.BROKEN_FILE_WRITERS:
            written[table.name] = writers.BROKEN_FILE_WRITERS[dbp.profile](path, fmt, chunks)
        else:
            written[table.name] = writers.write_table(path, fmt, chunks)
        damaged += tally.damaged
    if dbp.profile == "broken_manifest_yaml":
        manifest = writers.broken_manifest_text(db.id, db.ministry, extracted_at, listed)
    else:
        stamp = None if dbp.profile == "broken_manifest_fields" else extracted_at
        manifest = writers.manifest_text(db.id, db.ministry, stamp, listed)
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return written, damaged


@dataclass
class _Tally:
    damaged: int = 0


def _planted(chunks: Iterator[pa.Table], dbp: DatabasePlan, table: Table, seed: int, tally: _Tally) -> Iterator[pa.Table]:
    assert dbp.defect is not None
    for number, chunk in enumerate(chunks):
        result = plant(chunk, dbp.defect, table, rng_for(seed, dbp.database_id, table.name, "defect", number), seed)
        tally.damaged += result.damaged_rows
        yield result.table

