"""One quality asset per database: run its committed suites in DuckDB (or on Spark) and report four checks.

Great Expectations itself is not imported here: the one-pass path computes the same counts (tests/validation keeps the
two equal), so loading these definitions stays fast.

No check is blocking: a database whose data fails must still get its verdict in the same run, and
Dagster skips everything downstream of a failed blocking check (the estate verdict included).
"""

import dagster as dg

from r57_pipelines.defs.deliveries import delivery_key
from r57_pipelines.defs.groups import group_name
from r57_pipelines.defs.metadata import row_count
from r57_pipelines.defs.sql_models import staging_keys_of
from r57_pipelines.defs.run_progress import databases_in_run, step_done
from r57_pipelines.progress import VALIDATION, StepClock
from r57_pipelines.quality.assess import assess
from r57_pipelines.quality.store import masked_samples, quarantine_counts, quarantine_failing_rows, record_outcomes
from r57_pipelines.readiness.classify import failing_badly
from r57_pipelines.readiness.policy import DIMENSIONS, default_policy
from r57_pipelines.registry import Database, Ministry, Registry
from r57_pipelines.resources import Estate, Spark, Warehouse
from r57_pipelines.validation.authored import is_suite_finding
from r57_pipelines.validation.outcome import not_evaluated_reason
from r57_pipelines.domain.communes import reference_version
from r57_pipelines.validation.suites import GX_VERSION
from r57_pipelines.warehouse.lake import register_databases

MAX_FAILING_IN_METADATA = 10


def quality_key(database_id: str) -> dg.AssetKey:
    """`population/population_quality`: the UI labels a node by the key's last part, so it names the database."""
    return dg.AssetKey([database_id, f"{database_id}_quality"])


