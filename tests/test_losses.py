"""Losses against ``torch.nn`` / ``torch.nn.functional``: values and gradients for every
reduction, weights, ignore_index, label smoothing, probability targets, extreme logits
(1e4: finite, no nan), and the errors PyTorch raises.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]
REDUCTIONS = ["mean", "sum", "none"]


def const(lib, like, array: np.ndarray):
    """A constant (no grad) with ``like``'s dtype and device: a class weight, a pos_weight."""
    return lib.tensor(array, dtype=like.dtype, device=like.device)


def labels(*shape: int, classes: int, seed: int = 3) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, classes, shape).astype(np.int64)


# -- regression ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_regression_loss_matches_torch(name, reduction, dtype, device):
    target = randn(4, 3, seed=1)
    x = randn(4, 3)
    x[0, 0] = target[0, 0]  # |x - y| at its kink: gradient 0 in both
    compare_with_torch(lambda lib, x, y: getattr(lib.nn.functional, name)(x, y, reduction=reduction),
                       x, target, dtype=dtype, device=device)


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss"])
def test_regression_loss_module_matches_torch(name, device):
    compare_with_torch(lambda lib, x, y: getattr(lib.nn, name)(reduction="sum")(x, y),
                       randn(5), randn(5, seed=1), dtype="float64", device=device)


def test_mse_loss_broadcast_warns_like_torch_and_gives_the_same_value():
    x, y = randn(3, 1), randn(3, seed=1)
    with pytest.warns(UserWarning, match="different to the input size"):
        ours = tinynn.nn.functional.mse_loss(tinynn.tensor(x), tinynn.tensor(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.functional.mse_loss(torch.tensor(x), torch.tensor(y))
    assert_close(ours, theirs)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss"])
@pytest.mark.parametrize("target_shape", [(3,), (0,)])
def test_regression_loss_of_a_0d_input_takes_the_dtype_of_the_broadcast_pair(name, target_shape):
    """PyTorch broadcasts input and target first: a 0-d float64 input then promotes with a
    float32 (3,) target as a dimensioned tensor would, to float64 (not float32)."""
    def fn(lib, x, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the size warning (checked above)
            return getattr(lib.nn.functional, name)(x, y.float(), reduction="none")

    compare_with_torch(fn, np.array(0.5), randn(*target_shape, seed=1), dtype="float64")  # checks dtypes


def test_unknown_reduction_raises_like_torch():
    for make in (lambda lib: lib.nn.functional.mse_loss(lib.zeros(2), lib.zeros(2), reduction="avg"),
                 lambda lib: lib.nn.MSELoss(reduction="avg")(lib.zeros(2), lib.zeros(2))):
        with pytest.raises(ValueError) as ours:
            make(tinynn)
        with pytest.raises(ValueError) as theirs:
            make(torch)
        assert str(ours.value) == str(theirs.value)


def test_legacy_size_average_and_reduce_map_to_reduction():
    x, y = randn(4), randn(4, seed=1)
    for kwargs in ({"size_average": False}, {"reduce": False}, {"size_average": True, "reduce": True}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = tinynn.nn.MSELoss(**kwargs)
            theirs = torch.nn.MSELoss(**kwargs)
        assert ours.reduction == theirs.reduction
        assert_close(ours(tinynn.tensor(x), tinynn.tensor(y)), theirs(torch.tensor(x), torch.tensor(y)))


# -- binary cross entropy ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy_matches_torch(reduction, weighted, dtype, device):
    probs = np.random.default_rng(0).uniform(0.05, 0.95, (4, 3))
    target = np.random.default_rng(1).uniform(0, 1, (4, 3))
    w = np.random.default_rng(2).uniform(0.5, 2, 3)

    def fn(lib, p, y):
        weight = const(lib, p, w) if weighted else None
        return lib.nn.functional.binary_cross_entropy(p, y, weight=weight, reduction=reduction)

    compare_with_torch(fn, probs, target, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_cross_entropy_clamps_log_at_minus_100_like_torch(dtype, device):
    """A probability of exactly 0 or 1 on the wrong side costs 100, not inf; the gradient stays finite."""
    probs = np.array([0.0, 1.0, 0.0, 1.0, 1e-30, 0.5])
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    result = compare_with_torch(lambda lib, p, y: lib.nn.functional.binary_cross_entropy(p, y, reduction="none"),
                                probs, target, dtype=dtype, device=device)
    assert result.max_abs_diff["output"] == 0.0 or dtype == "float32"
    out = tinynn.nn.functional.binary_cross_entropy(tinynn.tensor(probs), tinynn.tensor(target), reduction="none")
    assert out.tolist()[:2] == [100.0, 100.0]


def test_bce_module_with_weight_buffer_matches_torch():
    w = np.array([1.0, 2.0, 0.5])
    ours, theirs = tinynn.nn.BCELoss(weight=tinynn.tensor(w)), torch.nn.BCELoss(weight=torch.tensor(w))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    p, y = np.array([[0.2, 0.7, 0.9]]), np.array([[0.0, 1.0, 1.0]])
    assert_close(ours(tinynn.tensor(p), tinynn.tensor(y)), theirs(torch.tensor(p), torch.tensor(y)))


@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.rand(3, 1), lib.rand(3)),
    lambda lib: lib.nn.functional.binary_cross_entropy(lib.rand(3) + 1, lib.rand(3)),
    lambda lib: lib.nn.functional.binary_cross_entropy_with_logits(lib.rand(3, 1), lib.rand(3)),
], ids=["shape_mismatch", "probability_out_of_range", "logits_shape_mismatch"])
def test_binary_cross_entropy_errors_match_torch(make):
    with pytest.raises(Exception) as ours:
        make(tinynn)
    with pytest.raises(Exception) as theirs:
        make(torch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value).replace("torch.", "tinynn.")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits_matches_torch(options, reduction, dtype, device):
    logits = randn(4, 3) * 4
    logits[0, 0] = 0.0  # the kink of |x| in the stable formula: the gradient must still be sigmoid(0) - y
    target = np.random.default_rng(1).uniform(0, 1, (4, 3))
    w, pw = np.random.default_rng(2).uniform(0.5, 2, 3), np.array([0.5, 2.0, 3.0])

    def fn(lib, x, y):
        weight = const(lib, x, w) if options in ("weight", "both") else None
        pos_weight = const(lib, x, pw) if options in ("pos_weight", "both") else None
        return lib.nn.functional.binary_cross_entropy_with_logits(x, y, weight=weight, reduction=reduction,
                                                                  pos_weight=pos_weight)

    compare_with_torch(fn, logits, target, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_with_logits_is_finite_at_extreme_logits(dtype, device):
    logits = np.array([1e4, -1e4, 1e4, -1e4, 100.0, -100.0])
    target = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.5])
    compare_with_torch(lambda lib, x, y: lib.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none"),
                       logits, target, dtype=dtype, device=device)
    out = tinynn.nn.functional.binary_cross_entropy_with_logits(tinynn.tensor(logits), tinynn.tensor(target),
                                                                 reduction="none")
    assert np.isfinite(out.numpy()).all() and out.tolist()[2] == 1e4


def test_bce_with_logits_module_registers_buffers_like_torch():
    ours = tinynn.nn.BCEWithLogitsLoss(pos_weight=tinynn.ones(2))
    theirs = torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(2))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["pos_weight"]
    assert repr(ours) == repr(theirs) == "BCEWithLogitsLoss()"


