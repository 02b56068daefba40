"""Shared fixtures."""

from __future__ import annotations

import pytest

from r57_pipelines.registry import Registry, load_registry


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry()


