"""The DuckDB macros in dbt_like_sql/macros: each on its edge cases, how dbt creates them, the static checks."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import duckdb
import pytest
import sqlglot
import sqlglot.expressions as exp
from sqlglot.errors import OptimizeError
from sqlglot.tokens import TokenType

from r57_pipelines import sql_models
from r57_pipelines.paths import REGISTRY_DIR, SQL_MODELS_DIR
from r57_pipelines.registry.loader import load_contract_templates
from r57_pipelines.dbt_project import generated_files, model_name
from tests.sql_models.conftest import build_compiled, create_macros

MACROS_DIR = SQL_MODELS_DIR / "macros"
MACRO_FILES = sorted(MACROS_DIR.glob("*.sql"))
NBSP, EM_SPACE, IDEOGRAPHIC_SPACE = "\u00a0", "\u2003", "\u3000"
NFD_NAME = unicodedata.normalize("NFD", f"  Nguyễn  Văn{NBSP}\tAn ")


@pytest.fixture
def macro_con(con, project):
    create_macros(con, project)
    return con


def call(con: duckdb.DuckDBPyConnection, expression: str, *args):
    return con.execute(f"select {expression}", list(args)).fetchone()[0]


def test_the_project_defines_the_macros_the_models_use(project):
    assert set(project.macros) == {
        "clean_text",
        "clean_identifier",
        "clean_value",
        "phone_digits",
        "sex_label",
        "pad_code",
        "national_phone",
        "parse_integer",
        "parse_amount",
        "match_key",
        "plate_key",
    }
    used = {
        f.this.lower()
        for model in project.models.values()
        for f in model.query.find_all(exp.Anonymous)
        if f.this.lower() in project.macros
    }
    assert used == set(project.macros), f"defined but never used: {set(project.macros) - used}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (unicodedata.normalize("NFC", NFD_NAME), "Nguyễn Văn An"),  # no-break space and tab collapse too
        (f"Công{EM_SPACE}ty\n\nSố 1", "Công ty Số 1"),
        ("", None),
        (f" {NBSP}\t{IDEOGRAPHIC_SPACE}", None),
        (None, None),
    ],
)
def test_clean_text(macro_con, value, expected):
    assert call(macro_con, "clean_text(?)", value) == expected


def test_clean_text_leaves_unicode_normalisation_to_nfc_normalize(macro_con):
    """NFC is its own step, written at the call (it applies to text and plates, not to ids)."""
    assert NFD_NAME != unicodedata.normalize("NFC", NFD_NAME)
    cleaned = call(macro_con, "clean_text(nfc_normalize(?))", NFD_NAME)
    assert cleaned == "Nguyễn Văn An" and unicodedata.is_normalized("NFC", cleaned)
    assert call(macro_con, "clean_text(?)", NFD_NAME) == unicodedata.normalize("NFD", "Nguyễn Văn An")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f" 001 234{NBSP}567\t890 ", "001234567890"),
        ("30A-123.45", "30A-123.45"),  # only whitespace goes
        ("", None),
        (f"{NBSP}{EM_SPACE}", None),
        (None, None),
    ],
)
def test_clean_identifier(macro_con, value, expected):
    assert call(macro_con, "clean_identifier(?)", value) == expected


def test_clean_identifier_on_a_decomposed_plate_after_nfc(macro_con):
    plate = unicodedata.normalize("NFD", " 30ế 12 ")  # not a real plate letter: only to show NFC happens first
    assert call(macro_con, "clean_identifier(nfc_normalize(?))", plate) == "30ế12"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(" 1990-01-02 ", "1990-01-02"), ("1 000", "1 000"), ("", None), ("   ", None), (None, None)],
)
def test_clean_value_only_trims(macro_con, value, expected):
    assert call(macro_con, "clean_value(?)", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("+84 912-345.678", "84912345678"), ("0243 826 1234", "02438261234"), ("n/a", None), ("", None), (None, None)],
)
def test_phone_digits(macro_con, value, expected):
    assert call(macro_con, "phone_digits(?)", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("84912345678", "0912345678"),
        ("0912345678", "0912345678"),
        ("849123456789", "849123456789"),  # 12 digits: not a vietnamese number in international form
        ("8491234567", "8491234567"),
        ("02438261234", "02438261234"),
        (None, None),
    ],
)
def test_national_phone(macro_con, value, expected):
    assert call(macro_con, "national_phone(?)", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Nam", "Nam"),
        ("m", "Nam"),
        ("MALE", "Nam"),
        ("Nữ", "Nữ"),
        ("NỮ", "Nữ"),
        ("nu", "Nữ"),
        ("F", "Nữ"),
        ("female", "Nữ"),
        ("x", None),
        ("", None),
        (None, None),
        (unicodedata.normalize("NFD", "nữ"), None),  # takes cleaned (NFC) text
    ],
)
def test_sex_label(macro_con, value, expected):
    assert call(macro_con, "sex_label(?)", value) == expected


@pytest.mark.parametrize(
    ("value", "width", "expected"),
    [
        ("7", 2, "07"),
        ("07", 2, "07"),
        ("79", 2, "79"),
        ("4", 5, "00004"),
        ("1234", 5, "01234"),
        ("26734", 5, "26734"),
        ("123456", 5, "123456"),  # too long: left for the checks
        ("A1", 2, "A1"),  # not all digits
        ("٣", 2, "٣"),  # a non-ASCII digit is not a code digit
        (None, 2, None),
    ],
)
def test_pad_code(macro_con, value, width, expected):
    assert call(macro_con, "pad_code(?, ?)", value, width) == expected
    assert call(macro_con, f"pad_code(?, {width})", value) == expected  # as the models call it


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        ("12.0", 12),
        ("+5", 5),
        ("-3", -3),
        ("12.5", None),  # not rounded (try_cast alone gives 13)
        ("1e3", None),
        ("1,5", None),
        ("99999999999", None),  # out of integer range
        ("x", None),
        (None, None),
    ],
)
def test_parse_integer(macro_con, value, expected):
    assert call(macro_con, "parse_integer(?)", value) == expected
    assert call(macro_con, "typeof(parse_integer(?))", value) == "INTEGER"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5", 12.5),
        ("1e3", 1000.0),
        ("-0.25", -0.25),
        ("nan", None),
        ("NaN", None),
        ("inf", None),
        ("-inf", None),
        ("1,5", None),
        (None, None),
    ],
)
def test_parse_amount(macro_con, value, expected):
    assert call(macro_con, "parse_amount(?)", value) == expected
    assert call(macro_con, "typeof(parse_amount(?))", value) == "DOUBLE"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Nguyễn Văn An", "nguyễn văn an"), ("TRẦN THỊ BÌNH", "trần thị bình"), (None, None)],
)
def test_match_key_keeps_diacritics(macro_con, value, expected):
    assert call(macro_con, "match_key(?)", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("30A-123.45", "30A12345"), ("30Đ-999.99", "30Đ99999"), ("-.", None), (None, None)]
)
def test_plate_key(macro_con, value, expected):
    assert call(macro_con, "plate_key(?)", value) == expected


# ---------------------------------------------------------------- how dbt creates them


def test_macros_live_in_main_and_are_recreated_idempotently(con, project):
    create_macros(con, project)
    create_macros(con, project)
    found = con.execute(
        "select function_name, schema_name from duckdb_functions() where function_type = 'macro' "
        "and function_name in (select unnest(?))",
        [list(project.macros)],
    ).fetchall()
    assert sorted(found) == sorted((name, "main") for name in project.macros)


def test_dbt_creates_the_macros_as_written_before_every_build(registry, project):
    hook = generated_files(registry, project)["macros/r57_create_duckdb_macros.sql"]
    assert all(macro.ddl in hook for macro in project.macros.values())
    assert "r57_create_duckdb_macros()" in (SQL_MODELS_DIR / "dbt_project.yml").read_text(encoding="utf-8")


def test_views_in_other_schemas_find_the_macros_from_any_connection(tmp_path, compiled, project, database_per_template):
    """Why `main`: a view binds its macros when read; a fresh connection (or another catalog name) finds them."""
    database = database_per_template["citizen_register"]
    table = database.contract.table("citizen")
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        schema = f"raw_{database.id}"
        con.execute(f'create schema "{schema}"')
        con.execute(f'create table "{schema}".citizen ({", ".join(f"{c.name} varchar" for c in table.columns)})')
        con.execute(f"insert into \"{schema}\".citizen (full_name, phone) values ('  Lê  Đức ', '84912345678')")
        # dbt compiled for the catalog "memory": this file's catalog is "warehouse"
        node = dict(compiled[model_name(database.id, "citizen")])
        node["compiled_code"] = node["compiled_code"].replace('"memory".', '"warehouse".')
        build_compiled(con, [node], project)
    with duckdb.connect(str(path), read_only=True) as fresh:
        assert fresh.execute(f'select full_name, phone from "stg_{database.id}".citizen').fetchall() == [
            ("Lê Đức", "0912345678")
        ]
    with duckdb.connect() as other:
        other.execute(f"attach '{path}' as elsewhere (read_only)")
        assert other.execute(f'select full_name_key from elsewhere."stg_{database.id}".citizen').fetchall() == [
            ("lê đức",)
        ]


def write_project(root: Path, macros: str, model: str, name: str = "stg_t") -> Path:
    (root / "macros").mkdir(parents=True, exist_ok=True)
    (root / "macros" / "m.sql").write_text(macros, encoding="utf-8")
    staging = root / "models" / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    (staging / f"{name}.sql").write_text(model, encoding="utf-8")
    (staging / "schema.yml").write_text(f"models:\n  - {{name: {name}, description: x, grain: x}}\n", encoding="utf-8")
    return root / "models"


# ---------------------------------------------------------------- static checks


def test_a_misspelt_column_inside_a_macro_call_fails_qualification(tmp_path, project):
    shutil.copytree(MACROS_DIR, tmp_path / "macros")
    staging = tmp_path / "models" / "staging"
    staging.mkdir(parents=True)
    shutil.copy(SQL_MODELS_DIR / "models" / "staging" / "stg_citizen.yml", staging)
    sql = (SQL_MODELS_DIR / "models" / "staging" / "stg_citizen.sql").read_text(encoding="utf-8")
    assert "clean_identifier(personal_id)" in sql
    misspelt = sql.replace("clean_identifier(personal_id)", "clean_identifier(personal_idd)")
    (staging / "stg_citizen.sql").write_text(misspelt, encoding="utf-8")
    broken = sql_models.load_project(tmp_path / "models")
    assert broken.macros.keys() == project.macros.keys()
    templates = load_contract_templates(REGISTRY_DIR / "contracts.yaml")
    with pytest.raises(OptimizeError, match="personal_idd"):
        sql_models.qualify_models(broken.models.values(), sql_models.contract_schema(templates["citizen_register"]))


def test_inlining_replaces_every_call_with_the_body(project):
    for model in project.models.values():
        names = {f.this.lower() for f in model.inlined.find_all(exp.Anonymous)}
        assert not names & set(project.macros), model.name
    macros = {"twice": sql_models.Macro("twice", ("x",), sqlglot.parse_one("x * 2"), "x * 2", Path("m.sql"))}
    inlined = sql_models.inline_macros(sqlglot.parse_one("select twice(a + 1) + 1, twice(twice(b)) from t"), macros)
    assert inlined.sql() == "SELECT ((a + 1) * 2) + 1, ((b * 2) * 2) FROM t"


def test_every_function_the_models_call_exists_in_duckdb_or_is_a_macro(con, project):
    """sqlglot takes any unknown name for a function; a misspelt macro name would only fail at run time."""
    builtins = {row[0] for row in con.execute("select distinct function_name from duckdb_functions()").fetchall()}
    assert not builtins & set(project.macros), "a macro would shadow a DuckDB function"
    bodies = [m.body for m in project.macros.values()]
    for node in [*(m.query for m in project.models.values()), *bodies]:
        for function in node.find_all(exp.Anonymous):
            assert function.this.lower() in builtins | set(project.macros), function.sql(dialect="duckdb")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("create macro f(x) as x;", "create or replace macro"),
        ("create or replace temp macro f(x) as x;", "create or replace macro"),
        ("create or replace view v as select 1;", "create or replace macro"),
        ("create or replace macro main.f(x) as x;", "no schema"),
        ("create or replace macro f(x) as x + y;", "y, which is not one of its parameters"),
        ("create or replace macro f(x) as table select x;", "scalar macros only"),
        ("create or replace macro f(x) as (select max(a) from raw.t);", "scalar macros only"),
        ("create or replace macro f(x integer) as x;", "plain names"),
        ("create or replace macro upper(x) as x;", "built-in"),
        ("create or replace macro pad(x) as x;", "built-in"),
        ("create or replace macro f(x) as x;\ncreate or replace macro F(y) as y;", "also defined"),
    ],
)
def test_bad_macros_fail_clearly(tmp_path, text, problem):
    models = write_project(tmp_path, text, "with t as (select * from raw.t) select * from t")
    with pytest.raises(sql_models.ModelError, match=re.escape(problem)):
        sql_models.load_project(models)


def test_a_call_with_the_wrong_number_of_arguments_fails_at_load(tmp_path):
    models = write_project(
        tmp_path,
        "create or replace macro zero_pad(x, width) as lpad(x, width, '0');",
        "with t as (select * from raw.t), final as (select zero_pad(id) as id from t) select * from final",
    )
    with pytest.raises(sql_models.ModelError, match="takes 2 argument"):
        sql_models.load_project(models)


def test_no_macros_folder_means_no_macros(tmp_path):
    models = write_project(tmp_path, "", "with t as (select * from raw.t) select * from t")
    shutil.rmtree(tmp_path / "macros")
    assert sql_models.load_project(models).macros == {}


@pytest.mark.parametrize("path", MACRO_FILES, ids=lambda p: p.stem)
def test_style_every_macro_says_why_in_lower_case_nfc(path):
    text = path.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text), f"{path.name}: not NFC (string literals would not match)"
    tokens = sqlglot.tokenize(text, read="duckdb")
    for token in tokens:
        if token.token_type not in (TokenType.STRING, TokenType.NATIONAL_STRING):
            source = text[token.start : token.end + 1]
            assert source == source.lower(), f"{path.name}:{token.line}: {source!r} is not lower case"
    starts = [t for t in tokens if t.token_type == TokenType.CREATE]
    assert starts, f"{path.name}: no macros"
    for token in starts:
        assert token.comments, f"{path.name}:{token.line}: say in a comment above the macro why it exists"
