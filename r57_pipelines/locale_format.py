"""Numbers, dates and times as each reader writes them, through Babel (CLDR).

A Vietnamese reader writes 3.330 and 93,3 where an English one writes 3,330 and 93.3: "3,330" in a
Vietnamese page reads as three point three. Every reviewer-facing number (report tables, reasons,
workbook texts) goes through here. Times are shown in Vietnam time, the programme's clock.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
LOCALES = {"vi": "vi_VN", "en": "en_GB"}  # en_GB: day before month, as in Vietnamese
DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
TIME_PATTERNS = {"vi": "HH:mm 'ngày' dd/MM/yyyy '(giờ Việt Nam)'", "en": "HH:mm, d MMM yyyy '(Vietnam time)'"}


def number(value: float | int | None, lang: str, digits: int | None = 0) -> str:
    """``value`` with its thousands grouped and ``digits`` decimals: 3.330 / 93,3 in Vietnamese."""
    if value is None:
        return "—"
    digits = digits or 0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


def percent(share: float, lang: str, digits: int = 1) -> str:
    """A share 0..1 as a percentage: 26,9% / 26.9%."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(share, format=pattern, locale=LOCALES[lang])


def date(value: dt.date | str, lang: str) -> str:
    """A calendar date: 31/12/2025 / 31 Dec 2025."""
    day = dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value
    return format_date(day, DATE_PATTERNS[lang], locale=LOCALES[lang])


def moment(value: dt.datetime | str, lang: str) -> str:
    """A point in time in Vietnam time: 23:35 ngày 02/12/2026 (giờ Việt Nam)."""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return format_datetime(when, TIME_PATTERNS[lang], tzinfo=VIETNAM, locale=LOCALES[lang])
