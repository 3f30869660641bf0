"""Document each tinynn object once in the API reference.

tinynn, like PyTorch, exposes some objects under two names (``tinynn.no_grad`` and
``tinynn.autograd.no_grad`` are the same object). ``automodule`` would describe such an
object twice, and Sphinx warns about the duplicate (an error under ``-W``). This extension
skips an object that was already documented earlier in the reference, so it appears once,
under the first (most public) module that ``book/api.md`` lists.
"""

from __future__ import annotations


def _reset(app, env, docnames) -> None:
    app.env._api_once_seen = set()


def _skip_if_seen(app, what, name, obj, skip, options):
    if skip or what != "module":
        return None  # keep Sphinx's own decision; only de-duplicate module members
    seen = getattr(app.env, "_api_once_seen", None)
    if seen is None:
        seen = app.env._api_once_seen = set()
    if id(obj) in seen:  # module-level objects live for the whole build: ids are stable
        return True
    seen.add(id(obj))
    return None


def setup(app):
    app.connect("env-before-read-docs", _reset)
    app.connect("autodoc-skip-member", _skip_if_seen)
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
