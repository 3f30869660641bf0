"""``F.pixel_shuffle`` / ``F.pixel_unshuffle`` and their modules against PyTorch: values,
gradients of every order, node names, leading dims, dtypes, reprs and errors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from helpers import assert_same_error, randn
from tinynn.testing import compare_with_torch

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, factor", [((2, 8, 3, 5), 2), ((9, 2, 2), 3), ((2, 3, 4, 2, 3), 2), ((1, 1, 4, 4), 1)])
def test_pixel_shuffle_matches_torch(shape, factor, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.pixel_shuffle(x, factor), randn(*shape),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, factor", [((2, 2, 6, 10), 2), ((1, 6, 3), 3), ((2, 3, 1, 4, 6), 2)])
def test_pixel_unshuffle_matches_torch(shape, factor, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.pixel_unshuffle(x, factor), randn(*shape),
                       dtype=dtype, device=device)


def test_each_is_the_others_inverse_and_backward_to_the_second_order():
    def fn(lib):
        x = lib.tensor(randn(2, 8, 2, 3), dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.pixel_shuffle(x, 2)
        z = lib.nn.functional.pixel_unshuffle(y * y, 2)
        (g,) = lib.autograd.grad((z ** 2).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        return type(y.grad_fn).__name__, type(z.grad_fn).__name__, z.detach().numpy(), h.numpy()

    ours, theirs = fn(tinynn), fn(torch)
    assert ours[:2] == theirs[:2] == ("PixelShuffleBackward0", "PixelUnshuffleBackward0")
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-12)
    x = tinynn.tensor(randn(2, 8, 2, 3))
    assert tinynn.equal(tinynn.nn.functional.pixel_unshuffle(tinynn.nn.functional.pixel_shuffle(x, 2), 2), x)


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16"])
def test_integer_bool_and_float16_tensors_are_shuffled_like_torch(dtype):
    x = (randn(4, 2, 2) > 0).astype(dtype)
    ours, theirs = (lib.nn.functional.pixel_shuffle(lib.tensor(x), 2).numpy() for lib in (tinynn, torch))
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_modules_print_and_work_like_torch():
    x = randn(1, 8, 2, 2)
    for lib in (tinynn, torch):
        assert repr(lib.nn.PixelShuffle(2)) == "PixelShuffle(upscale_factor=2)"
        assert repr(lib.nn.PixelUnshuffle(2)) == "PixelUnshuffle(downscale_factor=2)"
    ours, theirs = (lib.nn.PixelUnshuffle(2)(lib.nn.PixelShuffle(2)(lib.tensor(x))).numpy() for lib in (tinynn, torch))
    np.testing.assert_array_equal(ours, theirs)


ERRORS = {
    "shuffle_2d": lambda lib: lib.nn.functional.pixel_shuffle(lib.zeros(4, 2), 2),
    "shuffle_channels_not_a_multiple": lambda lib: lib.nn.functional.pixel_shuffle(lib.zeros(5, 2, 2), 2),
    "shuffle_zero_factor": lambda lib: lib.nn.functional.pixel_shuffle(lib.zeros(4, 2, 2), 0),
    "shuffle_negative_factor": lambda lib: lib.nn.functional.pixel_shuffle(lib.zeros(4, 2, 2), -1),
    "shuffle_float_factor": lambda lib: lib.nn.functional.pixel_shuffle(lib.zeros(4, 2, 2), 2.0),
    "shuffle_bool_factor": lambda lib: lib.nn.functional.pixel_shuffle(lib.zeros(4, 2, 2), True),
    "shuffle_list_input": lambda lib: lib.nn.functional.pixel_shuffle([1.0], 2),
    "unshuffle_2d": lambda lib: lib.nn.functional.pixel_unshuffle(lib.zeros(2, 2), 2),
    "unshuffle_height": lambda lib: lib.nn.functional.pixel_unshuffle(lib.zeros(1, 3, 2), 2),
    "unshuffle_width": lambda lib: lib.nn.functional.pixel_unshuffle(lib.zeros(1, 2, 3), 2),
    "unshuffle_zero_factor": lambda lib: lib.nn.functional.pixel_unshuffle(lib.zeros(1, 2, 2), 0),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_arguments_raise_torchs_error(case):
    assert_same_error(ERRORS[case], same_message=case != "shuffle_list_input")  # (ours adds a hint there)
