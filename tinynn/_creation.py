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
from ._types import check_memory_format, contiguous_format, in_memory_format, preserve_format
from ._types import device as _device
from .random import _generator


def _cast(array: np.ndarray, dtype: _dtype.dtype) -> np.ndarray:
    """``array`` in ``dtype``, converted as PyTorch converts (``_dtype.cast``), silently."""
    if array.dtype == dtype.numpy_dtype:
        return array
    with np.errstate(over="ignore", invalid="ignore"):
        return _dtype.cast(array, dtype.numpy_dtype)


def _finish(array: np.ndarray, dtype, device, requires_grad: bool) -> Tensor:
    if device is not None:
        _device(device)
    if dtype is not None:
        array = _cast(array, dtype)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad = True  # raises for integer dtypes, as in PyTorch
    return t


def _infer_array(data, dtype: _dtype.dtype | None = None) -> np.ndarray:
    """numpy array for ``data`` with PyTorch's dtype inference for Python values.

    Python data is converted straight to ``dtype`` when one is given (going through
    float32 first would round ``0.1`` before it became a float64; float16 is the exception,
    made from float32 as in PyTorch).

    Raises:
        ValueError: for a numpy array with a negative stride (PyTorch's message), a ragged
            list (``expected sequence of length ...``), or a Python int beyond int64 for an
            integer dtype (``Overflow when unpacking long long``).
        TypeError: for a number where a list was expected, or the other way round.
        RuntimeError: for a value out of ``dtype``'s range, or data of no numeric type.
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
        _check_strides(data)
        return np.array(data, dtype=_dtype.from_numpy_dtype(data.dtype).numpy_dtype)  # raises for unsupported dtypes
    if isinstance(data, (list, tuple)):
        leaves = list(_flat(data))
        if any(isinstance(x, (Tensor, np.generic, np.ndarray)) for x in leaves):
            # PyTorch infers each element's dtype (a numpy float64 is float64, a Python
            # float the default dtype) and promotes them; numpy alone would say float64.
            _check_tensor_leaves(leaves)
            dtype = dtype or functools.reduce(_dtype.promote_types, map(_leaf_dtype, leaves))
            return _cast(np.array(_to_nested_values(data)), dtype)
    try:
        with np.errstate(over="ignore"):
            array = np.array(data)  # numpy's inference: bool, int64, float64, or object for huge ints
    except ValueError:  # ragged: numpy's "inhomogeneous shape"
        array = np.zeros(_nested_shape(data, dtype))  # raises PyTorch's error unless it has no elements
        return array.astype((dtype or _dtype.get_default_dtype()).numpy_dtype)
    if array.dtype.kind == "U":  # strings: PyTorch's exception types
        if isinstance(data, str):
            raise TypeError("new(): invalid data type 'str'")
        raise ValueError("too many dimensions 'str'")
    if array.dtype.kind == "O":  # None, dicts, other objects, and ints beyond int64
        bad = [v for v in array.reshape(-1) if not isinstance(v, (int, float, bool))]
        if bad or not array.size:
            raise RuntimeError(f"Could not infer dtype of {type(bad[0] if bad else data).__name__}")
        return _huge_ints(array, dtype)
    if array.dtype.kind == "u":  # numpy's uint64 for ints in [2**63, 2**64): beyond int64 too
        return _huge_ints(array.astype(object), dtype)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"tinynn does not support values of numpy dtype {array.dtype}")
    if dtype is None:
        return _cast(array, _dtype.get_default_dtype() if array.dtype.kind == "f" else _dtype.from_numpy_dtype(array.dtype))
    _check_range(array, dtype)
    if dtype.is_floating_point and dtype is not _dtype.float16:
        with np.errstate(over="ignore"):  # a float too large for dtype becomes inf, as in PyTorch
            return np.array(data, dtype=dtype.numpy_dtype)
    if dtype.numpy_dtype.kind in "iu" and array.dtype.kind == "i":
        return array.astype(dtype.numpy_dtype)  # uint8 wraps -255..-1 around, as PyTorch does
    with np.errstate(over="ignore"):
        return np.array(data, dtype=np.float32 if dtype is _dtype.float16 else dtype.numpy_dtype).astype(dtype.numpy_dtype)


def _check_strides(array) -> None:
    """PyTorch refuses numpy arrays with a negative stride (``a[::-1]``): it cannot view them."""
    if any(s < 0 for s in np.asarray(array).strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) ")


def _check_tensor_leaves(leaves: list) -> None:
    """A tensor inside a list must hold one element, as PyTorch reads it with ``.item()``."""
    for x in leaves:
        if isinstance(x, Tensor) and x.numel() != 1:
            if x.dtype.is_floating_point:
                raise ValueError("only one element tensors can be converted to Python scalars")
            raise TypeError("only integer tensors of a single element can be converted to an index")
        if isinstance(x, Tensor) and x.requires_grad:
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                          "behavior.\nConsider using tensor.detach() first.", UserWarning, stacklevel=4)
        if isinstance(x, np.ndarray):
            _check_strides(x)


def _check_range(array: np.ndarray, dtype: _dtype.dtype) -> None:
    """Raise PyTorch's RuntimeError where Python numbers do not fit an integer ``dtype``.

    Floats must lie within the type's range (and be finite); ints too, except that uint8
    takes -255..-1 and wraps them around (PyTorch checks ``-x <= 255``).
    """
    kind = dtype.numpy_dtype.kind
    if kind not in "iu" or array.dtype.kind == "b" or not array.size:
        return
    info = np.iinfo(dtype.numpy_dtype)
    low = -int(info.max) if kind == "u" and array.dtype.kind == "i" else int(info.min)
    with np.errstate(invalid="ignore"):
        fits = np.isfinite(array).all() and array.min() >= low and array.max() <= int(info.max)
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")


def _huge_ints(array: np.ndarray, dtype: _dtype.dtype | None) -> np.ndarray:
    """Python numbers with an int beyond int64 (an object array), converted as PyTorch does.

    An integer dtype (given or inferred) reads each int as a C ``long long``: ValueError. A
    float dtype converts the int to a double (OverflowError beyond 1.8e308); bool tests it.
    """
    inferred = functools.reduce(_dtype.promote_types, map(_dtype.scalar_dtype, array.reshape(-1)))
    target = dtype or inferred
    if target is _dtype.bool:
        return array.astype(np.bool_)
    if not target.is_floating_point or not inferred.is_floating_point and dtype is None:
        raise ValueError("Overflow when unpacking long long")
    try:
        return _cast(array.astype(np.float64), target)
    except OverflowError:
        raise OverflowError("int too large to convert to float") from None


def _nested_shape(data, dtype: _dtype.dtype | None) -> tuple:
    """The shape PyTorch reads off ragged nested lists, or PyTorch's error for them.

    The shape comes from the first element at each depth; every list must then match it.
    Raises:
        ValueError: ``expected sequence of length n at dim d (got m)``.
        TypeError: a number where a list should be (``not a sequence``), or a list where a
            number should be.
    """
    shape = []
    x = data
    while isinstance(x, (list, tuple, np.ndarray)):
        shape.append(len(x))
        if not len(x):
            break
        x = x[0]
    if 0 in shape:
        return tuple(shape)  # no elements: PyTorch reads nothing further
    leaves = [v for v in _flat(data) if isinstance(v, (bool, int, float))]
    inferred = dtype or functools.reduce(_dtype.promote_types, map(_dtype.scalar_dtype, leaves), _dtype.bool)
    # Only reached for data numpy has refused: walking it in Python costs nothing extra.
    stack = [(data, 0)]
    while stack:
        x, dim = stack.pop()
        if dim == len(shape):
            if isinstance(x, (list, tuple)):
                if inferred.is_floating_point:
                    raise TypeError(f"must be real number, not {type(x).__name__}")
                raise TypeError(f"'{type(x).__name__}' object cannot be interpreted as an integer")
            continue
        if not isinstance(x, (list, tuple, np.ndarray)):
            raise TypeError("not a sequence")
        if len(x) != shape[dim]:
            raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} (got {len(x)})")
        stack.extend((v, dim + 1) for v in reversed(x))
    raise ValueError("setting an array element with a sequence")  # not reached for lists of numbers


def _leaf_dtype(value) -> _dtype.dtype:
    """The dtype PyTorch infers for one element of nested data."""
    if isinstance(value, Tensor):
        return value.dtype
    if isinstance(value, (np.generic, np.ndarray)):
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
        return from_numpy(data)  # raises ValueError for a negative stride, as PyTorch
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``array``: writing to one changes the other.

    Raises:
        TypeError: if ``array`` is not an ndarray or has an unsupported dtype.
        ValueError: if a stride of ``array`` is negative (``a[::-1]``): copy it first.
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    _dtype.from_numpy_dtype(array.dtype)
    _check_strides(array)
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


def _size_keyword(size: tuple, kwargs: dict, name: str) -> tuple:
    """``size`` given positionally (``zeros(2, 3)``) or as ``size=(2, 3)``, as PyTorch accepts."""
    if "size" in kwargs:
        if size:
            raise TypeError(f"{name}() got multiple values for argument 'size'")
        size = kwargs.pop("size")
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"{name}(): argument 'size' must be tuple of ints, not {type(size).__name__}")
        size = (size,)
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return size


def _fill_scalar(value, dtype: _dtype.dtype):
    """``value`` as PyTorch's ``full`` converts it to ``dtype``: the checks and conversions
    of every fill value (``_dtype.checked_scalar``), and a bool dtype takes its truth.

    Raises:
        RuntimeError: if the value does not fit ``dtype`` (a finite float beyond its range too).
        OverflowError: for a Python int beyond 64 bits (``int too big to convert``).
    """
    converted = _dtype.checked_scalar(value, dtype)
    return np.bool_(converted) if dtype is _dtype.bool else converted


def _float_dtype(dtype):
    return dtype if dtype is not None else _dtype.get_default_dtype()


def zeros(*size, dtype=None, device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    return _finish(np.zeros(_shape(_size_keyword(size, kwargs, "zeros"), "zeros"), dtype=_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """A tensor of ones of shape ``size``."""
    return _finish(np.ones(_shape(_size_keyword(size, kwargs, "ones"), "ones"), dtype=_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False, **kwargs) -> Tensor:
    """An uninitialised tensor of shape ``size`` (its values are whatever was in memory)."""
    return _finish(np.empty(_shape(_size_keyword(size, kwargs, "empty"), "empty"), dtype=_float_dtype(dtype).numpy_dtype), None, device, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from the value).

    dtype: bool, int64 or the default float dtype, after the kind of ``fill_value`` (a
    one-element tensor counts as its Python number; a numpy bool as a float, as in PyTorch).

    Raises:
        TypeError: if ``size`` is not a sequence, or ``fill_value`` a tensor of several elements.
        RuntimeError: if ``fill_value`` does not fit ``dtype``.
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    if isinstance(fill_value, Tensor):
        if fill_value.ndim or fill_value.requires_grad:  # PyTorch takes only a plain 0-d tensor
            raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not Tensor")
        fill_value = fill_value.item()
    if isinstance(fill_value, np.bool_):
        fill_value = float(fill_value)  # PyTorch reads a numpy bool as a float
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value)
    fill_value = _fill_scalar(fill_value, dtype)
    return _finish(np.full(_shape((size,)), fill_value, dtype=dtype.numpy_dtype), None, device, requires_grad)


def _laid_out_like(result: Tensor, input: Tensor, memory_format, name: str) -> Tensor:
    """``result`` (a new tensor of ``input``'s shape) with its values laid out in memory as
    ``memory_format`` says, relative to ``input``: by default (``preserve_format``) in
    ``input``'s order, so that ``zeros_like(x.t())`` is transposed too, as in PyTorch."""
    check_memory_format(name, memory_format)
    if memory_format is contiguous_format or (memory_format is preserve_format and input._data.flags.c_contiguous):
        return result  # row-major already (the usual case: no second copy)
    laid_out = in_memory_format(input._data, memory_format, copy=False, dtype=result._data.dtype, name=name)
    laid_out[...] = result._data
    result._data = laid_out
    return result


def zeros_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False,
               memory_format=preserve_format) -> Tensor:
    result = zeros(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)
    return _laid_out_like(result, input, memory_format, "zeros_like")


