"""Indexing (ints, slices, None, Ellipsis, bool masks, integer tensors) and the indexing ops,
forward and gradient vs PyTorch.

Index tensors are made on the same device as the input (``x.device``), so the PyTorch
side runs on CUDA when it is tested there.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def idx(lib, x, data):
    """An index tensor on x's device."""
    return lib.tensor(data, device=x.device)


GETITEM_CASES = {
    "int": (lambda lib, x: x[1], (3, 4)),
    "negative_int": (lambda lib, x: x[-1], (3, 4)),
    "two_ints": (lambda lib, x: x[1, 2], (3, 4)),
    "int_0d_result_times_two": (lambda lib, x: x[0, 0, 1] * 2, (2, 2, 2)),
    "slice": (lambda lib, x: x[1:3], (4, 3)),
    "slice_step": (lambda lib, x: x[::2, 1:], (5, 4)),
    "slice_negative_bounds": (lambda lib, x: x[-3:-1], (5, 2)),
    "slice_out_of_range_is_clipped": (lambda lib, x: x[2:100], (4, 2)),
    "slice_empty": (lambda lib, x: x[2:2], (4, 2)),
    "int_and_slice": (lambda lib, x: x[1, ::2], (3, 5)),
    "none": (lambda lib, x: x[None], (2, 3)),
    "none_middle": (lambda lib, x: x[:, None, 1:], (2, 3)),
    "ellipsis": (lambda lib, x: x[..., 1], (2, 3, 4)),
    "ellipsis_middle": (lambda lib, x: x[0, ..., 0], (2, 3, 4)),
    "ellipsis_0d": (lambda lib, x: x[...], ()),
    "none_0d": (lambda lib, x: x[None], ()),
    "bool_mask_same_shape": (lambda lib, x: x[x > 0], (3, 4)),
    "bool_mask_rows": (lambda lib, x: x[idx(lib, x, [True, False, True])], (3, 4)),
    "bool_mask_all_false": (lambda lib, x: x[x > 100], (3, 4)),
    "bool_mask_with_slice": (lambda lib, x: x[idx(lib, x, [False, True, True]), 1:], (3, 4)),
    "int_tensor": (lambda lib, x: x[idx(lib, x, [2, 0])], (3, 4)),
    "int_tensor_repeated": (lambda lib, x: x[idx(lib, x, [1, 1, 1, 0])], (3, 2)),
    "int_tensor_2d": (lambda lib, x: x[idx(lib, x, [[0, 1], [2, 2]])], (3, 2)),
    "int_tensor_negative": (lambda lib, x: x[idx(lib, x, [-1, 0])], (3, 2)),
    "int_tensor_empty": (lambda lib, x: x[lib.zeros(0, dtype=lib.int64, device=x.device)], (3, 2)),
    "int_tensor_0d": (lambda lib, x: x[idx(lib, x, 1)], (3, 2)),
    "int_list": (lambda lib, x: x[[0, 2]], (3, 4)),
    "two_int_tensors": (lambda lib, x: x[idx(lib, x, [0, 2]), idx(lib, x, [1, 1])], (3, 4)),
    "two_int_tensors_broadcast": (lambda lib, x: x[idx(lib, x, [[0], [2]]), idx(lib, x, [1, 3])], (3, 4)),
    "int_tensor_second_dim": (lambda lib, x: x[:, idx(lib, x, [3, 0, 3])], (2, 4)),
    "int_tensor_and_int": (lambda lib, x: x[idx(lib, x, [0, 1]), 2], (2, 4)),
    "int_tensor_after_slice": (lambda lib, x: x[1:, idx(lib, x, [0, 0])], (3, 2)),
    "index_of_index": (lambda lib, x: x[1:][0][idx(lib, x, [1, 0])], (3, 2)),
    "empty_input_slice": (lambda lib, x: x[:, :, 1:], (2, 0, 3)),
    "empty_input_int": (lambda lib, x: x[1], (2, 0, 3)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(GETITEM_CASES))
def test_getitem_matches_torch(name, dtype, device):
    fn, shape = GETITEM_CASES[name]
    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


def _setitem(key_fn, value_fn):
    """x2 = x * 1 (a non-leaf), x2[key] = value, return x2 * 2: both x and value get gradients."""

    def fn(lib, x, v):
        y = x * 1
        y[key_fn(lib, y)] = value_fn(v)
        return y * 2

    return fn


SETITEM_CASES = {
    "int_row": (_setitem(lambda lib, y: 1, lambda v: v), (3, 4), (4,)),
    "broadcast_value": (_setitem(lambda lib, y: (slice(None), 0), lambda v: v), (3, 4), ()),
    "slice": (_setitem(lambda lib, y: slice(0, 2), lambda v: v), (3, 4), (1, 4)),
    "bool_mask": (_setitem(lambda lib, y: y > 0, lambda v: v), (3, 4), ()),
    "int_tensor": (_setitem(lambda lib, y: idx(lib, y, [2, 0]), lambda v: v), (3, 4), (2, 4)),
    "scalar_value": (_setitem(lambda lib, y: (0, 1), lambda v: v.sum() * 0 + 3.0), (3, 4), (2,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SETITEM_CASES))
def test_setitem_gradients_match_torch(name, dtype, device):
    fn, x_shape, v_shape = SETITEM_CASES[name]
    compare_with_torch(fn, randn(*x_shape), randn(*v_shape, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("value", [2.5, 7, True], ids=["float", "int", "bool"])
def test_setitem_python_number(value):
    ours, theirs = tinynn.zeros(2, 3), torch.zeros(2, 3)
    ours[0, 1:] = value
    theirs[0, 1:] = value
    assert_close(ours, theirs)


def test_setitem_converts_value_dtype():
    ours, theirs = tinynn.zeros(3, dtype=tinynn.int64), torch.zeros(3, dtype=torch.int64)
    ours[1] = tinynn.tensor(2.7)
    theirs[1] = torch.tensor(2.7)
    assert_close(ours, theirs)


def test_setitem_without_grad_writes_in_place():
    x = tinynn.zeros(2, 3)
    data = x.numpy()
    x[1] = tinynn.ones(3)
    assert data[1].tolist() == [1.0, 1.0, 1.0]


# -- indexing ops ---------------------------------------------------------------------------
OP_CASES = {
    "gather_dim1": (lambda lib, x: x.gather(1, idx(lib, x, [[0, 0], [1, 0], [2, 2]])), (3, 3)),
    "gather_dim0": (lambda lib, x: lib.gather(x, 0, idx(lib, x, [[1, 0, 1]])), (2, 3)),
    "gather_negative_dim": (lambda lib, x: x.gather(-1, idx(lib, x, [[1], [0]])), (2, 3)),
    "index_select": (lambda lib, x: x.index_select(1, idx(lib, x, [2, 0, 2])), (2, 3)),
    "index_select_function": (lambda lib, x: lib.index_select(x, 0, idx(lib, x, [1])), (2, 3)),
    "masked_fill": (lambda lib, x: x.masked_fill(x > 0, 0.5), (3, 4)),
    "masked_fill_broadcast_mask": (lambda lib, x: x.masked_fill(idx(lib, x, [True, False, True, False]), -1.0), (3, 4)),
    "masked_fill_function": (lambda lib, x: lib.masked_fill(x, x < 0, 0.0), (3, 4)),
    "masked_select": (lambda lib, x: x.masked_select(x > 0), (3, 4)),
    "masked_select_broadcast": (lambda lib, x: x.masked_select(idx(lib, x, [True, False, True])), (2, 3)),
    "where_mask": (lambda lib, x: lib.where(x > 0, x, x * 3), (3, 4)),
    "narrow": (lambda lib, x: x.narrow(0, 1, 2), (4, 2)),
    "scatter_add": (lambda lib, x: x.scatter_add(1, idx(lib, x, [[0, 0], [2, 1]]), x[:, :2] * 2), (2, 3)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_indexing_op_matches_torch(name, dtype, device):
    fn, shape = OP_CASES[name]
    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([[0.0, 1.5], [2.0, 0.0]]).nonzero(),
    lambda lib: lib.tensor([0, 3, 0, 4]).nonzero(),
    lambda lib: lib.tensor([[True, False], [True, True]]).nonzero(as_tuple=True),
    lambda lib: lib.where(lib.tensor([[True, False], [False, True]])),
    lambda lib: lib.argsort(lib.tensor([3.0, 1.0, 2.0])),
    lambda lib: lib.argsort(lib.tensor([[3.0, 1.0, 2.0]]), dim=1, descending=True),
], ids=["nonzero", "nonzero_int", "nonzero_tuple", "where_condition_only", "argsort", "argsort_descending"])
def test_index_producing_op_matches_torch(make):
    ours, theirs = make(tinynn), make(torch)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    assert len(ours) == len(theirs)
    for o, t in zip(ours, theirs):
        assert_close(o, t)


@pytest.mark.parametrize("dtype", DTYPES)
def test_repeated_index_accumulates_gradient(dtype, device):
    """x[[0, 0, 0]] reads x[0] three times: its gradient is the sum of three."""

    def fn(lib, x):
        return x[idx(lib, x, [0, 0, 0])].sum() + x[idx(lib, x, [0, 1])].sum()

    compare_with_torch(fn, randn(3), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_second_derivative_through_indexing(dtype, device):
    def fn(lib, x):
        y = (x[idx(lib, x, [1, 1, 2])] ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        return g

    compare_with_torch(fn, randn(4), dtype=dtype, device=device)


def test_index_with_int_tensor_is_a_copy():
    x = tinynn.zeros(3)
    x[tinynn.tensor([0, 1])].fill_(5.0)
    assert x.tolist() == [0.0, 0.0, 0.0]


def test_index_with_slice_is_a_view():
    x = tinynn.zeros(3)
    x[1:].fill_(5.0)
    assert x.tolist() == [0.0, 5.0, 5.0]


def test_tensor_index_is_used_as_int():
    assert tinynn.arange(5)[tinynn.tensor(3)].item() == 3
    assert [10, 20, 30][tinynn.tensor(1)] == 20
