"""Text work shared by the checks of one pass: each normalised value computed once per row, not once per check.

Many checks of a column read the same derived value (the address NFC-normalised, whitespace-collapsed and
lower-cased is read by the placeholder, mojibake, commune-name and province-name checks). DuckDB 2.0
computes such an expression again in every aggregate that spells it: on the contract suite at 1M rows the
pass took 15.5 s as written and 5.2 s with the values shared (benchmarks/bench_normalise_once.py).
So before the query is rendered, every costly expression that occurs more than once is computed once, as
a column of the scanned rows, and the aggregates read that column.

Only expressions evaluated for every row are shared: one inside a CASE's THEN or ELSE runs for some rows
only (the costly whitespace collapse runs only on the rare messy value) and stays where it is. The NFC form
of a column is the exception: ``normalise`` needs it in both branches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping

from sqlglot import exp

from r57_pipelines.validation.sqlbuild import BASE, column, dialect

NFC_FUNCTIONS = frozenset({"nfc_normalize", "r57_nfc"})  # DuckDB, Spark (sqlbuild.nfc)
COSTLY_FUNCTIONS = frozenset({*NFC_FUNCTIONS, "regexp_replace", "strip_accents"})
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


def _is_nfc_of_column(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.Anonymous) and node.name.lower() in NFC_FUNCTIONS
        and len(node.expressions) == 1 and isinstance(node.expressions[0], exp.Column)
    )


def _is_costly_for_every_row(node: exp.Expression) -> bool:
    return isinstance(node, exp.Func | exp.Case) and _is_costly(node) and not _in_some_rows_only(node)


def _share(
    rewritten: dict[str, exp.Expression],
    columns: Collection[str],
    shareable: Callable[[exp.Expression], bool],
    first_number: int,
) -> dict[str, exp.Expression]:
    """Replace (in place) each expression of `rewritten` that is `shareable` and occurs more than once by a
    column; the largest first. Returns the columns' expressions by name."""
    layer: dict[str, exp.Expression] = {}
    while True:
        found = [
            (node, node.sql(dialect()))
            for expression in rewritten.values()
            for node in expression.walk()
            if shareable(node) and _reads_only_row(node, columns)
        ]
        repeated = [sql for sql, n in Counter(sql for _, sql in found).items() if n > 1]
        if not repeated:
            return layer
        target = max(repeated, key=len)
        name = f"{SHARED_PREFIX}{first_number + len(layer)}"
        for node, sql in found:
            if sql == target and node.parent is not None:
                layer.setdefault(name, node.copy())
                node.replace(column(name))


def share_row_work(
    aggregates: Mapping[str, exp.Expression], columns: Collection[str]
) -> tuple[dict[str, exp.Expression], list[dict[str, exp.Expression]]]:
    """`(aggregates, layers)`: the aggregates reading shared columns, and those columns' expressions by name,
    in layers (a layer's expressions may read the columns of the layers before it).

    `columns`: the scanned table's own column names. Layer one is each NFC-normalised column: it is computed
    for all rows even inside a CASE, whose THEN and ELSE both need it (``sqlbuild.normalise``). Layer two is
    every other repeated costly expression evaluated for every row, the largest first, so a value nested in
    one is shared only where it also occurs outside it.
    """
    rewritten = {alias: e.copy() for alias, e in aggregates.items()}
    nfc = _share(rewritten, columns, _is_nfc_of_column, 0)
    others = _share(rewritten, {*columns, *nfc}, _is_costly_for_every_row, len(nfc))
    return rewritten, [layer for layer in (nfc, others) if layer]
