"""Activation modules: thin wrappers around ``tinynn.nn.functional``."""
from __future__ import annotations

from typing import Any

from ... import _creation
from ..._tensor import Tensor
from ...autograd.grad_mode import is_grad_enabled
from .. import functional as F
from .. import init as _init
from ..functional.attention import _canonical_mask, _none_or_dtype
from ..parameter import Parameter
from .linear import Linear
from .module import Module


class ReLU(Module):
    """ReLU(x) = max(x, 0)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(Module):
    """LeakyReLU(x) = x if x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """GELU(x) = x Phi(x) (``approximate="tanh"`` for the tanh approximation)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """Sigmoid(x) = 1 / (1 + e^-x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """Tanh(x) = (e^x - e^-x) / (e^x + e^-x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class SiLU(Module):
    """SiLU(x) = x * sigmoid(x)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softmax(Module):
    """Softmax(x)_i = e^{x_i} / sum_j e^{x_j} along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """LogSoftmax(x)_i = x_i - log sum_j e^{x_j} along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardtanh(Module):
    """Hardtanh(x) = x clamped to [min_val, max_val].

    Raises:
        AssertionError: if ``max_val <= min_val`` (as PyTorch).
    """

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            min_val = min_value
        if max_value is not None:
            max_val = max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        assert self.max_val > self.min_val, f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})"

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """ReLU6(x) = min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ELU(Module):
    """ELU(x) = x if x > 0 else alpha (e^x - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class SELU(Module):
    """SELU(x) = scale elu(x, alpha), alpha = 1.6733, scale = 1.0507 (see ``F.selu``)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class CELU(Module):
    """CELU(x) = max(0, x) + min(0, alpha (e^{x / alpha} - 1))."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Softsign(Module):
    """Softsign(x) = x / (1 + abs(x))."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """Tanhshrink(x) = x - tanh(x)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class Softshrink(Module):
    """x - lambd above lambd, x + lambd below -lambd, 0 between (see ``F.softshrink``)."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Module):
    """x where abs(x) > lambd, else 0 (see ``F.hardshrink``)."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Threshold(Module):
    """x where x > threshold, else value (see ``F.threshold``)."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """The gated linear unit along ``dim``: a sigmoid(b), a and b the two halves (see ``F.glu``)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softplus(Module):
    """Softplus(x) = (1/beta) log(1 + e^{beta x}), x itself where beta x > threshold."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class LogSigmoid(Module):
    """LogSigmoid(x) = log(1 / (1 + e^-x)), computed stably."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Mish(Module):
    """Mish(x) = x tanh(softplus(x))."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softmin(Module):
    """Softmin(x) = softmax(-x) along ``dim``."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardsigmoid(Module):
    """relu6(x + 3) / 6 elementwise (see ``F.hardsigmoid``)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class Hardswish(Module):
    """x relu6(x + 3) / 6 elementwise (see ``F.hardswish``)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)


