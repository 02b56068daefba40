"""The whole pipeline on a generated estate, per stage: first run, unchanged rerun, one changed delivery.

    .venv/bin/python benchmarks/bench_estate.py --rows 50000000 [--memory-limit 3GB] [--threads 2]

Generates the estate (the plan of sample_sources/, scaled to --rows across the 117 databases, in the
ministries' formats) into a work folder and runs the full asset graph in-process through Dagster, as
`r57 run` does, three times on one home:
  first      a new warehouse: every delivery is read;
  unchanged  the same deliveries and as-of again: nothing should be recomputed;
  one changed  the largest delivery other than the population register is delivered again (its manifest's
             extraction time moves a day: a new delivery hash), the rest unchanged.
For each run and stage (ingest = the delivery steps, sql models = dbt's staging and marts steps, validation = the quality steps, estate = master-data
recollection, readiness and reports) it prints the summed step seconds, CPU seconds (all threads), the
peak RSS sampled during the stage's steps and rows/s; "other" is the run's wall time outside the steps
(Dagster's own work, start-up, definitions). Each run is its own subprocess, so its peak RSS is its own.

Validation floor, measured in the same session on the first run's warehouse: one plain scan of every
delivered table that reads each column once (count, and max length of each column) -- what any validator
must at least do; the validation stage is printed as a multiple of it.

Targets (issue 10, 2 cores, 50M rows): first <= 360 s, unchanged <= 20 s, one changed <= 60 s, peak RSS <= 4 GB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
AS_OF = dt.date(2025, 12, 4)
MASTER = "population"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_generate(work: Path, rows: int) -> dict:
    from r57_pipelines.generate import generate_estate
    from r57_pipelines.registry import load_registry

    started = time.perf_counter()
    summary = generate_estate(load_registry(), work / "sources", total_rows=rows, as_of=AS_OF)
    return {"seconds": time.perf_counter() - started, "rows": summary.rows_written}


def phase_run(work: Path, duckdb_config: dict) -> dict:
    started = time.perf_counter()
    import dagster as dg

    from r57_pipelines import progress
    from r57_pipelines.definitions import build_definitions
    from r57_pipelines.registry import load_registry
    from r57_pipelines.resources import resources_for

    # RSS sampled every 20 ms; the highest since the previous step ended is that step's stage's.
    window = {"max": 0.0}
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(0.02):
            window["max"] = max(window["max"], _rss_mb())

    stages: dict[str, dict] = {}

    def record(state: progress.StageProgress) -> None:
        entry = stages.setdefault(state.stage, {"peak_rss_mb": 0.0})
        entry.update(seconds=state.seconds, cpu_seconds=state.cpu_seconds, rows=state.rows, steps=state.done)
        entry["peak_rss_mb"] = max(entry["peak_rss_mb"], window["max"], _rss_mb())
        window["max"] = 0.0

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stop_listening = progress.listen(record)
    registry = load_registry()
    result = dg.materialize(
        list(build_definitions(registry).assets),
        resources=resources_for(work / "sources", work / "home", AS_OF, duckdb_config=duckdb_config),
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
    )
    wall = time.perf_counter() - started
    stop_listening()
    stop_sampling.set()
    document = json.loads((work / "home" / "reports" / "readiness.json").read_text(encoding="utf-8"))
    statuses = [d["delivery"]["status"] for d in document["databases"]]
    return {
        "success": result.success,
        "wall_seconds": wall,
        "cpu_seconds": time.process_time(),
        "stages": stages,
        "peak_rss_mb": _peak_rss_mb(),
        "loaded": statuses.count("loaded"),
        "unchanged": statuses.count("unchanged"),
        "summary": document["summary"],
        "verdicts": {d["id"]: [d["tier"], d["at_risk"]] for d in document["databases"]},
    }


def phase_floor(work: Path, duckdb_config: dict) -> dict:
    """One scan of every delivered table reading each column once: the least any validator must do."""
    import duckdb

    con = duckdb.connect(str(work / "home" / "warehouse.duckdb"), read_only=True, config=duckdb_config)
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() "
        "where schema_name like 'raw\\_%' escape '\\' and table_name not like '\\_%' escape '\\'"
    ).fetchall()
    started, cpu, rows = time.perf_counter(), time.process_time(), 0
    for schema, table in tables:
        columns = [c[0] for c in con.execute(f'describe "{schema}"."{table}"').fetchall()]
        measures = ", ".join(f'max(length("{c}"::varchar))' for c in columns)
        rows += con.execute(f'select count(*), {measures} from "{schema}"."{table}"').fetchone()[0]
    return {
        "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu, "rows": rows,
        "tables": len(tables), "peak_rss_mb": _peak_rss_mb(),
    }


def change_one_delivery(sources: Path) -> str:
    """Deliver the largest non-master database again: its manifest's extraction time moves one day later."""
    folders = [p.parent for p in sources.glob("*/*/manifest.yaml") if p.parent.name != MASTER]
    folder = max(folders, key=lambda f: sum(p.stat().st_size for p in f.rglob("*") if p.is_file()))
    manifest = folder / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    found = re.search(r'extracted_at: "([^"]+)"', text)
    moved = dt.datetime.fromisoformat(found.group(1)) + dt.timedelta(days=1)
    manifest.write_text(text.replace(found.group(1), moved.isoformat()), encoding="utf-8")
    return folder.name


