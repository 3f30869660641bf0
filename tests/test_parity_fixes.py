"""Parity fixes found by trying tinynn as a new user would (issues 11 and 18), each checked
against PyTorch by running the same call in both libraries:

- loss errors: PyTorch's exception types, in PyTorch's order, never a raw numpy one;
- ``axis=`` / ``keepdims=`` wherever PyTorch's reductions accept them;
- ``diagonal`` and ``unfold``: views with PyTorch's values, strides, gradients and errors;
- ``0 ** y`` at negative y: gradient -inf, not nan;
- no numpy RuntimeWarning where PyTorch is silent (inf and nan are IEEE results);
- index tensors: int8/int16 rejected, uint8 a deprecated mask;
- what ``cross_entropy``'s docstring claims about softmax, log_softmax and target dtypes.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close

LIBS = (torch, tinynn)


def outcome(fn, lib):
    """``("ok", result)`` or ``("raised", exception)`` for ``fn(lib)``, warnings ignored."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return "ok", fn(lib)
    except Exception as error:  # noqa: BLE001  (the point is to compare the types)
        return "raised", error


def raises_like_torch(fn):
    """Both libraries raise, the same exception type; returns (PyTorch's, tinynn's)."""
    (kind_t, theirs), (kind_o, ours) = outcome(fn, torch), outcome(fn, tinynn)
    assert kind_t == "raised", "PyTorch raised nothing: the case is not a misuse"
    assert kind_o == "raised", f"tinynn raised nothing; PyTorch raised {type(theirs).__name__}: {theirs}"
    assert type(ours) is type(theirs), (
        f"tinynn raised {type(ours).__name__}: {ours}\nPyTorch raised {type(theirs).__name__}: {theirs}")
    return theirs, ours


def F(lib):
    return lib.nn.functional


# -- 1. loss errors: PyTorch's types, never numpy's ---------------------------------------------
def _x(lib, *shape, dtype=None):
    return lib.linspace(-1.0, 1.0, int(np.prod(shape)), dtype=dtype or lib.float32).reshape(shape)


