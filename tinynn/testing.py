"""Run the same code in tinynn and in PyTorch, and compare outputs and gradients.

This is the one validation helper that the tests, the book and the exercises share::

    from tinynn.testing import compare_with_torch
    compare_with_torch(lambda lib, a, b: (a @ b).tanh(), np_a, np_b, dtype="float64")

``fn(lib, *tensors)`` is called twice: with ``lib = tinynn`` and tinynn tensors, and with
``lib = torch`` and torch tensors made from the same numpy arrays (on ``device``).
Floating inputs require grad; both outputs are back-propagated with the *same* random
``grad_output``, and the gradient of every input is compared.

Tolerances are stated per dtype: PyTorch's own defaults for ``torch.testing.assert_close``
(float32: rtol 1.3e-6, atol 1e-5; float64: rtol 1e-7, atol 1e-7). The two libraries run
different kernels (numpy's and PyTorch's sums add in different orders), so results agree
to rounding error, not bit for bit. On CUDA, TF32 is switched off first: with it on,
float32 matmuls keep only 10 mantissa bits and no float32 tolerance would hold.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

TOLERANCES = {
    "float16": dict(rtol=1e-3, atol=1e-5),
    "float32": dict(rtol=1.3e-6, atol=1e-5),
    "float64": dict(rtol=1e-7, atol=1e-7),
}


@dataclass
class Comparison:
    """What ``compare_with_torch`` measured: the largest absolute difference per quantity."""

    max_abs_diff: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{k}: {v:.2e}" for k, v in self.max_abs_diff.items())


def cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def disable_tf32() -> None:
    """Make float32 matmuls and convolutions on CUDA exact float32 (no TF32)."""
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False


def reference_devices() -> list:
    """["cpu"], plus "cuda" when PyTorch sees a GPU."""
    return ["cpu"] + (["cuda"] if cuda_available() else [])


def to_numpy(x) -> np.ndarray:
    """A numpy copy of a tinynn or torch tensor (detached, on the CPU)."""
    if hasattr(x, "detach") and hasattr(x, "cpu") and type(x).__module__.startswith("torch"):
        return x.detach().cpu().numpy().copy()
    if hasattr(x, "_data"):
        return np.array(x._data)
    return np.asarray(x)


def _strides(x) -> tuple | None:
    """Strides in elements of a tinynn or torch tensor or a numpy array; None for a number."""
    if hasattr(x, "stride") and callable(x.stride):
        return tuple(x.stride())
    if isinstance(x, np.ndarray):
        return tuple(s // x.itemsize for s in x.strides)
    return None


def _default_tolerance(a: np.dtype, e: np.dtype) -> tuple:
    """PyTorch's default (rtol, atol): the looser of the two dtypes' (exact for integers)."""
    pairs = [TOLERANCES.get(str(d), dict(rtol=0, atol=0)) for d in (a, e)]
    return max(p["rtol"] for p in pairs), max(p["atol"] for p in pairs)


def assert_close(actual, expected, *, rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = True, check_device: bool = True, check_dtype: bool = True,
                 check_stride: bool = False, msg: str | Callable[[str], str] | None = None,
                 name: str = "value") -> float:
    """Assert two tensors/arrays have the same shape and values within tolerance.

    ``actual`` and ``expected`` may come from different libraries (tinynn, torch, numpy).
    The keywords are ``torch.testing.assert_close``'s, with its meanings, except two:

    * ``equal_nan`` defaults to True (PyTorch's to False): a nan where the reference has
      one is agreement when comparing tinynn with PyTorch;
    * ``check_device`` is accepted and ignored: tinynn runs on the CPU and is compared
      with PyTorch on any device.

    The default tolerances are PyTorch's for the dtype (the looser of the two dtypes' when
    ``check_dtype=False``). The message is one line (the exercise checks print it): ``name``,
    how many elements differ, the first one and the largest difference. A string ``msg``
    replaces it; a callable ``msg`` is given it and returns the new one.

    Returns:
        the largest absolute difference.

    Raises:
        AssertionError: for a different shape, dtype (unless ``check_dtype=False``), stride
            (when ``check_stride=True``), or values beyond the tolerance.
    """
    def fail(message: str) -> AssertionError:
        if msg is None:
            return AssertionError(message)
        return AssertionError(msg(message) if callable(msg) else msg)

    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        raise fail(f"{name}: shape {list(a.shape)} != expected {list(e.shape)}")
    if check_dtype and a.dtype != e.dtype:
        raise fail(f"{name}: dtype {a.dtype} != expected {e.dtype}")
    if check_stride and _strides(actual) != _strides(expected):
        raise fail(f"{name}: the values for attribute 'stride()' do not match: "
                   f"{_strides(actual)} != {_strides(expected)}")
    default_rtol, default_atol = _default_tolerance(a.dtype, e.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    if a.size == 0:
        return 0.0
    if a.dtype.kind in "biu" and e.dtype.kind in "biu":
        a64, e64 = a.astype(np.int64), e.astype(np.int64)
        bad = a64 != e64
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise fail(f"{name}: differs at index {list(where)}: {a[where]} != {e[where]}")
        return 0.0
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf is nan; equal infinities are handled below
        diff = np.abs(a64 - e64)
    same = a64 == e64  # equal (infinities too)
    if equal_nan:
        same |= np.isnan(a64) & np.isnan(e64)
    diff = np.where(same, 0.0, diff)
    bad = ~same & ~(diff <= atol + rtol * np.abs(e64))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        largest = float(np.max(np.where(np.isnan(diff), np.inf, diff)))
        note = "" if np.isfinite(largest) else " (a nan or inf where the other has a number)"
        raise fail(
            f"{name}: {int(bad.sum())} of {a.size} elements differ beyond rtol={rtol}, atol={atol}; "
            f"first at index {list(where)}: got {float(a64[where])!r}, expected {float(e64[where])!r}; "
            f"largest difference {largest:.3g}{note}"
        )
    return float(np.nanmax(diff)) if diff.size else 0.0


def _flatten_outputs(out) -> list:
    if isinstance(out, (tuple, list)):
        return [o for item in out for o in _flatten_outputs(item)]
    return [out]


def compare_with_torch(fn: Callable, *inputs, dtype: str = "float32", device: str = "cpu",
                       grad: bool = True, rtol: float | None = None, atol: float | None = None,
                       seed: int = 0) -> Comparison:
    """Run ``fn(lib, *tensors)`` in tinynn and PyTorch on the same inputs and compare.

    Args:
        fn: ``fn(lib, *tensors)`` using only API that both libraries share.
        inputs: numpy arrays or Python numbers. Floating arrays are converted to ``dtype``
            and require grad (when ``grad``); integer and bool arrays pass through as int64/bool.
        dtype: "float32" or "float64".
        device: where the PyTorch reference runs: "cpu" or "cuda".
        grad: also back-propagate the same random gradient through both and compare the
            gradient of every floating input.
        rtol, atol: override the per-dtype tolerances (say why where you do).

    Returns:
        a :class:`Comparison` with the largest difference of each output and gradient.

    Raises:
        AssertionError: naming the output or input gradient that differs, and where.
    """
    import torch

    import tinynn

    if device == "cuda":
        disable_tf32()
    np_dtype = np.dtype(dtype)

    def convert(lib, value):
        if not isinstance(value, np.ndarray):
            return value
        if value.dtype.kind == "f":
            array = value.astype(np_dtype)
            if lib is torch:
                return torch.tensor(array, device=device, requires_grad=grad)
            return tinynn.tensor(array, requires_grad=grad)
        if lib is torch:
            return torch.tensor(value, device=device)
        return tinynn.tensor(value)

    ours_in = [convert(tinynn, v) for v in inputs]
    theirs_in = [convert(torch, v) for v in inputs]
    ours = _flatten_outputs(fn(tinynn, *ours_in))
    theirs = _flatten_outputs(fn(torch, *theirs_in))
    if len(ours) != len(theirs):
        raise AssertionError(f"tinynn returned {len(ours)} outputs, PyTorch {len(theirs)}")

    result = Comparison()
    for i, (o, t) in enumerate(zip(ours, theirs)):
        name = "output" if len(ours) == 1 else f"output {i}"
        result.max_abs_diff[name] = assert_close(o, t, rtol=rtol, atol=atol, name=name)

    if not grad:
        return result
    rng = np.random.default_rng(seed)
    pairs = [(o, t) for o, t in zip(ours, theirs) if t.requires_grad]
    if not pairs:
        return result
    grad_outputs = [rng.standard_normal(t.shape).astype(to_numpy(t).dtype) for _, t in pairs]
    diff_in = [(a, b) for a, b in zip(ours_in, theirs_in) if getattr(b, "requires_grad", False)]
    torch.autograd.backward([t for _, t in pairs], [torch.tensor(g, device=device) for g in grad_outputs])
    tinynn.autograd.backward([o for o, _ in pairs], [tinynn.tensor(g) for g in grad_outputs])
    for k, (a, b) in enumerate(diff_in):
        name = f"grad of input {k}"
        if b.grad is None:
            if a.grad is not None and np.any(to_numpy(a.grad) != 0):
                raise AssertionError(f"{name}: PyTorch has no gradient, tinynn has a nonzero one")
            continue
        if a.grad is None:
            raise AssertionError(f"{name}: tinynn computed no gradient (PyTorch did)")
        result.max_abs_diff[name] = assert_close(a.grad, b.grad, rtol=rtol, atol=atol, name=name)
    return result
