"""Helpers of the property-based differential test (test_gx_core_differential.py): r57's one-pass compiler
against Great Expectations itself, on the same generated DuckDB table.

A generated example is one table ``s.t`` with a fixed set of typed columns (:data:`COLUMNS`) and 0..14
rows of edge values (Vietnamese text in NFC and NFD, blanks, whitespace, digits as text, NULLs
everywhere; 0, negatives, 1e12, small numbers; edge dates), plus one suite holding an expectation of every
compared type, with kwargs drawn per type (bounds inside and outside the data, strict bounds, ``mostly``,
value sets with and without data values, regex lists with ``match_on``, ``ignore_row_if``, and
``row_condition`` in the dict ``Condition`` form and the string form of condition_parser
``great_expectations``). The suite runs once through ``validate_table`` and once through ``run_with_gx``.

The cases GX 1.24.1 on DuckDB gets wrong, or where r57 differs deliberately (``/tmp/gx_semantics.md``;
docs/validation.md), are never generated here; test_gx_core_differential.py asserts each of them
explicitly, so a change in GX is noticed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from r57_pipelines.validation.registry import COMPILED_TYPES, R57_TYPES

SCHEMA = "s"
TABLE = "t"
OTHER_TABLE = "o"  # for expect_table_row_count_to_equal_other_table
DATABASE_ID = "testdb"
META = {"dimension": "correct", "severity": "major"}

# --------------------------------------------------------------------------------------------------
# Which types are compared where
# --------------------------------------------------------------------------------------------------

LIKE_TYPES = frozenset(
    {
        "expect_column_values_to_match_like_pattern",
        "expect_column_values_to_not_match_like_pattern",
        "expect_column_values_to_match_like_pattern_list",
        "expect_column_values_to_not_match_like_pattern_list",
    }
)
# GX runs these only on pandas (or Spark): compared with GX's pandas engine on the same rows.
PANDAS_TYPES = frozenset(
    {
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_be_increasing",
        "expect_column_values_to_be_decreasing",
        "expect_column_values_to_be_dateutil_parseable",
        "expect_column_values_to_be_json_parseable",
    }
)
# GX on SQL compares reflected SQLAlchemy type objects (DOUBLE reflects as NullType through the adapter):
# no row-level GX reference; not compared in this file.
TYPE_TYPES = frozenset({"expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"})
SQL_TYPES = COMPILED_TYPES - R57_TYPES - LIKE_TYPES - PANDAS_TYPES - TYPE_TYPES

# GX 1.24.1 (SQLAlchemy 2.1) raises "FROM expression ... expected, got <Select>" for these with any
# row_condition (their metrics select from the row-conditioned Select), and for pair_values_to_be_in_set
# the metric ignores the row_condition: no reference, so no row_condition is generated for them
# (test_gx_query_metrics_raise_with_row_condition, test_gx_pair_in_set_ignores_row_condition).
GX_ROW_CONDITION_BROKEN = frozenset(
    {
        "expect_column_distinct_values_to_be_in_set",
        "expect_column_distinct_values_to_contain_set",
        "expect_column_distinct_values_to_equal_set",
        "expect_column_median_to_be_between",
        "expect_column_most_common_value_to_be_in_set",
        "expect_column_quantile_values_to_be_between",
        "expect_column_pair_values_to_be_in_set",
    }
)
# ... and for these with a row_condition and this ignore_row_if.
GX_IGNORE_ROW_CONDITION_BROKEN = {
    "expect_column_pair_values_a_to_be_greater_than_b": ("neither",),
    "expect_column_pair_values_to_be_equal": ("neither",),
    "expect_compound_columns_to_be_unique": ("never",),
}

# Compared on success only: r57 carries its own units / observed values (outcome.py).
SUCCESS_ONLY = frozenset({"expect_column_distinct_values_to_contain_set", "expect_table_columns_to_match_set"})

# --------------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------------

COLUMNS: dict[str, str] = {
    "s": "VARCHAR",
    "t": "VARCHAR",
    "n": "INTEGER",
    "m": "BIGINT",
    "x": "DOUBLE",
    "dec": "DECIMAL(18,3)",
    "d": "DATE",
    "ts": "TIMESTAMP",
}
TEXT_COLUMNS = ("s", "t")
INT_COLUMNS = ("n", "m")
NUMERIC_COLUMNS = ("n", "m", "x", "dec")
TEMPORAL_COLUMNS = ("d", "ts")
ORDERED_COLUMNS = NUMERIC_COLUMNS + TEMPORAL_COLUMNS


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


VIETNAMESE = ["Nguyễn Văn Ánh", "Trần Thị Hà", "Đà Nẵng", "Hồ Chí Minh", "ý", "Phường 1"]
TEXT_POOL: list[str] = [
    *VIETNAMESE,
    *[_nfd(v) for v in VIETNAMESE[:4]],  # the same names, decomposed (they differ from the NFC spelling)
    "",
    " ",
    "  \t ",
    "a",
    "abc",
    "ABC",
    "Abc 12",
    "123",
    "0042",
    "7",
]
POOLS: dict[str, list[Any]] = {
    "s": TEXT_POOL,
    "t": TEXT_POOL,
    "n": [0, 1, -1, 3, 7, -100, 2_147_483_647],
    "m": [0, 1, 3, -5, 10**12, -(10**12)],
    "x": [0.0, -1.5, 2.5, 3.0, 1e12, 1e-9, -2e-7],
    "dec": [Decimal("0.000"), Decimal("0.100"), Decimal("-2.500"), Decimal("1.250"), Decimal("1000000000000.000"), Decimal("0.001")],
    "d": [dt.date(1970, 1, 1), dt.date(2000, 2, 29), dt.date(2020, 1, 1), dt.date(1900, 1, 1), dt.date(2024, 12, 31), dt.date(9999, 12, 31)],
    "ts": [
        dt.datetime(1970, 1, 1),
        dt.datetime(2000, 2, 29, 12, 34, 56),
        dt.datetime(2020, 1, 1),
        dt.datetime(2038, 1, 19, 3, 14, 8),
        dt.datetime(1899, 12, 31, 23, 59, 59),
    ],
}
# Values never in the data, for sets and bounds outside it.
OUTSIDE: dict[str, list[Any]] = {
    "s": ["zzz", "Nguyen", "b"],
    "t": ["zzz", "Nguyen", "b"],
    "n": [5, -7, 1000],
    "m": [2, 10**13],
    "x": [0.5, -1e13],
    "dec": [Decimal("0.200"), Decimal("99.000")],
    "d": [dt.date(1999, 1, 1), dt.date(2030, 6, 15)],
    "ts": [dt.datetime(2001, 1, 1, 8, 0), dt.datetime(2050, 1, 1)],
}


def value_strategy(column: str) -> st.SearchStrategy:
    return st.one_of(st.none(), st.sampled_from(POOLS[column]))


@st.composite
def tables(draw, max_rows: int = 14) -> list[dict[str, Any]]:
    """Rows as {column: value}; a few shapes: all NULL columns, constant columns and the empty table come up."""
    n_rows = draw(st.integers(0, max_rows))
    # A column draws from a sub-pool, so that values repeat (duplicates, modes, set membership).
    pools = {c: draw(st.lists(st.sampled_from(POOLS[c]), min_size=1, max_size=4, unique=True)) for c in COLUMNS}
    null_share = {c: draw(st.sampled_from([0.0, 0.2, 0.5, 1.0])) for c in COLUMNS}
    rows = []
    for _ in range(n_rows):
        row = {}
        for c in COLUMNS:
            is_null = null_share[c] and draw(st.floats(0, 1)) < null_share[c]
            row[c] = None if is_null else draw(st.sampled_from(pools[c]))
        rows.append(row)
    return rows


def build(con: Any, rows: Sequence[Mapping[str, Any]], other_rows: int = 0) -> None:
    """``s.t`` with these rows (insertion order kept) and ``s.o`` with ``other_rows`` rows."""
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(f"drop table if exists {SCHEMA}.{TABLE}")
    con.execute(f"drop table if exists {SCHEMA}.{OTHER_TABLE}")
    con.execute(f"create table {SCHEMA}.{TABLE} ({', '.join(f'{c} {t}' for c, t in COLUMNS.items())})")
    if rows:
        marks = ", ".join("?" for _ in COLUMNS)
        con.executemany(f"insert into {SCHEMA}.{TABLE} values ({marks})", [[r[c] for c in COLUMNS] for r in rows])
    con.execute(f"create table {SCHEMA}.{OTHER_TABLE} as select range as k from range({int(other_rows)})")


# --------------------------------------------------------------------------------------------------
# Kwargs per type
# --------------------------------------------------------------------------------------------------


def _json_value(column: str, value: Any) -> Any:
    """A value as a suite (JSON) spells it: dates and timestamps as ISO text, decimals as floats."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _bound(draw, column: str, data: Sequence[Any]) -> Any:
    """A bound: a value of the data (to hit the inclusive / strict edge), or one outside it.

    A DECIMAL's bound is a float equal to it exactly: GX compares an odd-count median (a Decimal) with the
    float bound exactly (test_gx_decimal_median_compares_exactly_with_float_bound)."""
    present = [v for v in data if v is not None]
    choices = present + OUTSIDE[column] + POOLS[column]
    if column == "dec":
        choices = [v for v in choices if Decimal(float(v)) == v]
    return _json_value(column, draw(st.sampled_from(choices)))


