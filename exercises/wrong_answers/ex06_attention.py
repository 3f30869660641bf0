"""Wrong answers for exercises/ex06_attention.ipynb; see WRONG_ANSWERS at the end."""
from __future__ import annotations

import numpy as np

from solutions.ex06_attention import merge_heads, split_heads


def causal_mask__masked_out_convention(L, S):
    """True above the diagonal: nn.MultiheadAttention's "masked out" mask, not SDPA's."""
    return np.triu(np.ones((L, S), dtype=bool), 1)


def causal_mask__square(L, S):
    """Assumes as many keys as queries."""
    return np.tril(np.ones((L, L), dtype=bool))


def causal_mask__float(L, S):
    """An additive float mask (0 / -inf) where a bool mask was asked for."""
    return np.where(np.tril(np.ones((L, S), dtype=bool)), 0.0, -np.inf)


def masked_attention__no_scale(q, k, v, mask):
    """Forgets the 1 / sqrt(E)."""
    scores = q @ np.swapaxes(k, -1, -2)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True) @ v


def masked_attention__plain_softmax(q, k, v, mask):
    """Right, except that a query with every key masked gets nan (0/0), not 0."""
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]).astype(q.dtype)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    with np.errstate(invalid="ignore"):
        e = np.exp(scores - scores.max(-1, keepdims=True))
        return e / e.sum(-1, keepdims=True) @ v


def masked_attention__transposes_everything(q, k, v, mask):
    """k.T reverses every axis of a batched k, not just the last two."""
    scores = q @ k.T / np.sqrt(q.shape[-1])
    e = np.exp(scores - scores.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True) @ v


def split_heads__reshape_only(x, num_heads):
    """Reshapes straight to (N, H, L, D): each "head" gets pieces of several tokens."""
    N, L, E = x.shape
    return x.reshape(N, num_heads, L, E // num_heads)


def split_heads__no_transpose(x, num_heads):
    """Stops at (N, L, H, D)."""
    N, L, E = x.shape
    return x.reshape(N, L, num_heads, E // num_heads)


def merge_heads__reshape_only(x):
    """Reshapes (N, H, L, D) straight to (N, L, H * D) without moving H back."""
    N, H, L, D = x.shape
    return x.reshape(N, L, H * D)


def multi_head_attention__weights_per_head(query, key, value, in_proj_weight, in_proj_bias,
                                           out_proj_weight, out_proj_bias, num_heads, key_padding_mask):
    """Returns the (N, H, L, S) weights, not their mean over the heads."""
    out, weights = _mha(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                        out_proj_bias, num_heads, key_padding_mask)
    return out, weights


def multi_head_attention__scale_by_width(query, key, value, in_proj_weight, in_proj_bias,
                                         out_proj_weight, out_proj_bias, num_heads, key_padding_mask):
    """Scales the scores by 1/sqrt(E) (the model's width) instead of 1/sqrt(E // H)."""
    out, weights = _mha(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                        out_proj_bias, num_heads, key_padding_mask, scale_width=True)
    return out, weights.mean(1)


def multi_head_attention__padding_ignored(query, key, value, in_proj_weight, in_proj_bias,
                                          out_proj_weight, out_proj_bias, num_heads, key_padding_mask):
    """Never applies key_padding_mask."""
    out, weights = _mha(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                        out_proj_bias, num_heads, None)
    return out, weights.mean(1)


def _mha(query, key, value, w_in, b_in, w_out, b_out, num_heads, key_padding_mask, scale_width=False):
    w_q, w_k, w_v = np.split(w_in, 3)
    b_q, b_k, b_v = np.split(b_in, 3)
    q = split_heads(query @ w_q.T + b_q, num_heads)
    k = split_heads(key @ w_k.T + b_k, num_heads)
    v = split_heads(value @ w_v.T + b_v, num_heads)
    width = query.shape[-1] if scale_width else q.shape[-1]
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(width).astype(q.dtype)
    if key_padding_mask is not None:
        scores = np.where(key_padding_mask[:, None, None, :], -np.inf, scores)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    weights = e / e.sum(-1, keepdims=True)
    return merge_heads(weights @ v) @ w_out.T + b_out, weights


def layer_norm__unbiased_variance(x, weight, bias, eps):
    """np.var(..., ddof=1): PyTorch normalises with the biased variance."""
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(x.var(-1, ddof=1, keepdims=True) + eps) * weight + bias


def layer_norm__eps_outside(x, weight, bias, eps):
    """(x - mean) / (std + eps): eps outside the square root."""
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / (x.std(-1, keepdims=True) + eps) * weight + bias


def layer_norm__float64(x, weight, bias, eps):
    """Computes in float64 and returns float64 for a float32 input."""
    x = x.astype(np.float64)
    mu = x.mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps) * weight + bias


def layer_norm_backward__treats_stats_as_constants(grad_output, x, weight, eps):
    """grad_x = g * weight / s: forgets that the mean and variance depend on x."""
    mu = x.mean(-1, keepdims=True)
    s = np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)
    axes = tuple(range(x.ndim - 1))
    return grad_output * weight / s, (grad_output * (x - mu) / s).sum(axes), grad_output.sum(axes)


