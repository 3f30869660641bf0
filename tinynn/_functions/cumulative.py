"""Cumulative ops along one dim: ``cumsum``, ``cumprod``, ``cummax``, ``cummin``, and
``diff`` (their inverse, the forward difference).

Each output element ``z_i`` depends on ``x_0 ... x_i``, so a gradient ``g_i`` flows back
to every ``x_j`` with ``j <= i``: the backward runs the accumulation from the other end.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import _dtype, return_types
from .. import _tensor  # Tensor is defined there; it imports this module too
from ..autograd import grad_mode
from ..autograd.function import Function, quiet_numpy
from .elementwise import Where, _check_tensor
from .indexing import ScatterAdd
from .out import write_out
from .reduction import check_dtype_arg, check_grad_dtype, dim_alias, normalize_dims, single_dim, write_out_pair
from .shape import cat

if TYPE_CHECKING:  # for annotations only; the ops look up _tensor.Tensor when they run
    from .._tensor import Tensor


def _axis(name: str, input: Tensor, dim, axis) -> int:
    """``dim`` (required; ``axis`` is its alias) as an axis; 0 for a 0-d tensor."""
    _check_tensor(name, input)
    dim, _ = dim_alias(name, dim, False, axis, None, no_dim="required")
    single_dim(name, dim)
    return (normalize_dims(dim, input.ndim) or (0,))[0]  # checks the range, also for 0-d


def _extreme_axis(name: str, input: Tensor, dim, axis) -> int:
    """As :func:`_axis`, but on an empty tensor with dims any ``dim`` is taken (PyTorch's
    cummax/cummin check the range only when there are elements): axis 0 stands for it."""
    _check_tensor(name, input)
    if input.ndim and not input.numel():
        dim, _ = dim_alias(name, dim, False, axis, None, no_dim="required")
        single_dim(name, dim)
        return 0
    return _axis(name, input, dim, axis)


#: The dtype PyTorch's CPU kernels keep a running sum or product in (its ``acc_type``): float16
#: in float32 and float32 in float64, each output rounded back to the dtype. So a float32
#: running sum that cancels keeps its small terms: 1e8 + 1 - 1e8 gives 1, not 0.
_RUNNING_DTYPE = {np.dtype(np.float16): np.dtype(np.float32), np.dtype(np.float32): np.dtype(np.float64)}


def _running(cumulate, data: np.ndarray, axis: int, dtype: np.dtype | None = None) -> np.ndarray:
    """``np.cumsum`` or ``np.cumprod`` (``cumulate``) of ``data`` along ``axis`` in ``dtype``
    (default: data's), as PyTorch computes it: converted to that dtype first, then
    accumulated in ``_RUNNING_DTYPE``'s. Runs inside ``quiet_numpy.run`` (inf - inf = nan and
    a result beyond the dtype's range = inf, without numpy's warnings)."""
    target = data.dtype if dtype is None else np.dtype(dtype)
    wide = _RUNNING_DTYPE.get(target)
    if wide is None:
        return cumulate(data, axis=axis, dtype=target)
    return cumulate(data.astype(target, copy=False), axis=axis, dtype=wide).astype(target)


class Cumsum(Function):
    """z_i = sum_{j <= i} x_j along ``dim``;  dL/dx_j = sum_{i >= j} g_i (a cumsum from the end)."""

    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim = dim
        if dtype is None and x.dtype.category < 2:
            dtype = _dtype.int64  # PyTorch accumulates bool and integer tensors in int64
        out_dtype = None if dtype is None else dtype.numpy_dtype
        if x.ndim == 0:
            return x._data.astype(out_dtype or x._data.dtype)
        # inf + -inf = nan, as in PyTorch: numpy's warnings off (quiet_numpy, function.py)
        return quiet_numpy.run(_running, np.cumsum, x._data, dim, out_dtype)

    @staticmethod
    def backward(ctx, grad_output):
        if grad_output.ndim == 0:
            return grad_output, None, None
        return ReverseCumsum.apply(grad_output, ctx.dim), None, None


class ReverseCumsum(Function):
    """z_j = sum_{i >= j} g_i along ``dim``, a cumsum from the end: Cumsum's backward as one
    op (in tensor ops it is three, a flip, a cumsum and a flip; here the same three numpy
    calls, so the same values). Its own backward is a cumsum: dL/dg_i = sum_{j <= i} h_j."""

    @staticmethod
    def forward(ctx, grad_output, dim):
        ctx.dim = dim
        # inf + -inf = nan, as in PyTorch: numpy's warnings off
        return quiet_numpy.run(_reverse_cumsum, grad_output._data, dim)

    @staticmethod
    def backward(ctx, grad):
        return Cumsum.apply(grad, ctx.dim, None), None


def _reverse_cumsum(g: np.ndarray, dim: int) -> np.ndarray:
    """The cumsum of g from the end along ``dim`` (accumulated as in ``Cumsum``). Runs inside
    ``quiet_numpy.run``: an overflow gives inf without a warning."""
    return np.flip(_running(np.cumsum, np.flip(g, dim), dim), dim)

def cumsum(input: Tensor, dim: int | None = None, *, dtype=None, out: Tensor | None = None,
           axis=None) -> Tensor:
    """Running sum along ``dim``: ``out[i] = x[0] + ... + x[i]``; same shape as ``input``.

    ``dtype`` casts first; integer and bool inputs accumulate in int64.

    Raises:
        TypeError: without ``dim``.
        IndexError: for a dim out of range (0-d tensors take 0 and -1).
        RuntimeError: for an integer ``dtype`` while ``input`` requires grad.
    """
    d = _axis("cumsum", input, dim, axis)
    check_dtype_arg("cumsum", dtype)
    check_grad_dtype(input, dtype)
    result = Cumsum.apply(input, d, dtype)
    return result if out is None else write_out("cumsum", result, out)


def _inplace_cumulative(name: str, function, input: Tensor, dim, dtype) -> Tensor:
    d = _axis(name, input, dim, None)
    check_dtype_arg(name, dtype)
    if dtype is not None and dtype is not input.dtype:
        raise RuntimeError(f"Bad in-place call: input tensor dtype {input.dtype} and output tensor "
                           f"dtype {dtype} should match")
    if input.dtype is _dtype.bool:
        if input.numel() == 0 or input.ndim == 0:  # nothing to accumulate (PyTorch returns too)
            return input
        raise NotImplementedError(f"\"{name[:-1]}_out_cpu\" not implemented for 'Bool' (convert "
                                  "first, e.g. x.long())")
    return input._inplace(function, d, input.dtype)  # accumulates in input's own dtype


def cumsum_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """``input.cumsum_(dim)``: the running sum written into ``input`` (see :func:`cumsum`),
    accumulated in ``input``'s dtype.

    Raises:
        RuntimeError: for a ``dtype`` other than ``input``'s.
        NotImplementedError: for a bool input with elements (as PyTorch).
    """
    return _inplace_cumulative("cumsum_", Cumsum, input, dim, dtype)


class Cumprod(Function):
    """z_i = prod_{k <= i} x_k along ``dim``;  dL/dx_j = sum_{i >= j} g_i prod_{k <= i, k != j} x_k.

    Without zeros in x, prod_{k <= i, k != j} x_k = z_i / x_j, so dL/dx = (a cumsum from the
    end of g * z) / x: O(n). With a zero, z_i / x_j is 0/0. Then, as in PyTorch: outside
    ``create_graph``, the O(n) split of :func:`_cumprod_backward_with_zeros`; inside it
    (where the gradient must itself be differentiable), the products that leave out x_j
    formed directly, one row per j (x with x_j replaced by 1, cumulated): an (n, n) matrix
    per line along ``dim``, O(n^2).
    """

    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim = dim
        if dtype is None and x.dtype.category < 2:
            dtype = _dtype.int64  # PyTorch multiplies bool and integer tensors in int64
        out_dtype = None if dtype is None else dtype.numpy_dtype
        if x.ndim == 0:
            z = x._data.astype(out_dtype or x._data.dtype)
        else:
            # 0 * inf = nan, as in PyTorch: numpy's warnings off
            z = quiet_numpy.run(_running, np.cumprod, x._data, dim, out_dtype)
        z = _tensor.Tensor._make(z)
        ctx.save_for_backward(x, z)  # the output itself, so that double backward sees z(x)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        x, z = ctx.saved_tensors
        if x.numel() <= 1 or x.shape[ctx.dim] == 1:  # z = x
            return grad_output, None, None
        d = ctx.dim
        if not np.any(x._data == 0):
            return (grad_output * z).flip(d).cumsum(d).flip(d) / x, None, None
        if not grad_mode.is_grad_enabled():
            return _cumprod_backward_with_zeros(x._data, z._data, grad_output._data, d), None, None
        n = x.shape[d]
        xm, gm = x.movedim(d, -1), grad_output.movedim(d, -1)  # (..., n)
        eye = _tensor.Tensor._make(np.eye(n, dtype=bool))  # [j, i]: i == j
        # leave_out[..., j, i] = x_i, except x_j replaced by 1; cumulated along i
        leave_out = Where.apply(eye, xm.new_ones(()), xm.unsqueeze(-2).expand(xm.shape[:-1] + (n, n)))
        others = leave_out.cumprod(-1)  # [..., j, i] = prod_{k <= i, k != j} x_k
        later = _tensor.Tensor._make(np.triu(np.ones((n, n), dtype=bool)))  # i >= j
        terms = Where.apply(later, others * gm.unsqueeze(-2), xm.new_zeros(()))
        return terms.sum(-1).movedim(-1, d), None, None


def _cumprod_backward_with_zeros(x: np.ndarray, z: np.ndarray, g: np.ndarray, d: int) -> Tensor:
    """dL/dx of cumprod where x has zeros, in O(n), as PyTorch computes it outside
    ``create_graph`` (so nan and inf propagate as in PyTorch).

    Along each line, with k the first zero: before k, dL/dx_j = (sum_{i >= j} g_i z_i) / x_j
    (z_i = 0 from k on); at k, dL/dx_k = z_{k-1} * sum_{k <= i < next zero} g_i q_i with q_i
    the product of x_{k+1} ... x_i; after k, 0 (each product holds x_k = 0 and another zero,
    or x_k's own term).
    """
    is_zero = x == 0
    zeros_so_far = np.cumsum(is_zero, axis=d)
    before = zeros_so_far == 0
    first_zero = is_zero & (zeros_so_far == 1)
    between = (zeros_so_far == 1)  # from the first zero up to the next one

    def gradient():  # run with numpy's warnings off: IEEE results, as in PyTorch
        w = np.where(before, z * g, 0)
        suffix = np.flip(np.cumsum(np.flip(w, d), axis=d), d)
        grad = np.where(before, suffix / np.where(before, x, 1), 0)
        q = np.cumprod(np.where(between & ~first_zero, x, 1), axis=d)
        total = np.sum(np.where(between, g * q, 0), axis=d, keepdims=True)
        ones = np.ones_like(np.take(z, [0], axis=d))
        z_before = np.concatenate([ones, np.delete(z, -1, axis=d)], axis=d)  # z_{j-1}, 1 for j = 0
        return np.where(first_zero, z_before * total, grad)
    return _tensor.Tensor._make(quiet_numpy.run(gradient).astype(g.dtype, copy=False))


def cumprod(input: Tensor, dim: int | None = None, *, dtype=None, out: Tensor | None = None,
            axis=None) -> Tensor:
    """Running product along ``dim``: ``out[i] = x[0] * ... * x[i]``; as :func:`cumsum`.

    The gradient is exact also where x has zeros (see ``Cumprod``).
    """
    d = _axis("cumprod", input, dim, axis)
    check_dtype_arg("cumprod", dtype)
    check_grad_dtype(input, dtype)
    result = Cumprod.apply(input, d, dtype)
    return result if out is None else write_out("cumprod", result, out)


def cumprod_(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """``input.cumprod_(dim)``: the running product written into ``input`` (see :func:`cumprod`)."""
    return _inplace_cumulative("cumprod_", Cumprod, input, dim, dtype)


class CumExtreme(Function):
    """(values, indices): the running max (``largest``) or min along ``dim``, and the index
    where each running value was reached (the last one on ties, as in PyTorch);
    dL/dx = g added into the positions ``indices`` point at."""

    @staticmethod
    def forward(ctx, x, dim, largest):
        ctx.dim, ctx.shape = dim, x.shape
        if x.ndim == 0:
            indices = _tensor.Tensor._make(np.zeros((), dtype=np.int64))
            ctx.mark_non_differentiable(indices)
            return x._data.copy(), indices
        data = x._data
        values = (np.maximum if largest else np.minimum).accumulate(data, axis=dim)  # nan propagates
        positions = np.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - 1 - dim))
        # x_i equals the running value exactly where it is reached (anew or in a tie): the
        # last such position up to i is where the running value came from
        reached = (data == values) | np.isnan(data)
        indices = np.maximum.accumulate(np.where(reached, positions, 0), axis=dim).astype(np.int64)
        indices = _tensor.Tensor._make(indices)
        ctx.save_for_backward(indices)  # an output: changing it in place before backward is caught
        ctx.mark_non_differentiable(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad_output, grad_indices):
        if len(ctx.shape) == 0:
            return grad_output, None, None
        indices, = ctx.saved_tensors
        return ScatterAdd.apply(grad_output, ctx.shape, ctx.dim, indices), None, None

def cummax(input: Tensor, dim: int | None = None, *, out=None, axis=None):
    """``(values, indices)``: the running maximum along ``dim`` and the index where each was
    reached (the last one on ties; a nan, once met, stays); both of ``input``'s shape. The
    values carry gradient to those indices.

    Raises:
        TypeError: without ``dim``.
        IndexError: for a dim out of range (not checked on an empty tensor, as PyTorch).
    """
    d = _extreme_axis("cummax", input, dim, axis)
    return write_out_pair("cummax", return_types.cummax(*CumExtreme.apply(input, d, True)), out)


def cummin(input: Tensor, dim: int | None = None, *, out=None, axis=None):
    """``(values, indices)``: the running minimum along ``dim``; as :func:`cummax`."""
    d = _extreme_axis("cummin", input, dim, axis)
    return write_out_pair("cummin", return_types.cummin(*CumExtreme.apply(input, d, False)), out)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The ``n``-th forward difference along ``dim``: ``out[i] = x[i + 1] - x[i]``, applied
    ``n`` times to ``prepend``, ``input`` and ``append`` joined along ``dim`` (bool tensors:
    ``x[i + 1] != x[i]``). The size of ``dim`` shrinks by ``n`` (not below 0).

    Raises:
        RuntimeError: for a 0-d input, a negative ``n``, or ``prepend``/``append`` with
            another number of dims.
        IndexError: for a dim out of range.
    """
    _check_tensor("diff", input)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
    single_dim("diff", dim)
    for argument, extra in (("prepend", prepend), ("append", append)):
        if extra is not None:
            _check_tensor("diff", extra, argument, 3 if argument == "prepend" else 4)
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = normalize_dims(dim, input.ndim)[0]
    for extra in (prepend, append):
        if extra is not None and extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input "
                               f"(got {extra.ndim} and {input.ndim} dims)")
    x = input
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, input, append) if t is not None], d)
    for _ in range(n):
        length = max(x.shape[d] - 1, 0)
        later, earlier = x.narrow(d, x.shape[d] - length, length), x.narrow(d, 0, length)
        x = later != earlier if x.dtype is _dtype.bool else later - earlier
    return x
