"""The reviewers' bundle that every `r57 run` leaves in <home>/reports, and a ministry's own bundle."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess

import pytest
from openpyxl import load_workbook

from tests.builders import R57

pytestmark = pytest.mark.slow

LANGUAGES = ("vi", "en")


def test_every_database_and_ministry_has_a_page_in_both_languages(sample_estate_run, registry):
    reports = sample_estate_run.home / "reports"
    assert (reports / "index.html").is_file() and (reports / "readiness.json").is_file()
    for lang in LANGUAGES:
        assert (reports / lang / "index.html").is_file()
        assert {p.stem for p in (reports / lang / "databases").glob("*.html")} == set(registry.databases)
        assert {p.stem for p in (reports / lang / "ministries").glob("*.html")} == set(registry.ministries)


def test_pages_are_self_contained_and_their_links_resolve(sample_estate_run):
    reports = sample_estate_run.home / "reports"
    pages = list(reports.rglob("*.html"))
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script|<link|@import|url\(", html), f"{page}: loads something from outside the page"
        for target in re.findall(r'(?:href|src)="([^"]+)"', html):
            assert not re.match(r"[a-z]+:", target), f"{page}: links out of the bundle: {target}"
            assert (page.parent / target).resolve().is_file(), f"{page}: broken link {target}"


def test_database_page_shows_its_verdict_failing_checks_and_delivery_facts(sample_estate_run):
    document = sample_estate_run.document
    db = next(d for d in document["databases"] if d["checks"]["failed"] and d["at_risk"] and d["delivery"]["files"])
    html = (sample_estate_run.home / "reports" / "en" / "databases" / f"{db['id']}.html").read_text(encoding="utf-8")
    assert f'data-tier="{db["tier"]}"' in html
    for reason in db["risk_reasons"]:
        assert reason.replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;") in html
    assert db["delivery"]["sha256"] in html and all(f["sha256"] in html for f in db["delivery"]["files"])
    assert html.count("<tr data-check=") == db["checks"]["failed"]
    vi = (sample_estate_run.home / "reports" / "vi" / "databases" / f"{db['id']}.html").read_text(encoding="utf-8")
    assert db["risk_reasons_vi"] and all(r.split(" ")[0] in vi for r in db["risk_reasons_vi"])


def test_workbook_has_the_summary_every_database_and_every_check(sample_estate_run):
    document = sample_estate_run.document
    book = load_workbook(sample_estate_run.home / "reports" / "readiness.xlsx", read_only=True)
    assert book.sheetnames == ["Tổng hợp", "Cơ sở dữ liệu", "Kiểm tra", "Lịch sử"]
    databases = list(book["Cơ sở dữ liệu"].iter_rows(values_only=True))
    assert len(databases) == 1 + len(document["databases"])
    header = databases[0]
    words = {"foundational": "Đã có nền tảng", "partial": "Đang triển khai", "not_started": "Chưa triển khai"}
    tiers = {row[header.index("Mã CSDL")]: row[header.index("Mức")] for row in databases[1:]}
    assert tiers == {d["id"]: words[d["tier"]] for d in document["databases"]}
    checks = sum(1 for _ in book["Kiểm tra"].iter_rows(values_only=True)) - 1
    # Evaluated or not (a missing table's checks count against coverage), every check is listed.
    listed = sum(c["checks_total"] for d in document["databases"] for c in d["score_coverage"].values())
    assert checks == listed > 1000
    history = list(book["Lịch sử"].iter_rows(values_only=True))[1:]
    as_of = dt.datetime.fromisoformat(document["as_of"])
    assert {(r[0], r[1]) for r in history} >= {(d["id"], as_of) for d in document["databases"]}
    summary = {row[0]: row for row in book["Tổng hợp"].iter_rows(values_only=True) if row and row[0] in ("KH 02", "NQ 71")}
    assert summary["KH 02"][2:6] == (12, 4, 5, 3)


def test_a_ministry_bundle_holds_its_own_databases_and_no_one_elses(sample_estate_run, registry, tmp_path):
    home, code = sample_estate_run.home, "MOH"
    out = tmp_path / "moh"
    completed = subprocess.run([R57, "report", "--home", str(home), "--ministry", code, "--out", str(out)],
                               capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    own = {d.id for d in registry.by_ministry(code)}
    others = set(registry.databases) - own
    document = json.loads((out / "readiness.json").read_text(encoding="utf-8"))
    assert {d["id"] for d in document["databases"]} == own and document["ministry"] == code
    assert document["summary"]["r71"]["total"] + document["summary"]["plan02_key"]["total"] == len(own)
    assert "unmatched_deliveries" not in document and set(document["master_data_recollection"]) <= {code}
    for lang in LANGUAGES:
        assert {p.stem for p in (out / lang / "databases").glob("*.html")} == own
        assert {p.stem for p in (out / lang / "ministries").glob("*.html")} == {code}
    for path in out.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert not {m for m in re.findall(r'data-database="([^"]+)"', html)} & others, path
        assert not re.findall(r"databases/([a-z0-9_]+)\.html", html) or set(re.findall(r"databases/([a-z0-9_]+)\.html", html)) <= own
    rows = list(load_workbook(out / "readiness.xlsx", read_only=True)["Kiểm tra"].iter_rows(values_only=True))[1:]
    assert rows and {r[0] for r in rows} <= own


def test_report_command_explains_what_is_missing(tmp_path):
    completed = subprocess.run([R57, "report", "--home", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2 and "run `r57 run" in completed.stderr
    completed = subprocess.run([R57, "report", "--home", str(tmp_path), "--ministry", "NOPE"],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2 and "NOPE" in completed.stderr
