"""The dbt project generated from dbt_like_sql/: one model per database and table, prepared once."""

from __future__ import annotations

from pathlib import Path

import yaml

from r57_pipelines import dbt_project
from r57_pipelines.dbt_project import generated_files, model_name, prepare


def test_each_database_gets_its_staging_models_tagged_and_in_its_own_schema(registry, project):
    files = generated_files(registry, project)
    assert files == generated_files(registry, project)  # deterministic: the same inputs, the same project
    population = yaml.safe_load(files["models/staging/population/_population.yml"])
    (citizen,) = population["models"]
    assert citizen["name"] == model_name("population", "citizen") == "population__citizen"
    assert citizen["config"]["schema"] == "stg_population" and citizen["config"]["alias"] == "citizen"
    assert citizen["config"]["tags"] == ["staging", "db_population"]
    assert population["sources"] == [{"name": "raw_population", "schema": "raw_population", "tables": [{"name": "citizen"}]}]
    tests = {next(iter(t)) if isinstance(t, dict) else t for c in citizen["columns"] for t in c.get("data_tests", [])}
    assert tests == {"not_null", "unique", "accepted_values"}
    staging = [rel for rel in files if rel.startswith("models/staging/") and rel.endswith(".sql")]
    assert len(staging) == 119  # the 9 templates over the 117 databases' contracts
    assert "{{ source('raw_population', 'citizen') }}" in files["models/staging/population/population__citizen.sql"]


def test_a_prepared_project_is_only_compared_never_written(registry, monkeypatch):
    prepare(registry)
    before = {p: p.stat().st_mtime_ns for p in (dbt_project.MANIFEST, dbt_project.GENERATED_DIR / dbt_project.STAMP)}

    def no_writes(*args, **kwargs):
        raise AssertionError("a prepared project was generated or parsed again")

    monkeypatch.setattr(dbt_project.subprocess, "run", no_writes)
    monkeypatch.setattr(dbt_project.shutil, "rmtree", no_writes)
    prepare(registry)  # a read-only checkout (a server's) loads the same way
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_dbt_is_given_absolute_paths_when_the_home_is_relative(tmp_path, monkeypatch):
    """dbt reads paths against the project folder: `r57 run --home h1` must still build into h1/warehouse.duckdb."""
    from r57_pipelines.defs.sql_models import _dbt
    from r57_pipelines.resources import warehouse_at

    monkeypatch.chdir(tmp_path)
    _, target = _dbt(warehouse_at(Path("h1")), Path("h1"))
    profile = (tmp_path / "h1" / "dbt" / "profiles.yml").read_text(encoding="utf-8")
    assert str(tmp_path / "h1" / "warehouse.duckdb") in profile
    assert str(tmp_path / "h1" / "tmp" / "duckdb") in profile
    assert target == tmp_path / "h1" / "dbt" / "target"
