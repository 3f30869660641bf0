"""Indexing (ints, slices, None, Ellipsis, bool masks, integer tensors) and the indexing ops,
forward and gradient vs PyTorch.

Index tensors are made on the same device as the input (``x.device``), so the PyTorch
side runs on CUDA when it is tested there.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from helpers import assert_same_error, randn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


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


ADD_AT_CASES = {
    "rows_repeated": ((6, 4), np.array([0, 5, 0, 2, 0])),
    "rows_negative": ((6, 4), np.array([-1, 5, -6, 0])),
    "rows_2d_index": ((5, 3, 2), np.array([[4, 4], [0, -5]])),
    "rows_int32": ((6, 4), np.array([3, 3, 1], dtype=np.int32)),
    "one_column": ((7, 1), np.array([6, 6, 6])),
    "a_vector": ((7,), np.array([2, 2, -1])),
    # one array per dim, broadcast against each other (scatter_add's key)
    "per_dim": ((4, 3), (np.array([[0], [3], [0], [-1]]), np.array([[2, 2, 0]]))),
    "per_dim_3d": ((2, 3, 2), (np.array([1, 1, 0, 1]), np.array([2, 2, 0, -1]), np.array([0, 0, 1, 1]))),
    # arrays for the first dims only, each picking a block of the others
    "first_two_dims": ((4, 3, 2), (np.array([0, 3, 0]), np.array([2, -1, 2]))),
    # full slices first, then the arrays (index_select's key along a later dim)
    "after_a_slice": ((3, 5, 2), (slice(None), np.array([4, 0, 4, -1, 4]))),
    "last_dim_after_slices": ((2, 3, 4), (slice(None), slice(None), np.array([0, 0, 1, 1, 3, 3, 3]))),
    "after_a_slice_two_arrays": ((2, 4, 3, 2), (slice(None), np.array([[1], [1]]), np.array([2, -1, 2]))),
    "out_of_range": ((4, 3), np.array([1, 4])),  # (np.add.at's IndexError, below)
    "out_of_range_after_a_slice": ((4, 3), (slice(None), np.array([0, 3]))),
}


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("case", sorted(ADD_AT_CASES))
def test_add_at_adds_as_numpys_add_at_bit_for_bit(case, dtype):
    """``indexing.add_at``'s path for whole rows gives ``np.add.at``'s values exactly (the
    additions into a repeated row in the same order), also with broadcast values and
    after full slices."""
    from tinynn._functions.indexing import add_at

    shape, key = ADD_AT_CASES[case]
    key = key if isinstance(key, tuple) else (key,)
    picked = {"out_of_range": (2, 3), "out_of_range_after_a_slice": (4, 2)}.get(case) or np.empty(shape)[key].shape
    rng = np.random.default_rng(0)
    start = rng.standard_normal(shape).astype(dtype)
    values = (rng.standard_normal(picked) * 1e3).astype(dtype)
    for v in (values, values[..., :1]):  # full, then broadcast along the last axis
        expected, got = start.copy(), start.copy()
        if case.startswith("out_of_range"):
            with pytest.raises(IndexError):
                add_at(got, key, v)
            continue
        np.add.at(expected, key, v)
        add_at(got, key, v)
        assert np.array_equal(got, expected), (case, v.shape)


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


# -- issue 20: PyTorch's axis order, results and errors ---------------------------------------
# An int is a selection made first in PyTorch, an index array in numpy: x[0, 1:3, idx] on
# (2, 4, 5) is (2, 3) in PyTorch (numpy gives (3, 2), its arrays being apart).
AXIS_ORDER_CASES = {
    "int_slice_array": lambda lib, x: x[0, 1:3, idx(lib, x, [0, 2, 4])],
    "int_full_slice_array": lambda lib, x: x[0, :, idx(lib, x, [0, 2, 4])],
    "int_none_slice_array": lambda lib, x: x[0, None, 1:3, idx(lib, x, [0, 2, 4])],
    "int_ellipsis_array": lambda lib, x: x[0, ..., idx(lib, x, [0, 2, 4])],
    "int_slice_mask": lambda lib, x: x[0, 1:3, idx(lib, x, [True, False, True, False, True])],
    "int_slice_list": lambda lib, x: x[0, :, [4, 0]],
    "int_slice_2d_array": lambda lib, x: x[1, 1:, idx(lib, x, [[0, 1], [3, 3]])],
    "slice_int_array": lambda lib, x: x[:, 0, idx(lib, x, [0, 2, 4])],
    "array_int": lambda lib, x: x[idx(lib, x, [1, 0]), 2],
    "array_slice_int": lambda lib, x: x[idx(lib, x, [0, 1]), 1:3, 0],
    "array_slice_array": lambda lib, x: x[idx(lib, x, [0, 1, 1]), 1:3, idx(lib, x, [0, 2, 4])],
    "array_int_array": lambda lib, x: x[idx(lib, x, [0, 1]), 3, idx(lib, x, [4, 4])],
    "array_ellipsis_array": lambda lib, x: x[idx(lib, x, [0, 1]), ..., idx(lib, x, [0, 1])],
    "int_array_ellipsis_array": lambda lib, x: x[0, idx(lib, x, [0, 1]), ..., idx(lib, x, [0, 1])],
    "array_none_array": lambda lib, x: x[idx(lib, x, [0, 1]), None, idx(lib, x, [0, 1])],
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(AXIS_ORDER_CASES))
def test_advanced_index_axis_order_matches_torch(name, dtype, device):
    compare_with_torch(AXIS_ORDER_CASES[name], randn(2, 4, 5), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, value_shape", [
    ("int_slice_array", (2, 3)), ("int_slice_array", (3,)), ("int_none_slice_array", (2, 1)),
    ("int_ellipsis_array", (4, 3)), ("array_slice_int", (2, 2)), ("int_slice_mask", (1, 3)),
])
def test_setitem_with_advanced_index_axis_order_matches_torch(name, value_shape, dtype, device):
    key = AXIS_ORDER_CASES[name]

    def fn(lib, x, v):
        y = x * 1
        y[_key_of(key, lib, y)] = v
        return y * 2

    compare_with_torch(fn, randn(2, 4, 5), randn(*value_shape, seed=1), dtype=dtype, device=device)


class _KeyRecorder:
    """Records the key that ``x[key]`` is given, so AXIS_ORDER_CASES serve setitem too."""

    def __init__(self, x):
        self.device = x.device

    def __getitem__(self, key):
        return key


def _key_of(case, lib, x):
    return case(lib, _KeyRecorder(x))


SETITEM_EDGE_CASES = {
    "one_element_value_into_0d_slot": (lambda lib, y, v: (1, v.reshape(1))),
    "1x1_value_into_0d_slot": (lambda lib, y, v: (1, v.reshape(1, 1))),
    "leading_ones_value": (lambda lib, y, v: (0, v.reshape(1, 1, 1).expand(1, 1, 4))),
    "one_element_value_into_0d_tensor": (lambda lib, y, v: ((), v.reshape(1))),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SETITEM_EDGE_CASES))
def test_setitem_drops_leading_ones_of_the_value_as_torch(name, dtype, device):
    make = SETITEM_EDGE_CASES[name]

    def fn(lib, x, v):
        y = x * 1 if name != "one_element_value_into_0d_tensor" else x.sum() * 1
        key, value = make(lib, y, v)
        y[key] = value
        return y * 2

    compare_with_torch(fn, randn(3, 4), randn(seed=1), dtype=dtype, device=device)


SETITEM_ERRORS = {
    "index_tensor_out_of_range": lambda lib, x: x.__setitem__(lib.tensor([3]), 1.0),
    "int_out_of_range": lambda lib, x: x.__setitem__(5, 1.0),
    "negative_int_out_of_range": lambda lib, x: x.__setitem__((0, -6), 1.0),
    "mask_of_wrong_size": lambda lib, x: x.__setitem__(lib.tensor([True, False]), 1.0),
    "mask_of_wrong_shape": lambda lib, x: x.__setitem__(lib.tensor([[True, False, True]]), 1.0),
    "double_value_with_index_tensor": lambda lib, x: x.__setitem__(
        lib.tensor([1]), lib.ones(1, 5, dtype=lib.float64)),
    "long_value_with_index_tensor": lambda lib, x: x.__setitem__(
        lib.tensor([1]), lib.ones(1, 5, dtype=lib.int64)),
    "double_value_with_mask": lambda lib, x: x.__setitem__(
        lib.tensor([True, False, True]), lib.ones(2, 5, dtype=lib.float64)),
    "double_0d_value_with_index_tensor": lambda lib, x: x.__setitem__(
        lib.tensor([0, 1]), lib.tensor(2.0, dtype=lib.float64)),
    "value_that_does_not_broadcast": lambda lib, x: x.__setitem__(1, lib.ones(2, 1)),
    "value_too_large_for_0d_slot": lambda lib, x: x.__setitem__((1, 2), lib.ones(2)),
}


@pytest.mark.parametrize("name", sorted(SETITEM_ERRORS))
def test_setitem_error_matches_torch(name):
    assert_same_error(lambda lib: SETITEM_ERRORS[name](lib, lib.zeros(3, 5)))


def test_setitem_errors_are_pytorchs_words():
    ours, theirs = assert_same_error(lambda lib: lib.zeros(3).__setitem__(lib.tensor([3]), 1.0))
    assert str(theirs) == "index 3 is out of bounds for dimension 0 with size 3"
    assert str(ours).startswith(str(theirs))
    ours, theirs = assert_same_error(lambda lib: lib.zeros(3).__setitem__(lib.tensor([True, False]), 1.0))
    assert str(ours) == str(theirs)
    ours, theirs = assert_same_error(
        lambda lib: lib.zeros(3).__setitem__(lib.tensor([1]), lib.ones(1, dtype=lib.float64)))
    assert str(ours).startswith(str(theirs))


@pytest.mark.parametrize("key", ["int", "slice", "mask_with_0d_value"])
def test_setitem_converts_the_value_where_torch_copies(key):
    """Basic indexing copies (any dtype converts), and so does a bool mask with a 0-d value."""
    for lib in (torch, tinynn):
        x = lib.zeros(3)
        k = {"int": 1, "slice": slice(0, 2), "mask_with_0d_value": lib.tensor([True, False, True])}[key]
        v = lib.tensor(2.5, dtype=lib.float64) if key != "slice" else lib.tensor([2.5, 3.5], dtype=lib.float64)
        x[k] = v
        if lib is torch:
            expected = x.tolist()
    assert x.dtype is tinynn.float32 and x.tolist() == expected


GETITEM_ERRORS = {
    "index_tensor_out_of_range": lambda lib: lib.zeros(3)[lib.tensor([3])],
    "int_out_of_range": lambda lib: lib.zeros(3)[5],
    "second_dim_out_of_range": lambda lib: lib.zeros(2, 3)[:, lib.tensor([3])],
    "mask_of_wrong_size": lambda lib: lib.zeros(3)[lib.tensor([True, False])],
    "mask_after_ellipsis_of_wrong_size": lambda lib: lib.zeros(2, 3)[..., lib.tensor([True, False])],
    "too_many_indices": lambda lib: lib.zeros(3)[0, 0],
}


@pytest.mark.parametrize("name", sorted(GETITEM_ERRORS))
def test_getitem_error_matches_torch(name):
    assert_same_error(GETITEM_ERRORS[name])


# gather / scatter_add / masked ops / nonzero / index_select at the edges
EDGE_OP_CASES = {
    "gather_0d": lambda lib, x: x.sum().gather(0, idx(lib, x, 0)),
    "gather_0d_index_1d": lambda lib, x: lib.gather(x.sum(), 0, idx(lib, x, [0, 0])),
    "scatter_add_0d": lambda lib, x: x.sum().scatter_add(0, idx(lib, x, 0), x[0, 0]),
    "scatter_add_empty_index": lambda lib, x: x.scatter_add(0, lib.zeros(0, 4, dtype=lib.int64, device=x.device), x),
    "scatter_add_empty_1d_index": lambda lib, x: lib.scatter_add(x, 1, lib.tensor([], dtype=lib.int64, device=x.device), x[0]),
    "scatter_add_int32_index": lambda lib, x: x.scatter_add(0, lib.tensor([[2, 0, 1, 1]], dtype=lib.int32, device=x.device), x[:1]),
    "masked_fill_double_value": lambda lib, x: x.float().masked_fill(x > 0, x[0, 0].double()),
    "masked_fill_mask_broadcasts_larger": lambda lib, x: x[0].masked_fill(x > 0, 2.0),
    "masked_select_mask_broadcasts_larger": lambda lib, x: lib.masked_select(x[0], x > 0),
    "masked_select_column_mask": lambda lib, x: x[0].masked_select(idx(lib, x, [[True], [False], [True]])),
    "index_select_0d_input": lambda lib, x: x.sum().index_select(0, idx(lib, x, [0])),
    "index_add_0d": lambda lib, x: x.sum().index_add(0, idx(lib, x, [0]), x[0, 0]),
    "index_fill_0d": lambda lib, x: lib.index_fill(x.sum(), 0, idx(lib, x, 0), 1.5),
    "take_along_nonzero": lambda lib, x: x[(x > 0).nonzero(as_tuple=True)],
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(EDGE_OP_CASES))
def test_indexing_op_edge_case_matches_torch(name, dtype, device):
    # PyTorch's own backward fails for an empty index ("ScatterAddBackward0 returned an
    # invalid gradient"): compare the values only there
    grad = not name.startswith("scatter_add_empty")
    compare_with_torch(EDGE_OP_CASES[name], randn(3, 4), dtype=dtype, device=device, grad=grad)


@pytest.mark.parametrize("value", [0.5, 2.7, -1.5], ids=["half", "2.7", "negative"])
@pytest.mark.parametrize("as_tensor", [False, True], ids=["number", "0d_tensor"])
def test_masked_fill_keeps_self_dtype(value, as_tensor):
    """int64 filled with 0.5 stays int64 (the value is converted), as in PyTorch."""
    results = []
    for lib in (torch, tinynn):
        x = lib.arange(3)
        v = lib.tensor(value) if as_tensor else value
        out = x.masked_fill(lib.tensor([True, False, True]), v)
        results.append((str(out.dtype).split(".")[-1], out.tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("cond", [0.0, 5.0, True, False], ids=["zero", "nonzero", "true", "false"])
def test_nonzero_and_where_of_0d_condition(cond):
    """A 0-d condition counts as 1-D for as_tuple (and for where): one 1-D index tensor."""
    for fn in (lambda lib, c: c.nonzero(as_tuple=True), lambda lib, c: lib.where(c),
               lambda lib, c: lib.nonzero(c)):
        theirs, ours = fn(torch, torch.tensor(cond)), fn(tinynn, tinynn.tensor(cond))
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        ours = ours if isinstance(ours, tuple) else (ours,)
        assert [(list(t.shape), t.tolist(), str(t.dtype)) for t in theirs] == \
            [(list(t.shape), t.tolist(), str(t.dtype).replace("tinynn", "torch")) for t in ours]


INDEXING_OP_ERRORS = {
    "scatter_add_index_out_of_range": lambda lib: lib.zeros(3).scatter_add(0, lib.tensor([3]), lib.ones(1)),
    "scatter_add_negative_index": lambda lib: lib.zeros(3).scatter_add(0, lib.tensor([-1]), lib.ones(1)),
    "scatter_add_src_of_another_dtype": lambda lib: lib.zeros(3).scatter_add(
        0, lib.tensor([1]), lib.ones(1, dtype=lib.float64)),
    "scatter_add_empty_index_src_of_another_dtype": lambda lib: lib.zeros(3).scatter_add(
        0, lib.zeros(0, dtype=lib.int64), lib.ones(2, dtype=lib.float64)),
    "scatter_add_empty_index_dim_out_of_range": lambda lib: lib.zeros(3).scatter_add(
        3, lib.zeros(0, dtype=lib.int64), lib.ones(2)),
    "scatter_add_index_of_another_rank": lambda lib: lib.zeros(2, 3).scatter_add(
        0, lib.zeros(3, dtype=lib.int64), lib.ones(3)),
    "scatter_add_src_of_another_rank": lambda lib: lib.zeros(3).scatter_add(
        0, lib.zeros(2, dtype=lib.int64), lib.ones(1, 2)),
    "scatter_add_float_index": lambda lib: lib.zeros(3).scatter_add(0, lib.zeros(2), lib.ones(2)),
    "scatter_add_src_smaller_than_index": lambda lib: lib.zeros(3).scatter_add(
        0, lib.zeros(2, dtype=lib.int64), lib.ones(1)),
    "gather_0d_index_out_of_range": lambda lib: lib.tensor(3.).gather(0, lib.tensor(1)),
    "masked_fill_inf_into_int": lambda lib: lib.zeros(3, dtype=lib.int64).masked_fill(
        lib.ones(3, dtype=lib.bool), float("inf")),
    "masked_fill_too_large_for_int32": lambda lib: lib.zeros(3, dtype=lib.int32).masked_fill(
        lib.ones(3, dtype=lib.bool), 2 ** 40),
    "masked_select_int_mask": lambda lib: lib.arange(3.).masked_select(lib.tensor([1, 0, 1])),
    "masked_select_not_broadcastable": lambda lib: lib.arange(3.).masked_select(lib.tensor([True, False])),
    "index_select_list_index": lambda lib: lib.ones(3).index_select(0, [0]),
    "index_select_int_index": lambda lib: lib.ones(3).index_select(0, 0),
    "index_select_float_index": lambda lib: lib.ones(3).index_select(0, lib.tensor([0.])),
    "index_select_bool_index": lambda lib: lib.ones(3).index_select(0, lib.tensor([True])),
    "index_select_out_of_range": lambda lib: lib.ones(3).index_select(0, lib.tensor([3])),
    "index_add_list_index": lambda lib: lib.ones(3).index_add(0, [0], lib.ones(1)),
    "index_fill_int_index": lambda lib: lib.ones(3).index_fill(0, 0, 1.0),
}


@pytest.mark.parametrize("name", sorted(INDEXING_OP_ERRORS))
def test_indexing_op_error_matches_torch(name):
    assert_same_error(INDEXING_OP_ERRORS[name])


def test_index_select_type_error_names_the_argument():
    ours, theirs = assert_same_error(INDEXING_OP_ERRORS["index_select_list_index"])
    assert str(ours) == str(theirs)


# -- found by the differential suite (tests/differential) -------------------------------------
MORE_INDEXING_ERRORS = {
    "scatter_add_number_as_src": lambda lib: lib.zeros(3, 4).scatter_add(1, lib.tensor([[0, 1]]), 2.0),
    "setitem_inf_into_int": lambda lib: lib.zeros(3, 4, dtype=lib.int64).__setitem__(0, float("inf")),
    "setitem_nan_into_int_with_index": lambda lib: lib.zeros(3, dtype=lib.int64).__setitem__(
        lib.tensor([0]), float("nan")),
    "setitem_too_large_for_int32": lambda lib: lib.zeros(3, dtype=lib.int32).__setitem__(0, 2 ** 40),
    "masked_fill__mask_broadcasts_larger": lambda lib: lib.zeros(3).masked_fill_(
        lib.ones(2, 3, dtype=lib.bool), 0.5),
    "index_select_dim1_out_of_range": lambda lib: lib.ones(3, 4).index_select(1, lib.tensor([4])),
    "index_select_dim1_negative": lambda lib: lib.ones(2, 3, 4).index_select(1, lib.tensor([-1])),
    "index_select_dim2_out_of_range": lambda lib: lib.ones(2, 3, 4).index_select(2, lib.tensor([4])),
}


@pytest.mark.parametrize("name", sorted(MORE_INDEXING_ERRORS))
def test_more_indexing_errors_match_torch(name):
    assert_same_error(MORE_INDEXING_ERRORS[name])


@pytest.mark.parametrize("value", [2.5, -1.7, True])
def test_setitem_number_into_int_tensor_is_truncated_as_torch(value):
    for lib in (torch, tinynn):
        x = lib.zeros(3, dtype=lib.int64)
        x[1] = value
        if lib is torch:
            expected = x.tolist()
    assert x.tolist() == expected


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["scatter_value", "scatter_src", "scatter_add", "scatter_inplace"])
def test_scatter_with_empty_index_writes_nothing(name, dtype, device):
    """An empty index writes nothing, whatever its rank; an empty src gets an empty gradient."""
    fn = {
        "scatter_value": lambda lib, x, s: x.scatter(1, lib.zeros(0, dtype=lib.int64, device=x.device), 1.0),
        "scatter_src": lambda lib, x, s: lib.scatter(x, 1, lib.zeros(0, dtype=lib.int64, device=x.device), s),
        "scatter_add": lambda lib, x, s: x.scatter_add(1, lib.zeros(0, dtype=lib.int64, device=x.device), s),
        "scatter_inplace": lambda lib, x, s: (x * 1).scatter_(0, lib.zeros(0, 4, dtype=lib.int64,
                                                                           device=x.device), 2.0),
    }[name]
    compare_with_torch(fn, randn(3, 4), np.zeros(0), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_of_0d_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x, v: (x * 1).scatter(0, lib.tensor(0, device=x.device), v),
                       randn(), randn(seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_masked_fill_in_place_with_broadcast_mask_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x: (x * 1).masked_fill_(x[0] > 0, -2.0), randn(3, 4),
                       dtype=dtype, device=device)


# -- index_add, index_fill -------------------------------------------------------------------
INDEX_OPS = {
    "index_add_dim0": (lambda lib, x, s: x.index_add(0, lib.tensor([0, 2, 0]), s), (3, 4), (3, 4)),
    "index_add_dim1_alpha": (lambda lib, x, s: lib.index_add(x, 1, lib.tensor([3, 1]), s, alpha=-2.0),
                             (3, 4), (3, 2)),
    "index_add_int32_index": (lambda lib, x, s: x.index_add(-1, lib.tensor([1, 1], dtype=lib.int32), s),
                              (2, 3), (2, 2)),
    "index_add_empty_index": (lambda lib, x, s: x.index_add(0, lib.tensor([], dtype=lib.int64), s),
                              (2, 3), (0, 3)),
    "index_add_in_place": (lambda lib, x, s: (x * 1).index_add_(0, lib.tensor([1, 0]), s), (2, 3), (2, 3)),
    "index_fill": (lambda lib, x, s: x.index_fill(1, lib.tensor([0, 2]), -1.0) * s.sum(), (3, 4), (2,)),
    "index_fill_tensor_value": (lambda lib, x, s: lib.index_fill(x, 0, lib.tensor([1]), s.sum()), (3, 4), (2,)),
    "index_fill_in_place": (lambda lib, x, s: (x * 1).index_fill_(0, lib.tensor([0, 0]), 2.5) + s[0],
                            (3, 2), (2,)),
    "index_fill_0d_index": (lambda lib, x, s: x.index_fill(1, lib.tensor(1), 0.0) + s[0], (2, 3), (1,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(INDEX_OPS))
def test_index_add_and_index_fill_match_torch(name, dtype, device):
    fn, shape_x, shape_s = INDEX_OPS[name]
    compare_with_torch(fn, randn(*shape_x), randn(*shape_s, seed=1), dtype=dtype, device=device)


SHAPES_0D_1D_2D = [(), (1,), (2,), (3,), (2, 3), (1, 3), (3, 2), (2, 1)]


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("dim", [0, -1])
def test_index_add_source_shape_checks_match_torch(shape, dim):
    """Every source shape and index count: the same result, or the same exception type in
    PyTorch's order (the index count against source.size(dim), an IndexError for a 0-d
    source with several indices; then the shapes with dim left out, dims equal)."""
    for source_shape in SHAPES_0D_1D_2D:
        for n in (1, 2):
            def call(lib):
                return lib.zeros(shape, dtype=lib.float64).index_add(
                    dim, lib.zeros(n, dtype=lib.int64), lib.ones(source_shape, dtype=lib.float64))
            try:
                theirs = call(torch)
            except Exception:
                ours, theirs = assert_same_error(call)
                assert str(ours).startswith(str(theirs)), (ours, theirs)
                continue
            assert call(tinynn).tolist() == theirs.tolist()


def test_index_add_in_place_without_grad():
    for lib in (tinynn, torch):
        x = lib.zeros(3, 2)
        returned = x.index_add_(0, lib.tensor([0, 0, 2]), lib.ones(3, 2))
        assert returned is x and x.tolist() == [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]]
        x.index_fill_(1, lib.tensor([1]), 7)
        assert x.tolist() == [[2.0, 7.0], [0.0, 7.0], [1.0, 7.0]]


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1]), lib.ones(3, 2)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1.0]), lib.ones(2, 2)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 5]), lib.ones(2, 2)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1]), lib.ones(2, 3)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([[0, 1]]), lib.ones(2, 2)), IndexError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1]), lib.ones(2, 2, dtype=lib.float64)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_fill(0, lib.tensor([0, 5]), 2.0), IndexError),
    (lambda lib: lib.ones(3, 2).index_fill(0, lib.tensor([0.0]), 2.0), IndexError),
    (lambda lib: lib.ones(3, 2).index_fill(0, lib.tensor([0]), lib.tensor([2.0])), RuntimeError),
    (lambda lib: lib.ones(2, requires_grad=True).index_add_(0, lib.tensor([0]), lib.ones(1)), RuntimeError),
    (lambda lib: lib.ones(2, requires_grad=True).index_fill_(0, lib.tensor([0]), 1.0), RuntimeError),
    # a value that does not fit the dtype is reported before an index out of range
    # index_add out of range: RuntimeError only from the kernel for 2+ dims, alpha 1, int64 index
    (lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([-1], dtype=lib.int32), lib.ones(1, 4)), IndexError),
    (lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([-1]), lib.ones(1, 4), alpha=2), IndexError),
    (lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([-1]), lib.ones(1, 4)), RuntimeError),
    (lambda lib: lib.zeros(3, 4, dtype=lib.int64).index_fill(0, lib.tensor([3]), float("nan")), RuntimeError),
    # the dim and the index are checked before the value
    (lambda lib: lib.zeros(3, 4, dtype=lib.int64).index_fill(2, lib.tensor([0]), float("nan")), IndexError),
    (lambda lib: lib.zeros(3, 4, dtype=lib.int64).index_fill(0, lib.tensor([0.0]), float("nan")), IndexError),
    (lambda lib: lib.zeros(0, dtype=lib.int64).index_fill(0, lib.tensor([], dtype=lib.int64), 1e30), RuntimeError),
    # any index along a dim of size 0 (PyTorch's kernel refuses it)
    (lambda lib: lib.zeros(0, 3).index_fill(0, lib.tensor([0]), 1.0), RuntimeError),
    (lambda lib: lib.zeros(0).index_fill(0, lib.tensor(-1), 1.0), RuntimeError),
])
def test_index_add_and_index_fill_errors_match_torch(fn, error):
    for lib in (tinynn, torch):
        with pytest.raises(error):
            fn(lib)


# -- scatter and scatter_add -----------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_src_tensor_and_its_gradients(dtype, device):
    index = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    compare_with_torch(lambda lib, x, src, i: x.scatter(0, i, src),
                       randn(3, 5), randn(2, 4, seed=1), index, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_uses_the_first_index_shape_elements_of_a_larger_src(dtype, device):
    # values only: PyTorch 2.13's own backward fails for a src larger than the index
    compare_with_torch(lambda lib, x, src, i: x.scatter(0, i, src), randn(3, 5),
                       randn(2, 5, seed=1), np.array([[0, 1, 2, 0]]), dtype=dtype, device=device, grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_value_one_hot(dtype, device):
    labels = np.array([2, 0, 1])
    compare_with_torch(lambda lib, x, y: (x * lib.zeros(3, 4, dtype=x.dtype).scatter(1, y.unsqueeze(1), 1.0)),
                       randn(3, 4), labels, dtype=dtype, device=device)
    for lib in (tinynn, torch):  # the in-place form of the tutorials
        one_hot = lib.zeros(3, 4).scatter_(1, lib.tensor(labels).unsqueeze(1), 1.0)
        assert one_hot.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_in_place_records_the_gradient(dtype, device):
    def fn(lib, x, src):
        y = x * 2
        y.scatter_(1, lib.tensor([[1], [0]]), src)
        return y

    compare_with_torch(fn, randn(2, 3), randn(2, 1, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_add_in_place(dtype, device):
    def fn(lib, x, src):
        y = x + 0
        return y.scatter_add_(0, lib.tensor([0, 1, 0, 2]), src)

    compare_with_torch(fn, randn(3), randn(4, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_add_function_matches_torch(dtype, device):
    compare_with_torch(lambda lib, a, b: lib.scatter_add(a, 0, lib.tensor([[0, 1, 0], [2, 0, 1]]), b),
                       randn(3, 3), randn(2, 3, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.zeros(3).scatter(0, lib.tensor([0.0]), 1.0), RuntimeError),
    (lambda lib: lib.zeros(3).scatter(0, lib.tensor([5]), 1.0), RuntimeError),
    (lambda lib: lib.ones(2, requires_grad=True).scatter_(0, lib.tensor([0]), 1.0), RuntimeError),
])
def test_scatter_errors_match_torch(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(tinynn)


@pytest.mark.parametrize("self_shape, index_shape, src_shape", [
    ((3, 4), (1, 1), (1,)),       # src has fewer dims: PyTorch reads its missing size, IndexError
    ((3, 4), (2, 2), (3,)),       # the same, with index no larger than src along dim 0
    ((3, 4), (5, 1), (1,)),       # index larger than self: then src's rank is reported
    ((3, 4), (1, 1), (2, 4, 5)),  # src has more dims
    ((3, 4), (1, 1), ()),
    ((3, 4), (1, 1), (1, 0)),     # index larger than src
    ((3, 4), (1, 1, 1), (1,)),    # index's rank is checked first
    ((), (1, 1), (1,)),
])
@pytest.mark.parametrize("op", ["scatter", "scatter_add"])
def test_scatter_src_shape_errors_match_torch_in_type_and_order(op, self_shape, index_shape, src_shape):
    assert_same_error(lambda lib: getattr(lib.zeros(self_shape), op)(
        min(1, len(self_shape)), lib.zeros(index_shape, dtype=lib.int64), lib.ones(src_shape)))


@pytest.mark.parametrize("index_shape, src_shape", [((1,), (1,)), ((1,), ()), ((), (2,))])
def test_scatter_into_0d_counts_it_as_one_entry_like_torch(index_shape, src_shape):
    """A 0-d self is one entry along dim 0: an index of shape () or (1,) fits it, and a src
    is cut down to one entry. (The gradient of a src with more entries than a 0-d index is
    PyTorch's backward error: see "scatter / scatter_add with a src larger than index" on
    the deviations page.)"""
    def fn(lib, x, src):
        return (x * 1).scatter(0, lib.zeros(index_shape, dtype=lib.int64), src)

    compare_with_torch(fn, randn(), randn(*src_shape, seed=1), dtype="float64", grad=index_shape != ())


def test_nonzero_and_masked_select_of_integers_match_torch():
    """Integer inputs: integer results, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.nonzero(t > 2),
        lambda lib, t: lib.masked_select(t, t > 4),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


