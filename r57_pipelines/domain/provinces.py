"""Provincial units before and after Decision 19/2025/QĐ-TTg, read from reviewed data.

Old and new codes overlap with different meanings (old 15 is Yên Bái, new 15 is Lào Cai), so every
function here says which list it works on. The data lives in assets/reference/provinces.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

from r57_pipelines.paths import REGISTRY_DIR

PROVINCES_FILE: Path = REGISTRY_DIR / "reference" / "provinces.yaml"
EXPECTED_CURRENT = 34
EXPECTED_OLD = 63


@dataclass(frozen=True)
class Province:
    """A provincial unit in force since 1 Jul 2025."""

    code: str
    name_vi: str
    name_en: str
    kind: str  # "city" or "province"
    old_codes: tuple[str, ...]
    population_share: float  # illustrative, percent


@dataclass(frozen=True)
class _Tables:
    current: Mapping[str, Province]
    old_names: Mapping[str, str]
    new_for_old: Mapping[str, str]


@cache
def _tables() -> _Tables:
    """Load and cross-check the file once: a broken mapping must fail loudly, not mis-assign records."""
    raw = yaml.safe_load(PROVINCES_FILE.read_text(encoding="utf-8"))
    old_names = {str(k): str(v) for k, v in raw["old"].items()}
    current: dict[str, Province] = {}
    new_for_old: dict[str, str] = {}
    for item in raw["current"]:
        p = Province(
            code=str(item["code"]),
            name_vi=item["name_vi"],
            name_en=item["name_en"],
            kind=item["kind"],
            old_codes=tuple(str(c) for c in item["old_codes"]),
            population_share=float(item["population_share"]),
        )
        if p.code in current:
            raise ValueError(f"{PROVINCES_FILE}: current code {p.code} listed twice")
        current[p.code] = p
        for old in p.old_codes:
            if old not in old_names:
                raise ValueError(f"{PROVINCES_FILE}: {p.code} merges unknown old code {old}")
            if old in new_for_old:
                raise ValueError(f"{PROVINCES_FILE}: old code {old} merged into {new_for_old[old]} and {p.code}")
            new_for_old[old] = p.code
    unmapped = set(old_names) - set(new_for_old)
    if unmapped or len(current) != EXPECTED_CURRENT or len(old_names) != EXPECTED_OLD:
        raise ValueError(
            f"{PROVINCES_FILE}: expected {EXPECTED_CURRENT} current / {EXPECTED_OLD} old units with every old code "
            f"mapped; got {len(current)} / {len(old_names)}, unmapped {sorted(unmapped)}"
        )
    return _Tables(MappingProxyType(current), MappingProxyType(old_names), MappingProxyType(new_for_old))


def current_provinces() -> Mapping[str, Province]:
    """The 34 current units by 2-digit code."""
    return _tables().current


def current_province_codes() -> frozenset[str]:
    """The 34 codes in force since 1 Jul 2025; a record carrying any other code is stale."""
    return frozenset(_tables().current)


def old_province_codes() -> frozenset[str]:
    """The 63 pre-2025 codes (still valid inside personal identification numbers)."""
    return frozenset(_tables().old_names)


def new_code_for_old(code: str) -> str:
    """The current unit an old province was merged into. KeyError for a code that never existed."""
    return _tables().new_for_old[code]


def province_name(code: str, *, old: bool = False) -> str:
    """Vietnamese name of a current unit, or of an old one with old=True (the code lists overlap)."""
    return _tables().old_names[code] if old else _tables().current[code].name_vi


def province_weights() -> dict[str, float]:
    """Illustrative population weights of the current units, summing to 1, for sample generators."""
    shares = {code: p.population_share for code, p in _tables().current.items()}
    total = sum(shares.values())
    return {code: share / total for code, share in shares.items()}
