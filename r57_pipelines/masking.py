"""Mask personal data before anything a reviewer reads: reports, logs, Dagster metadata, GX results.

Masking goes by the column's kind (``ColumnKind`` in the registry), never by the look of a value alone:

- **Personal kinds** (``PII_KINDS``: personal id, person name, birth date, phone, address, and the tax
  codes and plates that Decree 13/2023 counts as basic personal data) are masked. The mask keeps just
  enough to recognise a pattern (a personal number's province-and-century prefix, a phone's carrier
  prefix, a birth year, a plate's province series, the last part of an address), never enough to identify
  a person.
- **Identifiers, codes and facts that are not about a person are shown as they are**: record ids and
  other codes (``code``), province and commune codes, sex, dates and timestamps that are not birth dates
  (``date``, ``updated_at``) and numbers (``amount``). A ministry reading its failing samples must be able
  to find its own records (a duplicated record id, a stale ``updated_at``). One exception for ``code``: a
  value that is nothing but 12 digits has the shape of a personal number typed into the wrong column, and
  is masked like one.
- **Free text** (``text``: names of entities, descriptions) is shown with every run of 6 or more digits
  masked (someone may have typed a personal number or a phone into it), and cut to 120 characters.
- **Unknown kind** (``kind=None``: a column outside the delivery contract, e.g. one an authored suite
  checks that the ministry delivered beyond its contract) may hold anything, so nothing of it is shown.
  r57's own metadata tables (``raw_<db>._r57_delivery``: ``extracted_at``, ``sha256``, ``rows``) are not
  personal: their callers give their columns a kind (see ``quality.store.OWN_TABLE_KINDS``).
"""

from __future__ import annotations

import re

from r57_pipelines.registry import ColumnKind

MASK = "•"
UNKNOWN_MASK = MASK * 3  # a column of unknown kind: nothing of its value
_DIGIT_RUN = re.compile(r"\d{6,}")
_PERSONAL_NUMBER_SHAPE = re.compile(r"\s*\d{12}\s*")

# Shown as they are: identifiers of records, codes, dates that are not birth dates, enumerations, numbers.
SHOWN_KINDS = frozenset(
    {
        ColumnKind.code,
        ColumnKind.province_code,
        ColumnKind.commune_code,
        ColumnKind.sex,
        ColumnKind.date,
        ColumnKind.updated_at,
        ColumnKind.amount,
    }
)
_IDENTIFIER_KINDS = frozenset({ColumnKind.code})


def _keep_ends(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return MASK * len(value)
    return value[:head] + MASK * (len(value) - head - tail) + value[len(value) - tail :]


def mask_value(kind: ColumnKind | str | None, value: object) -> str | None:
    """The reviewer-safe form of one value of a column of `kind` (None: a column of unknown kind)."""
    if value is None:
        return None
    text = str(value)
    if kind is None:
        return UNKNOWN_MASK
    kind = ColumnKind(kind)
    if kind in SHOWN_KINDS:
        if kind in _IDENTIFIER_KINDS and _PERSONAL_NUMBER_SHAPE.fullmatch(text):
            return _keep_ends(text.strip(), 4, 0)
        return text
    match kind:
        case ColumnKind.personal_id:
            return _keep_ends(text, 4, 0)  # province of registration + century/sex digit only
        case ColumnKind.phone | ColumnKind.tax_code:
            return _keep_ends(text, 3, 0)
        case ColumnKind.plate:
            return _keep_ends(text, 3, 0)  # the province series (30A), not the vehicle
        case ColumnKind.person_name:
            return " ".join(word[:1] + MASK * 2 for word in text.split()) or MASK
        case ColumnKind.birth_date:
            return text[:4] + "-••-••" if len(text) >= 4 else MASK * len(text)
        case ColumnKind.address:
            return MASK * 3 + (" " + text.rsplit(",", 1)[-1].strip() if "," in text else "")
        case _:
            # Free text can still hold a number someone typed in: hide any long digit run.
            return mask_text(text[:120])


def mask_text(text: str) -> str:
    """For log lines and messages that might quote a value: hide every run of 6+ digits."""
    return _DIGIT_RUN.sub(lambda m: _keep_ends(m.group(), 3, 0), text)


_QUOTED = re.compile(r"'[^'\n]{0,200}'|\"[^\"\n]{0,200}\"")


def mask_engine_message(text: str) -> str:
    """An engine's error message (DuckDB, GX) as a reviewer may read it: such messages quote the offending
    value ("Could not convert string '0790...' to INT32"), so every quoted part and long digit run is hidden."""
    return mask_text(_QUOTED.sub("'…'", text))
