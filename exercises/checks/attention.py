"""Checks for exercises/ex06_attention.ipynb: the causal mask, masked scaled dot-product
attention, splitting and merging heads, multi-head attention's forward, and LayerNorm
(forward and backward).

References: ``torch.nn.functional.scaled_dot_product_attention`` (its ``is_causal`` mask,
its output), ``torch.nn.MultiheadAttention`` (batch first, with the weights given),
``torch.nn.functional.layer_norm`` and PyTorch's autograd for the gradients.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .core import Case, CheckResult, Output, run_check


def check_causal_mask(fn: Callable, verbose: bool = True) -> CheckResult:
    """causal_mask(L, S) -> the (L, S) bool mask of SDPA's ``is_causal=True`` (True = attend)."""
    cases = []
    for label, L, S in [("one query, one key", 1, 1), ("square, 4 x 4", 4, 4),
                        ("more keys than queries (3 x 5)", 3, 5),
                        ("more queries than keys (5 x 3)", 5, 3)]:
        want = torch.ones(L, S, dtype=torch.bool).tril().numpy()
        # the mask really is the one is_causal=True applies: query t sees keys 0..t
        q, k = torch.randn(1, L, 4, dtype=torch.float64), torch.randn(1, S, 4, dtype=torch.float64)
        v = torch.randn(1, S, 3, dtype=torch.float64)
        assert torch.allclose(F.scaled_dot_product_attention(q, k, v, is_causal=True),
                              F.scaled_dot_product_attention(q, k, v, attn_mask=torch.from_numpy(want)))
        cases.append(Case(f"{label}: L={L}, S={S}", (L, S), want))
    return run_check("causal_mask", fn, cases, [Output("mask")], ["L", "S"], verbose=verbose,
                     tips={"wrong value": "True where key i <= query t: the lower triangle, "
                                          "np.tril(np.ones((L, S), dtype=bool)). (True above "
                                          "the diagonal is nn.MultiheadAttention's convention, "
                                          "True = masked out.)",
                           "wrong dtype": "Return a bool array (dtype=bool), True = may attend.",
                           "wrong shape": "The mask is (L, S): one row per query, one column "
                                          "per key, and L may differ from S."})


def _sdpa(q, k, v, mask):
    m = None if mask is None else torch.from_numpy(mask)
    return F.scaled_dot_product_attention(torch.from_numpy(q), torch.from_numpy(k),
                                          torch.from_numpy(v), attn_mask=m).numpy()


def check_masked_attention(fn: Callable, verbose: bool = True) -> CheckResult:
    """masked_attention(q, k, v, mask) -> F.scaled_dot_product_attention(q, k, v, attn_mask=mask)."""
    rng = np.random.default_rng(60)
    specs = [  # label, q shape, k shape, v shape, mask shape or None
        ("one sequence (L, E), no mask", (4, 8), (4, 8), (4, 8), None),
        ("a batch of heads (N, H, L, E), no mask", (2, 3, 4, 8), (2, 3, 4, 8), (2, 3, 4, 8), None),
        ("an (L, S) mask shared by every sequence and head", (2, 3, 4, 8), (2, 3, 6, 8),
         (2, 3, 6, 8), (4, 6)),
        ("a per-sequence mask (N, 1, L, S), broadcast over heads", (2, 3, 4, 8), (2, 3, 5, 8),
         (2, 3, 5, 8), (2, 1, 4, 5)),
        ("values of another width (Ev = 3)", (2, 4, 8), (2, 5, 8), (2, 5, 3), (4, 5)),
        ("a query whose keys are all masked", (2, 4, 8), (2, 5, 8), (2, 5, 8), "dead row"),
        ("float32", (2, 2, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8), (4, 5)),
    ]
    cases = []
    for label, qs, ks, vs, ms in specs:
        dtype = np.float32 if label == "float32" else np.float64
        q, k, v = (rng.standard_normal(s).astype(dtype) for s in (qs, ks, vs))
        if ms == "dead row":
            mask = rng.random((4, 5)) > 0.3
            mask[:, 0] = True
            mask[2] = False
        else:
            mask = None if ms is None else rng.random(ms) > 0.3
            if mask is not None:
                mask[..., 0] = True                  # every query keeps a key
        tip = None
        if ms == "dead row":
            tip = ("Query 2 may attend to no key: its softmax is 0/0. PyTorch's SDPA returns 0 "
                   "for it; give its weights 0 (e.g. np.where(row all -inf, 0, softmax)).")
        cases.append(Case(label, (q, k, v, mask), _sdpa(q, k, v, mask), tip=tip))
    return run_check("masked_attention", fn, cases, [Output("output")], ["q", "k", "v", "mask"],
                     verbose=verbose,
                     tips={"wrong value": "softmax(q @ k^T / sqrt(E)) @ v, where a False in the "
                                          "mask sets that score to -inf before the softmax "
                                          "(True = may attend; E = q.shape[-1]).",
                           "wrong shape": "The output is (..., L, Ev): q's leading dims and "
                                          "length, v's width. Transpose only k's last two axes "
                                          "(np.swapaxes(k, -1, -2))."})


