"""Resources: where the deliveries are, where results go, and the DuckDB warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource
from pydantic import Field

from r57_pipelines.paths import DEFAULT_HOME, SAMPLE_SOURCES_DIR
from r57_pipelines.warehouse import ensure_schema

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
WAREHOUSE_FILE = "warehouse.duckdb"


class Estate(dg.ConfigurableResource):
    """The run's inputs and outputs: the sources folder, r57's home folder, and the as-of date."""

    sources_dir: str = str(SAMPLE_SOURCES_DIR)
    home_dir: str = str(DEFAULT_HOME)
    as_of: str = Field(default="", description="Evaluate as of this date (YYYY-MM-DD); empty: today in Vietnam.")

    @property
    def sources(self) -> Path:
        return Path(self.sources_dir)

    @property
    def home(self) -> Path:
        return Path(self.home_dir)

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    def as_of_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_of) if self.as_of else dt.datetime.now(VIETNAM).date()


class Warehouse(DuckDBResource):
    """dagster-duckdb's resource (retries while another process holds the file), plus r57's tables."""

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        with self.get_connection() as con:
            ensure_schema(con)
            yield con


def resources_for(sources: Path, home: Path, as_of: dt.date | None) -> dict[str, dg.ConfigurableResource]:
    """The resources of one run; the CLI and the tests use this, `dagster dev` gets the defaults."""
    return {
        "estate": Estate(sources_dir=str(sources), home_dir=str(home), as_of=as_of.isoformat() if as_of else ""),
        "warehouse": Warehouse(database=str(home / WAREHOUSE_FILE)),
    }
