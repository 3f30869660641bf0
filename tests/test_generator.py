"""tinynn.random and Generator against torch's: the API, types, seeds and errors.

The streams differ by design (book/deviations.md), so only reproducibility within tinynn
is checked, never the numbers themselves.
"""
import numpy as np
import pytest
import torch

import tinynn
import tinynn.random


def _outcome(fn):
    """("ok", value) or the exception's type name, to compare both libraries' behaviour."""
    try:
        return "ok", fn()
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return type(error).__name__


@pytest.mark.parametrize("seed", [0, 3, 2 ** 63, 2 ** 64 - 1, -1, -5, -2 ** 63])
def test_generator_manual_seed_sets_initial_seed_like_torch(seed):
    assert (tinynn.Generator().manual_seed(seed).initial_seed()
            == torch.Generator().manual_seed(seed).initial_seed())


@pytest.mark.parametrize("seed", [2 ** 64, -2 ** 63 - 1, 1.5, "1", True, np.int64(5), tinynn.tensor(5), None])
def test_generator_manual_seed_rejects_what_torch_rejects(seed):
    torch_seed = torch.tensor(5) if isinstance(seed, tinynn.Tensor) else seed
    expected = _outcome(lambda: torch.Generator().manual_seed(torch_seed))
    assert expected != "ok"
    assert _outcome(lambda: tinynn.Generator().manual_seed(seed)) == expected


@pytest.mark.parametrize("seed", [7, -5, 1.5, "3", 2 ** 64, "x"])
def test_module_manual_seed_converts_with_int_like_torch(seed):
    theirs = _outcome(lambda: torch.manual_seed(seed).initial_seed())
    ours = _outcome(lambda: tinynn.manual_seed(seed).initial_seed())
    tinynn.manual_seed(0)
    assert ours == theirs


def test_manual_seed_returns_the_default_generator():
    assert tinynn.manual_seed(3) is tinynn.random.default_generator


def test_fresh_generator_has_torchs_default_initial_seed():
    assert tinynn.Generator().initial_seed() == torch.Generator().initial_seed()


@pytest.mark.parametrize("device", ["cpu", "cpu:0"])
def test_generator_device_attribute(device):
    assert str(tinynn.Generator(device).device) == str(torch.Generator(device).device)


def test_generator_seed_returns_the_new_initial_seed():
    for lib in (tinynn, torch):
        g = lib.Generator()
        value = g.seed()
        assert type(value) is int and value == g.initial_seed()


def test_module_seed_takes_no_argument_and_returns_the_seed():
    value = tinynn.seed()
    assert type(value) is int and value == tinynn.initial_seed()
    with pytest.raises(TypeError):
        tinynn.seed(3)
    tinynn.manual_seed(0)


@pytest.mark.parametrize("draw", ["rand", "randn", "randperm"])
def test_set_state_replays_the_stream(draw):
    make = {"rand": lambda g: tinynn.rand(5, generator=g), "randn": lambda g: tinynn.randn(5, generator=g),
            "randperm": lambda g: tinynn.randperm(9, generator=g)}[draw]
    g = tinynn.Generator().manual_seed(11)
    make(g)
    state = g.get_state()
    first = make(g).tolist()
    assert g.set_state(state) is g
    assert make(g).tolist() == first


def test_set_state_restores_initial_seed_like_torch():
    for lib in (tinynn, torch):
        g = lib.Generator().manual_seed(1)
        state = g.get_state()
        g.manual_seed(5)
        g.set_state(state)
        assert g.initial_seed() == 1


def test_module_rng_state_round_trip():
    tinynn.manual_seed(4)
    state = tinynn.random.get_rng_state()
    first = tinynn.rand(3).tolist()
    tinynn.random.set_rng_state(state)
    assert tinynn.rand(3).tolist() == first


@pytest.mark.parametrize("state", [[1, 2], "state", None])
def test_set_state_rejects_what_is_not_a_state(state):
    # (PyTorch's state is a uint8 tensor, tinynn's numpy's state dict: the Deviations page)
    with pytest.raises(TypeError):
        tinynn.Generator().set_state(state)


@pytest.mark.parametrize("name", ["get_rng_state", "set_rng_state", "default_generator", "testing"])
def test_the_top_level_names_of_torchs_random_state_and_testing_exist(name):
    assert hasattr(torch, name) and hasattr(tinynn, name)


def test_top_level_rng_state_round_trip_like_torch():
    for lib in (torch, tinynn):
        lib.manual_seed(7)
        state = lib.get_rng_state()
        first = lib.rand(3).tolist()
        lib.set_rng_state(state)
        assert lib.rand(3).tolist() == first
    assert tinynn.default_generator is tinynn.random.default_generator
