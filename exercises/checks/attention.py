"""Checks for exercises/ex06_attention.ipynb: the causal mask, masked scaled dot-product
attention, splitting and merging heads, multi-head attention's forward, and LayerNorm
(forward and backward).

References: ``torch.nn.functional.scaled_dot_product_attention`` (its ``is_causal`` mask,
its output), ``torch.nn.MultiheadAttention`` (batch first, with the weights given),
``torch.nn.functional.layer_norm`` and PyTorch's autograd for the gradients.
"""
from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .autograd import _unchanged
from .core import (Case, CheckResult, Mismatch, Output, fresh_seeds, randn, register,
                   run_check)


def _causal_answer(L, S):
    return torch.ones(L, S, dtype=torch.bool).tril().numpy()


def check_causal_mask(fn: Callable, verbose: bool = True) -> CheckResult:
    """causal_mask(L, S) -> the (L, S) bool mask of SDPA's ``is_causal=True`` (True = attend)."""
    specs = [("one query, one key", 1, 1), ("square, 4 x 4", 4, 4),
             ("more keys than queries (3 x 5)", 3, 5), ("more queries than keys (5 x 3)", 5, 3)]
    for seed in fresh_seeds(2):
        L, S = (int(n) for n in np.random.default_rng(seed).integers(1, 9, 2))
        specs.append((f"random (seed {seed})", L, S))
    # the reference really is the mask is_causal=True applies: query t sees keys 0..t
    q, k, v = (torch.from_numpy(np.random.default_rng(31 + i).standard_normal(shape))
               for i, shape in enumerate([(1, 3, 4), (1, 5, 4), (1, 5, 2)]))  # not torch's RNG
    assert torch.allclose(F.scaled_dot_product_attention(q, k, v, is_causal=True),
                          F.scaled_dot_product_attention(q, k, v, attn_mask=torch.from_numpy(_causal_answer(3, 5))))
    cases = [Case(f"{label}: L={L}, S={S}", (L, S), reference=_causal_answer) for label, L, S in specs]
    return run_check("causal_mask", fn, cases, [Output("mask")], ["L", "S"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "True where key i <= query t: the lower triangle, "
                                          "np.tril(np.ones((L, S), dtype=bool)). (True above "
                                          "the diagonal is nn.MultiheadAttention's convention, "
                                          "True = masked out.)",
                           "wrong dtype": "Return a bool array (dtype=bool), True = may attend.",
                           "wrong shape": "The mask is (L, S): one row per query, one column "
                                          "per key, and L may differ from S."})


def _sdpa(q, k, v, mask):
    m = None if mask is None else torch.from_numpy(np.asarray(mask))
    return F.scaled_dot_product_attention(torch.from_numpy(q), torch.from_numpy(k),
                                          torch.from_numpy(v), attn_mask=m).numpy()