def _bounds(draw, column: str, data: Sequence[Any], allow_one_open: bool = True) -> dict[str, Any]:
    lo, hi = _bound(draw, column, data), _bound(draw, column, data)
    if _order_key(column, lo) > _order_key(column, hi):
        lo, hi = hi, lo
    shape = draw(st.sampled_from(["both", "min", "max"] if allow_one_open else ["both"]))
    kwargs: dict[str, Any] = {}
    if shape in ("both", "min"):
        kwargs["min_value"] = lo
        if draw(st.booleans()):
            kwargs["strict_min"] = True
    if shape in ("both", "max"):
        kwargs["max_value"] = hi
        if draw(st.booleans()):
            kwargs["strict_max"] = True
    return kwargs


def _order_key(column: str, value: Any) -> Any:
    return str(value) if column in TEMPORAL_COLUMNS else value


def _value_set(draw, column: str, data: Sequence[Any], *, min_size: int = 0, unique: bool = True) -> list[Any]:
    present = sorted({v for v in data if v is not None}, key=str)
    choices = present + OUTSIDE[column] + POOLS[column]
    values = draw(st.lists(st.sampled_from(choices), min_size=min_size, max_size=5))
    values = [_json_value(column, v) for v in values]
    if unique:
        values = list(dict.fromkeys(values))
    return values


