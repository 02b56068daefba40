"""A reviewer opens the report from disk in Chromium: the figures match readiness.json, both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import file_url

pytestmark = pytest.mark.slow

COUNTS = ("total", "foundational", "partial", "not_started", "at_risk")


def test_front_page_figures_match_readiness_json_and_the_language_switches(sample_estate_run, browser_page, browser_log, tmp_path):
    page, document = browser_page, sample_estate_run.document
    page.goto(file_url(sample_estate_run.home / "reports" / "index.html"))  # the root sends to Vietnamese
    page.wait_for_url("**/vi/index.html")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_test_id("as-of")).to_have_attribute("data-as-of", document["as_of"])
    expect(page.get_by_test_id("as-of")).to_have_text("04/12/2025")  # the Vietnamese way
    for programme, counts in document["summary"].items():
        row = page.get_by_test_id(f"summary-{programme}")
        for key in COUNTS:
            expect(row.locator(f'[data-count="{key}"]')).to_have_text(str(counts[key]))
    expect(page.get_by_test_id("status-plan02_key")).to_contain_text("4 đã có nền tảng, 5 đang triển khai, 3 chưa triển khai")
    at_risk = [d for d in document["databases"] if d["at_risk"]]
    expect(page.get_by_test_id("at-risk-list").locator("tr[data-database]")).to_have_count(len(at_risk))
    expect(page.get_by_test_id("chart")).to_have_count(len(document["summary"]))
    page.screenshot(path=tmp_path / "front-vi.png", full_page=True)

    page.get_by_test_id("lang-switch").click()
    page.wait_for_url("**/en/index.html")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("status-r71")).to_contain_text(
        "31 foundational, 36 partial (being deployed), 38 at high risk of not being finished"
    )
    page.screenshot(path=tmp_path / "front-en.png", full_page=True)
    assert browser_log.blocked == [] and browser_log.page_errors == []


def test_a_database_page_shows_the_verdict_and_scores_of_readiness_json(sample_estate_run, browser_page, browser_log, tmp_path):
    page, document = browser_page, sample_estate_run.document
    db = next(d for d in document["databases"] if d["tier"] == "partial" and d["at_risk"] and d["checks"]["failed"])
    page.goto(file_url(sample_estate_run.home / "reports" / "en" / "index.html"))
    page.get_by_test_id("at-risk-list").locator(f'tr[data-database="{db["id"]}"] a').first.click()
    page.wait_for_url(f"**/en/databases/{db['id']}.html")
    expect(page.get_by_test_id("database-name")).to_have_text(db["name"])
    expect(page.locator(".status [data-tier]")).to_have_attribute("data-tier", db["tier"])
    expect(page.get_by_test_id("at-risk")).to_be_visible()
    for dimension, score in db["scores"].items():
        expect(page.get_by_test_id(f"score-{dimension}")).to_have_text(f"{score:,.1f}")
    expect(page.get_by_test_id("failing-checks").locator("tr[data-check]")).to_have_count(db["checks"]["failed"])
    page.screenshot(path=tmp_path / "database-en.png", full_page=True)

    page.get_by_test_id("lang-switch").click()
    page.wait_for_url(f"**/vi/databases/{db['id']}.html")
    expect(page.get_by_test_id("database-name")).to_have_text(db["name_vi"])
    for dimension, score in db["scores"].items():  # Vietnamese writes 90,8 where English writes 90.8
        expect(page.get_by_test_id(f"score-{dimension}")).to_have_text(f"{score:,.1f}".translate(str.maketrans(",.", ".,")))
    page.screenshot(path=tmp_path / "database-vi.png", full_page=True)
    print(f"screenshots: {tmp_path}")
    assert browser_log.blocked == [] and browser_log.page_errors == []
