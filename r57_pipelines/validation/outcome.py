"""One expectation's result, the same shape from the one-pass path and from GX.

Counting conventions (docs/validation.md, "Counting"):

* Row-level (map) expectations: ``element_count`` is the table's row count; ``unexpected_count`` the rows
  that fail. As in GX, NULLs are not judged by format rules (they are the required-column rule's
  finding), so the share used for ``mostly`` is taken over the non-null rows (``considered_count``).
* Duplicates: the rows *beyond the first* of each group of equal keys (the rows to delete to
  deduplicate); rows with a NULL key column are not considered.
* Table-level expectations carry their own units: columns present -> contract columns (unexpected:
  missing ones); province coverage -> the 34 codes (unexpected: codes never seen); row count -> the
  ``min_rows`` asked for (unexpected: the shortfall).
* Not evaluated (table or master table not delivered): ``success`` is ``None``, counts are 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass(frozen=True)
class ExpectationOutcome:
    check_id: str
    expectation_type: str
    database: str
    table: str
    columns: tuple[str, ...]
    dimension: str
    severity: str
    element_count: int
    unexpected_count: int
    success: bool | None  # None: not evaluated
    observed_value: Any = None  # json-able
    description: str = ""
    considered_count: int | None = None  # rows judged (non-null); None for table-level expectations
    schema: str = ""  # where the table was read, e.g. raw_population
    expectation: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def column(self) -> str | None:
        return self.columns[0] if len(self.columns) == 1 else None

    @property
    def evaluated(self) -> bool:
        return self.success is not None

    @property
    def row_level(self) -> bool:
        """Whether failing rows can be listed (``failing_rows_sql``)."""
        from r57_pipelines.validation.onepass import ROW_LEVEL_TYPES

        return self.expectation_type in ROW_LEVEL_TYPES

    def failing_rows_sql(self, available_columns: set[str] | None = None) -> exp.Select:
        """A sqlglot SELECT of the full rows (all columns) failing this expectation (see onepass)."""
        from r57_pipelines.validation.onepass import failing_rows_sql

        return failing_rows_sql(self.schema, self.table, self.expectation, available_columns)

    def as_record(self) -> dict[str, Any]:
        """A flat, json-able dict (for r57.check_results and reports)."""
        record = asdict(self)
        record.pop("expectation")
        record["columns"] = list(self.columns)
        return record


def mostly_success(considered: int, unexpected: int, mostly: float) -> bool:
    """GX's rule (``_mostly_success``): vacuously true with nothing to judge."""
    if considered == 0:
        return True
    return (considered - unexpected) / considered >= mostly


def not_evaluated(database: str, schema: str, table: str, expectation: Mapping[str, Any], reason: str) -> ExpectationOutcome:
    return make_outcome(database, schema, table, expectation, 0, 0, None, {"not_evaluated": reason})


def make_outcome(
    database: str,
    schema: str,
    table: str,
    expectation: Mapping[str, Any],
    element_count: int,
    unexpected_count: int,
    success: bool | None,
    observed_value: Any = None,
    considered_count: int | None = None,
) -> ExpectationOutcome:
    meta = expectation.get("meta", {})
    kwargs = expectation.get("kwargs", {})
    columns = tuple(kwargs["column_list"]) if "column_list" in kwargs else (
        (kwargs["column"],) if "column" in kwargs else ()
    )
    return ExpectationOutcome(
        check_id=meta["check_id"],
        expectation_type=expectation["type"],
        database=database,
        table=table,
        columns=columns,
        dimension=meta["dimension"],
        severity=meta["severity"],
        element_count=int(element_count),
        unexpected_count=int(unexpected_count),
        success=success,
        observed_value=observed_value,
        description=meta.get("description", ""),
        considered_count=considered_count,
        schema=schema,
        expectation=expectation,
    )


def _resolve(value: Any, parameters: Mapping[str, Any] | None) -> Any:
    if isinstance(value, dict) and "$PARAMETER" in value:
        return (parameters or {})[value["$PARAMETER"]]
    return value


def _raised(info: Mapping[str, Any]) -> str | None:
    """GX reports an exception at the top level, or per failed metric in a dict keyed by metric id."""
    candidates = [info, *(v for v in info.values() if isinstance(v, Mapping))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            lines = (candidate.get("exception_message") or "exception").strip().splitlines()
            return lines[0] if lines else "exception"
    return None


def _resolve_all(value: Any, parameters: Mapping[str, Any] | None) -> Any:
    if isinstance(value, dict) and "$PARAMETER" not in value:
        return {k: _resolve_all(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve_all(v, parameters) for v in value]
    return _resolve(value, parameters)


def outcome_from_gx(
    schema: str,
    table: str,
    expectation: Mapping[str, Any],
    result: Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
) -> ExpectationOutcome:
    """Translate one GX ``ExpectationValidationResult`` (as json) into the r57 conventions."""
    database = schema.removeprefix("raw_")
    expectation = {**expectation, "kwargs": _resolve_all(expectation["kwargs"], parameters)}
    raised = _raised(result.get("exception_info") or {})
    if raised is not None:
        return not_evaluated(database, schema, table, expectation, f"GX raised: {raised}")
    body = result.get("result") or {}
    success = bool(result["success"])
    kind = expectation["type"]
    kwargs = expectation["kwargs"]
    if kind == "expect_table_columns_to_match_set":
        missing = sorted((body.get("details") or {}).get("mismatched", {}).get("missing", []) or [])
        return make_outcome(database, schema, table, expectation, len(kwargs["column_set"]), len(missing), success, {"missing": missing})
    if kind == "expect_table_row_count_to_be_between":
        rows = int(body["observed_value"])
        wanted = int(kwargs.get("min_value") or 0)
        return make_outcome(database, schema, table, expectation, wanted, max(0, wanted - rows), success, rows)
    if kind == "expect_column_distinct_values_to_contain_set":
        # GX lists at most partial_unexpected_count missing values; the count is exact.
        missing = sorted(body.get("partial_missing_list") or [])
        missing_count = int(body.get("missing_count") or 0)
        return make_outcome(
            database, schema, table, expectation, len(set(kwargs["value_set"])), missing_count, success, {"missing": missing}
        )
    if kind == "expect_compound_columns_to_have_no_duplicates":
        observed = body["observed_value"]
        return make_outcome(
            database, schema, table, expectation, body["element_count"], body["unexpected_count"], success,
            observed, considered_count=observed["considered_count"],
        )
    element = int(body["element_count"])
    unexpected = int(body["unexpected_count"])
    missing_count = body.get("missing_count")
    considered = element - int(missing_count) if missing_count is not None else element
    return make_outcome(
        database, schema, table, expectation, element, unexpected, success, None, considered_count=considered,
    )
