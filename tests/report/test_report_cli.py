"""`r57 report` refuses clearly while a run holds the home (it never reads a warehouse being written)."""

from __future__ import annotations

import subprocess

from r57_pipelines.runlock import run_lock
from tests.builders import R57


def test_report_waits_for_no_one_and_names_the_run_holding_the_home(tmp_path):
    home = tmp_path / "home"
    (home / "state").mkdir(parents=True)
    (home / "state" / "readiness.json").write_text("{}", encoding="utf-8")
    with run_lock(home, 0, {"as_of": "2025-12-04"}):
        completed = subprocess.run([R57, "report", "--home", str(home)], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 3
    assert "another r57 run holds" in completed.stderr and "as of 2025-12-04" in completed.stderr
    assert not (home / "reports").exists()
