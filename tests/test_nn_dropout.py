"""Dropout against ``torch.nn``: the fraction zeroed and the scale of the rest, the gradient
(the same mask), eval mode and p=0 and p=1, reproducibility with ``manual_seed``, the error
for a bad probability, and the repr; channel dropout (``dropout2d``): whole maps, the same
mask in backward, eval mode, the warning for a 3-D input.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close


# numpy warns (RuntimeWarning) where PyTorch is silent; a warning from tinynn fails the test
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

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


# -- dropout2d ------------------------------------------------------------------------
def test_dropout2d_zeros_whole_channels_and_scales_the_rest():
    tinynn.manual_seed(0)
    x = tinynn.ones(8, 16, 5, 5)
    y = tinynn.nn.functional.dropout2d(x, p=0.25).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 1 / 0.75).all(-1))  # whole maps
    kept = (per_channel[..., 0] != 0).mean()
    assert 0.6 < kept < 0.9  # about 1 - p of 128 channels


def test_dropout2d_gradient_uses_the_same_mask():
    tinynn.manual_seed(1)
    x = tinynn.randn(4, 6, 3, 3, requires_grad=True)
    y = tinynn.nn.functional.dropout2d(x, p=0.5)
    y.sum().backward()
    mask = (y.detach() / x.detach()).numpy()
    assert_close(x.grad, tinynn.tensor(mask))


def test_dropout2d_layer_is_identity_in_eval_and_repr_matches_torch():
    layer = tinynn.nn.Dropout2d(0.3)
    x = tinynn.randn(2, 3, 4, 4)
    assert layer.eval()(x) is x
    assert repr(layer) == repr(torch.nn.Dropout2d(0.3))


def test_dropout2d_three_d_input_warns_like_torch():
    for lib in (torch, tinynn):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            lib.nn.functional.dropout2d(lib.ones(3, 4, 4), 0.5)
