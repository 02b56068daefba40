"""Suites derived from the contracts: GX accepts them unchanged, they are deterministic and documented."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from r57_pipelines.paths import EXPECTATIONS_DIR
from r57_pipelines.validation.suites import (
    DIMENSIONS,
    PARAMETERS,
    SEVERITIES,
    build_suites,
    suite_json,
    write_suites,
)
from tests.validation.planted import TESTDB


@pytest.fixture(scope="module")
def all_suites(registry):
    suites = {}
    for database in registry.databases.values():
        suites.update(build_suites(database))
    suites.update(build_suites(TESTDB))
    return suites


def test_gx_loads_every_suite_unchanged(all_suites, gx_context):
    from great_expectations.core.expectation_suite import ExpectationSuite

    for name, suite in all_suites.items():
        assert ExpectationSuite(**json.loads(suite_json(suite))).to_json_dict() == suite, name


def test_meta_of_every_expectation(all_suites):
    for name, suite in all_suites.items():
        database, table = name.split(".", 1)
        ids = [e["meta"]["check_id"] for e in suite["expectations"]]
        assert len(ids) == len(set(ids)), name
        for e in suite["expectations"]:
            meta = e["meta"]
            assert set(meta) == {"check_id", "dimension", "severity", "description"}
            assert meta["check_id"].startswith(f"{table}.")
            assert meta["dimension"] in DIMENSIONS and meta["severity"] in SEVERITIES
            assert re.fullmatch(r"[A-Z].{10,}\.", meta["description"]), meta


def test_parameters_are_documented_and_listed(all_suites):
    for suite in all_suites.values():
        used = set(re.findall(r'"\$PARAMETER": "([a-z_]+)"', json.dumps(suite)))
        assert used <= set(PARAMETERS)
        assert sorted(used) == suite["meta"]["r57"]["parameters"]


def test_suites_hold_no_run_dependent_values(all_suites):
    text = "".join(suite_json(s) for s in all_suites.values())
    # The only literal dates are the fixed lower bounds (1900); as-of values are parameters.
    assert set(re.findall(r"\b(?:19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}", text)) == {"1900-01-01"}


def test_every_table_checks_all_four_dimensions_where_it_can(registry):
    for database in registry.databases.values():
        suites = build_suites(database)
        dims = {e["meta"]["dimension"] for s in suites.values() for e in s["expectations"]}
        assert dims == set(DIMENSIONS), database.id


def test_suite_json_is_deterministic_and_escapes_invisible_characters(all_suites):
    suite = all_suites["testdb.record"]
    text = suite_json(suite)
    assert text == suite_json(json.loads(text)) and text.endswith("}\n")
    assert "\u00a0" not in text and "\\u00a0" in text  # the whitespace class, escaped
    assert "Nữ" in text  # Vietnamese stays readable


def test_write_suites_writes_removes_stale_and_is_idempotent(registry, tmp_path):
    (tmp_path / "gone_database").mkdir()
    (tmp_path / "gone_database" / "old.json").write_text("{}")
    (tmp_path / "population").mkdir()
    (tmp_path / "population" / "dropped_table.json").write_text("{}")
    (tmp_path / "README.md").write_text("kept")
    count = write_suites(registry, tmp_path)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.glob("*/*.json"))
    assert count == len(files) == sum(len(d.contract.tables) + 1 for d in registry.databases.values())
    assert "population/citizen.json" in files and "population/_r57_delivery.json" in files
    assert not (tmp_path / "gone_database").exists() and not (tmp_path / "population" / "dropped_table.json").exists()
    assert (tmp_path / "README.md").read_text() == "kept"
    before = {p: p.stat().st_mtime_ns for p in tmp_path.glob("*/*.json")}
    assert write_suites(registry, tmp_path) == count
    assert {p: p.stat().st_mtime_ns for p in tmp_path.glob("*/*.json")} == before


def test_committed_suites_are_current(registry):
    """expectations/ is what `r57 suites` writes from the registry (rerun it after a contract change)."""
    for database in registry.databases.values():
        for name, suite in build_suites(database).items():
            path = EXPECTATIONS_DIR / database.id / f"{name.split('.', 1)[1]}.json"
            assert path.exists(), f"{path} missing: run `r57 suites`"
            assert path.read_text(encoding="utf-8") == suite_json(suite), f"{path} is stale: run `r57 suites`"


def test_validation_modules_do_not_import_great_expectations():
    code = (
        "import sys\n"
        "import r57_pipelines.validation.suites, r57_pipelines.validation.onepass, r57_pipelines.validation.outcome\n"
        "import r57_pipelines.validation.rules, r57_pipelines.validation.gx.gx_duckdb\n"
        "assert not [m for m in sys.modules if m.startswith('great_expectations')], 'GX imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
