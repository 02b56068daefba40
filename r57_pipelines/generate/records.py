"""Realistic, clean rows for every table of a database's contract, generated in chunks.

Driven by the contract's column kinds (so an inline contract works too), with a few column names given
their own vocabulary (status, land_use, vehicle_type, procedure_code, share_pct, ...). For each table
the row *context* (which person, province, commune, creation day, key numbers) is drawn first as
compact numeric arrays for all rows; text is rendered CHUNK_ROWS at a time, so memory stays bounded.

Rules that keep clean data clean:
- persons come from the population master (names, birth dates, sexes agree with it); a personal-id
  column in the primary or natural key samples persons without replacement;
- key codes are sequential with gaps; tax-code keys take a disjoint slice of one valid-code sequence;
  plates are drawn without repeats;
- natural keys are unique: entity names are distinct within their province/commune, land parcels get
  distinct (map sheet, parcel number) within their commune;
- a later table holding all of the first table's primary-key columns is its child (enterprise -> owner):
  1-4 child rows per parent, children's shares (share_pct) sum to 100 per parent;
- from COVERAGE_MIN_ROWS rows on, every table has records in all 34 provinces;
- optional columns are empty in floor(OPTIONAL_EMPTY_SHARE * rows) rows (tiny noise; required columns never).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from r57_pipelines.generate import vocab
from r57_pipelines.generate.codes import mobile_text, padded, plate_text, tax_code_text, tax_codes, unique_plate_keys
from r57_pipelines.generate.geography import geography
from r57_pipelines.generate.population import ADULT_YEARS, Population
from r57_pipelines.generate.seeding import rng_for
from r57_pipelines.generate.timeline import Timeline, day_number
from r57_pipelines.registry import Column, ColumnKind, Database, Table

CHUNK_ROWS = 100_000
CAR_SHARE = 0.18  # of registered vehicles; the rest are motorbikes
OPTIONAL_EMPTY_SHARE = 0.003
COVERAGE_MIN_ROWS = 100  # from this size on, every delivery has records in all 34 provinces
CHILDREN_PER_PARENT = (1, 2, 3, 4)
CHILDREN_WEIGHTS = (0.45, 0.3, 0.15, 0.1)
# First day a record of this kind may have been created (the first date column of a table).
CREATED_SINCE = {
    "established_on": dt.date(1991, 1, 1),
    "registered_on": dt.date(2005, 1, 1),
    "submitted_on": dt.date(2019, 1, 1),
    "recorded_on": dt.date(2010, 1, 1),
}
DEFAULT_CREATED_SINCE = dt.date(2008, 1, 1)
MASTER_CREATED_SINCE = dt.date(2021, 7, 1)  # the population database went live in mid-2021
_NAME_STRIDE = 7919  # a prime: consecutive entities of a place get unrelated names


def parent_child_split(contract_tables: list[Table]) -> dict[str, str]:
    """child table name -> parent table name (the first table), for tables that carry its primary key."""
    first = contract_tables[0]
    return {
        t.name: first.name
        for t in contract_tables[1:]
        if set(first.primary_key) <= {c.name for c in t.columns}
    }


def key_prefix(database_id: str) -> str:
    words = database_id.split("_")
    return (words[0][:3] if len(words) == 1 else "".join(w[0] for w in words[:4])).upper()


@dataclass
class Frame:
    """Numeric context of a table's rows (all rows), rendered to text chunk by chunk."""

    rows: int
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def slice(self, start: int, stop: int) -> dict[str, np.ndarray]:
        return {k: v[start:stop] for k, v in self.arrays.items()}


@dataclass(frozen=True)
class TableRows:
    table: Table
    rows: int
    chunks: Iterator[pa.Table]


