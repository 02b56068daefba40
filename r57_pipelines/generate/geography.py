"""Province and commune codes as arrays for vectorised generation.

Provinces come from r57_pipelines.domain.provinces. Communes have no reviewed code list in the project,
so the sample estate uses a documented synthetic scheme:

    commune_code = province_code * 1000 + n,  n = 1 .. communes_in(province)   (5 digits, zero-padded)

e.g. "79001".."79277" for Hồ Chí Minh. The 3,321 communal units of Decision 19/2025 are shared out in
proportion to the square root of each province's population weight (large cities get more communes,
but far fewer than their population alone would give), at least 40 each. A check can therefore test
that a commune code starts with its record's province code and that n is within the province's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from r57_pipelines.domain.provinces import current_provinces, old_province_codes, province_weights

TOTAL_COMMUNES = 3321
MIN_COMMUNES = 40


@dataclass(frozen=True)
class Geography:
    codes: tuple[str, ...]  # the 34 current province codes, sorted
    code_ints: np.ndarray  # int16, same order
    weights: np.ndarray  # float64, sums to 1
    commune_counts: np.ndarray  # int16, sums to TOTAL_COMMUNES
    old_codes: tuple[str, ...]  # the 63 old codes, sorted
    old_code_ints: np.ndarray  # int16
    old_weights: np.ndarray  # a current province's weight shared equally among its old codes
    old_of_current: tuple[np.ndarray, ...]  # per current province: indices into old_codes merged into it
    abolished_of_current: tuple[tuple[str, ...], ...]  # per current province: old codes no longer in force

    def commune_code_ints(self, province_idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        return self.code_ints[province_idx].astype(np.int64) * 1000 + n


def _apportion(weights: np.ndarray, total: int, minimum: int) -> np.ndarray:
    """Largest-remainder shares of `total` in proportion to weights, each at least `minimum`."""
    spare = total - minimum * len(weights)
    raw = weights / weights.sum() * spare
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: spare - counts.sum()]] += 1
    return counts + minimum


@cache
def geography() -> Geography:
    provinces = current_provinces()
    weights_by_code = province_weights()
    codes = tuple(sorted(provinces))
    weights = np.array([weights_by_code[c] for c in codes], dtype=np.float64)
    old_codes = tuple(sorted(old_province_codes()))
    old_index = {c: i for i, c in enumerate(old_codes)}
    old_weights = np.zeros(len(old_codes))
    old_of_current, abolished = [], []
    for i, code in enumerate(codes):
        olds = provinces[code].old_codes
        old_of_current.append(np.array([old_index[o] for o in olds], dtype=np.int64))
        abolished.append(tuple(o for o in olds if o not in provinces))
        old_weights[[old_index[o] for o in olds]] += weights[i] / len(olds)
    return Geography(
        codes=codes,
        code_ints=np.array([int(c) for c in codes], dtype=np.int16),
        weights=weights,
        commune_counts=_apportion(np.sqrt(weights), TOTAL_COMMUNES, MIN_COMMUNES).astype(np.int16),
        old_codes=old_codes,
        old_code_ints=np.array([int(c) for c in old_codes], dtype=np.int16),
        old_weights=old_weights / old_weights.sum(),
        old_of_current=tuple(old_of_current),
        abolished_of_current=tuple(abolished),
    )
