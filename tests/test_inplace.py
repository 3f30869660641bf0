"""In-place ops, views and the version counter (tinynn/_functions/inplace.py), against PyTorch.

Each test runs the same program in both libraries (float64) and compares the values and
every gradient, or checks that both raise the same exception type.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from helpers import assert_same_error, randn
from tinynn._functions.inplace import AsStrided, AsStridedScatter, CopySlices
from tinynn.testing import assert_close

TOL = {"rtol": 1e-12, "atol": 1e-12}  # float64: the same operations in the same order


def run_both(fn) -> None:
    """``fn(lib)`` returns a list of tensors (values, gradients): equal in both libraries."""
    theirs, ours = fn(torch), fn(tinynn)
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs)):
        if o is None or t is None:
            assert o is None and t is None, f"result {i}: {o!r} vs {t!r}"
        else:
            assert_close(o, t, name=f"result {i}", **TOL)


def leaf(lib, data):
    return lib.tensor(np.asarray(data, dtype=np.float64), requires_grad=True)


X = [[-1.0, 2.0, -3.0], [4.0, -0.5, 0.25]]  # negatives, so that relu_ and clamp_ matter

VIEWS = {
    "view": lambda b: b.view(-1),
    "t": lambda b: b.t(),
    "transpose": lambda b: b.transpose(0, 1),
    "permute": lambda b: b.permute(1, 0),
    "select": lambda b: b[1],
    "slice": lambda b: b[:, 1:],
    "unsqueeze": lambda b: b.unsqueeze(0),
    "diagonal": lambda b: b.diagonal(),
    "reshape": lambda b: b.reshape(3, 2),
    "expand": lambda b: b.expand(2, 2, 3),  # the same element seen twice
    "unfold": lambda b: b.unfold(1, 2, 1),  # overlapping windows
}

BASE_OPS = {
    "relu_": lambda b, lib, w: b.relu_(),
    "mul_": lambda b, lib, w: b.mul_(2.5),
    "mul_w": lambda b, lib, w: b.mul_(w),
    "add_w": lambda b, lib, w: b.add_(w, alpha=-2),
    "pow_": lambda b, lib, w: b.pow_(2),
    "exp_": lambda b, lib, w: b.exp_(),
    "clamp_": lambda b, lib, w: b.clamp_(-0.75, 1.5),
    "setitem": lambda b, lib, w: b.__setitem__(0, 3.0),
    "setitem_w": lambda b, lib, w: b.__setitem__((slice(None), 1), w[:, 1]),
    "copy_w": lambda b, lib, w: b.copy_(w * 3),
    "fill_": lambda b, lib, w: b.fill_(0.5),
    "masked_fill_": lambda b, lib, w: b.masked_fill_(b.detach() > 0, -1.0),
    "iadd": lambda b, lib, w: b.__iadd__(w),
    "two_ops": lambda b, lib, w: b.mul_(w).sub_(1),
}


@pytest.mark.parametrize("op", sorted(BASE_OPS))
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_in_place_op_on_base_is_seen_through_an_existing_view(view, op):
    """v = view(b); b.op_(); a loss through v: the gradients follow b's new history."""

    def fn(lib):
        x, w = leaf(lib, X), leaf(lib, randn(2, 3, seed=1))
        b = x * 1
        v = VIEWS[view](b)
        BASE_OPS[op](b, lib, w)
        weights = lib.arange(1.0, v.numel() + 1, dtype=lib.float64).reshape(v.shape)
        (v * weights).sum().backward()
        return [v, b, x.grad, w.grad]

    run_both(fn)


def test_the_issue_example():
    """x.grad is [0, 1] (relu_ seen through the view), not [1, 1]."""

    def fn(lib):
        x = lib.tensor([-1.0, 2.0], dtype=lib.float64, requires_grad=True)
        b = x * 1
        v = b.view(-1)
        b.relu_()
        v.sum().backward()
        return [x.grad]

    run_both(fn)


