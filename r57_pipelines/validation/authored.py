"""Suites written by people: ``expectations/<database_id>/authored/<table>.json``, beside the generated ones.

A table may have several authored files (``dossier.json``, ``dossier.business_rules.json``: the name up to
the first dot is the table). An authored suite is GX 1.x ``ExpectationSuite`` JSON (``{"name": ..., "expectations": [{"type", "kwargs",
"meta"}]}``). ``r57 suites`` never writes or removes these files. Per expectation, ``meta`` is optional:

* ``dimension``: correct | sufficient | clean | live (default: what its type measures, ``registry.default_dimension``);
* ``severity``: critical | major | minor (default major);
* ``check_id``: stable id used by reports and history (default ``<table>.<columns>.<type>.<8 hex of kwargs>``);
* ``description``: what a reviewer reads (default: GX's top-level ``description``, else the type and columns).

The suite's own ``meta.r57.relation`` chooses what is validated: ``delivered`` (default, ``raw_<db>.<table>``:
every column as delivered text, what the generated suites check) or ``staging`` (``stg_<db>.<table>``: typed
and normalised by ``dbt_like_sql``, where numbers and dates compare as numbers and dates).

Problems never stop a run: a file that is not a suite, an expectation that is malformed, names a column the
table does not have, or repeats a check id becomes a *suite finding*: an outcome that is not evaluated and
whose reason names the file and the expectation (``findings`` below), shown on the database's report page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from r57_pipelines.validation.conditions import expectation_columns
from r57_pipelines.validation.registry import DEFAULT_SEVERITY, default_dimension
from r57_pipelines.validation.row_condition import RowConditionError, columns_of

AUTHORED_DIR = "authored"
DIMENSIONS = ("correct", "sufficient", "clean", "live")
SEVERITIES = ("critical", "major", "minor")
RELATIONS = ("delivered", "staging")
FINDING_TYPE = "r57_authored_suite"  # the not-evaluated outcome that carries a file-level finding


def is_suite_finding(reason: str | None) -> bool:
    """Whether a not-evaluated reason is a suite finding: it starts with an authored file's name (as every
    reason written for an authored expectation does). Such checks are the engineer's to fix, not the
    ministry's data: they are listed, never scored, and never count against a dimension's coverage."""
    return bool(reason) and f"/{AUTHORED_DIR}/" in reason.split(":", 1)[0]


def derived_check_id(table: str, expectation: Mapping[str, Any]) -> str:
    """A stable id from what the expectation says: the same type and kwargs give the same id."""
    kwargs = expectation.get("kwargs", {})
    material = json.dumps([expectation.get("type"), kwargs], sort_keys=True, default=str)
    digest = hashlib.sha256(material.encode()).hexdigest()[:8]
    columns = "+".join(str(c) for c in expectation_columns({"kwargs": kwargs})) or "table"
    short = str(expectation.get("type", "")).removeprefix("expect_")
    return f"{table}.{columns}.{short}.{digest}"


def with_defaults(expectation: Mapping[str, Any], table: str) -> dict[str, Any]:
    """The expectation with r57's meta filled in (generated suites already carry all of it)."""
    meta = dict(expectation.get("meta") or {})
    kind = expectation["type"]
    if all(k in meta for k in ("check_id", "dimension", "severity")):
        return {**expectation, "meta": meta}
    meta.setdefault("check_id", derived_check_id(table, expectation))
    meta.setdefault("dimension", default_dimension(kind))
    meta.setdefault("severity", DEFAULT_SEVERITY)
    if "description" not in meta:
        columns = ", ".join(str(c) for c in expectation_columns(expectation))
        meta["description"] = expectation.get("description") or f"{kind}({columns})"
    return {**expectation, "meta": meta}


@dataclass
class AuthoredSuites:
    """A database's authored suites, ready to run, and what was wrong with them."""

    suites: dict[str, dict[str, Any]] = field(default_factory=dict)  # "<db>.authored.<table>" -> suite
    findings: list[str] = field(default_factory=list)  # "<file>: <problem>", one per problem
    sha256: dict[str, str] = field(default_factory=dict)  # file name -> sha256


def table_of(path: Path) -> str:
    """``dossier.json`` and ``dossier.business_rules.json`` both check table ``dossier``."""
    return path.name.split(".", 1)[0]


def authored_files(expectations_dir: Path, database_id: str) -> list[Path]:
    return sorted((expectations_dir / database_id / AUTHORED_DIR).glob("*.json"))


def load_authored(
    expectations_dir: Path,
    database_id: str,
    table_columns: Mapping[str, Iterable[str]],
    taken_check_ids: Iterable[str] = (),
) -> AuthoredSuites:
    """Read and check every authored suite of a database.

    ``table_columns``: the contract's tables and their columns (a suite for another table is a finding);
    ``taken_check_ids``: the generated suites' ids, which an authored check may not reuse.
    """
    result = AuthoredSuites()
    taken = set(taken_check_ids)
    for path in authored_files(expectations_dir, database_id):
        shown = f"{database_id}/{AUTHORED_DIR}/{path.name}"
        raw = path.read_bytes()
        table = table_of(path)
        result.sha256[path.name] = hashlib.sha256(raw).hexdigest()
        try:
            suite = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            result.findings.append(f"{shown}: not a JSON suite ({error})")
            continue
        if table not in table_columns:
            result.findings.append(f"{shown}: no table {table!r} in the contract (tables: {', '.join(sorted(table_columns))})")
            continue
        problems, expectations = _checked(suite, table, set(table_columns[table]), taken, shown)
        result.findings.extend(problems)
        if expectations:
            meta = dict(suite.get("meta") or {}) if isinstance(suite, dict) else {}
            r57 = {**dict(meta.get("r57") or {}), "table": table, "source": shown}
            result.suites[f"{database_id}.{AUTHORED_DIR}.{path.stem}"] = {
                "name": suite.get("name") or f"{database_id}.{AUTHORED_DIR}.{path.stem}",
                "expectations": expectations,
                "meta": {**meta, "r57": r57},
            }
    return result


