"""Planting one-dimension defects into otherwise clean tables.

A defect damages one aspect in a fixed share of a table's rows (Defect.fraction, 18-32%, so a critical
check clearly fails at any sensible threshold) and leaves the other dimensions clean:

  invalid_identifiers  pid_structure       personal number of the wrong shape (11/13 digits, a letter,
                                           PPP 000, G 6-9)
                       pid_sex_year        well-formed personal number whose G digit or YY disagrees
                                           with the record's sex / birth year
                       tax_check_digit     tax code with a wrong check digit
  master_mismatch      not_in_master       well-formed personal number (agrees with sex and year) that
                                           the population database does not hold
                       name_differs        the person's name differs from the population's
                       birth_date_differs  birth date differs (same year, so the number still agrees)
  old_province_codes   abolished_province  province code of a province merged away on 1 Jul 2025 (the
                                           record's own predecessor); the commune code stays (the
                                           in-province rule only judges current province codes)
  missing_values       empty_required      a required column empty (codes: 3 in 4 null, 1 in 4 ""; dates
                                           and amounts: null)
  missing_column       dropped_column      a required code or amount column absent from the file
  duplicate_records    same_key            rows repeated with the same primary key
                       same_entity_new_key rows repeated under a new primary key (same natural key)
  mojibake_text        tcvn3 / vni         names/addresses garbled as TCVN3 or VNI read as cp1252, and a
                                           quarter of the damaged addresses replaced by placeholders
                       nfd                 text in Unicode NFD
                       untrimmed           leading/trailing and doubled spaces

Only the contract's first table is damaged. Columns that master data must agree with are never
garbled beyond what normalise_text undoes (NFD, spacing), so mojibake_text does not leak into
"correct". Duplicates overwrite rows with copies of other rows, so the row count does not change: a
fraction f means f of the rows are extra copies (2f of the rows sit in duplicate groups).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from r57_pipelines.domain.text import to_tcvn3_mojibake, to_vni_mojibake
from r57_pipelines.generate.codes import POPULATION_SERIAL_LIMIT, padded
from r57_pipelines.generate.geography import geography
from r57_pipelines.generate.vocab import NAME_POOL_SIZE, name_pool
from r57_pipelines.registry import ColumnKind, Contract, Table

# Columns a sufficient-dimension defect may empty or drop: required, and not a key, an identifier, a
# code another check needs, or a value master data is compared with.
_NOT_PLAIN = {
    ColumnKind.personal_id, ColumnKind.tax_code, ColumnKind.province_code, ColumnKind.commune_code,
    ColumnKind.updated_at, ColumnKind.sex, ColumnKind.birth_date, ColumnKind.plate,
}
_TEXT_KINDS = {ColumnKind.person_name, ColumnKind.address, ColumnKind.text}
PLACEHOLDERS = ("KHONG CO", "N/A", "Chưa cập nhật", "---")


@dataclass(frozen=True)
class Defect:
    profile: str
    variant: str
    table: str
    columns: tuple[str, ...]
    fraction: float  # share of the table's rows damaged (1.0 for a dropped column)


def _master_columns(table: Table) -> set[str]:
    return {c for ref in table.master_refs for c in (ref.column, *ref.agree)}


def plain_required_columns(table: Table) -> list[str]:
    protected = set(table.primary_key) | set(table.natural_key) | _master_columns(table)
    return [c.name for c in table.columns if c.required and c.name not in protected and c.kind not in _NOT_PLAIN]


def defect_options(contract: Contract) -> dict[str, list[Defect]]:
    """Every defect the contract's first table can carry (fraction left at 0: the plan sets it)."""
    t = contract.tables[0]
    kinds = {c.name: c.kind for c in t.columns}

    def d(profile: str, variant: str, *columns: str) -> Defect:
        return Defect(profile, variant, t.name, columns, 0.0)

    options: dict[str, list[Defect]] = {}
    pids = [c.name for c in t.columns if c.kind == ColumnKind.personal_id and c.required]
    sex = [c.name for c in t.columns if c.kind == ColumnKind.sex]
    birth = [c.name for c in t.columns if c.kind == ColumnKind.birth_date]
    invalid = [d("invalid_identifiers", "pid_structure", c) for c in pids]
    if pids and sex and birth:
        invalid.append(d("invalid_identifiers", "pid_sex_year", pids[0], sex[0], birth[0]))
    taxes = [c.name for c in t.columns if c.kind == ColumnKind.tax_code and c.required]
    invalid += [d("invalid_identifiers", "tax_check_digit", c) for c in taxes]
    options["invalid_identifiers"] = invalid

    mismatch = []
    for ref in t.master_refs:
        mismatch.append(d("master_mismatch", "not_in_master", ref.column))
        for local in ref.agree:
            if kinds[local] == ColumnKind.person_name:
                mismatch.append(d("master_mismatch", "name_differs", ref.column, local))
            elif kinds[local] == ColumnKind.birth_date:
                mismatch.append(d("master_mismatch", "birth_date_differs", ref.column, local))
    options["master_mismatch"] = mismatch

    provinces = [c.name for c in t.columns if c.kind == ColumnKind.province_code]
    options["old_province_codes"] = [d("old_province_codes", "abolished_province", provinces[0])] if provinces else []
    plain = plain_required_columns(t)
    options["missing_values"] = [d("missing_values", "empty_required", c) for c in plain]
    # A dropped date column would also take its format and range checks with it: drop codes and amounts.
    options["missing_column"] = [d("missing_column", "dropped_column", c) for c in plain if kinds[c] != ColumnKind.date]
    duplicates = [d("duplicate_records", "same_key", *t.primary_key)]
    if t.natural_key and set(t.natural_key) != set(t.primary_key):
        duplicates.append(d("duplicate_records", "same_entity_new_key", *t.natural_key))
    options["duplicate_records"] = duplicates

    text = [c.name for c in t.columns if c.kind in _TEXT_KINDS]
    free_text = [c for c in text if c not in _master_columns(t)]
    mojibake = []
    if free_text:
        mojibake += [d("mojibake_text", "tcvn3", *free_text), d("mojibake_text", "vni", *free_text)]
    if text:
        mojibake += [d("mojibake_text", "nfd", *text), d("mojibake_text", "untrimmed", *text)]
    options["mojibake_text"] = mojibake
    return {p: o for p, o in options.items() if o}


