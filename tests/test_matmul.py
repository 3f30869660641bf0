"""Matrix multiplication for every rank PyTorch accepts (1-D, 2-D, batched, broadcast batch
dims), through ``@``, ``matmul``, ``mm``, ``bmm`` and ``dot``: forward and gradient vs PyTorch.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import tinynn
from helpers import assert_same_error, randn
from tinynn.testing import compare_with_torch

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # tinynn is as silent as PyTorch


SHAPE_PAIRS = {
    "vector_vector": ((4,), (4,)),
    "vector_matrix": ((3,), (3, 5)),
    "matrix_vector": ((2, 3), (3,)),
    "matrix_matrix": ((2, 3), (3, 4)),
    "batch_vector": ((2, 3, 4), (4,)),
    "vector_batch": ((3,), (2, 3, 4)),
    "batch_matrix": ((2, 3, 4), (4, 5)),
    "matrix_batch": ((3, 4), (2, 4, 5)),
    "batch_batch": ((2, 3, 4), (2, 4, 5)),
    "batch_broadcast_one": ((1, 3, 4), (2, 4, 5)),
    "batch_broadcast_other": ((2, 3, 4), (1, 4, 5)),
    "batch_4d_3d": ((2, 1, 3, 4), (5, 4, 2)),
    "batch_4d_broadcast_both": ((2, 1, 3, 4), (1, 3, 4, 2)),
    "vector_4d": ((4,), (2, 3, 4, 2)),
    "4d_vector": ((2, 3, 2, 4), (4,)),
    "outer_like": ((3, 1), (1, 4)),
    "one_by_one": ((1, 1), (1, 1)),
    "empty_inner": ((2, 0), (0, 3)),
    "empty_rows": ((0, 3), (3, 2)),
    "empty_batch": ((0, 2, 3), (3, 4)),
    "batch_matrix_empty_inner": ((2, 3, 0), (0, 5)),   # a batch times one matrix is folded into rows
    "4d_matrix": ((2, 3, 2, 4), (4, 5)),
    "empty_vectors": ((0,), (0,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SHAPE_PAIRS))
def test_matmul_operator_matches_torch(name, dtype, device):
    a_shape, b_shape = SHAPE_PAIRS[name]
    compare_with_torch(lambda lib, a, b: a @ b, randn(*a_shape), randn(*b_shape, seed=1),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["vector_vector", "matrix_vector", "batch_broadcast_one", "vector_batch"])
def test_matmul_function_and_method_match_torch(name, dtype, device):
    a_shape, b_shape = SHAPE_PAIRS[name]
    compare_with_torch(lambda lib, a, b: (lib.matmul(a, b), a.matmul(b)), randn(*a_shape),
                       randn(*b_shape, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mm_matches_torch(dtype, device):
    compare_with_torch(lambda lib, a, b: (lib.mm(a, b), a.mm(b)), randn(2, 3), randn(3, 4, seed=1),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bmm_matches_torch(dtype, device):
    compare_with_torch(lambda lib, a, b: (lib.bmm(a, b), a.bmm(b)), randn(2, 3, 4), randn(2, 4, 5, seed=1),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dot_matches_torch(dtype, device):
    compare_with_torch(lambda lib, a, b: (lib.dot(a, b), a.dot(b)), randn(5), randn(5, seed=1),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_same_tensor_on_both_sides(dtype, device):
    compare_with_torch(lambda lib, a: a @ a.t() + a.t() @ a, randn(3, 3), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_transposed_operands(dtype, device):
    compare_with_torch(lambda lib, a, b: a.t() @ b.transpose(0, 1), randn(3, 2), randn(4, 3, seed=1),
                       dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_linear_layer_expression(dtype, device):
    """y = x W^T + b, then tanh: the expression inside nn.Linear."""
    compare_with_torch(lambda lib, x, w, b: (x @ w.t() + b).tanh(), randn(4, 3), randn(5, 3, seed=1),
                       randn(5, seed=2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_matmul_second_derivative(dtype, device):
    def fn(lib, a, b):
        y = ((a @ b) ** 2).sum()
        ga, gb = lib.autograd.grad(y, (a, b), create_graph=True)
        return ga, gb

    compare_with_torch(fn, randn(2, 3), randn(3, 2, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_times_matrix_second_derivative(dtype, device):
    """A batch of matrices times one matrix folds the batch into rows, forward and for the
    matrix's gradient; the folded gradient is itself differentiable (a non-contiguous batch)."""
    def fn(lib, a, b):
        y = ((a.transpose(-2, -1) @ b) ** 2).sum()
        ga, gb = lib.autograd.grad(y, (a, b), create_graph=True)
        return ga, gb  # compare_with_torch differentiates these again, through both inputs

    compare_with_torch(fn, randn(2, 3, 4, 2), randn(4, 5, seed=1), dtype=dtype, device=device)


