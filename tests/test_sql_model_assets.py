"""The SQL models as a run builds them: dbt through dagster-dbt, as assets with their YAML tests as checks."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import duckdb
import pytest

from r57_pipelines.definitions import build_definitions
from r57_pipelines.defs.keys import mart_key, staging_key
from r57_pipelines.defs.quality import quality_key
from r57_pipelines.resources import resources_for
from tests.builders import copy_sample_deliveries

AS_OF = dt.date(2025, 12, 4)


def _materialised(result: dg.ExecuteInProcessResult) -> dict[dg.AssetKey, dict]:
    return {
        e.asset_key: {k: v.value for k, v in e.step_materialization_data.materialization.metadata.items()}
        for e in result.get_asset_materialization_events()
    }


@pytest.mark.slow
def test_dbt_builds_staging_and_marts_reports_a_failed_model_and_skips_unchanged_databases(tmp_path, registry):
    # judicial_records' sample delivery lacks a contract column of `person`: dbt cannot build that view
    sources = copy_sample_deliveries(tmp_path / "sources", ["MPS/population", "MOJ/judicial_records"])
    home = tmp_path / "home"
    assets = list(build_definitions(registry).assets)

    first = dg.materialize(assets, resources=resources_for(sources, home, AS_OF))

    assert first.success
    built = _materialised(first)
    citizen, person = staging_key("population", "citizen"), staging_key("judicial_records", "person")
    assert built[citizen]["dbt"] == "built" and built[citizen]["unique_id"] == "model.r57.population__citizen"
    assert built[person]["dbt"] == "failed" and "Binder Error" in built[person]["error"]
    assert built[staging_key("land", "parcel")]["dbt"].startswith("not built")  # no delivery
    assert all(built[mart_key(name)]["dbt"] == "built" for name in ("readiness_trend", "ministry_deliveries"))
    # the failed view costs its database nothing downstream: its quality is assessed, the estate published
    assert built[quality_key("judicial_records")]["assessed"] is True
    assert (home / "reports" / "readiness.json").exists()

    # The YAML tests are asset checks: the citizen register's, and the marts'.
    checks = {(e.asset_key, e.check_name): e for e in first.get_asset_check_evaluations()}
    assert checks[(citizen, "not_null_population__citizen_personal_id")].passed
    assert checks[(mart_key("readiness_trend"), "not_null_readiness_trend_as_of")].passed
    assert not any(key == person for key, _ in checks)  # dbt does not test a view it could not build

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        (birth_date_type,) = con.execute(
            "select data_type from information_schema.columns where table_schema = 'stg_population'"
            " and table_name = 'citizen' and column_name = 'birth_date'"
        ).fetchone()
        assert birth_date_type == "DATE"
        builds = dict(con.execute("select database_id, failures::varchar from r57.staging_builds").fetchall())
        assert set(builds) == {"population", "judicial_records"} and builds["population"] == "{}"

    # Nothing delivered changed: no dbt for staging, the same outcome stated again.
    second = dg.materialize(assets, resources=resources_for(sources, home, AS_OF))

    assert second.success
    again = _materialised(second)
    assert again[citizen]["dbt"].startswith("unchanged")
    assert again[person]["dbt"] == "failed (unchanged)" and again[person]["error"] == built[person]["error"]
    staging_checks = [e for e in second.get_asset_check_evaluations() if e.asset_key.path[0] != "marts"]
    assert not [e for e in staging_checks if "_stg_" in e.asset_key.path[-1]]