def build_quality_asset(database: Database, ministry: Ministry, staging: list[dg.AssetKey]) -> dg.AssetsDefinition:
    key = quality_key(database.id)

    # Master-data checks read the master database's delivery: load it first.
    masters = sorted({ref.master_database for t in database.contract.tables for ref in t.master_refs} - {database.id})

    @dg.asset(
        key=key,
        # staging: an authored suite may validate the typed view stg_<db>.<table>
        deps=[delivery_key(database.id), *staging, *(delivery_key(m) for m in masters)],
        group_name=group_name(ministry),
        description=(
            f"Quality of `{database.id}` ({database.name_en}): its suites in expectations/{database.id}/ "
            "(generated, and authored/) compiled into one DuckDB pass, types r57 does not compile run by "
            "Great Expectations on the same connection; outcomes in r57.check_results, failing rows in "
            f"quarantine_{database.id}, one check per dimension."
        ),
        kinds={"duckdb", "great_expectations"},
        check_specs=[
            dg.AssetCheckSpec(d, asset=key, description=f"The '{d}' dimension meets the readiness policy.")
            for d in DIMENSIONS
        ],
    )
    def _quality(context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse, spark: Spark):
        clock = StepClock.start()
        policy = default_policy()
        as_of = estate.as_of_date()
        on_spark = warehouse.engine == "spark"
        lake = spark.lake(estate.home)
        engine = {"engine": spark.describe() if on_spark else "duckdb"}
        with warehouse.connect() as con:

            def spark_with_tables():  # started only when the suites run, not for reused outcomes
                register_databases(spark.connection(lake), con, [database.id, *masters], lake)
                return spark.connection(lake)

            status, delivery_sha256, rows = con.execute(
                "select status, delivery_sha256, total_rows from r57.deliveries where as_of = ? and database_id = ?",
                [as_of, database.id],
            ).fetchone() or ("absent", None, None)
            if status not in ("loaded", "unchanged"):
                step_done(context, VALIDATION, database.id, 0, databases_in_run(context, "quality"), clock)
                yield dg.MaterializeResult(
                    metadata={"as_of": as_of.isoformat(), "assessed": False, "reason": f"delivery {status}", **engine}
                )
                for dimension in DIMENSIONS:
                    yield dg.AssetCheckResult(
                        check_name=dimension, passed=False, severity=dg.AssetCheckSeverity.WARN,
                        metadata={"as_of": as_of.isoformat(), "score": "not assessed", "reason": f"delivery {status}"},
                    )
                return
            assessment = assess(
                con, database, as_of, policy, delivery_sha256, estate.expectations,
                spark=spark_with_tables if on_spark else None,
            )
            outcomes = assessment.outcomes
            # Reused outcomes come from the same delivery: its quarantine is already the right one.
            quarantined = (
                quarantine_counts(con, database)
                if assessment.reused
                else quarantine_failing_rows(
                    con, database, context.run.run_id, outcomes, spark.connection(lake) if on_spark else None, lake
                )
            )
            samples = {o.check_id: masked_samples(con, database, o) for o in outcomes if o.success is False}
            record_outcomes(
                con, context.run.run_id, as_of, outcomes, assessment.suite_sha256, GX_VERSION, reference_version(), delivery_sha256,
                assessment.validation_key, samples,
            )

        step_done(context, VALIDATION, database.id, rows or 0, databases_in_run(context, "quality"), clock)
        scores = assessment.scores(policy)
        check_rows = {c.check_id: c for c in assessment.checks}
        thresholds = policy.tiers.foundational
        yield dg.MaterializeResult(
            metadata={
                "as_of": as_of.isoformat(),
                "assessed": True,
                # duckdb, or where Spark ran the suites (local[N], or the Spark Connect URL)
                **engine,
                "reused_from_earlier_run": assessment.reused,
                **{f"score_{d}": scores[d].as_json()["score"] for d in DIMENSIONS},
                "checks_evaluated": sum(o.evaluated for o in outcomes),
                "checks_failed": sum(o.success is False for o in outcomes),
                # onepass: compiled into r57's query; gx: run by Great Expectations itself
                "checks_by_engine": dg.MetadataValue.json(
                    {e: sum(o.evaluated and o.engine == e for o in outcomes) for e in ("onepass", "gx")}
                ),
                "authored_suite_findings": dg.MetadataValue.json(
                    [r for r in map(not_evaluated_reason, outcomes) if is_suite_finding(r)]
                ),
                "quarantined_rows": dg.MetadataValue.json(quarantined),
                # the rows this asset keeps: every failing row, in quarantine_<id>
                **row_count(sum(quarantined.values())),
            }
        )
        for dimension in DIMENSIONS:
            mine = [o for o in outcomes if o.dimension == dimension]
            failing = sorted((o for o in mine if o.success is False), key=lambda o: -o.unexpected_count)
            blocking = failing_badly([check_rows[o.check_id] for o in failing], policy)
            score = scores[dimension].score
            passed = score is not None and score >= thresholds.min_score[dimension] and not blocking
            yield dg.AssetCheckResult(
                check_name=dimension,
                passed=passed,
                severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
                metadata={
                    "as_of": as_of.isoformat(),
                    "score": dg.MetadataValue.float(round(score, 2)) if score is not None else "not assessed",
                    "threshold": dg.MetadataValue.float(thresholds.min_score[dimension]),
                    "checks_evaluated": sum(o.evaluated for o in mine),
                    "checks_failed": len(failing),
                    "failing": dg.MetadataValue.json(
                        [
                            {
                                "check": o.check_id,
                                "severity": o.severity,
                                "unexpected": o.unexpected_count,
                                "of": o.element_count,
                                "what": o.description,
                                "engine": o.engine,
                                "masked_samples": samples.get(o.check_id, []),
                            }
                            for o in failing[:MAX_FAILING_IN_METADATA]
                        ]
                    ),
                },
            )

    return _quality


def build_quality_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    return [
        build_quality_asset(db, registry.ministries[db.ministry], staging_keys_of(registry, db.id))
        for db in registry.databases.values()
    ]
