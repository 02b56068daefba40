"""r57's custom Great Expectations (GX 1.x): real Expectation subclasses with their own metrics.

Importing this module registers the expectation types with GX, after which any GX user can put them in a
suite (``ExpectationSuite(**json)``) and validate with GX as usual. Each row-level metric has a SQLAlchemy
implementation (``column_condition_partial`` / ``multicolumn_condition_partial``, pushed into the
database and bundled by GX into its aggregate queries) and, except the two that read another table, a
pandas implementation. The SQL uses DuckDB functions (``regexp_matches``, ``nfc_normalize``,
``try_strptime``, ``TRY_CAST``); on DuckDB run it through ``r57_pipelines.validation.gx_duckdb``.

Meanings (shared with the one-pass validator through ``rules``; docs/validation.md):

* ``expect_column_values_to_not_be_blank``: not NULL, not empty, not whitespace only. NULLs count.
* ``expect_column_values_to_be_valid_vn_tax_code``: stored form ``NNNNNNNNNN[-NNN]`` and check digit.
* ``expect_column_values_to_be_parseable``: ``as_type`` date | timestamp | number (``rules`` forms).
* ``expect_column_parsed_values_to_be_between``: the parsed value within [min_value, max_value];
  values that do not parse are left to the parseable rule (not counted here).
* ``expect_column_values_to_be_nfc``: the value equals its Unicode NFC form.
* ``expect_column_nfc_values_to_not_match_regex``: the NFC form does not contain ``regex`` (mojibake).
* ``expect_column_stripped_values_to_match_regex``: after deleting ``strip_regex`` matches, ``regex``
  matches (phone numbers written with spaces or dots).
* ``expect_column_values_to_not_be_placeholder``: lower(normalised value) is not in ``value_set``.
* ``expect_column_values_to_exist_in_other_table``: referential integrity (SQL only).
* ``expect_multicolumn_values_to_agree_with_other_table``: ``[key, value]`` agrees with the other
  table's value for that key after normalisation; keys absent there are not judged (SQL only).
* ``expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year``: ``[personal_id, sex, birth_date]``.
* ``expect_column_values_to_be_official_commune_code``: a code of the official list (``rules.commune_codes``:
  the 3,321 units in force or a unit merged on 1 Jul 2025).
* ``expect_column_values_to_not_be_merged_commune_code``: not the code of a merged unit (``rules.merged_codes``).
* ``expect_multicolumn_commune_to_be_in_province``: ``[commune_code, province_code]``: the commune lies in
  the province (official list, ``rules.commune_provinces``); judged when both codes are current.
* ``expect_multicolumn_address_to_name_commune``: ``[address, commune_code]``: the normalised, lower-cased
  address contains the commune's and its province's names (``rules.address_names_commune``); judged for a
  current commune and an address that is neither a placeholder nor mojibake.
* ``expect_compound_columns_to_have_no_duplicates``: duplicates counted as rows beyond the first of each
  group (GX's own uniqueness expectations count every row of a group); optional normalisation.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, List, Literal, Optional, Tuple, Union

import numpy as np
import pandas as pd
import sqlalchemy as sa
from great_expectations.compatibility import pydantic
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.core.metric_function_types import MetricPartialFunctionTypes
from great_expectations.core.suite_parameters import SuiteParameterDict
from great_expectations.execution_engine import PandasExecutionEngine, SqlAlchemyExecutionEngine
from great_expectations.expectations.core.expect_column_values_to_not_be_null import (
    ExpectColumnValuesToNotBeNull,
)
from great_expectations.expectations.expectation import (
    BatchExpectation,
    ColumnMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_condition_partial,
)
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)
from great_expectations.expectations.metrics.metric_provider import metric_partial, metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider
from sqlalchemy.dialects.postgresql import TIMESTAMP

from r57_pipelines.validation import rules

# ---------------------------------------------------------------------------------------------------
# SQL building blocks (SQLAlchemy). The one-pass path says the same in sqlglot (onepass.py).
# ---------------------------------------------------------------------------------------------------


def _text(column: Any) -> Any:
    return sa.cast(column, sa.String)


def _matches(text: Any, regex: str) -> Any:
    return sa.func.regexp_matches(text, sa.literal(regex))


def sql_normalise(column: Any) -> Any:
    """NFC, whitespace runs to one space, trimmed (``rules.normalise``).

    The costly global ``regexp_replace`` only runs where there is messy whitespace to collapse.
    """
    text = _text(column)
    collapsed = sa.func.trim(
        sa.func.regexp_replace(sa.func.nfc_normalize(text), sa.literal(f"{rules.WS}+"), " ", "g")
    )
    return sa.case((_matches(text, rules.MESSY_WHITESPACE_REGEX), collapsed), else_=sa.func.nfc_normalize(text))


def sql_normalise_key(column: Any) -> Any:
    return sa.func.lower(sql_normalise(column))


def sql_parsed(column: Any, as_type: str) -> Any:
    """The value parsed as ``as_type`` (``rules``), NULL when it does not parse."""
    text = _text(column)
    if as_type == "date":
        iso = sa.and_(_matches(text, rules.DATE_ISO_REGEX), sa.func.substr(text, 1, 4) != "0000")
        dmy = sa.and_(_matches(text, rules.DATE_DMY_REGEX), sa.func.substr(text, 7, 4) != "0000")
        return sa.cast(
            sa.case(
                (iso, sa.func.try_strptime(text, "%Y-%m-%d")),
                (dmy, sa.func.try_strptime(text, "%d/%m/%Y")),
            ),
            sa.Date,
        )
    if as_type == "timestamp":
        return sa.case((_matches(text, rules.TIMESTAMP_REGEX), sa.try_cast(text, TIMESTAMP(timezone=True))))
    if as_type == "number":
        return sa.case((_matches(text, rules.NUMBER_REGEX), sa.try_cast(text, sa.Double)))
    raise ValueError(f"as_type must be one of {rules.PARSE_TYPES}, got {as_type!r}")


def sql_bound(value: Any, as_type: str) -> Any:
    if as_type == "number":
        return sa.literal(float(value), sa.Double)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    rules.parse_bound(text, as_type)  # refuses a bound that is not itself in the accepted form
    return sa.cast(sa.literal(text), sa.Date if as_type == "date" else TIMESTAMP(timezone=True))


def sql_map_lookup(column: Any, mapping: Dict[str, str]) -> Any:
    """The value of the column's text in a constant string -> string MAP, NULL when it is not a key."""
    keys = sa.func.list_value(*[sa.literal(k) for k in mapping])
    values = sa.func.list_value(*[sa.literal(v) for v in mapping.values()])
    return sa.func.map_extract_value(sa.func.map(keys, values), _text(column))


