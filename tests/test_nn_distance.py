"""``normalize``, ``cosine_similarity``, ``pairwise_distance`` and the modules
CosineSimilarity and PairwiseDistance against PyTorch: values and gradients (a zero vector,
a norm below eps), reprs.
"""
from __future__ import annotations

import pytest
import torch

import tinynn
from tinynn.testing import compare_with_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, dict(dim=0), dict(p=1.0, dim=-1), dict(p=3.0)])
def test_normalize_matches_torch(kwargs, dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.normalize(x, **kwargs), randn(4, 5), dtype=dtype,
                       device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_normalize_keeps_a_zero_vector_zero(dtype, device):
    x = randn(3, 4)
    x[1] = 0.0
    compare_with_torch(lambda lib, x: lib.nn.functional.normalize(x, dim=1), x, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes, dim", [(((4, 5), (4, 5)), 1), (((4, 5), (4, 5)), 0), (((3, 1, 6), (1, 4, 6)), -1),
                                         (((4, 5), (1, 5)), 1), (((2, 3, 4), (2, 3, 4)), 1)])
def test_cosine_similarity_matches_torch(shapes, dim, dtype, device):
    a, b = randn(*shapes[0]), randn(*shapes[1], seed=1)
    compare_with_torch(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=dim), a, b, dtype=dtype,
                       device=device)
    compare_with_torch(lambda lib, a, b: lib.nn.CosineSimilarity(dim=dim)(a, b), a, b, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cosine_similarity_of_a_tiny_vector_clamps_like_torch(dtype, device):
    a, b = randn(3, 4), randn(3, 4, seed=1)
    a[0] = 1e-10  # its norm is below eps: clamped in value, not in gradient
    compare_with_torch(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, eps=1e-8), a, b, dtype=dtype,
                       device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [{}, dict(p=1.0), dict(p=3.0, keepdim=True), dict(eps=0.1)])
def test_pairwise_distance_matches_torch(kwargs, dtype, device):
    a, b = randn(5, 4), randn(5, 4, seed=1)
    compare_with_torch(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, **kwargs), a, b, dtype=dtype,
                       device=device)
    module_kwargs = {"p": 2.0, **kwargs}
    compare_with_torch(lambda lib, a, b: lib.nn.PairwiseDistance(**module_kwargs)(a, b), a, b, dtype=dtype,
                       device=device)


def test_distance_module_reprs_match_torch():
    for name in ("CosineSimilarity", "PairwiseDistance"):
        assert repr(getattr(tinynn.nn, name)()) == repr(getattr(torch.nn, name)())


@pytest.mark.parametrize("eps", [-1e-3, float("nan")], ids=["negative", "nan"])
def test_cosine_similarity_refuses_a_negative_or_nan_eps_like_torch(eps):
    assert_same_error(lambda lib: lib.nn.functional.cosine_similarity(lib.zeros(2, 3), lib.zeros(2, 3), eps=eps),
                      same_message=True)
