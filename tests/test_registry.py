"""The registry: all 117 databases load, and a broken entry fails loudly naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from r57_pipelines.paths import REGISTRY_DIR
from r57_pipelines.registry import PII_KINDS, RegistryError, load_registry


def test_registry_holds_the_12_key_and_105_resolution_71_databases(registry):
    assert len(registry.by_programme("plan02_key")) == 12
    assert len(registry.by_programme("r71")) == 105
    assert len(registry.databases) == 117


def test_every_database_has_owner_contract_and_personal_data_marked(registry):
    for db in registry.databases.values():
        assert db.ministry in registry.ministries
        assert db.name_vi and db.name_en and db.contract.tables
    citizen = registry.databases["population"].contract.table("citizen")
    assert {c.name for c in citizen.columns if c.kind in PII_KINDS} >= {"personal_id", "full_name", "birth_date"}


def test_no_registry_file_states_a_tier():
    text = "\n".join(p.read_text(encoding="utf-8") for p in REGISTRY_DIR.rglob("*.yaml") if "policy" not in p.name)
    for label in ("foundational", "not_started", "at_risk", "tier:"):
        assert label not in text


@pytest.fixture
def registry_copy(tmp_path: Path) -> Path:
    root = tmp_path / "assets"
    shutil.copytree(REGISTRY_DIR, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        # A typo in a field name is an unknown field, not a silently ignored one.
        ("databases/plan02_key.yaml", "    cadence: daily\n", "    cadance: daily\n", "databases[0].cadance"),
        ("databases/plan02_key.yaml", "cadence: daily", "cadence: hourly", "databases[0].cadence"),
        ("databases/plan02_key.yaml", "deadline: 2025-12-31", "deadline: soon", "databases[0].deadline"),
        ("databases/plan02_key.yaml", "contract: citizen_register", "contract: nope", "unknown contract template 'nope'"),
        ("databases/plan02_key.yaml", "ministry: MAE", "ministry: XYZ", "unknown ministry 'XYZ'"),
        ("databases/plan02_key.yaml", "id: land\n", "id: population\n", "'population' is already defined"),
        ("databases/plan02_key.yaml", "programme: plan02_key", "programme: [oops", "not valid YAML"),
        ("contracts.yaml", "primary_key: [personal_id]", "primary_key: [pid]", "templates.citizen_register"),
        ("contracts.yaml", "master_column: personal_id\n            agree: {full_name: full_name, birth",
         "master_column: nid\n            agree: {full_name: full_name, birth", "master table lacks columns ['nid']"),
        ("ministries.yaml", "{code: MOND,", "{code: MPS,", "'MPS' is listed twice"),
    ],
)
def test_broken_registry_names_file_and_field(registry_copy, file, old, new, message):
    _edit(registry_copy / file, old, new)
    with pytest.raises(RegistryError) as excinfo:
        load_registry(registry_copy)
    assert str(registry_copy / file.split("/")[0]) in str(excinfo.value) or file in str(excinfo.value)
    assert message in str(excinfo.value)
