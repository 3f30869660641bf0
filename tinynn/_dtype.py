"""dtypes: tinynn's names for numpy's scalar types, and PyTorch's promotion rules.

A ``tinynn.dtype`` wraps a numpy dtype. The interesting part is :func:`result_type`,
which decides the dtype of ``a + b``. PyTorch's rule (not numpy's) is:

* categories are ordered ``bool < integer < floating``;
* operands come in three priorities: tensors with at least one dimension, 0-d tensors,
  and Python numbers;
* a lower-priority operand changes the result only when its *category* is higher.
  So ``int64 tensor + 2.5`` is ``float32`` (the default float dtype), and
  ``float32 tensor + float64 0-d tensor`` stays ``float32``.
* within one category the wider type wins (``float32 + float64 -> float64``), but across
  categories the higher category wins as it is: ``int64 + float32 -> float32``
  (numpy would say float64).
"""
from __future__ import annotations

import builtins as _builtins  # this module's own names bool/int/float are dtypes

import numpy as np


class dtype:
    """A tensor element type, e.g. ``tinynn.float32``.

    Attributes:
        is_floating_point: True for float16/32/64.
        itemsize: bytes per element.
    """

    def __init__(self, name: str, numpy_dtype: np.dtype) -> None:
        self.name = name
        self.numpy_dtype = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy_dtype.kind == "f"
        self.is_signed = self.numpy_dtype.kind in "if"
        self.itemsize = self.numpy_dtype.itemsize

    @property
    def category(self) -> _builtins.int:
        """0 for bool, 1 for integers, 2 for floating point."""
        return {"b": 0, "u": 1, "i": 1, "f": 2}[self.numpy_dtype.kind]

    def __repr__(self) -> str:
        return f"tinynn.{self.name}"

    def __reduce__(self):
        return self.name


bool = dtype("bool", np.bool_)  # noqa: A001  (PyTorch's name)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)

# PyTorch's aliases
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

_ALL = (bool, uint8, int8, int16, int32, int64, float16, float32, float64)
_FROM_NUMPY = {d.numpy_dtype: d for d in _ALL}

_default_dtype = float32


def from_numpy_dtype(numpy_dtype: np.dtype) -> dtype:
    """The tinynn dtype of a numpy dtype. Raises TypeError for unsupported ones."""
    try:
        return _FROM_NUMPY[np.dtype(numpy_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(numpy_dtype).name}. The only "
            "supported types are: float64, float32, float16, int64, int32, int16, int8, "
            "uint8, and bool."
        ) from None


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (float32 at start)."""
    return _default_dtype


def set_default_dtype(d: dtype) -> None:
    """Set the default floating-point dtype (float32 or float64).

    Raises:
        TypeError: if ``d`` is not a floating-point dtype.
    """
    global _default_dtype
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default_dtype = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to without losing their category."""
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return from_numpy_dtype(np.promote_types(a.numpy_dtype, b.numpy_dtype))


def scalar_dtype(value) -> dtype:
    """The dtype PyTorch gives a Python number: bool, int64 or the default float."""
    if isinstance(value, (builtins_bool, np.bool_)):
        return bool
    if isinstance(value, (builtins_int, np.integer)):
        return int64
    if isinstance(value, (builtins_float, np.floating)):
        return _default_dtype
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def cast(array: np.ndarray, target: np.dtype) -> np.ndarray:
    """``array.astype(target)`` as PyTorch converts: a float64 array becomes float16 by way of
    float32, since PyTorch's ``Half`` is made from a ``float`` (1.19677734 rounds twice, to
    1.197, where one rounding gives 1.196). Values beyond the target's range make numpy warn:
    run it inside ``quiet_numpy.run`` or ``np.errstate``, as PyTorch converts silently."""
    if target == np.float16 and array.dtype == np.float64:
        array = array.astype(np.float32)
    return array.astype(target)


def checked_scalar(value, target: dtype):
    """A Python number as a numpy scalar of ``target``, as PyTorch converts a fill value.

    A float becomes float16 by way of float32, as in PyTorch (its ``Half`` is made from a
    ``float``: 1.19677734 becomes 1.197, where rounding once would give 1.196).

    An unsigned type takes a negative int down to minus its largest value and wraps it
    around, as PyTorch does (-1 into uint8 is 255).

    Raises:
        RuntimeError: if it does not fit: a finite float beyond the float type's largest
            value (65510 for float16, although it would round to 65504), an int out of the
            integer type's range, or inf or nan for an integer type (PyTorch's "value
            cannot be converted to type ... without overflow").
        OverflowError: for a Python int beyond 64 bits (PyTorch's "int too big to convert").
    """
    if isinstance(value, builtins_int) and not -2 ** 63 <= value < 2 ** 64:  # (bool targets too)
        raise OverflowError(f"int too big to convert (got {value}, beyond 64 bits)")
    kind = target.numpy_dtype.kind
    if kind not in "fiu" or not isinstance(value, (builtins_int, builtins_float, np.integer, np.floating)):
        return value
    error = RuntimeError(f"value cannot be converted to type {target.name} without overflow "
                         f"(got {value})")
    if kind == "f":
        if np.isfinite(value) and abs(builtins_float(value)) > builtins_float(np.finfo(target.numpy_dtype).max):
            raise error
        with np.errstate(over="ignore"):
            return target.numpy_dtype.type(np.float32(value) if target is float16 else value)
    info = np.iinfo(target.numpy_dtype)
    lowest = -_builtins.int(info.max) if kind == "u" and isinstance(value, (builtins_int, np.integer)) else info.min
    if not np.isfinite(value) or not lowest <= value <= info.max:
        raise error
    return target.numpy_dtype.type(_builtins.int(value) % (_builtins.int(info.max) + 1) if kind == "u" else _builtins.int(value))


