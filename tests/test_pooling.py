"""Pooling (``max_pool2d``, ``avg_pool2d``, ``adaptive_avg_pool2d``, their 1-d forms, their
layers) against PyTorch: outputs, returned indices and input gradients, float32 and float64,
for every option; ties, NaN and -inf windows; second derivatives. (``F.pad`` is in
test_nn_padding.py, ``dropout2d`` in test_nn_dropout.py.)
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.autograd import gradcheck, gradgradcheck
from tinynn.testing import assert_close, compare_with_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


MAX_POOL_CASES = {
    "k2": dict(kernel_size=2),
    "k3_s1": dict(kernel_size=3, stride=1),
    "k3_s2_p1": dict(kernel_size=3, stride=2, padding=1),
    "tuples": dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 1)),
    "dilation": dict(kernel_size=3, stride=1, dilation=2),
    "dilation_tuple_padding": dict(kernel_size=(2, 3), stride=2, padding=(1, 1), dilation=(3, 1)),
    "ceil_mode": dict(kernel_size=3, stride=2, ceil_mode=True),
    "ceil_mode_padding": dict(kernel_size=2, stride=2, padding=1, ceil_mode=True),
    "stride_larger_than_kernel": dict(kernel_size=2, stride=3),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(MAX_POOL_CASES))
def test_max_pool2d_matches_torch(case, dtype, device):
    kwargs = MAX_POOL_CASES[case]
    compare_with_torch(lambda lib, x: lib.nn.functional.max_pool2d(x, **kwargs),
                       randn(2, 3, 9, 10), dtype=dtype, device=device)


@pytest.mark.parametrize("case", ["k2", "k3_s2_p1", "dilation_tuple_padding", "ceil_mode_padding"])
def test_max_pool2d_return_indices_match_torch(case, device):
    kwargs = MAX_POOL_CASES[case]
    compare_with_torch(lambda lib, x: lib.nn.functional.max_pool2d(x, return_indices=True, **kwargs),
                       randn(2, 3, 9, 10), dtype="float32", device=device)


def test_max_pool2d_unbatched_input_matches_torch(device):
    compare_with_torch(lambda lib, x: lib.nn.functional.max_pool2d(x, 2, return_indices=True),
                       randn(3, 6, 5), dtype="float64", device=device)


@pytest.mark.parametrize("values", ["all_equal", "pairs_of_ties"])
def test_max_pool2d_ties_route_the_gradient_to_the_first_maximum_like_torch(values, device):
    """Overlapping windows full of equal values: PyTorch picks the first (row-major) maximum."""
    x = np.zeros((1, 2, 5, 5)) if values == "all_equal" else np.round(randn(1, 2, 5, 5), 0)
    compare_with_torch(lambda lib, x: lib.nn.functional.max_pool2d(x, 3, stride=1, padding=1, return_indices=True),
                       x, dtype="float64", device=device)


def test_max_pool2d_nan_is_the_maximum_and_the_last_nan_wins_like_torch(device):
    x = np.array([[[[1.0, np.nan, np.nan, 0.0, np.nan, 2.0]]]])
    compare_with_torch(lambda lib, x: lib.nn.functional.max_pool2d(x, (1, 3), return_indices=True),
                       x, dtype="float64", device=device)


@pytest.mark.parametrize("kwargs", [dict(kernel_size=16, stride=2), dict(kernel_size=(1, 3), dilation=(1, 150))],
                         ids=["256_taps", "dilation_150"])
def test_max_pool2d_large_kernels_and_dilations_match_torch(kwargs, device):
    """More taps than a uint8 holds, and argmax positions far beyond 255 within a row."""
    compare_with_torch(lambda lib, x: lib.nn.functional.max_pool2d(x, return_indices=True, **kwargs),
                       randn(2, 2, 20, 310), dtype="float32", device=device)


def test_max_pool2d_padding_never_wins_even_over_minus_infinity(device):
    x = np.full((1, 1, 3, 3), -np.inf)
    compare_with_torch(lambda lib, x: lib.nn.functional.max_pool2d(x, 3, stride=1, padding=1, return_indices=True),
                       x, dtype="float32", device=device, grad=False)


def test_max_pool2d_integer_input_matches_torch():
    x = np.arange(36).reshape(1, 1, 6, 6) % 7
    ours = tinynn.nn.functional.max_pool2d(tinynn.tensor(x), 3, 2, 1)
    theirs = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1)
    assert_close(ours, theirs)


def test_max_pool2d_gradcheck_and_gradgradcheck_float64():
    x = tinynn.tensor(randn(1, 2, 5, 6), requires_grad=True)
    pool = lambda x: tinynn.nn.functional.max_pool2d(x, 3, stride=2, padding=1)  # noqa: E731
    assert gradcheck(pool, (x,)) and gradgradcheck(pool, (x,))


AVG_POOL_CASES = {
    "k2": dict(kernel_size=2),
    "k3_s2_p1": dict(kernel_size=3, stride=2, padding=1),
    "k3_s2_p1_exclude_pad": dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    "tuples": dict(kernel_size=(3, 2), stride=(1, 2), padding=(1, 1)),
    "ceil_mode": dict(kernel_size=3, stride=2, ceil_mode=True),
    "ceil_mode_padding_exclude": dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    "divisor_override": dict(kernel_size=2, stride=1, divisor_override=3),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(AVG_POOL_CASES))
def test_avg_pool2d_matches_torch(case, dtype, device):
    kwargs = AVG_POOL_CASES[case]
    compare_with_torch(lambda lib, x: lib.nn.functional.avg_pool2d(x, **kwargs),
                       randn(2, 3, 9, 10), dtype=dtype, device=device)


def test_avg_pool2d_gradcheck_and_gradgradcheck_float64():
    x = tinynn.tensor(randn(1, 2, 5, 6), requires_grad=True)
    pool = lambda x: tinynn.nn.functional.avg_pool2d(x, 3, 2, 1, count_include_pad=False)  # noqa: E731
    assert gradcheck(pool, (x,)) and gradgradcheck(pool, (x,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("output_size", [1, 3, (4, 7), (None, 3), (9, 10), (13, 15)],
                         ids=["global", "3", "4x7", "none_3", "identity", "upsampling"])
def test_adaptive_avg_pool2d_matches_torch(output_size, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, output_size),
                       randn(2, 3, 9, 10), dtype=dtype, device=device)


def test_adaptive_avg_pool2d_unbatched_and_gradgradcheck():
    compare_with_torch(lambda lib, x: lib.nn.functional.adaptive_avg_pool2d(x, (2, 3)), randn(3, 5, 7),
                       dtype="float64")
    x = tinynn.tensor(randn(1, 2, 5, 4), requires_grad=True)
    assert gradgradcheck(lambda x: tinynn.nn.functional.adaptive_avg_pool2d(x, (3, 3)), (x,))


@pytest.mark.parametrize("shape, output_size", [((2, 3, 7, 5), 0), ((2, 3, 7, 5), (0, 3)), ((3, 7, 5), (2, 0)),
                                                ((2, 3, 7), 0)])
def test_adaptive_avg_pool_to_an_empty_size_is_empty_and_has_no_gradient_like_torch(shape, output_size):
    """An output_size of 0 gives an empty result; PyTorch's backward then refuses (RuntimeError)."""
    name = "adaptive_avg_pool1d" if len(shape) == 3 and not isinstance(output_size, tuple) else "adaptive_avg_pool2d"

    def pooled(lib):
        return getattr(lib.nn.functional, name)(lib.ones(shape, requires_grad=True), output_size)

    assert tuple(pooled(tinynn).shape) == tuple(pooled(torch).shape)
    assert_same_error(lambda lib: pooled(lib).sum().backward())