def test_rebuilt_view_is_named_as_in_torch():
    names = []
    for lib in (torch, tinynn):
        b = leaf(lib, X) * 1
        v = b.t()
        before = type(v.grad_fn).__name__
        b.relu_()
        names.append((before, type(v.grad_fn).__name__, v.grad_fn.next_functions[0][0] is b.grad_fn))
    assert names[1][1:] == names[0][1:] == ("AsStridedBackward0", True)


OPS_ON_VIEW = {
    "mul_": lambda v, lib, w: v.mul_(2.5),
    "mul_w": lambda v, lib, w: v.mul_(w),
    "relu_": lambda v, lib, w: v.relu_(),
    "pow_": lambda v, lib, w: v.pow_(3),
    "exp_": lambda v, lib, w: v.exp_(),
    "copy_w": lambda v, lib, w: v.copy_(w * 2),
    "fill_": lambda v, lib, w: v.fill_(7.0),
    "zero_": lambda v, lib, w: v.zero_(),
    "iadd_w": lambda v, lib, w: v.__iadd__(w),
    "setitem": lambda v, lib, w: v.__setitem__(0, 3.0),
    "two_ops": lambda v, lib, w: v.sub_(w).clamp_(-1.0, 1.0),
}

VIEWS_TO_WRITE = {  # views that do not overlap themselves, and their w's shape
    "select": (lambda b: b[1], (3,)),
    "slice": (lambda b: b[:, 1:], (2, 2)),
    "t": (lambda b: b.t(), (3, 2)),
    "diagonal": (lambda b: b.diagonal(), (2,)),
    "view": (lambda b: b.view(-1), (6,)),
    "column": (lambda b: b[:, 0], (2,)),
}


@pytest.mark.parametrize("op", sorted(OPS_ON_VIEW))
@pytest.mark.parametrize("view", sorted(VIEWS_TO_WRITE))
def test_in_place_op_on_a_view_rewrites_the_base(view, op):
    """v = view(b); v.op_(): b's history becomes CopySlices; b, v and another view agree."""

    def fn(lib):
        make, shape = VIEWS_TO_WRITE[view]
        x, w = leaf(lib, X), leaf(lib, randn(*shape, seed=2))
        b = x * 1
        other = b[0]  # a second view, made before the write
        v = make(b)
        OPS_ON_VIEW[op](v, lib, w)
        loss = (b * lib.arange(1.0, 7.0, dtype=lib.float64).reshape(2, 3)).sum()
        loss = loss + (v * v).sum() + (other * 3).sum()
        loss.backward()
        return [b, v, other, x.grad, w.grad]

    run_both(fn)


def test_base_changed_through_a_view_is_named_copy_slices():
    names = []
    for lib in (torch, tinynn):
        b = leaf(lib, X) * 1
        v = b[1]
        v.mul_(2)
        names.append((repr(b.grad_fn).split(" object")[0], type(v.grad_fn).__name__,
                      v.grad_fn.next_functions[0][0] is b.grad_fn))
    assert names[1] == names[0] == ("<CopySlices", "AsStridedBackward0", True)


def test_augmented_assignment_into_a_subscript():
    """x[:, 0] += 1 and x[1] *= w: the view is changed in place, then assigned back."""

    def fn(lib):
        a, w = leaf(lib, X), leaf(lib, randn(3, seed=3))
        x = a * 2
        x[:, 0] += 1
        x[1] *= w
        (x * x).sum().backward()
        return [x, a.grad, w.grad]

    run_both(fn)


def test_in_place_op_on_a_view_of_a_view():
    def fn(lib):
        x = leaf(lib, X)
        b = x * 1
        v = b.t()
        w = v[0]
        w.mul_(3)
        (b.sum() + (v * v).sum() + w.sum()).backward()
        return [b, v, w, x.grad]

    run_both(fn)