# ---------------------------------------------------------------------------------------------------
# pandas building blocks (the reference meaning in rules.py, vectorised where it matters).
# ---------------------------------------------------------------------------------------------------


def _pd_text(column: pd.Series) -> pd.Series:
    """pandas' string dtype (NULLs stay missing); every helper below is vectorised over it."""
    return column.astype("str")


def _pd_contains(text: pd.Series, regex: str) -> pd.Series:
    with warnings.catch_warnings():  # "pattern has match groups": we only want a boolean
        warnings.simplefilter("ignore", UserWarning)
        return text.str.contains(regex, regex=True, na=False).astype(bool)


def pd_normalise(column: pd.Series) -> pd.Series:
    """``rules.normalise`` vectorised."""
    return _pd_text(column).str.normalize("NFC").str.replace(f"{rules.WS}+", " ", regex=True).str.strip(" ")


def pd_normalise_key(column: pd.Series) -> pd.Series:
    return pd_normalise(column).str.lower()


def _pd_date_ordinal(text: pd.Series) -> pd.Series:
    """Dates as yyyymmdd integers (order-preserving), NaN when not a date; vectorised calendar check."""
    iso = _pd_contains(text, rules.DATE_ISO_REGEX)
    dmy = _pd_contains(text, rules.DATE_DMY_REGEX)
    year = pd.Series(np.nan, index=text.index)
    month = year.copy()
    day = year.copy()
    if iso.any():
        parts = text[iso]
        year[iso], month[iso], day[iso] = (pd.to_numeric(parts.str.slice(a, b)) for a, b in ((0, 4), (5, 7), (8, 10)))
    if dmy.any():
        parts = text[dmy]
        year[dmy], month[dmy], day[dmy] = (pd.to_numeric(parts.str.slice(a, b)) for a, b in ((6, 10), (3, 5), (0, 2)))
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    month_days = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    max_day = pd.Series(month_days[month.clip(0, 12).fillna(0).astype(int)], index=text.index) + (
        (month == 2) & leap
    ).astype(int)
    valid = (year >= 1) & month.between(1, 12) & (day >= 1) & (day <= max_day)
    return (year * 10000 + month * 100 + day).where(valid)


