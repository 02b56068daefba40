"""docs/validation.md's table of every GX Core expectation and its engine is what r57 does."""

from __future__ import annotations

import re

from r57_pipelines.paths import PROJECT_ROOT
from r57_pipelines.validation.registry import COMPILED_TYPES, R57_TYPES

ROW = re.compile(r"^\| `(?P<type>[a-z_]+)` \| (?P<engine>onepass|gx) \|", re.MULTILINE)


def _documented() -> dict[str, str]:
    text = (PROJECT_ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    section = text.split("## Every GX Core expectation and its engine", 1)[1].split("\n## ", 1)[0]
    return {m["type"]: m["engine"] for m in ROW.finditer(section)}


def _gx_core() -> set[str]:
    """The expectation types GX itself ships (not r57's, not a plug-in another test registered)."""
    from great_expectations.expectations.registry import get_expectation_impl, list_registered_expectation_implementations

    names = list_registered_expectation_implementations()
    return {n for n in names if get_expectation_impl(n).__module__.startswith("great_expectations.")}


def test_every_registered_gx_expectation_is_listed_with_its_engine(gx_context):
    core = _gx_core()
    documented = _documented()
    assert set(documented) == core
    assert {t for t, engine in documented.items() if engine == "onepass"} == COMPILED_TYPES - R57_TYPES


def test_every_compiled_type_is_a_gx_type_or_r57s_own(gx_context):
    assert COMPILED_TYPES - R57_TYPES <= _gx_core()
