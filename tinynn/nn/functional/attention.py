"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

Attention is a weighted sum. Each query q_t scores every key k_i, the scores become weights
by a softmax over i, and the output is the weighted sum of the values:

    a_t = sum_i alpha_ti v_i,   alpha_t = softmax_i(q_t . k_i / sqrt(d_k) + mask_ti)

For a whole sequence at once, with Q: (L, E), K: (S, E), V: (S, Ev):

    A = softmax(Q K^T * scale + M) V          (L, Ev),  scale = 1 / sqrt(E)

A mask M removes (query, key) pairs before the softmax: a float mask is added to the scores
(-inf removes the pair), a boolean mask is turned into 0 / -inf first. Beware: the two
public APIs read a boolean mask in opposite ways, as in PyTorch. In
``scaled_dot_product_attention`` True means "may attend"; in ``multi_head_attention_forward``
(``nn.MultiheadAttention`` and the Transformer modules) True means "masked out".

Gradients come from autograd through the matmuls and :class:`SafeSoftmax`, the one op with
its own backward here.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _creation, _dtype
from ..._functions.reduction import SoftmaxBackwardData, extreme
from ..._functions.shape import cat
from ..._tensor import Tensor
from ...autograd.function import Function
from .dropout import dropout
from .linear import linear
from .padding import pad

_DTYPE_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "bool": "bool",
                "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                "uint8": "unsigned char"}  # the C++ type names PyTorch's messages print


def _dtype_name(t: Tensor) -> str:
    return _DTYPE_NAMES.get(t._data.dtype.name, t._data.dtype.name)


class SafeSoftmax(Function):
    """softmax along ``dim``, except that a row whose entries are all -inf gives 0, not nan.

    z_i = e^{x_i - m} / sum_j e^{x_j - m} with m = max_j x_j, and z = 0 on a row of -inf
    (a query allowed to see no key attends to nothing: PyTorch's ``_safe_softmax``).

    dL/dx = z * (g - sum_j g_j z_j), softmax's own backward (``SoftmaxBackwardData``): 0 on
    a fully masked row (z = 0 there) and 0 at every masked entry (z_i = 0), so no nan
    reaches the gradient.
    """

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        m = extreme(np.maximum, x._data, dim, initial=-np.inf)  # -inf for no keys
        dead = m == -np.inf                                  # rows with nothing to attend to
        any_dead = bool(dead.any())
        if any_dead:
            m = np.where(dead, 0, m)
        e = np.subtract(x._data, m)
        np.exp(e, out=e)                                     # e^{x - max}: no overflow; e^-inf = 0
        total = np.add.reduce(e, axis=dim, keepdims=True)
        if any_dead:
            total[dead] = 1                                  # a dead row: 0 / 1 = 0
        e /= total
        z = Tensor._make(e)
        ctx.save_for_backward(z)
        return z

    @staticmethod
    def backward(ctx, grad_output):
        z, = ctx.saved_tensors
        return SoftmaxBackwardData.apply(grad_output, z, ctx.dim), None


def _check_sdpa_inputs(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None,
                       dropout_p: float) -> None:
    if query.ndim < 2 or key.ndim < 2 or value.ndim < 2:
        raise RuntimeError(
            "Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
            f"{query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{_dtype_name(query)} key.dtype: {_dtype_name(key)} and value.dtype: {_dtype_name(value)} instead.")
    if not query.is_floating_point():
        found = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                 "bool": "Bool"}.get(query._data.dtype.name, query._data.dtype.name)
        raise RuntimeError(f"expected scalar type Float but found {found}: scaled_dot_product_attention "
                           "needs floating-point query, key and value (convert with .float())")
    if query.shape[-1] != key.shape[-1]:
        raise RuntimeError(
            f"scaled_dot_product_attention: query and key must have the same embedding size E, but "
            f"got query {list(query.shape)} and key {list(key.shape)}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(
            f"scaled_dot_product_attention: key and value must have the same sequence length S, "
            f"but got key {list(key.shape)} and value {list(value.shape)}")
    if attn_mask is not None and attn_mask.dtype not in (_dtype.bool, _dtype.float32, query.dtype):
        raise RuntimeError(
            "Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: "
            f"{_dtype_name(attn_mask)} and  query.dtype: {_dtype_name(query)} instead.")
    if attn_mask is not None and attn_mask.ndim < 2 and query.ndim == 4:
        # PyTorch's fused CPU kernel (taken for 4-D inputs only) reads the mask's size(-2);
        # for inputs of any other rank a 0-D or 1-D mask broadcasts like any other.
        found = ("Dimension specified as -2 but tensor has no dimensions" if attn_mask.ndim == 0
                 else "Dimension out of range (expected to be in range of [-1, 0], but got -2)")
        raise IndexError(f"{found}: attn_mask of shape {list(attn_mask.shape)} needs at least 2 dims, (L, S); "
                         "for one mask row per key, use shape (1, S)")
    if dropout_p < 0.0 or dropout_p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")