REGEXES = ["^N", "^Ng", "ễ", "n$", r"^\s*$", r"^\d+$", "^[A-Z]", "a", "^$", r"\d", "Đ", "^.{3}$", "(?i)abc"]


def _row_condition(draw) -> dict[str, Any]:
    """A row_condition in one of GX's two SQL spellings (the kwargs it adds)."""
    number = draw(st.sampled_from([0, 1, 3, -1]))
    text = draw(st.sampled_from(["a", "abc", "", "7"]))
    forms = [
        {"row_condition": {"type": "comparison", "column": {"name": "n"}, "operator": draw(st.sampled_from([">", ">=", "<", "<=", "==", "!="])), "parameter": number}},
        {"row_condition": {"type": "nullity", "column": {"name": "s"}, "is_null": draw(st.booleans())}},
        {"row_condition": {"type": "comparison", "column": {"name": "t"}, "operator": draw(st.sampled_from(["IN", "NOT_IN"])), "parameter": [text, "ABC"]}},
        {"row_condition": {"type": "and", "conditions": [
            {"type": "nullity", "column": {"name": "m"}, "is_null": False},
            {"type": "comparison", "column": {"name": "x"}, "operator": "<=", "parameter": 2.5},
        ]}},
        {"row_condition": {"type": "or", "conditions": [
            {"type": "comparison", "column": {"name": "n"}, "operator": "==", "parameter": number},
            {"type": "nullity", "column": {"name": "t"}, "is_null": True},
        ]}},
        {"row_condition": f'col("n")>{number}', "condition_parser": "great_expectations"},
        {"row_condition": f'col("s")=="{text}"' if text else 'col("s")!="abc"', "condition_parser": "great_expectations"},
        {"row_condition": 'col("x").notnull()', "condition_parser": "great_expectations"},
        {"row_condition": 'col("d")>date("2000-01-01")', "condition_parser": "great_expectations"},
    ]
    return draw(st.sampled_from(forms))