def check_split_heads(fn: Callable, verbose: bool = True) -> CheckResult:
    """split_heads(x, num_heads): (N, L, E) -> (N, H, L, E // H), as PyTorch's MHA."""
    rng = np.random.default_rng(61)
    cases = []
    for label, shape, heads in [("2 heads", (2, 3, 8), 2), ("one head", (1, 4, 6), 1),
                                ("4 heads of width 1", (2, 5, 4), 4), ("float32", (3, 2, 12), 3)]:
        dtype = np.float32 if label == "float32" else np.float64
        x = rng.standard_normal(shape).astype(dtype)
        N, L, E = shape
        want = torch.from_numpy(x).view(N, L, heads, E // heads).transpose(1, 2).numpy()
        cases.append(Case(label, (x, heads), want))
    return run_check("split_heads", fn, cases, [Output("heads")], ["x", "num_heads"], verbose=verbose,
                     tips={"wrong value": "Head h owns features h*D .. (h+1)*D - 1 of every "
                                          "token: reshape to (N, L, H, D) first, then move H "
                                          "before L (transpose). Reshaping straight to "
                                          "(N, H, L, D) mixes tokens."})


def check_merge_heads(fn: Callable, verbose: bool = True) -> CheckResult:
    """merge_heads(x): (N, H, L, D) -> (N, L, H * D), undoing split_heads."""
    rng = np.random.default_rng(62)
    cases = []
    for label, shape in [("2 heads", (2, 2, 3, 4)), ("one head", (1, 1, 4, 6)),
                         ("4 heads of width 1", (2, 4, 5, 1)), ("float32", (3, 3, 2, 4))]:
        dtype = np.float32 if label == "float32" else np.float64
        x = rng.standard_normal(shape).astype(dtype)
        N, H, L, D = shape
        want = torch.from_numpy(x).transpose(1, 2).reshape(N, L, H * D).numpy()
        cases.append(Case(label, (x,), want))
    return run_check("merge_heads", fn, cases, [Output("merged")], ["x"], verbose=verbose,
                     tips={"wrong value": "Move H back after L first ((N, L, H, D)), then "
                                          "reshape to (N, L, H * D)."})


def _torch_mha(q, k, v, w_in, b_in, w_out, b_out, num_heads, key_padding_mask):
    E = q.shape[-1]
    dtype = torch.float64 if q.dtype == np.float64 else torch.float32
    mha = torch.nn.MultiheadAttention(E, num_heads, batch_first=True, dtype=dtype)
    mha.load_state_dict({"in_proj_weight": torch.from_numpy(w_in), "in_proj_bias": torch.from_numpy(b_in),
                         "out_proj.weight": torch.from_numpy(w_out), "out_proj.bias": torch.from_numpy(b_out)})
    kpm = None if key_padding_mask is None else torch.from_numpy(key_padding_mask)
    with torch.no_grad():
        out, weights = mha(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v),
                           key_padding_mask=kpm)
    return out.numpy(), weights.numpy()


