"""The suite parameters of one validation run, from the as-of date and the reviewed readiness policy.

Suites never hold a date or a volume (they would change every day): these values fill their
``{"$PARAMETER": ...}`` placeholders. See ``suites.PARAMETERS`` and docs/validation.md.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from r57_pipelines.readiness.policy import Policy, default_policy
from r57_pipelines.registry import Database

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def suite_parameters(
    database: Database,
    as_of: dt.date,
    *,
    previous_rows: Mapping[str, int] | None = None,
    policy: Policy | None = None,
) -> dict[str, object]:
    """Parameters for every suite of ``database`` evaluated as of ``as_of`` (a day in Vietnam).

    ``previous_rows``: each table's row count in the previous accepted delivery (None or a missing
    table: no volume floor, ``min_rows`` 0).
    """
    policy = policy or default_policy()
    end_of_day = dt.datetime.combine(as_of, dt.time(23, 59, 59), tzinfo=VIETNAM)
    max_age = policy.live.max_extract_age_days[database.cadence]
    ratio = policy.sufficient.min_rows_ratio_to_previous
    return {
        "as_of_date": as_of.isoformat(),
        "as_of": end_of_day.isoformat(),
        "extracted_since": (end_of_day - dt.timedelta(days=max_age)).isoformat(),
        "recent_since": (end_of_day - dt.timedelta(days=policy.live.recent_window_days)).isoformat(),
        "recent_share": policy.live.recent_min_share,
        "min_rows": {
            table.name: math.floor(ratio * (previous_rows or {}).get(table.name, 0)) for table in database.contract.tables
        },
    }
