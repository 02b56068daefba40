"""A small generated estate shared by the generator tests (about two seconds to write)."""

from __future__ import annotations

import datetime as dt

import pytest

from r57_pipelines.generate import GenerationSummary, generate_estate
from r57_pipelines.registry import Registry

SMALL_ROWS = 60_000  # smallest delivery ~40 rows, so planted fractions are measurable
AS_OF = dt.date(2025, 12, 4)


@pytest.fixture(scope="session")
def small_estate(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    return generate_estate(registry, tmp_path_factory.mktemp("estate") / "sources", SMALL_ROWS, AS_OF)

