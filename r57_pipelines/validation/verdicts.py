"""Aggregate and table expectations: what to compute in the shared pass, and GX's verdict on it.

The SQL part is one aggregate per value (``min``, ``avg``, ``quantile_disc``, ``histogram`` ...), added to the
table's single SELECT; the verdict is GX's own rule in Python (``Expectation._validate_metric_value_between``,
``expect_column_quantile_values_to_be_between._validate`` ...), so bounds, ``strict_min``/``strict_max``, ties
and empty columns behave as in GX.

Units for the scores: these checks have no failing rows, so ``element_count`` is 0 and a check passes whole
or not at all, except where the check has units of its own (columns asked for, the row count asked for,
values of a set that must all be present).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlglot import exp

from r57_pipelines.validation.sqlbuild import and_, distinct_list, fn, in_list, is_text, lit, not_, not_null, spark

if TYPE_CHECKING:
    from r57_pipelines.validation.outcome import ExpectationOutcome


def aggregates(kind: str, kwargs: Mapping[str, Any], c: exp.Expression) -> dict[str, exp.Expression]:
    """The aggregate expressions an aggregate expectation reads, by name."""
    one = {
        "expect_column_min_to_be_between": lambda: exp.Min(this=c),
        "expect_column_max_to_be_between": lambda: exp.Max(this=c),
        "expect_column_mean_to_be_between": lambda: exp.Avg(this=c),
        "expect_column_median_to_be_between": lambda: fn("median", c),
        "expect_column_sum_to_be_between": lambda: exp.Sum(this=c),
        "expect_column_stdev_to_be_between": lambda: fn("stddev_samp", c),
        "expect_column_unique_value_count_to_be_between": lambda: exp.Count(this=exp.Distinct(expressions=[c])),
    }
    if spark() and kind in _NOT_ON_SPARK:
        raise ValueError(f"{kind} is not compiled for Spark yet")
    if kind in one:
        return {"value": one[kind]()}
    if kind == "expect_column_proportion_of_unique_values_to_be_between":
        return {"distinct": exp.Count(this=exp.Distinct(expressions=[c])), "nonnull": exp.Count(this=c)}
    if kind == "expect_column_proportion_of_non_null_values_to_be_between":
        return {"nonnull": exp.Count(this=c), "rows": exp.Count(this=exp.Star())}
    if kind == "expect_column_quantile_values_to_be_between":
        quantiles = kwargs["quantile_ranges"]["quantiles"]
        ranges = kwargs["quantile_ranges"]["value_ranges"]
        if len(quantiles) != len(ranges):
            raise ValueError("quantile_ranges: quantiles and value_ranges differ in length")
        return {f"q{i}": fn("quantile_disc", c, lit(float(q))) for i, q in enumerate(quantiles)}
    if kind == "expect_column_most_common_value_to_be_in_set":
        return {"histogram": fn("histogram", c)}
    if kind.startswith("expect_column_distinct_values_to_"):
        return _distinct_aggregates(kind, kwargs, c)
    raise ValueError(f"{kind} is not an aggregate expectation")


# DuckDB's quantile_disc / histogram have no one-to-one Spark aggregate yet (percentile_disc ... WITHIN GROUP,
# a map of counts): such a check is not evaluated on Spark, with the reason, rather than answered differently.
_NOT_ON_SPARK = frozenset({"expect_column_quantile_values_to_be_between", "expect_column_most_common_value_to_be_in_set"})


def _distinct_list(c: exp.Expression, where: exp.Expression) -> exp.Expression:
    return exp.Filter(this=distinct_list(c), expression=exp.Where(this=where))


def _distinct_aggregates(kind: str, kwargs: Mapping[str, Any], c: exp.Expression) -> dict[str, exp.Expression]:
    """Distinct values against a set, compared in SQL as GX does (a DATE column against '2020-01-01' ...)."""
    values = kwargs.get("value_set")
    parts: dict[str, exp.Expression] = {}
    if kind != "expect_column_distinct_values_to_contain_set":
        parts["distinct"] = _distinct_list(c, not_null(c))  # the observed value
        if values is not None:
            # None is dropped, as GX's column-map in_set does (GX's distinct variant keeps it in NOT IN, where
            # it makes every value "in the set": tests/validation/test_gx_core_differential.py).
            present = [v for v in values if v is not None]
            outside = and_(not_null(c), not_(in_list(c, present))) if present else not_null(c)
            parts["outside"] = exp.Count(this=exp.Distinct(expressions=[exp.Case().when(outside, c)]))
    if kind != "expect_column_distinct_values_to_be_in_set" and values:
        if is_text(c) and all(isinstance(v, str) for v in values):
            # Text against text: the seen wanted values themselves (one MAP probe per row for 34 provinces).
            parts["seen"] = _distinct_list(c, in_list(c, values))
        else:
            # Any other type: which of the wanted values occur, by position, each compared by DuckDB.
            position = exp.Case()
            for index, value in enumerate(values):
                position = position.when(exp.EQ(this=c, expression=lit(value)), lit(index))
            parts["seen_positions"] = _distinct_list(position, not_null(position))
    return parts


def _missing(kwargs: Mapping[str, Any], values: Mapping[str, Any]) -> list[Any]:
    wanted = list(kwargs.get("value_set") or [])
    if "seen" in values:
        seen = set(values["seen"] or [])
        missing = [v for v in wanted if v not in seen]
    else:
        positions = set(values.get("seen_positions") or [])
        missing = [v for i, v in enumerate(wanted) if i not in positions]
    return sorted(set(missing), key=str) if all(v is not None for v in missing) else missing


def between(value: Any, kwargs: Mapping[str, Any]) -> bool:
    """GX's ``_validate_metric_value_between`` (no observed value, or NaN: not met)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    value = float(value) if isinstance(value, Decimal) else value
    low, high = _bound(value, kwargs.get("min_value")), _bound(value, kwargs.get("max_value"))
    above = True if low is None else (value > low if kwargs.get("strict_min") else value >= low)
    below = True if high is None else (value < high if kwargs.get("strict_max") else value <= high)
    return bool(above and below)


