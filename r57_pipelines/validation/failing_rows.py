"""The rows that fail a row-level expectation, as a sqlglot SELECT (the quarantine and GX's unexpected lists)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlglot import exp

from r57_pipelines.validation.conditions import expectation_columns, expected_condition, judged, unique_key
from r57_pipelines.validation.params import resolve_kwargs
from r57_pipelines.validation.registry import FAMILY, ROW_LEVEL_TYPES
from r57_pipelines.validation.row_condition import row_condition
from r57_pipelines.validation.reference import lookup_joins
from r57_pipelines.validation.sqlbuild import (
    BASE, LOAD_ORDER_COLUMN, and_, column, lit, not_, not_null, spark, table_ref, typed_column,
)


def failing_rows_sql(
    schema: str,
    table: str,
    expectation: Mapping[str, Any],
    available_columns: Mapping[str, str] | Collection[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> exp.Select:
    """A sqlglot SELECT of the full rows (every column) that fail one row-level expectation.

    r57's duplicates: the rows beyond the first of each key group, the first being the lowest ``rowid``
    (the order of loading); GX's uniqueness: every row of a group. Where a column the rule needs is
    missing, every row is returned. Table-level and ordered expectations have no failing rows of their
    own: ValueError. ``available_columns``: the table's columns, best with their types (``onepass.table_column_types``:
on Spark an instant's text keeps its offset only if the column is known to be one).
    Build and render inside ``sqlbuild.dialect_as``.
    """
    kind = expectation["type"]
    if kind not in ROW_LEVEL_TYPES or FAMILY[kind] == "ordered":
        raise ValueError(f"{kind} has no failing rows of its own")
    kwargs = resolve_kwargs(expectation["kwargs"], parameters or {})
    names = expectation_columns(expectation)
    # The table's own columns only: a commune lookup joins the reference list (reference.lookup_joins).
    select = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier(BASE))).from_(table_ref(schema, table))
    if available_columns is not None:
        folded = {c.casefold(): c for c in available_columns}
        if not all(str(n).casefold() in folded for n in names):
            return select
        names = [folded[str(n).casefold()] for n in names]
    types = available_columns if isinstance(available_columns, Mapping) else {}
    cols = [typed_column(n, types.get(n)) for n in names]
    domain = row_condition(kwargs, column)
    rows = judged(kind, kwargs, cols)
    if domain is not None:
        rows = and_(domain, rows)
    if FAMILY[kind] in ("unique", "duplicates"):
        # Only rows with every key column can be duplicates (GX joins on "="); the others are never listed.
        rows = and_(*[not_null(c) for c in cols]) if domain is None else and_(domain, *[not_null(c) for c in cols])
        key = unique_key(cols, kwargs)
        if kind == "expect_compound_columns_to_have_no_duplicates":
            order = exp.Order(expressions=[exp.Ordered(this=column(LOAD_ORDER_COLUMN if spark() else "rowid"))])
            rank = exp.Window(this=exp.RowNumber(), partition_by=[key], order=order)
            return select.where(rows).qualify(exp.GT(this=rank, expression=lit(1)))
        group_size = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[key])
        return select.where(rows).qualify(exp.GT(this=group_size, expression=lit(1)))
    where = and_(rows, not_(expected_condition(kind, kwargs, cols)))
    for join in lookup_joins(where):
        select = select.join(join)
    return select.where(where)
