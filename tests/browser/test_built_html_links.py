"""Static checks over the built HTML in _build/html (no browser needed, but a build is).

- Every internal link (``<a href>`` to a local page, with or without ``#anchor``) resolves:
  the file exists, and the anchor is an ``id`` (or ``<a name>``) in it.
- Every resource a page loads (``<script src>``, ``<link href>``, ``<img src>``, ...) is a
  local file that exists: the book must work offline, with no CDN.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.browser

# (tag, attribute) pairs that make the browser fetch something when the page loads.
RESOURCE_ATTRS = {
    ("script", "src"), ("img", "src"), ("source", "src"), ("video", "src"), ("audio", "src"),
    ("iframe", "src"), ("embed", "src"), ("object", "data"), ("input", "src"),
}
SKIPPED_SCHEMES = {"mailto", "javascript", "data", "tel"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []      # <a href>, <area href>: navigation
        self.resources: list[str] = []  # loaded with the page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value for name, value in attrs if value is not None}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and "name" in attributes:
            self.ids.add(attributes["name"])
        if tag in ("a", "area") and "href" in attributes:
            self.links.append(attributes["href"])
        if tag == "link" and "href" in attributes:
            rel = attributes.get("rel", "").lower().split()
            # stylesheets, icons and preloads are fetched; next/prev/index are navigation
            if {"stylesheet", "icon", "preload", "modulepreload", "manifest"} & set(rel):
                self.resources.append(attributes["href"])
            else:
                self.links.append(attributes["href"])
        for (resource_tag, attribute) in RESOURCE_ATTRS:
            if tag == resource_tag and attribute in attributes:
                self.resources.append(attributes[attribute])


@cache
def parse(path: Path) -> _PageParser:
    parser = _PageParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return parser


def html_pages(html_dir: Path) -> list[Path]:
    return sorted(p for p in html_dir.rglob("*.html") if "_static" not in p.relative_to(html_dir).parts)


def resolve(html_dir: Path, page: Path, href: str) -> tuple[Path | None, str]:
    """The local file an href points to (None for an external URL), and its fragment."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None, parts.fragment
    if not parts.path:
        return page, unquote(parts.fragment)
    base = page.parent.relative_to(html_dir).as_posix()
    target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    path = html_dir / target
    if path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_html_was_built(html_dir: Path) -> None:
    assert len(html_pages(html_dir)) > 1


def test_internal_links_resolve(html_dir: Path) -> None:
    broken: dict[str, list[str]] = defaultdict(list)
    checked = 0
    for page in html_pages(html_dir):
        for href in parse(page).links:
            if not href or href == "#" or urlsplit(href).scheme in SKIPPED_SCHEMES:
                continue
            target, fragment = resolve(html_dir, page, href)
            if target is None:
                continue  # a link to another site: fine to follow, never loaded by itself
            checked += 1
            name = page.relative_to(html_dir).as_posix()
            if not target.resolve().is_relative_to(html_dir.resolve()):
                broken[name].append(f"{href} (points outside _build/html)")
            elif not target.is_file():
                broken[name].append(f"{href} (no such file)")
            elif fragment and target.suffix == ".html" and fragment not in parse(target).ids:
                broken[name].append(f"{href} (no id {fragment!r} in {target.name})")
    assert checked > 0
    assert not broken, "broken internal links:\n" + "\n".join(
        f"  {page}: {', '.join(hrefs)}" for page, hrefs in sorted(broken.items())
    )


def test_every_loaded_resource_is_local(html_dir: Path) -> None:
    problems: dict[str, list[str]] = defaultdict(list)
    for page in html_pages(html_dir):
        name = page.relative_to(html_dir).as_posix()
        for src in parse(page).resources:
            if urlsplit(src).scheme == "data":
                continue
            target, _ = resolve(html_dir, page, src)
            if target is None:
                problems[name].append(f"{src} (not local: the book must work offline)")
            elif not target.is_file():
                problems[name].append(f"{src} (no such file)")
    assert not problems, "resources that will not load offline:\n" + "\n".join(
        f"  {page}: {', '.join(srcs)}" for page, srcs in sorted(problems.items())
    )
