"""The nightly run and the sensor that re-evaluates only the deliveries that changed."""

import datetime as dt
import json

import dagster as dg

from r57_pipelines.defs.deliveries import delivery_key
from r57_pipelines.defs.keys import READINESS_KEY, RECOLLECTION_KEY, REPORTS_KEY
from r57_pipelines.defs.quality import quality_key
from r57_pipelines.defs.sql_models import mart_keys, staging_keys_of
from r57_pipelines.delivery.fingerprint import changed_databases, fingerprint_sources
from r57_pipelines.registry import Registry
from r57_pipelines.resources import AS_OF_TAG, VIETNAM, Estate

NIGHTLY_CRON = "0 1 * * *"
ESTATE_JOB = "estate_quality"
SENSOR_INTERVAL_SECONDS = 60


def _run_config(estate: Estate, as_of: dt.date) -> dict:
    """The estate resource's whole configuration, with this as-of.

    Whole: a run config that names a resource replaces all its configured values, so one that gave only
    the as-of would send the run to the checkout's sample_sources/ and .r57/ whatever R57_SOURCES and
    R57_HOME say. The values are the ones this tick resolved; the run's config page shows them.
    """
    config = {name: getattr(estate, name) for name in Estate.model_fields}
    return {"resources": {"estate": {"config": {**config, "as_of": as_of.isoformat()}}}}


def nightly_as_of(scheduled_execution_time: dt.datetime) -> dt.date:
    """The as-of of a nightly tick: the tick's own date in Vietnam (the 01:00 tick of 5 Dec: 2025-12-05)."""
    return scheduled_execution_time.astimezone(VIETNAM).date()


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
        # Stopped in a checkout: left on, `make dagster` would replace the 2025-12-04 sample report with
        # today's verdict at 01:00. The server that evaluates the real estate turns it on once (the
        # Automation page); the instance keeps that state.
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description=(
            "Every night at 01:00 Asia/Ho_Chi_Minh, evaluate the whole estate as of the tick's date in "
            "Vietnam time (the 01:00 tick of 5 December evaluates as of 2025-12-05, whatever R57_AS_OF or "
            "the launchpad say); the run's tag r57/as_of names that date. It reads the deliveries and writes "
            "to the home of the estate resource (R57_SOURCES and R57_HOME when set). Stopped by default so that a "
            "checkout never replaces the sample report (as of 2025-12-04) with today's: turn it on in the UI "
            "where the real estate is evaluated."
        ),
    )
    def nightly_quality(context: dg.ScheduleEvaluationContext, estate: Estate) -> dg.RunRequest:
        as_of = nightly_as_of(context.scheduled_execution_time)
        return dg.RunRequest(
            run_key=f"nightly-{as_of.isoformat()}",
            run_config=_run_config(estate, as_of),
            tags={AS_OF_TAG: as_of.isoformat()},
        )

    @dg.sensor(
        job=estate_job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description=(
            "Watches the sources folder; when a delivery is new, changed (by content hash) or removed, "
            "re-evaluates those databases and republishes the estate verdict, as of the estate resource's "
            "as_of (R57_AS_OF under `make dagster`; empty: the tick's date in Vietnam), named by the run's "
            "tag r57/as_of."
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
        keys = [k for db in changed for k in (delivery_key(db), *staging_keys_of(registry, db), quality_key(db))]
        return dg.RunRequest(
            run_key=f"{as_of.isoformat()}:" + ",".join(f"{db}={current.get(db, {}).get('sha256', 'removed')[:12]}" for db in changed),
            run_config=_run_config(estate, as_of),
            asset_selection=[*keys, RECOLLECTION_KEY, READINESS_KEY, *mart_keys(), REPORTS_KEY],
            tags={"r57/changed": ",".join(changed)[:1000], AS_OF_TAG: as_of.isoformat()},
        )

    return [estate_job], [nightly_quality], [changed_deliveries]