def test_two_views_of_one_base_see_each_others_writes():
    def fn(lib):
        x = leaf(lib, X)
        b = x * 1
        row, column = b[0], b[:, 2]
        row.mul_(2)
        column.exp_()
        (row.sum() * 2 + (column * column).sum() + b.sum()).backward()
        return [row, column, b, x.grad]

    run_both(fn)


def test_in_place_op_on_a_view_of_a_base_that_does_not_require_grad():
    """b = zeros(3); b[:2].mul_(w): b starts requiring grad, as in PyTorch."""

    def fn(lib):
        w = leaf(lib, [1.5, -2.0])
        b = lib.ones(3, dtype=lib.float64)
        v = b[:2]
        v.mul_(w)
        assert b.requires_grad and v.requires_grad and not b.is_leaf
        (b * b).sum().backward()
        return [b, w.grad]

    run_both(fn)


def test_old_view_of_a_base_that_gains_history():
    """A view made before its base started requiring grad follows it too."""

    def fn(lib):
        w = leaf(lib, [1.0, 2.0, 3.0])
        b = lib.zeros(3, dtype=lib.float64)
        v = b[:2]
        b.add_(w)
        assert v.requires_grad
        (v * v).sum().backward()
        return [v, w.grad]

    run_both(fn)


def test_view_of_a_base_whose_memory_is_not_row_major():
    """A base made from a transposed numpy array: the view's positions come from strides."""

    def fn(lib):
        w = leaf(lib, [2.0, -1.0, 0.5])
        b = lib.from_numpy(np.arange(6.0).reshape(3, 2).T)  # the strides of a transpose
        assert not b.is_contiguous()
        v = b[1]
        v.mul_(w)
        (b * lib.arange(1.0, 7.0, dtype=lib.float64).reshape(2, 3)).sum().backward()
        return [b, w.grad]

    run_both(fn)


def test_leaf_changed_under_no_grad_keeps_its_views_gradients():
    def fn(lib):
        x = leaf(lib, X)
        v = x[1]
        with lib.no_grad():
            x.mul_(2)
        (v * v).sum().backward()
        return [v, x.grad]

    run_both(fn)


def test_view_modified_under_no_grad_does_not_change_history():
    def fn(lib):
        x = leaf(lib, X)
        b = x * 1
        v = b[0]
        with lib.no_grad():
            v.mul_(2)
        (b * 3).sum().backward()
        return [b, x.grad]

    run_both(fn)


def test_detached_view_gets_its_own_history():
    """d = b.detach(); d[0].mul_(w): d's history is rewritten, b's is not."""

    def fn(lib):
        x, w = leaf(lib, X), leaf(lib, randn(3, seed=4))
        b = x * 1
        d = b.detach()
        d[0].mul_(w)
        assert d.requires_grad
        (d.sum() + b.sum()).backward()
        return [d, b, x.grad, w.grad]

    run_both(fn)


RETAINED = {  # where retain_grad() was called, and the in-place op that follows
    "self": lambda b, v: (b.retain_grad(), b.mul_(2)),
    "view_then_base_op": lambda b, v: (v.retain_grad(), b.mul_(2)),
    "base_then_view_op": lambda b, v: (b.retain_grad(), v.mul_(2)),
    "view_then_view_op": lambda b, v: (v.retain_grad(), v.mul_(2)),
}


@pytest.mark.parametrize("case", sorted(RETAINED))
def test_retain_grad_follows_the_new_history(case):
    """.grad is the gradient of the tensor's value after the in-place op, as in PyTorch."""

    def fn(lib):
        x = leaf(lib, X)
        b = x * 1
        v = b[:, 0]
        RETAINED[case](b, v)
        (b * 3).sum().backward()
        kept = b if case.startswith(("self", "base")) else v
        assert kept.retains_grad
        return [kept.grad, x.grad]

    run_both(fn)


