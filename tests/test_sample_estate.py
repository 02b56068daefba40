"""End to end: `r57 run` on the committed sample estate reproduces the published status of 2025-12-04."""

from __future__ import annotations

import json
import subprocess

import duckdb
import pytest
import yaml

from r57_pipelines.paths import PROJECT_ROOT, SAMPLE_SOURCES_DIR
from tests.builders import R57

pytestmark = pytest.mark.slow

INTENDED = PROJECT_ROOT / "tests" / "fixtures" / "intended_status.yaml"


@pytest.fixture(scope="module")
def sample_run(sample_estate_run):
    return sample_estate_run.home, sample_estate_run.document, sample_estate_run.completed


def test_published_status_is_reproduced(sample_run):
    _, document, completed = sample_run
    summary = document["summary"]
    plan02, r71 = summary["plan02_key"], summary["r71"]
    assert (plan02["total"], plan02["foundational"], plan02["partial"], plan02["not_started"]) == (12, 4, 5, 3)
    assert (r71["total"], r71["foundational"], r71["partial_not_at_risk"], r71["at_risk"]) == (105, 31, 36, 38)
    # `r57 status` printed the same figures in the shape of the published status.
    assert "Plan 02 key national databases (12): 4 foundational, 5 partial" in completed.stdout


def test_every_database_gets_the_intended_verdict(sample_run):
    _, document, _ = sample_run
    intended = yaml.safe_load(INTENDED.read_text(encoding="utf-8"))
    intended = intended.get("databases", intended)
    got = {d["id"]: (d["tier"], d["at_risk"]) for d in document["databases"]}
    wrong = {
        db: {"intended": (want["tier"], want["at_risk"]), "got": got[db], "profile": want.get("profile")}
        for db, want in intended.items()
        if got[db] != (want["tier"], want["at_risk"])
    }
    assert not wrong


def test_scores_are_present_for_every_delivered_database_and_null_otherwise(sample_run):
    _, document, _ = sample_run
    for db in document["databases"]:
        usable = db["delivery"]["status"] in ("loaded", "unchanged")
        assert all((score is not None) == usable for score in db["scores"].values()), db["id"]
        if usable:
            assert db["checks"]["evaluated"] > 0 and db["rows"] > 0


def test_the_warehouse_holds_the_loaded_deliveries(sample_run, registry):
    home, document, _ = sample_run
    loaded = [d for d in document["databases"] if d["delivery"]["status"] == "loaded"]
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for db in loaded:
            for f in db["delivery"]["files"]:
                rows = con.execute(f'select count(*) from "raw_{db["id"]}"."{f["table"]}"').fetchone()[0]
                assert rows == f["rows"]
        runs = con.execute("select count(distinct run_id) from r57.check_results").fetchone()[0]
        assert runs == 1


def _as_published_again(document: dict) -> dict:
    """readiness.json less what a rerun must change: its run id, its time, and 'loaded' now 'unchanged'."""
    again = {k: v for k, v in document.items() if k not in ("run_id", "generated_at")}
    again["databases"] = [
        {**d, "delivery": {**d["delivery"], "status": "unchanged" if d["delivery"]["status"] == "loaded" else
                           d["delivery"]["status"]}}
        for d in document["databases"]
    ]
    return again


def test_rerunning_the_same_as_of_is_idempotent_and_skips_unchanged_loads(sample_run, tmp_path):
    import shutil

    # On a copy of the shared run's home: the other tests read that home as the first run left it.
    home, first = tmp_path / "home", sample_run[1]
    shutil.copytree(sample_run[0], home, symlinks=True)
    completed = subprocess.run(
        [R57, "run", "--sources", str(SAMPLE_SOURCES_DIR), "--home", str(home), "--as-of", "2025-12-04"],
        capture_output=True, text=True, timeout=1200,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    second = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
    assert second["run_id"] != first["run_id"]
    assert {d["delivery"]["status"] for d in second["databases"]} <= {"unchanged", "rejected", "absent"}
    assert _as_published_again(second) == _as_published_again(first)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        # r57.readiness and r57.deliveries: one set of rows for the as-of, the rerun's (schema.sql).
        for table in ("readiness", "deliveries"):
            rows = con.execute(
                f"select count(*), count(distinct database_id), count(distinct as_of), any_value(run_id), "
                f"count(distinct run_id) from r57.{table}"
            ).fetchone()
            assert rows == (117, 117, 1, second["run_id"], 1), table
        # r57.check_results is append-only: both runs' outcomes, the rerun's reused and equal to the first's.
        outcomes: dict[str, list[tuple]] = {}
        for run_id, *outcome in con.execute(
            "select run_id, database_id, table_name, check_id, success, element_count, unexpected_count, "
            "observed_value from r57.check_results"
        ).fetchall():
            outcomes.setdefault(run_id, []).append(tuple(outcome))
        outcomes = {run_id: sorted(rows, key=repr) for run_id, rows in outcomes.items()}
        assert set(outcomes) == {first["run_id"], second["run_id"]}
        assert outcomes[first["run_id"]] == outcomes[second["run_id"]] and outcomes[first["run_id"]]


def test_master_data_recollection_finds_disagreement_only_where_it_was_planted(sample_run):
    home, document, _ = sample_run
    intended = yaml.safe_load(INTENDED.read_text(encoding="utf-8"))
    intended = intended.get("databases", intended)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        disagreeing = dict(
            con.execute("select database_id, sum(disagreeing) from r57.master_recollection group by 1").fetchall()
        )
    clean = [db for db, v in intended.items() if v["profile"] == "clean" and db in disagreeing]
    assert clean and all(disagreeing[db] == 0 for db in clean)
    planted = [db for db, v in intended.items() if v["profile"] == "master_mismatch" and db in disagreeing]
    assert any(disagreeing[db] > 0 for db in planted)
    assert sum(m["disagreeing"] for m in document["master_data_recollection"].values()) == sum(disagreeing.values())


def test_recollection_compares_again_only_databases_whose_delivery_changed(sample_run, registry, tmp_path):
    from r57_pipelines.quality.recollection import find_recollections, record_recollections
    import datetime as dt
    import shutil

    home, _, _ = sample_run
    shutil.copy(home / "warehouse.duckdb", tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        recorded = con.execute("select count(*), count(input_key) from r57.master_recollection").fetchone()
        assert recorded[0] > 0 and recorded[0] == recorded[1]  # every row says what it was computed from

        found, compared = find_recollections(con, registry)
        assert compared == 0  # the run's rows are the answer: nothing is compared again
        record_recollections(con, dt.date(2025, 12, 5), found)

        changed = found[0].database_id  # a new delivery of one database (its raw tables' hash moves)
        con.execute(f'update "raw_{changed}"._r57_delivery set sha256 = sha256 || \'-new\'')
        again, compared = find_recollections(con, registry)
        assert compared == 1
        key = lambda f: (f.database_id, f.table, f.column, f.rows, f.matched, f.disagreeing)  # noqa: E731
        assert sorted(map(key, again)) == sorted(map(key, found))  # same data, same answer
