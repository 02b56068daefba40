"""Headless Chromium for the tests: Debian's /usr/bin/chromium driven by Playwright.

`make test` installs the browser (`make browser`: apt's `chromium`); Playwright's own browser download
is never used. The fixtures are in tests/conftest.py (`browser_page`, `browser_log`); this module holds
the launch settings and helpers that tests import::

    from tests.browser import file_url, serve_directory
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Playwright, Request, Route

CHROMIUM = Path(os.environ.get("R57_CHROMIUM", "/usr/bin/chromium"))

# Chromium stalls or retries for long on a closed network without these. Playwright adds --headless
# and a new, empty --user-data-dir of its own for every launch (and removes it on close).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

VIEWPORT = {"width": 1440, "height": 900}
DEFAULT_TIMEOUT_MS = 30_000
NAVIGATION_TIMEOUT_MS = 60_000

# A page may load from disk, from inline data, and from this machine; nothing else.
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome-error"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


class ChromiumMissing(RuntimeError):
    pass


def launch_chromium(playwright: Playwright) -> Browser:
    """Start headless Debian Chromium; fail (never skip) when it is not installed."""
    if not CHROMIUM.is_file():
        raise ChromiumMissing(
            f"{CHROMIUM} is not installed: run `make browser` (apt-get install chromium), "
            "which `make test` does, or set R57_CHROMIUM to a Chromium binary"
        )
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname in LOCAL_HOSTS)


@dataclass
class BrowserLog:
    """What happened in one test's browser context, for assertions and failure messages.

    blocked: URLs the page tried to fetch from outside this machine (aborted: pages must be
    self-contained, and the network is closed anyway); console_errors: console messages of type
    "error"; page_errors: uncaught JavaScript exceptions.
    """

    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"blocked (non-local) requests: {self.blocked[:20]}"]
        lines += [f"console error: {m}" for m in self.console_errors[-20:]]
        lines += [f"page error: {m}" for m in self.page_errors[-20:]]
        return "\n".join(lines)


def new_context(browser: Browser, log: BrowserLog, **options) -> BrowserContext:
    """A fresh context (own cookies and storage) that aborts every non-local request into `log`."""
    context = browser.new_context(viewport=VIEWPORT, **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)

    def guard(route: Route, request: Request) -> None:
        if is_local(request.url):
            route.fallback()
        else:
            log.blocked.append(request.url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    context.on("console", lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None)
    context.on("weberror", lambda err: log.page_errors.append(str(err.error)))
    return context


def file_url(path: Path | str) -> str:
    """The file:// URL of a file on disk (absolute, percent-encoded), for `page.goto`."""
    return Path(path).resolve().as_uri()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve_directory(root: Path | str) -> Iterator[str]:
    """Serve `root` over http on 127.0.0.1 (a free port) for the block; yields the base URL ("http://127.0.0.1:PORT/")."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="serve_directory", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