# -- misuse: PyTorch's exception types, no silent wrap-around of negative indices ------------
LIBS = (torch, tinynn)


def _assign_row(L, key, value):
    x = L.arange(12.0).reshape(3, 4)
    x[key] = value
    return x


INDEXING_MISUSES = {
    "string_index": lambda L: L.arange(12.0).reshape(3, 4)["a"],
    "assign_string": lambda L: _assign_row(L, 0, "a"),
    "assign_list": lambda L: _assign_row(L, 0, [1.0, 2.0, 3.0, 4.0]),
    "assign_numpy_array": lambda L: _assign_row(L, 0, np.ones(4)),
    "assign_tuple": lambda L: _assign_row(L, 0, (1, 2, 3, 4)),
    "gather_negative_index": lambda L: L.arange(12.0).reshape(3, 4).gather(1, L.tensor([[-1], [0], [0]])),
    "gather_index_too_large": lambda L: L.arange(12.0).reshape(3, 4).gather(1, L.tensor([[9], [0], [0]])),
    "gather_index_taller_than_input": lambda L: L.arange(12.0).reshape(3, 4).gather(1, L.zeros(4, 1, dtype=L.long)),
    "scatter_negative_index": lambda L: L.zeros(3, 4).scatter(1, L.tensor([[-1]]), 1.0),
    "scatter_index_larger_than_src": lambda L: L.zeros(3, 4).scatter(1, L.tensor([[0, 1]]), L.ones(1, 1)),
    "scatter_add_negative_index": lambda L: L.zeros(3, 4).scatter_add(1, L.tensor([[-1]]), L.ones(1, 1)),
    "scatter_add_index_too_large": lambda L: L.zeros(3, 4).scatter_add(1, L.tensor([[9]]), L.ones(1, 1)),
    "scatter_add_index_larger_than_src": lambda L: L.zeros(3, 4).scatter_add(1, L.tensor([[0, 1]]), L.ones(1, 1)),
    "index_select_negative_index": lambda L: L.zeros(3, 4).index_select(0, L.tensor([-1])),
    "index_add_negative_index": lambda L: L.zeros(3, 4).index_add(0, L.tensor([-1]), L.ones(1, 4)),
}


