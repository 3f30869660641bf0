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
