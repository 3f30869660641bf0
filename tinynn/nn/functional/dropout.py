"""``dropout``: zero each element with probability p during training, scale the rest by 1/(1-p)."""
from __future__ import annotations

import warnings

from ... import random
from ..._tensor import Tensor


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """y = x * m / (1 - p), with m_i ~ Bernoulli(1 - p) drawn from tinynn's generator.

    Scaling by 1/(1-p) keeps E[y] = x, so nothing changes at evaluation time (when
    ``training`` is False the input is returned as it is).

    Raises:
        ValueError: if p is not in [0, 1]. RuntimeError: if p is nan.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not 0.0 <= p <= 1.0:  # nan passes the check above; PyTorch's kernel then rejects it
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    keep = random._generator(None).random(input.shape) >= p          # True with probability 1-p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._make((keep * scale).astype(input._data.dtype))    # same shape as input
    return input.mul_(mask) if inplace else input * mask


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Channel dropout: zero whole channels x[n, c] with probability p, scale the rest by 1/(1-p).

    Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels
    hardly regularises a convolutional layer; dropping whole feature maps does. The mask
    has shape (N, C, 1, 1) and is broadcast over the spatial axes.

    Args:
        input: (N, C, H, W) or (C, H, W). As in PyTorch, a 3-D input is (with a warning)
            treated as (N, C, L), one mask entry per (n, c); other ranks warn too and get one
            mask entry per (dim 0, dim 1) pair.

    Raises:
        ValueError: if p is not in [0, 1].
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
            "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
            "dim. This behavior will change in a future release to interpret the input as one "
            "without a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise "
            "dropout behavior, please switch to using dropout1d instead.", UserWarning, stacklevel=2)
    elif input.ndim != 4:
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide channel-wise "
            "dropout on inputs with 2 spatial dimensions, a channel dimension, and an optional batch "
            "dimension (i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    if not training or p == 0.0:
        return input
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)    # (N, C, 1, 1)
    keep = random._generator(None).random(mask_shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._make((keep * scale).astype(input._data.dtype))
    return input.mul_(mask) if inplace else input * mask
