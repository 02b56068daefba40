"""The fast path: a table's GX suite compiled to DuckDB SQL, every count from one pass over the table.

``validate_table`` turns each expectation of a suite (the same JSON that GX runs) into aggregate
expressions (``count_if``, ``count(DISTINCT ...)``, ``list(DISTINCT ...) FILTER``) and evaluates all of
them in **one SELECT** over the table. Master-data rules (existence and agreement with the population
register) need the master table: they are answered by **one LEFT JOIN query** per table, against the
master keys pre-aggregated to one row per key (so the join never multiplies rows).

All SQL is built as sqlglot expressions: identifiers from deliveries and contracts are quoted by sqlglot,
never formatted into strings. Conditions mean exactly what the GX custom expectations mean
(``custom_expectations``; both take patterns from ``rules``), and the counting conventions are GX's
(``outcome``): tests/validation/test_differential.py runs every expectation type through both paths.

A missing contract column fails its *sufficient* expectations with every row unexpected (never an
exception) and leaves its other expectations not evaluated; a table that was not delivered fails
``columns_present`` and leaves its other expectations not evaluated (``success=None``, counts 0); so
does a missing master table for the master-data rules.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from r57_pipelines.registry import Database
from r57_pipelines.validation import rules
from r57_pipelines.validation.outcome import ExpectationOutcome, make_outcome, mostly_success, not_evaluated

DIALECT = "duckdb"
BASE = "t"  # alias of the validated table in every query

COLUMN_MAP_TYPES = frozenset(
    {
        "expect_column_values_to_not_be_blank",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_valid_vn_tax_code",
        "expect_column_values_to_be_parseable",
        "expect_column_parsed_values_to_be_between",
        "expect_column_values_to_be_nfc",
        "expect_column_nfc_values_to_not_match_regex",
        "expect_column_stripped_values_to_match_regex",
        "expect_column_values_to_not_be_placeholder",
        "expect_column_values_to_exist_in_other_table",
    }
)
MULTICOLUMN_MAP_TYPES = frozenset(
    {
        "expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year",
        "expect_multicolumn_values_to_agree_with_other_table",
    }
)
DUPLICATE_TYPES = frozenset({"expect_compound_columns_to_have_no_duplicates"})
TABLE_TYPES = frozenset(
    {
        "expect_table_columns_to_match_set",
        "expect_table_row_count_to_be_between",
        "expect_column_distinct_values_to_contain_set",
    }
)
MASTER_TYPES = frozenset(
    {"expect_column_values_to_exist_in_other_table", "expect_multicolumn_values_to_agree_with_other_table"}
)
ROW_LEVEL_TYPES = COLUMN_MAP_TYPES | MULTICOLUMN_MAP_TYPES | DUPLICATE_TYPES
SUPPORTED_TYPES = ROW_LEVEL_TYPES | TABLE_TYPES
# Map expectations that judge NULLs too (GX: filter_column_isnull = False).
_NULLS_JUDGED = frozenset({"expect_column_values_to_not_be_blank", "expect_column_values_to_not_be_null"})


# ---------------------------------------------------------------------------------------------------
# sqlglot building blocks
# ---------------------------------------------------------------------------------------------------


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
    where ``e`` is not NULL, where both spellings agree."""
    distinct = sorted(set(values), key=str)
    if len(distinct) >= MAP_LOOKUP_MIN and all(isinstance(v, str) for v in distinct):
        keys = exp.Array(expressions=[lit(v) for v in distinct])
        flags = exp.Array(expressions=[exp.true() for _ in distinct])
        return fn("map_contains", fn("map", keys, flags), e)
    return exp.In(this=e, expressions=[lit(v) for v in values])


def _master_keys(kwargs: Mapping[str, Any], key: str) -> exp.Select:
    other = table_ref(kwargs["other_schema"], kwargs["other_table"], alias=None)
    return exp.select(column(kwargs[key], None)).from_(other).where(not_null(column(kwargs[key], None)))


# ---------------------------------------------------------------------------------------------------
# Row conditions: the "expected" predicate of every row-level expectation (GX: the condition partial)
# ---------------------------------------------------------------------------------------------------


