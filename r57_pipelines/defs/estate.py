"""Estate-wide assets: master-data recollection, the verdict of every database, and the reviewers' reports."""


import json
import time

import dagster as dg

from r57_pipelines.defs.deliveries import delivery_key
from r57_pipelines.defs.groups import ESTATE_GROUP
from r57_pipelines.defs.keys import READINESS_KEY, RECOLLECTION_KEY, REPORTS_KEY
from r57_pipelines.defs.metadata import row_count
from r57_pipelines.defs.quality import quality_key
from r57_pipelines.defs.sql_models import mart_keys, staging_keys_of
from r57_pipelines.defs.run_progress import estate_steps_in_run, step_done
from r57_pipelines.progress import ESTATE, StepClock
from r57_pipelines.quality.recollection import find_recollections, record_recollections, summarise_by_ministry
from r57_pipelines.delivery.discover import scan_sources
from r57_pipelines.readiness.classify import classify
from r57_pipelines.readiness.evidence import gather_evidence, recollection_summary
from r57_pipelines.readiness.history import record_verdicts
from r57_pipelines.readiness.policy import default_policy
from r57_pipelines.readiness.publish import readiness_document, write_json_atomically
from r57_pipelines.registry import Registry
from r57_pipelines.report.bundle import build_bundle
from r57_pipelines.resources import Estate, Warehouse



def _unmatched(estate: Estate, registry: Registry) -> list[dict]:
    scan = scan_sources(estate.sources, set(registry.databases))
    return [{"folder": str(p), "problem": "no registered database has this id"} for p in scan.unknown]


def estate_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    @dg.asset(
        key=RECOLLECTION_KEY,
        group_name=ESTATE_GROUP,
        # the staging views it reads, and the deliveries of databases no staging model reads
        deps=[key for db_id in registry.databases for key in staging_keys_of(registry, db_id) or [delivery_key(db_id)]],
        kinds={"duckdb"},
        description=(
            "Fields collected again beside a personal number (name, birth date, sex, address) that the "
            "population database already holds, and how often they disagree with it; per ministry. "
            "Rows in r57.master_recollection."
        ),
    )
    def master_data_recollection(
        context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse
    ) -> dg.MaterializeResult:
        clock = StepClock.start()
        as_of = estate.as_of_date()
        with warehouse.connect() as con:
            found, compared = find_recollections(con, registry)
            record_recollections(con, as_of, found)
        step_done(context, ESTATE, "master_data_recollection", sum(f.rows for f in found), estate_steps_in_run(context), clock)
        return dg.MaterializeResult(
            metadata={
                "as_of": as_of.isoformat(),
                "fields": dg.MetadataValue.int(len(found)),
                "databases": dg.MetadataValue.int(len({f.database_id for f in found})),
                # the others' deliveries and the population database's are an earlier run's: rows copied
                "databases_compared_again": dg.MetadataValue.int(compared),
                "by_ministry": dg.MetadataValue.json(summarise_by_ministry(found)),
                **row_count(len(found)),  # one row per field in r57.master_recollection for the as-of
            }
        )

    @dg.asset(
        key=READINESS_KEY,
        group_name=ESTATE_GROUP,
        deps=[quality_key(db_id) for db_id in registry.databases] + [RECOLLECTION_KEY],
        kinds={"duckdb", "json"},
        description=(
            "Tier (foundational / partial / not started), at-risk flag and reasons for every registered "
            "database, from its delivery, its check results and the readiness policy "
            "(assets/readiness_policy.yaml). Writes <home>/state/readiness.json for the reports."
        ),
    )
    def readiness(context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse) -> dg.MaterializeResult:
        clock = StepClock.start()
        policy = default_policy()
        as_of = estate.as_of_date()
        with warehouse.connect() as con:
            evidence, deliveries = gather_evidence(con, registry, as_of, policy)
            recollection = recollection_summary(con, as_of)
            verdicts = {db_id: classify(ev, as_of, policy) for db_id, ev in evidence.items()}
            record_verdicts(con, registry, as_of, context.run.run_id, evidence, verdicts, policy)
        document = readiness_document(
            registry, as_of, context.run.run_id, evidence, deliveries, verdicts, _unmatched(estate, registry)
        )
        document["master_data_recollection"] = recollection
        path = estate.readiness_document
        write_json_atomically(path, document)
        summary = document["summary"]
        for programme, counts in summary.items():
            context.log.info(f"{programme}: {counts}")
        step_done(context, ESTATE, "readiness", 0, estate_steps_in_run(context), clock)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "as_of": as_of.isoformat(),
                "summary": dg.MetadataValue.json(summary),
                "at_risk": dg.MetadataValue.int(sum(v.at_risk for v in verdicts.values())),
                **row_count(len(verdicts)),  # one row per database in r57.readiness for the as-of
            }
        )

    @dg.asset(
        key=REPORTS_KEY,
        group_name=ESTATE_GROUP,
        deps=[READINESS_KEY, *mart_keys()],
        kinds={"html", "excel"},
        description=(
            "The reviewers' report bundle in <home>/reports/: a static site in Vietnamese and English "
            "(front page, a page per ministry and per database), readiness.xlsx and readiness.json. "
            "Built aside and swapped in whole, so a reader never sees half a report. "
            "`r57 report --ministry CODE` writes one ministry's own bundle."
        ),
    )
    def reports(context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse) -> dg.MaterializeResult:
        clock = StepClock.start()
        document = json.loads(estate.readiness_document.read_text(encoding="utf-8"))
        with warehouse.connect() as con:
            bundle = build_bundle(con, registry, document, estate.reports_dir)
        step_done(context, ESTATE, "reports", 0, estate_steps_in_run(context), clock)
        return dg.MaterializeResult(
            metadata={
                "front_page": dg.MetadataValue.path(str(bundle.front_page)),
                "as_of": document["as_of"],
                "pages": dg.MetadataValue.int(bundle.pages),
                "databases": dg.MetadataValue.int(bundle.databases),
                "build_seconds": dg.MetadataValue.float(round(time.perf_counter() - clock.wall, 2)),
            }
        )

    return [master_data_recollection, readiness, reports]
