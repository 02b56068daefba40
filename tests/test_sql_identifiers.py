"""SQL is never built from names by string formatting: every value formatted into SQL text is a
sqlglot-quoted identifier (`quoted`, `qualified`), a sqlglot expression rendered with `.sql(...)`, an int,
or a module constant; data travels as bound parameters. A static check over r57_pipelines/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from r57_pipelines.paths import PROJECT_ROOT
from r57_pipelines.warehouse import qualified, quoted

PACKAGE = PROJECT_ROOT / "r57_pipelines"
SQL_CALLS = {"execute", "executemany", "sql_query", "query"}
SAFE_CALLS = {"quoted", "qualified", "int", "hexdigest"}
# Parameters documented as already quoted by their caller (readers.load_file: "target" is qualified()).
QUOTED_PARAMETERS = {"target"}
# Trusted attributes: a SQL model's materialisation, read from the committed model file ("table" | "view").
TRUSTED_ATTRIBUTES = {"materialized"}


def _assignments(function: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found.setdefault(node.target.id, []).append(node.value)
    return found


def _safe(node: ast.expr, assigned: dict[str, list[ast.expr]], seen: frozenset[str] = frozenset()) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        if node.id.isupper() or node.id in QUOTED_PARAMETERS:
            return True
        values = assigned.get(node.id)
        return bool(values) and node.id not in seen and all(_safe(v, assigned, seen | {node.id}) for v in values)
    if isinstance(node, ast.JoinedStr):
        return all(_safe(v.value, assigned, seen) for v in node.values if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.IfExp):
        return _safe(node.body, assigned, seen) and _safe(node.orelse, assigned, seen)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe(node.left, assigned, seen) and _safe(node.right, assigned, seen)
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Name) and node.value.id.isupper() or (
            isinstance(node.value, ast.Call) and _safe(node.value, assigned, seen)
        )
    if isinstance(node, ast.Attribute):
        return node.attr in TRUSTED_ATTRIBUTES
    if isinstance(node, ast.Call):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name in SAFE_CALLS or name == "sql":
            return True
        if name == "join" and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Constant):
            (argument,) = node.args
            inner = argument.elt if isinstance(argument, (ast.GeneratorExp, ast.ListComp)) else argument
            return _safe(inner, assigned, seen)
    return False


def unsafe_sql(source: str) -> list[tuple[int, str]]:
    """(line, text) of every SQL call whose statement formats a value that is not known to be safe."""
    tree = ast.parse(source)
    problems = []
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for function in functions:
        assigned = _assignments(function)
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS):
                continue
            if not node.args:
                continue
            statement = node.args[0]
            formatted = isinstance(statement, ast.JoinedStr) or (
                isinstance(statement, ast.Call) and isinstance(statement.func, ast.Attribute)
                and statement.func.attr == "format"
            ) or (isinstance(statement, ast.BinOp) and isinstance(statement.op, (ast.Mod, ast.Add)))
            if formatted and not (isinstance(statement, ast.JoinedStr) and _safe(statement, assigned)) and not (
                isinstance(statement, ast.BinOp) and isinstance(statement.op, ast.Add) and _safe(statement, assigned)
            ):
                problems.append((node.lineno, ast.unparse(statement)[:120]))
    return problems


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_sql_is_built_by_formatting_names(path: Path):
    assert unsafe_sql(path.read_text(encoding="utf-8")) == []


def test_the_check_catches_a_formatted_name():
    caught = unsafe_sql(
        "def f(con, table, name):\n"
        "    con.execute(f'select * from {table}')\n"
        "    con.execute('select * from %s' % name)\n"
        "    con.execute('select * from {}'.format(name))\n"
        "    con.execute(f'select * from {quoted(name)} where x = ?', [name])\n"
    )
    assert [line for line, _ in caught] == [2, 3, 4]


@pytest.mark.parametrize(
    "name", ['x"; drop table r57.deliveries; --', 'a"b', "semi;colon", "bell\x07", "new\nline", "Ünïcode", ""]
)
def test_the_quoting_helpers_use_sqlglot_and_double_embedded_quotes(name):
    assert quoted(name) == '"' + name.replace('"', '""') + '"'
    assert qualified("raw_x", name) == '"raw_x".' + quoted(name)
