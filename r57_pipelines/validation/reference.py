"""The official commune list as a table on the validating connection, joined into the one pass.

Each commune column a suite checks gets one ``LEFT JOIN r57_ref_communes AS r57_ref_<hash> ON code = column``
in the table's single SELECT (and in its failing-rows query), so the four commune rules read plain columns of
the joined row: a hash probe per row. Measured on the 1M-row bench table: constant MAPs of 3,321 and 10,040
keys (scanned per lookup) doubled the one-pass CPU time; correlated subqueries were fast alone but slowed the
whole many-aggregate SELECT by 6 s; the join costs about what the rules' text work costs.

The table is temporary, made from ``assets/reference/communes.yaml`` (through ``rules``) the first time a
query on that connection needs it. A rule asks for a value with ``commune_attribute`` / ``is_commune``; the
column it returns carries its join in ``meta`` and ``lookup_joins`` collects the joins a query needs.

A query that cannot add joins (GX's metric queries, which embed one rule's condition: ``validation/gx``) reads the
same rows as constant MAPs instead (``inline_lookups``), as the SQLAlchemy metrics did before they were compiled
from these conditions.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any

from sqlglot import exp

from r57_pipelines.validation import rules
from r57_pipelines.validation.sqlbuild import DIALECT, const_map, fn, lit, text

COMMUNES = "r57_ref_communes"
ATTRIBUTES = ("code", "status", "province", "name", "province_name")  # status: current | merged
_JOIN = "r57_lookup"  # meta key: (alias, key expression)


@cache
def _reference_rows() -> tuple[tuple[str | None, ...], ...]:
    """The rows of the commune table (``ATTRIBUTES``): the current units, then the codes merged away."""
    provinces, names, province_names = rules.commune_provinces(), rules.commune_names(), rules.commune_province_names()
    current = tuple((c, "current", provinces[c], names[c], province_names[c]) for c in sorted(provinces))
    return current + tuple((c, "merged", None, None, None) for c in rules.merged_codes())


def _ref_column(e: exp.Expression, attribute: str) -> exp.Column:
    key = text(e)
    alias = "r57_ref_" + hashlib.sha256(key.sql(DIALECT).encode()).hexdigest()[:8]
    column = exp.Column(this=exp.to_identifier(attribute, quoted=True), table=exp.to_identifier(alias))
    column.meta[_JOIN] = (alias, key.copy())
    return column


def is_commune(e: exp.Expression, status: str | None = None) -> exp.Expression:
    """``e`` is a code of the official list (with ``status``: a current unit, or a code merged away)."""
    if status is None:
        return exp.Not(this=exp.Is(this=_ref_column(e, "code"), expression=exp.Null()))
    return exp.Coalesce(this=exp.EQ(this=_ref_column(e, "status"), expression=lit(status)), expressions=[exp.false()])


def commune_attribute(e: exp.Expression, attribute: str) -> exp.Expression:
    """A current commune's ``province``, ``name`` or ``province_name`` (lower case, NFC); NULL for any other code."""
    return exp.Case().when(is_commune(e, "current"), _ref_column(e, attribute))


def lookup_joins(*expressions: exp.Expression) -> list[exp.Join]:
    """The LEFT JOINs the expressions' commune lookups need, one per looked-up column."""
    joins: dict[str, exp.Expression] = {}
    for expression in expressions:
        for column in expression.find_all(exp.Column):
            if _JOIN in column.meta:
                alias, key = column.meta[_JOIN]
                joins.setdefault(alias, key)
    return [
        exp.Join(
            this=exp.Table(this=exp.to_identifier(COMMUNES, quoted=True), alias=exp.TableAlias(this=exp.to_identifier(alias))),
            on=exp.EQ(this=exp.Column(this=exp.to_identifier("code", quoted=True), table=exp.to_identifier(alias)), expression=key),
            side="LEFT",
        )
        for alias, key in joins.items()
    ]


def ensure_reference_tables(con: Any, expression: exp.Expression) -> None:
    """Create the commune table on this connection if ``expression`` reads it and it is not there yet."""
    if not lookup_joins(expression) and not any(t.name == COMMUNES for t in expression.find_all(exp.Table)):
        return
    from r57_pipelines.validation.engines import is_spark

    if is_spark(con):  # a cached temporary view of the same rows
        con.ensure_view(COMMUNES, list(ATTRIBUTES), list(_reference_rows()))
        return
    exists = con.execute("select count(*) from duckdb_tables() where table_name = ? and temporary", [COMMUNES]).fetchall()[0][0]
    if exists:
        return
    columns = [list(values) for values in zip(*_reference_rows())]
    # The values go in as list parameters (unnested side by side), never formatted into the SQL.
    con.execute(
        f"create temp table {exp.to_identifier(COMMUNES, quoted=True).sql(DIALECT)} as select unnest($1::varchar[]) as code, "
        "unnest($2::varchar[]) as status, unnest($3::varchar[]) as province, unnest($4::varchar[]) as name, "
        "unnest($5::varchar[]) as province_name",
        columns,
    )


@cache
def _attribute_map(attribute: str) -> exp.Expression:
    index = ATTRIBUTES.index(attribute)
    return const_map({row[0]: row[index] for row in _reference_rows() if row[index] is not None})


def inline_lookups(expression: exp.Expression) -> exp.Expression:
    """``expression`` with each commune lookup read from a constant MAP (code -> value) instead of a joined row.

    For a query that holds one condition and cannot add joins (GX's metric queries): the same values as
    ``r57_ref_communes``, a MAP probe per row instead of a hash join over the table."""
    expression = expression.copy()
    for column in list(expression.find_all(exp.Column)):
        if _JOIN not in column.meta:
            continue
        lookup = fn("map_extract_value", _attribute_map(column.name).copy(), column.meta[_JOIN][1].copy())
        if column is expression:
            return lookup
        column.replace(lookup)
    return expression
