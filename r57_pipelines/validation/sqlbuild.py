"""sqlglot building blocks of the compiled checks: identifiers quoted by sqlglot, never formatted into text.

Every helper returns a sqlglot expression; ``.sql("duckdb")`` renders it. DuckDB-only functions are written
as ``fn(name, ...)`` (``exp.Anonymous``) so sqlglot passes them through verbatim.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from r57_pipelines.validation import rules

DIALECT = "duckdb"
BASE = "t"  # alias of the validated table in every query


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def column(name: str, alias: str | None = BASE, *, varchar: bool = False) -> exp.Column:
    col = exp.Column(this=ident(name), table=exp.to_identifier(alias) if alias else None)
    if varchar:
        col.meta["varchar"] = True
    return col


def table_ref(schema: str, table: str, alias: str | None = BASE) -> exp.Table:
    return exp.Table(
        this=ident(table), db=ident(schema), alias=exp.TableAlias(this=exp.to_identifier(alias)) if alias else None
    )


def lit(value: Any) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(repr(float(value)) if isinstance(value, float) else str(value))
    return exp.Literal.string(str(value))


def fn(name: str, *args: exp.Expression) -> exp.Expression:
    """A DuckDB function call written verbatim (sqlglot must not translate DuckDB-only functions)."""
    return exp.Anonymous(this=name, expressions=list(args))


def paren(e: exp.Expression) -> exp.Paren:
    return exp.Paren(this=e)


def and_(*parts: exp.Expression) -> exp.Expression:
    parts = tuple(p for p in parts if p is not None)
    if not parts:
        return exp.true()
    result = paren(parts[0])
    for p in parts[1:]:
        result = exp.And(this=result, expression=paren(p))
    return result


def or_(*parts: exp.Expression) -> exp.Expression:
    result = paren(parts[0])
    for p in parts[1:]:
        result = exp.Or(this=result, expression=paren(p))
    return result


def not_(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=paren(e))


def is_null(e: exp.Expression) -> exp.Expression:
    return exp.Is(this=e, expression=exp.Null())


def not_null(e: exp.Expression) -> exp.Expression:
    return exp.Not(this=is_null(e))


def text(e: exp.Expression) -> exp.Expression:
    """``e`` as text. Columns known to be VARCHAR (``meta["varchar"]``) are used as they are, so that the
    same column is spelled the same way in every rule and DuckDB computes shared parts once."""
    if isinstance(e, exp.Column) and e.meta.get("varchar"):
        return e
    return exp.Cast(this=e, to=exp.DataType.build("VARCHAR"))


def is_text(e: exp.Expression) -> bool:
    """Whether ``e`` is known to be text: a VARCHAR column, or a text function of one (normalised ...)."""
    return not isinstance(e, exp.Column) or bool(e.meta.get("varchar"))


def matches(e: exp.Expression, regex: str) -> exp.Expression:
    return fn("regexp_matches", e, lit(regex))


def substr(e: exp.Expression, start: int, length: int) -> exp.Expression:
    return fn("substr", e, lit(start), lit(length))


def normalise(e: exp.Expression) -> exp.Expression:
    """``rules.normalise`` in SQL: NFC, whitespace runs to one space, trimmed.

    ``regexp_replace(..., 'g')`` costs about 1 us a value, 30x a ``regexp_matches``: it only runs on values
    with messy whitespace (``rules.MESSY_WHITESPACE_REGEX``); on the others it would change nothing.
    """
    t = text(e)
    collapsed = fn("trim", fn("regexp_replace", fn("nfc_normalize", t), lit(f"{rules.WS}+"), lit(" "), lit("g")))
    return exp.Case().when(matches(t, rules.MESSY_WHITESPACE_REGEX), collapsed).else_(fn("nfc_normalize", t))


def normalise_key(e: exp.Expression) -> exp.Expression:
    return fn("lower", normalise(e))


def parsed(e: exp.Expression, as_type: str) -> exp.Expression:
    """The value parsed as ``as_type`` (``rules``), NULL when it does not parse."""
    t = text(e)
    if as_type == "date":
        iso = and_(matches(t, rules.DATE_ISO_REGEX), exp.NEQ(this=substr(t, 1, 4), expression=lit("0000")))
        dmy = and_(matches(t, rules.DATE_DMY_REGEX), exp.NEQ(this=substr(t, 7, 4), expression=lit("0000")))
        case = (
            exp.Case()
            .when(iso, fn("try_strptime", t, lit("%Y-%m-%d")))
            .when(dmy, fn("try_strptime", t, lit("%d/%m/%Y")))
        )
        return exp.Cast(this=case, to=exp.DataType.build("DATE"))
    if as_type == "timestamp":
        return exp.Case().when(
            matches(t, rules.TIMESTAMP_REGEX), exp.TryCast(this=t, to=exp.DataType.build("TIMESTAMPTZ"))
        )
    if as_type == "number":
        return exp.Case().when(matches(t, rules.NUMBER_REGEX), exp.TryCast(this=t, to=exp.DataType.build("DOUBLE")))
    raise ValueError(f"as_type must be one of {rules.PARSE_TYPES}, got {as_type!r}")


def bound(value: Any, as_type: str) -> exp.Expression:
    if as_type == "number":
        return exp.Cast(this=lit(float(value)), to=exp.DataType.build("DOUBLE"))
    value_text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    rules.parse_bound(value_text, as_type)
    return exp.Cast(this=lit(value_text), to=exp.DataType.build("DATE" if as_type == "date" else "TIMESTAMPTZ"))


MAP_LOOKUP_MIN = 8


def in_list(e: exp.Expression, values: Sequence[Any]) -> exp.Expression:
    """``e IN (values)``; for longer lists of strings a constant MAP lookup (a hash probe instead of one
    comparison per value: the 50 placeholders cost 0.15 s per million values less). Callers only use it
    where ``e`` is not NULL, where both spellings agree. Only text is looked up in the MAP: a DATE or
    number column compared with text values must go through ``IN``, where DuckDB casts the literals to
    the column's type (as GX's SQL does), not the column to text. ``None`` is SQL NULL."""
    distinct = sorted(set(values), key=str)
    if len(distinct) >= MAP_LOOKUP_MIN and all(isinstance(v, str) for v in distinct) and is_text(e):
        return fn("map_contains", const_map(dict.fromkeys(distinct, True)), e)
    return exp.In(this=e, expressions=[lit(v) for v in values])


def const_map(mapping: dict[str, Any]) -> exp.Expression:
    """A constant DuckDB MAP(VARCHAR, ...) written as one JSON literal cast to a MAP (DuckDB folds the cast
    once per query). One literal instead of two arrays of thousands of nodes: the 3,321 communes cost
    sqlglot milliseconds to copy and render instead of seconds."""
    value_type = "BOOLEAN" if all(isinstance(v, bool) for v in mapping.values()) else "VARCHAR"
    as_json = exp.Cast(this=lit(json.dumps(mapping, ensure_ascii=False)), to=exp.DataType.build("JSON"))
    return exp.Cast(this=as_json, to=exp.DataType.build(f"MAP(VARCHAR, {value_type})", dialect=DIALECT))


def count_if(condition: exp.Expression) -> exp.Expression:
    return fn("count_if", condition)