class PReLU(Module):
    """Leaky ReLU with a learned negative slope: x where x > 0, else weight * x.

    Args:
        num_parameters: 1 (one slope shared by all channels) or C (one per channel, dim 1).
        init: the slopes' initial value. Default: 0.25.

    Shape:
        input: (N, C, ...) or any shape with one slope; output: the same shape.

    Attributes:
        weight: (num_parameters,).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(_creation.empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        _init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


# -- multi-head attention (PyTorch keeps it in this file too) ---------------------------------
class NonDynamicallyQuantizableLinear(Linear):
    """A ``Linear`` under another name: PyTorch's type for ``MultiheadAttention.out_proj``
    (the name only tells PyTorch's quantization tools to leave it alone)."""


class MultiheadAttention(Module):
    """Multi-head attention: H heads of scaled dot-product attention side by side.

    MultiHead(Q, K, V) = concat(head_1, ..., head_H) W_o^T + b_o, with
    head_h = softmax(Q W_q,h^T (K W_k,h^T)^T / sqrt(D) + M) V W_v,h^T and D = embed_dim / H.
    See :func:`tinynn.nn.functional.multi_head_attention_forward` for the computation.

    Args:
        embed_dim: E, the model's width (split into ``num_heads`` heads of E / H).
        num_heads: H; must divide ``embed_dim``.
        dropout: dropout on the attention weights in training. Default: 0.0.
        bias: learn ``in_proj_bias`` and ``out_proj.bias``. Default: True.
        add_bias_kv: learn one extra key and value (``bias_k``, ``bias_v``) appended to the
            keys and values. Default: False.
        add_zero_attn: append one all-zero key and value. Default: False.
        kdim, vdim: the keys' and values' widths (default E); if either differs from E the
            projections are separate parameters ``q_proj_weight``, ``k_proj_weight``,
            ``v_proj_weight`` instead of the packed ``in_proj_weight``.
        batch_first: inputs and output are (N, L, E) instead of (L, N, E). Default: False.

    Shape:
        query: (L, N, E), key: (S, N, kdim), value: (S, N, vdim) (or (N, ., .) with
        ``batch_first``, or unbatched (L, E), (S, kdim), (S, vdim)).
        key_padding_mask: (N, S) or (S,): True (or -inf) marks a key to ignore.
        attn_mask: (L, S) or (N * H, L, S): True (or -inf) marks a pair to ignore; float
        values are added to the scores.
        output: (attn_output (L, N, E) or (N, L, E), attn_weights (N, L, S) averaged over
        heads, (N, H, L, S) with ``average_attn_weights=False``, or None without
        ``need_weights``).

    Attributes:
        in_proj_weight: (3E, E), the query, key and value projections stacked
            (``xavier_uniform_``); in_proj_bias: (3E,), zeros; out_proj: Linear(E, E) with a
            zero bias.

    Raises:
        ValueError: for ``embed_dim`` or ``num_heads`` <= 0.
        AssertionError: if ``num_heads`` does not divide ``embed_dim`` (as PyTorch).

    Example:
        >>> mha = MultiheadAttention(16, 4, batch_first=True)
        >>> x = tinynn.randn(2, 5, 16)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (tinynn.Size([2, 5, 16]), tinynn.Size([2, 5, 5]))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None, dtype: Any = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                             f"and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError(f"embed_dim must be divisible by num_heads (got embed_dim={embed_dim} and "
                                 f"num_heads={num_heads}: each head gets embed_dim / num_heads features; "
                                 "choose a num_heads that divides embed_dim)")
        kwargs = dict(device=device, dtype=dtype)
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(_creation.empty((embed_dim, embed_dim), **kwargs))
            self.k_proj_weight = Parameter(_creation.empty((embed_dim, self.kdim), **kwargs))
            self.v_proj_weight = Parameter(_creation.empty((embed_dim, self.vdim), **kwargs))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(_creation.empty((3 * embed_dim, embed_dim), **kwargs))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(_creation.empty(3 * embed_dim, **kwargs))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **kwargs)
        if add_bias_kv:
            self.bias_k = Parameter(_creation.empty((1, 1, embed_dim), **kwargs))
            self.bias_v = Parameter(_creation.empty((1, 1, embed_dim), **kwargs))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's init: xavier_uniform_ projections, zero biases, xavier_normal_ bias_k/v."""
        if self._qkv_same_embed_dim:
            _init.xavier_uniform_(self.in_proj_weight)
        else:
            _init.xavier_uniform_(self.q_proj_weight)
            _init.xavier_uniform_(self.k_proj_weight)
            _init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            _init.constant_(self.in_proj_bias, 0.0)
            _init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            _init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            _init.xavier_normal_(self.bias_v)

    def _fast_path(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Whether PyTorch would run its fused inference kernel (``_native_multi_head_attention``).

        It does for batch-first self-attention (``query is key is value``, 3-D) in evaluation,
        with an even number of heads, packed projections with biases, no ``bias_k``/``bias_v``
        or zero attention, and nothing that needs a gradient. Its values are the ordinary ones,
        except that a query with every key masked gets nan even with ``need_weights=False``.
        """
        if not (query.ndim == 3 and query is key and key is value and not self.training and self.batch_first
                and self.num_heads % 2 == 0 and self._qkv_same_embed_dim and self.in_proj_bias is not None
                and self.bias_k is None and self.bias_v is None and not self.add_zero_attn
                and query.dtype == self.in_proj_weight.dtype == self.in_proj_bias.dtype):
            return False
        tensors = (query, self.in_proj_weight, self.in_proj_bias, self.out_proj.weight, self.out_proj.bias)
        return not (is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors))

    def forward(self, query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Tensor | None = None,
                need_weights: bool = True, attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``; returns ``(attn_output, attn_weights)``."""
        is_batched = query.ndim == 3
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask),
                                           "attn_mask", query.dtype)
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if self.batch_first and is_batched:                   # (N, L, E) -> (L, N, E), keeping `is`
            if key is value:
                if query is key:
                    query = key = value = query.transpose(1, 0)
                else:
                    query, key = query.transpose(1, 0), key.transpose(1, 0)
                    value = key
            else:
                query, key, value = query.transpose(1, 0), key.transpose(1, 0), value.transpose(1, 0)
        # PyTorch's fused inference kernel gives a query with every key masked nan, as the
        # path that writes the weights out does: compute those, and drop them if not asked for.
        fused = self._fast_path(query, key, value)
        separate = not self._qkv_same_embed_dim
        attn_output, attn_output_weights = F.multi_head_attention_forward(
            query, key, value, self.embed_dim, self.num_heads, self.in_proj_weight, self.in_proj_bias,
            self.bias_k, self.bias_v, self.add_zero_attn, self.dropout, self.out_proj.weight,
            self.out_proj.bias, training=self.training, key_padding_mask=key_padding_mask,
            need_weights=need_weights or fused, attn_mask=attn_mask, use_separate_proj_weight=separate,
            q_proj_weight=self.q_proj_weight, k_proj_weight=self.k_proj_weight,
            v_proj_weight=self.v_proj_weight, average_attn_weights=average_attn_weights, is_causal=is_causal)
        if not need_weights:
            attn_output_weights = None
        if self.batch_first and is_batched:
            return attn_output.transpose(1, 0), attn_output_weights
        return attn_output, attn_output_weights
