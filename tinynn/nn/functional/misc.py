"""Functions without a gradient or a home of their own: ``one_hot``, ``flatten``-like helpers."""
from __future__ import annotations

import numpy as np

from ... import _dtype
from ..._tensor import Tensor


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (int64, any shape S) -> a (S..., num_classes) int64 tensor of 0s and 1s.

    Args:
        num_classes: the length of the new last axis; -1 means ``tensor.max() + 1``.

    Raises:
        RuntimeError: for a non-int64 tensor, a negative class, or a class >= num_classes;
            for an empty tensor without a positive ``num_classes``.
    """
    if tensor.dtype is not _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    data = tensor._data
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if data.size == 0 and num_classes <= 0:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    if num_classes == -1:
        num_classes = int(data.max()) + 1
    elif data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((data[..., None] == np.arange(num_classes)).astype(np.int64))  # (*S, num_classes)
