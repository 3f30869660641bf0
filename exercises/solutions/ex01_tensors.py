"""Reference solutions for exercises/ex01_tensors.ipynb (strides, views, broadcasting, softmax).

The real versions in tinynn: ``Tensor.stride`` and ``Tensor.is_contiguous`` in
tinynn/_tensor.py, ``View`` and ``Permute`` in tinynn/_functions/shape.py (numpy's reshape
without a copy applies the same rule as ``view_strides``), broadcasting in
tinynn/_functions/elementwise.py, ``Softmax`` in tinynn/_functions/reduction.py.
"""
from __future__ import annotations

import numpy as np


def contiguous_strides(shape):
    """Strides, in elements, of a new (row-major) tensor: stride[d] = prod(shape[d+1:])."""
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)  # a size-0 dimension counts as 1, as in PyTorch
    return tuple(reversed(strides))


def strides_of(shape, permutation):
    """Strides of a new tensor of ``shape`` after ``.permute(permutation)``: no data moves."""
    strides = contiguous_strides(shape)
    return tuple(strides[d] for d in permutation)


def is_contiguous(shape, strides):
    """True when the strides are the row-major ones, ignoring dimensions of size 1."""
    if 0 in shape:
        return True  # no elements: nothing is out of place
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size == 1:
            continue
        if stride != expected:
            return False
        expected *= size
    return True


def view_strides(shape, strides, new_shape):
    """Strides of ``.view(new_shape)`` over the same memory, or None if a copy is needed."""
    # 1. Group the old dimensions into chunks that are contiguous with each other,
    #    from the last dimension: (number of elements, stride of the chunk's last dimension).
    chunks = []
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size == 1:
            continue  # never stepped along: fits in any chunk
        if chunks and stride == chunks[-1][0] * chunks[-1][1]:
            chunks[-1][0] *= size  # continues the chunk: merge
        else:
            chunks.append([size, stride])
    # 2. Each chunk must be covered exactly by consecutive new dimensions (from the right).
    new_strides = [1] * len(new_shape)  # size-1 dimensions keep stride 1 (any value works)
    dims = [d for d in reversed(range(len(new_shape))) if new_shape[d] != 1]
    k = 0
    for numel, base in chunks:
        covered = 1
        while covered < numel and k < len(dims):
            new_strides[dims[k]] = base * covered
            covered *= new_shape[dims[k]]
            k += 1
        if covered != numel:
            return None  # a new dimension would straddle two chunks
    if k != len(dims):
        return None
    return tuple(new_strides)


def broadcast_shape(shape_a, shape_b):
    """The shape both broadcast to (aligned from the right); RuntimeError if they cannot."""
    ndim = max(len(shape_a), len(shape_b))
    a = (1,) * (ndim - len(shape_a)) + tuple(shape_a)
    b = (1,) * (ndim - len(shape_b)) + tuple(shape_b)
    result = []
    for i, (m, n) in enumerate(zip(a, b)):
        if m != n and m != 1 and n != 1:
            raise RuntimeError(f"shapes {tuple(shape_a)} and {tuple(shape_b)} cannot be broadcast: "
                               f"size {m} against size {n} at dimension {i}")
        result.append(n if m == 1 else m)
    return tuple(result)


def softmax(x, dim):
    """softmax(x)_i = exp(x_i - m) / sum_j exp(x_j - m) along ``dim``, with m = max_j x_j."""
    shifted = x - np.max(x, axis=dim, keepdims=True)  # <= 0: exp cannot overflow
    e = np.exp(shifted)
    return e / np.sum(e, axis=dim, keepdims=True)
