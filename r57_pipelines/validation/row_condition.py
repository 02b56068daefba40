"""GX's ``row_condition`` as a sqlglot predicate: the rows an expectation looks at.

GX 1.x accepts two spellings on SQL engines, and so does r57:

* a string with ``condition_parser: "great_expectations"`` (one condition: ``col("age")>=18``,
  ``col("sex")=="Nam"``, ``col("x").notnull()``, ``col("d")>date("2025-01-01")``), GX's legacy grammar
  (``great_expectations/expectations/legacy_row_conditions.py``);
* a serialised ``Condition`` (``{"type": "comparison", "column": {"name": ...}, "operator": ">=",
  "parameter": 18}``, ``nullity``, ``and`` / ``or`` of ``conditions``), what ``gx.Column("age") >= 18`` saves.

Anything else (pandas/Spark query strings) is an error GX raises on SQL too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlglot import exp

from r57_pipelines.validation.sqlbuild import and_, is_null, lit, not_, not_null, or_

PARSERS = ("great_expectations", "great_expectations__experimental__")

_OPS = {"==": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
_VALUE_CHARS = r"[^\"']+"
_LEGACY = re.compile(
    r"""^\s*col\("(?P<column>[^"]*)"\)\s*(?:
        (?P<notnull>\.notnull\(\))
      | (?P<op>>=|<=|==|!=|>|<)\s*(?:
            (?P<number>[+-]?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
          | "(?P<dq>%s)" | '(?P<sq>%s)'
          | date\(\s*(?:"(?P<ddq>%s)"|'(?P<dsq>%s)')\s*\)
        )
    )\s*$"""
    % ((_VALUE_CHARS,) * 4),
    re.VERBOSE | re.IGNORECASE,
)


class RowConditionError(ValueError):
    pass


def row_condition(kwargs: Mapping[str, Any], column: Any) -> exp.Expression | None:
    """The predicate of ``kwargs["row_condition"]`` or None; ``column(name)`` builds a column reference."""
    condition = kwargs.get("row_condition")
    if condition in (None, ""):
        return None
    if isinstance(condition, Mapping):
        return _from_condition(condition, column)
    if isinstance(condition, str):
        parser = kwargs.get("condition_parser")
        if parser not in PARSERS:
            raise RowConditionError(
                f"row_condition {condition!r} needs condition_parser 'great_expectations' on SQL engines "
                f"(got {parser!r})"
            )
        return _from_legacy(condition, column)
    raise RowConditionError(f"row_condition must be a string or a condition object, got {type(condition).__name__}")


def _from_legacy(text: str, column: Any) -> exp.Expression:
    m = _LEGACY.match(text)
    if not m:
        raise RowConditionError(f"unrecognised row_condition {text!r} (e.g. col(\"age\")>=18, col(\"x\").notnull())")
    c = column(m["column"])
    if m["notnull"]:
        return not_null(c)
    if m["number"] is not None:
        number = m["number"]
        value: Any = int(number) if number.isdigit() else float(number)
    else:
        value = next(v for v in (m["dq"], m["sq"], m["ddq"], m["dsq"]) if v is not None)
    return _OPS[m["op"]](this=c, expression=lit(value))


def _from_condition(condition: Mapping[str, Any], column: Any) -> exp.Expression:
    kind = condition.get("type")
    if kind in ("and", "or"):
        parts = [_from_condition(c, column) for c in condition.get("conditions") or []]
        if not parts:
            raise RowConditionError(f"an {kind!r} row_condition needs conditions")
        return and_(*parts) if kind == "and" else or_(*parts)
    name = (condition.get("column") or {}).get("name")
    if not isinstance(name, str):
        raise RowConditionError(f"row_condition {dict(condition)!r} names no column")
    c = column(name)
    if kind == "nullity":
        return is_null(c) if condition.get("is_null") else not_null(c)
    if kind == "comparison":
        op, parameter = condition.get("operator"), condition.get("parameter")
        if op in ("IN", "NOT_IN"):
            inside = exp.In(this=c, expressions=[lit(v) for v in parameter])
            return inside if op == "IN" else not_(inside)
        if op not in _OPS:
            raise RowConditionError(f"unknown row_condition operator {op!r}")
        return _OPS[op](this=c, expression=lit(parameter))
    raise RowConditionError(f"unknown row_condition type {kind!r} (pass-through conditions are pandas/Spark only)")


def columns_of(kwargs: Mapping[str, Any]) -> list[str]:
    """The column names a row_condition reads (to check they exist)."""
    names: list[str] = []
    row_condition(kwargs, lambda name: names.append(name) or exp.column(name))
    return names