# -- NLL and cross entropy with class indices ----------------------------------------------------
NLL_SHAPES = {"batch": ((5, 4), (5,)), "single": ((4,), ()), "spatial": ((2, 4, 3, 2), (2, 3, 2))}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", sorted(NLL_SHAPES))
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_matches_torch(shape, weighted, reduction, dtype, device):
    x_shape, t_shape = NLL_SHAPES[shape]
    target = labels(*t_shape, classes=4)
    w = np.array([0.5, 2.0, 1.0, 3.0])

    def fn(lib, x, t):
        weight = const(lib, x, w) if weighted else None
        return lib.nn.functional.nll_loss(x.log_softmax(1 if x.ndim > 1 else 0), t, weight=weight,
                                          reduction=reduction)

    compare_with_torch(fn, randn(*x_shape), target, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_ignore_index_matches_torch(weighted, reduction, dtype, device):
    target = np.array([1, -100, 3, 0, -100, 2])
    w = np.array([0.5, 2.0, 1.0, 3.0])

    def fn(lib, x, t):
        weight = const(lib, x, w) if weighted else None
        return lib.nn.functional.nll_loss(x, t, weight=weight, reduction=reduction)

    compare_with_torch(fn, randn(6, 4), target, dtype=dtype, device=device)


def test_nll_loss_with_every_target_ignored_is_nan_with_zero_gradient_like_torch():
    compare_with_torch(lambda lib, x, t: lib.nn.functional.nll_loss(x, t), randn(3, 4),
                       np.array([-100, -100, -100]), dtype="float64")
    loss = tinynn.nn.functional.nll_loss(tinynn.randn(3, 4), tinynn.tensor([-100, -100, -100]))
    assert np.isnan(loss.item())


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape, target", [((0,), 1), ((2, 0), [1, 1])], ids=["one_sample", "batch"])
def test_nll_loss_of_no_classes_with_every_target_ignored_is_torchs(shape, target, reduction):
    """An ignored target is never checked against the classes (there are none here): the
    loss is PyTorch's (nan for the mean of nothing, zeros otherwise), the gradient empty."""
    results = []
    for lib in (torch, tinynn):
        x = lib.zeros(shape, dtype=lib.float64, requires_grad=True)
        loss = lib.nn.functional.nll_loss(x, lib.tensor(target), ignore_index=1, reduction=reduction)
        loss.sum().backward()
        results.append((loss.detach().numpy(), x.grad.numpy()))
    (theirs, their_grad), (ours, our_grad) = results
    assert_close(ours, theirs)
    assert our_grad.shape == their_grad.shape == shape


NLL_WEIGHT_REQUIRING_GRAD = {  # name: (input, target, weight shape); PyTorch's order of checks
    "1d_target_of_size_2": (lambda lib: lib.zeros(1), lambda lib: lib.tensor([0, 0]), ()),
    "1d_target_2d": (lambda lib: lib.zeros(3), lambda lib: lib.zeros(1, 1, dtype=lib.int64), (3,)),
    "2d_batch_mismatch": (lambda lib: lib.zeros(2, 3), lambda lib: lib.tensor([0]), (3,)),
    "2d_target_2d": (lambda lib: lib.zeros(2, 3), lambda lib: lib.zeros(2, 1, dtype=lib.int64), (3,)),
    "2d_int32_target": (lambda lib: lib.zeros(2, 3), lambda lib: lib.zeros(2, dtype=lib.int32), (3,)),
    "2d_weight_of_the_wrong_shape": (lambda lib: lib.zeros(2, 3), lambda lib: lib.zeros(2, dtype=lib.int64), ()),
    "2d_integer_input": (lambda lib: lib.zeros(2, 3, dtype=lib.int64), lambda lib: lib.zeros(2, dtype=lib.int64),
                         (3,)),
    "3d": (lambda lib: lib.zeros(2, 3, 4), lambda lib: lib.zeros(2, 4, dtype=lib.int64), (3,)),
    "3d_size_mismatch": (lambda lib: lib.zeros(2, 3, 4), lambda lib: lib.zeros(2, 5, dtype=lib.int64), (3,)),
}


@pytest.mark.parametrize("case", sorted(NLL_WEIGHT_REQUIRING_GRAD))
def test_nll_loss_checks_a_weight_that_requires_grad_where_torch_does(case):
    """After nll_loss_nd's own checks (the batch size, the size for more than 2 dims) and
    before its kernel's (the target's shape and dtype, the weight's shape): PyTorch's
    autograd refuses the weight there, naming nll_loss2d_forward for more than 2 dims."""
    make_input, make_target, weight_shape = NLL_WEIGHT_REQUIRING_GRAD[case]
    ours, theirs = assert_same_error(lambda lib: F(lib).nll_loss(
        make_input(lib), make_target(lib), weight=lib.zeros(weight_shape, requires_grad=True)))
    if "not differentiable" in str(theirs):
        assert str(theirs).split(".")[0] in str(ours)


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_smooth_l1_loss_is_one_op_whose_second_derivatives_are_torchs(reduction):
    """smooth_l1_loss is PyTorch's kernel (SmoothL1LossBackward0), its backward one op too
    (SmoothL1LossBackwardBackward0), differentiable again in both input and target."""
    rng = np.random.default_rng(0)
    x0, y0 = rng.standard_normal((5, 4)) * 2, rng.standard_normal((5, 4))
    results = []
    for lib in (tinynn, torch):
        x, y = lib.tensor(x0, requires_grad=True), lib.tensor(y0, requires_grad=True)
        loss = F(lib).smooth_l1_loss(x, y, beta=0.7, reduction=reduction)
        gx, gy = lib.autograd.grad(loss.sum(), (x, y), create_graph=True)
        hx, hy = lib.autograd.grad((gx ** 2).sum() + (gy * x).sum(), (x, y))
        results.append(([loss.detach().numpy(), gx.detach().numpy(), hx.numpy(), hy.numpy()],
                        type(gx.grad_fn).__name__, type(loss.grad_fn).__name__))
    (ours, our_node, our_loss_node), (theirs, their_node, their_loss_node) = results
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert our_node == their_node == "SmoothL1LossBackwardBackward0"
    if reduction == "none":
        assert our_loss_node == their_loss_node == "SmoothL1LossBackward0"


def test_smooth_l1_loss_saves_its_inputs_like_torch():
    """Its kernel's backward reads input and target: changing either in place before
    backward raises PyTorch's error in both libraries."""
    def fn(lib):
        x, y = lib.tensor([0.5, 3.0], requires_grad=True) * 1, lib.tensor([0.0, 1.0], requires_grad=True) * 1
        loss = F(lib).smooth_l1_loss(x, y)
        y.add_(1)
        loss.backward()

    assert_same_error(fn)


def test_nll_loss_accepts_uint8_targets_like_torch():
    x = randn(3, 4)
    ours = tinynn.nn.functional.nll_loss(tinynn.tensor(x), tinynn.tensor(np.array([1, 2, 1], dtype=np.uint8)))
    theirs = torch.nn.functional.nll_loss(torch.tensor(x), torch.tensor([1, 2, 1]).byte())
    assert_close(ours, theirs)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", sorted(NLL_SHAPES))
def test_cross_entropy_with_class_indices_matches_torch(shape, reduction, dtype, device):
    x_shape, t_shape = NLL_SHAPES[shape]
    compare_with_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction=reduction),
                       randn(*x_shape) * 3, labels(*t_shape, classes=4), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
