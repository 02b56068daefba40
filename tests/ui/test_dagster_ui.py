"""UI end to end: the Dagster webserver and daemon, the full job through GraphQL, the asset graph in Chromium.

What an engineer does: `dagster-webserver` and `dagster-daemon run` on 127.0.0.1 with their own
DAGSTER_HOME, `estate_quality` launched through Dagster's GraphQL client (queued, so only the daemon
can start it), the run followed to SUCCESS, then the asset graph opened in a real browser.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest
import requests
from dagster import DagsterRunStatus
from dagster_graphql import DagsterGraphQLClient
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent  # .venv/bin when run as .venv/bin/pytest
AS_OF = "2025-12-04"
JOB = "estate_quality"
SCHEDULE = "nightly_quality"
MPS_GROUP = "MPS_Public_Security"  # the group of the Ministry of Public Security's databases
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 15 * 60

# The defaults spelled out: runs are queued and dequeued by the daemon, then launched in a
# subprocess; no telemetry and no first-visit dialog.
DAGSTER_YAML = """\
run_coordinator:
  module: dagster._core.run_coordinator
  class: QueuedRunCoordinator
run_launcher:
  module: dagster._core.launcher
  class: DefaultRunLauncher
telemetry:
  enabled: false
nux:
  enabled: false
