"""Plant each kind of defect in a copy of a clean sample delivery: the right dimension falls, the others hold.

The copy is a Resolution-71 person register (`civil_status`, clean in the sample estate) checked against
the sample population database, exactly as a run does: load, then the committed suites in DuckDB.
"""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import yaml

from r57_pipelines.delivery.load import load_delivery
from r57_pipelines.paths import SAMPLE_SOURCES_DIR
from r57_pipelines.quality.assess import assess
from r57_pipelines.readiness.policy import DIMENSIONS, default_policy
from r57_pipelines.warehouse import ensure_schema

AS_OF = dt.date(2025, 12, 4)
DB, MINISTRY, TABLE = "civil_status", "MOJ", "person"
SHARE = 0.25  # of rows damaged, like the sample estate's defects
TOLERANCE = 0.01  # points: "holds" means unchanged up to rounding


def _every_nth(table: pa.Table, share: float = SHARE) -> pa.Array:
    n = max(1, round(1 / share))
    return pa.array([i % n == 0 for i in range(table.num_rows)])


def _replace(table: pa.Table, column: str, fn) -> pa.Table:
    mask = _every_nth(table)
    values = [fn(v) if hit and v is not None else v for v, hit in zip(table[column].to_pylist(), mask.to_pylist())]
    return table.set_column(table.schema.get_field_index(column), column, pa.array(values, pa.string()))


def _flip_century_digit(pid: str) -> str:
    # Century/sex digit 9 does not exist: a malformed personal number.
    return pid[:3] + "9" + pid[4:]


DEFECTS = {
    # name: (dimension that must fall, how to damage the person table, manifest override)
    "invalid_personal_ids": ("correct", lambda t: _replace(t, "personal_id", _flip_century_digit), None),
    "old_province_codes": ("correct", lambda t: _replace(t, "province_code", lambda _: "02"), None),
    "names_differ_from_population": ("correct", lambda t: _replace(t, "full_name", lambda v: v + " Anh"), None),
    "required_values_missing": ("sufficient", lambda t: _replace(t, "status", lambda _: ""), None),
    "required_column_missing": ("sufficient", lambda t: t.drop_columns(["status"]), None),
    "duplicate_records": (
        "clean",
        lambda t: pa.concat_tables([t, t.filter(_every_nth(t))]),
        None,
    ),
    "untrimmed_nfd_names": (
        "clean",
        lambda t: _replace(t, "full_name", lambda v: "  " + unicodedata.normalize("NFD", v) + " "),
        None,
    ),
    "stale_extract": (
        "live",
        lambda t: _replace(
            t.set_column(
                t.schema.get_field_index("updated_at"), "updated_at",
                pa.array(["2023-01-15T09:00:00+07:00"] * t.num_rows, pa.string()),
            ),
            "updated_at", lambda v: v,
        ),
        "2025-06-01T22:00:00+07:00",
    ),
}


def _scores(tmp_path: Path, name: str, damage=None, extracted_at: str | None = None) -> dict[str, float | None]:
    sources = tmp_path / name
    shutil.copytree(SAMPLE_SOURCES_DIR / "MPS" / "population", sources / "MPS" / "population")
    folder = sources / MINISTRY / DB
    shutil.copytree(SAMPLE_SOURCES_DIR / MINISTRY / DB, folder)
    if damage is not None:
        pq.write_table(damage(pq.read_table(folder / f"{TABLE}.parquet")), folder / f"{TABLE}.parquet")
    if extracted_at is not None:
        manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
        manifest["extracted_at"] = extracted_at
        (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")

    from r57_pipelines.registry import load_registry

    registry = load_registry()
    with duckdb.connect() as con:
        ensure_schema(con)
        for db_id, path in (("population", sources / "MPS" / "population"), (DB, folder)):
            outcome = load_delivery(con, registry.databases[db_id], path)
            assert outcome.status == "loaded", outcome.error
        scores = assess(con, registry.databases[DB], AS_OF, default_policy()).scores(default_policy())
    return {d: scores[d].score for d in DIMENSIONS}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> dict[str, float | None]:
    scores = _scores(tmp_path_factory.mktemp("baseline"), "clean")
    assert all(s is not None and s >= 95 for s in scores.values()), scores
    return scores


# The sample delivery must stay clean for these comparisons to mean anything.
def test_the_clean_copy_scores_high_on_every_dimension(baseline):
    assert min(baseline.values()) >= 95


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_a_planted_defect_lowers_its_dimension_and_no_other(tmp_path, baseline, defect):
    dimension, damage, extracted_at = DEFECTS[defect]
    scores = _scores(tmp_path, defect, damage, extracted_at)
    assert scores[dimension] is not None and scores[dimension] < baseline[dimension] - 1, (defect, scores)
    for other in DIMENSIONS:
        if other != dimension:
            assert scores[other] == pytest.approx(baseline[other], abs=TOLERANCE), (defect, other, scores, baseline)