def test_cross_entropy_options_match_torch(smoothing, weighted, ignore, reduction, dtype, device):
    target = labels(6, classes=4)
    if ignore:
        target[[1, 4]] = 2  # ignore_index=2: those samples count for nothing
    w = np.array([0.5, 2.0, 1.0, 3.0])

    def fn(lib, x, t):
        return lib.nn.functional.cross_entropy(x, t, weight=const(lib, x, w) if weighted else None,
                                               ignore_index=2 if ignore else -100, reduction=reduction,
                                               label_smoothing=smoothing)

    compare_with_torch(fn, randn(6, 4) * 2, target, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_label_smoothing_on_spatial_input_matches_torch(dtype, device):
    w = np.array([0.5, 2.0, 1.0, 3.0])
    compare_with_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, weight=const(lib, x, w),
                                                                         label_smoothing=0.2),
                       randn(2, 4, 3, 2), labels(2, 3, 2, classes=4), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_with_probability_targets_matches_torch(smoothing, weighted, reduction, dtype, device):
    probs = np.random.default_rng(1).dirichlet(np.ones(4), size=5)
    w = np.array([0.5, 2.0, 1.0, 3.0])
    compare_with_torch(lambda lib, x, p: lib.nn.functional.cross_entropy(
        x, p, weight=const(lib, x, w) if weighted else None, reduction=reduction, label_smoothing=smoothing),
        randn(5, 4), probs, dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1e4, 1e30])
