"""sqlglot building blocks of the compiled checks: identifiers quoted by sqlglot, never formatted into text.

Every helper returns a sqlglot expression for the **active dialect** (``dialect()``: ``duckdb`` unless a
``with dialect_as("spark"):`` block says otherwise) and ``.sql(dialect())`` renders it. There is one compiler:
the rules (``conditions``, ``verdicts``) call these helpers and never name an engine; each helper that has
no common spelling writes the active dialect's own SQL. Transpiling finished DuckDB SQL to Spark is not
safe (issue 15): functions written as ``fn(name, ...)`` (``exp.Anonymous``) pass through sqlglot verbatim,
and some translations are silently wrong (sqlglot renders ``TRY_CAST`` as ``CAST`` for Spark; Java's ``$``
matches before a trailing newline). Under ``duckdb`` every helper builds exactly the tree it always built.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlglot import exp

from r57_pipelines.validation import rules

DIALECT = "duckdb"  # the default dialect (and DuckDB-only code: the GX adapter, quarantine)
DIALECTS = ("duckdb", "spark")
BASE = "t"  # alias of the validated table in every query

_ACTIVE: ContextVar[str] = ContextVar("r57_sql_dialect", default=DIALECT)


def dialect() -> str:
    """The dialect the helpers write (``duckdb`` unless inside ``dialect_as``)."""
    return _ACTIVE.get()


@contextmanager
def dialect_as(name: str) -> Iterator[str]:
    """Build (and render) the compiled checks for ``name`` inside the block."""
    if name not in DIALECTS:
        raise ValueError(f"dialect must be one of {DIALECTS}, got {name!r}")
    token = _ACTIVE.set(name)
    try:
        yield name
    finally:
        _ACTIVE.reset(token)


def spark() -> bool:
    return dialect() == "spark"


def render(e: exp.Expression) -> str:
    return e.sql(dialect())


LOAD_ORDER_COLUMN = "_r57_rowid"
"""Spark has no ``rowid``: ingest writes the load order (0, 1, ...) in this column; r57 hides it from the suites."""


def ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def column(name: str, alias: str | None = BASE, *, varchar: bool = False) -> exp.Column:
    col = exp.Column(this=ident(name), table=exp.to_identifier(alias) if alias else None)
    if varchar:
        col.meta["varchar"] = True
    return col


def typed_column(name: str, data_type: str | None) -> exp.Column:
    """A column of the validated table marked with what its type (DuckDB's name) means to the helpers: text
    used as it is, or an instant whose text must keep its offset (``text``)."""
    col = column(name, varchar=data_type == "VARCHAR")
    if (data_type or "").upper() in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        col.meta["timestamptz"] = True
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
    if spark() and isinstance(e, exp.Column) and e.meta.get("timestamptz"):
        # Spark's CAST(timestamp AS STRING) drops the offset (and TIMESTAMP_REGEX then rejects it, so a stale
        # delivery would pass the live check): write the instant with its offset, as DuckDB does.
        return fn("date_format", e, lit("yyyy-MM-dd HH:mm:ss.SSSSSSXXX"))
    return exp.Cast(this=e, to=exp.DataType.build("VARCHAR"))


def is_text(e: exp.Expression) -> bool:
    """Whether ``e`` is known to be text: a VARCHAR column, or a text function of one (normalised ...)."""
    return not isinstance(e, exp.Column) or bool(e.meta.get("varchar"))


def matches(e: exp.Expression, regex: str) -> exp.Expression:
    """``e`` contains a match of ``regex`` (RE2 syntax, as in ``rules``; a search, like ``re.search``)."""
    if spark():
        return exp.RegexpLike(this=e, expression=lit(java_regex(regex)))
    return fn("regexp_matches", e, lit(regex))


def replace_all(e: exp.Expression, regex: str, replacement: str) -> exp.Expression:
    """Every match of ``regex`` (RE2) in ``e`` replaced by the literal ``replacement``."""
    if spark():
        literal = replacement.replace("\\", "\\\\").replace("$", "\\$")  # Java: $n and \ are special
        return fn("regexp_replace", e, lit(java_regex(regex)), lit(literal))
    return fn("regexp_replace", e, lit(regex), lit(replacement), lit("g"))


RE2_SPACE = "\t\n\f\r "  # RE2's \s; Java's also holds \x0b
RE2_WORD = "0-9A-Za-z_"
RE2_DIGIT = "0-9"


def java_regex(regex: str) -> str:
    """An RE2 pattern (DuckDB) as a java.util.regex pattern (Spark's RLIKE, regexp_replace) with the same matches.

    Outside a class ``$`` becomes ``\\z`` (Java's ``$`` also matches before a final line terminator) and ``.``
    becomes ``[^\\n]`` unless the pattern sets ``(?s)`` (Java's ``.`` also refuses ``\\r``, U+0085, U+2028, U+2029);
    ``\\s``/``\\S``/``\\d``/``\\w`` are spelled as RE2's ASCII classes (Java's ``\\s`` holds ``\\x0b``). Inside a class
    ``[`` and ``&`` are escaped (Java reads nested classes and ``&&``)."""
    dotall = "(?s)" in regex
    out: list[str] = []
    in_class = False
    i = 0
    classes = {"s": RE2_SPACE, "d": RE2_DIGIT, "w": RE2_WORD}
    while i < len(regex):
        ch = regex[i]
        if ch == "\\" and i + 1 < len(regex):
            nxt = regex[i + 1]
            if nxt.lower() in classes:
                body = classes[nxt.lower()]
                if in_class:
                    if nxt.isupper():
                        raise ValueError(f"cannot translate \\{nxt} inside a class: {regex!r}")
                    out.append(body)
                else:
                    out.append(f"[{'^' if nxt.isupper() else ''}{body}]")
            else:
                out.append(ch + nxt)
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
                out.append(ch)
            elif ch in "[&":
                out.append("\\" + ch)
            else:
                out.append(ch)
        elif ch == "[":
            in_class = True
            if regex[i + 1 : i + 2] == "^":
                out.append("[^")
                i += 2
                if regex[i : i + 1] == "]":
                    out.append("\\]")
                    i += 1
                continue
            out.append("[")
            if regex[i + 1 : i + 2] == "]":
                out.append("\\]")
                i += 2
                continue
        elif ch == "$":
            out.append("\\z")
        elif ch == "." and not dotall:
            out.append("[^\\n]")
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def substr(e: exp.Expression, start: int, length: int) -> exp.Expression:
    return fn("substr", e, lit(start), lit(length))


def nfc(e: exp.Expression) -> exp.Expression:
    """Unicode NFC. Spark has no such function: ``r57_nfc`` is a vectorised Python (pandas) UDF registered on
    the session (``engines.register_spark_functions``)."""
    return fn("r57_nfc" if spark() else "nfc_normalize", e)


# DuckDB's trim() strips the Unicode space separators (Zs): measured on duckdb 2.0.0.
DUCKDB_TRIM_CHARS = (
    "\u0020\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)


def trim(e: exp.Expression) -> exp.Expression:
    """DuckDB's ``trim``: Spark's strips only U+0020, so it is told DuckDB's characters."""
    if spark():
        return exp.Trim(this=e, expression=lit(DUCKDB_TRIM_CHARS), position="BOTH")
    return fn("trim", e)


def try_cast(e: exp.Expression, to: str) -> exp.Expression:
    """NULL where ``e`` does not convert. (sqlglot renders a plain TryCast as CAST for Spark: ``safe``.)"""
    if spark():
        return exp.TryCast(this=e, to=exp.DataType.build(to), safe=True)
    return exp.TryCast(this=e, to=exp.DataType.build(to))


def struct(*parts: exp.Expression) -> exp.Expression:
    """A row value of ``parts`` (a compound key)."""
    return fn("struct" if spark() else "row", *parts)


def distinct_list(e: exp.Expression) -> exp.Expression:
    """The distinct non-NULL values of ``e`` (an aggregate)."""
    if spark():
        return fn("collect_set", e)
    return fn("list", exp.Distinct(expressions=[e]))


def list_contains(values: exp.Expression, e: exp.Expression) -> exp.Expression:
    return fn("array_contains" if spark() else "list_contains", values, e)


def type_name_is_text(e: exp.Expression) -> exp.Expression:
    """``typeof(e)`` names the engine's text type."""
    return exp.EQ(this=fn("typeof", e), expression=lit("string" if spark() else "VARCHAR"))


def load_order() -> exp.Expression:
    """The load order of a base table's rows (``rowid``; Spark: the column ingest writes)."""
    return exp.column(LOAD_ORDER_COLUMN if spark() else "rowid")


def normalise(e: exp.Expression) -> exp.Expression:
    """``rules.normalise`` in SQL: NFC, whitespace runs to one space, trimmed.

    ``regexp_replace(..., 'g')`` costs about 1 us a value, 30x a ``regexp_matches``: it only runs on values
    with messy whitespace (``rules.MESSY_WHITESPACE_REGEX``); on the others it would change nothing.
    """
    t = text(e)
    collapsed = trim(replace_all(nfc(t), f"{rules.WS}+", " "))
    return exp.Case().when(matches(t, rules.MESSY_WHITESPACE_REGEX), collapsed).else_(nfc(t))


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
            .when(iso, _strptime(t, "%Y-%m-%d"))
            .when(dmy, _strptime(t, "%d/%m/%Y"))
        )
        return exp.Cast(this=case, to=exp.DataType.build("DATE"))
    if as_type == "timestamp":
        if spark():
            return exp.Case().when(matches(t, rules.TIMESTAMP_REGEX), _spark_timestamp(t))
        return exp.Case().when(
            matches(t, rules.TIMESTAMP_REGEX), exp.TryCast(this=t, to=exp.DataType.build("TIMESTAMPTZ"))
        )
    if as_type == "number":
        return exp.Case().when(matches(t, rules.NUMBER_REGEX), try_cast(t, "DOUBLE"))
    raise ValueError(f"as_type must be one of {rules.PARSE_TYPES}, got {as_type!r}")


_SPARK_FORMATS = {"%Y-%m-%d": "yyyy-MM-dd", "%d/%m/%Y": "dd/MM/yyyy"}


def _strptime(t: exp.Expression, python_format: str) -> exp.Expression:
    """DuckDB's ``try_strptime``; Spark's ``try_to_timestamp`` with the same (fixed-width, regex-checked) format."""
    if spark():
        return fn("try_to_timestamp", t, lit(_SPARK_FORMATS[python_format]))
    return fn("try_strptime", t, lit(python_format))


def _spark_timestamp(t: exp.Expression) -> exp.Expression:
    """A ``TIMESTAMP_REGEX`` value as DuckDB's ``TRY_CAST(... AS TIMESTAMPTZ)`` reads it, in Spark.

    Spark's cast refuses what DuckDB accepts: no seconds (``10:00Z``) and hour 24 (``24:00:00``, DuckDB: the
    next day's 00:00). Both are rewritten first: seconds inserted, hour 24 read as 00 plus one day."""
    seconds = fn(
        "regexp_replace", t, lit("^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2})(Z|[+-])"), lit("$1T$2:00$3")
    )
    hour24 = exp.EQ(this=substr(seconds, 12, 2), expression=lit("24"))
    midnight = fn("concat", substr(seconds, 1, 11), lit("00"), fn("substr", seconds, lit(14)))
    plus_day = exp.Add(
        this=try_cast(midnight, "TIMESTAMP"), expression=exp.Interval(this=lit("1"), unit=exp.var("DAY"))
    )
    return exp.Case().when(hour24, plus_day).else_(try_cast(seconds, "TIMESTAMP"))


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
    if len(distinct) >= MAP_LOOKUP_MIN and not spark() and all(isinstance(v, str) for v in distinct) and is_text(e):
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