@pytest.mark.parametrize("case", sorted(INDEXING_MISUSES))
def test_indexing_misuse_raises_torchs_exception_type(case):
    ours, _ = assert_same_error(INDEXING_MISUSES[case])
    assert "numpy" not in str(ours) or "numpy.ndarray" in str(ours)


@pytest.mark.parametrize("value", [2.0, 3, True, np.float64(4.0), "zero_dim_tensor"])
def test_assigning_a_number_or_tensor_still_works(value):
    results = []
    for lib in LIBS:
        results.append(_assign_row(lib, 1, lib.tensor(5.0) if value == "zero_dim_tensor" else value))
    assert_close(results[1], results[0])


def test_index_fill_counts_negative_indices_from_the_end_as_in_torch():
    ours = tinynn.zeros(3, 4).index_fill(0, tinynn.tensor([-1]), 1.0)
    theirs = torch.zeros(3, 4).index_fill(0, torch.tensor([-1]), 1.0)
    assert_close(ours, theirs)


# -- index tensors: int8/int16 rejected, uint8 a deprecated mask -----------------------------
def _index(lib, dtype, where="rows"):
    x = lib.arange(12.0).reshape(3, 4)
    if where == "rows":
        return x[lib.tensor([1, 0, 1], dtype=getattr(lib, dtype))]
    if where == "columns":
        return x[:, lib.tensor([1, 0, 1, 1], dtype=getattr(lib, dtype))]
    y = x.clone()
    y[lib.tensor([1, 2], dtype=getattr(lib, dtype))] = lib.full((2, 4), -1.0)
    return y