def test_cross_entropy_is_finite_at_extreme_logits(scale, dtype, device):
    """exp(1e4) is inf: the loss must use log-sum-exp, and the gradient must not be nan."""
    logits = np.array([[1.0, -1.0, 0.5], [0.0, 1.0, -1.0], [-1.0, -1.0, 1.0]]) * scale
    target = np.array([0, 2, 1])
    compare_with_torch(lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction="none"),
                       logits, target, dtype=dtype, device=device)
    x = tinynn.tensor(logits.astype(dtype), requires_grad=True)
    loss = tinynn.nn.functional.cross_entropy(x, tinynn.tensor(target))
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("name, kwargs", [("CrossEntropyLoss", {}), ("CrossEntropyLoss", {"label_smoothing": 0.1}),
                                          ("CrossEntropyLoss", {"ignore_index": 1, "reduction": "sum"}),
                                          ("NLLLoss", {}), ("NLLLoss", {"reduction": "none"})])
def test_class_loss_modules_match_torch(name, kwargs, device):
    compare_with_torch(lambda lib, x, t: getattr(lib.nn, name)(**kwargs)(x, t), randn(5, 4),
                       labels(5, classes=4), dtype="float64", device=device)


def test_cross_entropy_module_weight_is_a_buffer_like_torch():
    ours = tinynn.nn.CrossEntropyLoss(weight=tinynn.ones(3))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.ones(3))
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert repr(ours) == repr(theirs) == "CrossEntropyLoss()"
    assert (ours.ignore_index, ours.reduction, ours.label_smoothing) == \
           (theirs.ignore_index, theirs.reduction, theirs.label_smoothing)


def test_cross_entropy_equals_log_softmax_then_nll():
    x, t = tinynn.randn(6, 5), tinynn.tensor(labels(6, classes=5))
    assert_close(tinynn.nn.functional.cross_entropy(x, t),
                 tinynn.nn.functional.nll_loss(tinynn.nn.functional.log_softmax(x, dim=1), t))


def test_cross_entropy_records_log_softmax_then_nll_like_torch():
    def graph(lib):
        x = lib.tensor(randn(4, 3), requires_grad=True)
        loss = lib.nn.functional.cross_entropy(x, lib.tensor(labels(4, classes=3)))
        nodes, stack = [], [loss.grad_fn]
        while stack:  # every node's name, depth first
            node = stack.pop()
            nodes.append(node.name().removeprefix("torch::autograd::"))  # PyTorch's leaf node's prefix
            stack.extend(next_node for next_node, _ in reversed(node.next_functions) if next_node is not None)
        return nodes
    assert graph(tinynn) == graph(torch)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_second_derivative_matches_torch(weighted, reduction):
    # d/dx of (dL/dx . v): through log_softmax's backward, which is itself differentiable
    target = labels(5, classes=4)
    target[1] = -100  # ignored
    results = {}
    for lib in (tinynn, torch):
        x = lib.tensor(randn(5, 4), dtype=lib.float64, requires_grad=True)
        weight = lib.tensor([0.5, 1.0, 2.0, 1.5], dtype=lib.float64) if weighted else None
        loss = lib.nn.functional.cross_entropy(x, lib.tensor(target), weight=weight, reduction=reduction)
        if reduction == "none":
            loss = (loss * lib.arange(5, dtype=lib.float64)).sum()
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * lib.tensor(randn(5, 4, seed=7), dtype=lib.float64)).sum(), x)
        results[lib] = g, gg
    for ours, theirs in zip(results[tinynn], results[torch]):
        assert_close(ours, theirs)
    assert tinynn.autograd.gradgradcheck(
        lambda x: tinynn.nn.functional.cross_entropy(x, tinynn.tensor(target), reduction="sum"),
        (tinynn.tensor(randn(5, 4), dtype=tinynn.float64, requires_grad=True),))


@pytest.mark.parametrize("dtype", DTYPES)
def test_cross_entropy_backward_after_the_logits_change_in_place_like_torch(dtype):
    # the loss keeps the log-probabilities, not the logits (as PyTorch's log_softmax
    # keeps its result), so changing the logits afterwards is no error, and no change
    grads = {}
    for lib in (tinynn, torch):
        x = lib.tensor(randn(4, 3), dtype=getattr(lib, dtype), requires_grad=True)
        logits = x * 1
        loss = lib.nn.functional.cross_entropy(logits, lib.tensor(labels(4, classes=3)))
        logits.add_(100.0)
        loss.backward()
        grads[lib] = x.grad
    assert_close(grads[tinynn], grads[torch])


@pytest.mark.parametrize("case", ["float_target", "int32_target", "out_of_bounds", "negative_target",
                                  "batch_mismatch", "multi_target", "bad_weight", "smoothing", "long_probabilities"])
