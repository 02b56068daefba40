"""docs/deploy.md and the files of deploy/ it shows: the same text, and a backup that keeps to the run lock."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from r57_pipelines.paths import PROJECT_ROOT
from r57_pipelines.resources import Warehouse
from r57_pipelines.runlock import HomeBusy, run_lock

DEPLOY = PROJECT_ROOT / "deploy"
DOC = PROJECT_ROOT / "docs" / "deploy.md"
BACKUP = DEPLOY / "r57-backup"


@pytest.mark.parametrize("name", sorted(p.name for p in DEPLOY.iterdir()))
def test_the_doc_writes_out_each_deploy_file_as_it_is(name):
    text = (DEPLOY / name).read_text(encoding="utf-8")
    assert f"\n{text}```\n" in DOC.read_text(encoding="utf-8"), f"docs/deploy.md does not show deploy/{name} as it is"


@pytest.fixture
def home(tmp_path) -> Path:
    """A home with a warehouse (r57's schema, one verdict) and a report."""
    home = tmp_path / "home"
    with Warehouse(database=str(home / "warehouse.duckdb")).connect() as con:
        con.execute("create table r57.backup_probe as select 'population' as database_id")
    (home / "reports").mkdir()
    (home / "reports" / "index.html").write_text("<html></html>", encoding="utf-8")
    return home


def _backup(home: Path, target: Path, wait: int = 60) -> subprocess.Popen:
    env = {**os.environ, "R57_HOME": str(home), "R57_BACKUP_WAIT": str(wait)}
    return subprocess.Popen([str(BACKUP), str(target)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_backup_waits_for_the_run_then_copies_a_warehouse_that_opens(home, tmp_path):
    target = tmp_path / "backups"
    with run_lock(home, details={"as_of": "2025-12-04"}):
        backup = _backup(home, target)
        time.sleep(1.5)
        assert backup.poll() is None  # waiting for the run to end
        assert not list(target.rglob("warehouse.duckdb"))
    out, err = backup.communicate(timeout=60)
    assert backup.returncode == 0, err
    (copy,) = target.iterdir()
    assert out.strip() == f"r57-backup: {copy}"
    assert (copy / "reports" / "index.html").is_file()
    with duckdb.connect(str(copy / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select database_id from r57.backup_probe").fetchall() == [("population",)]


def test_a_run_waits_while_the_backups_lock_is_held(home):
    # As r57-backup takes it; its own process group, as the command it runs holds the lock too.
    holder = subprocess.Popen(["flock", str(home / "run.lock"), "sleep", "30"], start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with run_lock(home, 0):
                    pass
            except HomeBusy:
                break
            assert time.monotonic() < deadline, "flock(1) never held the run lock"
            time.sleep(0.1)
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    # Free again once the backup ends: flock(1) is reaped here, but its `sleep` (which holds the lock too) dies
    # on its own time, later on a busy machine; the kernel frees the lock as that process exits.
    deadline = time.monotonic() + 10
    while True:
        try:
            with run_lock(home, 0):
                break
        except HomeBusy:
            assert time.monotonic() < deadline, "the run lock stayed held after the backup's processes were killed"
            time.sleep(0.05)


def test_the_backup_says_when_there_is_no_warehouse(tmp_path):
    backup = _backup(tmp_path / "empty-home", tmp_path / "backups")
    _, err = backup.communicate(timeout=30)
    assert backup.returncode == 2 and "no warehouse at" in err
