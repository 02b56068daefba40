"""Resources: where the deliveries are, where results go, and the DuckDB warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Literal

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field, PrivateAttr

from r57_pipelines.locale_format import VIETNAM
from r57_pipelines.paths import DEFAULT_HOME, EXPECTATIONS_DIR, SAMPLE_SOURCES_DIR
from r57_pipelines.runlock import describe_holder, run_lock
from r57_pipelines.settings import (
    AS_OF_ENV, ENGINE_ENV, EXPECTATIONS_ENV, HOME_ENV, SOURCES_ENV, SPARK_REMOTE_ENV, Settings, read_settings,
)
from r57_pipelines.warehouse import ensure_schema

WAREHOUSE_FILE = "warehouse.duckdb"
DEFAULT_MEMORY_LIMIT = "3GB"  # the 50M-row estate runs within it (benchmarks/bench_estate.py)
AS_OF_TAG = "r57/as_of"  # the run tag naming the date a run evaluates


class Estate(dg.ConfigurableResource):
    """The run's inputs and outputs: the sources folder, r57's home folder, and the as-of date."""

    sources_dir: str = Field(
        default=str(SAMPLE_SOURCES_DIR),
        description=f"The deliveries folder (<MINISTRY>/<db>/). In the UI: {SOURCES_ENV} when set, else the checkout's sample_sources/.",
    )
    home_dir: str = Field(
        default=str(DEFAULT_HOME),
        description=f"Where the reports and the run's state go. In the UI: {HOME_ENV} when set, else the checkout's .r57/.",
    )
    as_of: str = Field(
        default="",
        description=(
            "Evaluate as of this date (YYYY-MM-DD); empty: the date in Vietnam when the run starts. "
            f"In the UI: {AS_OF_ENV} when set (`make dagster` sets it to the sample estate's date). The run's "
            "tag r57/as_of and each asset's `as_of` metadata say which date a run used."
        ),
    )
    expectations_dir: str = Field(
        default=str(EXPECTATIONS_DIR),
        description=(
            "The suites folder: <db>/<table>.json generated, <db>/authored/*.json written by people, plugins/*.py. "
            f"In the UI: {EXPECTATIONS_ENV} when set, else the checkout's expectations/."
        ),
    )

    @property
    def sources(self) -> Path:
        return Path(self.sources_dir)

    @property
    def expectations(self) -> Path:
        return Path(self.expectations_dir)

    @property
    def home(self) -> Path:
        return Path(self.home_dir)

    @property
    def reports_dir(self) -> Path:
        """The reviewers' full bundle, replaced as a whole by each run (report/publish.py)."""
        return self.home / "reports"

    @property
    def readiness_document(self) -> Path:
        """The latest verdicts as readiness.json, handed from the readiness asset to the reports."""
        return self.home / "state" / "readiness.json"

    # The as-of of the run, fixed when the run starts: a run that crosses midnight keeps one date.
    _run_as_of: dt.date | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if not self.sources.is_dir():
            # An unmounted or mistyped folder would otherwise read as "no delivery" and publish a report
            # where every database has fallen to not started.
            raise FileNotFoundError(
                f"sources folder not found: {self.sources} (the estate resource's sources_dir; {SOURCES_ENV} in the UI)"
            )
        self._run_as_of = self.as_of_date()
        # Every run states its as-of, however it was launched (CLI, launchpad, schedule, sensor).
        run, instance = context.run, context.instance
        if run is not None and instance is not None and run.tags.get(AS_OF_TAG) != self._run_as_of.isoformat():
            instance.add_run_tags(run.run_id, {AS_OF_TAG: self._run_as_of.isoformat()})

    def as_of_date(self) -> dt.date:
        if self._run_as_of is not None:
            return self._run_as_of
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.datetime.now(VIETNAM).date()