def check_masked_attention(fn: Callable, verbose: bool = True) -> CheckResult:
    """masked_attention(q, k, v, mask) -> F.scaled_dot_product_attention(q, k, v, attn_mask=mask)."""
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
        ("float32, no mask", (3, 4, 8), (3, 6, 8), (3, 6, 2), None),
        ("float32, a query whose keys are all masked", (2, 4, 8), (2, 5, 8), (2, 5, 8),
         "dead row"),
    ]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        N, H, L, S, E = (int(n) for n in rng.integers(1, 6, 5))
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""), (N, H, L, E),
                      (N, H, S, E), (N, H, S, E), (N, 1, L, S)))
    cases = []
    for i, (label, qs, ks, vs, ms) in enumerate(specs):
        dtype = np.float32 if "float32" in label else np.float64
        q, k, v = (randn(600 + 3 * i + j, shape, dtype) for j, shape in enumerate((qs, ks, vs)))
        if ms == "dead row":
            mask = (np.random.default_rng(700 + i).random((4, 5)) > 0.3) | \
                (np.arange(5) == 0)
            mask = mask & (np.arange(4) != 2)[:, None]   # query 2 may attend to no key
        elif ms is not None:                               # every query keeps key 0
            mask = register((np.random.default_rng(700 + i).random(ms) > 0.3)
                            | (np.arange(ms[-1]) == 0),
                            f"(np.random.default_rng({700 + i}).random({ms!r}) > 0.3) "
                            f"| (np.arange({ms[-1]}) == 0)")
        else:
            mask = None
        tip = None
        if ms == "dead row":
            tip = ("Query 2 may attend to no key: its softmax is 0/0. PyTorch's SDPA returns 0 "
                   "for it; give its weights 0 (e.g. np.where(row all -inf, 0, softmax)).")
        cases.append(Case(label, (q, k, v, mask), reference=_sdpa, tip=tip))
    return run_check("masked_attention", fn, cases, [Output("output")], ["q", "k", "v", "mask"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong value": "softmax(q @ k^T / sqrt(E)) @ v, where a False in the "
                                          "mask sets that score to -inf before the softmax "
                                          "(True = may attend; E = q.shape[-1]).",
                           "wrong shape": "The output is (..., L, Ev): q's leading dims and "
                                          "length, v's width. Transpose only k's last two axes "
                                          "(np.swapaxes(k, -1, -2))."})


def _split_answer(x, num_heads):
    N, L, E = x.shape
    return torch.from_numpy(x).view(N, L, num_heads, E // num_heads).transpose(1, 2).numpy()


def check_split_heads(fn: Callable, verbose: bool = True) -> CheckResult:
    """split_heads(x, num_heads): (N, L, E) -> (N, H, L, E // H), as PyTorch's MHA."""
    specs = [("2 heads", (2, 3, 8), 2), ("one head", (1, 4, 6), 1), ("4 heads of width 1", (2, 5, 4), 4),
             ("float32", (3, 2, 12), 3)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        N, L, H, D = (int(n) for n in rng.integers(1, 5, 4))
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      (N, L, H * D), H))
    cases = [Case(label, (randn(610 + i, shape, np.float32 if "float32" in label
                                else np.float64), heads),
                  reference=_split_answer) for i, (label, shape, heads) in enumerate(specs)]
    return run_check("split_heads", fn, cases, [Output("heads")], ["x", "num_heads"], verbose=verbose,
                     numpy_only=True,
                     tips={"wrong value": "Head h owns features h*D .. (h+1)*D - 1 of every "
                                          "token: reshape to (N, L, H, D) first, then move H "
                                          "before L (transpose). Reshaping straight to "
                                          "(N, H, L, D) mixes tokens."})


def _merge_answer(x):
    N, H, L, D = x.shape
    return torch.from_numpy(x).transpose(1, 2).reshape(N, L, H * D).numpy()


def check_merge_heads(fn: Callable, verbose: bool = True) -> CheckResult:
    """merge_heads(x): (N, H, L, D) -> (N, L, H * D), undoing split_heads."""
    specs = [("2 heads", (2, 2, 3, 4)), ("one head", (1, 1, 4, 6)), ("4 heads of width 1", (2, 4, 5, 1)),
             ("float32", (3, 3, 2, 4))]
    for seed in fresh_seeds(2):
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      tuple(int(n) for n in np.random.default_rng(seed).integers(1, 5, 4))))
    cases = [Case(label, (randn(620 + i, shape, np.float32 if "float32" in label
                                else np.float64),),
                  reference=_merge_answer) for i, (label, shape) in enumerate(specs)]
    return run_check("merge_heads", fn, cases, [Output("merged")], ["x"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "Move H back after L first ((N, L, H, D)), then "
                                          "reshape to (N, L, H * D)."})


