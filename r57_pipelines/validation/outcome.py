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

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from r57_pipelines.masking import mask_engine_message
from r57_pipelines.validation.conditions import expectation_columns
from r57_pipelines.validation.failing_rows import failing_rows_sql
from r57_pipelines.validation.params import resolve_kwargs
from r57_pipelines.validation.registry import FAMILY, ROW_LEVEL_TYPES

if TYPE_CHECKING:
    from sqlglot import exp

# Row-level checks whose failing rows are kept (ordered checks fail by their neighbours, not on their own).
QUARANTINED_TYPES = frozenset(t for t in ROW_LEVEL_TYPES if FAMILY[t] != "ordered")


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
    engine: str = "onepass"  # onepass: compiled into r57's query; gx: run by Great Expectations itself
    expectation: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # GX's partial_unexpected_list: raw failing values, in memory only (never recorded: personal data).
    partial_unexpected_list: list | None = field(default=None, repr=False, compare=False)

    @property
    def column(self) -> str | None:
        return self.columns[0] if len(self.columns) == 1 else None

    @property
    def evaluated(self) -> bool:
        return self.success is not None

    @property
    def row_level(self) -> bool:
        """Whether failing rows can be listed (``failing_rows_sql``)."""
        return self.engine == "onepass" and self.expectation_type in QUARANTINED_TYPES

    def failing_rows_sql(self, available_columns: Mapping[str, str] | Collection[str] | None = None) -> exp.Select:
        """A sqlglot SELECT of the full rows (all columns) failing this expectation (failing_rows.py)."""
        return failing_rows_sql(self.schema, self.table, self.expectation, available_columns)

    def as_record(self) -> dict[str, Any]:
        """A flat, json-able dict (for r57.check_results and reports)."""
        record = asdict(self)
        record.pop("expectation")
        record.pop("partial_unexpected_list")
        record["columns"] = list(self.columns)
        return record


def not_evaluated_reason(outcome: ExpectationOutcome) -> str | None:
    """Why an outcome was not evaluated (None when it was)."""
    if outcome.success is None and isinstance(outcome.observed_value, dict):
        return outcome.observed_value.get("not_evaluated")
    return None


def mostly_success(considered: int, unexpected: int, mostly: float) -> bool:
    """GX's rule (``_mostly_success``): vacuously true with nothing to judge."""
    if considered == 0:
        return True
    return (considered - unexpected) / considered >= mostly


def not_evaluated(
    database: str, schema: str, table: str, expectation: Mapping[str, Any], reason: str, *, engine: str = "onepass"
) -> ExpectationOutcome:
    return make_outcome(database, schema, table, expectation, 0, 0, None, {"not_evaluated": reason}, engine=engine)


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
    engine: str = "onepass",
) -> ExpectationOutcome:
    meta = expectation.get("meta", {})
    columns = tuple(expectation_columns(expectation))
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
        engine=engine,
        expectation=expectation,
    )


def _raised(info: Mapping[str, Any]) -> str | None:
    """GX reports an exception at the top level, or per failed metric in a dict keyed by metric id."""
    candidates = [info, *(v for v in info.values() if isinstance(v, Mapping))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            lines = (candidate.get("exception_message") or "exception").strip().splitlines()
            return lines[0] if lines else "exception"
    return None


def _gx_success(value: Any) -> bool:
    """GX's success may be a numpy bool that JSON renders as the text "True" / "False"."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


def outcome_from_gx(
    schema: str,
    table: str,
    expectation: Mapping[str, Any],
    result: Mapping[str, Any],
    parameters: Mapping[str, Any] | None = None,
    *,
    database: str | None = None,
) -> ExpectationOutcome:
    """Translate one GX ``ExpectationValidationResult`` (as json) into the r57 conventions (engine ``gx``)."""
    database = database or schema.removeprefix("raw_")
    expectation = {**expectation, "kwargs": resolve_kwargs(expectation["kwargs"], parameters or {})}
    raised = _raised(result.get("exception_info") or {})
    if raised is not None:
        return not_evaluated(database, schema, table, expectation, f"GX raised: {mask_engine_message(raised)}", engine="gx")
    body = result.get("result") or {}
    success = _gx_success(result["success"])
    kind = expectation["type"]
    kwargs = expectation["kwargs"]

    def outcome(element: int, unexpected: int, observed: Any = None, considered: int | None = None) -> ExpectationOutcome:
        made = make_outcome(database, schema, table, expectation, element, unexpected, success, observed,
                            considered_count=considered, engine="gx")
        return replace(made, partial_unexpected_list=body.get("partial_unexpected_list"))

    if kind == "expect_table_columns_to_match_set":
        missing = sorted((body.get("details") or {}).get("mismatched", {}).get("missing", []) or [])
        return outcome(len(kwargs["column_set"]), len(missing), {"missing": missing})
    if kind == "expect_table_row_count_to_be_between":
        rows = int(body["observed_value"])
        wanted = int(kwargs.get("min_value") or 0)
        return outcome(wanted, max(0, wanted - rows), rows)
    if kind == "expect_column_distinct_values_to_contain_set":
        # GX lists at most partial_unexpected_count missing values; the count is exact.
        missing = sorted(body.get("partial_missing_list") or [])
        return outcome(len(set(kwargs["value_set"])), int(body.get("missing_count") or 0), {"missing": missing})
    if kind == "expect_compound_columns_to_have_no_duplicates":
        observed = body["observed_value"]
        return outcome(body["element_count"], body["unexpected_count"], observed, observed["considered_count"])
    if "element_count" in body and "unexpected_count" in body:  # a map expectation, GX's or a plug-in's
        element = int(body["element_count"])
        unexpected = int(body["unexpected_count"] or 0)
        missing_count = body.get("missing_count")
        considered = element - int(missing_count) if missing_count is not None else element
        share = round(unexpected / considered, 6) if considered else None
        return outcome(element, unexpected, share, considered)
    # An aggregate or table expectation: passes whole or not at all.
    return outcome(0, 0, body.get("observed_value"))
