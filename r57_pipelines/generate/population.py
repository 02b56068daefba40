"""The population master: every person of the sample estate, as compact arrays.

Every other database takes its persons from here (by index), so personal numbers, names, birth dates and
sexes agree with the master by construction; only planted defects break that. At 50M estate rows the
master holds 7.5M persons in about 25 bytes each; text is rendered per chunk when a table is written.

A person is born in an old (pre-2025) province, which fixes the PPP of the personal number; 80% still
live in the current province that absorbed it, the rest anywhere (weighted by population). Ages follow
a rough Vietnamese age pyramid (0-99). Personal numbers and the citizen natural key (name, birth date,
sex, commune) are unique.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from r57_pipelines.generate.codes import POPULATION_SERIAL_LIMIT, personal_id_ints, personal_id_text
from r57_pipelines.generate.geography import geography
from r57_pipelines.generate.seeding import rng_for
from r57_pipelines.generate.timeline import day_number
from r57_pipelines.generate.vocab import NAME_POOL_SIZE, SEXES, name_pool

FEMALE_SHARE = 0.503
STAY_IN_BIRTH_PROVINCE = 0.8
ADULT_YEARS = 18
# Relative number of people per year of age, by decade (0-9, 10-19, ... 90-99).
AGE_WEIGHTS_BY_DECADE = (1.45, 1.5, 1.55, 1.65, 1.6, 1.35, 1.1, 0.7, 0.3, 0.08)


@dataclass(frozen=True)
class Population:
    seed: int
    pid: np.ndarray  # int64, 12-digit personal numbers
    sex: np.ndarray  # int8: 0 Nam, 1 Nữ
    birth: np.ndarray  # int32 day numbers since 1970-01-01
    name_idx: np.ndarray  # int32 into the sex's name pool
    province: np.ndarray  # int8 index into geography().codes (residence)
    commune: np.ndarray  # int16 commune number within the province
    adults: np.ndarray  # int64 indices of persons aged ADULT_YEARS or more at as-of

    @property
    def size(self) -> int:
        return int(self.pid.size)

    def pid_text(self, idx: np.ndarray) -> pa.StringArray:
        return personal_id_text(self.pid[idx])

    def name_text(self, idx: np.ndarray) -> pa.StringArray:
        return name_pool(self.seed).take(pa.array(self.sex[idx].astype(np.int64) * NAME_POOL_SIZE + self.name_idx[idx]))

    def sex_text(self, idx: np.ndarray) -> pa.StringArray:
        return pa.array(SEXES, pa.string()).take(pa.array(self.sex[idx].astype(np.int64)))


def _birth_days(rng: np.random.Generator, n: int, as_of: dt.date) -> np.ndarray:
    per_year = np.repeat(np.array(AGE_WEIGHTS_BY_DECADE), 10)
    age_years = rng.choice(per_year.size, size=n, p=per_year / per_year.sum())
    age_days = np.floor((age_years + rng.random(n)) * 365.25).astype(np.int64)
    return (day_number(as_of) - 1 - age_days).astype(np.int32)


def _repeated(keys: np.ndarray) -> np.ndarray:
    """Indices of every occurrence of a key after its first."""
    _, first = np.unique(keys, return_index=True)
    mask = np.ones(keys.size, dtype=bool)
    mask[first] = False
    return np.flatnonzero(mask)


def build_population(seed: int, n: int, as_of: dt.date) -> Population:
    geo = geography()
    rng = rng_for(seed, "population", "persons")
    sex = (rng.random(n) < FEMALE_SHARE).astype(np.int8)
    birth = _birth_days(rng, n, as_of)
    birth_year = (birth.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).astype(np.int64)

    birth_old = rng.choice(len(geo.old_codes), size=n, p=geo.old_weights)
    old_to_current = np.empty(len(geo.old_codes), dtype=np.int64)
    for current, olds in enumerate(geo.old_of_current):
        old_to_current[olds] = current
    movers = rng.random(n) >= STAY_IN_BIRTH_PROVINCE
    province = np.where(movers, rng.choice(len(geo.codes), size=n, p=geo.weights), old_to_current[birth_old])
    commune = 1 + np.floor(rng.random(n) * geo.commune_counts[province]).astype(np.int64)

    serial = rng.integers(0, POPULATION_SERIAL_LIMIT, n)
    pid = personal_id_ints(geo.old_code_ints[birth_old], sex, birth_year, serial)
    while (again := _repeated(pid)).size:
        serial[again] = rng.integers(0, POPULATION_SERIAL_LIMIT, again.size)
        pid[again] = personal_id_ints(geo.old_code_ints[birth_old[again]], sex[again], birth_year[again], serial[again])

    place = geo.commune_index(province, commune)
    name_idx = rng.integers(0, NAME_POOL_SIZE, n)

    def natural_key(rows: np.ndarray) -> np.ndarray:
        person = (name_idx[rows] * 2 + sex[rows]) * 100_000 + (birth[rows] + 30_000)
        return person * 4096 + place[rows]

    all_rows = np.arange(n)
    while (again := _repeated(natural_key(all_rows))).size:
        name_idx[again] = rng.integers(0, NAME_POOL_SIZE, again.size)

    adult_limit = day_number(as_of) - int(ADULT_YEARS * 365.25) - 1
    return Population(
        seed=seed,
        pid=pid,
        sex=sex,
        birth=birth,
        name_idx=name_idx.astype(np.int32),
        province=province.astype(np.int8),
        commune=commune.astype(np.int16),
        adults=np.flatnonzero(birth <= adult_limit),
    )
