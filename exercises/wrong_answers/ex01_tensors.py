"""Wrong answers for exercises/ex01_tensors.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

import numpy as np

from solutions.ex01_tensors import contiguous_strides


def contiguous_strides__column_major(shape):
    """Strides that grow from the left (Fortran order): the first dimension has stride 1."""
    strides, step = [], 1
    for size in shape:
        strides.append(step)
        step *= max(size, 1)
    return tuple(strides)


def contiguous_strides__size_zero(shape):
    """Multiplies by a size of 0 as it is, so every stride before it becomes 0."""
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


def strides_of__permutes_the_shape(shape, permutation):
    """Permutes the shape, then computes fresh strides: as if permute copied the data."""
    return contiguous_strides(tuple(shape[d] for d in permutation))


def is_contiguous__size_one_matters(shape, strides):
    """Compares every stride with the row-major ones, even for dimensions of size 1."""
    return tuple(strides) == contiguous_strides(shape)


def is_contiguous__returns_int(shape, strides):
    """Right logic, but returns 1 or 0 instead of True or False."""
    if 0 in shape:
        return 1
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1:
            if stride != expected:
                return 0
            expected *= size
    return 1


def view_strides__contiguous_only(shape, strides, new_shape):
    """Refuses every non-contiguous input, though PyTorch views many of them."""
    from solutions.ex01_tensors import is_contiguous
    return contiguous_strides(new_shape) if is_contiguous(shape, strides) else None


def view_strides__ignores_strides(shape, strides, new_shape):
    """Always returns the strides of a fresh tensor of new_shape: a silent wrong view."""
    return contiguous_strides(new_shape)


def broadcast_shape__never_raises(shape_a, shape_b):
    """Takes the larger size in each dimension, without checking that they are compatible."""
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    return tuple(n if m == 1 else m if n == 1 else max(m, n) for m, n in zip(a, b))


def broadcast_shape__left_aligned(shape_a, shape_b):
    """Lines the shapes up from the left (pads on the right): (3, 1) and (4,) then clash."""
    ndim = max(len(shape_a), len(shape_b))
    a = tuple(shape_a) + (1,) * (ndim - len(shape_a))
    b = tuple(shape_b) + (1,) * (ndim - len(shape_b))
    result = []
    for m, n in zip(a, b):
        if m != n and m != 1 and n != 1:
            raise RuntimeError(f"cannot broadcast {m} and {n}")
        result.append(n if m == 1 else m)
    return tuple(result)


def softmax__unstable(x, dim):
    """exp without subtracting the maximum: exp(1e4) = inf, and inf / inf = nan."""
    e = np.exp(x)
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__global_max(x, dim):
    """Subtracts the maximum of the whole array: a row far below it underflows to 0 / 0."""
    e = np.exp(x - np.max(x))
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__forgot_keepdim(x, dim):
    """The maximum loses its dimension, so it broadcasts against the wrong axis (or not at all)."""
    e = np.exp(x - np.max(x, axis=dim))
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__float64(x, dim):
    """Computes in float64 "for accuracy" and never converts back: float32 in, float64 out."""
    x = x.astype(np.float64)
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def softmax__torch_keyword(x, dim):
    """Writes PyTorch's keepdim= in numpy's sum, which calls it keepdims=: a TypeError."""
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdim=True)


WRONG_ANSWERS = {  # name: (exercise, category the check must report, the mistake)
    "contiguous_strides__column_major":
        ("contiguous_strides", "wrong value", "column-major (Fortran) strides"),
    "contiguous_strides__size_zero":
        ("contiguous_strides", "wrong value", "a size-0 dimension zeroes the strides before it"),
    "strides_of__permutes_the_shape":
        ("strides_of", "wrong value", "fresh strides for the permuted shape"),
    "is_contiguous__size_one_matters":
        ("is_contiguous", "wrong value", "does not ignore size-1 dimensions"),
    "is_contiguous__returns_int":
        ("is_contiguous", "wrong type", "returns 1/0, not True/False"),
    "view_strides__contiguous_only":
        ("view_strides", "wrong value", "refuses every non-contiguous input"),
    "view_strides__ignores_strides":
        ("view_strides", "wrong value", "ignores the input's strides"),
    "broadcast_shape__never_raises":
        ("broadcast_shape", "did not raise", "no error for incompatible shapes"),
    "broadcast_shape__left_aligned":
        ("broadcast_shape", "raised", "aligns the shapes from the left"),
    "softmax__unstable":
        ("softmax", "wrong value", "overflows at logits of 1e4"),
    "softmax__global_max":
        ("softmax", "wrong value", "one maximum for the whole array"),
    "softmax__forgot_keepdim":
        ("softmax", "raised", "forgot keepdims in the max"),
    "softmax__float64":
        ("softmax", "wrong dtype", "returns float64 for float32 input"),
    "softmax__torch_keyword":
        ("softmax", "raised", "an exception inside the learner's code (keepdim=)"),
}
