"""Materialisation metadata that Dagster itself understands."""

import dagster as dg

# Dagster's standard row count: the UI shows it on the asset's page and plots it across materialisations.
ROW_COUNT = "dagster/row_count"


def row_count(rows: int) -> dict[str, dg.MetadataValue]:
    """`{"dagster/row_count": rows}`, for an asset that wrote `rows` rows to its table(s) in this run."""
    return {ROW_COUNT: dg.MetadataValue.int(rows)}