def _torch_mha(q, k, v, w_in, b_in, w_out, b_out, num_heads, key_padding_mask):
    E = q.shape[-1]
    dtype = torch.float64 if q.dtype == np.float64 else torch.float32
    mha = torch.nn.MultiheadAttention(E, num_heads, batch_first=True, dtype=dtype)
    mha.load_state_dict({"in_proj_weight": torch.from_numpy(w_in), "in_proj_bias": torch.from_numpy(b_in),
                         "out_proj.weight": torch.from_numpy(w_out), "out_proj.bias": torch.from_numpy(b_out)})
    kpm = None if key_padding_mask is None else torch.from_numpy(np.asarray(key_padding_mask))
    with torch.no_grad():
        out, weights = mha(torch.from_numpy(q), torch.from_numpy(k), torch.from_numpy(v),
                           key_padding_mask=kpm)
    return out.numpy(), weights.numpy()


def check_multi_head_attention(fn: Callable, verbose: bool = True) -> CheckResult:
    """multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, out_proj_weight,
    out_proj_bias, num_heads, key_padding_mask) -> (output, head-averaged weights), as
    ``nn.MultiheadAttention(E, num_heads, batch_first=True)`` with those parameters."""
    specs = [  # label, N, L, S, E, H, padding
        ("self-attention, 2 heads", 2, 4, 4, 8, 2, False),
        ("one head", 2, 3, 3, 6, 1, False),
        ("cross-attention: 5 keys for 3 queries", 2, 3, 5, 8, 4, False),
        ("a key padding mask (True = ignore that key)", 2, 4, 6, 8, 2, True),
        ("float32", 2, 4, 5, 8, 2, True),
        ("float32, self-attention without a padding mask", 2, 3, 3, 6, 3, False),
    ]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        N, L, S, H, D = (int(n) for n in rng.integers(2, 5, 5))
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""), N, L, S,
                      H * D, H, True))
    cases = []
    for i, (label, N, L, S, E, H, padding) in enumerate(specs):
        dtype = np.float32 if "float32" in label else np.float64
        base = 630 + 10 * i
        q = randn(base, (N, L, E), dtype)
        k = q if L == S and "self" in label else randn(base + 1, (N, S, E), dtype)
        v = k if k is q else randn(base + 2, (N, S, E), dtype)
        params = [randn(base + 3 + j, shape, dtype, 1 / np.sqrt(E))
                  for j, shape in enumerate(((3 * E, E), (3 * E,), (E, E), (E,)))]
        kpm = None
        if padding:
            kpm = np.zeros((N, S), dtype=bool)
            kpm[1, S - 2:] = True
        cases.append(Case(label, (q, k, v, *params, H, kpm), reference=_torch_mha))
    return run_check("multi_head_attention", fn, cases, [Output("output"), Output("weights")],
                     ["query", "key", "value", "in_proj_weight", "in_proj_bias", "out_proj_weight",
                      "out_proj_bias", "num_heads", "key_padding_mask"], verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "Return (output (N, L, E), weights (N, L, S)): the "
                                          "weights averaged over the heads.",
                           "wrong value": "q, k, v = query @ W_q^T + b_q, ... with W_q, W_k, "
                                          "W_v the three (E, E) row blocks of in_proj_weight; "
                                          "attend per head (scale 1/sqrt(E // H)); merge; "
                                          "then @ out_proj_weight^T + out_proj_bias. A True in "
                                          "key_padding_mask[n, s] removes key s for sequence n."})


def _layer_norm_answer(x, w, b, eps):
    return F.layer_norm(torch.from_numpy(x), (x.shape[-1],), torch.from_numpy(w), torch.from_numpy(b),
                        eps).numpy()


def _layer_norm_shape(rng, seed) -> tuple:
    """A random shape; in float32 (odd seeds) rows of 4 to 8 features: with one or two, a
    row's variance can be near 0 and its gradient is then rounding noise / sqrt(eps)."""
    shape = tuple(int(n) for n in rng.integers(1, 6, int(rng.integers(2, 4))))
    return shape[:-1] + (int(rng.integers(4, 9)),) if seed % 2 else shape


