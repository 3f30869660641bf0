"""Reference solutions for exercises/ex06_attention.ipynb (attention and LayerNorm).

The real versions in tinynn: tinynn/nn/functional/attention.py
(scaled_dot_product_attention, multi_head_attention_forward), tinynn/nn/modules/activation.py
(MultiheadAttention) and tinynn/nn/functional/normalization.py (layer_norm).
"""
from __future__ import annotations

import numpy as np


def causal_mask(L, S):
    """(L, S) bool: True where key i <= query t (may attend)."""
    return np.tril(np.ones((L, S), dtype=bool))


def masked_attention(q, k, v, mask):
    """softmax(q k^T / sqrt(E), masked) v; mask: True = may attend, or None."""
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1]).astype(q.dtype)  # (..., L, S)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    m = scores.max(-1, keepdims=True)
    dead = m == -np.inf                                   # a query with no key to attend to
    e = np.exp(scores - np.where(dead, 0, m))
    weights = e / np.where(dead, 1, e.sum(-1, keepdims=True))
    return weights @ v                                    # (..., L, Ev)


def split_heads(x, num_heads):
    """(N, L, E) -> (N, H, L, E // H)."""
    N, L, E = x.shape
    return x.reshape(N, L, num_heads, E // num_heads).transpose(0, 2, 1, 3)


def merge_heads(x):
    """(N, H, L, D) -> (N, L, H * D)."""
    N, H, L, D = x.shape
    return x.transpose(0, 2, 1, 3).reshape(N, L, H * D)


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
                         out_proj_bias, num_heads, key_padding_mask):
    """nn.MultiheadAttention(batch_first=True): (output (N, L, E), weights (N, L, S))."""
    w_q, w_k, w_v = np.split(in_proj_weight, 3)
    b_q, b_k, b_v = np.split(in_proj_bias, 3)
    q = split_heads(query @ w_q.T + b_q, num_heads)       # (N, H, L, D)
    k = split_heads(key @ w_k.T + b_k, num_heads)         # (N, H, S, D)
    v = split_heads(value @ w_v.T + b_v, num_heads)
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(q.shape[-1]).astype(q.dtype)   # (N, H, L, S)
    if key_padding_mask is not None:
        scores = np.where(key_padding_mask[:, None, None, :], -np.inf, scores)
    e = np.exp(scores - scores.max(-1, keepdims=True))
    weights = e / e.sum(-1, keepdims=True)
    out = merge_heads(weights @ v) @ out_proj_weight.T + out_proj_bias
    return out, weights.mean(1)


def layer_norm(x, weight, bias, eps):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last axis."""
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * weight + bias


def layer_norm_backward(grad_output, x, weight, eps):
    """(grad_x, grad_weight, grad_bias) of y = layer_norm(x, weight, bias, eps)."""
    mu = x.mean(-1, keepdims=True)
    s = np.sqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)
    x_hat = (x - mu) / s
    g_hat = grad_output * weight
    grad_x = (g_hat - g_hat.mean(-1, keepdims=True)
              - x_hat * (g_hat * x_hat).mean(-1, keepdims=True)) / s
    axes = tuple(range(x.ndim - 1))
    return grad_x, (grad_output * x_hat).sum(axes), grad_output.sum(axes)


def make_causal_self_attention(lib):
    """A lib.nn.Module class: nanoGPT's causal self-attention, batch first."""
    nn, F = lib.nn, lib.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self, embed_dim, num_heads):
            super().__init__()
            self.num_heads = num_heads
            self.c_attn = nn.Linear(embed_dim, 3 * embed_dim)   # q, k, v stacked
            self.c_proj = nn.Linear(embed_dim, embed_dim)

        def forward(self, x):                                    # (N, L, E)
            N, L, E = x.shape
            q, k, v = self.c_attn(x).split(E, dim=2)
            q, k, v = (t.view(N, L, self.num_heads, E // self.num_heads).transpose(1, 2)
                       for t in (q, k, v))                       # (N, H, L, D)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.c_proj(y.transpose(1, 2).reshape(N, L, E))

    return CausalSelfAttention
