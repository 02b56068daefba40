"""The one-pass validator and GX (SQL on DuckDB, through the adapter) must agree on every expectation.

Both run the same suites over the planted-defect warehouse (tests/validation/planted.py); element counts,
unexpected counts and success must be identical.

For GX Core's types GX's own SQLAlchemy conditions are an independent reading. For r57's own types they are
not: GX's metrics are compiled from the same sqlglot conditions (validation/gx/custom_expectations.py), on
the SQL engine and (through DuckDB over the DataFrame) on pandas, so here the rows judged agree by
construction and what is compared is the counting around them: GX's NULL filtering, ``ignore_row_if``,
``mostly``, element and considered counts, the commune lookups as constant MAPs instead of the joined list.
The rules' meaning is checked independently in test_rules.py (the Python reference in rules.py and the
domain validators) and test_onepass.py (each planted defect caught by its check id and no other).
"""

from __future__ import annotations

import duckdb
import pytest

from r57_pipelines.validation.onepass import MASTER_TYPES, SUPPORTED_TYPES, expectation_columns
from tests.validation.planted import PARAMETERS

# Where a contract column is missing, GX raises (its outcome is "not evaluated"); the one-pass path fails
# the column's *sufficient* rules with every row unexpected (a deliberate difference, docs/validation.md)
# and, like GX, leaves its other rules not evaluated, so those are compared as usual.
MISSING_COLUMN_CHECKS = {"pair.required_not_delivered.present"}


def _counts(o):
    return (o.element_count, o.unexpected_count, o.success)


def test_every_expectation_type_in_use_is_compared(testdb_suites, gx_outcomes):
    used = {e["type"] for s in testdb_suites.values() for e in s["expectations"]}
    compared = {o.expectation_type for o in gx_outcomes.values() if o.check_id not in MISSING_COLUMN_CHECKS}
    assert used <= SUPPORTED_TYPES
    assert used == compared


def test_one_pass_equals_gx(onepass_outcomes, gx_outcomes):
    differences = {
        check_id: (_counts(onepass_outcomes[check_id]), _counts(o))
        for check_id, o in gx_outcomes.items()
        if check_id not in MISSING_COLUMN_CHECKS and _counts(onepass_outcomes[check_id]) != _counts(o)
    }
    assert differences == {}
    # The comparison is not vacuous: the planted defects make many of them fail.
    assert sum(1 for o in gx_outcomes.values() if o.success is False) >= 30


def test_considered_counts_agree(onepass_outcomes, gx_outcomes):
    for check_id, o in gx_outcomes.items():
        if check_id not in MISSING_COLUMN_CHECKS and o.considered_count is not None:
            assert onepass_outcomes[check_id].considered_count == o.considered_count, check_id


def test_missing_column_gx_raises_onepass_fails_every_row(onepass_outcomes, gx_outcomes):
    for check_id in MISSING_COLUMN_CHECKS:
        assert gx_outcomes[check_id].success is None
        assert "not_evaluated" in gx_outcomes[check_id].observed_value
        one = onepass_outcomes[check_id]
        assert (one.success, one.unexpected_count, one.element_count) == (False, 4, 4)


def test_missing_column_rules_of_other_dimensions_are_not_evaluated_on_both_paths(onepass_outcomes, gx_outcomes):
    others = [c for c in gx_outcomes if ".not_delivered." in c or (".required_not_delivered." in c and c not in MISSING_COLUMN_CHECKS)]
    assert len(others) == 6
    for check_id in others:
        assert onepass_outcomes[check_id].success is None and gx_outcomes[check_id].success is None, check_id


@pytest.mark.filterwarnings("ignore:This pattern is interpreted as a regular expression:UserWarning")
def test_gx_pandas_agrees_on_table_local_rules(warehouse, testdb_suites, onepass_outcomes, gx_context):
    """GX's pandas engine: same counts. For r57's types this checks the pandas binding (the DataFrame's columns
    as text through Arrow, row order, NULLs, GX's pandas counting), not the rules' meaning (same SQL)."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    from r57_pipelines.validation.onepass import parameters_for_table
    from r57_pipelines.validation.outcome import outcome_from_gx

    con = duckdb.connect(str(warehouse))
    try:
        frame = con.sql('SELECT * FROM raw_testdb."record"').to_arrow_table().to_pandas()
    finally:
        con.close()
    frame = frame.astype(object).where(frame.notna(), None)
    suite = dict(testdb_suites["testdb.record"])
    suite["expectations"] = [e for e in suite["expectations"] if e["type"] not in MASTER_TYPES]
    source = gx_context.data_sources.add_or_update_pandas("r57_test_pandas")
    asset = source.add_dataframe_asset("record")
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame})
    params = parameters_for_table(PARAMETERS, "record")
    result = batch.validate(ExpectationSuite(**suite), expectation_parameters=params, result_format="BASIC")
    by_check = {r.expectation_config.meta["check_id"]: r.to_json_dict() for r in result.results}
    differences = {}
    for e in suite["expectations"]:
        check_id = e["meta"]["check_id"]
        pandas = outcome_from_gx("raw_testdb", "record", e, by_check[check_id], params)
        if _counts(pandas) != _counts(onepass_outcomes[check_id]):
            differences[check_id] = (_counts(onepass_outcomes[check_id]), _counts(pandas))
    assert differences == {}
    assert len(suite["expectations"]) > 35


@pytest.mark.parametrize("check_id", sorted(MISSING_COLUMN_CHECKS))
def test_the_deliberate_differences_are_missing_required_columns(check_id, testdb_suites):
    suite = testdb_suites["testdb.pair"]
    (expectation,) = [e for e in suite["expectations"] if e["meta"]["check_id"] == check_id]
    assert expectation_columns(expectation) == ["required_not_delivered"]
    assert expectation["meta"]["dimension"] == "sufficient"
