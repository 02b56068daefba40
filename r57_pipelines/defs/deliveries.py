"""One ingest asset per registered database, all built by one factory.

Why a factory and not one asset with 117 static partitions: reviewers and engineers think per ministry,
and Dagster groups assets, not partitions, in the UI. With one asset per database the graph shows each
ministry's databases as a group, each with its own description, checks and history; the code path is
still one function. (The as-of date is run configuration, so a backfill is a run with another date.)
"""


import dagster as dg

from r57_pipelines.defs.groups import group_name
from r57_pipelines.defs.metadata import row_count
from r57_pipelines.defs.run_progress import databases_in_run, step_done
from r57_pipelines.delivery.discover import scan_sources
from r57_pipelines.delivery.load import DeliveryOutcome, in_folder, load_delivery
from r57_pipelines.delivery.record import record_delivery
from r57_pipelines.registry import Database, Ministry, Registry
from r57_pipelines.progress import INGEST, StepClock
from r57_pipelines.resources import Estate, Warehouse

DELIVERY_USABLE = "delivery_usable"


def delivery_key(database_id: str) -> dg.AssetKey:
    """`population/population_delivery`: the UI labels a node by the key's last part, so it names the database."""
    return dg.AssetKey([database_id, f"{database_id}_delivery"])


def _describe(database: Database) -> str:
    tables = ", ".join(t.name for t in database.contract.tables)
    return (
        f"{database.name_en} ({database.name_vi}). Latest delivery of `{database.id}` loaded into "
        f"`raw_{database.id}` ({tables}); programme {database.programme}, cadence {database.cadence}, "
        f"deadline {database.deadline.isoformat()}."
    )


def build_delivery_asset(database: Database, ministry: Ministry) -> dg.AssetsDefinition:
    key = delivery_key(database.id)

    @dg.asset(
        key=key,
        group_name=group_name(ministry),
        description=_describe(database),
        kinds={"duckdb"},
        tags={"programme": database.programme},
        check_specs=[
            dg.AssetCheckSpec(
                DELIVERY_USABLE, asset=key, description="A delivery for this database was found and loaded."
            )
        ],
    )
    def _delivery(context: dg.AssetExecutionContext, estate: Estate, warehouse: Warehouse):
        clock = StepClock.start()
        scan = scan_sources(estate.sources, {database.id})
        as_of = estate.as_of_date()
        with warehouse.connect() as con:
            if database.id in scan.duplicated:
                folders = ", ".join(in_folder(p, estate.sources) for p in scan.duplicated[database.id])
                outcome = DeliveryOutcome(
                    database.id, "rejected", error=f"{folders}: two or more deliveries for one database"
                )
            else:
                # Text files in another encoding are converted to a copy under the home, never in place.
                outcome = load_delivery(con, database, scan.folders.get(database.id), scratch=estate.home / "tmp")
            if outcome.folder:  # recorded and reported relative to the sources folder, never the machine's path
                outcome.folder = in_folder(outcome.folder, estate.sources)
            record_delivery(con, context.run.run_id, as_of, database.ministry, outcome)
        if outcome.error:
            context.log.warning(f"{database.id}: delivery rejected: {outcome.error}")
        step_done(context, INGEST, database.id, outcome.total_rows or 0, databases_in_run(context, "delivery"), clock)
        metadata = {
            "as_of": as_of.isoformat(),
            "status": outcome.status,
            # rows in raw_<id> now: only a loaded or unchanged delivery has them (a rejected one keeps
            # the last good load, which this run did not materialise)
            **(row_count(outcome.total_rows or 0) if outcome.usable else {}),
            "bytes": dg.MetadataValue.int(outcome.total_bytes),
            "extracted_at": outcome.extracted_at.isoformat() if outcome.extracted_at else "",
            "delivery_sha256": outcome.delivery_sha256 or "",
            "load_seconds": dg.MetadataValue.float(round(outcome.load_seconds, 3)),
            "files": dg.MetadataValue.json(outcome.files_json()),
        }
        if outcome.error:
            metadata["error"] = outcome.error
        if outcome.findings:
            metadata["findings"] = dg.MetadataValue.json(outcome.findings)
        yield dg.MaterializeResult(metadata=metadata)
        yield dg.AssetCheckResult(
            check_name=DELIVERY_USABLE,
            passed=outcome.usable,
            severity=dg.AssetCheckSeverity.ERROR if outcome.status == "rejected" else dg.AssetCheckSeverity.WARN,
            metadata={"as_of": as_of.isoformat(), "status": outcome.status, "reason": outcome.error or outcome.status},
        )

    return _delivery


def build_delivery_assets(registry: Registry) -> list[dg.AssetsDefinition]:
    return [build_delivery_asset(db, registry.ministries[db.ministry]) for db in registry.databases.values()]
