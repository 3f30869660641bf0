"""``embedding``: a lookup table, ``out[...] = weight[input[...]]``, and its scatter-add backward.

Looking up rows is indexing, so the gradient is the adjoint of indexing: start from zeros
shaped like ``weight`` and *add* each incoming gradient row into the row it was read from.
A token that appears five times in a batch receives the sum of its five gradients. That is
``np.add.at`` (a scatter-add), never a dense one-hot matrix product: a one-hot
(tokens, num_embeddings) matrix would cost memory and time proportional to the vocabulary
for every token.
"""
from __future__ import annotations

import numpy as np

from ... import _dtype
from ..._functions.indexing import add_at
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...autograd.function import Function



def _as_indices(input: Tensor) -> np.ndarray:
    """The indices as int64 (an int64 tensor's own array, an int32 one's converted)."""
    return input._data.astype(np.int64, copy=False)


class Embedding(Function):
    """z = weight[indices]  (a row per index);  dL/dweight = scatter-add of g into those rows.

    With N = indices.size tokens and G = dL/dz reshaped to (N, D):

    * dL/dweight[v] = sum over tokens n with indices[n] = v of G[n]           (V, D)
    * rows read at ``padding_idx`` contribute nothing (that row's gradient stays 0);
    * with ``scale_grad_by_freq``, G[n] is first divided by the number of times its index
      occurs in ``indices``.

    The indices get no gradient (they are integers).
    """

    @staticmethod
    def forward(ctx, weight, input, padding_idx, scale_grad_by_freq):
        ctx.save_for_backward(input)  # (so that changing the indices in place before backward is caught)
        ctx.num_weights = weight.shape[0]
        ctx.padding_idx, ctx.scale_grad_by_freq = padding_idx, scale_grad_by_freq
        return weight._data[_as_indices(input)]  # (*indices.shape, D), a copy (advanced indexing)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return (EmbeddingDenseBackward.apply(grad_output, _as_indices(input), ctx.num_weights,
                                             ctx.padding_idx, ctx.scale_grad_by_freq),
                None, None, None)


class EmbeddingDenseBackward(Function):
    """z = zeros(V, D) with each row g[n] added into row indices[n] (a scatter-add);
    dL/dg = (dL/dz)[indices], with zeros where indices[n] = padding_idx (the same weights
    the scatter used, so the pair is each other's adjoint to any order)."""

    @staticmethod
    def forward(ctx, grad_output, indices, num_weights, padding_idx, scale_grad_by_freq):
        ctx.indices, ctx.padding_idx = indices, padding_idx
        g = grad_output._data
        flat = indices.reshape(-1)                            # (N,)
        rows = g.reshape(flat.size, g.shape[-1])              # (N, D)
        weight = _row_weights(flat, num_weights, padding_idx, scale_grad_by_freq)
        ctx.row_weights = weight
        if weight is not None:
            rows = rows * weight.astype(g.dtype)[:, None]     # (N, D)
        out = np.zeros((num_weights, g.shape[-1]), dtype=g.dtype)  # (V, D)
        add_at(out, (flat,), rows)  # a repeated index gets the sum of its rows
        return out

    @staticmethod
    def backward(ctx, grad_output):
        grad = grad_output[Tensor._make(ctx.indices)]         # (*indices.shape, D)
        if ctx.row_weights is not None:
            w = ctx.row_weights.reshape(ctx.indices.shape + (1,)).astype(grad_output._data.dtype)
            grad = grad * Tensor._make(w)
        return grad, None, None, None, None


def _row_weights(flat: np.ndarray, num_weights: int, padding_idx: int | None,
                 scale_grad_by_freq: bool) -> np.ndarray | None:
    """The factor each token's gradient row is multiplied by before the scatter (or None for all 1):
    0 at ``padding_idx``, 1 / count(index) with ``scale_grad_by_freq``."""
    if padding_idx is None and not scale_grad_by_freq:
        return None
    weight = np.ones(flat.size)
    if scale_grad_by_freq:
        counts = np.bincount(flat, minlength=num_weights)     # (V,)
        weight = weight / counts[flat]
    if padding_idx is not None:
        weight = np.where(flat == padding_idx, 0.0, weight)
    return weight


