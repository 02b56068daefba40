"""Suite parameters: ``{"$PARAMETER": name}`` placeholders in kwargs, filled per run (GX semantics)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any


class MissingParameterError(KeyError):
    pass


def resolve_kwargs(value: Any, parameters: Mapping[str, Any]) -> Any:
    """Replace every ``{"$PARAMETER": name}`` with its value; a parameter not given is an error."""
    if isinstance(value, dict):
        if "$PARAMETER" in value:
            name = value["$PARAMETER"]
            if name not in parameters:
                raise MissingParameterError(f"suite parameter {name!r} was not given")
            return parameters[name]
        return {k: resolve_kwargs(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_kwargs(v, parameters) for v in value]
    return value


def parameters_for_table(parameters: Mapping[str, Any], table: str) -> dict[str, Any]:
    """Parameters with per-table values picked: ``min_rows`` may be an int or ``{table: int}``."""
    resolved = dict(parameters)
    for name, value in parameters.items():
        if isinstance(value, Mapping):
            resolved[name] = value.get(table, 0 if name == "min_rows" else None)
    for name, value in list(resolved.items()):
        if isinstance(value, dt.datetime | dt.date):
            resolved[name] = value.isoformat()
    return resolved
