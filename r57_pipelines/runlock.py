"""One run at a time per home: an exclusive lock held for the whole run.

The lock is `fcntl.flock` on `<home>/run.lock` (through `filelock`), so the kernel releases it when the
holding process ends, however it ends (SIGKILL included): a stale lock never blocks the next run. Who
holds it (pid, start time, as-of, command) is written beside it in `<home>/run.lock.json`, for the
message a second run prints.

The lock is re-entrant within a process: `r57 run` takes it before starting Dagster, and the
warehouse resource takes it again when the run starts (which is where runs launched from Dagster
take it), without waiting on itself.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from r57_pipelines.locale_format import VIETNAM

LOCK_FILE = "run.lock"
HOLDER_FILE = "run.lock.json"

# Locks this process holds: resolved lock path -> (lock, depth).
_held: dict[Path, tuple[FileLock, int]] = {}
_held_guard = threading.Lock()


class HomeBusy(RuntimeError):
    """Another process holds the run lock of this home."""

    def __init__(self, home: Path, holder: dict | None, waited: float) -> None:
        self.home, self.holder, self.waited = home, holder, waited
        super().__init__(
            f"another r57 run holds {home} ({describe_holder(holder)})"
            + (f"; waited {waited:g} s for it" if waited > 0 else "")
        )


def describe_holder(holder: dict | None) -> str:
    if not holder:
        return "holder unknown"
    parts = [f"pid {holder.get('pid')}", f"started {holder.get('started_at')}"]
    if holder.get("as_of"):
        parts.append(f"as of {holder['as_of']}")
    if holder.get("dagster_run_id"):
        parts.append(f"Dagster run {holder['dagster_run_id']}")
    if holder.get("host") and holder.get("host") != os.uname().nodename:
        parts.append(f"on {holder['host']}")
    return ", ".join(parts)


def read_holder(home: Path) -> dict | None:
    """What the current (or last) holder wrote about itself; None if nothing readable."""
    try:
        holder = json.loads((home / HOLDER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


def _write_holder(home: Path, details: dict | None) -> None:
    holder = {
        "pid": os.getpid(),
        "host": os.uname().nodename,
        "started_at": dt.datetime.now(VIETNAM).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv)[:500],
        **(details or {}),
    }
    fd, tmp = tempfile.mkstemp(prefix=f".{HOLDER_FILE}.", dir=home)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(holder, handle)
        os.replace(tmp, home / HOLDER_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _clear_holder(home: Path) -> None:
    # Only our own entry: between our release and this call nobody else can hold the lock, but be exact.
    holder = read_holder(home)
    if holder and holder.get("pid") == os.getpid():
        (home / HOLDER_FILE).unlink(missing_ok=True)


def holds(home: Path) -> bool:
    """Whether this process holds the run lock of `home`."""
    with _held_guard:
        return (Path(home).resolve() / LOCK_FILE) in _held


@contextmanager
def run_lock(
    home: Path,
    wait: float = 0,
    details: dict | None = None,
    on_wait: Callable[[dict | None], None] | None = None,
) -> Iterator[None]:
    """Hold the run lock of `home` for the block.

    `wait`: seconds to wait for another holder (0: fail at once; negative or inf: wait for ever).
    `details` (e.g. the as-of date, the Dagster run id) go into the holder file with the pid and start.
    Raises HomeBusy naming the home and the holder when the lock could not be had in time.
    `on_wait(holder)` is called once if the lock is busy and we are going to wait.
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    path = home.resolve() / LOCK_FILE
    with _held_guard:
        if path in _held:
            lock, depth = _held[path]
            _held[path] = (lock, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _held_guard:
                lock, depth = _held[path]
                _held[path] = (lock, depth - 1)
        return

    # thread_local=False: Dagster may tear the resource down on another thread than set it up.
    lock = FileLock(path, thread_local=False, fallback_to_soft=False)
    started = time.monotonic()
    try:
        lock.acquire(blocking=False)
    except Timeout:
        if wait == 0:
            raise HomeBusy(home, read_holder(home), 0) from None
        if on_wait is not None:
            on_wait(read_holder(home))
        try:
            lock.acquire(timeout=-1 if wait < 0 or wait == float("inf") else wait, poll_interval=0.2)
        except Timeout:
            raise HomeBusy(home, read_holder(home), time.monotonic() - started) from None
    try:
        _write_holder(home, details)
        with _held_guard:
            _held[path] = (lock, 1)
        try:
            yield
        finally:
            with _held_guard:
                _held.pop(path, None)
            _clear_holder(home)
    finally:
        lock.release()
