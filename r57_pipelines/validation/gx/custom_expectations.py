"""r57's custom Great Expectations (GX 1.x): real Expectation subclasses with their own metrics.

Importing this module registers the expectation types with GX, after which any GX user can put them in a
suite (``ExpectationSuite(**json)``) and validate with GX as usual.

Each rule is written once, in sqlglot, for the one-pass compiler (``validation.conditions``: the row
condition of every type; ``conditions.judged`` / ``unique_key`` for duplicates). The metrics here do not say
it again: they render that same condition to DuckDB SQL for the expectation's columns and hand it

* to GX's SQLAlchemy engine as a ``literal_column`` (``column_condition_partial`` /
  ``multicolumn_condition_partial``, bundled by GX into its aggregate queries; the duplicates metrics are
  aggregate ``metric_partial``s). Column names are quoted by sqlglot. The commune lookups, a joined table in
  the one-pass query, are constant MAPs here (``reference.inline_lookups``): a metric query holds one condition
  and no join. On DuckDB run it through ``validation.gx.gx_duckdb``;
* to GX's pandas engine by evaluating it with DuckDB over the DataFrame's columns (as text, through Arrow,
  in row order), except for the two rules that read another table (SQL only).

So GX, on either engine, judges each value exactly as the one-pass query does; what GX adds is its own
counting around the condition (NULL filtering, ``mostly``, ``row_condition``, ``ignore_row_if``, result
formats). The differential tests therefore compare that counting, not the rules' meaning: the meaning is
checked against ``rules.py``'s Python reference and the domain validators (tests/validation/test_rules.py)
and against hand-written planted defects (test_onepass.py).

Types (docs/validation.md, "r57's own custom expectations"):

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
* ``expect_column_values_to_be_official_commune_code``: a code of the official list (current or merged).
* ``expect_column_values_to_not_be_merged_commune_code``: not the code of a unit merged on 1 Jul 2025.
* ``expect_multicolumn_commune_to_be_in_province``: ``[commune_code, province_code]``: the commune lies in
  the province; judged when both codes are current.
* ``expect_multicolumn_address_to_name_commune``: ``[address, commune_code]``: the normalised, lower-cased
  address contains the commune's and its province's names; judged for a current commune and an address
  that is neither a placeholder nor mojibake.
* ``expect_compound_columns_to_have_no_duplicates``: duplicates counted as rows beyond the first of each
  group (GX's own uniqueness expectations count every row of a group); optional normalisation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Dict, List, Literal, Optional, Union

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
from sqlglot import exp

from r57_pipelines.validation import rules
from r57_pipelines.validation.conditions import expected_condition, judged, unique_key
from r57_pipelines.validation.reference import inline_lookups
from r57_pipelines.validation.sqlbuild import DIALECT, column, count_if, paren

# ---------------------------------------------------------------------------------------------------
# The one-pass compiler's conditions, rendered for GX's engines
# ---------------------------------------------------------------------------------------------------

_FRAME = "r57_frame"
_ROW = "_r57_row"


def condition(kind: str, kwargs: Mapping[str, Any], names: Sequence[str]) -> exp.Expression:
    """The row condition of expectation type ``kind`` over the columns ``names``: the one-pass compiler's own
    (``conditions.expected_condition``), with the commune lookups as constant MAPs. ``kwargs``: the metric's
    value kwargs (GX's own ``_``-prefixed arguments are dropped)."""
    values = {k: v for k, v in kwargs.items() if not k.startswith("_")}
    return paren(inline_lookups(expected_condition(kind, values, [column(n, None) for n in names])))


def condition_sql(kind: str, kwargs: Mapping[str, Any], columns: Sequence[Any]) -> Any:
    """``condition`` for GX's SQLAlchemy columns, as DuckDB SQL in a ``literal_column`` (names quoted by sqlglot)."""
    return sa.literal_column(condition(kind, kwargs, [str(c.name) for c in columns]).sql(DIALECT), sa.Boolean)


def _text_frame(frame: pd.DataFrame) -> tuple[Any, list[str]]:
    """The frame's columns as Arrow text (NULL for missing), with the row position; names ``c0``, ``c1``, ..."""
    import pyarrow as pa

    names = [f"c{i}" for i in range(frame.shape[1])]
    arrays = [pa.array(frame.iloc[:, i].astype("string"), type=pa.string(), from_pandas=True) for i in range(frame.shape[1])]
    table = pa.table([*arrays, pa.array(range(len(frame)), type=pa.int64())], names=[*names, _ROW])
    return table, names


def _on_frame(select: exp.Expression, table: Any, *, per_row: bool) -> list[tuple]:
    """Evaluate ``select`` with DuckDB over the Arrow ``table`` (per row in row order, or one aggregate row)."""
    import duckdb

    query = exp.select(select).from_(exp.to_identifier(_FRAME))
    if per_row:
        query = query.order_by(exp.column(_ROW))
    with duckdb.connect() as con:
        con.register(_FRAME, table)
        return con.execute(query.sql(DIALECT)).fetchall()


def frame_condition(kind: str, kwargs: Mapping[str, Any], frame: pd.DataFrame) -> pd.Series:
    """``condition`` evaluated with DuckDB over ``frame``'s columns (in the expectation's column order), per row.

    A NULL condition is not unexpected, as in GX's SQL counting (``NOT NULL`` is not true)."""
    table, names = _text_frame(frame)
    rows = _on_frame(condition(kind, kwargs, names), table, per_row=True)
    return pd.Series([value is not False for (value,) in rows], index=frame.index, dtype=bool)


class _ColumnCondition(ColumnMapMetricProvider):
    """A column map metric whose condition is the one-pass compiler's for ``r57_type``; SQL only."""

    r57_type: str

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, **kwargs):
        return condition_sql(cls.r57_type, kwargs, [column])