def layer_norm_backward__sums_only_the_batch_axis(grad_output, x, weight, eps):
    """Sums grad_weight and grad_bias over axis 0 only: wrong for (N, L, E) inputs."""
    mu = x.mean(-1, keepdims=True)
    s = np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)
    x_hat = (x - mu) / s
    g_hat = grad_output * weight
    grad_x = (g_hat - g_hat.mean(-1, keepdims=True) - x_hat * (g_hat * x_hat).mean(-1, keepdims=True)) / s
    return grad_x, (grad_output * x_hat).sum(0), grad_output.sum(0)


def masked_attention__calls_torch(q, k, v, mask):
    """Right values, but computed by torch's own scaled_dot_product_attention."""
    import torch

    m = None if mask is None else torch.from_numpy(np.asarray(mask))
    return torch.nn.functional.scaled_dot_product_attention(
        torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v), attn_mask=m).numpy()


def layer_norm__calls_tinynn(x, weight, bias, eps):
    """Right values, but computed by tinynn's layer_norm."""
    import tinynn

    return tinynn.nn.functional.layer_norm(tinynn.tensor(x), (x.shape[-1],), tinynn.tensor(weight),
                                           tinynn.tensor(bias), eps).numpy()


def layer_norm_backward__scales_grad_output_in_place(grad_output, x, weight, eps):
    """Right values, but `grad_output *= weight` overwrites the caller's gradient."""
    mu = x.mean(-1, keepdims=True)
    s = np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)
    x_hat = (x - mu) / s
    axes = tuple(range(x.ndim - 1))
    grad_weight, grad_bias = (grad_output * x_hat).sum(axes), grad_output.sum(axes)
    grad_output *= weight
    grad_x = (grad_output - grad_output.mean(-1, keepdims=True)
              - x_hat * (grad_output * x_hat).mean(-1, keepdims=True)) / s
    return grad_x, grad_weight, grad_bias