# -- the version counter, seen through views --------------------------------------------
def test_saved_tensor_changed_through_base_raises_through_the_view():
    """b *= b.detach() saves b's old value as mul's other operand; backward through v sees it."""

    def fn(lib):
        b = leaf(lib, X) * 1
        v = b.t()
        b *= b.detach()
        v.sum().backward()

    assert_same_error(fn)


def test_saved_view_changed_through_its_base_raises():
    def fn(lib):
        b = leaf(lib, X) * 1
        v = b[0]
        y = v * v  # saves v
        b.add_(1)
        y.sum().backward()

    ours, theirs = assert_same_error(fn)
    assert "modified by an inplace operation" in str(ours) and "modified by an inplace" in str(theirs)


@pytest.mark.parametrize("op", ["logsumexp", "softmax", "log_softmax", "tanh", "sigmoid", "exp"])
def test_changing_a_saved_output_in_place_raises(op):
    """These ops save their output for backward (logsumexp's gradient is e^{x - z}), as
    PyTorch's do: changing the output in place before backward is the same error in both."""

    def fn(lib):
        x = leaf(lib, X)
        y = getattr(x, op)(1) if op in ("logsumexp", "softmax", "log_softmax") else getattr(x, op)()
        y.add_(1)
        y.sum().backward()

    ours, theirs = assert_same_error(fn)
    assert "modified by an inplace operation" in str(ours) and "modified by an inplace" in str(theirs)


def test_an_in_place_change_through_data_is_not_seen_by_autograd():
    """``.data`` has a version counter of its own (``detach()`` shares the tensor's): the
    backward runs with the changed values, in both libraries, and the version stays 0."""
    results = []
    for lib in (torch, tinynn):
        x = leaf(lib, X)
        y = x * 2
        z = y * y                 # saves y
        y.data.add_(1)
        z.sum().backward()
        results.append((y._version, x.grad.numpy().copy(), y.data._base is None, y.data.requires_grad))
    assert results[1][0] == results[0][0] == 0 and results[1][2:] == results[0][2:] == (True, False)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-6)


def test_an_in_place_change_through_detach_is_seen_by_autograd():
    def fn(lib):
        x = leaf(lib, X)
        y = x * 2
        z = y * y
        y.detach().add_(1)
        z.sum().backward()

    ours, theirs = assert_same_error(fn)
    assert "modified by an inplace operation" in str(ours)


def test_views_share_the_version_counter():
    for lib in (torch, tinynn):
        b = lib.zeros(2, 3)
        v, d = b[0], b.detach()
        v.add_(1)
        d.mul_(2)
        assert b._version == v._version == d._version == 2


# -- what PyTorch refuses ------------------------------------------------------------------
def test_in_place_op_on_a_view_of_a_leaf_that_requires_grad():
    ours, _ = assert_same_error(lambda lib: leaf(lib, X)[0].mul_(2))
    assert "view of a leaf Variable" in str(ours)


def test_view_of_a_leaf_may_be_changed_under_no_grad():
    def fn(lib):
        x = leaf(lib, X)
        with lib.no_grad():
            x[0].mul_(2)
        (x * x).sum().backward()
        return [x, x.grad]

    run_both(fn)


def test_in_place_op_on_a_view_made_under_no_grad():
    def fn(lib):
        b = leaf(lib, X) * 1
        with lib.no_grad():
            v = b[0]
        v.mul_(2)

    ours, _ = assert_same_error(fn)
    assert "created in no_grad mode" in str(ours)


def test_view_made_under_no_grad_of_a_base_that_gains_history():
    def fn(lib):
        w = leaf(lib, [2.0])
        b = lib.zeros(3, dtype=lib.float64)
        with lib.no_grad():
            v = b[1:]
        v.mul_(w)

    assert_same_error(fn)


