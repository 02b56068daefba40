"""Data-quality validation: GX suites derived from the contracts, the one-pass DuckDB validator, GX adapter.

Nothing here imports Great Expectations at module import time except ``custom_expectations`` (which is
itself only imported by ``gx_duckdb`` functions): the Dagster Definitions must stay fast to load.
"""
