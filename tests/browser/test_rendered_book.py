"""The rendered book, as a reader sees it: every page opened in headless Chromium, offline.

For the landing page and every chapter, exercise and reference page in _toc.yml:
- math is typeset by the bundled MathJax (every ``.math`` element holds an ``mjx-container``,
  and no raw ``$$`` is left in the text),
- every image has loaded (``naturalWidth > 0``),
- the browser console shows no error, and no resource fails to load,
- no request goes to any host but the local server (the book works offline),
- a full-page screenshot is saved as ``_build/screenshots/<page>.png``.
The search page must find "autograd".

Run after the book build: ``pytest tests/browser`` (``make test`` does).
"""

from __future__ import annotations

import posixpath
import time
from urllib.parse import urlsplit

import pytest
from book_browser import SCREENSHOT_DIR, CDPPage, toc_docnames

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
INERT_SCHEMES = {"data", "blob", "about"}

# Runs in the page once it has loaded: waits for MathJax's first typeset and for every
# image (lazy ones included), then reports what the assertions need.
INSPECT_PAGE_JS = r"""
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = Array.from(document.images);
  images.forEach((img) => { img.loading = "eager"; });
  await Promise.all(images.map((img) => (img.complete && img.naturalWidth > 0) ? null :
    new Promise((done) => {
      img.addEventListener("load", done, {once: true});
      img.addEventListener("error", done, {once: true});
      setTimeout(done, 10000);
    })));
  await document.fonts.ready;

  // Visible prose only: code, scripts and typeset math may contain "$$" legitimately.
  const skip = "pre, code, script, style, textarea, .highlight, mjx-container";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const prose = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement && !node.parentElement.closest(skip)) prose.push(node.nodeValue);
  }
  const math = Array.from(document.querySelectorAll(".math"));
  return {
    title: document.title,
    location: location.pathname,
    mathElements: math.length,
    mathjaxContainers: document.querySelectorAll("mjx-container").length,
    unrenderedMath: math.filter((el) => !el.querySelector("mjx-container"))
                        .map((el) => el.textContent.trim().slice(0, 80)),
    rawDisplayDollars: prose.join(" ").includes("$$"),
    images: images.length,
    brokenImages: images.filter((img) => !(img.complete && img.naturalWidth > 0))
                        .map((img) => img.getAttribute("src")),
  };
})()
"""

SEARCH_RESULTS_JS = r"""
(async () => {
  for (let i = 0; i < 300; i++) {
    const items = document.querySelectorAll("#search-results ul.search li");
    if (items.length) return Array.from(items).map((li) => li.textContent.trim().slice(0, 100));
    const summary = document.querySelector("#search-results .search-summary");
    if (summary && /did not match/i.test(summary.textContent)) return [];
    await new Promise((done) => setTimeout(done, 100));
  }
  return [];
})()
"""


def non_local_requests(urls: list[str]) -> list[str]:
    """Requests that would leave the machine: anything not to 127.0.0.1/localhost."""
    outside = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme in INERT_SCHEMES:
            continue
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname in LOCAL_HOSTS:
            continue
        outside.append(url)
    return outside


def open_and_check(page: CDPPage, url: str, screenshot_name: str) -> dict:
    """Open a page, let it settle, screenshot it, and assert what every page must satisfy."""
    page.goto(url)
    report = page.evaluate(INSPECT_PAGE_JS)
    page.drain(0.5)  # late requests (fonts loaded by MathJax) and late console errors
    page.screenshot(SCREENSHOT_DIR / f"{screenshot_name}.png")

    assert page.requested_urls(), f"{url}: the browser recorded no requests at all"
    outside = non_local_requests(page.requested_urls())
    assert not outside, f"{url} requested resources from outside the machine: {outside}"
    errors = page.console_errors()
    assert not errors, f"{url} has browser console errors:\n" + "\n".join(errors)
    assert not report["brokenImages"], f"{url}: images that did not load: {report['brokenImages']}"
    assert not report["rawDisplayDollars"], f"{url}: raw '$$' in the text: math was not parsed"
    if report["mathElements"]:
        assert report["mathjaxContainers"] > 0, f"{url}: has math but MathJax rendered none"
        assert not report["unrenderedMath"], (
            f"{url}: math left untypeset by MathJax: {report['unrenderedMath']}"
        )
    return report


PAGES = toc_docnames()


@pytest.mark.parametrize("docname", PAGES, ids=PAGES)
def test_page_renders_offline(docname: str, page: CDPPage, base_url: str, html_dir) -> None:
    assert (html_dir / f"{docname}.html").is_file(), f"{docname}.html was not built"
    report = open_and_check(page, f"{base_url}/{docname}.html", posixpath.basename(docname))
    assert report["title"], f"{docname}: page has no title"


def test_site_root_redirects_to_landing_page_which_links_every_page(
    page: CDPPage, base_url: str
) -> None:
    """_build/html/index.html forwards to book/index.html, which links every page in the ToC."""
    page.goto(f"{base_url}/index.html")
    deadline = time.monotonic() + 15
    location = ""
    while time.monotonic() < deadline:
        try:
            location = page.evaluate("document.readyState === 'complete' ? location.pathname : ''")
        except RuntimeError:  # evaluated mid-navigation; try again
            location = ""
        if location.endswith("/book/index.html"):
            break
        page.drain(0.2)
    assert location.endswith("/book/index.html"), f"the site root did not redirect: {location!r}"

    links = set(page.evaluate(
        "Array.from(document.querySelectorAll('article a[href]')).map(a => a.pathname)"
    ))
    for docname in PAGES[1:]:
        assert f"/{docname}.html" in links, f"the landing page does not link to {docname}"
    assert not non_local_requests(page.requested_urls())


def test_search_finds_autograd(page: CDPPage, base_url: str) -> None:
    open_and_check(page, f"{base_url}/search.html?q=autograd", "search")
    results = page.evaluate(SEARCH_RESULTS_JS, timeout=45)
    page.screenshot(SCREENSHOT_DIR / "search.png")
    assert results, "searching the book for 'autograd' found nothing"