# The backward of a product of two matrices is one op (MatmulBackward): its gradients, and
# its own backward (second and third derivatives), for each input that needs a gradient.
NEEDS = {"both": (True, True), "a_only": (True, False), "b_only": (False, True)}


def _third_order(lib, a, b, needs):
    """d/d(inputs) of d/d(inputs) of sum(tanh(A @ B)): three orders through the product."""
    wanted = [t for t, need in zip((a, b), needs) if need]
    y = (a @ b).tanh().sum()
    first = lib.autograd.grad(y, wanted, create_graph=True)
    second = lib.autograd.grad(sum((g * g).sum() for g in first), wanted, create_graph=True)
    third = lib.autograd.grad(sum((g.sin()).sum() for g in second), wanted)
    return list(first) + list(second) + list(third)


@pytest.mark.parametrize("needs", NEEDS)
def test_matrix_product_backward_to_the_third_order_matches_torch(needs, device):
    rng = np.random.default_rng(0)
    arrays = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    results = []
    for lib, dev in ((tinynn, "cpu"), (torch, device)):
        kwargs = {"device": dev} if lib is torch else {}
        a, b = (lib.tensor(x, dtype=lib.float64, requires_grad=need, **kwargs)
                for x, need in zip(arrays, NEEDS[needs]))
        results.append(_third_order(lib, a, b, NEEDS[needs]))
    assert len(results[0]) == len(results[1])
    for i, (ours, theirs) in enumerate(zip(*results)):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().cpu().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"derivative {i}")


@pytest.mark.parametrize("needs", NEEDS)
def test_matrix_product_backward_passes_gradcheck_and_gradgradcheck(needs):
    rng = np.random.default_rng(1)
    a = tinynn.tensor(rng.standard_normal((3, 4)), dtype=tinynn.float64, requires_grad=NEEDS[needs][0])
    b = tinynn.tensor(rng.standard_normal((4, 2)), dtype=tinynn.float64, requires_grad=NEEDS[needs][1])
    assert tinynn.autograd.gradcheck(lambda a, b: a @ b, (a, b))
    assert tinynn.autograd.gradgradcheck(lambda a, b: a @ b, (a, b))


def test_matrix_product_backward_is_one_node_named_after_its_function():
    a = tinynn.randn(3, 4, requires_grad=True)
    b = tinynn.randn(4, 2, requires_grad=True)
    grad_a, grad_b = tinynn.autograd.grad((a @ b).sum(), (a, b), create_graph=True)
    assert type(grad_a.grad_fn).__name__ == "MatmulBackwardBackward0"
    assert grad_a.grad_fn is grad_b.grad_fn  # one node computes both gradients


@st.composite
def matmul_shapes(draw):
    """Shapes of any ranks 1..4 that torch.matmul accepts, with broadcastable batch dims."""
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rank_a, rank_b = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch_rank = max(rank_a, rank_b) - 2
    batch = [draw(st.integers(1, 3)) for _ in range(max(batch_rank, 0))]

    def batch_for(rank: int) -> tuple:
        dims = batch[len(batch) - (rank - 2):] if rank > 2 else []
        return tuple(1 if draw(st.booleans()) else d for d in dims)  # size-1 dims broadcast

    a = (k,) if rank_a == 1 else batch_for(rank_a) + (n, k)
    b = (k,) if rank_b == 1 else batch_for(rank_b) + (k, m)
    return a, b


@settings(max_examples=30, deadline=None)
@given(shapes=matmul_shapes())
def test_matmul_rank_combinations_property(shapes, device):
    a_shape, b_shape = shapes
    compare_with_torch(lambda lib, a, b: a @ b, randn(*a_shape), randn(*b_shape, seed=1),
                       dtype="float64", device=device)


