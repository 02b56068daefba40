"""Realistic synthetic Vietnamese persons and addresses for the sample estate.

The vocabulary and its weights are reviewed data (assets/reference/vietnamese_names.yaml); this module
only draws from it. All output is clean: NFC, single spaces, one tone-placement convention, so that
defects in the sample estate are only the ones injected on purpose.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from collections.abc import Mapping, Sequence

import yaml

from r57_pipelines.domain.communes import current_communes
from r57_pipelines.domain.identifiers import FEMALE, MALE
from r57_pipelines.domain.provinces import current_provinces
from r57_pipelines.paths import REGISTRY_DIR

NAMES_FILE: Path = REGISTRY_DIR / "reference" / "vietnamese_names.yaml"


@dataclass(frozen=True)
class _Weighted:
    values: tuple[str, ...]
    cum_weights: tuple[float, ...]

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]


def _weighted(mapping: Mapping[str, float]) -> _Weighted:
    values, total, cum = [], 0.0, []
    for value, weight in mapping.items():
        total += float(weight)
        values.append(str(value))
        cum.append(total)
    return _Weighted(tuple(values), tuple(cum))


@dataclass(frozen=True)
class _Vocabulary:
    surnames: _Weighted
    middle: Mapping[str, _Weighted]
    given: Mapping[str, _Weighted]
    streets: Sequence[str]
    commune_first: Sequence[str]
    commune_second: Sequence[str]
    settlement_term: Mapping[str, str]
    default_settlement_term: str


@cache
def _vocabulary() -> _Vocabulary:
    raw = yaml.safe_load(NAMES_FILE.read_text(encoding="utf-8"))
    address = raw["address"]
    return _Vocabulary(
        surnames=_weighted(raw["surnames"]),
        middle={sex: _weighted(raw["middle_names"][sex]) for sex in (MALE, FEMALE)},
        given={sex: _weighted(raw["given_names"][sex]) for sex in (MALE, FEMALE)},
        streets=tuple(str(s) for s in address["streets"]),
        commune_first=tuple(address["commune_first"]),
        commune_second=tuple(address["commune_second"]),
        settlement_term={str(k): v for k, v in address["settlement_term_by_province"].items()},
        default_settlement_term=address["default_settlement_term"],
    )


def _check_sex(sex: str) -> None:
    if sex not in (MALE, FEMALE):
        raise ValueError(f"sex must be {MALE!r} or {FEMALE!r}, got {sex!r}")


def random_full_name(rng: random.Random, sex: str) -> str:
    """Surname, middle name and given name drawn with realistic weights for "Nam" or "Nữ"."""
    _check_sex(sex)
    vocab = _vocabulary()
    surname = vocab.surnames.draw(rng)
    middle = vocab.middle[sex].draw(rng)
    given = vocab.given[sex].draw(rng)
    while given == middle:  # "Minh Minh" does not occur
        given = vocab.given[sex].draw(rng)
    return f"{surname} {middle} {given}"


def random_commune_name(rng: random.Random) -> str:
    """A plausible two-syllable commune or ward name such as "Tân Hòa" (never a repeated syllable)."""
    vocab = _vocabulary()
    first = rng.choice(vocab.commune_first)
    second = rng.choice([s for s in vocab.commune_second if s != first])
    return f"{first} {second}"


def random_address(rng: random.Random, commune_code: str) -> str:
    """A two-level post-2025 address in a real commune of the official list: street (in a ward) or
    settlement (in a commune or special zone), the commune's kind and name, the province.

    E.g. "Số 12 đường Lê Lợi, phường Hồng Hà, Thành phố Hà Nội" or "Thôn 3, xã Phú Lộc, Tỉnh Nghệ An".
    """
    commune = current_communes()[commune_code]  # KeyError for a code that is not a current commune
    province = current_provinces()[commune.province]
    vocab = _vocabulary()
    province_part = f"{'Thành phố' if province.kind == 'city' else 'Tỉnh'} {province.name_vi}"
    commune_part = f"{commune.kind.lower()} {commune.name}"
    if commune.kind == "Phường":
        street = rng.choice(vocab.streets)
        return f"Số {rng.randint(1, 350)} đường {street}, {commune_part}, {province_part}"
    term = vocab.settlement_term.get(province.code, vocab.default_settlement_term)
    settlement = str(rng.randint(1, 12)) if rng.random() < 0.5 else random_commune_name(rng)
    return f"{term} {settlement}, {commune_part}, {province_part}"