def result_type(*operands) -> dtype:
    """The dtype of an elementwise op on ``operands`` (tensors and Python numbers).

    Follows PyTorch: dimensioned tensors decide, unless a 0-d tensor or a Python number
    is of a higher category (see the module docstring).
    """
    Tensor = _tensor.Tensor
    if len(operands) == 1 and type(operands[0]) is Tensor:  # fast path: one tensor
        return _FROM_NUMPY[operands[0]._data.dtype]
    if len(operands) == 2:  # fast path for the common cases: same dtype, or tensor and number
        a, b = operands
        if type(a) is not Tensor:
            a, b = b, a
        if type(a) is Tensor:
            kind = a._data.dtype.kind
            if type(b) is Tensor and a._data.dtype == b._data.dtype:
                return _FROM_NUMPY[a._data.dtype]
            if (kind == "f" and type(b) in (builtins_float, builtins_int)) or (kind == "i" and type(b) is builtins_int):
                return _FROM_NUMPY[a._data.dtype]
    first = operands[0] if operands else None
    if (type(first) is Tensor and first._data.dtype.kind == "f"
            and all(type(op) is builtins_float or type(op) is builtins_int for op in operands[1:])):
        return _FROM_NUMPY[first._data.dtype]  # fast path: a float tensor and numbers (clamp's bounds)
    if operands and all(type(op) is Tensor for op in operands):  # fast path: tensors of one dtype
        first = operands[0]._data.dtype
        if all(op._data.dtype == first for op in operands):
            return _FROM_NUMPY[first]
    dimensioned = zero_dim = number = None
    for op in operands:
        if isinstance(op, (Tensor, np.ndarray)):
            # A numpy array (x + np.ones(3)) counts as a tensor of its dtype. PyTorch lets numpy
            # compute such an op, which reads the tensor with x.numpy(): so a tensor that
            # requires grad raises there, and here too (array_operand_error).
            if isinstance(op, Tensor):
                op_dtype = op.dtype
            else:
                op_dtype = array_dtype(op)
                if any(isinstance(t, Tensor) and t._requires_grad for t in operands):
                    raise array_operand_error()
            if op.ndim > 0:
                dimensioned = op_dtype if dimensioned is None else promote_types(dimensioned, op_dtype)
            else:
                zero_dim = op_dtype if zero_dim is None else promote_types(zero_dim, op_dtype)
        else:
            d = scalar_dtype(op)
            number = d if number is None else promote_types(number, d)
    result = dimensioned
    for candidate in (zero_dim, number):
        if candidate is not None and (result is None or candidate.category > result.category):
            result = candidate
    return result


def array_dtype(array: np.ndarray) -> dtype:
    """The tinynn dtype of a numpy array used as an operand.

    Raises:
        TypeError: for a dtype tinynn has no tensors of (PyTorch's message).
    """
    result = _FROM_NUMPY.get(array.dtype)
    if result is None:
        raise TypeError(f"can't convert np.ndarray of type numpy.{array.dtype.type.__name__}. The only "
                        "supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
                        "and bool.")
    return result


def array_operand_error() -> RuntimeError:
    """PyTorch's error for an op between a numpy array and a tensor that requires grad."""
    return RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead. "
                        "(an operand is a numpy array, and an op with one reads the tensor's values without "
                        "their history, as in PyTorch: make the array a tensor, tinynn.tensor(array), to keep "
                        "the gradient)")


# PyTorch's names of each dtype in its messages, one table each:
SCALAR_NAMES = {  # dtype name -> C++ scalar type name: "expected scalar type Float"
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int",
    "int64": "Long", "float16": "Half", "float32": "Float", "float64": "Double",
}
LEGACY_TYPE_NAMES = {  # dtype name -> PyTorch's legacy tensor type name (x.type())
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
    "uint8": "ByteTensor", "bool": "BoolTensor",
}


def scalar_name(dtype: dtype) -> str:
    """PyTorch's C++ name of a dtype, as its messages print it: Float, Long, ..."""
    return SCALAR_NAMES.get(dtype.name, dtype.name)


def legacy_type_name(dtype: dtype) -> str:
    """PyTorch's legacy tensor type name of a dtype (``x.type()``): FloatTensor, ..."""
    return LEGACY_TYPE_NAMES.get(dtype.name, dtype.name)


from . import _tensor  # noqa: E402  (at the bottom: _tensor imports this module)

builtins_bool, builtins_int, builtins_float = _builtins.bool, _builtins.int, _builtins.float
