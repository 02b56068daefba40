"""No personal identifier from the sample deliveries reaches anything a reviewer reads.

Scanned: the full report bundle and every ministry's own bundle (pages, readiness.json, the
workbook), what `r57 run` printed, and every event Dagster recorded for the run (log messages,
asset and check metadata): what the Dagster UI shows.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from r57_pipelines.report.bundle import build_bundle
from tests.report.personal_data import PersonalValues, leaks, personal_values

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def personal(sample_estate_run, registry) -> PersonalValues:
    with duckdb.connect(str(sample_estate_run.home / "warehouse.duckdb"), read_only=True) as con:
        values = personal_values(con, registry)
    # The sample estate holds people: a scan for nothing would prove nothing.
    assert len(values.numbers) > 10_000 and len(values.names) > 1_000
    assert len(values.birth_dates) > 1_000 and len(values.street_parts) > 1_000
    return values


def _shown_dates(document: dict) -> set[str]:
    """Dates the report shows that are not about a person (deadlines, as-of, extraction, run dates)."""
    text = json.dumps(
        {k: v for k, v in document.items() if k != "databases"}
        | {"databases": [{k: d[k] for k in ("deadline", "delivery")} for d in document["databases"]]},
        default=str,
    )
    return {text[i : i + 10] for i in range(len(text) - 9) if text[i : i + 4].isdigit() and text[i + 4] == "-"} | {
        dt.date.today().isoformat()
    }


def _texts(folder: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".html", ".json"):
            yield path, path.read_text(encoding="utf-8")
        elif path.suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            cells = (str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
            yield path, "\n".join(cells)


def _strings(node) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_the_scan_finds_each_kind_of_personal_data(personal):
    """The scanner itself: a planted value of each kind is found (so a clean scan means something)."""
    number, birth, name, street, column = (
        sorted(s)[0] for s in (personal.numbers, personal.birth_dates, personal.names, personal.street_parts, personal.birth_columns)
    )
    for planted in (f"id={number}", f'"{column}": "{birth}"', f"<td>{name.title()}</td>", f"{street.upper()}, Hà Nội"):
        assert leaks(f"<p>before</p>{planted}<p>after</p>", personal), planted


def test_no_personal_data_in_the_full_or_any_ministry_bundle(sample_estate_run, personal, registry, tmp_path):
    home, document = sample_estate_run.home, sample_estate_run.document
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        for code in registry.ministries:
            build_bundle(con, registry, document, tmp_path / code, ministry=code)
    allowed = _shown_dates(document)
    scanned, found = 0, {}
    for folder in (home / "reports", *(tmp_path / code for code in registry.ministries)):
        for path, text in _texts(folder):
            scanned += 1
            if hits := leaks(text, personal, allowed):
                found[str(path.relative_to(path.parents[2]))] = hits[:5]
    assert scanned > 2 * (117 + 18) and not found


def test_no_personal_data_in_what_the_run_printed_or_dagster_recorded(sample_estate_run, personal):
    from dagster import DagsterInstance
    from dagster._serdes import serialize_value

    allowed = _shown_dates(sample_estate_run.document)
    printed = sample_estate_run.completed.stdout + sample_estate_run.completed.stderr
    assert not leaks(printed, personal, allowed)

    with DagsterInstance.from_config(str(sample_estate_run.dagster_home)) as instance:
        runs = instance.get_runs()
        assert len(runs) == 1
        entries = instance.all_logs(runs[0].run_id)
    # Every event as stored (messages, materialisation and check metadata), decoded back to text.
    recorded = "\n".join(s for entry in entries for s in _strings(json.loads(serialize_value(entry))))
    assert "masked_samples" in recorded and "score_correct" in recorded  # the metadata is really there
    assert not leaks(recorded, personal, allowed)