def _tax_code_valid(c: exp.Expression) -> exp.Expression:
    t = text(c)
    digits = [exp.TryCast(this=substr(t, i + 1, 1), to=exp.DataType.build("INTEGER")) for i in range(10)]
    weighted: exp.Expression = lit(0)
    for w, d in zip(rules.TAX_CODE_WEIGHTS, digits):
        weighted = exp.Add(this=weighted, expression=exp.Mul(this=lit(w), expression=d))
    check = exp.Sub(this=lit(10), expression=paren(exp.Mod(this=paren(weighted), expression=lit(11))))
    well_formed = and_(
        matches(t, rules.TAX_CODE_FULL_REGEX),
        exp.NEQ(this=substr(t, 3, 7), expression=lit("0000000")),
        exp.NEQ(this=exp.Coalesce(this=substr(t, 12, 3), expressions=[lit("")]), expression=lit("000")),
    )
    # The last digit is 0-9, so it never equals a check value of 10 ("no valid code"): no separate test.
    return exp.Case().when(well_formed, exp.EQ(this=digits[9], expression=check)).else_(exp.false())


def _personal_id_agrees(cols: Sequence[exp.Expression], kwargs: Mapping[str, Any]) -> exp.Expression:
    pid, sex, birth = cols
    male, female = kwargs.get("male_value", rules.SEX_VALUES[0]), kwargs.get("female_value", rules.SEX_VALUES[1])
    p, b = text(pid), text(birth)
    sex_n = normalise(sex)
    born = parsed(birth, "date")
    judged = and_(matches(p, rules.PERSONAL_ID_FULL_REGEX), in_list(sex_n, [male, female]), not_null(born))
    # A parsed date's year is the text's 4 digits (ISO first, as in parsed()).
    year = exp.Case().when(matches(b, rules.DATE_ISO_REGEX), substr(b, 1, 4)).else_(substr(b, 7, 4))
    base = exp.Case(this=substr(year, 1, 2))
    for century, digit in (("19", 0), ("20", 2), ("21", 4)):
        base = base.when(lit(century), lit(digit))
    is_female = exp.Case().when(exp.EQ(this=sex_n, expression=lit(female)), lit(1)).else_(lit(0))
    expected = exp.Add(this=base, expression=is_female)
    agrees = and_(
        exp.EQ(this=exp.TryCast(this=substr(p, 4, 1), to=exp.DataType.build("INTEGER")), expression=expected),
        exp.EQ(this=substr(p, 5, 2), expression=substr(year, 3, 2)),
    )
    return or_(not_(judged), exp.Coalesce(this=agrees, expressions=[exp.false()]))


def _master_agrees(cols: Sequence[exp.Expression], kwargs: Mapping[str, Any]) -> exp.Expression:
    key, value = cols
    other = table_ref(kwargs["other_schema"], kwargs["other_table"], alias=None)
    okey, ocol = column(kwargs["other_key"], None), column(kwargs["other_column"], None)
    pairs = exp.select(okey, normalise_key(ocol)).from_(other).where(and_(not_null(okey), not_null(ocol)))
    known = exp.In(this=key, query=_master_keys(kwargs, "other_key").subquery())
    agrees = exp.In(this=exp.Tuple(expressions=[key, normalise_key(value)]), query=pairs.subquery())
    return or_(not_(known), agrees)


