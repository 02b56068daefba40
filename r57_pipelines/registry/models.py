"""Pydantic models of the registry. Unknown fields are errors, so a typo in a reviewed file fails loudly."""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnKind(StrEnum):
    """What a column holds; the kind decides which checks apply and whether it is personal data."""

    personal_id = "personal_id"  # 12-digit personal identification number (CCCD)
    tax_code = "tax_code"  # enterprise / personal tax code, 10 digits + optional -NNN
    phone = "phone"
    province_code = "province_code"  # 2 digits, one of the 34 current units
    commune_code = "commune_code"  # 5 digits
    person_name = "person_name"
    address = "address"
    birth_date = "birth_date"
    sex = "sex"  # "M" / "F"
    updated_at = "updated_at"  # when the record last changed at the source
    plate = "plate"  # vehicle registration plate
    text = "text"  # other Vietnamese text (names of entities, descriptions)
    code = "code"  # other identifiers and categorical codes
    date = "date"
    amount = "amount"  # non-negative numeric quantity


# Personal data: masked wherever a reviewer can read it.
# Decree 13/2023/ND-CP counts plates and (personal) tax codes among basic personal data, beside the rest.
PII_KINDS = frozenset(
    {ColumnKind.personal_id, ColumnKind.person_name, ColumnKind.address, ColumnKind.birth_date, ColumnKind.phone,
     ColumnKind.tax_code, ColumnKind.plate}
)

ColumnType = Literal["varchar", "integer", "bigint", "double", "date", "timestamp", "boolean"]
Cadence = Literal["daily", "weekly", "monthly", "quarterly"]
Programme = Literal["plan02_key", "r71"]


class Column(Strict):
    name: str
    type: ColumnType = "varchar"
    kind: ColumnKind = ColumnKind.text
    required: bool = False
    description: str = ""

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"column name {value!r} must be lower-case snake_case")
        return value

    @property
    def is_personal_data(self) -> bool:
        return self.kind in PII_KINDS


class MasterReference(Strict):
    """A column that must agree with master data held in another database.

    `column` must exist in `master_database`.`master_table`.`master_column`; `agree` maps this
    table's columns to the master table's columns that must hold the same value for that key.
    """

    column: str
    master_database: str
    master_table: str
    master_column: str
    agree: dict[str, str] = Field(default_factory=dict)


class Table(Strict):
    name: str
    description: str = ""
    primary_key: list[str]
    columns: list[Column]
    master_refs: list[MasterReference] = Field(default_factory=list)
    # Columns that, after normalisation, identify the same real-world person or entity.
    natural_key: list[str] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"table name {value!r} must be lower-case snake_case")
        return value

    @model_validator(mode="after")
    def _keys_are_columns(self) -> Table:
        names = {c.name for c in self.columns}
        if len(names) != len(self.columns):
            raise ValueError(f"table {self.name!r} repeats a column name")
        for label, cols in (("primary_key", self.primary_key), ("natural_key", self.natural_key)):
            missing = [c for c in cols if c not in names]
            if missing:
                raise ValueError(f"table {self.name!r}: {label} names unknown columns {missing}")
        for ref in self.master_refs:
            unknown = [c for c in [ref.column, *ref.agree] if c not in names]
            if unknown:
                raise ValueError(f"table {self.name!r}: master_refs name unknown columns {unknown}")
        return self

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def columns_of_kind(self, kind: ColumnKind) -> list[Column]:
        return [c for c in self.columns if c.kind == kind]


class Contract(Strict):
    description: str = ""
    tables: list[Table]

    @model_validator(mode="after")
    def _unique_tables(self) -> Contract:
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError(f"contract repeats a table name: {names}")
        return self

    def table(self, name: str) -> Table:
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"contract has no table {name!r}")


class Ministry(Strict):
    code: str
    name_vi: str
    name_en: str


class Database(Strict):
    id: str
    name_vi: str
    name_en: str
    ministry: str
    programme: Programme
    domain: str
    deadline: dt.date
    cadence: Cadence
    # Records the source expects in a full delivery at national scale (documentation and volume checks).
    expected_rows: int = Field(ge=0)
    contract: Contract
    contract_template: str | None = None
    illustrative: bool = True
    source: str = ""

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(f"database id {value!r} must be lower-case snake_case")
        return value


class Registry(Strict):
    ministries: dict[str, Ministry]
    databases: dict[str, Database]

    def by_programme(self, programme: str) -> list[Database]:
        return [d for d in self.databases.values() if d.programme == programme]

    def by_ministry(self, code: str) -> list[Database]:
        return [d for d in self.databases.values() if d.ministry == code]
