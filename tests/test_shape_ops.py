"""Shape ops (view, reshape, permute, expand, cat, split, ...): forward and gradient vs PyTorch.

Every case runs one lambda in tinynn and in PyTorch on the same numpy input
(``compare_with_torch``), then back-propagates the same random gradient through both and
compares the input gradients. Shapes include 0-d and empty tensors.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from helpers import assert_same_error, randn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


# name: (fn(lib, x), input shape)
UNARY_CASES = {
    "view": (lambda lib, x: x.view(3, 4), (2, 6)),
    "view_tuple": (lambda lib, x: x.view((4, 3)), (2, 6)),
    "view_infer": (lambda lib, x: x.view(-1, 2), (2, 6)),
    "view_flat": (lambda lib, x: x.view(-1), (2, 3, 2)),
    "view_0d_to_1": (lambda lib, x: x.view(1), ()),
    "view_1_to_0d": (lambda lib, x: x.view(()), (1,)),
    "view_empty": (lambda lib, x: x.view(3, 0, 2), (2, 0, 3)),
    "view_as": (lambda lib, x: x.view_as(lib.zeros(6, 2)), (3, 4)),
    "view_of_slice_rows": (lambda lib, x: x[1:3].view(-1), (4, 3)),
    "reshape": (lambda lib, x: x.reshape(4, 3), (2, 6)),
    "reshape_infer": (lambda lib, x: x.reshape(2, -1, 3), (2, 6)),
    "reshape_non_contiguous": (lambda lib, x: x.t().reshape(-1), (3, 4)),
    "reshape_same": (lambda lib, x: x.reshape(3, 4), (3, 4)),
    "reshape_0d": (lambda lib, x: x.reshape(1, 1), ()),
    "reshape_empty": (lambda lib, x: x.reshape(0, 6), (2, 0, 3)),
    "reshape_as": (lambda lib, x: x.reshape_as(lib.zeros(2, 6)), (3, 4)),
    "contiguous": (lambda lib, x: x.t().contiguous(), (3, 4)),
    "contiguous_then_view": (lambda lib, x: x.transpose(0, 1).contiguous().view(-1), (2, 3, 2)),
    "permute": (lambda lib, x: x.permute(2, 0, 1), (2, 3, 4)),
    "permute_tuple": (lambda lib, x: x.permute((1, 2, 0)), (2, 3, 4)),
    "permute_negative": (lambda lib, x: x.permute(-1, 0, -2), (2, 3, 4)),
    "permute_empty": (lambda lib, x: x.permute(2, 1, 0), (2, 0, 3)),
    "permute_0d": (lambda lib, x: x.permute(()), ()),
    "transpose": (lambda lib, x: x.transpose(0, 1), (3, 4)),
    "transpose_negative": (lambda lib, x: x.transpose(-1, -3), (2, 3, 4)),
    "transpose_same_dim": (lambda lib, x: x.transpose(1, 1), (2, 3)),
    "transpose_function": (lambda lib, x: lib.transpose(x, 0, 2), (2, 3, 4)),
    "t": (lambda lib, x: x.t(), (3, 4)),
    "t_vector": (lambda lib, x: x.t(), (5,)),
    "t_0d": (lambda lib, x: x.t(), ()),
    "T_matrix": (lambda lib, x: x.T, (3, 4)),
    "mT": (lambda lib, x: x.mT, (2, 3, 4)),
    "flatten": (lambda lib, x: x.flatten(), (2, 3, 4)),
    "flatten_start": (lambda lib, x: x.flatten(1), (2, 3, 4)),
    "flatten_range": (lambda lib, x: x.flatten(0, 1), (2, 3, 4)),
    "flatten_negative": (lambda lib, x: x.flatten(-2, -1), (2, 3, 4)),
    "flatten_0d": (lambda lib, x: x.flatten(), ()),
    "flatten_empty": (lambda lib, x: x.flatten(1), (2, 0, 3)),
    "flatten_transposed": (lambda lib, x: x.transpose(0, 2).flatten(), (2, 3, 4)),
    "flatten_function": (lambda lib, x: lib.flatten(x, 1), (2, 3, 4)),
    "unflatten": (lambda lib, x: x.unflatten(1, (2, 3)), (4, 6)),
    "squeeze_all": (lambda lib, x: x.squeeze(), (1, 3, 1, 2)),
    "squeeze_dim": (lambda lib, x: x.squeeze(2), (1, 3, 1, 2)),
    "squeeze_dim_not_one": (lambda lib, x: x.squeeze(1), (1, 3, 1, 2)),
    "squeeze_negative": (lambda lib, x: x.squeeze(-2), (1, 3, 1, 2)),
    "squeeze_tuple": (lambda lib, x: x.squeeze((0, 2)), (1, 3, 1, 2)),
    "squeeze_0d": (lambda lib, x: x.squeeze(), ()),
    "squeeze_to_0d": (lambda lib, x: x.squeeze(), (1, 1)),
    "squeeze_empty": (lambda lib, x: x.squeeze(), (1, 0, 3)),
    "unsqueeze_front": (lambda lib, x: x.unsqueeze(0), (2, 3)),
    "unsqueeze_middle": (lambda lib, x: x.unsqueeze(1), (2, 3)),
    "unsqueeze_end": (lambda lib, x: x.unsqueeze(-1), (2, 3)),
    "unsqueeze_negative": (lambda lib, x: x.unsqueeze(-3), (2, 3)),
    "unsqueeze_0d": (lambda lib, x: x.unsqueeze(0), ()),
    "unsqueeze_function": (lambda lib, x: lib.unsqueeze(x, 2), (2, 3)),
    "expand": (lambda lib, x: x.expand(3, 4), (3, 1)),
    "expand_new_dims": (lambda lib, x: x.expand(2, 3, 4), (3, 1)),
    "expand_minus_one": (lambda lib, x: x.expand(-1, 5), (3, 1)),
    "expand_tuple": (lambda lib, x: x.expand((2, 4)), (1, 4)),
    "expand_0d": (lambda lib, x: x.expand(2, 3), ()),
    "expand_same": (lambda lib, x: x.expand(3, 4), (3, 4)),
    "expand_to_empty": (lambda lib, x: x.expand(0, 3), (1, 3)),
    "expand_as": (lambda lib, x: x.expand_as(lib.zeros(2, 3)), (3,)),
    "expand_then_reduce": (lambda lib, x: x.expand(4, 3) * lib.arange(12.0).reshape(4, 3).to(x.dtype), (3,)),
    "repeat": (lambda lib, x: x.repeat(2, 3), (2, 2)),
    "repeat_new_dims": (lambda lib, x: x.repeat(2, 1, 3), (2, 2)),
    "narrow": (lambda lib, x: x.narrow(1, 1, 2), (3, 4)),
    "unbind": (lambda lib, x: x.unbind(1), (2, 3)),
    "unbind_function": (lambda lib, x: lib.unbind(x), (3, 2)),
    "chunk_even": (lambda lib, x: x.chunk(2), (4, 3)),
    "chunk_uneven": (lambda lib, x: x.chunk(3, dim=1), (2, 5)),
    "chunk_more_than_size": (lambda lib, x: x.chunk(5), (3, 2)),
    "chunk_function": (lambda lib, x: lib.chunk(x, 2, 1), (2, 4)),
    "chunk_negative_dim": (lambda lib, x: x.chunk(2, -1), (2, 4)),
    "split_size": (lambda lib, x: x.split(2), (5, 3)),
    "split_sections": (lambda lib, x: x.split([1, 3, 1], dim=0), (5, 3)),
    "split_dim1": (lambda lib, x: x.split(2, dim=1), (2, 5)),
    "split_function": (lambda lib, x: lib.split(x, [2, 1], 1), (2, 3)),
    "split_with_zero_section": (lambda lib, x: x.split([0, 3]), (3, 2)),
    "split_empty": (lambda lib, x: x.split(2, dim=2), (2, 0, 3)),
    "view_then_permute_then_reshape": (lambda lib, x: x.view(2, 3, 2).permute(1, 2, 0).reshape(3, 4), (12,)),
    "clone": (lambda lib, x: x.clone() * 2, (2, 3)),
    "sum_to_size": (lambda lib, x: x.sum_to_size(1, 3), (4, 3)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY_CASES))
def test_shape_op_matches_torch(name, dtype, device):
    fn, shape = UNARY_CASES[name]
    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


# name: (fn(lib, *xs), input shapes)
MULTI_CASES = {
    "cat_dim0": (lambda lib, a, b: lib.cat([a, b]), [(2, 3), (4, 3)]),
    "cat_dim1": (lambda lib, a, b: lib.cat([a, b], dim=1), [(2, 3), (2, 1)]),
    "cat_negative_dim": (lambda lib, a, b: lib.cat((a, b), -1), [(2, 2, 3), (2, 2, 2)]),
    "cat_three": (lambda lib, a, b, c: lib.cat([a, b, c], 0), [(1, 2), (2, 2), (3, 2)]),
    "cat_one": (lambda lib, a: lib.cat([a]), [(2, 2)]),
    "cat_with_empty": (lambda lib, a, b: lib.cat([a, b]), [(2, 3), (0, 3)]),
    "cat_1d": (lambda lib, a, b: lib.cat([a, b]), [(3,), (2,)]),
    "cat_same_tensor_twice": (lambda lib, a: lib.cat([a, a * 2], 1), [(2, 2)]),
    "concat_alias": (lambda lib, a, b: lib.concat([a, b], 1), [(2, 1), (2, 2)]),
    "stack_dim0": (lambda lib, a, b: lib.stack([a, b]), [(2, 3), (2, 3)]),
    "stack_dim1": (lambda lib, a, b: lib.stack([a, b], dim=1), [(2, 3), (2, 3)]),
    "stack_last": (lambda lib, a, b, c: lib.stack([a, b, c], -1), [(2, 3), (2, 3), (2, 3)]),
    "stack_0d": (lambda lib, a, b: lib.stack([a, b]), [(), ()]),
    "stack_empty": (lambda lib, a, b: lib.stack([a, b], 1), [(2, 0), (2, 0)]),
    "stack_then_split": (lambda lib, a, b: lib.stack([a, b]).split(1), [(3,), (3,)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(MULTI_CASES))
def test_join_op_matches_torch(name, dtype, device):
    fn, shapes = MULTI_CASES[name]
    inputs = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    compare_with_torch(fn, *inputs, dtype=dtype, device=device)


@pytest.mark.parametrize("name", ["cat", "stack"])
def test_join_of_int_and_float_promotes(name, device):
    def fn(lib, a):
        ints = lib.tensor([[1, 2, 3]]) if lib is tinynn else lib.tensor([[1, 2, 3]], device=a.device)
        return getattr(lib, name)([a, ints])

    compare_with_torch(fn, randn(1, 3), device=device)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_stack_is_one_node_named_as_in_pytorch_and_differentiable_twice(dim):
    """``stack`` records one ``StackBackward0`` node (not an unsqueeze per input and a cat);
    its backward is one unbind of the gradient, itself differentiable: the first and second
    derivatives through a stack of unbound rows, weighted by x, match PyTorch's."""
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(randn(3, 4), dtype=lib.float64, requires_grad=True)
        y = lib.stack([row * row for row in x.unbind(0)], dim)
        grad, = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        second, = lib.autograd.grad((grad * x).sum(), x)
        results.append((type(y.grad_fn).__name__, grad.detach().numpy(), second.numpy()))
    assert results[1][0] == results[0][0] == "StackBackward0"
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12, atol=0)
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-12, atol=0)


