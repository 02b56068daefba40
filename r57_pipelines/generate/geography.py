"""Province and commune codes as arrays for vectorised generation.

Provinces come from r57_pipelines.domain.provinces, communes from the official list
(r57_pipelines.domain.communes, assets/reference/communes.yaml): a record's commune is drawn among the real
communes of its province, numbered n = 1 .. communes_in(province) in code order, and its code is the
official one (which does not begin with the province code: Hà Nội's first commune is 00004).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from r57_pipelines.domain.communes import current_communes
from r57_pipelines.domain.provinces import current_provinces, old_province_codes, province_weights


@dataclass(frozen=True)
class Geography:
    codes: tuple[str, ...]  # the 34 current province codes, sorted
    code_ints: np.ndarray  # int16, same order
    weights: np.ndarray  # float64, sums to 1
    commune_counts: np.ndarray  # int16, communes per province (official list), sums to 3,321
    commune_codes: np.ndarray  # int64: every current commune code, by province (geography order), then code
    commune_offsets: np.ndarray  # int64: province i's communes start at commune_codes[commune_offsets[i]]
    old_codes: tuple[str, ...]  # the 63 old codes, sorted
    old_code_ints: np.ndarray  # int16
    old_weights: np.ndarray  # a current province's weight shared equally among its old codes
    old_of_current: tuple[np.ndarray, ...]  # per current province: indices into old_codes merged into it
    abolished_of_current: tuple[tuple[str, ...], ...]  # per current province: old codes no longer in force

    def commune_index(self, province_idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        """Index into commune_codes of commune number n (1-based) of each province."""
        return self.commune_offsets[province_idx] + n - 1

    def commune_code_ints(self, province_idx: np.ndarray, n: np.ndarray) -> np.ndarray:
        return self.commune_codes[self.commune_index(province_idx, n)]


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
    by_province: dict[str, list[str]] = {code: [] for code in codes}
    for code, commune in sorted(current_communes().items()):
        by_province[commune.province].append(code)
    counts = np.array([len(by_province[c]) for c in codes], dtype=np.int64)
    return Geography(
        codes=codes,
        code_ints=np.array([int(c) for c in codes], dtype=np.int16),
        weights=weights,
        commune_counts=counts.astype(np.int16),
        commune_codes=np.array([int(c) for p in codes for c in by_province[p]], dtype=np.int64),
        commune_offsets=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64),
        old_codes=old_codes,
        old_code_ints=np.array([int(c) for c in old_codes], dtype=np.int16),
        old_weights=old_weights / old_weights.sum(),
        old_of_current=tuple(old_of_current),
        abolished_of_current=tuple(abolished),
    )