"""

pytestmark = [
    pytest.mark.slow,
    # dagster-graphql 1.13's client calls gql's deprecated execute(variable_values=...) on every request.
    pytest.mark.filterwarnings("ignore:Using variable_values and operation_name:DeprecationWarning"),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"({path} missing)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Service:
    name: str
    proc: subprocess.Popen
    log: Path

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            pytest.fail(f"{self.name} exited with {self.proc.returncode}:\n{_tail(self.log)}")


@dataclass
class DagsterUI:
    """The running webserver (and, once started, the daemon) of one test."""

    home: Path  # DAGSTER_HOME
    port: int
    logs: Path
    env: dict[str, str]
    services: list[Service] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, name: str, *args: str) -> Service:
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

    def diagnostics(self) -> str:
        return "\n".join(f"--- {s.name} (tail of {s.log}) ---\n{_tail(s.log)}" for s in self.services)

    def stop(self) -> None:
        for service in reversed(self.services):
            _stop_group(service.proc)


def _stop_group(proc: subprocess.Popen) -> None:
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


@pytest.fixture
def dagster_ui(tmp_path: Path) -> Iterator[DagsterUI]:
    """`dagster-webserver -w workspace.yaml` on 127.0.0.1:<free port> with a new DAGSTER_HOME, until it serves."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    logs = tmp_path / "logs"
    logs.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_")}
    env |= {"DAGSTER_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    ui = DagsterUI(home=home, port=_free_port(), logs=logs, env=env)
    try:
        web = ui.start("dagster-webserver", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(ui.port))
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

RUN_TAGS = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { tags { key value } }
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


def _wait_for_location(ui: DagsterUI) -> tuple[str, str]:
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


def _nightly_schedule_is_stopped(ui: DagsterUI, location: str, repository: str) -> None:
    """The nightly schedule starts stopped (a checkout never replaces the sample report with today's);
    stopped it must be before the daemon starts, so that the daemon never starts a run on the default home."""
    selector = {"repositoryLocationName": location, "repositoryName": repository, "scheduleName": SCHEDULE}
    schedule = ui.graphql(SCHEDULE_STATE, selector=selector)["scheduleOrError"]
    assert schedule["__typename"] == "Schedule", schedule
    if schedule["scheduleState"]["status"] == "STOPPED":
        return
    stopped = ui.graphql(STOP_SCHEDULE, id=schedule["scheduleState"]["id"])["stopRunningSchedule"]
    assert stopped["__typename"] == "ScheduleStateResult", stopped
    assert stopped["scheduleState"]["status"] == "STOPPED"
    pytest.fail("the nightly schedule was running by default in a new instance (stopped it before the daemon started)")


def _run_log_tail(ui: DagsterUI, run_id: str, lines: int = 40) -> str:
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


def test_full_job_through_graphql_then_asset_graph_in_browser(dagster_ui: DagsterUI, browser_page, browser_log, registry, tmp_path):
    started = time.monotonic()
    location, repository = _wait_for_location(dagster_ui)
    _nightly_schedule_is_stopped(dagster_ui, location, repository)
    daemon = dagster_ui.start("dagster-daemon", "run", "-w", "workspace.yaml")

    home = tmp_path / "home"
    run_config = {
        "resources": {
            "estate": {"config": {"sources_dir": str(ROOT / "sample_sources"), "home_dir": str(home), "as_of": AS_OF}},
            "warehouse": {"config": {"database": str(home / "warehouse.duckdb")}},
        }
    }
    client = DagsterGraphQLClient("127.0.0.1", port_number=dagster_ui.port, timeout=60)
    run_id = client.submit_job_execution(JOB, repository_location_name=location, repository_name=repository, run_config=run_config)
    print(f"\nrun {run_id} submitted {time.monotonic() - started:.0f} s after the webserver answered")

    deadline = time.monotonic() + RUN_TIMEOUT_S
    status = client.get_run_status(run_id)
    while status != DagsterRunStatus.SUCCESS:
        daemon.check_alive()
        if status in (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED):
            pytest.fail(f"run {run_id} ended {status.value}:\n{_run_log_tail(dagster_ui, run_id)}\n{dagster_ui.diagnostics()}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"run {run_id} still {status.value} after {RUN_TIMEOUT_S} s:\n"
                f"{_run_log_tail(dagster_ui, run_id)}\n{dagster_ui.diagnostics()}"
            )
        time.sleep(2)
        status = client.get_run_status(run_id)
    print(f"run {run_id} succeeded {time.monotonic() - started:.0f} s after the webserver answered")

    # The run wrote where the launchpad's config said, not to the default home.
    report = home / "reports" / "readiness.json"
    assert report.is_file(), sorted(p.name for p in home.rglob("*"))
    readiness = json.loads(report.read_text(encoding="utf-8"))
    assert readiness["as_of"] == AS_OF
    assert readiness["run_id"] == run_id
    assert {d["id"] for d in readiness["databases"]} == set(registry.databases)
    assert (home / "warehouse.duckdb").is_file()
    # The run states the date it evaluated.
    run = dagster_ui.graphql(RUN_TAGS, runId=run_id)["runOrError"]
    assert {t["key"]: t["value"] for t in run["tags"]}.get("r57/as_of") == AS_OF, run

    # The asset graph, in the browser: the global lineage with the ministries' groups and the estate group
    # drawn, each ministry's group named by the ministry.
    browser_page.goto(f"{dagster_ui.url}/asset-groups")
    expect(browser_page).to_have_title("Global asset lineage")
    groups = browser_page.locator("svg foreignObject.group")
    for group in ("estate", MPS_GROUP):  # nodes off screen are not drawn: these two are in the middle
        expect(groups.get_by_text(group, exact=True).first).to_be_visible(timeout=60_000)
    expect(groups.get_by_text("fetching statuses")).to_have_count(0, timeout=60_000)  # statuses drawn too
    graph_shot = tmp_path / "asset-graph.png"
    browser_page.screenshot(path=graph_shot)
    print(f"asset graph screenshot: {graph_shot}")

    # One database's lineage: its nodes are labelled with its id (never a bare "delivery"/"quality"), inside
    # its ministry's group, and materialised by the run.
    browser_page.goto(f"{dagster_ui.url}/assets/population/population_quality?view=lineage")
    nodes = browser_page.locator("svg foreignObject:not(.group)")
    for label in ("population_delivery", "population_quality", "readiness"):
        expect(nodes.get_by_text(label, exact=True).first).to_be_visible(timeout=60_000)
    for bare in ("delivery", "quality"):
        expect(nodes.get_by_text(bare, exact=True)).to_have_count(0)
    expect(browser_page.locator("svg foreignObject").get_by_text(MPS_GROUP, exact=True).first).to_be_visible()
    expect(nodes.get_by_text("Materialized").first).to_be_visible(timeout=60_000)
    lineage_shot = tmp_path / "population-lineage.png"
    browser_page.screenshot(path=lineage_shot)
    print(f"population lineage screenshot: {lineage_shot}")

    # The run's page: this run, succeeded.
    browser_page.goto(f"{dagster_ui.url}/runs/{run_id}")
    expect(browser_page.get_by_text(run_id[:8]).first).to_be_visible(timeout=60_000)
    expect(browser_page.get_by_text("Success", exact=True).first).to_be_visible(timeout=60_000)
    run_shot = tmp_path / "run.png"
    browser_page.screenshot(path=run_shot)
    print(f"run page screenshot: {run_shot}")
    assert browser_log.page_errors == [], browser_log.summary()
    print(f"UI end to end: {time.monotonic() - started:.0f} s after the webserver answered")
