"""A whole estate through `r57 run`, on DuckDB and on Spark local[2]: wall time, and whether the verdicts agree.

Each engine gets a fresh home; the same sources and as-of. Printed: each run's wall time (Spark's includes
starting its JVM), the ratio, and the comparison the Spark engine promises: the readiness document (less the
run's id and time), every check outcome (success, element and unexpected counts, observed value, masked
samples) and the quarantined rows per check.

    .venv/bin/python benchmarks/bench_engines_estate.py --sources sample_sources --as-of 2025-12-04
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
R57 = str(ROOT / ".venv" / "bin" / "r57")
VOLATILE = ("generated_at", "run_id")


def run(engine: str, sources: Path, home: Path, as_of: str) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [R57, "run", "--sources", str(sources), "--home", str(home), "--as-of", as_of, "--engine", engine],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"r57 run --engine {engine} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - start


def results(home: Path) -> tuple[dict, list, dict]:
    document = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        checks = con.execute(
            "select database_id, check_id, success, element_count, unexpected_count, observed_value, masked_samples "
            "from r57.check_results order by all"
        ).fetchall()
        schemas = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name like 'quarantine_%'"
        ).fetchall()
        quarantine = {
            (s, t): sorted(con.execute(f'select _check_id, count(*) from "{s}"."{t}" group by all').fetchall())
            for s, t in schemas
        }
    return {k: v for k, v in document.items() if k not in VOLATILE}, checks, quarantine


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=Path, default=ROOT / "sample_sources")
    parser.add_argument("--as-of", default="2025-12-04")
    parser.add_argument("--work", type=Path, default=None, help="where the two homes go (default: a temporary folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="r57_engines_estate_"))
    seconds = {engine: run(engine, args.sources, work / engine, args.as_of) for engine in ("duckdb", "spark")}
    (duck_doc, duck_checks, duck_q), (spark_doc, spark_checks, spark_q) = results(work / "duckdb"), results(work / "spark")

    judged = [d for d in duck_doc["databases"] if d["delivery"]["status"] != "absent"]
    print(f"{args.sources}: {len(duck_doc['databases'])} databases, {len(judged)} delivered; "
          f"{len(duck_checks):,} check outcomes, {sum(n for r in duck_q.values() for _, n in r):,} quarantined rows")
    print(f"{'engine':<16}{'r57 run s':>10}{'x duckdb':>10}")
    for engine, s in seconds.items():
        print(f"{engine:<16}{s:>10.1f}{s / seconds['duckdb']:>10.1f}")
    spark_by_id = {d["id"]: d for d in spark_doc["databases"]}
    differ = [d["id"] for d in duck_doc["databases"] if spark_by_id.get(d["id"]) != d]
    print(f"readiness verdicts: {len(duck_doc['databases']) - len(differ)} of {len(duck_doc['databases'])} equal"
          + (f"; differ: {', '.join(differ)}" if differ else ""))
    print(f"readiness document (less run id and time): {'equal' if spark_doc == duck_doc else 'DIFFERS'}")
    unequal = sum(a != b for a, b in zip(duck_checks, spark_checks)) + abs(len(duck_checks) - len(spark_checks))
    print(f"check outcomes: {len(duck_checks) - unequal:,} of {len(duck_checks):,} equal")
    print(f"quarantine: {'equal' if duck_q == spark_q else 'DIFFERS'}")
    return 0 if spark_doc == duck_doc and not unequal and duck_q == spark_q else 1


if __name__ == "__main__":
    sys.exit(main())