def test_view_made_under_no_grad_then_its_base_changed():
    """PyTorch raises when the view is used; tinynn when backward reaches it (deviations page)."""

    def fn(lib):
        b = leaf(lib, X) * 1
        with lib.no_grad():
            v = b[0]
        b.mul_(2)
        (v * 2).sum().backward()

    ours, _ = assert_same_error(fn)
    assert "created in no_grad mode" in str(ours)


@pytest.mark.parametrize("pieces", ["split", "chunk", "unbind"])
def test_in_place_op_on_one_of_several_output_views(pieces):
    make = {"split": lambda b: b.split(1), "chunk": lambda b: b.chunk(2),
            "unbind": lambda b: b.t().unbind()}[pieces]
    ours, _ = assert_same_error(lambda lib: make(leaf(lib, X) * 1)[0].mul_(2))
    assert "returns multiple views" in str(ours)


def test_several_output_views_may_be_changed_without_grad():
    for lib in (torch, tinynn):
        b = lib.zeros(2, 3)
        first, _ = b.split(1)
        first.add_(1)
        assert b.tolist() == [[1.0] * 3, [0.0] * 3]


@pytest.mark.parametrize("requires_grad", [False, True])
def test_fill_with_a_value_tensor_that_is_not_0_d(requires_grad):
    def fn(lib):
        b = lib.ones(2, 2, dtype=lib.float64, requires_grad=requires_grad)
        (b * 1 if requires_grad else b).fill_(lib.ones(2, dtype=lib.float64))

    assert_same_error(fn)


def test_fill_with_a_0_d_tensor_gives_it_the_gradient():
    def fn(lib):
        value = leaf(lib, 2.0)
        b = lib.zeros(3, dtype=lib.float64)
        b[1:].fill_(value)
        (b * b).sum().backward()
        return [b, value.grad]

    run_both(fn)


def test_in_place_op_on_an_expanded_view():
    assert_same_error(lambda lib: (leaf(lib, [1.0, 2.0]) * 1).expand(3, 2).mul_(2))


# -- higher-order gradients through the new Functions -------------------------------------
def _through_views(lib, x):
    """In-place ops on a base seen through a view, and on views of it."""
    b = x * 1
    v = b.t()
    b.pow_(3)
    row = b[1]
    row.mul_(x[0])
    b[:, 0].pow_(2)
    return (v * v).sum() + (b * b).sum()


def test_second_derivatives_through_views_match_torch():
    def fn(lib):
        x = leaf(lib, [[0.5, -0.2, 0.1], [0.3, 0.4, -0.6]])
        loss = _through_views(lib, x)
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        return [loss, g, gg]

    run_both(fn)


def test_gradgradcheck_through_views():
    x = leaf(tinynn, [[0.5, -0.2, 0.1], [0.3, 0.4, -0.6]])
    assert tinynn.autograd.gradcheck(lambda x: _through_views(tinynn, x), (x,))
    assert tinynn.autograd.gradgradcheck(lambda x: _through_views(tinynn, x), (x,))


def test_gradgradcheck_of_as_strided_and_copy_slices():
    positions = np.array([[4, 1], [3, 0]])
    x = leaf(tinynn, randn(2, 3, seed=5))
    values = leaf(tinynn, randn(2, 2, seed=6))
    g = leaf(tinynn, randn(2, 2, seed=7))
    cases = [
        (lambda x: AsStrided.apply(x, positions), (x,)),
        (lambda g: AsStridedScatter.apply(g, (2, 3), positions), (g,)),
        (lambda x, values: CopySlices.apply(x, values, positions), (x, values)),
    ]
    for function, inputs in cases:
        assert tinynn.autograd.gradcheck(function, inputs)
        assert tinynn.autograd.gradgradcheck(function, inputs)


# -- in-place operators --------------------------------------------------------------------
AUGMENTED = {
    "|=": lambda a, b: a.__ior__(b),
    "&=": lambda a, b: a.__iand__(b),
    "^=": lambda a, b: a.__ixor__(b),
    "**=": lambda a, b: a.__ipow__(b),
    "//=": lambda a, b: a.__ifloordiv__(b),
    "%=": lambda a, b: a.__imod__(b),
}