@settings(max_examples=10, deadline=None)
@given(shapes=matmul_shapes())
def test_matmul_rank_combinations_float32_property(shapes, device):
    a_shape, b_shape = shapes
    compare_with_torch(lambda lib, a, b: a @ b, randn(*a_shape), randn(*b_shape, seed=1),
                       dtype="float32", device=device)


def test_matmul_result_dtype_float64():
    assert (tinynn.ones(2, 2, dtype=tinynn.float64) @ tinynn.ones(2, dtype=tinynn.float64)).dtype is tinynn.float64


def test_matmul_of_integer_tensors_matches_torch_on_cpu():
    a, b = np.arange(6).reshape(2, 3), np.arange(3)
    assert (tinynn.tensor(a) @ tinynn.tensor(b)).tolist() == (torch.tensor(a) @ torch.tensor(b)).tolist()


# -- issue 20: bmm and addmm as strict as PyTorch; addmm's integer scalars; linear at size 0 --
LINALG_ERRORS = {
    "bmm_broadcast_batch": lambda lib: lib.bmm(lib.ones(1, 2, 3), lib.ones(4, 3, 2)),
    "bmm_batch_mismatch": lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(4, 3, 2)),
    "bmm_inner_mismatch": lambda lib: lib.ones(2, 2, 3).bmm(lib.ones(2, 4, 2)),
    "addmm_input_larger_than_output": lambda lib: lib.addmm(lib.ones(3, 1, 1), lib.ones(2, 3), lib.ones(3, 2)),
    "addmm_input_not_broadcastable": lambda lib: lib.addmm(lib.ones(3), lib.ones(2, 3), lib.ones(3, 2)),
    "addmm_input_of_another_dtype": lambda lib: lib.addmm(
        lib.ones(2, 2, dtype=lib.float64), lib.ones(2, 3), lib.ones(3, 2)),
    "addmm_1d_mat1": lambda lib: lib.addmm(lib.ones(2, 2), lib.ones(3), lib.ones(3, 2)),
    "addmm_1d_mat2": lambda lib: lib.ones(2, 2).addmm(lib.ones(2, 3), lib.ones(3)),
    "addmm_inner_mismatch": lambda lib: lib.addmm(lib.ones(2, 2), lib.ones(2, 3), lib.ones(2, 2)),
    "dot_of_another_dtype": lambda lib: lib.dot(lib.ones(2), lib.ones(2, dtype=lib.float64)),
    "mm_of_another_dtype": lambda lib: lib.mm(lib.ones(2, 2), lib.ones(2, 2, dtype=lib.float64)),
}


@pytest.mark.parametrize("name", sorted(LINALG_ERRORS))
def test_linalg_error_matches_torch(name):
    assert_same_error(LINALG_ERRORS[name])


def test_bmm_names_pytorchs_expected_sizes():
    ours, theirs = assert_same_error(LINALG_ERRORS["bmm_broadcast_batch"])
    assert str(ours).startswith(str(theirs))


@pytest.mark.parametrize("shapes", [((0, 2, 3), (0, 3, 1)), ((2, 2, 0), (2, 0, 1)), ((2, 0, 3), (2, 3, 1)),
                                    ((2, 2, 3), (2, 3, 0)), ((1, 2, 3), (1, 3, 1))])
@pytest.mark.parametrize("dtypes", [("float32", "int64"), ("int64", "float32"), ("float64", "float32")])
def test_bmm_of_mixed_dtypes_is_empty_or_zeros_in_mat2s_dtype_or_raises_as_torch(shapes, dtypes):
    """PyTorch returns an empty result, or zeros for an inner dim of 0, in mat2's dtype
    before it compares the dtypes; otherwise it raises. A float input that requires grad
    with an int mat2 raises (the result could not carry a gradient)."""
    for requires_grad in (False, True):
        def call(lib):
            a = lib.ones(shapes[0], dtype=getattr(lib, dtypes[0]))
            a.requires_grad_(requires_grad and a.dtype.is_floating_point)
            return lib.bmm(a, lib.ones(shapes[1], dtype=getattr(lib, dtypes[1])))
        try:
            theirs = call(torch)
        except RuntimeError:
            assert_same_error(call)
            continue
        ours = call(tinynn)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert ours.tolist() == theirs.tolist() and ours.requires_grad == theirs.requires_grad


