"""GX's own JSON test definitions as conformance cases for the one-pass compiler.

The definitions in ``gx_test_definitions/`` are copied verbatim from Great Expectations (see the README
there). Each file holds ``datasets``; each dataset has ``data`` (``{column: [values]}``, or a list of
named tables), optional ``schemas`` (``{backend: {column: type}}``) and ``tests`` (``title``, ``in`` =
the expectation's kwargs, ``out`` = what GX must report, ``exact_match_out``, ``suppress_test_for``,
``only_for``, ``tolerance``, and ``error`` for a kwargs combination GX must reject).

This module turns them into :class:`Case` objects (one per file, dataset and test), builds each dataset as
the DuckDB table ``main.t`` of its own in-memory connection (shared by the dataset's cases), and compares
a one-pass :class:`ExpectationOutcome` with the test's ``out`` (:func:`compare`).

Case ids are ``<expectation_type>/<dataset number, from 1>/"<title>"``; a title used twice in one dataset
(upstream repeats titles with different ``only_for`` lists) gets ``#2``, ``#3``... counted over all
the dataset's tests, so an id never depends on which cases r57 runs.

Which cases are generated (r57 is a SQL engine: backend ``duckdb``, treated like ``sqlalchemy`` and
``postgresql``, which is where GX's expected values were checked):

* a dataset ``only_for`` / ``suppress_test_for`` is applied to all its tests;
* ``only_for`` must name one of :data:`R57_BACKENDS` (so tests only for pandas, spark, sqlite, mssql,
  snowflake... are not generated);
* ``suppress_test_for`` must not name one of them.

Excluded tests are not skipped: they are never generated, and :func:`summary` counts them
(``python -m tests.validation.gx_conformance`` prints it).

Column types: the dataset's ``schemas["postgresql"]``, else ``schemas["sqlite"]``, mapped by
:data:`SCHEMA_TYPES`; a column without a declared type is inferred as ``pandas.DataFrame.to_sql`` would
(that is how GX built tables it had no schema for): ints -> BIGINT, ints with NULLs or floats -> DOUBLE,
bools -> BOOLEAN, text, mixed or all-NULL -> VARCHAR (non-text values as ``str(value)``). Declared
TIMESTAMP/DATE strings are parsed as ``pandas.to_datetime`` would (dateutil; time zones dropped as a
PostgreSQL ``TIMESTAMP`` does). GX's harness also adds a ``pk_index`` column to map-expectation
tables (only for ``unexpected_index_list``); r57 does not report index lists, so it is not added.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

DEFINITIONS_DIR = Path(__file__).resolve().parent / "gx_test_definitions"
DIVERGENCES_FILE = DEFINITIONS_DIR / "divergences.yaml"

SCHEMA = "main"
TABLE = "t"

# The backends r57 stands for in "only_for" / "suppress_test_for".
R57_BACKENDS = frozenset({"duckdb", "sqlalchemy", "postgresql"})
# Which declared schema to build the table from, in order of preference.
SCHEMA_PREFERENCE = ("postgresql", "sqlite")
SCHEMA_TYPES: dict[str, dict[str, str]] = {
    "postgresql": {
        "TEXT": "VARCHAR",
        "CHAR": "VARCHAR",
        "VARCHAR": "VARCHAR",
        "INTEGER": "INTEGER",
        "SMALLINT": "SMALLINT",
        "BIGINT": "BIGINT",
        "TIMESTAMP": "TIMESTAMP",
        "DATE": "DATE",
        "DOUBLE_PRECISION": "DOUBLE",
        "BOOLEAN": "BOOLEAN",
        "NUMERIC": "DOUBLE",  # unbounded NUMERIC has no DuckDB twin; not used by the copied files
    },
    "sqlite": {
        "VARCHAR": "VARCHAR",
        "CHAR": "VARCHAR",
        "INTEGER": "BIGINT",  # SQLite integers are 64-bit
        "SMALLINT": "SMALLINT",
        "DATETIME": "TIMESTAMP",
        "TIMESTAMP": "TIMESTAMP",
        "DATE": "DATE",
        "FLOAT": "DOUBLE",
        "BOOLEAN": "BOOLEAN",
    },
}

# GX only ran these types on pandas/spark (great_expectations/self_check/util.py,
# candidate_test_is_on_temporary_notimplemented_list_v3_api): their expected values were never checked
# against a SQL backend. The cases are generated all the same (r57 claims the types); summary() flags them.
GX_NOT_RUN_ON_SQL = frozenset(
    {
        "expect_column_values_to_be_increasing",
        "expect_column_values_to_be_decreasing",
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_be_dateutil_parseable",
        "expect_column_values_to_be_json_parseable",
    }
)

# Numbers: GX's own runner uses numpy.allclose(rtol=1e-7, atol=5e-2) on float-looking values, or the
# test's "tolerance" as rtol. We use a tighter default and honour "tolerance".
REL_TOL = 1e-6
ABS_TOL = 1e-9
# GX's partial_unexpected_list holds at most 20 values.
PARTIAL_LIMIT = 20


@dataclass(frozen=True)
class TableData:
    name: str
    columns: tuple[tuple[str, str, tuple[Any, ...]], ...]  # (name, DuckDB type, values)
    declared_by: str  # "postgresql", "sqlite" or "inferred" (the schema the types came from)


@dataclass(frozen=True)
class Dataset:
    file: str
    index: int  # from 1, as GX numbers datasets
    tables: tuple[TableData, ...]  # the first is created as main.t; every table also under its name


@dataclass(frozen=True, eq=False)
class Case:
    id: str
    expectation_type: str
    title: str
    dataset: Dataset = field(repr=False)
    kwargs: Mapping[str, Any] = field(repr=False)
    out: Mapping[str, Any] = field(repr=False)
    exact_match_out: bool = False
    tolerance: float | None = None
    expected_error: str | None = None  # the test's "error" or out's "traceback_substring": GX rejects the kwargs

    @property
    def expects_error(self) -> bool:
        return self.expected_error is not None

    def expectation(self) -> dict[str, Any]:
        return {"type": self.expectation_type, "kwargs": copy.deepcopy(dict(self.kwargs))}


@dataclass(frozen=True)
class Excluded:
    id: str
    expectation_type: str
    reason: str


# ---------------------------------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------------------------------


def definition_files(directory: Path = DEFINITIONS_DIR) -> list[Path]:
    return sorted(directory.glob("expect_*.json"))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _exclusion(only_for: Any, suppress_test_for: Any, level: str) -> str | None:
    only, suppressed = _as_list(only_for), _as_list(suppress_test_for)
    if only and not R57_BACKENDS.intersection(only):
        return f"{level}only_for {sorted(only)}"
    hit = sorted(R57_BACKENDS.intersection(suppressed))
    if hit:
        return f"{level}suppress_test_for {hit}"
    return None


def load(directory: Path = DEFINITIONS_DIR) -> tuple[list[Case], list[Excluded]]:
    """Every test of every definition file: the cases r57 is judged on, and the ones it is not."""
    cases: list[Case] = []
    excluded: list[Excluded] = []
    for path in definition_files(directory):
        definition = json.loads(path.read_text(encoding="utf-8"))
        etype = definition["expectation_type"]
        if etype != path.stem:
            raise ValueError(f"{path.name} defines {etype}")
        for index, raw in enumerate(definition["datasets"], 1):
            dataset_reason = _exclusion(raw.get("only_for"), raw.get("suppress_test_for"), "dataset ")
            dataset: Dataset | None = None
            titles: Counter[str] = Counter()
            for test in raw["tests"]:
                titles[test["title"]] += 1
                case_id = f'{etype}/{index}/"{test["title"]}"'
                if titles[test["title"]] > 1:
                    case_id += f"#{titles[test['title']]}"
                reason = dataset_reason or _exclusion(test.get("only_for"), test.get("suppress_test_for"), "")
                if reason:
                    excluded.append(Excluded(case_id, etype, reason))
                    continue
                if not isinstance(test["in"], Mapping):
                    raise ValueError(f"{case_id}: positional 'in' is not supported")
                if dataset is None:
                    dataset = build_dataset(path.name, index, raw)
                cases.append(
                    Case(
                        id=case_id,
                        expectation_type=etype,
                        title=test["title"],
                        dataset=dataset,
                        kwargs=test["in"],
                        out=test["out"],
                        exact_match_out=bool(test["exact_match_out"]),
                        tolerance=test.get("tolerance"),
                        expected_error=_expected_error(test),
                    )
                )
    return cases, excluded


def _expected_error(test: Mapping[str, Any]) -> str | None:
    if "traceback_substring" in test["out"]:
        return str(test["out"]["traceback_substring"])
    if "error" in test:
        error = test["error"]
        return str(error.get("traceback_substring", error) if isinstance(error, Mapping) else error)
    return None


@functools.cache
def load_cached() -> tuple[tuple[Case, ...], tuple[Excluded, ...]]:
    cases, excluded = load()
    return tuple(cases), tuple(excluded)


def load_divergences(path: Path = DIVERGENCES_FILE) -> dict[str, str]:
    """{case id: why r57 deliberately differs from GX}."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of case id to reason")
    return {str(k): str(v) for k, v in data.items()}


