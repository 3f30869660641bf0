"""tinynn: a small, readable deep-learning library in numpy that mirrors PyTorch's API.

A PyTorch program that stays inside what tinynn covers runs unchanged with
``import tinynn as torch``.
"""
from __future__ import annotations

from . import autograd, cuda, random
from ._creation import (
    arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full, full_like,
    linspace, logspace, multinomial, normal, ones, ones_like, rand, rand_like, randint, randint_like,
    randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from ._dtype import (
    bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int,
    int8, int16, int32, int64, long, promote_types, set_default_dtype, short, uint8,
)
from ._dtype import result_type as _result_type
from ._functions.elementwise import (
    add, arctan2, atan2, clamp, clip, div, divide, floor_divide, fmod, lerp, maximum, minimum, mul,
    multiply, pow, remainder, sub, subtract, true_divide, where,
)
from ._functions.einsum import einsum
from ._functions.indexing import (
    gather, index_add, index_fill, index_select, masked_fill, masked_select, nonzero, scatter,
    scatter_add,
)
from ._functions.linalg import addmm, bmm, dot, ger, matmul, mm, mv, outer
from ._functions.reduction import std, sum, var
from ._functions.shape import (
    cat, chunk, clone, concat, concatenate, diag, diagonal, flatten, flip, movedim, moveaxis,
    narrow, permute, repeat_interleave, reshape, roll, split, squeeze, stack, swapaxes, swapdims,
    t, tile, trace, transpose, tril, triu, unbind, unflatten, unsqueeze,
)
from ._functions.sorting import median, topk
from ._functions.unary import (
    abs, absolute, acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, asin, asinh,
    atan, atanh, ceil, cos, cosh, erf, exp, expm1, fix, floor, log, log1p, log2, log10, neg,
    negative, reciprocal, relu, round, rsqrt, sigmoid, sign, sin, sinh, sqrt, square, tan, tanh,
    trunc,
)
from ._tensor import Tensor
from ._types import Size, UntypedStorage, device
from ._tensor_str import set_printoptions
from .autograd.grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .random import Generator, initial_seed, manual_seed, seed
from .serialization import load, save
from . import nn, optim  # noqa: E402  (after the core they build on)
from .utils import convert as _convert, data as _data  # noqa: E402,F401  (tinynn.utils.data after `import tinynn`)

__version__ = "0.1.0"


# -- functions that mirror the Tensor methods of the same name (torch.exp(x) == x.exp()) --
def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    return input.numel()


def result_type(tensor1, tensor2) -> dtype:
    return _result_type(tensor1, tensor2)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


# Reductions take numpy's names too, ``axis`` for ``dim`` and ``keepdims`` for ``keepdim``,
# as PyTorch's do (see ``Tensor.sum``).
def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    return input.mean(dim, keepdim, dtype=dtype, axis=axis, keepdims=keepdims)


def prod(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.prod(dim, keepdim, axis=axis, keepdims=keepdims)


def max(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.max(dim, keepdim, axis=axis, keepdims=keepdims)


def min(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.min(dim, keepdim, axis=axis, keepdims=keepdims)


def amax(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    return input.amax(dim, keepdim, axis=axis, keepdims=keepdims)


def amin(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
    return input.amin(dim, keepdim, axis=axis, keepdims=keepdims)


def argmax(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.argmax(dim, keepdim, axis=axis, keepdims=keepdims)


def argmin(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.argmin(dim, keepdim, axis=axis, keepdims=keepdims)


def cumsum(input, dim=None, *, dtype=None, axis=None):
    return input.cumsum(dim, dtype=dtype, axis=axis)


def cumprod(input, dim=None, *, dtype=None, axis=None):
    """Running product along ``dim`` (see ``Tensor.cumprod``)."""
    return input.cumprod(dim, dtype=dtype, axis=axis)


def cummax(input, dim=None, *, axis=None):
    """``(values, indices)`` of the running maximum along ``dim`` (see ``Tensor.cummax``)."""
    return input.cummax(dim, axis=axis)


def cummin(input, dim=None, *, axis=None):
    """``(values, indices)`` of the running minimum along ``dim`` (see ``Tensor.cummin``)."""
    return input.cummin(dim, axis=axis)


def sort(input, dim=-1, descending=False, stable=False):
    return input.sort(dim, descending, stable=stable)


def all(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.all(dim, keepdim, axis=axis, keepdims=keepdims)


def any(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.any(dim, keepdim, axis=axis, keepdims=keepdims)


def count_nonzero(input, dim=None, *, axis=None):
    return input.count_nonzero(dim, axis=axis)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    return input.unique(sorted, return_inverse, return_counts, dim)


def diff(input, n=1, dim=-1, prepend=None, append=None):
    return input.diff(n, dim, prepend, append)


def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    return input.logsumexp(dim, keepdim, axis=axis, keepdims=keepdims)


def softmax(input, dim=None, *, axis=None):
    return input.softmax(dim, axis=axis)


def log_softmax(input, dim=None, *, axis=None):
    return input.log_softmax(dim, axis=axis)


def norm(input, p=2, dim=None, keepdim=False):
    return input.norm(p, dim, keepdim)


def detach(input):
    return input.detach()


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.allclose(other, rtol, atol, equal_nan)


def equal(input, other):
    return input.equal(other)


def isnan(input):
    return input.isnan()


def isinf(input):
    return input.isinf()


def isfinite(input):
    return input.isfinite()


def logical_not(input):
    return input.logical_not()


def logical_and(input, other):
    return input.logical_and(other)


def logical_or(input, other):
    return input.logical_or(other)


def logical_xor(input, other):
    """True where exactly one of ``input`` and ``other`` is nonzero (broadcast; a bool tensor).

    Raises:
        RuntimeError: if the shapes do not broadcast.
    """
    return input.logical_xor(other)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return input.isclose(other, rtol, atol, equal_nan)


def argsort(input, dim=-1, descending=False):
    return input.argsort(dim, descending)


def eq(input, other):
    return input == other


def ne(input, other):
    return input != other


def lt(input, other):
    return input < other


def le(input, other):
    return input <= other


def gt(input, other):
    return input > other


def ge(input, other):
    return input >= other
