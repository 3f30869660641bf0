"""Keep the built book free of references to online resources.

Jupyter Book always loads ``sphinx_thebe``, which adds to every page an inline script
naming ``https://unpkg.com/thebe@.../index.js`` and a loader for it. This book has no launch
buttons (it is meant to work offline), so those scripts are never used; this extension drops
them from each page so the HTML names no CDN at all. MathJax is served locally by
``sphinx-mathjax-offline``.
"""

from __future__ import annotations


def _is_thebe_script(script) -> bool:
    filename = getattr(script, "filename", None) or ""
    body = (getattr(script, "attributes", None) or {}).get("body", "")
    return filename.endswith("sphinx-thebe.js") or "THEBE_JS_URL" in body


def _drop_thebe_scripts(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        context["script_files"] = [s for s in context["script_files"] if not _is_thebe_script(s)]


def setup(app):
    app.connect("html-page-context", _drop_thebe_scripts)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
