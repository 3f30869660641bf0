"""Tensor factories: ``tensor``, ``zeros``, ``arange``, ``randn``... with PyTorch's signatures.

Every factory takes ``dtype``, ``device`` ("cpu" only) and ``requires_grad`` keywords.
Floating-point results use the default dtype (float32) unless ``dtype`` says otherwise;
integer ranges and ``randint`` give int64, as in PyTorch.
"""
from __future__ import annotations

import functools
import numbers
import warnings

import numpy as np

from . import _dtype
from ._tensor import Tensor, _size_args
from ._types import device as _device
from .random import _generator


def _finish(array: np.ndarray, dtype, device, requires_grad: bool) -> Tensor:
    if device is not None:
        _device(device)
    if dtype is not None and array.dtype != dtype.numpy_dtype:
        with np.errstate(over="ignore", invalid="ignore"):  # casts as PyTorch's .to(dtype): silent
            array = array.astype(dtype.numpy_dtype)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True  # raises for integer dtypes, as in PyTorch
    return t


def _infer_array(data, dtype: _dtype.dtype | None = None) -> np.ndarray:
    """numpy array for ``data`` with PyTorch's dtype inference for Python values.

    Python data is converted straight to ``dtype`` when one is given (going through
    float32 first would round ``0.1`` before it became a float64).
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.clone().detach() "
            "or sourceTensor.clone().detach().requires_grad_(True), rather than tinynn.tensor(sourceTensor).",
            UserWarning,
            stacklevel=3,
        )
        return data._data.copy()
    if isinstance(data, (np.ndarray, np.generic)):  # an array or a numpy scalar keeps its dtype
        return np.array(data, dtype=_dtype.from_numpy_dtype(data.dtype).numpy_dtype)  # raises for unsupported dtypes
    if isinstance(data, (list, tuple)):
        leaves = list(_flat(data))
        if any(isinstance(x, (Tensor, np.generic)) for x in leaves):
            # PyTorch infers each element's dtype (a numpy float64 is float64, a Python
            # float the default dtype) and promotes them; numpy alone would say float64.
            dtype = dtype or functools.reduce(_dtype.promote_types, map(_leaf_dtype, leaves))
            return np.array(_to_nested_values(data), dtype=dtype.numpy_dtype)
    if dtype is not None:
        try:
            with np.errstate(over="ignore"):  # a float too large for dtype becomes inf, as in PyTorch
                return np.array(data, dtype=dtype.numpy_dtype)
        except (OverflowError, ValueError):  # an int out of range, or nan/inf, for an integer dtype
            raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") from None
    array = np.array(data)
    if array.dtype.kind == "f":
        return array.astype(_dtype.get_default_dtype().numpy_dtype)
    if array.dtype.kind in "iu":
        return array.astype(np.int64)
    if array.dtype.kind == "b":
        return array
    if array.dtype.kind == "U":  # strings: PyTorch's exception types
        if isinstance(data, str):
            raise TypeError("new(): invalid data type 'str'")
        raise ValueError("too many dimensions 'str'")
    if array.dtype.kind == "O":  # None, dicts, other objects
        bad = next((v for v in array.reshape(-1) if not isinstance(v, (int, float, bool))), data)
        raise RuntimeError(f"Could not infer dtype of {type(bad).__name__}")
    raise TypeError(f"tinynn does not support values of numpy dtype {array.dtype}")


def _leaf_dtype(value) -> _dtype.dtype:
    """The dtype PyTorch infers for one element of nested data."""
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, np.generic):
        return _dtype.from_numpy_dtype(value.dtype)
    return _dtype.scalar_dtype(value)


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _to_nested_values(data):
    if isinstance(data, (list, tuple)):
        return [_to_nested_values(x) for x in data]
    if isinstance(data, Tensor):
        return data._data.tolist() if data.ndim else data.item()
    return data


def tensor(data, *, dtype: _dtype.dtype | None = None, device=None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, or an ndarray).

    dtype: inferred from the data when not given: bool, int64 for integers, float32 (the
    default dtype) for Python floats; an ndarray keeps its own dtype.

    Raises:
        RuntimeError: if ``requires_grad=True`` for a non-floating dtype.
        TypeError: for data of a type that cannot be converted.
    """
    return _finish(_infer_array(data, dtype), dtype, device, requires_grad)


