"""Load and cross-check the registry files. Any problem raises RegistryError naming the file and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from r57_pipelines.paths import REGISTRY_DIR
from r57_pipelines.registry.models import Contract, Database, Ministry, Registry


class RegistryError(ValueError):
    """A registry file is malformed or inconsistent."""


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RegistryError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: not valid YAML: {exc}") from exc


def _explain(path: Path, where: str, exc: ValidationError) -> RegistryError:
    problems = "; ".join(
        f"{where}.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" if err["loc"] else f"{where}: {err['msg']}"
        for err in exc.errors()
    )
    return RegistryError(f"{path}: {problems}")


def _expect_mapping(path: Path, data: Any, key: str) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise RegistryError(f"{path}: expected a mapping with a top-level '{key}' key")
    return data[key]


def load_ministries(path: Path) -> dict[str, Ministry]:
    ministries: dict[str, Ministry] = {}
    for i, raw in enumerate(_expect_mapping(path, _read_yaml(path), "ministries") or []):
        try:
            ministry = Ministry.model_validate(raw)
        except ValidationError as exc:
            raise _explain(path, f"ministries[{i}]", exc) from exc
        if ministry.code in ministries:
            raise RegistryError(f"{path}: ministries[{i}].code: {ministry.code!r} is listed twice")
        ministries[ministry.code] = ministry
    return ministries


def load_contract_templates(path: Path) -> dict[str, Contract]:
    templates: dict[str, Contract] = {}
    for name, raw in (_expect_mapping(path, _read_yaml(path), "templates") or {}).items():
        try:
            templates[name] = Contract.model_validate(raw)
        except ValidationError as exc:
            raise _explain(path, f"templates.{name}", exc) from exc
    return templates


def load_databases(path: Path, templates: dict[str, Contract]) -> list[Database]:
    data = _read_yaml(path)
    programme = _expect_mapping(path, data, "programme")
    databases = []
    for i, raw in enumerate(_expect_mapping(path, data, "databases") or []):
        where = f"databases[{i}]"
        if not isinstance(raw, dict):
            raise RegistryError(f"{path}: {where}: expected a mapping")
        entry = {"programme": programme, **raw}
        if isinstance(entry.get("contract"), str):
            template = entry["contract"]
            if template not in templates:
                raise RegistryError(f"{path}: {where}.contract: unknown contract template {template!r}")
            entry["contract"] = templates[template]
            entry["contract_template"] = template
        try:
            databases.append(Database.model_validate(entry))
        except ValidationError as exc:
            raise _explain(path, where, exc) from exc
    return databases


def load_registry(root: Path = REGISTRY_DIR) -> Registry:
    """Read `ministries.yaml`, `contracts.yaml` and every `databases/*.yaml` under `root`."""
    ministries = load_ministries(root / "ministries.yaml")
    templates = load_contract_templates(root / "contracts.yaml")
    files = sorted((root / "databases").glob("*.yaml"))
    if not files:
        raise RegistryError(f"{root / 'databases'}: no registry files (*.yaml) found")
    databases: dict[str, Database] = {}
    contract_file: dict[str, Path] = {}  # where each database's contract is written, for error messages
    for path in files:
        for db in load_databases(path, templates):
            if db.id in databases:
                raise RegistryError(f"{path}: database id {db.id!r} is already defined")
            if db.ministry not in ministries:
                raise RegistryError(f"{path}: database {db.id!r}: unknown ministry {db.ministry!r}")
            databases[db.id] = db
            contract_file[db.id] = root / "contracts.yaml" if db.contract_template else path
    _check_master_refs(databases, contract_file)
    return Registry(ministries=ministries, databases=databases)


def _check_master_refs(databases: dict[str, Database], contract_file: dict[str, Path]) -> None:
    for db in databases.values():
        for table in db.contract.tables:
            for ref in table.master_refs:
                template = f"template {db.contract_template}, " if db.contract_template else ""
                where = f"{contract_file[db.id]}: {template}database {db.id!r} table {table.name!r}: master_refs"
                master = databases.get(ref.master_database)
                if master is None:
                    raise RegistryError(f"{where}: unknown master database {ref.master_database!r}")
                master_tables = {t.name: t for t in master.contract.tables}
                if ref.master_table not in master_tables:
                    raise RegistryError(f"{where}: {ref.master_database} has no table {ref.master_table!r}")
                master_cols = {c.name for c in master_tables[ref.master_table].columns}
                missing = {ref.master_column, *ref.agree.values()} - master_cols
                if missing:
                    raise RegistryError(f"{where}: master table lacks columns {sorted(missing)}")
