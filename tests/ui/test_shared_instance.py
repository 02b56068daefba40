"""`make run` and `make dagster` share one Dagster instance: the UI shows what the last CLI run did.

The Makefile points both at `.r57/dagster` (DAGSTER_HOME) and writes its dagster.yaml; `r57 run` with
DAGSTER_HOME set records its run there. Here the Makefile's own rule creates an instance in a temporary
folder; the instance of the sample estate's `r57 run` (conftest's `sample_estate_run`, DAGSTER_HOME set as
the Makefile sets it) is read back as the webserver reads it: the run with its as-of tag, each asset's
latest materialisation and each check's latest result.
"""

from __future__ import annotations

import os
import re
import subprocess

import dagster as dg
import pytest

from r57_pipelines.defs.deliveries import DELIVERY_USABLE, delivery_key
from r57_pipelines.defs.estate import READINESS_KEY, REPORTS_KEY
from r57_pipelines.defs.quality import quality_key
from r57_pipelines.paths import PROJECT_ROOT as ROOT
from r57_pipelines.readiness.policy import DIMENSIONS

AS_OF = "2025-12-04"
LOADED = ("aircraft", "medical_devices")
REJECTED = ("meritorious_people",)  # a data file named in its manifest is missing


def _make(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    completed = subprocess.run(["make", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True,
                               env=env, timeout=60)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_make_run_and_make_dagster_use_one_dagster_home_and_the_sample_as_of():
    dry = _make("-n", "-o", ".venv/.installed", "run", "dagster")  # print the commands, run none
    run_line = next(line for line in dry.splitlines() if "bin/r57 run " in line)
    ui_line = next(line for line in dry.splitlines() if "bin/dagster dev " in line)
    homes = {re.search(r"DAGSTER_HOME='([^']+)'", line).group(1) for line in (run_line, ui_line)}
    assert homes == {str(ROOT / ".r57" / "dagster")}
    assert "--as-of 2025-12-04" in run_line and "R57_AS_OF=2025-12-04" in ui_line


def test_the_makefile_creates_the_shared_instance_with_telemetry_off(tmp_path):
    dagster_home = tmp_path / "dagster"
    _make(f"DAGSTER_INSTANCE={dagster_home}", f"{dagster_home}/dagster.yaml")
    assert "enabled: false" in (dagster_home / "dagster.yaml").read_text()


@pytest.mark.slow  # reads the instance of the one `r57 run` of the sample estate the slow tests share
def test_a_cli_run_is_recorded_with_its_as_of_where_the_ui_reads(sample_estate_run):
    with dg.DagsterInstance.from_config(str(sample_estate_run.dagster_home)) as instance:
        (run,) = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["r57/as_of"] == AS_OF  # the runs list says which date the run evaluated

        # Not "never materialized": every asset of the graph has its latest materialisation, stating the as-of.
        for key in (*(delivery_key(db) for db in (*LOADED, *REJECTED)), *(quality_key(db) for db in LOADED),
                    quality_key("population"), READINESS_KEY, REPORTS_KEY):
            event = instance.get_latest_materialization_event(key)
            assert event is not None and event.run_id == run.run_id, key
            assert event.asset_materialization.metadata["as_of"].value == AS_OF, key
        quality = instance.get_latest_materialization_event(quality_key("aircraft")).asset_materialization
        assert quality.metadata["assessed"].value is True

        # And the checks next to them: evaluated in this run, passed or not as the run found.
        def latest(key: dg.AssetKey, check: str) -> dg.AssetCheckEvaluation:
            record = instance.get_latest_asset_check_evaluation_record(dg.AssetCheckKey(key, check))
            assert record is not None and record.run_id == run.run_id, (key, check)
            return record.event.dagster_event.event_specific_data

        for db in LOADED:
            assert latest(delivery_key(db), DELIVERY_USABLE).passed
            for dimension in DIMENSIONS:
                assert latest(quality_key(db), dimension).metadata["as_of"].value == AS_OF
        assert not latest(delivery_key("meritorious_people"), DELIVERY_USABLE).passed
        assert not any(latest(quality_key("meritorious_people"), d).passed for d in DIMENSIONS)
