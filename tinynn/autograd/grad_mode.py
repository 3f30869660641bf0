"""Grad mode: one global flag that says whether ops record the graph.

``no_grad``, ``enable_grad`` and ``set_grad_enabled`` flip it for a block of code and
restore it in ``finally``, so an exception inside the block cannot leave it flipped.
Each also works as a decorator, like PyTorch's.
"""
from __future__ import annotations

import functools

_grad_enabled = True


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded for backward."""
    return _grad_enabled


def _set(mode: bool) -> None:
    global _grad_enabled
    _grad_enabled = bool(mode)


class _GradModeContext:
    """Base class: sets the flag to ``self.mode`` on entry and restores it on exit."""

    mode = True

    def __new__(cls, *args, **kwargs):
        """``@no_grad`` without parentheses decorates the function directly, as in PyTorch."""
        if len(args) == 1 and not kwargs and callable(args[0]) and cls is not set_grad_enabled:
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._previous = _grad_enabled
        _set(self.mode)

    def __exit__(self, *exc) -> None:
        _set(self._previous)

    def __call__(self, func):
        """Use as a decorator: run ``func`` with this grad mode."""
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            previous = _grad_enabled
            _set(mode)
            try:
                return func(*args, **kwargs)
            finally:
                _set(previous)

        return wrapper


class no_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording off.

    Inside it, results have ``requires_grad=False`` even if inputs require grad.
    Use it for evaluation and for optimizer updates.

    Example:
        >>> with tinynn.no_grad():
        ...     y = x * 2          # y.requires_grad is False
    """

    mode = False


class enable_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording back on inside ``no_grad``."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``: as a function call, or for a ``with`` block.

    ``tinynn.set_grad_enabled(False)`` changes the mode at once (and ``with`` restores
    the previous mode at the end of the block), as in PyTorch.
    """

    def __init__(self, mode: bool) -> None:
        self._previous = _grad_enabled
        self.mode = bool(mode)
        _set(mode)

    def __enter__(self) -> None:
        pass  # already set in __init__

    def __exit__(self, *exc) -> None:
        _set(self._previous)

    def __repr__(self) -> str:
        return f"tinynn.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def __call__(self, func):
        _set(self._previous)  # used as a decorator: don't change the mode now
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class inference_mode(no_grad):
    """Same as :class:`no_grad` in tinynn (PyTorch's extra speed-ups do not apply).

    ``inference_mode(False)`` turns grad mode on, as it does in PyTorch.
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = not mode