def pd_parsed(column: pd.Series, as_type: str) -> pd.Series:
    """Comparable parsed values (dates: yyyymmdd; timestamps: UTC; numbers: float), missing if none."""
    text = _pd_text(column)
    if as_type == "date":
        return _pd_date_ordinal(text)
    if as_type == "timestamp":
        ok = _pd_contains(text, rules.TIMESTAMP_REGEX)
        return pd.to_datetime(text.where(ok), format="ISO8601", utc=True, errors="coerce")
    if as_type == "number":
        ok = _pd_contains(text, rules.NUMBER_REGEX)
        return pd.to_numeric(text.where(ok), errors="coerce")
    raise ValueError(f"as_type must be one of {rules.PARSE_TYPES}, got {as_type!r}")


def pd_bound(value: Any, as_type: str) -> Any:
    bound = rules.parse_bound(value.isoformat() if hasattr(value, "isoformat") else value, as_type)
    if as_type == "date":
        return float(bound.year * 10000 + bound.month * 100 + bound.day)  # type: ignore[union-attr]
    if as_type == "timestamp":
        return pd.Timestamp(bound)
    return float(bound)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------
# Column map metrics
# ---------------------------------------------------------------------------------------------------


class ColumnValuesNotBlank(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_not_blank"
    filter_column_isnull = False

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return column.notna() & ~_pd_contains(_pd_text(column), rules.BLANK_REGEX)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, **kwargs):
        return sa.and_(column.isnot(None), sa.not_(_matches(_text(column), rules.BLANK_REGEX)))


class ColumnValuesValidVnTaxCode(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_valid_vn_tax_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        text = _pd_text(column)
        well_formed = (
            _pd_contains(text, rules.TAX_CODE_FULL_REGEX)
            & (text.str.slice(2, 9) != "0000000")
            & (text.str.slice(11, 14) != "000")
        )
        digits = [pd.to_numeric(text.str.slice(i, i + 1).where(well_formed), errors="coerce") for i in range(10)]
        check = 10 - sum(w * d for w, d in zip(rules.TAX_CODE_WEIGHTS, digits)) % 11
        return (well_formed & (check != 10) & (digits[9] == check)).fillna(False).astype(bool)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, **kwargs):
        text = _text(column)
        digits = [sa.try_cast(sa.func.substr(text, i + 1, 1), sa.Integer) for i in range(10)]
        weighted = sum((w * d for w, d in zip(rules.TAX_CODE_WEIGHTS, digits)), sa.literal(0))
        check = 10 - sa.func.mod(weighted, 11)
        well_formed = sa.and_(
            _matches(text, rules.TAX_CODE_FULL_REGEX),
            sa.func.substr(text, 3, 7) != "0000000",
            sa.func.coalesce(sa.func.substr(text, 12, 3), "") != "000",
        )
        # CASE keeps the digit arithmetic away from values that are not digits.
        return sa.case((well_formed, sa.and_(check != 10, digits[9] == check)), else_=sa.false())