# ---------------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------------


def build_dataset(file: str, index: int, raw: Mapping[str, Any]) -> Dataset:
    if isinstance(raw["data"], list):  # several named tables (expect_table_row_count_to_equal_other_table)
        tables = tuple(
            _table(sub.get("dataset_name") or f"{Path(file).stem}_dataset_{index}_{n}", sub["data"], sub.get("schemas"))
            for n, sub in enumerate(raw["data"], 1)
        )
    else:
        name = raw.get("dataset_name") or f"{Path(file).stem}_dataset_{index}"
        tables = (_table(name, raw["data"], raw.get("schemas")),)
    return Dataset(file, index, tables)


def _table(name: str, data: Mapping[str, Sequence[Any]], schemas: Mapping[str, Any] | None) -> TableData:
    declared_by, declared = "inferred", {}
    for backend in SCHEMA_PREFERENCE:
        if schemas and backend in schemas:
            declared_by, declared = backend, schemas[backend]
            break
    columns = []
    for column, values in data.items():
        if column in declared:
            duck = SCHEMA_TYPES[declared_by].get(declared[column])
            if duck is None:
                raise ValueError(f"{name}.{column}: no DuckDB type for {declared_by} {declared[column]}")
        else:
            duck = infer_type(values)
        columns.append((column, duck, tuple(convert(v, duck) for v in values)))
    return TableData(name, tuple(columns), declared_by)


