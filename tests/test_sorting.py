"""Ops that order values (``argsort``, ``sort``, ``topk``, ``median``, ``unique``) against
PyTorch: values, indices, gradients (float64, ties included), nan, 0-d and empty inputs,
bool inputs, ``out=`` and the errors raised.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_same_error, distinct

import tinynn
from tinynn.testing import assert_close, compare_with_torch

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch

DTYPES = ["float32", "float64"]
NAN = np.nan


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_sort_and_argsort_match_torch(dtype, descending, dim):
    x = distinct(3, 4, 5, seed=1)
    compare_with_torch(lambda lib, x: (x.sort(dim, descending), lib.sort(x, dim, descending),
                                       x.argsort(dim, descending), lib.argsort(x, dim, descending)),
                       x, dtype=dtype)


@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_keeps_ties_in_order_like_torch(descending):
    x = np.array([[1, 0, 1, 2, 0, 1], [3, 3, 3, 1, 1, 1]])
    compare_with_torch(lambda lib, x: (x.sort(descending=descending, stable=True),
                                       lib.argsort(x, descending=descending, stable=True)), x)


@pytest.mark.parametrize("descending", [False, True])
def test_nan_ranks_as_the_largest_value_like_torch(descending):
    x = np.array([[1.0, NAN, 3.0, NAN, -1.0], [NAN, 0.0, 0.0, 2.0, NAN]])
    compare_with_torch(lambda lib, x: (x.sort(descending=descending), x.argsort(descending=descending)),
                       x, dtype="float64")


@pytest.mark.parametrize("largest", [True, False])
def test_topk_with_nan_matches_torch(largest):
    x = np.array([[1.0, NAN, 3.0, 2.0], [0.5, 4.0, 0.0, NAN]])
    compare_with_torch(lambda lib, x: x.topk(2, largest=largest), x, dtype="float64")
    compare_with_torch(lambda lib, x: lib.topk(x, 4, dim=1, largest=largest), x, dtype="float64")
    # several nans: which nan comes first is PyTorch's implementation detail; the values agree
    x = np.array([[NAN, NAN, 0.0, 1.0]])
    compare_with_torch(lambda lib, x: x.topk(3, largest=largest).values, x, dtype="float64", grad=False)


@pytest.mark.parametrize("k", [1, 9, 75])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int64"])
def test_topk_of_long_rows_gives_the_first_k_of_the_stable_sort(dtype, largest, dim, k):
    """From ``PARTITION_FROM`` values along ``dim`` (and k up to a quarter of them) topk
    selects with a partition instead of sorting: its indices are still the first k of
    ``argsort``'s, with many ties at the threshold (ties by position) and, in floats, nans
    (the largest values): runs of them at the start of a row, one alone, a row of nothing else."""
    from tinynn._functions.sorting import PARTITION_FROM
    n = PARTITION_FROM + 44
    values = np.random.default_rng(k).integers(-6, 6, (n, n)).astype(dtype)
    if values.dtype.kind == "f":
        values[0, :30] = values[:30, 0] = NAN
        values[5, 7] = values[8, 5] = NAN
        values[9, :] = values[:, 9] = NAN
    x = tinynn.tensor(values)
    result = tinynn.topk(x, k, dim, largest)
    expected = tinynn.argsort(x, dim, descending=largest).narrow(dim, 0, k)
    assert result.indices.dtype is tinynn.int64
    np.testing.assert_array_equal(result.indices.numpy(), expected.numpy())
    np.testing.assert_array_equal(result.values.numpy(), np.take_along_axis(values, expected.numpy(), dim))


@pytest.mark.parametrize("largest", [True, False])
def test_topk_of_long_rows_matches_torch(largest):
    """Values, indices and the gradient, where the values are distinct (so the indices are
    unique), along a dim long enough for the partition path."""
    x = distinct(3, 300, seed=4)
    compare_with_torch(lambda lib, x: (x.topk(5, largest=largest), lib.topk(x.mT, 70, 0, largest)), x,
                       dtype="float64")


@pytest.mark.parametrize("descending", [False, True])
def test_sort_and_argsort_of_bool_match_torch(descending):
    x = np.array([True, False, True, False, False])
    compare_with_torch(lambda lib, x: (x.sort(descending=descending, stable=True),
                                       x.argsort(descending=descending, stable=True)), x)


def test_0d_inputs_match_torch():
    compare_with_torch(lambda lib, x: (x.argsort(), x.argsort(descending=True), x.sort(),
                                       x.topk(1), x.median(0), x.median()),
                       np.array(2.5), dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor(1.0).argsort(1),
    lambda lib: lib.tensor(1.0).sort(1),
    lambda lib: lib.tensor(1.0).topk(1, dim=1),
    lambda lib: lib.tensor(1.0).median(1),
    lambda lib: lib.tensor(1.0).topk(2),
    lambda lib: lib.ones(3).topk(4),
    lambda lib: lib.ones(3).topk(-1),
    lambda lib: lib.ones(3).sort(2),
], ids=["argsort_dim1", "sort_dim1", "topk_dim1", "median_dim1", "topk_k2_of_0d", "topk_k_too_big",
        "topk_negative_k", "sort_dim2"])
def test_bad_dims_and_k_raise_like_torch(call):
    assert_same_error(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([True, False]).topk(1),
    lambda lib: lib.tensor([True, False]).median(),
    lambda lib: lib.tensor([[True, False]]).median(1),
], ids=["topk", "median", "median_dim"])
def test_kernels_torch_lacks_for_bool_raise_like_torch(call):
    assert_same_error(call)


@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, True), (-1, False)], ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_topk_and_median_with_dim_match_torch(dtype, dim, keepdim):
    x = distinct(4, 5, seed=2)
    compare_with_torch(lambda lib, x: (x.topk(2, dim), x.topk(3, dim, largest=False),
                                       x.median(dim, keepdim), lib.median(x, dim, keepdim)),
                       x, dtype=dtype)


def test_median_of_all_elements_shares_the_gradient_between_ties_like_torch():
    for values in ([1.0, 2.0, 2.0, 3.0], [2.0, 2.0, 2.0], [[3.0, 1.0], [1.0, 2.0]], [5.0]):
        compare_with_torch(lambda lib, x: x.median(), np.array(values), dtype="float64")


def test_median_with_nan_is_nan_like_torch():
    x = np.array([[1.0, NAN, 0.0, NAN], [3.0, 1.0, 2.0, 0.0]])
    compare_with_torch(lambda lib, x: x.median(), x, dtype="float64")  # nan, gradient shared by the nans
    compare_with_torch(lambda lib, x: x.median(1), x, dtype="float64")  # value nan, index of the first
    compare_with_torch(lambda lib, x: x.median(0), x, dtype="float64")


def test_median_with_ties_along_dim_gives_the_gradient_to_the_index_like_torch():
    compare_with_torch(lambda lib, x: x.median(1), np.array([[1.0, 2.0, 2.0, 3.0], [4.0, 4.0, 4.0, 4.0]]),
                       dtype="float64")


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool", "float32", "float64"])
def test_median_of_empty_matches_torch(dtype):
    def call(lib):
        return lib.tensor([], dtype=getattr(lib, dtype)).median()
    assert_close(call(tinynn), call(torch))


def test_median_along_an_empty_dim_raises_like_torch():
    assert_same_error(lambda lib: lib.zeros(0, 3).median(0))


def test_median_of_integers_matches_torch():
    x = np.array([[3, 1, 2, 2], [0, -5, 7, 7]])
    compare_with_torch(lambda lib, x: (x.median(), x.median(1), x.topk(2), x.sort()), x)


def test_out_argument_matches_torch():
    def call(lib):
        x = lib.tensor(distinct(3, 4, seed=3), dtype=lib.float32)
        sort_out = (lib.empty(0), lib.empty(0, dtype=lib.int64))
        topk_out = (lib.empty(0), lib.empty(0, dtype=lib.int64))
        median_out = (lib.empty(0), lib.empty(0, dtype=lib.int64))
        lib.sort(x, 1, out=sort_out)
        lib.topk(x, 2, out=topk_out)
        lib.median(x, 0, out=median_out)
        return sort_out + topk_out + median_out
    for ours, theirs in zip(call(tinynn), call(torch)):
        assert_close(ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unique_matches_torch(dtype):
    x = np.array([[2.0, 1.0, 2.0], [3.0, 1.0, 1.0]])
    compare_with_torch(lambda lib, x: (x.unique(), lib.unique(x, return_inverse=True, return_counts=True),
                                       x.unique(dim=0), lib.unique(x, return_inverse=True, dim=1)),
                       x, dtype=dtype, grad=False)


def test_unique_keeps_each_nan_like_torch():
    compare_with_torch(lambda lib, x: x.unique(return_counts=True), np.array([NAN, 1.0, NAN, 1.0]),
                       dtype="float64", grad=False)


def test_unique_of_0d_matches_torch():
    compare_with_torch(lambda lib, x: x.unique(return_inverse=True, return_counts=True), np.array(1.5),
                       grad=False)
    assert_same_error(lambda lib: lib.tensor(1.0).unique(dim=0))


@pytest.mark.parametrize("name", ["sort", "argsort", "topk", "median", "unique"])
def test_functions_are_the_family_file_functions(name):
    from tinynn._functions import sorting
    assert getattr(tinynn, name) is getattr(sorting, name)


# -- sort, topk, median ----------------------------------------------------------------------
# name: (fn(lib, x), input maker, shape)
SORT_TOPK_MEDIAN = {
    "sort": (lambda lib, x: x.sort(dim=1), distinct, (3, 5)),
    "sort_descending": (lambda lib, x: lib.sort(x, 0, descending=True), distinct, (4, 3)),
    "sort_values": (lambda lib, x: x.sort().values * 2, distinct, (6,)),
    "topk": (lambda lib, x: lib.topk(x, 2), distinct, (3, 5)),
    "topk_smallest_dim0": (lambda lib, x: x.topk(3, dim=0, largest=False), distinct, (4, 3)),
    "median": (lambda lib, x: x.median(), distinct, (3, 4)),
    "median_even_count": (lambda lib, x: lib.median(x), distinct, (6,)),
    "median_dim": (lambda lib, x: x.median(dim=1), distinct, (3, 5)),
    "median_dim_keepdim": (lambda lib, x: lib.median(x, 0, keepdim=True), distinct, (4, 3)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(SORT_TOPK_MEDIAN))
def test_sort_topk_and_median_match_torch(name, dtype, device):
    fn, make, shape = SORT_TOPK_MEDIAN[name]
    compare_with_torch(fn, make(*shape), dtype=dtype, device=device)


def test_unique_and_sort_of_integers_match_torch():
    """Integer inputs: integer results, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.unique(t),
        lambda lib, t: lib.unique(t, return_inverse=True, return_counts=True),
        lambda lib, t: lib.sort(t, 1).indices,
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.topk(lib.ones(3), 4), RuntimeError),
])
def test_topk_of_more_than_the_size_raises_like_torch(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(tinynn)


# -- found by the differential suite (tests/differential) --------------------------------------
def test_median_of_an_empty_float_tensor_requires_grad_like_torch():
    for lib in (torch, tinynn):
        x = lib.zeros(0, dtype=lib.float64, requires_grad=True)
        assert x.median().requires_grad
    compare_with_torch(lambda lib, x: x.median(), np.zeros((2, 0)), dtype="float64")


@pytest.mark.parametrize("call", [
    lambda lib: lib.tensor([], dtype=lib.bool).median(0),
    lambda lib: lib.tensor([], dtype=lib.bool).topk(0, dim=5),
    lambda lib: lib.median(lib.ones(3), out=(lib.empty(0), lib.empty(0, dtype=lib.int64))),
], ids=["median_bool_empty_dim", "topk_bool_bad_dim", "median_out_without_dim"])
def test_checks_in_torch_order(call):
    assert_same_error(call)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(3).topk(1.5),
    lambda lib: lib.ones(3).topk(True),
    lambda lib: lib.ones(3).sort(0.0),
    lambda lib: lib.ones(3).argsort(None),
    lambda lib: lib.ones(3).median((0,)),
    lambda lib: lib.ones(3).unique(dim=(0,)),
    lambda lib: lib.ones(3).unique(dim=0.5),
], ids=["topk_k_float", "topk_k_bool", "sort_dim_float", "argsort_dim_none", "median_dim_tuple",
        "unique_dim_tuple", "unique_dim_float"])
def test_arguments_of_the_wrong_type_raise_type_error_like_torch(call):
    assert_same_error(call)


def test_topk_takes_a_0d_integer_tensor_or_numpy_int_as_k_like_torch():
    compare_with_torch(lambda lib, x: (x.topk(lib.tensor(2)), x.topk(np.int64(1))), distinct(5), dtype="float64")


def test_results_of_an_empty_tensor_require_grad_like_torch():
    def call(lib):
        x = lib.zeros(0, dtype=lib.float64, requires_grad=True)
        y = lib.zeros(2, 0, dtype=lib.float64, requires_grad=True)
        return [x.sort().values, x.topk(0).values, y.median(0).values, y.sort(1).values, x.unique()]
    assert [t.requires_grad for t in call(tinynn)] == [t.requires_grad for t in call(torch)] == [True] * 5


def test_unique_requires_grad_and_has_no_derivative_like_torch():
    for lib in (torch, tinynn):
        x = lib.tensor([1.0, 2.0, 1.0], requires_grad=True)
        values, counts = lib.unique(x, return_counts=True)
        assert values.requires_grad and not counts.requires_grad
    assert_same_error(lambda lib: lib.unique(lib.tensor([1.0, 2.0], requires_grad=True)).sum().backward())