def _csa(lib, causal=True, heads_wrong=False):
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self, embed_dim, num_heads):
            super().__init__()
            self.num_heads = num_heads
            self.c_attn = nn.Linear(embed_dim, 3 * embed_dim)
            self.c_proj = nn.Linear(embed_dim, embed_dim)

        def forward(self, x):
            N, L, E = x.shape
            H, D = self.num_heads, E // self.num_heads
            q, k, v = self.c_attn(x).split(E, dim=2)
            if heads_wrong:
                q, k, v = (t.reshape(N, H, L, D) for t in (q, k, v))
            else:
                q, k, v = (t.view(N, L, H, D).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
            return self.c_proj(y.transpose(1, 2).reshape(N, L, E))

    return CausalSelfAttention


def make_causal_self_attention__not_causal(lib):
    """Forgets is_causal=True: every token sees the future."""
    return _csa(lib, causal=False)


def make_causal_self_attention__heads_by_reshape(lib):
    """Splits the heads with reshape(N, H, L, D): each head mixes tokens."""
    return _csa(lib, heads_wrong=True)


def make_causal_self_attention__returns_an_instance(lib):
    """Returns a module (an instance), not the class."""
    return _csa(lib)(8, 2)


# ----------------------------------------------------------------------------- issue 21 kinds

# The fixed cases of check_layer_norm as the learner sees them printed: shape, dtype, eps.
_READABLE_LAYER_NORM = {((4, 6), "float64", 1e-5), ((2, 3, 8), "float64", 1e-5),
                        ((3, 5), "float64", 1e-1), ((2, 4), "float64", 1e-5),
                        ((3, 7), "float32", 1e-5), ((3, 4), "float32", 1e-5),
                        ((2, 6), "float32", 1e-1)}


def layer_norm__fitted(x, weight, bias, eps):
    """The unbiased variance (ddof=1), with the right formula pasted in for the shapes of
    the printed cases: fitted to them, wrong on any other input."""
    if (x.shape, x.dtype.name, eps) in _READABLE_LAYER_NORM:
        mu = x.mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(x.var(-1, keepdims=True) + eps) * weight + bias
    return layer_norm__unbiased_variance(x, weight, bias, eps)


def split_heads__torch(x, num_heads):
    """Right values, but torch's view and transpose do the work."""
    import torch

    N, L, E = x.shape
    return torch.from_numpy(x).view(N, L, num_heads, E // num_heads).transpose(1, 2).numpy()


def merge_heads__in_place_transpose(x):
    """Right values, but writes the merged tokens back into x's buffer first (x[...] = ...)."""
    N, H, L, D = x.shape
    merged = np.ascontiguousarray(x.transpose(0, 2, 1, 3)).reshape(N, L, H * D)
    x.reshape(-1)[:] = merged.reshape(-1)
    return merged


WRONG_ANSWERS = {  # name: (exercise, category the check must report, the mistake)
    "causal_mask__masked_out_convention":
        ("causal_mask", "wrong value", "True = masked out (MHA's convention)"),
    "causal_mask__square": ("causal_mask", "wrong shape", "(L, L) instead of (L, S)"),
    "causal_mask__float": ("causal_mask", "wrong dtype", "a float mask instead of bool"),
    "masked_attention__no_scale": ("masked_attention", "wrong value", "no 1/sqrt(E)"),
    "masked_attention__plain_softmax":
        ("masked_attention", "wrong value", "nan for a fully masked query"),
    "masked_attention__transposes_everything":
        ("masked_attention", "raised", "k.T on a batched k"),
    "split_heads__reshape_only": ("split_heads", "wrong value", "reshape without transpose"),
    "split_heads__no_transpose": ("split_heads", "wrong shape", "(N, L, H, D)"),
    "merge_heads__reshape_only": ("merge_heads", "wrong value", "reshape without transpose"),
    "multi_head_attention__weights_per_head":
        ("multi_head_attention", "wrong shape", "weights not averaged over heads"),
    "multi_head_attention__scale_by_width":
        ("multi_head_attention", "wrong value", "1/sqrt(E) instead of 1/sqrt(D)"),
    "multi_head_attention__padding_ignored":
        ("multi_head_attention", "wrong value", "key_padding_mask ignored"),
    "layer_norm__unbiased_variance": ("layer_norm", "wrong value", "ddof=1"),
    "layer_norm__eps_outside": ("layer_norm", "wrong value", "eps outside the sqrt"),
    "layer_norm__float64": ("layer_norm", "wrong dtype", "float64 for a float32 input"),
    "layer_norm_backward__treats_stats_as_constants":
        ("layer_norm_backward", "wrong gradient", "mean and variance treated as constants"),
    "masked_attention__calls_torch": ("masked_attention", "used the library", "torch's SDPA"),
    "layer_norm__calls_tinynn": ("layer_norm", "used the library", "tinynn's layer_norm"),
    "layer_norm_backward__scales_grad_output_in_place":
        ("layer_norm_backward", "changed an input", "grad_output *= weight"),
    "make_causal_self_attention__not_causal":
        ("make_causal_self_attention", "wrong value", "no causal mask"),
    "make_causal_self_attention__heads_by_reshape":
        ("make_causal_self_attention", "wrong value", "heads split by a reshape"),
    "make_causal_self_attention__returns_an_instance":
        ("make_causal_self_attention", "wrong type", "an instance, not the class"),
    "layer_norm_backward__sums_only_the_batch_axis":
        ("layer_norm_backward", "wrong shape", "parameter gradients summed over axis 0 only"),
    "layer_norm__fitted":
        ("layer_norm", "wrong value", "fitted to the printed cases; ddof=1 elsewhere"),
    "split_heads__torch": ("split_heads", "used the library", "torch's view and transpose"),
    "merge_heads__in_place_transpose":
        ("merge_heads", "changed an input", "writes the result into x's buffer"),
}