def infer_type(values: Sequence[Any]) -> str:
    """The type pandas.DataFrame.to_sql gives a column of these Python values."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "BOOLEAN"
    if kinds == {int}:
        return "DOUBLE" if None in values else "BIGINT"  # pandas turns ints with a None into float64
    if kinds and kinds <= {int, float}:
        return "DOUBLE"
    return "VARCHAR"


def convert(value: Any, duck_type: str) -> Any:
    if value is None:
        return None
    if duck_type == "VARCHAR":
        return value if isinstance(value, str) else str(value)
    if duck_type in ("TIMESTAMP", "DATE") and isinstance(value, str):
        from dateutil import parser

        parsed = parser.parse(value).replace(tzinfo=None)
        return parsed.date() if duck_type == "DATE" else parsed
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_table(con: Any, schema: str, name: str, table: TableData) -> None:
    columns = ", ".join(f"{_quote(c)} {t}" for c, t, _ in table.columns)
    target = f"{_quote(schema)}.{_quote(name)}"
    con.execute(f"CREATE TABLE {target} ({columns})")
    rows = list(zip(*(values for _, _, values in table.columns)))
    if rows:
        placeholders = ", ".join("?" for _ in table.columns)
        con.executemany(f"INSERT INTO {target} VALUES ({placeholders})", rows)


_connections: dict[tuple[str, int], Any] = {}


def connection(dataset: Dataset) -> Any:
    """One in-memory DuckDB per dataset: ``main.t`` is its first table; every table also has its name."""
    key = (dataset.file, dataset.index)
    if key not in _connections:
        _connections[key] = _connect(dataset)
    return _connections[key]


def _connect(dataset: Dataset) -> Any:
    import duckdb

    con = duckdb.connect(":memory:")
    create_table(con, SCHEMA, TABLE, dataset.tables[0])
    for table in dataset.tables:
        if table.name != TABLE:
            create_table(con, SCHEMA, table.name, table)
    return con


# ---------------------------------------------------------------------------------------------------
# Running and comparing
# ---------------------------------------------------------------------------------------------------


_MISSING = object()
# Exceptions that are bugs in r57, not a refusal of the kwargs (an error-expecting case must not pass on them).
NOT_A_REJECTION = (ImportError, NameError, AttributeError, NotImplementedError, AssertionError, RecursionError)


def run(case: Case, expectation: Mapping[str, Any] | None = None) -> list[str]:
    """Validate the case's table with r57's compiler; the ways the outcome differs from GX's ``out``."""
    from r57_pipelines.validation.onepass import validate_table

    suite = {"name": "conformance", "expectations": [expectation or case.expectation()]}
    try:
        outcome = validate_table(connection(case.dataset), SCHEMA, TABLE, suite, {}, unexpected_values=True)[0]
    except Exception as e:  # noqa: BLE001 - an error is a finding like any other
        return compare(case, None, e)
    return compare(case, outcome, None)


