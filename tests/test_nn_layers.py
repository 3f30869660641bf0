"""Layers against ``torch.nn``: Linear (functional and module, PyTorch's default init),
activations, Dropout, Flatten/Unflatten, containers, ``nn.init`` and gradient clipping.

Outputs and every gradient (inputs and parameters) are compared with the per-dtype
tolerances of ``tinynn.testing``; weights are copied from the torch module with
``load_state_dict``.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch
from tinynn.utils.convert import state_dict_from_torch

DTYPES = ["float32", "float64"]
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
TINYNN_DTYPES = {"float32": tinynn.float32, "float64": tinynn.float64}


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def run_module_pair(theirs: torch.nn.Module, ours: tinynn.nn.Module, x: np.ndarray, dtype: str, device: str):
    """Copy theirs' weights into ours, run both on x, backward the same gradient, compare all."""
    theirs = theirs.to(device=device, dtype=TORCH_DTYPES[dtype])
    ours = ours.to(TINYNN_DTYPES[dtype])
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    xt = torch.tensor(x.astype(dtype), device=device, requires_grad=True)
    xo = tinynn.tensor(x.astype(dtype), requires_grad=True)
    out_t, out_o = theirs(xt), ours(xo)
    assert_close(out_o, out_t, name="output")
    g = np.random.default_rng(1).standard_normal(tuple(out_t.shape)).astype(dtype)
    out_t.backward(torch.tensor(g, device=device))
    out_o.backward(tinynn.tensor(g))
    assert_close(xo.grad, xt.grad, name="input grad")
    for (name, p_o), (_, p_t) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert_close(p_o.grad, p_t.grad, name=f"grad of {name}")


# -- Linear ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape", [(5, 3), (3,), (2, 4, 3), (0, 3)], ids=["batch", "vector", "3d", "empty"])
@pytest.mark.parametrize("bias", [True, False])
def test_functional_linear_matches_torch(x_shape, bias, dtype, device):
    inputs = [randn(*x_shape), randn(4, 3, seed=1)] + ([randn(4, seed=2)] if bias else [])
    compare_with_torch(lambda lib, x, w, *b: lib.nn.functional.linear(x, w, *b), *inputs,
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_module_matches_torch(bias, dtype, device):
    torch.manual_seed(0)
    run_module_pair(torch.nn.Linear(6, 4, bias=bias), tinynn.nn.Linear(6, 4, bias=bias),
                    randn(5, 6), dtype, device)


def test_linear_grad_fn_is_one_node():
    out = tinynn.nn.Linear(3, 2)(tinynn.randn(4, 3))
    assert out.grad_fn.name() == "LinearBackward0"


def test_linear_double_backward_matches_torch():
    """The backward is written with tensor ops, so a gradient of the gradient works."""
    def fn(lib, x, w, b):
        y = lib.nn.functional.linear(x, w, b).tanh().sum()
        (gx,) = lib.autograd.grad(y, (x,), create_graph=True)
        return (gx * gx).sum()

    compare_with_torch(fn, randn(3, 4), randn(2, 4, seed=1), randn(2, seed=2), dtype="float64")


def test_linear_default_init_is_uniform_with_bound_one_over_sqrt_fan_in():
    tinynn.manual_seed(0)
    layer = tinynn.nn.Linear(784, 128)
    bound = 1 / math.sqrt(784)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert w.shape == (128, 784) and b.shape == (128,) and w.dtype == np.float32
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-k, k) has std k / sqrt(3); with 100,352 samples the estimate is within 1%
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(w).max() > 0.99 * bound


def test_linear_attributes_and_repr_match_torch():
    for kwargs in ({}, {"bias": False}):
        ours, theirs = tinynn.nn.Linear(784, 128, **kwargs), torch.nn.Linear(784, 128, **kwargs)
        assert repr(ours) == repr(theirs)
        assert (ours.in_features, ours.out_features) == (theirs.in_features, theirs.out_features)


def test_linear_dtype_argument():
    assert tinynn.nn.Linear(2, 3, dtype=tinynn.float64).weight.dtype is tinynn.float64


@pytest.mark.parametrize("x_shape", [(2, 5, 100), (100,), ()])
def test_linear_shape_errors_match_torch(x_shape):
    with pytest.raises(RuntimeError) as ours:
        tinynn.nn.Linear(784, 128)(tinynn.zeros(x_shape))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(784, 128)(torch.zeros(x_shape))
    assert str(ours.value) == str(theirs.value)


def test_linear_dtype_mismatch_error_matches_torch():
    with pytest.raises(RuntimeError) as ours:
        tinynn.nn.Linear(3, 2)(tinynn.zeros(4, 3, dtype=tinynn.float64))
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.Linear(3, 2)(torch.zeros(4, 3, dtype=torch.float64))
    assert str(ours.value) == str(theirs.value)


