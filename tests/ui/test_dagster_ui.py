"""UI end to end: the Dagster webserver and daemon, the full job through GraphQL, the asset graph in Chromium.

What an engineer does: `dagster-webserver` and `dagster-daemon run` on 127.0.0.1 with their own
DAGSTER_HOME, `estate_quality` launched through Dagster's GraphQL client (queued, so only the daemon
can start it), the run followed to SUCCESS, then the asset graph opened in a real browser.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.dagster_services import (
    GRAPHQL_CLIENT_WARNING, ROOT, SCHEDULE_STATE, STOP_SCHEDULE, DagsterUI, free_port, run_to_success, service_env,
    serving, wait_for_location,
)

AS_OF = "2025-12-04"
SCHEDULE = "nightly_quality"
MPS_GROUP = "MPS_Public_Security"  # the group of the Ministry of Public Security's databases

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

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings(GRAPHQL_CLIENT_WARNING)]


@pytest.fixture
def dagster_ui(tmp_path: Path) -> Iterator[DagsterUI]:
    """`dagster-webserver -w workspace.yaml` on 127.0.0.1:<free port> with a new DAGSTER_HOME, until it serves."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(DAGSTER_YAML)
    ui = DagsterUI(home=home, port=free_port(), logs=tmp_path / "logs", env=service_env(home))
    with serving(ui, "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(ui.port)):
        yield ui


RUN_TAGS = """
query ($runId: ID!) {
  runOrError(runId: $runId) {
    __typename
    ... on Run { tags { key value } }
    ... on PythonError { message }
  }
}
"""


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


def test_full_job_through_graphql_then_asset_graph_in_browser(dagster_ui: DagsterUI, browser_page, browser_log, registry, tmp_path):
    started = time.monotonic()
    location, repository = wait_for_location(dagster_ui)
    _nightly_schedule_is_stopped(dagster_ui, location, repository)
    daemon = dagster_ui.start("dagster-daemon", "run", "-w", "workspace.yaml")

    home = tmp_path / "home"
    run_config = {
        "resources": {
            "estate": {"config": {"sources_dir": str(ROOT / "sample_sources"), "home_dir": str(home), "as_of": AS_OF}},
            "warehouse": {"config": {"database": str(home / "warehouse.duckdb")}},
        }
    }
    run_id = run_to_success(dagster_ui, daemon, location, repository, run_config)
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