LOSS_MISUSES = {
    # the example of issue 11: a (C,) input with a (1, 1) target
    "nll_1d_input_2d_target": lambda L: F(L).nll_loss(_x(L, 3), L.tensor([[0]])),
    "ce_1d_input_2d_target": lambda L: F(L).cross_entropy(_x(L, 3), L.tensor([[0]])),
    "ce_1d_input_2d_target_smoothing": lambda L: F(L).cross_entropy(_x(L, 3), L.tensor([[0]]), label_smoothing=0.1),
    "nll_1d_input_two_targets": lambda L: F(L).nll_loss(_x(L, 3), L.tensor([0, 1])),
    "ce_1d_input_two_targets": lambda L: F(L).cross_entropy(_x(L, 3), L.tensor([0, 1])),
    "nll_2d_input_0d_target": lambda L: F(L).nll_loss(_x(L, 1, 3), L.tensor(0)),
    "ce_2d_input_0d_target_smoothing": lambda L: F(L).cross_entropy(_x(L, 1, 3), L.tensor(1), label_smoothing=0.1),
    "nll_2d_input_2d_target": lambda L: F(L).nll_loss(_x(L, 2, 3), L.tensor([[0], [1]])),
    "nll_batch_mismatch": lambda L: F(L).nll_loss(_x(L, 2, 3), L.tensor([0, 1, 2])),
    "nll_spatial_target_rank": lambda L: F(L).nll_loss(_x(L, 2, 3, 4, 5), L.zeros(2, 4, dtype=L.long)),
    "nll_spatial_size": lambda L: F(L).nll_loss(_x(L, 2, 3, 4), L.zeros(2, 5, dtype=L.long)),
    "nll_out_of_range": lambda L: F(L).nll_loss(_x(L, 2, 3), L.tensor([0, 3])),
    "nll_negative_class": lambda L: F(L).nll_loss(_x(L, 2, 3), L.tensor([0, -1])),
    "ce_out_of_range_smoothing": lambda L: F(L).cross_entropy(_x(L, 2, 3), L.tensor([0, 7]), label_smoothing=0.1),
    "ce_zero_classes": lambda L: F(L).cross_entropy(_x(L, 2, 0), L.zeros(2, dtype=L.long)),
    "nll_zero_classes": lambda L: F(L).nll_loss(_x(L, 2, 0), L.zeros(2, dtype=L.long)),
    "nll_0d_input": lambda L: F(L).nll_loss(L.tensor(1.0), L.tensor(0)),
    "ce_0d_input_long_target": lambda L: F(L).cross_entropy(L.tensor(1.0), L.tensor(0)),
    "ce_0d_input_float_target": lambda L: F(L).cross_entropy(L.tensor(1.0), L.tensor(0.0)),
    "nll_integer_input": lambda L: F(L).nll_loss(L.zeros(2, 3, dtype=L.long), L.zeros(2, dtype=L.long)),
    "ce_integer_input": lambda L: F(L).cross_entropy(L.zeros(2, 3, dtype=L.long), L.zeros(2, dtype=L.long)),
    "ce_integer_input_probabilities": lambda L: F(L).cross_entropy(L.zeros(2, 3, dtype=L.long), L.zeros(2, 3)),
    "nll_int32_target": lambda L: F(L).nll_loss(_x(L, 2, 3), L.zeros(2, dtype=L.int32)),
    "ce_int16_target": lambda L: F(L).cross_entropy(_x(L, 2, 3), L.zeros(2, dtype=L.int16)),
    "ce_bool_target": lambda L: F(L).cross_entropy(_x(L, 2, 3), L.tensor([True, False])),
    "nll_weight_wrong_size": lambda L: F(L).nll_loss(_x(L, 2, 3), L.zeros(2, dtype=L.long), weight=L.ones(4)),
    "nll_weight_long": lambda L: F(L).nll_loss(_x(L, 2, 3), L.zeros(2, dtype=L.long), weight=L.ones(3, dtype=L.long)),
    "ce_weight_double": lambda L: F(L).cross_entropy(_x(L, 2, 3), L.zeros(2, dtype=L.long),
                                                     weight=L.ones(3, dtype=L.float64)),
    "ce_half_input_float_weight": lambda L: F(L).cross_entropy(_x(L, 2, 3).half(), L.tensor([0, 1]), weight=L.ones(3)),
    "ce_probabilities_wrong_weight": lambda L: F(L).cross_entropy(_x(L, 2, 3), L.rand(2, 3), weight=L.ones(4)),
    "ce_probabilities_long": lambda L: F(L).cross_entropy(_x(L, 2, 3), L.zeros(2, 3, dtype=L.long)),
    "ce_probabilities_ignore_index": lambda L: F(L).cross_entropy(_x(L, 2, 3), L.rand(2, 3), ignore_index=1),
    "ce_list_target": lambda L: F(L).cross_entropy(_x(L, 2, 3), [0, 1]),
    "ce_list_input": lambda L: F(L).cross_entropy([[0.0, 1.0]], L.tensor([0])),
    "nll_float_ignore_index": lambda L: F(L).nll_loss(_x(L, 2, 3), L.tensor([0, 1]), ignore_index=1.5),
    "mse_integer": lambda L: F(L).mse_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    "mse_bool": lambda L: F(L).mse_loss(L.ones(3, dtype=L.bool), L.ones(3, dtype=L.bool)),
    "smooth_l1_integer": lambda L: F(L).smooth_l1_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    "huber_integer": lambda L: F(L).huber_loss(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    "bce_double_target": lambda L: F(L).binary_cross_entropy(L.full((3,), 0.5), L.full((3,), 0.5, dtype=L.float64)),
    "bce_long_target": lambda L: F(L).binary_cross_entropy(L.full((3,), 0.5), L.ones(3, dtype=L.long)),
    "bce_integer": lambda L: F(L).binary_cross_entropy(L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    "bce_logits_integer_input": lambda L: F(L).binary_cross_entropy_with_logits(
        L.ones(3, dtype=L.long), L.ones(3, dtype=L.long)),
    "bce_logits_long_target": lambda L: F(L).binary_cross_entropy_with_logits(L.zeros(3), L.ones(3, dtype=L.long)),
    "bce_logits_pos_weight_mismatch": lambda L: F(L).binary_cross_entropy_with_logits(
        L.zeros(2, 3), L.zeros(2, 3), pos_weight=L.ones(2)),
    "bce_logits_pos_weight_too_many_dims": lambda L: F(L).binary_cross_entropy_with_logits(
        L.zeros(3), L.zeros(3), pos_weight=L.ones(2, 1, 1)),
    "kl_div_integer_target": lambda L: F(L).kl_div(L.zeros(3), L.ones(3, dtype=L.long), reduction="sum"),
}


@pytest.mark.parametrize("case", sorted(LOSS_MISUSES))
def test_loss_misuse_raises_torchs_exception_type(case):
    theirs, ours = raises_like_torch(LOSS_MISUSES[case])
    assert type(ours).__module__ == "builtins"
    assert "numpy" not in str(ours) and "too many indices" not in str(ours)


@pytest.mark.parametrize("case, fragments", [
    ("nll_1d_input_2d_target", ["0D or 1D target tensor expected", "[3]", "[1, 1]"]),
    ("nll_1d_input_two_targets", ["For 1D input, 1D target must have size 1", "2"]),
    ("nll_2d_input_0d_target", ["batch_size (1)", "batch_size (0)", "0-d"]),
    ("nll_integer_input", ["'Long'", ".float()"]),
    ("ce_weight_double", ["expected scalar type Float but found Double"]),
    ("bce_double_target", ["Found dtype Double but expected Float"]),
    ("bce_logits_pos_weight_mismatch", ["[2]", "[2, 3]"]),
])
def test_loss_misuse_message_names_the_shapes_or_dtypes(case, fragments):
    _, ours = raises_like_torch(LOSS_MISUSES[case])
    for fragment in fragments:
        assert fragment in str(ours), f"{fragment!r} not in: {ours}"


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("target", [[0.5, 1.0, 2.0], [0, 1, 2]])
def test_cross_entropy_reports_the_batch_size_before_the_target_dtype(target, smoothing):
    """Issue 11: (4, 3) logits with 3 targets: the batch sizes are checked first, as in PyTorch."""
    def fn(L):
        dtype = L.int32 if isinstance(target[0], int) else None
        return F(L).cross_entropy(_x(L, 4, 3), L.tensor(target, dtype=dtype), label_smoothing=smoothing)
    theirs, ours = raises_like_torch(fn)
    assert isinstance(ours, ValueError)
    assert "batch_size (4)" in str(ours) and "batch_size (3)" in str(ours)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
def test_single_sample_input_takes_a_one_element_target(name, reduction):
    """A (C,) input with a (1,) target is one sample, as PyTorch treats it (result shape ()).

    PyTorch 2.13's backward then fails ("size mismatch (got input: [3], target: [1])"); tinynn
    gives the gradient of the same loss with a 0-d target, which is checked against PyTorch's.
    """
    x = np.array([0.3, -1.2, 2.0])
    ours_x = tinynn.tensor(x, requires_grad=True)
    ours = getattr(F(tinynn), name)(ours_x, tinynn.tensor([2]), reduction=reduction)
    theirs = getattr(F(torch), name)(torch.tensor(x), torch.tensor([2]), reduction=reduction)
    assert tuple(ours.shape) == tuple(theirs.shape) == ()
    assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    ours.sum().backward()
    their_x = torch.tensor(x, requires_grad=True)
    getattr(F(torch), name)(their_x, torch.tensor(2), reduction=reduction).sum().backward()
    assert_close(ours_x.grad, their_x.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target", ["indices", "probabilities"])
def test_negative_label_smoothing_is_no_smoothing_as_in_torch(target, reduction):
    """PyTorch checks only label_smoothing <= 1 and smooths only for a positive value."""
    x = np.linspace(-1.0, 2.0, 12).reshape(4, 3)
    results = []
    for lib in LIBS:
        logits = lib.tensor(x, requires_grad=True)
        y = (lib.tensor([0, 2, 1, 2]) if target == "indices"
             else lib.tensor(np.full((4, 3), 0.2) + np.eye(4, 3) * 0.4))
        loss = F(lib).cross_entropy(logits, y, label_smoothing=-0.3, reduction=reduction)
        loss.sum().backward()
        results.append((loss, logits.grad))
    assert_close(results[1][0], results[0][0], rtol=1e-12, atol=1e-12)
    assert_close(results[1][1], results[0][1], rtol=1e-12, atol=1e-12)


# -- 1b. indexing paths: PyTorch's types, and no silent wrap-around of negative indices ---------
def _setitem(L, key, value):
    x = L.arange(12.0).reshape(3, 4)
    x[key] = value
    return x


INDEXING_MISUSES = {
    "string_index": lambda L: L.arange(12.0).reshape(3, 4)["a"],
    "assign_string": lambda L: _setitem(L, 0, "a"),
    "assign_list": lambda L: _setitem(L, 0, [1.0, 2.0, 3.0, 4.0]),
    "assign_numpy_array": lambda L: _setitem(L, 0, np.ones(4)),
    "assign_tuple": lambda L: _setitem(L, 0, (1, 2, 3, 4)),
    "gather_negative_index": lambda L: L.arange(12.0).reshape(3, 4).gather(1, L.tensor([[-1], [0], [0]])),
    "gather_index_too_large": lambda L: L.arange(12.0).reshape(3, 4).gather(1, L.tensor([[9], [0], [0]])),
    "gather_index_taller_than_input": lambda L: L.arange(12.0).reshape(3, 4).gather(1, L.zeros(4, 1, dtype=L.long)),
    "scatter_negative_index": lambda L: L.zeros(3, 4).scatter(1, L.tensor([[-1]]), 1.0),
    "scatter_index_larger_than_src": lambda L: L.zeros(3, 4).scatter(1, L.tensor([[0, 1]]), L.ones(1, 1)),
    "scatter_add_negative_index": lambda L: L.zeros(3, 4).scatter_add(1, L.tensor([[-1]]), L.ones(1, 1)),
    "scatter_add_index_too_large": lambda L: L.zeros(3, 4).scatter_add(1, L.tensor([[9]]), L.ones(1, 1)),
    "scatter_add_index_larger_than_src": lambda L: L.zeros(3, 4).scatter_add(1, L.tensor([[0, 1]]), L.ones(1, 1)),
    "index_select_negative_index": lambda L: L.zeros(3, 4).index_select(0, L.tensor([-1])),
    "index_add_negative_index": lambda L: L.zeros(3, 4).index_add(0, L.tensor([-1]), L.ones(1, 4)),
    "mean_repeated_dim": lambda L: L.zeros(3, 4).mean((0, 0)),
    "sum_repeated_negative_dim": lambda L: L.zeros(3, 4).sum((1, -1)),
    "repeat_negative": lambda L: L.zeros(3, 4).repeat(-1, 2),
    "tile_negative": lambda L: L.zeros(3, 4).tile(-1),
    "clamp_bound_does_not_broadcast": lambda L: L.zeros(3, 4).clamp(min=L.ones(5)),
}


@pytest.mark.parametrize("case", sorted(INDEXING_MISUSES))
def test_indexing_misuse_raises_torchs_exception_type(case):
    _, ours = raises_like_torch(INDEXING_MISUSES[case])
    assert "numpy" not in str(ours) or "numpy.ndarray" in str(ours)


@pytest.mark.parametrize("value", [2.0, 3, True, np.float64(4.0), "zero_dim_tensor"])
def test_assigning_a_number_or_tensor_still_works(value):
    results = []
    for lib in LIBS:
        results.append(_setitem(lib, 1, lib.tensor(5.0) if value == "zero_dim_tensor" else value))
    assert_close(results[1], results[0])


def test_index_fill_counts_negative_indices_from_the_end_as_in_torch():
    ours = tinynn.zeros(3, 4).index_fill(0, tinynn.tensor([-1]), 1.0)
    theirs = torch.zeros(3, 4).index_fill(0, torch.tensor([-1]), 1.0)
    assert_close(ours, theirs)


# -- 2. axis= and keepdims=, as PyTorch's reductions take them ----------------------------------
AXIS_NAMES = ["sum", "mean", "std", "var", "all", "any", "amax", "amin", "max", "min", "prod",
              "argmax", "argmin", "logsumexp", "median", "cumsum", "cumprod", "cummax", "cummin",
              "count_nonzero", "softmax", "log_softmax"]
HAS_KEEPDIM = {"sum", "mean", "std", "var", "all", "any", "amax", "amin", "max", "min", "prod",
               "argmax", "argmin", "logsumexp", "median"}


def _reduce(lib, name, form, kwargs):
    x = lib.tensor(np.arange(12.0).reshape(3, 4) % 5, dtype=lib.float64)
    if name in ("all", "any"):
        x = x > 2
    out = getattr(x, name)(**kwargs) if form == "method" else getattr(lib, name)(x, **kwargs)
    return out[0] if isinstance(out, tuple) else out


AXIS_CALLS = [(name, kwargs) for name in AXIS_NAMES
              for kwargs in ({"axis": 1}, {"axis": -1, "keepdims": True}, {"axis": 0, "keepdims": False})
              if name in HAS_KEEPDIM or "keepdims" not in kwargs]


@pytest.mark.parametrize("form", ["method", "function"])
@pytest.mark.parametrize("name, kwargs", AXIS_CALLS,
                         ids=[f"{n}-{'-'.join(map(str, k.items()))}" for n, k in AXIS_CALLS])
def test_reduction_accepts_axis_and_keepdims_like_torch(name, kwargs, form):
    ours, theirs = _reduce(tinynn, name, form, kwargs), _reduce(torch, name, form, kwargs)
    dim_kwargs = {{"axis": "dim", "keepdims": "keepdim"}[k]: v for k, v in kwargs.items()}
    assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    assert_close(ours, _reduce(tinynn, name, form, dim_kwargs), rtol=0, atol=0)


TWICE_OR_MISSING = ([(name, "dim_and_axis", {"dim": 1, "axis": 1}) for name in ("sum", "amax", "cumsum", "softmax")]
                    + [(name, "keepdim_and_keepdims", {"axis": 1, "keepdim": True, "keepdims": True})
                       for name in ("sum", "amax", "logsumexp")]
                    + [(name, "required_dim_missing", {}) for name in ("cumsum", "softmax", "logsumexp")])


@pytest.mark.parametrize("name, what, kwargs", TWICE_OR_MISSING, ids=[f"{n}-{w}" for n, w, _ in TWICE_OR_MISSING])
def test_reduction_dim_given_twice_or_missing_raises_type_error(name, what, kwargs):
    _, ours = raises_like_torch(lambda L: _reduce(L, name, "method", kwargs))
    assert isinstance(ours, TypeError)


def test_norm_takes_no_axis_as_in_torch():
    raises_like_torch(lambda L: L.ones(3, 4).norm(axis=1))


# -- 3. diagonal and unfold: views ------------------------------------------------------------
VIEW_CASES = {
    "diagonal": lambda L, x: x.diagonal(),
    "diagonal_above": lambda L, x: x.diagonal(1),
    "diagonal_below": lambda L, x: x.diagonal(-1),
    "diagonal_last_two_dims": lambda L, x: x.diagonal(0, 1, 2),
    "diagonal_negative_dims": lambda L, x: x.diagonal(1, -1, 0),
    "diagonal_keywords": lambda L, x: x.diagonal(dim1=1, dim2=2, offset=-2),
    "diagonal_function": lambda L, x: L.diagonal(x, offset=1, dim1=0, dim2=2),
    "diagonal_past_the_edge": lambda L, x: x.diagonal(5),
    "diagonal_of_transposed": lambda L, x: x.transpose(0, 2).diagonal(),
    "diagonal_of_slice": lambda L, x: x[:, 1:].diagonal(1, 1, 2),
    "unfold_overlapping": lambda L, x: x.unfold(2, 2, 1),
    "unfold_adjacent": lambda L, x: x.unfold(2, 2, 2),
    "unfold_with_gaps": lambda L, x: x.unfold(2, 3, 2),
    "unfold_first_dim": lambda L, x: x.unfold(0, 2, 1),
    "unfold_whole_dim": lambda L, x: x.unfold(-1, 4, 1),
    "unfold_empty_windows": lambda L, x: x.unfold(2, 0, 1),
    "unfold_keywords": lambda L, x: x.unfold(dimension=1, size=2, step=1),
    "unfold_of_transposed": lambda L, x: x.transpose(0, 2).unfold(1, 2, 1),
    "unfold_twice": lambda L, x: x.unfold(2, 2, 1).unfold(1, 2, 1),
    "diagonal_of_unfold": lambda L, x: x.unfold(2, 3, 1).diagonal(0, 2, 3),
    "unfold_of_diagonal": lambda L, x: x.diagonal(0, 1, 2).unfold(1, 2, 1),
}


def _view_facts(lib, case):
    x = lib.arange(24.0, dtype=lib.float64).reshape(2, 3, 4).requires_grad_()
    view = VIEW_CASES[case](lib, x)
    weights = lib.arange(float(view.numel()), dtype=lib.float64).reshape(view.shape) + 1
    # a loss quadratic in the view, so that the gradient depends on x and has a gradient
    # itself (through the backward's backward)
    grad, = lib.autograd.grad((view * view * weights).sum(), x, create_graph=True)
    grad2 = lib.autograd.grad((grad * grad).sum(), x)[0] if view.numel() else None
    return dict(values=view.detach().numpy(), shape=tuple(view.shape), contiguous=view.is_contiguous(),
                stride=view.stride() if view.numel() else None,
                offset=view.storage_offset() if view.numel() else None,
                grad=grad.detach().numpy(), grad2=None if grad2 is None else grad2.numpy())


@pytest.mark.parametrize("case", sorted(VIEW_CASES))
def test_diagonal_and_unfold_match_torch(case):
    """Values, shape, strides, storage offset, contiguity, first and second-order gradients."""
    ours, theirs = _view_facts(tinynn, case), _view_facts(torch, case)
    for key in ("shape", "contiguous", "stride", "offset"):
        assert ours[key] == theirs[key], f"{key}: {ours[key]} != {theirs[key]}"
    for key in ("values", "grad"):
        assert_close(ours[key], theirs[key], rtol=0, atol=0, name=key)
    assert (ours["grad2"] is None) == (theirs["grad2"] is None)
    if theirs["grad2"] is not None:
        assert_close(ours["grad2"], theirs["grad2"], rtol=0, atol=0, name="grad2")


@pytest.mark.parametrize("write", ["diagonal_fill", "unfold_setitem"])
def test_diagonal_and_unfold_are_views_that_write_through(write):
    results = []
    for lib in LIBS:
        x = lib.arange(24.0).reshape(2, 3, 4)
        if write == "diagonal_fill":
            x.diagonal(1, 1, 2).fill_(-1.0)
        else:
            x.unfold(2, 2, 2)[0, 0, 1, 1] = 99.0
        results.append(x.numpy().copy())
    np.testing.assert_array_equal(results[1], results[0])


VIEW_MISUSES = {
    "diagonal_same_dims": lambda L: L.ones(2, 3).diagonal(0, 1, 1),
    "diagonal_dim_out_of_range": lambda L: L.ones(2, 3, 4).diagonal(0, 0, 3),
    "diagonal_of_vector": lambda L: L.ones(3).diagonal(),
    "diagonal_of_scalar": lambda L: L.tensor(1.0).diagonal(),
    "diagonal_float_offset": lambda L: L.ones(3, 3).diagonal(0.5),
    "unfold_window_too_large": lambda L: L.ones(2, 4).unfold(1, 5, 1),
    "unfold_negative_size": lambda L: L.ones(2, 4).unfold(1, -1, 1),
    "unfold_zero_step": lambda L: L.ones(2, 4).unfold(1, 2, 0),
    "unfold_negative_step": lambda L: L.ones(2, 4).unfold(1, 2, -1),
    "unfold_dim_out_of_range": lambda L: L.ones(2, 4).unfold(2, 2, 1),
    "unfold_scalar_dim_1": lambda L: L.tensor(5.0).unfold(1, 1, 1),
    "unfold_scalar_window_2": lambda L: L.tensor(5.0).unfold(0, 2, 1),
    "unfold_float_size": lambda L: L.ones(2, 4).unfold(1, 2.0, 1),
}


@pytest.mark.parametrize("case", sorted(VIEW_MISUSES))
def test_diagonal_and_unfold_misuse_raises_like_torch(case):
    raises_like_torch(VIEW_MISUSES[case])


@pytest.mark.parametrize("size", [0, 1])
def test_unfold_of_a_scalar_is_its_only_window(size):
    ours, theirs = tinynn.tensor(5.0).unfold(0, size, 1), torch.tensor(5.0).unfold(0, size, 1)
    assert_close(ours, theirs)


# -- 4. 0 ** y: the gradient with respect to y ------------------------------------------------
EXPONENTS = [-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, math.inf, -math.inf]


@pytest.mark.parametrize("base", [0.0, -0.0, 2.0, 0.5, 1.0])
@pytest.mark.parametrize("form", ["number_base", "tensor_base"])
def test_pow_gradient_wrt_exponent_matches_torch(form, base):
    """0 ** y for y < 0 is inf, and d/dy = 0^y log 0 = inf * -inf = -inf (not nan), as in PyTorch."""
    grads = []
    for lib in LIBS:
        y = lib.tensor(EXPONENTS, dtype=lib.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            z = base ** y if form == "number_base" else lib.full((len(EXPONENTS),), base, dtype=lib.float64) ** y
            grad, = lib.autograd.grad(z.sum(), y)
        grads.append(grad)
    assert_close(grads[1], grads[0], rtol=1e-12, atol=1e-12)
    if base == 0.0:
        assert np.all(grads[1].numpy()[np.array(EXPONENTS) < 0] == -math.inf) or math.copysign(1, base) < 0


def test_pow_gradient_of_zero_base_keeps_the_exponents_dtype():
    y = tinynn.tensor([-1.0, 2.0], dtype=tinynn.float16, requires_grad=True)
    grad, = tinynn.autograd.grad((0.0 ** y).sum(), y)
    assert grad.dtype is tinynn.float16
    assert grad.tolist() == [-math.inf, 0.0]


# -- 5. no numpy warnings where PyTorch is silent ---------------------------------------------
SPECIALS = [0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e38, -1e38, 2.0, 0.5, -2.5]
INF = math.inf

QUIET_CALLS = {
    # 0 * inf in backward formulas, inf - inf in sums, overflow in products
    "mul_specials": lambda L, x: x.reshape(-1, 1) * x.reshape(1, -1),
    "add_specials": lambda L, x: x.reshape(-1, 1) + x.reshape(1, -1),
    "div_specials": lambda L, x: x.reshape(-1, 1) / x.reshape(1, -1),
    "pow_specials": lambda L, x: x.abs().reshape(-1, 1) ** x.reshape(1, -1),
    "sum_of_infinities": lambda L, x: x.sum(),
    "mean_of_infinities": lambda L, x: x.mean(),
    "prod_with_zero_and_inf": lambda L, x: x.prod(),
    "cumsum_of_infinities": lambda L, x: x.cumsum(0),
    "broadcast_backward": lambda L, x: x.reshape(-1, 1).expand(12, 3) * L.tensor([1.0, -1.0, INF]),
    "max_with_nan": lambda L, x: x.max(),
    "amax_with_nan": lambda L, x: x.amax(),
    "sin_of_inf": lambda L, x: x.sin(),
    "cos_of_inf": lambda L, x: x.cos(),
    "tan_of_inf": lambda L, x: x.tan(),
    "std_of_specials": lambda L, x: x.std(),
    "norm_overflow": lambda L, x: x.norm(),
    "logsumexp_with_inf": lambda L, x: x.logsumexp(0),
    "softmax_row_of_minus_inf": lambda L, x: (x.reshape(3, 4) * 0 + L.tensor([[-INF] * 4, [0.0, 1, 2, 3],
                                                                                [-INF, 0, 1, 2]])).softmax(1),
    "log_softmax_row_of_minus_inf": lambda L, x: (x.reshape(3, 4) * 0 + L.tensor([[-INF] * 4, [0.0, 1, 2, 3],
                                                                                    [-INF, 0, 1, 2]])).log_softmax(1),
    "softmax_with_plus_inf": lambda L, x: L.tensor([[INF, 1.0], [INF, INF]], requires_grad=True).softmax(-1),
    "cross_entropy_inf_logit": lambda L, x: F(L).cross_entropy(
        L.tensor([[INF, 0.0], [1.0, 2.0]], requires_grad=True), L.tensor([1, 0])),
    "bce_logits_specials": lambda L, x: F(L).binary_cross_entropy_with_logits(x, (x > 0).to(x.dtype)),
    "huber_of_inf": lambda L, x: F(L).huber_loss(x, x.flip(0)),
    "smooth_l1_of_inf": lambda L, x: F(L).smooth_l1_loss(x, x.flip(0)),
    "batch_norm_of_inf": lambda L, x: F(L).batch_norm(x.reshape(4, 3), None, None, training=True),
    "cast_overflow_to_half": lambda L, x: (x * 1e10).to(L.float16),
    "log_of_zero": lambda L, x: L.zeros(3, requires_grad=True).log(),
    "sqrt_of_zero": lambda L, x: L.zeros(3, requires_grad=True).sqrt(),
    "zero_to_negative_power": lambda L, x: 0.0 ** L.tensor([-1.0, 0.0, 2.0], requires_grad=True),
    "matmul_inf_times_zero": lambda L, x: L.tensor([[INF, 1.0], [0.0, 2.0]], dtype=x.dtype) @ x[[0, 2]].reshape(2, 1),
    "einsum_inf_times_zero": lambda L, x: L.einsum("ij,jk->ik", L.tensor([[INF, 1.0], [0.0, 2.0]], dtype=x.dtype),
                                                   x[[0, 2]].reshape(2, 1)),
    "conv2d_of_inf": lambda L, x: F(L).conv2d(
        x[[4, 2, 0, 3, 5, 2, 0, 2, 10]].reshape(1, 1, 3, 3), L.ones(1, 1, 2, 2, dtype=x.dtype)),
}


def _run_quietly(lib, case, dtype):
    x = lib.tensor(SPECIALS, dtype=getattr(lib, dtype), requires_grad=True)
    out = QUIET_CALLS[case](lib, x)
    leaves = [t for t in (x,) if t.requires_grad]
    grad = None
    if out.requires_grad:
        grad = lib.autograd.grad(out.float().sum() if out.dtype == lib.float16 else out.sum(), leaves,
                                 allow_unused=True)[0]
    return out, grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", sorted(QUIET_CALLS))
def test_no_numpy_warning_where_torch_is_silent(case, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theirs, their_grad = _run_quietly(torch, case, dtype)   # the case is silent in PyTorch
        ours, our_grad = _run_quietly(tinynn, case, dtype)      # and must be in tinynn
    # silencing is only right where the inf/nan is the correct answer: the values agree
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=1e-5, atol=1e-6)
    if ours.dtype == tinynn.float16:
        tol = dict(rtol=1e-3, atol=0.0)
    assert_close(ours, theirs, **tol)
    if their_grad is not None:
        assert_close(our_grad, their_grad, **tol, name="gradient")


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta"])
def test_optimizer_step_with_inf_and_nan_gradients_is_silent_and_matches_torch(name):
    params = []
    for lib in LIBS:
        p = lib.nn.Parameter(lib.tensor([1.0, 0.0, -1.0]))
        optimizer = getattr(lib.optim, name)([p], lr=0.1)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for grad in ([INF, 0.0, math.nan], [0.0, 0.0, 0.0], [1e30, -1e30, 1.0]):
                p.grad = lib.tensor(grad)
                optimizer.step()
        params.append(p.detach())
    assert_close(params[1], params[0])


@pytest.mark.parametrize("shape, dim", [((2, 0), 1), ((0, 3), 1), ((2, 0), 0)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_empty_tensors_is_empty_and_silent(name, shape, dim):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = getattr(tinynn.zeros(*shape), name)(dim)
    assert tuple(ours.shape) == tuple(getattr(torch.zeros(*shape), name)(dim).shape)


QUIET_CASTS = {
    "tensor_float16_overflow": lambda L: L.tensor([1e10, 1.0], dtype=L.float16),
    "tensor_from_numpy_to_float16": lambda L: L.tensor(np.array([1e10, 1.0]), dtype=L.float16),
    "tensor_float32_overflow": lambda L: L.tensor([1e300], dtype=L.float32),
    "arange_float16_beyond_range": lambda L: L.arange(0, 1e5, 1e4, dtype=L.float16),
    "half_of_large_values": lambda L: L.tensor([1e10, 2.0]).half(),
    "in_place_add_overflow": lambda L: L.ones(2, dtype=L.float16).add_(1e10),
    "in_place_mul_inf_by_zero": lambda L: L.tensor([math.inf, 1.0]).mul_(0.0),
    "uint8_times_300_wraps": lambda L: L.ones(2, dtype=L.uint8) * 300,
    "int8_plus_200_wraps": lambda L: L.ones(2, dtype=L.int8) + 200,
}


@pytest.mark.parametrize("case", sorted(QUIET_CASTS))
def test_casts_and_scalars_are_silent_and_match_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        theirs, ours = QUIET_CASTS[case](torch), QUIET_CASTS[case](tinynn)
    assert_close(ours, theirs)


CAST_MISUSES = {
    "int_out_of_range": lambda L: L.tensor([300], dtype=L.uint8),
    "nan_to_int": lambda L: L.tensor([math.nan], dtype=L.int64),
    "inf_to_int": lambda L: L.tensor([math.inf], dtype=L.int32),
    "full_float16_overflow": lambda L: L.full((2,), 1e10, dtype=L.float16),
    "full_uint8_overflow": lambda L: L.full((2,), 300, dtype=L.uint8),
    "full_nan_int": lambda L: L.full((2,), math.nan, dtype=L.int64),
    "full_like_float16_overflow": lambda L: L.full_like(L.ones(2, dtype=L.float16), 1e10),
    "fill_float16_overflow": lambda L: L.ones(2, dtype=L.float16).fill_(1e10),
    "fill_uint8_overflow": lambda L: L.ones(2, dtype=L.uint8).fill_(300),
}


@pytest.mark.parametrize("case", sorted(CAST_MISUSES))
def test_value_that_does_not_fit_the_dtype_raises_like_torch(case):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, ours = raises_like_torch(CAST_MISUSES[case])
    assert "without overflow" in str(ours)


@pytest.mark.parametrize("name", ["max", "amax", "min", "amin"])
def test_extreme_gradient_at_a_nan_matches_torch(name):
    """max() gives the gradient to the nan; amax divides by zero tied maxima (nan), in both."""
    grads = []
    for lib in LIBS:
        x = lib.tensor([1.0, math.nan, 3.0, -2.0], dtype=lib.float64, requires_grad=True)
        getattr(x, name)().backward()
        grads.append(x.grad)
    assert_close(grads[1], grads[0], rtol=0, atol=0)


def test_integer_floor_division_by_zero_raises_like_torch():
    raises_like_torch(lambda L: L.tensor([1, 2]) // 0)


# -- 6. index tensors: int8/int16 rejected, uint8 a deprecated mask ----------------------------
def _index(lib, dtype, where="rows"):
    x = lib.arange(12.0).reshape(3, 4)
    if where == "rows":
        return x[lib.tensor([1, 0, 1], dtype=getattr(lib, dtype))]
    if where == "columns":
        return x[:, lib.tensor([1, 0, 1, 1], dtype=getattr(lib, dtype))]
    y = x.clone()
    y[lib.tensor([1, 2], dtype=getattr(lib, dtype))] = lib.full((2, 4), -1.0)
    return y


@pytest.mark.parametrize("where", ["rows", "columns", "setitem"])
@pytest.mark.parametrize("dtype", ["int8", "int16"])
def test_int8_and_int16_index_tensors_raise_index_error(dtype, where):
    _, ours = raises_like_torch(lambda L: _index(L, dtype, where))
    assert isinstance(ours, IndexError)
    assert "tensors used as indices must be long, int, byte or bool tensors" in str(ours)
    assert dtype in str(ours)


@pytest.mark.parametrize("dtype", ["int8", "int16", "int32", "int64", "uint8"])
def test_zero_dim_integer_index_matches_torch(dtype):
    """A 0-d index of any integer dtype is a position; a 0-d uint8 one a mask, as in PyTorch."""
    x = np.arange(12.0).reshape(3, 4)
    for value in (0, 1):
        theirs = torch.tensor(x)[torch.tensor(value, dtype=getattr(torch, dtype))]
        ours = tinynn.tensor(x)[tinynn.tensor(value, dtype=getattr(tinynn, dtype))]
        assert_close(ours, theirs)


@pytest.mark.parametrize("where", ["rows", "columns", "setitem", "numpy_array", "matrix_mask"])
def test_uint8_index_is_a_deprecated_mask(where):
    results = []
    for lib in LIBS:
        with pytest.warns(UserWarning, match=f"indexing with dtype {lib.__name__}.uint8 is now deprecated"):
            if where == "numpy_array":
                out = lib.arange(12.0).reshape(3, 4)[np.array([1, 0, 2], dtype=np.uint8)]
            elif where == "matrix_mask":
                mask = lib.tensor([[1, 0, 1, 1], [0, 0, 0, 0], [1, 1, 1, 1]], dtype=lib.uint8)
                out = lib.arange(12.0).reshape(3, 4)[mask]
            else:
                out = _index(lib, "uint8", where) if where != "setitem" else None
                if where == "setitem":
                    out = lib.arange(12.0).reshape(3, 4)
                    out[lib.tensor([1, 0, 1], dtype=lib.uint8)] = lib.full((2, 4), -1.0)
        results.append(out)
    assert_close(results[1], results[0])


@pytest.mark.parametrize("value", ["number", "scalar_tensor"])
def test_uint8_mask_fill_with_a_number_raises_like_torch(value):
    def fill(L):
        x = L.arange(12.0).reshape(3, 4)
        x[L.tensor([1, 0, 1], dtype=L.uint8)] = -1.0 if value == "number" else L.tensor(-1.0)
    _, ours = raises_like_torch(fill)
    assert "bool" in str(ours)


def test_uint8_mask_gradient_matches_torch():
    grads = []
    for lib in LIBS:
        x = lib.arange(12.0).reshape(3, 4).requires_grad_()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (x[lib.tensor([1, 0, 1], dtype=lib.uint8)] * 2).sum().backward()
        grads.append(x.grad)
    assert_close(grads[1], grads[0])


# -- 7. what cross_entropy's docstring says ---------------------------------------------------
def _cross_entropy_after(lib, before):
    logits = lib.tensor(np.linspace(-2.0, 3.0, 12).reshape(4, 3), dtype=lib.float64, requires_grad=True)
    inputs = {"logits": logits, "softmax": logits.softmax(1), "log_softmax": logits.log_softmax(1)}[before]
    loss = F(lib).cross_entropy(inputs, lib.tensor([0, 2, 1, 2]))
    grad, = lib.autograd.grad(loss, logits)
    return loss, grad


@pytest.mark.parametrize("before", ["logits", "softmax", "log_softmax"])
def test_cross_entropy_after_softmax_or_log_softmax_matches_torch(before):
    (ours, our_grad), (theirs, their_grad) = _cross_entropy_after(tinynn, before), _cross_entropy_after(torch, before)
    assert_close(ours, theirs, rtol=1e-12, atol=1e-12)
    assert_close(our_grad, their_grad, rtol=1e-12, atol=1e-12)


def test_log_softmax_before_cross_entropy_is_harmless_and_softmax_is_the_mistake():
    """The docstring's claim: log_softmax is idempotent (same loss and gradients); softmax
    first changes both."""
    loss, grad = _cross_entropy_after(tinynn, "logits")
    loss_log, grad_log = _cross_entropy_after(tinynn, "log_softmax")
    loss_soft, grad_soft = _cross_entropy_after(tinynn, "softmax")
    assert_close(loss_log, loss, rtol=1e-12, atol=1e-12)
    assert_close(grad_log, grad, rtol=1e-12, atol=1e-12)
    # softmax squeezes the inputs into [0, 1]: the loss is a different number (far beyond
    # float64 rounding) and the gradients shrink (here to under a third)
    assert abs(loss_soft.item() - loss.item()) > 1e-3
    assert float(grad_soft.abs().max()) < float(grad.abs().max()) / 3
    doc = tinynn.nn.functional.cross_entropy.__doc__
    assert "softmax first is the mistake" in doc and "redundant but harmless" in doc


@pytest.mark.parametrize("target", ["int64", "uint8", "probabilities", "int32", "float_indices"])
def test_cross_entropy_target_kinds_as_documented(target):
    def call(L):
        logits = L.tensor(np.linspace(-1.0, 1.0, 12).reshape(4, 3))
        targets = {"int64": lambda: L.tensor([0, 2, 1, 2]), "uint8": lambda: L.tensor([0, 2, 1, 2], dtype=L.uint8),
                   "probabilities": lambda: L.tensor(np.full((4, 3), 1 / 3), dtype=L.float32),
                   "int32": lambda: L.tensor([0, 2, 1, 2], dtype=L.int32),
                   "float_indices": lambda: L.tensor([0.0, 2.0, 1.0, 2.0])}[target]()
        return F(L).cross_entropy(logits, targets)
    if target in ("int32", "float_indices"):
        _, ours = raises_like_torch(call)
        assert "expected target dtype to be Long or Byte" in str(ours)
    else:
        assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_of_huge_gradients_is_inf_without_a_numpy_warning(norm_type):
    grads = []
    for lib in (torch, tinynn):
        parameter = lib.nn.Parameter(lib.ones(4))
        parameter.grad = lib.full((4,), 1e38)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            total = lib.nn.utils.clip_grad_norm_([parameter], 1.0, norm_type=norm_type)
        grads.append((float(total), parameter.grad.tolist()))
    assert grads[1] == grads[0]
