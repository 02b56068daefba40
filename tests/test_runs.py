"""Runs that overlap or die: one run per home at a time, and a killed run never costs the last report.

The end-to-end tests run `r57 run` as subprocesses on a small estate (a few committed sample
deliveries, one of them rejected) and follow each run through its Dagster log lines on stderr
(`--log-level DEBUG` prints one STEP_START line per step) or the lock's holder file, never by opening
the warehouse while a run holds it (DuckDB allows one writing process).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from r57_pipelines.defs.deliveries import delivery_key
from r57_pipelines.paths import SAMPLE_SOURCES_DIR
from r57_pipelines.resources import Warehouse
from r57_pipelines.runlock import HOLDER_FILE, HomeBusy, run_lock
from tests.builders import R57, write_bundle

AS_OF, LATER = "2025-12-04", "2025-12-05"
SMALL_ESTATE = [
    "MOC/aircraft", "MOC/seagoing_ships", "MOF/foreign_investment", "MOH/medical_devices",
    "OOG/business_regulations",
    "MOHA/meritorious_people",  # rejected: a data file named in its manifest is missing
]
# Every run here ends well within this; a hung run fails the test instead of hanging the suite.
RUN_TIMEOUT = 600


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DAGSTER_HOME", None)  # ephemeral Dagster instance: nothing shared between the runs but the home
    return env


class Run:
    """`r57 run` in a subprocess, its stderr read line by line as it comes."""

    def __init__(self, sources: Path, home: Path, as_of: str, *extra: str, steps: bool = False) -> None:
        # steps=True: log at DEBUG, which prints a STEP_START line per step (and costs the run some time).
        self.process = subprocess.Popen(
            [R57, "run", "--sources", str(sources), "--home", str(home), "--as-of", as_of,
             "--log-level", "DEBUG" if steps else "WARNING", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self._stdout: list[str] = []
        threading.Thread(target=self._read, args=(self.process.stderr, self._new), daemon=True).start()
        threading.Thread(target=lambda: self._stdout.append(self.process.stdout.read()), daemon=True).start()

    @staticmethod
    def _read(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_for_line(self, needle: str, timeout: float = RUN_TIMEOUT) -> str:
        """The first stderr line containing `needle`; fails if the run ends (or times out) first."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._new.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"no line with {needle!r} within {timeout} s; last lines: {self.lines[-5:]}")
            if line is None:
                pytest.fail(f"the run ended before a line with {needle!r}; last lines: {''.join(self.lines[-5:])}")
            self.lines.append(line)
            if needle in line:
                return line

    def finish(self) -> tuple[int, str, str]:
        """Wait for the end; returns (exit status, stdout, all of stderr)."""
        code = self.process.wait(timeout=RUN_TIMEOUT)
        while (line := self._new.get(timeout=60)) is not None:
            self.lines.append(line)
        deadline = time.monotonic() + 60
        while not self._stdout and time.monotonic() < deadline:
            time.sleep(0.05)
        return code, "".join(self._stdout), "".join(self.lines)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=60)


def _step_started(step: str) -> str:
    return f'Started execution of step "{step}"'


@pytest.fixture(scope="module")
def small_sources(tmp_path_factory) -> Path:
    sources = tmp_path_factory.mktemp("small_sources")
    for delivery in SMALL_ESTATE:
        shutil.copytree(SAMPLE_SOURCES_DIR / delivery, sources / delivery)
    return sources