def as_tensor(data, dtype: _dtype.dtype | None = None, device=None) -> Tensor:
    """Like ``tensor``, but shares memory with a Tensor or ndarray when no conversion is needed."""
    if isinstance(data, Tensor):
        return data.to(dtype) if dtype is not None else data
    if isinstance(data, np.ndarray) and (dtype is None or data.dtype == dtype.numpy_dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``array``: writing to one changes the other.

    Raises:
        TypeError: if ``array`` is not an ndarray or has an unsupported dtype.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _shape(size: tuple, name: str = "") -> tuple:
    """The shape given as ``f(2, 3)`` or ``f((2, 3))`` to the factory ``name``.

    Raises:
        TypeError: if no size is given at all (``zeros()``; a 0-d tensor is ``zeros(())``).
        RuntimeError: for a negative size, as PyTorch does (numpy would raise ValueError).
    """
    if name and size == ():
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    shape = _size_args(size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
    return shape


def _float_dtype(dtype):
    return dtype if dtype is not None else _dtype.get_default_dtype()


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    return _finish(np.zeros(_shape(size, "zeros"), dtype=_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return _finish(np.ones(_shape(size, "ones"), dtype=_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of shape ``size`` (its values are whatever was in memory)."""
    return _finish(np.empty(_shape(size, "empty"), dtype=_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from the value)."""
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    fill_value = _dtype.checked_scalar(fill_value, dtype)  # RuntimeError if it overflows dtype
    return _finish(np.full(_shape((size,)), fill_value, dtype=dtype.numpy_dtype), None, device, requires_grad)


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return zeros(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return ones(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return empty(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Values from ``start`` (default 0) up to, not including, ``end``, every ``step``.

    dtype: int64 if all arguments are integers, else the default float dtype.
    """
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = _dtype.int64 if is_int else _dtype.get_default_dtype()
    with np.errstate(over="ignore"):  # values beyond a float16's range become inf, as in PyTorch
        values = np.arange(start, end, step).astype(dtype.numpy_dtype)
    return _finish(values, None, device, requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in the exponent."""
    values = np.logspace(start, end, steps, base=base)
    return _finish(values.astype(_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def eye(n: int, m: int | None = None, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (m = n by default)."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform random values in [0, 1)."""
    values = _generator(generator).random(_shape(size, "rand"))
    return _finish(values.astype(_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal random values (mean 0, variance 1)."""
    values = _generator(generator).standard_normal(_shape(size, "randn"))
    return _finish(values.astype(_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def randint(low, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """Random integers in [low, high) of shape ``size``: ``randint(high, size)`` or ``randint(low, high, size)``."""
    if size is None:
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint() missing 1 required positional arguments: \"size\"")
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    values = _generator(generator).integers(low, high, _shape((size,)))
    return _finish(values.astype((dtype or _dtype.int64).numpy_dtype), None, device, requires_grad)


def randperm(n: int, *, generator=None, dtype=None, device=None) -> Tensor:
    """A random permutation of 0 .. n-1 (int64)."""
    return _finish(_generator(generator).permutation(n).astype((dtype or _dtype.int64).numpy_dtype), None, device, False)


def rand_like(input: Tensor, *, dtype=None) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype)


def randn_like(input: Tensor, *, dtype=None) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype)


def randint_like(input: Tensor, low, high=None, *, dtype=None) -> Tensor:
    return randint(low, high, input.shape, dtype=dtype or input.dtype)


def normal(mean, std, size=None, *, generator=None) -> Tensor:
    """Normal random values with the given mean and std (numbers with ``size``, or tensors)."""
    m = getattr(mean, "_data", mean)
    s = getattr(std, "_data", std)
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    values = _generator(generator).normal(m, s, shape)
    return Tensor._make(values.astype(_dtype.get_default_dtype().numpy_dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None) -> Tensor:
    """Sample indices with probabilities proportional to the (non-negative) rows of ``input``."""
    probs = np.atleast_2d(input._data).astype(np.float64)
    if np.any(probs < 0) or not np.all(np.isfinite(probs)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rng = _generator(generator)
    rows = [
        rng.choice(probs.shape[1], size=num_samples, replace=replacement, p=row / row.sum())
        for row in probs
    ]  # one call per distribution (row), not per element
    out = np.stack(rows).astype(np.int64)
    return Tensor._make(out if input.ndim == 2 else out[0])


def bernoulli(input: Tensor, *, generator=None) -> Tensor:
    """1 with probability ``input[i]``, else 0."""
    return Tensor._make((_generator(generator).random(input.shape) < input._data).astype(input._data.dtype))