def _checked(
    suite: Any, table: str, columns: set[str], taken: set[str], shown: str
) -> tuple[list[str], list[dict[str, Any]]]:
    """(findings, the expectations that can run). Each finding names the file and the expectation."""
    if not isinstance(suite, dict) or not isinstance(suite.get("expectations"), list):
        return [f"{shown}: not a GX suite (an object with an \"expectations\" list)"], []
    relation = (suite.get("meta") or {}).get("r57", {}).get("relation", "delivered") if isinstance(suite.get("meta"), dict) else "delivered"
    if relation not in RELATIONS:
        return [f"{shown}: meta.r57.relation must be one of {', '.join(RELATIONS)}, got {relation!r}"], []
    folded = {c.casefold() for c in columns}
    findings: list[str] = []
    kept: list[dict[str, Any]] = []
    for number, e in enumerate(suite["expectations"], start=1):
        where = f"{shown}: expectation {number}"
        if not isinstance(e, dict) or not isinstance(e.get("type"), str):
            findings.append(f"{where}: needs a \"type\" (GX 1.x writes \"type\", not \"expectation_type\")")
            continue
        where += f" ({e['type']})"
        if not isinstance(e.get("kwargs", {}), dict) or not isinstance(e.get("meta", {}), dict):
            findings.append(f"{where}: kwargs and meta must be objects")
            continue
        e = {**e, "kwargs": e.get("kwargs", {}), "meta": dict(e.get("meta", {}))}
        meta = e["meta"]
        if meta.get("dimension", "correct") not in DIMENSIONS:
            findings.append(f"{where}: meta.dimension must be one of {', '.join(DIMENSIONS)}")
            continue
        if meta.get("severity", "major") not in SEVERITIES:
            findings.append(f"{where}: meta.severity must be one of {', '.join(SEVERITIES)}")
            continue
        try:
            named = expectation_columns(e) + columns_of(e["kwargs"])
        except RowConditionError as error:
            findings.append(f"{where}: {error}")
            continue
        unknown = [str(c) for c in named if str(c).casefold() not in folded]
        if unknown:
            findings.append(f"{where}: no column {', '.join(repr(c) for c in unknown)} in table {table!r}")
            continue
        e = with_defaults(e, table)
        check_id = e["meta"]["check_id"]
        if check_id in taken:
            findings.append(f"{where}: check_id {check_id!r} is already used")
            continue
        taken.add(check_id)
        e["meta"]["source"] = where  # "<file>: expectation <n> (<type>)": names it in any later finding
        e["meta"]["authored"] = True
        kept.append(e)
    return findings, kept


def finding_outcomes(database_id: str, findings: Iterable[str]) -> list:
    """One not-evaluated outcome per finding: kept with the check results, never scored."""
    from r57_pipelines.validation.outcome import not_evaluated

    outcomes = []
    for number, finding in enumerate(findings, start=1):
        source = finding.split(":", 1)[0]
        table = table_of(Path(source.split("#", 1)[0]))
        expectation = {
            "type": FINDING_TYPE,
            "kwargs": {},
            "meta": {
                "check_id": f"{table}.authored_suite.finding_{number}",
                "dimension": "correct",
                "severity": "minor",
                "description": "An authored suite could not be used as written",
            },
        }
        outcomes.append(not_evaluated(database_id, f"raw_{database_id}", table, expectation, finding))
    return outcomes


def check_with_gx(path: Path) -> list[str]:
    """``r57 suites --check``: build every expectation of an authored suite with GX's own classes.

    GX's ``ExpectationSuite(...)`` drops unknown types with a log line; each expectation is therefore built on
    its own (``ExpectationConfiguration(...).to_domain_obj()``), which raises for an unknown type, a kwarg
    GX does not accept, a missing required kwarg or a bad row_condition.
    """
    from r57_pipelines.validation.gx.gx_fallback import load_plugins

    load_plugins(path.parent.parent.parent / "plugins")
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    problems = []
    shown = f"{path.parent.parent.name}/{AUTHORED_DIR}/{path.name}"
    try:
        suite = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return [f"{shown}: not a JSON suite ({error})"]
    for number, e in enumerate(suite.get("expectations", []) if isinstance(suite, dict) else [], start=1):
        if not isinstance(e, dict):
            problems.append(f"{shown}: expectation {number}: not an object")
            continue
        try:
            ExpectationConfiguration(
                type=e.get("type"), kwargs=e.get("kwargs", {}), meta=e.get("meta"), description=e.get("description")
            ).to_domain_obj()
        except Exception as error:  # noqa: BLE001 - GX raises many kinds (pydantic, its own, parser errors)
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            problems.append(f"{shown}: expectation {number} ({e.get('type')}): {first}")
    return problems
