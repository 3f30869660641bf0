"""``RemovableHandle``: what registering a hook returns (mirrors ``torch.utils.hooks``)."""
from __future__ import annotations

import itertools
from typing import Any, Iterable

_next_id = itertools.count()  # one id per handle, increasing in registration order


class RemovableHandle:
    """A handle to a registered hook; ``handle.remove()`` unregisters it.

    ``handle.id`` is a number unique to this handle, increasing in registration order; a
    module stores its hooks in a dict under their handle's id.

    Args:
        hooks: the list or dict the hook was added to.
        key: the hook itself (for a list); for a dict, its key (by default ``handle.id``).
        extra_sets: sets that may hold the key too (a module's "hook takes kwargs" and
            "always call" flags): ``remove()`` discards it from them as well.
    """

    def __init__(self, hooks: list | dict, key: Any = None, extra_sets: Iterable[set] = ()) -> None:
        self.id = next(_next_id)
        self._hooks = hooks
        self._key = self.id if key is None else key
        self._extra_sets = tuple(extra_sets)

    def remove(self) -> None:
        """Unregister the hook (doing nothing if it is already gone)."""
        if isinstance(self._hooks, dict):
            self._hooks.pop(self._key, None)
        elif self._key in self._hooks:
            self._hooks.remove(self._key)
        for flags in self._extra_sets:
            flags.discard(self._key)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
