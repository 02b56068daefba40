"""Which expectation types r57 compiles into the one-pass query, and how (their family): GX Core's, then r57's own.

A type that is not here runs through Great Expectations itself (``gx_fallback``), per expectation, on the
same DuckDB table. ``docs/validation.md`` has the table of every GX Core expectation and its engine;
``tests/validation/test_registry_docs.py`` keeps that table and this module equal.
"""

from __future__ import annotations

from types import MappingProxyType

# family -> types. A family is one way of counting (onepass.py has one compiler per family).
_FAMILIES: dict[str, tuple[str, ...]] = {
    # One column, one predicate per row; NULLs are not judged unless conditions.NULLS_JUDGED.
    "column_map": (
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_value_lengths_to_be_between",
        "expect_column_value_lengths_to_equal",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_values_to_match_regex_list",
        "expect_column_values_to_not_match_regex_list",
        "expect_column_values_to_match_like_pattern",
        "expect_column_values_to_not_match_like_pattern",
        "expect_column_values_to_match_like_pattern_list",
        "expect_column_values_to_not_match_like_pattern_list",
        "expect_column_values_to_match_strftime_format",
        "expect_column_values_to_be_json_parseable",
        "expect_column_values_to_be_dateutil_parseable",
    ),
    # Two columns (column_A, column_B); ignore_row_if both/either/neither.
    "pair_map": (
        "expect_column_pair_values_a_to_be_greater_than_b",
        "expect_column_pair_values_to_be_equal",
        "expect_column_pair_values_to_be_in_set",
    ),
    # column_list; ignore_row_if all/any/never.
    "multicolumn_map": (
        "expect_multicolumn_sum_to_equal",
        "expect_select_column_values_to_be_unique_within_record",
    ),
    # Each value compared with the previous row's (load order).
    "ordered": (
        "expect_column_values_to_be_increasing",
        "expect_column_values_to_be_decreasing",
    ),
    # GX's uniqueness: every row of a group of equal values is unexpected.
    "unique": (
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
    ),
    # One value per column (min, mean, distinct values ...), judged in Python as GX judges it.
    "aggregate": (
        "expect_column_min_to_be_between",
        "expect_column_max_to_be_between",
        "expect_column_mean_to_be_between",
        "expect_column_median_to_be_between",
        "expect_column_sum_to_be_between",
        "expect_column_stdev_to_be_between",
        "expect_column_quantile_values_to_be_between",
        "expect_column_unique_value_count_to_be_between",
        "expect_column_proportion_of_unique_values_to_be_between",
        "expect_column_proportion_of_non_null_values_to_be_between",
        "expect_column_most_common_value_to_be_in_set",
        "expect_column_distinct_values_to_be_in_set",
        "expect_column_distinct_values_to_equal_set",
        "expect_column_distinct_values_to_contain_set",
    ),
    # The table's shape: row count, columns, column types.
    "table": (
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_row_count_to_equal_other_table",
        "expect_table_column_count_to_be_between",
        "expect_table_column_count_to_equal",
        "expect_table_columns_to_match_ordered_list",
        "expect_table_columns_to_match_set",
        "expect_column_to_exist",
        "expect_column_values_to_be_of_type",
        "expect_column_values_to_be_in_type_list",
    ),
    # GX's UnexpectedRowsExpectation: an engineer's SQL over {batch}; every row it returns is unexpected.
    "unexpected_rows": ("unexpected_rows_expectation",),
}

# r57's own custom expectations (gx/custom_expectations.py), by family.
_R57_FAMILIES: dict[str, tuple[str, ...]] = {
    "column_map": (
        "expect_column_values_to_not_be_blank",
        "expect_column_values_to_be_valid_vn_tax_code",
        "expect_column_values_to_be_parseable",
        "expect_column_parsed_values_to_be_between",
        "expect_column_values_to_be_nfc",
        "expect_column_nfc_values_to_not_match_regex",
        "expect_column_stripped_values_to_match_regex",
        "expect_column_values_to_not_be_placeholder",
        # the official commune list (domain.communes): constant MAP lookups
        "expect_column_values_to_be_official_commune_code",
        "expect_column_values_to_not_be_merged_commune_code",
    ),
    "multicolumn_map": (
        "expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year",
        "expect_multicolumn_commune_to_be_in_province",
        "expect_multicolumn_address_to_name_commune",
    ),
    # the rows beyond the first of each group of equal keys
    "duplicates": ("expect_compound_columns_to_have_no_duplicates",),
    # keys looked up in a master table (one LEFT JOIN query per table)
    "master": (
        "expect_column_values_to_exist_in_other_table",
        "expect_multicolumn_values_to_agree_with_other_table",
    ),
}

FAMILY: MappingProxyType[str, str] = MappingProxyType(
    {t: f for families in (_FAMILIES, _R57_FAMILIES) for f, types in families.items() for t in types}
)
COMPILED_TYPES: frozenset[str] = frozenset(FAMILY)
ROW_LEVEL_FAMILIES = frozenset({"column_map", "pair_map", "multicolumn_map", "ordered", "unique", "duplicates", "master"})
ROW_LEVEL_TYPES: frozenset[str] = frozenset(t for t, f in FAMILY.items() if f in ROW_LEVEL_FAMILIES)
R57_TYPES: frozenset[str] = frozenset(t for types in _R57_FAMILIES.values() for t in types)

# An authored expectation without meta.dimension gets the dimension its type measures (docs/validation.md).
# The table's shape (row and column counts, columns present) is sufficiency; a column's type is correctness.
_SUFFICIENT = frozenset(t for t in _FAMILIES["table"] if "_of_type" not in t and "_in_type_list" not in t) | {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_not_be_blank",
    "expect_column_distinct_values_to_contain_set",
    "expect_column_proportion_of_non_null_values_to_be_between",
}
_CLEAN = frozenset(
    {
        "expect_column_values_to_be_unique",
        "expect_compound_columns_to_be_unique",
        "expect_compound_columns_to_have_no_duplicates",
        "expect_column_proportion_of_unique_values_to_be_between",
        "expect_column_values_to_be_nfc",
    }
)
DEFAULT_SEVERITY = "major"


def family(expectation_type: str) -> str | None:
    """The compiler family of a type, or None when only GX runs it."""
    return FAMILY.get(expectation_type)


def default_dimension(expectation_type: str) -> str:
    if expectation_type in _SUFFICIENT:
        return "sufficient"
    if expectation_type in _CLEAN:
        return "clean"
    return "correct"
