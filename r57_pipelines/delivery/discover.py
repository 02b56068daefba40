"""Find deliveries in a sources folder laid out as `<sources>/<ministry>/<database_id>/manifest.yaml`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from r57_pipelines.delivery.manifest import MANIFEST_NAME


@dataclass(frozen=True)
class SourcesScan:
    folders: dict[str, Path] = field(default_factory=dict)  # database id -> its one delivery folder
    duplicated: dict[str, list[Path]] = field(default_factory=dict)  # database id -> every folder found
    unknown: list[Path] = field(default_factory=list)  # folders naming no registered database


def scan_sources(sources: Path, known_ids: set[str]) -> SourcesScan:
    """Every delivery folder under `sources`, matched to the registry by folder name.

    Only the folder tree is read here (no file contents), so the scan is cheap enough for a sensor.
    A folder without a manifest still counts: its database then fails with "manifest not found".
    """
    found: dict[str, list[Path]] = {}
    unknown: list[Path] = []
    if sources.is_dir():
        for ministry_dir in sorted(p for p in sources.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for folder in sorted(p for p in ministry_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
                if folder.name in known_ids:
                    found.setdefault(folder.name, []).append(folder)
                elif (folder / MANIFEST_NAME).exists():
                    unknown.append(folder)
    return SourcesScan(
        folders={db: paths[0] for db, paths in found.items() if len(paths) == 1},
        duplicated={db: paths for db, paths in found.items() if len(paths) > 1},
        unknown=unknown,
    )
