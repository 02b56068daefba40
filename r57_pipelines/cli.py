"""The `r57` command: run the pipeline, generate a sample estate, write suites, print the status."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from r57_pipelines.paths import EXPECTATIONS_DIR, REGISTRY_DIR, SAMPLE_SOURCES_DIR
from r57_pipelines.settings import (
    AS_OF_ENV, DUCKDB_MEMORY_LIMIT_ENV, DUCKDB_THREADS_ENV, ENGINE_ENV, ENGINES, EXPECTATIONS_ENV, HOME_ENV, SOURCES_ENV,
    SPARK_REMOTE_ENV, SettingsError, read_settings,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from exc


def cmd_run(args: argparse.Namespace) -> int:
    from r57_pipelines.runlock import HomeBusy, describe_holder, run_lock

    if not args.sources.is_dir():
        print(f"r57 run: sources folder not found: {args.sources}", file=sys.stderr)
        return 2
    if not args.expectations.is_dir():
        print(f"r57 run: expectations folder not found: {args.expectations}", file=sys.stderr)
        return 2

    def waiting(holder: dict | None) -> None:
        limit = f"up to {args.wait:g} s" if 0 < args.wait < float("inf") else "until it ends"
        print(f"r57 run: another run holds {args.home} ({describe_holder(holder)}); waiting {limit}",
              file=sys.stderr, flush=True)

    # One run per home at a time, for the whole run (runlock.py); by default a second one fails at once.
    try:
        with run_lock(args.home, args.wait, {"as_of": args.as_of.isoformat() if args.as_of else None}, waiting):
            return _run(args)
    except HomeBusy as busy:
        print(f"r57 run: {busy}; nothing was run (try again later, or pass --wait SECONDS)", file=sys.stderr)
        return 3


def _run(args: argparse.Namespace) -> int:
    import dagster as dg

    from r57_pipelines import progress
    from r57_pipelines.definitions import build_definitions
    from r57_pipelines.registry import load_registry
    from r57_pipelines.resources import Spark, resources_for

    registry = load_registry()
    definitions = build_definitions(registry)
    # With DAGSTER_HOME set the run is recorded where `dagster dev` shows it; otherwise it is ephemeral.
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    with progress.shown(sys.stderr):
        result = dg.materialize(
            list(definitions.assets),
            resources=resources_for(
                args.sources, args.home, args.as_of, args.expectations.resolve(), args.settings.duckdb_config,
                engine=args.engine, spark=Spark(remote=args.settings.spark_remote),
            ),
            instance=instance,
            run_config={"loggers": {"console": {"config": {"log_level": args.log_level}}}},
            raise_on_error=False,
        )
    progress.forget(result.run_id)
    report = args.home / "reports" / "readiness.json"
    if not result.success:
        failed = [e.step_key for e in result.all_events if e.is_step_failure]
        print(f"r57 run: steps failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"Warehouse: {args.home / 'warehouse.duckdb'}")
    print(f"Readiness: {report}")
    print(f"Report:    {report.parent / 'index.html'} (open from disk)")
    _print_status(json.loads(report.read_text(encoding="utf-8")))
    return 0


def _print_status(document: dict) -> None:
    from r57_pipelines.readiness.status import format_status

    print(format_status(document))


def cmd_status(args: argparse.Namespace) -> int:
    report = args.home / "reports" / "readiness.json"
    if not report.exists():
        print(f"r57 status: no readiness report at {report}; run `r57 run` first", file=sys.stderr)
        return 2
    _print_status(json.loads(report.read_text(encoding="utf-8")))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Rebuild the full bundle, or write one ministry's own, from the last run's verdicts."""
    import duckdb

    from r57_pipelines.registry import load_registry
    from r57_pipelines.report.bundle import build_bundle
    from r57_pipelines.resources import WAREHOUSE_FILE, Estate
    from r57_pipelines.runlock import HomeBusy, run_lock

    registry = load_registry()
    if args.ministry and args.ministry not in registry.ministries:
        print(f"r57 report: no ministry {args.ministry!r}; one of {', '.join(registry.ministries)}", file=sys.stderr)
        return 2
    document_path = Estate(home_dir=str(args.home)).readiness_document
    if not document_path.exists():
        print(f"r57 report: no verdicts at {document_path}; run `r57 run --home {args.home}` first", file=sys.stderr)
        return 2
    out = args.out or (args.home / "bundles" / args.ministry if args.ministry else args.home / "reports")
    # The home's run lock: a report never reads a warehouse that a run is writing, and two reports
    # never build into the same place at once.
    try:
        with run_lock(args.home, 0, {"command": "report"}):
            with duckdb.connect(str(args.home / WAREHOUSE_FILE), read_only=True, config=args.settings.duckdb_config) as con:
                document = json.loads(document_path.read_text(encoding="utf-8"))
                bundle = build_bundle(con, registry, document, out, ministry=args.ministry)
    except HomeBusy as busy:
        print(f"r57 report: {busy}; try again when it has finished", file=sys.stderr)
        return 3
    scope = f"{args.ministry}'s own databases" if args.ministry else "every database"
    print(f"Report ({scope}, {bundle.databases} databases, {bundle.pages} pages): {bundle.front_page}")
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from r57_pipelines.generate import generate_estate
    from r57_pipelines.registry import load_registry

    summary = generate_estate(load_registry(), args.out, total_rows=args.rows, as_of=args.as_of, seed=args.seed)
    print(summary)
    return 0


def cmd_reference(args: argparse.Namespace) -> int:
    from r57_pipelines.generate.reference import write_communes_yaml

    print(f"{write_communes_yaml(args.out)} units written to {args.out}")
    return 0