def _maybe_row_condition(draw) -> dict[str, Any]:
    return _row_condition(draw) if draw(st.integers(0, 2)) == 0 else {}


def _maybe_mostly(draw) -> dict[str, Any]:
    mostly = draw(st.sampled_from([None, None, 0.0, 0.5, 0.75, 0.9, 1.0]))
    return {} if mostly is None else {"mostly": mostly}


def _col(draw, columns: Sequence[str]) -> str:
    return draw(st.sampled_from(list(columns)))


def kwargs_for(draw, kind: str, data: Mapping[str, list[Any]]) -> dict[str, Any]:
    """Kwargs for one expectation of ``kind`` over the generated columns (``data``: column -> values)."""
    if kind in ("expect_column_values_to_not_be_null", "expect_column_values_to_be_null", "expect_column_values_to_be_unique"):
        c = _col(draw, COLUMNS)
        return {"column": c, **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind in ("expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set"):
        c = _col(draw, COLUMNS)
        values = _value_set(draw, c, data[c])
        if kind == "expect_column_values_to_not_be_in_set" and draw(st.integers(0, 4)) == 0:
            values.append(None)  # GX: NOT IN (..., NULL)
        return {"column": c, "value_set": values, **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_column_values_to_be_between":
        c = _col(draw, ORDERED_COLUMNS)
        return {"column": c, **_bounds(draw, c, data[c]), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_column_value_lengths_to_be_between":
        c = _col(draw, TEXT_COLUMNS)
        lo, hi = sorted(draw(st.lists(st.integers(0, 16), min_size=2, max_size=2)))
        kwargs: dict[str, Any] = {"column": c}
        shape = draw(st.sampled_from(["both", "min", "max"]))
        if shape != "max":
            kwargs.update(min_value=lo, **({"strict_min": True} if draw(st.booleans()) else {}))
        if shape != "min":
            kwargs.update(max_value=hi, **({"strict_max": True} if draw(st.booleans()) else {}))
        return {**kwargs, **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_column_value_lengths_to_equal":
        c = _col(draw, TEXT_COLUMNS)
        return {"column": c, "value": draw(st.integers(0, 15)), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind in ("expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex"):
        c = _col(draw, TEXT_COLUMNS)
        return {"column": c, "regex": draw(st.sampled_from(REGEXES)), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind in ("expect_column_values_to_match_regex_list", "expect_column_values_to_not_match_regex_list"):
        c = _col(draw, TEXT_COLUMNS)
        kwargs = {"column": c, "regex_list": draw(st.lists(st.sampled_from(REGEXES), min_size=1, max_size=3))}
        if kind == "expect_column_values_to_match_regex_list":
            match_on = draw(st.sampled_from([None, "any", "all"]))
            if match_on:
                kwargs["match_on"] = match_on
        return {**kwargs, **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        a, b = draw(st.sampled_from([("n", "m"), ("m", "n"), ("x", "dec"), ("d", "ts"), ("s", "t")]))
        kwargs = {"column_A": a, "column_B": b}
        if draw(st.booleans()):
            kwargs["or_equal"] = draw(st.booleans())
        return {**kwargs, **_pair_ignore(draw), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_column_pair_values_to_be_equal":
        a, b = draw(st.sampled_from([("n", "m"), ("s", "t"), ("x", "dec")]))
        return {"column_A": a, "column_B": b, **_pair_ignore(draw), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_column_pair_values_to_be_in_set":
        # No row_condition: GX 1.24.1 ignores it for this type (test_gx_pair_in_set_ignores_row_condition).
        a, b = draw(st.sampled_from([("n", "m"), ("s", "t")]))
        pairs = draw(st.lists(st.tuples(st.sampled_from(_present_or_pool(data, a)), st.sampled_from(_present_or_pool(data, b))), min_size=1, max_size=4))
        return {"column_A": a, "column_B": b, "value_pairs_set": [[x, y] for x, y in pairs], **_pair_ignore(draw), **_maybe_mostly(draw)}
    if kind == "expect_multicolumn_sum_to_equal":
        columns = draw(st.sampled_from([["n", "m"], ["n", "m", "x"], ["n", "x"]]))
        total = draw(st.sampled_from([0, 1, 3, 4, -1, 6, 10**12, 2.5]))
        return {"column_list": columns, "sum_total": total, **_multi_ignore(draw), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_select_column_values_to_be_unique_within_record":
        columns = draw(st.sampled_from([["s", "t"], ["n", "m"], ["n", "m", "x"]]))
        return {"column_list": columns, **_multi_ignore(draw), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind == "expect_compound_columns_to_be_unique":
        columns = draw(st.lists(st.sampled_from(list(COLUMNS)), min_size=2, max_size=3, unique=True))
        return {"column_list": columns, **_multi_ignore(draw), **_maybe_mostly(draw), **_maybe_row_condition(draw)}
    if kind in ("expect_column_min_to_be_between", "expect_column_max_to_be_between"):
        c = _col(draw, ORDERED_COLUMNS)
        return {"column": c, **_bounds(draw, c, data[c]), **_maybe_row_condition(draw)}
    if kind in (
        "expect_column_mean_to_be_between",
        "expect_column_median_to_be_between",
        "expect_column_sum_to_be_between",
    ):
        c = _col(draw, NUMERIC_COLUMNS)
        return {"column": c, **_bounds(draw, c, data[c]), **_maybe_row_condition(draw)}
    if kind == "expect_column_stdev_to_be_between":
        c = _col(draw, NUMERIC_COLUMNS)
        lo, hi = sorted(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5, 100.0, 1e12]), min_size=2, max_size=2)))
        kwargs = {"column": c, "min_value": lo, "max_value": hi}
        if draw(st.booleans()):
            kwargs["strict_min"] = True
        return {**kwargs, **_maybe_row_condition(draw)}
    if kind == "expect_column_quantile_values_to_be_between":
        c = _col(draw, NUMERIC_COLUMNS)
        quantiles = draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]), min_size=1, max_size=3, unique=True))
        ranges = []
        for _ in quantiles:
            lo, hi = _bound(draw, c, data[c]), _bound(draw, c, data[c])
            lo, hi = sorted([lo, hi])
            ranges.append([draw(st.sampled_from([lo, None])), draw(st.sampled_from([hi, None]))])
        return {"column": c, "quantile_ranges": {"quantiles": quantiles, "value_ranges": ranges}, **_maybe_row_condition(draw)}
    if kind == "expect_column_unique_value_count_to_be_between":
        c = _col(draw, COLUMNS)
        lo, hi = sorted(draw(st.lists(st.integers(0, 6), min_size=2, max_size=2)))
        return {"column": c, "min_value": lo, "max_value": hi, **_maybe_row_condition(draw)}
    if kind == "expect_column_proportion_of_unique_values_to_be_between":
        c = _col(draw, COLUMNS)
        lo, hi = sorted(draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1 / 3, 0.6, 0.75, 1.0]), min_size=2, max_size=2)))
        return {"column": c, "min_value": lo, "max_value": hi, **_maybe_row_condition(draw)}
    if kind == "expect_column_proportion_of_non_null_values_to_be_between":
        c = _col(draw, COLUMNS)
        lo, hi = sorted(draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 1 / 3, 0.6, 0.75, 1.0]), min_size=2, max_size=2)))
        kwargs = {"column": c, "min_value": lo, "max_value": hi}
        if draw(st.booleans()):
            kwargs["strict_min"] = True
        if draw(st.booleans()):
            kwargs["strict_max"] = True
        return {**kwargs, **_maybe_row_condition(draw)}
    if kind == "expect_column_most_common_value_to_be_in_set":
        c = _col(draw, COLUMNS)
        kwargs = {"column": c, "value_set": _value_set(draw, c, data[c], min_size=1)}
        if draw(st.booleans()):
            kwargs["ties_okay"] = draw(st.booleans())
        return {**kwargs, **_maybe_row_condition(draw)}
    if kind in (
        "expect_column_distinct_values_to_be_in_set",
        "expect_column_distinct_values_to_equal_set",
        "expect_column_distinct_values_to_contain_set",
    ):
        # No None in the set and no duplicates: GX's readings of those are
        # test_gx_distinct_in_set_with_none_always_passes and test_gx_duplicates_in_value_set_inflate_missing.
        c = _col(draw, COLUMNS)
        return {"column": c, "value_set": _value_set(draw, c, data[c], min_size=1), **_maybe_row_condition(draw)}
    if kind == "expect_table_row_count_to_be_between":
        lo, hi = sorted(draw(st.lists(st.integers(0, 16), min_size=2, max_size=2)))
        kwargs = {}
        if draw(st.booleans()):
            kwargs["min_value"] = lo
        if draw(st.booleans()):
            kwargs["max_value"] = hi
        return {**kwargs, **_maybe_row_condition(draw)}
    if kind == "expect_table_row_count_to_equal":
        return {"value": draw(st.integers(0, 15)), **_maybe_row_condition(draw)}
    if kind == "expect_table_row_count_to_equal_other_table":
        return {"other_table_name": OTHER_TABLE, **_maybe_row_condition(draw)}
    if kind == "expect_table_column_count_to_be_between":
        lo, hi = sorted(draw(st.lists(st.integers(5, 10), min_size=2, max_size=2)))
        return {"min_value": lo, "max_value": hi}
    if kind == "expect_table_column_count_to_equal":
        return {"value": draw(st.integers(7, 9))}
    if kind == "expect_table_columns_to_match_ordered_list":
        names = list(COLUMNS)
        variant = draw(st.sampled_from(["same", "swapped", "shorter", "longer"]))
        if variant == "swapped":
            names[0], names[1] = names[1], names[0]
        elif variant == "shorter":
            names = names[:-1]
        elif variant == "longer":
            names = [*names, "zz"]
        return {"column_list": names}
    if kind == "expect_table_columns_to_match_set":
        names = draw(st.lists(st.sampled_from([*COLUMNS, "zz"]), min_size=1, max_size=9, unique=True))
        kwargs = {"column_set": names}
        if draw(st.booleans()):
            kwargs["exact_match"] = draw(st.booleans())
        return kwargs
    if kind == "expect_column_to_exist":
        # column_index 0 is left out: GX ignores it (test_gx_column_to_exist_ignores_column_index_zero).
        kwargs = {"column": draw(st.sampled_from([*COLUMNS, "zz"]))}
        if draw(st.booleans()):
            kwargs["column_index"] = draw(st.integers(1, 8))
        return kwargs
    if kind == "unexpected_rows_expectation":
        query = draw(st.sampled_from([
            "select * from {batch} where n < 0",
            "select * from {batch} where s = ''",
            "select s, count(*) from {batch} where s is not null group by s having count(*) > 1",
            "select * from {batch} where x > 1e11 or dec < 0",
        ]))
        return {"unexpected_rows_query": query}
    raise AssertionError(f"no kwargs strategy for {kind}")