def compare(case: Case, outcome: Any, error: BaseException | None) -> list[str]:
    """Mismatches between an outcome (or the error validate_table raised) and the case's ``out``.

    Compared: ``success``; ``observed_value`` (also ``observed_value_list``: any of); ``unexpected_list``
    and ``partial_unexpected_list`` against r57's ``partial_unexpected_list`` when r57 gave one; with
    ``exact_match_out`` true, also ``result.element_count`` / ``result.unexpected_count``. Not compared:
    index lists, details, value counts, missing/percent figures, traceback texts.
    A case that expects an error passes when validate_table raises (anything but the programming errors
    in :data:`NOT_A_REJECTION`) or the outcome is not evaluated (``success`` None).
    """
    if case.expects_error:
        if isinstance(error, NOT_A_REJECTION):
            return [f"GX rejects these kwargs ({case.expected_error}); r57 failed instead: {type(error).__name__}: {error}"]
        if error is not None or (outcome is not None and outcome.success is None):
            return []
        return [f"GX rejects these kwargs ({case.expected_error}); r57 evaluated them: success={outcome.success}"]
    if error is not None:
        return [f"validate_table raised {type(error).__name__}: {error}"]

    out = dict(case.out)
    result = out.get("result") if isinstance(out.get("result"), Mapping) else {}
    problems: list[str] = []

    if "success" in out and outcome.success != out["success"]:
        problems.append(f"success: GX {out['success']!r}, r57 {outcome.success!r}")

    for where, expected in (("observed_value", out.get("observed_value", _MISSING)),
                            ("result.observed_value", result.get("observed_value", _MISSING))):
        if expected is not _MISSING and not values_match(outcome.observed_value, expected, case.tolerance):
            problems.append(f"{where}: GX {expected!r}, r57 {outcome.observed_value!r}")
    if "observed_value_list" in out and not any(
        values_match(outcome.observed_value, v, case.tolerance) for v in out["observed_value_list"]
    ):
        problems.append(f"observed_value: GX one of {out['observed_value_list']!r}, r57 {outcome.observed_value!r}")

    actual = getattr(outcome, "partial_unexpected_list", None)
    if actual is not None:
        columns = _columns(case.kwargs)
        for where, expected in (("unexpected_list", out.get("unexpected_list")),
                                ("result.unexpected_list", result.get("unexpected_list")),
                                ("result.partial_unexpected_list", result.get("partial_unexpected_list"))):
            if expected is not None:
                problems += unexpected_mismatches(where, list(actual), list(expected), columns)

    if case.exact_match_out:
        for key in ("element_count", "unexpected_count"):
            if key in result and getattr(outcome, key, None) != result[key]:
                problems.append(f"result.{key}: GX {result[key]!r}, r57 {getattr(outcome, key, None)!r}")
    return problems


def _columns(kwargs: Mapping[str, Any]) -> list[str]:
    if "column_list" in kwargs:
        return list(kwargs["column_list"])
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    return [kwargs["column"]] if "column" in kwargs else []


_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


