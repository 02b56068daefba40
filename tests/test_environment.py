"""Deployable as it is: the Dagster definitions and the `r57` command take the deliveries folder, the home,
the as-of and DuckDB's settings from the environment (r57_pipelines/settings.py), and nothing else."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pytest

from r57_pipelines.cli import main
from r57_pipelines.definitions import defs
from r57_pipelines.paths import DEFAULT_HOME, EXPECTATIONS_DIR, SAMPLE_SOURCES_DIR
from r57_pipelines.resources import VIETNAM, Estate
from r57_pipelines.settings import (
    AS_OF_ENV, DUCKDB_MEMORY_LIMIT_ENV, DUCKDB_THREADS_ENV, ENGINE_ENV, EXPECTATIONS_ENV, HOME_ENV, SOURCES_ENV, SPARK_REMOTE_ENV,
    Settings, SettingsError, read_settings,
)
from tests.builders import copy_sample_deliveries

VARIABLES = (
    SOURCES_ENV, HOME_ENV, EXPECTATIONS_ENV, AS_OF_ENV, ENGINE_ENV, SPARK_REMOTE_ENV, DUCKDB_MEMORY_LIMIT_ENV,
    DUCKDB_THREADS_ENV,
)
AS_OF = "2025-12-04"
LOADED = {"aircraft": "MOC/aircraft", "medical_devices": "MOH/medical_devices"}
REJECTED = {"meritorious_people": "MOHA/meritorious_people"}  # a data file named in its manifest is missing


@pytest.fixture
def no_r57_environment(monkeypatch) -> pytest.MonkeyPatch:
    for variable in VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    return monkeypatch


def test_unset_means_the_checkouts_folders_today_and_duckdbs_own_settings():
    assert read_settings({"R57_SOURCES": "", "PATH": "/usr/bin"}) == Settings(
        sources=SAMPLE_SOURCES_DIR, home=DEFAULT_HOME, expectations=EXPECTATIONS_DIR, as_of=None, engine="duckdb"
    )


def test_the_warehouse_bounds_duckdbs_memory_and_spills_under_the_home_unless_told_otherwise(tmp_path):
    import duckdb

    from r57_pipelines.resources import DEFAULT_MEMORY_LIMIT, warehouse_at

    warehouse = warehouse_at(tmp_path, {"threads": 1})
    with warehouse.connect() as con:
        limit, spill, threads = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory'), current_setting('threads')"
        ).fetchone()
    # made before DuckDB needs it: DuckDB creates only the last part, and a query that spills failed without it
    assert Path(spill).is_dir()
    # DuckDB reports the limit in its own units (3GB is 2.7 GiB)
    assert limit == duckdb.connect(config={"memory_limit": DEFAULT_MEMORY_LIMIT}).execute(
        "select current_setting('memory_limit')").fetchone()[0]
    assert Path(spill) == tmp_path / "tmp" / "duckdb" and threads == 1
    assert warehouse_at(tmp_path, {"memory_limit": "8GB"}).connection_config["memory_limit"] == "8GB"


def test_every_variable_is_read():
    settings = read_settings({
        SOURCES_ENV: "/srv/r57/deliveries", HOME_ENV: "/var/lib/r57", EXPECTATIONS_ENV: "/srv/r57/expectations",
        AS_OF_ENV: "2026-01-15", ENGINE_ENV: "spark", SPARK_REMOTE_ENV: "sc://spark.mps.gov.vn:15002",
        DUCKDB_MEMORY_LIMIT_ENV: "8GB", DUCKDB_THREADS_ENV: "4",
    })
    assert (settings.sources, settings.home, settings.expectations) == (
        Path("/srv/r57/deliveries"), Path("/var/lib/r57"), Path("/srv/r57/expectations")
    )
    assert settings.as_of == dt.date(2026, 1, 15)
    assert settings.duckdb_config == {"memory_limit": "8GB", "threads": 4}
    assert (settings.engine, settings.spark_remote) == ("spark", "sc://spark.mps.gov.vn:15002")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (ENGINE_ENV, "postgres", "R57_ENGINE='postgres': r57 has no such engine; give one of duckdb, spark"),
        (SPARK_REMOTE_ENV, "spark-master:7077", "R57_SPARK_REMOTE='spark-master:7077': give a Spark Connect URL"),
        (SOURCES_ENV, "deliveries", "R57_SOURCES='deliveries': give an absolute path"),
        (HOME_ENV, "~/r57", "R57_HOME='~/r57': give an absolute path"),
        (AS_OF_ENV, "15/01/2026", "R57_AS_OF='15/01/2026': not a date (YYYY-MM-DD)"),
        (DUCKDB_THREADS_ENV, "0", "R57_DUCKDB_THREADS='0': give a whole number of threads"),
        (DUCKDB_THREADS_ENV, "two", "R57_DUCKDB_THREADS='two': give a whole number of threads"),
        (DUCKDB_MEMORY_LIMIT_ENV, "lots", "R57_DUCKDB_MEMORY_LIMIT='lots': DuckDB refuses it as memory_limit"),
    ],
)
def test_a_value_r57_cannot_use_is_refused_naming_the_variable(variable, value, message):
    with pytest.raises(SettingsError) as refused:
        read_settings({variable: value})
    assert str(refused.value).startswith(message)


def test_the_engine_and_the_spark_cluster_reach_the_definitions_resources(no_r57_environment):
    from r57_pipelines.resources import environment_resources

    no_r57_environment.setenv(ENGINE_ENV, "spark")
    no_r57_environment.setenv(SPARK_REMOTE_ENV, "sc://spark.mps.gov.vn:15002")
    resources = environment_resources()
    assert resources["warehouse"].engine == "spark"
    spark = resources["spark"]
    assert (spark.remote.env_var_name, spark.lake(Path("/var/lib/r57/home"))) == (SPARK_REMOTE_ENV, Path("/var/lib/r57/home/lake"))
    # unset: DuckDB, and a Spark resource that starts nothing unless a run on Spark asks it to
    no_r57_environment.delenv(ENGINE_ENV)
    assert environment_resources()["warehouse"].engine == "duckdb"


def test_the_definitions_refuse_another_engine_when_they_load(no_r57_environment):
    no_r57_environment.setenv(ENGINE_ENV, "hive")
    with pytest.raises(SettingsError, match="R57_ENGINE='hive': r57 has no such engine; give one of duckdb, spark"):
        defs()  # what `dagster dev` and the daemon load: the UI shows the message as the code location's error


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder` with its size and modification time (none if there is no folder)."""
    if not folder.is_dir():
        return {}
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def deployed(no_r57_environment, tmp_path) -> tuple[Path, Path]:
    """A server's environment: a small estate in a deliveries folder and a home, both outside the checkout."""
    sources = copy_sample_deliveries(tmp_path / "deliveries", {**LOADED, **REJECTED}.values())
    home = tmp_path / "r57-home"
    for variable, value in {
        SOURCES_ENV: sources, HOME_ENV: home, AS_OF_ENV: AS_OF, DUCKDB_MEMORY_LIMIT_ENV: "512MB", DUCKDB_THREADS_ENV: 1,
    }.items():
        no_r57_environment.setenv(variable, str(value))
    return sources, home


