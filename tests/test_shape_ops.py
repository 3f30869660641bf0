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
from helpers import assert_same_error
from tinynn.testing import compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


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
@pytest.mark.parametrize("case", ["empty_second", "empty_first_dim1", "empty_int", "only_empty"])
def test_cat_leaves_out_a_legacy_empty_1d_tensor(case, dtype, device):
    """PyTorch's legacy rule: an empty (0,) tensor joins tensors of any shape, and is left
    out, but its dtype still takes part in the promotion (and it gets an empty gradient)."""
    fn = {
        "empty_second": lambda lib, a, e: lib.cat([a, e]),
        "empty_first_dim1": lambda lib, a, e: lib.cat([e, a, e], 1),
        "empty_int": lambda lib, a, e: lib.cat([a, lib.tensor([], dtype=lib.int64, device=a.device)], -1),
        "only_empty": lambda lib, a, e: lib.cat([e, e]),
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