# --- Planting ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    defect: Defect
    table: Table
    seed: int

    @property
    def columns(self) -> tuple[str, ...]:
        return self.defect.columns


@dataclass(frozen=True)
class PlantResult:
    table: pa.Table
    damaged_rows: int


def plant(chunk: pa.Table, defect: Defect, table: Table, rng: np.random.Generator, seed: int) -> PlantResult:
    """Damage round(fraction * rows) rows of a chunk of `table` (or drop a column) as the defect says."""
    n = chunk.num_rows
    if defect.profile == "missing_column":
        return PlantResult(chunk.drop_columns([defect.columns[0]]), n)
    eligible = np.arange(n)
    if defect.profile in ("invalid_identifiers", "master_mismatch", "mojibake_text"):  # damage values, not gaps
        eligible = np.flatnonzero(chunk.column(defect.columns[0]).is_valid().to_numpy(zero_copy_only=False))
    if defect.profile == "old_province_codes":
        eligible = _rows_with_abolished_predecessor(chunk.column(defect.columns[0]))
    k = min(int(round(defect.fraction * n)), eligible.size)
    rows = np.sort(rng.choice(eligible, size=k, replace=False)) if k else np.empty(0, dtype=np.int64)
    planter = _PLANTERS[defect.variant]
    return PlantResult(planter(chunk, _Target(defect, table, seed), rows, rng), k)


def _mask(n: int, rows: np.ndarray) -> pa.BooleanArray:
    m = np.zeros(n, dtype=bool)
    m[rows] = True
    return pa.array(m)


def _replace(chunk: pa.Table, column: str, rows: np.ndarray, values: list | pa.Array) -> pa.Table:
    arr = chunk.column(column).combine_chunks()
    new = pc.replace_with_mask(arr, _mask(chunk.num_rows, rows), pa.array(values, arr.type))
    return chunk.set_column(chunk.schema.get_field_index(column), column, new)


def _values(chunk: pa.Table, column: str, rows: np.ndarray) -> list:
    return chunk.column(column).take(pa.array(rows, pa.int64())).to_pylist()


def _pid_structure(chunk, target, rows, rng):
    form = rng.integers(0, 5, rows.size)
    out = []
    for value, f in zip(_values(chunk, target.columns[0], rows), form.tolist()):
        if f == 0:
            out.append(value[:-1])  # a digit lost: 11 digits
        elif f == 1:
            out.append(value + str(int(rng.integers(0, 10))))  # 13 digits
        elif f == 2:
            out.append(value[:7] + "O" + value[8:])  # letter O typed for a zero
        elif f == 3:
            out.append("000" + value[3:])  # no such birth-registration code
        else:
            out.append(value[:3] + str(int(rng.integers(6, 10))) + value[4:])  # G outside 0-5
    return _replace(chunk, target.columns[0], rows, out)


def _pid_sex_year(chunk, target, rows, rng):
    out = []
    for value, flip_sex in zip(_values(chunk, target.columns[0], rows), (rng.random(rows.size) < 0.5).tolist()):
        g, yy = int(value[3]), int(value[4:6])
        if flip_sex:
            g = g ^ 1  # 0<->1, 2<->3: the other sex, same century
        else:
            yy = (yy + int(rng.integers(1, 9))) % 100
        out.append(f"{value[:3]}{g}{yy:02d}{value[6:]}")
    return _replace(chunk, target.columns[0], rows, out)


def _tax_check_digit(chunk, target, rows, rng):
    out = []
    for value, shift in zip(_values(chunk, target.columns[0], rows), rng.integers(1, 10, rows.size).tolist()):
        out.append(value[:9] + str((int(value[9]) + shift) % 10) + value[10:])
    return _replace(chunk, target.columns[0], rows, out)


