"""Convolutions (``F.conv2d``, ``F.conv1d``, ``F.conv_transpose2d``, ``nn.Conv2d``, ``nn.Conv1d``)
against PyTorch: outputs and the gradients of input, weight and bias, float32 and float64,
for every option (stride, padding including "same"/"valid", dilation, groups, bias, unbatched
input, non-square kernels and inputs); second derivatives; the layers' init and repr; and
the sources' CNN trained for a few steps in both libraries from the same weights.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinynn
from tinynn.autograd import gradcheck, gradgradcheck
from tinynn.testing import assert_close, compare_with_torch
from tinynn.utils.convert import state_dict_from_torch

from helpers import compare_module, randn

DTYPES = ["float32", "float64"]

pytestmark = [
    pytest.mark.filterwarnings("error::RuntimeWarning"),  # no overflow/invalid warnings
    # PyTorch's (not tinynn's) note that padding='same' with an even kernel copies the input
    pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths:UserWarning"),
]


def conv2d(lib):
    return lib.nn.functional.conv2d


@pytest.fixture(params=["per_image", "batch_last"])
def layout(request, monkeypatch):
    """Run the test with each of tinynn's two im2col layouts (``conv._batch_last``): one
    matrix per image, or the whole batch as one wide image (which tinynn picks for outputs
    of at most ``_BATCH_LAST_PIXELS`` pixels)."""
    from tinynn.nn.functional import conv
    monkeypatch.setattr(conv, "_BATCH_LAST_PIXELS", -1 if request.param == "per_image" else 10**9)
    return request.param


# name: (input shape, weight shape, keyword arguments)
CONV2D_CASES = {
    "plain": ((2, 3, 7, 7), (4, 3, 3, 3), {}),
    "stride_2": ((2, 3, 8, 8), (4, 3, 3, 3), dict(stride=2)),
    "stride_tuple": ((2, 3, 9, 8), (4, 3, 3, 3), dict(stride=(2, 1))),
    "stride_not_dividing": ((1, 2, 8, 7), (3, 2, 3, 3), dict(stride=3)),
    "padding_1": ((2, 3, 6, 6), (4, 3, 3, 3), dict(padding=1)),
    "padding_tuple": ((2, 3, 6, 5), (4, 3, 3, 3), dict(padding=(2, 0))),
    "padding_same_odd": ((2, 3, 6, 6), (4, 3, 3, 3), dict(padding="same")),
    "padding_same_even_kernel": ((2, 3, 6, 7), (4, 3, 4, 2), dict(padding="same")),
    "padding_same_dilated": ((2, 3, 9, 9), (4, 3, 3, 2), dict(padding="same", dilation=(2, 3))),
    "padding_valid": ((2, 3, 6, 6), (4, 3, 3, 3), dict(padding="valid")),
    "dilation_2": ((2, 3, 9, 9), (4, 3, 3, 3), dict(dilation=2)),
    "dilation_tuple": ((2, 3, 9, 9), (4, 3, 3, 2), dict(dilation=(1, 3))),
    "groups_2": ((2, 4, 6, 6), (6, 2, 3, 3), dict(groups=2)),
    "depthwise": ((2, 4, 6, 6), (4, 1, 3, 3), dict(groups=4, padding=1)),
    "depthwise_multiplier": ((2, 3, 6, 6), (6, 1, 3, 3), dict(groups=3)),
    "non_square_kernel_and_input": ((2, 2, 5, 9), (3, 2, 2, 4), {}),
    "one_by_one_kernel": ((2, 5, 4, 4), (3, 5, 1, 1), {}),
    "kernel_equals_input": ((2, 2, 5, 5), (3, 2, 5, 5), {}),
    "everything": ((2, 4, 11, 10), (6, 2, 3, 2), dict(stride=(2, 3), padding=(1, 2), dilation=(2, 1), groups=2)),
    "mnist_first_layer": ((2, 1, 28, 28), (10, 1, 5, 5), {}),
}


# The weight gradient of "mnist_first_layer" sums N * H_out * W_out = 1152 products of
# standard normals: partial sums reach ~35, and float32 sums of that size, added in a
# different order by numpy's and PyTorch's kernels, differ by a few 1e-5 (sqrt(1152) * 35 *
# 6e-8 ~ 7e-5). An absolute tolerance of 1e-4 is used there, for float32 only.
FLOAT32_ATOL = {"mnist_first_layer": 1e-4}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CONV2D_CASES))
def test_conv2d_matches_torch_with_bias(case, dtype, device, layout):
    x_shape, w_shape, kwargs = CONV2D_CASES[case]
    atol = FLOAT32_ATOL.get(case) if dtype == "float32" else None
    compare_with_torch(lambda lib, x, w, b: conv2d(lib)(x, w, b, **kwargs),
                       randn(*x_shape), randn(*w_shape, seed=1), randn(w_shape[0], seed=2),
                       dtype=dtype, device=device, atol=atol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ["plain", "stride_tuple", "groups_2", "everything"])
def test_conv2d_matches_torch_without_bias(case, dtype, device, layout):
    x_shape, w_shape, kwargs = CONV2D_CASES[case]
    compare_with_torch(lambda lib, x, w: conv2d(lib)(x, w, None, **kwargs),
                       randn(*x_shape), randn(*w_shape, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv2d_unbatched_input_matches_torch(dtype, device, layout):
    compare_with_torch(lambda lib, x, w, b: conv2d(lib)(x, w, b, stride=2, padding=1),
                       randn(3, 7, 6), randn(4, 3, 3, 3, seed=1), randn(4, seed=2),
                       dtype=dtype, device=device)


def test_conv2d_positional_arguments_follow_torch_order(device):
    # conv2d(input, weight, bias, stride, padding, dilation, groups)
    compare_with_torch(lambda lib, x, w: conv2d(lib)(x, w, None, 2, 1, 2, 2),
                       randn(1, 4, 9, 9), randn(2, 2, 3, 3, seed=1), dtype="float64", device=device)


def test_conv2d_of_an_empty_batch_matches_torch(layout, device):
    compare_with_torch(lambda lib, x, w, b: conv2d(lib)(x, w, b, padding=1),
                       randn(0, 3, 6, 6), randn(4, 3, 3, 3, seed=1), randn(4, seed=2),
                       dtype="float32", device=device)


@pytest.mark.parametrize("w_shape, groups", [((0, 3, 3, 3), 1), ((2, 1, 3, 3), 3)])
def test_conv2d_with_fewer_filters_than_groups_raises_like_torch(w_shape, groups):
    x = randn(2, 3, 6, 6).astype(np.float32)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.functional.conv2d(torch.tensor(x), torch.zeros(w_shape), groups=groups)
    with pytest.raises(RuntimeError) as ours:
        conv2d(tinynn)(tinynn.tensor(x), tinynn.zeros(w_shape), groups=groups)
    assert str(ours.value) == str(theirs.value)


def test_conv2d_picks_the_batch_last_layout_for_small_outputs_only():
    from tinynn.nn.functional import conv
    small = conv._conv_geometry("conv2d", tinynn.zeros(64, 10, 12, 12), tinynn.zeros(20, 10, 5, 5),
                                None, 1, 0, 1, 1, 2)  # 8 x 8 outputs: chapter 4's second layer
    large = conv._conv_geometry("conv2d", tinynn.zeros(64, 1, 28, 28), tinynn.zeros(10, 1, 5, 5),
                                None, 1, 0, 1, 1, 2)  # 24 x 24 outputs: its first layer
    assert conv._batch_last(small) and not conv._batch_last(large)


def test_conv2d_only_weight_requires_grad_leaves_input_grad_none():
    x = tinynn.tensor(randn(2, 3, 6, 6).astype(np.float32))
    w = tinynn.tensor(randn(4, 3, 3, 3).astype(np.float32), requires_grad=True)
    tinynn.nn.functional.conv2d(x, w).sum().backward()
    assert x.grad is None and w.grad is not None


def test_conv2d_output_is_contiguous_and_keeps_dtype():
    x = tinynn.randn(2, 3, 8, 8, dtype=tinynn.float64)
    out = tinynn.nn.functional.conv2d(x, tinynn.randn(4, 3, 3, 3, dtype=tinynn.float64), stride=2)
    assert out.is_contiguous() and out.dtype is tinynn.float64
    assert out.view(2, -1).shape == (2, 4 * 3 * 3)  # the sources' x.view(-1, 320) needs this


# -- conv1d and conv_transpose2d ------------------------------------------------------
CONV1D_CASES = {
    "plain": ((2, 3, 10), (4, 3, 3), {}),
    "stride_padding_dilation": ((2, 3, 12), (4, 3, 3), dict(stride=2, padding=2, dilation=2)),
    "groups": ((2, 4, 9), (6, 2, 2), dict(groups=2)),
    "same": ((2, 3, 9), (4, 3, 4), dict(padding="same")),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CONV1D_CASES))
def test_conv1d_matches_torch(case, dtype, device, layout):
    x_shape, w_shape, kwargs = CONV1D_CASES[case]
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.conv1d(x, w, b, **kwargs),
                       randn(*x_shape), randn(*w_shape, seed=1), randn(w_shape[0], seed=2),
                       dtype=dtype, device=device)


def test_conv1d_unbatched_input_matches_torch(device):
    compare_with_torch(lambda lib, x, w: lib.nn.functional.conv1d(x, w, padding=1),
                       randn(3, 8), randn(5, 3, 3, seed=1), dtype="float64", device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, dict(stride=2), dict(stride=2, padding=1, output_padding=1),
                                    dict(stride=(2, 1), dilation=(1, 2), groups=2)],
                         ids=["plain", "stride", "output_padding", "groups_dilation"])
def test_conv_transpose2d_matches_torch(kwargs, dtype, device, layout):
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(x, w, b, **kwargs),
                       randn(2, 4, 5, 4), randn(4, 3, 3, 2, seed=1), randn(3 * kwargs.get("groups", 1), seed=2),
                       dtype=dtype, device=device)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    """<conv2d(x, w), g> = <x, conv_transpose2d(g, w)>: the two are adjoint."""
    F = tinynn.nn.functional
    x, w = tinynn.tensor(randn(2, 3, 9, 8)), tinynn.tensor(randn(5, 3, 3, 2, seed=1))
    y = F.conv2d(x, w, stride=2, padding=1)
    g = tinynn.tensor(randn(*y.shape, seed=2))
    lhs = (y * g).sum().item()
    rhs = (x * F.conv_transpose2d(g, w, stride=2, padding=1)).sum().item()
    assert math.isclose(lhs, rhs, rel_tol=1e-12)


# -- second derivatives -----------------------------------------------------------------
@pytest.mark.parametrize("kwargs", [dict(padding=1), dict(stride=(2, 1), dilation=(1, 2), groups=2)],
                         ids=["padding", "stride_dilation_groups"])
def test_conv2d_gradcheck_float64(kwargs, layout):
    x = tinynn.tensor(randn(2, 2, 5, 4), requires_grad=True)
    w = tinynn.tensor(randn(2, 1 if kwargs.get("groups") else 2, 3, 2, seed=1), requires_grad=True)
    b = tinynn.tensor(randn(2, seed=2), requires_grad=True)
    assert gradcheck(lambda x, w, b: tinynn.nn.functional.conv2d(x, w, b, **kwargs), (x, w, b))


def test_conv2d_gradgradcheck_float64(layout):
    x = tinynn.tensor(randn(1, 2, 4, 5), requires_grad=True)
    w = tinynn.tensor(randn(2, 1, 2, 3, seed=1), requires_grad=True)
    assert gradgradcheck(lambda x, w: tinynn.nn.functional.conv2d(x, w, stride=(1, 2), padding=1, groups=2),
                         (x, w))


def test_conv2d_double_backward_matches_torch(device, layout):
    """d/dx of sum((dL/dw)^2), a second derivative through both backward Functions."""
    def fn(lib, x, w):
        y = lib.nn.functional.conv2d(x, w, stride=2, padding=1)
        grad_w, = lib.autograd.grad((y * y).sum(), w, create_graph=True)
        return (grad_w * grad_w).sum()

    compare_with_torch(fn, randn(2, 3, 6, 6), randn(4, 3, 3, 3, seed=1), dtype="float64", device=device)


# -- the layers -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("padding_mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv2d_module_with_copied_weights_matches_torch(padding_mode, dtype, device):
    torch.manual_seed(0)
    theirs = torch.nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(1, 2), groups=2,
                             padding_mode=padding_mode).to(getattr(torch, dtype))
    ours = tinynn.nn.Conv2d(4, 6, (3, 2), stride=(1, 2), padding=(1, 2), groups=2,
                            padding_mode=padding_mode, dtype=getattr(tinynn, dtype))
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    theirs = theirs.to(device)
    x = randn(2, 4, 6, 7)
    t_x = torch.tensor(x, dtype=getattr(torch, dtype), device=device, requires_grad=True)
    o_x = tinynn.tensor(x, dtype=getattr(tinynn, dtype), requires_grad=True)
    t_out, o_out = theirs(t_x), ours(o_x)
    assert_close(o_out, t_out)
    g = randn(*t_out.shape, seed=3)
    t_out.backward(torch.tensor(g, dtype=t_out.dtype, device=device))
    o_out.backward(tinynn.tensor(g, dtype=o_out.dtype))
    assert_close(o_x.grad, t_x.grad, name="input grad")
    assert_close(ours.weight.grad, theirs.weight.grad, name="weight grad")
    assert_close(ours.bias.grad, theirs.bias.grad, name="bias grad")


def test_conv1d_module_with_copied_weights_matches_torch(device):
    theirs = torch.nn.Conv1d(3, 5, 3, padding="same", dilation=2)
    ours = tinynn.nn.Conv1d(3, 5, 3, padding="same", dilation=2)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    x = randn(2, 3, 11).astype(np.float32)
    assert_close(ours(tinynn.tensor(x)), theirs.to(device)(torch.tensor(x, device=device)))


@pytest.mark.parametrize("args", [(1, 10, 5), (10, 20, 5), (6, 4, (3, 2), 1, 0, 1, 2)],
                         ids=["1_10_k5", "10_20_k5", "groups"])
def test_conv2d_default_init_bounds_match_torch(args):
    """weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in/groups * kH * kW."""
    ours, theirs = tinynn.nn.Conv2d(*args), torch.nn.Conv2d(*args)
    assert ours.weight.shape == tuple(theirs.weight.shape) and ours.bias.shape == tuple(theirs.bias.shape)
    fan_in = theirs.weight[0].numel()
    bound = 1 / math.sqrt(fan_in)
    for p in (ours.weight, ours.bias):
        assert p.dtype is tinynn.float32
        assert np.abs(p.detach().numpy()).max() <= bound
    assert np.abs(ours.weight.detach().numpy()).max() > 0.8 * bound  # many draws reach the edge


@pytest.mark.parametrize("args, kwargs", [
    ((4, 6, (3, 5)), dict(stride=2, padding=1, dilation=2, groups=2, bias=False)),
    ((4, 6, 3), {}),
    ((4, 6, 3), dict(padding="same", padding_mode="reflect")),
], ids=["everything", "defaults", "same_reflect"])
def test_conv2d_repr_matches_torch(args, kwargs):
    assert repr(tinynn.nn.Conv2d(*args, **kwargs)) == repr(torch.nn.Conv2d(*args, **kwargs))


def test_conv1d_and_conv_transpose2d_repr_match_torch():
    assert repr(tinynn.nn.Conv1d(4, 6, 3, padding="same")) == repr(torch.nn.Conv1d(4, 6, 3, padding="same"))
    assert repr(tinynn.nn.ConvTranspose2d(4, 6, 3, stride=2)) == repr(torch.nn.ConvTranspose2d(4, 6, 3, stride=2))


def test_conv2d_state_dict_keys_and_shapes_match_torch():
    ours, theirs = tinynn.nn.Conv2d(3, 8, 3, bias=False), torch.nn.Conv2d(3, 8, 3, bias=False)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
           [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]


# -- the sources' network, trained in both --------------------------------------------
CNN_SCRIPT = """
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = torch.nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = torch.nn.Linear(320, 50)
        self.fc2 = torch.nn.Linear(50, 10)

    def forward(self, x):
        x = torch.relu(torch.nn.functional.max_pool2d(self.conv1(x), 2))
        x = torch.relu(torch.nn.functional.max_pool2d(self.conv2(x), 2))
        x = x.view(-1, 320)
        x = torch.relu(self.fc1(x))
        return self.fc2(x)

