"""einsum, cumprod/cummax/cummin, hyperbolic functions, logical_xor, repeat_interleave,
index_add/index_fill, in-place shape ops, ``out=`` for cat/stack/sum, and the gradient
of remainder/fmod: each against PyTorch (values and the gradient of every input, float32
and float64), with gradcheck/gradgradcheck where the backward is not trivial.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def double(*arrays):
    return tuple(tinynn.tensor(a, dtype=tinynn.float64, requires_grad=True) for a in arrays)


# -- einsum ------------------------------------------------------------------------------
# name: (equation, operand shapes)
EINSUM = {
    "matmul": ("ij,jk->ik", [(3, 4), (4, 5)]),
    "matmul_implicit": ("ij,jk", [(3, 4), (4, 5)]),
    "bmm": ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    "outer": ("i,j->ij", [(3,), (4,)]),
    "dot": ("i,i->", [(5,)]),
    "dot_implicit": ("i,i", [(5,), (5,)]),
    "trace": ("ii->", [(4, 4)]),
    "trace_implicit": ("ii", [(4, 4)]),
    "diagonal": ("ii->i", [(4, 4)]),
    "batched_diagonal": ("bii->bi", [(2, 3, 3)]),
    "transpose": ("ij->ji", [(3, 4)]),
    "sum_all": ("ij->", [(3, 4)]),
    "sum_rows": ("ij->i", [(3, 4)]),
    "attention": ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),
    "attention_values": ("bhqk,bhkd->bhqd", [(2, 2, 3, 4), (2, 2, 4, 5)]),
    "ellipsis_matmul": ("...ij,...jk->...ik", [(2, 3, 4, 5), (2, 3, 5, 2)]),
    "ellipsis_broadcast": ("...ij,...jk->...ik", [(2, 3, 4, 5), (5, 2)]),
    "ellipsis_implicit": ("...ij,...jk", [(2, 4, 5), (2, 5, 3)]),
    "ellipsis_summed": ("b...i->b", [(2, 3, 4)]),
    "size_one_broadcast": ("ij,ij->ij", [(3, 1), (3, 4)]),
    "three_operands": ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    "bilinear": ("bn,anm,bm->ba", [(3, 4), (2, 4, 5), (3, 5)]),
    "repeated_and_shared": ("ii,i->i", [(3, 3), (3,)]),
    "scalar_operand": (",ij->ij", [(), (2, 3)]),
    "upper_case": ("Ab,bC->AC", [(2, 3), (3, 4)]),
    "spaces": ("ij, jk -> ik", [(2, 3), (3, 4)]),
    "empty_sum": ("ij,jk->ik", [(2, 0), (0, 3)]),
    "empty_output": ("i,j->ij", [(0,), (3,)]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(EINSUM))
def test_einsum_matches_torch(name, dtype, device):
    equation, shapes = EINSUM[name]
    if name in ("dot",):  # one operand listed twice
        arrays = [randn(*shapes[0])]
        fn = lambda lib, a: lib.einsum(equation, a, a * 2)  # noqa: E731
    else:
        arrays = [randn(*shape, seed=i) for i, shape in enumerate(shapes)]
        fn = lambda lib, *ops: lib.einsum(equation, *ops)  # noqa: E731
    compare_with_torch(fn, *arrays, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_einsum_operands_as_one_list(dtype, device):
    compare_with_torch(lambda lib, a, b: lib.einsum("ij,jk", [a, b]), randn(2, 3), randn(3, 4, seed=1),
                       dtype=dtype, device=device)


def test_einsum_integer_operands():
    compare_with_torch(lambda lib, a, b: lib.einsum("ij,jk->ik", a, b),
                       np.arange(6).reshape(2, 3), np.arange(12).reshape(3, 4), grad=False)


def test_einsum_transpose_is_a_view_as_in_torch():
    x = tinynn.arange(6.0).reshape(2, 3)
    y = tinynn.einsum("ij->ji", x)
    y[0, 1] = 100.0
    assert x[1, 0].item() == 100.0


@pytest.mark.parametrize("name", ["matmul", "bmm", "trace", "diagonal", "sum_rows", "attention",
                                  "ellipsis_broadcast", "size_one_broadcast", "three_operands",
                                  "repeated_and_shared", "scalar_operand"])
def test_einsum_gradcheck_and_gradgradcheck(name):
    equation, shapes = EINSUM[name]
    inputs = double(*(randn(*shape, seed=i) for i, shape in enumerate(shapes)))
    fn = lambda *ops: tinynn.einsum(equation, *ops)  # noqa: E731
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("equation, shapes, dtypes", [
    ("ij,jk", [(2, 3), (4, 5)], None),
    ("ij,jk", [(2, 3)], None),
    ("ij", [(2, 3), (2,)], None),
    ("ijk", [(2, 3)], None),
    ("...ijk", [(2, 3)], None),
    ("ij->k", [(2, 3)], None),
    ("ij->ii", [(2, 3)], None),
    ("ii", [(2, 3)], None),
    ("i1", [(2, 3)], None),
    ("i..j", [(2, 3)], None),
    ("...i...", [(2, 3)], None),
    ("...i,...i", [(3, 2), (4, 2)], None),
    ("ij,jk", [(2, 3), (3, 4)], ("float32", "float64")),
])
def test_einsum_errors_match_torch(equation, shapes, dtypes):
    dtypes = dtypes or ("float32",) * len(shapes)
    for lib in (tinynn, torch):
        operands = [lib.ones(*shape, dtype=getattr(lib, d)) for shape, d in zip(shapes, dtypes)]
        with pytest.raises(RuntimeError):
            lib.einsum(equation, *operands)


def test_einsum_error_messages_name_the_problem():
    with pytest.raises(RuntimeError, match="subscript j has size 4 for operand 1 which does not broadcast "
                                           "with previously seen size 3"):
        tinynn.einsum("ij,jk", tinynn.ones(2, 3), tinynn.ones(4, 5))
    with pytest.raises(RuntimeError, match=r"number of subscripts in the equation \(3\) does not match the "
                                           r"number of dimensions \(2\) for operand 0"):
        tinynn.einsum("ijk", tinynn.ones(2, 3))
    with pytest.raises(TypeError):
        tinynn.einsum("ij", 3)


# -- cumprod, cummax, cummin ---------------------------------------------------------------
def with_zeros(*shape: int, seed: int = 0) -> np.ndarray:
    """Values with zeros (one, or two on the same line) where z_i / x_j would be 0/0."""
    signs = np.where(np.arange(np.prod(shape)) % 2, 1, -1).reshape(shape)
    x = np.random.default_rng(seed).uniform(0.5, 1.5, shape) * signs
    flat = x.reshape(-1)
    flat[1] = 0.0
    if flat.size > 4:
        flat[3] = 0.0
    if flat.size > 9:
        flat[9] = 0.0
    return x


CUMULATIVE = {
    "cumprod": (lambda lib, x: x.cumprod(1), randn, (3, 4)),
    "cumprod_function_neg_dim": (lambda lib, x: lib.cumprod(x, dim=-2), randn, (3, 4, 2)),
    "cumprod_0d": (lambda lib, x: x.cumprod(0), randn, ()),
    "cumprod_empty": (lambda lib, x: x.cumprod(0), randn, (0, 3)),
    "cumprod_zeros": (lambda lib, x: x.cumprod(0), with_zeros, (6,)),
    "cumprod_zeros_dim1": (lambda lib, x: lib.cumprod(x, 1), with_zeros, (3, 5)),
    "cumprod_zeros_dim0_3d": (lambda lib, x: x.cumprod(0), with_zeros, (4, 2, 3)),
    "cumprod_dtype": (lambda lib, x: x.cumprod(0, dtype=lib.float64), randn, (4,)),
    "cummax": (lambda lib, x: x.cummax(1), randn, (3, 5)),
    "cummax_function_dim0": (lambda lib, x: lib.cummax(x, 0), randn, (4, 3)),
    "cummin": (lambda lib, x: lib.cummin(x, -1), randn, (3, 5)),
    "cummin_0d": (lambda lib, x: x.cummin(0), randn, ()),
    "cummax_empty": (lambda lib, x: x.cummax(1), randn, (2, 0)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(CUMULATIVE))
def test_cumulative_ops_match_torch(name, dtype, device):
    fn, make, shape = CUMULATIVE[name]
    compare_with_torch(fn, make(*shape), dtype=dtype, device=device)


def test_cummax_ties_take_the_last_index_as_torch():
    x = np.array([[1.0, 3.0, 2.0, 3.0, 0.0, 5.0, 5.0], [2.0, 2.0, 1.0, 2.0, 3.0, 3.0, -1.0]])
    compare_with_torch(lambda lib, t: (lib.cummax(t, 1), lib.cummin(t, 1)), x, dtype="float64")


def test_cumprod_integers():
    compare_with_torch(lambda lib, t: (lib.cumprod(t, 0), (t > 1).cumprod(1), t.cumprod(1, dtype=lib.float32)),
                       np.array([[1, 2, 3], [0, -2, 4]]), grad=False)


def test_cummax_returns_a_named_tuple():
    result = tinynn.tensor([1.0, 3.0, 2.0]).cummax(0)
    assert type(result) is tinynn.return_types.cummax
    assert result.values.tolist() == [1.0, 3.0, 3.0] and result.indices.tolist() == [0, 1, 1]
    assert repr(tinynn.tensor([2.0, 1.0]).cummin(0)).startswith("cummin(values=")


@pytest.mark.parametrize("name, fn, make, shape", [
    ("cumprod", lambda x: x.cumprod(1), randn, (3, 4)),
    ("cumprod_zeros", lambda x: x.cumprod(1), with_zeros, (3, 5)),
    ("cumprod_zeros_0", lambda x: x.cumprod(0), with_zeros, (6,)),
    ("cummax", lambda x: x.cummax(1).values, randn, (3, 4)),
    ("cummin", lambda x: x.cummin(0).values, randn, (3, 4)),
])
def test_cumulative_gradcheck_and_gradgradcheck(name, fn, make, shape):
    inputs = double(make(*shape))
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


def test_cumprod_double_backward_with_zeros_matches_torch():
    x = with_zeros(2, 5)
    grads = []
    for lib in (tinynn, torch):
        t = lib.tensor(x, requires_grad=True)
        (g,) = lib.autograd.grad((t.cumprod(1) * lib.tensor(randn(2, 5, seed=3))).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        grads.append((g, gg))
    assert_close(grads[0][0], grads[1][0])
    assert_close(grads[0][1], grads[1][1])


# -- elementwise -----------------------------------------------------------------------
def above_one(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(1.2, 3.0, shape)


def inside_unit(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.9, 0.9, shape)


UNARY = {
    "sinh": (lambda lib, x: lib.sinh(x) + x.sinh(), randn, (3, 4)),
    "cosh": (lambda lib, x: lib.cosh(x) * x.cosh(), randn, (3, 4)),
    "asinh": (lambda lib, x: lib.asinh(x) + lib.arcsinh(x * 2), randn, (3, 4)),
    "acosh": (lambda lib, x: x.acosh() + lib.arccosh(x), above_one, (3, 4)),
    "atanh": (lambda lib, x: lib.atanh(x) + x.arctanh(), inside_unit, (3, 4)),
    "sinh_0d": (lambda lib, x: x.sinh(), randn, ()),
    "cosh_empty": (lambda lib, x: x.cosh(), randn, (0, 2)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNARY))
def test_hyperbolic_functions_match_torch(name, dtype, device):
    fn, make, shape = UNARY[name]
    compare_with_torch(fn, make(*shape), dtype=dtype, device=device)


def test_hyperbolic_functions_of_integers_and_out_of_domain():
    compare_with_torch(lambda lib, t: (lib.sinh(t), lib.cosh(t), lib.asinh(t), lib.acosh(t), lib.atanh(t)),
                       np.array([-2, -1, 0, 1, 2]), grad=False)


@pytest.mark.parametrize("name, fn, make", [
    ("sinh", lambda x: x.sinh(), randn), ("cosh", lambda x: x.cosh(), randn),
    ("asinh", lambda x: x.asinh(), randn), ("acosh", lambda x: x.acosh(), above_one),
    ("atanh", lambda x: x.atanh(), inside_unit),
])
def test_hyperbolic_gradcheck_and_gradgradcheck(name, fn, make):
    inputs = double(make(2, 3))
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


def test_logical_ops_match_torch():
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


# -- remainder and fmod: gradients -----------------------------------------------------------
def away_from_jumps(*shape: int, seed: int = 0) -> np.ndarray:
    """x / y not near a whole number, so that a finite difference does not cross a jump."""
    rng = np.random.default_rng(seed)
    return np.asarray((rng.integers(-4, 5, shape) + rng.uniform(0.2, 0.8, shape)) * 1.5)


def divisors(*shape: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.asarray(np.full(shape, 1.5) * np.where(rng.random(shape) < 0.5, -1, 1))


REMAINDERS = {
    "remainder": (lambda lib, a, b: lib.remainder(a, b), (3, 4), (3, 4)),
    "mod_operator_broadcast": (lambda lib, a, b: a % b, (3, 4), (4,)),
    "fmod": (lambda lib, a, b: lib.fmod(a, b), (3, 4), (3, 4)),
    "fmod_method_broadcast": (lambda lib, a, b: a.fmod(b), (2, 3, 4), (3, 1)),
    "remainder_number": (lambda lib, a, b: a.remainder(1.5) + b, (3,), (3,)),
    "remainder_0d": (lambda lib, a, b: lib.remainder(a, b), (), (3,)),
    "fmod_0d_other": (lambda lib, a, b: lib.fmod(b, a), (), (3,)),
    "remainder_empty": (lambda lib, a, b: a % b, (0, 3), (3,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(REMAINDERS))
def test_remainder_and_fmod_gradients_match_torch(name, dtype, device):
    fn, shape_a, shape_b = REMAINDERS[name]
    compare_with_torch(fn, away_from_jumps(*shape_a), divisors(*shape_b, seed=1), dtype=dtype, device=device)


def test_number_mod_tensor_has_values_but_no_derivative_as_in_torch():
    compare_with_torch(lambda lib, b: 2.5 % b, divisors(3, 4), grad=False)
    compare_with_torch(lambda lib, b: 2.5 % b.detach() + b, divisors(3, 4))
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="derivative for aten::remainder is not implemented"):
            (2.5 % lib.ones(2, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("op", ["remainder", "fmod"])
def test_remainder_gradcheck_and_gradgradcheck(op):
    inputs = double(away_from_jumps(2, 3), divisors(2, 3, seed=1))
    fn = lambda a, b: getattr(a, op)(b)  # noqa: E731
    assert tinynn.autograd.gradcheck(fn, inputs)
    assert tinynn.autograd.gradgradcheck(fn, inputs)


def test_integer_remainder_by_zero_raises_as_torch():
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.remainder(lib.tensor([5, 3]), 0)
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            lib.fmod(lib.tensor([5, 3]), lib.tensor([1, 0]))


# -- repeat_interleave -----------------------------------------------------------------
REPEAT_INTERLEAVE = {
    "int_flat": (lambda lib, x: lib.repeat_interleave(x, 2), (2, 3)),
    "int_dim": (lambda lib, x: x.repeat_interleave(3, dim=1), (2, 3)),
    "int_neg_dim": (lambda lib, x: x.repeat_interleave(2, -2), (2, 3, 2)),
    "tensor_dim0": (lambda lib, x: lib.repeat_interleave(x, lib.tensor([1, 0, 3]), dim=0), (3, 2)),
    "tensor_flat": (lambda lib, x: x.repeat_interleave(lib.tensor([2, 1, 0, 1])), (2, 2)),
    "tensor_one_count": (lambda lib, x: x.repeat_interleave(lib.tensor([2]), dim=1), (2, 3)),
    "output_size": (lambda lib, x: x.repeat_interleave(lib.tensor([1, 2]), dim=0, output_size=3), (2, 2)),
    "zero_repeats": (lambda lib, x: x.repeat_interleave(0, dim=0), (2, 3)),
    "0d": (lambda lib, x: x.repeat_interleave(3), ()),
    "empty": (lambda lib, x: x.repeat_interleave(2, dim=1), (3, 0)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(REPEAT_INTERLEAVE))
def test_repeat_interleave_matches_torch(name, dtype, device):
    fn, shape = REPEAT_INTERLEAVE[name]
    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


def test_repeat_interleave_of_counts_alone():
    compare_with_torch(lambda lib, c: lib.repeat_interleave(c), np.array([1, 0, 3, 2]), grad=False)


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, 2, 3]), dim=0), RuntimeError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, -2]), dim=0), RuntimeError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), -1, dim=0), RuntimeError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1.0, 2.0]), dim=0), NotImplementedError),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), 2, dim=2), IndexError),
])
def test_repeat_interleave_errors_match_torch(fn, error):
    for lib in (tinynn, torch):
        with pytest.raises(error):
            fn(lib)


# -- index_add, index_fill -----------------------------------------------------------------
INDEX_OPS = {
    "index_add_dim0": (lambda lib, x, s: x.index_add(0, lib.tensor([0, 2, 0]), s), (3, 4), (3, 4)),
    "index_add_dim1_alpha": (lambda lib, x, s: lib.index_add(x, 1, lib.tensor([3, 1]), s, alpha=-2.0),
                             (3, 4), (3, 2)),
    "index_add_int32_index": (lambda lib, x, s: x.index_add(-1, lib.tensor([1, 1], dtype=lib.int32), s),
                              (2, 3), (2, 2)),
    "index_add_empty_index": (lambda lib, x, s: x.index_add(0, lib.tensor([], dtype=lib.int64), s),
                              (2, 3), (0, 3)),
    "index_add_in_place": (lambda lib, x, s: (x * 1).index_add_(0, lib.tensor([1, 0]), s), (2, 3), (2, 3)),
    "index_fill": (lambda lib, x, s: x.index_fill(1, lib.tensor([0, 2]), -1.0) * s.sum(), (3, 4), (2,)),
    "index_fill_tensor_value": (lambda lib, x, s: lib.index_fill(x, 0, lib.tensor([1]), s.sum()), (3, 4), (2,)),
    "index_fill_in_place": (lambda lib, x, s: (x * 1).index_fill_(0, lib.tensor([0, 0]), 2.5) + s[0],
                            (3, 2), (2,)),
    "index_fill_0d_index": (lambda lib, x, s: x.index_fill(1, lib.tensor(1), 0.0) + s[0], (2, 3), (1,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(INDEX_OPS))
def test_index_add_and_index_fill_match_torch(name, dtype, device):
    fn, shape_x, shape_s = INDEX_OPS[name]
    compare_with_torch(fn, randn(*shape_x), randn(*shape_s, seed=1), dtype=dtype, device=device)


def test_index_add_in_place_without_grad():
    for lib in (tinynn, torch):
        x = lib.zeros(3, 2)
        returned = x.index_add_(0, lib.tensor([0, 0, 2]), lib.ones(3, 2))
        assert returned is x and x.tolist() == [[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]]
        x.index_fill_(1, lib.tensor([1]), 7)
        assert x.tolist() == [[2.0, 7.0], [0.0, 7.0], [1.0, 7.0]]


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1]), lib.ones(3, 2)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1.0]), lib.ones(2, 2)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 5]), lib.ones(2, 2)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1]), lib.ones(2, 3)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([[0, 1]]), lib.ones(2, 2)), IndexError),
    (lambda lib: lib.ones(3, 2).index_add(0, lib.tensor([0, 1]), lib.ones(2, 2, dtype=lib.float64)), RuntimeError),
    (lambda lib: lib.ones(3, 2).index_fill(0, lib.tensor([0, 5]), 2.0), IndexError),
    (lambda lib: lib.ones(3, 2).index_fill(0, lib.tensor([0.0]), 2.0), IndexError),
    (lambda lib: lib.ones(3, 2).index_fill(0, lib.tensor([0]), lib.tensor([2.0])), RuntimeError),
    (lambda lib: lib.ones(2, requires_grad=True).index_add_(0, lib.tensor([0]), lib.ones(1)), RuntimeError),
    (lambda lib: lib.ones(2, requires_grad=True).index_fill_(0, lib.tensor([0]), 1.0), RuntimeError),
])
def test_index_add_and_index_fill_errors_match_torch(fn, error):
    for lib in (tinynn, torch):
        with pytest.raises(error):
            fn(lib)


# -- in-place shape ops ---------------------------------------------------------------------
IN_PLACE_SHAPE = {
    "squeeze_": (lambda t: t.squeeze_(), (2, 1, 3)),
    "squeeze_dim": (lambda t: t.squeeze_(1), (2, 1, 3)),
    "squeeze_dims": (lambda t: t.squeeze_((0, 2)), (1, 3, 1)),
    "unsqueeze_": (lambda t: t.unsqueeze_(0), (2, 3)),
    "unsqueeze_last": (lambda t: t.unsqueeze_(-1), (2, 3)),
    "transpose_": (lambda t: t.transpose_(0, 2), (2, 3, 4)),
    "t_": (lambda t: t.t_(), (2, 3)),
    "t_vector": (lambda t: t.t_(), (3,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(IN_PLACE_SHAPE))
def test_in_place_shape_ops_match_torch(name, dtype, device):
    op, shape = IN_PLACE_SHAPE[name]

    def fn(lib, x):
        y = x * 2
        returned = op(y)
        assert returned is y
        return y * y

    compare_with_torch(fn, randn(*shape), dtype=dtype, device=device)


@pytest.mark.parametrize("name", list(IN_PLACE_SHAPE))
def test_in_place_shape_ops_without_grad_share_memory(name):
    op, shape = IN_PLACE_SHAPE[name]
    for lib in (tinynn, torch):
        x = lib.zeros(*shape)
        view = x.view(*shape)
        op(view)
        assert view.shape == op(torch.zeros(*shape)).shape
        view.fill_(1.0)
        assert x.sum().item() == x.numel()  # the same memory


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.ones(2, requires_grad=True).unsqueeze_(0), RuntimeError),
    (lambda lib: lib.ones(2, 2, requires_grad=True).t_(), RuntimeError),
    (lambda lib: lib.ones(2, 1, requires_grad=True).squeeze_(), RuntimeError),
    (lambda lib: lib.ones(2, 2, requires_grad=True).transpose_(0, 1), RuntimeError),
    (lambda lib: lib.ones(2, 3).transpose_(0, 5), IndexError),
    (lambda lib: lib.ones(2, 3, 4).t_(), RuntimeError),
    (lambda lib: lib.ones(2, 3, 1).squeeze_(5), IndexError),
    (lambda lib: lib.ones(2, 3, 1).unsqueeze_(5), IndexError),
])
def test_in_place_shape_op_errors_match_torch(fn, error):
    for lib in (tinynn, torch):
        with pytest.raises(error):
            fn(lib)


def test_in_place_shape_op_of_a_saved_tensor_is_caught_as_in_torch():
    for lib in (tinynn, torch):
        a = lib.ones(2, requires_grad=True) * 1
        b = a * a  # saves a
        a.unsqueeze_(0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()


# -- out= for cat, stack, sum ----------------------------------------------------------------
def test_out_argument_of_cat_stack_and_sum():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 3))
    cases = [
        ("cat", lambda lib, o, x, y: lib.cat([x, y], 0, out=o), (4, 3)),
        ("cat_dim1", lambda lib, o, x, y: lib.cat([x, y], dim=1, out=o), (2, 6)),
        ("stack", lambda lib, o, x, y: lib.stack([x, y], out=o), (2, 2, 3)),
        ("sum", lambda lib, o, x, y: lib.sum(x, 1, out=o), (2,)),
        ("sum_keepdim", lambda lib, o, x, y: lib.sum(x, 0, keepdim=True, out=o), (1, 3)),
    ]
    for name, fn, shape in cases:
        results = []
        for lib in (tinynn, torch):
            out = lib.zeros(*shape)
            returned = fn(lib, out, lib.tensor(a, dtype=lib.float32), lib.tensor(b, dtype=lib.float32))
            assert returned is out, name
            results.append(out)
        assert_close(*results, name=name)
    for lib in (tinynn, torch):
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
            lib.cat([lib.ones(2, requires_grad=True)], out=lib.zeros(2))
