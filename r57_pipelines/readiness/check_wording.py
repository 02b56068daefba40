"""A check said in plain words, in both languages, from the reviewed catalog checks.yaml.

Reports, reasons and the workbook name checks through ``check_text``: what the check requires, or, for
a failing check, what was found. The words come from the check's rule (generated suites: the last part
of the check id) or its expectation type (authored suites), never from the suite's parameter names.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from r57_pipelines.readiness.wording import Said

@functools.cache
def _catalog() -> dict:
    return yaml.safe_load(resources.files("r57_pipelines.readiness").joinpath("checks.yaml").read_text(encoding="utf-8"))


def table_label(table: str) -> Said:
    """A table as reviewers know it: its own name, or words for r57's delivery record."""
    known = _catalog()["tables"].get(table)
    return Said(**known) if known else Said(table, table)


def _rule_and_columns(check_id: str, table: str, expectation_type: str) -> tuple[str | None, str]:
    """The generated rule (None for an authored check) and the columns named in the check id."""
    parts = check_id.split(".")
    if parts and parts[0] == table:
        parts = parts[1:]
    short = expectation_type.removeprefix("expect_")
    if len(parts) >= 3 and parts[-2] == short:  # authored: <table>.<columns>.<type>.<digest>
        columns = parts[0]
        return None, "" if columns == "table" else columns.replace("+", ", ")
    if parts and parts[-1] in _catalog()["rules"]:
        return parts[-1], ".".join(parts[:-1])
    return None, ".".join(parts[:-1]) if len(parts) > 1 else ""


def check_text(check_id: str, table: str, expectation_type: str, *, failing: bool = False) -> Said:
    """What the check requires (``failing``: what a failing check found), in both languages."""
    catalog = _catalog()
    rule, columns = _rule_and_columns(check_id, table, expectation_type)
    entry = catalog["rules"][rule] if rule else catalog["types"].get(expectation_type, catalog["other"])
    texts = entry["fail" if failing else "pass"]
    label = table_label(table)

    def in_language(lang: str) -> str:
        column = columns or label.in_(lang)
        return texts[lang].format(column=column, table=label.in_(lang), type=expectation_type)

    return Said(in_language("en"), in_language("vi"))