def _bound(value: Any, bound: Any) -> Any:
    """A bound as GX compares it: a text bound against a date or datetime is parsed (dateutil)."""
    if isinstance(bound, str) and isinstance(value, dt.date):
        from dateutil.parser import parse

        return parse(bound) if isinstance(value, dt.datetime) else parse(bound).date()
    return bound


def _quantile_in_range(value: Any, low: Any, high: Any) -> bool:
    if value is None:
        return False
    low = -math.inf if low is None else low
    high = math.inf if high is None else high
    value = float(value) if not isinstance(value, dt.date) else value
    if isinstance(value, float):
        return math.isclose(value, low, rel_tol=1e-4) or math.isclose(value, high, rel_tol=1e-4) or low <= value <= high
    return low <= value <= high


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def aggregate_outcome(t: Any, e: Mapping[str, Any], kwargs: Mapping[str, Any], values: Mapping[str, Any]) -> ExpectationOutcome:
    kind = e["type"]
    if "value" in values:
        value = values["value"]
        return t.outcome(e, 0, 0, between(value, kwargs), _json(value))
    if kind == "expect_column_proportion_of_unique_values_to_be_between":
        nonnull = values["nonnull"] or 0
        proportion = (values["distinct"] or 0) / nonnull if nonnull else 0.0
        return t.outcome(e, 0, 0, between(proportion, kwargs), proportion)
    if kind == "expect_column_proportion_of_non_null_values_to_be_between":
        rows = values["rows"] or 0
        proportion = (values["nonnull"] or 0) / rows if rows else 0.0
        return t.outcome(e, 0, 0, between(proportion, kwargs), proportion)
    if kind == "expect_column_quantile_values_to_be_between":
        ranges = kwargs["quantile_ranges"]
        observed = [values[f"q{i}"] for i in range(len(ranges["quantiles"]))]
        success = all(_quantile_in_range(v, low, high) for v, (low, high) in zip(observed, ranges["value_ranges"]))
        return t.outcome(e, 0, 0, success, {"quantiles": ranges["quantiles"], "values": _json(observed)})
    if kind == "expect_column_most_common_value_to_be_in_set":
        counts = values["histogram"] or {}
        top = max(counts.values(), default=0)
        modes = sorted((v for v, n in counts.items() if n == top), key=str) if top else []
        hits = len(set(kwargs.get("value_set") or []) & set(modes))
        success = hits > 0 if kwargs.get("ties_okay") else (len(modes) == 1 and hits == 1)
        return t.outcome(e, 0, 0, success, _json(modes))
    if kind == "expect_column_distinct_values_to_contain_set":
        # r57's units: the values asked for (province coverage: 33 of 34 scores 97%).
        missing = _missing(kwargs, values)
        wanted = len(set(kwargs.get("value_set") or []))
        return t.outcome(e, wanted, len(missing), not missing, {"missing": _json(missing)})
    observed = _json(sorted(values["distinct"] or [], key=str))
    outside = values.get("outside") or 0
    if kind == "expect_column_distinct_values_to_be_in_set":
        return t.outcome(e, 0, 0, outside == 0, observed)
    return t.outcome(e, 0, 0, outside == 0 and not _missing(kwargs, values), observed)  # _to_equal_set