class Warehouse(DuckDBResource):
    """dagster-duckdb's resource, plus r57's tables and the home's run lock.

    Within a run the connection is opened once and shared by every step (the run executes in one
    process): opening a DuckDB file costs about 0.1 s, which over 235 steps was most of an unchanged
    rerun. Before opening it the run takes the exclusive run lock of the folder holding the warehouse
    (the home; see r57_pipelines/runlock.py) and keeps it to the end, so a second run on the same home
    never interleaves with this one: it waits up to `run_lock_wait_seconds`, then fails naming the
    holder. `r57 run` takes the same lock first (and by default does not wait).
    """

    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description=(
            "Where the suites run: duckdb (in this warehouse), or spark (the `spark` resource; the delivered "
            f"tables as Parquet in its lake). Results, readiness and reports stay here either way. In the UI: {ENGINE_ENV}."
        ),
    )
    run_lock_wait_seconds: float = Field(
        default=7200,
        description=(
            "How long a run waits for another run on the same home before failing "
            "(seconds; 0: fail at once; negative: wait for ever)."
        ),
    )

    _run_connection: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _run_stack: ExitStack = PrivateAttr(default_factory=ExitStack)

    def make_folders(self) -> None:
        """The home, and the folder DuckDB spills to (DuckDB creates only its last part)."""
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        if spill := self.connection_config.get("temp_directory"):
            Path(spill).mkdir(parents=True, exist_ok=True)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        home = Path(self.database).parent
        self.make_folders()

        def waiting(holder: dict | None) -> None:
            context.log.warning(
                f"another r57 run holds {home} ({describe_holder(holder)}); "
                f"waiting up to {self.run_lock_wait_seconds:g} s for it"
            )

        try:
            details = {"dagster_run_id": context.run.run_id if context.run else None}
            held = run_lock(home, self.run_lock_wait_seconds, details, on_wait=waiting)
            self._run_stack.enter_context(held)
            self._run_connection = self._run_stack.enter_context(self.get_connection())
            ensure_schema(self._run_connection)
        except BaseException:
            self._run_stack.close()
            self._run_connection = None
            raise

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._run_stack.close()
        self._run_connection = None

    @contextmanager
    def released(self) -> Iterator[None]:
        """The warehouse file closed for another process to write (dbt's), reopened after; the run lock
        stays held, so no other run comes in between. DuckDB lets one process at a time open a file."""
        if self._run_connection is None:
            yield
            return
        self._run_connection.close()
        self._run_connection = None
        try:
            yield
        finally:
            self._run_connection = self._run_stack.enter_context(self.get_connection())

    @property
    def duckdb_settings(self) -> dict[str, str | int]:
        """The DuckDB settings every connection to the warehouse uses (memory limit, spill folder, threads)."""
        return dict(self.connection_config)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        if self._run_connection is not None:
            try:
                yield self._run_connection
            except BaseException:
                # The next step shares this connection: never hand it on inside a failed transaction.
                try:
                    self._run_connection.execute("rollback")
                except duckdb.Error:
                    pass  # no transaction was open
                raise
            return
        self.make_folders()
        with self.get_connection() as con:
            ensure_schema(con)
            yield con


