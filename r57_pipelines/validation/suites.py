"""Great Expectations suites derived from the delivery contracts (one per contract table).

``build_suites(database)`` returns ``{"<database_id>.<table>": suite_json}``: GX 1.x ExpectationSuite JSON,
exactly what ``ExpectationSuite(**suite_json).to_json_dict()`` gives back. ``write_suites`` writes them
to ``expectations/<database_id>/<table>.json`` (plus ``_r57_delivery.json``, the live extract check).
Pure Python: GX is not imported here.

Every expectation's ``meta`` holds ``check_id`` (``<table>.<column>.<rule>`` or ``<table>.<rule>``, stable:
reports and history key on it), ``dimension`` (correct | sufficient | clean | live), ``severity``
(critical | major | minor; also mapped to GX's own ``severity``) and a plain-English ``description``.
Values that depend on the day of the run are GX suite parameters (``{"$PARAMETER": name}``), so committed
suites never change with the date; ``PARAMETERS`` documents each one. The rules per column kind are in
docs/validation.md.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from r57_pipelines.registry import ColumnKind, Database, Registry, Table
from r57_pipelines.validation import rules

GX_VERSION = "1.24.1"
DELIVERY_TABLE = "_r57_delivery"
DIMENSIONS = ("correct", "sufficient", "clean", "live")
SEVERITIES = ("critical", "major", "minor")
GX_SEVERITY = {"critical": "critical", "major": "warning", "minor": "info"}

PARAMETERS: dict[str, str] = {
    "as_of_date": "The as-of date, YYYY-MM-DD: no date (birth, registration ...) may be later.",
    "as_of": "The end of the as-of day, ISO 8601 with offset: no updated_at may be later.",
    "recent_since": "ISO 8601 with offset: records updated at or after it count as recently maintained.",
    "recent_share": "0-1: the share of records that must be recently maintained (GX `mostly`).",
    "extracted_since": "ISO 8601 with offset: the delivery's extract must be at least this recent.",
    "min_rows": "Row count the table must reach (e.g. 90% of the previous delivery; 0 for a first one).",
}

EARLIEST_DATE = "1900-01-01"
EARLIEST_TIMESTAMP = "1900-01-01T00:00:00+00:00"

_TEXT_KINDS = (ColumnKind.person_name, ColumnKind.address, ColumnKind.text)
_PLACEHOLDER_KINDS = (
    ColumnKind.personal_id,
    ColumnKind.tax_code,
    ColumnKind.phone,
    ColumnKind.commune_code,
    ColumnKind.person_name,
    ColumnKind.address,
    ColumnKind.plate,
    ColumnKind.text,
    ColumnKind.code,
)
_DATE_KINDS = (ColumnKind.birth_date, ColumnKind.date)


def _param(name: str) -> dict[str, str]:
    if name not in PARAMETERS:
        raise KeyError(f"undocumented suite parameter {name!r}")
    return {"$PARAMETER": name}


class _SuiteBuilder:
    def __init__(self, table: str) -> None:
        self.table = table
        self.expectations: list[dict[str, Any]] = []
        self._ids: set[str] = set()

    def add(self, check: str, type_: str, kwargs: dict[str, Any], dimension: str, severity: str, description: str) -> None:
        check_id = f"{self.table}.{check}"
        if check_id in self._ids:
            raise ValueError(f"duplicate check_id {check_id}")
        assert dimension in DIMENSIONS and severity in SEVERITIES
        self._ids.add(check_id)
        self.expectations.append(
            {
                "type": type_,
                "kwargs": kwargs,
                "meta": {"check_id": check_id, "description": description, "dimension": dimension, "severity": severity},
                "severity": GX_SEVERITY[severity],
            }
        )

    def suite(self, name: str, meta: dict[str, Any]) -> dict[str, Any]:
        return {
            "name": name,
            "id": None,
            "expectations": self.expectations,
            "meta": {**meta, "great_expectations_version": GX_VERSION},
            "notes": None,
        }


def _column_rules(b: _SuiteBuilder, table: Table) -> None:
    pk = set(table.primary_key)
    for col in table.columns:
        c, kind = col.name, col.kind
        label = c.replace("_", " ")
        if col.required:
            b.add(f"{c}.present", "expect_column_values_to_not_be_blank", {"column": c}, "sufficient",
                  "critical" if c in pk else "major", f"Every record has its {label} filled in (not null, not empty).")
        if kind == ColumnKind.personal_id:
            b.add(f"{c}.valid_format", "expect_column_values_to_match_regex",
                  {"column": c, "regex": rules.PERSONAL_ID_FULL_REGEX}, "correct", "critical",
                  f"{label.capitalize()} is a 12-digit personal identification number: a known birth-registration "
                  "code, a century/sex digit 0-5, then 8 digits.")
        elif kind == ColumnKind.tax_code:
            b.add(f"{c}.valid_tax_code", "expect_column_values_to_be_valid_vn_tax_code", {"column": c}, "correct",
                  "critical" if c in pk else "major",
                  f"{label.capitalize()} is a tax code of 10 digits (optionally -NNN) with a correct check digit.")
        elif kind == ColumnKind.phone:
            b.add(f"{c}.valid_mobile", "expect_column_stripped_values_to_match_regex",
                  {"column": c, "regex": rules.phone_regex(), "strip_regex": rules.PHONE_STRIP_REGEX}, "correct",
                  "major", f"{label.capitalize()} is a Vietnamese mobile number (libphonenumber's patterns; "
                  "0 or +84 prefix, separators allowed).")
            b.add(f"{c}.national_form", "expect_column_values_to_match_regex",
                  {"column": c, "regex": rules.CANONICAL_PHONE_REGEX}, "clean", "minor",
                  f"{label.capitalize()} is written in the 10-digit national form 0XXXXXXXXX.")
        elif kind == ColumnKind.province_code:
            b.add(f"{c}.current_province", "expect_column_values_to_be_in_set",
                  {"column": c, "value_set": rules.province_codes()}, "correct", "major",
                  f"{label.capitalize()} is one of the 34 provincial units in force since 1 Jul 2025 "
                  "(an old pre-merger code is stale).")
            b.add(f"{c}.coverage", "expect_column_distinct_values_to_contain_set",
                  {"column": c, "value_set": rules.province_codes()}, "sufficient", "major",
                  "Records cover all 34 provincial units.")
        elif kind == ColumnKind.commune_code:
            b.add(f"{c}.in_official_list", "expect_column_values_to_be_official_commune_code",
                  {"column": c}, "correct", "major",
                  f"{label.capitalize()} exists in the official list of communes (the 3,321 units in force since "
                  "1 Jul 2025, or a unit merged on that day: that is the not_merged finding).")
            b.add(f"{c}.not_merged", "expect_column_values_to_not_be_merged_commune_code",
                  {"column": c}, "correct", "major",
                  f"{label.capitalize()} is not the code of a unit merged on 1 July 2025 (a pre-reform commune code).")
        elif kind == ColumnKind.plate:
            b.add(f"{c}.valid_format", "expect_column_values_to_match_regex",
                  {"column": c, "regex": rules.PLATE_FULL_REGEX}, "correct", "major",
                  f"{label.capitalize()} is a car (30A-123.45) or motorbike (29B1-234.56) plate.")
        elif kind == ColumnKind.sex:
            b.add(f"{c}.valid_value", "expect_column_values_to_be_in_set",
                  {"column": c, "value_set": list(rules.SEX_VALUES)}, "correct", "major",
                  f"{label.capitalize()} is {rules.SEX_VALUES[0]!r} or {rules.SEX_VALUES[1]!r}.")
        elif kind in _DATE_KINDS:
            b.add(f"{c}.valid_date", "expect_column_values_to_be_parseable", {"column": c, "as_type": "date"},
                  "correct", "major", f"{label.capitalize()} is a real calendar date (YYYY-MM-DD or DD/MM/YYYY).")
            b.add(f"{c}.in_range", "expect_column_parsed_values_to_be_between",
                  {"column": c, "as_type": "date", "min_value": EARLIEST_DATE, "max_value": _param("as_of_date")},
                  "correct", "major", f"{label.capitalize()} is not before 1900 and not after the as-of date.")
            b.add(f"{c}.iso_format", "expect_column_values_to_match_regex",
                  {"column": c, "regex": rules.CANONICAL_DATE_REGEX}, "clean", "minor",
                  f"{label.capitalize()} is written YYYY-MM-DD, one format for the whole column.")
        elif kind == ColumnKind.updated_at:
            b.add(f"{c}.valid_timestamp", "expect_column_values_to_be_parseable", {"column": c, "as_type": "timestamp"},
                  "correct", "major", f"{label.capitalize()} is an ISO 8601 date-time with a UTC offset.")
            b.add(f"{c}.in_range", "expect_column_parsed_values_to_be_between",
                  {"column": c, "as_type": "timestamp", "min_value": EARLIEST_TIMESTAMP, "max_value": _param("as_of")},
                  "correct", "minor", f"{label.capitalize()} is not before 1900 and not in the future.")
            b.add(f"{c}.iso_format", "expect_column_values_to_match_regex",
                  {"column": c, "regex": rules.CANONICAL_TIMESTAMP_REGEX}, "clean", "minor",
                  f"{label.capitalize()} is written YYYY-MM-DDTHH:MM:SS+HH:MM, one format for the whole column.")
            b.add(f"{c}.recent", "expect_column_parsed_values_to_be_between",
                  {"column": c, "as_type": "timestamp", "min_value": _param("recent_since"), "mostly": _param("recent_share")},
                  "live", "major", "Enough records were updated recently (at or after recent_since).")
        elif kind == ColumnKind.amount:
            b.add(f"{c}.valid_number", "expect_column_values_to_be_parseable", {"column": c, "as_type": "number"},
                  "correct", "major", f"{label.capitalize()} is a decimal number (dot as decimal separator).")
            b.add(f"{c}.non_negative", "expect_column_parsed_values_to_be_between",
                  {"column": c, "as_type": "number", "min_value": 0}, "correct", "major",
                  f"{label.capitalize()} is not negative.")
        if kind in _TEXT_KINDS:
            b.add(f"{c}.nfc", "expect_column_values_to_be_nfc", {"column": c}, "clean", "minor",
                  f"{label.capitalize()} is stored in Unicode NFC (composed accents).")
            b.add(f"{c}.mojibake", "expect_column_nfc_values_to_not_match_regex", {"column": c, "regex": rules.MOJIBAKE},
                  "clean", "major", f"{label.capitalize()} shows no TCVN3/VNI mis-decoding (e.g. 'NguyÔn', 'Nguyeãn').")
        if kind in (*_TEXT_KINDS, ColumnKind.code):
            b.add(f"{c}.whitespace", "expect_column_values_to_not_match_regex",
                  {"column": c, "regex": rules.MESSY_WHITESPACE_REGEX}, "clean", "minor",
                  f"{label.capitalize()} is trimmed and single-spaced (no tabs, line breaks or no-break spaces).")
        if kind in _PLACEHOLDER_KINDS:
            b.add(f"{c}.not_placeholder", "expect_column_values_to_not_be_placeholder",
                  {"column": c, "value_set": rules.placeholder_values()}, "clean", "minor",
                  f"{label.capitalize()} holds no stand-in for missing data ('N/A', 'không có', '0000000000' ...).")


def _table_rules(b: _SuiteBuilder, database: Database, table: Table) -> None:
    kinds = {k: table.columns_of_kind(k) for k in ColumnKind}
    ids, sexes, births = kinds[ColumnKind.personal_id], kinds[ColumnKind.sex], kinds[ColumnKind.birth_date]
    if ids and sexes and births:
        b.add("personal_id_agrees", "expect_multicolumn_personal_id_to_agree_with_sex_and_birth_year",
              # male_value / female_value default to rules.SEX_VALUES (GX drops kwargs equal to defaults)
              {"column_list": [ids[0].name, sexes[0].name, births[0].name], "ignore_row_if": "any_value_is_missing"},
              "correct", "major", "The personal number's century/sex digit and year digits agree with the "
              "record's sex and birth year.")
    communes, provinces, addresses = kinds[ColumnKind.commune_code], kinds[ColumnKind.province_code], kinds[ColumnKind.address]
    if communes and provinces:
        commune, province = communes[0].name, provinces[0].name
        b.add(f"{commune}.in_province", "expect_multicolumn_commune_to_be_in_province",
              {"column_list": [commune, province], "ignore_row_if": "any_value_is_missing"}, "correct", "major",
              f"The commune ({commune.replace('_', ' ')}) lies in the record's province "
              f"({province.replace('_', ' ')}) according to the official list (judged when both codes are current).")
    if communes and addresses:
        commune, address = communes[0].name, addresses[0].name
        b.add(f"{address}.names_commune", "expect_multicolumn_address_to_name_commune",
              {"column_list": [address, commune], "ignore_row_if": "any_value_is_missing"}, "correct", "minor",
              f"The {address.replace('_', ' ')} names the commune of {commune.replace('_', ' ')} and its province as "
              "in the official list (contains both names; NFC, any case, accents must match).")
    for ref in table.master_refs:
        if (ref.master_database, ref.master_table) == (database.id, table.name):
            continue  # a table is not its own master
        master = f"raw_{ref.master_database}.{ref.master_table}"
        b.add(f"{ref.column}.in_master", "expect_column_values_to_exist_in_other_table",
              {"column": ref.column, "other_schema": f"raw_{ref.master_database}", "other_table": ref.master_table,
               "other_column": ref.master_column}, "correct", "critical",
              f"Every {ref.column.replace('_', ' ')} exists in the master data ({master}.{ref.master_column}).")
        for column, master_column in sorted(ref.agree.items()):
            b.add(f"{column}.agrees_with_master", "expect_multicolumn_values_to_agree_with_other_table",
                  {"column_list": [ref.column, column], "ignore_row_if": "any_value_is_missing",
                   "other_schema": f"raw_{ref.master_database}", "other_table": ref.master_table,
                   "other_key": ref.master_column, "other_column": master_column}, "correct", "major",
                  f"{column.replace('_', ' ').capitalize()} agrees with {master}.{master_column} for the same "
                  f"{ref.column.replace('_', ' ')} (compared after Unicode NFC, trimming, single spaces, lower case).")
    b.add("primary_key_unique", "expect_compound_columns_to_have_no_duplicates",
          {"column_list": list(table.primary_key)}, "clean", "critical",
          f"No two records share the primary key ({', '.join(table.primary_key)}); duplicates counted as rows "
          "beyond the first.")
    if table.natural_key and list(table.natural_key) != list(table.primary_key):
        b.add("natural_key_unique", "expect_compound_columns_to_have_no_duplicates",
              {"column_list": list(table.natural_key), "normalize": True}, "clean", "major",
              f"No person or entity appears twice under different keys: ({', '.join(table.natural_key)}) is unique "
              "after normalisation.")


def build_table_suite(database: Database, table: Table) -> dict[str, Any]:
    b = _SuiteBuilder(table.name)
    b.add("columns_present", "expect_table_columns_to_match_set",
          {"column_set": [c.name for c in table.columns], "exact_match": False}, "sufficient", "critical",
          "The delivery has every column of the contract (extra columns are allowed).")
    b.add("row_count", "expect_table_row_count_to_be_between", {"min_value": _param("min_rows")}, "sufficient",
          "major", "The table has at least min_rows records (a share of the previous delivery).")
    _column_rules(b, table)
    _table_rules(b, database, table)
    return b.suite(
        f"{database.id}.{table.name}",
        {"r57": {"database_id": database.id, "table": table.name, "schema": f"raw_{database.id}",
                 "parameters": sorted(_parameters_used(b.expectations))}},
    )


def build_delivery_suite(database: Database) -> dict[str, Any]:
    b = _SuiteBuilder(DELIVERY_TABLE)
    b.add("extracted_at.fresh", "expect_column_parsed_values_to_be_between",
          {"column": "extracted_at", "as_type": "timestamp", "min_value": _param("extracted_since")}, "live", "critical",
          f"The delivery was extracted within the {database.cadence} cadence window (at or after extracted_since).")
    return b.suite(
        f"{database.id}.{DELIVERY_TABLE}",
        {"r57": {"database_id": database.id, "table": DELIVERY_TABLE, "schema": f"raw_{database.id}",
                 "parameters": sorted(_parameters_used(b.expectations))}},
    )


def build_suites(database: Database) -> dict[str, dict[str, Any]]:
    """Every suite of one database: one per contract table, then the delivery (live) suite."""
    suites = {f"{database.id}.{t.name}": build_table_suite(database, t) for t in database.contract.tables}
    suites[f"{database.id}.{DELIVERY_TABLE}"] = build_delivery_suite(database)
    return suites


def _parameters_used(expectations: Iterable[dict[str, Any]]) -> set[str]:
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if "$PARAMETER" in value:
                found.add(value["$PARAMETER"])
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    for e in expectations:
        walk(e["kwargs"])
    return found


def _escape_invisible(text: str) -> str:
    # Vietnamese stays readable, but whitespace and format characters other than the plain space
    # (no-break space, soft hyphen ...) are written as \uXXXX: invisible in review, and editors mangle them.
    # JSON structure is ASCII, so these can only occur inside strings, where the escape means the same.
    return "".join(
        json.dumps(ch)[1:-1] if ord(ch) > 127 and (ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc", "Zs", "Zl", "Zp")) else ch
        for ch in text
    )


def suite_json(suite: dict[str, Any]) -> str:
    """The committed text: sorted keys, indent 2, trailing newline, Vietnamese kept readable."""
    return _escape_invisible(json.dumps(suite, sort_keys=True, indent=2, ensure_ascii=False)) + "\n"


def write_suites(registry: Registry, out_dir: Path | str) -> int:
    """Write every database's suites to ``out_dir/<database_id>/<table>.json``; remove stale files.

    Only ``*.json`` files inside database folders (and database folders left empty) are removed, so a
    README beside them survives. Files whose content is unchanged are not rewritten. Returns the number
    of suites.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wanted: dict[Path, str] = {}
    for database in sorted(registry.databases.values(), key=lambda d: d.id):
        for name, suite in build_suites(database).items():
            table = name.split(".", 1)[1]
            wanted[out / database.id / f"{table}.json"] = suite_json(suite)
    for path, text in wanted.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    for path in sorted(out.glob("*/*.json")):
        if path not in wanted:
            path.unlink()
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        if not any(folder.iterdir()):
            folder.rmdir()
    return len(wanted)


def load_suite(path: Path | str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))
