"""The nightly schedule and the sources sensor, with Dagster's own test contexts."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg

from r57_pipelines.definitions import build_definitions
from r57_pipelines.defs.deliveries import delivery_key
from r57_pipelines.defs.estate import READINESS_KEY
from r57_pipelines.defs.quality import quality_key
from r57_pipelines.resources import VIETNAM, Estate
from tests.builders import ROWS, as_csv, write_delivery


def _nightly_request(definitions: dg.Definitions, tick: dt.datetime) -> dg.RunRequest:
    """The nightly schedule's run request for this tick, with the definitions' own resources."""
    schedule = definitions.resolve_schedule_def("nightly_quality")
    with dg.build_schedule_context(scheduled_execution_time=tick, resources=definitions.resources) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    return request


def test_nightly_schedule_runs_at_01_00_vietnam_time_as_of_that_date(registry):
    definitions = build_definitions(registry)
    schedule = definitions.get_schedule_def("nightly_quality")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 1 * * *", "Asia/Ho_Chi_Minh")
    request = _nightly_request(definitions, dt.datetime(2025, 12, 4, 1, 0, tzinfo=VIETNAM))
    estate = request.run_config["resources"]["estate"]["config"]
    assert estate["as_of"] == "2025-12-04"
    # The estate's whole config, not the as-of alone: a partial one would reset the folders to the checkout's.
    assert estate["sources_dir"] == definitions.resources["estate"].sources_dir
    assert request.run_key == "nightly-2025-12-04"
    assert request.tags["r57/as_of"] == "2025-12-04"  # the run states its as-of in the UI


def test_nightly_schedule_states_its_as_of_and_starts_stopped(registry):
    """A checkout's `make dagster` never replaces the 2025-12-04 sample report with today's verdict."""
    definitions = build_definitions(registry)
    schedule = definitions.get_schedule_def("nightly_quality")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert "as of the tick's date in Vietnam time" in schedule.description
    assert "r57/as_of" in schedule.description and "Stopped by default" in schedule.description
    # 01:00 in Vietnam is 18:00 UTC the day before: the as-of is the Vietnamese date.
    request = _nightly_request(definitions, dt.datetime(2025, 12, 4, 18, 0, tzinfo=dt.timezone.utc))
    assert request.tags["r57/as_of"] == "2025-12-05"


def test_ui_default_as_of_comes_from_r57_as_of(registry, monkeypatch):
    monkeypatch.setenv("R57_AS_OF", "2025-12-04")
    estate = build_definitions(registry).resources["estate"]
    with dg.build_resources({"estate": estate}) as resources:
        assert resources.estate.as_of_date() == dt.date(2025, 12, 4)
    monkeypatch.delenv("R57_AS_OF")
    assert build_definitions(registry).resources["estate"].as_of == ""  # unset: today in Vietnam


def _tick(sensor, sources, cursor):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"estate": Estate(sources_dir=str(sources), as_of="2025-12-04")}
    )
    return sensor(context), context.cursor


def test_sensor_runs_only_new_changed_or_removed_deliveries(registry, tmp_path):
    sensor = build_definitions(registry).get_sensor_def("changed_deliveries")
    sources = tmp_path / "sources"
    write_delivery(sources, "population", "MPS", {"citizen": ("citizen.csv", as_csv(ROWS))})
    write_delivery(sources, "land", "MAE", {"parcel": ("parcel.csv", as_csv(ROWS))})

    first, cursor = _tick(sensor, sources, None)
    assert sorted(first.tags["r57/changed"].split(",")) == ["land", "population"]
    assert first.tags["r57/as_of"] == "2025-12-04"
    selected = set(first.asset_selection)
    assert quality_key("land") in selected and delivery_key("land") in selected and READINESS_KEY in selected
    assert delivery_key("insurance") not in selected

    unchanged, cursor = _tick(sensor, sources, cursor)
    assert isinstance(unchanged, dg.SkipReason)

    # Touched but identical content is not a change; new content is.
    (sources / "MAE" / "land" / "parcel.csv").write_bytes(as_csv(ROWS))
    touched, cursor = _tick(sensor, sources, cursor)
    assert isinstance(touched, dg.SkipReason)
    (sources / "MAE" / "land" / "parcel.csv").write_bytes(as_csv(ROWS[:1]))
    changed, cursor = _tick(sensor, sources, cursor)
    assert changed.tags["r57/changed"] == "land"

    for path in (sources / "MPS" / "population").iterdir():
        path.unlink()
    (sources / "MPS" / "population").rmdir()
    removed, cursor = _tick(sensor, sources, cursor)
    assert removed.tags["r57/changed"] == "population"
    assert "population" not in json.loads(cursor)