def check_layer_norm(fn: Callable, verbose: bool = True) -> CheckResult:
    """layer_norm(x, weight, bias, eps) -> F.layer_norm(x, (E,), weight, bias, eps)."""
    specs = [("a batch of vectors (N, E)", (4, 6), 1e-5, "normal"), ("tokens (N, L, E)", (2, 3, 8), 1e-5, "normal"),
             ("a large eps, small spread", (3, 5), 1e-1, "small"),
             ("a constant row (variance 0)", (2, 4), 1e-5, "constant"), ("float32", (3, 7), 1e-5, "normal"),
             ("float32, a constant row (variance 0)", (3, 4), 1e-5, "constant"),
             ("float32, a large eps, small spread", (2, 6), 1e-1, "small")]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      _layer_norm_shape(rng, seed), float(10.0 ** -rng.integers(1, 6)),
                      "normal"))
    cases = []
    for i, (label, shape, eps, kind) in enumerate(specs):
        dtype = np.float32 if "float32" in label else np.float64
        x = randn(640 + 3 * i, shape, dtype, 0.1 if kind == "small" else 1.0)
        if kind == "constant":  # a copy, printed in full (not as the seeded code)
            x = x.copy()
            x[0] = 3.0
        w, b = randn(641 + 3 * i, shape[-1], dtype), randn(642 + 3 * i, shape[-1], dtype)
        tip = "eps goes inside the square root: (x - mean) / sqrt(var + eps)." if kind == "small" else None
        cases.append(Case(label, (x, w, b, eps), reference=_layer_norm_answer, tip=tip))
    return run_check("layer_norm", fn, cases, [Output("y")], ["x", "weight", "bias", "eps"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong value": "Normalise over the last axis only, with the biased "
                                          "variance (mean of squared deviations, ddof=0), as "
                                          "PyTorch does; then * weight + bias."})


def _layer_norm_backward_answer(g, x, w, eps):
    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    bt = torch.zeros(w.shape, dtype=wt.dtype, requires_grad=True)
    F.layer_norm(xt, (x.shape[-1],), wt, bt, eps).backward(torch.from_numpy(g))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()


def check_layer_norm_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """layer_norm_backward(grad_output, x, weight, eps) -> (grad_x, grad_weight, grad_bias)."""
    specs = [("a batch of vectors (N, E)", (4, 6), 1e-5),
             ("tokens (N, L, E): weight and bias gradients sum over N and L", (2, 3, 8), 1e-5),
             ("a large eps", (3, 5), 1e-1), ("float32", (3, 7), 1e-5),
             ("float32, tokens (N, L, E), a large eps", (2, 3, 4), 1e-1)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      _layer_norm_shape(rng, seed), float(10.0 ** -rng.integers(1, 6))))
    cases = []
    for i, (label, shape, eps) in enumerate(specs):
        dtype = np.float32 if "float32" in label else np.float64
        x, w, g = (randn(660 + 3 * i + j, s, dtype) for j, s in enumerate((shape, shape[-1], shape)))
        cases.append(Case(label, (g, x, w, eps), reference=_layer_norm_backward_answer))
    return run_check("layer_norm_backward", fn, cases,
                     [Output("grad_x", "gradient"), Output("grad_weight", "gradient"),
                      Output("grad_bias", "gradient")], ["grad_output", "x", "weight", "eps"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong gradient": "The mean and the variance depend on every x_i: "
                                             "grad_x = (g_hat - mean(g_hat) - x_hat * mean(g_hat "
                                             "* x_hat)) / sqrt(var + eps), with g_hat = "
                                             "grad_output * weight (means over the last axis)."})


# ----------------------------------------------------------------------------- API level
def _lib(name: str):
    if name == "tinynn":
        import tinynn
        return tinynn
    return torch