@pytest.mark.parametrize("layer, args", [
    ("MaxPool2d", (3, 2, 1)), ("AvgPool2d", (3, 2, 1)), ("AdaptiveAvgPool2d", ((2, 3),)),
])
def test_pooling_layers_match_torch(layer, args, device):
    compare_with_torch(lambda lib, x: getattr(lib.nn, layer)(*args)(x), randn(2, 3, 8, 7),
                       dtype="float32", device=device)


@pytest.mark.parametrize("layer, args, kwargs", [
    ("MaxPool2d", (2,), {}), ("MaxPool2d", (3, 1, 1, 2), dict(ceil_mode=True)),
    ("AvgPool2d", (2,), {}), ("AvgPool2d", (3, 2, 1), {}),
    ("AdaptiveAvgPool2d", ((3, None),), {}), ("AdaptiveAvgPool2d", (1,), {}),
])
def test_pooling_layer_repr_matches_torch(layer, args, kwargs):
    assert repr(getattr(tinynn.nn, layer)(*args, **kwargs)) == repr(getattr(torch.nn, layer)(*args, **kwargs))


# -- 1-D pooling -----------------------------------------------------------------------------
POOL1D = [("max_pool1d", (3,), dict(stride=2, padding=1)), ("max_pool1d", (2,), dict(ceil_mode=True)),
          ("max_pool1d", (3,), dict(dilation=2)), ("avg_pool1d", (3,), dict(stride=2, padding=1)),
          ("avg_pool1d", (3,), dict(stride=2, padding=1, count_include_pad=False)), ("avg_pool1d", (4,), {}),
          ("adaptive_avg_pool1d", (4,), {}), ("adaptive_avg_pool1d", (1,), {})]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("name, args, kwargs", POOL1D, ids=[f"{n}{a}{k}" for n, a, k in POOL1D])
def test_pool1d_matches_torch(name, args, kwargs, batched, dtype, device):
    x = randn(2, 3, 11) if batched else randn(3, 11)
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **kwargs), x, dtype=dtype, device=device)


def test_max_pool1d_indices_match_torch():
    x = randn(2, 3, 10)
    _, ours = tinynn.nn.functional.max_pool1d(tinynn.tensor(x), 3, 2, return_indices=True)
    _, theirs = torch.nn.functional.max_pool1d(torch.tensor(x), 3, 2, return_indices=True)
    assert_close(ours, theirs)


@pytest.mark.parametrize("module, args", [("MaxPool1d", (2,)), ("MaxPool1d", (3, 1, 1)), ("AvgPool1d", (3,)),
                                          ("AvgPool1d", (3, 2, 1)), ("AdaptiveAvgPool1d", (5,))])
def test_pool1d_module_matches_torch_and_prints_alike(module, args, device):
    compare_with_torch(lambda lib, x: getattr(lib.nn, module)(*args)(x), randn(2, 4, 12), dtype="float64", device=device)
    assert repr(getattr(tinynn.nn, module)(*args)) == repr(getattr(torch.nn, module)(*args))


def test_pool1d_errors_match_torch():
    for call in [lambda lib: lib.nn.functional.max_pool1d(lib.zeros(1, 2, 3, 4), 2),
                 lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(1, 2, 3, 4), 2),
                 lambda lib: lib.nn.functional.adaptive_avg_pool1d(lib.zeros(1, 2, 3, 4), 2),
                 lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(1, 2, 8), (2, 2))]:
        assert_same_error(lambda: call(tinynn), lambda: call(torch), same_message=True)