def cmd_suites(args: argparse.Namespace) -> int:
    from r57_pipelines.registry import load_registry
    from r57_pipelines.validation.suites import write_suites

    if args.check:
        return _check_suites(args.out)
    written = write_suites(load_registry(), args.out)
    print(f"wrote {written} suites to {args.out}" if written is not None else f"suites written to {args.out}")
    return 0


def _check_suites(folder: Path) -> int:
    """Every authored suite, checked as r57 runs it and with GX's own classes; exit 1 on any problem."""
    from r57_pipelines.registry import load_registry
    from r57_pipelines.validation.authored import authored_files, check_with_gx, load_authored

    registry = load_registry()
    problems, checked = [], 0
    for database in registry.databases.values():
        files = authored_files(folder, database.id)
        if not files:
            continue
        columns = {t.name: [c.name for c in t.columns] for t in database.contract.tables}
        problems += load_authored(folder, database.id, columns).findings
        for path in files:
            checked += 1
            problems += check_with_gx(path)
    for problem in dict.fromkeys(problems):
        print(problem)
    print(f"{checked} authored suites checked, {len(set(problems))} problems", file=sys.stderr)
    return 1 if problems else 0


ENVIRONMENT_COMMANDS = ("run", "status", "report")  # the commands that read settings.py's variables
HOME_HELP = f"where the warehouse and reports go (default: ${HOME_ENV}, else .r57/)"
ENVIRONMENT_HELP = (
    f"Defaults come from the environment, as in the Dagster UI: {SOURCES_ENV}, {HOME_ENV}, {EXPECTATIONS_ENV}, "
    f"{AS_OF_ENV}, {ENGINE_ENV}; DuckDB's settings from {DUCKDB_MEMORY_LIMIT_ENV} and {DUCKDB_THREADS_ENV}; "
    f"a Spark Connect URL from {SPARK_REMOTE_ENV}. A variable r57 cannot use stops the command with status 2."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="r57", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    # run, status and report: a flag left out comes from the environment, as in the Dagster UI (settings.py).
    run = sub.add_parser(
        "run", help="ingest, validate and classify every database; write the reports", epilog=ENVIRONMENT_HELP
    )
    run.add_argument("--sources", type=Path, help=f"deliveries folder (default: ${SOURCES_ENV}, else sample_sources/)")
    run.add_argument("--home", type=Path, help=HOME_HELP)
    run.add_argument(
        "--as-of", type=_date, help=f"evaluate as of this date (default: ${AS_OF_ENV}, else today in Vietnam)"
    )
    run.add_argument(
        "--expectations", type=Path,
        help="suites folder: generated <db>/<table>.json, authored <db>/authored/*.json, plugins/*.py "
             f"(default: ${EXPECTATIONS_ENV}, else expectations/)",
    )
    run.add_argument(
        "--engine", choices=ENGINES,
        help=f"where the suites run (default: ${ENGINE_ENV}, else duckdb); spark: local mode, or ${SPARK_REMOTE_ENV} "
             "(docs/scale-out.md). Results, verdicts and reports are the same either way",
    )
    run.add_argument(
        "--log-level", default="WARNING", choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="Dagster's own log lines on stderr (default WARNING: rejected deliveries, failures); the run's "
             "progress per stage is printed whatever the level",
    )
    run.add_argument(
        "--wait", type=float, default=0, metavar="SECONDS",
        help="if another run holds the home, wait this long for it (default 0: exit with status 3 at once; -1: for ever)",
    )
    run.set_defaults(func=cmd_run)

    status = sub.add_parser("status", help="print the national summary and the at-risk list", epilog=ENVIRONMENT_HELP)
    status.add_argument("--home", type=Path, help=HOME_HELP)
    status.set_defaults(func=cmd_status)

    report = sub.add_parser(
        "report", help="write the reviewers' report bundle; --ministry for one ministry's own", epilog=ENVIRONMENT_HELP
    )
    report.add_argument("--home", type=Path, help=HOME_HELP)
    report.add_argument("--ministry", metavar="CODE", help="only this ministry's databases (e.g. MOH)")
    report.add_argument(
        "--out", type=Path, default=None,
        help="bundle folder (default: <home>/reports, or <home>/bundles/<CODE> with --ministry); replaced whole",
    )
    report.set_defaults(func=cmd_report)

    generate = sub.add_parser("generate", help="generate the sample estate (deterministic)")
    generate.add_argument("--rows", type=int, default=None, help="total rows across the estate")
    generate.add_argument("--out", type=Path, default=SAMPLE_SOURCES_DIR)
    generate.add_argument("--as-of", type=_date, default=dt.date(2025, 12, 4))
    generate.add_argument("--seed", type=int, default=57)
    generate.set_defaults(func=cmd_generate)

    reference = sub.add_parser(
        "reference", help="write assets/reference/communes.yaml from the vietnamadminunits package (dev extra)"
    )
    reference.add_argument("--out", type=Path, default=REGISTRY_DIR / "reference" / "communes.yaml")
    reference.set_defaults(func=cmd_reference)

    suites = sub.add_parser(
        "suites", help="write the generated suites from the registry contracts (authored/ is never touched)"
    )
    suites.add_argument("--out", type=Path, default=EXPECTATIONS_DIR, help="the suites folder")
    suites.add_argument(
        "--check", action="store_true", help="check the authored suites (r57's rules and GX's own classes); write nothing"
    )
    suites.set_defaults(func=cmd_suites)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ENVIRONMENT_COMMANDS:
        try:
            args.settings = read_settings()
        except SettingsError as error:
            print(f"r57 {args.command}: {error}", file=sys.stderr)
            return 2
        for name in ("sources", "home", "expectations", "as_of", "engine"):  # the flags given win
            if getattr(args, name, False) is None:
                setattr(args, name, getattr(args.settings, name))
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