def _child(phase: str, work: Path, rows: int, config: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--work", str(work), "--rows", str(rows),
         "--duckdb-config", json.dumps(config)],
        capture_output=True, text=True, check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"{phase} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _print_runs(runs: dict[str, dict], floor: dict) -> None:
    print(f"{'run':<13}{'stage':<12}{'wall s':>8}{'CPU s':>8}{'rows/s':>12}{'peak RSS MB':>13}")
    for name, run in runs.items():
        for stage in ("ingest", "sql models", "validation", "estate"):
            s = run["stages"].get(stage)
            if s is None:
                continue
            rate = s["rows"] / s["seconds"] if s["seconds"] else 0
            print(f"{name:<13}{stage:<12}{s['seconds']:>8.1f}{s['cpu_seconds']:>8.1f}{rate:>12,.0f}{s['peak_rss_mb']:>13,.0f}")
        other = run["wall_seconds"] - sum(s["seconds"] for s in run["stages"].values())
        print(f"{name:<13}{'other':<12}{other:>8.1f}")
        print(f"{name:<13}{'= whole run':<12}{run['wall_seconds']:>8.1f}{run['cpu_seconds']:>8.1f}"
              f"{'':>12}{run['peak_rss_mb']:>13,.0f}")
    validation = runs["first"]["stages"]["validation"]
    print()
    print(
        f"validation floor (one scan of {floor['tables']} tables, each column read once): {floor['seconds']:.1f} s "
        f"wall, {floor['cpu_seconds']:.1f} s CPU for {floor['rows']:,} rows; first run's validation = "
        f"{validation['seconds'] / floor['seconds']:.1f} x the floor"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5_000_000, help="total rows across the estate")
    parser.add_argument("--work", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--memory-limit", default=None, help="DuckDB memory_limit for the runs (e.g. 3GB)")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads for the runs")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--reuse-sources", action="store_true", help="use the estate already in --work/sources")
    parser.add_argument("--phase", choices=["generate", "run", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--duckdb-config", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        config = json.loads(args.duckdb_config)
        phases = {"generate": lambda: phase_generate(args.work, args.rows), "run": lambda: phase_run(args.work, config),
                  "floor": lambda: phase_floor(args.work, config)}
        print(json.dumps(phases[args.phase]()))
        return

    config = {k: v for k, v in (("memory_limit", args.memory_limit), ("threads", args.threads)) if v is not None}
    work = args.work or Path(tempfile.mkdtemp(prefix="r57_bench_estate_"))
    try:
        if args.reuse_sources:
            shutil.rmtree(work / "home", ignore_errors=True)
            print(f"estate: reused {work / 'sources'}")
        else:
            gen = _child("generate", work, args.rows, config)
            print(f"estate: {gen['rows']:,} rows generated in {gen['seconds']:.1f} s")
        size = sum(p.stat().st_size for p in (work / "sources").rglob("*") if p.is_file())
        from r57_pipelines.resources import warehouse_at

        settings = {k: v for k, v in warehouse_at(work / "home", config).connection_config.items() if k != "temp_directory"}
        print(f"deliveries: {size / 1e6:,.0f} MB on disk; DuckDB settings: {settings} (spilling to <home>/tmp/duckdb)")
        runs = {"first": _child("run", work, args.rows, config)}
        floor = _child("floor", work, args.rows, config)
        runs["unchanged"] = _child("run", work, args.rows, config)
        changed = change_one_delivery(work / "sources")
        runs["one changed"] = _child("run", work, args.rows, config)
        print()
        _print_runs(runs, floor)
        print()
        for name, run in runs.items():
            print(f"{name}: {run['loaded']} deliveries loaded, {run['unchanged']} unchanged"
                  + (f" (changed: {changed})" if name == "one changed" else ""))
        print(f"summary: {json.dumps(runs['first']['summary'])}")
        assert all(r["success"] for r in runs.values()), "a run failed"
        assert runs["first"]["verdicts"] == runs["unchanged"]["verdicts"], "an unchanged rerun changed a verdict"
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