class DatabaseRows:
    """Generates the clean tables of one delivery."""

    def __init__(
        self,
        db: Database,
        rows: int,
        population: Population,
        timeline: Timeline,
        seed: int,
        tax_code_start: int,
        organisation_codes: np.ndarray,
        is_master: bool = False,
    ) -> None:
        self.db = db
        self.budget = rows
        self.population = population
        self.timeline = timeline
        self.seed = seed
        self.tax_code_start = tax_code_start
        self.organisation_codes = organisation_codes
        self.is_master = is_master
        self.geo = geography()
        self.procedures = vocab.procedure_codes(seed, db.id)
        # Persons a record may be about: born (registers of persons) or adult (owners, applicants, ...)
        # by the last day a record of this delivery can have been created.
        last = timeline.last_created_day
        self.born = np.flatnonzero(population.birth <= last)
        self.adults = np.flatnonzero(population.birth <= last - int(ADULT_YEARS * 365.25) - 1)

    # --- sizes ---------------------------------------------------------------------------------------

    def table_rows(self) -> dict[str, int]:
        """Rows per table: a parent and its children share the budget (children ~1.9 per parent)."""
        tables = self.db.contract.tables
        children = parent_child_split(tables)
        mean_children = float(np.dot(CHILDREN_PER_PARENT, CHILDREN_WEIGHTS))
        independent = [t for t in tables if t.name not in children]
        per_root = self.budget / len(independent)
        first_rows = max(1, round(per_root / (1 + mean_children * len(children))))
        sizes = {t.name: max(1, round(per_root)) for t in independent}
        sizes[tables[0].name] = first_rows if children else sizes[tables[0].name]
        return sizes  # child sizes are known once the parent's children are drawn

    def parent_rows_needed(self) -> int:
        """How many tax-code keys the first table needs (its row count)."""
        return self.table_rows()[self.db.contract.tables[0].name]

    # --- generation ----------------------------------------------------------------------------------

    def tables(self) -> Iterator[TableRows]:
        tables = self.db.contract.tables
        children = parent_child_split(tables)
        sizes = self.table_rows()
        frames: dict[str, Frame] = {}
        for table in tables:
            rng = rng_for(self.seed, self.db.id, table.name, "context")
            if table.name in children:
                frame = self._child_frame(table, frames[children[table.name]], rng)
            else:
                frame = self._frame(table, sizes[table.name], rng, is_first=table is tables[0])
            frames[table.name] = frame
            yield TableRows(table, frame.rows, self._chunks(table, frame))

    def _chunks(self, table: Table, frame: Frame) -> Iterator[pa.Table]:
        for number, start in enumerate(range(0, max(frame.rows, 1), CHUNK_ROWS)):
            stop = min(start + CHUNK_ROWS, frame.rows)
            rng = rng_for(self.seed, self.db.id, table.name, "chunk", number)
            yield self._render(table, frame.slice(start, stop), stop - start, rng)

    # --- context ------------------------------------------------------------------------------------

    def _persons(self, table: Table, column: Column, n: int, rng: np.random.Generator, first: bool) -> np.ndarray:
        keyed = column.name in table.primary_key or column.name in table.natural_key
        registers_persons = any(c.kind == ColumnKind.birth_date for c in table.columns)
        pool = self.born if registers_persons else self.adults
        if keyed and first:
            if n > pool.size:
                raise ValueError(
                    f"{self.db.id}.{table.name}: {n} rows need distinct persons but the population "
                    f"offers {pool.size}; raise the population share or lower this database's volume"
                )
            persons = pool[rng.choice(pool.size, size=n, replace=False)]
        else:
            persons = pool[rng.integers(0, pool.size, n)]
        if not column.required:
            persons = np.where(_some(rng, n, OPTIONAL_EMPTY_SHARE), -1, persons)
        return persons

    def _frame(self, table: Table, n: int, rng: np.random.Generator, is_first: bool) -> Frame:
        frame = Frame(n)
        a = frame.arrays
        pop = self.population
        if self.is_master and is_first:
            n = frame.rows = pop.size
            a["person"] = np.arange(n)
            for col in table.columns_of_kind(ColumnKind.personal_id):
                a[f"person:{col.name}"] = a["person"]
        else:
            for i, col in enumerate(table.columns_of_kind(ColumnKind.personal_id)):
                a[f"person:{col.name}"] = self._persons(table, col, n, rng, first=i == 0)
            pids = table.columns_of_kind(ColumnKind.personal_id)
            if pids:
                a["person"] = a[f"person:{pids[0].name}"]
        person = a.get("person")
        known = person if person is not None else np.full(n, -1)
        has_person = known >= 0
        random_province = rng.choice(len(self.geo.codes), size=n, p=self.geo.weights)
        a["province"] = np.where(has_person, pop.province[np.maximum(known, 0)], random_province).astype(np.int64)
        if not self.is_master:
            self._cover_every_province(table, a, rng)
        random_commune = 1 + np.floor(rng.random(n) * self.geo.commune_counts[a["province"]]).astype(np.int64)
        use_home = has_person & bool(self.is_master)
        a["commune"] = np.where(use_home, pop.commune[np.maximum(known, 0)], random_commune)

        a["created"] = self._created(table, known, has_person, rng, n)
        self._keys(table, frame, rng, is_first)
        return frame

    def _cover_every_province(self, table: Table, a: dict[str, np.ndarray], rng: np.random.Generator) -> None:
        """A national register has records in all 34 provinces: move a few rows (and their persons) to
        provinces the draw missed, taking them from provinces that keep at least one row."""
        province = a["province"]
        if province.size < COVERAGE_MIN_ROWS:
            return
        counts = np.bincount(province, minlength=len(self.geo.codes))
        missing_provinces = np.flatnonzero(counts == 0).tolist()
        if not missing_provinces:
            return
        person = a.get("person")
        registers_persons = any(c.kind == ColumnKind.birth_date for c in table.columns)
        pool = self.born if registers_persons else self.adults
        taken = set(person.tolist()) if person is not None else set()
        for missing in missing_provinces:
            donors = np.flatnonzero(counts[province] > 1)
            row = int(donors[rng.integers(0, donors.size)])
            counts[province[row]] -= 1
            counts[missing] += 1
            province[row] = missing
            if person is not None and person[row] >= 0:
                local = pool[self.population.province[pool] == missing]
                choice = int(local[rng.integers(0, local.size)])
                while choice in taken:
                    choice = int(local[rng.integers(0, local.size)])
                taken.add(choice)
                person[row] = choice

    def _created(
        self, table: Table, person: np.ndarray, has_person: np.ndarray, rng: np.random.Generator, n: int
    ) -> np.ndarray:
        dates = table.columns_of_kind(ColumnKind.date)
        if self.is_master:
            since = MASTER_CREATED_SINCE
        else:
            since = CREATED_SINCE.get(dates[0].name, DEFAULT_CREATED_SINCE) if dates else DEFAULT_CREATED_SINCE
        first = np.full(n, day_number(since), dtype=np.int64)
        born = self.population.birth[np.maximum(person, 0)].astype(np.int64)
        adult_from = born + (0 if any(c.kind == ColumnKind.birth_date for c in table.columns) else int(ADULT_YEARS * 365.25))
        first = np.where(has_person, np.maximum(first, adult_from), first)
        return self.timeline.created_days(rng, first)

    def _keys(self, table: Table, frame: Frame, rng: np.random.Generator, is_first: bool) -> None:
        a, n = frame.arrays, frame.rows
        for col in table.columns:
            in_pk = col.name in table.primary_key
            if col.kind == ColumnKind.code and in_pk and len(table.primary_key) == 1:
                start = int(rng.integers(100_000, 5_000_000))
                a[f"serial:{col.name}"] = start + np.cumsum(rng.integers(1, 4, n))
            elif col.kind == ColumnKind.tax_code and in_pk and is_first:
                a[f"tax:{col.name}"] = tax_codes(self.tax_code_start, n)
            elif col.kind == ColumnKind.plate:
                a["is_car"] = rng.random(n) < CAR_SHARE
                a[f"plate:{col.name}"] = unique_plate_keys(rng, a["is_car"])
        natural = set(table.natural_key)
        place_kinds = (ColumnKind.province_code, ColumnKind.commune_code)
        place_cols = [c for c in table.columns if c.name in natural and c.kind in place_kinds]
        if not place_cols:
            return
        group = a["province"] * 1000 + (a["commune"] if any(c.kind == ColumnKind.commune_code for c in place_cols) else 0)
        rank = _rank_within(group, rng)
        groups = int(group.max()) + 1
        for col in table.columns:
            if col.name not in natural:
                continue
            if col.kind == ColumnKind.text:
                space = vocab.entity_name_space(self.seed, *self._entity_vocab(table))
                stride = _coprime_stride(space)
                offset = rng.integers(0, space, groups)[group]
                a[f"name:{col.name}"] = (offset + rank * stride) % space + rank // space * space
        integer_codes = [c.name for c in table.columns if c.name in natural and c.type in ("integer", "bigint")]
        if len(integer_codes) >= 2:  # map sheet, then number on the sheet (numbers with gaps)
            per_sheet = rng.integers(150, 401, groups)[group]
            a[f"int:{integer_codes[0]}"] = rank // per_sheet + 1 + rng.integers(0, 80, groups)[group]
            a[f"int:{integer_codes[1]}"] = rank % per_sheet * 3 + rng.integers(1, 4, n)
        elif integer_codes:
            a[f"int:{integer_codes[0]}"] = rank * 3 + rng.integers(1, 4, n)

    def _child_frame(self, table: Table, parent: Frame, rng: np.random.Generator) -> Frame:
        counts = rng.choice(CHILDREN_PER_PARENT, size=parent.rows, p=CHILDREN_WEIGHTS)
        parent_idx = np.repeat(np.arange(parent.rows), counts)
        frame = Frame(int(parent_idx.size))
        a = frame.arrays
        a["parent"] = parent_idx
        for key, values in parent.arrays.items():
            if key.startswith(("tax:", "serial:")) or key in ("province", "commune", "created"):
                a[key] = values[parent_idx]
        pids = table.columns_of_kind(ColumnKind.personal_id)
        for i, col in enumerate(pids):
            a[f"person:{col.name}"] = self._persons(table, col, frame.rows, rng, first=i == 0)
        if pids:
            a["person"] = a[f"person:{pids[0].name}"]
        weights = rng.gamma(2.0, size=frame.rows)
        group_start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        shares = np.round(weights / np.add.reduceat(weights, group_start)[parent_idx] * 100, 2)
        last = group_start + counts - 1
        shares[last] = np.round(100 - (np.add.reduceat(shares, group_start) - shares[last]), 2)
        a["share"] = shares
        return frame

    # --- rendering ----------------------------------------------------------------------------------

    def _entity_vocab(self, table: Table) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if any(c.kind == ColumnKind.tax_code for c in table.columns if c.name in table.primary_key):
            forms = vocab.COOPERATIVE_FORMS if "cooperative" in self.db.id else vocab.ENTERPRISE_FORMS
            return forms, vocab.BUSINESS_LINES
        return vocab.FACILITY_KINDS.get(self.db.domain, vocab.DEFAULT_FACILITY_KINDS), ()

    def _person_for(self, table: Table, column: Column, a: dict[str, np.ndarray]) -> np.ndarray | None:
        for ref in table.master_refs:
            if column.name in ref.agree and f"person:{ref.column}" in a:
                return a[f"person:{ref.column}"]
        return a.get("person")

    def _render(self, table: Table, a: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> pa.Table:
        columns = {}
        for col in table.columns:
            values = self._column(table, col, a, n, rng)
            if not col.required and col.kind not in (ColumnKind.personal_id, ColumnKind.person_name):
                values = _blank_some(values, rng, OPTIONAL_EMPTY_SHARE)
            columns[col.name] = values
        return pa.table(columns)

    def _column(self, table: Table, col: Column, a: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> pa.Array:
        pop, kind = self.population, col.kind
        if kind in (ColumnKind.personal_id, ColumnKind.person_name, ColumnKind.birth_date, ColumnKind.sex):
            person = a.get(f"person:{col.name}") if kind == ColumnKind.personal_id else self._person_for(table, col, a)
            if person is None:  # no person in this table: an anonymous one from the master
                person = self.adults[rng.integers(0, self.adults.size, n)]
            present = person >= 0
            safe = np.maximum(person, 0)
            if kind == ColumnKind.personal_id:
                text = pop.pid_text(safe)
            elif kind == ColumnKind.person_name:
                text = pop.name_text(safe)
            elif kind == ColumnKind.birth_date:
                text = _dates(pop.birth[safe])
            else:
                text = pop.sex_text(safe)
            return text if present.all() else pc.if_else(pa.array(present), text, pa.scalar(None, pa.string()))
        if kind == ColumnKind.province_code:
            return padded(self.geo.code_ints[a["province"]], 2)
        if kind == ColumnKind.commune_code:
            return padded(self.geo.commune_code_ints(a["province"], a["commune"]), 5)
        if kind == ColumnKind.address:
            commune = self.geo.commune_index(a["province"], a["commune"])
            pick = commune * vocab.ADDRESS_POOL_SIZE + rng.integers(0, vocab.ADDRESS_POOL_SIZE, n)
            return vocab.address_pool(self.seed).take(pa.array(pick))
        if kind == ColumnKind.phone:
            return mobile_text(rng, n)
        if kind == ColumnKind.tax_code:
            if f"tax:{col.name}" in a:
                return tax_code_text(a[f"tax:{col.name}"])
            return tax_code_text(self.organisation_codes[rng.integers(0, self.organisation_codes.size, n)])
        if kind == ColumnKind.plate:
            return plate_text(a[f"plate:{col.name}"])
        if kind == ColumnKind.text:
            index = a.get(f"name:{col.name}")
            if index is None:
                index = rng.integers(0, 10**9, n)
            return vocab.entity_names(self.seed, *self._entity_vocab(table), index)
        if kind == ColumnKind.updated_at:
            return _timestamps(self.timeline.updated_seconds(rng, a["created"]))
        if kind == ColumnKind.date:
            dates = table.columns_of_kind(ColumnKind.date)
            if col is dates[0] or col.name == dates[0].name:
                return _dates(a["created"])
            span = np.maximum(self.timeline.last_created_day - a["created"], 0)
            return _dates(a["created"] + np.floor(rng.random(n) * (span + 1)).astype(np.int64))
        if kind == ColumnKind.amount:
            return self._amount(col, a, n, rng)
        return self._code(table, col, a, n, rng)

    def _amount(self, col: Column, a: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> pa.Array:
        if col.name == "share_pct" and "share" in a:
            return pa.array(a["share"], pa.float64())
        if col.name == "fee_amount":
            return pa.array(np.array(vocab.FEES_VND)[rng.choice(len(vocab.FEES_VND), size=n, p=vocab.FEE_WEIGHTS)])
        if col.name == "area_m2":
            return pa.array(np.round(rng.lognormal(math.log(350), 1.1, n), 1))
        return pa.array(np.round(rng.lognormal(math.log(250_000_000), 1.6, n), -3))  # VND, to the thousand

    def _code(self, table: Table, col: Column, a: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> pa.Array:
        if f"serial:{col.name}" in a:
            number = padded(a[f"serial:{col.name}"], 10)
            return pc.binary_join_element_wise(key_prefix(self.db.id), number, "")
        if f"int:{col.name}" in a:
            return pa.array(a[f"int:{col.name}"]).cast(pa.string())
        if col.name == "vehicle_type" and "is_car" in a:
            cars = [v for v, _ in vocab.code_list(table.name, col.name) if v in vocab.CAR_TYPES]
            bikes = [v for v, _ in vocab.code_list(table.name, col.name) if v not in vocab.CAR_TYPES]
            car = pa.array(cars, pa.string()).take(pa.array(rng.integers(0, len(cars), n)))
            bike = pa.array(bikes, pa.string()).take(pa.array(rng.integers(0, len(bikes), n)))
            return pc.if_else(pa.array(a["is_car"]), car, bike)
        if col.name == "procedure_code":
            weights = 1.0 / np.arange(1, len(self.procedures) + 1)
            pick = rng.choice(len(self.procedures), size=n, p=weights / weights.sum())
            return pa.array(self.procedures, pa.string()).take(pa.array(pick))
        listed = vocab.code_list(table.name, col.name)
        if listed:
            values, weights = zip(*listed)
            p = np.array(weights) / sum(weights)
            return pa.array(values, pa.string()).take(pa.array(rng.choice(len(values), size=n, p=p)))
        if col.type in ("integer", "bigint"):
            return pa.array(rng.integers(1, 1000, n)).cast(pa.string())
        return padded(rng.integers(0, 100, n), 2)


def _rank_within(group: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """0-based position of each row within its group, in a random order."""
    order = np.lexsort((rng.random(group.size), group))
    sorted_groups = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    run = np.repeat(starts, np.diff(np.r_[starts, group.size]))
    rank = np.empty(group.size, dtype=np.int64)
    rank[order] = np.arange(group.size) - run
    return rank


def _coprime_stride(space: int) -> int:
    stride = _NAME_STRIDE
    while math.gcd(stride, space) != 1:
        stride += 2
    return stride


def _dates(days: np.ndarray) -> pa.StringArray:
    return pa.array(days.astype(np.int32), pa.date32()).cast(pa.string())


def _timestamps(seconds: np.ndarray) -> pa.StringArray:
    text = pc.strftime(pa.array(seconds.astype(np.int64), pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
    return pc.binary_join_element_wise(text, "+07:00", "")


def _some(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    """A mask of exactly floor(share * n) random rows: noise that never exceeds its share."""
    mask = np.zeros(n, dtype=bool)
    mask[rng.choice(n, size=int(share * n), replace=False)] = True
    return mask


def _blank_some(values: pa.Array, rng: np.random.Generator, share: float) -> pa.Array:
    blank = _some(rng, len(values), share)
    if not blank.any():
        return values
    return pc.if_else(pa.array(blank), pa.scalar(None, values.type), values)