def test_class_loss_errors_match_torch(case):
    def run(lib):
        F = lib.nn.functional
        x = lib.zeros(3, 4)
        if case == "float_target":
            F.cross_entropy(x, lib.tensor([1.0, 2.0, 0.0]))
        elif case == "int32_target":
            F.nll_loss(x, lib.tensor([1, 2, 1], dtype=lib.int32))
        elif case == "out_of_bounds":
            F.cross_entropy(x, lib.tensor([1, 2, 7]))
        elif case == "negative_target":
            F.nll_loss(x, lib.tensor([1, 2, -1]))
        elif case == "batch_mismatch":
            F.cross_entropy(x, lib.tensor([1, 2]))
        elif case == "multi_target":
            F.nll_loss(x, lib.tensor([[1, 2, 3]]).expand(3, 3))
        elif case == "bad_weight":
            F.cross_entropy(x, lib.tensor([1, 2, 1]), weight=lib.ones(3))
        elif case == "smoothing":
            F.cross_entropy(x, lib.tensor([1, 2, 1]), label_smoothing=1.5)
        elif case == "long_probabilities":
            F.cross_entropy(x, lib.zeros(3, 4, dtype=lib.int64))

    with pytest.raises(Exception) as ours:
        run(tinynn)
    with pytest.raises(Exception) as theirs:
        run(torch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_float_target_message_names_the_fix():
    with pytest.raises(RuntimeError, match="expected target dtype to be Long or Byte, but got Float"):
        tinynn.nn.CrossEntropyLoss()(tinynn.zeros(3, 4), tinynn.tensor([1.0, 2.0, 0.0]))


# -- one_hot ---------------------------------------------------------------------------------
@pytest.mark.parametrize("num_classes", [-1, 6])
def test_one_hot_matches_torch(num_classes):
    t = labels(3, 4, classes=5)
    ours = tinynn.nn.functional.one_hot(tinynn.tensor(t), num_classes)
    theirs = torch.nn.functional.one_hot(torch.tensor(t), num_classes)
    assert_close(ours, theirs)


@pytest.mark.parametrize("make", [lambda lib: lib.nn.functional.one_hot(lib.tensor([1, 2, 5]), 4),
                                  lambda lib: lib.nn.functional.one_hot(lib.tensor([1.0, 2.0]), 4),
                                  lambda lib: lib.nn.functional.one_hot(lib.tensor([1, -2]))],
                         ids=["too_large", "float", "negative"])
def test_one_hot_errors_match_torch(make):
    with pytest.raises(RuntimeError) as ours:
        make(tinynn)
    with pytest.raises(RuntimeError) as theirs:
        make(torch)
    assert str(ours.value) == str(theirs.value)


# -- smooth L1, Huber, KL divergence ---------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kwargs", [("smooth_l1_loss", {}), ("smooth_l1_loss", dict(beta=0.5)),
                                          ("smooth_l1_loss", dict(beta=0.0)), ("huber_loss", {}),
                                          ("huber_loss", dict(delta=2.5))])
def test_robust_regression_loss_matches_torch(name, kwargs, reduction, dtype, device):
    x, y = randn(4, 5, scale=2.0), randn(4, 5, seed=1)
    x[0, 0] = y[0, 0]  # d = 0: gradient 0 in both
    compare_with_torch(lambda lib, x, y: getattr(lib.nn.functional, name)(x, y, reduction=reduction, **kwargs),
                       x, y, dtype=dtype, device=device)


@pytest.mark.parametrize("name, kwargs", [("SmoothL1Loss", dict(beta=0.3)), ("HuberLoss", dict(delta=0.7)),
                                          ("KLDivLoss", dict(reduction="batchmean"))])
def test_loss_module_matches_torch_and_prints_alike(name, kwargs, device):
    x = randn(6, 4, scale=2.0)
    if name == "KLDivLoss":
        x = np.log(np.random.default_rng(2).dirichlet(np.ones(4), 6))
    y = np.random.default_rng(3).dirichlet(np.ones(4), 6)
    compare_with_torch(lambda lib, x, y: getattr(lib.nn, name)(**kwargs)(x, y), x, y, dtype="float64", device=device)
    assert repr(getattr(tinynn.nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target, dtype, device):
    rng = np.random.default_rng(4)
    log_probs = np.log(rng.dirichlet(np.ones(5), 3))
    target = rng.dirichlet(np.ones(5), 3)
    if log_target:
        target = np.log(target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "mean" warns in both (checked below)
        compare_with_torch(lambda lib, x, y: lib.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target),
                           log_probs, target, dtype=dtype, device=device)


def test_kl_div_zero_target_counts_zero_like_torch():
    x = np.log(np.array([[0.2, 0.3, 0.5]]))
    y = np.array([[0.0, 0.4, 0.6]])
    ours = tinynn.nn.functional.kl_div(tinynn.tensor(x), tinynn.tensor(y), reduction="sum")
    theirs = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(y), reduction="sum")
    assert_close(ours, theirs)


def test_kl_div_mean_warns_like_torch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        tinynn.nn.functional.kl_div(tinynn.zeros(2, 3), tinynn.full((2, 3), 1 / 3))


def test_loss_errors_match_torch():
    for lib_call in [lambda lib: lib.nn.functional.smooth_l1_loss(lib.zeros(2), lib.zeros(2), beta=-1.0),
                     lambda lib: lib.nn.functional.huber_loss(lib.zeros(2), lib.zeros(2), delta=0.0),
                     lambda lib: lib.nn.functional.smooth_l1_loss(lib.zeros(2), lib.zeros(2), reduction="avg"),
                     lambda lib: lib.nn.functional.kl_div(lib.zeros(2), lib.zeros(2), reduction="avg")]:
        assert_same_error(lambda: lib_call(tinynn), lambda: lib_call(torch), same_message=True)


