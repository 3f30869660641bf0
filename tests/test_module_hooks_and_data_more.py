"""Against PyTorch: full backward (pre-)hooks on a Linear and a Sequential, ``get_buffer``,
``named_buffers``' prefix and recurse, ``parameters_to_vector``/``vector_to_parameters``,
``WeightedRandomSampler``, and an ``IterableDataset`` in a DataLoader.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import to_numpy


def as_lists(grads: tuple) -> list:
    return [None if g is None else to_numpy(g).tolist() for g in grads]


def assert_same_record(ours, theirs) -> None:
    """Equal structure (names, Nones); numbers equal to float32 rounding."""
    if isinstance(ours, (list, tuple)):
        assert isinstance(theirs, (list, tuple)) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            assert_same_record(a, b)
    elif isinstance(ours, float):
        assert ours == pytest.approx(theirs, rel=1.3e-6, abs=1e-5)
    else:
        assert ours == theirs


def hooked_run(lib, state: dict, input_requires_grad: bool = True) -> list:
    """A Sequential with full backward hooks on it and its layers; what the hooks saw, and x.grad."""
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    seen = []

    def record(name):
        def hook(module, grad_input, grad_output):
            assert module is model or module in list(model)
            seen.append((name, as_lists(grad_input), as_lists(grad_output)))
        return hook

    model.register_full_backward_hook(record("model"))
    model[0].register_full_backward_hook(record("first"))
    model[2].register_full_backward_pre_hook(lambda module, grad_output: (grad_output[0] * 3,))
    model[2].register_full_backward_hook(record("last"))
    model[2].register_full_backward_hook(lambda module, grad_input, grad_output: (grad_input[0] * 2,))
    x = lib.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3) / 6, requires_grad=input_requires_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn when no input requires grad (checked below)
        model(x).pow(2).sum().backward()
    seen.append(("weight grad", as_lists((model[0].weight.grad,))))
    if input_requires_grad:
        seen.append(("x grad", as_lists((x.grad,))))
    return seen


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_match_torch(input_requires_grad):
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    state = {k: v.numpy() for k, v in reference.state_dict().items()}
    assert_same_record(hooked_run(tinynn, state, input_requires_grad), hooked_run(torch, state, input_requires_grad))


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_full_backward_hook_on_a_linear_and_its_removal(lib):
    layer = lib.nn.Linear(3, 2)
    calls = []
    handle = layer.register_full_backward_hook(lambda m, gi, go: calls.append((len(gi), len(go), gi[0].shape)))
    layer(lib.ones(4, 3, requires_grad=True)).sum().backward()
    assert calls == [(1, 1, (4, 3))]
    handle.remove()
    layer(lib.ones(4, 3, requires_grad=True)).sum().backward()
    assert len(calls) == 1
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        layer.register_full_backward_hook(lambda m, gi, go: calls.append(gi))
        layer(lib.ones(4, 3)).sum().backward()
    assert calls[-1] == (None,)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_full_backward_hook_with_several_inputs_and_outputs(lib):
    class Two(lib.nn.Module):
        def forward(self, a, b, k):
            return a * b * k, a + 1

    seen = []
    module = Two()
    module.register_full_backward_hook(lambda m, gi, go: seen.append((as_lists(gi), as_lists(go))))
    a, b = lib.ones(2, requires_grad=True), lib.full((2,), 2.0, requires_grad=True)
    first, _ = module(a, b, 3.0)
    first.sum().backward()
    assert seen == [([[6.0, 6.0], [3.0, 3.0], None], [[1.0, 1.0], None])]


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_backward_hook_returning_the_wrong_number_of_gradients_raises(lib):
    layer = lib.nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but "
                                           "expected 1"):
        layer(lib.ones(1, 2, requires_grad=True)).sum().backward()


def test_forward_pre_hook_with_kwargs_matches_torch():
    def run(lib):
        layer = lib.nn.Linear(2, 2)
        layer.register_forward_pre_hook(lambda m, args, kwargs: ((args[0] * 0,), kwargs), with_kwargs=True)
        return layer(lib.ones(1, 2)).detach().numpy().tolist() == [layer.bias.detach().numpy().tolist()]

    assert run(tinynn) and run(torch)


def build_net(lib):
    net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3), lib.nn.Sequential(lib.nn.BatchNorm1d(3)))
    net.register_buffer("scale", lib.ones(1))
    return net


def test_get_buffer_and_named_buffers_match_torch():
    ours, theirs = build_net(tinynn), build_net(torch)
    for target in ("1.running_mean", "2.0.num_batches_tracked", "scale"):
        assert ours.get_buffer(target).tolist() == theirs.get_buffer(target).tolist()
    for kwargs in [{}, dict(prefix="net"), dict(recurse=False), dict(prefix="m", recurse=False)]:
        assert [n for n, _ in ours.named_buffers(**kwargs)] == [n for n, _ in theirs.named_buffers(**kwargs)]
    for target, match in [("1.weight", "is not a buffer"), ("1.nothing", "has no attribute `nothing`"),
                          ("5.running_mean", "has no attribute `5`")]:
        for net in (ours, theirs):
            with pytest.raises(AttributeError, match=match):
                net.get_buffer(target)
    assert ours.get_parameter("0.weight").shape == theirs.get_parameter("0.weight").shape


# -- nn.utils ------------------------------------------------------------------------------------
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


# -- data ----------------------------------------------------------------------------------------
def test_weighted_random_sampler_draws_by_weight():
    weights = [0.0, 1.0, 3.0, 0.0, 6.0]
    sampler = tinynn.utils.data.WeightedRandomSampler(weights, num_samples=20000,
                                                      generator=tinynn.Generator().manual_seed(0))
    draws = np.array(list(sampler))
    assert len(sampler) == len(draws) == 20000
    counts = np.bincount(draws, minlength=5) / len(draws)
    assert counts[0] == counts[3] == 0.0
    np.testing.assert_allclose(counts, np.array(weights) / 10, atol=0.02)  # sampling noise ~0.004
    again = tinynn.utils.data.WeightedRandomSampler(weights, 20000, generator=tinynn.Generator().manual_seed(0))
    assert list(again) == draws.tolist()
    assert sampler.weights.dtype == tinynn.float64
    without = tinynn.utils.data.WeightedRandomSampler(weights, 3, replacement=False)
    assert sorted(without) == [1, 2, 4]


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_weighted_random_sampler_errors_match_torch(lib):
    sampler_cls = lib.utils.data.WeightedRandomSampler
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        sampler_cls([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=1"):
        sampler_cls([1.0, 2.0], 2, replacement=1)
    with pytest.raises(ValueError, match="weights should be a 1d sequence"):
        sampler_cls([[1.0, 2.0]], 2)
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist.size"):
        list(sampler_cls([1.0, 0.0, 2.0], 4, replacement=False))
    assert sorted(sampler_cls([1.0, 0.0, 2.0], 3, replacement=False))[1:] == [1, 2]
    assert list(sampler_cls([1.0, 0.0, 2.0], 3, replacement=False))[2] == 1  # the zero weight comes last


def make_stream(lib, n: int, with_len: bool):
    class Stream(lib.utils.data.IterableDataset):
        def __iter__(self):
            assert lib.utils.data.get_worker_info() is None
            return iter([(lib.tensor([float(i), float(i * i)]), i) for i in range(n)])

    if with_len:
        Stream.__len__ = lambda self: n
    return Stream()


def batches(lib, **kwargs) -> list:
    loader = lib.utils.data.DataLoader(make_stream(lib, 7, True), **kwargs)
    out = [(x.tolist(), y.tolist() if hasattr(y, "tolist") else y) for x, y in loader]
    return out, len(loader)


@pytest.mark.parametrize("kwargs", [{}, dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=7), dict(batch_size=None)])
def test_iterable_dataset_in_a_dataloader_matches_torch(kwargs):
    assert batches(tinynn, **kwargs) == batches(torch, **kwargs)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_iterable_dataset_errors_match_torch(lib):
    data = make_stream(lib, 4, False)
    with pytest.raises(ValueError, match="expected unspecified shuffle option, but got shuffle=True"):
        lib.utils.data.DataLoader(data, shuffle=True)
    with pytest.raises(ValueError, match="expected unspecified sampler option"):
        lib.utils.data.DataLoader(data, sampler=[0, 1])
    with pytest.raises(TypeError):
        len(lib.utils.data.DataLoader(data))
    chained = make_stream(lib, 2, True) + make_stream(lib, 3, True)
    assert isinstance(chained, lib.utils.data.ChainDataset) and len(chained) == 5
    assert [y for _, y in chained] == [0, 1, 0, 1, 2]
