"""The delivery manifest (docs/delivery-format.md): what a ministry declares about its extract."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from r57_pipelines.delivery.errors import DeliveryError

MANIFEST_NAME = "manifest.yaml"
FORMAT_BY_SUFFIX = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
FileFormat = Literal["csv", "parquet", "jsonl", "xlsx"]


class ManifestTable(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1, max_length=128)
    file: str = Field(min_length=1)
    format: FileFormat | None = None

    @field_validator("file")
    @classmethod
    def _inside_folder(cls, value: str) -> str:
        path = PurePosixPath(value.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts:
            raise ValueError(f"file {value!r} must be a path inside the delivery folder")
        return value

    @model_validator(mode="after")
    def _known_format(self) -> ManifestTable:
        if self.format is None and PurePosixPath(self.file).suffix.lower() not in FORMAT_BY_SUFFIX:
            raise ValueError(
                f"file {self.file!r}: unknown format; use one of {sorted(FORMAT_BY_SUFFIX)} or set `format`"
            )
        return self

    @property
    def file_format(self) -> FileFormat:
        return self.format or FORMAT_BY_SUFFIX[PurePosixPath(self.file).suffix.lower()]  # type: ignore[return-value]


class Manifest(BaseModel):
    """Extra keys are ignored: ministries may add their own (contact, system name, ...)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    database_id: str = Field(min_length=1)
    ministry: str = Field(min_length=1)
    extracted_at: AwareDatetime
    tables: list[ManifestTable] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_tables(self) -> Manifest:
        names = [t.name for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError(f"tables repeat a name: {sorted({n for n in names if names.count(n) > 1})}")
        return self


def read_manifest(folder: Path) -> Manifest:
    """Parse `<folder>/manifest.yaml`; any problem raises DeliveryError naming the manifest."""
    path = folder / MANIFEST_NAME
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError as exc:
        raise DeliveryError(path, "manifest not found") from exc
    except UnicodeDecodeError as exc:
        raise DeliveryError(path, f"manifest is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise DeliveryError(path, f"manifest is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(data, dict):
        raise DeliveryError(path, "manifest must be a YAML mapping with database_id, ministry, extracted_at, tables")
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'manifest'}: {err['msg']}" for err in exc.errors()
        )
        raise DeliveryError(path, problems) from exc


def resolve_data_file(folder: Path, table: ManifestTable) -> Path:
    """The file a manifest names, refusing symlinks and anything outside the delivery folder."""
    candidate = folder / table.file
    if candidate.is_symlink():
        raise DeliveryError(candidate, "data file is a symbolic link; deliveries must contain the file itself")
    resolved = candidate.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise DeliveryError(candidate, "data file lies outside the delivery folder")
    if not resolved.is_file():
        raise DeliveryError(candidate, f"data file for table {table.name!r} not found")
    return resolved