# -- misuse: PyTorch's exception types, never numpy's ----------------------------------------
LIBS = (torch, tinynn)


def F(lib):
    return lib.nn.functional


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
    ours, theirs = assert_same_error(LOSS_MISUSES[case])
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
    ours, _ = assert_same_error(LOSS_MISUSES[case])
    for fragment in fragments:
        assert fragment in str(ours), f"{fragment!r} not in: {ours}"


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("target", [[0.5, 1.0, 2.0], [0, 1, 2]])
def test_cross_entropy_reports_the_batch_size_before_the_target_dtype(target, smoothing):
    """Issue 11: (4, 3) logits with 3 targets: the batch sizes are checked first, as in PyTorch."""
    def fn(L):
        dtype = L.int32 if isinstance(target[0], int) else None
        return F(L).cross_entropy(_x(L, 4, 3), L.tensor(target, dtype=dtype), label_smoothing=smoothing)
    ours, theirs = assert_same_error(fn)
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


# -- what cross_entropy's docstring says -----------------------------------------------------
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
        ours, _ = assert_same_error(call)
        assert "expected target dtype to be Long or Byte" in str(ours)
    else:
        assert_close(call(tinynn), call(torch))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_loss_with_an_infinite_class_weight_gives_ieee_values_without_numpy_warnings(name, reduction):
    """inf * 0 and inf / inf are nan, as in PyTorch's kernels, and numpy must not warn."""
    def fn(lib, x, w):
        return getattr(lib.nn.functional, name)(x, lib.tensor([3, 0, 0]), weight=w.detach(), reduction=reduction)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compare_with_torch(fn, np.zeros((3, 4)), np.array([0.0, 0.0, 0.0, np.inf]), dtype="float64")


@pytest.mark.parametrize("input_shape", [(0, 2), (0, 2, 3), (3, 2), (3, 2, 3)])
@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("target_dtype", ["int64", "int32"])
def test_class_index_loss_with_a_0d_target_raises_like_torch(name, input_shape, target_dtype):
    """A batched input with a 0-d target: PyTorch's batch-size ValueError, or, for an empty
    batch, the error of reading the target's missing sizes (IndexError, RuntimeError), after
    the target's dtype for a 2-D input."""
    assert_same_error(lambda lib: getattr(lib.nn.functional, name)(
        lib.zeros(input_shape), lib.tensor(0, dtype=getattr(lib, target_dtype))))


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction", ["none", "sum", "batchmean"])
@pytest.mark.parametrize("input_shape, target_shape", [((0,), ()), ((2, 0), (0,)), ((), (0,)), ((), (3,))])
def test_kl_div_broadcasting_to_nothing_gives_zero_gradients_like_torch(input_shape, target_shape, reduction, log_target):
    """PyTorch works element by element after broadcasting: an operand broadcast to no
    elements gets the gradient 0, even where log(target) is nan (target -1); "batchmean"
    divides by the input's own first size (none for a 0-d input)."""
    def fn(lib, x, y):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target)

    compare_with_torch(fn, np.full(input_shape, -0.5), np.full(target_shape, -1.0), dtype="float64")


def test_kl_div_of_shapes_that_do_not_broadcast_raises_like_torch():
    error, _ = assert_same_error(lambda lib: lib.nn.functional.kl_div(lib.zeros(2, 3), lib.zeros(4), reduction="sum"))
    assert "(4)" in str(error) and "(3)" in str(error)


@pytest.mark.parametrize("input_dtype, target_dtype", [("float32", "float64"), ("float64", "float32")])
def test_bce_with_logits_of_two_dtypes_computes_as_torch(input_dtype, target_dtype):
    """PyTorch takes log(1 + e^-x) in the input's dtype and the rest in the dtype the input
    and the target promote to: a float32 input and a float64 target give float64 digits.
    (With x = +-1e6, log(1 + e^-x) is exactly 0 or 1e6, so only that rule decides the digits:
    (1 - 0.123456789) * 1e6 is 876543.1875 in float32, 876543.211 in float64.)"""
    x, y = np.array([1e6, -1e6, 1e6]), np.array([0.123456789, 0.3, 0.987654321])
    results = [lib.nn.functional.binary_cross_entropy_with_logits(
        lib.tensor(x, dtype=getattr(lib, input_dtype)), lib.tensor(y, dtype=getattr(lib, target_dtype)),
        reduction="none").numpy() for lib in (torch, tinynn)]
    assert results[0].dtype == results[1].dtype
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)


# (an integer or bool target cannot require grad: only the input does then)
@pytest.mark.parametrize("target_dtype, requires_grad",
                         [(dtype, who) for dtype in ("float64", "float16") for who in ("input", "target", "both")]
                         + [("int64", "input"), ("bool", "input")])
@pytest.mark.parametrize("target_shape", [(2, 3), (3,)], ids=["same_shape", "broadcast"])
def test_huber_loss_of_two_dtypes_raises_in_backward_like_torch(target_dtype, requires_grad, target_shape):
    """PyTorch's forward accepts input and target of two dtypes; its backward kernel wants one
    and names the dtype of the gradient it computes first (the input's, if it requires grad)."""

    def run(lib):
        x = lib.tensor(randn(2, 3).astype(np.float32), requires_grad=requires_grad != "target")
        t = lib.tensor(randn(*target_shape, seed=1)).to(getattr(lib, target_dtype))
        t.requires_grad_(requires_grad != "input")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch's broadcasting warning
            loss = lib.nn.functional.huber_loss(x, t)
        assert loss.dtype == lib.float32
        loss.backward()

    ours, theirs = assert_same_error(run)
    assert str(ours).startswith(str(theirs))