def check_multi_head_attention(fn: Callable, verbose: bool = True) -> CheckResult:
    """multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
    out_proj_bias, num_heads, key_padding_mask) -> (output, head-averaged weights), as
    ``nn.MultiheadAttention(E, num_heads, batch_first=True)`` with those parameters."""
    rng = np.random.default_rng(63)
    specs = [  # label, N, L, S, E, H, padding
        ("self-attention, 2 heads", 2, 4, 4, 8, 2, False),
        ("one head", 2, 3, 3, 6, 1, False),
        ("cross-attention: 5 keys for 3 queries", 2, 3, 5, 8, 4, False),
        ("a key padding mask (True = ignore that key)", 2, 4, 6, 8, 2, True),
        ("float32", 2, 4, 5, 8, 2, True),
    ]
    cases = []
    for label, N, L, S, E, H, padding in specs:
        dtype = np.float32 if label == "float32" else np.float64
        q = rng.standard_normal((N, L, E)).astype(dtype)
        k = q if L == S and "self" in label else rng.standard_normal((N, S, E)).astype(dtype)
        v = k if k is q else rng.standard_normal((N, S, E)).astype(dtype)
        params = [(rng.standard_normal(s) / np.sqrt(E)).astype(dtype)
                  for s in ((3 * E, E), (3 * E,), (E, E), (E,))]
        kpm = None
        if padding:
            kpm = np.zeros((N, S), dtype=bool)
            kpm[1, S - 2:] = True
        args = (q, k, v, *params, H, kpm)
        cases.append(Case(label, args, _torch_mha(*args)))
    return run_check("multi_head_attention", fn, cases, [Output("output"), Output("weights")],
                     ["query", "key", "value", "in_proj_weight", "in_proj_bias", "out_proj_weight",
                      "out_proj_bias", "num_heads", "key_padding_mask"], verbose=verbose,
                     tips={"wrong shape": "Return (output (N, L, E), weights (N, L, S)): the "
                                          "weights averaged over the heads.",
                           "wrong value": "q, k, v = query @ W_q^T + b_q, ... with W_q, W_k, "
                                          "W_v the three (E, E) row blocks of in_proj_weight; "
                                          "attend per head (scale 1/sqrt(E // H)); merge; "
                                          "then @ out_proj_weight^T + out_proj_bias. A True in "
                                          "key_padding_mask[n, s] removes key s for sequence n."})


def check_layer_norm(fn: Callable, verbose: bool = True) -> CheckResult:
    """layer_norm(x, weight, bias, eps) -> F.layer_norm(x, (E,), weight, bias, eps)."""
    rng = np.random.default_rng(64)
    cases = []
    for label, shape, eps, kind in [("a batch of vectors (N, E)", (4, 6), 1e-5, "normal"),
                                    ("tokens (N, L, E)", (2, 3, 8), 1e-5, "normal"),
                                    ("a large eps, small spread", (3, 5), 1e-1, "small"),
                                    ("a constant row (variance 0)", (2, 4), 1e-5, "constant"),
                                    ("float32", (3, 7), 1e-5, "normal")]:
        dtype = np.float32 if label == "float32" else np.float64
        x = rng.standard_normal(shape)
        if kind == "small":
            x = 0.1 * x
        if kind == "constant":
            x[0] = 3.0
        x = x.astype(dtype)
        w, b = rng.standard_normal(shape[-1]).astype(dtype), rng.standard_normal(shape[-1]).astype(dtype)
        want = F.layer_norm(torch.from_numpy(x), (shape[-1],), torch.from_numpy(w), torch.from_numpy(b),
                            eps).numpy()
        tip = None
        if kind == "small":
            tip = "eps goes inside the square root: (x - mean) / sqrt(var + eps)."
        cases.append(Case(label, (x, w, b, eps), want, tip=tip))
    return run_check("layer_norm", fn, cases, [Output("y")], ["x", "weight", "bias", "eps"],
                     verbose=verbose,
                     tips={"wrong value": "Normalise over the last axis only, with the biased "
                                          "variance (mean of squared deviations, ddof=0), as "
                                          "PyTorch does; then * weight + bias."})


def check_layer_norm_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """layer_norm_backward(grad_output, x, weight, eps) -> (grad_x, grad_weight, grad_bias)."""
    rng = np.random.default_rng(65)
    cases = []
    for label, shape, eps in [("a batch of vectors (N, E)", (4, 6), 1e-5),
                              ("tokens (N, L, E): weight and bias gradients sum over N and L",
                               (2, 3, 8), 1e-5),
                              ("a large eps", (3, 5), 1e-1), ("float32", (3, 7), 1e-5)]:
        dtype = np.float32 if label == "float32" else np.float64
        x = rng.standard_normal(shape).astype(dtype)
        w, b = rng.standard_normal(shape[-1]).astype(dtype), rng.standard_normal(shape[-1]).astype(dtype)
        g = rng.standard_normal(shape).astype(dtype)
        xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        F.layer_norm(xt, (shape[-1],), wt, bt, eps).backward(torch.from_numpy(g))
        cases.append(Case(label, (g, x, w, eps), (xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy())))
    return run_check("layer_norm_backward", fn, cases,
                     [Output("grad_x", "gradient"), Output("grad_weight", "gradient"),
                      Output("grad_bias", "gradient")], ["grad_output", "x", "weight", "eps"],
                     verbose=verbose,
                     tips={"wrong gradient": "The mean and the variance depend on every x_i: "
                                             "grad_x = (g_hat - mean(g_hat) - x_hat * mean(g_hat "
                                             "* x_hat)) / sqrt(var + eps), with g_hat = "
                                             "grad_output * weight (means over the last axis)."})
