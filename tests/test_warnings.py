"""Warning parity: no numpy RuntimeWarning reaches a user where PyTorch is silent.

inf and nan are IEEE results (0 * inf in a backward formula, inf - inf in a sum, overflow in a
product or a cast): each call below is silent in PyTorch, must be silent in tinynn, and must
give PyTorch's values and gradients. A value that does not fit a dtype raises PyTorch's error
instead of warning.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close

from helpers import assert_same_error

LIBS = (torch, tinynn)


def F(lib):
    return lib.nn.functional


SPECIALS = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e38, -1e38, 2.0, 0.5, -2.5]


INF = math.inf


QUIET_CALLS = {
    # 0 * inf in backward formulas, inf - inf in sums, overflow in products
    "mul_specials": lambda L, x: x.reshape(-1, 1) * x.reshape(1, -1),
    "add_specials": lambda L, x: x.reshape(-1, 1) + x.reshape(1, -1),
    "div_specials": lambda L, x: x.reshape(-1, 1) / x.reshape(1, -1),
    "pow_specials": lambda L, x: x.abs().reshape(-1, 1) ** x.reshape(1, -1),
    "sum_of_infinities": lambda L, x: x.sum(),
    "mean_of_infinities": lambda L, x: x.mean(),
    "prod_with_zero_and_inf": lambda L, x: x.prod(),
    "cumsum_of_infinities": lambda L, x: x.cumsum(0),
    "broadcast_backward": lambda L, x: x.reshape(-1, 1).expand(12, 3) * L.tensor([1.0, -1.0, INF]),
    "max_with_nan": lambda L, x: x.max(),
    "amax_with_nan": lambda L, x: x.amax(),
    "sin_of_inf": lambda L, x: x.sin(),
    "cos_of_inf": lambda L, x: x.cos(),
    "tan_of_inf": lambda L, x: x.tan(),
    "std_of_specials": lambda L, x: x.std(),
    "norm_overflow": lambda L, x: x.norm(),
    "logsumexp_with_inf": lambda L, x: x.logsumexp(0),
    "softmax_row_of_minus_inf": lambda L, x: (x.reshape(3, 4) * 0 + L.tensor([[-INF] * 4, [0.0, 1, 2, 3],
                                                                                [-INF, 0, 1, 2]])).softmax(1),
    "log_softmax_row_of_minus_inf": lambda L, x: (x.reshape(3, 4) * 0 + L.tensor([[-INF] * 4, [0.0, 1, 2, 3],
                                                                                    [-INF, 0, 1, 2]])).log_softmax(1),
    "softmax_with_plus_inf": lambda L, x: L.tensor([[INF, 1.0], [INF, INF]], requires_grad=True).softmax(-1),
    "cross_entropy_inf_logit": lambda L, x: F(L).cross_entropy(
        L.tensor([[INF, 0.0], [1.0, 2.0]], requires_grad=True), L.tensor([1, 0])),
    "bce_logits_specials": lambda L, x: F(L).binary_cross_entropy_with_logits(x, (x > 0).to(x.dtype)),
    "huber_of_inf": lambda L, x: F(L).huber_loss(x, x.flip(0)),
    "smooth_l1_of_inf": lambda L, x: F(L).smooth_l1_loss(x, x.flip(0)),
    "batch_norm_of_inf": lambda L, x: F(L).batch_norm(x.reshape(4, 3), None, None, training=True),
    "cast_overflow_to_half": lambda L, x: (x * 1e10).to(L.float16),
    "log_of_zero": lambda L, x: L.zeros(3, requires_grad=True).log(),
    "sqrt_of_zero": lambda L, x: L.zeros(3, requires_grad=True).sqrt(),
    "zero_to_negative_power": lambda L, x: 0.0 ** L.tensor([-1.0, 0.0, 2.0], requires_grad=True),
    "matmul_inf_times_zero": lambda L, x: L.tensor([[INF, 1.0], [0.0, 2.0]], dtype=x.dtype) @ x[[0, 2]].reshape(2, 1),
    "einsum_inf_times_zero": lambda L, x: L.einsum("ij,jk->ik", L.tensor([[INF, 1.0], [0.0, 2.0]], dtype=x.dtype),
                                                   x[[0, 2]].reshape(2, 1)),
    "conv2d_of_inf": lambda L, x: F(L).conv2d(
        x[[4, 2, 0, 3, 5, 2, 0, 2, 10]].reshape(1, 1, 3, 3), L.ones(1, 1, 2, 2, dtype=x.dtype)),
}


def _run_quietly(lib, case, dtype):
    x = lib.tensor(SPECIALS, dtype=getattr(lib, dtype), requires_grad=True)
    out = QUIET_CALLS[case](lib, x)
    leaves = [t for t in (x,) if t.requires_grad]
    grad = None
    if out.requires_grad:
        grad = lib.autograd.grad(out.float().sum() if out.dtype == lib.float16 else out.sum(), leaves,
                                 allow_unused=True)[0]
    return out, grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(QUIET_CALLS))
def test_no_numpy_warning_where_torch_is_silent(case, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theirs, their_grad = _run_quietly(torch, case, dtype)   # the case is silent in PyTorch
        ours, our_grad = _run_quietly(tinynn, case, dtype)      # and must be in tinynn
    # silencing is only right where the inf/nan is the correct answer: the values agree
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    if ours.dtype == tinynn.float16:
        tol = dict(rtol=1e-3, atol=0.0)
    assert_close(ours, theirs, **tol)
    if their_grad is not None:
        assert_close(our_grad, their_grad, **tol, name="gradient")


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_optimizer_step_with_inf_and_nan_gradients_is_silent_and_matches_torch(name):
    params = []
    for lib in LIBS:
        p = lib.nn.Parameter(lib.tensor([1.0, 0.0, -1.0]))
        optimizer = getattr(lib.optim, name)([p], lr=0.1)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for grad in ([INF, 0.0, math.nan], [0.0, 0.0, 0.0], [1e30, -1e30, 1.0]):
                p.grad = lib.tensor(grad)
                optimizer.step()
        params.append(p.detach())
    assert_close(params[1], params[0])


@pytest.mark.parametrize("shape, dim", [((2, 0), 1), ((0, 3), 1), ((2, 0), 0)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_empty_tensors_is_empty_and_silent(name, shape, dim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = getattr(tinynn.zeros(*shape), name)(dim)
    assert tuple(ours.shape) == tuple(getattr(torch.zeros(*shape), name)(dim).shape)


QUIET_CASTS = {
    "tensor_float16_overflow": lambda L: L.tensor([1e10, 1.0], dtype=L.float16),
    "tensor_from_numpy_to_float16": lambda L: L.tensor(np.array([1e10, 1.0]), dtype=L.float16),
    "tensor_float32_overflow": lambda L: L.tensor([1e300], dtype=L.float32),
    "arange_float16_beyond_range": lambda L: L.arange(0, 1e5, 1e4, dtype=L.float16),
    "half_of_large_values": lambda L: L.tensor([1e10, 2.0]).half(),
    "in_place_add_overflow": lambda L: L.ones(2, dtype=L.float16).add_(1e10),
    "in_place_mul_inf_by_zero": lambda L: L.tensor([math.inf, 1.0]).mul_(0.0),
    "uint8_times_300_wraps": lambda L: L.ones(2, dtype=L.uint8) * 300,
    "int8_plus_200_wraps": lambda L: L.ones(2, dtype=L.int8) + 200,
    # a 0-d float64 operand does not promote a float32 tensor: 1e300 becomes inf in float32
    "float32_plus_0d_float64_beyond_range": lambda L: L.zeros(3) + L.tensor(1e300, dtype=L.float64),
    "atan2_grad_through_0d_float64_beyond_range": lambda L: _atan2_grad(L),
}


def _atan2_grad(L):
    """The backward of atan2 squares the 0-d float64 operand (1e60) and adds it to float32 zeros."""
    other = L.tensor(1e30, dtype=L.float64, requires_grad=True)
    L.atan2(L.zeros(2, 3), other).sum().backward()
    return other.grad


@pytest.mark.parametrize("case", sorted(QUIET_CASTS))
def test_casts_and_scalars_are_silent_and_match_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theirs, ours = QUIET_CASTS[case](torch), QUIET_CASTS[case](tinynn)
    assert_close(ours, theirs)


CAST_MISUSES = {
    "int_out_of_range": lambda L: L.tensor([300], dtype=L.uint8),
    "nan_to_int": lambda L: L.tensor([math.nan], dtype=L.int64),
    "inf_to_int": lambda L: L.tensor([math.inf], dtype=L.int32),
    "full_float16_overflow": lambda L: L.full((2,), 1e10, dtype=L.float16),
    "full_uint8_overflow": lambda L: L.full((2,), 300, dtype=L.uint8),
    "full_nan_int": lambda L: L.full((2,), math.nan, dtype=L.int64),
    "full_like_float16_overflow": lambda L: L.full_like(L.ones(2, dtype=L.float16), 1e10),
    "fill_float16_overflow": lambda L: L.ones(2, dtype=L.float16).fill_(1e10),
    "fill_uint8_overflow": lambda L: L.ones(2, dtype=L.uint8).fill_(300),
}


@pytest.mark.parametrize("case", sorted(CAST_MISUSES))
def test_value_that_does_not_fit_the_dtype_raises_like_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours, _ = assert_same_error(CAST_MISUSES[case])
    assert "without overflow" in str(ours)