def _present_or_pool(data: Mapping[str, list[Any]], column: str) -> list[Any]:
    return sorted({v for v in data[column] if v is not None}, key=str) + OUTSIDE[column][:1]


def _pair_ignore(draw) -> dict[str, Any]:
    value = draw(st.sampled_from([None, "both_values_are_missing", "either_value_is_missing", "neither"]))
    return {} if value is None else {"ignore_row_if": value}


def _multi_ignore(draw) -> dict[str, Any]:
    value = draw(st.sampled_from([None, "all_values_are_missing", "any_value_is_missing", "never"]))
    return {} if value is None else {"ignore_row_if": value}


@st.composite
def examples(draw, kinds: Sequence[str] = tuple(sorted(SQL_TYPES)), max_rows: int = 14):
    """(rows, other table's row count, expectations): one expectation of every kind, kwargs drawn per kind."""
    rows = draw(tables(max_rows=max_rows))
    data = {c: [r[c] for r in rows] for c in COLUMNS}
    other_rows = draw(st.sampled_from([len(rows), 0, 3]))
    expectations = []
    for index, kind in enumerate(kinds):
        kwargs = kwargs_for(draw, kind, data)
        if kind in GX_ROW_CONDITION_BROKEN or kwargs.get("ignore_row_if") in GX_IGNORE_ROW_CONDITION_BROKEN.get(kind, ()):
            kwargs.pop("row_condition", None)
            kwargs.pop("condition_parser", None)
        expectations.append({"type": kind, "kwargs": kwargs, "meta": {**META, "check_id": f"c{index}"}})
    return rows, other_rows, expectations


