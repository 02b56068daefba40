"""The delivery manifest (docs/delivery-format.md): what a ministry declares about its extract."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path, PurePosixPath
from typing import Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from r57_pipelines.delivery.errors import DeliveryError

MANIFEST_NAME = "manifest.yaml"
FORMAT_BY_SUFFIX = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
FileFormat = Literal["csv", "parquet", "jsonl", "xlsx"]
TEXT_FORMATS = ("csv", "jsonl")
# Encodings a text file may declare (`encoding:` per table), by Python's canonical codec name. TCVN3 and
# VNI are not among them: their capitals share bytes with other letters, so no decoder is reliable.
SUPPORTED_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1258", "cp1252", "iso8859-1")
RESERVED_PREFIX = "_r57"  # r57's own tables in raw_<db> (e.g. _r57_delivery)


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


class ManifestTable(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1, max_length=128)
    file: str = Field(min_length=1)
    format: FileFormat | None = None
    encoding: str | None = None  # text files only; absent: UTF-8 (a byte-order mark is recognised)

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if _has_control_characters(value):
            raise ValueError(f"table name {value!r} contains control characters")
        if value != value.strip():  # YAML also folds some line breaks into spaces here
            raise ValueError(f"table name {value!r} starts or ends with a space")
        if value.lower().startswith(RESERVED_PREFIX):
            raise ValueError(f"table name {value!r}: names starting with {RESERVED_PREFIX!r} are reserved for r57")
        return value

    @field_validator("encoding")
    @classmethod
    def _supported_encoding(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            canonical = codecs.lookup(value).name
        except LookupError:
            canonical = None
        if canonical not in SUPPORTED_ENCODINGS:
            raise ValueError(
                f"encoding {value!r} is not supported (use one of utf-8, utf-16, cp1258, cp1252, latin-1); "
                "TCVN3 and VNI cannot be decoded reliably: re-export the file as UTF-8"
            )
        return canonical

    @field_validator("file")
    @classmethod
    def _inside_folder(cls, value: str) -> str:
        if _has_control_characters(value):
            raise ValueError(f"file {value!r} contains control characters")
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
        if self.encoding is not None and self.file_format not in TEXT_FORMATS:
            raise ValueError(f"file {self.file!r}: `encoding` applies to csv and jsonl files only")
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
        # SQL identifiers are case-insensitive in DuckDB: "Citizen" and "citizen" would be one table.
        names = [t.name.lower() for t in self.tables]
        if len(set(names)) != len(names):
            raise ValueError(f"tables repeat a name: {sorted({n for n in names if names.count(n) > 1})}")
        return self


def read_manifest(folder: Path) -> Manifest:
    """Parse `<folder>/manifest.yaml`; any problem raises DeliveryError naming the manifest."""
    path = folder / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise DeliveryError(path, "manifest not found") from exc
    except OSError as exc:
        raise DeliveryError(path, f"manifest cannot be read: {exc.strerror or type(exc).__name__}") from exc
    return parse_manifest(raw, path)


def parse_manifest(raw: bytes, path: Path) -> Manifest:
    """Parse a manifest's bytes; any problem raises DeliveryError naming `path`, never anything else."""
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DeliveryError(path, f"manifest is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except yaml.YAMLError as exc:
        raise DeliveryError(path, f"manifest is not valid YAML: {' '.join(str(exc).split())}") from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML builds dates and numbers itself: "2025-13-45" raises ValueError, not a YAMLError.
        raise DeliveryError(path, f"manifest is not valid YAML: {' '.join(str(exc).split())}") from exc
    if not isinstance(data, dict):
        raise DeliveryError(path, "manifest must be a YAML mapping with database_id, ministry, extracted_at, tables")
    try:
        return Manifest.model_validate(data)
    except RecursionError as exc:
        raise DeliveryError(path, "manifest nests too deeply (a YAML alias refers to itself?)") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'manifest'}: {err['msg']}" for err in exc.errors()
        )
        raise DeliveryError(path, problems) from exc


def resolve_data_file(folder: Path, table: ManifestTable) -> Path:
    """The file a manifest names, refusing symbolic links (the file's or any folder's on the way) and
    anything outside the delivery folder."""
    candidate = folder / table.file
    try:
        step = folder
        for part in PurePosixPath(table.file.replace("\\", "/")).parts:
            step = step / part
            if step.is_symlink():
                what = "data file is" if step == candidate else f"folder {part!r} on the way to the data file is"
                raise DeliveryError(candidate, f"{what} a symbolic link; deliveries must contain the file itself")
        resolved = candidate.resolve()
        if not resolved.is_relative_to(folder.resolve()):
            raise DeliveryError(candidate, "data file lies outside the delivery folder")
        if not resolved.is_file():
            raise DeliveryError(candidate, f"data file for table {table.name!r} not found")
    except OSError as exc:
        raise DeliveryError(candidate, f"data file cannot be opened: {exc.strerror or type(exc).__name__}") from exc
    return resolved
