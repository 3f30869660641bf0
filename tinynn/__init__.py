"""tinynn: a small, readable deep-learning library in numpy that mirrors PyTorch's API.

A PyTorch program that stays inside what tinynn covers runs unchanged with
``import tinynn as torch``.
"""
from __future__ import annotations

from . import autograd, cuda, random
from ._creation import (
    arange, as_tensor, bernoulli, empty, empty_like, eye, from_numpy, full, full_like,
    linspace, logspace, multinomial, normal, ones, ones_like, rand, rand_like, randint, randint_like,
    randn, randn_like, randperm, tensor, zeros, zeros_like,
)
from ._dtype import (
    bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int,
    int8, int16, int32, int64, long, promote_types, set_default_dtype, short, uint8,
)
from ._functions.comparison import (
    allclose, eq, equal, ge, gt, isclose, isfinite, isinf, isnan, le, logical_and, logical_not,
    logical_or, logical_xor, lt, ne,
)
from ._functions.cumulative import cummax, cummin, cumprod, cumsum, diff
from ._functions.elementwise import (
    add, arctan2, atan2, clamp, clip, div, divide, floor_divide, fmod, lerp, maximum, minimum, mul,
    multiply, pow, remainder, sub, subtract, true_divide, where,
)
from ._functions.einsum import einsum
from ._functions.indexing import (
    gather, index_add, index_fill, index_select, masked_fill, masked_select, nonzero, scatter,
    scatter_add,
)
from ._functions.linalg import addmm, bmm, dot, ger, matmul, mm, mv, outer
from ._functions.reduction import (
    all, amax, amin, any, argmax, argmin, count_nonzero, log_softmax, logsumexp, max, mean, min,
    norm, prod, softmax, std, sum, var,
)
from ._functions.shape import (
    cat, chunk, clone, concat, concatenate, diag, diagonal, flatten, flip, movedim, moveaxis,
    narrow, permute, repeat_interleave, reshape, roll, split, squeeze, stack, swapaxes, swapdims,
    t, tile, trace, transpose, tril, triu, unbind, unflatten, unsqueeze,
)
from ._functions.sorting import argsort, median, sort, topk, unique
from ._functions.unary import (
    abs, absolute, acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctanh, asin, asinh,
    atan, atanh, ceil, cos, cosh, erf, exp, expm1, fix, floor, log, log1p, log2, log10, nan_to_num, neg,
    negative, positive, reciprocal, relu, round, rsqrt, sigmoid, sign, sin, sinh, sqrt, square,
    tan, tanh, trunc,
)
from ._tensor import Tensor, detach, is_floating_point, is_tensor, numel, result_type
from ._types import (Size, UntypedStorage, channels_last, channels_last_3d, contiguous_format, device, layout,
                     memory_format, preserve_format, strided)
from ._tensor_str import set_printoptions
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                                  set_grad_enabled)
from .random import Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from .serialization import load, save
from . import nn, optim, testing  # noqa: E402  (after the core they build on)
from .utils import convert as _convert, data as _data  # noqa: E402,F401  (tinynn.utils.data after `import tinynn`)

__version__ = "0.1.0"