# -- per-element weights of mse_loss, l1_loss and huber_loss (PyTorch's Python path) --------
WEIGHTED_REGRESSION = ["mse_loss", "l1_loss", "huber_loss"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", WEIGHTED_REGRESSION)
def test_weighted_regression_loss_matches_torch(name, reduction, dtype, device):
    """"mean" of mse_loss and l1_loss is the weighted mean sum w l / sum w (huber_loss: the
    plain mean of w l); the weight gets a gradient too."""
    compare_with_torch(lambda lib, x, y, w: getattr(F(lib), name)(x, y, reduction=reduction, weight=w),
                       randn(3, 4, scale=2.0), randn(3, 4, seed=1, scale=2.0),
                       np.random.default_rng(2).uniform(0.0, 2.0, (3, 4)), dtype=dtype, device=device)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_weighted_mse_and_l1_loss_take_integer_inputs_like_torch(name, reduction):
    """With a weight, PyTorch computes (x - y)^2 w in tensor ops, which integers support; the
    mean divides by the sum of the weights (true division)."""
    def fn(lib):
        return getattr(F(lib), name)(lib.tensor([1, 2, 7]), lib.tensor([0, 5, 7]), reduction=reduction,
                                     weight=lib.tensor([1.0, 2.0, 0.5]))

    ours, theirs = fn(tinynn), fn(torch)
    assert ours.dtype == tinynn.float32 and theirs.dtype == torch.float32
    assert_close(ours, theirs, rtol=0, atol=0)  # small integers times halves: exact in float32


@pytest.mark.parametrize("weight_shape", [(4,), (), (3, 1), (2, 3, 4), (5,)])
@pytest.mark.parametrize("name", WEIGHTED_REGRESSION)
def test_regression_loss_weight_of_another_shape_raises_like_torch(name, weight_shape):
    """The weight must have the input's shape exactly: PyTorch does not broadcast it."""
    ours, _ = assert_same_error(lambda lib: getattr(F(lib), name)(
        lib.zeros(3, 4), lib.ones(3, 4), weight=lib.ones(weight_shape)))
    assert str(ours).startswith("Weights and input must have the same size.")
    assert str(list(weight_shape)) in str(ours)


@pytest.mark.parametrize("name", WEIGHTED_REGRESSION)
def test_weighted_regression_loss_with_an_unknown_reduction_raises_torchs_message(name):
    ours, theirs = assert_same_error(lambda lib: getattr(F(lib), name)(
        lib.zeros(2), lib.ones(2), reduction="avg", weight=lib.ones(2)), same_message=True)
    assert str(ours) == "Invalid reduction mode: avg. Expected one of 'none', 'mean', 'sum'."


@pytest.mark.parametrize("input_dtype, target_dtype",
                         [("bool", "int64"), ("bool", "uint8"), ("bool", "float32"), ("int32", "float32"),
                          ("int32", "int64"), ("bool", "bool"), ("int64", "bool")])
def test_huber_loss_checks_the_cast_to_the_input_dtype_before_the_kernel_like_torch(input_dtype, target_dtype):
    """A target of a higher kind than the input (bool < integer < float) is PyTorch's
    RuntimeError "result type ... can't be cast"; otherwise an integer or bool input is its
    NotImplementedError."""
    ours, theirs = assert_same_error(lambda lib: F(lib).huber_loss(
        lib.zeros(2, dtype=getattr(lib, input_dtype)), lib.ones(2, dtype=getattr(lib, target_dtype))))
    if type(theirs) is RuntimeError:  # (NotImplementedError is a RuntimeError too)
        assert str(ours).startswith(str(theirs))


def test_loss_on_integers_names_the_shape_of_the_input():
    with pytest.raises(NotImplementedError, match=r"shape \[2, 3\]"):
        F(tinynn).mse_loss(tinynn.zeros(2, 3, dtype=tinynn.int64), tinynn.ones(2, 3, dtype=tinynn.int64))


# -- binary_cross_entropy's weight, and its gradient near 0 and 1 ----------------------------
@pytest.mark.parametrize("input_dtype", DTYPES)
@pytest.mark.parametrize("weight_dtype", ["float32", "float64", "int64"])
def test_binary_cross_entropy_keeps_the_input_dtype_whatever_the_weight_dtype(input_dtype, weight_dtype):
    """PyTorch multiplies the loss by the weight in place: the result has the input's dtype."""
    def fn(lib):
        p = lib.tensor([0.2, 0.7, 0.5], dtype=getattr(lib, input_dtype))
        return F(lib).binary_cross_entropy(p, lib.tensor([0.0, 1.0, 1.0], dtype=p.dtype),
                                           lib.tensor([1, 2, 3], dtype=getattr(lib, weight_dtype)), reduction="none")

    ours, theirs = fn(tinynn), fn(torch)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1] == input_dtype
    assert_close(ours, theirs)