def _not_in_master(chunk, target, rows, rng):
    ids = np.array([int(v) for v in _values(chunk, target.columns[0], rows)], dtype=np.int64)
    serial = rng.integers(POPULATION_SERIAL_LIMIT, 1_000_000, rows.size)
    return _replace(chunk, target.columns[0], rows, padded(ids // 10**6 * 10**6 + serial, 12))


def _name_differs(chunk, target, rows, rng):
    pool = name_pool(target.seed).to_pylist()
    current = _values(chunk, target.columns[1], rows)
    sexes = [int(v[3]) % 2 for v in _values(chunk, target.columns[0], rows)]  # G: even Nam, odd Nữ
    out = []
    for name, sex in zip(current, sexes):
        new = name
        while new == name:
            new = pool[sex * NAME_POOL_SIZE + int(rng.integers(0, NAME_POOL_SIZE))]
        out.append(new)
    return _replace(chunk, target.columns[1], rows, out)


def _birth_date_differs(chunk, target, rows, rng):
    out = []
    for value in _values(chunk, target.columns[1], rows):
        day = dt.date.fromisoformat(value)
        shift = dt.timedelta(days=int(rng.integers(3, 120)))
        moved = day + shift if (day + shift).year == day.year else day - shift
        out.append(moved.isoformat())
    return _replace(chunk, target.columns[1], rows, out)


def _rows_with_abolished_predecessor(provinces: pa.ChunkedArray) -> np.ndarray:
    geo = geography()
    has = {code for code, old in zip(geo.codes, geo.abolished_of_current) if old}
    return np.flatnonzero(pc.is_in(provinces, pa.array(sorted(has))).to_numpy(zero_copy_only=False))


def _abolished_province(chunk, target, rows, rng):
    geo = geography()
    abolished = dict(zip(geo.codes, geo.abolished_of_current))
    (province_col,) = target.columns
    new_codes = [abolished[p][int(rng.integers(0, len(abolished[p])))] for p in _values(chunk, province_col, rows)]
    return _replace(chunk, province_col, rows, new_codes)


def _empty_required(chunk, target, rows, rng):
    column = target.columns[0]
    if target.table.column(column).kind in (ColumnKind.code, ColumnKind.text):  # "" reads as a bad date elsewhere
        values = np.where(rng.random(rows.size) < 0.75, None, "").tolist()
    else:
        values = [None] * rows.size
    return _replace(chunk, column, rows, values)


def _copy_rows(chunk: pa.Table, rows: np.ndarray, rng: np.random.Generator, keep: list[str]) -> pa.Table:
    """Overwrite `rows` with copies of other rows, keeping the `keep` columns of the overwritten rows."""
    others = np.setdiff1d(np.arange(chunk.num_rows), rows)
    sources = rng.choice(others, size=rows.size, replace=others.size < rows.size)
    index = np.arange(chunk.num_rows)
    index[rows] = sources
    copied = chunk.take(pa.array(index))
    for name in keep:
        copied = copied.set_column(copied.schema.get_field_index(name), name, chunk.column(name))
    return copied


def _same_key(chunk, target, rows, rng):
    return _copy_rows(chunk, rows, rng, keep=[])


def _same_entity_new_key(chunk, target, rows, rng):
    return _copy_rows(chunk, rows, rng, keep=list(target.table.primary_key))


def _text_transform(transform):
    def planter(chunk, target, rows, rng):
        for column in target.columns:
            values = _values(chunk, column, rows)
            chunk = _replace(chunk, column, rows, [None if v is None else transform(v, rng) for v in values])
        return chunk

    return planter


def _untrimmed(value: str, rng: np.random.Generator) -> str:
    form = int(rng.integers(0, 3))
    if form == 0:
        return f" {value}  "
    if form == 1:
        return value.replace(" ", "  ", 1) + " "
    return "  " + value


def _garble(encode):
    def planter(chunk, target, rows, rng):
        for column in target.columns:
            values = _values(chunk, column, rows)
            is_address = target.table.column(column).kind == ColumnKind.address
            placeholder = rng.random(rows.size) < 0.25
            out = []
            for v, ph in zip(values, placeholder.tolist()):
                if v is None:
                    out.append(None)
                elif is_address and ph:
                    out.append(PLACEHOLDERS[int(rng.integers(0, len(PLACEHOLDERS)))])
                else:
                    out.append(encode(v))
            chunk = _replace(chunk, column, rows, out)
        return chunk

    return planter


_PLANTERS = {
    "pid_structure": _pid_structure,
    "pid_sex_year": _pid_sex_year,
    "tax_check_digit": _tax_check_digit,
    "not_in_master": _not_in_master,
    "name_differs": _name_differs,
    "birth_date_differs": _birth_date_differs,
    "abolished_province": _abolished_province,
    "empty_required": _empty_required,
    "same_key": _same_key,
    "same_entity_new_key": _same_entity_new_key,
    "tcvn3": _garble(to_tcvn3_mojibake),
    "vni": _garble(to_vni_mojibake),
    "nfd": _text_transform(lambda v, rng: unicodedata.normalize("NFD", v)),
    "untrimmed": _text_transform(_untrimmed),
}