def test_identity_returns_input():
    x = tinynn.randn(3)
    assert tinynn.nn.Identity(54, unused="x")(x) is x


# -- activations -----------------------------------------------------------------------------
ACTIVATIONS = {
    "relu": lambda lib, x: lib.nn.functional.relu(x),
    "leaky_relu": lambda lib, x: lib.nn.functional.leaky_relu(x, 0.2),
    "leaky_relu_default": lambda lib, x: lib.nn.functional.leaky_relu(x),
    "gelu": lambda lib, x: lib.nn.functional.gelu(x),
    "gelu_tanh": lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"),
    "sigmoid": lambda lib, x: lib.nn.functional.sigmoid(x),
    "tanh": lambda lib, x: lib.nn.functional.tanh(x),
    "silu": lambda lib, x: lib.nn.functional.silu(x),
    "softplus": lambda lib, x: lib.nn.functional.softplus(x),
    "softplus_beta": lambda lib, x: lib.nn.functional.softplus(x, beta=2.0, threshold=3.0),
    "softmax_dim1": lambda lib, x: lib.nn.functional.softmax(x, dim=1),
    "softmax_dim0": lambda lib, x: lib.nn.functional.softmax(x, dim=0),
    "log_softmax": lambda lib, x: lib.nn.functional.log_softmax(x, dim=-1),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_matches_torch(name, dtype, device):
    x = randn(4, 5) * 3
    x[0, :3] = [0.0, -1e-3, 1e-3]  # the kink of relu / leaky_relu: gradient at exactly 0
    compare_with_torch(ACTIVATIONS[name], x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmax_dim1", "log_softmax", "sigmoid", "gelu", "silu", "softplus"])
def test_activation_at_extreme_inputs_matches_torch(name, dtype, device):
    x = np.array([[1e4, -1e4, 0.0, 50.0], [-50.0, 88.0, -88.0, 3.0]])
    compare_with_torch(ACTIVATIONS[name], x, dtype=dtype, device=device)


MODULES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}),
    ("GELU", (), {}), ("GELU", ("tanh",), {}), ("Sigmoid", (), {}), ("Tanh", (), {}), ("SiLU", (), {}),
    ("Softmax", (), {"dim": 1}), ("LogSoftmax", (1,), {}), ("Softmax", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs", MODULES)
def test_activation_module_repr_matches_torch(name, args, kwargs):
    assert repr(getattr(tinynn.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "GELU", "Sigmoid", "Tanh", "SiLU", "LogSoftmax"])
def test_activation_module_matches_torch(name, dtype, device):
    args = (1,) if name == "LogSoftmax" else ()
    run_module_pair(getattr(torch.nn, name)(*args), getattr(tinynn.nn, name)(*args), randn(3, 4), dtype, device)


def test_softmax_without_dim_warns_and_picks_torch_dim():
    x = randn(3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension choice"):
        ours = tinynn.nn.functional.softmax(tinynn.tensor(x))
    with pytest.warns(UserWarning):
        theirs = torch.nn.functional.softmax(torch.tensor(x))
    assert_close(ours, theirs)


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(RuntimeError):
        tinynn.nn.functional.gelu(tinynn.zeros(2), approximate="fast")
    with pytest.raises(RuntimeError):
        torch.nn.functional.gelu(torch.zeros(2), approximate="fast")


def test_inplace_relu_modifies_input():
    x = tinynn.tensor([-1.0, 2.0])
    y = tinynn.nn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0]


# -- Dropout ---------------------------------------------------------------------------------
def test_dropout_zeroes_about_p_and_scales_the_rest():
    tinynn.manual_seed(0)
    x = tinynn.ones(200, 500)
    y = tinynn.nn.Dropout(p=0.3)(x).numpy()
    zero_fraction = (y == 0).mean()
    assert abs(zero_fraction - 0.3) < 0.01  # 100,000 draws: the std of the fraction is 0.0014
    assert np.allclose(y[y != 0], 1 / 0.7)


def test_dropout_gradient_is_the_mask():
    tinynn.manual_seed(1)
    x = tinynn.randn(50, 40, requires_grad=True)
    y = tinynn.nn.functional.dropout(x, p=0.5)
    y.sum().backward()
    kept = y.detach().numpy() != 0
    assert np.allclose(x.grad.numpy(), np.where(kept, 2.0, 0.0))


def test_dropout_in_eval_mode_and_p0_is_identity():
    x = tinynn.randn(4, 4)
    d = tinynn.nn.Dropout(0.5).eval()
    assert d(x) is x
    assert tinynn.nn.functional.dropout(x, p=0.0) is x
    assert tinynn.nn.functional.dropout(x, p=0.5, training=False) is x


def test_dropout_p1_zeroes_everything_like_torch():
    assert tinynn.nn.functional.dropout(tinynn.ones(5), p=1.0).tolist() == \
        torch.nn.functional.dropout(torch.ones(5), p=1.0).tolist()


def test_dropout_is_reproducible_with_manual_seed():
    tinynn.manual_seed(7)
    a = tinynn.nn.functional.dropout(tinynn.ones(100)).numpy().copy()
    tinynn.manual_seed(7)
    b = tinynn.nn.functional.dropout(tinynn.ones(100)).numpy()
    assert np.array_equal(a, b)


def test_dropout_probability_error_matches_torch():
    for make in (lambda lib: lib.nn.Dropout(1.5), lambda lib: lib.nn.functional.dropout(lib.ones(2), p=-0.1)):
        with pytest.raises(ValueError) as ours:
            make(tinynn)
        with pytest.raises(ValueError) as theirs:
            make(torch)
        assert str(ours.value) == str(theirs.value)


def test_dropout_repr_matches_torch():
    assert repr(tinynn.nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))


