"""Find personal data from the deliveries in text a reviewer can read.

The values come from the warehouse's `raw_<db>` tables (every value as delivered) for each column
the registry marks as personal data. Text is searched by the value's own shape, so the scan is one
pass over each output whatever the number of people:
- personal numbers and phones: every run of digits (spaces, dots, dashes allowed inside);
- birth dates: a YYYY-MM-DD shown as the value of a birth-date column (any date of the estate is
  somebody's birthday, so a date elsewhere, like an update time, proves nothing);
- names: every 2 to 5 consecutive words;
- addresses: every comma-separated part with a digit in it (the house number and street).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import duckdb

from r57_pipelines.registry import ColumnKind, Registry
from r57_pipelines.warehouse import qualified, quoted, raw_schema, table_columns

_DIGITS = re.compile(r"\+?\d[\d .\-]{4,}\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"[^\W\d_]+")
_PART = re.compile(r"[,;<>\"\n\t|]")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _phone_forms(digits: str) -> set[str]:
    """0912345678 and 84912345678 are the same number."""
    if digits.startswith("84"):
        return {digits, "0" + digits[2:]}
    if digits.startswith("0"):
        return {digits, "84" + digits[1:]}
    return {digits}


@dataclass
class PersonalValues:
    numbers: set[str] = field(default_factory=set)  # personal ids and phones, digits only
    birth_dates: set[str] = field(default_factory=set)
    birth_columns: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    street_parts: set[str] = field(default_factory=set)

    @property
    def first_words(self) -> set[str]:
        return {name.split()[0] for name in self.names}

    def __len__(self) -> int:
        return len(self.numbers) + len(self.birth_dates) + len(self.names) + len(self.street_parts)


def personal_values(con: duckdb.DuckDBPyConnection, registry: Registry) -> PersonalValues:
    found = PersonalValues()
    for db in registry.databases.values():
        for table in db.contract.tables:
            present = table_columns(con, raw_schema(db.id), table.name)
            for column in table.columns:
                if not column.is_personal_data or column.name not in present:
                    continue
                rows = con.execute(
                    f"select distinct {quoted(column.name)} from {qualified(raw_schema(db.id), table.name)} "
                    f"where {quoted(column.name)} is not null"
                ).fetchall()
                for (value,) in rows:
                    value = unicodedata.normalize("NFC", str(value)).strip()
                    match column.kind:
                        case ColumnKind.personal_id if len(_digits(value)) >= 9:
                            found.numbers.add(_digits(value))
                        case ColumnKind.phone if len(_digits(value)) >= 9:
                            found.numbers.update(_phone_forms(_digits(value)))
                        case ColumnKind.birth_date if _DATE.fullmatch(value[:10]):
                            found.birth_dates.add(value[:10])
                            found.birth_columns.add(column.name)
                        case ColumnKind.person_name if len(value.split()) >= 2:
                            found.names.add(" ".join(value.split()).casefold())
                        case ColumnKind.address:
                            found.street_parts.update(
                                p.strip().casefold() for p in _PART.split(value) if any(ch.isdigit() for ch in p) and len(p.strip()) >= 6
                            )
    return found


def leaks(text: str, values: PersonalValues, allowed_dates: set[str] = frozenset()) -> list[str]:
    """Personal values found in `text`, each described without quoting it whole."""
    text = unicodedata.normalize("NFC", text)  # a name delivered decomposed is the same name
    found = []
    runs = [m for m in _DIGITS.finditer(text)] + [m for m in re.finditer(r"\d{9,}", text)]
    for match in runs:
        digits = _digits(match.group())
        if digits in values.numbers:
            found.append(f"number {digits[:3]}… at {match.start()}")
    shown_as_birth_date = re.compile(
        "(?:" + "|".join(map(re.escape, sorted(values.birth_columns))) + r")\W{1,8}(\d{4}-\d{2}-\d{2})"
    )
    for match in shown_as_birth_date.finditer(text):
        if match.group(1) in values.birth_dates and match.group(1) not in allowed_dates:
            found.append(f"birth date {match.group(1)[:4]}-… at {match.start()}")
    words = [(m.group().casefold(), m.start()) for m in _WORD.finditer(text)]
    first_words = values.first_words
    for i, (word, start) in enumerate(words):
        if word not in first_words:  # most words begin no name: skip them cheaply
            continue
        for size in range(2, 6):
            if " ".join(w for w, _ in words[i : i + size]) in values.names:
                found.append(f"name {word[:1]}… at {start}")
    for part in _PART.split(text):
        if part.strip().casefold() in values.street_parts:
            found.append(f"address part {part.strip()[:3]}…")
    return found
