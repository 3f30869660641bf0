"""How tensors print under every print option, compared with PyTorch's string.

Each case builds the same tensor in both libraries, under the same ``set_printoptions``,
and expects PyTorch's text with its ``torch.`` names spelled ``tinynn.``. (The plain
cases, with the default options, are in ``test_tensor_attributes.py``.)
"""
from __future__ import annotations

import pytest
import torch

import tinynn

INF, NAN = float("inf"), float("nan")


@pytest.fixture(autouse=True)
def default_print_options():
    """Print options are global: every test starts and ends with the defaults."""
    for lib in (tinynn, torch):
        lib.set_printoptions(profile="default")
    yield
    for lib in (tinynn, torch):
        lib.set_printoptions(profile="default")


def assert_prints_like_torch(build, **options):
    """``build(lib)`` prints the same in both libraries under ``set_printoptions(**options)``."""
    texts = []
    for lib in (torch, tinynn):
        lib.set_printoptions(**options)
        texts.append(repr(build(lib)))
    expected, actual = texts
    assert actual == expected.replace("torch.", "tinynn.")


EDGEITEMS_ZERO_CASES = {
    "summarized_1d": lambda lib: lib.arange(10.0) / 3,
    "summarized_int": lambda lib: lib.arange(10),
    "summarized_2d": lambda lib: lib.arange(20.0).reshape(4, 5),
    "summarized_3d_float64": lambda lib: lib.arange(60, dtype=lib.float64).reshape(3, 4, 5),
    "summarized_requires_grad": lambda lib: lib.arange(12.0, requires_grad=True),
    "short_1d": lambda lib: lib.tensor([1.5, -2.0]),
    "short_2d_int8": lambda lib: lib.arange(4, dtype=lib.int8).reshape(2, 2),
    "zero_dim": lambda lib: lib.tensor(3.25),
}


@pytest.mark.parametrize("name", sorted(EDGEITEMS_ZERO_CASES))
def test_edgeitems_zero_prints_ellipsis_and_size(name):
    assert_prints_like_torch(EDGEITEMS_ZERO_CASES[name], threshold=4, edgeitems=0)


NO_NONZERO_FINITE_CASES = {
    "zeros": lambda lib: lib.zeros(3),
    "zero_dim": lambda lib: lib.tensor(0.0),
    "negative_zero": lambda lib: lib.tensor([-0.0, 0.0]),
    "inf_nan": lambda lib: lib.tensor([INF, NAN]),
    "zero_and_minus_inf_float64": lambda lib: lib.tensor([0.0, -INF], dtype=lib.float64),
}


@pytest.mark.parametrize("name", sorted(NO_NONZERO_FINITE_CASES))
def test_sci_mode_true_does_not_apply_without_a_nonzero_finite_value(name):
    assert_prints_like_torch(NO_NONZERO_FINITE_CASES[name], sci_mode=True)


# Each last line is 79 characters in PyTorch, with ``, dtype=torch.int32)``; tinynn's
# one-character-longer name must not push its suffix onto a line of its own.
SUFFIX_AT_LINE_END_CASES = {
    "int32": lambda lib: lib.arange(13, dtype=lib.int32),
    "uint8_two_lines": lambda lib: lib.arange(31, dtype=lib.uint8),
    "float16": lambda lib: lib.arange(24, dtype=lib.float16),
}


@pytest.mark.parametrize("name", sorted(SUFFIX_AT_LINE_END_CASES))
def test_dtype_suffix_breaks_the_line_where_torch_does(name):
    assert_prints_like_torch(SUFFIX_AT_LINE_END_CASES[name])


EXTREME_RATIO_CASES = {
    "1e300_and_1e-300": lambda lib: lib.tensor([1e300, 1e-300], dtype=lib.float64),
    "subnormal_and_one": lambda lib: lib.tensor([5e-324, 1.0], dtype=lib.float64),
}


@pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch
@pytest.mark.parametrize("name", sorted(EXTREME_RATIO_CASES))
def test_values_whose_magnitude_ratio_overflows_print_silently(name):
    assert_prints_like_torch(EXTREME_RATIO_CASES[name])