# -- Flatten / Unflatten ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("args", [(), (0,), (1, 2), (2, -1)])
def test_flatten_matches_torch(args, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.Flatten(*args)(x), randn(2, 3, 4, 5), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unflatten_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.Unflatten(1, (3, 4))(x), randn(2, 12, 5), dtype=dtype, device=device)


def test_flatten_repr_matches_torch():
    assert repr(tinynn.nn.Flatten()) == repr(torch.nn.Flatten())
    assert repr(tinynn.nn.Unflatten(1, (2, 3))) == repr(torch.nn.Unflatten(1, (2, 3)))


# -- containers ------------------------------------------------------------------------------
def test_sequential_indexing_slicing_and_editing_match_torch():
    def names(lib):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3), nn.Tanh())
        out = [type(s[-1]).__name__, len(s), repr(s[1:3])]
        del s[0]
        out.append(repr(s))
        s.append(nn.Sigmoid())
        s.insert(1, nn.Identity())
        out.append(repr(s))
        s[0] = nn.GELU()
        out.append([type(m).__name__ for m in s])
        return out

    assert names(tinynn) == names(torch)


def test_sequential_from_ordered_dict_keeps_names():
    from collections import OrderedDict

    ours = tinynn.nn.Sequential(OrderedDict(fc=tinynn.nn.Linear(2, 2), act=tinynn.nn.ReLU()))
    theirs = torch.nn.Sequential(OrderedDict(fc=torch.nn.Linear(2, 2), act=torch.nn.ReLU()))
    assert repr(ours) == repr(theirs) and ours.fc is ours[0]


def test_sequential_index_error_matches_torch():
    with pytest.raises(IndexError) as ours:
        tinynn.nn.Sequential(tinynn.nn.ReLU())[5]
    with pytest.raises(IndexError) as theirs:
        torch.nn.Sequential(torch.nn.ReLU())[5]
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sequential_mlp_matches_torch(dtype, device):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    ours = tinynn.nn.Sequential(tinynn.nn.Linear(8, 16), tinynn.nn.ReLU(), tinynn.nn.Linear(16, 3))
    run_module_pair(theirs, ours, randn(10, 8), dtype, device)


def test_module_list_registers_and_folds_repeats_in_repr_like_torch():
    def build(lib):
        nn = lib.nn
        return nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Linear(2, 3)])

    ours, theirs = build(tinynn), build(torch)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(tinynn.nn.ModuleList()) == repr(torch.nn.ModuleList())
    ours += [tinynn.nn.Tanh()]
    del ours[0]
    assert len(ours) == 5 and list(ours._modules) == ["0", "1", "2", "3", "4"]
    with pytest.raises(NotImplementedError):
        ours(tinynn.zeros(2))


def test_module_dict_matches_torch():
    def build(lib):
        return lib.nn.ModuleDict({"a": lib.nn.ReLU(), "b": lib.nn.Linear(1, 2)})

    ours, theirs = build(tinynn), build(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.keys()) == ["a", "b"] and "a" in ours and len(ours) == 2
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.pop("a")
    assert list(ours) == ["b"]


# -- init ------------------------------------------------------------------------------------
@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("conv2d", None), ("sigmoid", None),
                                                 ("tanh", None), ("relu", None), ("leaky_relu", None),
                                                 ("leaky_relu", 0.2), ("selu", None)])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert tinynn.nn.init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5, 5), (2, 6, 7)])