class ColumnValuesParseable(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_parseable"
    condition_value_keys = ("as_type",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, as_type, **kwargs):
        return pd_parsed(column, as_type).notna()

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, as_type, **kwargs):
        return sql_parsed(column, as_type).isnot(None)


class ColumnParsedValuesBetween(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_parsed_between"
    condition_value_keys = ("as_type", "min_value", "max_value")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, as_type, min_value=None, max_value=None, **kwargs):
        parsed = pd_parsed(column, as_type)
        ok = pd.Series(True, index=column.index)
        if min_value is not None:
            ok &= ~(parsed < pd_bound(min_value, as_type))
        if max_value is not None:
            ok &= ~(parsed > pd_bound(max_value, as_type))
        return ok

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, as_type, min_value=None, max_value=None, **kwargs):
        parsed = sql_parsed(column, as_type)
        within = []
        if min_value is not None:
            within.append(parsed >= sql_bound(min_value, as_type))
        if max_value is not None:
            within.append(parsed <= sql_bound(max_value, as_type))
        return sa.or_(parsed.is_(None), sa.and_(sa.true(), *within))


class ColumnValuesNfc(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_nfc"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        text = _pd_text(column)
        return (text.str.normalize("NFC") == text).fillna(False).astype(bool)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, **kwargs):
        return sa.func.nfc_normalize(_text(column)) == _text(column)


class ColumnNfcValuesNotMatchRegex(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_nfc_not_match_regex"
    condition_value_keys = ("regex",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, regex, **kwargs):
        return ~_pd_contains(_pd_text(column).str.normalize("NFC"), regex)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, regex, **kwargs):
        return sa.not_(_matches(sa.func.nfc_normalize(_text(column)), regex))


class ColumnStrippedValuesMatchRegex(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_stripped_match_regex"
    condition_value_keys = ("regex", "strip_regex")

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, regex, strip_regex, **kwargs):
        stripped = _pd_text(column).str.replace(strip_regex, "", regex=True)
        return _pd_contains(stripped, regex)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, regex, strip_regex, **kwargs):
        stripped = sa.func.regexp_replace(_text(column), sa.literal(strip_regex), "", "g")
        return _matches(stripped, regex)


class ColumnValuesNotPlaceholder(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_not_placeholder"
    condition_value_keys = ("value_set",)

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, value_set, **kwargs):
        return ~pd_normalise_key(column).isin(list(value_set))

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, value_set, **kwargs):
        return sa.not_(sql_normalise_key(column).in_(list(value_set)))


class ColumnValuesOfficialCommuneCode(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_official_commune_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return _pd_text(column).isin(rules.commune_codes())

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, **kwargs):
        return _text(column).in_(rules.commune_codes())


class ColumnValuesNotMergedCommuneCode(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_not_merged_commune_code"

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return ~_pd_text(column).isin(rules.merged_codes())

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, **kwargs):
        return sa.not_(_text(column).in_(rules.merged_codes()))


class ColumnValuesExistInOtherTable(ColumnMapMetricProvider):
    condition_metric_name = "column_values.r57_exist_in_other_table"
    condition_value_keys = ("other_schema", "other_table", "other_column")

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, other_schema, other_table, other_column, **kwargs):
        other = sa.table(other_table, sa.column(other_column), schema=other_schema)
        keys = sa.select(other.c[other_column]).where(other.c[other_column].isnot(None))
        return column.in_(keys)


# ---------------------------------------------------------------------------------------------------
# Multicolumn map metrics
# ---------------------------------------------------------------------------------------------------


