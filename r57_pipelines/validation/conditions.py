"""Row conditions: the predicate a row must satisfy for each row-level expectation (GX: the condition partial).

``expected_condition(kind, kwargs, cols)`` is what GX's ``column_condition_partial`` /
``column_pair_condition_partial`` / ``multicolumn_condition_partial`` say in SQLAlchemy, here in sqlglot, for
GX Core's map expectations and r57's own (written only here: ``gx.custom_expectations`` hands these same
conditions to GX). ``row_filter`` is which rows are judged at all (GX: NULLs skipped for column maps, ``ignore_row_if`` for pair and multicolumn maps).

Expectations GX runs only on pandas/Spark (``_to_match_strftime_format``, ``_to_be_increasing``,
``_to_be_json_parseable`` ...) are written with the pandas implementation's meaning; the differential tests
compare them with GX's pandas engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlglot import exp

from r57_pipelines.validation import rules
from r57_pipelines.validation.reference import commune_attribute, is_commune
from r57_pipelines.validation.registry import FAMILY
from r57_pipelines.validation.sqlbuild import (
    and_,
    fn,
    in_list,
    is_null,
    lit,
    matches,
    nfc,
    normalise,
    normalise_key,
    not_,
    not_null,
    or_,
    paren,
    parsed,
    bound,
    replace_all,
    struct,
    substr,
    table_ref,
    try_cast,
    type_name_is_text,
    column,
    text,
)

Condition = Callable[[Mapping[str, Any], Sequence[exp.Expression]], exp.Expression]


# --------------------------------------------------------------------------------------------------
# GX Core column maps
# --------------------------------------------------------------------------------------------------


def between(
    value: exp.Expression,
    kwargs: Mapping[str, Any],
    low: str = "min_value",
    high: str = "max_value",
    *,
    ordered: bool = True,
) -> exp.Expression:
    """GX's bounds: inclusive unless ``strict_min`` / ``strict_max``; a missing bound is open.

    ``ordered``: refuse ``min > max`` (GX's ``column_values.between`` raises; value lengths do not check,
    so there every value is unexpected)."""
    lo, hi = kwargs.get(low), kwargs.get(high)
    if lo is None and hi is None:
        raise ValueError(f"{low} and {high} cannot both be None")
    if ordered and lo is not None and hi is not None and _comparable(lo, hi) and lo > hi:
        raise ValueError(f"{low} cannot be greater than {high}")
    parts = []
    if lo is not None:
        parts.append((exp.GT if kwargs.get("strict_min") else exp.GTE)(this=value, expression=lit(lo)))
    if hi is not None:
        parts.append((exp.LT if kwargs.get("strict_max") else exp.LTE)(this=value, expression=lit(hi)))
    return and_(*parts)


def _comparable(a: Any, b: Any) -> bool:
    try:
        a < b  # noqa: B015
    except TypeError:
        return False
    return True


def _any_or_all(parts: list[exp.Expression], match_on: str) -> exp.Expression:
    if match_on not in ("any", "all"):
        raise ValueError(f"match_on must be 'any' or 'all', got {match_on!r}")
    if not parts:
        raise ValueError("the list of patterns is empty")
    return or_(*parts) if match_on == "any" else and_(*parts)


def _strftime(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # GX (pandas): datetime.strptime(value, format) succeeds (functions.py; DuckDB's strptime skips spaces
    # and reads 'Infinity', Python does neither). A format that cannot round-trip is refused, as GX does.
    strftime_format = kwargs["strftime_format"]
    try:
        dt.datetime.strptime(dt.datetime.now().strftime(strftime_format), strftime_format)
    except ValueError as error:
        raise ValueError(f"Unable to use provided strftime_format. {error}") from None
    return fn("r57_strptime_ok", text(cols[0]), lit(strftime_format))


def _json_parseable(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # GX (pandas): json.loads(value) succeeds (functions.py); it takes only text, so a number or date is never JSON.
    is_text = type_name_is_text(cols[0])
    return and_(is_text, fn("r57_json_parseable", text(cols[0])))


def _dateutil_parseable(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # dateutil's parser has no SQL equivalent: a DuckDB Python function with dateutil itself (udf.py).
    return fn("r57_dateutil_parseable", text(cols[0]))


def _pair_in_set(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    a, b = cols
    pairs = kwargs["value_pairs_set"]
    if not pairs:
        return exp.false()
    return or_(*[and_(exp.EQ(this=a, expression=lit(x)), exp.EQ(this=b, expression=lit(y))) for x, y in pairs])


def _sum_equals(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    total: exp.Expression = paren(cols[0])
    for c in cols[1:]:
        total = exp.Add(this=total, expression=paren(c))
    return exp.EQ(this=total, expression=lit(kwargs["sum_total"]))


def _unique_within_record(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # GX (SQL): no two of the row's values are equal, two NULLs counting as equal.
    same = [or_(exp.EQ(this=a, expression=b), and_(is_null(a), is_null(b))) for i, a in enumerate(cols) for b in cols[i + 1 :]]
    return not_(or_(*same))


def _pair_equal(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # GX (SQL): equal and neither missing, so a row with one NULL is unexpected.
    a, b = cols
    return and_(exp.EQ(this=a, expression=b), not_(or_(is_null(a), is_null(b))))


def _greater(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    a, b = cols
    if kwargs.get("or_equal"):
        return or_(exp.GTE(this=a, expression=b), and_(is_null(a), is_null(b)))
    return exp.GT(this=a, expression=b)


def _in_set(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # GX: no value_set is vacuously true; None entries are dropped; an empty set expects nothing.
    if kwargs.get("value_set") is None:
        return exp.true()
    values = [v for v in kwargs["value_set"] if v is not None]
    return in_list(cols[0], values) if values else exp.false()


def _not_in_set(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # GX: NOT IN over the whole set, NULL included (then only the listed values are unexpected).
    if kwargs.get("value_set") is None:
        raise TypeError("value_set is required (GX: none is not an allowed value)")
    if not kwargs["value_set"]:
        return exp.true()
    return not_(in_list(cols[0], kwargs["value_set"]))


def _like(c: exp.Expression, pattern: str, kwargs: Mapping[str, Any]) -> exp.Expression:
    like = exp.Like(this=text(c), expression=lit(pattern))
    if kwargs.get("escape"):
        return exp.Escape(this=like, expression=lit(kwargs["escape"]))
    return like


GX_CORE: dict[str, Condition] = {
    "expect_column_values_to_not_be_null": lambda k, c: not_null(c[0]),
    "expect_column_values_to_be_null": lambda k, c: is_null(c[0]),
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_not_be_in_set": _not_in_set,
    "expect_column_values_to_be_between": lambda k, c: between(c[0], k),
    "expect_column_value_lengths_to_be_between": lambda k, c: between(fn("length", c[0]), k, ordered=False),
    "expect_column_value_lengths_to_equal": lambda k, c: exp.EQ(this=fn("length", c[0]), expression=lit(k["value"])),
    # GX's default regex matches anything.
    "expect_column_values_to_match_regex": lambda k, c: matches(text(c[0]), k.get("regex", "(?s).*")),
    "expect_column_values_to_not_match_regex": lambda k, c: not_(matches(text(c[0]), k.get("regex", "(?s).*"))),
    "expect_column_values_to_match_regex_list": lambda k, c: _any_or_all(
        [matches(text(c[0]), r) for r in k["regex_list"]], k.get("match_on", "any")
    ),
    "expect_column_values_to_not_match_regex_list": lambda k, c: and_(
        *[not_(matches(text(c[0]), r)) for r in k["regex_list"]]
    ),
    "expect_column_values_to_match_like_pattern": lambda k, c: _like(c[0], k["like_pattern"], k),
    "expect_column_values_to_not_match_like_pattern": lambda k, c: not_(_like(c[0], k["like_pattern"], k)),
    "expect_column_values_to_match_like_pattern_list": lambda k, c: _any_or_all(
        [_like(c[0], p, k) for p in k["like_pattern_list"]], k.get("match_on") or "any"
    ),
    "expect_column_values_to_not_match_like_pattern_list": lambda k, c: and_(
        *[not_(_like(c[0], p, k)) for p in k["like_pattern_list"]]
    ),
    "expect_column_values_to_match_strftime_format": _strftime,
    "expect_column_values_to_be_json_parseable": _json_parseable,
    "expect_column_values_to_be_dateutil_parseable": _dateutil_parseable,
    "expect_column_pair_values_a_to_be_greater_than_b": _greater,
    "expect_column_pair_values_to_be_equal": _pair_equal,
    "expect_column_pair_values_to_be_in_set": _pair_in_set,
    "expect_multicolumn_sum_to_equal": _sum_equals,
    "expect_select_column_values_to_be_unique_within_record": _unique_within_record,
}


# --------------------------------------------------------------------------------------------------
# r57's own (gx/custom_expectations.py gives GX these same conditions)
# --------------------------------------------------------------------------------------------------


def _tax_code_valid(c: exp.Expression) -> exp.Expression:
    t = text(c)
    digits = [try_cast(substr(t, i + 1, 1), "INTEGER") for i in range(10)]
    weighted: exp.Expression = lit(0)
    for w, d in zip(rules.TAX_CODE_WEIGHTS, digits):
        weighted = exp.Add(this=weighted, expression=exp.Mul(this=lit(w), expression=d))
    check = exp.Sub(this=lit(10), expression=paren(exp.Mod(this=paren(weighted), expression=lit(11))))
    well_formed = and_(
        matches(t, rules.TAX_CODE_FULL_REGEX),
        exp.NEQ(this=substr(t, 3, 7), expression=lit("0000000")),
        exp.NEQ(this=exp.Coalesce(this=substr(t, 12, 3), expressions=[lit("")]), expression=lit("000")),
    )
    # The last digit is 0-9, so it never equals a check value of 10 ("no valid code"): no separate test.
    return exp.Case().when(well_formed, exp.EQ(this=digits[9], expression=check)).else_(exp.false())


def _personal_id_agrees(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    pid, sex, birth = cols
    male, female = kwargs.get("male_value", rules.SEX_VALUES[0]), kwargs.get("female_value", rules.SEX_VALUES[1])
    p, b = text(pid), text(birth)
    sex_n = normalise(sex)
    born = parsed(birth, "date")
    judged = and_(matches(p, rules.PERSONAL_ID_FULL_REGEX), in_list(sex_n, [male, female]), not_null(born))
    # A parsed date's year is the text's 4 digits (ISO first, as in parsed()).
    year = exp.Case().when(matches(b, rules.DATE_ISO_REGEX), substr(b, 1, 4)).else_(substr(b, 7, 4))
    base = exp.Case(this=substr(year, 1, 2))
    for century, digit in (("19", 0), ("20", 2), ("21", 4)):
        base = base.when(lit(century), lit(digit))
    is_female = exp.Case().when(exp.EQ(this=sex_n, expression=lit(female)), lit(1)).else_(lit(0))
    expected = exp.Add(this=base, expression=is_female)
    agrees = and_(
        exp.EQ(this=try_cast(substr(p, 4, 1), "INTEGER"), expression=expected),
        exp.EQ(this=substr(p, 5, 2), expression=substr(year, 3, 2)),
    )
    return or_(not_(judged), exp.Coalesce(this=agrees, expressions=[exp.false()]))


def _commune_in_province(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # Judged when both codes are current (other codes are the in_official_list / current_province findings).
    commune, province = cols
    lookup = commune_attribute(commune, "province")
    judged = and_(not_null(lookup), in_list(province, rules.province_codes()))
    return or_(not_(judged), exp.EQ(this=lookup, expression=text(province)))


def _address_names_commune(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    # Judged for a current commune and an address that is neither a placeholder nor mojibake (rules.address_judged).
    address, commune = cols
    key = normalise_key(address)
    name, province = commune_attribute(commune, "name"), commune_attribute(commune, "province_name")
    readable = and_(
        not_(in_list(key, rules.placeholder_values())),
        not_(matches(nfc(text(address)), rules.MOJIBAKE)),
    )
    names = and_(fn("contains", key, name), fn("contains", key, province))
    return or_(not_(and_(not_null(name), readable)), names)


def master_keys(kwargs: Mapping[str, Any], key: str) -> exp.Select:
    other = table_ref(kwargs["other_schema"], kwargs["other_table"], alias=None)
    return exp.select(column(kwargs[key], None)).from_(other).where(not_null(column(kwargs[key], None)))


def _master_agrees(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    key, value = cols
    other = table_ref(kwargs["other_schema"], kwargs["other_table"], alias=None)
    okey, ocol = column(kwargs["other_key"], None), column(kwargs["other_column"], None)
    pairs = exp.select(okey, normalise_key(ocol)).from_(other).where(and_(not_null(okey), not_null(ocol)))
    known = exp.In(this=key, query=master_keys(kwargs, "other_key").subquery())
    agrees = exp.In(this=exp.Tuple(expressions=[key, normalise_key(value)]), query=pairs.subquery())
    return or_(not_(known), agrees)


def _parsed_between(kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    value = parsed(cols[0], kwargs["as_type"])
    within = []
    if kwargs.get("min_value") is not None:
        within.append(exp.GTE(this=value, expression=bound(kwargs["min_value"], kwargs["as_type"])))
    if kwargs.get("max_value") is not None:
        within.append(exp.LTE(this=value, expression=bound(kwargs["max_value"], kwargs["as_type"])))
    return or_(is_null(value), and_(exp.true(), *within))


R57: dict[str, Condition] = {
    "expect_column_values_to_not_be_blank": lambda k, c: and_(not_null(c[0]), not_(matches(text(c[0]), rules.BLANK_REGEX))),
    "expect_column_values_to_be_valid_vn_tax_code": lambda k, c: _tax_code_valid(c[0]),
    "expect_column_values_to_be_parseable": lambda k, c: not_null(parsed(c[0], k["as_type"])),
    "expect_column_parsed_values_to_be_between": _parsed_between,
    "expect_column_values_to_be_nfc": lambda k, c: exp.EQ(this=nfc(text(c[0])), expression=text(c[0])),
    "expect_column_nfc_values_to_not_match_regex": lambda k, c: not_(matches(nfc(text(c[0])), k["regex"])),
    "expect_column_stripped_values_to_match_regex": lambda k, c: matches(
        replace_all(text(c[0]), k["strip_regex"], ""), k["regex"]
    ),
    "expect_column_values_to_not_be_placeholder": lambda k, c: not_(in_list(normalise_key(c[0]), k["value_set"])),
    "expect_column_values_to_be_official_commune_code": lambda k, c: is_commune(c[0]),
    "expect_column_values_to_not_be_merged_commune_code": lambda k, c: not_(is_commune(c[0], "merged")),
    "expect_column_values_to_exist_in_other_table": lambda k, c: exp.In(
        this=c[0], query=master_keys(k, "other_column").subquery()
    ),
    "expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year": _personal_id_agrees,
    "expect_multicolumn_values_to_agree_with_other_table": _master_agrees,
    "expect_multicolumn_commune_to_be_in_province": _commune_in_province,
    "expect_multicolumn_address_to_name_commune": _address_names_commune,
}

CONDITIONS: dict[str, Condition] = {**GX_CORE, **R57}

# Column maps that judge NULLs too (GX: filter_column_isnull = False).
NULLS_JUDGED = frozenset(
    {"expect_column_values_to_not_be_blank", "expect_column_values_to_not_be_null", "expect_column_values_to_be_null"}
)
# GX's default ignore_row_if per map family.
PAIR_IGNORE_DEFAULT = "both_values_are_missing"
MULTICOLUMN_IGNORE_DEFAULT = "all_values_are_missing"


def expected_condition(kind: str, kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    """The predicate a row must satisfy (resolved kwargs; ``cols`` in the expectation's column order)."""
    try:
        condition = CONDITIONS[kind]
    except KeyError:
        raise ValueError(f"{kind} is not a row-level expectation") from None
    return condition(kwargs, cols)


def ignore_filter(ignore: str, cols: Sequence[exp.Expression]) -> exp.Expression:
    """Rows judged under GX's ``ignore_row_if`` (pair maps say both/either/neither, multicolumn all/any/never)."""
    if ignore in ("any_value_is_missing", "either_value_is_missing"):
        return and_(*[not_null(c) for c in cols])
    if ignore in ("all_values_are_missing", "both_values_are_missing"):
        return or_(*[not_null(c) for c in cols])
    if ignore in ("never", "neither"):
        return exp.true()
    raise ValueError(f"unknown ignore_row_if {ignore!r}")


def expectation_columns(expectation: Mapping[str, Any]) -> list[str]:
    """The columns an expectation reads, in its own order."""
    kwargs = expectation["kwargs"]
    if "column_list" in kwargs:
        return list(kwargs["column_list"] or [])  # None: expect_table_columns_to_match_ordered_list is vacuous
    if "column_A" in kwargs:
        return [kwargs["column_A"], kwargs["column_B"]]
    if "column" in kwargs:
        return [kwargs["column"]]
    return []


def judged(kind: str, kwargs: Mapping[str, Any], cols: Sequence[exp.Expression]) -> exp.Expression:
    """Rows a row-level expectation judges at all: NULLs skipped for column maps (GX filter_column_isnull),
    ``ignore_row_if`` for pair and multicolumn maps and compound keys; r57's duplicates need every key column."""
    family = FAMILY[kind]
    if kind in NULLS_JUDGED:
        return exp.true()
    if kind == "expect_compound_columns_to_have_no_duplicates":
        return and_(*[not_null(c) for c in cols])
    if family in ("column_map", "ordered", "master", "unique") and len(cols) == 1:
        return not_null(cols[0])
    if family == "pair_map":
        return ignore_filter(kwargs.get("ignore_row_if", PAIR_IGNORE_DEFAULT), cols)
    return ignore_filter(kwargs.get("ignore_row_if", MULTICOLUMN_IGNORE_DEFAULT), cols)


def unique_key(cols: Sequence[exp.Expression], kwargs: Mapping[str, Any]) -> exp.Expression:
    """The value duplicates are grouped by (r57's ``normalize``: NFC, whitespace, lower case)."""
    keys = [normalise_key(c) if kwargs.get("normalize") else c for c in cols]
    return keys[0] if len(keys) == 1 else struct(*keys)
