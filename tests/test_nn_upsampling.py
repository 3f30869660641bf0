"""``interpolate`` and the Upsample layers against PyTorch: nearest, nearest-exact,
(bi/tri)linear with and without ``align_corners``, sizes and scale factors, ranks 3 to 5,
values, gradients, reprs and errors.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]


RESIZES = [dict(size=(8, 3)), dict(size=4), dict(scale_factor=2), dict(scale_factor=1.7), dict(size=(10, 14)),
           dict(scale_factor=(0.6, 2.3)), dict(scale_factor=(1.5, 0.5), recompute_scale_factor=True), dict(size=1)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, align_corners", [("nearest", None), ("nearest-exact", None),
                                                 ("bilinear", False), ("bilinear", True)])
@pytest.mark.parametrize("kwargs", RESIZES, ids=[str(r) for r in RESIZES])
def test_interpolate_matches_torch(kwargs, mode, align_corners, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.interpolate(x, mode=mode, align_corners=align_corners,
                                                                    **kwargs),
                       randn(2, 3, 5, 7), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode, shape, kwargs", [("linear", (2, 3, 5), dict(size=9)),
                                                 ("linear", (2, 3, 5), dict(scale_factor=0.5, align_corners=True)),
                                                 ("nearest", (2, 3, 5), dict(scale_factor=3)),
                                                 ("trilinear", (1, 2, 3, 4, 5), dict(size=(4, 3, 7))),
                                                 ("nearest", (1, 2, 3, 4, 5), dict(scale_factor=(2, 1, 0.5)))])
def test_interpolate_other_ranks_match_torch(mode, shape, kwargs, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.interpolate(x, mode=mode, **kwargs), randn(*shape),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("name, kwargs", [("Upsample", dict(scale_factor=2)),
                                          ("Upsample", dict(size=(3, 4), mode="bilinear", align_corners=True)),
                                          ("Upsample", dict(scale_factor=(2, 3), mode="bilinear")),
                                          ("UpsamplingNearest2d", dict(scale_factor=2)),
                                          ("UpsamplingBilinear2d", dict(size=3))])
def test_upsample_matches_torch_and_prints_alike(name, kwargs, device):
    compare_with_torch(lambda lib, x: getattr(lib.nn, name)(**kwargs)(x), randn(2, 3, 4, 5), dtype="float64",
                       device=device)
    assert repr(getattr(tinynn.nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


def test_interpolate_errors_match_torch():
    for kwargs in [dict(), dict(size=3, scale_factor=2), dict(size=3, align_corners=True),
                   dict(size=(3,)), dict(scale_factor=(2, 2, 2)), dict(size=3, mode="linear"),
                   dict(size=3, mode="foo")]:
        assert_same_error(lambda lib: lib.nn.functional.interpolate(lib.zeros(1, 1, 4, 4), **kwargs),
                          same_message=True)
    assert_same_error(lambda lib: lib.nn.functional.interpolate(lib.zeros(1, 1, 4), size=3, mode="bilinear"), same_message=True)


@pytest.mark.parametrize("mode, shape, kwargs", [
    ("linear", (1, 2, 4), dict(scale_factor=1.1)),                     # 4 * 1.1 -> 4: unchanged
    ("linear", (1, 2, 4), dict(scale_factor=1)),
    ("bilinear", (1, 2, 2, 3), dict(size=(2, 5))),                     # H unchanged, W interpolated
    ("bilinear", (1, 2, 3, 2), dict(size=(5, 2), align_corners=True)),
    ("trilinear", (1, 1, 2, 2, 2), dict(scale_factor=(1.2, 1, 2))),
])
@pytest.mark.parametrize("special", [np.nan, np.inf])
def test_linear_modes_read_a_dim_of_unchanged_size_in_place(mode, shape, kwargs, special):
    """PyTorch's linear kernels read each value of a dim whose size does not change twice,
    with weights 1 and 0, whatever the scale factor: the values stay, a nan does not reach its
    neighbours, and an inf becomes nan (inf * 0)."""
    x = randn(*shape)
    x.flat[-1] = special
    x.flat[0] = -special
    compare_with_torch(lambda lib, t: lib.nn.functional.interpolate(t, mode=mode, **kwargs), x, dtype="float64")
