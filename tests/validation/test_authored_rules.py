"""The parts of an authored suite a GX user writes: SQL rules, row conditions, result formats, ids, findings."""

from __future__ import annotations

import json

import duckdb
import pytest

from r57_pipelines.quality.store import sample_limit
from r57_pipelines.validation.authored import derived_check_id, load_authored, with_defaults
from r57_pipelines.validation.onepass import validate_table


@pytest.fixture
def con(memory_con):
    memory_con.execute("create table s.t as select range::integer as n, 'k' || (range % 3) as k from range(10)")
    return memory_con


def _run(con, *expectations):
    return validate_table(con, "s", "t", {"name": "x", "expectations": list(expectations)}, {})


def test_a_sql_rule_counts_the_rows_its_query_returns(con):
    (outcome,) = _run(con, {"type": "unexpected_rows_expectation",
                            "kwargs": {"unexpected_rows_query": "select * from {batch} b where b.n >= 7"}})
    assert (outcome.success, outcome.element_count, outcome.unexpected_count, outcome.observed_value) == (False, 10, 3, 3)


@pytest.mark.parametrize("query", ["delete from {batch}", "select 1; drop table s.t", "create table s.u as select 1"])
def test_a_sql_rule_that_would_write_is_refused_and_nothing_changes(con, query):
    (outcome,) = _run(con, {"type": "unexpected_rows_expectation", "kwargs": {"unexpected_rows_query": query}})
    assert outcome.success is None and "one SELECT statement" in outcome.observed_value["not_evaluated"]
    assert con.execute("select count(*) from s.t").fetchall() == [(10,)]


def test_row_conditions_in_both_of_gxs_spellings(con):
    legacy = {"type": "expect_column_values_to_be_between",
              "kwargs": {"column": "n", "max_value": 4, "row_condition": 'col("k")=="k1"', "condition_parser": "great_expectations"}}
    condition = {"type": "expect_column_values_to_be_between",
                 "kwargs": {"column": "n", "max_value": 4,
                            "row_condition": {"type": "and", "conditions": [
                                {"type": "comparison", "column": {"name": "k"}, "operator": "IN", "parameter": ["k1", "k2"]},
                                {"type": "nullity", "column": {"name": "n"}, "is_null": False}]}}}
    first, second = _run(con, legacy, condition)
    assert (first.element_count, first.unexpected_count) == (3, 1)  # k1: n = 1, 4, 7; only 7 is over 4
    assert (second.element_count, second.unexpected_count) == (6, 3)  # k1, k2: n = 1, 2, 4, 5, 7, 8; 5, 7, 8


def test_a_row_condition_string_without_its_parser_is_not_evaluated(con):
    (outcome,) = _run(con, {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "n", "row_condition": 'col("k")=="k1"'}})
    assert outcome.success is None and "condition_parser" in outcome.observed_value["not_evaluated"]


def test_result_format_caps_the_masked_samples():
    class Outcome:
        def __init__(self, result_format):
            self.expectation = {"kwargs": {"result_format": result_format}} if result_format else {"kwargs": {}}

    assert sample_limit(Outcome(None)) == 5
    assert sample_limit(Outcome("BOOLEAN_ONLY")) == 0
    assert sample_limit(Outcome({"result_format": "SUMMARY", "partial_unexpected_count": 2})) == 2
    assert sample_limit(Outcome("COMPLETE")) == 5  # never more than the report keeps


def test_derived_check_ids_are_stable_and_follow_the_kwargs():
    e = {"type": "expect_column_values_to_be_between", "kwargs": {"column": "fee", "min_value": 0}}
    assert derived_check_id("dossier", e) == derived_check_id("dossier", json.loads(json.dumps(e)))
    assert derived_check_id("dossier", e).startswith("dossier.fee.column_values_to_be_between.")
    changed = {**e, "kwargs": {"column": "fee", "min_value": 1}}
    assert derived_check_id("dossier", changed) != derived_check_id("dossier", e)
    filled = with_defaults(e, "dossier")["meta"]
    assert (filled["dimension"], filled["severity"]) == ("correct", "major")


def test_several_files_for_one_table_and_a_repeated_check_id(tmp_path):
    folder = tmp_path / "db" / "authored"
    folder.mkdir(parents=True)
    rule = {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "A"}, "meta": {"check_id": "t.a.rule"}}
    (folder / "t.json").write_text(json.dumps({"name": "one", "expectations": [rule]}))
    (folder / "t.more.json").write_text(json.dumps({"name": "two", "expectations": [rule]}))
    loaded = load_authored(tmp_path, "db", {"t": ["a"]}, taken_check_ids=["t.generated"])
    assert sorted(loaded.suites) == ["db.authored.t"]  # the second file's only rule repeats the id
    assert loaded.findings == ["db/authored/t.more.json: expectation 1 (expect_column_values_to_not_be_null): check_id 't.a.rule' is already used"]
    assert set(loaded.sha256) == {"t.json", "t.more.json"}
