"""The generated estate: deterministic, clean where meant to be, each planted defect present and alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from stdnum.vn import mst

from r57_pipelines.domain.identifiers import personal_id_agrees
from r57_pipelines.domain.provinces import current_province_codes
from r57_pipelines.generate import GenerationSummary, generate_estate
from r57_pipelines.generate.plan import BROKEN, CLEAN, DIMENSION, ONE_DIMENSION, STALE
from r57_pipelines.generate.timeline import EXTRACT_WINDOW_DAYS
from r57_pipelines.paths import SAMPLE_SOURCES_DIR
from r57_pipelines.registry import ColumnKind, Registry
from tests.generate.readback import DIMENSION_OF_ASPECT, aspects, folder_of, read_delivery, read_file, read_manifest

MAIN_ASPECT = {
    "pid_structure": "pid_structure",
    "pid_sex_year": "pid_agreement",
    "tax_check_digit": "tax_code",
    "not_in_master": "master_missing",
    "name_differs": "master_disagree",
    "birth_date_differs": "master_disagree",
    "abolished_province": "province",
    "empty_required": "required_empty",
    "dropped_column": "required_column_missing",
    "same_key": "pk_duplicate",
    "same_entity_new_key": "natural_duplicate",
    "tcvn3": "text_hygiene",
    "vni": "text_hygiene",
    "nfd": "text_hygiene",
    "untrimmed": "text_hygiene",
}
NOISE = 0.005  # optional columns may be empty in under half a percent of rows


def _digests(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def master(small_estate: GenerationSummary):
    return read_file(folder_of(small_estate, "population") / "citizen.parquet")


def _deliveries(summary: GenerationSummary, *profiles: str):
    return [d for d in summary.deliveries if d.profile in profiles]


def test_same_seed_same_bytes(registry: Registry, small_estate: GenerationSummary, tmp_path: Path):
    again = generate_estate(registry, tmp_path / "again", small_estate.total_rows, small_estate.as_of)
    first = _digests(small_estate.out_dir)
    assert len(first) > 150
    assert _digests(again.out_dir) == first


def test_rows_follow_total(small_estate: GenerationSummary):
    assert small_estate.rows_written == pytest.approx(small_estate.total_rows, rel=0.05)
    rows = {d.database_id: sum(d.rows.values()) for d in small_estate.deliveries}
    assert max(rows, key=rows.get) == "population"
    assert rows["population"] == pytest.approx(0.15 * small_estate.total_rows, rel=0.01)


def test_absent_databases_have_no_folder(small_estate: GenerationSummary):
    for d in small_estate.deliveries:
        assert folder_of(small_estate, d.database_id).exists() == (d.profile != "absent"), d.database_id


def test_manifests_follow_the_delivery_format(small_estate: GenerationSummary, registry: Registry):
    for d in small_estate.deliveries:
        if d.profile in ("absent", "broken_manifest_yaml", "broken_manifest_fields"):
            continue
        manifest = read_manifest(folder_of(small_estate, d.database_id))
        assert manifest["database_id"] == d.database_id and manifest["ministry"] == d.ministry
        assert dt.datetime.fromisoformat(manifest["extracted_at"]).utcoffset() == dt.timedelta(hours=7)
        assert [t["name"] for t in manifest["tables"]] == [t.name for t in registry.databases[d.database_id].contract.tables]


@pytest.mark.parametrize("profile", [CLEAN, STALE])
def test_clean_deliveries_fail_no_aspect(small_estate, registry, master, profile):
    for d in _deliveries(small_estate, profile):
        delivery = read_delivery(folder_of(small_estate, d.database_id))
        failing = {k: v for k, v in aspects(registry.databases[d.database_id], delivery, master).items() if v}
        assert failing == {}, d.database_id
        for table in registry.databases[d.database_id].contract.tables:
            frame = delivery.tables[table.name]
            for col in table.columns:
                empty = frame[col.name].isna().mean()
                assert empty == 0 if col.required else empty < NOISE, (d.database_id, col.name)


def test_population_identifiers_agree_with_sex_and_birth_year(small_estate, master):
    assert master["personal_id"].is_unique
    for pid, sex, birth in zip(master["personal_id"], master["sex"], master["birth_date"]):
        assert personal_id_agrees(pid, sex, int(birth[:4])), pid
        assert pid[:3] != "000"
    assert set(master["province_code"]) <= current_province_codes()
    assert len(set(master["province_code"])) == 34


def test_clean_tax_codes_have_valid_check_digits(small_estate, registry):
    checked = 0
    for d in _deliveries(small_estate, CLEAN):
        delivery = read_delivery(folder_of(small_estate, d.database_id))
        for table in registry.databases[d.database_id].contract.tables:
            for col in table.columns_of_kind(ColumnKind.tax_code):
                values = delivery.tables[table.name][col.name].dropna()
                assert all(mst.is_valid(v) for v in values), (d.database_id, col.name)
                checked += len(values)
    assert checked > 1000


def test_person_registers_agree_with_population(small_estate, registry, master):
    indexed = master.set_index("personal_id")
    checked = 0
    for d in _deliveries(small_estate, CLEAN):
        db = registry.databases[d.database_id]
        if db.contract_template != "person_register":
            continue
        person = read_delivery(folder_of(small_estate, d.database_id)).tables["person"]
        assert person["personal_id"].isin(indexed.index).all(), d.database_id
        assert (person["full_name"].values == indexed.loc[person["personal_id"], "full_name"].values).all()
        assert (person["birth_date"].values == indexed.loc[person["personal_id"], "birth_date"].values).all()
        checked += len(person)
    assert checked > 1000


def test_fresh_deliveries_are_live(small_estate: GenerationSummary, registry: Registry):
    as_of = small_estate.as_of
    for d in small_estate.deliveries:
        if d.profile in ("absent", STALE) or d.profile in BROKEN:
            continue
        db = registry.databases[d.database_id]
        delivery = read_delivery(folder_of(small_estate, d.database_id))
        low, high = EXTRACT_WINDOW_DAYS[db.cadence]
        assert low <= (as_of - delivery.extracted_at.date()).days <= high, d.database_id
        updated = delivery.tables[db.contract.tables[0].name]["updated_at"].map(dt.datetime.fromisoformat)
        assert (updated <= delivery.extracted_at).all()
        recent = updated >= dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time(), delivery.extracted_at.tzinfo)
        assert recent.mean() >= 0.4, d.database_id


def test_stale_deliveries(small_estate: GenerationSummary, registry: Registry):
    stale = _deliveries(small_estate, STALE)
    as_of = small_estate.as_of
    assert len(stale) == 6
    for d in stale:
        delivery = read_delivery(folder_of(small_estate, d.database_id))
        assert (as_of - delivery.extracted_at.date()).days >= 150
        cutoff = dt.datetime.combine(as_of - dt.timedelta(days=365), dt.time(), delivery.extracted_at.tzinfo)
        for frame in delivery.tables.values():
            assert (frame["updated_at"].map(dt.datetime.fromisoformat) < cutoff).all(), d.database_id


def test_each_defect_is_present_and_alone(small_estate, registry, master):
    seen = set()
    for d in _deliveries(small_estate, *ONE_DIMENSION):
        db = registry.databases[d.database_id]
        measured = aspects(db, read_delivery(folder_of(small_estate, d.database_id)), master)
        main = MAIN_ASPECT[d.variant]
        if main == "required_column_missing":
            assert measured[main] == 1.0
        else:
            assert 0.15 <= measured[main] <= 0.35, (d.database_id, d.variant, measured[main])
        others = {a for a, v in measured.items() if v and DIMENSION_OF_ASPECT[a] != DIMENSION[d.profile]}
        assert others == set(), (d.database_id, d.variant, others)
        seen.add(d.profile)
    assert seen == set(ONE_DIMENSION)


def test_missing_column_files_lack_the_column(small_estate):
    for d in _deliveries(small_estate, "missing_column"):
        delivery = read_delivery(folder_of(small_estate, d.database_id))
        (column,) = d.damaged_columns
        frame = next(iter(delivery.tables.values()))
        assert column not in frame.columns


def test_broken_deliveries_cannot_be_loaded(small_estate: GenerationSummary):
    broken = {d.profile: folder_of(small_estate, d.database_id) for d in small_estate.deliveries if d.profile in BROKEN}
    assert set(broken) == set(BROKEN)

    def main_file(folder: Path) -> Path:
        return folder / read_manifest(folder)["tables"][0]["file"]

    with pytest.raises(Exception):
        pq.read_table(main_file(broken["broken_truncated_parquet"]))
    with pytest.raises(yaml.YAMLError):
        read_manifest(broken["broken_manifest_yaml"])
    assert not main_file(broken["broken_missing_file"]).exists()
    not_xlsx = main_file(broken["broken_not_xlsx"])
    assert not_xlsx.suffix == ".xlsx" and not zipfile.is_zipfile(not_xlsx)
    first_line = main_file(broken["broken_bad_jsonl"]).read_text(encoding="utf-8").splitlines()[0]
    with pytest.raises(json.JSONDecodeError):
        json.loads(first_line)
    manifest = read_manifest(broken["broken_manifest_fields"])
    assert "extracted_at" not in manifest and manifest["tables"]


@pytest.mark.slow
def test_committed_sample_sources_are_reproducible(registry: Registry, tmp_path: Path):
    # sample_sources/ is generated, never edited by hand: regenerate it with `r57 generate` after a change.
    summary = generate_estate(registry, tmp_path / "sources")
    assert summary.bytes_written < 30_000_000
    committed = {k: v for k, v in _digests(SAMPLE_SOURCES_DIR).items() if k.split("/")[0] in registry.ministries}
    assert committed == _digests(summary.out_dir)
