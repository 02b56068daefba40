"""The official commune list as a table on the validating connection, for hash lookups inside the one pass.

A constant MAP of 3,321 (or 10,040) keys is searched by scanning it: on 1M rows the four commune rules
doubled the one-pass CPU time. ``code IN (SELECT code FROM r57_ref_communes)`` and a correlated lookup of a
commune's province or name are planned by DuckDB as hash joins (measured on 1M rows: 0.02-0.03 s against
0.5-1.4 s for the MAP). The table is a temporary one, made from ``assets/reference/communes.yaml`` through
the validation rules the first time a compiled expression on that connection reads it.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from r57_pipelines.validation import rules
from r57_pipelines.validation.sqlbuild import column, text

COMMUNES = "r57_ref_communes"  # code, status (current | merged), province, name, province_name


def _communes() -> exp.Table:
    return exp.Table(this=exp.to_identifier(COMMUNES, quoted=True))


def is_commune(e: exp.Expression, status: str | None = None) -> exp.Expression:
    """``e`` is a code of the official list (``status``: only current units, or only merged codes)."""
    codes = exp.select(column("code", None)).from_(_communes())
    if status is not None:
        codes = codes.where(exp.EQ(this=column("status", None), expression=exp.Literal.string(status)))
    return exp.In(this=text(e), query=codes.subquery())


def commune_attribute(e: exp.Expression, attribute: str) -> exp.Expression:
    """A current commune's ``province``, ``name`` or ``province_name`` (lower case, NFC), NULL for any other code."""
    ref = exp.to_identifier("ref")
    lookup = (
        exp.select(exp.Column(this=exp.to_identifier(attribute, quoted=True), table=ref))
        .from_(_communes().as_("ref"))
        .where(
            exp.and_(
                exp.EQ(this=exp.Column(this=exp.to_identifier("code", quoted=True), table=ref), expression=text(e)),
                exp.EQ(this=exp.Column(this=exp.to_identifier("status", quoted=True), table=ref), expression=exp.Literal.string("current")),
            )
        )
    )
    return exp.Subquery(this=lookup)


def ensure_reference_tables(con: Any, expression: exp.Expression) -> None:
    """Create the commune table on this connection if ``expression`` reads it and it is not there yet."""
    if not any(t.name == COMMUNES for t in expression.find_all(exp.Table)):
        return
    exists = con.execute("select count(*) from duckdb_tables() where table_name = ? and temporary", [COMMUNES]).fetchall()[0][0]
    if exists:
        return
    provinces, names, province_names = rules.commune_provinces(), rules.commune_names(), rules.commune_province_names()
    merged = rules.merged_codes()
    current = sorted(provinces)
    columns = [
        current + merged,
        ["current"] * len(current) + ["merged"] * len(merged),
        [provinces[c] for c in current] + [None] * len(merged),
        [names[c] for c in current] + [None] * len(merged),
        [province_names[c] for c in current] + [None] * len(merged),
    ]
    # The values go in as list parameters (unnested side by side), never formatted into the SQL.
    con.execute(
        f"create temp table {_communes().sql('duckdb')} as select unnest($1::varchar[]) as code, "
        "unnest($2::varchar[]) as status, unnest($3::varchar[]) as province, unnest($4::varchar[]) as name, "
        "unnest($5::varchar[]) as province_name",
        columns,
    )