@pytest.mark.parametrize("beta, alpha", [(0.5, 1), (1, 0.5), (1.5, 2.7), (0, 2), (-1.5, -2), (True, 1)])
def test_addmm_of_ints_truncates_beta_and_alpha_as_torch(beta, alpha):
    """PyTorch converts beta and alpha to the tensors' integer type: 0.5 becomes 0."""
    results = []
    for lib in (torch, tinynn):
        a = lib.tensor([[1, 2], [3, 4]])
        m1, m2 = lib.tensor([[1, -1, 2], [0, 3, 1]]), lib.tensor([[2, 1], [1, 0], [-1, 5]])
        out = lib.addmm(a, m1, m2, beta=beta, alpha=alpha)
        results.append((str(out.dtype).split(".")[-1], out.tolist()))
    assert results[0] == results[1]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("input_shape", [(2, 4), (4,), (1, 4), (2, 1), ()])
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_addmm_matches_torch(input_shape, beta, alpha, dtype, device):
    compare_with_torch(lambda lib, c, a, b: lib.addmm(c, a, b, beta=beta, alpha=alpha),
                       randn(*input_shape), randn(2, 3, seed=1), randn(3, 4, seed=2),
                       dtype=dtype, device=device)


def test_addmm_with_beta_zero_ignores_nan_in_input():
    for lib in (torch, tinynn):
        c = lib.full((2, 2), float("nan"), requires_grad=True)
        out = lib.addmm(c, lib.ones(2, 3), lib.ones(3, 2), beta=0)
        out.sum().backward()
        assert out.tolist() == [[3.0, 3.0], [3.0, 3.0]] and c.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("x_shape, w_shape", [
    ((2, 3, 0), (4, 0)),   # no input features (3-D input: the rows are counted, not inferred)
    ((2, 3, 5), (0, 5)),   # no output features
    ((0, 3, 5), (4, 5)),   # no rows
    ((3,), (4, 3)),
])
def test_linear_with_a_size_0_dimension_matches_torch(x_shape, w_shape, dtype, device):
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
                       randn(*x_shape), randn(*w_shape, seed=1), randn(w_shape[0], seed=2),
                       dtype=dtype, device=device)


# -- found by the differential suite (tests/differential) -------------------------------------
@pytest.mark.parametrize("name, fn", [
    ("mm", lambda lib, a: lib.mm(a, a)), ("matmul_2d", lambda lib, a: a @ a),
    ("dot", lambda lib, a: lib.dot(a[0], a[0])), ("mv", lambda lib, a: lib.mv(a, a[0])),
    ("matmul_1d_2d", lambda lib, a: a[0] @ a), ("bmm", lambda lib, a: lib.bmm(a[None], a[None])),
    ("matmul_3d", lambda lib, a: a[None] @ a[None]), ("matmul_2d_1d", lambda lib, a: a.matmul(a[0])),
    ("addmm", lambda lib, a: lib.addmm(a, a, a)),
])
def test_matrix_products_of_bool_raise_not_implemented(name, fn):
    ours, theirs = assert_same_error(lambda lib: fn(lib, lib.ones(2, 2, dtype=lib.bool)))
    assert str(ours).startswith(str(theirs))


