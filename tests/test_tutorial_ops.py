"""Ops that PyTorch tutorials and answers use, found missing by running such programs with
``import tinynn as torch``: rounding and inverse trig functions, sort/topk/median/cumsum,
flip/roll/tile/movedim, tril/triu/diag/trace, scatter, the ``out=`` argument, string
types, ``f"{loss:.4f}"``, ``set_printoptions`` and the class name of ``grad_fn``.

Each op runs in tinynn and in PyTorch on the same inputs (``compare_with_torch``), values
and gradients, in float32 and float64; errors are checked for PyTorch's exception type.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


def randn(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def distinct(*shape: int, seed: int = 0) -> np.ndarray:
    """Values with no ties (a sort or top-k of them has one right answer)."""
    n = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(n).reshape(shape) / 7.0 - 1.0


def inside_unit(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.9, 0.9, shape)


def positive(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.5, 2.5, shape)


def halves(*shape: int, seed: int = 0) -> np.ndarray:
    """Values on and off .5, so that rounding half to even is tested."""
    return np.random.default_rng(seed).integers(-8, 8, shape) / 2.0 + np.where(
        np.arange(int(np.prod(shape))).reshape(shape) % 3 == 0, 0.3, 0.0)


# name: (fn(lib, x), input maker, shape)
UNARY = {
    "floor": (lambda lib, x: x.floor() + x, halves, (3, 4)),
    "floor_function": (lambda lib, x: lib.floor(x), halves, (3, 4)),
    "ceil": (lambda lib, x: lib.ceil(x) * x, halves, (3, 4)),
    "round": (lambda lib, x: x.round() + x, halves, (3, 4)),
    "round_function": (lambda lib, x: lib.round(x), halves, (5,)),
    "round_decimals": (lambda lib, x: lib.round(x * 3.3333, decimals=2), randn, (2, 3)),
    "trunc": (lambda lib, x: lib.trunc(x) + x.trunc(), halves, (3, 4)),
    "log2": (lambda lib, x: lib.log2(x), positive, (3, 4)),
    "log10": (lambda lib, x: x.log10(), positive, (3, 4)),
    "tan": (lambda lib, x: lib.tan(x), inside_unit, (3, 4)),
    "atan": (lambda lib, x: x.atan() + lib.atan(x * 3), randn, (3, 4)),
    "asin": (lambda lib, x: lib.asin(x), inside_unit, (3, 4)),
    "acos": (lambda lib, x: x.acos(), inside_unit, (3, 4)),
    "erf": (lambda lib, x: lib.erf(x) + x.erf(), randn, (3, 4)),
    "expm1_function": (lambda lib, x: lib.expm1(x), randn, (4,)),
    "reciprocal_function": (lambda lib, x: lib.reciprocal(x), positive, (4,)),
    "cumsum": (lambda lib, x: x.cumsum(1), randn, (3, 4)),
    "cumsum_function_neg_dim": (lambda lib, x: lib.cumsum(x, dim=-2), randn, (3, 4, 2)),
    "cumsum_0d": (lambda lib, x: x.cumsum(0), randn, ()),
    "sort": (lambda lib, x: x.sort(dim=1), distinct, (3, 5)),
    "sort_descending": (lambda lib, x: lib.sort(x, 0, descending=True), distinct, (4, 3)),
    "sort_values": (lambda lib, x: x.sort().values * 2, distinct, (6,)),
    "topk": (lambda lib, x: lib.topk(x, 2), distinct, (3, 5)),
    "topk_smallest_dim0": (lambda lib, x: x.topk(3, dim=0, largest=False), distinct, (4, 3)),
    "median": (lambda lib, x: x.median(), distinct, (3, 4)),
    "median_even_count": (lambda lib, x: lib.median(x), distinct, (6,)),
    "median_dim": (lambda lib, x: x.median(dim=1), distinct, (3, 5)),
    "median_dim_keepdim": (lambda lib, x: lib.median(x, 0, keepdim=True), distinct, (4, 3)),
    "flip": (lambda lib, x: lib.flip(x, [0]), randn, (3, 4)),
    "flip_two_dims": (lambda lib, x: x.flip(0, 2), randn, (2, 3, 4)),
    "roll_flat": (lambda lib, x: lib.roll(x, 2), randn, (3, 4)),
    "roll_dims": (lambda lib, x: x.roll((1, -1), (0, 1)), randn, (3, 4)),
    "tile": (lambda lib, x: lib.tile(x, (2,)), randn, (3,)),
    "tile_more_dims": (lambda lib, x: x.tile(2, 1, 3), randn, (2, 3)),
    "movedim": (lambda lib, x: lib.movedim(x, 0, -1), randn, (2, 3, 4)),
    "movedim_tuple": (lambda lib, x: x.movedim((0, 1), (2, 0)), randn, (2, 3, 4)),
    "tril": (lambda lib, x: lib.tril(x), randn, (4, 4)),
    "tril_offset_batched": (lambda lib, x: x.tril(-1), randn, (2, 3, 4)),
    "triu": (lambda lib, x: x.triu(), randn, (3, 5)),
    "triu_offset": (lambda lib, x: lib.triu(x, diagonal=1), randn, (4, 3)),
    "diag_of_vector": (lambda lib, x: lib.diag(x), randn, (3,)),
    "diag_of_vector_offset": (lambda lib, x: x.diag(-2), randn, (3,)),
    "diag_of_matrix": (lambda lib, x: lib.diag(x), randn, (3, 4)),
    "diag_of_matrix_offset": (lambda lib, x: x.diag(1), randn, (4, 3)),
    "trace": (lambda lib, x: lib.trace(x), randn, (3, 4)),
    "diff": (lambda lib, x: lib.diff(x), randn, (3, 5)),
    "diff_twice_dim0": (lambda lib, x: x.diff(n=2, dim=0), randn, (4, 3)),
    "lerp_number": (lambda lib, x: lib.lerp(x, x * 3, 0.25), randn, (3, 4)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(UNARY))
def test_unary(name, dtype, device):
    fn, make, shape = UNARY[name]
    compare_with_torch(fn, make(*shape), dtype=dtype, device=device)


# name: (fn(lib, a, b), maker a, shape a, maker b, shape b)
BINARY = {
    "atan2": (lambda lib, a, b: lib.atan2(a, b), randn, (3, 4), randn, (3, 4)),
    "atan2_broadcast": (lambda lib, a, b: a.atan2(b), randn, (3, 4), randn, (4,)),
    "lerp_tensor_weight": (lambda lib, a, b: a.lerp(b, lib.sigmoid(b)), randn, (3, 4), randn, (3, 4)),
    "outer": (lambda lib, a, b: lib.outer(a, b), randn, (3,), randn, (4,)),
    "mv": (lambda lib, a, b: lib.mv(a, b), randn, (3, 4), randn, (4,)),
    "mv_method": (lambda lib, a, b: a.mv(b), randn, (2, 5), randn, (5,)),
    "scatter_add_function": (
        lambda lib, a, b: lib.scatter_add(a, 0, lib.tensor([[0, 1, 0], [2, 0, 1]]), b),
        randn, (3, 3), randn, (2, 3)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(BINARY))
def test_binary(name, dtype, device):
    fn, make_a, shape_a, make_b, shape_b = BINARY[name]
    compare_with_torch(fn, make_a(*shape_a), make_b(*shape_b, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_addmm(beta, alpha, dtype, device):
    compare_with_torch(lambda lib, c, a, b: lib.addmm(c, a, b, beta=beta, alpha=alpha),
                       randn(3), randn(2, 4, seed=1), randn(4, 3, seed=2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_src_tensor_and_its_gradients(dtype, device):
    index = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    compare_with_torch(lambda lib, x, src, i: x.scatter(0, i, src),
                       randn(3, 5), randn(2, 4, seed=1), index, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_uses_the_first_index_shape_elements_of_a_larger_src(dtype, device):
    # values only: PyTorch 2.13's own backward fails for a src larger than the index
    compare_with_torch(lambda lib, x, src, i: x.scatter(0, i, src), randn(3, 5),
                       randn(2, 5, seed=1), np.array([[0, 1, 2, 0]]), dtype=dtype, device=device, grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_value_one_hot(dtype, device):
    labels = np.array([2, 0, 1])
    compare_with_torch(lambda lib, x, y: (x * lib.zeros(3, 4, dtype=x.dtype).scatter(1, y.unsqueeze(1), 1.0)),
                       randn(3, 4), labels, dtype=dtype, device=device)
    for lib in (tinynn, torch):  # the in-place form of the tutorials
        one_hot = lib.zeros(3, 4).scatter_(1, lib.tensor(labels).unsqueeze(1), 1.0)
        assert one_hot.tolist() == [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_in_place_records_the_gradient(dtype, device):
    def fn(lib, x, src):
        y = x * 2
        y.scatter_(1, lib.tensor([[1], [0]]), src)
        return y

    compare_with_torch(fn, randn(2, 3), randn(2, 1, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_scatter_add_in_place(dtype, device):
    def fn(lib, x, src):
        y = x + 0
        return y.scatter_add_(0, lib.tensor([0, 1, 0, 2]), src)

    compare_with_torch(fn, randn(3), randn(4, seed=1), dtype=dtype, device=device)


def test_integer_and_bool_results_match():
    x = np.array([[3, -1, 4, 1], [-5, 9, 2, 6], [5, 3, -5, 8]])
    cases = [
        lambda lib, t: lib.nonzero(t > 2),
        lambda lib, t: lib.count_nonzero(t > 2),
        lambda lib, t: (t > 2).count_nonzero(dim=1),
        lambda lib, t: lib.unique(t),
        lambda lib, t: lib.unique(t, return_inverse=True, return_counts=True),
        lambda lib, t: lib.remainder(t, 3),
        lambda lib, t: lib.fmod(t, 3),
        lambda lib, t: t.fmod(-3),
        lambda lib, t: lib.cumsum(t, 0),
        lambda lib, t: (t > 0).cumsum(1),
        lambda lib, t: lib.isclose(t.float(), t.float() + 1e-9),
        lambda lib, t: lib.all(t > -10),
        lambda lib, t: lib.any(t > 8, dim=0),
        lambda lib, t: lib.logical_and(t > 0, t < 5),
        lambda lib, t: lib.masked_select(t, t > 4),
        lambda lib, t: t.floor(),
        lambda lib, t: lib.trace(t),
        lambda lib, t: lib.sort(t, 1).indices,
        lambda lib, t: lib.diff(t, dim=0),
        lambda lib, t: lib.tril(t, 1),
    ]
    for fn in cases:
        compare_with_torch(fn, x, grad=False)


@pytest.mark.parametrize("dtype", ["float32", "float64", None])
def test_logspace(dtype):
    for args, kwargs in [((0, 2, 3), {}), ((-1, 1, 5), {"base": 2.0})]:
        kw = dict(kwargs)
        if dtype:
            kw_t, kw_n = dict(kw, dtype=getattr(torch, dtype)), dict(kw, dtype=getattr(tinynn, dtype))
        else:
            kw_t = kw_n = kw
        assert_close(tinynn.logspace(*args, **kw_n), torch.logspace(*args, **kw_t))


def test_out_argument_writes_into_the_given_tensor():
    a, b = np.arange(6.0).reshape(2, 3), np.ones((3, 3))
    for name, fn in [("matmul", lambda lib, o, x, y: lib.matmul(x, y, out=o)),
                     ("mul", lambda lib, o, x, y: lib.mul(x, x, out=o)),
                     ("add", lambda lib, o, x, y: lib.add(x, 1, alpha=2, out=o)),
                     ("sub", lambda lib, o, x, y: lib.sub(x, x, out=o)),
                     ("div", lambda lib, o, x, y: lib.div(x, 2, out=o)),
                     ("mm", lambda lib, o, x, y: lib.mm(x, y, out=o))]:
        results = []
        for lib in (tinynn, torch):
            out = lib.zeros(2, 3)
            returned = fn(lib, out, lib.tensor(a, dtype=lib.float32), lib.tensor(b, dtype=lib.float32))
            assert returned is out, name
            results.append(out)
        assert_close(*results, name=name)


def test_out_argument_resizes_with_a_warning_and_keeps_its_dtype():
    for lib in (tinynn, torch):
        out = lib.zeros(5, dtype=lib.float64)
        with pytest.warns(UserWarning, match="was resized"):
            lib.mul(lib.ones(2, 2), 3, out=out)
        assert out.shape == (2, 2) and out.dtype == lib.float64
        empty = lib.empty(0)
        lib.matmul(lib.ones(2, 3), lib.ones(3), out=empty)  # no warning for an empty out
        assert empty.tolist() == [3.0, 3.0]


def test_out_argument_errors():
    for lib in (tinynn, torch):
        x = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
            lib.mul(x, 2, out=lib.zeros(2))
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            lib.mul(lib.ones(2), 2.5, out=lib.zeros(2, dtype=lib.int64))


def test_format_spec_on_a_scalar_tensor():
    for lib in (tinynn, torch):
        loss = lib.tensor(0.123456)
        assert f"{loss:.4f}" == "0.1235"
        assert f"{lib.tensor(7):>3d}" == "  7"
        assert f"{lib.tensor([1.5, 2.0])}" == "tensor([1.5000, 2.0000])"
        with pytest.raises(TypeError):
            f"{lib.tensor([1.5, 2.0]):.2f}"


def test_type_names_and_conversions():
    x_t, x_n = torch.tensor([1.7, -2.3]), tinynn.tensor([1.7, -2.3])
    for name in ["torch.DoubleTensor", "torch.LongTensor", "torch.HalfTensor", "torch.ByteTensor",
                 "torch.ShortTensor", "torch.CharTensor", "torch.IntTensor", "torch.BoolTensor"]:
        assert_close(x_n.type(name), x_t.type(name), name=name)
        assert x_n.type(name).type() == x_t.type(name).type() == name
    for conversion in ["short", "char", "byte"]:
        assert_close(getattr(x_n.abs(), conversion)(), getattr(x_t.abs(), conversion)(), name=conversion)
    assert_close(x_n.type_as(tinynn.tensor([1])), x_t.type_as(torch.tensor([1])))
    assert x_n.nelement() == 2 and x_n.ndimension() == 1
    with pytest.raises(ValueError):
        x_t.type("torch.NoSuchTensor")
    with pytest.raises(ValueError):
        x_n.type("torch.NoSuchTensor")


def test_set_printoptions():
    try:
        for lib in (tinynn, torch):
            lib.set_printoptions(precision=2)
            assert repr(lib.tensor([1.23456, 2.5])) == "tensor([1.23, 2.50])"
            lib.set_printoptions(sci_mode=False)
            assert repr(lib.tensor([1e-5, 1.0])) == "tensor([0.00, 1.00])"
            lib.set_printoptions(profile="default")
            lib.set_printoptions(threshold=5, edgeitems=1)
            assert repr(lib.arange(10)) == "tensor([0,  ..., 9])"
            lib.set_printoptions(profile="default")
            assert repr(lib.tensor([1.23456])) == "tensor([1.2346])"
    finally:
        tinynn.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_grad_fn_class_is_named_after_the_function():
    class Scale(tinynn.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = tinynn.ones(2, requires_grad=True)
    y = x * 2 + 1
    assert type(y.grad_fn).__name__ == "AddBackward0"
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "MulBackward0"
    assert type(Scale.apply(x).grad_fn).__name__ == "ScaleBackward"
    assert isinstance(y.grad_fn, tinynn.autograd.function.Node)


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.topk(lib.ones(3), 4), RuntimeError),
    (lambda lib: lib.tril(lib.ones(3)), RuntimeError),
    (lambda lib: lib.diag(lib.ones(2, 2, 2)), RuntimeError),
    (lambda lib: lib.trace(lib.ones(3)), RuntimeError),
    (lambda lib: lib.outer(lib.ones(2, 2), lib.ones(2)), RuntimeError),
    (lambda lib: lib.mv(lib.ones(2, 2), lib.ones(2, 2)), RuntimeError),
    (lambda lib: lib.zeros(3).scatter(0, lib.tensor([0.0]), 1.0), RuntimeError),
    (lambda lib: lib.zeros(3).scatter(0, lib.tensor([5]), 1.0), RuntimeError),
    (lambda lib: lib.roll(lib.ones(3, 3), (1, 1), (0,)), RuntimeError),
    (lambda lib: lib.movedim(lib.ones(2, 3), (0, 1), (1,)), RuntimeError),
    (lambda lib: lib.flip(lib.ones(2, 3), [2]), IndexError),
    (lambda lib: lib.ones(2, requires_grad=True).scatter_(0, lib.tensor([0]), 1.0), RuntimeError),
])
def test_errors_match_pytorch(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(tinynn)


@pytest.mark.parametrize("dtype", DTYPES)
def test_autograd_functional_jacobian_and_hessian(dtype):
    x = randn(3)
    y = randn(2, seed=1)
    cases = [
        lambda lib, a, b: lib.autograd.functional.jacobian(lambda t: t ** 2 * t.sum(), a),
        lambda lib, a, b: lib.autograd.functional.jacobian(lambda s, t: (s.outer(t), s.sum()), (a, b)),
        lambda lib, a, b: lib.autograd.functional.hessian(lambda t: (t ** 3).sum() + t[0] * t[1], a),
        lambda lib, a, b: lib.autograd.functional.hessian(lambda s, t: (s.outer(t) ** 2).sum(), (a, b)),
    ]
    for fn in cases:
        compare_with_torch(fn, x, y, dtype=dtype, grad=False)
    for lib in (tinynn, torch):  # an output independent of an input: zeros, or an error if strict
        assert lib.autograd.functional.jacobian(lambda s, t: s * 2, (lib.ones(2), lib.ones(2)))[1].tolist() == [[0, 0], [0, 0]]
        with pytest.raises(RuntimeError):
            lib.autograd.functional.jacobian(lambda s, t: s * 2, (lib.ones(2), lib.ones(2)), strict=True)