class _ColumnConditionAndPandas(_ColumnCondition):
    """The same condition on GX's pandas engine too."""

    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, **kwargs):
        return frame_condition(cls.r57_type, kwargs, column.to_frame())


class _MulticolumnCondition(MulticolumnMapMetricProvider):
    """A multicolumn map metric whose condition is the one-pass compiler's for ``r57_type``; SQL only."""

    r57_type: str
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column_list, **kwargs):
        return condition_sql(cls.r57_type, kwargs, column_list)


class _MulticolumnConditionAndPandas(_MulticolumnCondition):
    """The same condition on GX's pandas engine too."""

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list, **kwargs):
        return frame_condition(cls.r57_type, kwargs, column_list)


# ---------------------------------------------------------------------------------------------------
# Column and multicolumn map metrics: a name, the type whose condition they evaluate, its value keys
# ---------------------------------------------------------------------------------------------------


class ColumnValuesNotBlank(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_not_blank"
    r57_type = "expect_column_values_to_not_be_blank"
    filter_column_isnull = False


class ColumnValuesValidVnTaxCode(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_valid_vn_tax_code"
    r57_type = "expect_column_values_to_be_valid_vn_tax_code"


class ColumnValuesParseable(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_parseable"
    r57_type = "expect_column_values_to_be_parseable"
    condition_value_keys = ("as_type",)


class ColumnParsedValuesBetween(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_parsed_between"
    r57_type = "expect_column_parsed_values_to_be_between"
    condition_value_keys = ("as_type", "min_value", "max_value")


class ColumnValuesNfc(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_nfc"
    r57_type = "expect_column_values_to_be_nfc"


class ColumnNfcValuesNotMatchRegex(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_nfc_not_match_regex"
    r57_type = "expect_column_nfc_values_to_not_match_regex"
    condition_value_keys = ("regex",)


class ColumnStrippedValuesMatchRegex(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_stripped_match_regex"
    r57_type = "expect_column_stripped_values_to_match_regex"
    condition_value_keys = ("regex", "strip_regex")


class ColumnValuesNotPlaceholder(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_not_placeholder"
    r57_type = "expect_column_values_to_not_be_placeholder"
    condition_value_keys = ("value_set",)


class ColumnValuesOfficialCommuneCode(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_official_commune_code"
    r57_type = "expect_column_values_to_be_official_commune_code"


class ColumnValuesNotMergedCommuneCode(_ColumnConditionAndPandas):
    condition_metric_name = "column_values.r57_not_merged_commune_code"
    r57_type = "expect_column_values_to_not_be_merged_commune_code"


class ColumnValuesExistInOtherTable(_ColumnCondition):
    condition_metric_name = "column_values.r57_exist_in_other_table"
    r57_type = "expect_column_values_to_exist_in_other_table"
    condition_value_keys = ("other_schema", "other_table", "other_column")


class MulticolumnValuesAgreeWithOtherTable(_MulticolumnCondition):
    condition_metric_name = "multicolumn_values.r57_agree_with_other_table"
    r57_type = "expect_multicolumn_values_to_agree_with_other_table"
    condition_value_keys = ("other_schema", "other_table", "other_key", "other_column")


class MulticolumnPersonalIdAgrees(_MulticolumnConditionAndPandas):
    condition_metric_name = "multicolumn_values.r57_personal_id_agrees"
    r57_type = "expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year"
    condition_value_keys = ("male_value", "female_value")


class MulticolumnCommuneInProvince(_MulticolumnConditionAndPandas):
    condition_metric_name = "multicolumn_values.r57_commune_in_province"
    r57_type = "expect_multicolumn_commune_to_be_in_province"


class MulticolumnAddressNamesCommune(_MulticolumnConditionAndPandas):
    condition_metric_name = "multicolumn_values.r57_address_names_commune"
    r57_type = "expect_multicolumn_address_to_name_commune"


# ---------------------------------------------------------------------------------------------------
# Table metrics for duplicates (aggregates: GX bundles them into its single aggregate query)
# ---------------------------------------------------------------------------------------------------

_DUPLICATES = "expect_compound_columns_to_have_no_duplicates"


def _key_aggregate(metric: str, names: Sequence[str], normalize: bool) -> exp.Expression:
    """Rows with a complete key (``key_complete``) or distinct complete keys (``key_distinct``), as the one pass
    counts them (``conditions.judged``, ``conditions.unique_key``)."""
    kwargs = {"normalize": normalize}
    cols = [column(n, None) for n in names]
    complete = judged(_DUPLICATES, kwargs, cols)
    if metric == "key_complete":
        return count_if(complete)
    return exp.Count(this=exp.Distinct(expressions=[exp.Case().when(complete, unique_key(cols, kwargs))]))


def _key_metric_sqlalchemy(metric: str, metric_domain_kwargs: dict, metric_value_kwargs: dict) -> tuple:
    aggregate = _key_aggregate(metric, metric_value_kwargs["column_list"], bool(metric_value_kwargs["normalize"]))
    return sa.literal_column(aggregate.sql(DIALECT), sa.Integer), metric_domain_kwargs, {}


def _key_metric_pandas(metric: str, execution_engine, metric_domain_kwargs: dict, metric_value_kwargs: dict) -> int:
    df, _, _ = execution_engine.get_compute_domain(domain_kwargs=metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE)
    table, names = _text_frame(df[list(metric_value_kwargs["column_list"])])
    aggregate = _key_aggregate(metric, names, bool(metric_value_kwargs["normalize"]))
    ((value,),) = _on_frame(aggregate, table, per_row=False)
    return int(value)


class TableKeyCompleteCount(TableMetricProvider):
    metric_name = "table.r57_key_complete_count"
    value_keys = ("column_list", "normalize")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        return _key_metric_pandas("key_complete", execution_engine, metric_domain_kwargs, metric_value_kwargs)

    @metric_partial(
        engine=SqlAlchemyExecutionEngine,
        partial_fn_type=MetricPartialFunctionTypes.AGGREGATE_FN,
        domain_type=MetricDomainTypes.TABLE,
    )
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        return _key_metric_sqlalchemy("key_complete", metric_domain_kwargs, metric_value_kwargs)


class TableKeyDistinctCount(TableMetricProvider):
    metric_name = "table.r57_key_distinct_count"
    value_keys = ("column_list", "normalize")

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        return _key_metric_pandas("key_distinct", execution_engine, metric_domain_kwargs, metric_value_kwargs)

    @metric_partial(
        engine=SqlAlchemyExecutionEngine,
        partial_fn_type=MetricPartialFunctionTypes.AGGREGATE_FN,
        domain_type=MetricDomainTypes.TABLE,
    )
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, metrics, runtime_configuration):
        return _key_metric_sqlalchemy("key_distinct", metric_domain_kwargs, metric_value_kwargs)


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
