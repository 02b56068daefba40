"""The SQL rules mean what the Python reference (rules.py) and the domain validators mean."""

from __future__ import annotations

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlglot import exp

from r57_pipelines.domain import identifiers as ids
from r57_pipelines.domain.text import normalise_text
from r57_pipelines.validation import onepass, rules


@pytest.fixture(scope="module")
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def _sql_values(con, build, values: list[str]) -> list:
    """Evaluate build(column) for every value in one query (row order kept)."""
    rows = exp.select(build(onepass.column("v", None)).as_("r")).from_(
        exp.Values(
            expressions=[exp.Tuple(expressions=[onepass.lit(i), onepass.lit(v)]) for i, v in enumerate(values)],
            alias=exp.TableAlias(this=exp.to_identifier("x"), columns=[exp.to_identifier("i"), exp.to_identifier("v")]),
        )
    ).order_by("i")
    return [r[0] for r in con.execute(rows.sql("duckdb")).fetchall()]


tax_codes = st.one_of(
    st.integers(0, 10**10 - 1).map(lambda n: f"{n:010d}"),
    st.builds(lambda seed, branch: ids.make_tax_code(seed, branch=branch), st.integers(0, 10**6), st.none() | st.integers(1, 999)),
    st.text(alphabet="0123456789-. ", min_size=8, max_size=15),
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(tax_codes, min_size=1, max_size=40))
def test_tax_code_sql_equals_domain(con, values):
    got = _sql_values(con, lambda c: onepass.expected_condition("expect_column_values_to_be_valid_vn_tax_code", {}, [c]), values)
    assert got == [ids.is_valid_tax_code(v) for v in values]
    assert got == [rules.is_valid_tax_code(v) for v in values]


texts = st.lists(
    st.sampled_from(list("aăâeêoôơuưđ AĐ\t\n\u00a0\u2003\u0301\u0303-") + ["Nguyễn", "n/a", "KHÔNG CÓ"]), max_size=12
).map("".join)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(texts, min_size=1, max_size=40))
def test_normalisation_sql_equals_python(con, values):
    assert _sql_values(con, onepass.normalise, values) == [normalise_text(v) for v in values]
    assert [rules.normalise(v) for v in values] == [normalise_text(v) for v in values]
    blank = _sql_values(con, lambda c: onepass.expected_condition("expect_column_values_to_not_be_blank", {}, [c]), values)
    assert blank == [normalise_text(v) != "" for v in values]


people = st.tuples(
    st.sampled_from(sorted(ids._domestic_ppp())[:5] + ["123"]),
    st.sampled_from(["Nam", "Nữ"]),
    st.integers(1890, 2210),
    st.integers(0, 5),
    st.integers(1, 12),
)


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(people, min_size=1, max_size=30))
def test_personal_id_agreement_sql_equals_domain(con, values):
    rows = [(f"{ppp}{g}{year % 100:02d}000001", sex, f"{year:04d}-{month:02d}-01") for ppp, sex, year, g, month in values]
    con.execute("CREATE OR REPLACE TEMP TABLE p (personal_id VARCHAR, sex VARCHAR, birth_date VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?, ?)", rows)
    cols = [onepass.column(c, None) for c in ("personal_id", "sex", "birth_date")]
    condition = onepass.expected_condition("expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year", {}, cols)
    got = [r[0] for r in con.execute(exp.select(condition).from_("p").sql("duckdb")).fetchall()]
    assert got == [ids.personal_id_agrees(p, s, int(b[:4])) for p, s, b in rows]
    assert got == [rules.personal_id_matches(p, s, b) for p, s, b in rows]


def test_phone_regex_is_libphonenumber_with_prefixes(con):
    values = ["0321234567", "+84 321 234 567", "84321234567", "032.123.4567", "0112345678", "03212345678", "321234567"]
    got = _sql_values(
        con,
        lambda c: onepass.expected_condition(
            "expect_column_stripped_values_to_match_regex",
            {"regex": rules.phone_regex(), "strip_regex": rules.PHONE_STRIP_REGEX},
            [c],
        ),
        values,
    )
    assert got == [True, True, True, True, False, False, False]
    assert ids.is_valid_vn_mobile("0321234567") and not ids.is_valid_vn_mobile("0112345678")


_CURRENT = sorted(rules.commune_provinces())
_OFFICIAL, _MERGED = set(rules.commune_codes()), set(rules.merged_codes())
_COMMUNE_CODES = st.one_of(
    st.sampled_from(_CURRENT), st.sampled_from(sorted(_MERGED)), st.sampled_from(["99999", "", "0004", " 00004"])
)
_COMMUNE_RULES = (
    "expect_column_values_to_be_official_commune_code",
    "expect_column_values_to_not_be_merged_commune_code",
    "expect_multicolumn_commune_to_be_in_province",
    "expect_multicolumn_address_to_name_commune",
)


@st.composite
def _commune_rows(draw):
    """(commune code, province code, address): addresses that name the coded commune or another, in several spellings."""
    code = draw(_COMMUNE_CODES)
    named = draw(st.sampled_from([code, draw(st.sampled_from(_CURRENT))]))
    name = rules.commune_names().get(named, "hồng hà")
    province = rules.commune_province_names().get(named, "hà nội")
    spelled = draw(st.sampled_from([str.title, str.upper, str, lambda s: s.replace(" ", "  ")]))
    address = draw(
        st.sampled_from(
            [f"Số 1, Phường {spelled(name)}, {spelled(province)}", f"xã {name}", f"{province} {name}", "n/a", "Hµ Néi"]
        )
    )
    province_code = draw(st.sampled_from([rules.commune_provinces().get(named, "01"), *rules.province_codes()[:3], "99"]))
    return code, province_code, address


# Few examples of many rows: each query folds several constant MAPs of up to 10,040 keys (about 0.1 s each).
@settings(max_examples=6, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(_commune_rows(), min_size=1, max_size=80))
def test_commune_rules_sql_equals_python(con, rows):
    """The four commune rules, as the one pass joins the list and as GX's metrics read it (constant MAPs),
    against the Python reference (rules.py)."""
    from r57_pipelines.validation.reference import ensure_reference_tables, inline_lookups, lookup_joins

    con.execute("CREATE OR REPLACE TEMP TABLE cr (i INTEGER, c VARCHAR, p VARCHAR, a VARCHAR)")
    con.executemany("INSERT INTO cr VALUES (?, ?, ?, ?)", [(i, *row) for i, row in enumerate(rows)])
    c, p, a = (onepass.column(n, None) for n in ("c", "p", "a"))
    columns = {_COMMUNE_RULES[0]: [c], _COMMUNE_RULES[1]: [c], _COMMUNE_RULES[2]: [c, p], _COMMUNE_RULES[3]: [a, c]}
    conditions = [onepass.expected_condition(kind, {}, cols) for kind, cols in columns.items()]
    joined = exp.select(*conditions).from_("cr").order_by("i")
    for join in lookup_joins(*conditions):
        joined = joined.join(join)
    ensure_reference_tables(con, joined)
    inlined = exp.select(*[inline_lookups(e) for e in conditions]).from_("cr").order_by("i")
    expected = [
        (
            code in _OFFICIAL,
            code not in _MERGED,
            rules.commune_in_province(code, province),
            rules.address_names_commune(address, code),
        )
        for code, province, address in rows
    ]
    assert [tuple(r) for r in con.execute(joined.sql("duckdb")).fetchall()] == expected
    assert [tuple(r) for r in con.execute(inlined.sql("duckdb")).fetchall()] == expected
    assert any(not all(e) for e in expected) or len(rows) < 5
