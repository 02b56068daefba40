"""Shared fixtures."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from r57_pipelines.registry import Registry, load_registry
from tests.builders import R57

# Property tests explore the same examples on every machine: a CI run is reproducible, and a failure
# seen once is seen again (HYPOTHESIS_PROFILE=explore draws new examples each run, for local hunting).
settings.register_profile("r57", derandomize=True, deadline=None)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "r57"))


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


# --- the headless browser (tests/browser.py) ------------------------------------------------------

_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


# `make test` runs the suite on two pytest-xdist workers, a module at a time (`--dist loadscope`, module
# fixtures shared as in one process), handing out modules in collection order as workers free up. The
# modules that take longest go first, so that the two workers finish together instead of one of them
# starting a five-minute module last. Longest first by the last measured run; a module missing here only
# costs balance, never a result. Then every other module with end-to-end (slow) or Spark tests, then the rest.
LONGEST_FIRST = (
    "tests/ui/test_dagster_ui.py",
    "tests/ui/test_postgres_deployment.py",
    "tests/delivery/test_broken_corpus.py",  # with the shared sample run
    "tests/test_runs.py",
    "tests/test_pipeline.py",
    "tests/validation/test_authored_suites.py",
    "tests/test_spark_engine.py",  # Spark on seven databases, compared with the shared sample run
    "tests/validation/test_spark_differential.py",
    "tests/test_sql_model_assets.py",
    "tests/test_sample_estate.py",
    "tests/validation/test_gx_core_differential.py",
    "tests/test_environment.py",
)


def _start_order(items: list[pytest.Item]) -> dict[str, tuple[int, int]]:
    order: dict[str, tuple[int, int]] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        heavy = any(item.get_closest_marker(m) for m in ("slow", "spark"))
        rank = (0, LONGEST_FIRST.index(module)) if module in LONGEST_FIRST else (1 if heavy else 2, len(order))
        order[module] = min(order.get(module, rank), rank)
    return order


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `-m "not browser"` leaves out every test that drives Chromium.
    for item in items:
        if "browser_page" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
    order = _start_order(items)
    items.sort(key=lambda item: order[item.nodeid.split("::", 1)[0]])  # stable: a module's own order is kept


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Debian Chromium for the session (Playwright's sync API). Prefer `browser_page`."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_log():
    """The `BrowserLog` of this test's `browser_page`: blocked non-local requests, console and page errors."""
    from tests.browser import BrowserLog

    return BrowserLog()


@pytest.fixture
def browser_page(chromium_browser, browser_log, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator:
    """A fresh Playwright `Page` in headless Debian Chromium (/usr/bin/chromium), one per test.

    The browser is started once per session; each test gets its own context (no shared cookies or
    storage), a 1440x900 viewport, 30 s default timeouts (60 s for navigation). Pages may load only
    local URLs: file://, data:, and http(s)/ws on 127.0.0.1 or localhost; any other request is
    aborted and recorded in the `browser_log` fixture (so a report that needs a CDN shows up as
    `browser_log.blocked`). If the test fails, a full-page screenshot is saved as
    `<tmp_path>/browser-failure.png` and its path printed, with the log.

    Usage::

        from tests.browser import file_url, serve_directory

        def test_front_page(browser_page, browser_log, tmp_path):
            browser_page.goto(file_url(home / "reports" / "index.html"))   # a static page from disk
            assert browser_page.locator("h1").inner_text() == "..."
            browser_page.screenshot(path=tmp_path / "front.png", full_page=True)
            assert browser_log.blocked == []                                 # self-contained

        def test_over_http(browser_page, tmp_path):
            with serve_directory(home / "reports") as base:                 # http://127.0.0.1:PORT/
                browser_page.goto(base + "index.html")
                browser_page.get_by_role("link", name="English").click()

    The API is Playwright's (https://playwright.dev/python/docs/api/class-page): `goto`,
    `locator`, `get_by_text`, `wait_for_load_state("networkidle")`, `screenshot`, and
    `playwright.sync_api.expect` for retrying assertions. Tests using it are marked `browser`.
    Chromium missing is an error, never a skip: `make test` installs it (`make browser`).
    """
    from tests.browser import new_context

    context = new_context(chromium_browser, browser_log)
    page = context.new_page()
    try:
        yield page
    finally:
        if request.node.stash.get(_CALL_FAILED, False) and not page.is_closed():
            shot = tmp_path / "browser-failure.png"
            try:
                page.screenshot(path=shot, full_page=True)
                print(f"\nbrowser_page: screenshot of the failing page ({page.url}): {shot}")
            except Exception as exc:  # the page may be the thing that broke
                print(f"\nbrowser_page: no screenshot ({exc})")
            print(browser_log.summary())
        context.close()


# --- one `r57 run` of the committed sample estate, shared by the slow end-to-end tests ------------


@dataclass(frozen=True)
class SampleEstateRun:
    """`r57 run` on sample_sources as of 2025-12-04, recorded in a real Dagster instance."""

    home: Path
    dagster_home: Path  # the run's events and metadata, for tests that read what Dagster shows
    document: dict  # <home>/reports/readiness.json
    completed: subprocess.CompletedProcess


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder of this session shared by every pytest-xdist worker (the workers' base temp folders' parent)."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return root / name


@pytest.fixture(scope="session")
def sample_estate_run(tmp_path_factory) -> SampleEstateRun:
    """One `r57 run` of the sample estate for the whole session, whichever worker asks first (`make test` runs
    two pytest-xdist workers): the others wait for it and read its folders. Tests only read them; a test that
    runs again on the home copies it first."""
    from filelock import FileLock

    from r57_pipelines.paths import SAMPLE_SOURCES_DIR

    folder = shared_folder(tmp_path_factory, "sample-estate-run")
    folder.mkdir(parents=True, exist_ok=True)
    home, dagster_home, outcome = folder / "home", folder / "dagster-home", folder / "completed.json"
    with FileLock(str(folder / ".lock")):
        if not outcome.exists():
            home.mkdir(exist_ok=True)
            dagster_home.mkdir(exist_ok=True)
            args = [R57, "run", "--sources", str(SAMPLE_SOURCES_DIR), "--home", str(home), "--as-of", "2025-12-04"]
            done = subprocess.run(
                args, capture_output=True, text=True, timeout=1200, env={**os.environ, "DAGSTER_HOME": str(dagster_home)},
            )
            outcome.write_text(json.dumps({"args": args, "returncode": done.returncode, "stdout": done.stdout,
                                           "stderr": done.stderr}), encoding="utf-8")
    completed = subprocess.CompletedProcess(**json.loads(outcome.read_text(encoding="utf-8")))
    assert completed.returncode == 0, completed.stderr[-3000:]
    document = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
    return SampleEstateRun(home, dagster_home, document, completed)