def test_fan_in_and_fan_out_match_torch(shape):
    assert tinynn.nn.init._calculate_fan_in_and_fan_out(tinynn.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


def test_fan_of_a_vector_raises_like_torch():
    with pytest.raises(ValueError):
        tinynn.nn.init._calculate_fan_in_and_fan_out(tinynn.empty(3))
    with pytest.raises(ValueError):
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(3))


# (init function, kwargs, expected bound of a uniform or std of a normal, as a function of fans)
INITS = [
    ("kaiming_uniform_", {}, "uniform", lambda fi, fo: math.sqrt(2 / (1 + 0.0)) * math.sqrt(3 / fi)),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, "uniform", lambda fi, fo: 1 / math.sqrt(fi)),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, "uniform",
     lambda fi, fo: math.sqrt(2) * math.sqrt(3 / fo)),
    ("kaiming_normal_", {}, "normal", lambda fi, fo: math.sqrt(2) / math.sqrt(fi)),
    ("xavier_uniform_", {}, "uniform", lambda fi, fo: math.sqrt(6 / (fi + fo))),
    ("xavier_uniform_", {"gain": 2.0}, "uniform", lambda fi, fo: 2 * math.sqrt(6 / (fi + fo))),
    ("xavier_normal_", {}, "normal", lambda fi, fo: math.sqrt(2 / (fi + fo))),
]


@pytest.mark.parametrize("name, kwargs, kind, scale", INITS)
def test_init_distribution_has_the_documented_scale(name, kwargs, kind, scale):
    tinynn.manual_seed(0)
    w = tinynn.empty(400, 300)
    assert getattr(tinynn.nn.init, name)(w, **kwargs) is w
    values, s = w.numpy(), scale(300, 400)
    if kind == "uniform":
        assert np.abs(values).max() <= s and np.abs(values).max() > 0.99 * s
        assert abs(values.std() - s / math.sqrt(3)) < 0.01 * s
    else:
        assert abs(values.std() - s) < 0.01 * s
    assert abs(values.mean()) < 0.01 * s


def test_simple_inits_fill_in_place_even_for_parameters():
    p = tinynn.nn.Parameter(tinynn.empty(3, 2))
    tinynn.nn.init.zeros_(p)
    assert p.abs().sum().item() == 0 and p.requires_grad
    tinynn.nn.init.ones_(p)
    assert p.sum().item() == 6
    tinynn.nn.init.constant_(p, 0.5)
    assert p.sum().item() == 3
    tinynn.nn.init.uniform_(p, -2, -1)
    assert p.max().item() <= -1 and p.min().item() >= -2
    tinynn.nn.init.normal_(p, 10.0, 0.01)
    assert abs(p.mean().item() - 10) < 0.1


def test_init_with_a_seeded_generator_is_reproducible():
    a = tinynn.nn.init.kaiming_uniform_(tinynn.empty(3, 4), generator=tinynn.Generator().manual_seed(3))
    b = tinynn.nn.init.kaiming_uniform_(tinynn.empty(3, 4), generator=tinynn.Generator().manual_seed(3))
    assert a.equal(b)


# -- gradient clipping -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_type, max_norm", [(2.0, 1.0), (1.0, 2.0), (float("inf"), 0.5), (2.0, 100.0)])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype, device):
    grads = [randn(3, 4, seed=1) * 3, randn(5, seed=2)]
    ours = [tinynn.zeros(*g.shape, dtype=TINYNN_DTYPES[dtype], requires_grad=True) for g in grads]
    theirs = [torch.zeros(*g.shape, dtype=TORCH_DTYPES[dtype], device=device, requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad = tinynn.tensor(g.astype(dtype))
        t.grad = torch.tensor(g.astype(dtype), device=device)
    total_o = tinynn.nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert_close(total_o, total_t, name="total norm")
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad, name="clipped grad")


def test_clip_grad_norm_nonfinite_error_matches_torch():
    o, t = tinynn.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    o.grad, t.grad = tinynn.tensor([float("nan"), 1.0, 2.0]), torch.tensor([float("nan"), 1.0, 2.0])
    with pytest.raises(RuntimeError) as ours:
        tinynn.nn.utils.clip_grad_norm_([o], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_([t], 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)


def test_clip_grad_value_matches_torch():
    g = randn(4, 5) * 3
    o, t = tinynn.zeros(4, 5, requires_grad=True), torch.zeros(4, 5, requires_grad=True)
    o.grad, t.grad = tinynn.tensor(g.astype("float32")), torch.tensor(g.astype("float32"))
    tinynn.nn.utils.clip_grad_value_(o, 1.5)
    torch.nn.utils.clip_grad_value_(t, 1.5)
    assert_close(o.grad, t.grad)
