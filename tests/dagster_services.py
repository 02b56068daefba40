"""The Dagster webserver and daemon as an engineer or a server runs them, for the end-to-end tests.

`dagster-webserver` and `dagster-daemon run` start in process groups of their own (their code servers
and run workers with them) with their own DAGSTER_HOME; a job is launched through Dagster's GraphQL
client (queued, so only the daemon can start it) and followed to SUCCESS. Used by
tests/ui/test_dagster_ui.py (a temporary instance, then the browser) and
tests/ui/test_postgres_deployment.py (the production instance of docs/deploy.md on PostgreSQL)::

    ui = DagsterUI(home=dagster_home, port=free_port(), logs=tmp_path / "logs", env=service_env(dagster_home))
    with serving(ui, "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(ui.port)):
        location, repository = wait_for_location(ui)
        daemon = ui.start("dagster-daemon", "run", "-w", "workspace.yaml")
        run_id = run_to_success(ui, daemon, location, repository, run_config)
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import requests
from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # .venv/bin when run as .venv/bin/pytest
JOB = "estate_quality"
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 15 * 60

# dagster-graphql 1.13's client calls gql's deprecated execute(variable_values=...) on every request.
GRAPHQL_CLIENT_WARNING = "ignore:Using variable_values and operation_name:DeprecationWarning"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"({path} missing)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def service_env(dagster_home: Path, **extra: str) -> dict[str, str]:
    """This process's environment without Dagster's or r57's variables, then DAGSTER_HOME and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "R57_"))}
    return env | {"DAGSTER_HOME": str(dagster_home), "PYTHONUNBUFFERED": "1"} | extra


@dataclass
class Service:
    name: str
    proc: subprocess.Popen
    log: Path

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.proc.returncode}:\n{tail(self.log)}")


@dataclass
class DagsterUI:
    """The running webserver (and, once started, the daemon) of one test."""

    home: Path  # DAGSTER_HOME
    port: int
    logs: Path
    env: dict[str, str]
    path_prefix: str = ""  # the webserver's --path-prefix, if any
    services: list[Service] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path_prefix}"

    def start(self, name: str, *args: str) -> Service:
        self.logs.mkdir(parents=True, exist_ok=True)
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [str(BIN / name), *args],
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the code servers and run workers with it
            )
        service = Service(name, proc, log)
        self.services.append(service)
        return service

    def graphql(self, query: str, **variables) -> dict:
        response = requests.post(f"{self.url}/graphql", json={"query": query, "variables": variables}, timeout=60)
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def client(self) -> DagsterGraphQLClient:
        return DagsterGraphQLClient("127.0.0.1", port_number=self.port, path_prefix=self.path_prefix, timeout=60)

    def diagnostics(self) -> str:
        return "\n".join(f"--- {s.name} (tail of {s.log}) ---\n{tail(s.log)}" for s in self.services)

    def stop(self) -> None:
        for service in reversed(self.services):
            stop_group(service.proc)


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the process group (and any descendant that left it), then SIGKILL what is left."""
    try:
        family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        family = []
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        for p in family:
            try:
                p.send_signal(sig)
            except psutil.NoSuchProcess:
                pass
        _, alive = psutil.wait_procs(family, timeout=20 if sig == signal.SIGTERM else 5)
        if not alive and proc.poll() is not None:
            break
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


@contextmanager
def serving(ui: DagsterUI, *webserver_args: str) -> Iterator[DagsterUI]:
    """`dagster-webserver *webserver_args`, once it answers /server_info; every service of `ui` stopped after."""
    try:
        web = ui.start("dagster-webserver", *webserver_args)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            web.check_alive()
            try:
                info = requests.get(f"{ui.url}/server_info", timeout=5)
                if info.ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the webserver did not answer /server_info in {START_TIMEOUT_S} s\n{ui.diagnostics()}")
            time.sleep(0.5)
        assert info.json()["dagster_webserver_version"]
        yield ui
    finally:
        ui.stop()


LOCATIONS = """
query {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on RepositoryLocation { repositories { name jobs { name } } }
          ... on PythonError { message stack }
        }
      }
    }
    ... on PythonError { message }
  }
}
"""

SCHEDULE_STATE = """
query ($selector: ScheduleSelector!) {
  scheduleOrError(scheduleSelector: $selector) {
    __typename
    ... on Schedule { scheduleState { id status } }
    ... on PythonError { message }
  }
}
"""

STOP_SCHEDULE = """
mutation ($id: String!) {
  stopRunningSchedule(id: $id) {
    __typename
    ... on ScheduleStateResult { scheduleState { status } }
    ... on PythonError { message }
  }
}
"""

START_SCHEDULE = """
mutation ($selector: ScheduleSelector!) {
  startSchedule(scheduleSelector: $selector) {
    __typename
    ... on ScheduleStateResult { scheduleState { id status } }
    ... on PythonError { message }
  }
}
"""

RUN_LOGS = """
query ($runId: ID!) {
  logsForRun(runId: $runId) {
    __typename
    ... on EventConnection {
      events {
        __typename
        ... on MessageEvent { timestamp level stepKey message }
        ... on ErrorEvent { error { message stack } }
      }
    }
    ... on PythonError { message }
  }
}
"""


def wait_for_location(ui: DagsterUI) -> tuple[str, str]:
    """Wait until the workspace's code location has loaded; its (location, repository) names."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        ui.services[0].check_alive()
        workspace = ui.graphql(LOCATIONS)["workspaceOrError"]
        assert workspace["__typename"] == "Workspace", workspace
        entries = workspace["locationEntries"]
        assert [e["name"] for e in entries] == ["r57"], entries
        entry = entries[0]
        loaded = entry["locationOrLoadError"]
        if entry["loadStatus"] == "LOADED" and loaded is not None:
            assert loaded["__typename"] == "RepositoryLocation", f"the code location failed to load: {loaded}"
            (repository,) = loaded["repositories"]
            assert JOB in {j["name"] for j in repository["jobs"]}
            return entry["name"], repository["name"]
        if time.monotonic() > deadline:
            pytest.fail(f"the code location did not load in {START_TIMEOUT_S} s\n{ui.diagnostics()}")
        time.sleep(1)


