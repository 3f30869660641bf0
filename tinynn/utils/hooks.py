"""``RemovableHandle``: what registering a hook returns (mirrors ``torch.utils.hooks``)."""
from __future__ import annotations


class RemovableHandle:
    """A handle to a registered hook; ``handle.remove()`` unregisters it.

    Args:
        hooks: the list or dict the hook was added to.
        key: the hook itself (for a list) or its key (for a dict).
    """

    def __init__(self, hooks, key) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        """Unregister the hook (doing nothing if it is already gone)."""
        if isinstance(self._hooks, dict):
            self._hooks.pop(self._key, None)
        elif self._key in self._hooks:
            self._hooks.remove(self._key)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
