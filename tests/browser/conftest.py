"""Fixtures for the rendered-book tests: the built HTML, a local web server over it, and
headless Chromium. These tests run after the book build (`make test` builds the book, then
runs `pytest tests/browser`).
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from book_browser import HTML_DIR, Browser, CDPPage, QuietHandler


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(f"{HTML_DIR}/index.html is missing: build the book first (`make book`).")
    return HTML_DIR


@pytest.fixture(scope="session")
def base_url(html_dir: Path):
    handler = functools.partial(QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    chromium = Browser()
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture
def page(browser: Browser):
    tab = browser.new_page()
    try:
        yield tab
    finally:
        tab.close()
