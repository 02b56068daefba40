"""A report bundle: readiness.json, readiness.xlsx and the site, built aside and published at once.

The full bundle (every database) is for the Ministry of Public Security; `ministry=` narrows it to
one ministry's own databases.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from r57_pipelines.readiness.policy import default_policy
from r57_pipelines.readiness.publish import write_json_atomically
from r57_pipelines.registry import Registry
from r57_pipelines.report.data import for_ministry, load_report_data
from r57_pipelines.report.publish import discard_stale_builds, new_build_directory, publish_directory
from r57_pipelines.report.site import render_site
from r57_pipelines.report.workbook import write_workbook


@dataclass(frozen=True)
class Bundle:
    folder: Path
    pages: int
    databases: int

    @property
    def front_page(self) -> Path:
        return self.folder / "index.html"


def build_bundle(
    con: duckdb.DuckDBPyConnection, registry: Registry, document: dict, target: Path, ministry: str | None = None
) -> Bundle:
    """Build the bundle for `document` (readiness.json) and replace `target` with it."""
    data = load_report_data(con, registry, document, dict(default_policy().tiers.foundational.min_score))
    if ministry:
        data = for_ministry(data, registry, ministry)
    discard_stale_builds(target)
    build = new_build_directory(target)
    try:
        write_json_atomically(build / "readiness.json", data.document)
        write_workbook(data, build / "readiness.xlsx")
        pages = render_site(data, build)
        publish_directory(build, target)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return Bundle(target, len(pages), len(data.databases))
