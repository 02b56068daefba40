"""DuckDB against Spark local[2] on one large delivered table: ingest (read the Parquet) + one-pass validation.

The table is ``bench_validation.generate``'s (14 VARCHAR columns of every kind r57 checks, planted defects, real
communes), written once to Parquet with its load order (``_r57_rowid``): that Parquet is the delivery. Each
engine runs in its own subprocess, in turn:

  duckdb   a fresh DuckDB file (2 threads): CREATE TABLE AS read_parquet, then ``validate_table``
  spark    a SparkSession local[2] (start-up timed apart): CREATE TABLE ... USING parquet AS the Parquet
           (a managed copy, as DuckDB makes one), then ``validate_table(..., dialect="spark")``

Validation runs twice in the same process: ``validate s`` is the first run (the one a nightly run pays: JIT,
Spark's Python workers for ``r57_nfc``), ``again s`` the second. ``x duckdb`` is ingest + first validation.

Both validate with the same compiler and the bench suite (``bench_validation.bench_suite``); the outcomes of
every check (success, element and unexpected counts) are compared. Peak memory is the largest resident set
of the worker's whole process tree (Python, the JVM, Spark's Python workers), sampled every 0.1 s.

    .venv/bin/python benchmarks/bench_engines.py --rows 200000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

ENGINES = ("duckdb", "spark")


def make_delivery(work: Path, rows: int) -> Path:
    """The bench table as Parquet, with its load order: generated in DuckDB, written once."""
    import duckdb

    from bench_validation import SCHEMA, TABLE, generate
    from r57_pipelines.validation.sqlbuild import LOAD_ORDER_COLUMN

    parquet = work / f"delivery_{rows}" / "person.parquet"
    if parquet.exists():
        return parquet
    parquet.parent.mkdir(parents=True, exist_ok=True)
    source = work / f"generated_{rows}.duckdb"
    start = time.perf_counter()
    generate(source, rows)
    con = duckdb.connect(str(source))
    con.execute(
        f"COPY (SELECT rowid AS {LOAD_ORDER_COLUMN}, * FROM {SCHEMA}.{TABLE} ORDER BY rowid) TO '{parquet}' (FORMAT parquet)"
    )
    con.close()
    source.unlink()
    print(f"delivery: {rows:,} rows, {parquet.stat().st_size / 1e6:.1f} MB Parquet, {time.perf_counter() - start:.1f} s",
          flush=True)
    return parquet


# ---------------------------------------------------------------------------------------------------
# Workers (one subprocess per engine)
# ---------------------------------------------------------------------------------------------------


def _outcomes(outcomes) -> dict[str, list]:  # noqa: ANN001
    return {o.check_id: [o.success, o.element_count, o.unexpected_count] for o in outcomes}


def duckdb_worker(parquet: Path, work: Path) -> dict:
    import duckdb

    from bench_validation import PARAMETERS, SCHEMA, TABLE, bench_suite
    from r57_pipelines.validation.onepass import validate_table
    from r57_pipelines.validation.sqlbuild import LOAD_ORDER_COLUMN

    suite = bench_suite()
    path = work / "duckdb_engine.duckdb"
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    con = duckdb.connect(str(path))
    con.execute("SET threads = 2")
    startup = time.perf_counter() - start
    start = time.perf_counter()
    con.execute(f"CREATE SCHEMA {SCHEMA}")
    con.execute(
        f"CREATE TABLE {SCHEMA}.{TABLE} AS SELECT * EXCLUDE ({LOAD_ORDER_COLUMN}) FROM read_parquet('{parquet}') "
        f"ORDER BY {LOAD_ORDER_COLUMN}"
    )
    ingest = time.perf_counter() - start
    start = time.perf_counter()
    outcomes = validate_table(con, SCHEMA, TABLE, suite, PARAMETERS)
    validate = time.perf_counter() - start
    start = time.perf_counter()
    validate_table(con, SCHEMA, TABLE, suite, PARAMETERS)
    warm = time.perf_counter() - start
    con.close()
    path.unlink(missing_ok=True)
    return {"startup": startup, "ingest": ingest, "validate": validate, "warm": warm, "outcomes": _outcomes(outcomes)}


def spark_worker(parquet: Path, work: Path) -> dict:
    from bench_validation import PARAMETERS, SCHEMA, TABLE, bench_suite
    from r57_pipelines.validation.engines import local_spark_session
    from r57_pipelines.validation.onepass import validate_table

    suite = bench_suite()
    start = time.perf_counter()
    session = local_spark_session(2, warehouse_dir=str(work / "spark-warehouse"), driver_memory="4g")
    session.sql("SELECT 1").collect()
    startup = time.perf_counter() - start
    start = time.perf_counter()
    session.sql(f"CREATE DATABASE IF NOT EXISTS `{SCHEMA}`")
    session.sql(f"DROP TABLE IF EXISTS `{SCHEMA}`.`{TABLE}`")
    session.sql(f"CREATE TABLE `{SCHEMA}`.`{TABLE}` USING parquet AS SELECT * FROM parquet.`{parquet}`")
    ingest = time.perf_counter() - start
    start = time.perf_counter()
    outcomes = validate_table(session, SCHEMA, TABLE, suite, PARAMETERS, dialect="spark")
    validate = time.perf_counter() - start
    start = time.perf_counter()
    validate_table(session, SCHEMA, TABLE, suite, PARAMETERS, dialect="spark")
    warm = time.perf_counter() - start
    session.sql(f"DROP TABLE IF EXISTS `{SCHEMA}`.`{TABLE}`")
    session.stop()
    return {"startup": startup, "ingest": ingest, "validate": validate, "warm": warm, "outcomes": _outcomes(outcomes)}


# ---------------------------------------------------------------------------------------------------
# The parent: runs each worker, samples its process tree's memory
# ---------------------------------------------------------------------------------------------------


def _tree_rss(process) -> int:  # noqa: ANN001
    import psutil

    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_engine(engine: str, parquet: Path, work: Path) -> dict:
    import psutil

    out = work / f"{engine}.json"
    out.unlink(missing_ok=True)
    command = [sys.executable, __file__, "--worker", engine, "--parquet", str(parquet), "--work", str(work), "--out", str(out)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    process = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            try:
                peak = max(peak, _tree_rss(process))
            except psutil.Error:
                pass
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    if child.returncode != 0 or not out.exists():
        raise SystemExit(f"{engine} worker failed ({child.returncode}):\n{stderr[-4000:]}")
    result = json.loads(out.read_text())
    return {**result, "process_seconds": wall, "peak_mb": peak / 2**20}


def print_projection(spark_core_s: float, duckdb_core_s: float, night_hours: float) -> None:
    """The national estate (the registry's expected rows) from the measured core-seconds per 1M rows of validation.

    A linear projection: validation work divided evenly over the cores, as one table's one-pass query is (a scan
    and aggregates). It leaves out what does not divide: the largest table's master join and shuffle, skew, the
    cluster's start-up, and ingest (the deliveries' conversion to Parquet)."""
    from r57_pipelines.registry import load_registry

    rows_m = sum(d.expected_rows for d in load_registry().databases.values()) / 1e6
    print(f"projection, national estate {rows_m:,.0f}M rows (registry expected_rows), validation only, linear in cores:")
    for label, core_s, cores in [
        *((f"spark, {n} executors x 4 cores", spark_core_s, n * 4) for n in (8, 32, 128)),
        *((f"duckdb, one node of {c} cores", duckdb_core_s, c) for c in (16, 64)),
    ]:
        hours = rows_m * core_s / cores / 3600
        print(f"  {label:<32}{hours:>8.2f} h  ({'fits' if hours <= night_hours else 'over'} a {night_hours:g} h night)")
    needed = rows_m * spark_core_s / (night_hours * 3600)
    print(f"  spark cores for a {night_hours:g} h night: {needed:,.0f} ({needed / 4:,.0f} executors of 4 cores)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--work", type=Path, default=None, help="folder for the Parquet delivery (kept between runs)")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--night-hours", type=float, default=6.0, help="the night window of the projection (01:00-07:00)")
    parser.add_argument("--worker", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--parquet", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        result = (duckdb_worker if args.worker == "duckdb" else spark_worker)(args.parquet, args.work)
        args.out.write_text(json.dumps(result))
        return 0

    work = args.work or Path(tempfile.gettempdir()) / "r57_bench_engines"
    work.mkdir(parents=True, exist_ok=True)
    parquet = make_delivery(work, args.rows)
    print(f"{args.rows:,} rows; load average before: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}", flush=True)
    results = {engine: run_engine(engine, parquet, work) for engine in args.engines.split(",")}
    print(f"load average after: {os.getloadavg()[0]:.2f}")

    base = results.get("duckdb")
    header = (f"{'engine':<15}{'start-up s':>11}{'ingest s':>10}{'validate s':>11}{'again s':>9}{'ingest+val s':>13}"
              f"{'process s':>10}{'peak MB':>9}{'x duckdb':>9}")
    print(header)
    for engine, r in results.items():
        work_s = r["ingest"] + r["validate"]
        ratio = f"{work_s / (base['ingest'] + base['validate']):.1f}" if base else "-"
        name = "spark local[2]" if engine == "spark" else "duckdb (2 thr)"
        print(f"{name:<15}{r['startup']:>11.2f}{r['ingest']:>10.2f}{r['validate']:>11.2f}{r['warm']:>9.2f}{work_s:>13.2f}"
              f"{r['process_seconds']:>10.1f}{r['peak_mb']:>9.0f}{ratio:>9}")
    if base and "spark" in results:
        spark = results["spark"]
        per_row, duck_row = spark["warm"] / args.rows * 1e6, base["warm"] / args.rows * 1e6
        print(f"validation again (warm): spark {per_row:.1f} s per 1M rows on 2 cores ({per_row * 2:.1f} core-s), "
              f"duckdb {duck_row:.2f} s per 1M rows; x{per_row / duck_row:.1f}. Small tables are dominated by "
              "fixed per-query costs: read per-row figures from --rows 1000000 and up.")
        print_projection(per_row * 2, duck_row * 2, args.night_hours)
        differ = {c: (base["outcomes"][c], spark["outcomes"].get(c)) for c in base["outcomes"]
                  if base["outcomes"][c] != spark["outcomes"].get(c)}
        print(f"outcomes: {len(base['outcomes'])} checks, {len(differ)} differ between the engines")
        for check, (d, s) in differ.items():
            print(f"  {check}: duckdb {d} spark {s}")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
