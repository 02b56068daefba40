"""Small delivery folders written the way a ministry would."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

import yaml

from r57_pipelines.paths import SAMPLE_SOURCES_DIR


def write_delivery(
    sources: Path,
    database_id: str,
    ministry: str,
    tables: dict[str, tuple[str, bytes]],
    extracted_at: str = "2025-12-03T23:00:00+07:00",
) -> Path:
    """Write `<sources>/<ministry>/<database_id>/` with a manifest; tables: name -> (file name, bytes)."""
    folder = sources / ministry / database_id
    folder.mkdir(parents=True, exist_ok=True)
    for file_name, content in tables.values():
        (folder / file_name).write_bytes(content)
    manifest = {
        "database_id": database_id,
        "ministry": ministry,
        "extracted_at": extracted_at,
        "tables": [{"name": name, "file": file_name} for name, (file_name, _) in tables.items()],
    }
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return folder


def copy_sample_deliveries(sources: Path, folders: Iterable[str]) -> Path:
    """A small estate: these `<MINISTRY>/<db>` folders of the committed sample estate, copied into `sources`."""
    for folder in folders:
        shutil.copytree(SAMPLE_SOURCES_DIR / folder, sources / folder)
    return sources
