"""Suites written by people, end to end: `r57 run --expectations DIR` on the sample estate.

The worked examples of docs/validation.md ("Writing your own checks", docs/examples/expectations/) are placed
in a copy of the committed suites, with broken suites for other databases beside them. One run is compared
with the shared sample run (tests/conftest.py) and, check by check, with Great Expectations itself on the
same warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from r57_pipelines.paths import EXPECTATIONS_DIR, PROJECT_ROOT, SAMPLE_SOURCES_DIR
from r57_pipelines.quality.parameters import suite_parameters
from r57_pipelines.readiness.policy import default_policy
from r57_pipelines.validation.authored import load_authored
from r57_pipelines.validation.params import parameters_for_table, resolve_kwargs
from tests.builders import R57

EXAMPLES = PROJECT_ROOT / "docs" / "examples" / "expectations"
DATABASE = "administrative_procedures"
BROKEN = {
    # database -> {file name: text}
    "population": {"citizen.json": '{"name": "citizen", "expectations": [ {"type": '},
    "civil_servants": {
        "person.json": json.dumps(
            {
                "name": "civil_servants.person.rules",
                "expectations": [
                    {"type": "expect_column_values_to_be_purple", "kwargs": {"column": "personal_id"}},
                    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}},
                    {"type": "expect_column_value_lengths_to_be_between", "kwargs": {"column": "personal_id"}},
                    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "personal_id"},
                     "meta": {"dimension": "tidy"}},
                    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "personal_id"}},
                ],
            }
        )
    },
}


@pytest.fixture(scope="module")
def authored_run(tmp_path_factory):
    expectations = tmp_path_factory.mktemp("expectations") / "expectations"
    shutil.copytree(EXPECTATIONS_DIR, expectations)
    shutil.copytree(EXAMPLES, expectations, dirs_exist_ok=True)
    for database, files in BROKEN.items():
        folder = expectations / database / "authored"
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
    home = tmp_path_factory.mktemp("authored-home")
    completed = subprocess.run(
        [R57, "run", "--sources", str(SAMPLE_SOURCES_DIR), "--home", str(home), "--as-of", "2025-12-04",
         "--expectations", str(expectations)],
        capture_output=True, text=True, timeout=1200, env={**os.environ, "DAGSTER_HOME": ""},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    document = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
    return expectations, home, {d["id"]: d for d in document["databases"]}


def _results(home: Path, database: str) -> dict[str, tuple]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            """
            select check_id, engine, success, element_count, unexpected_count, observed_value, masked_samples
            from r57.check_results where database_id = ?
            """,
            [database],
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.mark.slow
def test_authored_checks_count_and_other_databases_keep_their_verdicts(authored_run, sample_estate_run):
    _, home, databases = authored_run
    baseline = {d["id"]: d for d in sample_estate_run.document["databases"]}
    changed = {
        db for db, d in databases.items()
        if (d["tier"], d["at_risk"], d["scores"]) != (baseline[db]["tier"], baseline[db]["at_risk"], baseline[db]["scores"])
    }
    assert changed == {DATABASE}
    mine, before = databases[DATABASE], baseline[DATABASE]
    # Failing authored checks (mean fee, z-scores, returned without a fee) lower correct and sufficient.
    assert mine["scores"]["correct"] < before["scores"]["correct"]
    assert mine["scores"]["sufficient"] < before["scores"]["sufficient"]
    assert mine["checks"]["evaluated"] == before["checks"]["evaluated"] + 12
    assert mine["checks"]["by_engine"] == {"onepass": before["checks"]["evaluated"] + 10, "gx": 2}
    assert mine["suite_findings"] == []


@pytest.mark.slow
def test_authored_outcomes_are_what_great_expectations_says(authored_run):
    """Every authored check, r57's outcome against GX's own on the same warehouse tables."""
    from r57_pipelines.registry import load_registry
    from r57_pipelines.validation.gx.gx_fallback import run_with_gx
    from tests.validation.gx_differential import PANDAS_TYPES, run_gx_pandas

    expectations, home, _ = authored_run
    database = load_registry().databases[DATABASE]
    columns = {t.name: [c.name for c in t.columns] for t in database.contract.tables}
    authored = load_authored(expectations, DATABASE, columns)
    recorded = _results(home, DATABASE)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        parameters = suite_parameters(database, __import__("datetime").date(2025, 12, 4), default_policy(), {})
        compared = 0
        for suite in authored.suites.values():
            table = suite["meta"]["r57"]["table"]
            schema = f"stg_{DATABASE}" if suite["meta"]["r57"].get("relation") == "staging" else f"raw_{DATABASE}"
            resolved = [
                {**e, "kwargs": resolve_kwargs(e["kwargs"], parameters_for_table(parameters, table))}
                for e in suite["expectations"]
            ]
            # GX runs some types only on pandas: their reference is GX's pandas engine on the same rows.
            on_sql = [e for e in resolved if e["type"] not in PANDAS_TYPES]
            on_pandas = [e for e in resolved if e["type"] in PANDAS_TYPES]
            references = run_with_gx(con, schema, table, on_sql, DATABASE, expectations / "plugins")
            if on_pandas:
                references += run_gx_pandas(con, on_pandas, schema=schema, table=table)
            for e, gx in zip(on_sql + on_pandas, references):
                engine, success, elements, unexpected, *_ = recorded[e["meta"]["check_id"]]
                assert success == gx.success, e["meta"]["check_id"]
                if gx.element_count:  # map checks: the same counts (aggregates and table checks pass whole)
                    assert (elements, unexpected) == (gx.element_count, gx.unexpected_count), e["meta"]["check_id"]
                compared += 1
    assert compared == 12


@pytest.mark.slow
def test_each_check_names_its_engine_in_results_and_report(authored_run):
    _, home, _ = authored_run
    recorded = _results(home, DATABASE)
    assert recorded["dossier.fee_amount.whole_thousands"][0] == "gx"  # a plug-in: only GX runs it
    assert recorded["dossier.dossier_id.length_12"][0] == "onepass"
    assert {r[0] for r in recorded.values()} == {"onepass", "gx"}
    z_scores = next(v for k, v in recorded.items() if "z_scores" in k)
    assert z_scores[0] == "gx" and z_scores[1] is False
    samples = json.loads(z_scores[5])  # masked fee values from GX's partial_unexpected_list
    assert samples and all(set(s) == {"fee_amount"} for s in samples)
    for language, engine_text in (("vi", "r57 (một lượt quét)"), ("en", "r57 (one pass)")):
        page = (home / "reports" / language / "databases" / f"{DATABASE}.html").read_text(encoding="utf-8")
        assert 'data-any-check="dossier.fee_amount.whole_thousands" data-engine="gx"' in page  # every check
        assert 'data-check="dossier.returned_without_fee" data-engine="onepass"' in page  # a failing check
        assert "Great Expectations" in page and engine_text in page


@pytest.mark.slow
def test_a_broken_authored_suite_is_a_named_finding_and_the_run_completes(authored_run, sample_estate_run):
    _, home, databases = authored_run
    baseline = {d["id"]: d for d in sample_estate_run.document["databases"]}
    [broken_json] = databases["population"]["suite_findings"]
    assert broken_json.startswith("population/authored/citizen.json: not a JSON suite (")
    findings = databases["civil_servants"]["suite_findings"]
    assert len(findings) == 4, findings
    assert all(f.startswith("civil_servants/authored/person.json") for f in findings)
    text = "\n".join(findings)
    assert "expectation 1 (expect_column_values_to_be_purple)" in text and "GX cannot build it" in text
    assert "expectation 2 (expect_column_values_to_not_be_null): no column 'no_such_column'" in text
    assert "expectation 3 (expect_column_value_lengths_to_be_between): cannot be evaluated: min_value and max_value cannot both be None" in text
    assert "expectation 4 (expect_column_values_to_not_be_null): meta.dimension" in text
    # The fifth expectation is fine and counts; the findings change no verdict, no reason, no coverage.
    for db in ("population", "civil_servants"):
        for key in ("scores", "tier", "at_risk", "risk_reasons", "to_next_tier"):
            assert databases[db][key] == baseline[db][key], (db, key)
        coverage = {d: c["checks_evaluated"] / c["checks_total"] for d, c in databases[db]["score_coverage"].items()}
        assert coverage == {d: c["checks_evaluated"] / c["checks_total"] for d, c in baseline[db]["score_coverage"].items()}
    assert databases["civil_servants"]["checks"]["evaluated"] == baseline["civil_servants"]["checks"]["evaluated"] + 1
    page = (home / "reports" / "en" / "databases" / "civil_servants.html").read_text(encoding="utf-8")
    assert 'data-testid="suite-findings"' in page and "person.json" in page


@pytest.mark.slow
def test_suites_check_command_names_every_problem(authored_run):
    expectations, _, _ = authored_run
    completed = subprocess.run(
        [R57, "suites", "--check", "--out", str(expectations)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert any("citizen.json: not a JSON suite" in line for line in lines)
    assert any("expectation 1 (expect_column_values_to_be_purple)" in line for line in lines)
    assert any("expectation 3 (expect_column_value_lengths_to_be_between)" in line for line in lines)
    assert not any("administrative_procedures" in line for line in lines), lines  # the examples are valid
