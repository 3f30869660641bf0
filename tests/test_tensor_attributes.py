"""Tensor attributes (shape, size, stride, contiguity, storage offset...), item/tolist and repr.

Each layout (contiguous, permuted, transposed, expanded, sliced...) is built with the same
calls in both libraries, and every attribute is compared with PyTorch's.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close

LAYOUTS = {
    "contiguous": lambda lib: lib.arange(24.0).reshape(2, 3, 4),
    "permuted": lambda lib: lib.arange(24.0).reshape(2, 3, 4).permute(2, 0, 1),
    "transposed": lambda lib: lib.arange(24.0).reshape(2, 3, 4).transpose(0, 2),
    "matrix_t": lambda lib: lib.arange(6.0).reshape(2, 3).t(),
    "matrix_T": lambda lib: lib.arange(6.0).reshape(2, 3).T,
    "expanded": lambda lib: lib.arange(3.0).reshape(3, 1).expand(3, 4),
    "expanded_new_dim": lambda lib: lib.arange(3.0).expand(2, 3),
    "sliced_step": lambda lib: lib.arange(24.0).reshape(4, 6)[1:3, ::2],
    "row": lambda lib: lib.arange(24.0).reshape(4, 6)[2],
    "column": lambda lib: lib.arange(24.0).reshape(4, 6)[:, 1],
    "inner_slice": lambda lib: lib.arange(24.0).reshape(4, 6)[:, 1:5],
    "unsqueezed": lambda lib: lib.arange(6.0).reshape(2, 3).unsqueeze(1),
    "zero_dim": lambda lib: lib.tensor(3.0),
    "element": lambda lib: lib.arange(6.0)[4],
    "empty": lambda lib: lib.zeros(2, 0, 3),
    "empty_1d": lambda lib: lib.zeros(0),
    "size_one_transposed": lambda lib: lib.zeros(3, 1, 2).transpose(0, 1),
    "contiguous_copy": lambda lib: lib.arange(6.0).reshape(2, 3).t().contiguous(),
    "int64_transposed": lambda lib: lib.arange(6).reshape(2, 3).T,
    "flattened_view": lambda lib: lib.arange(24.0).reshape(2, 3, 4).flatten(1),
    "narrowed": lambda lib: lib.arange(24.0).reshape(4, 6).narrow(1, 2, 3),
    "squeezed": lambda lib: lib.zeros(2, 1, 3).squeeze(1),
}


@pytest.fixture(params=sorted(LAYOUTS))
def layout(request, device):
    build = LAYOUTS[request.param]
    return build(tinynn), build(torch).to(device)


def test_shape_matches_torch(layout):
    ours, theirs = layout
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert isinstance(ours.shape, tuple) and isinstance(ours.shape, tinynn.Size)


def test_size_matches_torch(layout):
    ours, theirs = layout
    assert ours.size() == tuple(theirs.size())
    for d in range(-ours.dim(), ours.dim()):
        assert ours.size(d) == theirs.size(d)


def test_dim_ndim_numel_match_torch(layout):
    ours, theirs = layout
    assert (ours.dim(), ours.ndim, ours.numel()) == (theirs.dim(), theirs.ndim, theirs.numel())


def test_len_matches_torch(layout):
    ours, theirs = layout
    if theirs.dim() == 0:
        with pytest.raises(TypeError):
            len(ours)
    else:
        assert len(ours) == len(theirs)


def test_stride_matches_torch(layout):
    ours, theirs = layout
    if theirs.device.type != "cpu":  # .to("cuda") makes a fresh copy: its strides are not the view's
        pytest.skip("strides of a copied CUDA tensor are not those of the view")
    assert ours.stride() == theirs.stride()
    for d in range(-ours.dim(), ours.dim()):
        assert ours.stride(d) == theirs.stride(d)


def test_is_contiguous_matches_torch(layout):
    ours, theirs = layout
    if theirs.device.type != "cpu":
        pytest.skip("a copied CUDA tensor is always contiguous")
    assert ours.is_contiguous() == theirs.is_contiguous()


def test_storage_offset_matches_torch(layout):
    ours, theirs = layout
    if theirs.device.type != "cpu":
        pytest.skip("a copied CUDA tensor starts at offset 0")
    assert ours.storage_offset() == theirs.storage_offset()


def test_storage_size_matches_torch(layout):
    ours, theirs = layout
    if theirs.device.type != "cpu":
        pytest.skip("a copied CUDA tensor has a storage of its own size")
    assert ours.untyped_storage().nbytes() == theirs.untyped_storage().nbytes()


def test_data_ptr_is_storage_start_plus_offset(layout):
    ours, _ = layout
    start = ours.untyped_storage().data_ptr()
    assert ours.data_ptr() - start == ours.storage_offset() * ours.element_size()


def test_contiguous_gives_contiguous_strides(layout):
    ours, theirs = layout
    assert ours.contiguous().is_contiguous()
    assert ours.contiguous().stride() == theirs.contiguous().cpu().stride()


def test_values_match_torch(layout):
    ours, theirs = layout
    np.testing.assert_array_equal(ours.numpy(), theirs.cpu().numpy())


def test_dtype_and_device(layout):
    ours, theirs = layout
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    assert ours.device.type == "cpu" and ours.device == "cpu" and not ours.is_cuda


def test_element_size_matches_torch(layout):
    ours, theirs = layout
    assert ours.element_size() == theirs.element_size()


def test_is_floating_point_matches_torch(layout):
    ours, theirs = layout
    assert ours.is_floating_point() == theirs.is_floating_point()


def test_size_out_of_range_raises_index_error():
    with pytest.raises(IndexError):
        torch.zeros(2, 3).size(2)
    with pytest.raises(IndexError, match="range"):
        tinynn.zeros(2, 3).size(2)


def test_size_numel_method():
    assert tinynn.zeros(2, 3, 4).shape.numel() == torch.zeros(2, 3, 4).shape.numel() == 24


def test_size_repr_names_tinynn():
    assert repr(tinynn.zeros(2, 3).shape) == repr(torch.zeros(2, 3).shape).replace("torch.", "tinynn.")


@pytest.mark.parametrize("make_view, shares", [
    (lambda x: x.t(), True), (lambda x: x[1:], True), (lambda x: x.view(-1), True),
    (lambda x: x.t().contiguous(), False), (lambda x: x.clone(), False), (lambda x: x.detach(), True),
], ids=["t", "slice", "view", "contiguous_copy", "clone", "detach"])
def test_shared_storage_matches_torch(make_view, shares):
    for lib in (tinynn, torch):
        x = lib.arange(6.0).reshape(2, 3)
        same = make_view(x).untyped_storage().data_ptr() == x.untyped_storage().data_ptr()
        assert same is shares, lib.__name__


def test_view_shares_memory_with_base():
    base = tinynn.zeros(2, 3)
    view = base.view(3, 2)
    view[0, 0] = 5.0
    assert base[0, 0].item() == 5.0


def test_indexed_element_shares_memory_with_base():
    base = tinynn.zeros(4)
    base[2].fill_(7.0)
    assert base.tolist() == torch.zeros(4).index_fill_(0, torch.tensor([2]), 7.0).tolist()


def test_augmented_assignment_on_view_writes_into_base():
    ours, theirs = tinynn.arange(6.0), torch.arange(6.0)
    for base in (ours, theirs):
        element = base[2]
        element += 10
    assert ours.tolist() == theirs.tolist()


def test_augmented_assignment_keeps_identity():
    x = tinynn.ones(3)
    before = x
    x *= 3
    x -= 1
    x /= 2
    x += 1
    assert x is before and x.tolist() == [2.0, 2.0, 2.0]


# -- item / tolist --------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor(2.5), lambda lib: lib.tensor([7]), lambda lib: lib.tensor([[True]]),
    lambda lib: lib.tensor(3), lambda lib: lib.tensor([1.5], dtype=lib.float64),
    lambda lib: lib.arange(6.0)[4],
], ids=["float0d", "int1", "bool11", "int0d", "float64_1", "element"])
def test_item_matches_torch(make):
    ours, theirs = make(tinynn).item(), make(torch).item()
    assert ours == theirs and type(ours) is type(theirs)


@pytest.mark.parametrize("make", [
    lambda lib: lib.arange(6.0).reshape(2, 3), lambda lib: lib.tensor([[1, 2], [3, 4]]).t(),
    lambda lib: lib.tensor([True, False]), lambda lib: lib.tensor(3.5), lambda lib: lib.zeros(2, 0),
    lambda lib: lib.tensor([0.1, 0.2], dtype=lib.float64),
], ids=["float2d", "int_transposed", "bool", "scalar", "empty", "float64"])
def test_tolist_matches_torch(make):
    ours, theirs = make(tinynn).tolist(), make(torch).tolist()
    assert ours == theirs
    assert type(ours) is type(theirs)


def test_tolist_of_float32_gives_python_floats():
    value = tinynn.tensor([0.1]).tolist()[0]
    assert type(value) is float and value == torch.tensor([0.1]).tolist()[0]


@pytest.mark.parametrize("convert", [float, int, bool])
def test_python_number_conversion_matches_torch(convert):
    assert convert(tinynn.tensor([2.5])) == convert(torch.tensor([2.5]))


def test_numpy_returns_ndarray_of_same_dtype():
    for name in ("float32", "float64", "int64", "bool"):
        t = tinynn.zeros(2, dtype=getattr(tinynn, name))
        assert t.numpy().dtype == torch.zeros(2, dtype=getattr(torch, name)).numpy().dtype


def test_requires_grad_grad_grad_fn_is_leaf_of_a_leaf():
    x = tinynn.ones(2, requires_grad=True)
    assert x.requires_grad and x.grad is None and x.grad_fn is None and x.is_leaf


def test_attributes_of_a_result():
    x = tinynn.ones(2, requires_grad=True)
    y = x * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    assert y.grad_fn.name() == (torch.ones(2, requires_grad=True) * 2).grad_fn.name()


def test_tensor_not_requiring_grad_is_leaf():
    assert tinynn.ones(2).is_leaf and (tinynn.ones(2) * 2).is_leaf
    assert torch.ones(2).is_leaf and (torch.ones(2) * 2).is_leaf


def test_result_under_no_grad_is_leaf_without_grad():
    x = tinynn.ones(2, requires_grad=True)
    with tinynn.no_grad():
        y = x * 2
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None


def test_data_is_detached_and_shares_memory():
    x = tinynn.ones(2, requires_grad=True)
    d = x.data
    assert not d.requires_grad
    d[0] = 3.0
    assert x[0].item() == 3.0


def test_is_tensor_and_isinstance():
    assert tinynn.is_tensor(tinynn.ones(1)) and not tinynn.is_tensor(np.ones(1))
    assert isinstance(tinynn.ones(1), tinynn.Tensor)


def test_tensor_constructor_like_torch():
    assert tuple(tinynn.Tensor(2, 3).shape) == tuple(torch.Tensor(2, 3).shape)
    assert tinynn.Tensor([1, 2]).tolist() == torch.Tensor([1, 2]).tolist()
    assert tinynn.Tensor([1, 2]).dtype is tinynn.float32


# -- repr --------------------------------------------------------------------------------------
REPR_CASES = {
    "float_small": lambda lib: lib.tensor([1.5, -2.25, 3.0]),
    "float_whole": lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "float_negative_whole": lambda lib: lib.tensor([-1.0, 2.0]),
    "float_negative_small": lambda lib: lib.tensor([-0.5, 0.25]),
    "float64": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float64),
    "float64_whole": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64),
    "float16": lambda lib: lib.tensor([1.5], dtype=lib.float16),
    "int": lambda lib: lib.tensor([[1, -20], [300, 4]]),
    "int_negative": lambda lib: lib.tensor([-5, 3, 100]),
    "int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "int32_2d": lambda lib: lib.arange(6, dtype=lib.int32).reshape(2, 3),
    "uint8": lambda lib: lib.tensor([1, 2], dtype=lib.uint8),
    "bool": lambda lib: lib.tensor([True, False]),
    "bool_2d": lambda lib: lib.tensor([[True, False], [False, True]]),
    "zero_dim_float": lambda lib: lib.tensor(3.5),
    "zero_dim_whole": lambda lib: lib.tensor(3.0),
    "zero_dim_int": lambda lib: lib.tensor(7),
    "zero_dim_bool": lambda lib: lib.tensor(False),
    "zero_dim_float64": lambda lib: lib.tensor(0.25, dtype=lib.float64),
    "zero_dim_nan": lambda lib: lib.tensor(float("nan")),
    "zero_dim_requires_grad": lambda lib: lib.tensor(2.0, requires_grad=True),
    "requires_grad": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad_float64": lambda lib: lib.tensor([1.0, 2.5], dtype=lib.float64, requires_grad=True),
    "grad_fn_mul": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) * 2,
    "grad_fn_add": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True) + 2,
    "grad_fn_sum": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True).sum(),
    "grad_fn_float64": lambda lib: lib.arange(10.0, dtype=lib.float64).requires_grad_() * 1.5,
    "suffix_wraps": lambda lib: (lib.arange(10.0, dtype=lib.float64) / 3).requires_grad_(),
    "empty": lambda lib: lib.tensor([]),
    "empty_3d": lambda lib: lib.zeros(2, 0, 3),
    "empty_int64": lambda lib: lib.zeros(0, dtype=lib.int64),
    "empty_float64": lambda lib: lib.zeros(0, dtype=lib.float64),
    "empty_bool_2d": lambda lib: lib.zeros(0, 2, dtype=lib.bool),
    "empty_requires_grad": lambda lib: lib.zeros(0, requires_grad=True),
    "scientific_small": lambda lib: lib.tensor([1e-5, 1.0]),
    "scientific_large": lambda lib: lib.tensor([1e10, 1.0]),
    "scientific_1e8": lambda lib: lib.tensor([1e8, 1.0]),
    "whole_1e9": lambda lib: lib.tensor([1e9, 1.0]),
    "edge_1e-4": lambda lib: lib.tensor([1e-4, 1.0]),
    "below_1e-4": lambda lib: lib.tensor([5e-5]),
    "range_over_1000": lambda lib: lib.tensor([0.001, 1.5]),
    "mixed_magnitudes": lambda lib: lib.tensor([0.12345, 123.456]),
    "nan_inf": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "nan_whole": lambda lib: lib.tensor([float("nan"), 1.0]),
    "negative_zero": lambda lib: lib.tensor([-0.0, 1.5]),
    "3d": lambda lib: lib.arange(12.0).reshape(2, 2, 3),
    "4d": lambda lib: lib.arange(16.0).reshape(2, 2, 2, 2) - 3.5,
    "column": lambda lib: lib.arange(4.0).reshape(4, 1) / 3,
    "row": lambda lib: lib.arange(5.0).reshape(1, 5),
    "long_row_wraps": lambda lib: lib.arange(30.0) / 7,
    "summarized_1d": lambda lib: lib.arange(2000.0),
    "summarized_2d": lambda lib: lib.arange(2000.0).reshape(40, 50),
    "summarized_3d": lambda lib: lib.arange(3000.0).reshape(10, 15, 20) / 7,
    "summarized_int": lambda lib: lib.arange(2000),
    "summarized_int_2d": lambda lib: lib.arange(3000).reshape(60, 50) * 1000,
    "summarized_bool": lambda lib: lib.arange(2000) % 3 == 0,
    "summarized_float64": lambda lib: lib.linspace(-1, 1, 1500, dtype=lib.float64),
}


@pytest.mark.parametrize("name", sorted(REPR_CASES))
def test_repr_matches_torch(name):
    build = REPR_CASES[name]
    assert repr(build(tinynn)) == repr(build(torch)).replace("torch.", "tinynn.")


def test_repr_under_float64_default_dtype_matches_torch():
    previous = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        tinynn.set_default_dtype(tinynn.float64)
        for build in (REPR_CASES["float_small"], REPR_CASES["float16"], lambda lib: lib.zeros(2, dtype=lib.float32)):
            assert repr(build(tinynn)) == repr(build(torch)).replace("torch.", "tinynn.")
    finally:
        torch.set_default_dtype(previous)
        tinynn.set_default_dtype(tinynn.float32)


def test_str_equals_repr():
    t = tinynn.tensor([1.0, 2.0])
    assert str(t) == repr(t)


# -- format specs, type names and conversions, print options ---------------------------------
@pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch
def test_format_spec_on_a_scalar_tensor():
    for lib in (tinynn, torch):
        loss = lib.tensor(0.123456)
        assert f"{loss:.4f}" == "0.1235"
        assert f"{lib.tensor(7):>3d}" == "  7"
        assert f"{lib.tensor([1.5, 2.0])}" == "tensor([1.5000, 2.0000])"
        with pytest.raises(TypeError):
            f"{lib.tensor([1.5, 2.0]):.2f}"


@pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch
def test_type_names_and_conversions():
    x_t, x_n = torch.tensor([1.7, -2.3]), tinynn.tensor([1.7, -2.3])
    for name in ["torch.DoubleTensor", "torch.LongTensor", "torch.HalfTensor", "torch.ByteTensor",
                 "torch.ShortTensor", "torch.CharTensor", "torch.IntTensor", "torch.BoolTensor"]:
        assert_close(x_n.type(name), x_t.type(name), name=name)
        assert x_n.type(name).type() == x_t.type(name).type() == name
    for conversion in ["short", "char", "byte"]:
        assert_close(getattr(x_n.abs(), conversion)(), getattr(x_t.abs(), conversion)(), name=conversion)
    assert_close(x_n.type_as(tinynn.tensor([1])), x_t.type_as(torch.tensor([1])))
    assert x_n.nelement() == 2 and x_n.ndimension() == 1
    with pytest.raises(ValueError):
        x_t.type("torch.NoSuchTensor")
    with pytest.raises(ValueError):
        x_n.type("torch.NoSuchTensor")


@pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch
def test_set_printoptions():
    try:
        for lib in (tinynn, torch):
            lib.set_printoptions(precision=2)
            assert repr(lib.tensor([1.23456, 2.5])) == "tensor([1.23, 2.50])"
            lib.set_printoptions(sci_mode=False)
            assert repr(lib.tensor([1e-5, 1.0])) == "tensor([0.00, 1.00])"
            lib.set_printoptions(profile="default")
            lib.set_printoptions(threshold=5, edgeitems=1)
            assert repr(lib.arange(10)) == "tensor([0,  ..., 9])"
            lib.set_printoptions(profile="default")
            assert repr(lib.tensor([1.23456])) == "tensor([1.2346])"
    finally:
        tinynn.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


@pytest.mark.parametrize("make", [lambda s: s[:2], lambda s: s[::-1], lambda s: s[1:], lambda s: s + (5,),
                                  lambda s: (5,) + s, lambda s: s * 2, lambda s: 2 * s],
                         ids=["slice", "reversed", "tail", "plus tuple", "tuple plus", "times", "rtimes"])
def test_slices_and_sums_of_a_size_are_sizes_like_torch(make):
    ours, theirs = make(tinynn.Size([4, 2, 3])), make(torch.Size([4, 2, 3]))
    assert type(ours) is tinynn.Size and type(theirs) is torch.Size
    assert repr(ours) == repr(theirs).replace("torch.", "tinynn.")
    assert type(tinynn.Size([4, 2])[0]) is int
