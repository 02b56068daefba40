"""The registry of databases and their delivery contracts (files under `assets/`)."""

from r57_pipelines.registry.loader import RegistryError, load_registry
from r57_pipelines.registry.models import (
    PII_KINDS,
    Column,
    ColumnKind,
    Contract,
    Database,
    MasterReference,
    Ministry,
    Registry,
    Table,
)

__all__ = [
    "PII_KINDS",
    "Column",
    "ColumnKind",
    "Contract",
    "Database",
    "MasterReference",
    "Ministry",
    "Registry",
    "RegistryError",
    "Table",
    "load_registry",
]
