"""r57's one-pass compiler against GX's own test definitions (tests/validation/gx_test_definitions/).

One test per GX test that applies to a SQL backend (tests/validation/gx_conformance.py says which and
how they are compared), for the expectation types r57 claims to compile
(``r57_pipelines.validation.registry.COMPILED_TYPES``). Cases listed in
``gx_test_definitions/divergences.yaml`` must still diverge: a fixed one fails until it is taken off
the list.
"""

from __future__ import annotations

import json

import pytest

from tests.validation import gx_conformance as gxc

CASES, EXCLUDED = gxc.load_cached()
DIVERGENCES = gxc.load_divergences()


def _compiled_types() -> frozenset[str] | None:
    try:
        from r57_pipelines.validation.registry import COMPILED_TYPES
    except ImportError:
        return None
    return frozenset(COMPILED_TYPES)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "gx_case" in metafunc.fixturenames:
        compiled = _compiled_types()
        # Without a registry every case is generated, and each fails on the import in the test.
        cases = [c for c in CASES if compiled is None or c.expectation_type in compiled]
        metafunc.parametrize("gx_case", cases, ids=[c.id for c in cases])


def test_gx_case(gx_case: gxc.Case) -> None:
    from r57_pipelines.validation.registry import COMPILED_TYPES

    assert gx_case.expectation_type in COMPILED_TYPES
    problems = gxc.run(gx_case)
    context = f"kwargs {json.dumps(gx_case.kwargs, default=str)}\nGX out {json.dumps(gx_case.out, default=str)}"
    if gx_case.id in DIVERGENCES:
        assert problems, (
            f"{gx_case.id} now agrees with GX: take it off divergences.yaml "
            f"(it was listed because: {DIVERGENCES[gx_case.id]})\n{context}"
        )
    else:
        assert not problems, "\n".join([*problems, context])


def test_every_copied_type_is_compiled() -> None:
    """Nothing drops out silently: each type we hold GX definitions for must be one r57 compiles."""
    from r57_pipelines.validation.registry import COMPILED_TYPES

    copied = {path.stem for path in gxc.definition_files()}
    assert sorted(copied - set(COMPILED_TYPES)) == []


def test_every_copied_type_has_cases() -> None:
    copied = {path.stem for path in gxc.definition_files()}
    assert sorted(copied - {c.expectation_type for c in CASES}) == []


def test_every_definition_is_a_case_or_excluded() -> None:
    total = sum(
        len(dataset["tests"])
        for path in gxc.definition_files()
        for dataset in json.loads(path.read_text(encoding="utf-8"))["datasets"]
    )
    ids = [c.id for c in CASES] + [e.id for e in EXCLUDED]
    assert len(ids) == total
    assert len(set(ids)) == total, "case ids must be unique"


def test_divergences_name_cases() -> None:
    """A divergence must name a generated case (a typo, or an excluded case, would never be checked)."""
    ids = {c.id for c in CASES}
    assert sorted(set(DIVERGENCES) - ids) == []