def table_outcome(t: Any, e: Mapping[str, Any], kwargs: Mapping[str, Any], rows: int, other_rows: int | None = None) -> ExpectationOutcome:
    kind = e["type"]
    columns = list(t.types)
    if kind == "expect_table_row_count_to_be_between":
        # Units: the rows asked for (a shortfall of 10% scores 90%).
        wanted = int(kwargs.get("min_value") or 0)
        return t.outcome(e, wanted, max(0, wanted - rows), between(rows, kwargs), rows)
    if kind == "expect_table_row_count_to_equal":
        return t.outcome(e, 0, 0, rows == gx_int(kwargs["value"], "value"), rows)
    if kind == "expect_table_row_count_to_equal_other_table":
        if other_rows is None:
            raise ValueError(f"other table {kwargs['other_table_name']!r} not found")
        return t.outcome(e, 0, 0, rows == other_rows, {"self": rows, "other": other_rows})
    if kind == "expect_table_column_count_to_be_between":
        return t.outcome(e, 0, 0, between(len(columns), kwargs), len(columns))
    if kind == "expect_table_column_count_to_equal":
        return t.outcome(e, 0, 0, len(columns) == gx_int(kwargs["value"], "value"), len(columns))
    if kind == "expect_table_columns_to_match_ordered_list":
        if kwargs.get("column_list") is None:  # GX: no list asked for is vacuously true
            return t.outcome(e, 0, 0, True, columns)
        wanted = list(kwargs["column_list"])
        actual = [c.casefold() for c in columns]
        return t.outcome(e, 0, 0, actual == [str(c).casefold() for c in wanted], columns)
    if kind == "expect_table_columns_to_match_set":
        # Units: the columns asked for. GX's default is an exact match (extra columns fail too).
        wanted = list(kwargs["column_set"] or [])
        missing = sorted(c for c in wanted if t.resolve(c) is None)
        folded = {str(c).casefold() for c in wanted}
        extra = [c for c in columns if c.casefold() not in folded]
        success = not missing and (not extra or kwargs.get("exact_match", True) is False)
        observed: dict[str, Any] = {"missing": missing}
        if extra:
            observed["unexpected"] = extra
        return t.outcome(e, len(wanted), len(missing), success, observed)
    if kind == "expect_column_to_exist":
        actual = t.resolve(kwargs["column"])
        success = actual is not None
        if success and kwargs.get("column_index") is not None:
            success = columns.index(actual) == int(kwargs["column_index"])
        return t.outcome(e, 0, 0, success, columns)
    if kind in ("expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"):
        actual = t.resolve(kwargs["column"])
        if actual is None:
            raise ValueError(f"column {kwargs['column']!r} not found")
        wanted = [kwargs["type_"]] if kind == "expect_column_values_to_be_of_type" else kwargs.get("type_list")
        observed, success = column_type_verdict(t.types[actual], wanted)
        return t.outcome(e, 0, 0, success, observed)
    raise ValueError(f"{kind} is not a table expectation")


def gx_int(value: Any, name: str) -> int:
    """A kwarg GX declares ``int`` (pydantic v1 coercion: ``5.0`` and ``"5"`` are 5; ``"hello"`` is refused)."""
    if isinstance(value, bool | int):
        return int(value)
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise TypeError(f"{name}: {value!r} is not a valid integer")


def column_type_verdict(duckdb_type: str, wanted: list[str] | None) -> tuple[str, bool]:
    """GX on SQL: the column's SQLAlchemy type (as duckdb-engine reflects it) is an instance of a named type.

    ``observed_value`` is the reflected type's class name, as GX reports it.
    """
    import sqlalchemy
    from duckdb_engine.datatypes import ISCHEMA_NAMES
    from sqlalchemy.dialects.postgresql.base import ischema_names as pg_names

    base = duckdb_type.split("(")[0].strip().lower()
    type_class = {**pg_names, **ISCHEMA_NAMES}.get(base, sqlalchemy.types.NullType)
    observed = type_class.__name__
    if wanted is None:
        return observed, True
    classes = tuple(c for c in (getattr(sqlalchemy, name, None) for name in wanted) if isinstance(c, type))
    return observed, bool(classes) and issubclass(type_class, classes)
