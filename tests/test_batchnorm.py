"""Batch normalisation (``F.batch_norm``, ``nn.BatchNorm1d``, ``nn.BatchNorm2d``) against
PyTorch: outputs and gradients in training mode, running statistics after several batches
(momentum, unbiased variance, cumulative average with momentum=None), evaluation with the
running statistics, the affine and track_running_stats options, state dicts and repr.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.autograd import gradcheck, gradgradcheck
from tinynn.testing import assert_close, compare_with_torch
from tinynn.utils.convert import state_dict_from_torch

from helpers import assert_same_error, randn

DTYPES = ["float32", "float64"]

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


SHAPES = {"1d_vectors": (6, 3), "1d_sequences": (4, 3, 5), "2d_maps": (3, 3, 4, 5)}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_batch_norm_training_matches_torch(shape, dtype, device):
    compare_with_torch(
        lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, training=True, eps=1e-3),
        2 * randn(*SHAPES[shape]) + 1, randn(3, seed=1), randn(3, seed=2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_training_without_affine_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True),
                       randn(4, 3, 2, 2), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_eval_matches_torch(dtype, device):
    mean, var = randn(3, seed=1), np.abs(randn(3, seed=2)) + 0.5
    compare_with_torch(  # running statistics are buffers: they never require grad
        lambda lib, x, w, b: lib.nn.functional.batch_norm(x, x.new_tensor(mean), x.new_tensor(var), w, b),
        randn(4, 3, 2, 2), randn(3, seed=3), randn(3, seed=4), dtype=dtype, device=device)


def test_running_statistics_that_require_grad_raise_like_torch():
    for lib in (torch, tinynn):
        stats = lib.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'running_mean'"):
            lib.nn.functional.batch_norm(lib.randn(4, 3), stats, lib.ones(3), training=True)


def test_batch_norm_gradcheck_and_gradgradcheck_float64():
    x = tinynn.tensor(randn(3, 2, 2, 3), requires_grad=True)
    w = tinynn.tensor(randn(2, seed=1), requires_grad=True)
    b = tinynn.tensor(randn(2, seed=2), requires_grad=True)
    fn = lambda x, w, b: tinynn.nn.functional.batch_norm(x, None, None, w, b, training=True)  # noqa: E731
    assert gradcheck(fn, (x, w, b)) and gradgradcheck(fn, (x, w, b))


def _pair(layer: str, dtype: str, **kwargs):
    """The same BatchNorm layer in both libraries, tinynn's with PyTorch's initial state."""
    theirs = getattr(torch.nn, layer)(3, dtype=getattr(torch, dtype), **kwargs)
    ours = getattr(tinynn.nn, layer)(3, dtype=getattr(tinynn, dtype), **kwargs)
    if kwargs.get("affine", True):
        with torch.no_grad():  # non-trivial affine parameters
            theirs.weight.copy_(torch.tensor(randn(3, seed=7)))
            theirs.bias.copy_(torch.tensor(randn(3, seed=8)))
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    return ours, theirs


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layer, shape", [("BatchNorm1d", (8, 3)), ("BatchNorm1d", (4, 3, 5)),
                                          ("BatchNorm2d", (4, 3, 5, 6))],
                         ids=["1d_2d_input", "1d_3d_input", "2d"])
@pytest.mark.parametrize("momentum", [0.1, 0.5, None], ids=["momentum_0.1", "momentum_0.5", "cumulative"])
def test_running_statistics_after_several_batches_match_torch(layer, shape, momentum, dtype, device):
    ours, theirs = _pair(layer, dtype, momentum=momentum)
    theirs = theirs.to(device)
    for step in range(4):
        x = 3 * randn(*shape, seed=step) + step  # the statistics drift from batch to batch
        t_x = torch.tensor(x, dtype=getattr(torch, dtype), device=device, requires_grad=True)
        o_x = tinynn.tensor(x, dtype=getattr(tinynn, dtype), requires_grad=True)
        t_out, o_out = theirs(t_x), ours(o_x)
        assert_close(o_out, t_out, name=f"training output, batch {step}")
        g = randn(*shape, seed=10 + step)
        t_out.backward(torch.tensor(g, dtype=t_out.dtype, device=device))
        o_out.backward(tinynn.tensor(g, dtype=o_out.dtype))
        assert_close(o_x.grad, t_x.grad, name=f"input grad, batch {step}")
    assert_close(ours.weight.grad, theirs.weight.grad, name="weight grad (4 batches)")
    assert_close(ours.bias.grad, theirs.bias.grad, name="bias grad (4 batches)")
    assert_close(ours.running_mean, theirs.running_mean, name="running_mean")
    assert_close(ours.running_var, theirs.running_var, name="running_var")
    assert_close(ours.num_batches_tracked, theirs.num_batches_tracked, name="num_batches_tracked")
    ours.eval()
    theirs.eval()
    x = randn(*shape, seed=99)
    assert_close(ours(tinynn.tensor(x, dtype=getattr(tinynn, dtype))),
                 theirs(torch.tensor(x, dtype=getattr(torch, dtype), device=device)), name="eval output")


def test_running_variance_is_unbiased_like_torch():
    bn = tinynn.nn.BatchNorm1d(1, momentum=1.0)
    x = np.array([[1.0], [2.0], [4.0]], dtype=np.float32)
    bn(tinynn.tensor(x))
    assert bn.running_var.item() == pytest.approx(np.var(x, ddof=1), rel=1e-6)
    assert bn.running_mean.item() == pytest.approx(np.mean(x), rel=1e-6)


def test_eval_output_does_not_depend_on_the_rest_of_the_batch():
    bn = tinynn.nn.BatchNorm2d(3)
    for seed in range(3):
        bn(tinynn.tensor(randn(4, 3, 2, 2, seed=seed).astype(np.float32)))
    bn.eval()
    batch = tinynn.tensor(randn(5, 3, 2, 2, seed=9).astype(np.float32))
    assert_close(bn(batch)[:1], bn(batch[:1]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_without_running_stats_eval_uses_batch_statistics_like_torch(dtype, device):
    ours, theirs = _pair("BatchNorm2d", dtype, track_running_stats=False, affine=False)
    ours.eval()
    theirs.eval()
    assert ours.running_mean is None and len(ours.state_dict()) == len(theirs.state_dict()) == 0
    x = randn(4, 3, 2, 2)
    assert_close(ours(tinynn.tensor(x, dtype=getattr(tinynn, dtype))),
                 theirs.to(device)(torch.tensor(x, dtype=getattr(torch, dtype), device=device)))


def test_state_dict_keys_shapes_and_dtypes_match_torch():
    ours, theirs = tinynn.nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4)
    assert [(k, tuple(v.shape), str(v.dtype).split(".")[-1]) for k, v in ours.state_dict().items()] == \
           [(k, tuple(v.shape), str(v.dtype).split(".")[-1]) for k, v in theirs.state_dict().items()]
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]


def test_default_parameters_and_buffers_match_torch():
    ours = tinynn.nn.BatchNorm1d(3)
    assert ours.weight.tolist() == [1, 1, 1] and ours.bias.tolist() == [0, 0, 0]
    assert ours.running_mean.tolist() == [0, 0, 0] and ours.running_var.tolist() == [1, 1, 1]
    assert ours.num_batches_tracked.item() == 0 and ours.num_batches_tracked.dtype is tinynn.int64


@pytest.mark.parametrize("kwargs", [{}, dict(momentum=None, affine=False), dict(eps=1e-3, track_running_stats=False)],
                         ids=["defaults", "no_affine_cumulative", "no_tracking"])
def test_batch_norm_repr_matches_torch(kwargs):
    for layer in ("BatchNorm1d", "BatchNorm2d"):
        assert repr(getattr(tinynn.nn, layer)(3, **kwargs)) == repr(getattr(torch.nn, layer)(3, **kwargs))


def test_reset_running_stats_matches_torch():
    bn = tinynn.nn.BatchNorm1d(2)
    bn(tinynn.randn(4, 2))
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0, 0] and bn.running_var.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0


def test_batchnorm_in_a_cnn_trains_identically_to_torch(device):
    """conv -> BatchNorm2d -> relu -> pool -> linear, two SGD steps, then eval: same numbers."""
    def build(lib):
        return lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3), lib.nn.BatchNorm2d(4), lib.nn.ReLU(),
                                 lib.nn.MaxPool2d(2), lib.nn.Flatten(), lib.nn.Linear(4 * 3 * 3, 3))

    torch.manual_seed(0)
    theirs = build(torch)
    ours = build(tinynn)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    theirs = theirs.to(device)
    t_opt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    o_opt = tinynn.optim.SGD(ours.parameters(), lr=0.1)
    x, y = randn(6, 1, 8, 8).astype(np.float32), np.array([0, 1, 2, 0, 1, 2])
    for _ in range(2):
        for lib, model, opt in ((torch, theirs, t_opt), (tinynn, ours, o_opt)):
            opt.zero_grad()
            xs = lib.tensor(x, device=device) if lib is torch else lib.tensor(x)
            ys = lib.tensor(y, device=device) if lib is torch else lib.tensor(y)
            lib.nn.functional.cross_entropy(model(xs), ys).backward()
            opt.step()
    for key, value in theirs.state_dict().items():
        assert_close(ours.state_dict()[key], value, name=key)
    ours.eval()
    theirs.eval()
    assert_close(ours(tinynn.tensor(x)), theirs(torch.tensor(x, device=device)), name="eval output")


@pytest.mark.parametrize("shape", [(0, 3), (1, 3, 0), (0, 3, 4)])
def test_batch_norm_of_an_empty_batch_in_training_returns_an_empty_result_like_torch(shape):
    """PyTorch's check counts N * prod(spatial) values per channel and refuses exactly 1;
    an empty batch (0 values) gives an empty result, leaves the running statistics as they
    were and gives the weight and bias zero gradients, without a warning."""
    results = []
    for lib in (torch, tinynn):
        x = lib.zeros(shape, requires_grad=True)
        weight, bias = lib.ones(3, requires_grad=True), lib.zeros(3, requires_grad=True)
        running_mean, running_var = lib.full((3,), 0.5), lib.full((3,), 2.0)
        out = lib.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training=True)
        out.sum().backward()
        results.append((tuple(out.shape), str(out.dtype).rsplit(".", 1)[-1], tuple(x.grad.shape),
                        running_mean.tolist(), running_var.tolist(), weight.grad.tolist(), bias.grad.tolist()))
    assert results[1] == results[0]
    assert results[0][:3] == (shape, "float32", shape)


@pytest.mark.parametrize("shape", [(1, 3), (1, 3, 1), (1, 3, 1, 1)])
def test_batch_norm_of_one_value_per_channel_in_training_raises_value_error_like_torch(shape):
    for lib in (torch, tinynn):
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            lib.nn.functional.batch_norm(lib.zeros(shape), None, None, training=True)


@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batch_norm_float16_input_with_float32_layer_stays_float16(training):
    """PyTorch allows float32 parameters and statistics with a float16 input; the output is float16."""
    x = randn(4, 3, 5, scale=2.0)
    outs = {}
    for lib in (tinynn, torch):
        layer = lib.nn.BatchNorm1d(3).train(training)
        outs[lib] = layer(lib.tensor(x, dtype=lib.float16))
    assert outs[tinynn].dtype is tinynn.float16 and outs[torch].dtype is torch.float16
    assert_close(outs[tinynn], outs[torch], name="output")


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("given", ["weight", "bias"])
def test_batch_norm_of_no_channels_with_a_weight_or_bias_raises_like_torch(given, training):
    """PyTorch returns early for an empty input, reading element 0 of the weight or bias: an
    IndexError where they are empty too (an instance_norm of an empty batch with affine
    parameters gets here)."""
    assert_same_error(lambda lib: lib.nn.functional.batch_norm(
        lib.zeros(1, 0, 4), lib.zeros(0), lib.ones(0), training=training, **{given: lib.zeros(0)}))
    assert_same_error(lambda lib: lib.nn.functional.instance_norm(lib.zeros(0, 3, 4), **{given: lib.zeros(3)}))


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_of_an_empty_input_returns_early_like_torch(training):
    """PyTorch checks nothing else for an empty input (not even the sizes of the statistics
    and parameters): a copy of it, times weight[0], plus bias[0]."""
    results = []
    for lib in (tinynn, torch):
        x = lib.zeros(0, 3, 4, dtype=lib.float64, requires_grad=True)
        out = lib.nn.functional.batch_norm(x, lib.zeros(5, dtype=lib.float64), None, lib.full((7,), 2.0, dtype=lib.float64),
                                           lib.ones(2, dtype=lib.float64), training=training)
        out.sum().backward()
        results.append((tuple(out.shape), str(out.dtype).rsplit(".", 1)[-1], tuple(x.grad.shape)))
    assert results[0] == results[1] == ((0, 3, 4), "float64", (0, 3, 4))