def test_ui_schedule_and_sensor_read_and_write_only_in_the_environments_folders(deployed):
    sources, home = deployed
    checkout_home = _files(DEFAULT_HOME)
    definitions = defs()  # what `dagster dev` loads (workspace.yaml: r57_pipelines.definitions)

    # The UI's resources ("Materialize all", the launchpad): the variables, read when a run starts.
    with dg.build_resources({"estate": definitions.resources["estate"]}) as resources:
        assert (resources.estate.sources, resources.estate.home) == (sources, home)
        assert resources.estate.as_of_date() == dt.date.fromisoformat(AS_OF)

    # The nightly schedule: the whole estate config from the environment, as of the tick's date.
    schedule = definitions.resolve_schedule_def("nightly_quality")
    tick = dt.datetime(2025, 12, 5, 1, 0, tzinfo=VIETNAM)
    with dg.build_schedule_context(scheduled_execution_time=tick, resources=definitions.resources) as context:
        (nightly,) = schedule.evaluate_tick(context).run_requests
    config = nightly.run_config["resources"]["estate"]["config"]
    assert (config["sources_dir"], config["home_dir"], config["as_of"]) == (str(sources), str(home), "2025-12-05")

    # The sensor: it sees the deliveries of R57_SOURCES (not the sample estate's 117).
    sensor = definitions.resolve_sensor_def("changed_deliveries")
    with dg.build_sensor_context(resources=definitions.resources) as context:
        (request,) = sensor.evaluate_tick(context).run_requests
    assert sorted(request.tags["r57/changed"].split(",")) == sorted({**LOADED, **REJECTED})
    config = request.run_config["resources"]["estate"]["config"]
    assert (config["sources_dir"], config["home_dir"], config["as_of"]) == (str(sources), str(home), AS_OF)

    # The run it requests, in-process with the definitions' resources (the warehouse's among them).
    with dg.instance_for_test() as instance:
        result = definitions.resolve_job_def("estate_quality").execute_in_process(
            run_config=request.run_config, asset_selection=request.asset_selection, tags=request.tags,
            instance=instance, raise_on_error=False,
        )
    assert result.success, [e.message for e in result.all_events if e.is_step_failure]

    document = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
    assert document["as_of"] == AS_OF
    status = {d["id"]: d["delivery"]["status"] for d in document["databases"]}
    assert {db: s for db, s in status.items() if s != "absent"} == {
        "aircraft": "loaded", "medical_devices": "loaded", "meritorious_people": "rejected"
    }
    assert (home / "warehouse.duckdb").is_file() and (home / "reports" / "index.html").is_file()
    assert _files(DEFAULT_HOME) == checkout_home  # nothing written to the checkout's .r57/

    # The warehouse opens <R57_HOME>/warehouse.duckdb with R57_DUCKDB_MEMORY_LIMIT and R57_DUCKDB_THREADS.
    with dg.build_resources({"warehouse": definitions.resources["warehouse"]}) as resources:
        assert Path(resources.warehouse.database) == home / "warehouse.duckdb"
        with resources.warehouse.connect() as con:
            threads, memory = con.execute("select current_setting('threads'), current_setting('memory_limit')").fetchone()
    assert threads == 1 and memory.startswith("488.2 MiB"), (threads, memory)  # 512 MB


