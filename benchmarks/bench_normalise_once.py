"""Where to normalise text once: in the validation pass (shared per row), or in a table prepared at load?

    .venv/bin/python benchmarks/bench_normalise_once.py --rows 1000000 --repeat 3

On bench_validation's population-like table (14 text columns, planted defects, real communes) and its
contract suite, times three arrangements of the same counts (DuckDB, 2 threads, medians of --repeat):

  as written   the one-pass query with every check spelling its own normalised values (before shared_work.py)
  shared       the one-pass query r57 runs: each costly per-row value computed once, read by every check
  prepared     the shared values materialised at load into a prepared table (what a staging table keyed by
               the delivery hash would hold), then the aggregates read its columns: load + validate

The question issue 10 asks: is a table prepared once per delivery faster than the pass computing its own?
A first night pays load + validate; an unchanged night pays neither (outcomes are reused by their
validation key), so the prepared table only wins if load + validate beats the shared pass.
The counts of every arrangement are compared.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_validation import PARAMETERS, SCHEMA, TABLE, bench_suite, generate  # noqa: E402


def _captured_query(con, suite) -> str:
    """The aggregate SQL validate_table runs for the table (the one pass)."""
    from r57_pipelines.validation import onepass

    seen: list[str] = []
    real = onepass._first_row

    def record(c, sql, parameters=None):
        seen.append(sql)
        return real(c, sql, parameters)

    onepass._first_row = record
    try:
        onepass.validate_table(con, SCHEMA, TABLE, suite, PARAMETERS)
    finally:
        onepass._first_row = real
    return max(seen, key=len)


def _queries(con, suite) -> dict[str, str]:
    import sqlglot
    from sqlglot import exp

    from r57_pipelines.validation import onepass

    shared_sql = _captured_query(con, suite)
    real = onepass.share_row_work
    onepass.share_row_work = lambda aggregates, columns: (dict(aggregates), {})
    try:
        written_sql = _captured_query(con, suite)
    finally:
        onepass.share_row_work = real
    # prepared: the shared pass's inner SELECT becomes a table; the aggregates read it instead
    query = sqlglot.parse_one(shared_sql, read="duckdb")
    inner = query.args["from_"].this
    assert isinstance(inner, exp.Subquery), "the table has no shared per-row values"
    prepare = f"create or replace table {SCHEMA}.prepared as {inner.this.sql('duckdb')}"
    query.args["from_"].set("this", exp.table_("prepared", db=SCHEMA).as_("t"))
    return {"as written": written_sql, "shared": shared_sql, "prepare": prepare, "prepared": query.sql("duckdb")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import duckdb
    from sqlglot import exp

    from r57_pipelines.validation.reference import ensure_reference_tables

    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "bench.duckdb"
        generate(db, args.rows)
        con = duckdb.connect(str(db))
        con.execute("set threads = 2")
        ensure_reference_tables(con, exp.table_("r57_ref_communes"))
        queries = _queries(con, bench_suite())
        times: dict[str, list[float]] = {"as written": [], "shared": [], "prepare": [], "prepared": []}
        results = {}
        for _ in range(args.repeat):  # interleaved, so a burst of other load hits every arrangement alike
            for name in times:
                started = time.perf_counter()
                result = con.execute(queries[name]).fetchall()
                times[name].append(time.perf_counter() - started)
                if name != "prepare":
                    results[name] = result[0]
        con.close()

    median = {name: statistics.median(t) for name, t in times.items()}
    base = median["as written"]
    print(f"{args.rows:,} rows, contract suite, DuckDB 2 threads, medians of {args.repeat}")
    print(f"{'arrangement':<34}{'seconds':>9}{'x as written':>14}")
    rows = [
        ("as written (one pass)", median["as written"]),
        ("shared per row (one pass, r57)", median["shared"]),
        ("prepared table: load step", median["prepare"]),
        ("prepared table: validation", median["prepared"]),
        ("prepared table: load + validation", median["prepare"] + median["prepared"]),
    ]
    for name, seconds in rows:
        print(f"{name:<34}{seconds:>9.2f}{seconds / base:>14.2f}")
    same = {name: [sorted(v) if isinstance(v, list) else v for v in values] for name, values in results.items()}
    print("same counts in every arrangement:", same["as written"] == same["shared"] == same["prepared"])


if __name__ == "__main__":
    main()
