"""``F.unfold`` / ``F.fold`` (im2col and col2im as public ops) and ``nn.Unfold`` / ``nn.Fold``
against PyTorch: values, gradients of every order, the node names, unbatched inputs, the
dtypes PyTorch's kernels take, reprs and errors.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from helpers import assert_same_error, randn
from tinynn.testing import compare_with_torch

DTYPES = ["float32", "float64"]
GEOMETRIES = [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=2, padding=1, stride=(2, 1)),
              dict(kernel_size=3, padding=2, stride=3), dict(kernel_size=(1, 4), stride=(3, 1))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=[str(g) for g in GEOMETRIES])
def test_unfold_matches_torch(geometry, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.unfold(x, **geometry), randn(2, 3, 5, 6),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geometry", GEOMETRIES, ids=[str(g) for g in GEOMETRIES])
def test_fold_matches_torch_overlaps_summed(geometry, dtype, device):
    """fold(columns) adds each column back to its window; the columns come from a product,
    so they are not unfold's (overlapping windows get different values to sum)."""
    columns = tuple(torch.nn.functional.unfold(torch.zeros(2, 3, 5, 6), **geometry).shape)
    compare_with_torch(lambda lib, c: lib.nn.functional.fold(c * 1.5, (5, 6), **geometry), randn(*columns),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_unfold_and_fold_of_one_image_match_torch(dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.fold(lib.nn.functional.unfold(x, 2, padding=1) ** 2,
                                                             (4, 5), 2, padding=1), randn(3, 4, 5),
                       dtype=dtype, device=device)


def test_each_is_the_others_backward_to_the_second_order():
    """The graph and its double backward: Im2ColBackward0 and Col2ImBackward0, as in PyTorch,
    and second derivatives through both agree with PyTorch's."""
    def fn(lib):
        x = lib.tensor(randn(2, 2, 4, 4), dtype=lib.float64, requires_grad=True)
        columns = lib.nn.functional.unfold(x, 2, stride=1)
        y = lib.nn.functional.fold(columns ** 2, (4, 4), 2)
        (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g ** 2).sum(), x)
        return type(columns.grad_fn).__name__, type(y.grad_fn).__name__, y.detach().numpy(), gg.numpy()

    ours, theirs = fn(tinynn), fn(torch)
    assert ours[:2] == theirs[:2] == ("Im2ColBackward0", "Col2ImBackward0")
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-12)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-10)


@pytest.mark.parametrize("dtype", ["bool", "float16"])
def test_unfold_and_fold_take_bool_and_float16_like_torch(dtype):
    x = (randn(1, 2, 4, 4) > 0) if dtype == "bool" else randn(1, 2, 4, 4).astype(dtype)
    results = []
    for lib in (tinynn, torch):
        columns = lib.nn.functional.unfold(lib.tensor(x), 2)
        results.append((columns.numpy(), lib.nn.functional.fold(columns, 4, 2).numpy()))
    for ours, theirs in zip(*results):
        assert ours.dtype == theirs.dtype
        np.testing.assert_array_equal(ours, theirs)


def test_modules_match_torch_and_print_like_it():
    x = randn(2, 3, 5, 6)
    for lib in (tinynn, torch):
        assert repr(lib.nn.Unfold(2, stride=1)) == "Unfold(kernel_size=2, dilation=1, padding=0, stride=1)"
        assert repr(lib.nn.Fold((5, 6), 2)) == "Fold(output_size=(5, 6), kernel_size=2, dilation=1, padding=0, stride=1)"
    ours, theirs = (lib.nn.Fold((5, 6), (2, 3), padding=1)(lib.nn.Unfold((2, 3), padding=1)(lib.tensor(x))).numpy()
                    for lib in (tinynn, torch))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_an_empty_batch_unfolds_and_folds_to_empty_ones():
    for lib in (tinynn, torch):
        columns = lib.nn.functional.unfold(lib.zeros(0, 2, 3, 3), 2)
        assert tuple(columns.shape) == (0, 8, 4)
        assert tuple(lib.nn.functional.fold(columns, 3, 2).shape) == (0, 2, 3, 3)


ERRORS = {
    "unfold_list_input": lambda lib: lib.nn.functional.unfold([1.0], 2),
    "unfold_2d_input": lambda lib: lib.nn.functional.unfold(lib.zeros(3, 4), 2),
    "unfold_1d_input": lambda lib: lib.nn.functional.unfold(lib.zeros(4), 2),
    "unfold_2d_input_of_no_columns": lambda lib: lib.nn.functional.unfold(lib.zeros(3, 0), 2),  # (RuntimeError)
    "unfold_5d_input": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 2, 3, 4, 5), 2),
    "unfold_no_channels": lambda lib: lib.nn.functional.unfold(lib.zeros(2, 0, 5, 6), 2),
    "unfold_empty_height": lambda lib: lib.nn.functional.unfold(lib.zeros(2, 3, 0, 6), 2),
    "unfold_kernel_too_large": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 4),
    "unfold_three_kernel_sizes": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), (2, 2, 2)),
    "unfold_one_padding": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 2, padding=(1,)),
    "unfold_zero_kernel": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 0),
    "unfold_zero_dilation": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 2, dilation=0),
    "unfold_zero_stride": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 2, stride=0),
    "unfold_negative_padding": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 2, padding=-1),
    "unfold_float_kernel": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 2.0),
    "unfold_bool_padding": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3), 2, padding=True),
    "unfold_integers": lambda lib: lib.nn.functional.unfold(lib.zeros(1, 1, 3, 3, dtype=lib.int64), 2),
    "fold_1d_input": lambda lib: lib.nn.functional.fold(lib.zeros(12), (5, 6), 2),
    "fold_4d_input": lambda lib: lib.nn.functional.fold(lib.zeros(2, 12, 30, 1), (5, 6), 2),
    "fold_no_rows": lambda lib: lib.nn.functional.fold(lib.zeros(2, 0, 20), (5, 6), 2),
    "fold_rows_not_a_multiple": lambda lib: lib.nn.functional.fold(lib.zeros(2, 13, 20), (5, 6), 2),
    "fold_wrong_length": lambda lib: lib.nn.functional.fold(lib.zeros(2, 12, 5), (5, 6), 2),
    "fold_no_window_fits": lambda lib: lib.nn.functional.fold(lib.zeros(1, 4, 1), 1, 2),
    "fold_three_output_sizes": lambda lib: lib.nn.functional.fold(lib.zeros(2, 12, 20), (5, 6, 1), 2),
    "fold_zero_stride": lambda lib: lib.nn.functional.fold(lib.zeros(1, 4, 4), 3, 2, stride=0),
    "fold_integers": lambda lib: lib.nn.functional.fold(lib.zeros(2, 12, 20, dtype=lib.int32), (5, 6), 2),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_arguments_raise_torchs_error(case):
    assert_same_error(ERRORS[case])