def test_a_run_with_no_sources_folder_fails_instead_of_reporting_every_database_fallen(tmp_path):
    estate = Estate(sources_dir=str(tmp_path / "unmounted"), home_dir=str(tmp_path / "home"))
    with pytest.raises(dg.DagsterResourceFunctionError) as failed:
        with dg.build_resources({"estate": estate}):
            pass
    assert str(failed.value.__cause__).startswith(f"sources folder not found: {tmp_path / 'unmounted'}")


def test_the_command_takes_its_defaults_from_the_same_variables_and_its_flags_win(deployed, capsys, tmp_path):
    sources, home = deployed
    assert main(["status"]) == 2
    assert f"no readiness report at {home / 'reports' / 'readiness.json'}" in capsys.readouterr().err
    other = tmp_path / "other-home"
    assert main(["status", "--home", str(other)]) == 2
    assert f"no readiness report at {other / 'reports' / 'readiness.json'}" in capsys.readouterr().err

    for item in sources.iterdir():
        item.rename(tmp_path / item.name)
    sources.rmdir()
    assert main(["run"]) == 2
    assert f"sources folder not found: {sources}" in capsys.readouterr().err


def test_the_command_refuses_a_variable_it_cannot_use(no_r57_environment, capsys):
    no_r57_environment.setenv(ENGINE_ENV, "postgres")
    assert main(["status"]) == 2
    assert "r57 status: R57_ENGINE='postgres': r57 has no such engine" in capsys.readouterr().err
