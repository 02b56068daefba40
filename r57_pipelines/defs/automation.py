"""The nightly run and the sensor that re-evaluates only the deliveries that changed."""

import datetime as dt
import json

import dagster as dg

from r57_pipelines.defs.deliveries import delivery_key
from r57_pipelines.defs.estate import READINESS_KEY, RECOLLECTION_KEY, REPORTS_KEY
from r57_pipelines.defs.quality import quality_key
from r57_pipelines.delivery.fingerprint import changed_databases, fingerprint_sources
from r57_pipelines.registry import Registry
from r57_pipelines.resources import VIETNAM, Estate

NIGHTLY_CRON = "0 1 * * *"
ESTATE_JOB = "estate_quality"
SENSOR_INTERVAL_SECONDS = 60


def _as_of_config(as_of: dt.date) -> dict:
    return {"resources": {"estate": {"config": {"as_of": as_of.isoformat()}}}}


def automation(registry: Registry) -> tuple[list, list, list]:
    """The estate job, the nightly schedule and the sources sensor."""
    estate_job = dg.define_asset_job(
        ESTATE_JOB,
        selection=dg.AssetSelection.all(),
        description="Ingest, validate and classify every database, then publish the readiness report.",
    )

    @dg.schedule(
        job=estate_job,
        cron_schedule=NIGHTLY_CRON,
        execution_timezone="Asia/Ho_Chi_Minh",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Every night at 01:00 Vietnam time, evaluate the whole estate as of that date.",
    )
    def nightly_quality(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        as_of = context.scheduled_execution_time.astimezone(VIETNAM).date()
        return dg.RunRequest(run_key=f"nightly-{as_of.isoformat()}", run_config=_as_of_config(as_of))

    @dg.sensor(
        job=estate_job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            "Watches the sources folder; when a delivery is new, changed (by content hash) or removed, "
            "re-evaluates those databases and republishes the estate verdict."
        ),
    )
    def changed_deliveries(context: dg.SensorEvaluationContext, estate: Estate):
        previous = json.loads(context.cursor) if context.cursor else {}
        current = fingerprint_sources(estate.sources, set(registry.databases), previous)
        changed = changed_databases(previous, current)
        context.update_cursor(json.dumps(current, sort_keys=True))
        if not changed:
            return dg.SkipReason("no delivery changed since the last tick")
        as_of = estate.as_of_date()
        keys = [k for db in changed for k in (delivery_key(db), quality_key(db))]
        return dg.RunRequest(
            run_key=f"{as_of.isoformat()}:" + ",".join(f"{db}={current.get(db, {}).get('sha256', 'removed')[:12]}" for db in changed),
            run_config=_as_of_config(as_of),
            asset_selection=[*keys, RECOLLECTION_KEY, READINESS_KEY, REPORTS_KEY],
            tags={"r57/changed": ",".join(changed)[:1000]},
        )

    return [estate_job], [nightly_quality], [changed_deliveries]
