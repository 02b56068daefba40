"""The production set-up of docs/deploy.md, end to end, on PostgreSQL.

A PostgreSQL server of the test's own: Debian's initdb and pg_ctl (`make postgres` installs them) on a
free port, run as the `postgres` user when the tests run as root (PostgreSQL refuses root), with the
instance's role and database created as the doc creates them. Then, as on a server:
`deploy/dagster.yaml` is DAGSTER_HOME's dagster.yaml, `deploy/r57.env` the services' environment (its
folders and password replaced by the test's), and the webserver and the daemon start with the command
lines of `deploy/r57-dagster-*.service` (run from this checkout instead of /opt/r57). The estate job,
launched with no run config, reads R57_SOURCES and writes R57_HOME; its run, its events, the
schedule's state and the daemon's heartbeats are rows in PostgreSQL, and the instance has no SQLite file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from r57_pipelines.resources import VIETNAM
from tests.builders import copy_sample_deliveries
from tests.dagster_services import (
    GRAPHQL_CLIENT_WARNING, ROOT, SCHEDULE_STATE, START_SCHEDULE, STOP_SCHEDULE, DagsterUI, free_port,
    run_to_success, service_env, serving, wait_for_location,
)

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(GRAPHQL_CLIENT_WARNING)]

DEPLOY = ROOT / "deploy"
SERVER_CHECKOUT = "/opt/r57"  # where the doc installs r57; the units' command lines name it
LOADED = {"aircraft": "MOC/aircraft", "medical_devices": "MOH/medical_devices"}
REJECTED = {"meritorious_people": "MOHA/meritorious_people"}  # a data file named in its manifest is missing


def _server_binaries() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin with pg_ctl."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not found:
        pytest.fail("PostgreSQL's server (/usr/lib/postgresql/*/bin/pg_ctl) is missing: `make postgres` installs it")
    return found[-1].parent


def _postgres_user() -> str:
    """The user the server runs as when the tests run as root (PostgreSQL refuses root); created if missing."""
    try:
        pwd.getpwnam("postgres")
    except KeyError:  # Debian's package creates it; a machine without the package gets a system user
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], check=True)
    return "postgres"


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", _postgres_user(), "--", *command] if os.geteuid() == 0 else command


def _run_server_binary(binaries: Path, folder: Path, *command: str) -> None:
    completed = subprocess.run(_as_postgres([str(binaries / command[0]), *command[1:]]), cwd=folder,
                               capture_output=True, text=True, timeout=120)
    if completed.returncode != 0:
        log = folder / "server.log"
        pytest.fail(f"{command[0]} exited with {completed.returncode}:\n{completed.stdout}{completed.stderr}"
                    + (f"\n--- {log} ---\n{log.read_text(errors='replace')[-3000:]}" if log.exists() else ""))


@dataclass(frozen=True)
class PostgresServer:
    port: int
    socket_dir: Path  # superuser `postgres`, trusted on this socket only
    env: dict[str, str]  # the DAGSTER_PG_* of r57.env for this server

    def query(self, sql: str, *params) -> list[tuple]:
        """`sql` in the instance's database, as its role (over TCP with the password, as Dagster connects)."""
        con = psycopg2.connect(
            host=self.env["DAGSTER_PG_HOST"], port=self.port, dbname=self.env["DAGSTER_PG_DB"],
            user=self.env["DAGSTER_PG_USER"], password=self.env["DAGSTER_PG_PASSWORD"],
        )
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    binaries = _server_binaries()
    # Not pytest's tmp_path: its folders are closed to other users, and the server runs as `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="r57-postgres-"))
    data, port = folder / "data", free_port()
    try:
        if os.geteuid() == 0:
            shutil.chown(folder, _postgres_user(), _postgres_user())
        _run_server_binary(binaries, folder, "initdb", "-D", str(data), "-U", "postgres", "--auth-local=trust",
                           "--auth-host=scram-sha-256", "--no-locale", "--encoding=UTF8")
        _run_server_binary(binaries, folder, "pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-w",
                           "-t", "60", "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start")
        role, database, password = "r57_dagster", "r57_dagster", "not-a-secret:@/&%?"  # quoted in Dagster's URL
        # As docs/deploy.md does: a role that logs in with a password, owning the instance's database.
        superuser = psycopg2.connect(host=str(folder), port=port, user="postgres", dbname="postgres")
        superuser.autocommit = True
        try:
            with superuser.cursor() as cur:
                cur.execute(f"CREATE ROLE {role} LOGIN PASSWORD %s", (password,))
                cur.execute(f"CREATE DATABASE {database} OWNER {role}")
        finally:
            superuser.close()
        env = {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port), "DAGSTER_PG_DB": database,
               "DAGSTER_PG_USER": role, "DAGSTER_PG_PASSWORD": password}
        yield PostgresServer(port, folder, env)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                           cwd=folder, capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


