"""``nn.init`` against ``torch.nn.init``: ``calculate_gain``, fans, the documented scale of
each uniform and normal initialiser, in-place fills, seeded generators, ``trunc_normal_``
(bounds and truncated moments) and ``orthogonal_``.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import tinynn

from helpers import assert_same_error

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


def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    w = tinynn.empty(20000)
    tinynn.nn.init.trunc_normal_(w, mean=0.0, std=1.0, a=-0.5, b=1.0)
    reference = torch.nn.init.trunc_normal_(torch.empty(200000, dtype=torch.float64), 0.0, 1.0, -0.5, 1.0)
    assert -0.5 <= w.min().item() and w.max().item() <= 1.0
    assert abs(w.mean().item() - reference.mean().item()) < 0.01
    assert abs(w.std().item() - reference.std().item()) < 0.01


def test_trunc_normal_for_vit_style_small_std():
    w = tinynn.nn.init.trunc_normal_(tinynn.empty(256, 256), std=0.02)
    assert abs(w.std().item() - 0.02) < 0.001 and w.dtype == tinynn.float32 and not w.requires_grad


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (6, 2, 3, 3), (4, 4)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    w = tinynn.nn.Parameter(tinynn.empty(*shape))
    tinynn.nn.init.orthogonal_(w, gain=2.0)
    m = w.detach().numpy().astype(np.float64).reshape(shape[0], -1)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-5)
    assert w.requires_grad and w.grad is None


def test_orthogonal_of_a_vector_raises_like_torch():
    assert_same_error(lambda: tinynn.nn.init.orthogonal_(tinynn.empty(3)),
                      lambda: torch.nn.init.orthogonal_(torch.empty(3)), same_message=True)


# -- eye_, dirac_, and the warning for empty tensors --------------------------------------------
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (2, 0), (3,), (), (2, 3, 4)])
def test_eye_matches_torch(shape):
    def fill(lib):
        weight = lib.nn.Parameter(lib.empty(*shape))
        out = lib.nn.init.eye_(weight)
        return out is weight, out.detach().numpy().tolist(), out.requires_grad, out.is_leaf

    if len(shape) == 2:
        assert fill(tinynn) == fill(torch)
    else:
        assert_same_error(fill, same_message=True)


@pytest.mark.parametrize("shape, groups", [((4, 2, 3), 1), ((4, 1, 3), 2), ((2, 3, 3, 4), 1), ((6, 2, 3, 3), 3),
                                           ((2, 2, 1, 3, 3), 1), ((3, 1, 3), 2), ((3, 4), 1), ((1, 1, 1, 1, 1, 1), 1)])
def test_dirac_matches_torch(shape, groups):
    def fill(lib):
        weight = lib.nn.Parameter(lib.empty(*shape))
        out = lib.nn.init.dirac_(weight, groups=groups)
        return out is weight, out.detach().numpy().tolist(), out.requires_grad, out.is_leaf

    if 3 <= len(shape) <= 5 and shape[0] % groups == 0:
        assert fill(tinynn) == fill(torch)
    else:
        assert_same_error(fill, same_message=True)


@pytest.mark.parametrize("init", ["kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3, 2)])
def test_kaiming_of_an_empty_tensor_warns_like_torch(init, shape):
    def fill(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            getattr(lib.nn.init, init)(lib.empty(*shape))
        return [(w.category, str(w.message)) for w in caught]

    assert fill(tinynn) == fill(torch)
