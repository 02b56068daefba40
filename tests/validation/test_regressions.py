"""Divergences from GX found by trying r57 as a new user would (issue 12, item 5), one test each."""

from __future__ import annotations

import duckdb
import pytest

from r57_pipelines.validation.onepass import validate_table


@pytest.fixture
def con(memory_con):
    return memory_con


def _one(con, type_, **kwargs):
    suite = {"name": "t", "expectations": [{"type": type_, "kwargs": kwargs}]}
    return validate_table(con, "s", "t", suite, {}, unexpected_values=True)[0]


def test_columns_to_match_set_honours_exact_match_whose_default_is_true(con):
    con.execute("create table s.t (a varchar, b varchar, extra varchar)")
    assert _one(con, "expect_table_columns_to_match_set", column_set=["a", "b"]).success is False
    assert _one(con, "expect_table_columns_to_match_set", column_set=["a", "b"], exact_match=True).success is False
    assert _one(con, "expect_table_columns_to_match_set", column_set=["a", "b"], exact_match=False).success is True
    outcome = _one(con, "expect_table_columns_to_match_set", column_set=["a", "b"])
    assert outcome.observed_value == {"missing": [], "unexpected": ["extra"]}


def test_row_count_between_honours_strict_min_and_strict_max(con):
    con.execute("create table s.t as select range as a from range(10)")
    assert _one(con, "expect_table_row_count_to_be_between", min_value=10).success is True
    assert _one(con, "expect_table_row_count_to_be_between", min_value=10, strict_min=True).success is False
    assert _one(con, "expect_table_row_count_to_be_between", max_value=10, strict_max=True).success is False
    assert _one(con, "expect_table_row_count_to_be_between", min_value=9, max_value=11, strict_min=True, strict_max=True).success


def test_a_none_in_value_set_is_null_not_the_text_none(con):
    con.execute("create table s.t as select * from (values ('x'), ('None'), (null)) v(a)")
    in_set = _one(con, "expect_column_values_to_be_in_set", column="a", value_set=["x", None])
    # GX drops None from an in-set list: 'None' (the text) is unexpected, the NULL is not judged.
    assert (in_set.success, in_set.unexpected_count, in_set.partial_unexpected_list) == (False, 1, ["None"])
    not_in = _one(con, "expect_column_values_to_not_be_in_set", column="a", value_set=["y", None])
    assert not_in.unexpected_count == 0  # GX: NOT IN (..., NULL) is never true


def test_a_text_value_set_against_a_date_column_compares_dates(con):
    # Eight or more values used to become a text MAP lookup: every date was "not in the set".
    days = [f"2025-01-{d:02d}" for d in range(1, 10)]
    con.execute("create table s.t as select (date '2025-01-01' + range::integer)::date as d from range(12)")
    outcome = _one(con, "expect_column_values_to_be_in_set", column="d", value_set=days)
    assert outcome.unexpected_count == 3  # 10, 11, 12 January
    assert {str(v) for v in outcome.partial_unexpected_list} == {"2025-01-10", "2025-01-11", "2025-01-12"}


def test_column_names_resolve_case_insensitively_like_the_loader_and_duckdb(con):
    # The loader accepts a header `Full_Name` for the contract's `full_name`; checks on it must run.
    con.execute("create table s.t as select * from (values ('An', 1), (null, 2)) v(\"Full_Name\", n)")
    outcome = _one(con, "expect_column_values_to_not_be_null", column="full_name")
    assert (outcome.success, outcome.element_count, outcome.unexpected_count) == (False, 2, 1)
    present = _one(con, "expect_table_columns_to_match_set", column_set=["full_name", "n"])
    assert present.success is True and present.observed_value == {"missing": []}
    rows = con.execute(outcome.failing_rows_sql({"Full_Name", "n"}).sql("duckdb")).fetchall()
    assert rows == [(None, 2)]
