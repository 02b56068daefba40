"""Text work shared by the checks of one pass: each normalised value computed once per row, not once per check.

Many checks of a column read the same derived value (the address NFC-normalised, whitespace-collapsed and
lower-cased is read by the placeholder, mojibake, commune-name and province-name checks). DuckDB 2.0
computes such an expression again in every aggregate that spells it (measured: the population table's pass
at 1.5M rows took 21.6 s as written, 10.2 s with the values shared; benchmarks/bench_normalise_once.py).
So before the query is rendered, every costly expression that occurs more than once is computed once, as
a column of the scanned rows, and the aggregates read that column.

Only whole expressions evaluated for every row are shared: one inside a CASE's THEN or ELSE runs for some
rows only (the costly whitespace collapse runs only on the rare messy value) and stays where it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping

from sqlglot import exp

from r57_pipelines.validation.sqlbuild import BASE, DIALECT, column

COSTLY_FUNCTIONS = frozenset({"nfc_normalize", "regexp_replace", "strip_accents"})
SHARED_PREFIX = "_r57_s"


def _is_costly(node: exp.Expression) -> bool:
    return any(isinstance(n, exp.Anonymous) and n.name.lower() in COSTLY_FUNCTIONS for n in node.walk())


def _reads_only_row(node: exp.Expression, columns: Collection[str]) -> bool:
    """A per-row value of the scanned table: its own columns only, no aggregate, window or subquery."""
    if node.find(exp.AggFunc, exp.Window, exp.Subquery, exp.Select):
        return False
    refs = list(node.find_all(exp.Column))
    return bool(refs) and all(r.table == BASE and r.name in columns for r in refs)


def _in_some_rows_only(node: exp.Expression) -> bool:
    child, parent = node, node.parent
    while parent is not None:
        if (isinstance(parent, exp.If) and child is parent.args.get("true")) or (
            isinstance(parent, exp.Case) and child is parent.args.get("default")
        ):
            return True
        child, parent = parent, parent.parent
    return False


def _shareable(expressions: Collection[exp.Expression], columns: Collection[str]) -> list[tuple[exp.Expression, str]]:
    """Every costly per-row expression evaluated for all rows, with its SQL."""
    found = []
    for expression in expressions:
        for node in expression.walk():
            if (
                isinstance(node, exp.Func | exp.Case)
                and _is_costly(node)
                and _reads_only_row(node, columns)
                and not _in_some_rows_only(node)
            ):
                found.append((node, node.sql(DIALECT)))
    return found


def share_row_work(
    aggregates: Mapping[str, exp.Expression], columns: Collection[str]
) -> tuple[dict[str, exp.Expression], dict[str, exp.Expression]]:
    """`(aggregates, shared)`: the aggregates reading shared columns, and those columns' expressions by name.

    `columns`: the scanned table's own column names. The largest repeated expression is shared first, so a
    value nested in it is shared only where it also occurs outside it.
    """
    rewritten = {alias: e.copy() for alias, e in aggregates.items()}
    shared: dict[str, exp.Expression] = {}
    while True:
        found = _shareable(rewritten.values(), columns)
        counts = Counter(sql for _, sql in found)
        repeated = [sql for sql, n in counts.items() if n > 1]
        if not repeated:
            return rewritten, shared
        target = max(repeated, key=len)
        name = f"{SHARED_PREFIX}{len(shared)}"
        for node, sql in found:
            if sql == target and node.parent is not None:  # nested in an earlier match: already replaced
                shared.setdefault(name, node.copy())
                node.replace(column(name))