AUGMENTED_CASES = [  # (operator, self, other): each written in place, self's dtype kept
    ("|=", ([1, 2, 3], "int64"), ([4, 0, 0], "int64")),
    ("|=", ([1, 2], "int32"), ([1, 1], "int64")),
    ("&=", ([5, 6, 7], "int64"), 6),
    ("&=", ([True, False, True], "bool"), ([True, True, False], "bool")),
    ("^=", ([True, False], "bool"), True),
    ("^=", ([3, 5], "int16"), ([1, 1], "int16")),
    ("**=", ([1, 2, 3], "int64"), 2),
    ("**=", ([1.5, 2.0], "float32"), ([2.0], "float64")),
    ("//=", ([7.0, -7.0, 2.5], "float32"), 2),
    ("//=", ([7, -7, 9], "int64"), ([2, 3, -4], "int64")),
    ("%=", ([7.0, -7.0, 2.5], "float64"), 3),
    ("%=", ([7, -7, 9], "int32"), 4),
]


def _make(lib, spec):
    if not isinstance(spec, tuple):
        return spec
    data, dtype = spec
    return lib.tensor(data, dtype=getattr(lib, dtype))


@pytest.mark.parametrize("operator, this, other", AUGMENTED_CASES,
                         ids=[f"{o}-{t[1]}-{i}" for i, (o, t, _) in enumerate(AUGMENTED_CASES)])
def test_augmented_assignment_writes_in_place(operator, this, other):
    results = []
    for lib in (torch, tinynn):
        a = _make(lib, this)
        alias = a[:]  # a view: sees the new values only if a is written in place
        out = AUGMENTED[operator](a, _make(lib, other))
        assert out is a
        results.append((alias.tolist(), str(a.dtype).split(".")[1]))
    assert results[1] == results[0]


AUGMENTED_ERRORS = [  # (operator, self, other): PyTorch raises
    ("|=", ([1.0, 2.0], "float32"), 1),                    # no bitwise op on floats
    ("^=", ([True, False], "bool"), ([1, 1], "int64")),    # int64 result into bool
    ("|=", ([1, 2], "int64"), 1.5),                         # float result into int64
    ("|=", ([1, 2], "int64"), ([[1], [1]], "int64")),       # broadcasts self larger
    ("**=", ([1, 2], "int64"), 2.0),
    ("//=", ([1, 2], "int64"), 2.5),
    ("%=", ([1, 2], "int64"), 1.5),
    ("//=", ([1, 2], "int64"), 0),                          # integer division by zero
    ("%=", ([1, 2], "int64"), 0),
]


@pytest.mark.parametrize("operator, this, other", AUGMENTED_ERRORS,
                         ids=[f"{o}-{i}" for i, (o, _, _) in enumerate(AUGMENTED_ERRORS)])
def test_augmented_assignment_errors_match_torch(operator, this, other):
    assert_same_error(lambda lib: AUGMENTED[operator](_make(lib, this), _make(lib, other)))


def test_augmented_power_and_remainder_record_the_gradient():
    def fn(lib):
        x = leaf(lib, [1.5, -2.5, 0.75])
        b = x * 1
        b **= 3
        b %= 2
        b.sum().backward()
        return [b, x.grad]

    run_both(fn)


# -- shapes ---------------------------------------------------------------------------------
EMPTY = {
    "add_": lambda t: t.add_(1),
    "mul_tensor": lambda t: t.mul_(torch.ones(3) if isinstance(t, torch.Tensor) else tinynn.ones(3)),
    "relu_": lambda t: t.relu_(),
    "clamp_": lambda t: t.clamp_(0, 1),
    "pow_": lambda t: t.pow_(2),
}


