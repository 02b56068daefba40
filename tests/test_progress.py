"""A long run says how far it has got: per stage, on the terminal or log of `r57 run` and in the Dagster run log."""

from __future__ import annotations

import io
import re

import dagster as dg
import pytest

from r57_pipelines import progress
from r57_pipelines.progress import StageProgress, StepClock


def test_a_stage_line_says_done_of_total_rows_per_second_and_time_left():
    state = StageProgress("validation", total=4, done=1, rows=2_000_000, seconds=10.0, cpu_seconds=18.0, last="land")
    assert state.line() == (
        "validation: 1/4 done (latest land), 2,000,000 rows, 200,000 rows/s, 10s so far, about 30s left"
    )
    assert StageProgress("ingest", total=3).seconds_left is None  # nothing done: no guess
    assert progress.duration(3725) == "1h02m05s" and progress.duration(65) == "1m05s"


def test_steps_add_up_per_run_and_stage_and_listeners_hear_each(monkeypatch):
    heard: list[tuple[str, int]] = []
    stop = progress.listen(lambda s: heard.append((s.stage, s.done)))
    try:
        for db in ("a", "b"):
            progress.finished("run-1", "ingest", db, 10, ["a", "b", "c"], StepClock.start())
        state = progress.finished("run-2", "ingest", "a", 5, ["a"], StepClock.start())
    finally:
        stop()
        progress.forget("run-1")
        progress.forget("run-2")
    assert heard == [("ingest", 1), ("ingest", 2), ("ingest", 1)]  # another run keeps its own count
    assert (state.done, state.total, state.rows) == (1, 1, 5)


def test_off_a_terminal_a_stage_prints_a_line_at_most_every_interval_and_at_its_end():
    stream = io.StringIO()
    with progress.shown(stream, every_seconds=3600):
        for db in ("a", "b", "c"):
            progress.finished("run-3", "validation", db, 1, ["a", "b", "c"], StepClock.start())
    progress.forget("run-3")
    lines = stream.getvalue().splitlines()
    assert [re.search(r"(\d)/3 done", line).group(1) for line in lines] == ["1", "3"]
    assert all(line.startswith("r57 run: validation: ") for line in lines)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_each_stage_is_a_bar_with_its_counts():
    stream = _Terminal()
    with progress.shown(stream):
        for db in ("a", "b"):
            progress.finished("run-4", "ingest", db, 1_000, ["a", "b"], StepClock.start())
    progress.forget("run-4")
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", stream.getvalue())  # without the terminal's control codes
    assert re.search(r"ingest\s.*2/2.*2,000 rows", text), text


@pytest.mark.slow  # reads the one `r57 run` of the sample estate the slow tests share
def test_the_sample_run_reports_each_stage_on_stderr_and_in_the_dagster_run_log(sample_estate_run):
    stderr = sample_estate_run.completed.stderr
    for stage, total in (("ingest", 117), ("validation", 117), ("estate", 3)):
        assert re.search(rf"^r57 run: {stage}: {total}/{total} done .* rows/s", stderr, re.M), stage

    with dg.DagsterInstance.from_config(str(sample_estate_run.dagster_home)) as instance:
        (run,) = instance.get_runs()
        messages = [e.user_message for e in instance.all_logs(run.run_id) if e.dagster_event is None]
    done = [m for m in messages if re.match(r"^(ingest|validation|estate): \d+/\d+ done", m)]
    assert len(done) == 117 + 117 + 3  # one line per step, as the run page shows it
    assert any(m.startswith("validation: 117/117 done") for m in done)
