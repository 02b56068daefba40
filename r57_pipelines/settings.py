"""r57's settings from the environment: the variables' names, their defaults for a checkout, their checks.

One place, read by the Dagster definitions (the UI, the daemon's schedule and sensor, their runs;
`resources.environment_resources`) and by the `r57` command for its defaults (its flags still win):

| variable | what | unset |
|---|---|---|
| `R57_SOURCES` | the deliveries folder (`<MINISTRY>/<db>/manifest.yaml`, docs/delivery-format.md) | the checkout's `sample_sources/` |
| `R57_HOME` | the home: `warehouse.duckdb`, `reports/`, `state/`, the run lock | the checkout's `.r57/` |
| `R57_EXPECTATIONS` | the suites folder | the checkout's `expectations/` |
| `R57_AS_OF` | the as-of of runs launched without one (YYYY-MM-DD) | the date in Vietnam when the run starts |
| `R57_ENGINE` | the validation engine: `duckdb`, or `spark` (the `spark` extra; docs/scale-out.md) | `duckdb` |
| `R57_SPARK_REMOTE` | with `spark`: a Spark Connect URL (`sc://host:15002`) | Spark in local mode on this machine |
| `R57_DUCKDB_MEMORY_LIMIT` | DuckDB's `memory_limit` (e.g. `8GB`); beyond it DuckDB spills to `<home>/tmp/duckdb` | `3GB` (`resources.DEFAULT_MEMORY_LIMIT`) |
| `R57_DUCKDB_THREADS` | DuckDB's `threads` (a positive whole number) | DuckDB's own: one per core |

Folders must be absolute paths: the webserver, the daemon, the code server and each run's process
start in folders of their own. An empty variable counts as unset. A value r57 cannot use stops the
definitions from loading (the UI shows the message) and the command with status 2, before anything runs.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from r57_pipelines.paths import DEFAULT_HOME, EXPECTATIONS_DIR, SAMPLE_SOURCES_DIR

SOURCES_ENV = "R57_SOURCES"
HOME_ENV = "R57_HOME"
EXPECTATIONS_ENV = "R57_EXPECTATIONS"
AS_OF_ENV = "R57_AS_OF"
ENGINE_ENV = "R57_ENGINE"
SPARK_REMOTE_ENV = "R57_SPARK_REMOTE"
DUCKDB_MEMORY_LIMIT_ENV = "R57_DUCKDB_MEMORY_LIMIT"
DUCKDB_THREADS_ENV = "R57_DUCKDB_THREADS"

ENGINES = ("duckdb", "spark")  # the engines r57 validates on; the warehouse of results is DuckDB's


class SettingsError(ValueError):
    """An environment variable r57 cannot use; the message names it and says what it accepts."""


@dataclass(frozen=True)
class Settings:
    sources: Path
    home: Path
    expectations: Path
    as_of: dt.date | None  # None: the date in Vietnam when a run starts
    engine: str
    spark_remote: str = ""  # empty: Spark in local mode
    duckdb_config: dict[str, str | int] = field(default_factory=dict)  # DuckDBResource's connection_config
    from_environment: frozenset[str] = frozenset()  # the variables that were set

    def is_set(self, variable: str) -> bool:
        return variable in self.from_environment


def read_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings in `environ` (default: this process's environment), checked; SettingsError if unusable."""
    env = {k: v for k, v in (os.environ if environ is None else environ).items() if k.startswith("R57_") and v}
    engine = env.get(ENGINE_ENV, ENGINES[0])
    if engine not in ENGINES:
        raise SettingsError(
            f"{ENGINE_ENV}={engine!r}: r57 has no such engine; give one of {', '.join(ENGINES)} "
            "(or leave it unset: duckdb)"
        )
    return Settings(
        sources=_folder(env, SOURCES_ENV, SAMPLE_SOURCES_DIR),
        home=_folder(env, HOME_ENV, DEFAULT_HOME),
        expectations=_folder(env, EXPECTATIONS_ENV, EXPECTATIONS_DIR),
        as_of=_as_of(env),
        engine=engine,
        spark_remote=_spark_remote(env),
        duckdb_config=_duckdb_config(env),
        from_environment=frozenset(env),
    )


def _folder(env: Mapping[str, str], variable: str, default: Path) -> Path:
    if variable not in env:
        return default
    path = Path(env[variable])
    if not path.is_absolute():
        raise SettingsError(
            f"{variable}={env[variable]!r}: give an absolute path (the webserver, the daemon and each run "
            "start in folders of their own)"
        )
    return path


def _as_of(env: Mapping[str, str]) -> dt.date | None:
    if AS_OF_ENV not in env:
        return None
    try:
        return dt.date.fromisoformat(env[AS_OF_ENV])
    except ValueError:
        raise SettingsError(f"{AS_OF_ENV}={env[AS_OF_ENV]!r}: not a date (YYYY-MM-DD)") from None


def _spark_remote(env: Mapping[str, str]) -> str:
    remote = env.get(SPARK_REMOTE_ENV, "")
    if remote and not remote.startswith("sc://"):
        raise SettingsError(f"{SPARK_REMOTE_ENV}={remote!r}: give a Spark Connect URL, sc://host:15002")
    return remote


def _duckdb_config(env: Mapping[str, str]) -> dict[str, str | int]:
    config: dict[str, str | int] = {}
    if DUCKDB_THREADS_ENV in env:
        value = env[DUCKDB_THREADS_ENV]
        if not value.isdigit() or int(value) < 1:
            raise SettingsError(f"{DUCKDB_THREADS_ENV}={value!r}: give a whole number of threads, 1 or more")
        config["threads"] = int(value)
    if DUCKDB_MEMORY_LIMIT_ENV in env:
        config["memory_limit"] = env[DUCKDB_MEMORY_LIMIT_ENV]
        _check_with_duckdb(DUCKDB_MEMORY_LIMIT_ENV, "memory_limit", env[DUCKDB_MEMORY_LIMIT_ENV])
    return config


def _check_with_duckdb(variable: str, option: str, value: str) -> None:
    """DuckDB's own parser says whether it takes the value (an in-memory database: milliseconds)."""
    import duckdb

    try:
        duckdb.connect(":memory:", config={option: value}).close()
    except duckdb.Error as error:
        first = str(error).strip().splitlines()[0]
        raise SettingsError(f"{variable}={value!r}: DuckDB refuses it as {option} ({first}); e.g. 8GB or 500MB") from None
