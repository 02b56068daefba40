"""Ingest per delivery format: r57's load against DuckDB reading the same files natively.

    .venv/bin/python benchmarks/bench_ingest.py --rows 10000000
    .venv/bin/python benchmarks/bench_ingest.py --sources /tmp/be50/sources     # an estate already generated

Loads every delivery of the estate (generated at --rows, the plan of sample_sources/, or --sources) into
a new warehouse file with r57's `load_delivery` (manifest, hashes, every column as delivered text, the
contract comparison, all or nothing) and its staging views, as the ingest stage of a run does. The
baseline, in the same session, is DuckDB's own reader of each CSV, Parquet and JSON Lines file into a
table of another warehouse file (`create table as select * from read_...`: its own types, no checks).
XLSX has no baseline: DuckDB reads it only through the `excel` extension, not installable offline; r57
streams it through openpyxl. Both warehouses get r57's DuckDB defaults (3GB).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NATIVE = {
    "csv": "select * from read_csv(?, header = true)",
    "parquet": "select * from read_parquet(?)",
    "jsonl": "select * from read_json(?, format = 'newline_delimited')",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--sources", type=Path, default=None, help="an estate already generated (else one is)")
    args = parser.parse_args()

    import duckdb

    from r57_pipelines.delivery.discover import scan_sources
    from r57_pipelines.delivery.load import load_delivery
    from r57_pipelines.delivery.manifest import read_manifest, resolve_data_file
    from r57_pipelines.registry import load_registry
    from r57_pipelines.resources import duckdb_defaults
    from r57_pipelines.warehouse import ensure_schema

    registry = load_registry()
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        sources = args.sources
        if sources is None:
            from r57_pipelines.generate import generate_estate

            sources = work / "sources"
            generate_estate(registry, sources, total_rows=args.rows, as_of=dt.date(2025, 12, 4))
        config = duckdb_defaults(work)
        Path(config["temp_directory"]).mkdir(parents=True, exist_ok=True)
        r57 = duckdb.connect(str(work / "warehouse.duckdb"), config=config)
        ensure_schema(r57)
        native = duckdb.connect(str(work / "native.duckdb"), config=config)
        # per format: files, rows, r57 s; and over the files DuckDB also read natively: r57 s, native s
        by_format: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0, 0.0, 0.0, 0.0])
        folders = scan_sources(sources, set(registry.databases)).folders
        for database_id, folder in sorted(folders.items()):
            database = registry.databases[database_id]
            started = time.perf_counter()
            outcome = load_delivery(r57, database, folder, scratch=work / "scratch")
            seconds = time.perf_counter() - started
            if not outcome.usable:
                continue
            tables = {t.name: t for t in read_manifest(folder).tables}
            for delivered in outcome.files:
                share = seconds * delivered.bytes / max(outcome.total_bytes, 1)  # a delivery's time, by bytes
                entry = by_format[delivered.format]
                entry[0] += 1
                entry[1] += delivered.rows or 0
                entry[2] += share
                table = tables[delivered.table]
                if delivered.format in NATIVE and not table.encoding:
                    started = time.perf_counter()
                    native.execute(f"create or replace table t as {NATIVE[delivered.format]}",
                                   [str(resolve_data_file(folder, table))])
                    entry[4] += time.perf_counter() - started
                    entry[3] += share

    print(f"{'format':<9}{'files':>6}{'rows':>13}{'r57 s':>8}{'rows/s':>11}   {'same files: r57 s':>17}{'native s':>10}{'x native':>10}")
    for name, (files, rows, ours, ours_compared, theirs) in sorted(by_format.items(), key=lambda kv: -kv[1][2]):
        compared = f"{ours_compared:>17.1f}{theirs:>10.1f}{ours_compared / theirs:>10.2f}" if theirs else f"{'—':>17}{'—':>10}{'—':>10}"
        print(f"{name:<9}{files:>6}{rows:>13,}{ours:>8.1f}{rows / ours if ours else 0:>11,.0f}   {compared}")
    print(f"all loads {sum(v[2] for v in by_format.values()):.1f} s")


if __name__ == "__main__":
    main()
