"""Suite parameters for one run, derived from the as-of date, the policy and the previous delivery."""

from __future__ import annotations

import datetime as dt
import json
import math

import duckdb

from r57_pipelines.readiness.policy import Policy
from r57_pipelines.registry import Database
from r57_pipelines.locale_format import VIETNAM


def previous_table_rows(con: duckdb.DuckDBPyConnection, database_id: str, as_of: dt.date) -> dict[str, int]:
    """Rows per table of the last delivery loaded before this as-of date that differs from the current one."""
    row = con.execute(
        """
        select files from r57.deliveries
        where database_id = ? and as_of < ? and status in ('loaded', 'unchanged')
        order by as_of desc limit 1
        """,
        [database_id, as_of],
    ).fetchone()
    if row is None:
        return {}
    files = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return {f["table"]: int(f["rows"]) for f in files if f.get("rows") is not None}


def suite_parameters(
    database: Database, as_of: dt.date, policy: Policy, previous_rows: dict[str, int]
) -> dict[str, object]:
    """Values of the suites' `$PARAMETER`s (documented in validation/suites.py PARAMETERS).

    `min_rows` is per table: a share of the previous delivery's rows (0 for a first delivery).
    """
    end_of_day = dt.datetime.combine(as_of, dt.time(23, 59, 59), tzinfo=VIETNAM)
    common = {
        "as_of_date": as_of.isoformat(),
        "as_of": end_of_day.isoformat(),
        "recent_since": (end_of_day - dt.timedelta(days=policy.live.recent_window_days)).isoformat(),
        "recent_share": policy.live.recent_min_share,
        "extracted_since": (
            end_of_day - dt.timedelta(days=policy.live.max_extract_age_days[database.cadence])
        ).isoformat(),
    }
    ratio = policy.sufficient.min_rows_ratio_to_previous
    min_rows = {t.name: math.floor(previous_rows.get(t.name, 0) * ratio) for t in database.contract.tables}
    return {**common, "min_rows": min_rows}