@pytest.mark.parametrize("dims", [(0,), (1, 2), (-1, 0)], ids=str)
def test_flip_is_one_node_named_as_in_pytorch_and_differentiable_twice(dims):
    """``flip`` records one ``FlipBackward0`` node (not an index gather, whose backward
    scatters), returns fresh memory with the strides of PyTorch's (those of the transposed
    input), and its first and second derivatives match PyTorch's."""
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(randn(4, 3, 2), dtype=lib.float64, requires_grad=True)
        y = x.transpose(0, 2).flip(dims)
        grad, = lib.autograd.grad((y * y * y).sum(), x, create_graph=True)
        second, = lib.autograd.grad((grad * x).sum(), x)
        results.append((type(y.grad_fn).__name__, y.stride(), y.detach().numpy(),
                        grad.detach().numpy(), second.numpy()))
    assert results[1][:2] == results[0][:2] and results[0][0] == "FlipBackward0"
    for ours, theirs in zip(results[1][2:], results[0][2:]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("keepdim", [False, True])
def test_argmax_of_a_tensor_that_requires_grad_records_nothing_and_matches_torch(name, keepdim):
    """The indices have no gradient: no node is recorded (PyTorch records none either), and
    they are the first of tied values, a nan counting as the largest and the smallest."""
    x = np.array([[1.0, 3.0, 3.0, -2.0], [np.nan, 0.0, np.nan, 5.0], [-1.0, -1.0, -4.0, -4.0]], np.float32)
    for dim in (0, 1, -1):
        ours = getattr(tinynn.tensor(x, requires_grad=True), name)(dim, keepdim)
        theirs = getattr(torch.tensor(x, requires_grad=True), name)(dim, keepdim)
        assert ours.grad_fn is None and not ours.requires_grad and ours.dtype == tinynn.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert tinynn.tensor(2.0, requires_grad=True).argmax(0, keepdim).shape == ()


def test_chunk_count_matches_torch():
    import torch

    for size in range(0, 9):
        for chunks in range(1, 6):
            ours = [tuple(c.shape) for c in tinynn.zeros(size, 2).chunk(chunks)]
            theirs = [tuple(c.shape) for c in torch.zeros(size, 2).chunk(chunks)]
            assert ours == theirs, (size, chunks)


def test_split_sizes_match_torch():
    import torch

    for size in range(0, 8):
        for step in range(1, 5):
            ours = [tuple(c.shape) for c in tinynn.zeros(size).split(step)]
            theirs = [tuple(c.shape) for c in torch.zeros(size).split(step)]
            assert ours == theirs, (size, step)


# -- which ops are views (share memory), as in PyTorch -------------------------------------
VIEW_OPS = {
    "view": lambda x: x.view(6),
    "reshape_contiguous": lambda x: x.reshape(3, 2),
    "permute": lambda x: x.permute(1, 0),
    "transpose": lambda x: x.transpose(0, 1),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "expand": lambda x: x[:1].expand(4, 3),
    "squeeze": lambda x: x.unsqueeze(0).squeeze(0),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "flatten": lambda x: x.flatten(),
    "narrow": lambda x: x.narrow(1, 0, 2),
    "split": lambda x: x.split(1)[1],
    "chunk": lambda x: x.chunk(2, 1)[0],
    "unbind": lambda x: x.unbind(0)[0],
    "detach": lambda x: x.detach(),
    "slice": lambda x: x[:, 1:],
    "contiguous_of_contiguous": lambda x: x.contiguous(),
}


@pytest.mark.parametrize("name", sorted(VIEW_OPS))
def test_view_op_shares_memory(name):
    import torch

    base_ours, base_theirs = tinynn.zeros(2, 3), torch.zeros(2, 3)
    view_ours, view_theirs = VIEW_OPS[name](base_ours), VIEW_OPS[name](base_theirs)
    view_ours.fill_(1.0)
    view_theirs.fill_(1.0)
    assert base_ours.tolist() == base_theirs.tolist()
    assert base_ours.sum().item() > 0


COPY_OPS = {
    "reshape_non_contiguous": lambda x: x.t().reshape(6),
    "contiguous_of_transposed": lambda x: x.t().contiguous(),
    "clone": lambda x: x.clone(),
    "cat": lambda x: tinynn.cat([x, x]) if isinstance(x, tinynn.Tensor) else __import__("torch").cat([x, x]),
    "repeat": lambda x: x.repeat(2, 1),
    "flatten_transposed": lambda x: x.t().flatten(),
}


@pytest.mark.parametrize("name", sorted(COPY_OPS))
def test_copying_op_does_not_share_memory(name):
    base = tinynn.zeros(2, 3)
    COPY_OPS[name](base).fill_(1.0)
    assert base.sum().item() == 0.0


def test_contiguous_returns_self_when_contiguous():
    x = tinynn.zeros(2, 3)
    assert x.contiguous() is x


# A shape op that changes nothing: PyTorch returns the input itself for some (flatten of
# one dimension, contiguous of a contiguous tensor) and a new view for the others; which
# one is visible (``y is x``, ``y.requires_grad_()``, hooks and ``retain_grad`` on y).
NO_CHANGE_CASES = {
    "reshape_same": (lambda lib, x: x.reshape(2, 3), (2, 3)),
    "reshape_as_itself": (lambda lib, x: x.reshape_as(x), (2, 3)),
    "view_same": (lambda lib, x: x.view(2, 3), (2, 3)),
    "expand_same": (lambda lib, x: x.expand(2, 3), (2, 3)),
    "expand_minus_ones": (lambda lib, x: x.expand(-1, -1), (2, 3)),
    "expand_as_itself": (lambda lib, x: x.expand_as(x), (2, 3)),
    "t_of_1d": (lambda lib, x: x.t(), (3,)),
    "t_of_0d": (lambda lib, x: x.t(), ()),
    "squeeze_nothing": (lambda lib, x: x.squeeze(), (2, 3)),
    "squeeze_dim_not_1": (lambda lib, x: x.squeeze(0), (3,)),
    "flatten_1d": (lambda lib, x: x.flatten(), (3,)),
    "flatten_one_dim": (lambda lib, x: x.flatten(1), (2, 3)),
    "nn_flatten_2d": (lambda lib, x: lib.nn.Flatten()(x), (2, 3)),
    "flatten_0d": (lambda lib, x: x.flatten(), ()),
    "contiguous_of_contiguous": (lambda lib, x: x.contiguous(), (2, 3)),
    "permute_identity": (lambda lib, x: x.permute(0, 1), (2, 3)),
}


@pytest.mark.parametrize("name", NO_CHANGE_CASES)
def test_shape_op_that_changes_nothing_returns_what_torch_returns(name):
    fn, shape = NO_CHANGE_CASES[name]
    results = []
    for lib in (torch, tinynn):
        x = lib.ones(shape, requires_grad=True) * 2  # a non-leaf, as in a model
        y = fn(lib, x)
        results.append((y is x, y.requires_grad, tuple(y.shape)))
    assert results[1] == results[0], f"(is the input, requires_grad, shape): tinynn {results[1]}, torch {results[0]}"


def test_requires_grad_on_a_same_shape_reshape_of_a_leaf_leaves_the_leaf_alone():
    for lib in (torch, tinynn):
        x = lib.ones(2, 3)
        x.reshape(2, 3).requires_grad_()
        assert not x.requires_grad, lib.__name__


def test_transposed_is_not_contiguous_and_contiguous_copy_is():
    x = tinynn.zeros(2, 3).t()
    assert not x.is_contiguous()
    y = x.contiguous()
    assert y.is_contiguous() and y is not x and y.stride() == (2, 1)


def test_view_of_expanded_with_size_one_dims():
    import torch

    ours = tinynn.zeros(3, 1).expand(3, 4).view(3, 1, 4)
    theirs = torch.zeros(3, 1).expand(3, 4).view(3, 1, 4)
    assert ours.stride() == theirs.stride()


# -- issue 20: PyTorch's results and errors at the edges (0-d inputs, repeated dims, ...) ------
EDGE_CASES = {
    "squeeze_empty_dims": (lambda lib, x: x.squeeze(dim=()), (2, 1, 3)),
    "squeeze_function_empty_dims": (lambda lib, x: lib.squeeze(x, ()), (2, 1, 3)),
    "squeeze_0d_dim0": (lambda lib, x: x.squeeze(0), ()),
    "squeeze_0d_empty_dims": (lambda lib, x: x.squeeze(()), ()),
    "transpose_0d": (lambda lib, x: x.transpose(0, -1), ()),
    "transpose_function_1d": (lambda lib, x: lib.transpose(x, 0, -1), (3,)),
    "swapaxes": (lambda lib, x: lib.swapaxes(x, 0, 2), (2, 3, 4)),
    "swapdims": (lambda lib, x: lib.swapdims(x, 1, -1), (2, 3, 4)),
    "permute_1d": (lambda lib, x: x.permute(0), (3,)),
    "permute_0d_empty_tuple": (lambda lib, x: x.permute(()), ()),
    "permute_function": (lambda lib, x: lib.permute(x, (2, 0, 1)), (2, 3, 4)),
    "expand_0d": (lambda lib, x: x.expand(()), ()),
    "mT": (lambda lib, x: x.mT, (2, 3, 4)),
    "movedim_0d": (lambda lib, x: x.movedim(-1, 0), ()),
    "movedim_0d_tuples": (lambda lib, x: lib.movedim(x, (0,), (0,)), ()),
    "moveaxis_function": (lambda lib, x: lib.moveaxis(x, (0, 1), (2, 0)), (2, 3, 4)),
    "index_select_0d": (lambda lib, x: x.index_select(0, lib.tensor([0], device=x.device)), ()),
    "index_select_0d_index_0d": (lambda lib, x: x.index_select(-1, lib.tensor(0, device=x.device)), ()),
    "index_select_index_0d": (lambda lib, x: x.index_select(0, lib.tensor(1, device=x.device)), (3, 2)),
    "flatten_0d": (lambda lib, x: x.flatten(0, -1), ()),
    "unflatten_function": (lambda lib, x: lib.unflatten(x, 1, (2, -1)), (3, 6)),
    "roll_0d_no_dims": (lambda lib, x: x.roll(1), ()),
    "roll_empty_dims": (lambda lib, x: x.roll(1, ()), (2, 3)),
    "roll_function": (lambda lib, x: lib.roll(x, (1, -1), (0, 1)), (2, 3)),
    "flip_empty_dims": (lambda lib, x: x.flip(()), (2, 3)),
    "flip_0d": (lambda lib, x: x.flip(0), ()),
    "tile_0d": (lambda lib, x: lib.tile(x, (2, 3)), ()),
    "diagonal_function": (lambda lib, x: lib.diagonal(x, 1, 0, 2), (3, 2, 4)),
    "trace_function": (lambda lib, x: lib.trace(x), (3, 4)),
    "tril_function": (lambda lib, x: lib.tril(x, -1), (2, 3, 4)),
    "triu_function": (lambda lib, x: lib.triu(x, 1), (3, 4)),
    "narrow_negative_start": (lambda lib, x: lib.narrow(x, 1, -2, 2), (2, 5)),
    "unbind_function": (lambda lib, x: lib.unbind(x, 1), (2, 3, 2)),
    "unbind_empty": (lambda lib, x: x.unbind(1), (2, 0)),
    "unbind_some_used": (lambda lib, x: x.unbind()[1] * 2, (4, 3)),
    "split_some_used": (lambda lib, x: x.split(2)[1].exp(), (5, 3)),
    "clone_function": (lambda lib, x: lib.clone(x), (2, 3)),
    "reshape_function": (lambda lib, x: lib.reshape(x, (3, -1)), (2, 3)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_case_matches_torch(name, dtype, device):
    fn, shape = EDGE_CASES[name]
    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


ERROR_CASES = {
    # 0-d tensors: PyTorch's error, not "tuple index out of range"
    "narrow_0d": lambda lib: lib.tensor(3.).narrow(0, 0, 1),
    "split_0d": lambda lib: lib.tensor(3.).split(1),
    "split_sections_0d": lambda lib: lib.split(lib.tensor(3.), [1]),
    "chunk_0d": lambda lib: lib.tensor(3.).chunk(1),
    "unbind_0d": lambda lib: lib.tensor(3.).unbind(),
    "unbind_0d_dim_out_of_range": lambda lib: lib.tensor(3.).unbind(5),
    "index_select_0d_two_entries": lambda lib: lib.tensor(3.).index_select(0, lib.tensor([0, 0])),
    "index_select_0d_empty": lambda lib: lib.tensor(3.).index_select(0, lib.tensor([], dtype=lib.int64)),
    "index_select_0d_out_of_range": lambda lib: lib.tensor(3.).index_select(0, lib.tensor([1])),
    "index_select_0d_negative": lambda lib: lib.tensor(3.).index_select(0, lib.tensor([-1])),
    "index_select_0d_dim": lambda lib: lib.tensor(3.).index_select(1, lib.tensor([0])),
    "movedim_0d_dim": lambda lib: lib.tensor(3.).movedim(0, 1),
    "unflatten_0d": lambda lib: lib.tensor(3.).unflatten(0, (1,)),
    "unflatten_empty_sizes": lambda lib: lib.ones(6).unflatten(0, ()),
    "tril_0d": lambda lib: lib.tensor(3.).tril(),
    "triu_1d": lambda lib: lib.ones(3).triu(),
    "diagonal_0d": lambda lib: lib.tensor(3.).diagonal(),
    "roll_0d_dim": lambda lib: lib.tensor(3.).roll(1, 0),
    "roll_shifts_without_dims": lambda lib: lib.arange(3.).roll((1, 2)),
    "flatten_0d_dim": lambda lib: lib.tensor(3.).flatten(1),
    "transpose_0d_dim_1": lambda lib: lib.tensor(3.).transpose(0, 1),
    # sizes that numpy's reshape would take and PyTorch refuses, and sizes that are not ints
    "view_size_minus_two": lambda lib: lib.ones(6).view(-2, 3),
    "reshape_size_minus_three": lambda lib: lib.ones(6).reshape(-3),
    "view_of_a_transposed_size_minus_two": lambda lib: lib.ones(2, 3).t().view(-2),
    "reshape_bool_size": lambda lib: lib.ones(6).reshape((True, 6)),
    "view_float_size": lambda lib: lib.ones(6).view(6.0),
    "reshape_float_size": lambda lib: lib.ones(6).reshape((2.0, 3)),
    "reshape_function_float_size": lambda lib: lib.reshape(lib.ones(6), (6.0,)),
    # no sizes at all (an empty tuple is a size; nothing is not)
    "permute_no_dims": lambda lib: lib.ones(2, 3).permute(),
    "permute_no_dims_0d": lambda lib: lib.tensor(3.).permute(),
    "permute_no_dims_1d": lambda lib: lib.ones(3).permute(),
    "expand_no_sizes": lambda lib: lib.ones(2, 3).expand(),
    "expand_no_sizes_0d": lambda lib: lib.tensor(3.).expand(),
    "expand_minus_one_in_new_dim": lambda lib: lib.ones(3).expand(-1, 3),
    "mT_1d": lambda lib: lib.ones(3).mT,
    # dims given twice
    "squeeze_same_dim_twice": lambda lib: lib.ones(2, 1, 3).squeeze((1, 1)),
    "squeeze_same_dim_negative": lambda lib: lib.ones(2, 1, 3).squeeze((1, -2)),
    "flip_same_dim_twice": lambda lib: lib.ones(2, 1, 3).flip(0, 0),
    "flip_same_dim_negative": lambda lib: lib.ones(2, 1, 3).flip((0, -3)),
    "movedim_repeated_source": lambda lib: lib.ones(2, 3).movedim((0, 0), (0, 1)),
    "movedim_repeated_destination": lambda lib: lib.ones(2, 3).movedim((0, 1), (1, 1)),
    "permute_repeated": lambda lib: lib.ones(2, 3).permute(0, 0),
    # narrow
    "narrow_negative_length": lambda lib: lib.arange(3.).narrow(0, 0, -1),
    "narrow_start_past_end": lambda lib: lib.arange(3.).narrow(0, 4, 0),
    "narrow_past_end": lambda lib: lib.arange(3.).narrow(0, 2, 2),
    # cat
    "cat_0d_second": lambda lib: lib.cat([lib.ones(2, 3), lib.tensor(1.)]),
    "cat_legacy_empty_and_0d": lambda lib: lib.cat([lib.tensor([]), lib.tensor(1.)]),
    "cat_legacy_empty_dim_out_of_range": lambda lib: lib.cat([lib.ones(2, 3), lib.tensor([])], 2),
    "cat_sizes_differ": lambda lib: lib.cat([lib.ones(2, 3), lib.ones(0, 2)]),
}


@pytest.mark.parametrize("name", sorted(ERROR_CASES))
def test_edge_case_error_matches_torch(name):
    assert_same_error(ERROR_CASES[name])


@pytest.mark.parametrize("name, message", [
    ("narrow_0d", "narrow() cannot be applied to a 0-dim tensor."),
    ("split_0d", "split expects at least a 1-dimensional tensor"),
    ("chunk_0d", "chunk expects at least a 1-dimensional tensor"),
    ("unbind_0d", "Dimension specified as 0 but tensor has no dimensions"),
    ("tril_0d", "tril: input tensor must have at least 2 dimensions"),
    ("permute_no_dims", 'permute() missing 1 required positional arguments: "dims"'),
    ("expand_no_sizes", 'expand() missing 1 required positional arguments: "size"'),
    ("mT_1d", "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."),
])
def test_edge_case_error_message_is_pytorchs(name, message):
    ours, theirs = assert_same_error(ERROR_CASES[name])
    assert str(theirs).startswith(message) and str(ours).startswith(message)


def test_mT_of_0d_is_the_identity_with_pytorchs_warning():
    with pytest.warns(UserWarning, match="mT is deprecated on 0-D tensors"):
        assert tinynn.tensor(3.).mT.item() == 3.


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["empty_second", "empty_first_dim1", "empty_int", "only_empty",
                                  "only_empty_dim1", "only_empty_dim_minus2"])
def test_cat_leaves_out_a_legacy_empty_1d_tensor(case, dtype, device):
    """PyTorch's legacy rule: an empty (0,) tensor joins tensors of any shape, and is left
    out, but its dtype still takes part in the promotion (and it gets an empty gradient)."""
    fn = {
        "empty_second": lambda lib, a, e: lib.cat([a, e]),
        "empty_first_dim1": lambda lib, a, e: lib.cat([e, a, e], 1),
        "empty_int": lambda lib, a, e: lib.cat([a, lib.tensor([], dtype=lib.int64, device=a.device)], -1),
        "only_empty": lambda lib, a, e: lib.cat([e, e]),
        # nothing but legacy empties: an empty (0,) for any dim, even one out of its range
        "only_empty_dim1": lambda lib, a, e: lib.cat([e, e], 1),
        "only_empty_dim_minus2": lambda lib, a, e: lib.cat([e], -2),
    }[case]
    compare_with_torch(fn, randn(2, 3), np.zeros(0), dtype=dtype, device=device)


def test_cat_of_float64_legacy_empty_promotes():
    for lib in (torch, tinynn):
        out = lib.cat([lib.ones(2, 3), lib.tensor([], dtype=lib.float64)])
        assert out.dtype is lib.float64 and list(out.shape) == [2, 3]


@pytest.mark.parametrize("op", ["split", "chunk", "unbind"])
def test_split_pieces_share_one_node_so_backward_is_linear(op):
    """All pieces come from one node, whose backward joins their gradients once: slicing
    each piece separately would build one zero tensor the size of x per piece (T^2 work)."""
    x = tinynn.randn(50, 3, requires_grad=True)
    pieces = {"split": lambda: x.split(1), "chunk": lambda: x.chunk(50), "unbind": lambda: x.unbind()}[op]()
    assert len(pieces) == 50
    assert all(p.grad_fn is pieces[0].grad_fn for p in pieces)
    assert all(p._base is x for p in pieces)  # views of x, as in PyTorch
    sum(p.sum() * i for i, p in enumerate(pieces) if i % 3).backward()
    expected = np.array([[i if i % 3 else 0] * 3 for i in range(50)], dtype=np.float32)
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_split_backward_is_differentiable_twice():
    for lib in (torch, tinynn):
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        a, b = x.split([1, 2])
        (g,) = lib.autograd.grad((a ** 3).sum() + (b ** 2).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        assert gg.tolist() == [6.0, 2.0, 2.0]


# -- found by the differential suite (tests/differential) -------------------------------------
FUNCTION_FORM_ERRORS = {
    # the function forms take one sequence; only the methods also take the sizes one by one
    "permute_sizes_one_by_one": lambda lib: lib.permute(lib.ones(2, 3, 4), 2, 0, 1),
    "permute_int": lambda lib: lib.permute(lib.ones(3), 0),
    "reshape_sizes_one_by_one": lambda lib: lib.reshape(lib.ones(2, 3), 3, 2),
    "reshape_int": lambda lib: lib.reshape(lib.ones(2, 3), 6),
    "flip_dims_one_by_one": lambda lib: lib.flip(lib.ones(2, 3), 0, 1),
    "flip_int": lambda lib: lib.flip(lib.ones(2, 3), 0),
    "tile_int": lambda lib: lib.tile(lib.ones(2, 3), 2),
    "cat_one_tensor": lambda lib: lib.cat(lib.ones(2, 3)),
    "cat_tensors_one_by_one": lambda lib: lib.cat(lib.ones(2, 3), lib.ones(2, 3)),
    "concat_one_tensor": lambda lib: lib.concat(lib.ones(2, 3)),
    "concatenate_one_tensor": lambda lib: lib.concatenate(lib.ones(2, 3), 1),
    "stack_one_tensor": lambda lib: lib.stack(lib.ones(2, 3)),
    "trace_of_bool": lambda lib: lib.ones(2, 2, dtype=lib.bool).trace(),
    "trace_of_bool_1d": lambda lib: lib.trace(lib.ones(3, dtype=lib.bool)),
    "view_dtype_0d_other_size": lambda lib: lib.ones((), dtype=lib.int32).view(lib.int64),
    "view_dtype_not_divisible": lambda lib: lib.ones(2, 3, dtype=lib.int32).view(lib.int64),
    "view_dtype_last_stride": lambda lib: lib.ones(4, 2, dtype=lib.int32).t().view(lib.int64),
}


@pytest.mark.parametrize("name", sorted(FUNCTION_FORM_ERRORS))
def test_function_form_error_matches_torch(name):
    assert_same_error(FUNCTION_FORM_ERRORS[name])


METHOD_FORMS = {
    "permute_one_by_one": lambda lib, x: x.permute(2, 0, 1),
    "permute_tuple": lambda lib, x: x.permute((2, 0, 1)),
    "reshape_one_by_one": lambda lib, x: x.reshape(4, 6),
    "reshape_function_list": lambda lib, x: lib.reshape(x, [4, -1]),
    "flip_one_by_one": lambda lib, x: x.flip(0, 2),
    "flip_list": lambda lib, x: x.flip([1]),
    "tile_one_by_one": lambda lib, x: x.tile(2, 1),
    "swapdims": lambda lib, x: x.swapdims(0, 2),
    "swapaxes": lambda lib, x: x.swapaxes(1, 2),
    "swapdims_": lambda lib, x: (x * 1).swapdims_(0, 1),
    "swapaxes_": lambda lib, x: (x * 1).swapaxes_(-1, 0),
    "tril_": lambda lib, x: (x * 1).tril_(),
    "triu_": lambda lib, x: (x * 1).triu_(1),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(METHOD_FORMS))
def test_method_form_matches_torch(name, dtype, device):
    compare_with_torch(METHOD_FORMS[name], randn(2, 3, 4), dtype=dtype, device=device)


@pytest.mark.parametrize("source, target, shape", [
    ("int32", "float32", (2, 3)), ("float32", "int32", (2, 3)), ("int32", "int64", (2, 4)),
    ("int64", "int32", (2, 4)), ("float64", "int64", (3,)), ("uint8", "bool", (4,)),
    ("int32", "float32", ()), ("float32", "float32", (2,)),
])
def test_view_dtype_reads_the_same_bytes_as_torch(source, target, shape):
    """``x.view(dtype)`` is a view of the same bytes, outside the graph."""
    data = np.random.default_rng(0).integers(0, 3, shape).astype(source)
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor(data)
        if x.dtype.is_floating_point:
            x.requires_grad_(True)
        out = x.view(getattr(lib, target))
        results.append((list(out.shape), str(out.dtype).split(".")[-1], out.tolist(), out.requires_grad))
    assert results[0] == results[1]
    base = tinynn.tensor(data)
    view = base.view(getattr(tinynn, target))
    assert view._base is base and view.data_ptr() == base.data_ptr()


# -- repeat_interleave -----------------------------------------------------------------------
REPEAT_INTERLEAVE = {
    "int_flat": (lambda lib, x: lib.repeat_interleave(x, 2), (2, 3)),
    "int_dim": (lambda lib, x: x.repeat_interleave(3, dim=1), (2, 3)),
    "int_neg_dim": (lambda lib, x: x.repeat_interleave(2, -2), (2, 3, 2)),
    "tensor_dim0": (lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 0, 3]), dim=0), (3, 2)),
    "tensor_flat": (lambda lib, x: x.repeat_interleave(lib.tensor([2, 1, 0, 1])), (2, 2)),
    "tensor_one_count": (lambda lib, x: x.repeat_interleave(lib.tensor([2]), dim=1), (2, 3)),
    "output_size": (lambda lib, x: x.repeat_interleave(lib.tensor([1, 2]), dim=0, output_size=3), (2, 2)),
    "zero_repeats": (lambda lib, x: x.repeat_interleave(0, dim=0), (2, 3)),
    "0d": (lambda lib, x: x.repeat_interleave(3), ()),
    "empty": (lambda lib, x: x.repeat_interleave(2, dim=1), (3, 0)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(REPEAT_INTERLEAVE))
def test_repeat_interleave_matches_torch(name, dtype, device):
    fn, shape = REPEAT_INTERLEAVE[name]
    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


def test_repeat_interleave_of_counts_alone():
    compare_with_torch(lambda lib, c: lib.repeat_interleave(c), np.array([1, 0, 3, 2]), grad=False)


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, 2, 3]), dim=0), RuntimeError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, -2]), dim=0), RuntimeError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), -1, dim=0), RuntimeError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1.0, 2.0]), dim=0), NotImplementedError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), 2, dim=2), IndexError),
    # repeats counted in int32 or int64 only: bool and uint8 have no kernel
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([True, False]), dim=0), NotImplementedError),
    (lambda lib: lib.repeat_interleave(lib.tensor([1, 2], dtype=lib.uint8)), NotImplementedError),
    # a 0-d tensor has no dim to repeat along (dim=None repeats its element)
    (lambda lib: lib.repeat_interleave(lib.tensor(2.0), 2, dim=0), IndexError),
    (lambda lib: lib.repeat_interleave(lib.tensor(2.0), lib.tensor(0), dim=-1), IndexError),
])
def test_repeat_interleave_errors_match_torch(fn, error):
    for lib in (tinynn, torch):
        with pytest.raises(error):
            fn(lib)