@pytest.mark.parametrize("op", sorted(EMPTY))
@pytest.mark.parametrize("requires_grad", [False, True])
def test_in_place_op_on_an_empty_tensor(op, requires_grad):
    """No overlap error from the 0-size dimension's stride, with and without grad."""
    for lib in (torch, tinynn):
        t = lib.zeros(0, 3, requires_grad=requires_grad)
        t = t * 1 if requires_grad else t
        assert EMPTY[op](t).shape == (0, 3)
        expanded = lib.zeros(2, 0, 3).expand(4, 2, 0, 3)
        assert EMPTY[op](expanded).shape == (4, 2, 0, 3)


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("op", ["add_", "mul_", "copy_"])
def test_result_larger_than_the_tensor_raises(op, requires_grad):
    """y.add_(ones(1)) on a 0-d y: the result would be (1,), as PyTorch refuses."""

    def fn(lib):
        y = lib.tensor(1.0, dtype=lib.float64, requires_grad=requires_grad)
        y = y * 1 if requires_grad else y
        other = lib.ones(1, dtype=lib.float64)
        if op == "copy_":
            y.copy_(lib.ones(2, dtype=lib.float64))
        else:
            getattr(y, op)(other)

    assert_same_error(fn)


def _tensors(lib, *specs):
    """(values, dtype name, requires_grad) -> tensors."""
    return [lib.tensor(v, dtype=getattr(lib, d), requires_grad=rg) for v, d, rg in specs]


@pytest.mark.parametrize("specs, value", [
    ((([2, 2, 1], "int64", False), ([3, 3, 3], "int64", False), ([2, 2, 1], "int64", False)), 0.5),
    ((([2, 2, 1], "int64", False), ([3, 3, 3], "int64", False), ([2, 2, 1], "int64", False)), 1.5),
    ((([2, 2, 1], "int32", False), ([3, 3, 3], "int32", False), ([2, 2, 1], "int32", False)), -1.7),
    ((([1.5, 2.0, 3.0], "float32", False), ([3, 3, 3], "int64", False), ([2, 2, 1], "int64", False)), 0.5),
    ((([1.5, 2.0, 3.0], "float64", True), ([0.1, 0.2, 0.3], "float64", True), ([7.0, -1.0, 3.0], "float64", True)), 0.3),
    ((([1.5, 2.0, 3.0], "float64", False), ([0.1, 0.2, 0.3], "float32", False), ([7.0, -1.0, 3.0], "float64", False)), 0.3),
])
def test_addcmul_computes_in_the_promoted_dtype_with_value_converted(specs, value):
    """PyTorch converts ``value`` to the dtype of self, tensor1, tensor2 (0.5 -> 0 for
    int64) and multiplies there (a float32 tensor1 is widened before the product)."""

    def fn(lib):
        this, t1, t2 = _tensors(lib, *specs)
        out = (this * 1 if this.requires_grad else this).addcmul_(t1, t2, value=value)
        if not out.requires_grad:
            return [out.double()]
        out.sum().backward()
        return [out, this.grad, t1.grad.double(), t2.grad]

    run_both(fn)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 1e30])
def test_addcmul_of_integers_with_a_value_no_int64_holds_raises_like_torch(value):
    assert_same_error(lambda lib: lib.zeros(2, dtype=lib.int64).addcmul_(
        lib.ones(2, dtype=lib.int64), lib.ones(2, dtype=lib.int64), value=value))


def test_addcmul_and_addcdiv_misuse_raises_as_pytorch():
    assert_same_error(lambda lib: lib.tensor([True]).addcmul_(lib.tensor([True]), lib.tensor([True])),
                      same_message=True)
    assert_same_error(lambda lib: lib.tensor([1]).addcmul_(lib.tensor([1.5]), lib.tensor([1])),
                      same_message=True)
    for t1, t2 in (("int64", "int64"), ("int32", "bool"), ("bool", "bool")):
        assert_same_error(lambda lib: lib.ones(2).addcdiv_(
            lib.tensor([1, 2], dtype=getattr(lib, t1)), lib.tensor([1, 1], dtype=getattr(lib, t2))),
            same_message=True)
    assert_same_error(lambda lib: lib.ones(2).addcdiv_(lib.tensor([1, 2]), lib.tensor([1, 2]), value=0.5),
                      same_message=True)


