"""Progress of a long run, per stage: steps done of total, rows, rows/s, CPU and the time left.

Every step of a run executes in one process (the definitions' in-process executor), one after another, so
one tracker per run sees every step. Each step reports what it finished; the tracker writes a line a
person can read into the Dagster run log (the UI's run page) and tells its listeners: the `r57 run`
progress bars, and the estate benchmark's stage profile. A stage's seconds are the sum of its steps'
(stages interleave in a run); the time left is its average seconds per step times the steps still to go,
as rows are not known before a delivery is read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

# the stages of a run, in the order they start; "sql models" is dbt's (staging views, then the marts)
INGEST, SQL_MODELS, VALIDATION, ESTATE = "ingest", "sql models", "validation", "estate"


@dataclass(frozen=True)
class StepClock:
    """When a step began, by the wall clock and by the process's CPU time (all of DuckDB's threads)."""

    wall: float
    cpu: float

    @classmethod
    def start(cls) -> StepClock:
        return cls(time.perf_counter(), time.process_time())


@dataclass
class StageProgress:
    stage: str
    total: int  # steps of this stage in the run (one per database for ingest and validation)
    done: int = 0
    rows: int = 0
    seconds: float = 0.0  # wall seconds of its steps
    cpu_seconds: float = 0.0
    last: str = ""  # what the latest step did it for

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        return self.seconds / self.done * max(self.total - self.done, 0) if self.done else None

    def line(self) -> str:
        left = self.seconds_left
        return (
            f"{self.stage}: {self.done}/{self.total} done (latest {self.last}), {self.rows:,} rows, "
            f"{self.rows_per_second:,.0f} rows/s, {duration(self.seconds)} so far, "
            f"about {'—' if left is None else duration(left)} left"
        )


def duration(seconds: float) -> str:
    minutes, whole = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{whole:02d}s" if hours else f"{minutes}m{whole:02d}s" if minutes else f"{whole}s"


Listener = Callable[[StageProgress], None]
_lock = threading.Lock()
_runs: dict[str, dict[str, StageProgress]] = {}
_listeners: list[Listener] = []


def listen(listener: Listener) -> Callable[[], None]:
    """Call `listener` with a stage's progress after every finished step, in this process; returns `stop`."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def finished(run_id: str, stage: str, item: str, rows: int, steps: Collection[str], clock: StepClock) -> StageProgress:
    """The step for `item` of `stage` is done in run `run_id`; `steps`: the stage's items in this run."""
    wall, cpu = time.perf_counter() - clock.wall, time.process_time() - clock.cpu
    with _lock:  # steps of a run are sequential today; the lock keeps a threaded executor correct too
        progress = _runs.setdefault(run_id, {}).setdefault(stage, StageProgress(stage, len(steps)))
        progress.done += 1
        progress.rows += rows
        progress.seconds += wall
        progress.cpu_seconds += cpu
        progress.last = item
    for listener in list(_listeners):
        listener(progress)
    return progress


def forget(run_id: str) -> None:
    with _lock:
        _runs.pop(run_id, None)


@contextmanager
def shown(stream: TextIO, every_seconds: float = 10.0) -> Iterator[None]:
    """Show the run's progress on `stream` while the block runs: bars on a terminal (rich); elsewhere (a
    nightly log) a line per stage at most every `every_seconds`, and when the stage ends."""
    if stream.isatty():
        with _bars(stream):
            yield
        return
    printed: dict[str, float] = {}

    def write(state: StageProgress) -> None:
        now = time.perf_counter()
        if state.done >= state.total or now - printed.get(state.stage, float("-inf")) >= every_seconds:
            printed[state.stage] = now
            print(f"r57 run: {state.line()}", file=stream, flush=True)

    stop = listen(write)
    try:
        yield
    finally:
        stop()


@contextmanager
def _bars(stream: TextIO) -> Iterator[None]:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bars = Progress(
        TextColumn("{task.description:<11}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rows]:>13,} rows {task.fields[rate]:>10,.0f} rows/s  {task.fields[left]}"),
        console=Console(file=stream),
    )
    tasks: dict[str, int] = {}

    def draw(state: StageProgress) -> None:
        left = state.seconds_left
        fields = {"rows": state.rows, "rate": state.rows_per_second, "left": f"~{duration(left)} left" if left else ""}
        if state.stage not in tasks:
            tasks[state.stage] = bars.add_task(state.stage, total=state.total, **fields)
        bars.update(tasks[state.stage], completed=state.done, **fields)

    stop = listen(draw)
    try:
        with bars:
            yield
    finally:
        stop()