def _environment_file(path: Path) -> dict[str, str]:
    """A systemd EnvironmentFile of plain KEY=value lines (comments and blank lines aside)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _exec_start(unit: str, port: int) -> tuple[str, list[str]]:
    """The unit's ExecStart as (program, arguments), with this checkout for /opt/r57 and `port` for 3000."""
    (line,) = [line for line in (DEPLOY / unit).read_text(encoding="utf-8").splitlines() if line.startswith("ExecStart=")]
    program, *args = shlex.split(line.removeprefix("ExecStart="))
    assert program.startswith(f"{SERVER_CHECKOUT}/.venv/bin/"), program
    args = [a.replace(SERVER_CHECKOUT, str(ROOT)) for a in args]
    return Path(program).name, [str(port) if a == "3000" else a for a in args]


def _schedule_status(postgres: PostgresServer, name: str) -> list[str]:
    """The stored state of the schedule `name` (Dagster's schedule storage: the `jobs` table)."""
    return [status for (status,) in postgres.query("select status from jobs where job_body like %s", f'%"{name}"%')]


def test_webserver_and_daemon_on_postgres_run_the_estate_from_the_environments_folders(postgres, tmp_path):
    sources = copy_sample_deliveries(tmp_path / "deliveries", {**LOADED, **REJECTED}.values())
    home, dagster_home = tmp_path / "r57-home", tmp_path / "dagster"
    dagster_home.mkdir()
    shutil.copy(DEPLOY / "dagster.yaml", dagster_home / "dagster.yaml")
    env = _environment_file(DEPLOY / "r57.env")
    replaced = {"R57_SOURCES": str(sources), "R57_HOME": str(home), "DAGSTER_HOME": str(dagster_home), **postgres.env}
    assert set(replaced) <= set(env), sorted(set(replaced) - set(env))  # r57.env names every one of them
    env |= replaced

    port = free_port()
    webserver, webserver_args = _exec_start("r57-dagster-webserver.service", port)
    daemon_program, daemon_args = _exec_start("r57-dagster-daemon.service", port)
    assert (webserver, daemon_program) == ("dagster-webserver", "dagster-daemon")
    prefix = webserver_args[webserver_args.index("--path-prefix") + 1]  # as the proxy of the README serves it
    ui = DagsterUI(home=dagster_home, port=port, logs=tmp_path / "logs", env=service_env(dagster_home, **env), path_prefix=prefix)
    with serving(ui, *webserver_args):
        location, repository = wait_for_location(ui)

        # The schedule's state is kept in PostgreSQL: turned on, then off again before the daemon starts.
        selector = {"repositoryLocationName": location, "repositoryName": repository, "scheduleName": "nightly_quality"}
        started = ui.graphql(START_SCHEDULE, selector=selector)["startSchedule"]
        assert started["scheduleState"]["status"] == "RUNNING", started
        assert _schedule_status(postgres, "nightly_quality") == ["RUNNING"]
        ui.graphql(STOP_SCHEDULE, id=started["scheduleState"]["id"])
        assert ui.graphql(SCHEDULE_STATE, selector=selector)["scheduleOrError"]["scheduleState"]["status"] == "STOPPED"
        assert _schedule_status(postgres, "nightly_quality") == ["STOPPED"]

        daemon = ui.start(daemon_program, *daemon_args)
        run_id = run_to_success(ui, daemon, location, repository)  # no run config: the environment's folders

        # The run read R57_SOURCES and wrote to R57_HOME, as of its day in Vietnam.
        document = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
        assert document["run_id"] == run_id
        today = dt.datetime.now(VIETNAM).date()
        assert dt.date.fromisoformat(document["as_of"]) in (today, today - dt.timedelta(days=1))
        status = {d["id"]: d["delivery"]["status"] for d in document["databases"]}
        assert {db: s for db, s in status.items() if s != "absent"} == {
            "aircraft": "loaded", "medical_devices": "loaded", "meritorious_people": "rejected"
        }
        assert (home / "warehouse.duckdb").is_file()

        # Dagster's records are in PostgreSQL: the run, its events, the daemon's heartbeats; no SQLite file.
        assert postgres.query("select status from runs where run_id = %s", run_id) == [("SUCCESS",)]
        (events,) = postgres.query("select count(*) from event_logs where run_id = %s", run_id)[0]
        assert events > 100, events
        daemons = {d for (d,) in postgres.query("select daemon_type from daemon_heartbeats")}
        assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR"} <= daemons, daemons
        assert not [p for p in dagster_home.rglob("*.db")], sorted(map(str, dagster_home.rglob("*.db")))