class Spark(dg.ConfigurableResource):
    """Apache Spark, for `warehouse.engine: spark` (docs/scale-out.md): a Spark Connect cluster, or local mode.

    The session starts on first use and stops with the run: loading the definitions, and a DuckDB run, never
    start a JVM. (dagster-pyspark's lazy resource does the same, but imports pyspark, which only the `spark`
    extra installs: these definitions must load without it.)
    """

    remote: str = Field(
        default="", description=f"A Spark Connect URL, sc://host:15002; empty: local mode here. In the UI: {SPARK_REMOTE_ENV}."
    )
    local_cores: int = Field(default=2, description="local mode: local[N]")
    driver_memory: str = Field(default="2g", description="local mode: the driver's (the only JVM's) heap")
    lake_dir: str = Field(
        default="",
        description="Where Spark reads the delivered tables as Parquet (warehouse/lake.py); empty: <home>/lake. "
        "With a cluster, a folder every executor reads.",
    )

    _connection: Any = PrivateAttr(default=None)

    def connection(self, lake: Path) -> Any:
        """The session as the validator's connection (``validation.engines.SparkConnection``), started once; in
        local mode its catalog's folder is in the lake (Spark would make one in the working directory)."""
        if self._connection is None:
            try:
                import pyspark  # noqa: F401
            except ImportError:
                raise RuntimeError(
                    "the spark engine needs pyspark, which r57's `spark` extra installs (`make spark`: it also "
                    "installs Java)"
                ) from None
            from r57_pipelines.validation.engines import SparkConnection, local_spark_session, remote_spark_session

            session = (
                remote_spark_session(self.remote) if self.remote
                else local_spark_session(
                    self.local_cores, warehouse_dir=str(lake / "spark-warehouse"), driver_memory=self.driver_memory
                )
            )
            self._connection = SparkConnection(session)
        return self._connection

    def lake(self, home: Path) -> Path:
        return Path(self.lake_dir) if self.lake_dir else home / "lake"

    def describe(self) -> str:
        return self.remote or f"local[{self.local_cores}]"

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._connection is not None:
            self._connection.session.stop()
            self._connection = None


def duckdb_defaults(home: Path) -> dict[str, str]:
    """DuckDB settings unless the environment or the caller says otherwise (docs/deploy.md, "Memory").

    A bounded memory so that the nightly run fits beside the webserver and daemon (DuckDB's own default is
    80 % of the machine), spilling what does not fit to the home, not the system's /tmp.
    """
    return {"memory_limit": DEFAULT_MEMORY_LIMIT, "temp_directory": str(home / "tmp" / "duckdb")}


def warehouse_at(
    home: Path, duckdb_config: dict[str, str | int] | None = None, engine: str = "duckdb"
) -> Warehouse:
    return Warehouse(
        database=str(home / WAREHOUSE_FILE), connection_config={**duckdb_defaults(home), **(duckdb_config or {})},
        engine=engine,
    )


def resources_for(
    sources: Path, home: Path, as_of: dt.date | None, expectations: Path = EXPECTATIONS_DIR,
    duckdb_config: dict[str, str | int] | None = None, engine: str = "duckdb", spark: Spark | None = None,
) -> dict[str, dg.ConfigurableResource]:
    """The resources of one run, as values; the CLI and the tests use this, the Dagster definitions
    `environment_resources`."""
    return {
        "estate": Estate(
            sources_dir=str(sources), home_dir=str(home), as_of=as_of.isoformat() if as_of else "",
            expectations_dir=str(expectations),
        ),
        "warehouse": warehouse_at(home, duckdb_config, engine),
        "spark": spark or Spark(),
    }


def environment_resources(settings: Settings | None = None) -> dict[str, dg.ConfigurableResource]:
    """The Dagster definitions' resources (the UI, the schedule, the sensor) from the environment.

    settings.py reads and checks the variables. A folder or date set in the environment is passed as
    `dg.EnvVar`, so the launchpad shows which variable it comes from and each run's process reads it
    again; unset, the checkout's default. The warehouse is `<home>/warehouse.duckdb` with the DuckDB
    settings as its connection_config, as values (Dagster resolves no EnvVar inside a dict, nor one
    with a suffix).
    """
    settings = settings or read_settings()

    def value(variable: str, default: str) -> str:
        return dg.EnvVar(variable) if settings.is_set(variable) else default

    return {
        "estate": Estate(
            sources_dir=value(SOURCES_ENV, str(settings.sources)),
            home_dir=value(HOME_ENV, str(settings.home)),
            as_of=value(AS_OF_ENV, ""),
            expectations_dir=value(EXPECTATIONS_ENV, str(settings.expectations)),
        ),
        "warehouse": warehouse_at(settings.home, settings.duckdb_config, settings.engine),
        "spark": Spark(remote=value(SPARK_REMOTE_ENV, "")),
    }