def _csa_driver(fn: Callable) -> Callable:
    def make_causal_self_attention(lib_name, embed_dim, num_heads, state, x, grad_output):
        lib = _lib(lib_name)
        cls = fn(lib)
        if not (inspect.isclass(cls) and issubclass(cls, lib.nn.Module)):
            raise Mismatch("wrong type", f"make_causal_self_attention(lib) returned {type(cls).__name__}; "
                           "expected a class (a subclass of lib.nn.Module)",
                           ["Define the class inside the function and `return` the class itself, "
                            "not an instance of it."])
        module = cls(embed_dim, num_heads).to(getattr(lib, x.dtype.name))
        module.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
        xt = lib.tensor(x, requires_grad=True)
        out = module(xt)
        _unchanged(xt, x, "forward wrote into x", "x belongs to the caller: compute new "
                   "tensors from it, never in place (no x.add_(...), no x[...] = ...).")
        out.backward(lib.tensor(grad_output))
        return out.detach(), xt.grad, module.c_attn.weight.grad
    return make_causal_self_attention


def _csa_answer(lib_name, embed_dim, num_heads, state, x, grad_output):
    """nanoGPT's CausalSelfAttention, written out in PyTorch with the weights given."""
    w_attn, b_attn = (torch.tensor(state[k], requires_grad=True) for k in ("c_attn.weight", "c_attn.bias"))
    w_proj, b_proj = torch.from_numpy(state["c_proj.weight"]), torch.from_numpy(state["c_proj.bias"])
    xt = torch.tensor(x, requires_grad=True)
    N, L, E = x.shape
    D = E // num_heads
    q, k, v = F.linear(xt, w_attn, b_attn).split(E, dim=2)
    q, k, v = (t.view(N, L, num_heads, D).transpose(1, 2) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(N, L, E)
    out = F.linear(y, w_proj, b_proj)
    out.backward(torch.from_numpy(grad_output))
    return out.detach().numpy(), xt.grad.numpy(), w_attn.grad.numpy()


def check_make_causal_self_attention(fn: Callable, verbose: bool = True) -> CheckResult:
    """make_causal_self_attention(lib) -> a lib.nn.Module class CausalSelfAttention(embed_dim,
    num_heads) with nanoGPT's layout (``c_attn``: Linear(E, 3E), ``c_proj``: Linear(E, E)),
    checked in torch and in tinynn with the same weights loaded by ``load_state_dict``."""
    specs = [("batch 2, 5 tokens, width 8, 2 heads", 2, 5, 8, 2),
             ("one token, one head", 1, 1, 4, 1),
             ("3 heads of width 4", 3, 6, 12, 3),
             ("float32, 4 heads", 2, 4, 8, 4)]
    for seed in fresh_seeds(1):
        N, L, H, D = (int(n) for n in np.random.default_rng(seed).integers(1, 5, 4))
        specs.append((f"random (seed {seed})", N, L, H * D, H))
    cases = []
    for lib_name in ("torch", "tinynn"):
        for i, (label, N, L, E, H) in enumerate(specs):
            dtype = np.float32 if "float32" in label else np.float64
            base = 680 + 10 * i
            state = {"c_attn.weight": randn(base, (3 * E, E), dtype, 1 / np.sqrt(E)),
                     "c_attn.bias": randn(base + 1, 3 * E, dtype, 0.1),
                     "c_proj.weight": randn(base + 2, (E, E), dtype, 1 / np.sqrt(E)),
                     "c_proj.bias": randn(base + 3, E, dtype, 0.1)}
            args = (lib_name, E, H, state, randn(base + 4, (N, L, E), dtype), randn(base + 5, (N, L, E), dtype))
            cases.append(Case(f"{label} ({lib_name})", args, reference=_csa_answer))
    outputs = [Output("output"), Output("grad_x", "gradient"), Output("grad_c_attn_weight", "gradient")]
    return run_check("make_causal_self_attention", fn if not callable(fn) else _csa_driver(fn), cases,
                     outputs, ["lib", "embed_dim", "num_heads", "state_dict", "x", "grad_output"],
                     verbose=verbose,
                     tips={"raised": "Name the layers c_attn (Linear(E, 3 * E)) and c_proj "
                                     "(Linear(E, E)), so that the state dict loads.",
                           "wrong value": "Split c_attn(x) into q, k, v along the last axis, each "
                                          "to (N, H, L, D); attend with is_causal=True; merge the "
                                          "heads back to (N, L, E) before c_proj."})
