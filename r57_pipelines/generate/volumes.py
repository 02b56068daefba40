"""How many rows each delivered database gets out of the estate's total.

The population master takes POPULATION_SHARE. The rest is shared among the other delivered databases
in proportion to expected_rows ** VOLUME_EXPONENT (a flattened power law: the national registers are
large, small specialised registers small), with a floor so that every database has at least
MIN_ROWS_AT_DEFAULT rows at the default size, and a cap so no register outgrows the master it draws
its persons from. Shares do not depend on total_rows: every size is the same plan scaled (below
MIN_ROWS rows a database keeps MIN_ROWS, and the master MIN_MASTER_ROWS, which only matters for tiny
test estates).
"""

from __future__ import annotations

from collections.abc import Iterable

from r57_pipelines.registry import Registry

MASTER_DATABASE = "population"
DEFAULT_TOTAL_ROWS = 300_000
POPULATION_SHARE = 0.15
MAX_OTHER_SHARE = 0.06
MIN_ROWS_AT_DEFAULT = 200
MIN_SHARE = MIN_ROWS_AT_DEFAULT / DEFAULT_TOTAL_ROWS
VOLUME_EXPONENT = 0.5
MIN_ROWS = 12
MIN_MASTER_ROWS = 1_000  # registers draw distinct persons from the master, so it never gets tiny


def row_shares(registry: Registry, delivered: Iterable[str]) -> dict[str, float]:
    """Share of the estate's rows per delivered database id (sums to 1)."""
    others = sorted(d for d in delivered if d != MASTER_DATABASE)
    weights = {d: max(registry.databases[d].expected_rows, 1) ** VOLUME_EXPONENT for d in others}
    shares: dict[str, float] = {}
    free = dict(weights)
    budget = 1.0 - POPULATION_SHARE
    while free:  # fix floored and capped databases, share the rest, until nothing moves
        total = sum(free.values())
        trial = {d: budget * w / total for d, w in free.items()}
        clamped = {
            d: min(max(s, MIN_SHARE), MAX_OTHER_SHARE) for d, s in trial.items() if not MIN_SHARE <= s <= MAX_OTHER_SHARE
        }
        if not clamped:
            shares.update(trial)
            break
        shares.update(clamped)
        budget -= sum(clamped.values())
        for d in clamped:
            del free[d]
    shares[MASTER_DATABASE] = POPULATION_SHARE
    return shares


def rows_for(share: float, total_rows: int, database_id: str = "") -> int:
    floor = MIN_MASTER_ROWS if database_id == MASTER_DATABASE else MIN_ROWS
    return max(floor, round(share * total_rows))
