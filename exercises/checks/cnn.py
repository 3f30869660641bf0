"""Checks for exercises/ex04_cnn.ipynb: convolution by im2col (forward and backward) and
max pooling (forward and backward).

References: ``torch.nn.functional.unfold`` (im2col), ``fold`` (col2im), ``conv2d`` and
``max_pool2d``, with gradients from PyTorch's autograd.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .core import Case, CheckResult, Output, compare_ints, run_check

# (label, x shape, weight shape (C_out, C_in, kh, kw), stride, padding)
_CONV_SPECS = [
    ("3x3 kernel, stride 1, no padding", (2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
    ("padding 1 (the output keeps the input's size)", (2, 2, 5, 5), (3, 2, 3, 3), 1, 1),
    ("stride 2 on a size the kernel does not divide", (2, 2, 6, 7), (3, 2, 3, 3), 2, 1),
    ("batch of 1, one channel in and out", (1, 1, 4, 4), (1, 1, 2, 2), 1, 0),
    ("a non-square input and kernel", (2, 2, 4, 6), (3, 2, 2, 3), 1, 0),
    ("a 1x1 kernel", (2, 3, 3, 3), (5, 3, 1, 1), 1, 0),
    ("float32", (2, 3, 6, 6), (4, 3, 3, 3), 2, 1),
]


def _conv_inputs(rng, x_shape, w_shape, dtype):
    x = rng.standard_normal(x_shape).astype(dtype)
    w = (rng.standard_normal(w_shape) / np.sqrt(np.prod(w_shape[1:]))).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    return x, w, b


def check_conv_output_size(fn: Callable, verbose: bool = True) -> CheckResult:
    """conv_output_size(size, kernel_size, stride, padding, dilation) -> one output dimension."""
    specs = [("kernel 3, stride 1", 28, 3, 1, 0, 1),
             ("kernel 5, padding 2 ('same')", 28, 5, 1, 2, 1),
             ("stride 2 divides evenly", 8, 2, 2, 0, 1),
             ("stride 2 does not divide: round down", 7, 2, 2, 0, 1),
             ("stride 3 with padding", 10, 3, 3, 1, 1),
             ("dilation 2", 10, 3, 1, 0, 2),
             ("the kernel fills the input", 5, 5, 1, 0, 1),
             ("dilation with stride and padding", 15, 3, 2, 2, 3)]
    cases = []
    for label, size, k, s, p, d in specs:
        out = F.conv2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, k, k), stride=s,
                       padding=p, dilation=d)
        cases.append(Case(f"{label}: size {size}, kernel {k}, stride {s}, padding {p}, "
                          f"dilation {d}", (size, k, s, p, d), int(out.shape[-1])))
    return run_check("conv_output_size", fn, cases, [Output("size", compare=compare_ints)],
                     ["size", "kernel_size", "stride", "padding", "dilation"], verbose=verbose,
                     tips={"wrong value": "A dilated kernel spans dilation * (kernel_size - 1) "
                                          "+ 1 inputs; count how many times it fits in size + "
                                          "2 * padding, stepping by stride (round down: //)."})


def check_im2col(fn: Callable, verbose: bool = True) -> CheckResult:
    """im2col(x, kh, kw, stride, padding) -> F.unfold(x, (kh, kw), stride=, padding=)."""
    rng = np.random.default_rng(20)
    cases = []
    for label, x_shape, w_shape, stride, padding in _CONV_SPECS:
        dtype = np.float32 if label == "float32" else np.float64
        x = rng.standard_normal(x_shape).astype(dtype)
        kh, kw = w_shape[2:]
        want = F.unfold(torch.from_numpy(x), (kh, kw), stride=stride, padding=padding).numpy()
        cases.append(Case(label, (x, kh, kw, stride, padding), want))
    return run_check("im2col", fn, cases, [Output("columns")],
                     ["x", "kh", "kw", "stride", "padding"], verbose=verbose,
                     tips={"wrong value": "Row c * kh * kw + i * kw + j of the result holds "
                                          "channel c, kernel offset (i, j), for every output "
                                          "position in row-major order (F.unfold's layout).",
                           "wrong shape": "The result is (N, C * kh * kw, out_h * out_w), with "
                                          "out_h and out_w from conv_output_size (padding "
                                          "included)."})


def check_conv2d_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """conv2d_forward(x, weight, bias, stride, padding) -> F.conv2d(x, weight, bias, stride, padding)."""
    rng = np.random.default_rng(21)
    cases = []
    specs = _CONV_SPECS + [("no bias (bias=None)", (2, 3, 5, 5), (2, 3, 3, 3), 1, 1)]
    for label, x_shape, w_shape, stride, padding in specs:
        dtype = np.float32 if label == "float32" else np.float64
        x, w, b = _conv_inputs(rng, x_shape, w_shape, dtype)
        if "no bias" in label:
            b = None
        want = F.conv2d(torch.from_numpy(x), torch.from_numpy(w),
                        None if b is None else torch.from_numpy(b), stride=stride,
                        padding=padding).numpy()
        cases.append(Case(label, (x, w, b, stride, padding), want))
    return run_check("conv2d_forward", fn, cases, [Output("output")],
                     ["x", "weight", "bias", "stride", "padding"], verbose=verbose,
                     tips={"wrong value": "weight.reshape(C_out, -1) @ columns gives (N, C_out, "
                                          "out_h * out_w); reshape that to (N, C_out, out_h, "
                                          "out_w) and add bias[:, None, None]."})


def check_col2im(fn: Callable, verbose: bool = True) -> CheckResult:
    """col2im(cols, x_shape, kh, kw, stride, padding) -> F.fold (overlaps add up)."""
    rng = np.random.default_rng(22)
    cases = []
    for label, x_shape, w_shape, stride, padding in _CONV_SPECS:
        dtype = np.float32 if label == "float32" else np.float64
        kh, kw = w_shape[2:]
        n, c, h, w = x_shape
        out_h = (h + 2 * padding - kh) // stride + 1
        out_w = (w + 2 * padding - kw) // stride + 1
        cols = rng.standard_normal((n, c * kh * kw, out_h * out_w)).astype(dtype)
        want = F.fold(torch.from_numpy(cols), (h, w), (kh, kw), stride=stride,
                      padding=padding).numpy()
        cases.append(Case(label, (cols, x_shape, kh, kw, stride, padding), want))
    return run_check("col2im", fn, cases, [Output("x")],
                     ["cols", "x_shape", "kh", "kw", "stride", "padding"], verbose=verbose,
                     tips={"wrong value": "Where windows overlap, one input pixel appears in "
                                          "several columns: add (+=) every copy into it, never "
                                          "overwrite; then cut the padding off."})


def check_conv2d_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """conv2d_backward(grad_output, x, weight, stride, padding) -> (grad_x, grad_weight, grad_bias)."""
    rng = np.random.default_rng(23)
    cases = []
    for label, x_shape, w_shape, stride, padding in _CONV_SPECS:
        dtype = np.float32 if label == "float32" else np.float64
        x, w, b = _conv_inputs(rng, x_shape, w_shape, dtype)
        ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        out = F.conv2d(*ts, stride=stride, padding=padding)
        g = rng.standard_normal(tuple(out.shape)).astype(dtype)
        out.backward(torch.from_numpy(g))
        cases.append(Case(label, (g, x, w, stride, padding), tuple(t.grad.numpy() for t in ts)))
    outputs = [Output("grad_x", "gradient"), Output("grad_weight", "gradient"),
               Output("grad_bias", "gradient")]
    return run_check("conv2d_backward", fn, cases, outputs,
                     ["grad_output", "x", "weight", "stride", "padding"], verbose=verbose,
                     tips={"wrong shape": "grad_weight has weight's shape and grad_bias is "
                                          "(C_out,): sum over the batch and every position."})


# (label, x shape, kernel_size, stride, how to make x)
_POOL_SPECS = [
    ("2x2 windows, stride 2", (2, 3, 4, 4), 2, 2, "random"),
    ("overlapping 3x3 windows, stride 1", (1, 2, 5, 5), 3, 1, "random"),
    ("a size the stride does not divide (the last row and column are left out)",
     (2, 1, 5, 5), 2, 2, "random"),
    ("all values negative", (1, 2, 4, 4), 2, 2, "negative"),
    ("ties: several equal maxima in a window", (1, 1, 4, 4), 2, 2, "ties"),
    ("ties in overlapping windows", (1, 1, 5, 5), 3, 1, "ties"),
    ("batch of 1, non-square input", (1, 1, 4, 6), 2, 2, "random"),
    ("float32", (2, 2, 6, 6), 3, 2, "float32"),
]


def _pool_input(rng, shape, kind):
    if kind == "ties":  # a few distinct values, so most windows hold the same maximum twice
        return rng.integers(0, 3, shape).astype(np.float64)
    x = rng.standard_normal(shape)
    if kind == "negative":
        return -np.abs(x) - 1.0
    return x.astype(np.float32 if kind == "float32" else np.float64)


def check_maxpool2d_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """maxpool2d_forward(x, kernel_size, stride) -> F.max_pool2d(x, kernel_size, stride)."""
    rng = np.random.default_rng(24)
    cases = []
    for label, shape, k, s, kind in _POOL_SPECS:
        x = _pool_input(rng, shape, kind)
        want = F.max_pool2d(torch.from_numpy(x), k, s).numpy()
        cases.append(Case(label, (x, k, s), want,
                          tip="Start from -inf (or the window's first value), not from 0."
                          if kind == "negative" else None))
    return run_check("maxpool2d_forward", fn, cases, [Output("output")],
                     ["x", "kernel_size", "stride"], verbose=verbose)


def check_maxpool2d_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """maxpool2d_backward(grad_output, x, kernel_size, stride) -> grad_x, as PyTorch's autograd."""
    rng = np.random.default_rng(25)
    cases = []
    for label, shape, k, s, kind in _POOL_SPECS:
        x = _pool_input(rng, shape, kind)
        xt = torch.tensor(x, requires_grad=True)
        out = F.max_pool2d(xt, k, s)
        g = rng.standard_normal(tuple(out.shape)).astype(x.dtype)
        out.backward(torch.from_numpy(g))
        tip = None
        if kind == "ties":
            tip = ("PyTorch sends each window's gradient to one element: the first maximum in "
                   "row-major order (np.argmax's choice), not to every tied maximum.")
        elif "overlapping" in label:
            tip = ("One element can be the maximum of several overlapping windows: add up "
                   "(np.add.at) the gradients it gets, do not overwrite them.")
        cases.append(Case(label, (g, x, k, s), xt.grad.numpy(), tip=tip))
    return run_check("maxpool2d_backward", fn, cases, [Output("grad_x", "gradient")],
                     ["grad_output", "x", "kernel_size", "stride"], verbose=verbose)
