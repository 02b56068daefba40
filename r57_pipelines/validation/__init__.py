"""Data-quality validation: GX suites derived from the contracts, the one-pass DuckDB validator, GX adapter.

Nothing here imports Great Expectations at module import time: everything that runs GX is in ``gx/``
(imported only inside functions), and there only ``custom_expectations`` imports GX at module level (it is
itself only imported by ``gx.gx_duckdb`` functions): the Dagster Definitions must stay fast to load.
"""