@pytest.mark.parametrize("input_shape, weight_shape, fragment", [
    ((1, 3), (2, 3), "doesn't match the broadcast shape [2, 3]"),
    ((1, 3), (3, 1), "doesn't match the broadcast shape [3, 3]"),
    ((2, 3), (2, 1, 3), "doesn't match the broadcast shape [2, 2, 3]"),
    ((2, 3), (4,), "Attempting to broadcast a dimension of length 4 at -1!"),
    ((2, 3), (3, 1), "Attempting to broadcast a dimension of length 3 at -2!")])
def test_binary_cross_entropy_weight_that_does_not_fit_the_input_raises_like_torch(input_shape, weight_shape,
                                                                                    fragment):
    """The weight must broadcast against the target, and then to the input's own shape
    (PyTorch multiplies the loss by it in place)."""
    ours, theirs = assert_same_error(lambda lib: F(lib).binary_cross_entropy(
        lib.full(input_shape, 0.5), lib.ones(input_shape), lib.ones(weight_shape)))
    assert fragment in str(ours) and fragment in str(theirs)


def test_binary_cross_entropy_weight_that_requires_grad_raises_like_torch_unless_under_no_grad():
    def call(lib):
        return F(lib).binary_cross_entropy(lib.full((2,), 0.5), lib.ones(2), lib.ones(2, requires_grad=True))

    ours, _ = assert_same_error(call)
    assert "not differentiable with respect to argument 'weight'" in str(ours)
    with torch.no_grad(), tinynn.no_grad():
        assert_close(call(tinynn), call(torch))


def test_binary_cross_entropy_gradient_at_the_clamp_uses_torchs_float32_epsilon():
    """dl/dx = (x - y) / max(x (1 - x), eps), with PyTorch's eps: 1e-12 as a float32
    (9.99999996e-13), in float64 too. rtol 1e-12: the two eps differ by 4e-9 relative."""
    compare_with_torch(lambda lib, x: F(lib).binary_cross_entropy(x, lib.tensor([1.0, 0.3, 0.0], dtype=x.dtype),
                                                                   reduction="none"),
                       np.array([1e-30, 1e-13, 1 - 1e-13]), dtype="float64", rtol=1e-12, atol=0.0)


# -- binary_cross_entropy_with_logits: PyTorch's derivative formulas --------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pos_weight", [False, True])
def test_bce_with_logits_gradient_at_saturated_logits_matches_torch(pos_weight, dtype):
    """dl/dx = sigmoid(x) - y (c sigmoid(x) - p y with a pos_weight), as PyTorch writes it: at
    x = -30, y = 0 that is e^-30 = 9.4e-14 (and not 1 - sigmoid(30), 0 in float32); at
    x = 30, y = 1 it is 0 in float32. atol 0: the default absolute tolerance would hide
    gradients this small."""
    def fn(lib, x):
        weight = lib.full((4,), 2.0, dtype=x.dtype) if pos_weight else None
        return F(lib).binary_cross_entropy_with_logits(x, lib.tensor([0.0, 0.0, 1.0, 1.0], dtype=x.dtype),
                                                       reduction="sum", pos_weight=weight)

    compare_with_torch(fn, np.array([-30.0, -20.0, 30.0, 20.0]), dtype=dtype, atol=0.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pos_weight_shape", [(4,), ()])
def test_bce_with_logits_second_derivative_with_pos_weight_matches_torch(pos_weight_shape, reduction):
    """The target's gradient, log sigmoid(-x) - p log sigmoid(x), depends on x: a second
    derivative through it (create_graph=True) must see that."""
    def second(lib):
        x = lib.tensor(randn(3, 4, scale=3.0), requires_grad=True)
        y = lib.tensor(np.random.default_rng(1).uniform(0.0, 1.0, (3, 4)), requires_grad=True)
        pos_weight = lib.tensor(np.full(pos_weight_shape, 2.5))
        loss = F(lib).binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight, reduction=reduction)
        grads = lib.autograd.grad(loss, (x, y), grad_outputs=lib.ones_like(loss), create_graph=True)
        return lib.autograd.grad(sum((g * g).sum() for g in grads), (x, y))

    for ours, theirs in zip(second(tinynn), second(torch)):
        assert_close(ours, theirs)


@pytest.mark.parametrize("position", [1, 2])
def test_kl_div_of_a_non_tensor_raises_typeerror_like_torch(position):
    args = lambda lib: [lib.zeros(2), lib.ones(2)]  # noqa: E731
    def call(lib):
        a = args(lib)
        a[position - 1] = [0.5, 0.5]
        return F(lib).kl_div(*a, reduction="sum")

    assert_same_error(call, same_message=True)


def test_bce_with_logits_rounds_each_step_to_the_targets_dtype_like_torch():
    """PyTorch builds the loss in place on (1 - y), a tensor of the target's dtype: x (1 - y)
    is rounded to it before log sigmoid(x) is subtracted. For x = -1e30 (float64) and a
    float32 target the two terms do not cancel: float32's -1e30 is off by 1.5e22."""
    results = []
    for lib in (torch, tinynn):
        x = lib.tensor([-1e30, 3.0, -2.5], dtype=lib.float64, requires_grad=True)
        y = lib.tensor([0.0, 1.0, 0.25])
        results.append(lib.nn.functional.binary_cross_entropy_with_logits(x, y, reduction="none").tolist())
    assert results[1][0] == results[0][0] == pytest.approx(-1.504746648146704e22)
    np.testing.assert_allclose(results[1], results[0], rtol=1e-7)
