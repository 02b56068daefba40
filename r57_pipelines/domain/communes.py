"""Communal units (xã, phường, đặc khu) in force since 1 Jul 2025, and the codes merged away, read from
reviewed data: assets/reference/communes.yaml (written by `r57 reference` from the official list as
published in the `vietnamadminunits` package; its provenance and licence are in the file's header).

Official commune codes do not begin with their province's code (Hà Nội's first is 00004, Hồ Chí Minh's
25747): which province a commune lies in is a lookup, never a prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

import yaml

from r57_pipelines.domain.provinces import current_province_codes
from r57_pipelines.paths import REGISTRY_DIR

COMMUNES_FILE: Path = REGISTRY_DIR / "reference" / "communes.yaml"
EXPECTED_CURRENT = 3321


@dataclass(frozen=True)
class Commune:
    """A communal unit in force since 1 Jul 2025."""

    code: str  # 5 digits
    name: str  # short name without the kind, NFC ("Hồng Hà")
    province: str  # current 2-digit province code
    kind: str  # "Xã", "Phường" or "Đặc khu"


@dataclass(frozen=True)
class _Reference:
    version: str
    current: Mapping[str, Commune]
    merged: Mapping[str, str]  # old code -> name


@cache
def _reference() -> _Reference:
    """Load and cross-check the file once: a broken list must fail loudly, not misjudge records."""
    # libyaml's loader when present: 10,000 lines load in 0.6 s instead of 2.3 s.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    raw = yaml.load(COMMUNES_FILE.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (a safe loader)
    current: dict[str, Commune] = {}
    for item in raw["current"]:
        c = Commune(code=str(item["code"]), name=item["name"], province=str(item["province"]), kind=item["kind"])
        if c.code in current:
            raise ValueError(f"{COMMUNES_FILE}: commune code {c.code} listed twice")
        current[c.code] = c
    merged = {str(item["code"]): item["name"] for item in raw["merged"]}
    provinces = {c.province for c in current.values()}
    if len(current) != EXPECTED_CURRENT or provinces != current_province_codes() or set(merged) & set(current):
        raise ValueError(
            f"{COMMUNES_FILE}: expected {EXPECTED_CURRENT} current communes in the 34 current provinces and no "
            f"merged code among them; got {len(current)} in {len(provinces)} provinces"
        )
    return _Reference(str(raw["version"]), MappingProxyType(current), MappingProxyType(merged))


def reference_version() -> str:
    """The version of the reference list (e.g. "vietnamadminunits 1.0.4"), recorded with every check result."""
    return _reference().version


def current_communes() -> Mapping[str, Commune]:
    """The 3,321 units in force by 5-digit code."""
    return _reference().current


def merged_commune_codes() -> frozenset[str]:
    """Codes of pre-reform units that are no current unit's code: merged into another on 1 Jul 2025."""
    return frozenset(_reference().merged)