def test_addcdiv_with_one_float_operand_matches_pytorch():
    def fn(lib):
        this, t1, t2 = _tensors(lib, ([1.5, 2.0], "float64", True), ([3, 4], "int64", False),
                                ([0.5, -2.0], "float64", True))
        out = (this * 1).addcdiv_(t1, t2, value=-0.5)
        out.sum().backward()
        return [out, this.grad, t2.grad]

    run_both(fn)


@pytest.mark.parametrize("op, tensor2", [("addcdiv_", 0.0), ("addcmul_", float("inf"))])
def test_addcmul_and_addcdiv_sum_the_gradient_over_broadcast_dims_after_the_product(op, tensor2):
    """PyTorch's one kernel sums a 0-d operand's gradient over self's elements after forming
    the product or quotient: with an empty self that sum is 0, even where the quotient
    itself is 0 / 0 or 0 * inf (it is never formed)."""
    def fn(lib):
        this, t1, t2 = _tensors(lib, ([], "float64", True), (0.0, "float64", True), (tensor2, "float64", True))
        out = getattr(this * 1, op)(t1, t2)
        out.sum().backward()
        return [out, this.grad, t1.grad, t2.grad]

    run_both(fn)


@pytest.mark.parametrize("divisor_dtype", ["bool", "int64"])
def test_addcdiv_through_an_integer_tensor2_refuses_the_gradient_like_torch(divisor_dtype):
    """PyTorch's formula for tensor1's gradient writes into tensor2's dtype: its backward
    raises. The value itself is the true quotient."""
    def fn(lib):
        tensor1 = lib.ones(3, dtype=lib.float64, requires_grad=True)
        out = lib.zeros(2, 3, dtype=lib.float64).addcdiv_(tensor1, lib.ones(2, 1, dtype=getattr(lib, divisor_dtype)))
        out.sum().backward()

    assert_same_error(fn)
    values = [lib.zeros(2, dtype=lib.float64).addcdiv_(lib.ones(2, dtype=lib.float64), lib.tensor([2, 4]), value=0.5)
              for lib in (torch, tinynn)]
    assert values[0].tolist() == values[1].tolist() == [0.25, 0.125]


def test_casts_out_of_range_in_place_give_pytorch_values_without_numpy_warnings():
    """inf/nan copied into an int tensor, float64 beyond float32's range written into a
    float32 tensor (with and without a graph): PyTorch's values and no RuntimeWarning."""
    inf, nan = float("inf"), float("nan")
    calls = [
        lambda lib: lib.tensor([-4, -1]).copy_(lib.tensor([inf, 1.5], dtype=lib.float64)),
        lambda lib: lib.tensor([-4, -1]).copy_(lib.tensor([nan, -inf], dtype=lib.float64)),
        lambda lib: lib.tensor([0, 0], dtype=lib.int32).copy_(lib.tensor([inf, 2.5])),
        lambda lib: lib.tensor([1.0]).copy_(lib.tensor([1e300], dtype=lib.float64)),
        lambda lib: (lib.tensor([1.0], requires_grad=True) * 1).copy_(
            lib.tensor([-1e300], dtype=lib.float64, requires_grad=True)),
        lambda lib: lib.tensor([3.0]).addcmul_(
            lib.tensor([-1e30], dtype=lib.float64, requires_grad=True), lib.tensor([-2147483648]), value=0.5),
    ]
    for call in calls:
        theirs = call(torch)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ours = call(tinynn)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert ours.tolist() == theirs.tolist()