def test_outer_of_bool_is_fine_as_in_torch():
    for lib in (torch, tinynn):
        assert lib.outer(lib.tensor([True, False]), lib.tensor([True, True])).tolist() == \
            [[True, True], [False, False]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_addmm_in_place_matches_torch(beta, alpha, dtype, device):
    compare_with_torch(lambda lib, c, a, b: (c * 1).addmm_(a, b, beta=beta, alpha=alpha),
                       randn(2, 4), randn(2, 3, seed=1), randn(3, 4, seed=2), dtype=dtype, device=device)


def test_addmm_in_place_does_not_broadcast():
    assert_same_error(lambda lib: lib.ones(2).addmm_(lib.ones(2, 3), lib.ones(3, 2)))


# -- outer, mv, addmm ------------------------------------------------------------------------
# name: (fn(lib, a, b), maker a, shape a, maker b, shape b)
OUTER_AND_MV = {
    "outer": (lambda lib, a, b: lib.outer(a, b), randn, (3,), randn, (4,)),
    "mv": (lambda lib, a, b: lib.mv(a, b), randn, (3, 4), randn, (4,)),
    "mv_method": (lambda lib, a, b: a.mv(b), randn, (2, 5), randn, (5,)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", list(OUTER_AND_MV))
def test_outer_and_mv_match_torch(name, dtype, device):
    fn, make_a, shape_a, make_b, shape_b = OUTER_AND_MV[name]
    compare_with_torch(fn, make_a(*shape_a), make_b(*shape_b, seed=1), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("beta, alpha", [(1, 1), (0.5, 2.0), (0, 1)])
def test_addmm(beta, alpha, dtype, device):
    compare_with_torch(lambda lib, c, a, b: lib.addmm(c, a, b, beta=beta, alpha=alpha),
                       randn(3), randn(2, 4, seed=1), randn(4, 3, seed=2), dtype=dtype, device=device)


@pytest.mark.parametrize("fn, error", [
    (lambda lib: lib.outer(lib.ones(2, 2), lib.ones(2)), RuntimeError),
    (lambda lib: lib.mv(lib.ones(2, 2), lib.ones(2, 2)), RuntimeError),
])
def test_outer_and_mv_errors_match_torch(fn, error):
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(tinynn)


@pytest.mark.parametrize("name, fn", [
    ("mv_0d_matrix", lambda lib: lib.mv(lib.tensor(1.), lib.ones(2))),
    ("mv_0d_vector", lambda lib: lib.mv(lib.ones(2, 2), lib.tensor(1.))),
    ("mv_3d", lambda lib: lib.ones(2, 2, 2).mv(lib.ones(2))),
    ("mm_1d_second", lambda lib: lib.mm(lib.ones(2, 2), lib.ones(2))),
    ("bmm_2d_second", lambda lib: lib.bmm(lib.ones(2, 2, 2), lib.ones(2, 2))),
    ("outer_0d", lambda lib: lib.outer(lib.tensor(1.), lib.ones(2))),
    ("outer_2d_second", lambda lib: lib.outer(lib.ones(2), lib.ones(2, 2))),
])
def test_rank_errors_match_torch(name, fn):
    ours, theirs = assert_same_error(fn)
    assert str(ours).startswith(str(theirs))


@pytest.mark.parametrize("name, fn", [
    ("bmm_bool_then_float", lambda lib: lib.bmm(lib.ones(2, 2, 3, dtype=lib.bool), lib.ones(2, 3, 4))),
    ("bmm_float_then_bool", lambda lib: lib.bmm(lib.ones(2, 2, 3), lib.ones(2, 3, 4, dtype=lib.bool))),
    ("mm_bool_then_float", lambda lib: lib.mm(lib.ones(2, 3, dtype=lib.bool), lib.ones(3, 4))),
])
def test_bool_with_another_dtype_matches_torch(name, fn):
    assert_same_error(fn)


@pytest.mark.parametrize("name, fn", [
    ("addmm_int_beta_inf", lambda lib: lib.ones(2, 2, dtype=lib.int64).addmm(
        lib.ones(2, 3, dtype=lib.int64), lib.ones(3, 2, dtype=lib.int64), beta=float("-inf"))),
    ("batched_bool_then_int", lambda lib: lib.matmul(lib.ones(2, 1, 2, 3, dtype=lib.bool),
                                                     lib.ones(5, 3, 2, dtype=lib.int64))),
])
def test_more_linalg_errors_match_torch(name, fn):
    assert_same_error(fn)


# Matrix products where the dtypes differ or are bool: PyTorch checks the shapes first, then
# returns zeros when there is nothing to multiply (an empty result, or an inner size of 0)
# before it looks at the dtypes (bool operands, and a batched product of two dtypes, in the
# second operand's dtype), and otherwise raises: NotImplementedError for bool (the batched
# product checks a bool first operand before the other dtype), RuntimeError for two dtypes.
PRODUCT_SHAPES = [((0, 2, 3), (0, 3, 1)), ((1, 2, 0), (1, 0, 1)), ((2, 3), (0, 3, 1)), ((1, 2, 0), (5, 0, 2)),
                  ((2, 2, 3), (1, 3, 0)), ((0, 2, 3), (3,)), ((2, 2, 0), (0,)), ((0,), (2, 0, 1)), ((0, 3), (3,)),
                  ((3,), (3, 0)), ((0,), (0,)), ((2, 3), (3,)), ((1, 2, 3), (1, 3, 1)), ((2,), (3,)),
                  ((2, 2, 3), (2, 4, 1)), ((), (3,))]
PRODUCT_DTYPES = [("bool", "bool"), ("bool", "float64"), ("float32", "float64"), ("float64", "bool")]


@pytest.mark.parametrize("dtypes", PRODUCT_DTYPES, ids="-".join)
@pytest.mark.parametrize("shapes", PRODUCT_SHAPES, ids=str)
def test_matmul_of_bool_or_two_dtypes_returns_or_raises_like_torch(shapes, dtypes):
    def product(lib):
        return lib.matmul(lib.zeros(shapes[0], dtype=getattr(lib, dtypes[0])),
                          lib.zeros(shapes[1], dtype=getattr(lib, dtypes[1])))

    try:
        theirs = product(torch)
    except Exception:  # noqa: BLE001 -- then tinynn must raise the same type
        assert_same_error(product)
        return
    ours = product(tinynn)
    assert (str(ours.dtype), tuple(ours.shape)) == (str(theirs.dtype).replace("torch", "tinynn"), tuple(theirs.shape))
    assert not ours.numpy().any()


@pytest.mark.parametrize("shapes", [((0, 2, 3), (0, 3, 1)), ((2, 2, 0), (2, 0, 1))], ids=str)
def test_bmm_of_bool_with_nothing_to_multiply_returns_zeros_like_torch(shapes):
    for dtype in ("bool", "float64"):
        ours, theirs = (lib.bmm(lib.zeros(shapes[0], dtype=lib.bool), lib.zeros(shapes[1], dtype=getattr(lib, dtype)))
                        for lib in (tinynn, torch))
        assert (ours.dtype.name, tuple(ours.shape)) == (str(theirs.dtype)[6:], tuple(theirs.shape))


def test_gradient_of_a_product_of_two_dtypes_is_refused_like_torch():
    def fn(lib):
        a = lib.ones(2, 3, requires_grad=True)
        b = lib.ones(0, 3, 1, dtype=lib.float64, requires_grad=True)
        (a @ b).sum().backward()

    assert_same_error(fn)


# -- a numpy array as an operand of @ ---------------------------------------------------------
@pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")  # (PyTorch's, with numpy 2)
@pytest.mark.parametrize("tensor_dtype, array_dtype, shapes", [
    ("float32", "float32", ((2, 3), (3, 4))), ("float32", "float64", ((2, 3), (3,))),
    ("float32", "int64", ((3,), (3, 2))), ("int64", "float32", ((2, 2), (2, 2))),
    ("int32", "int64", ((3,), (3,))), ("float64", "bool", ((2, 3), (3, 1))),
])
def test_tensor_at_a_numpy_array_is_numpys_product_like_torch(tensor_dtype, array_dtype, shapes):
    """PyTorch hands ``tensor @ array`` to numpy: numpy's promotion (float32 @ an int64 array
    is float64), a tensor as the result, no history."""
    rng = np.random.default_rng(0)
    values = rng.integers(-3, 4, shapes[0]).astype(tensor_dtype)
    array = rng.integers(-3, 4, shapes[1]).astype(array_dtype)
    results = []
    for lib in (torch, tinynn):
        y = lib.tensor(values) @ array
        results.append((type(y).__name__, str(y.dtype).split(".")[1], tuple(y.shape), y.requires_grad,
                        y.numpy().tolist()))
    assert results[1] == results[0]


@pytest.mark.filterwarnings("ignore:__array_wrap__:DeprecationWarning")
@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, 3, requires_grad=True) @ np.ones((3, 2)),
    lambda lib: np.ones((2, 2)) @ lib.ones(2, 2),
    lambda lib: lib.ones(2, 2) @ [[1.0, 2.0], [3.0, 4.0]],
    lambda lib: [[1.0, 2.0], [3.0, 4.0]] @ lib.ones(2, 2),
    lambda lib: lib.ones(2, 3) @ np.ones((2, 2)),
    lambda lib: lib.ones(2, 3) @ np.array(2.0),
], ids=["requires_grad", "array_at_tensor", "tensor_at_list", "list_at_tensor", "shapes", "0d_array"])
def test_matmul_with_a_numpy_array_or_a_list_raises_like_torch(call):
    assert_same_error(call)
