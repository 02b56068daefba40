"""The run order comes from the SQL (sqlglot), cycles and bad references fail clearly, dbt reads source() and ref()."""

from __future__ import annotations

from pathlib import Path

import pytest

from r57_pipelines import sql_models
from r57_pipelines.dbt_project import dbt_sql, model_yaml
from r57_pipelines.registry import Contract


def write_models(root: Path, models: dict[str, str]) -> Path:
    """models: {"staging/stg_a": "<sql>"}; each folder gets a schema.yml describing its models."""
    folders: dict[Path, list[str]] = {}
    for name, sql in models.items():
        path = root / "models" / f"{name}.sql"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql, encoding="utf-8")
        folders.setdefault(path.parent, []).append(path.stem)
    for folder, names in folders.items():
        entries = "".join(f"  - {{name: {n}, description: test model, grain: one row per row}}\n" for n in names)
        (folder / "schema.yml").write_text("models:\n" + entries, encoding="utf-8")
    return root / "models"


def contract(*tables: tuple[str, list[str]]) -> Contract:
    return Contract.model_validate(
        {"tables": [{"name": t, "primary_key": [], "columns": [{"name": c} for c in cols]} for t, cols in tables]}
    )


def test_a_model_runs_after_the_model_it_reads(tmp_path):
    # Alphabetical order would run stg_alpha first; it reads stg.zeta, so stg_zeta must run first.
    models = write_models(
        tmp_path,
        {
            "staging/stg_alpha": "with zeta as (select * from stg.zeta), final as (select id from zeta) "
            "select * from final",
            "staging/stg_zeta": "with t as (select * from raw.t), final as (select id from t) select * from final",
            "marts/m_two": "with one as (select * from marts.m_one) select * from one",
            "marts/m_one": "with d as (select * from r57.deliveries) select * from d",
        },
    )
    project = sql_models.load_project(models)
    order = list(project.models)
    assert order.index("stg_zeta") < order.index("stg_alpha")
    assert order.index("m_one") < order.index("m_two")
    assert project.models["stg_alpha"].depends_on == {"stg_zeta"}
    assert project.models["stg_zeta"].raw_tables == {"t"}


def test_a_cycle_fails_naming_the_models(tmp_path):
    models = write_models(
        tmp_path,
        {
            "staging/stg_a": "with b as (select * from stg.b) select * from b",
            "staging/stg_b": "with c as (select * from stg.c) select * from c",
            "staging/stg_c": "with a as (select * from stg.a) select * from a",
        },
    )
    with pytest.raises(sql_models.ModelError, match="cycle") as info:
        sql_models.load_project(models)
    assert all(name in str(info.value) for name in ("stg_a", "stg_b", "stg_c"))


@pytest.mark.parametrize(
    ("name", "sql", "problem"),
    [
        ("staging/stg_a", "select * from stg.nowhere", "no model builds"),
        ("staging/stg_a", "select * from marts.ministry_deliveries", "staging models may read only"),
        ("marts/m", "select * from raw.citizen", "marts models may read only"),
        ("staging/stg_a", "select * from citizen", "without a schema"),
        ("staging/stg_a", "select * from read_csv('x.csv')", "table function"),
        ("staging/stg_a", "create table x as select 1", "exactly one SELECT"),
        ("staging/stg_a", "select 1; select 2", "exactly one SELECT"),
        ("staging/a", "select 1", "named stg_<table>"),
        ("elsewhere/stg_a", "select 1", "must sit under"),
    ],
)
def test_bad_models_fail_clearly(tmp_path, name, sql, problem):
    models = write_models(tmp_path, {name: sql})
    with pytest.raises(sql_models.ModelError, match=problem):
        sql_models.load_project(models)


def test_a_model_without_yaml_fails(tmp_path):
    models = write_models(tmp_path, {"staging/stg_a": "select 1 as x"})
    (models / "staging" / "schema.yml").write_text("models: []\n")
    with pytest.raises(sql_models.ModelError, match="no YAML entry"):
        sql_models.load_project(models)


def test_yaml_materialization_overrides_the_folder(tmp_path):
    models = write_models(tmp_path, {"staging/stg_a": "with t as (select * from raw.t) select * from t"})
    (models / "staging" / "schema.yml").write_text(
        "models:\n  - {name: stg_a, grain: x, config: {materialized: table}}\n"
    )
    model = sql_models.load_project(models).models["stg_a"]
    assert model.materialized == "table"
    assert model_yaml(model, "db1__a", {})["config"]["materialized"] == "table"  # what dbt is told


def test_dbt_models_read_sources_and_refs_and_nothing_else_changes(tmp_path):
    models = write_models(
        tmp_path,
        {
            "staging/stg_a": "with t as (select * from raw.t), final as (select 'raw.t' as note, 'stg' as raw "
            "from t) select * from final",
        },
    )
    model = sql_models.load_project(models).models["stg_a"]
    sql = dbt_sql(model, "population")
    assert "from {{ source('raw_population', 't') }}" in sql
    assert "'raw.t' as note" in sql and "'stg' as raw" in sql  # literals and aliases untouched


def test_only_models_whose_raw_tables_are_in_the_contract_run(tmp_path):
    models = write_models(
        tmp_path,
        {
            "staging/stg_one": "with t1 as (select * from raw.t1) select * from t1",
            "staging/stg_both": "with t1 as (select * from raw.t1), t2 as (select * from raw.t2) "
            "select * from t1 cross join t2",
            "staging/stg_after_both": "with b as (select * from stg.both) select * from b",
        },
    )
    project = sql_models.load_project(models)
    names = lambda c: [m.name for m in sql_models.staging_models_for(c, project)]  # noqa: E731
    assert names(contract(("t1", ["a"]))) == ["stg_one"]
    assert set(names(contract(("t1", ["a"]), ("t2", ["b"])))) == {"stg_one", "stg_both", "stg_after_both"}
    assert names(contract(("t3", ["a"]))) == []
