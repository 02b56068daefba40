"""Content fingerprints of the deliveries in a sources folder, for the sensor that reacts to changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

from r57_pipelines.delivery.discover import scan_sources
from r57_pipelines.delivery.load import sha256_of


def _stat_key(folder: Path) -> str:
    parts = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        stat = path.stat()
        parts.append(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _content_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(f"{path.relative_to(folder)}\0{sha256_of(path)}\n".encode())
    return digest.hexdigest()


def fingerprint_sources(sources: Path, known_ids: set[str], previous: dict[str, dict]) -> dict[str, dict]:
    """`{database_id: {"stat": ..., "sha256": ...}}` for every delivery folder found.

    Files are hashed only when their names, sizes or modification times changed since `previous`, so a
    sensor tick over an unchanged estate reads no data; a touched but identical file keeps its hash.
    """
    scan = scan_sources(sources, known_ids)
    folders = dict(scan.folders)
    for database_id, paths in scan.duplicated.items():
        folders[database_id] = paths[0]  # any change is picked up; the load itself reports the duplicate
    result = {}
    for database_id, folder in sorted(folders.items()):
        stat = _stat_key(folder)
        before = previous.get(database_id, {})
        sha = before["sha256"] if before.get("stat") == stat else _content_hash(folder)
        result[database_id] = {"stat": stat, "sha256": sha}
    return result


def changed_databases(previous: dict[str, dict], current: dict[str, dict]) -> list[str]:
    """New, changed (by content) and removed deliveries."""
    ids = set(previous) | set(current)
    return sorted(i for i in ids if previous.get(i, {}).get("sha256") != current.get(i, {}).get("sha256"))
