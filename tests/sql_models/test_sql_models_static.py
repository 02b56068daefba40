"""Every model parses, qualifies against the contracts (so a misspelt column fails), and follows the style."""

from __future__ import annotations

import shutil
import unicodedata

import pytest
import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import OptimizeError
from sqlglot.tokens import TokenType

from r57_pipelines import sql_models
from r57_pipelines.paths import PROJECT_ROOT, REGISTRY_DIR, SQL_MODELS_DIR
from r57_pipelines.registry.loader import load_contract_templates

MODELS_DIR = SQL_MODELS_DIR / "models"
TEMPLATES = load_contract_templates(REGISTRY_DIR / "contracts.yaml")
WAREHOUSE_SCHEMA = (PROJECT_ROOT / "r57_pipelines" / "warehouse" / "schema.sql").read_text(encoding="utf-8")
MODEL_FILES = sorted(MODELS_DIR.rglob("*.sql"))
# sqlglot's inferred type of a staging column, for each contract type (varchar may stay unknown to sqlglot:
# regexp_replace has no declared return type; the DuckDB tests check the real types).
SQLGLOT_TYPES = {
    "varchar": {"TEXT", "UNKNOWN"},
    "integer": {"INT"},
    "bigint": {"BIGINT"},
    "double": {"DOUBLE"},
    "date": {"DATE"},
    "timestamp": {"TIMESTAMPTZ"},
    "boolean": {"BOOLEAN"},
}

KNOWN_DATA_TESTS = {"not_null", "unique", "accepted_values", "unique_combination_of_columns"}  # dbt's, and dbt_tests/generic


def test_the_project_loads_with_a_staging_model_per_contract_table(project):
    tables = {t.name for contract in TEMPLATES.values() for t in contract.tables}
    assert {m.name for m in project.layer("stg")} == {f"stg_{t}" for t in tables}
    assert {m.name for m in project.layer("marts")} >= {"ministry_deliveries"}
    assert all(m.materialized == "view" for m in project.layer("stg"))
    assert all(m.materialized == "table" for m in project.layer("marts"))


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_every_model_parses_as_one_select(path):
    statements = sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb")
    assert len(statements) == 1 and isinstance(statements[0], exp.Query)


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_staging_models_qualify_against_each_contract(project, template):
    contract = TEMPLATES[template]
    models = sql_models.staging_models_for(contract, project)
    assert {m.name for m in models} == {f"stg_{t.name}" for t in contract.tables}
    qualified = sql_models.qualify_models(models, sql_models.contract_schema(contract))
    for table in contract.tables:
        columns = qualified[f"stg_{table.name}"].columns
        for column in table.columns:  # every contract column comes out, with the contract's type
            assert column.name in columns, f"stg_{table.name} drops {column.name}"
            assert columns[column.name] in SQLGLOT_TYPES[column.type], (table.name, column.name, columns[column.name])


def test_staging_models_qualify_for_every_registered_contract(registry, project):
    """Inline contracts too: each distinct contract gets its staging models qualified."""
    seen = set()
    for database in registry.databases.values():
        key = database.contract.model_dump_json()
        if key in seen:
            continue
        seen.add(key)
        models = sql_models.staging_models_for(database.contract, project)
        assert {m.name for m in models} == {f"stg_{t.name}" for t in database.contract.tables}, database.id
        sql_models.qualify_models(models, sql_models.contract_schema(database.contract))


def test_marts_qualify_against_r57_tables(project):
    marts = [m for m in project.models.values() if not m.layer.per_database]
    qualified = sql_models.qualify_models(marts, sql_models.ddl_schema(WAREHOUSE_SCHEMA))
    assert "ministry" in qualified["ministry_deliveries"].columns


def test_a_misspelt_column_fails_qualification(tmp_path, project):
    staging = tmp_path / "models" / "staging"
    staging.mkdir(parents=True)
    shutil.copy(MODELS_DIR / "staging" / "stg_citizen.yml", staging)
    sql = (MODELS_DIR / "staging" / "stg_citizen.sql").read_text(encoding="utf-8")
    assert "nfc_normalize(full_name)" in sql
    (staging / "stg_citizen.sql").write_text(sql.replace("nfc_normalize(full_name)", "nfc_normalize(fullname)"))
    broken = sql_models.load_project(tmp_path / "models")
    with pytest.raises(OptimizeError, match="fullname"):
        sql_models.qualify_models(broken.models.values(), sql_models.contract_schema(TEMPLATES["citizen_register"]))


def _output_columns(project, model):
    if model.layer.per_database:
        contract = next(c for c in TEMPLATES.values() if model.raw_tables <= {t.name for t in c.tables})
        models = sql_models.staging_models_for(contract, project)
        return sql_models.qualify_models(models, sql_models.contract_schema(contract))[model.name].columns
    marts = [m for m in project.models.values() if not m.layer.per_database]
    return sql_models.qualify_models(marts, sql_models.ddl_schema(WAREHOUSE_SCHEMA))[model.name].columns


@pytest.mark.parametrize("name", sorted(p.stem for p in MODEL_FILES))
def test_yaml_states_grain_and_documents_exactly_the_output_columns(project, name):
    model = project.models[name]
    assert model.spec.get("description"), f"{name}: YAML needs a description"
    assert model.spec.get("grain"), f"{name}: YAML needs a grain"
    documented = [c["name"] for c in model.spec.get("columns") or []]
    assert documented == list(_output_columns(project, model))
    stated = [t if isinstance(t, str) else next(iter(t)) for c in model.spec.get("columns") or [] for t in c.get("data_tests") or []]
    stated += [next(iter(t)) if isinstance(t, dict) else t for t in model.spec.get("data_tests") or []]
    assert set(stated) <= KNOWN_DATA_TESTS, f"{name}: tests dbt does not have here"


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_style_lowercase_sql_nfc_text(path):
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text), f"{path.name}: not NFC (string literals would not match)"
    for token in sqlglot.tokenize(text, read="duckdb"):
        if token.token_type not in (TokenType.STRING, TokenType.NATIONAL_STRING):
            source = text[token.start : token.end + 1]  # token.text upper-cases multi-word keywords
            assert source == source.lower(), f"{path.name}:{token.line}: {source!r} is not lower case"


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: p.stem)
def test_style_import_ctes_first_and_select_star_from_final(path):
    query = sqlglot.parse_one(path.read_text(encoding="utf-8"), read="duckdb")
    assert query.sql(dialect="duckdb").endswith("SELECT * FROM final"), f"{path.name}: end with select * from final"
    assert isinstance(query, exp.Select) and query.args.get("with_")
    ctes = query.args["with_"].expressions
    assert ctes[-1].alias == "final"

    def is_import(cte: exp.CTE) -> bool:
        body = cte.this
        return (
            isinstance(body, exp.Select)
            and body.is_star
            and isinstance(body.args.get("from_").this, exp.Table)
            and bool(body.args["from_"].this.db)
            and not body.args.get("joins")
            and not body.args.get("where")
        )

    flags = [is_import(c) for c in ctes]
    assert flags[0], f"{path.name}: first CTE must import a relation (select * from <schema>.<table>)"
    assert flags == sorted(flags, reverse=True), f"{path.name}: import CTEs come first, then one CTE per step"
    for cte in ctes:  # relations are read only in the import CTEs
        if not is_import(cte):
            assert not [t for t in cte.find_all(exp.Table) if t.db], f"{path.name}: {cte.alias} reads a relation"
