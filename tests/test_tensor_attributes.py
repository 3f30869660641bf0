"""Tensor attributes (shape, size, stride, contiguity, storage offset...), item/tolist and repr.

Each layout (contiguous, permuted, transposed, expanded, sliced...) is built with the same
calls in both libraries, and every attribute is compared with PyTorch's.
"""
from __future__ import annotations

import warnings

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


# -- attributes and protocols that PyTorch has (checked against torch, dtype by dtype) ------
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOATS = ["float16", "float32", "float64"]


def _outcome(lib, make):
    """What ``make(lib)`` gives: ('value', result) or ('raises', exception type), and the
    categories of the warnings it gave (so that tinynn's and torch's can be compared)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("value", make(lib))
        except Exception as error:  # noqa: BLE001 -- the type is what is compared
            result = ("raises", type(error))
    return result, [w.category for w in caught]


def test_nbytes_and_itemsize_match_torch(layout):
    ours, theirs = layout
    assert (ours.nbytes, ours.itemsize) == (theirs.nbytes, theirs.itemsize)


@pytest.mark.parametrize("name", DTYPES)
def test_itemsize_nbytes_is_signed_is_complex_match_torch_per_dtype(name):
    ours, theirs = tinynn.ones(2, 3, dtype=getattr(tinynn, name)), torch.ones(2, 3, dtype=getattr(torch, name))
    assert (ours.itemsize, ours.nbytes, ours.is_signed(), ours.is_complex()) == \
           (theirs.itemsize, theirs.nbytes, theirs.is_signed(), theirs.is_complex())


@pytest.mark.parametrize("shape", [(), (3,), (0,), (2, 3, 4)], ids=["0d", "1d", "empty", "3d"])
def test_T_on_a_tensor_that_is_not_2d_warns_like_torch(shape):
    with pytest.warns(UserWarning):
        ours = tinynn.zeros(shape).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert tuple(ours.shape) == tuple(torch.zeros(shape).T.shape)


def test_T_on_a_matrix_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tinynn.zeros(2, 3).T.shape == (3, 2)


@pytest.mark.parametrize("attr", ["H", "mH"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)], ids=["0d", "1d", "2d", "3d"])
def test_H_and_mH_match_torch(attr, shape):
    def make(lib):
        x = lib.arange(float(np.prod(shape))).reshape(shape).requires_grad_()
        y = getattr(x, attr)
        return y.detach().numpy().tolist(), y.requires_grad
    ours, ours_warnings = _outcome(tinynn, make)
    theirs, theirs_warnings = _outcome(torch, make)
    assert ours == theirs
    if shape == ():
        assert ours_warnings == [UserWarning]  # torch warns once per process, so not compared


def test_mH_is_a_view_with_a_gradient():
    x = tinynn.arange(6.0).reshape(2, 3).requires_grad_()
    (x.mH * tinynn.arange(6.0).reshape(3, 2)).sum().backward()
    t = torch.arange(6.0).reshape(2, 3).requires_grad_()
    (t.mH * torch.arange(6.0).reshape(3, 2)).sum().backward()
    assert x.grad.tolist() == t.grad.tolist()


@pytest.mark.parametrize("name", DTYPES)
@pytest.mark.parametrize("shape", [(), (1, 1), (2,), (0,)], ids=["0d", "1x1", "multi", "empty"])
def test_complex_matches_torch(name, shape):
    def make(lib):
        return complex(lib.ones(shape, dtype=getattr(lib, name)))
    assert _outcome(tinynn, make)[0] == _outcome(torch, make)[0]


@pytest.mark.parametrize("convert", [float, complex])
def test_float_and_complex_of_a_tensor_requiring_grad_warn(convert):
    with pytest.warns(UserWarning, match="requires_grad=True to a scalar"):
        value = convert(tinynn.tensor(2.0, requires_grad=True))
    assert value == convert(torch.tensor(2.0, requires_grad=True).detach())


@pytest.mark.parametrize("name", DTYPES)
def test_index_matches_torch(name):
    def make(lib):
        return [10, 20, 30][lib.tensor(1, dtype=getattr(lib, name))]
    assert _outcome(tinynn, make)[0] == _outcome(torch, make)[0]


@pytest.mark.parametrize("shape", [(0,), (2, 0), (2,)], ids=["empty", "empty2d", "multi"])
def test_bool_of_an_empty_or_multi_element_tensor_raises_like_torch(shape):
    with pytest.raises(RuntimeError) as theirs:
        bool(torch.ones(shape))
    with pytest.raises(RuntimeError) as ours:
        bool(tinynn.ones(shape))
    assert str(ours.value).startswith(str(theirs.value))


CONTAINED = {
    "number_in": lambda lib: 2 in lib.tensor([1.0, 2.0]),
    "number_out": lambda lib: 5 in lib.tensor([1.0, 2.0]),
    "in_0d": lambda lib: 2 in lib.tensor(2.0),
    "in_empty_2d": lambda lib: 1 in lib.ones(2, 0),
    "bool_in_int": lambda lib: True in lib.tensor([0, 1]),
    "complex_real": lambda lib: (1 + 0j) in lib.tensor([1.0, 2.0]),
    "numpy_scalar": lambda lib: np.float32(1) in lib.tensor([1.0, 2.0]),
    "tensor_row": lambda lib: lib.tensor([1, 2]) in lib.tensor([[1, 2], [3, 4]]),
    "tensor_bad_shape": lambda lib: lib.tensor([1, 2, 3]) in lib.tensor([[1, 2], [3, 4]]),
    "string": lambda lib: "a" in lib.tensor([1.0]),
    "none": lambda lib: None in lib.tensor([1.0]),
    "ndarray": lambda lib: np.ones(1) in lib.tensor([1.0]),
}


@pytest.mark.parametrize("case", sorted(CONTAINED))
def test_contains_matches_torch(case):
    assert _outcome(tinynn, CONTAINED[case])[0] == _outcome(torch, CONTAINED[case])[0]


@pytest.mark.parametrize("value", [1, "yes", None, np.True_], ids=["int", "str", "none", "numpy_bool"])
def test_requires_grad_setter_takes_only_a_bool_like_torch(value):
    def make(lib):
        lib.ones(2).requires_grad = value
    assert _outcome(tinynn, make)[0] == _outcome(torch, make)[0] == ("raises", RuntimeError)


@pytest.mark.parametrize("value", [1, "yes", None, np.True_], ids=["int", "str", "none", "numpy_bool"])
def test_requires_grad_method_takes_only_a_bool_like_torch(value):
    def make(lib):
        return lib.ones(2).requires_grad_(value)
    assert _outcome(tinynn, make)[0] == _outcome(torch, make)[0] == ("raises", TypeError)


def test_assigning_a_tensor_as_its_own_grad_raises_like_torch():
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="its own grad"):
            x.grad = x


def test_deleting_grad_sets_it_to_none_like_torch():
    for lib in (torch, tinynn):
        x = lib.ones(2, requires_grad=True)
        x.grad = lib.ones(2)
        del x.grad
        assert x.grad is None


DATA_VALUES = {
    "ndarray": lambda lib: np.zeros(2),
    "list": lambda lib: [1.0],
    "none": lambda lib: None,
    "int_tensor": lambda lib: lib.zeros(2, dtype=lib.int64),
    "float64_tensor": lambda lib: lib.zeros(4, dtype=lib.float64),
}


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("value", sorted(DATA_VALUES))
def test_data_setter_checks_like_torch(value, requires_grad):
    def make(lib):
        x = lib.ones(3, requires_grad=requires_grad)
        x.data = DATA_VALUES[value](lib)
        return x.dtype == getattr(lib, "float64"), tuple(x.shape), x.requires_grad
    assert _outcome(tinynn, make)[0] == _outcome(torch, make)[0]


@pytest.mark.parametrize("make_view", [
    lambda lib, x: x[1:], lambda lib, x: x.view(3), lambda lib, x: x[0],
], ids=["slice", "view", "element"])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_detach_in_place_of_a_view_raises_like_torch(make_view, requires_grad):
    def make(lib):
        base = lib.ones(3, requires_grad=requires_grad)
        return make_view(lib, base).detach_()
    assert _outcome(tinynn, make)[0] == _outcome(torch, make)[0] == ("raises", RuntimeError)


def test_detach_in_place_of_a_detached_view_works_like_torch():
    for lib in (torch, tinynn):
        assert lib.ones(3)[1:].detach().detach_().tolist() == [1.0, 1.0]


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")  # torch's own
def test_array_with_copy_true_does_not_share_memory():
    x = tinynn.ones(2)
    np.array(x, copy=True)[0] = 5.0
    t = torch.ones(2)
    np.array(t, copy=True)[0] = 5.0
    assert x.tolist() == t.tolist() == [1.0, 1.0]


def test_asarray_with_the_same_dtype_shares_memory_like_torch():
    x, t = tinynn.ones(2), torch.ones(2)
    np.asarray(x, dtype=np.float32)[0] = 5.0
    np.asarray(t, dtype=np.float32)[0] = 5.0
    assert x.tolist() == t.tolist() == [5.0, 1.0]


NEW = {
    "zeros": lambda x, **kw: x.new_zeros(2, 3, **kw),
    "ones": lambda x, **kw: x.new_ones((2,), **kw),
    "empty": lambda x, **kw: x.new_empty(2, **kw),
    "full": lambda x, **kw: x.new_full((2,), 1, **kw),
    "tensor": lambda x, **kw: x.new_tensor([1, 2], **kw),
}
NEW_KEYWORDS = {
    "requires_grad": lambda lib: {"requires_grad": True},
    "device_cpu": lambda lib: {"device": "cpu"},
    "float64_requires_grad": lambda lib: {"dtype": lib.float64, "requires_grad": True},
    "int64_requires_grad": lambda lib: {"dtype": lib.int64, "requires_grad": True},
    "no_grad": lambda lib: {"requires_grad": False},
}


@pytest.mark.parametrize("source", ["float32", "int64"])
@pytest.mark.parametrize("keywords", sorted(NEW_KEYWORDS))
@pytest.mark.parametrize("method", sorted(NEW))
def test_new_methods_take_torchs_keywords(method, keywords, source):
    def make(lib):
        y = NEW[method](lib.ones(2, dtype=getattr(lib, source)), **NEW_KEYWORDS[keywords](lib))
        return tuple(y.shape), str(y.dtype).split(".")[-1], y.requires_grad, y.is_leaf
    assert _outcome(tinynn, make)[0] == _outcome(torch, make)[0]


@pytest.mark.parametrize("method", ["new_zeros", "new_ones", "new_empty"])
def test_new_methods_take_size_as_a_keyword(method):
    assert getattr(tinynn.ones(1), method)(size=(2, 3)).shape == getattr(torch.ones(1), method)(size=(2, 3)).shape


@pytest.mark.parametrize("requires_grad", [False, True])
def test_new_tensor_from_a_tensor_copies_it_detached_with_torchs_warning(requires_grad):
    def make(lib):
        source = lib.ones(2, requires_grad=requires_grad)
        y = lib.zeros(1, dtype=lib.float64).new_tensor(source)
        y.add_(1)
        return y.tolist(), source.tolist(), str(y.dtype).split(".")[-1], y.requires_grad
    assert _outcome(tinynn, make) == _outcome(torch, make)


# -- tinynn.testing.assert_close takes torch.testing.assert_close's keywords --------------------

@pytest.mark.parametrize("kwargs, raises", [
    (dict(equal_nan=True), False),
    (dict(equal_nan=False), True),
])
def test_assert_close_equal_nan_like_torch(kwargs, raises):
    for lib, fn, one_of_two in ((torch, torch.testing.assert_close, "Mismatched elements: 1 / 2"),
                                (tinynn, assert_close, "1 of 2 elements differ")):
        nan = lib.tensor([1.0, float("nan")])
        if raises:
            with pytest.raises(AssertionError, match=one_of_two):
                fn(nan, nan.clone(), **kwargs)
        else:
            fn(nan, nan.clone(), **kwargs)


@pytest.mark.parametrize("check_dtype", [True, False])
def test_assert_close_check_dtype_like_torch(check_dtype):
    for lib, fn in ((torch, torch.testing.assert_close), (tinynn, assert_close)):
        pair = lib.tensor([1.0, 2.0]), lib.tensor([1.0, 2.0000001], dtype=lib.float64)
        if check_dtype:
            with pytest.raises(AssertionError, match="dtype"):
                fn(*pair, check_dtype=check_dtype)
        else:  # the looser (float32) tolerance applies
            fn(*pair, check_dtype=check_dtype)


@pytest.mark.parametrize("check_stride", [True, False])
def test_assert_close_check_stride_like_torch(check_stride):
    for lib, fn in ((torch, torch.testing.assert_close), (tinynn, assert_close)):
        pair = lib.ones(2, 3).t(), lib.ones(3, 2)
        if check_stride:
            with pytest.raises(AssertionError, match=r"'stride\(\)' do not match: \(1, 3\) != \(2, 1\)"):
                fn(*pair, check_stride=check_stride)
        else:
            fn(*pair, check_stride=check_stride)


@pytest.mark.parametrize("msg", ["custom message", lambda generated: "wrapped: " + generated.splitlines()[0]])
def test_assert_close_msg_replaces_or_wraps_the_message_like_torch(msg):
    messages = []
    for lib, fn in ((torch, torch.testing.assert_close), (tinynn, assert_close)):
        with pytest.raises(AssertionError) as error:
            fn(lib.tensor([1.0]), lib.tensor([2.0]), msg=msg)
        messages.append(str(error.value))
    if callable(msg):
        assert all(m.startswith("wrapped: ") for m in messages)
    else:
        assert messages[0] == messages[1] == msg


def test_assert_close_accepts_check_device():
    torch.testing.assert_close(torch.ones(2), torch.ones(2), check_device=False)
    assert_close(tinynn.ones(2), tinynn.ones(2), check_device=False)
