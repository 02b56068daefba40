"""`r57 run --engine spark` gives the verdicts of `r57 run` (DuckDB) on the sample estate's deliveries (issue 15).

Six databases of the committed sample estate, chosen for what they exercise: the population master (the
others' master lookups), a stale extract judged on a TIMESTAMPTZ column (electronic_identification), a
delivery missing a contract column (immigration), an XLSX delivery (geology_minerals), a rejected delivery
(fishing_vessels) and a foundational one (vehicle_inspection). Both runs go through the CLI into homes of their
own; the readiness document, every check outcome, the quarantined rows and their masked samples must be equal,
and the quality assets must say in their Dagster metadata which engine ran them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from r57_pipelines.cli import main
from tests.builders import copy_sample_deliveries

pytestmark = [pytest.mark.slow, pytest.mark.spark]

import pyspark  # noqa: E402, F401  (the `spark` extra: `make test` installs it)

if shutil.which("java") is None:
    pytest.fail("Spark needs Java: `make test` installs it (make java)", pytrace=False)

DATABASES = [
    "MPS/population", "MPS/electronic_identification", "MPS/immigration", "MAE/geology_minerals",
    "MAE/fishing_vessels", "MOC/vehicle_inspection",
]
AS_OF = "2025-12-04"
VOLATILE = ("generated_at", "run_id")


def _run(tmp: Path, sources: Path, engine: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    home, dagster_home = tmp / engine / "home", tmp / engine / "dagster"
    dagster_home.mkdir(parents=True)
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    assert main(["run", "--sources", str(sources), "--home", str(home), "--as-of", AS_OF, "--engine", engine]) == 0
    return home


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("engines")
    sources = copy_sample_deliveries(tmp / "sources", DATABASES)
    with pytest.MonkeyPatch.context() as monkeypatch:
        return {engine: _run(tmp, sources, engine, monkeypatch) for engine in ("duckdb", "spark")}


def _document(home: Path) -> dict:
    document = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
    return {k: v for k, v in document.items() if k not in VOLATILE}


def _results(home: Path) -> tuple[list, dict]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        checks = con.execute(
            "select database_id, table_name, check_id, success, element_count, unexpected_count, observed_value, "
            "masked_samples from r57.check_results order by all"
        ).fetchall()
        kept = con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name like 'quarantine_%'"
        ).fetchall()
        quarantine = {
            (s, t): sorted(con.execute(f'select _check_id, count(*) from "{s}"."{t}" group by all').fetchall())
            for s, t in kept
        }
    return checks, quarantine


def test_spark_gives_the_verdicts_of_duckdb(runs):
    duck, spark = _document(runs["duckdb"]), _document(runs["spark"])
    assert spark == duck
    tiers = {d["id"]: (d["tier"], d["at_risk"]) for d in duck["databases"] if d["delivery"]["status"] != "absent"}
    # Not vacuous: the six are judged, in more than one tier, some at risk, one rejected.
    assert len(tiers) == len(DATABASES)
    assert {t for t, _ in tiers.values()} >= {"foundational", "partial", "not_started"}
    assert tiers["electronic_identification"] == ("partial", True)  # stale on both engines


def test_every_check_quarantined_row_and_masked_sample_is_the_same(runs):
    duck_checks, duck_quarantine = _results(runs["duckdb"])
    spark_checks, spark_quarantine = _results(runs["spark"])
    assert spark_checks == duck_checks
    assert spark_quarantine == duck_quarantine
    assert sum(n for rows in duck_quarantine.values() for _, n in rows) > 1000
    assert any(samples for *_, samples in duck_checks)


def test_the_quality_assets_say_which_engine_ran_them(runs):
    def engine_of(name: str) -> str:
        instance = dg.DagsterInstance.from_config(str(runs[name].parent / "dagster"))
        event = instance.get_latest_materialization_event(dg.AssetKey(["population", "population_quality"]))
        return event.asset_materialization.metadata["engine"].value

    assert engine_of("duckdb") == "duckdb"
    assert engine_of("spark") == "local[2]"
    # Spark read the delivered tables from the lake, written once per delivery.
    assert (runs["spark"] / "lake" / "raw_population" / "t_citizen").is_dir()
    assert not (runs["duckdb"] / "lake").exists()