# -- in-place shape ops ----------------------------------------------------------------------
IN_PLACE_SHAPE = {
    "squeeze_": (lambda t: t.squeeze_(), (2, 1, 3)),
    "squeeze_dim": (lambda t: t.squeeze_(1), (2, 1, 3)),
    "squeeze_dims": (lambda t: t.squeeze_((0, 2)), (1, 3, 1)),
    "unsqueeze_": (lambda t: t.unsqueeze_(0), (2, 3)),
    "unsqueeze_last": (lambda t: t.unsqueeze_(-1), (2, 3)),
    "transpose_": (lambda t: t.transpose_(0, 2), (2, 3, 4)),
    "t_": (lambda t: t.t_(), (2, 3)),
    "t_vector": (lambda t: t.t_(), (3,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(IN_PLACE_SHAPE))
def test_in_place_shape_ops_match_torch(name, dtype, device):
    op, shape = IN_PLACE_SHAPE[name]

    def fn(lib, x):
        y = x * 2
        returned = op(y)
        assert returned is y
        return y * y

    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


@pytest.mark.parametrize("name", list(IN_PLACE_SHAPE))
def test_in_place_shape_ops_without_grad_share_memory(name):
    op, shape = IN_PLACE_SHAPE[name]
    for lib in (tinynn, torch):
        x = lib.zeros(*shape)
        view = x.view(*shape)
        op(view)
        assert view.shape == op(torch.zeros(*shape)).shape
        view.fill_(1.0)
        assert x.sum().item() == x.numel()  # the same memory


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.ones(2, requires_grad=True).unsqueeze_(0), RuntimeError),
    (lambda lib: lib.ones(2, 2, requires_grad=True).t_(), RuntimeError),
    (lambda lib: lib.ones(2, 1, requires_grad=True).squeeze_(), RuntimeError),
    (lambda lib: lib.ones(2, 2, requires_grad=True).transpose_(0, 1), RuntimeError),
    (lambda lib: lib.ones(2, 3).transpose_(0, 5), IndexError),
    (lambda lib: lib.ones(2, 3, 4).t_(), RuntimeError),
    (lambda lib: lib.ones(2, 3, 1).squeeze_(5), IndexError),
    (lambda lib: lib.ones(2, 3, 1).unsqueeze_(5), IndexError),
])
def test_in_place_shape_op_errors_match_torch(fn, error):
    for lib in (tinynn, torch):
        with pytest.raises(error):
            fn(lib)


