"""Broken and hostile deliveries, all in one estate: each is explained, isolated and left untouched.

The estate is a copy of the sample estate with one registered database's delivery replaced per case
(tests/broken_corpus.py). `r57 run` runs once on it and once on the sample estate itself (the baseline);
both runs are shared by every test here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from markupsafe import escape

from r57_pipelines.paths import SAMPLE_SOURCES_DIR
from r57_pipelines.readiness.wording import delivery_problem
from tests.broken_corpus import CASES, HOSTILE_SQL, Case, fingerprint
from tests.builders import R57

pytestmark = pytest.mark.slow

AS_OF = "2025-12-04"
CASE_DATABASES = {c.database_id for c in CASES if c.database_id}


def _start(sources: Path, home: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [R57, "run", "--sources", str(sources), "--home", str(home), "--as-of", AS_OF],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def _finish(process: subprocess.Popen, home: Path) -> dict:
    out, err = process.communicate(timeout=1500)
    assert process.returncode == 0, (out[-2000:], err[-3000:])
    return json.loads((home / "reports" / "readiness.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, request):
    root = tmp_path_factory.mktemp("corpus")
    sources, outside = root / "sources", root / "outside"
    shutil.copytree(SAMPLE_SOURCES_DIR, sources)
    outside.mkdir()
    watched = {}
    for case in CASES:
        sample = next(SAMPLE_SOURCES_DIR.glob(f"*/{case.database_id}")) if case.database_id else None
        watched[case.name] = case.build(sources, sample, outside)
    before = {name: fingerprint(paths) for name, paths in watched.items()}
    home = root / "corpus_home"
    process = _start(sources, home)
    try:
        # The baseline, the shared sample run, while the corpus runs: one run per core when it is not made yet.
        sample_estate_run = request.getfixturevalue("sample_estate_run")
    except BaseException:
        process.kill()
        process.communicate(timeout=60)
        raise
    document = _finish(process, home)
    after = {name: fingerprint(paths) for name, paths in watched.items()}
    return {
        # The baseline: the same estate without the broken cases (the shared sample run, same as-of).
        "baseline": {d["id"]: d for d in sample_estate_run.document["databases"]},
        "corpus": {d["id"]: d for d in document["databases"]},
        "document": document,
        "before": before,
        "after": after,
        "warehouse": home / "warehouse.duckdb",
        "home": home,
    }


def _verdict(entry: dict) -> tuple:
    return entry["tier"], entry["at_risk"], entry["scores"]


def test_the_corpus_gives_each_case_its_own_database():
    ids = [c.database_id for c in CASES if c.database_id]
    assert len(ids) == len(set(ids)) and "population" not in ids


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_case_is_explained_naming_the_file_and_the_problem(corpus, case: Case):
    if case.where == "unmatched":
        entries = [u for u in corpus["document"]["unmatched_deliveries"] if case.reason[0] in u["folder"]]
        assert len(entries) == 1
        assert all(phrase in f"{entries[0]['folder']}: {entries[0]['problem']}" for phrase in case.reason)
        return
    entry = corpus["corpus"][case.database_id]
    delivery = entry["delivery"]
    assert delivery["status"] == case.status, delivery
    if case.where == "error":
        text = delivery["error"]
        assert text, delivery
        assert entry["tier"] == "not_started" and entry["at_risk"]
        # The reason says the problem in words (reasons.yaml), never with the catalog's catch-all.
        said = delivery_problem(text)
        assert f"delivery rejected: {said.en}" in entry["risk_reasons"], (entry["risk_reasons"], said)
        assert f"dữ liệu bàn giao bị từ chối: {said.vi}" in entry["risk_reasons_vi"]
        assert "cannot be loaded" not in said.en, f"no words for: {text}"
        assert not text.startswith("/") and " /" not in text, f"a path of this machine: {text}"
    else:
        assert delivery["error"] is None
        text = "\n".join(delivery["findings"])
    missing = [phrase for phrase in case.reason if phrase not in text]
    assert not missing, text
    # Personal numbers never surface in the reason (the files hold 12-digit personal ids).
    assert re.search(r"[0-9]{12}", text) is None, text
    # Reviewers read the same reason on the database's page, in both languages.
    for lang in ("vi", "en"):
        page = (corpus["home"] / "reports" / lang / "databases" / f"{case.database_id}.html").read_text(encoding="utf-8")
        lines = [text] if case.where == "error" else delivery["findings"]
        assert all(str(escape(line)) in page for line in lines), (lang, lines)


@pytest.mark.parametrize("case", [c for c in CASES if c.same_verdict], ids=lambda c: c.name)
def test_a_delivery_read_after_all_gets_the_verdict_of_the_same_data_delivered_cleanly(corpus, case: Case):
    got, baseline = corpus["corpus"][case.database_id], corpus["baseline"][case.database_id]
    assert _verdict(got) == _verdict(baseline)
    assert got["rows"] == baseline["rows"] and got["checks"] == baseline["checks"]


def test_a_declared_cp1258_file_keeps_every_row_and_its_vietnamese_text(corpus):
    got, baseline = corpus["corpus"]["reserve_forces"], corpus["baseline"]["reserve_forces"]
    assert got["rows"] == baseline["rows"] > 0
    sample = SAMPLE_SOURCES_DIR / "MOND" / "reserve_forces" / "person.csv"
    with duckdb.connect(str(corpus["warehouse"]), read_only=True) as con:
        loaded = con.execute("select full_name from raw_reserve_forces.person order by record_id").fetchall()
        expected = con.execute(
            "select nfc_normalize(full_name) from read_csv(?, all_varchar = true) order by record_id", [str(sample)]
        ).fetchall()
    assert loaded == expected and any("ư" in name or "ơ" in name for (name,) in loaded if name)


def test_wrong_types_are_loaded_as_text_and_fail_their_checks(corpus):
    got, baseline = corpus["corpus"]["personal_income_tax"], corpus["baseline"]["personal_income_tax"]
    assert got["rows"] == baseline["rows"]
    assert got["checks"]["failed"] > baseline["checks"]["failed"]
    assert any("person: " in reason for reason in got["to_next_tier"])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_delivery_is_left_untouched(corpus, case: Case):
    before, after = corpus["before"][case.name], corpus["after"][case.name]
    assert before and after == before


def test_no_other_database_moves(corpus):
    moved = {
        db: {"baseline": _verdict(corpus["baseline"][db]), "corpus": _verdict(entry)}
        for db, entry in corpus["corpus"].items()
        if db not in CASE_DATABASES and _verdict(entry) != _verdict(corpus["baseline"][db])
    }
    assert not moved
    assert len(corpus["corpus"]) == len(corpus["baseline"]) == 117


def test_hostile_names_are_data_not_sql(corpus):
    with duckdb.connect(str(corpus["warehouse"]), read_only=True) as con:
        recorded = con.execute("select count(distinct database_id) from r57.deliveries").fetchone()[0]
        tables = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw_seagoing_ships'"
        ).fetchall()}
        columns = {r[0] for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw_business_registration' and table_name = 'owner'"
        ).fetchall()}
    assert recorded == 117  # r57.deliveries survived every "drop table"
    assert HOSTILE_SQL in tables
    assert {HOSTILE_SQL, "semi;colon", "bell\x07tab\tcolumn", "0;select 1"} <= columns


def test_converted_copies_do_not_outlive_the_run(corpus):
    scratch = corpus["home"] / "tmp"  # converted copies; DuckDB's spill files in tmp/duckdb/, gone with it
    assert [p for p in scratch.rglob("*") if not p.is_dir()] == []
