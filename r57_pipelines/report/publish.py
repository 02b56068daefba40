"""Replace a published folder with a freshly built one so that readers never see half a report.

The build is written beside the target, then exchanged with it in one step (Linux renameat2 with
RENAME_EXCHANGE): at every instant the target is the old bundle or the new one, whole. Where the
kernel or file system cannot exchange, two renames do it; a run killed between them (microseconds)
leaves `.<target>.previous`, which `recover` puts back.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where this system cannot (then nothing has changed)."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without renameat2
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


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
    if target.exists() and _exchange(build, target):
        shutil.rmtree(build, ignore_errors=True)  # `build` now holds the old bundle
        return
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
