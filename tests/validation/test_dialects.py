"""One compiler, two dialects: the Spark rendering of every rule uses Spark's own functions (no Spark needed).

The Spark outcomes themselves are compared with DuckDB's in ``test_spark_differential.py`` (marked spark).
"""

from __future__ import annotations

import re

import pytest

from r57_pipelines.validation.conditions import CONDITIONS, expectation_columns, expected_condition, judged
from r57_pipelines.validation.sqlbuild import column, dialect, dialect_as, java_regex, normalise_key, parsed
from r57_pipelines.validation.suites import build_suites
from tests.validation.planted import PARAMETERS, TESTDB

# DuckDB-only functions (exp.Anonymous passes them through to Spark unchanged).
DUCKDB_ONLY = ("regexp_matches", "nfc_normalize", "try_strptime", "map_contains", "list_contains", "row(", "list(")


def _rendered(spark: bool) -> list[str]:
    from r57_pipelines.validation.params import resolve_kwargs

    out = []
    for suite in build_suites(TESTDB).values():
        for e in suite["expectations"]:
            if e["type"] not in CONDITIONS:
                continue
            kwargs = resolve_kwargs(e["kwargs"], {**PARAMETERS, "min_rows": 0})
            cols = [column(n, varchar=True) for n in expectation_columns({**e, "kwargs": kwargs})]
            with dialect_as("spark" if spark else "duckdb"):
                condition = expected_condition(e["type"], kwargs, cols)
                out.append(condition.sql(dialect()) + " /* judged */ " + judged(e["type"], kwargs, cols).sql(dialect()))
    return out


def test_spark_rendering_has_no_duckdb_only_function():
    rendered = _rendered(spark=True)
    assert rendered
    for sql in rendered:
        lowered = sql.lower()
        assert not [f for f in DUCKDB_ONLY if f in lowered], sql


def test_duckdb_is_the_default_dialect():
    assert dialect() == "duckdb"
    with dialect_as("spark"):
        assert dialect() == "spark"
    assert dialect() == "duckdb"
    with pytest.raises(ValueError):
        with dialect_as("postgres"):
            pass


def test_try_cast_stays_try_cast_on_spark():
    # sqlglot renders a plain TryCast as CAST for Spark: under ANSI mode that raises, without it it is silent.
    with dialect_as("spark"):
        sql = parsed(column("x", varchar=True), "number").sql("spark")
    assert "TRY_CAST" in sql


def test_normalise_key_on_spark_uses_the_nfc_udf_and_duckdb_trim_characters():
    with dialect_as("spark"):
        sql = normalise_key(column("x", varchar=True)).sql("spark")
    assert "R57_NFC" in sql.upper() and "TRIM(BOTH" in sql and "\u3000" in sql and "\u00a0" in sql


@pytest.mark.parametrize(
    ("re2", "text", "matches"),
    [
        ("^abc$", "abc", True),
        ("^abc$", "abc\n", False),  # Java's $ would match before the newline
        ("^abc$", "abc\r\n", False),
        ("^abc$", "abc\u2028", False),
        ("a\\sb", "a\x0bb", False),  # Java's \s holds \x0b, RE2's does not
        ("a\\sb", "a\tb", True),
        ("a\\Sb", "a\x0bb", True),
        ("^a.b$", "a\rb", True),  # Java's . refuses \r, RE2's accepts it
        ("^a.b$", "a\nb", False),
        ("(?s)^a.b$", "a\nb", True),
        ("^[0-9]{2}[.][0-9]$", "12.5", True),
        ("^[^[]+$", "ab", True),  # [ in a class is literal in RE2, a nested class in Java
        ("^[a&&b]$", "&", True),  # && is an intersection in Java
        ("[ .()-]", "0912-000", True),
    ],
)
def test_java_regex_matches_as_re2(re2, text, matches):
    # Python's re stands in for both: with \z as end of text it behaves as java.util.regex does here.
    java = java_regex(re2)
    python = java.replace("\\z", "\\Z")
    assert bool(re.search(python, text)) is matches, java