model = Net()
model.load_state_dict(initial_state)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = torch.nn.CrossEntropyLoss()
losses = []
for step in range(4):
    x = torch.from_numpy(images[step])
    y = torch.from_numpy(labels[step])
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
"""


def test_sources_cnn_trains_identically_with_import_tinynn_as_torch():
    rng = np.random.default_rng(0)
    images = rng.standard_normal((4, 16, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, (4, 16))
    torch.manual_seed(0)
    reference: dict = {"torch": torch}
    exec(CNN_SCRIPT.split("model.load_state_dict")[0], reference)  # defines Net, builds model
    initial = reference["model"].state_dict()
    losses = {}
    for lib, state in ((torch, initial), (tinynn, state_dict_from_torch(initial))):
        namespace = {"torch": lib, "images": images, "labels": labels, "initial_state": state}
        exec(CNN_SCRIPT, namespace)
        losses[lib.__name__] = namespace["losses"]
    np.testing.assert_allclose(losses["tinynn"], losses["torch"], rtol=1e-5, atol=1e-5)
    assert losses["tinynn"][-1] < losses["tinynn"][0]  # it learns


def test_conv_transpose2d_output_padding_beyond_the_stride_is_a_documented_deviation():
    """PyTorch allows stride <= output_padding < dilation; tinynn raises (book/deviations.md)."""
    x, w = tinynn.zeros(1, 2, 3, 3), tinynn.zeros(2, 2, 3, 3)
    with pytest.raises(NotImplementedError, match="output_padding < stride"):
        tinynn.nn.functional.conv_transpose2d(x, w, stride=1, dilation=2, output_padding=1)
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride or dilation"):
        tinynn.nn.functional.conv_transpose2d(x, w, stride=1, dilation=1, output_padding=1)


def test_conv_and_avg_pool_backward_add_opposite_infinities_to_nan_silently_like_torch():
    """Where windows overlap, col2im adds the gradients of both: inf + -inf = nan, with no
    numpy RuntimeWarning (PyTorch says nothing either)."""
    import warnings

    results = []
    for lib in (torch, tinynn):
        x = lib.tensor([[[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]]], requires_grad=True)
        g = lib.tensor([[[[math.inf, -math.inf], [1.0, 1.0]]]])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.nn.functional.conv2d(x, lib.ones(1, 1, 1, 2)).backward(g)
            conv_grad = x.grad.tolist()
            x.grad = None
            lib.nn.functional.avg_pool2d(x, (1, 2), stride=1).backward(g)
        results.append((conv_grad, x.grad.tolist()))
    np.testing.assert_equal(results[1], results[0])


# ConvTranspose2d(x, output_size=...) picks the output_padding that gives that size
OUTPUT_SIZES = [((2, 4, 5, 6), (11, 13), dict(stride=2)), ((2, 4, 5, 6), (12, 14), dict(stride=2)),
                ((2, 4, 5, 6), (2, 6, 12, 13), dict(stride=2)), ((4, 5, 6), (6, 11, 14), dict(stride=2)),
                ((4, 5, 6), (12, 19), dict(stride=(2, 3), padding=1, dilation=2))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, output_size, kwargs", OUTPUT_SIZES, ids=[str(c[1]) for c in OUTPUT_SIZES])
def test_conv_transpose2d_module_output_size_matches_torch(shape, output_size, kwargs, dtype, device):
    def make(lib):
        class WithOutputSize(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.up = lib.nn.ConvTranspose2d(4, 6, 3, **kwargs)

            def forward(self, x):
                return self.up(x, output_size=output_size)
        return WithOutputSize()
    compare_module(make, randn(*shape), dtype=dtype, device=device)


@pytest.mark.parametrize("bias_dtype", ["float64", "float32"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose2d_converts_the_bias_to_the_input_dtype(dtype, bias_dtype):
    """PyTorch's conv_transpose2d casts a bias of another dtype (conv2d refuses it)."""
    results = {}
    for lib in (tinynn, torch):
        x = lib.tensor(randn(1, 4, 3, 3), dtype=getattr(lib, dtype))
        w = lib.tensor(randn(4, 2, 3, 3, seed=1), dtype=getattr(lib, dtype))
        b = lib.tensor(randn(2, seed=2), dtype=getattr(lib, bias_dtype), requires_grad=True)
        out = lib.nn.functional.conv_transpose2d(x, w, b)
        out.sum().backward()
        results[lib] = out, b.grad
    assert str(results[tinynn][0].dtype) == str(results[torch][0].dtype).replace("torch", "tinynn")
    assert_close(results[tinynn][0], results[torch][0], name="output")
    assert_close(results[tinynn][1], results[torch][1], name="bias grad")
