"""What an op saves for backward, seen from outside: changing an input in place between the
forward and the backward raises ("modified by an inplace operation") only if the backward
needs that input, as in PyTorch.

A product's gradient with respect to one operand needs only the *other* operand, so when
only A needs a gradient, only B is saved, and changing A afterwards is no error. PyTorch
saves exactly that; a library that saved both would refuse programs PyTorch runs. Each
case runs in both libraries: the outcome (an error or not) must be the same, and without
an error the gradients must agree.

(The other direction, ops for which PyTorch saves an input that tinynn's backward does not
read, is on the Deviations page with its own check in ``test_deviations.py``.)
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close

from helpers import randn

# name -> (shape of a, shape of b, the op as a function of (lib, a, b))
OPS = {
    "a @ b": ((3, 4), (4, 5), lambda lib, a, b: a @ b),
    "a @ b (batch @ matrix)": ((2, 3, 4), (4, 5), lambda lib, a, b: a @ b),
    "a @ b (vector @ matrix)": ((4,), (4, 5), lambda lib, a, b: a @ b),
    "mm": ((3, 4), (4, 5), lambda lib, a, b: lib.mm(a, b)),
    "bmm": ((2, 3, 4), (2, 4, 5), lambda lib, a, b: lib.bmm(a, b)),
    "einsum ij,jk->ik": ((3, 4), (4, 5), lambda lib, a, b: lib.einsum("ij,jk->ik", a, b)),
    "F.linear (x, W)": ((3, 4), (5, 4), lambda lib, a, b: lib.nn.functional.linear(a, b)),
    "lerp (number weight)": ((3, 4), (3, 4), lambda lib, a, b: lib.lerp(a, b, 0.3)),
    "lerp (tensor weight)": ((3, 4), (3, 4), lambda lib, a, b: lib.lerp(a, b, lib.full_like(a, 0.3))),
    "a * b": ((3, 4), (3, 4), lambda lib, a, b: a * b),
    "cross_entropy (logits, scale)": ((3, 4), (1,), lambda lib, a, b: lib.nn.functional.cross_entropy(
        a, lib.tensor([0, 3, 1])) * b),
}


def _outcome(lib, op, shapes, needs_grad: str, changed: str):
    """Run the op, change one input in place, back-propagate: ("ok", grads) or ("error", type)."""
    leaves = [lib.tensor(randn(*shape, seed=seed), requires_grad=name in needs_grad)
              for shape, seed, name in zip(shapes, (0, 1), "ab")]
    a, b = (leaf * 1 for leaf in leaves)  # non-leaves, so that they can be changed in place
    y = op(lib, a, b)
    (a if changed == "a" else b).add_(0.5)
    try:
        y.sum().backward()
    except RuntimeError as error:
        assert "modified by an inplace operation" in str(error)
        return "error", None
    return "ok", [leaf.grad for leaf in leaves]


@pytest.mark.parametrize("changed", ["a", "b"])
@pytest.mark.parametrize("needs_grad", ["a", "b", "ab"])
@pytest.mark.parametrize("name", list(OPS))
def test_changing_an_input_in_place_before_backward_raises_as_in_torch(name, needs_grad, changed):
    *shapes, op = OPS[name]
    ours, theirs = (_outcome(lib, op, shapes, needs_grad, changed) for lib in (tinynn, torch))
    assert ours[0] == theirs[0], f"tinynn: {ours[0]}, PyTorch: {theirs[0]}"
    if ours[0] == "ok":
        for our_grad, their_grad in zip(ours[1], theirs[1]):
            assert (our_grad is None) == (their_grad is None)
            if our_grad is not None:
                assert_close(our_grad, their_grad)


@pytest.mark.parametrize("needs", [(True, False), (False, True), (True, True)])
@pytest.mark.parametrize("shapes", [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4,)),
                                    ((3, 4), (4,)), ((2, 3, 4), (2, 4, 5))])
def test_matmul_second_derivatives_with_one_operand_saved_match_torch(shapes, needs):
    # with only one operand needing a gradient, only the other one is saved; the gradient
    # is still differentiable (create_graph) with respect to the operand that needs it
    results = {}
    for lib in (tinynn, torch):
        a, b = (lib.tensor(randn(*shape, seed=seed), dtype=lib.float64, requires_grad=need)
                for shape, seed, need in zip(shapes, (0, 1), needs))
        wanted = [t for t in (a, b) if t.requires_grad]
        y = a @ b
        grads = lib.autograd.grad((y * y).sum(), wanted, create_graph=True)
        second = lib.autograd.grad(sum((g * g).sum() for g in grads), wanted)
        results[lib] = [*grads, *second]
    for ours, theirs in zip(results[tinynn], results[torch]):
        assert_close(ours, theirs)


def test_a_product_of_two_dtypes_still_refuses_backward():
    a = tinynn.tensor(np.ones((2, 2)), dtype=tinynn.float32, requires_grad=True)
    b = tinynn.tensor(np.ones((3, 2, 0)), dtype=tinynn.float64)
    y = a @ b  # an empty batched product: zeros, where PyTorch returns before its dtype check
    with pytest.raises(RuntimeError, match="same dtype"):
        y.sum().backward()


# -- integer and bool operands: indices, masks, targets ------------------------------------
def _changed_after(make, op, change):
    """A case: ``operand = make(lib, x)`` (an index, mask or target), ``y = op(lib, x, operand)``,
    then, when asked, ``change(operand)`` in place before the backward."""
    def run(lib, x, changed: bool):
        operand = make(lib, x)
        y = op(lib, x, operand)
        if changed:
            change(operand)
        return y
    return run


def _values_of(op):
    """A case: an op returning (values, indices), whose indices are changed in place."""
    def run(lib, x, changed: bool):
        values, indices = op(lib, x)
        if changed:
            indices.fill_(0)
        return values
    return run


def _mask(lib, x):
    return x > 0


def _index_rows(lib, x):
    return lib.tensor([[0, 1, 2], [2, 1, 0]])


def _flip_mask(mask):
    mask.logical_not_()


def _reverse_rows(index):
    index.copy_(index.flip(1))


def _fill_with(value):
    return lambda operand: operand.fill_(value)


# PyTorch saved these operands, and so does tinynn: the same error
RAISE_AS_TORCH = {
    "where": _changed_after(_mask, lambda lib, x, m: lib.where(m, x, lib.zeros(())), _flip_mask),
    "masked_fill": _changed_after(_mask, lambda lib, x, m: x.masked_fill(m, 0.0), _flip_mask),
    "gather": _changed_after(lambda lib, x: lib.tensor([[0], [1]]), lambda lib, x, i: x.gather(1, i),
                             _fill_with(2)),
    "scatter": _changed_after(_index_rows, lambda lib, x, i: lib.zeros(2, 3).scatter(1, i, x), _reverse_rows),
    "scatter_add": _changed_after(_index_rows, lambda lib, x, i: lib.zeros(2, 3).scatter_add(1, i, x),
                                  _reverse_rows),
    "embedding": _changed_after(lambda lib, x: lib.tensor([0, 1]),
                                lambda lib, x, i: lib.nn.functional.embedding(i, x), _fill_with(0)),
    "nll_loss": _changed_after(lambda lib, x: lib.tensor([0, 1]),
                               lambda lib, x, t: lib.nn.functional.nll_loss(x, t, reduction="none"), _fill_with(2)),
    "cross_entropy": _changed_after(lambda lib, x: lib.tensor([0, 1]),
                                    lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction="none"),
                                    _fill_with(2)),
    "max(dim)": _values_of(lambda lib, x: x.max(1)),
    "sort": _values_of(lambda lib, x: x.sort(1)),
    "topk": _values_of(lambda lib, x: x.topk(2, 1)),
    "cummax": _values_of(lambda lib, x: x.cummax(1)),
    "median(dim)": _values_of(lambda lib, x: x.median(1)),
}
# tinynn keeps its own copy of these indices (PyTorch saves them and raises)
FORWARD_VALUES = {
    "x[index]": _changed_after(lambda lib, x: lib.tensor([0, 0]), lambda lib, x, i: x[i], _fill_with(1)),
    "index_select": _changed_after(lambda lib, x: lib.tensor([0, 2]), lambda lib, x, i: x.index_select(1, i),
                                   _fill_with(1)),
    "index_add": _changed_after(lambda lib, x: lib.tensor([0, 2, 1]),
                                lambda lib, x, i: lib.zeros(2, 3).index_add(1, i, x), lambda i: i.copy_(i.flip(0))),
    "max_pool1d's indices": _values_of(
        lambda lib, x: lib.nn.functional.max_pool1d(x.unsqueeze(0), 2, return_indices=True)),
}


def _gradient(lib, op, change: bool):
    x = lib.tensor([[1.0, -2.0, 3.0], [-1.0, 5.0, 0.5]], requires_grad=True)
    y = op(lib, x, change)
    (y * lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
    return x.grad


@pytest.mark.parametrize("name", list(RAISE_AS_TORCH))
def test_an_index_mask_or_target_changed_in_place_raises_as_in_torch(name):
    op = RAISE_AS_TORCH[name]
    for lib in (torch, tinynn):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            _gradient(lib, op, change=True)
    assert_close(_gradient(tinynn, op, change=False), _gradient(torch, op, change=False))


@pytest.mark.parametrize("name", list(FORWARD_VALUES))
def test_an_index_changed_in_place_leaves_the_gradient_of_the_forward(name):
    # never another gradient: the one of the indices the forward pass used
    op = FORWARD_VALUES[name]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _gradient(torch, op, change=True)
    assert_close(_gradient(tinynn, op, change=True), _gradient(torch, op, change=False))


# -- a second backward without retain_graph -------------------------------------------------
# PyTorch raises "Trying to backward through the graph a second time" exactly when a node
# on the way saved a tensor; these ops save none (tinynn's and PyTorch's alike) or some
SECOND_BACKWARD = {
    "tril": (lambda lib, x: x.tril(), "ok"),
    "triu(1)": (lambda lib, x: x.triu(1), "ok"),
    "lerp (number weight)": (lambda lib, x: lib.lerp(x, x + 1, 0.25), "ok"),
    "x * 2 (the 2 is saved)": (lambda lib, x: x * 2, "error"),
    "x + 1": (lambda lib, x: x + 1, "ok"),
    "x.t()": (lambda lib, x: x.t(), "ok"),
    "cat": (lambda lib, x: lib.cat([x, x]), "ok"),
    "x * x": (lambda lib, x: x * x, "error"),
    "where": (lambda lib, x: lib.where(x > 0, x, 0.0), "error"),
    "gather": (lambda lib, x: x.gather(1, lib.tensor([[1], [0]])), "error"),
    "max(dim)": (lambda lib, x: x.max(1).values, "error"),
    "cross_entropy": (lambda lib, x: lib.nn.functional.cross_entropy(x, lib.tensor([1, 0])), "error"),
}


@pytest.mark.parametrize("name", list(SECOND_BACKWARD))
def test_a_second_backward_raises_exactly_where_torch_does(name):
    op, expected = SECOND_BACKWARD[name]
    for lib in (torch, tinynn):
        x = lib.tensor([[1.0, -2.0, 3.0], [-1.0, 5.0, 0.5]], requires_grad=True)
        y = op(lib, x).sum()
        y.backward()
        if expected == "ok":
            y.backward()  # the gradient is added in a second time
        else:
            with pytest.raises(RuntimeError, match="second time"):
                y.backward()
