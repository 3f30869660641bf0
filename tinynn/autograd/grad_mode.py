"""Grad mode: one global flag that says whether ops record the graph.

``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode`` flip it for a
block of code and restore it in ``finally``, so an exception inside the block cannot leave
it flipped. Each also works as a decorator, like PyTorch's: on a generator function, the
mode holds while the generator's own code runs (between its ``yield``s), not in the caller.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

_grad_enabled = True
_inference_enabled = False


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded for backward."""
    return _grad_enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` (and not inside an ``inference_mode(False)`` in it)."""
    return _inference_enabled


def _set(mode: bool) -> None:
    global _grad_enabled
    _grad_enabled = bool(mode)


def _wrap_generator(make_context: Callable[[], Any], gen_func: Callable) -> Callable:
    """A generator function whose body runs under a fresh context from ``make_context``
    each time it resumes; the caller's mode is back in place whenever it yields."""

    @functools.wraps(gen_func)
    def wrapper(*args, **kwargs):
        gen = gen_func(*args, **kwargs)
        try:
            with make_context():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with make_context():
                        gen.close()
                    raise
                except BaseException as exc:  # thrown into us: pass it on, under the mode
                    with make_context():
                        response = gen.throw(exc)
                else:
                    with make_context():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


def _decorate(make_context: Callable[[], Any], func: Callable) -> Callable:
    """``func`` (a function or a generator function) running under ``make_context()``."""
    if inspect.isgeneratorfunction(func):
        return _wrap_generator(make_context, func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with make_context():
            return func(*args, **kwargs)

    return wrapper


class _GradModeContext:
    """Base class: sets grad mode to ``self._grad_mode`` on entry and restores it on exit."""

    _grad_mode = True

    def __new__(cls, *args, **kwargs):
        """``@no_grad`` without parentheses decorates the function directly, as in PyTorch."""
        if len(args) == 1 and not kwargs and callable(args[0]) and cls in (no_grad, enable_grad):
            return cls()(args[0])
        return super().__new__(cls)

    def __enter__(self) -> None:
        self._previous = _grad_enabled
        _set(self._grad_mode)

    def __exit__(self, *exc) -> None:
        _set(self._previous)

    def clone(self) -> _GradModeContext:
        """A new context manager of the same kind and mode (a decorator enters one per call)."""
        return type(self)()

    def __call__(self, func: Callable) -> Callable:
        """Use as a decorator: run ``func`` (or a generator function's body) with this mode."""
        return _decorate(self.clone, func)


class no_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording off.

    Inside it, results have ``requires_grad=False`` even if inputs require grad.
    Use it for evaluation and for optimizer updates.

    Example:
        >>> with tinynn.no_grad():
        ...     y = x * 2          # y.requires_grad is False
    """

    _grad_mode = False


class enable_grad(_GradModeContext):
    """Context manager (and decorator) that turns graph recording back on inside ``no_grad``."""

    _grad_mode = True


class set_grad_enabled(_GradModeContext):
    """Set grad mode to ``mode``: as a function call, or for a ``with`` block.

    ``tinynn.set_grad_enabled(False)`` changes the mode at once (and ``with`` restores
    the mode from before the call at the end of the block), as in PyTorch.

    Raises:
        TypeError: if ``mode`` is not a bool.
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, "
                            f"not {type(mode).__name__}")
        self._previous = _grad_enabled
        self.mode = self._grad_mode = mode
        _set(mode)

    def __enter__(self) -> None:
        _set(self.mode)  # already set in __init__, unless the object is entered again

    def __exit__(self, *exc) -> None:
        _set(self._previous)

    def __repr__(self) -> str:
        return f"tinynn.autograd.grad_mode.set_grad_enabled(mode={self.mode})"

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self.mode)

    def __call__(self, func: Callable) -> Callable:
        _set(self._previous)  # used as a decorator: don't change the mode now
        return super().__call__(func)


class inference_mode(_GradModeContext):
    """``no_grad`` under another name in tinynn (PyTorch's inference tensors do not exist here).

    ``inference_mode(False)`` turns grad mode on, as it does in PyTorch;
    :func:`is_inference_mode_enabled` says whether an ``inference_mode()`` block is active.
    """

    def __new__(cls, mode: bool | Callable = True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # @inference_mode without parentheses

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self._grad_mode = not mode

    def __enter__(self) -> None:
        global _inference_enabled
        self._previous_inference = _inference_enabled
        _inference_enabled = self.mode
        super().__enter__()

    def __exit__(self, *exc) -> None:
        global _inference_enabled
        _inference_enabled = self._previous_inference
        super().__exit__(*exc)

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)