def run_log_tail(ui: DagsterUI, run_id: str, lines: int = 40) -> str:
    try:
        result = ui.graphql(RUN_LOGS, runId=run_id)["logsForRun"]
    except Exception as exc:  # the server may be the thing that broke
        return f"(no event log: {exc})"
    if result["__typename"] != "EventConnection":
        return f"(no event log: {result})"
    out = []
    for event in result["events"][-lines:]:
        line = f"{event.get('level', '')} {event.get('stepKey') or ''} {event['__typename']}: {event.get('message', '')}"
        if event.get("error"):
            line += f"\n    {event['error']['message']}\n" + "".join(event["error"]["stack"][-6:])
        out.append(line)
    return "\n".join(out)


def run_to_success(ui: DagsterUI, daemon: Service, location: str, repository: str, run_config: dict | None = None) -> str:
    """Launch the estate job through GraphQL (queued: the daemon starts it) and follow it to SUCCESS; its run id."""
    started = time.monotonic()
    client = ui.client()
    run_id = client.submit_job_execution(JOB, repository_location_name=location, repository_name=repository, run_config=run_config)
    print(f"\nrun {run_id} submitted")
    deadline = started + RUN_TIMEOUT_S
    status = client.get_run_status(run_id)
    while status != DagsterRunStatus.SUCCESS:
        daemon.check_alive()
        if status in (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED):
            pytest.fail(f"run {run_id} ended {status.value}:\n{run_log_tail(ui, run_id)}\n{ui.diagnostics()}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"run {run_id} still {status.value} after {RUN_TIMEOUT_S} s:\n"
                f"{run_log_tail(ui, run_id)}\n{ui.diagnostics()}"
            )
        time.sleep(2)
        status = client.get_run_status(run_id)
    print(f"run {run_id} succeeded in {time.monotonic() - started:.0f} s")
    return run_id