def _tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` (relative path -> sha256), hidden ones included."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _assert_complete_report(reports: Path, as_of: str, files: set[str]) -> dict:
    """The bundle is whole: the same files as a complete run's, each readable, for this as-of."""
    assert set(_tree(reports)) == files
    document = json.loads((reports / "readiness.json").read_text(encoding="utf-8"))
    assert document["as_of"] == as_of and len(document["databases"]) == 117
    openpyxl.load_workbook(reports / "readiness.xlsx", read_only=True).close()
    for page in reports.rglob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>"), page
    return document


# --- the lock itself, and runs launched through Dagster (no estate needed) ---------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from r57_pipelines.runlock import run_lock

    home = Path(sys.argv[1])
    with run_lock(home, 0, {"as_of": "2025-12-04"}):
        print("held", flush=True)
        sys.stdin.readline()  # hold until told (or killed)
        (home / "released-by-holder").write_text("yes")
    print("released", flush=True)
    """
)


def _hold(home: Path) -> subprocess.Popen:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(home)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=_env(),
    )
    assert holder.stdout.readline().strip() == "held"
    return holder


@dg.asset
def _probe(warehouse: Warehouse) -> dg.MaterializeResult:
    with warehouse.connect() as con:
        con.execute("select 1").fetchone()
    marker = Path(warehouse.database).parent / "released-by-holder"
    return dg.MaterializeResult(metadata={"ran_after_release": marker.exists()})


def test_a_second_run_on_a_held_home_fails_at_once_naming_the_home_and_the_holder(tmp_path):
    home, sources = tmp_path / "home", tmp_path / "sources"
    sources.mkdir()
    holder = _hold(home)
    try:
        with pytest.raises(HomeBusy) as busy:
            with run_lock(home, 0):
                pass
        assert f"pid {holder.pid}" in str(busy.value) and str(home) in str(busy.value)

        started = subprocess.run(
            [R57, "run", "--sources", str(sources), "--home", str(home), "--as-of", AS_OF],
            capture_output=True, text=True, timeout=RUN_TIMEOUT, env=_env(),
        )
        assert started.returncode == 3 and started.stdout == ""
        message = started.stderr.strip()
        assert len(message.splitlines()) == 1, message
        assert f"another r57 run holds {home} (pid {holder.pid}, started " in message and "as of 2025-12-04" in message
        assert not (home / "warehouse.duckdb").exists()  # the refused run touched nothing

        # A run launched from Dagster (schedule, sensor, UI) waits its configured time, then fails as clearly.
        result = dg.materialize(
            [_probe],
            resources={"warehouse": Warehouse(database=str(home / "warehouse.duckdb"), run_lock_wait_seconds=0.5)},
            raise_on_error=False,
        )
        assert not result.success
        told = " ".join(str(e.message) + str(getattr(e.event_specific_data, "error", "")) for e in result.all_events)
        assert f"another r57 run holds {home} (pid {holder.pid}" in told
    finally:
        holder.kill()
        holder.wait(timeout=60)

    # The holder died without releasing anything itself: the kernel freed the lock.
    with run_lock(home, 0):
        assert json.loads((home / HOLDER_FILE).read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert not (home / HOLDER_FILE).exists()
    assert dg.materialize([_probe], resources={"warehouse": Warehouse(database=str(home / "warehouse.duckdb"))}).success


def test_a_run_launched_from_dagster_waits_for_the_run_holding_the_home(tmp_path, monkeypatch):
    import r57_pipelines.resources as resources

    home = tmp_path / "home"
    holder = _hold(home)
    # The holder lets go only once the run has found the home busy and begun to wait (the lock's on_wait),
    # and a second later: on any machine the run really waits, and a run that did not wait fails here.
    waiting, go, held_on = threading.Event(), threading.Event(), 1.0
    real_run_lock = resources.run_lock

    def run_lock_telling_us(lock_home, wait=0, details=None, on_wait=None):
        def told(holder_details):
            on_wait(holder_details)
            waiting.set()
            go.set()

        return real_run_lock(lock_home, wait, details, told)

    monkeypatch.setattr(resources, "run_lock", run_lock_telling_us)

    def release() -> None:
        go.wait(timeout=RUN_TIMEOUT)  # the run is waiting (or, wrongly, has ended without)
        if waiting.is_set():
            time.sleep(held_on)  # hold on a little longer while the run waits
        holder.stdin.write("go\n")
        holder.stdin.flush()

    releaser = threading.Thread(target=release)
    releaser.start()
    instance = dg.DagsterInstance.ephemeral()
    started = time.monotonic()
    try:
        result = dg.materialize(
            [_probe], instance=instance,
            resources={"warehouse": Warehouse(database=str(home / "warehouse.duckdb"), run_lock_wait_seconds=120)},
        )
    finally:
        took = time.monotonic() - started
        go.set()
        releaser.join()
        assert holder.stdout.readline().strip() == "released"
        holder.wait(timeout=60)
    assert result.success
    assert waiting.is_set(), "the run never waited: it found the home free"
    assert took >= held_on
    # The run said so in its log, naming the holder...
    said = [e.user_message for e in instance.all_logs(result.run_id) if e.level == logging.WARNING]
    assert any(f"another r57 run holds {home} (pid {holder.pid}" in m and "waiting up to 120 s" in m for m in said), said
    # ...and the asset ran only once the holder had finished.
    materialization = result.asset_materializations_for_node("_probe")[0]
    assert materialization.metadata["ran_after_release"].value is True


def test_the_lock_is_reentrant_within_a_process(tmp_path):
    # `r57 run` holds it and the warehouse resource of the same run takes it again without waiting on itself.
    with run_lock(tmp_path, 0, {"as_of": AS_OF}):
        assert dg.materialize(
            [_probe], resources={"warehouse": Warehouse(database=str(tmp_path / "warehouse.duckdb"), run_lock_wait_seconds=0)}
        ).success
        assert json.loads((tmp_path / HOLDER_FILE).read_text(encoding="utf-8"))["as_of"] == AS_OF
        holder = subprocess.run(
            [sys.executable, "-c", "import sys; from r57_pipelines.runlock import run_lock\n"
             "from pathlib import Path\nwith run_lock(Path(sys.argv[1]), 0): pass", str(tmp_path)],
            capture_output=True, text=True, timeout=120, env=_env(),
        )
        assert holder.returncode != 0 and "HomeBusy" in holder.stderr  # still held after the inner run


# --- two `r57 run` at once -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def overlapping_runs(small_sources, tmp_path_factory) -> dict:
    """A run; while it runs, a second one (refused) and a third one with --wait; all finished."""
    home = tmp_path_factory.mktemp("overlapping") / "home"
    first = Run(small_sources, home, AS_OF)
    _wait_for_holder(home, first)  # the first run holds the home
    refused = subprocess.run(
        [R57, "run", "--sources", str(small_sources), "--home", str(home), "--as-of", AS_OF],
        capture_output=True, text=True, timeout=RUN_TIMEOUT, env=_env(),
    )
    first_still_running = first.process.poll() is None
    waiting = Run(small_sources, home, AS_OF, "--wait", str(RUN_TIMEOUT))
    waiting_line = waiting.wait_for_line("; waiting ")
    return {
        "home": home, "first_pid": first.pid, "refused": refused, "first_still_running": first_still_running,
        "waiting_line": waiting_line, "first": first.finish(), "waiting": waiting.finish(),
    }


@pytest.mark.slow
def test_two_runs_on_one_home_one_refused_one_waiting_and_the_warehouse_holds_whole_runs(overlapping_runs):
    home, first_pid, refused = overlapping_runs["home"], overlapping_runs["first_pid"], overlapping_runs["refused"]
    assert overlapping_runs["first_still_running"]  # the refusal happened while the first run ran
    assert refused.returncode == 3 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert f"another r57 run holds {home} (pid {first_pid}, started " in refused.stderr
    assert f"another run holds {home} (pid {first_pid}, " in overlapping_runs["waiting_line"]
    code, _, log = overlapping_runs["first"]
    assert code == 0, log[-3000:]
    code, stdout, log = overlapping_runs["waiting"]
    assert code == 0, log[-3000:]
    assert "Readiness:" in stdout

    document = json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))
    assert document["as_of"] == AS_OF and len(document["databases"]) == 117
    # The warehouse opens for writing; the verdicts and deliveries of the as-of are the last run's, whole;
    # check results keep both runs (append-only), each complete.
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        verdicts = con.execute("select count(*), count(distinct run_id), any_value(run_id) from r57.readiness").fetchone()
        assert verdicts == (117, 1, document["run_id"])
        deliveries = con.execute(
            "select count(*), count(distinct database_id), count(distinct run_id) from r57.deliveries where as_of = ?",
            [AS_OF],
        ).fetchone()
        assert deliveries == (117, 117, 1)
        per_run = con.execute("select run_id, count(*) from r57.check_results group by 1").fetchall()
        assert len(per_run) == 2 and per_run[0][1] == per_run[1][1] > 0
        assert document["run_id"] in {run for run, _ in per_run}
    assert not (home / HOLDER_FILE).exists()


# --- a run killed midway --------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_run_killed_midway_leaves_the_last_complete_report_in_place(overlapping_runs, small_sources, tmp_path):
    assert overlapping_runs["waiting"][0] == 0
    home = tmp_path / "home"
    shutil.copytree(overlapping_runs["home"], home)  # a home after complete runs as of AS_OF
    reports = home / "reports"
    published = _tree(reports)
    first = _assert_complete_report(reports, AS_OF, set(published))
    home_after_a_run = sorted(p.name for p in home.iterdir())

    # Kill a later run while it loads, as it starts the verdict, and inside the reports step once it has
    # begun writing files under the home.
    for point in [_step_started(delivery_key("aircraft").to_python_identifier()), _step_started("estate__readiness"), "writing the reports"]:
        run = Run(small_sources, home, LATER, steps=True)
        if point == "writing the reports":
            run.wait_for_line(_step_started("estate__reports"))
            _wait_for_new_file(home, set(published), run)
        else:
            run.wait_for_line(point)
        run.kill()
        after = _tree(reports)
        if point == "writing the reports" and after != published:
            # The kill came after the new report was swapped in: then it must be the new one, whole.
            _assert_complete_report(reports, LATER, set(published))
        else:
            assert after == published, f"killed at {point!r}: the reports folder changed"

    # The warehouse opens read-write and still holds the first run's verdicts.
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        assert con.execute("select count(*) from r57.readiness where as_of = ?", [AS_OF]).fetchone()[0] == 117
        assert con.execute("select distinct run_id from r57.readiness where as_of = ?", [AS_OF]).fetchall() == [
            (first["run_id"],)
        ]

    # The killed runs left no lock behind (no --wait needed) and the next run publishes in full.
    code, _, log = Run(small_sources, home, LATER).finish()
    assert code == 0, log[-3000:]
    document = _assert_complete_report(reports, LATER, set(published))
    assert sorted({h["as_of"] for h in document["history"]}) == [AS_OF, LATER]
    assert sorted(p.name for p in home.iterdir()) == home_after_a_run  # nothing left over from the killed runs


def _wait_for_holder(home: Path, run: Run, timeout: float = RUN_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if json.loads((home / HOLDER_FILE).read_text(encoding="utf-8"))["pid"] == run.pid:
                return
        except (OSError, ValueError):
            pass  # not written yet
        if run.process.poll() is not None:
            pytest.fail(f"the run ended before holding the home: {run.finish()[2][-2000:]}")
        time.sleep(0.02)
    pytest.fail("the run never held the home")


def _wait_for_new_file(home: Path, published: set[str], run: Run, timeout: float = RUN_TIMEOUT) -> None:
    """Until a file appears under the home that a complete run does not leave there (the new report being built)."""
    known = {home / "reports" / name for name in published}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for path in home.rglob("*"):
                if (
                    path.is_file() and path not in known and path.parent != home / "state"
                    and not path.name.startswith("warehouse.duckdb") and "run.lock" not in path.name
                ):
                    return
        except FileNotFoundError:
            pass  # a folder went away while we looked: look again
        if run.process.poll() is not None:
            pytest.fail("the run ended without writing a new file under the home")
        time.sleep(0.005)
    pytest.fail("no new file under the home")


# --- the swap of the reports folder, killed at each of its steps ------------------------------------------

KILLED_AT = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from r57_pipelines.report.publish import publish_directory

    build, target, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    calls = 0

    def wrap(name):
        real = getattr(os, name)
        def call(*args, **kwargs):
            global calls
            calls += 1
            if calls == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)  # just before this file-system change
            return real(*args, **kwargs)
        setattr(os, name, call)

    for name in ("rename", "replace", "renames", "unlink", "remove", "rmdir", "mkdir", "symlink", "link"):
        wrap(name)
    publish_directory(build, target)
    print(calls)
    """
)


def _bundle(folder: Path, text: str) -> dict[str, str]:
    write_bundle(folder, text)
    return _tree(folder)


def test_publishing_killed_at_any_step_leaves_the_old_or_the_new_report_whole(tmp_path):
    from r57_pipelines.report.publish import publish_directory

    kills = 0
    for kill_at in range(1, 100):
        case = tmp_path / str(kill_at)
        target = case / "reports"
        target.mkdir(parents=True)
        old = _bundle(target, "old")
        build = case / ".reports.build-test"
        build.mkdir()
        new = _bundle(build, "new")
        done = subprocess.run(
            [sys.executable, "-c", KILLED_AT, str(build), str(target), str(kill_at)],
            capture_output=True, text=True, timeout=120, env=_env(),
        )
        if done.returncode == 0:
            assert _tree(target) == new
            break
        assert done.returncode == -signal.SIGKILL, done.stderr
        kills += 1
        left = _tree(target) if target.is_dir() else None
        assert left in (old, new), f"killed before file-system change #{kill_at}: reports is {left!r}"
        # The next publish on the same home completes.
        later = case / ".reports.build-later"
        later.mkdir()
        newer = _bundle(later, "newer")
        publish_directory(later, target)
        assert _tree(target) == newer
    else:
        pytest.fail("publish_directory never finished")
    assert kills > 0  # the swap changes the file system: it was interrupted at least once
