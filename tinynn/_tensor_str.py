"""How a tensor prints: ``tensor([[1., 2.], [3., 4.]], requires_grad=True)``, as in PyTorch.

PyTorch's rules, which numpy's printing does not follow on its own:

* floats that are all whole numbers print as ``1.``; others with 4 decimals (``0.5000``);
  scientific notation (``1.0000e+05``) when values span more than 1000x, or exceed 1e8,
  or go below 1e-4;
* every element is padded to the same width;
* the dtype is shown unless it is the default for its kind (float32, int64, bool);
* then ``requires_grad=True`` (a leaf) or ``grad_fn=<MulBackward0>`` (a result).
"""
from __future__ import annotations

import numpy as np

from . import _dtype


def _float_formatter(values: np.ndarray):
    finite = values[np.isfinite(values)].astype(np.float64)
    if finite.size == 0:
        fmt = "{:.4f}"
    elif np.all(finite == np.round(finite)):
        nonzero = np.abs(finite[finite != 0])
        if nonzero.size and nonzero.max() > 1e8:
            fmt = "{:.4e}"
        else:
            fmt = "{:.0f}."
    else:
        nonzero = np.abs(finite[finite != 0])
        sci = nonzero.size and (nonzero.max() / nonzero.min() > 1000 or nonzero.max() > 1e8 or nonzero.min() < 1e-4)
        fmt = "{:.4e}" if sci else "{:.4f}"

    def format_one(x) -> str:
        if np.isnan(x):
            return "nan"
        if np.isinf(x):
            return "inf" if x > 0 else "-inf"
        return fmt.format(x)

    return format_one


def _formatter(values: np.ndarray):
    if values.dtype.kind == "f":
        one = _float_formatter(values)
    elif values.dtype.kind == "b":
        one = str
    else:
        one = lambda x: str(int(x))  # noqa: E731
    shown = values if values.size <= 1000 else np.concatenate(
        [values.reshape(-1)[:3], values.reshape(-1)[-3:]]
    )
    width = max((len(one(x)) for x in shown.reshape(-1)), default=0)
    return lambda x: one(x).rjust(width)


def tensor_repr(t) -> str:
    data = t._data
    suffixes = []
    if data.size == 0 and data.ndim > 1:
        body = "[]"
        suffixes.append(f"size={tuple(data.shape)}")
    elif data.size == 0:
        body = "[]"
    else:
        kind = "float" if data.dtype.kind == "f" else ("bool" if data.dtype.kind == "b" else "int")
        body = np.array2string(
            data,
            separator=", ",
            prefix="tensor(",
            max_line_width=80,
            threshold=1000,
            edgeitems=3,
            formatter={kind: _formatter(data)},
        )
    dtype = t.dtype
    if dtype not in (_dtype.get_default_dtype(), _dtype.int64, _dtype.bool):
        suffixes.append(f"dtype={dtype!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + suffixes) + ")"