def expected_condition(kind: str, kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    """The predicate a row must satisfy (resolved kwargs; ``cols`` in the expectation's column order)."""
    c = cols[0]
    if kind == "expect_column_values_to_not_be_blank":
        return and_(not_null(c), not_(matches(text(c), rules.BLANK_REGEX)))
    if kind == "expect_column_values_to_not_be_null":
        return not_null(c)
    if kind == "expect_column_values_to_match_regex":
        return matches(c, kwargs["regex"])
    if kind == "expect_column_values_to_not_match_regex":
        return not_(matches(c, kwargs["regex"]))
    if kind == "expect_column_values_to_be_in_set":
        return in_list(c, kwargs["value_set"])
    if kind == "expect_column_values_to_not_be_in_set":
        return not_(in_list(c, kwargs["value_set"]))
    if kind == "expect_column_values_to_be_valid_vn_tax_code":
        return _tax_code_valid(c)
    if kind == "expect_column_values_to_be_parseable":
        return not_null(parsed(c, kwargs["as_type"]))
    if kind == "expect_column_parsed_values_to_be_between":
        value = parsed(c, kwargs["as_type"])
        within = []
        if kwargs.get("min_value") is not None:
            within.append(exp.GTE(this=value, expression=bound(kwargs["min_value"], kwargs["as_type"])))
        if kwargs.get("max_value") is not None:
            within.append(exp.LTE(this=value, expression=bound(kwargs["max_value"], kwargs["as_type"])))
        return or_(is_null(value), and_(exp.true(), *within))
    if kind == "expect_column_values_to_be_nfc":
        return exp.EQ(this=fn("nfc_normalize", text(c)), expression=text(c))
    if kind == "expect_column_nfc_values_to_not_match_regex":
        return not_(matches(fn("nfc_normalize", text(c)), kwargs["regex"]))
    if kind == "expect_column_stripped_values_to_match_regex":
        stripped = fn("regexp_replace", text(c), lit(kwargs["strip_regex"]), lit(""), lit("g"))
        return matches(stripped, kwargs["regex"])
    if kind == "expect_column_values_to_not_be_placeholder":
        return not_(in_list(normalise_key(c), kwargs["value_set"]))
    if kind == "expect_column_values_to_exist_in_other_table":
        return exp.In(this=c, query=_master_keys(kwargs, "other_column").subquery())
    if kind == "expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year":
        return _personal_id_agrees(cols, kwargs)
    if kind == "expect_multicolumn_values_to_agree_with_other_table":
        return _master_agrees(cols, kwargs)
    raise ValueError(f"{kind} is not a row-level expectation")


def row_filter(kind: str, kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    """Rows judged at all (GX: NULLs skipped for column maps, ``ignore_row_if`` for multicolumn maps)."""
    if kind in _NULLS_JUDGED:
        return exp.true()
    if kind in COLUMN_MAP_TYPES:
        return not_null(cols[0])
    ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
    if ignore == "any_value_is_missing":
        return and_(*[not_null(c) for c in cols])
    if ignore == "all_values_are_missing":
        return or_(*[not_null(c) for c in cols])
    if ignore == "never":
        return exp.true()
    raise ValueError(f"unknown ignore_row_if {ignore!r}")


def expectation_columns(expectation: Mapping[str, Any]) -> list[str]:
    kwargs = expectation["kwargs"]
    if "column_list" in kwargs:
        return list(kwargs["column_list"])
    if "column" in kwargs:
        return [kwargs["column"]]
    return []


def failing_rows_sql(
    schema: str,
    table: str,
    expectation: Mapping[str, Any],
    available_columns: set[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> exp.Select:
    """A sqlglot SELECT of the full rows (every column) that fail one row-level expectation.

    Duplicates: the rows beyond the first of each key group, the first being the lowest ``rowid`` (the
    order of loading). Where a column the rule needs is missing, every row is returned. Table-level
    expectations have no failing rows: ValueError. Render with ``.sql("duckdb")``.
    """
    kind = expectation["type"]
    if kind not in ROW_LEVEL_TYPES:
        raise ValueError(f"{kind} is table-level: it has no failing rows")
    kwargs = resolve_kwargs(expectation["kwargs"], parameters or {})
    names = expectation_columns(expectation)
    select = exp.select(exp.Star()).from_(table_ref(schema, table))
    if available_columns is not None and not set(names) <= set(available_columns):
        return select
    cols = [column(n) for n in names]
    if kind in DUPLICATE_TYPES:
        keys = [normalise_key(c) if kwargs.get("normalize") else c for c in cols]
        rank = exp.Window(
            this=exp.RowNumber(),
            partition_by=keys,
            order=exp.Order(expressions=[exp.Ordered(this=column("rowid"))]),
        )
        return select.where(and_(*[not_null(c) for c in cols])).qualify(exp.GT(this=rank, expression=lit(1)))
    return select.where(and_(row_filter(kind, kwargs, cols), not_(expected_condition(kind, kwargs, cols))))


# ---------------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------------


class MissingParameterError(KeyError):
    pass


def resolve_kwargs(value: Any, parameters: Mapping[str, Any]) -> Any:
    """Replace every ``{"$PARAMETER": name}`` with its value (GX suite-parameter semantics)."""
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            name = value["$PARAMETER"]
            if name not in parameters:
                raise MissingParameterError(f"suite parameter {name!r} was not given")
            return parameters[name]
        return {k: resolve_kwargs(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_kwargs(v, parameters) for v in value]
    return value


def parameters_for_table(parameters: Mapping[str, Any], table: str) -> dict[str, Any]:
    """Parameters with per-table values picked: ``min_rows`` may be an int or ``{table: int}``."""
    resolved = dict(parameters)
    for name, value in parameters.items():
        if isinstance(value, Mapping):
            resolved[name] = value.get(table, 0 if name == "min_rows" else None)
    for name, value in list(resolved.items()):
        if isinstance(value, dt.datetime | dt.date):
            resolved[name] = value.isoformat()
    return resolved


# ---------------------------------------------------------------------------------------------------
# The one pass
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Aggregates of one SELECT, deduplicated by their SQL text, and how to read each outcome."""

    aggregates: dict[str, exp.Expression] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def add(self, expression: exp.Expression) -> str:
        key = expression.sql(DIALECT)
        if key not in self.names:
            alias = f"a{len(self.names)}"
            self.names[key] = alias
            self.aggregates[alias] = expression
        return self.names[key]

    def select(self, source: exp.Expression, joins: Sequence[exp.Join] = ()) -> exp.Select:
        # No hand-made common-subexpression pass: DuckDB already computes an expression that occurs in
        # several aggregates once per row (measured), as long as it is spelled identically.
        query = exp.select(*[e.as_(alias) for alias, e in self.aggregates.items()]).from_(source)
        for join in joins:
            query = query.join(join)
        return query


def count_if(condition: exp.Expression) -> exp.Expression:
    return fn("count_if", condition)


def table_column_types(con: Any, schema: str, table: str) -> dict[str, str] | None:
    """The table's columns and their DuckDB types, in order, or None when the table does not exist."""
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
        "ORDER BY ordinal_position",
        [schema, table],
    ).fetchall()
    return {name: data_type for name, data_type in rows} or None


def table_columns(con: Any, schema: str, table: str) -> list[str] | None:
    """The table's columns in order, or None when the table does not exist."""
    types = table_column_types(con, schema, table)
    return list(types) if types is not None else None


def _map_success(kwargs: Mapping[str, Any], element: int, considered: int, unexpected: int, kind: str) -> bool:
    mostly = float(kwargs.get("mostly", 1.0))
    if kind in _NULLS_JUDGED:
        return element == 0 or (element - unexpected) / element >= mostly
    if element == 0:
        return True
    return mostly_success(considered, unexpected, mostly)


def _share(unexpected: int, considered: int) -> float | None:
    return round(unexpected / considered, 6) if considered else None


def validate_table(
    con: Any,
    schema: str,
    table: str,
    suite: Mapping[str, Any],
    parameters: Mapping[str, Any],
    *,
    database_id: str | None = None,
) -> list[ExpectationOutcome]:
    """Validate ``schema.table`` against a suite: one aggregate query (+ one master join query)."""
    database_id = database_id or schema.removeprefix("raw_")
    params = parameters_for_table(parameters, table)
    expectations = suite["expectations"]
    for e in expectations:
        if e["type"] not in SUPPORTED_TYPES:
            raise ValueError(f"{suite['name']}: the one-pass validator does not know {e['type']}")
    types = table_column_types(con, schema, table)
    if types is None:
        return [_table_missing(database_id, schema, table, e) for e in expectations]
    present = set(types)

    def col(name: str) -> exp.Column:
        return column(name, varchar=types.get(name) == "VARCHAR")

    plan = _Plan()
    rows_alias = plan.add(exp.Count(this=exp.Star()))
    readers: list[Callable[[dict[str, Any]], ExpectationOutcome]] = []
    master: list[tuple[int, dict[str, Any]]] = []

    for index, e in enumerate(expectations):
        kind = e["type"]
        kwargs = resolve_kwargs(e["kwargs"], params)
        names = expectation_columns(e)
        missing = [n for n in names if n not in present]
        resolved = {**e, "kwargs": kwargs}  # outcomes keep the concrete values
        if kind == "expect_table_columns_to_match_set":
            lacking = sorted(set(kwargs["column_set"]) - present)
            outcome = make_outcome(
                database_id, schema, table, resolved, len(kwargs["column_set"]), len(lacking), not lacking, {"missing": lacking}
            )
            readers.append(lambda r, o=outcome: o)
        elif missing:
            readers.append(_missing_columns_reader(database_id, schema, table, resolved, kwargs, missing, rows_alias))
        elif kind == "expect_table_row_count_to_be_between":
            readers.append(_row_count_reader(database_id, schema, table, resolved, kwargs, rows_alias))
        elif kind == "expect_column_distinct_values_to_contain_set":
            c = col(names[0])
            seen = plan.add(
                exp.Filter(
                    this=fn("list", exp.Distinct(expressions=[c])),
                    expression=exp.Where(this=in_list(c, kwargs["value_set"])),
                )
            )
            readers.append(_coverage_reader(database_id, schema, table, resolved, kwargs, seen))
        elif kind in DUPLICATE_TYPES:
            cols = [col(n) for n in names]
            complete = and_(*[not_null(c) for c in cols])
            keys = [normalise_key(c) if kwargs.get("normalize") else c for c in cols]
            key = keys[0] if len(keys) == 1 else fn("row", *keys)
            considered = plan.add(count_if(complete))
            distinct = plan.add(exp.Count(this=exp.Distinct(expressions=[exp.Case().when(complete, key)])))
            readers.append(_duplicates_reader(database_id, schema, table, resolved, kwargs, rows_alias, considered, distinct))
        elif kind in MASTER_TYPES:
            master.append((index, resolved))
            readers.append(lambda r: None)  # filled from the master query below
        else:
            cols = [col(n) for n in names]
            judged = row_filter(kind, kwargs, cols)
            considered = rows_alias if kind in _NULLS_JUDGED else plan.add(count_if(judged))
            unexpected = plan.add(count_if(and_(judged, not_(expected_condition(kind, kwargs, cols)))))
            readers.append(_map_reader(database_id, schema, table, resolved, kwargs, rows_alias, considered, unexpected))

    query = plan.select(table_ref(schema, table))
    values = dict(zip(plan.aggregates, con.execute(query.sql(DIALECT)).fetchone()))
    outcomes = [reader(values) for reader in readers]
    if master:
        for index, outcome in _master_outcomes(con, database_id, schema, table, master, types).items():
            outcomes[index] = outcome
    return outcomes


def _table_missing(database_id: str, schema: str, table: str, e: Mapping[str, Any]) -> ExpectationOutcome:
    if e["type"] == "expect_table_columns_to_match_set":
        wanted = sorted(e["kwargs"]["column_set"])
        return make_outcome(
            database_id, schema, table, e, len(wanted), len(wanted), False, {"missing": wanted, "table_missing": True}
        )
    return not_evaluated(database_id, schema, table, e, "table not delivered")


def _missing_columns_reader(database_id, schema, table, e, kwargs, missing, rows_alias):  # noqa: ANN001, ANN202
    """A contract column that was not delivered is a sufficiency finding, counted once per dimension.

    Its *sufficient* rules fail with every row unexpected (coverage: every province missing); rules of
    the other dimensions cannot be judged without the column and are not evaluated, so a missing column
    does not also lower correct/clean/live (``columns_present`` already fails for it).
    """

    def read(values: dict[str, Any]) -> ExpectationOutcome:
        rows = _count(values[rows_alias])
        if e["meta"]["dimension"] != "sufficient":
            return not_evaluated(database_id, schema, table, e, f"column not delivered: {', '.join(missing)}")
        if e["type"] == "expect_column_distinct_values_to_contain_set":
            wanted = sorted(kwargs["value_set"])
            return make_outcome(database_id, schema, table, e, len(wanted), len(wanted), False, {"missing": wanted, "missing_columns": missing})
        return make_outcome(
            database_id, schema, table, e, rows, rows, False, {"missing_columns": missing}, considered_count=rows
        )

    return read


def _count(value: Any) -> int:
    """An aggregate as a count: over no rows `sum(...)` is NULL, and that is 0 rows."""
    return 0 if value is None else int(value)


def _row_count_reader(database_id, schema, table, e, kwargs, rows_alias):  # noqa: ANN001, ANN202
    def read(values: dict[str, Any]) -> ExpectationOutcome:
        rows = _count(values[rows_alias])
        low, high = kwargs.get("min_value"), kwargs.get("max_value")
        success = (low is None or rows >= int(low)) and (high is None or rows <= int(high))
        wanted = int(low or 0)
        return make_outcome(database_id, schema, table, e, wanted, max(0, wanted - rows), success, rows)

    return read


def _coverage_reader(database_id, schema, table, e, kwargs, seen_alias):  # noqa: ANN001, ANN202
    def read(values: dict[str, Any]) -> ExpectationOutcome:
        seen = set(values[seen_alias] or [])
        missing = sorted(set(kwargs["value_set"]) - seen)
        return make_outcome(database_id, schema, table, e, len(set(kwargs["value_set"])), len(missing), not missing, {"missing": missing})

    return read


def _duplicates_reader(database_id, schema, table, e, kwargs, rows_alias, considered_alias, distinct_alias):  # noqa: ANN001, ANN202
    def read(values: dict[str, Any]) -> ExpectationOutcome:
        rows, considered = _count(values[rows_alias]), _count(values[considered_alias])
        duplicates = considered - _count(values[distinct_alias])
        success = considered == 0 or (considered - duplicates) / considered >= float(kwargs.get("mostly", 1.0))
        observed = {"duplicate_rows": duplicates, "considered_count": considered}
        return make_outcome(database_id, schema, table, e, rows, duplicates, success, observed, considered_count=considered)

    return read


def _map_reader(database_id, schema, table, e, kwargs, rows_alias, considered_alias, unexpected_alias):  # noqa: ANN001, ANN202
    def read(values: dict[str, Any]) -> ExpectationOutcome:
        rows, considered, unexpected = (_count(values[a]) for a in (rows_alias, considered_alias, unexpected_alias))
        success = _map_success(kwargs, rows, considered, unexpected, e["type"])
        return make_outcome(
            database_id, schema, table, e, rows, unexpected, success, _share(unexpected, considered), considered_count=considered
        )

    return read


def _master_outcomes(
    con: Any,
    database_id: str,
    schema: str,
    table: str,
    master: list[tuple[int, dict[str, Any]]],
    types: Mapping[str, str],
) -> dict[int, ExpectationOutcome]:
    """Existence and agreement with master tables: one LEFT JOIN query, one pre-aggregated join per master key."""
    outcomes: dict[int, ExpectationOutcome] = {}
    sources: dict[tuple[str, str, str, str], dict[str, Any]] = {}  # (our column, schema, table, key) -> join info
    plan = _Plan()
    readers = []
    master_columns: dict[tuple[str, str], set[str] | None] = {}
    for index, resolved in master:
        kwargs = resolved["kwargs"]
        other = (kwargs["other_schema"], kwargs["other_table"])
        if other not in master_columns:
            found = table_columns(con, *other)
            master_columns[other] = set(found) if found is not None else None
        other_cols = master_columns[other]
        if resolved["type"] == "expect_column_values_to_exist_in_other_table":
            ours, okey, ovalue = kwargs["column"], kwargs["other_column"], None
        else:
            ours, value_col = kwargs["column_list"]
            okey, ovalue = kwargs["other_key"], kwargs["other_column"]
        needed = {okey} | ({ovalue} if ovalue else set())
        if other_cols is None or not needed <= other_cols:
            reason = f"master table {'.'.join(other)} not delivered" if other_cols is None else (
                f"master table {'.'.join(other)} lacks {sorted(needed - other_cols)}"
            )
            outcomes[index] = not_evaluated(database_id, schema, table, resolved, reason)
            continue
        source = sources.setdefault(
            (ours, *other, okey), {"alias": f"m{len(sources)}", "values": {}, "kwargs": kwargs, "key": okey}
        )
        m = source["alias"]
        if ovalue is None:
            key = column(ours, varchar=types.get(ours) == "VARCHAR")
            judged = not_null(key)
            considered = plan.add(count_if(judged))
            unexpected = plan.add(count_if(and_(judged, is_null(column("_r57_key", m)))))
        else:
            list_alias = source["values"].setdefault(ovalue, f"v{len(source['values'])}")
            key = column(ours, varchar=types.get(ours) == "VARCHAR")
            value = column(value_col, varchar=types.get(value_col) == "VARCHAR")
            judged = row_filter(resolved["type"], kwargs, [key, value])
            known = not_null(column("_r57_key", m))
            agrees = exp.Coalesce(
                this=fn("list_contains", column(list_alias, m), normalise_key(value)), expressions=[exp.false()]
            )
            considered = plan.add(count_if(judged))
            unexpected = plan.add(count_if(and_(judged, known, not_(agrees))))
        readers.append((index, resolved, kwargs, considered, unexpected))
    if not readers:
        return outcomes
    rows_alias = plan.add(exp.Count(this=exp.Star()))
    joins = []
    for (ours, other_schema, other_table, okey), source in sources.items():
        okey_col = column(okey, None)
        projections = [okey_col.as_("_r57_key")]
        for ovalue, alias in source["values"].items():
            ocol = column(ovalue, None)
            projections.append(
                exp.Filter(
                    this=fn("list", exp.Distinct(expressions=[normalise_key(ocol)])),
                    expression=exp.Where(this=not_null(ocol)),
                ).as_(alias)
            )
        keyed = (
            exp.select(*projections)
            .from_(table_ref(other_schema, other_table, alias=None))
            .where(not_null(okey_col))
            .group_by(okey_col)
        )
        on = exp.EQ(this=column(ours), expression=column("_r57_key", source["alias"]))
        joins.append(exp.Join(this=_master_lookup(con, keyed, other_schema, source["alias"]), on=on, side="LEFT"))
    query = plan.select(table_ref(schema, table), joins)
    values = dict(zip(plan.aggregates, con.execute(query.sql(DIALECT)).fetchone()))
    total = _count(values[rows_alias])
    for index, expectation, kwargs, considered_alias, unexpected_alias in readers:
        considered, unexpected = _count(values[considered_alias]), _count(values[unexpected_alias])
        success = total == 0 or mostly_success(considered, unexpected, float(kwargs.get("mostly", 1.0)))
        outcomes[index] = make_outcome(
            database_id, schema, table, expectation, total, unexpected, success, _share(unexpected, considered),
            considered_count=considered,
        )
    return outcomes


def _master_lookup(con: Any, keyed: exp.Select, master_schema: str, alias: str) -> exp.Expression:
    """The master table keyed for lookups, built once per connection and master delivery.

    Every database that references the population database would otherwise group its ~100M rows again
    (at 50M rows in the estate that was most of the validation time). The temporary table is named by
    the lookup's SQL and the master delivery's sha256, so a reloaded master is never read stale.
    """
    recorded = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = '_r57_delivery'",
        [master_schema],
    ).fetchone()[0]
    if not recorded:  # a warehouse not built by r57's ingest: no delivery hash to key a cache on
        return keyed.subquery(alias)
    row = con.execute(f"select sha256 from {table_ref(master_schema, '_r57_delivery', alias=None).sql(DIALECT)}").fetchone()
    if not row or row[0] is None:
        return keyed.subquery(alias)
    sql = keyed.sql(DIALECT)
    name = "r57_master_" + hashlib.sha256(f"{row[0]}\0{sql}".encode()).hexdigest()[:20]
    con.execute(f"create temp table if not exists {name} as {sql}")
    return exp.table_(name).as_(alias)


def validate_database(
    con: Any,
    database: Database,
    parameters: Mapping[str, Any],
    *,
    suites: Mapping[str, Mapping[str, Any]] | None = None,
    schema: str | None = None,
) -> list[ExpectationOutcome]:
    """Run every suite of a database (contract tables, then the ``_r57_delivery`` live suite).

    ``parameters``: the suite parameters (``suites.PARAMETERS``; ``quality.parameters.suite_parameters``
    builds them from the policy); ``min_rows`` may be one int or ``{table: int}`` (absent tables: 0).
    ``suites`` defaults to ``build_suites(database)``; ``schema`` to ``raw_<database_id>``.
    """
    from r57_pipelines.validation.suites import build_suites

    schema = schema or f"raw_{database.id}"
    suites = suites if suites is not None else build_suites(database)
    outcomes: list[ExpectationOutcome] = []
    for name, suite in suites.items():
        table = name.split(".", 1)[1]
        outcomes.extend(validate_table(con, schema, table, copy.deepcopy(dict(suite)), parameters, database_id=database.id))
    return outcomes
