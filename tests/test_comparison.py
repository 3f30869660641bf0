"""Comparisons and logic (``eq`` ... ``ge``, ``logical_*``, ``isnan``, ``isclose``,
``allclose``, ``equal``) and their in-place forms, against PyTorch: values, dtypes, the
``out=`` argument, gradients where an in-place form is recorded, and the errors raised.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_same_error

import tinynn
from tinynn.testing import assert_close, compare_with_torch

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch

COMPARISONS = ["eq", "ne", "lt", "le", "gt", "ge"]
LOGICAL = ["logical_and", "logical_or", "logical_xor"]

# operands as numpy arrays (float, int, bool) and Python numbers, broadcasting included
A = np.array([[1.0, 2.0, np.nan], [0.0, -1.0, 2.0]])
OTHERS = {
    "tensor": np.array([1.0, 3.0, np.nan]),
    "int_tensor": np.array([1, 2, 0]),
    "bool_tensor": np.array([True, False, True]),
    "int": 2,
    "float": 1.5,
    "bool": True,
}


def _lib_operand(lib, value):
    return lib.tensor(value) if isinstance(value, np.ndarray) else value


@pytest.mark.parametrize("other", sorted(OTHERS))
@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_function_method_operator_match_torch(name, other):
    value = OTHERS[other]
    operator = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__",
                "ge": "__ge__"}[name]
    for form in (lambda lib, x, y: getattr(lib, name)(x, y),
                 lambda lib, x, y: getattr(x, name)(y),
                 lambda lib, x, y: getattr(x, operator)(y)):
        compare_with_torch(lambda lib, x: form(lib, x, _lib_operand(lib, value)), A, grad=False)


@pytest.mark.parametrize("name", COMPARISONS + LOGICAL)
def test_out_argument_matches_torch(name):
    for out_dtype in ("bool", "float32"):
        def call(lib):
            out = lib.empty(2, 3, dtype=getattr(lib, out_dtype))
            returned = getattr(lib, name)(lib.tensor(A), lib.tensor(OTHERS["tensor"]), out=out)
            assert returned is out
            return out
        assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_with_a_number_first_raises_type_error(name):
    assert_same_error(lambda lib: getattr(lib, name)(1, lib.ones(2)))
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), [1, 1]))
    assert_same_error(lambda lib: getattr(lib.ones(2), name)([1, 1]))


@pytest.mark.parametrize("name", COMPARISONS + LOGICAL)
def test_shapes_that_do_not_broadcast_raise_runtime_error(name):
    error, _ = assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(3)))
    assert "(2)" in str(error) and "(3)" in str(error)


@pytest.mark.parametrize("other", sorted(OTHERS))
@pytest.mark.parametrize("name", LOGICAL)
def test_logical_ops_match_torch(name, other):
    value = OTHERS[other]
    if not isinstance(value, np.ndarray):  # PyTorch takes only tensors here
        assert_same_error(lambda lib: getattr(lib, name)(lib.tensor(A), value))
        assert_same_error(lambda lib: getattr(lib.tensor(A), name)(value))
        return
    compare_with_torch(lambda lib, x, y: getattr(lib, name)(x, y), A, value, grad=False)
    compare_with_torch(lambda lib, x, y: getattr(x, name)(y), A, value, grad=False)


@pytest.mark.parametrize("name", LOGICAL)
def test_logical_ops_compare_in_the_promoted_dtype_like_torch(name):
    """A 0-d float64 of 1e-311 becomes 0 in float32, the dtype it promotes to next to a float32
    tensor: PyTorch's logical ops then see a zero."""
    compare_with_torch(lambda lib, x, y: getattr(lib, name)(x, y.float()), np.array(2.2e-311),
                       np.zeros((2, 3)), dtype="float64", grad=False)
    compare_with_torch(lambda lib, x, y: getattr(lib, name)(y.float(), x), np.array(2.2e-311),
                       np.zeros((2, 3)), dtype="float64", grad=False)


