"""The whole pipeline on a generated estate: time per stage, rows/s, peak RSS; then an unchanged rerun.

    .venv/bin/python benchmarks/bench_estate.py --rows 50000000

Generates the estate (the same plan as sample_sources/, scaled to --rows across the 117 databases, in
the ministries' formats) into a work folder, runs the full asset graph in-process through Dagster as
`r57 run` does, and prints the seconds spent in each stage (summed Dagster step durations: ingest =
the `delivery` assets, validation = the `quality` assets, classification = the estate assets), the
wall time, rows/s and the peak RSS of the run's process. Then it runs again with nothing changed.
Targets on a 2-core machine: 50M rows in under 10 minutes; the unchanged rerun under 30 seconds.
Each phase runs in its own subprocess so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = dt.date(2025, 12, 4)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_generate(work: Path, rows: int) -> dict:
    from r57_pipelines.generate import generate_estate
    from r57_pipelines.registry import load_registry

    started = time.perf_counter()
    summary = generate_estate(load_registry(), work / "sources", total_rows=rows, as_of=AS_OF)
    return {"seconds": time.perf_counter() - started, "rows": summary.rows_written, "peak_rss_mb": _peak_rss_mb()}


def phase_run(work: Path) -> dict:
    import dagster as dg

    from r57_pipelines.definitions import build_definitions
    from r57_pipelines.registry import load_registry
    from r57_pipelines.resources import resources_for

    started = time.perf_counter()
    registry = load_registry()
    result = dg.materialize(
        list(build_definitions(registry).assets),
        resources=resources_for(work / "sources", work / "home", AS_OF),
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    wall = time.perf_counter() - started
    stages = {"ingest": 0.0, "validation": 0.0, "classification": 0.0}
    for event in result.all_events:
        if event.is_step_success:
            seconds = event.event_specific_data.duration_ms / 1000
            key = event.step_key
            stage = "ingest" if key.endswith("__delivery") else "validation" if key.endswith("__quality") else "classification"
            stages[stage] += seconds
    document = json.loads((work / "home" / "reports" / "readiness.json").read_text(encoding="utf-8"))
    statuses = [d["delivery"]["status"] for d in document["databases"]]
    return {
        "wall_seconds": wall,
        "stages": stages,
        "peak_rss_mb": _peak_rss_mb(),
        "rows": sum(d["rows"] or 0 for d in document["databases"]),
        "loaded": statuses.count("loaded"),
        "unchanged": statuses.count("unchanged"),
        "summary": document["summary"],
    }


def _child(phase: str, work: Path, rows: int) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--work", str(work), "--rows", str(rows)],
        capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"{phase} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000, help="total rows across the estate")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--phase", choices=["generate", "run"], help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument(
        "--reuse-sources", action="store_true", help="use the estate already generated in --work/sources"
    )
    args = parser.parse_args()

    if args.phase:
        result = phase_generate(args.work, args.rows) if args.phase == "generate" else phase_run(args.work)
        print(json.dumps(result))
        return

    work = args.work or Path(tempfile.mkdtemp(prefix="r57_bench_estate_"))
    try:
        def size() -> int:
            return sum(p.stat().st_size for p in (work / "sources").rglob("*") if p.is_file())

        if args.reuse_sources:
            shutil.rmtree(work / "home", ignore_errors=True)
            print(f"estate: reused {work / 'sources'}, {size() / 1e6:,.0f} MB on disk")
        else:
            gen = _child("generate", work, args.rows)
            print(f"estate: {gen['rows']:,} rows, {size() / 1e6:,.0f} MB on disk, generated in {gen['seconds']:.1f} s")
        first = _child("run", work, args.rows)
        second = _child("run", work, args.rows)
        print()
        print(f"{'run':<18}{'wall s':>9}{'ingest s':>10}{'validate s':>12}{'classify s':>12}{'rows/s':>13}{'peak RSS MB':>13}")
        for name, run in (("first", first), ("unchanged rerun", second)):
            s = run["stages"]
            print(
                f"{name:<18}{run['wall_seconds']:>9.1f}{s['ingest']:>10.1f}{s['validation']:>12.1f}"
                f"{s['classification']:>12.1f}{run['rows'] / run['wall_seconds']:>13,.0f}{run['peak_rss_mb']:>13,.0f}"
            )
        print()
        print(f"first run loaded {first['loaded']} deliveries; rerun found {second['unchanged']} unchanged")
        print(f"rerun / first run wall time: {second['wall_seconds'] / first['wall_seconds']:.2f}")
        print(f"summary: {json.dumps(first['summary'])}")
        assert first["summary"] == second["summary"], "an unchanged rerun changed the verdict"
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