# --------------------------------------------------------------------------------------------------
# Comparing outcomes
# --------------------------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """One spelling for a reported value: r57 keeps Python values, GX's JSON has ISO text and floats."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return tuple((k, canonical(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return tuple(canonical(v) for v in value)
    return value


def _listed(expectation: Mapping[str, Any], values: Sequence[Any] | None) -> Counter | None:
    if values is None:
        return None
    kwargs = expectation["kwargs"]
    if "column_A" in kwargs:  # r57 lists {A: a, B: b}, GX [a, b]
        values = [[v[kwargs["column_A"]], v[kwargs["column_B"]]] if isinstance(v, Mapping) else v for v in values]
    return Counter(canonical(v) for v in values)


def _is_datetime_text(text: Any) -> bool:
    return isinstance(text, str) and re.fullmatch(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?", text) is not None


def difference(expectation: Mapping[str, Any], mine: Any, gx: Any) -> dict[str, Any] | None:
    """None when r57's outcome agrees with GX's; else what differs."""
    kind = expectation["type"]
    ours = {"success": mine.success}
    theirs = {"success": gx.success}
    if kind == "unexpected_rows_expectation":
        ours["rows"], theirs["rows"] = mine.observed_value, gx.observed_value
    elif kind not in SUCCESS_ONLY:
        ours.update(element_count=mine.element_count, unexpected_count=mine.unexpected_count)
        theirs.update(element_count=gx.element_count, unexpected_count=gx.unexpected_count)
    if mine.success is False and gx.success is False:
        listed_mine, listed_gx = _listed(expectation, mine.partial_unexpected_list), _listed(expectation, gx.partial_unexpected_list)
        if listed_mine is not None and listed_gx is not None:
            complete_gx = sum(listed_gx.values()) < 20
            if complete_gx and not set(listed_mine) <= set(listed_gx):
                ours["partial_unexpected_list"], theirs["partial_unexpected_list"] = listed_mine, listed_gx
            elif complete_gx and sum(listed_mine.values()) < 20 and listed_mine != listed_gx:
                ours["partial_unexpected_list"], theirs["partial_unexpected_list"] = listed_mine, listed_gx
    if ours == theirs:
        return None
    return {"type": kind, "kwargs": expectation["kwargs"], "r57": ours, "gx": theirs,
            "r57_observed": mine.observed_value, "gx_observed": gx.observed_value}


def run_both(con: Any, expectations: Sequence[Mapping[str, Any]]) -> tuple[list, list]:
    from r57_pipelines.validation.gx.gx_fallback import run_with_gx
    from r57_pipelines.validation.onepass import validate_table

    suite = {"name": "differential", "expectations": [dict(e) for e in expectations]}
    mine = validate_table(con, SCHEMA, TABLE, suite, {}, database_id=DATABASE_ID, unexpected_values=True)
    gx = run_with_gx(con, SCHEMA, TABLE, list(expectations), DATABASE_ID)
    return mine, gx


def differences(con: Any, expectations: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    mine, gx = run_both(con, expectations)
    found = []
    for e, a, b in zip(expectations, mine, gx, strict=True):
        d = difference(e, a, b)
        if d is not None:
            found.append(d)
    return found


# --------------------------------------------------------------------------------------------------
# GX's pandas engine (the reference for the types GX runs only on pandas)
# --------------------------------------------------------------------------------------------------

_pandas_names = iter(range(10**9))


def frame(con: Any, schema: str = SCHEMA, table: str = TABLE):
    """The table as GX's pandas engine would get it from a user: object columns, None for NULL."""
    df = con.sql(f'select * from "{schema}"."{table}"').df()
    return df.astype(object).where(df.notna(), None)


def run_gx_pandas(
    con: Any, expectations: Sequence[Mapping[str, Any]], schema: str = SCHEMA, table: str = TABLE
) -> list:
    from great_expectations.core.expectation_suite import ExpectationSuite

    from r57_pipelines.validation.gx.gx_duckdb import gx_context
    from r57_pipelines.validation.outcome import outcome_from_gx

    context = gx_context()
    name = f"r57_differential_pandas_{next(_pandas_names)}"
    source = context.data_sources.add_pandas(name)
    try:
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name).get_batch(
            batch_parameters={"dataframe": frame(con, schema, table)}
        )
        suite = ExpectationSuite(name=name, expectations=[dict(e) for e in expectations])
        assert len(suite.expectations) == len(expectations)
        result = batch.validate(suite, result_format={"result_format": "BASIC", "partial_unexpected_count": 20})
    finally:
        context.data_sources.delete(name)
    by_check = {r.expectation_config.meta["check_id"]: r.to_json_dict() for r in result.results}
    return [outcome_from_gx(schema, table, e, by_check[e["meta"]["check_id"]], database=DATABASE_ID) for e in expectations]


# Text for the pandas-only types: date-like, JSON-like, Vietnamese, blank.
PANDAS_TEXT_POOL = [
    "2020-01-01", "2020-02-30", "2020-1-1", "01/02/2020", "31/12/1999", "2020-01-01 10:00:00", " 2020-01-01",
    "20200101", "Jan 5 2021", "5 tháng 1", "Nguyễn", _nfd("Nguyễn"), "", " ", "abc", "12", "0",
    '{"a": 1}', "[1, 2]", '"x"', "null", "true", "NaN", "Infinity", "{'a': 1}", "[1,]", "1e400", '{"a": "ễ"}',
]
STRFTIME_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y%m%d", "%b %d %Y"]


def pandas_kwargs_for(draw, kind: str) -> dict[str, Any]:
    if kind == "expect_column_values_to_match_strftime_format":
        return {"column": "s", "strftime_format": draw(st.sampled_from(STRFTIME_FORMATS)), **_maybe_mostly(draw)}
    if kind in ("expect_column_values_to_be_dateutil_parseable", "expect_column_values_to_be_json_parseable"):
        return {"column": "s", **_maybe_mostly(draw)}
    if kind in ("expect_column_values_to_be_increasing", "expect_column_values_to_be_decreasing"):
        kwargs = {"column": _col(draw, ["n", "m", "x", "d", "ts"])}
        if draw(st.booleans()):
            kwargs["strictly"] = draw(st.booleans())
        return {**kwargs, **_maybe_mostly(draw)}
    raise AssertionError(kind)


@st.composite
def pandas_examples(draw, max_rows: int = 10):
    n_rows = draw(st.integers(0, max_rows))
    rows = []
    for _ in range(n_rows):
        row = {c: draw(value_strategy(c)) for c in COLUMNS}
        row["s"] = draw(st.one_of(st.none(), st.sampled_from(PANDAS_TEXT_POOL)))
        rows.append(row)
    expectations = [
        {"type": kind, "kwargs": pandas_kwargs_for(draw, kind), "meta": {**META, "check_id": f"p{index}"}}
        for index, kind in enumerate(sorted(PANDAS_TYPES))
    ]
    return rows, expectations


# --------------------------------------------------------------------------------------------------
# SQL LIKE, read by Python (no GX reference on DuckDB)
# --------------------------------------------------------------------------------------------------


def like_regex(pattern: str, escape: str | None = None) -> re.Pattern:
    """SQL LIKE as a regex: ``%`` any run, ``_`` one character, ``escape`` makes the next character literal;
    the whole value must match; case-sensitive."""
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if escape is not None and ch == escape and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def like(value: str, pattern: str, escape: str | None = None) -> bool:
    return like_regex(pattern, escape).fullmatch(value) is not None


def like_expected(kind: str, kwargs: Mapping[str, Any], value: str) -> bool:
    escape = kwargs.get("escape")
    if kind == "expect_column_values_to_match_like_pattern":
        return like(value, kwargs["like_pattern"], escape)
    if kind == "expect_column_values_to_not_match_like_pattern":
        return not like(value, kwargs["like_pattern"], escape)
    hits = [like(value, p, escape) for p in kwargs["like_pattern_list"]]
    if kind == "expect_column_values_to_match_like_pattern_list":
        return all(hits) if kwargs.get("match_on") == "all" else any(hits)
    return not any(hits)


def mostly_ok(considered: int, unexpected: int, mostly: float) -> bool:
    return considered == 0 or (considered - unexpected) / considered >= mostly
