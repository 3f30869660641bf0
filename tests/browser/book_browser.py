"""Helpers for testing the rendered book: the page list from _toc.yml, a quiet HTTP handler,
and headless Debian Chromium driven over the Chrome DevTools Protocol (CDP).

Browser tools that download their own browser do not work offline, so this talks CDP
directly through ``websocket-client`` to the system ``/usr/bin/chromium``
(``apt-get install -y chromium``; ``make chromium`` and ``.ci/run`` install it).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
HTML_DIR = ROOT / "_build" / "html"
SCREENSHOT_DIR = ROOT / "_build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Hard limits, so a broken page fails the test instead of hanging CI.
PAGE_LOAD_TIMEOUT_S = 30
SETTLE_TIMEOUT_S = 30
MAX_SCREENSHOT_HEIGHT = 16000  # Chromium cannot capture much taller surfaces
VIEWPORT = (1280, 900)  # a laptop screen: the theme shows both sidebars


# -- the book's pages, from _toc.yml ---------------------------------------------------

def _toc_entries(node: Any) -> list[str]:
    """Every ``file:`` in a jb-book ToC, depth first, in reading order."""
    files: list[str] = []
    if isinstance(node, dict):
        if "file" in node:
            files.append(str(node["file"]))
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key, []) or []:
                files.extend(_toc_entries(child))
    elif isinstance(node, list):
        for child in node:
            files.extend(_toc_entries(child))
    return files


def toc_docnames() -> list[str]:
    """Docnames (paths without suffix, relative to the repo root) of all pages, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    names = [str(toc["root"])] + _toc_entries(toc)
    return [os.path.splitext(n)[0] for n in names]


# -- a local web server over _build/html -------------------------------------------------

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib's name)
        pass


# -- Chromium and a minimal CDP client -----------------------------------------------------

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _devtools_http(port: int, path: str, method: str = "GET") -> Any:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    with _NO_PROXY.open(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


class CDPPage:
    """One browser tab, driven over its DevTools websocket. Collects every event it sees."""

    def __init__(self, port: int) -> None:
        import websocket  # websocket-client

        self._port = port
        target = _devtools_http(port, "/json/new?about:blank", method="PUT")
        self._target_id = target["id"]
        self._ws = websocket.create_connection(
            target["webSocketDebuggerUrl"], timeout=PAGE_LOAD_TIMEOUT_S, suppress_origin=True
        )
        self._next_id = 0
        self.events: list[dict] = []

    # Low level ------------------------------------------------------------------------
    def _receive(self, timeout: float) -> dict | None:
        import websocket

        self._ws.settimeout(max(timeout, 0.01))
        try:
            message = json.loads(self._ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        if "method" in message:
            self.events.append(message)
        return message

    def send(self, method: str, params: dict | None = None, timeout: float = 30) -> dict:
        self._next_id += 1
        call_id = self._next_id
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            message = self._receive(remaining)
            if message is not None and message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"CDP {method} failed: {message['error']}")
                return message.get("result", {})
        raise TimeoutError(f"CDP {method}: no answer in {timeout} s")

    def wait_for_event(self, method: str, timeout: float) -> dict:
        seen = len(self.events)
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no {method} within {timeout} s")
            self._receive(remaining)

    def drain(self, seconds: float) -> None:
        """Keep collecting events for a while (late requests, late console errors)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            self._receive(remaining)

    def evaluate(self, expression: str, timeout: float = SETTLE_TIMEOUT_S) -> Any:
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"JavaScript error: {result['exceptionDetails']}")
        return result["result"].get("value")

    # High level -----------------------------------------------------------------------
    def goto(self, url: str) -> None:
        self.send("Page.navigate", {"url": url})
        self.wait_for_event("Page.loadEventFired", PAGE_LOAD_TIMEOUT_S)

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e["method"] == "Network.requestWillBeSent"
        ]

    def console_errors(self) -> list[str]:
        errors = []
        for e in self.events:
            method, params = e["method"], e["params"]
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
                errors.append(f"console.{params['type']}: {text}")
            elif method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                text = details.get("exception", {}).get("description") or details.get("text")
                errors.append(f"uncaught exception: {text}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                entry = params["entry"]
                errors.append(f"{entry['source']}: {entry['text']} {entry.get('url', '')}".strip())
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                errors.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                errors.append(f"request failed: {params.get('errorText')} ({params.get('type')})")
        return errors

    def screenshot(self, path: Path) -> None:
        """Save a full-page PNG: make the viewport as tall as the page, then capture it.

        (``captureBeyondViewport`` mis-draws this theme's sticky sidebar, so it is not used.)
        """
        import base64

        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        height = max(VIEWPORT[1], min(int(size["height"]), MAX_SCREENSHOT_HEIGHT))
        self.set_viewport(VIEWPORT[0], height)
        try:
            self.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
            shot = self.send("Page.captureScreenshot", {"format": "png"}, timeout=60)
        finally:
            self.set_viewport(*VIEWPORT)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def set_viewport(self, width: int, height: int) -> None:
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            try:
                _devtools_http(self._port, f"/json/close/{self._target_id}")
            except Exception:  # the browser may already be gone; nothing to clean up then
                pass


class Browser:
    """Headless Debian Chromium with a fresh profile and the DevTools port open on 127.0.0.1."""

    def __init__(self) -> None:
        if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
            raise RuntimeError(
                f"{CHROMIUM} not found: install Debian's chromium (`apt-get install -y chromium`, "
                "or `make chromium`)."
            )
        self._profile = tempfile.mkdtemp(prefix="tinynn-book-chromium-")
        self._log_path = Path(self._profile) / "chromium.log"
        self._log = open(self._log_path, "wb")  # a file, not a pipe: a full pipe would block it
        self._process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--no-proxy-server",
                # Any host but the local server fails fast (requests are still recorded).
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
                "--hide-scrollbars",
                f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        self.port = self._wait_for_port()

    def _wait_for_port(self) -> int:
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                stderr = self._log_path.read_bytes().decode(errors="replace")[-2000:]
                self.close()
                raise RuntimeError(f"chromium exited with {self._process.returncode}:\n{stderr}")
            if port_file.is_file():
                lines = port_file.read_text().split()
                if lines:
                    return int(lines[0])
            time.sleep(0.1)
        self.close()
        raise RuntimeError("chromium did not open its DevTools port within 30 s")

    def new_page(self) -> CDPPage:
        page = CDPPage(self.port)
        for domain in ("Network", "Runtime", "Log", "Page"):
            page.send(f"{domain}.enable")
        page.set_viewport(*VIEWPORT)
        return page

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()
        shutil.rmtree(self._profile, ignore_errors=True)