def ones_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False,
              memory_format=preserve_format) -> Tensor:
    result = ones(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)
    return _laid_out_like(result, input, memory_format, "ones_like")


def empty_like(input: Tensor, *, dtype=None, device=None, requires_grad: bool = False,
               memory_format=preserve_format) -> Tensor:
    result = empty(input.shape, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)
    return _laid_out_like(result, input, memory_format, "empty_like")


def full_like(input: Tensor, fill_value, *, dtype=None, device=None, requires_grad: bool = False,
              memory_format=preserve_format) -> Tensor:
    result = full(input.shape, fill_value, dtype=dtype or input.dtype, device=device, requires_grad=requires_grad)
    return _laid_out_like(result, input, memory_format, "full_like")


def _number(value):
    """A 0-d tensor argument as its Python number (PyTorch reads range bounds as Scalars)."""
    return value.item() if isinstance(value, Tensor) else value


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Values ``start + step * i`` from ``start`` (default 0) up to, not including, ``end``.

    dtype: int64 if all arguments are integers, else the default float dtype. As in PyTorch,
    the length is ``ceil((end - start) / step)``; an integer dtype truncates the arguments
    to integers first (int64 computes its length from them too); float32 values are computed
    in float64 and float16 values in float32, then rounded.

    Raises:
        RuntimeError: for a zero step, or a step whose sign leads away from ``end``.
        ValueError: for int64 when the step truncates to 0 (``arange(0, 1, 0.5, dtype=int64)``).
        NotImplementedError: for ``dtype=bool``.
    """
    start, end, step = map(_number, (start, end, step))
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
        dtype = _dtype.int64 if is_int else _dtype.get_default_dtype()
    if dtype is _dtype.bool:
        raise NotImplementedError('"arange_cpu" not implemented for \'Bool\'')
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (np.isfinite(start) and np.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype.is_floating_point:
        size = int(np.ceil((float(end) - float(start)) / float(step)))
        if dtype is _dtype.float16:  # PyTorch accumulates a Half in float32
            index = np.arange(size, dtype=np.float32)
            values = np.float32(start) + np.float32(step) * index
        else:
            values = float(start) + float(step) * np.arange(size, dtype=np.float64)
        return _finish(_cast(values, dtype), None, device, requires_grad)
    size = int(np.ceil((float(end) - float(start)) / float(step)))  # from the arguments as given
    start, end, step = int(start), int(end), int(step)  # truncated, as PyTorch's int64 accumulator
    if dtype is _dtype.int64:  # its length comes from the truncated arguments
        if step == 0:
            raise ValueError("step must be nonzero")
        size = (end - start + step - (1 if step > 0 else -1)) // step
    values = start + step * np.arange(max(size, 0), dtype=np.int64)
    return _finish(_cast(values, dtype), None, device, requires_grad)


def _check_steps(steps: int, name: str, dtype: _dtype.dtype) -> None:
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if dtype is _dtype.bool:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')


def linspace(start: float, end: float, steps: int, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included.

    Computed as PyTorch does, in ``dtype`` itself: ``step = (end - start) / (steps - 1)``, the
    first half ``start + step * i``, the second half ``end - step * (steps - 1 - i)``, so both
    ends are exact. An integer dtype truncates ``start`` and ``end`` and the values.

    Raises:
        RuntimeError: if ``steps`` is negative.
        NotImplementedError: for ``dtype=bool``.
    """
    dtype = _float_dtype(dtype)
    start, end = _number(start), _number(end)
    _check_steps(steps, "linspace", dtype)
    if steps == 1:
        return full((1,), start, dtype=dtype, device=device, requires_grad=requires_grad)
    index = np.arange(steps)
    if dtype.is_floating_point:
        work = dtype.numpy_dtype.type
        first, last = _cast(np.array(start, dtype=np.float64), dtype), _cast(np.array(end, dtype=np.float64), dtype)
        step = work((last - first) / work(max(steps - 1, 1)))
        index = index.astype(dtype.numpy_dtype)
    else:
        first, last = np.int64(int(start)), np.int64(int(end))
        step = (float(last) - float(first)) / max(steps - 1, 1)
    if dtype is _dtype.float32:
        # PyTorch's vectorized kernel rounds step * i + start once (a fused multiply-add): in
        # float64 the product of two float32 values is exact, so only the sum is rounded
        first, last, step, index = np.float64(first), np.float64(last), np.float64(step), np.arange(steps)
    with np.errstate(over="ignore", invalid="ignore"):
        values = np.where(np.arange(steps) < steps // 2, first + step * index,
                          last - step * (index[::-1] if steps else index))
    return _finish(_cast(values, dtype), None, device, requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` values from ``base ** start`` to ``base ** end``, evenly spaced in the exponent.

    Raises:
        RuntimeError: if ``steps`` is negative.
        NotImplementedError: for ``dtype=bool``.
    """
    _check_steps(steps, "logspace", _float_dtype(dtype))
    with np.errstate(over="ignore"):
        values = np.logspace(_number(start), _number(end), steps, base=base)
    return _finish(_cast(values, _float_dtype(dtype)), None, device, requires_grad)


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


def rand_like(input: Tensor, *, dtype=None, memory_format=preserve_format) -> Tensor:
    return _laid_out_like(rand(input.shape, dtype=dtype or input.dtype), input, memory_format, "rand_like")


def randn_like(input: Tensor, *, dtype=None, memory_format=preserve_format) -> Tensor:
    return _laid_out_like(randn(input.shape, dtype=dtype or input.dtype), input, memory_format, "randn_like")


def randint_like(input: Tensor, low, high=None, *, dtype=None, memory_format=preserve_format) -> Tensor:
    return _laid_out_like(randint(low, high, input.shape, dtype=dtype or input.dtype), input, memory_format, "randint_like")


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
