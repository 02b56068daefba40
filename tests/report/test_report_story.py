"""A reviewer reads one consistent story, in either language (issue 14).

Every page kind is opened in Chromium from disk, in Vietnamese and in English: the headline's figures add
up to the tier table; each at-risk database's reasons name a failing check or a delivery problem; no page
shows a path of the machine that ran it; a Vietnamese page shows no English error text and writes every
number the Vietnamese way (3.330 and 93,3, never 3,330 or 93.3).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import lxml.html
import pytest
from playwright.sync_api import expect

from r57_pipelines.readiness.check_wording import check_text
from r57_pipelines.readiness.evidence import latest_checks
from tests.browser import file_url

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LANGUAGES = ("vi", "en")
# Text a reviewer reads, without what is quoted as delivered or as the engine wrote it: code, masked samples,
# hashes, the raw-message details and names given in the other language.
_READ_TEXT = """() => {
  const copy = document.body.cloneNode(true);
  copy.querySelectorAll('code, .sample, .hash, details.raw-message, [lang], svg, time').forEach(e => e.remove());
  return copy.innerText;
}"""
_NOT_READ = (".//code | .//*[contains(@class, 'sample')] | .//*[contains(@class, 'hash')]"
             " | .//details[contains(@class, 'raw-message')] | .//*[@lang] | .//*[local-name()='svg'] | .//time")
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:work|tmp|home|root|usr|var|mnt|opt)/")
# In Vietnamese 3.330 is three thousand and 93,3 a decimal: English's 3,330 (a comma before three digits)
# and 93.3 (a dot before anything but a group of three) are the wrong way round.
ENGLISH_NUMBER = re.compile(r"(?<![\w.,/])\d{1,3}(?:,\d{3})+(?![\d,])|(?<![\w.,/])\d+\.(?!\d{3}(?!\d))\d+")
ENGLISH_ERROR_WORDS = re.compile(r"\b(cannot|error|not found|invalid|missing|failing|failed|rejected|expectation|delivery)\b", re.I)


def _headline_adds_up(page, counts: dict) -> None:
    row = page.get_by_test_id(f"summary-r71")
    table = {k: int(row.locator(f'[data-count="{k}"]').inner_text()) for k in ("foundational", "partial", "not_started", "at_risk")}
    headline = page.get_by_test_id("status-r71").inner_text() + " " + page.get_by_test_id("relation-r71").inner_text()
    said = [int(n) for n in re.findall(r"\d+", headline.split(":", 1)[1])]
    # total, foundational, being deployed, at risk; at risk again, its partial and not-started parts; partial's two parts
    total, foundational, deployed, at_risk, at_risk_again, at_risk_partial, at_risk_not_started, *partial_parts = said
    assert foundational == table["foundational"] and at_risk == at_risk_again == table["at_risk"]
    assert deployed + at_risk_partial == table["partial"] and partial_parts == [deployed, at_risk_partial]
    assert at_risk_partial + at_risk_not_started + counts["at_risk_foundational"] == at_risk
    assert at_risk_not_started <= table["not_started"] and total == counts["total"]


def _reads_well(page, lang: str) -> None:
    _text_reads_well(page.content(), page.evaluate(_READ_TEXT), page.url.rsplit("/reports/", 1)[-1], lang)


def _file_reads_well(path: Path, lang: str) -> None:
    """The same reading of a page without the browser (lxml): for the 234 database pages."""
    html = path.read_text(encoding="utf-8")
    tree = lxml.html.fromstring(html)
    for element in tree.body.xpath(_NOT_READ):
        element.drop_tree()
    text = " ".join(tree.body.itertext())  # cells apart, as the browser shows them
    _text_reads_well(html, text, f"{lang}/databases/{path.name}", lang)


def _text_reads_well(html: str, text: str, where: str, lang: str) -> None:
    assert not ABSOLUTE_PATH.search(html), f"{where}: a path of this machine"
    if lang == "vi":
        assert not ENGLISH_NUMBER.findall(text), f"{where}: English number format {ENGLISH_NUMBER.findall(text)[:5]}"
        assert not ENGLISH_ERROR_WORDS.findall(text), f"{where}: English words {ENGLISH_ERROR_WORDS.findall(text)[:5]}"


def test_every_page_kind_tells_one_story_in_both_languages(sample_estate_run, browser_page, browser_log, tmp_path):
    page, document, reports = browser_page, sample_estate_run.document, sample_estate_run.home / "reports"
    with duckdb.connect(str(sample_estate_run.home / "warehouse.duckdb"), read_only=True) as con:
        import datetime as dt

        checks = latest_checks(con, dt.date.fromisoformat(document["as_of"]))
    at_risk = [d for d in document["databases"] if d["at_risk"]]
    rejected = next(d for d in document["databases"] if d["delivery"]["status"] == "rejected")
    ministry = at_risk[0]["ministry"]
    for lang in LANGUAGES:
        page.goto(file_url(reports / lang / "index.html"))
        _headline_adds_up(page, document["summary"]["r71"])
        _reads_well(page, lang)
        for db in at_risk:
            reasons = page.get_by_test_id("at-risk-list").locator(f'tr[data-database="{db["id"]}"] td').last.inner_text()
            failing = [check_text(c.check_id, c.table_name, c.expectation_type, failing=True).in_(lang)
                       for c in checks.get(db["id"], []) if c.success is False]
            delivery_words = {"vi": ("không có dữ liệu bàn giao", "bị từ chối"), "en": ("no delivery", "delivery rejected")}[lang]
            assert any(f in reasons for f in failing) or any(w in reasons for w in delivery_words), (db["id"], reasons)
        page.screenshot(path=tmp_path / f"front-{lang}.png", full_page=True)
        for kind, path in (("ministry", f"ministries/{ministry}.html"), ("database", f"databases/{at_risk[0]['id']}.html"),
                           ("rejected", f"databases/{rejected['id']}.html")):
            page.goto(file_url(reports / lang / path))
            _reads_well(page, lang)
            if kind == "ministry":  # what to fix: every database of the ministry that is not foundational
                own = [d for d in document["databases"] if d["ministry"] == ministry and d["tier"] != "foundational"]
                expect(page.get_by_test_id("what-to-fix").locator("tr[data-database]")).to_have_count(len(own))
            page.screenshot(path=tmp_path / f"{kind}-{lang}.png", full_page=True)
        expect(page.get_by_test_id("checks-not-run")).to_be_visible()  # a rejected delivery ran no check
        expect(page.get_by_test_id("no-scores")).to_be_visible()
    for db in document["databases"]:  # every database page, both languages, read from disk as text
        for lang in LANGUAGES:
            _file_reads_well(reports / lang / "databases" / f"{db['id']}.html", lang)
    print(f"screenshots: {tmp_path}")
    assert browser_log.blocked == [] and browser_log.page_errors == []