def _broadcast_mask_check(attn_mask: Tensor, scores_shape: tuple) -> None:
    """A mask must broadcast to the scores (..., L, S) without growing them."""
    try:
        shape = np.broadcast_shapes(tuple(attn_mask.shape), tuple(scores_shape))
    except ValueError:
        shape = None
    if shape != tuple(scores_shape):
        raise RuntimeError(
            f"scaled_dot_product_attention: attn_mask of shape {list(attn_mask.shape)} does not broadcast "
            f"to the attention scores of shape {list(scores_shape)} (..., L, S); give a mask of shape "
            f"(L, S) = {list(scores_shape[-2:])}, or (N, 1, L, S) for a per-sample mask")


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + M) V, batched over every leading dimension.

    Args:
        query: (..., L, E).
        key: (..., S, E).
        value: (..., S, Ev).
        attn_mask: broadcastable to (..., L, S). Boolean: True means *this query may attend
            to this key* (False entries are removed). Float: added to the scores (-inf
            removes an entry); its dtype is the query's or float32 (cast to the query's, as
            PyTorch). Leading dimensions broadcast (e.g. (N, 1, L, S) over heads).
        dropout_p: dropout applied to the attention weights (always, as in PyTorch: pass
            0.0 when evaluating).
        is_causal: keep only keys i <= t for query t: ``tril`` of an (L, S) matrix of ones
            (for L != S too, aligned at the top-left). Combined with ``attn_mask`` if both are
            given, as PyTorch's CPU kernels do (its math kernel, used when the mask requires
            grad, raises instead).
        scale: multiplies the scores; default 1 / sqrt(E).
        enable_gqa: grouped-query attention: key and value may have fewer heads (dim -3)
            than query, a divisor of it; each is repeated to match.

    A query whose keys are all removed gets the output 0 (and a 0 gradient), not nan.

    Shape:
        output: (..., L, Ev).

    Raises:
        RuntimeError: on inputs of fewer than 2 dims, mixed dtypes, a non-float input,
            different E for query and key, different S for key and value, a mask that does not
            broadcast to (..., L, S) or has an integer dtype (or a float dtype other than the
            query's and float32), or ``dropout_p`` outside [0, 1].
        IndexError: for a mask of fewer than 2 dims with 4-D inputs (as PyTorch's kernel for
            them; with inputs of any other rank such a mask broadcasts).

    Example:
        >>> q = k = v = tinynn.randn(2, 4, 10, 16)     # (N, heads, L, E)
        >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
        tinynn.Size([2, 4, 10, 16])
    """
    _check_sdpa_inputs(query, key, value, attn_mask, dropout_p)
    if enable_gqa and query.ndim >= 3 and key.shape[-3] != query.shape[-3]:
        repeats = query.shape[-3] // key.shape[-3]
        key = key.repeat_interleave(repeats, dim=-3)            # (..., Hq, S, E)
        value = value.repeat_interleave(repeats, dim=-3)        # (..., Hq, S, Ev)
    L, S = query.shape[-2], key.shape[-2]
    scale_factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * scale_factor     # (..., L, S)
    if is_causal:
        allowed = np.tril(np.ones((L, S), dtype=bool))          # key i <= query t
        scores = scores.masked_fill(Tensor._make(~allowed), float("-inf"))
    if attn_mask is not None:
        _broadcast_mask_check(attn_mask, tuple(scores.shape))
        if attn_mask.dtype == _dtype.bool:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            scores = scores + attn_mask.to(query.dtype)         # a float32 mask: the query's dtype
    weights = SafeSoftmax.apply(scores, -1)                     # (..., L, S), rows sum to 1 (or 0)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p)
    return weights @ value                                       # (..., L, Ev)


# -- multi-head attention -------------------------------------------------------------------
def _canonical_mask(mask: Tensor | None, mask_name: str, other_type, other_name: str, target_type,
                    check_other: bool = True) -> Tensor | None:
    """A boolean mask (True = masked out) as a float mask of ``target_type`` (0 / -inf)."""
    if mask is None:
        return None
    if mask.dtype != _dtype.bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", stacklevel=3)
    if not mask.is_floating_point():
        mask = Tensor._make(np.where(mask._data, -np.inf, 0.0).astype(target_type.numpy_dtype))
    return mask


def _none_or_dtype(input: Tensor | None):
    return None if input is None else input.dtype


def _mha_shape_check(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None,
                     attn_mask: Tensor | None, num_heads: int) -> bool:
    """Check the ranks of the inputs and masks; return whether the input is batched."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D"
                                 f" but found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                                 f" but found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D"
                                 f" but found {key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D"
                                 f" but found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D"
                                     f" but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query tensor")


