"""The report bundle with every database and every check, as history grows: build time per bundle.

    .venv/bin/python benchmarks/bench_report.py [--home .r57] [--nights 1,30,365] [--repeat 3]

Takes a home that `r57 run` has filled (by default runs the sample estate into a temporary one),
copies its warehouse, adds earlier nights of verdicts (the same 117 verdicts on each earlier date) so
that the marts and every chart carry that much history, and times, in the same process:

- read: gathering the report's inputs (readiness.json, the latest check of every database, the marts),
  the baseline;
- build: the whole bundle (both languages, every page, the workbook, readiness.json) and its publish.

It prints best-of-`--repeat` seconds, build as a multiple of read, and build as a multiple of the
one-night build.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from r57_pipelines.readiness.evidence import national_trend  # noqa: E402
from r57_pipelines.readiness.policy import default_policy  # noqa: E402
from r57_pipelines.registry import load_registry  # noqa: E402
from r57_pipelines.report.bundle import build_bundle  # noqa: E402
from r57_pipelines.report.data import load_report_data  # noqa: E402
from r57_pipelines.dbt_project import build_command, prepare, write_profile  # noqa: E402


def _filled_home(work: Path) -> Path:
    home = work / "home"
    r57 = Path(sys.executable).parent / "r57"
    subprocess.run([str(r57), "run", "--home", str(home), "--as-of", "2025-12-04", "--log-level", "ERROR"],
                   check=True, capture_output=True)
    return home


def _with_history(home: Path, work: Path, nights: int) -> tuple[Path, dict]:
    """A copy of the warehouse whose verdicts go back `nights` nights; the document's trend to match."""
    warehouse = work / f"warehouse-{nights}.duckdb"
    shutil.copy(home / "warehouse.duckdb", warehouse)
    document = json.loads((home / "state" / "readiness.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            """
            insert into r57.readiness
            select (as_of - to_days(n::int))::date, run_id, database_id, ministry, programme, tier, at_risk,
                   risk_reasons, scores, recorded_at
            from r57.readiness, range(1, ?) as t(n)
            where as_of = ?
            """,
            [nights, document["as_of"]],
        )
    prepare(load_registry())
    profiles = write_profile(work / f"dbt-{nights}", str(warehouse), {})
    subprocess.run(build_command(profiles, "tag:mart"), check=True, capture_output=True)  # the marts, as a run builds them
    with duckdb.connect(str(warehouse)) as con:
        document["history"] = national_trend(con)
    return warehouse, document


def _best(seconds: list[float]) -> float:
    return min(seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None, help="a home filled by `r57 run` (default: run one)")
    parser.add_argument("--nights", default="1,30,365")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    registry = load_registry()
    thresholds = dict(default_policy().tiers.foundational.min_score)
    with tempfile.TemporaryDirectory(prefix="r57-bench-report-") as tmp:
        work = Path(tmp)
        home = args.home or _filled_home(work)
        rows, first_build = [], None
        for nights in (int(n) for n in args.nights.split(",")):
            warehouse, document = _with_history(home, work, nights)
            reads, builds = [], []
            with duckdb.connect(str(warehouse), read_only=True) as con:
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    data = load_report_data(con, registry, document, thresholds)
                    reads.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    bundle = build_bundle(con, registry, document, work / "reports")
                    builds.append(time.perf_counter() - started)
            read, build = _best(reads), _best(builds)
            first_build = first_build or build
            size = sum(p.stat().st_size for p in (work / "reports").rglob("*") if p.is_file()) / 1e6
            checks = sum(len(c) for c in data.checks.values())
            rows.append((nights, len(data.databases), checks, bundle.pages, size, read, build, build / read,
                         build / first_build))
    print("| nights | databases | checks | pages | MB | read s | build s | build × read | × one night |")
    print("|---|---|---|---|---|---|---|---|---|")
    for nights, dbs, checks, pages, size, read, build, per_read, per_night in rows:
        print(f"| {nights} | {dbs} | {checks} | {pages} | {size:.1f} | {read:.2f} | {build:.2f} | {per_read:.1f} | {per_night:.2f} |")


if __name__ == "__main__":
    main()