@pytest.mark.parametrize("where", ["rows", "columns", "setitem"])
@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_int8_and_int16_index_tensors_raise_index_error(dtype, where):
    ours, _ = assert_same_error(lambda L: _index(L, dtype, where))
    assert isinstance(ours, IndexError)
    assert "tensors used as indices must be long, int, byte or bool tensors" in str(ours)
    assert dtype in str(ours)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_zero_dim_integer_index_matches_torch(dtype):
    """A 0-d index of any integer dtype is a position; a 0-d uint8 one a mask, as in PyTorch."""
    x = np.arange(12.0).reshape(3, 4)
    for value in (0, 1):
        theirs = torch.tensor(x)[torch.tensor(value, dtype=getattr(torch, dtype))]
        ours = tinynn.tensor(x)[tinynn.tensor(value, dtype=getattr(tinynn, dtype))]
        assert_close(ours, theirs)


@pytest.mark.parametrize("where", ["rows", "columns", "setitem", "numpy_array", "matrix_mask"])
def test_uint8_index_is_a_deprecated_mask(where):
    results = []
    for lib in LIBS:
        with pytest.warns(UserWarning, match=f"indexing with dtype {lib.__name__}.uint8 is now deprecated"):
            if where == "numpy_array":
                out = lib.arange(12.0).reshape(3, 4)[np.array([1, 0, 2], dtype=np.uint8)]
            elif where == "matrix_mask":
                mask = lib.tensor([[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=lib.uint8)
                out = lib.arange(12.0).reshape(3, 4)[mask]
            else:
                out = _index(lib, "uint8", where) if where != "setitem" else None
                if where == "setitem":
                    out = lib.arange(12.0).reshape(3, 4)
                    out[lib.tensor([1, 0, 1], dtype=lib.uint8)] = lib.full((2, 4), -1.0)
        results.append(out)
    assert_close(results[1], results[0])


@pytest.mark.parametrize("value", ["number", "scalar_tensor"])
def test_uint8_mask_fill_with_a_number_raises_like_torch(value):
    def fill(L):
        x = L.arange(12.0).reshape(3, 4)
        x[L.tensor([1, 0, 1], dtype=L.uint8)] = -1.0 if value == "number" else L.tensor(-1.0)
    ours, _ = assert_same_error(fill)
    assert "bool" in str(ours)


def test_uint8_mask_gradient_matches_torch():
    grads = []
    for lib in LIBS:
        x = lib.arange(12.0).reshape(3, 4).requires_grad_()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x[lib.tensor([1, 0, 1], dtype=lib.uint8)] * 2).sum().backward()
        grads.append(x.grad)
    assert_close(grads[1], grads[0])


@pytest.mark.parametrize("name, fn", [
    ("index_fill_2d_index", lambda lib: lib.ones(3, 4).index_fill(0, lib.zeros(1, 1, dtype=lib.int64), 1.)),
    ("index_fill_empty_3d_index", lambda lib: lib.ones(0, 2).index_fill(0, lib.zeros(1, 0, 2, dtype=lib.int64), 1.)),
    ("index_fill_0d_out_of_range", lambda lib: lib.tensor(1.).index_fill(0, lib.tensor([-2]), 1.)),
    ("index_add_0d_out_of_range", lambda lib: lib.tensor(1.).index_add(0, lib.tensor([-2]), lib.tensor(1.))),
    ("index_add_1d_negative", lambda lib: lib.ones(3).index_add(0, lib.tensor([-1]), lib.ones(1))),
    ("index_add_2d_out_of_range", lambda lib: lib.ones(3, 4).index_add(1, lib.tensor([4]), lib.ones(3, 1))),
    ("index_add_2d_index", lambda lib: lib.ones(3).index_add(0, lib.zeros(1, 1, dtype=lib.int64), lib.ones(1))),
    ("scatter_0d_out_of_range", lambda lib: lib.tensor(1.).scatter(0, lib.tensor(-2), 1.)),
    ("gather_0d_negative", lambda lib: lib.tensor(1.).gather(0, lib.tensor(-1))),
])
def test_index_op_range_errors_match_torch(name, fn):
    assert_same_error(fn)


@pytest.mark.parametrize("name, fn", [
    ("index_select_dim_before_index", lambda lib: lib.ones(3, 4).index_select(5, lib.zeros(1, 1, dtype=lib.int64))),
    ("index_select_from_empty_dim", lambda lib: lib.ones(0, 3).index_select(0, lib.tensor([5]))),
    ("index_add_dim_before_dtype", lambda lib: lib.ones(3, 4).index_add(5, lib.zeros(1, dtype=lib.int16), lib.ones(1))),
    ("index_fill_dtype_before_dim", lambda lib: lib.ones(3, 4).index_fill(5, lib.zeros(1, dtype=lib.int16), 1.)),
    ("index_fill_dim_before_rank", lambda lib: lib.tensor(False).index_fill(1, lib.zeros(1, 1, 0, dtype=lib.int64), 1)),
    ("masked_fill_int_with_value_requiring_grad", lambda lib: lib.ones(3, dtype=lib.int64).masked_fill(
        lib.tensor([True, False, True]), lib.tensor(0., dtype=lib.float64, requires_grad=True))),
    ("repeat_interleave_0d_dim_out_of_range", lambda lib: lib.tensor(True).repeat_interleave(lib.tensor(-6), dim=1)),
])
def test_checks_in_torchs_order(name, fn):
    assert_same_error(fn)


@pytest.mark.parametrize("name, fn", [
    ("index_add_into_empty", lambda lib: lib.ones(0, 3).index_add(0, lib.tensor([5]), lib.ones(1, 3))),
    ("index_fill_of_empty", lambda lib: lib.ones(2, 0).index_fill(0, lib.tensor([5]), 1.)),
])
def test_index_ops_on_empty_tensors_do_not_check_the_index(name, fn):
    for lib in (torch, tinynn):
        out = fn(lib)
        assert list(out.shape) == list(fn(torch).shape) and out.numel() == 0


@pytest.mark.parametrize("name, fn", [
    ("masked_fill_int_with_inf_tensor", lambda lib: lib.zeros(2, 3, dtype=lib.int32).masked_fill(
        lib.ones(2, 3, dtype=lib.bool), lib.tensor(float("-inf"), dtype=lib.float64))),
    ("index_fill_value_rank_before_index", lambda lib: lib.tensor(0.5).index_fill(
        0, lib.tensor([4, 5]), lib.ones(1, 2, 0))),
    ("index_select_index_rank_before_dtype", lambda lib: lib.ones(0, 0, 0).index_select(0, lib.ones(0, 0, 0))),
    ("scatter_float_index_with_inf", lambda lib: lib.zeros(3, 4).scatter(
        1, lib.tensor([[0.5, float("inf")]]), lib.ones(1, 2))),
    ("stack_dim_checked_before_shapes", lambda lib: lib.stack([lib.tensor(1.), lib.ones(0, 3, 1)], 1)),
])
def test_more_checks_in_torchs_order(name, fn):
    assert_same_error(fn)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gather_with_empty_index_keeps_the_graph(dtype, device):
    compare_with_torch(lambda lib, x: x.gather(1, lib.zeros(3, 0, dtype=lib.int64, device=x.device)),
                       randn(3, 4), dtype=dtype, device=device)


def test_scatter_with_empty_index_of_any_dtype_writes_nothing():
    for lib in (torch, tinynn):
        out = lib.ones(3, 4).scatter(1, lib.zeros(3, 0, dtype=lib.bool), lib.zeros(3, 0))
        assert out.tolist() == [[1.0] * 4] * 3


@pytest.mark.parametrize("name, fn", [
    ("index_add_source_dtype_before_range", lambda lib: lib.tensor(2).index_add(
        0, lib.tensor([-3]), lib.tensor(1., dtype=lib.float64))),
    ("index_add_with_alpha_out_of_range", lambda lib: lib.ones(3, 4, dtype=lib.int64).index_add(
        1, lib.tensor([-3]), lib.ones(3, 1, dtype=lib.int64), alpha=2)),
    ("index_add_out_of_range", lambda lib: lib.ones(3, 4).index_add(1, lib.tensor([4]), lib.ones(3, 1))),
])
def test_index_add_errors_match_torch(name, fn):
    assert_same_error(fn)


def test_scatter_with_empty_index_still_checks_the_src_dtype():
    assert_same_error(lambda lib: lib.ones(3, 4).scatter_(1, lib.zeros(3, 0, dtype=lib.int64),
                                                          lib.zeros(3, 0, dtype=lib.bool)))


def test_masked_fill_in_place_of_bool_accepts_a_value_requiring_grad():
    for lib in (torch, tinynn):
        x = lib.tensor([True, False, True])
        x.masked_fill_(lib.tensor([False, True, False]), lib.tensor(1.0, requires_grad=True))
        assert x.tolist() == [True, True, True]


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int64", "float16", "float32"])
@pytest.mark.parametrize("value", [-1, -255, -256, 255, 1.5, -1.0, 2 ** 63, 2 ** 64, 65510.0, 1.19677734])
def test_masked_fill_converts_the_value_as_torch(dtype, value):
    """A fill value is converted as PyTorch converts it: negative ints wrap around into an
    unsigned type down to minus its largest value, a double becomes float16 by way of
    float32, and what does not fit raises PyTorch's exception type."""
    results = []
    for lib in (torch, tinynn):
        x = lib.zeros(2, dtype=getattr(lib, dtype))
        try:
            results.append(x.masked_fill(lib.tensor([True, False]), value)[0].item())
        except (RuntimeError, OverflowError) as error:
            results.append(type(error))
    assert results[1] == results[0]


def test_gather_of_a_1d_input_at_a_0d_index_is_0d_like_torch():
    """PyTorch counts a 0-d tensor as one dim here (its ensure_nonempty_dim), both ways."""
    for index in (1, 0):
        compare_with_torch(lambda lib, x: lib.gather(x, 0, lib.tensor(index)), np.array([0.5, -2.0]), dtype="float64")
    compare_with_torch(lambda lib, x: lib.gather(x, -1, lib.tensor(1)), np.array([0.5, -2.0]), dtype="float64")
    assert_same_error(lambda lib: lib.gather(lib.tensor([0.5, -2.0]), 0, lib.tensor(5)))
