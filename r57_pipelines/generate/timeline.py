"""When a delivery was extracted and when its records were created and last updated.

All times are Vietnam local time (UTC+07:00, no daylight saving), held as naive day or second counts
since 1970-01-01 and written with an explicit "+07:00".

Fresh extracts are dated within the database's cadence before as-of (daily: the previous evening;
weekly: 1-6 days; monthly: 5-25 days; quarterly: 20-80 days). In a fresh delivery about
RECENT_SHARE of records (and every record created in the last year) were updated in the 365 days
before as-of. A stale delivery was extracted STALE_EXTRACT_DAYS before as-of and none of its records was
created or updated in the 365 days before as-of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

EPOCH = dt.date(1970, 1, 1)
DAY = 86_400
UTC_OFFSET = "+07:00"

EXTRACT_WINDOW_DAYS = {"daily": (1, 1), "weekly": (1, 6), "monthly": (5, 25), "quarterly": (20, 80)}
STALE_EXTRACT_DAYS = (150, 240)
RECENT_DAYS = 364  # "updated within the 365 days before as-of", with a day's margin
STALE_CREATED_BEFORE_DAYS = 400
RECENT_SHARE = 0.5


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def iso_local(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + UTC_OFFSET


@dataclass(frozen=True)
class Timeline:
    """The time frame of one delivery."""

    as_of: dt.date
    extracted_at: dt.datetime  # naive local time
    stale: bool

    @property
    def extracted_second(self) -> int:
        return int((self.extracted_at - dt.datetime(1970, 1, 1)).total_seconds())

    @property
    def last_created_day(self) -> int:
        """Latest day a record may have been created."""
        if self.stale:
            return day_number(self.as_of) - STALE_CREATED_BEFORE_DAYS
        return day_number(self.extracted_at.date()) - 1

    @property
    def recent_start_second(self) -> int:
        return (day_number(self.as_of) - RECENT_DAYS) * DAY

    def created_days(self, rng: np.random.Generator, first_day: np.ndarray, skew: float = 1.5) -> np.ndarray:
        """Creation days between first_day (per row) and last_created_day, denser towards the end."""
        last = self.last_created_day
        first = np.minimum(first_day.astype(np.int64), last)
        u = rng.random(first.size)
        return (first + np.floor((1.0 - u**skew) * (last - first + 1))).astype(np.int64).clip(max=last)

    def updated_seconds(self, rng: np.random.Generator, created_day: np.ndarray) -> np.ndarray:
        """Last-update moments, never before creation nor after the extract."""
        created = np.asarray(created_day, dtype=np.int64) * DAY + 8 * 3600  # offices open at 08:00
        end = self.extracted_second
        if self.stale:
            end = min(end, (day_number(self.as_of) - RECENT_DAYS - 2) * DAY)
            return created + np.floor(rng.random(created.size) * np.maximum(end - created, 0)).astype(np.int64)
        recent_start = self.recent_start_second
        old_end = recent_start - 2 * DAY
        recent = (rng.random(created.size) < RECENT_SHARE) | (created >= old_end)
        low = np.where(recent, np.maximum(created, recent_start), created)
        high = np.where(recent, end, old_end)
        return low + np.floor(rng.random(created.size) * np.maximum(high - low, 0)).astype(np.int64)


def extract_moment(as_of: dt.date, cadence: str, rng: np.random.Generator, stale: bool) -> dt.datetime:
    """When the delivery was extracted: within the cadence before as-of, or long ago when stale."""
    low, high = STALE_EXTRACT_DAYS if stale else EXTRACT_WINDOW_DAYS[cadence]
    days_before = int(rng.integers(low, high + 1))
    if cadence == "daily" and not stale:
        hour = int(rng.integers(20, 24))  # nightly batch, the previous evening
    else:
        hour = int(rng.integers(17, 24))
    minute, second = int(rng.integers(0, 60)), int(rng.integers(0, 60))
    return dt.datetime.combine(as_of - dt.timedelta(days=days_before), dt.time(hour, minute, second))