def test_logical_not_matches_torch():
    compare_with_torch(lambda lib, x: (lib.logical_not(x), x.logical_not()), A, grad=False)
    assert_same_error(lambda lib: lib.logical_not(1))


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_isnan_family_matches_torch(name):
    x = np.array([1.0, np.nan, np.inf, -np.inf, 0.0])
    compare_with_torch(lambda lib, x: (getattr(lib, name)(x), getattr(x, name)()), x, grad=False)
    compare_with_torch(lambda lib, x: getattr(lib, name)(x), np.array([1, 2]), grad=False)
    assert_same_error(lambda lib: getattr(lib, name)(1.0))


def test_isclose_and_allclose_match_torch():
    a = np.array([1.0, np.inf, np.nan, 1e-9, 2.0])
    b = np.array([1.0 + 1e-6, np.inf, np.nan, 0.0, 2.1])
    for equal_nan in (False, True):
        compare_with_torch(lambda lib, x, y: lib.isclose(x, y, equal_nan=equal_nan), a, b, grad=False)
        assert (tinynn.allclose(tinynn.tensor(a), tinynn.tensor(b), equal_nan=equal_nan)
                == torch.allclose(torch.tensor(a), torch.tensor(b), equal_nan=equal_nan))
    compare_with_torch(lambda lib, x, y: x.isclose(y, rtol=0.1), a, b, grad=False)
    compare_with_torch(lambda lib, x, y: lib.isclose(x, y), np.array([1, 2]), np.array([1, 3]), grad=False)


@pytest.mark.parametrize("name", ["isclose", "allclose"])
def test_isclose_misuse_raises_like_torch(name):
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(2, dtype=lib.float64)))
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(2, dtype=lib.int64)))
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), 1.0))
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(3)))
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(2), rtol=-1))
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(2), atol=-1))


def test_equal_matches_torch():
    for a, b in [([1.0, 2.0], [1.0, 2.0]), ([1.0], [1.0, 1.0]), ([np.nan], [np.nan])]:
        assert tinynn.equal(tinynn.tensor(a), tinynn.tensor(b)) == torch.equal(torch.tensor(a), torch.tensor(b))
    assert tinynn.tensor([1.0]).equal(tinynn.tensor([1])) == torch.tensor([1.0]).equal(torch.tensor([1]))
    assert_same_error(lambda lib: lib.equal(lib.ones(2), 1))


# -- in-place forms -------------------------------------------------------------------------
INPLACE_SELF = {
    "float32": np.array([[1.0, 2.0, np.nan], [0.0, -1.0, 2.0]], dtype=np.float32),
    "int64": np.array([[1, 2, 0], [0, -1, 2]]),
    "bool": np.array([[True, False, True], [False, False, True]]),
}


@pytest.mark.parametrize("other", sorted(OTHERS))
@pytest.mark.parametrize("self_dtype", sorted(INPLACE_SELF))
@pytest.mark.parametrize("name", [n + "_" for n in COMPARISONS])
def test_inplace_comparison_matches_torch(name, self_dtype, other):
    value = OTHERS[other]

    def call(lib):
        x = lib.tensor(INPLACE_SELF[self_dtype])
        returned = getattr(x, name)(_lib_operand(lib, value))
        assert returned is x
        return x
    assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("other", ["tensor", "int_tensor", "bool_tensor"])
@pytest.mark.parametrize("self_dtype", sorted(INPLACE_SELF))
@pytest.mark.parametrize("name", [n + "_" for n in LOGICAL])
def test_inplace_logical_matches_torch(name, self_dtype, other):
    def call(lib):
        x = lib.tensor(INPLACE_SELF[self_dtype])
        returned = getattr(x, name)(lib.tensor(OTHERS[other]))
        assert returned is x
        return x
    assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("self_dtype", sorted(INPLACE_SELF))
def test_inplace_logical_not_matches_torch(self_dtype):
    def call(lib):
        x = lib.tensor(INPLACE_SELF[self_dtype])
        assert x.logical_not_() is x
        return x
    assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("name", [n + "_" for n in COMPARISONS + LOGICAL])
def test_inplace_misuse_raises_like_torch(name):
    # the result must fit in self's shape; a leaf that requires grad can't be written
    assert_same_error(lambda lib: getattr(lib.ones(1), name)(lib.ones(3)))
    assert_same_error(lambda lib: getattr(lib.ones(2), name)(lib.ones(3)))
    if name.startswith("logical"):  # PyTorch takes only tensors here
        assert_same_error(lambda lib: getattr(lib.ones(2), name)(1))
    else:
        assert_same_error(lambda lib: getattr(lib.ones(2, requires_grad=True), name)(lib.ones(2)))