def normalise(value: Any) -> Any:
    """A hashable, comparable form: Decimal -> float, dates and ISO date strings -> ISO text, lists -> tuples."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 10 and _DATETIME.match(value):
        try:
            return datetime.fromisoformat(value).isoformat()
        except ValueError:  # not a real date (e.g. 2019-02-30 in a format test): keep the text
            return value
    if isinstance(value, (list, tuple)):
        return tuple(normalise(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), normalise(v)) for k, v in value.items()))
    return value


def values_match(actual: Any, expected: Any, tolerance: float | None = None) -> bool:
    """GX's observed_value comparison: numbers within a tolerance, lists in order, dicts by key."""
    if expected is None or isinstance(expected, bool):
        return actual is expected or (isinstance(actual, bool) and actual == expected)
    if isinstance(expected, (int, float)):
        if isinstance(actual, Decimal):
            actual = float(actual)
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return False
        if math.isnan(expected) or math.isnan(actual):
            return math.isnan(expected) and math.isnan(actual)
        rel = tolerance if tolerance is not None else REL_TOL
        return math.isclose(actual, expected, rel_tol=rel, abs_tol=ABS_TOL)
    if isinstance(expected, str):
        return normalise(actual) == normalise(expected)
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(actual, (list, tuple))
            and len(actual) == len(expected)
            and all(values_match(a, e, tolerance) for a, e in zip(actual, expected))
        )
    if isinstance(expected, Mapping):
        return (
            isinstance(actual, Mapping)
            and set(map(str, actual)) == set(map(str, expected))
            and all(values_match(actual[k], v, tolerance) for k, v in expected.items())
        )
    return actual == expected


def _row_key(item: Any, columns: Sequence[str]) -> Any:
    """One unexpected value: a scalar, or a row as a tuple in the expectation's column order."""
    if isinstance(item, Mapping):
        if columns and set(columns) <= set(item):
            return normalise(tuple(item[c] for c in columns))
        return normalise(tuple(item.values()))
    return normalise(item)


def unexpected_mismatches(where: str, actual: list[Any], expected: list[Any], columns: Sequence[str]) -> list[str]:
    """r57's partial list against GX's list, as multisets: r57's values all in GX's, same size when GX's is short."""
    got = Counter(_row_key(v, columns) for v in actual)
    want = Counter(_row_key(v, columns) for v in expected)
    problems = []
    extra = got - want
    if extra:
        problems.append(f"{where}: r57 lists {sorted(extra.elements(), key=repr)!r} beyond GX's {expected!r}")
    if len(expected) < PARTIAL_LIMIT and len(actual) != len(expected):
        problems.append(f"{where}: GX {len(expected)} values {expected!r}, r57 {len(actual)} {actual!r}")
    return problems


# ---------------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------------


def _reason_group(reason: str) -> str:
    backends = set(re.findall(r"'([^']+)'", reason))
    if "suppress_test_for" in reason:
        return "suppressed for sqlalchemy/postgresql"
    if backends and all(b.startswith("pandas") for b in backends):
        return "only for pandas"
    if backends and all(b.startswith("spark") for b in backends):
        return "only for spark"
    return "only for other backends"


def summary(cases: Sequence[Case], excluded: Sequence[Excluded]) -> str:
    generated = Counter(c.expectation_type for c in cases)
    dropped: dict[str, Counter[str]] = {}
    for e in excluded:
        dropped.setdefault(e.expectation_type, Counter())[_reason_group(e.reason)] += 1
    errors = Counter(c.expectation_type for c in cases if c.expects_error)
    lines = [f"{'expectation type':<58} {'cases':>5} {'error':>5} {'excluded':>8}  why excluded"]
    for etype in sorted(set(generated) | set(dropped)):
        why = ", ".join(f"{n} {g}" for g, n in sorted(dropped.get(etype, Counter()).items()))
        flag = "  [GX never ran this type on SQL]" if etype in GX_NOT_RUN_ON_SQL else ""
        lines.append(
            f"{etype:<58} {generated[etype]:>5} {errors[etype]:>5} {sum(dropped.get(etype, Counter()).values()):>8}"
            f"  {why}{flag}"
        )
    total = Counter(_reason_group(e.reason) for e in excluded)
    lines.append(
        f"{'total':<58} {len(cases):>5} {sum(errors.values()):>5} {len(excluded):>8}  "
        + ", ".join(f"{n} {g}" for g, n in sorted(total.items()))
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(summary(*load()))
