"""``nn.utils`` against ``torch.nn.utils``: gradient clipping by norm and by value, and
``parameters_to_vector``/``vector_to_parameters``. (PackedSequence and its functions,
``nn.utils.rnn``, are in test_packed_sequence.py.)
"""
from __future__ import annotations

import warnings

import pytest
import torch

import tinynn
from tinynn.testing import assert_close

from helpers import randn

DTYPES = ["float32", "float64"]
TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64}
TINYNN_DTYPES = {"float32": tinynn.float32, "float64": tinynn.float64}


# -- gradient clipping -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("norm_type, max_norm", [(2.0, 1.0), (1.0, 2.0), (float("inf"), 0.5), (2.0, 100.0)])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype, device):
    grads = [randn(3, 4, seed=1) * 3, randn(5, seed=2)]
    ours = [tinynn.zeros(*g.shape, dtype=TINYNN_DTYPES[dtype], requires_grad=True) for g in grads]
    theirs = [torch.zeros(*g.shape, dtype=TORCH_DTYPES[dtype], device=device, requires_grad=True) for g in grads]
    for o, t, g in zip(ours, theirs, grads):
        o.grad = tinynn.tensor(g.astype(dtype))
        t.grad = torch.tensor(g.astype(dtype), device=device)
    total_o = tinynn.nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    total_t = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert_close(total_o, total_t, name="total norm")
    for o, t in zip(ours, theirs):
        assert_close(o.grad, t.grad, name="clipped grad")


def test_clip_grad_norm_nonfinite_error_matches_torch():
    o, t = tinynn.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    o.grad, t.grad = tinynn.tensor([float("nan"), 1.0, 2.0]), torch.tensor([float("nan"), 1.0, 2.0])
    with pytest.raises(RuntimeError) as ours:
        tinynn.nn.utils.clip_grad_norm_([o], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as theirs:
        torch.nn.utils.clip_grad_norm_([t], 1.0, error_if_nonfinite=True)
    assert str(ours.value) == str(theirs.value)


def test_clip_grad_value_matches_torch():
    g = randn(4, 5) * 3
    o, t = tinynn.zeros(4, 5, requires_grad=True), torch.zeros(4, 5, requires_grad=True)
    o.grad, t.grad = tinynn.tensor(g.astype("float32")), torch.tensor(g.astype("float32"))
    tinynn.nn.utils.clip_grad_value_(o, 1.5)
    torch.nn.utils.clip_grad_value_(t, 1.5)
    assert_close(o.grad, t.grad)


# -- parameters as one vector ----------------------------------------------------------------
def test_parameters_to_vector_and_back_match_torch():
    reference = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Linear(2, 1))
    ours = tinynn.nn.Sequential(tinynn.nn.Linear(3, 2), tinynn.nn.Linear(2, 1))
    ours.load_state_dict({k: tinynn.tensor(v.numpy()) for k, v in reference.state_dict().items()})
    vec_ours = tinynn.nn.utils.parameters_to_vector(ours.parameters())
    vec_theirs = torch.nn.utils.parameters_to_vector(reference.parameters())
    assert vec_ours.tolist() == vec_theirs.tolist() and vec_ours.requires_grad
    (vec_ours * tinynn.arange(11.0)).sum().backward()
    assert ours[0].weight.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    tinynn.nn.utils.vector_to_parameters(tinynn.arange(11.0), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.arange(11.0), reference.parameters())
    for (name, p), q in zip(ours.named_parameters(), reference.parameters()):
        assert p.tolist() == q.tolist(), name
    assert isinstance(ours[1].bias, tinynn.nn.Parameter) and ours[1].bias.requires_grad
    with pytest.raises(TypeError, match="expected tinynn.Tensor, but got: list"):
        tinynn.nn.utils.vector_to_parameters([1.0], ours.parameters())


# -- huge gradients --------------------------------------------------------------------------
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


def test_clip_grad_norm_of_an_infinite_gradient_gives_nan_without_a_numpy_warning():
    """An inf gradient makes the total norm inf and the scale 0: inf * 0 = nan, silently."""
    grads = []
    for lib in (torch, tinynn):
        parameter = lib.nn.Parameter(lib.ones(3))
        parameter.grad = lib.tensor([float("inf"), 1.0, 2.0])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            total = lib.nn.utils.clip_grad_norm_([parameter], 1.0)
        grads.append((float(total), str(parameter.grad.tolist())))
    assert grads[1] == grads[0]


def _clip(lib, norm_type, dtypes=("float32", "float32")):
    params = []
    for seed, (shape, dtype) in enumerate(zip([(3, 4), (5,)], dtypes)):
        grad = randn(*shape, seed=seed) * 3
        grad[0] = 0.0  # zeros, so that the 0-"norm" (the count of nonzeros) and -inf differ
        param = lib.zeros(*shape, dtype=getattr(lib, dtype), requires_grad=True)
        param.grad = lib.tensor(grad, dtype=getattr(lib, dtype))
        params.append(param)
    total = lib.nn.utils.clip_grad_norm_(params, 1.0, norm_type)
    return total, [p.grad for p in params]


@pytest.mark.parametrize("norm_type", [0, 0.5, 3, -float("inf"), "inf", "-inf", "2"])
def test_clip_grad_norm_takes_every_order_torch_takes(norm_type):
    (total_o, grads_o), (total_t, grads_t) = _clip(tinynn, norm_type), _clip(torch, norm_type)
    assert_close(total_o, total_t, name="total norm")
    for o, t in zip(grads_o, grads_t):
        assert_close(o, t, name="clipped grad")


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float16", "float32"), ("float64", "float32")])
def test_clip_grad_norm_total_has_the_promoted_dtype_like_torch(dtypes):
    (total_o, grads_o), (total_t, grads_t) = _clip(tinynn, 2.0, dtypes), _clip(torch, 2.0, dtypes)
    assert str(total_o.dtype).split(".")[-1] == str(total_t.dtype).split(".")[-1]
    assert_close(total_o, total_t, name="total norm")
    for o, t in zip(grads_o, grads_t):
        assert_close(o, t, name="clipped grad")


def test_clip_grad_norm_of_an_order_that_is_not_a_number_raises_like_torch():
    from helpers import assert_same_error
    assert_same_error(lambda lib: _clip(lib, "fro"), same_message=True)


@pytest.mark.parametrize("norm_type", [float("inf"), -float("inf")])
def test_clip_grad_norm_of_an_infinite_order_over_an_empty_gradient_raises_like_torch(norm_type):
    from helpers import assert_same_error

    def clip(lib):
        param = lib.zeros(0, requires_grad=True)
        param.grad = lib.zeros(0)
        lib.nn.utils.clip_grad_norm_([param], 1.0, norm_type)

    assert_same_error(clip)