@pytest.mark.parametrize("name", [n + "_" for n in LOGICAL])
def test_inplace_logical_on_a_leaf_is_not_recorded_like_torch(name):
    def call(lib):
        x = lib.tensor([1.0, 0.0, 2.0], requires_grad=True)
        getattr(x, name)(lib.tensor([1.0, 1.0, 0.0]))
        assert x.requires_grad and x.is_leaf and x.grad_fn is None
        return x.detach()
    assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("name", [n + "_" for n in COMPARISONS + LOGICAL] + ["logical_not_"])
def test_inplace_gradient_matches_torch(name):
    """A comparison written in place has gradient 0 (PyTorch's EqBackward0); a logical op
    written in place is not recorded, so the gradient passes as if it had not run."""
    x = np.array([1.0, 2.0, -3.0])
    other = np.array([1.0, 0.0, 2.0])

    def fn(lib, x):
        y = x * 2.0
        getattr(y, name)() if name == "logical_not_" else getattr(y, name)(lib.tensor(other))
        return y * x
    compare_with_torch(fn, x, dtype="float64")


def test_inplace_comparison_checks_the_version_of_saved_tensors():
    for lib in (torch, tinynn):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()  # saves its output
        y.eq_(1.0)
        with pytest.raises(RuntimeError):
            y.sum().backward()


def test_operators_with_other_types_fall_back_like_torch():
    for lib in (torch, tinynn):
        x = lib.ones(2)
        assert (x == None) is False  # noqa: E711
        assert (x == "a") is False
        with pytest.raises(TypeError):
            x < None  # noqa: B015


# -- logical ops; comparisons of integers and bools ------------------------------------------
def test_logical_ops_of_mixed_dtypes_match_torch():
    a, b = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 3.0]]), np.array([1, 0, 2])
    cases = [
        lambda lib, x, y: lib.logical_xor(x, y),
        lambda lib, x, y: x.logical_xor(y),
        lambda lib, x, y: lib.logical_and(x, y),
        lambda lib, x, y: lib.logical_or(x > 0, y),
        lambda lib, x, y: lib.logical_not(x),
        lambda lib, x, y: lib.logical_xor(x[0, 0], y),
    ]
    for fn in cases:
        compare_with_torch(fn, a, b, grad=False)
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError):
            lib.logical_xor(lib.ones(2), lib.ones(3))


def test_isclose_and_logical_and_of_integers_match_torch():
    """Integer and bool inputs give bool results, as in PyTorch."""
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.isclose(t.float(), t.float() + 1e-9),
        lambda lib, t: lib.logical_and(t > 0, t < 5),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


def test_inplace_comparison_gives_the_other_operand_a_zero_gradient_like_torch():
    def fn(lib, x, y):
        z = x * 2.0
        z.lt_(y)
        return z
    compare_with_torch(fn, np.array([1.0, 2.0, -3.0]), np.array([0.0, 3.0, -3.0]), dtype="float64")


@pytest.mark.parametrize("name", ["isclose", "allclose"])
def test_tolerances_of_the_wrong_type_raise_type_error_like_torch(name):
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(2), rtol="a"))
    assert_same_error(lambda lib: getattr(lib, name)(lib.ones(2), lib.ones(2), atol=None))


@pytest.mark.parametrize("op", ["__and__", "__or__", "__xor__"])
def test_bitwise_operators_with_other_types_raise_type_error_like_torch(op):
    apply = {"__and__": lambda a, b: a & b, "__or__": lambda a, b: a | b, "__xor__": lambda a, b: a ^ b}[op]
    for other in ([1], None, "a"):
        assert_same_error(lambda lib: apply(lib.tensor([1, 2]), other))


@pytest.mark.parametrize("name", ["eq_", "logical_not_", "logical_and_"])
def test_inplace_forms_on_a_view_match_torch(name):
    def fn(lib, x):
        b = x * 2.0
        view = b[1:]
        if name == "logical_not_":
            view.logical_not_()
        else:
            getattr(view, name)(lib.tensor([4.0, 0.0]))
        return b * x
    compare_with_torch(fn, np.array([1.0, 2.0, 3.0]), dtype="float64")
