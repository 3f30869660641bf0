"""The documented deviations, as the differential suite meets them.

A case where tinynn and PyTorch disagree is a bug unless a row of ``book/deviations.md``
says otherwise. Each :class:`Deviation` below belongs to one row (its ``row`` is the row's
"Area" cell, checked by ``test_harness.py``). It says which disagreements the row explains
(``covers``: the op, and the exact kind of every problem found), and then checks that
tinynn does on this very case what the row says it does (``holds``). So a documented
deviation is not skipped: the case passes only if tinynn's side is the documented one, and
a disagreement of any other kind in the same case still fails.

``holds(sample, tinynn_outcome, torch_outcome, weights)`` returns ``None`` when tinynn
keeps the row's promise, or a sentence saying how it does not (``weights(shape)`` gives the
harness's loss weights: backward runs on ``sum(weights * result)``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Deviation:
    row: str  # the "Area" cell of the row in book/deviations.md, markdown removed
    ops: tuple
    forms: tuple  # the forms it applies to; () for every form
    problems: tuple  # each problem found must start with one of these
    applies: Callable  # (sample) -> bool: the inputs the row is about
    holds: Callable  # (sample, tinynn Outcome, torch Outcome, weights) -> None, or what is wrong

    def covers(self, op, form: str, sample, problems: list[str]) -> bool:
        return (op.name in self.ops and (not self.forms or form in self.forms) and bool(problems)
                and all(p.startswith(self.problems) for p in problems) and self.applies(sample))


def _data(v):
    """The numpy array of a sample argument (an ``Arr``), or None for anything else."""
    return getattr(v, "data", None) if hasattr(v, "view") else None


def _numpy(t) -> np.ndarray:
    return t.detach().numpy()


def _leaf_gradient(grad_of_view: np.ndarray, view: str) -> np.ndarray:
    """The gradient of a sample's leaf when the view the op saw (``Arr.view``: '', 'T' or
    'step', as the harness builds it) gets ``grad_of_view``."""
    if view == "T":
        return np.swapaxes(grad_of_view, -1, -2)
    if view == "step":  # the view is leaf[..., ::2]
        leaf = np.zeros(grad_of_view.shape[:-1] + (2 * grad_of_view.shape[-1],), grad_of_view.dtype)
        leaf[..., ::2] = grad_of_view
        return leaf
    return grad_of_view


def _view_of_leaf(leaf_grad: np.ndarray, view: str) -> np.ndarray:
    """The part of a leaf's gradient that the op's view saw (the inverse of ``_leaf_gradient``)."""
    if view == "T":
        return np.swapaxes(leaf_grad, -1, -2)
    if view == "step":
        return leaf_grad[..., ::2]
    return leaf_grad


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


# ------------------------------------------------------------------ topk: order of ties
def _topk_dim(sample) -> int:
    return sample.kwargs.get("dim", sample.args[2] if len(sample.args) > 2 else -1)


def _topk_holds(sample, n, t, weights) -> str | None:
    """tinynn's values are PyTorch's; its indices point at those values, ties in index order."""
    values, indices = _numpy(n.result[0]), _numpy(n.result[1])
    if not _same(values, _numpy(t.result[0])):
        return "the values differ too"
    x = _data(sample.args[0])
    if x.ndim == 0:
        return None if _same(values, x.reshape(values.shape)) else "0-d: the value is not the input"
    dim = _topk_dim(sample) % x.ndim
    if not _same(np.take_along_axis(x, indices, dim), values):
        return "tinynn's indices do not point at its values"
    v, i = np.moveaxis(values, dim, -1), np.moveaxis(indices, dim, -1)
    tied = (v[..., 1:] == v[..., :-1]) | (np.isnan(v[..., 1:]) & np.isnan(v[..., :-1])) \
        if v.dtype.kind == "f" else v[..., 1:] == v[..., :-1]
    if np.any(tied & (i[..., 1:] < i[..., :-1])):
        return "equal values are not in index order"
    return None


# ---------------------------- in-place comparison or fill of an integer or bool tensor
def _integer_self_and_grad_operand(sample) -> bool:
    x = _data(sample.args[0])
    operands = list(sample.args[1:]) + list(sample.kwargs.values())
    return x is not None and x.dtype.kind in "biu" and any(getattr(v, "grad", False) for v in operands)


def _comparison_holds(sample, n, t, weights) -> str | None:
    """``x`` keeps its integer dtype and ``requires_grad=False``; the values are PyTorch's."""
    if n.result.requires_grad:
        return "the result requires grad"
    if str(n.result.dtype).split(".")[-1] != _data(sample.args[0]).dtype.name:
        return "the result changed dtype"
    return None if _same(_numpy(n.result), _numpy(t.result)) else "the values differ too"


# ----------------------------------------------------------------- gelu(inf) in float32
def _float32_with_inf(sample) -> bool:
    x = _data(sample.args[0])
    return x is not None and x.dtype == np.float32 and bool(np.any(x == np.inf))


def _gelu_holds(sample, n, t, weights) -> str | None:
    """gelu(inf) is inf in tinynn (PyTorch's float32 kernel: nan); every other value agrees."""
    ours, theirs = _numpy(n.result), _numpy(t.result)
    x = np.broadcast_to(_data(sample.args[0]), ours.shape)
    at_inf = x == np.inf
    if not np.all(ours[at_inf] == np.inf):
        return "gelu(inf) is not inf"
    rest_close = np.allclose(ours[~at_inf], theirs[~at_inf], rtol=1e-6, atol=1e-6, equal_nan=True)
    return None if rest_close else "values away from inf differ too"


# ----------------------------------------- scatter/scatter_add with src larger than index
def _src_larger_than_index(sample) -> bool:
    if len(sample.args) < 4:
        return False
    index, src = _data(sample.args[2]), _data(sample.args[3])
    if index is None or src is None:
        return False
    if index.size == 0:  # an empty index covers nothing, whatever src's shape
        return src.shape != index.shape
    return index.ndim == src.ndim and any(i < s for i, s in zip(index.shape, src.shape))


def _scatter_holds(sample, n, t, weights) -> str | None:
    """``src`` gets the gradient where each of its entries landed, and 0 where ``index`` ends."""
    if n.grads is None or n.grads[-1] is None:
        return f"backward gave src no gradient ({n.grad_exc!r})"
    x, dim, index, src = (_data(sample.args[0]), sample.args[1], _data(sample.args[2]),
                          _data(sample.args[3]))
    w = weights(x.shape).astype(x.dtype)  # the gradient of sum(w * result) is w
    expected = np.zeros(src.shape, dtype=src.dtype)
    if index.size:  # (an empty index covers nothing: src's gradient is all 0)
        covered = tuple(slice(0, k) for k in index.shape)
        # entry i of index (over index's own extent, no broadcasting) sends src[i] to w's row
        # index[i] along dim: read w there, over the same extent in the other dims
        dim = dim % x.ndim if x.ndim else 0
        rows = tuple(slice(None) if d == dim else slice(0, k) for d, k in enumerate(index.shape))
        expected[covered] = np.take_along_axis(w[rows], index, dim)
    expected = _leaf_gradient(expected, sample.args[3].view)  # src may be a view of its leaf
    got = _numpy(n.grads[-1])
    same = got.shape == expected.shape and np.allclose(got, expected, rtol=1e-12, atol=0)
    return None if same else f"src's gradient is {got.tolist()}"


# ---------------------------------- index_fill: a negative index and a value that requires grad
def _index_fill_negative_index_grad_value(sample) -> bool:
    if len(sample.args) < 4:
        return False
    index = _data(sample.args[2])
    return (index is not None and bool((index < 0).any())
            and bool(getattr(sample.args[3], "grad", False)))


