"""Mask personal data before anything a reviewer reads: reports, logs, Dagster metadata, GX results.

Masks keep just enough to recognise a pattern (a personal number's province-and-century prefix, a
phone's carrier prefix, a birth year), never enough to identify a person.
"""

from __future__ import annotations

import re

from r57_pipelines.registry import ColumnKind

MASK = "•"
_DIGIT_RUN = re.compile(r"\d{6,}")


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return MASK * len(value)
    return value[:head] + MASK * (len(value) - head - tail) + value[len(value) - tail :]


def mask_value(kind: ColumnKind | str, value: object) -> str | None:
    """The reviewer-safe form of one value of a column of `kind`."""
    if value is None:
        return None
    text = str(value)
    match ColumnKind(kind):
        case ColumnKind.personal_id:
            return _keep_ends(text, 4, 0)  # province of registration + century/sex digit only
        case ColumnKind.phone:
            return _keep_ends(text, 3, 0)
        case ColumnKind.person_name:
            return " ".join(word[:1] + MASK * 2 for word in text.split()) or MASK
        case ColumnKind.birth_date:
            return text[:4] + "-••-••" if len(text) >= 4 else MASK * len(text)
        case ColumnKind.address:
            return MASK * 3 + (" " + text.rsplit(",", 1)[-1].strip() if "," in text else "")
        case _:
            # Free text can still hold a number someone typed in: hide any long digit run.
            return _DIGIT_RUN.sub(lambda m: _keep_ends(m.group(), 3, 0), text[:120])


def mask_text(text: str) -> str:
    """For log lines and messages that might quote a value: hide every run of 6+ digits."""
    return _DIGIT_RUN.sub(lambda m: _keep_ends(m.group(), 3, 0), text)


_QUOTED = re.compile(r"'[^'\n]{0,200}'|\"[^\"\n]{0,200}\"")


def mask_engine_message(text: str) -> str:
    """An engine's error message (DuckDB, GX) as a reviewer may read it: such messages quote the offending
    value ("Could not convert string '0790...' to INT32"), so every quoted part and long digit run is hidden."""
    return mask_text(_QUOTED.sub("'…'", text))
