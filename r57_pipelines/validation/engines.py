"""What the one-pass executor asks of its engine besides SQL: the catalog, temporary tables, Python functions.

DuckDB is the default (a ``duckdb`` connection, used as it always was). For Spark, ``SparkConnection`` wraps a
``SparkSession`` so that the executor's few calls (``execute(sql, parameters).fetchall()``) read the same, and
the catalog questions DuckDB answers from ``information_schema`` / ``duckdb_tables()`` are answered from
Spark's catalog. The SQL itself is never translated here: the compiler writes each dialect's own
(``sqlbuild``).

A Spark table validated by r57 carries its load order in ``sqlbuild.LOAD_ORDER_COLUMN`` (ingest writes it;
Spark has no ``rowid``); the column is hidden from the suites (``columns_present`` is an exact match).
"""

from __future__ import annotations

from typing import Any

from r57_pipelines.validation.sqlbuild import LOAD_ORDER_COLUMN

# Spark's simple type names as the DuckDB type names the executor tests for (VARCHAR, numeric, TIMESTAMP ...).
_SPARK_TYPES = {
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITH TIME ZONE",
    "timestamp_ntz": "TIMESTAMP",
    "binary": "BLOB",
}


class _Rows:
    def __init__(self, rows: list[tuple]) -> None:
        self._rows = rows

    def fetchall(self) -> list[tuple]:
        return self._rows


class SparkConnection:
    """A ``SparkSession`` behind the executor's connection calls."""

    dialect = "spark"

    def __init__(self, session: Any) -> None:
        self.session = session
        self._functions: set[str] = set()
        self._views: set[str] = set()
        self.registered: dict[str, str | None] = {}  # schema -> the delivery it was registered from (warehouse/lake.py)

    def execute(self, sql: str, parameters: list | None = None) -> _Rows:
        rows = self.session.sql(sql, args=list(parameters) if parameters else None).collect()
        return _Rows([tuple(r) for r in rows])

    # -- catalog --------------------------------------------------------------------------------------

    def column_types(self, schema: str, table: str) -> dict[str, str] | None:
        if not self.session.catalog.tableExists(f"`{schema}`.`{table}`"):
            return None
        fields = self.session.table(f"`{schema}`.`{table}`").schema.fields
        return {
            f.name: _SPARK_TYPES.get(f.dataType.simpleString(), f.dataType.simpleString().upper())
            for f in fields
            if f.name != LOAD_ORDER_COLUMN
        }

    def has_load_order(self, schema: str, table: str) -> bool:
        if not self.session.catalog.tableExists(f"`{schema}`.`{table}`"):
            return False
        return LOAD_ORDER_COLUMN in self.session.table(f"`{schema}`.`{table}`").columns

    # -- temporary views and functions ----------------------------------------------------------------

    def ensure_view(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        """A temporary view of constant rows (all text), once per session."""
        if name in self._views:
            return
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType([StructField(c, StringType()) for c in columns])
        self.session.createDataFrame(rows, schema).cache().createOrReplaceTempView(name)
        self._views.add(name)

    def ensure_function(self, name: str, function: Any, arity: int) -> None:
        """A Python function returning BOOLEAN of ``arity`` text arguments (``functions.PYTHON_FUNCTIONS``)."""
        if name in self._functions:
            return
        from pyspark.sql.types import BooleanType

        def call(*values: Any) -> bool | None:
            return None if any(v is None for v in values) else function(*values)

        self.session.udf.register(name, call, BooleanType())
        self._functions.add(name)

    def ensure_nfc(self) -> None:
        """``r57_nfc``: Spark has no Unicode normalisation function. A vectorised (Arrow, pandas) Python UDF over
        ``unicodedata.normalize("NFC", ...)``; Java's ``java.text.Normalizer`` cannot be reached from SQL
        (``reflect`` passes no enum argument) without shipping a jar."""
        if "r57_nfc" in self._functions:
            return
        import pandas as pd
        from pyspark.sql.functions import pandas_udf

        def r57_nfc(values):  # noqa: ANN001, ANN202
            import unicodedata

            return values.map(lambda v: unicodedata.normalize("NFC", v) if isinstance(v, str) else v)

        # Real classes, not this module's postponed (string) annotations: pandas_udf reads the hints.
        r57_nfc.__annotations__ = {"values": pd.Series, "return": pd.Series}
        self.session.udf.register("r57_nfc", pandas_udf(r57_nfc, "string"))
        self._functions.add("r57_nfc")


def spark_connection(con: Any) -> SparkConnection:
    """``con`` (a SparkSession or an already wrapped one) as a ``SparkConnection``."""
    return con if isinstance(con, SparkConnection) else SparkConnection(con)


def is_spark(con: Any) -> bool:
    return isinstance(con, SparkConnection)


def local_spark_session(cores: int = 2, *, warehouse_dir: str | None = None, driver_memory: str = "2g") -> Any:
    """A local-mode SparkSession for tests and one big machine: ``local[cores]``, no UI, UTC session time zone,
    few shuffle partitions, Python workers on this interpreter (the ``r57_nfc`` UDF runs there)."""
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("r57")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(max(2, cores)))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.catalogImplementation", "in-memory")
    )
    if warehouse_dir:
        builder = builder.config("spark.sql.warehouse.dir", warehouse_dir)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def remote_spark_session(url: str) -> Any:
    """A Spark Connect session on a cluster (``sc://host:15002``): the driver there runs the queries; the
    Python UDFs (``r57_nfc``, the Python rules) run on its executors, which need pandas and pyarrow."""
    from pyspark.sql import SparkSession

    session = SparkSession.builder.remote(url).getOrCreate()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session