class MulticolumnValuesAgreeWithOtherTable(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.r57_agree_with_other_table"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("other_schema", "other_table", "other_key", "other_column")

    @multicolumn_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list, other_schema, other_table, other_key, other_column, **kwargs):
        key, value = column_list
        other = sa.table(other_table, sa.column(other_key), sa.column(other_column), schema=other_schema)
        known = sa.select(other.c[other_key]).where(other.c[other_key].isnot(None))
        pairs = sa.select(other.c[other_key], sql_normalise_key(other.c[other_column])).where(
            other.c[other_key].isnot(None), other.c[other_column].isnot(None)
        )
        return sa.or_(sa.not_(key.in_(known)), sa.tuple_(key, sql_normalise_key(value)).in_(pairs))


class MulticolumnPersonalIdAgrees(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.r57_personal_id_agrees"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("male_value", "female_value")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, male_value, female_value, **kwargs):
        ids = _pd_text(column_list.iloc[:, 0])
        sex = pd_normalise(column_list.iloc[:, 1])
        year = _pd_date_ordinal(_pd_text(column_list.iloc[:, 2])) // 10000
        judged = _pd_contains(ids, rules.PERSONAL_ID_FULL_REGEX) & sex.isin([male_value, female_value]) & year.notna()
        encodable = year.between(1900, 2199)
        digit = ((year // 100 - 19) * 2 + (sex == female_value).astype(int)).where(encodable, -1).fillna(-1)
        two = (year % 100).fillna(0).astype(int).astype("str").str.zfill(2)
        agrees = encodable & (ids.str.slice(3, 4) == digit.astype(int).astype("str")) & (ids.str.slice(4, 6) == two)
        return (~judged | agrees.fillna(False)).astype(bool)

    @multicolumn_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list, male_value, female_value, **kwargs):
        personal_id, sex, birth_date = column_list
        pid = _text(personal_id)
        sex_n = sql_normalise(sex)
        born = sql_parsed(birth_date, "date")
        judged = sa.and_(_matches(pid, rules.PERSONAL_ID_FULL_REGEX), sex_n.in_([male_value, female_value]), born.isnot(None))
        year = sa.func.strftime(born, "%Y")
        century = sa.func.substr(year, 1, 2)
        female = sex_n == female_value
        digit = sa.case(
            *[
                (sa.and_(century == c, female if is_female else sa.not_(female)), g)
                for c, base in (("19", 0), ("20", 2), ("21", 4))
                for is_female, g in ((False, str(base)), (True, str(base + 1)))
            ]
        )
        agrees = sa.and_(sa.func.substr(pid, 4, 1) == digit, sa.func.substr(pid, 5, 2) == sa.func.substr(year, 3, 2))
        return sa.or_(sa.not_(judged), sa.func.coalesce(agrees, sa.false()))


class MulticolumnCommuneInProvince(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.r57_commune_in_province"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        commune, province = (_pd_text(column_list.iloc[:, i]) for i in range(2))
        lookup = commune.map(rules.commune_provinces())
        judged = lookup.notna() & province.isin(rules.province_codes())
        return (~judged | (lookup == province)).fillna(False).astype(bool)

    @multicolumn_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list, **kwargs):
        commune, province = column_list
        lookup = sql_map_lookup(commune, rules.commune_provinces())
        judged = sa.and_(lookup.isnot(None), _text(province).in_(rules.province_codes()))
        return sa.or_(sa.not_(judged), lookup == _text(province))


class MulticolumnAddressNamesCommune(MulticolumnMapMetricProvider):
    condition_metric_name = "multicolumn_values.r57_address_names_commune"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        address, commune = (_pd_text(column_list.iloc[:, i]) for i in range(2))
        key = pd_normalise_key(address)
        readable = ~key.isin(rules.placeholder_values()) & ~_pd_contains(address.str.normalize("NFC"), rules.MOJIBAKE)
        name, province = commune.map(rules.commune_names()), commune.map(rules.commune_province_names())
        names = pd.Series(
            [n in k and p in k if isinstance(n, str) else True for k, n, p in zip(key, name, province)],
            index=address.index,
        )
        return (~(name.notna() & readable) | names).astype(bool)

    @multicolumn_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list, **kwargs):
        address, commune = column_list
        key = sql_normalise_key(address)
        name, province = sql_map_lookup(commune, rules.commune_names()), sql_map_lookup(commune, rules.commune_province_names())
        readable = sa.and_(
            sa.not_(key.in_(rules.placeholder_values())),
            sa.not_(_matches(sa.func.nfc_normalize(_text(address)), rules.MOJIBAKE)),
        )
        names = sa.and_(sa.func.contains(key, name), sa.func.contains(key, province))
        return sa.or_(sa.not_(sa.and_(name.isnot(None), readable)), names)


# ---------------------------------------------------------------------------------------------------
# Table metrics for duplicates (aggregates: GX bundles them into its single aggregate query)
# ---------------------------------------------------------------------------------------------------


def _sql_key_parts(column_list: List[str], normalize: bool) -> Tuple[Any, Any]:
    columns = [sa.column(c) for c in column_list]
    complete = sa.and_(*[c.isnot(None) for c in columns])
    keys = [sql_normalise_key(c) if normalize else c for c in columns]
    key = keys[0] if len(keys) == 1 else sa.func.row(*keys)
    return complete, key


def _pd_keys(execution_engine, metric_domain_kwargs, column_list, normalize) -> pd.DataFrame:
    df, _, _ = execution_engine.get_compute_domain(domain_kwargs=metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE)
    keys = df[list(column_list)].dropna(how="any")
    if normalize:
        keys = keys.apply(pd_normalise_key)
    return keys


class TableKeyCompleteCount(TableMetricProvider):
    metric_name = "table.r57_key_complete_count"
    value_keys = ("column_list", "normalize")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        return int(len(_pd_keys(execution_engine, metric_domain_kwargs, metric_value_kwargs["column_list"], False)))

    @metric_partial(
        engine=SqlAlchemyExecutionEngine,
        partial_fn_type=MetricPartialFunctionTypes.AGGREGATE_FN,
        domain_type=MetricDomainTypes.TABLE,
    )
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        complete, _ = _sql_key_parts(metric_value_kwargs["column_list"], False)
        return sa.func.count(sa.case((complete, 1))), metric_domain_kwargs, {}


class TableKeyDistinctCount(TableMetricProvider):
    metric_name = "table.r57_key_distinct_count"
    value_keys = ("column_list", "normalize")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        keys = _pd_keys(
            execution_engine, metric_domain_kwargs, metric_value_kwargs["column_list"], bool(metric_value_kwargs["normalize"])
        )
        return int(len(keys.drop_duplicates()))

    @metric_partial(
        engine=SqlAlchemyExecutionEngine,
        partial_fn_type=MetricPartialFunctionTypes.AGGREGATE_FN,
        domain_type=MetricDomainTypes.TABLE,
    )
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        complete, key = _sql_key_parts(metric_value_kwargs["column_list"], bool(metric_value_kwargs["normalize"]))
        return sa.func.count(sa.distinct(sa.case((complete, key)))), metric_domain_kwargs, {}


# ---------------------------------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------------------------------

AsType = Literal["date", "timestamp", "number"]
Bound = Union[str, float, int, SuiteParameterDict, None]


class ExpectColumnValuesToNotBeBlank(ExpectColumnValuesToNotBeNull):
    """Expect values to be present: not NULL, not empty and not only whitespace (NULLs are unexpected)."""

    map_metric = "column_values.r57_not_blank"


class ExpectColumnValuesToBeValidVnTaxCode(ColumnMapExpectation):
    """Expect Vietnamese tax codes in the stored form NNNNNNNNNN[-NNN] with a correct check digit."""

    map_metric = "column_values.r57_valid_vn_tax_code"


class ExpectColumnValuesToBeParseable(ColumnMapExpectation):
    """Expect text values to parse as a date, an ISO 8601 timestamp with offset, or a decimal number."""

    as_type: AsType
    map_metric = "column_values.r57_parseable"
    success_keys = ("as_type", "mostly")


class ExpectColumnParsedValuesToBeBetween(ColumnMapExpectation):
    """Expect parsed values within [min_value, max_value]; values that do not parse are not judged here."""

    as_type: AsType
    min_value: Bound = None
    max_value: Bound = None
    map_metric = "column_values.r57_parsed_between"
    success_keys = ("as_type", "min_value", "max_value", "mostly")


class ExpectColumnValuesToBeNfc(ColumnMapExpectation):
    """Expect text in Unicode normal form C (composed), the form Vietnamese text must be stored in."""

    map_metric = "column_values.r57_nfc"


class ExpectColumnNfcValuesToNotMatchRegex(ColumnMapExpectation):
    """Expect the NFC form of each value not to contain a match of regex (e.g. TCVN3/VNI mojibake)."""

    regex: str
    map_metric = "column_values.r57_nfc_not_match_regex"
    success_keys = ("regex", "mostly")


class ExpectColumnStrippedValuesToMatchRegex(ColumnMapExpectation):
    """Expect values to match regex once every match of strip_regex (separators) is deleted."""

    regex: str
    strip_regex: str
    map_metric = "column_values.r57_stripped_match_regex"
    success_keys = ("regex", "strip_regex", "mostly")


class ExpectColumnValuesToNotBePlaceholder(ColumnMapExpectation):
    """Expect no stand-ins for missing data: lower(normalised value) not in value_set (e.g. "n/a")."""

    value_set: List[str]
    map_metric = "column_values.r57_not_placeholder"
    success_keys = ("value_set", "mostly")


class ExpectColumnValuesToBeOfficialCommuneCode(ColumnMapExpectation):
    """Expect commune codes of the official list: one of the 3,321 units in force since 1 Jul 2025, or a unit
    merged on that day (assets/reference/communes.yaml; the merged ones are the next expectation's finding)."""

    map_metric = "column_values.r57_official_commune_code"


class ExpectColumnValuesToNotBeMergedCommuneCode(ColumnMapExpectation):
    """Expect no code of a commune merged on 1 Jul 2025 (a pre-reform code of the 63-province list)."""

    map_metric = "column_values.r57_not_merged_commune_code"


class ExpectColumnValuesToExistInOtherTable(ColumnMapExpectation):
    """Expect every value to exist in other_schema.other_table.other_column (master data). SQL only."""

    other_schema: Optional[str] = None
    other_table: str
    other_column: str
    map_metric = "column_values.r57_exist_in_other_table"
    success_keys = ("other_schema", "other_table", "other_column", "mostly")


class ExpectMulticolumnValuesToAgreeWithOtherTable(MulticolumnMapExpectation):
    """Expect column_list [key, value] to agree with other_table's other_column for the same key.

    Compared after normalisation (NFC, single spaces, trimmed, lower case). Keys absent from the other
    table are not judged (that is the existence rule's finding). SQL only.
    """

    other_schema: Optional[str] = None
    other_table: str
    other_key: str
    other_column: str
    map_metric = "multicolumn_values.r57_agree_with_other_table"
    success_keys = ("other_schema", "other_table", "other_key", "other_column", "mostly")

    @pydantic.validator("column_list")
    def _two_columns(cls, v: List[str]) -> List[str]:
        if len(v) != 2:
            raise ValueError("column_list must be [key, value]")
        return v


class ExpectMulticolumnPersonalIdToAgreeWithSexAndBirthYear(MulticolumnMapExpectation):
    """Expect column_list [personal_id, sex, birth_date] to agree: digit 4 encodes century and sex, 5-6 the year.

    Rows where the number is malformed, the sex is not male_value/female_value or the date does not parse
    are not judged (other rules report them).
    """

    male_value: str = rules.SEX_VALUES[0]
    female_value: str = rules.SEX_VALUES[1]
    map_metric = "multicolumn_values.r57_personal_id_agrees"
    success_keys = ("male_value", "female_value", "mostly")

    @pydantic.validator("column_list")
    def _three_columns(cls, v: List[str]) -> List[str]:
        if len(v) != 3:
            raise ValueError("column_list must be [personal_id, sex, birth_date]")
        return v


class ExpectMulticolumnCommuneToBeInProvince(MulticolumnMapExpectation):
    """Expect column_list [commune_code, province_code] to agree with the official commune list: the commune
    lies in the province. Rows where either code is not a current one are not judged (other rules report them).
    """

    map_metric = "multicolumn_values.r57_commune_in_province"

    @pydantic.validator("column_list")
    def _two_columns(cls, v: List[str]) -> List[str]:
        if len(v) != 2:
            raise ValueError("column_list must be [commune_code, province_code]")
        return v


class ExpectMulticolumnAddressToNameCommune(MulticolumnMapExpectation):
    """Expect column_list [address, commune_code]: the address (NFC, single spaces, trimmed, lower case)
    contains the name of the coded commune and of its province, as in the official list. Rows with a code
    that is not a current commune, or an address that is a placeholder or mojibake, are not judged.
    """

    map_metric = "multicolumn_values.r57_address_names_commune"

    @pydantic.validator("column_list")
    def _two_columns(cls, v: List[str]) -> List[str]:
        if len(v) != 2:
            raise ValueError("column_list must be [address, commune_code]")
        return v


class ExpectCompoundColumnsToHaveNoDuplicates(BatchExpectation):
    """Expect no two rows to share the key column_list (one or more columns), optionally normalised.

    Counts the rows *beyond the first* of each group of equal keys (how many rows deduplication would
    remove); rows with a NULL key column are not considered. GX's expect_compound_columns_to_be_unique
    counts every row of a duplicated group instead.
    """

    column_list: List[str] = pydantic.Field(min_items=1)
    normalize: bool = False
    mostly: float = pydantic.Field(default=1.0, ge=0.0, le=1.0)

    metric_dependencies = ("table.row_count", "table.r57_key_complete_count", "table.r57_key_distinct_count")
    success_keys = ("column_list", "normalize", "mostly")

    def _validate(self, metrics: Dict, runtime_configuration: Optional[dict] = None, execution_engine=None):
        rows = int(metrics["table.row_count"])
        considered = int(metrics["table.r57_key_complete_count"])
        duplicates = considered - int(metrics["table.r57_key_distinct_count"])
        success = considered == 0 or (considered - duplicates) / considered >= self.mostly
        return {
            "success": success,
            "result": {
                "element_count": rows,
                "unexpected_count": duplicates,
                "observed_value": {"duplicate_rows": duplicates, "considered_count": considered},
            },
        }


__all__ = [
    "ExpectColumnNfcValuesToNotMatchRegex",
    "ExpectColumnParsedValuesToBeBetween",
    "ExpectColumnStrippedValuesToMatchRegex",
    "ExpectColumnValuesToBeNfc",
    "ExpectColumnValuesToBeOfficialCommuneCode",
    "ExpectColumnValuesToBeParseable",
    "ExpectColumnValuesToBeValidVnTaxCode",
    "ExpectColumnValuesToExistInOtherTable",
    "ExpectColumnValuesToNotBeBlank",
    "ExpectColumnValuesToNotBeMergedCommuneCode",
    "ExpectColumnValuesToNotBePlaceholder",
    "ExpectCompoundColumnsToHaveNoDuplicates",
    "ExpectMulticolumnAddressToNameCommune",
    "ExpectMulticolumnCommuneToBeInProvince",
    "ExpectMulticolumnPersonalIdToAgreeWithSexAndBirthYear",
    "ExpectMulticolumnValuesToAgreeWithOtherTable",
]