def multi_head_attention_forward(
        query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None,
        bias_v: Tensor | None, add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor,
        out_proj_bias: Tensor | None, training: bool = True, key_padding_mask: Tensor | None = None,
        need_weights: bool = True, attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False,
        q_proj_weight: Tensor | None = None, k_proj_weight: Tensor | None = None,
        v_proj_weight: Tensor | None = None, static_k: Tensor | None = None, static_v: Tensor | None = None,
        average_attn_weights: bool = True, is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention, sequence first, as ``torch.nn.functional.multi_head_attention_forward``.

    With E = embed_dim split into H heads of D = E / H, and W_q, W_k, W_v the three (E, E)
    row blocks of ``in_proj_weight`` (or the separate ``q/k/v_proj_weight``)::

        q, k, v = query W_q^T + b_q, key W_k^T + b_k, value W_v^T + b_v
        head_h  = softmax(q_h k_h^T / sqrt(D) + M) v_h          (one per head)
        output  = concat_h(head_h) W_o^T + b_o

    Masks (True means *masked out* here, the opposite of ``scaled_dot_product_attention``):
    ``key_padding_mask`` removes keys per sample, ``attn_mask`` removes (query, key) pairs for
    all samples (L, S) or per sample and head (N * H, L, S); float masks are added.

    With ``need_weights`` the softmax is written out and the weights returned (averaged over
    heads when ``average_attn_weights``); a query with every key masked then gets nan, as in
    PyTorch. Without it, ``scaled_dot_product_attention`` runs and such a query gets 0.

    Args:
        query: (L, N, E) or unbatched (L, E).
        key, value: (S, N, E_k), (S, N, E_v) (E_k = E_v = E unless ``use_separate_proj_weight``).

    Shape:
        output: (L, N, E) (or (L, E)); weights: (N, L, S) averaged, or (N, H, L, S).

    Raises:
        AssertionError: as PyTorch, for wrong ranks, an embedding size other than
            ``embed_dim_to_check``, E not divisible by ``num_heads``, key/value shapes that
            disagree, separate projection weights that do not fit the key's or value's width,
            a key padding mask of the wrong shape or an integer mask.
        RuntimeError: an ``attn_mask`` whose shape is not (L, S) or (N * H, L, S),
            ``is_causal`` without an ``attn_mask``, or (with ``need_weights``) a float mask
            whose dtype is not the query's.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:                                        # pretend a batch of one
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)

    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                       "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer "
                           "module method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None                                      # SDPA applies the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False                                 # the merged mask is no longer causal

    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # input projections: (L, N, E), (S, N, E), (S, N, E)
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        if query is key and key is value:                     # self-attention: one matmul
            q, k, v = linear(query, in_proj_weight, in_proj_bias).chunk(3, dim=-1)
        elif key is value:                                    # cross-attention: one for k and v
            w_q, w_kv = in_proj_weight.split([embed_dim, 2 * embed_dim])
            b_q, b_kv = (None, None) if in_proj_bias is None else in_proj_bias.split([embed_dim, 2 * embed_dim])
            q = linear(query, w_q, b_q)
            k, v = linear(key, w_kv, b_kv).chunk(2, dim=-1)  # (S, N, E) each
        else:
            w_q, w_k, w_v = in_proj_weight.chunk(3)
            b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
            q, k, v = linear(query, w_q, b_q), linear(key, w_k, b_k), linear(value, w_v, b_v)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        _check_projection_shapes(query, key, value, (q_proj_weight, k_proj_weight, v_proj_weight), (b_q, b_k, b_v))
        q, k, v = linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k), linear(value, v_proj_weight, b_v)

    if attn_mask is not None:                                 # as (1 or N * H, L, S)
        if attn_mask.ndim == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")

    if bias_k is not None and bias_v is not None:             # one learned key/value more
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])               # (S + 1, N, E)
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k is set but bias_v is None" if bias_k is not None
                             else "bias_v is set but bias_k is None")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)      # (N * H, L, D)
    k = k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k
    v = v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v
    if add_zero_attn:                                         # one all-zero key/value more
        zeros = _creation.zeros((bsz * num_heads, 1, head_dim), dtype=k.dtype)
        k, v = cat([k, zeros], dim=1), cat([v, zeros], dim=1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:                          # merge into attn_mask: (N * H, 1, S)
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got {key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.reshape(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1).reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0

    if need_weights:
        if attn_mask is not None and attn_mask.dtype != q.dtype:   # PyTorch's baddbmm(mask, q, k^T)
            raise RuntimeError(f"Input dtypes must be the same, got: input {_dtype_name(attn_mask)}, batch1: "
                               f"{_dtype_name(q)}, batch2: {_dtype_name(k)} (a float attn_mask or "
                               f"key_padding_mask must have the query's dtype: convert it with .to({q.dtype}))")
        scores = (q * math.sqrt(1.0 / head_dim)) @ k.transpose(-2, -1)  # (N * H, L, S)
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = scores.softmax(-1)                          # a fully masked row: nan, as PyTorch
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = weights @ v                                     # (N * H, L, D)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)                     # (N, L, S)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:                                 # (1, 1, L, S) or (N, H, L, S)
        attn_mask = (attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1
                     else attn_mask.reshape(bsz, num_heads, -1, src_len))
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)          # (N, H, L, D)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)   # (N, H, L, D)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)               # (L * N, E)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _check_projection_shapes(query: Tensor, key: Tensor, value: Tensor, weights: tuple, biases: tuple) -> None:
    """The separate projections map query (.., Eq), key (.., Ek), value (.., Ev) to Eq each.

    Raises:
        AssertionError: for a weight that is not (Eq, Eq), (Eq, Ek), (Eq, Ev), or a bias
            that is not (Eq,), with PyTorch's message (``_in_projection``).
    """
    e_q = query.shape[-1]
    for name, w, t in zip(("query", "key", "value"), weights, (query, key, value)):
        if tuple(w.shape) != (e_q, t.shape[-1]):
            raise AssertionError(f"expecting {name} weights shape of {(e_q, t.shape[-1])}, but got {w.shape}")
    for name, b in zip(("query", "key", "value"), biases):
        if b is not None and tuple(b.shape) != (e_q,):
            raise AssertionError(f"expecting {name} bias shape of {(e_q,)}, but got {b.shape}")


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """A float mask with one more key column of 0 (the added key is visible)."""
    return None if mask is None else pad(mask, (0, 1))