def _empty_pixel_shuffle(sample) -> bool:
    x = _data(sample.args[0])
    return x is not None and x.size == 0 and x.ndim >= 3 and isinstance(sample.args[1], int) and sample.args[1] > 0


def _empty_pixel_shuffle_holds(sample, n, t, weights) -> str | None:
    """tinynn's result has the rearranged shape (PyTorch's pixel_unshuffle returns its empty
    input's), and its input gradient, if one is asked for, is empty, of the input's shape
    (PyTorch's backward raises)."""
    if n.exc is not None:
        return f"tinynn raised {n.exc!r}"
    x, r = _data(sample.args[0]), sample.args[1]
    *lead, c, h, w = x.shape
    if t.exc is None and tuple(t.result.shape) == x.shape and tuple(n.result.shape) != x.shape:  # pixel_unshuffle
        expected = tuple(lead) + (c * r * r, h // r, w // r)
        if tuple(n.result.shape) != expected:
            return f"a result of shape {tuple(n.result.shape)}"
    if getattr(sample.args[0], "grad", False) and (n.grads is not None or n.grad_exc is not None):
        # (the harness runs no backward where the two results' shapes differ)
        if n.grads is None or n.grads[0] is None:
            return f"no input gradient ({n.grad_exc!r})"
        seen = _view_of_leaf(_numpy(n.grads[0]), sample.args[0].view)  # (the gradient of what the op saw)
        if seen.shape != x.shape:
            return f"a gradient of shape {seen.shape}"
    return None


def _index_fill_holds(sample, n, t, weights) -> str | None:
    """The value's gradient is the sum of the weights over the filled slices, a negative index
    counting from the end (PyTorch's backward raises IndexError instead)."""
    x, dim, index = _data(sample.args[0]), sample.args[1], _data(sample.args[2])
    leaf = 1 if getattr(sample.args[0], "grad", False) else 0  # the value's place among the leaves
    if n.grads is None or n.grads[leaf] is None:
        return f"backward gave the value no gradient ({n.grad_exc!r})"
    w = weights(x.shape).astype(x.dtype)  # the gradient of sum(w * result) is w
    if x.ndim == 0:
        expected = w.sum()
    else:
        rows = np.unique(index.reshape(-1) % x.shape[dim])
        expected = np.take(w, rows, axis=dim).sum()
    got = _numpy(n.grads[leaf])
    return None if np.allclose(got, expected, rtol=1e-12, atol=0) else f"the value's gradient is {got.tolist()}"


# ----------------------------- bce_with_logits: a float32 input with a float64 target
def _float32_input_float64_target(sample) -> bool:
    x, y = (_data(a) for a in sample.args[:2]) if len(sample.args) > 1 else (None, None)
    return x is not None and y is not None and x.dtype == np.float32 and y.dtype == np.float64


def _float32_precision_holds(sample, n, t, weights) -> str | None:
    """tinynn's float64 result is PyTorch's to float32 precision (a float32 term inside)."""
    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    ours, theirs = _numpy(n.result), _numpy(t.result)
    if ours.dtype != theirs.dtype or not np.allclose(ours, theirs, rtol=1e-5, atol=1e-5, equal_nan=True):
        return "the result differs by more than float32's precision"
    return None


# ------------------------------------------------------- einsum: operands of several dtypes
def _einsum_several_dtypes(sample) -> bool:
    dtypes = {_data(a).dtype for a in sample.args[1:] if _data(a) is not None}
    return len(dtypes) > 1


def _einsum_dtypes_holds(sample, n, t, weights) -> str | None:
    """tinynn raises its one-dtype error (bool first: PyTorch's NotImplementedError)."""
    if isinstance(n.exc, RuntimeError) and "one dtype" in str(n.exc):
        return None
    if isinstance(n.exc, NotImplementedError) and "Bool" in str(n.exc):
        return None
    return f"tinynn gives {n.exc!r}"


# -------------------------------------------------- addmm: alpha=0 and a non-finite product
def _addmm_alpha_0_non_finite(sample) -> bool:
    if len(sample.args) < 3 or sample.kwargs.get("alpha", 1) != 0:
        return False
    mats = [_data(a) for a in sample.args[1:3]]
    return all(m is not None for m in mats) and any(m.dtype.kind == "f" and not np.isfinite(m).all() for m in mats)


def _addmm_holds(sample, n, t, weights) -> str | None:
    """tinynn's result is beta * input + 0 * (mat1 @ mat2) (the input ignored for beta=0)."""
    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    x, a, b = (_data(v) for v in sample.args[:3])
    beta = sample.kwargs.get("beta", 1)
    with np.errstate(all="ignore"):
        product = 0 * (a @ b)
        expected = product if beta == 0 else beta * x + product
    if not np.allclose(_numpy(n.result), expected, rtol=1e-7, atol=1e-12, equal_nan=True):
        return "the result is not beta * input + 0 * (mat1 @ mat2)"
    return None


# ------------------------------------------------------- addcmul_: a product that overflows
def _addcmul_product_overflows(sample) -> bool:
    if len(sample.args) < 3:
        return False
    x, t1, t2 = (_data(a) for a in sample.args[:3])
    if any(a is None for a in (x, t1, t2)) or x.dtype.kind != "f":
        return False
    value = sample.kwargs.get("value", 1)
    with np.errstate(all="ignore"):
        product = value * t1.astype(np.float64) * t2.astype(np.float64)
    return bool(np.any(np.isfinite(product) & (np.abs(product) > np.finfo(x.dtype).max)))


def _addcmul_holds(sample, n, t, weights) -> str | None:
    """tinynn's result is self + (tensor1 * tensor2) * value, each operation rounded in the
    result's dtype (the product overflowing first)."""
    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    x, t1, t2 = (_data(a) for a in sample.args[:3])
    value = sample.kwargs.get("value", 1)
    dtype = _numpy(n.result).dtype
    with np.errstate(all="ignore"):
        expected = x.astype(dtype) + (t1.astype(dtype) * t2.astype(dtype)) * dtype.type(value)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    if not np.allclose(_numpy(n.result), expected, rtol=tol, atol=tol, equal_nan=True):
        return "the result is not the rounded product added to self"
    return None


# ---------------------------------- addcmul_: the gradient through an integer operand, value != 1
def _integer_operand_fractional_value(sample) -> bool:
    if len(sample.args) < 3 or float(sample.kwargs.get("value", 1)).is_integer():
        return False
    t1, t2 = _data(sample.args[1]), _data(sample.args[2])
    return any(a is not None and a.dtype.kind in "iu" and bool(np.any(np.abs(a.astype(np.float64)) > 2**24))
               for a in (t1, t2))


def _addcmul_integer_gradient_holds(sample, n, t, weights) -> str | None:
    """Each float operand's gradient is w * value * (the other operand), in float64, summed to
    its shape (PyTorch rounds the integer operand times value to float32 first)."""
    x, t1, t2 = (_data(a) for a in sample.args[:3])
    value = sample.kwargs.get("value", 1)
    shape = np.broadcast_shapes(x.shape, t1.shape, t2.shape)
    w = weights(shape).astype(np.float64)
    leaf = 1 if getattr(sample.args[0], "grad", False) else 0
    for operand, other in ((sample.args[1], t2), (sample.args[2], t1)):
        if not getattr(operand, "grad", False):
            continue
        expected = _sum_to_shape(w * value * other.astype(np.float64), _data(operand).shape)
        if _data(operand).ndim:
            expected = _leaf_gradient(expected, operand.view)
        ours = _numpy(n.grads[leaf]) if n.grads else None
        if ours is None or not np.allclose(ours, expected, rtol=1e-12, atol=0, equal_nan=True):
            return f"a gradient is {None if ours is None else ours.tolist()}, not {expected.tolist()}"
        leaf += 1
    return None


# ------------------------------------------- addcdiv_: tensor2's gradient where its square underflows
def _addcdiv_square_out_of_range(sample) -> bool:
    if len(sample.args) < 3 or not getattr(sample.args[2], "grad", False):
        return False
    t2 = _data(sample.args[2])
    with np.errstate(all="ignore"):
        square = t2 * t2
    return t2.dtype.kind == "f" and bool(np.any(((square == 0) & (t2 != 0)) | (np.isinf(square) & np.isfinite(t2))))


def _sum_to_shape(array: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a broadcast array back to ``shape`` (as the engine does for a gradient)."""
    lead = array.ndim - len(shape)
    array = array.sum(axis=tuple(range(lead))) if lead else array
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and array.shape[i] != 1)
    return array.sum(axis=axes, keepdims=True) if axes else array


def _addcdiv_holds(sample, n, t, weights) -> str | None:
    """tensor2's gradient is div's, -(w value tensor1 / tensor2) / tensor2 summed to its shape;
    the other gradients are PyTorch's."""
    x, t1, t2 = (_data(a) for a in sample.args[:3])
    value = sample.kwargs.get("value", 1)
    leaf = sum(bool(getattr(a, "grad", False)) for a in sample.args[:2])  # tensor2's place among the leaves
    if n.grads is None or n.grads[leaf] is None:
        return f"no gradient for tensor2 ({n.grad_exc!r})"
    shape = np.broadcast_shapes(x.shape, t1.shape, t2.shape)
    w = weights(shape).astype(np.float64)  # the gradient of sum(w * result) is w
    with np.errstate(all="ignore"):
        expected = _sum_to_shape(-(w * value * (t1 / t2)) / t2, t2.shape)
    if t2.ndim:
        expected = _leaf_gradient(expected, sample.args[2].view)  # tensor2 may be a view of its leaf
    ours = _numpy(n.grads[leaf])
    if not np.allclose(ours, expected, rtol=1e-7, atol=0, equal_nan=True):
        return f"tensor2's gradient is {ours.tolist()}, not div's {expected.tolist()}"
    for i, (o, p) in enumerate(zip(n.grads, t.grads or ())):
        if i != leaf and o is not None and p is not None and not np.allclose(
                _numpy(o), _numpy(p), rtol=1e-7, atol=0, equal_nan=True):
            return f"the gradient of leaf {i} differs too"
    return None


# ------------------------------------------------------ hardtanh / relu6: the gradient at nan
def _nan_input_needing_grad(sample) -> bool:
    x = _data(sample.args[0]) if sample.args else None
    return (x is not None and x.dtype.kind == "f" and bool(getattr(sample.args[0], "grad", False))
            and bool(np.isnan(x).any()))


def _nan_input_in_leaf(sample, leaf_shape: tuple) -> np.ndarray:
    """Where the first argument is nan, as a mask of its leaf's shape (the op saw a view)."""
    nan = np.isnan(_data(sample.args[0]))
    return np.broadcast_to(_leaf_gradient(nan, sample.args[0].view) if nan.ndim else nan, leaf_shape)


def _hardtanh_nan_gradient_holds(sample, n, t, weights) -> str | None:
    """The gradient is 0 at every nan input (PyTorch's vectorized loop), PyTorch's elsewhere."""
    if n.grads is None or n.grads[0] is None or t.grads is None or t.grads[0] is None:
        return "no gradient"
    ours, theirs = _numpy(n.grads[0]), _numpy(t.grads[0])
    nan = _nan_input_in_leaf(sample, ours.shape)
    if np.any(ours[nan] != 0):
        return f"the gradient at a nan input is not 0: {ours[nan].tolist()}"
    if not np.allclose(ours[~nan], theirs[~nan], rtol=1e-12, atol=0, equal_nan=True):
        return "the gradients differ where the input is not nan"
    return None


def _elu_nan_gradient_holds(sample, n, t, weights) -> str | None:
    """elu (and selu, celu), hardswish: at every nan input the incoming gradient passes
    (PyTorch's scalar loop, the identity branch), so the gradient there is a number;
    PyTorch's elsewhere."""
    if n.grads is None or n.grads[0] is None or t.grads is None or t.grads[0] is None:
        return "no gradient"
    ours, theirs = _numpy(n.grads[0]), _numpy(t.grads[0])
    nan = _nan_input_in_leaf(sample, ours.shape)
    if np.isnan(ours[nan]).any():
        return f"the gradient at a nan input is nan: {ours[nan].tolist()}"
    if not np.allclose(ours[~nan], theirs[~nan], rtol=1e-7, atol=1e-12, equal_nan=True):
        return "the gradients differ where the input is not nan"
    return None


# ------------------------------------------------------- kl_div: the gradient at a zero target
def _kl_div_zero_target(sample) -> bool:
    target = _data(sample.args[1]) if len(sample.args) > 1 else None
    return (not sample.kwargs.get("log_target", False) and target is not None
            and bool(getattr(sample.args[1], "grad", False)) and bool((target == 0).any()))


def _kl_div_holds(sample, n, t, weights) -> str | None:
    """The target's gradient is PyTorch's where the target is not 0, and finite where it is."""
    leaf = 1 if getattr(sample.args[0], "grad", False) else 0  # the target's place among the leaves
    if n.grads is None or n.grads[leaf] is None or t.grads is None or t.grads[leaf] is None:
        return "no gradient for the target"
    ours, theirs = _numpy(n.grads[leaf]), _numpy(t.grads[leaf])
    target = sample.args[1]
    zero = _leaf_gradient(_data(target) == 0, target.view) if _data(target).ndim else _data(target) == 0
    zero = np.broadcast_to(zero, ours.shape)  # (in the leaf's coordinates: the target may be a view)
    if not np.allclose(ours[~zero], theirs[~zero], rtol=1e-7, atol=1e-12, equal_nan=True):
        return "the gradients differ where the target is not 0"
    if np.isfinite(_data(sample.args[0])).all() and not np.isfinite(ours[zero]).all():
        return f"the gradient at a zero target is not finite: {ours[zero].tolist()}"
    return None


# ------------------------------------------- normalisation of values whose square overflows
def _row_variance_overflows(x: np.ndarray, normalized_ndim: int) -> np.ndarray:
    """Per row (the trailing ``normalized_ndim`` dims): finite values whose variance is inf."""
    rows = x.reshape(x.shape[:x.ndim - normalized_ndim] + (-1,))
    with np.errstate(all="ignore"):
        centered = rows - rows.mean(axis=-1, keepdims=True)
        var = (centered * centered).mean(axis=-1)
    return np.all(np.isfinite(rows), axis=-1) & np.isinf(var)


def _layer_norm_overflow(sample) -> bool:
    x = _data(sample.args[0])
    if x is None or x.dtype.kind != "f" or x.size == 0:
        return False
    shape = sample.args[1]
    return bool(np.any(_row_variance_overflows(x, len(tuple(shape)))))


def _layer_norm_holds(sample, n, t, weights) -> str | None:
    """Rows whose variance overflows normalise to 0 (then weight and bias); others agree."""
    x = _data(sample.args[0])
    k = len(tuple(sample.args[1]))
    ours, theirs = _numpy(n.result), _numpy(t.result)
    overflow = _row_variance_overflows(x, k)
    weight = _data(sample.args[2]) if len(sample.args) > 2 else None
    bias = _data(sample.args[3]) if len(sample.args) > 3 else None
    with np.errstate(all="ignore"):
        expected = np.zeros(x.shape[x.ndim - k:], dtype=x.dtype)
        if weight is not None:
            expected = expected * weight
        if bias is not None:
            expected = expected + bias
    lead = x.shape[:x.ndim - k]
    rows_ours = ours.reshape(lead + (-1,))
    rows_theirs = theirs.reshape(lead + (-1,))
    if not np.array_equal(rows_ours[overflow], np.broadcast_to(expected.ravel(), rows_ours[overflow].shape),
                          equal_nan=True):
        return "a row whose variance overflows does not normalise to 0"
    tol = 1e-5 if x.dtype == np.float32 else 1e-12
    if not np.allclose(rows_ours[~overflow], rows_theirs[~overflow], rtol=tol, atol=tol, equal_nan=True):
        return "the other rows differ too"
    return None


def _group_rows(sample) -> np.ndarray:
    """group_norm's input as (N, G, values per group)."""
    x, groups = _data(sample.args[0]), sample.args[1]
    return x.reshape(x.shape[0], groups, -1)


def _group_norm_square_overflows(sample) -> bool:
    x = _data(sample.args[0])
    if x is None or x.dtype.kind != "f" or x.size == 0 or not isinstance(sample.args[1], int):
        return False
    big = np.sqrt(np.finfo(x.dtype).max)  # a square above the dtype's largest value
    return bool(np.any(np.abs(x[np.isfinite(x)]) >= big))


def _group_norm_holds(sample, n, t, weights) -> str | None:
    """Each group normalises with the variance of its centred values: 0 where that variance
    overflows, the exact normalised value elsewhere; then weight and bias per channel."""
    x = _data(sample.args[0])
    rows, eps = _group_rows(sample), _eps(sample)
    with np.errstate(all="ignore"):
        centered = rows - rows.mean(axis=-1, keepdims=True)
        var = (centered * centered).mean(axis=-1, keepdims=True)
        normalized = np.where(np.isinf(var) & np.isfinite(rows), 0, centered / np.sqrt(var + eps)).reshape(x.shape)
        channel = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        weight = _data(sample.args[2]) if len(sample.args) > 2 else None
        bias = _data(sample.args[3]) if len(sample.args) > 3 else None
        expected = normalized * (1 if weight is None else weight.reshape(channel))
        expected = expected + (0 if bias is None else bias.reshape(channel))
    ours = _numpy(n.result)
    tol = 1e-5 if x.dtype == np.float32 else 1e-12
    if ours.shape != expected.shape or not np.allclose(ours, expected, rtol=tol, atol=tol, equal_nan=True):
        return "a group does not normalise with the variance of its centred values"
    return None


#: The harness's absolute tolerance per dtype (harness.py): what a rounding, times rstd, may not exceed.
_ATOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}


def _rstd_amplifies_rounding(rows: np.ndarray, eps: float) -> np.ndarray:
    """Per row (last axis): finite values, an ``eps`` below the dtype's machine epsilon
    (0, say: it bounds rstd no more), and rstd = (var + eps)^(-1/2) so large that a
    rounding of the machine epsilon in the backward's sums, times rstd, is beyond the
    harness's absolute tolerance. (rstd 1.8e37 for a float64 row of variance 3e-75: an
    exact 0 in PyTorch's gradient is -1.5e21 in tinynn's.)"""
    machine_eps = np.finfo(rows.dtype).eps
    with np.errstate(all="ignore"):
        wide = rows.astype(np.float64)
        centered = wide - wide.mean(axis=-1, keepdims=True)
        var = (centered * centered).mean(axis=-1)
        rstd = 1 / np.sqrt(var + eps)
    return (np.all(np.isfinite(rows), axis=-1) & (var + eps > 0) & (eps < machine_eps)
            & (rstd * machine_eps > _ATOL.get(rows.dtype, 1e-5)))


def _eps(sample) -> float:
    """The eps of a layer_norm or group_norm sample (both take it fifth)."""
    return sample.args[4] if len(sample.args) > 4 else sample.kwargs.get("eps", 1e-5)


def _group_norm_rows_and_eps(sample) -> tuple | None:
    """(rows, eps) of a group_norm sample: the values each mean and variance is over (None
    when the number of groups is not an int)."""
    if not isinstance(sample.args[1], int):
        return None
    return _group_rows(sample), _eps(sample)


def _layer_norm_rows_and_eps(sample) -> tuple:
    """(rows, eps) of a layer_norm sample: one row per sample, its trailing normalised dims."""
    x = _data(sample.args[0])
    k = len(tuple(sample.args[1]))
    return x.reshape(x.shape[:x.ndim - k] + (-1,)), _eps(sample)


def _tiny_variance(rows_and_eps: Callable) -> Callable:
    """A normalisation of an input that requires grad, with a row whose rstd amplifies a
    rounding beyond the tolerance (``_rstd_amplifies_rounding``)."""
    def applies(sample) -> bool:
        x = _data(sample.args[0])
        if x is None or x.dtype.kind != "f" or x.size == 0 or not getattr(sample.args[0], "grad", False):
            return False
        found = rows_and_eps(sample)
        return found is not None and bool(np.any(_rstd_amplifies_rounding(*found)))
    return applies


def _equal_up_to_rounding(ours: np.ndarray, theirs: np.ndarray, dtype: np.dtype, tol: float) -> str | None:
    """Both gradients are rstd (huge) times a few sums, added in another order: they agree up
    to a few roundings, times rstd, against the row's largest value."""
    for mine, other in zip(ours, theirs):
        scale = np.abs(other[np.isfinite(other)]).max(initial=0.0)
        if not np.allclose(mine, other, rtol=tol, atol=np.finfo(dtype).eps * 8 * scale, equal_nan=True):
            return "a row whose rstd amplifies rounding differs by more than rounding against its largest value"
    return None


def _tiny_variance_holds(rows_and_eps: Callable) -> Callable:
    def holds(sample, n, t, weights) -> str | None:
        """Rows whose rstd amplifies rounding agree up to it (``_equal_up_to_rounding``);
        the other rows' gradients agree with PyTorch's as usual, and so do the values."""
        if n.grads is None or t.grads is None or n.grads[0] is None or t.grads[0] is None:
            return "no input gradient"
        rows, eps = rows_and_eps(sample)
        flagged = _rstd_amplifies_rounding(rows, eps)
        view = sample.args[0].view
        ours = _view_of_leaf(_numpy(n.grads[0]), view).reshape(rows.shape)
        theirs = _view_of_leaf(_numpy(t.grads[0]), view).reshape(rows.shape)
        tol = 1e-4 if rows.dtype == np.float32 else 1e-10
        problem = _equal_up_to_rounding(ours[flagged], theirs[flagged], rows.dtype, tol)
        if problem is not None:
            return problem
        if not np.allclose(ours[~flagged], theirs[~flagged], rtol=tol, atol=tol, equal_nan=True):
            return "the other rows' gradients differ too"
        if not np.allclose(_numpy(n.result), _numpy(t.result), rtol=tol, atol=tol, equal_nan=True):
            return "the values differ"
        return None
    return holds


def _no_input_channels(sample) -> bool:
    """conv1d / conv2d of an input with no channels (a weight with none per group)."""
    weight = _data(sample.args[1]) if len(sample.args) > 1 else None
    return weight is not None and weight.ndim >= 3 and weight.shape[1] == 0


def _no_input_channels_holds(sample, n, t, weights) -> str | None:
    """PyTorch's result is empty, with 0 where the output channels go; tinynn's has the
    weight's output channels there, and holds the bias (or 0): a sum over no terms."""
    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    x, weight = _data(sample.args[0]), _data(sample.args[1])
    bias = _data(sample.args[2]) if len(sample.args) > 2 else _data(sample.kwargs.get("bias"))
    ours, theirs = _numpy(n.result), _numpy(t.result)
    channel_axis = 0 if x.ndim == weight.ndim - 1 else 1  # unbatched input: (C, ...)
    expected_shape = list(theirs.shape)
    expected_shape[channel_axis] = weight.shape[0]
    if theirs.size != 0 or theirs.shape[channel_axis] != 0:
        return "PyTorch's result is not the empty one of its kernel for empty inputs"
    if list(ours.shape) != expected_shape:
        return f"tinynn's shape is {list(ours.shape)}, not {expected_shape}"
    fill = np.zeros(weight.shape[0], ours.dtype) if bias is None else bias.astype(ours.dtype)
    along_channels = [1] * ours.ndim
    along_channels[channel_axis] = weight.shape[0]
    expected = np.broadcast_to(fill.reshape(along_channels), ours.shape)
    if not np.array_equal(ours, expected):
        return "tinynn's values are not the bias (or 0)"
    return None


def _infinite_weight(sample) -> bool:
    """layer_norm / group_norm / instance_norm: the weight (the third argument of the first
    two, a keyword of the last) holds an inf."""
    weight = _data(sample.args[2]) if len(sample.args) > 2 else _data(sample.kwargs.get("weight"))
    return weight is not None and weight.dtype.kind == "f" and bool(np.isinf(weight).any())


def _instance_norm_holds(sample, n, t, weights) -> str | None:
    """Each (sample, channel) normalises as the formula says, (x - mean) / sqrt(var + eps)
    * weight + bias: inf or -inf where x != mean, nan where x == mean (PyTorch folds the
    statistics into one scale and shift, which makes the whole channel nan)."""
    x = _data(sample.args[0])
    weight = _data(sample.args[3]) if len(sample.args) > 3 else _data(sample.kwargs.get("weight"))
    bias = _data(sample.args[4]) if len(sample.args) > 4 else _data(sample.kwargs.get("bias"))
    eps = sample.args[7] if len(sample.args) > 7 else sample.kwargs.get("eps", 1e-5)
    channel = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    with np.errstate(all="ignore"):
        rows = x.astype(np.float64).reshape(x.shape[0] * x.shape[1], -1)
        centered = rows - rows.mean(axis=-1, keepdims=True)
        var = (centered * centered).mean(axis=-1, keepdims=True)
        expected = (centered / np.sqrt(var + eps)).reshape(x.shape) * weight.reshape(channel)
        expected = expected + (0 if bias is None else bias.reshape(channel))
    ours = _numpy(n.result).astype(np.float64)
    tol = 1e-4 if x.dtype == np.float32 else 1e-10
    if ours.shape != expected.shape or not np.allclose(ours, expected, rtol=tol, atol=tol, equal_nan=True):
        return "a channel does not normalise as the formula says"
    return None


def _non_finite_in_the_same_places_holds(sample, n, t, weights) -> str | None:
    """Every gradient is non-finite exactly where PyTorch's is, and PyTorch's elsewhere."""
    if n.grads is None or t.grads is None:
        return "no gradients"
    for i, (ours, theirs) in enumerate(zip(n.grads, t.grads)):
        if ours is None or theirs is None:
            if (ours is None) != (theirs is None):
                return f"leaf {i} has a gradient in one library only"
            continue
        ours, theirs = _numpy(ours), _numpy(theirs)
        if not np.array_equal(np.isfinite(ours), np.isfinite(theirs)):
            return f"the gradient of leaf {i} is non-finite in other places"
        finite = np.isfinite(ours)
        if not np.allclose(ours[finite], theirs[finite], rtol=1e-7, atol=1e-12):
            return f"the finite gradient of leaf {i} differs"
    return None


# ----------------------------------------- conv with string padding, another bias dtype
def _string_padding_other_bias(sample) -> bool:
    x = _data(sample.args[0])
    bias = _data(sample.args[2]) if len(sample.args) > 2 else _data(sample.kwargs.get("bias"))
    return (isinstance(sample.kwargs.get("padding"), str) and x is not None
            and bias is not None and bias.dtype != x.dtype)


def _conv_bias_holds(sample, n, t, weights) -> str | None:
    """tinynn raises PyTorch's RuntimeError naming both types, as for every other padding."""
    if isinstance(n.exc, RuntimeError) and "bias type" in str(n.exc):
        return None
    return f"tinynn raises {n.exc!r}"


# --------------------------- conv: sums whose terms cancel; a nan or inf weight over padding
_HUGE = 1e20  # a term this large can swallow the others: the sum then depends on the order


def _conv_arrays(sample) -> tuple:
    """(input, weight, bias or None, the remaining positional arguments) of a conv sample."""
    args = sample.args
    bias = _data(args[2]) if len(args) > 2 else _data(sample.kwargs.get("bias"))
    return _data(args[0]), _data(args[1]), bias, tuple(args[3:])


def _conv_padding(sample) -> tuple:
    """(the padding argument, the arguments after bias with padding 0, the kwargs likewise)."""
    rest, kwargs = list(sample.args[3:]), {k: v for k, v in sample.kwargs.items() if k != "bias"}
    if len(rest) > 1:
        padding, rest[1] = rest[1], 0
    else:
        padding = kwargs.get("padding", 0)
        if "padding" in kwargs:
            kwargs["padding"] = 0
    return padding, rest, kwargs


def _huge_terms(sample) -> bool:
    x, w, b, _ = _conv_arrays(sample)
    return any(a is not None and a.dtype.kind == "f" and bool(np.any(np.abs(a[np.isfinite(a)]) >= _HUGE))
               for a in (x, w, b))


def _pads(sample) -> list:
    """(before, after) zeros for each spatial dim, from a number, a tuple or "same"/"valid"."""
    _, w, _, rest = _conv_arrays(sample)
    padding, spatial = _conv_padding(sample)[0], w.ndim - 2
    if padding == "valid":
        return [(0, 0)] * spatial
    if padding == "same":  # PyTorch: the total d (k - 1), the smaller half first
        dilation = rest[2] if len(rest) > 2 else sample.kwargs.get("dilation", 1)
        dilation = np.broadcast_to(dilation, (spatial,))
        totals = [int(d) * (k - 1) for d, k in zip(dilation, w.shape[2:])]
        return [(total // 2, total - total // 2) for total in totals]
    sizes = np.broadcast_to(padding, (spatial,))
    return [(int(p), int(p)) for p in sizes]


def _non_finite_weight_over_padding(sample) -> bool:
    _, w, _, _ = _conv_arrays(sample)
    return (w is not None and w.dtype.kind == "f" and not bool(np.isfinite(w).all())
            and any(before or after for before, after in _pads(sample)))


def _cancelling_terms_only(sample) -> bool:
    return _huge_terms(sample) and not _non_finite_weight_over_padding(sample)


def _agree_within_sum_bound(ours: np.ndarray, reference: np.ndarray, magnitude: np.ndarray, terms: int,
                            dtype) -> bool:
    """Every value of ``ours`` is ``reference``'s within the error bound of a sum of
    ``terms`` terms in ``dtype``: terms * eps * magnitude (the same sum of absolute values),
    plus the harness's tolerance. Where a term is infinite or overflows, the order (and a
    fused multiply-add) decides between inf and nan: both need only be non-finite there."""
    tol = 1e-5 if dtype == np.float32 else 1e-10
    with np.errstate(all="ignore"):
        bound = tol + tol * np.abs(reference) + terms * np.finfo(dtype).eps * magnitude
        close = (ours == reference) | (np.isnan(ours) & np.isnan(reference)) | (np.abs(ours - reference) <= bound)
    overflows = ~np.isfinite(magnitude) | (magnitude > np.finfo(dtype).max)  # a term inf, or beyond dtype
    close |= overflows & ~np.isfinite(ours) & ~np.isfinite(reference)
    return np.shape(ours) == np.shape(reference) and bool(np.all(close))


def _within_sum_bound(sample, n, t, pad_input: bool) -> str | None:
    """tinynn's result against a reference, within the error bound of a sum of K terms in the
    result's dtype: K * eps * conv(|x|, |w|) + |b| (plus the harness's own tolerance). The
    reference is PyTorch's result, or (``pad_input``) PyTorch's convolution of the input
    padded with zeros first, without padding."""
    import torch

    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    x, w, b, rest = _conv_arrays(sample)
    kwargs = {k: v for k, v in sample.kwargs.items() if k != "bias"}
    two_d = w.ndim == 4
    conv = getattr(torch.nn.functional, "conv2d" if two_d else "conv1d")
    if pad_input:
        pads = _pads(sample)
        _, rest, kwargs = _conv_padding(sample)
        x = np.pad(x, [(0, 0)] * (x.ndim - len(pads)) + pads)
    dtype = _numpy(t.result).dtype
    with np.errstate(all="ignore"):
        def run(x_, w_, b_):
            return conv(torch.tensor(x_), torch.tensor(w_), None if b_ is None else torch.tensor(b_),
                        *rest, **kwargs).numpy().astype(np.float64)
        magnitude = run(np.abs(x).astype(np.float64), np.abs(w).astype(np.float64),
                        None if b is None else np.abs(b).astype(np.float64))
        reference = run(x, w, b) if pad_input else _numpy(t.result).astype(np.float64)
    ours = _numpy(n.result).astype(np.float64)
    if not _agree_within_sum_bound(ours, reference, magnitude, w[0].size + (b is not None), dtype):
        return ("the result is not the convolution of the zero-padded input" if pad_input else
                "a value differs by more than the error bound of the sum")
    return None


_LINEAR_MODES = ("linear", "bilinear", "trilinear")


def _averaging_with_huge_terms(sample) -> bool:
    """An op that averages (or blends, with weights >= 0) values of which some are huge."""
    x = _data(sample.args[0])
    linear = sample.kwargs.get("mode", "linear") in _LINEAR_MODES  # interpolate's modes; pooling has none
    return (linear and x is not None and x.dtype.kind == "f"
            and bool(np.any(np.abs(x[np.isfinite(x)]) >= _HUGE)))


def _averaging_bound_holds(op_name: str) -> Callable:
    def holds(sample, n, t, weights) -> str | None:
        """tinynn's result is PyTorch's within the error bound of a sum of at most K terms
        (K = the values per channel) with weights >= 0: 2 K eps op(|x|) (twice, for the
        rounding of the weights themselves)."""
        import torch

        if n.exc is not None or t.exc is not None:
            return "one of them raised"
        x = _data(sample.args[0])
        terms = int(np.prod(x.shape[2:])) if x.ndim > 2 else int(np.prod(x.shape[1:]))
        with np.errstate(all="ignore"):
            op = getattr(torch.nn.functional, op_name)
            magnitude = op(torch.tensor(np.abs(x).astype(np.float64)), *sample.args[1:], **sample.kwargs).numpy()
        ours, theirs = _numpy(n.result).astype(np.float64), _numpy(t.result).astype(np.float64)
        if not _agree_within_sum_bound(ours, theirs, magnitude, 2 * max(terms, 1), _numpy(t.result).dtype):
            return "a value differs by more than the error bound of the weighted sum"
        return None
    return holds


def _linear_interpolation_of_extremes(sample) -> bool:
    """interpolate in a linear mode of an input with an inf, a nan or a huge value."""
    x = _data(sample.args[0])
    return (sample.kwargs.get("mode") in _LINEAR_MODES and x is not None and x.dtype.kind == "f"
            and (not bool(np.all(np.isfinite(x))) or bool(np.any(np.abs(x[np.isfinite(x)]) >= _HUGE))))


def _interpolation_weights_holds(sample, n, t, weights) -> str | None:
    """The results are non-finite in the same places (inf in one, nan in the other allowed),
    and elsewhere agree to a rounding of the source position: its weights may differ by
    eps times the input's size along a dim, times the largest finite value."""
    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    x = _data(sample.args[0])
    ours, theirs = _numpy(n.result).astype(np.float64), _numpy(t.result).astype(np.float64)
    if ours.shape != theirs.shape or not np.array_equal(np.isfinite(ours), np.isfinite(theirs)):
        return "the non-finite values are in other places"
    finite = np.isfinite(ours)
    largest = float(np.abs(x[np.isfinite(x)]).max(initial=0.0))
    bound = 4 * np.finfo(x.dtype).eps * max(x.shape[2:]) * largest * (x.ndim - 2)
    tol = 1e-5 if x.dtype == np.float32 else 1e-10
    if not np.all(np.abs(ours[finite] - theirs[finite]) <= tol + tol * np.abs(theirs[finite]) + bound):
        return "a finite value differs by more than a rounding of the weights"
    return None


def _fmod_operands(sample):
    """fmod's two operands as float64-free numpy values (arrays or numbers), or None."""
    values = []
    for a in sample.args[:2]:
        d = _data(a)
        values.append(d if d is not None else (a if isinstance(a, (int, float)) and not isinstance(a, bool) else None))
    return None if any(v is None for v in values) else values


def _fmod_quotient_overflows(sample) -> bool:
    """Float operands with an element where x / y overflows (x and y finite, y not 0)."""
    operands = _fmod_operands(sample)
    if operands is None:
        return False
    x, y = (np.asarray(v) for v in operands)
    if x.dtype.kind != "f" and y.dtype.kind != "f":
        return False
    dtype = np.result_type(x, y) if x.dtype.kind == y.dtype.kind else (x.dtype if x.dtype.kind == "f" else y.dtype)
    with np.errstate(all="ignore"):
        x, y = x.astype(dtype), y.astype(dtype)
        overflows = np.isfinite(x) & np.isfinite(y) & (y != 0) & np.isinf(x / y)
    return bool(np.any(overflows))


def _quotient_overflow_holds(exact_op: Callable) -> Callable:
    def holds(sample, n, t, weights) -> str | None:
        """tinynn's result is numpy's ``exact_op`` (C's remainder) everywhere; PyTorch's is
        the same or nan, and nan only where the quotient overflows."""
        return _exact_remainder_holds(exact_op, sample, n, t)
    return holds


def _exact_remainder_holds(exact_op: Callable, sample, n, t) -> str | None:
    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    ours, theirs = _numpy(n.result), _numpy(t.result)
    x, y = (np.asarray(v) for v in _fmod_operands(sample))
    with np.errstate(all="ignore"):
        exact = exact_op(x.astype(ours.dtype), y.astype(ours.dtype))
        overflows = np.broadcast_to(np.isinf(x.astype(ours.dtype) / y.astype(ours.dtype)), ours.shape)
    if not np.array_equal(ours, np.broadcast_to(exact, ours.shape), equal_nan=True):
        return f"tinynn's result is not numpy's {exact_op.__name__}"
    same = (theirs == ours) | (np.isnan(theirs) & np.isnan(ours))
    if not np.all(same | (np.isnan(theirs) & overflows)):
        return "PyTorch's result differs where the quotient does not overflow"
    return None


def _float_result(sample) -> bool:
    """A sum or mean whose result is a float (summed in the input's dtype or in ``dtype``)."""
    x, dtype = _data(sample.args[0]), getattr(sample.kwargs.get("dtype"), "name", "")
    return x is not None and (x.dtype.kind == "f" or dtype.startswith("float"))


def _reduction_bound_holds(op_name: str) -> Callable:
    def holds(sample, n, t, weights) -> str | None:
        """tinynn's result is PyTorch's within the error bound of a sum of K terms in the
        result's dtype: K eps sum(|x|) (for a mean, divided by the count), K the number of
        values reduced (each also rounded once, where an integer input is cast)."""
        import torch

        if n.exc is not None or t.exc is not None:
            return "one of them raised"
        x = _data(sample.args[0])
        kwargs = {k: v for k, v in sample.kwargs.items() if k != "dtype"}
        with np.errstate(all="ignore"):
            absolute = torch.tensor(np.abs(x.astype(np.float64)))
            magnitude = getattr(torch, op_name)(absolute, *sample.args[1:], **kwargs).numpy()
        ours, theirs = _numpy(n.result).astype(np.float64), _numpy(t.result).astype(np.float64)
        terms = max(x.size // max(np.size(theirs), 1), 1) + 1
        if not _agree_within_sum_bound(ours, theirs, magnitude, terms, _numpy(t.result).dtype):
            return "a value differs by more than the error bound of the sum"
        return None
    return holds


def _huge_or_non_finite_operand(sample) -> bool:
    """Some float operand holds a huge (>= 1e20) or a non-finite value: the sum's order (and
    fused multiply-adds) can then decide the result."""
    operands = [_data(a) for a in list(sample.args) + list(sample.kwargs.values())]
    return any(a is not None and a.dtype.kind == "f" and bool(np.any((np.abs(a) >= _HUGE) | ~np.isfinite(a)))
               for a in operands)


def _matrix_product_bound_holds(weight_first_dim_out: bool) -> Callable:
    def holds(sample, n, t, weights) -> str | None:
        """matmul, mm, bmm, mv, dot, linear: tinynn's result is PyTorch's within the error
        bound of a sum of K terms in the result's dtype, K eps (|a| @ |b|) (for linear, whose
        weight is (out, in): K eps (|x| @ |W|^T + |bias|))."""
        if n.exc is not None or t.exc is not None:
            return "one of them raised"
        a, b = _data(sample.args[0]), _data(sample.args[1])
        bias = _data(sample.args[2]) if len(sample.args) > 2 else _data(sample.kwargs.get("bias"))
        with np.errstate(all="ignore"):
            abs_a, abs_b = np.abs(a.astype(np.float64)), np.abs(b.astype(np.float64))
            magnitude = np.matmul(abs_a, abs_b.T if weight_first_dim_out else abs_b)
            if bias is not None:
                magnitude = magnitude + np.abs(bias.astype(np.float64))
        ours, theirs = _numpy(n.result).astype(np.float64), _numpy(t.result).astype(np.float64)
        terms = a.shape[-1] + (bias is not None)
        if not _agree_within_sum_bound(ours, theirs, magnitude, terms, _numpy(t.result).dtype):
            return "a value differs by more than the error bound of the sum"
        return None
    return holds


def _summation_bound_holds(sample, n, t, weights) -> str | None:
    """tinynn's result is PyTorch's within the error bound of the sum."""
    return _within_sum_bound(sample, n, t, pad_input=False)


def _zero_padded_holds(sample, n, t, weights) -> str | None:
    """tinynn's result is the convolution of the explicitly zero-padded input (the padding
    is zeros like any other input: 0 * nan = nan), within the error bound of the sum."""
    return _within_sum_bound(sample, n, t, pad_input=True)


# ------------------------------------- softmax / log_softmax: out= and an input needing grad
def _input_requires_grad(sample) -> bool:
    return bool(getattr(sample.args[0], "grad", False)) if sample.args else False


def _out_with_grad_holds(sample, n, t, weights) -> str | None:
    """tinynn raises the RuntimeError every other out= function raises, at the call."""
    if isinstance(n.exc, RuntimeError) and "out=... arguments don't support automatic differentiation" in str(n.exc):
        return None
    return f"tinynn raises {n.exc!r}"


def _scatter_add_bound_holds(sample, n, t, weights) -> str | None:
    """tinynn's result is PyTorch's within the error bound of the sums into each place: K eps
    (|self| + scatter_add(|src|)), K the entries of index along dim, plus self."""
    import torch

    if n.exc is not None or t.exc is not None:
        return "one of them raised"
    x, dim, index, src = (_data(sample.args[0]), sample.args[1], _data(sample.args[2]), _data(sample.args[3]))
    with np.errstate(all="ignore"):
        magnitude = torch.scatter_add(torch.tensor(np.abs(x.astype(np.float64))), dim, torch.tensor(index),
                                      torch.tensor(np.abs(src.astype(np.float64)))).numpy()
    terms = (index.shape[dim] if index.ndim else 1) + 1
    ours, theirs = _numpy(n.result).astype(np.float64), _numpy(t.result).astype(np.float64)
    if not _agree_within_sum_bound(ours, theirs, magnitude, terms, _numpy(t.result).dtype):
        return "a value differs by more than the error bound of the sum"
    return None


def _reduced_class_loss_with_huge_terms(sample) -> bool:
    """A reduced nll_loss or cross_entropy of class indices (no label smoothing) with a huge
    or non-finite input value: the order of the sum over the samples can decide the loss."""
    target = _data(sample.args[1]) if len(sample.args) > 1 else None
    return (target is not None and target.dtype.kind in "iu"
            and sample.kwargs.get("reduction", "mean") != "none" and not sample.kwargs.get("label_smoothing")
            and _huge_or_non_finite_operand(sample))


def _loss_reduction_bound_holds(op_name: str) -> Callable:
    def holds(sample, n, t, weights) -> str | None:
        """tinynn's loss is PyTorch's within the error bound of the sum of the per-sample
        losses: K eps sum_n |l_n| (for "mean", over the total weight sum_n w_{y_n}), K the
        number of samples, with the l_n computed by PyTorch in float64."""
        import torch
        import torch.nn.functional as F

        if n.exc is not None or t.exc is not None:
            return "one of them raised"
        x, target = _data(sample.args[0]), torch.tensor(_data(sample.args[1]))
        kwargs = {k: (torch.tensor(_data(v).astype(np.float64)) if _data(v) is not None else v)
                  for k, v in sample.kwargs.items() if k != "reduction"}
        x64 = torch.tensor(x.astype(np.float64))
        with np.errstate(all="ignore"):
            magnitude = getattr(F, op_name)(x64, target, reduction="none", **kwargs).abs().sum()
            if sample.kwargs.get("reduction", "mean") == "mean":  # nll of -1 everywhere: sum_n w_{y_n}
                magnitude = magnitude / F.nll_loss(-torch.ones_like(x64), target, reduction="sum", **kwargs)
        ours, theirs = _numpy(n.result).astype(np.float64), _numpy(t.result).astype(np.float64)
        terms = max(target.numel(), 1) + 1
        if not _agree_within_sum_bound(ours, theirs, magnitude.numpy(), terms, _numpy(t.result).dtype):
            return "a value differs by more than the error bound of the sum"
        return None
    return holds


_INTEGER_OPERAND = "addcmul_ / addcdiv_ gradients through an integer operand and a fractional value"
_CANCELLING_SUMS = ("Sums whose terms cancel (sum, mean, matrix products, convolutions, average pooling, "
                    "linear interpolation, scatter_add, the reduction of nll_loss and cross_entropy)")

DEVIATIONS = [
    Deviation("Order of equal values in topk and sort", ("topk",), (),
              ("result[1]: values differ",), lambda s: True, _topk_holds),
    Deviation("In-place comparison, fill_ or masked_fill_ of an integer tensor with an operand that requires grad",
              ("eq", "ne", "lt", "le", "gt", "ge", "fill", "masked_fill"), ("inplace",),
              ("result: requires_grad False, torch True",), _integer_self_and_grad_operand,
              _comparison_holds),
    Deviation("gelu(inf), and the gradients of hardtanh, elu, hardswish and the shrinks at nan", ("gelu",), (),
              ("result: values differ",), _float32_with_inf, _gelu_holds),
    Deviation("scatter / scatter_add with a src larger than index", ("scatter", "scatter_add"), (),
              ("backward: torch raises RuntimeError",), _src_larger_than_index, _scatter_holds),
    Deviation("Normalisation of values whose square overflows", ("layer_norm",), (),
              ("result: values differ",), _layer_norm_overflow, _layer_norm_holds),
    Deviation("Normalisation of values whose square overflows", ("group_norm",), (),
              ("result: values differ",), _group_norm_square_overflows, _group_norm_holds),
    Deviation("binary_cross_entropy_with_logits of a float32 input and a float64 target",
              ("binary_cross_entropy_with_logits",), (), ("result: values differ",),
              _float32_input_float64_target, _float32_precision_holds),
    Deviation("einsum with operands of several dtypes", ("einsum",), (), ("tinynn raises where torch returns",),
              _einsum_several_dtypes, _einsum_dtypes_holds),
    Deviation("addmm with alpha=0 and a nan or inf in mat1 or mat2", ("addmm",), (), ("result: values differ",),
              _addmm_alpha_0_non_finite, _addmm_holds),
    Deviation(_INTEGER_OPERAND, ("addcmul",), (), ("grad of input leaf",), _integer_operand_fractional_value,
              _addcmul_integer_gradient_holds),
    Deviation(_INTEGER_OPERAND, ("addcdiv",), (), ("grad of input leaf",), _integer_operand_fractional_value,
              _addcdiv_holds),
    Deviation("addcmul_ where its product overflows", ("addcmul",), (), ("result: values differ",),
              _addcmul_product_overflows, _addcmul_holds),
    Deviation("addcdiv_'s gradient with respect to tensor2 where its square underflows", ("addcdiv",), (),
              ("grad of input leaf",), _addcdiv_square_out_of_range, _addcdiv_holds),
    Deviation("gelu(inf), and the gradients of hardtanh, elu, hardswish and the shrinks at nan", ("elu", "selu", "celu", "hardswish"), (),
              ("grad of input leaf 0: values differ",), _nan_input_needing_grad, _elu_nan_gradient_holds),
    Deviation("gelu(inf), and the gradients of hardtanh, elu, hardswish and the shrinks at nan", ("hardtanh", "relu6", "hardshrink", "softshrink"), (),
              ("grad of input leaf 0: values differ",), _nan_input_needing_grad, _hardtanh_nan_gradient_holds),
    Deviation("pixel_shuffle and pixel_unshuffle of an empty tensor",
              ("pixel_shuffle", "pixel_unshuffle"), (), ("backward: torch raises", "result: shape"),
              _empty_pixel_shuffle, _empty_pixel_shuffle_holds),
    Deviation("fmod and remainder where the quotient overflows", ("fmod",), (), ("result: values differ",),
              _fmod_quotient_overflows, _quotient_overflow_holds(np.fmod)),
    Deviation("fmod and remainder where the quotient overflows", ("remainder",), (), ("result: values differ",),
              _fmod_quotient_overflows, _quotient_overflow_holds(np.remainder)),
    Deviation("index_fill with a negative index and a value that requires grad", ("index_fill",), (),
              ("backward: torch raises IndexError",), _index_fill_negative_index_grad_value, _index_fill_holds),
    Deviation("kl_div gradient with respect to a zero target", ("kl_div",), (),
              ("grad of input leaf",), _kl_div_zero_target, _kl_div_holds),
    Deviation("Normalisation with an infinite weight", ("layer_norm",), (), ("grad of input leaf",),
              _infinite_weight, _non_finite_in_the_same_places_holds),
    Deviation("Normalisation with an infinite weight", ("instance_norm",), (),
              ("result: values differ",), _infinite_weight, _instance_norm_holds),
    Deviation("Normalisation with an infinite weight", ("group_norm",), (),
              ("result: values differ",), _infinite_weight, _group_norm_holds),
    Deviation("Normalisation gradients with eps=0 and a tiny variance", ("layer_norm",), (),
              ("grad of input leaf",), _tiny_variance(_layer_norm_rows_and_eps),
              _tiny_variance_holds(_layer_norm_rows_and_eps)),
    Deviation("Normalisation gradients with eps=0 and a tiny variance", ("group_norm",), (),
              ("grad of input leaf",), _tiny_variance(_group_norm_rows_and_eps),
              _tiny_variance_holds(_group_norm_rows_and_eps)),
    Deviation("conv1d / conv2d with padding='same' or 'valid' and a bias of another dtype",
              ("conv1d", "conv2d"), (), ("tinynn raises where torch returns",),
              _string_padding_other_bias, _conv_bias_holds),
    Deviation(_CANCELLING_SUMS, ("sum",), (),
              ("result: values differ",), _float_result, _reduction_bound_holds("sum")),
    Deviation(_CANCELLING_SUMS, ("mean",), (),
              ("result: values differ",), _float_result, _reduction_bound_holds("mean")),
    Deviation(_CANCELLING_SUMS, ("conv1d", "conv2d"), (),
              ("result: values differ",), _cancelling_terms_only, _summation_bound_holds),
    Deviation(_CANCELLING_SUMS, ("avg_pool1d",), (),
              ("result: values differ",), _averaging_with_huge_terms, _averaging_bound_holds("avg_pool1d")),
    Deviation(_CANCELLING_SUMS, ("avg_pool2d",), (),
              ("result: values differ",), _averaging_with_huge_terms, _averaging_bound_holds("avg_pool2d")),
    Deviation(_CANCELLING_SUMS, ("adaptive_avg_pool1d",), (),
              ("result: values differ",), _averaging_with_huge_terms, _averaging_bound_holds("adaptive_avg_pool1d")),
    Deviation(_CANCELLING_SUMS, ("adaptive_avg_pool2d",), (),
              ("result: values differ",), _averaging_with_huge_terms, _averaging_bound_holds("adaptive_avg_pool2d")),
    Deviation("The weights of linear interpolation", ("interpolate",), (), ("result: values differ",),
              _linear_interpolation_of_extremes, _interpolation_weights_holds),
    Deviation(_CANCELLING_SUMS, ("interpolate",), (),
              ("result: values differ",), _averaging_with_huge_terms, _averaging_bound_holds("interpolate")),
    Deviation("softmax / log_softmax with out= and an input that requires grad", ("softmax", "log_softmax"),
              ("out",), ("tinynn raises where torch returns",), _input_requires_grad, _out_with_grad_holds),
    Deviation(_CANCELLING_SUMS,
              ("matmul", "mm", "bmm", "mv", "dot"), (), ("result: values differ",), _huge_or_non_finite_operand,
              _matrix_product_bound_holds(weight_first_dim_out=False)),
    Deviation(_CANCELLING_SUMS,
              ("linear",), (), ("result: values differ",), _huge_or_non_finite_operand,
              _matrix_product_bound_holds(weight_first_dim_out=True)),
    Deviation(_CANCELLING_SUMS, ("scatter_add",), (), ("result: values differ",), _huge_or_non_finite_operand,
              _scatter_add_bound_holds),
    Deviation(_CANCELLING_SUMS, ("nll_loss",), (), ("result: values differ",), _reduced_class_loss_with_huge_terms,
              _loss_reduction_bound_holds("nll_loss")),
    Deviation(_CANCELLING_SUMS, ("cross_entropy",), (), ("result: values differ",),
              _reduced_class_loss_with_huge_terms, _loss_reduction_bound_holds("cross_entropy")),
    Deviation("Convolutions over an input with no channels", ("conv1d", "conv2d"), (),
              ("result: shape",), _no_input_channels, _no_input_channels_holds),
    Deviation("conv1d / conv2d with a nan or inf weight, where the window reaches into the padding",
              ("conv1d", "conv2d"), (), ("result: values differ",), _non_finite_weight_over_padding,
              _zero_padded_holds),
]


def explain(op, form: str, sample, problems: list[str], n, t, weights) -> tuple[Deviation | None, str | None]:
    """The deviation that covers these problems, and what is wrong with tinynn's side (or None)."""
    for deviation in DEVIATIONS:
        if deviation.covers(op, form, sample, problems):
            return deviation, deviation.holds(sample, n, t, weights)
    return None, None
