"""Replace a published folder with a freshly built one so that readers never see half a report.

The build is written beside the target, then swapped in with two renames. A run killed at any
point before the swap leaves the previous report untouched; the only window is between the two
renames (microseconds), and `recover` puts the previous report back if a run died right there.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path


def _previous(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def recover(target: Path) -> None:
    """Restore the last complete report if a run died between the two renames of `publish_directory`."""
    previous = _previous(target)
    if previous.exists() and not target.exists():
        previous.rename(target)


def new_build_directory(target: Path) -> Path:
    """An empty folder beside `target` (same file system, so the final rename is atomic)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))


def publish_directory(build: Path, target: Path) -> None:
    """Make `build` the new `target`; the old one is removed once the new one is in place."""
    recover(target)
    previous = _previous(target)
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    build.rename(target)
    shutil.rmtree(previous, ignore_errors=True)


def discard_stale_builds(target: Path) -> None:
    """Builds left by killed runs: never published, safe to delete."""
    for stale in target.parent.glob(f".{target.name}.build-*"):
        shutil.rmtree(stale, ignore_errors=True)
