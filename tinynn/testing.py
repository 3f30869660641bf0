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


def assert_close(actual, expected, *, rtol: float | None = None, atol: float | None = None,
                 name: str = "value") -> float:
    """Assert two tensors/arrays have the same shape and values within tolerance.

    Returns the largest absolute difference. The AssertionError names the worst element.
    """
    a, e = to_numpy(actual), to_numpy(expected)
    if a.shape != e.shape:
        raise AssertionError(f"{name}: shape {list(a.shape)} != expected {list(e.shape)}")
    if a.dtype != e.dtype:
        raise AssertionError(f"{name}: dtype {a.dtype} != expected {e.dtype}")
    tol = TOLERANCES.get(str(e.dtype), dict(rtol=0, atol=0))
    rtol = tol["rtol"] if rtol is None else rtol
    atol = tol["atol"] if atol is None else atol
    if a.size == 0:
        return 0.0
    if a.dtype.kind in "biu":
        if not np.array_equal(a, e):
            where = tuple(int(i) for i in np.argwhere(a != e)[0])
            raise AssertionError(f"{name}: differs at index {list(where)}: {a[where]} != {e[where]}")
        return 0.0
    a64, e64 = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore"):  # inf - inf is nan; equal infinities are handled below
        diff = np.abs(a64 - e64)
    same = (np.isnan(a64) & np.isnan(e64)) | (a64 == e64)  # both nan, or equal (infinities too)
    diff = np.where(same, 0.0, diff)
    bad = ~same & ~(diff <= atol + rtol * np.abs(e64))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        largest = float(np.max(np.where(np.isnan(diff), np.inf, diff)))
        note = "" if np.isfinite(largest) else " (a nan or inf where the other has a number)"
        raise AssertionError(
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