def test_in_place_shape_op_of_a_saved_tensor_is_caught_as_in_torch():
    for lib in (tinynn, torch):
        a = lib.ones(2, requires_grad=True) * 1
        b = a * a  # saves a
        a.unsqueeze_(0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


# -- flip, roll, tile, movedim, tril, triu, diag, trace --------------------------------------
# name: (fn(lib, x), input maker, shape)
REORDER_AND_TRIANGLES = {
    "flip": (lambda lib, x: lib.flip(x, [0]), randn, (3, 4)),
    "flip_two_dims": (lambda lib, x: x.flip(0, 2), randn, (2, 3, 4)),
    "roll_flat": (lambda lib, x: lib.roll(x, 2), randn, (3, 4)),
    "roll_dims": (lambda lib, x: x.roll((1, -1), (0, 1)), randn, (3, 4)),
    "tile": (lambda lib, x: lib.tile(x, (2,)), randn, (3,)),
    "tile_more_dims": (lambda lib, x: x.tile(2, 1, 3), randn, (2, 3)),
    "movedim": (lambda lib, x: lib.movedim(x, 0, -1), randn, (2, 3, 4)),
    "movedim_tuple": (lambda lib, x: x.movedim((0, 1), (2, 0)), randn, (2, 3, 4)),
    "tril": (lambda lib, x: lib.tril(x), randn, (4, 4)),
    "tril_offset_batched": (lambda lib, x: x.tril(-1), randn, (2, 3, 4)),
    "triu": (lambda lib, x: x.triu(), randn, (3, 5)),
    "triu_offset": (lambda lib, x: lib.triu(x, diagonal=1), randn, (4, 3)),
    "diag_of_vector": (lambda lib, x: lib.diag(x), randn, (3,)),
    "diag_of_vector_offset": (lambda lib, x: x.diag(-2), randn, (3,)),
    "diag_of_matrix": (lambda lib, x: lib.diag(x), randn, (3, 4)),
    "diag_of_matrix_offset": (lambda lib, x: x.diag(1), randn, (4, 3)),
    "trace": (lambda lib, x: lib.trace(x), randn, (3, 4)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(REORDER_AND_TRIANGLES))
def test_flip_roll_tile_movedim_triangles_and_diag_match_torch(name, dtype, device):
    fn, make, shape = REORDER_AND_TRIANGLES[name]
    compare_with_torch(fn, make(*shape), dtype=dtype, device=device)


def test_trace_and_tril_of_integers_match_torch():
    """Integer inputs: integer results, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.trace(t),
        lambda lib, t: lib.tril(t, 1),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.tril(lib.ones(3)), RuntimeError),
    (lambda lib: lib.diag(lib.ones(2, 2, 2)), RuntimeError),
    (lambda lib: lib.trace(lib.ones(3)), RuntimeError),
    (lambda lib: lib.roll(lib.ones(3, 3), (1, 1), (0,)), RuntimeError),
    (lambda lib: lib.movedim(lib.ones(2, 3), (0, 1), (1,)), RuntimeError),
    (lambda lib: lib.flip(lib.ones(2, 3), [2]), IndexError),
])
def test_flip_roll_movedim_triangles_and_diag_errors_match_torch(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(tinynn)


# -- diagonal and unfold: views --------------------------------------------------------------
LIBS = (torch, tinynn)


VIEW_CASES = {
    "diagonal": lambda L, x: x.diagonal(),
    "diagonal_above": lambda L, x: x.diagonal(1),
    "diagonal_below": lambda L, x: x.diagonal(-1),
    "diagonal_last_two_dims": lambda L, x: x.diagonal(0, 1, 2),
    "diagonal_negative_dims": lambda L, x: x.diagonal(1, -1, 0),
    "diagonal_keywords": lambda L, x: x.diagonal(dim1=1, dim2=2, offset=-2),
    "diagonal_function": lambda L, x: L.diagonal(x, offset=1, dim1=0, dim2=2),
    "diagonal_past_the_edge": lambda L, x: x.diagonal(5),
    "diagonal_of_transposed": lambda L, x: x.transpose(0, 2).diagonal(),
    "diagonal_of_slice": lambda L, x: x[:, 1:].diagonal(1, 1, 2),
    "unfold_overlapping": lambda L, x: x.unfold(2, 2, 1),
    "unfold_adjacent": lambda L, x: x.unfold(2, 2, 2),
    "unfold_with_gaps": lambda L, x: x.unfold(2, 3, 2),
    "unfold_first_dim": lambda L, x: x.unfold(0, 2, 1),
    "unfold_whole_dim": lambda L, x: x.unfold(-1, 4, 1),
    "unfold_empty_windows": lambda L, x: x.unfold(2, 0, 1),
    "unfold_keywords": lambda L, x: x.unfold(dimension=1, size=2, step=1),
    "unfold_of_transposed": lambda L, x: x.transpose(0, 2).unfold(1, 2, 1),
    "unfold_twice": lambda L, x: x.unfold(2, 2, 1).unfold(1, 2, 1),
    "diagonal_of_unfold": lambda L, x: x.unfold(2, 3, 1).diagonal(0, 2, 3),
    "unfold_of_diagonal": lambda L, x: x.diagonal(0, 1, 2).unfold(1, 2, 1),
}


def _view_facts(lib, case):
    x = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4).requires_grad_()
    view = VIEW_CASES[case](lib, x)
    weights = lib.arange(float(view.numel()), dtype=lib.float64).reshape(view.shape) + 1
    # a loss quadratic in the view, so that the gradient depends on x and has a gradient
    # itself (through the backward's backward)
    grad, = lib.autograd.grad((view * view * weights).sum(), x, create_graph=True)
    grad2 = lib.autograd.grad((grad * grad).sum(), x)[0] if view.numel() else None
    return dict(values=view.detach().numpy(), shape=tuple(view.shape), contiguous=view.is_contiguous(),
                stride=view.stride() if view.numel() else None,
                offset=view.storage_offset() if view.numel() else None,
                grad=grad.detach().numpy(), grad2=None if grad2 is None else grad2.numpy())


@pytest.mark.parametrize("case", sorted(VIEW_CASES))
def test_diagonal_and_unfold_match_torch(case):
    """Values, shape, strides, storage offset, contiguity, first and second-order gradients."""
    ours, theirs = _view_facts(tinynn, case), _view_facts(torch, case)
    for key in ("shape", "contiguous", "stride", "offset"):
        assert ours[key] == theirs[key], f"{key}: {ours[key]} != {theirs[key]}"
    for key in ("values", "grad"):
        assert_close(ours[key], theirs[key], rtol=0, atol=0, name=key)
    assert (ours["grad2"] is None) == (theirs["grad2"] is None)
    if theirs["grad2"] is not None:
        assert_close(ours["grad2"], theirs["grad2"], rtol=0, atol=0, name="grad2")


@pytest.mark.parametrize("write", ["diagonal_fill", "unfold_setitem"])
def test_diagonal_and_unfold_are_views_that_write_through(write):
    results = []
    for lib in LIBS:
        x = lib.arange(24.0).reshape(2, 3, 4)
        if write == "diagonal_fill":
            x.diagonal(1, 1, 2).fill_(-1.0)
        else:
            x.unfold(2, 2, 2)[0, 0, 1, 1] = 99.0
        results.append(x.numpy().copy())
    np.testing.assert_array_equal(results[1], results[0])


VIEW_MISUSES = {
    "diagonal_same_dims": lambda L: L.ones(2, 3).diagonal(0, 1, 1),
    "diagonal_dim_out_of_range": lambda L: L.ones(2, 3, 4).diagonal(0, 0, 3),
    "diagonal_of_vector": lambda L: L.ones(3).diagonal(),
    "diagonal_of_scalar": lambda L: L.tensor(1.0).diagonal(),
    "diagonal_float_offset": lambda L: L.ones(3, 3).diagonal(0.5),
    "unfold_window_too_large": lambda L: L.ones(2, 4).unfold(1, 5, 1),
    "unfold_negative_size": lambda L: L.ones(2, 4).unfold(1, -1, 1),
    "unfold_zero_step": lambda L: L.ones(2, 4).unfold(1, 2, 0),
    "unfold_negative_step": lambda L: L.ones(2, 4).unfold(1, 2, -1),
    "unfold_dim_out_of_range": lambda L: L.ones(2, 4).unfold(2, 2, 1),
    "unfold_scalar_dim_1": lambda L: L.tensor(5.0).unfold(1, 1, 1),
    "unfold_scalar_window_2": lambda L: L.tensor(5.0).unfold(0, 2, 1),
    "unfold_float_size": lambda L: L.ones(2, 4).unfold(1, 2.0, 1),
}


@pytest.mark.parametrize("case", sorted(VIEW_MISUSES))
def test_diagonal_and_unfold_misuse_raises_like_torch(case):
    assert_same_error(VIEW_MISUSES[case])


@pytest.mark.parametrize("size", [0, 1])
def test_unfold_of_a_scalar_is_its_only_window(size):
    ours, theirs = tinynn.tensor(5.0).unfold(0, size, 1), torch.tensor(5.0).unfold(0, size, 1)
    assert_close(ours, theirs)


# -- negative repeats ------------------------------------------------------------------------
NEGATIVE_REPEATS = {
    "repeat_negative": lambda L: L.zeros(3, 4).repeat(-1, 2),
    "tile_negative": lambda L: L.zeros(3, 4).tile(-1),
}


@pytest.mark.parametrize("case", sorted(NEGATIVE_REPEATS))
def test_negative_repeats_raise_like_torch(case):
    ours, _ = assert_same_error(NEGATIVE_REPEATS[case])
    assert "numpy" not in str(ours) or "numpy.ndarray" in str(ours)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["dim_out_of_range", "no_dims", "two_dims"])
def test_roll_of_an_empty_tensor_returns_it(name, dtype, device):
    """PyTorch returns a copy of an empty tensor before it looks at the dims."""
    fn = {"dim_out_of_range": lambda lib, x: x.roll(-2, 3), "no_dims": lambda lib, x: x.roll(1),
          "two_dims": lambda lib, x: lib.roll(x, (1, 2), (0, 1))}[name]
    compare_with_torch(fn, randn(0, 3), dtype=dtype, device=device)


@pytest.mark.parametrize("name, fn", [
    ("negative_length_and_dim_out_of_range", lambda lib: lib.ones(4, 3).narrow(3, 4, -1)),
    ("negative_length_and_start_out_of_range", lambda lib: lib.ones(4, 3).narrow(0, 9, -1)),
    ("dim_out_of_range", lambda lib: lib.narrow(lib.ones(4, 3), 3, 0, 1)),
])
def test_narrow_checks_in_torchs_order(name, fn):
    ours, theirs = assert_same_error(fn)
    assert str(ours).startswith(str(theirs).split(" (")[0])


def test_unflatten_of_0d_checks_the_dim_first():
    assert_same_error(lambda lib: lib.tensor(1.).unflatten(2, (1,)))


def test_repeat_interleave_checks_the_repeats_rank_before_the_dim():
    assert_same_error(lambda lib: lib.tensor(True).repeat_interleave(lib.zeros(2, 0, dtype=lib.int64), dim=1))
