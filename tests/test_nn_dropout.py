"""Dropout against ``torch.nn``: the fraction zeroed and the scale of the rest, the gradient
(the same mask), eval mode and p=0 and p=1, reproducibility with ``manual_seed``, the error
for a bad probability, and the repr. (Channel dropout, ``dropout2d``, is in test_pooling.py.)
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn


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
