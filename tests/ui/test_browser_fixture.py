"""The shared `browser_page` fixture: Debian Chromium, headless, local pages only."""

from __future__ import annotations

import subprocess
from pathlib import Path

from playwright.sync_api import expect

from tests.browser import CHROMIUM, file_url, serve_directory

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Báo cáo</title></head>
<body>
  <h1 id="title">Cơ sở dữ liệu quốc gia</h1>
  <p id="count"></p>
  <a href="second.html">English</a>
  <img id="remote" src="https://cdn.example.invalid/chart.png" alt="remote">
  <script>document.getElementById("count").textContent = String(40 + 77);</script>
</body></html>
"""
SECOND = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Report</title></head><body><h1>National databases</h1></body></html>'


def _site(root: Path) -> Path:
    (root / "site").mkdir()
    (root / "site" / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "site" / "second.html").write_text(SECOND, encoding="utf-8")
    return root / "site"


def test_browser_is_the_installed_chromium(chromium_browser):
    installed = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True, check=True).stdout
    assert chromium_browser.browser_type.name == "chromium"
    assert chromium_browser.version in installed.split(), (chromium_browser.version, installed)


def test_file_page_renders_scripts_and_unicode_and_blocks_remote(browser_page, browser_log, tmp_path):
    site = _site(tmp_path)
    browser_page.goto(file_url(site / "index.html"))
    browser_page.wait_for_load_state("networkidle")
    assert browser_page.title() == "Báo cáo"
    expect(browser_page.locator("#title")).to_have_text("Cơ sở dữ liệu quốc gia")
    expect(browser_page.locator("#count")).to_have_text("117")  # JavaScript ran
    assert browser_log.blocked == ["https://cdn.example.invalid/chart.png"]
    assert browser_log.page_errors == []
    shot = tmp_path / "page.png"
    browser_page.screenshot(path=shot, full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_http_page_and_navigation(browser_page, browser_log, tmp_path):
    site = _site(tmp_path)
    with serve_directory(site) as base:
        assert base.startswith("http://127.0.0.1:")
        response = browser_page.goto(base + "index.html")
        assert response is not None and response.status == 200
        browser_page.get_by_role("link", name="English").click()
        expect(browser_page).to_have_url(base + "second.html")
        expect(browser_page.locator("h1")).to_have_text("National databases")
    assert browser_log.blocked == ["https://cdn.example.invalid/chart.png"]
