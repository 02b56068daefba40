"""Everything r57 runs through Great Expectations itself, in one place.

* ``gx_duckdb``: the adapter that makes GX's SQL datasource work on DuckDB, GX's context, and ``run_gx`` (a whole
  suite through GX: the reference path of the tests and the benchmark);
* ``gx_fallback``: the types r57 does not compile, run by GX on the run's own connection; plug-in loading;
* ``custom_expectations``: r57's types as GX expectations, their metrics compiled from the one-pass conditions.

Nothing else in ``r57_pipelines`` imports these modules at module level, and nothing here imports GX at module
level except ``custom_expectations`` (imported by ``gx_duckdb.gx_context``): the Dagster Definitions stay fast
to load. The dependency runs one way: these modules read ``validation``'s compiler, never the reverse.
"""
