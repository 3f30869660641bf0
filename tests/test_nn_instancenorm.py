"""``F.instance_norm`` and ``InstanceNorm1d`` / ``InstanceNorm2d`` against PyTorch: values and
gradients, running estimates in training and their use in evaluation, unbatched inputs,
reprs, state dicts, warnings and errors."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from helpers import assert_same_error, randn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4, 5, 6), (2, 3, 7), (2, 2, 2, 3, 2)])
def test_instance_norm_with_affine_parameters_matches_torch(shape, dtype, device):
    compare_with_torch(lambda lib, x, w, b: lib.nn.functional.instance_norm(x, weight=w, bias=b, eps=1e-3),
                       randn(*shape), randn(shape[1]), randn(shape[1]), dtype=dtype, device=device)


@pytest.mark.parametrize("dtype", DTYPES)
def test_instance_norm_without_parameters_matches_torch(dtype, device):
    compare_with_torch(lambda lib, x: lib.nn.functional.instance_norm(x), randn(2, 3, 4, 4), dtype=dtype,
                       device=device)


@pytest.mark.parametrize("module", ["InstanceNorm1d", "InstanceNorm2d"])
@pytest.mark.parametrize("kwargs", [dict(), dict(affine=True), dict(track_running_stats=True),
                                    dict(affine=True, track_running_stats=True, momentum=None)],
                         ids=["defaults", "affine", "running_stats", "affine_cumulative"])
def test_module_in_training_and_evaluation_matches_torch(module, kwargs):
    """Three training steps (running estimates updated as the average of each sample's),
    then evaluation (running estimates used when tracked, each sample's own otherwise)."""
    shape = (3, 4, 6) if module == "InstanceNorm1d" else (3, 4, 5, 6)
    rng = np.random.default_rng(0)
    inputs = [rng.standard_normal(shape) * (i + 1) for i in range(4)]
    results = []
    for lib in (tinynn, torch):
        m = getattr(lib.nn, module)(4, **kwargs).double()
        if m.weight is not None:
            with lib.no_grad():
                m.weight.copy_(lib.tensor(np.linspace(0.5, 2.0, 4)))
                m.bias.copy_(lib.tensor(np.linspace(-1.0, 1.0, 4)))
        outputs, grads = [], []
        for x0 in inputs[:3]:
            x = lib.tensor(x0, requires_grad=True)
            y = m(x)
            (y * lib.tensor(x0)).sum().backward()
            outputs.append(y.detach().numpy())
            grads.append(x.grad.numpy())
        m.eval()
        outputs.append(m(lib.tensor(inputs[3])).detach().numpy())
        stats = [] if m.running_mean is None else [m.running_mean.numpy(), m.running_var.numpy()]
        results.append((outputs, grads, stats, repr(m), list(m.state_dict())))
    (ours, our_grads, our_stats, our_repr, our_keys), (theirs, their_grads, their_stats, their_repr, their_keys) = results
    for a, b in zip(ours + our_grads + our_stats, theirs + their_grads + their_stats):
        assert_close(a, b, rtol=1e-10, atol=1e-12)
    assert our_repr == their_repr and our_keys == their_keys


def test_a_sample_without_its_batch_dim_is_normalised_as_a_batch_of_one():
    x = randn(4, 5, 6).astype(np.float32)
    ours, theirs = (lib.nn.InstanceNorm2d(4, affine=True)(lib.tensor(x)).detach().numpy() for lib in (tinynn, torch))
    assert ours.shape == (4, 5, 6)
    assert_close(ours, theirs)


def test_a_channel_count_other_than_num_features_is_warned_about_without_affine():
    for lib in (tinynn, torch):
        with pytest.warns(UserWarning, match="does not match num_features"):
            lib.nn.InstanceNorm1d(5)(lib.zeros(2, 3, 4))


ERRORS = {
    "1d_of_a_4d_input": lambda lib: lib.nn.InstanceNorm1d(3)(lib.zeros(2, 3, 4, 4)),
    "2d_of_a_2d_input": lambda lib: lib.nn.InstanceNorm2d(3)(lib.zeros(3, 4)),
    "affine_channel_mismatch": lambda lib: lib.nn.InstanceNorm2d(5, affine=True)(lib.zeros(2, 3, 4, 4)),
    "one_spatial_element": lambda lib: lib.nn.functional.instance_norm(lib.zeros(2, 3, 1)),
    "no_running_stats_without_input_stats": lambda lib: lib.nn.functional.instance_norm(
        lib.zeros(2, 3, 4), use_input_stats=False),
    "running_mean_of_the_wrong_size": lambda lib: lib.nn.functional.instance_norm(
        lib.zeros(2, 3, 4), running_mean=lib.zeros(4), running_var=lib.ones(4)),
    "integer_input": lambda lib: lib.nn.functional.instance_norm(lib.zeros(2, 3, 4, dtype=lib.int64)),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_bad_inputs_raise_torchs_error(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the channel mismatch is also warned about where not affine)
        assert_same_error(ERRORS[case])
