"""A GX custom expectation, as a ministry's engineer would add one: fees are whole multiples of a step.

Put a module like this in `<expectations dir>/plugins/`. r57 imports every module there before Great
Expectations runs, and GX registers the class under its snake-case name,
`expect_column_values_to_be_multiple_of`, usable in any authored suite. r57 does not compile it: the check
runs through GX itself on the same DuckDB table (engine `gx` in the results).
"""

from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.expectation import ColumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnMapMetricProvider,
    column_condition_partial,
)


class ColumnValuesMultipleOf(ColumnMapMetricProvider):
    condition_metric_name = "column_values.multiple_of"
    condition_value_keys = ("step",)

    @column_condition_partial(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, column, step, **kwargs):
        return column % step == 0  # the EXPECTED condition; GX counts the rows where it is false


class ExpectColumnValuesToBeMultipleOf(ColumnMapExpectation):
    """Expect each value to be a whole multiple of `step` (e.g. fees in thousands of dong)."""

    step: float
    map_metric = "column_values.multiple_of"
    success_keys = ("step", "mostly")