def _check_indices(input: Tensor, weight: Tensor) -> np.ndarray:
    """The indices as an int64 array, after PyTorch's checks on dtype and range."""
    if not isinstance(input, Tensor):
        raise TypeError(f"embedding(): argument 'indices' must be Tensor, not {type(input).__name__}")
    if input.dtype not in (_dtype.int64, _dtype.int32):
        found = "CPUBoolType" if input.dtype is _dtype.bool else _dtype.legacy_type_name(input.dtype)
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {found} instead (while checking arguments for embedding)"
            " (convert the indices with .long())"
        )
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D (got a weight of shape {list(weight.shape)})")
    indices = _as_indices(input)
    if indices.size and weight.shape[0] == 0:  # PyTorch's index_select refuses an empty table
        raise RuntimeError("index_select(): self indexing axis dim should be positive (the embedding "
                           f"table of shape {list(weight.shape)} has no rows to look up)")
    if indices.size and (indices.min() < 0 or indices.max() >= weight.shape[0]):
        bad = int(indices.min()) if indices.min() < 0 else int(indices.max())
        where = (f"for an embedding table of {weight.shape[0]} rows: valid indices are 0 to "
                 f"{weight.shape[0] - 1}")
        if weight.shape[1] == 0:  # rows of no values: PyTorch's other kernel, another error type
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={weight.shape[0]} "
                               f"({where})")
        raise IndexError(f"index out of range in self (index {bad} {where})")
    return indices


def _normalize_padding_idx(padding_idx: int | None, num_embeddings: int) -> int | None:
    """A negative ``padding_idx`` counts from the end, as in PyTorch (which checks a positive
    one against the rows, a negative one too, and 0 not at all)."""
    if padding_idx is None:
        return None
    if (padding_idx > 0 and padding_idx >= num_embeddings) or padding_idx < -num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def _renorm_(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """In place, without a gradient: rescale each row read by ``indices`` whose
    ``norm_type``-norm exceeds ``max_norm`` to norm ``max_norm`` (PyTorch's
    ``embedding_renorm_``, with its 1e-7 in the denominator)."""
    rows = np.unique(indices)                                          # (R,)
    norms = np.linalg.norm(weight._data[rows], ord=norm_type, axis=1)  # (R,)
    too_long = norms > max_norm
    scale = max_norm / (norms[too_long] + 1e-7)
    weight._data[rows[too_long]] *= scale[:, None].astype(weight._data.dtype)
    weight._bump_version()


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight``: ``out[..., :] = weight[input[...], :]``.

    Args:
        input: integer indices (int64 or int32), any shape S, each in [0, V).
        weight: (V, D), the table (V = num_embeddings, D = embedding_dim).
        padding_idx: rows read at this index get no gradient (the row itself is used as it is).
            Negative values count from the end.
        max_norm: if given, each row that ``input`` reads and whose norm exceeds ``max_norm``
            is first rescaled to norm ``max_norm``, in place (``weight`` changes).
        norm_type: the p of the p-norm for ``max_norm``. Default 2.
        scale_grad_by_freq: divide each token's gradient by its index's count in ``input``.
        sparse: sparse gradients are not supported in tinynn; must be False.

    Shape:
        output: ``(*S, D)``.

    Raises:
        RuntimeError: for indices that are not int64/int32 ("Expected tensor for argument #1
            'indices' ..."), a ``weight`` that is not 2-D, or any index into a ``weight``
            of 0 rows.
        IndexError: "index out of range in self" for an index < 0 or >= V (RuntimeError, as
            in PyTorch, when the rows hold no values); for a 0-d ``weight`` with a
            ``padding_idx`` other than 0, or requiring grad (as PyTorch).
        AssertionError: "Padding_idx must be within num_embeddings" (as PyTorch).

    Example:
        >>> w = tinynn.randn(10, 3)
        >>> F.embedding(tinynn.tensor([[1, 2], [4, 5]]), w).shape
        tinynn.Size([2, 2, 3])
    """
    if sparse:
        raise NotImplementedError("tinynn has no sparse tensors: use embedding(..., sparse=False)")
    needs_rows = padding_idx not in (None, 0) or (weight.requires_grad and grad_mode.is_grad_enabled())
    if weight.ndim == 0 and needs_rows:
        # PyTorch reads weight.size(0) before its 2-D check here: for a padding_idx, and for
        # a weight that will need a gradient (autograd keeps the number of rows)
        raise IndexError("Dimension specified as 0 but tensor has no dimensions (weight must be 2-D)")
    if weight.ndim > 0:  # (PyTorch checks padding_idx against weight.size(0) before the 2-D check too)
        padding_idx = _normalize_padding_idx(padding_idx, weight.shape[0])
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D (got a weight of shape {list(weight.shape)})")
    indices = _check_indices(input, weight)
    if max_norm is not None:
        _renorm_(weight, indices, max_norm, norm_type)
    return Embedding.apply(weight, input, padding_idx, scale_grad_by_freq)
