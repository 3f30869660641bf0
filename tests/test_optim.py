"""Optimizers against ``torch.optim``: the same parameters and the same gradients, step after
step, for every option of SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, NAdam and
RAdam; the parameters *and* the optimizer state are compared after each step. Also state dicts (PyTorch's format, loadable
across the two libraries), parameter groups, closures, the ValueErrors for bad
hyperparameters, and pytorch/examples' MNIST recipe (Adadelta with StepLR).
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close
from tinynn.utils.convert import state_dict_from_torch, state_dict_to_torch

from helpers import assert_same_error

DTYPES = ["float32", "float64"]
SHAPES = [(3, 4), (5,), ()]
STEPS = 8

CONFIGS = {
    "SGD": [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9, dampening=0.5),
            dict(lr=0.05, momentum=0.9, nesterov=True), dict(lr=0.1, weight_decay=0.1),
            dict(lr=0.1, momentum=0.8, weight_decay=0.05, nesterov=True), dict(lr=0.1, maximize=True, momentum=0.5)],
    "Adam": [dict(lr=0.01), dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6), dict(lr=0.01, amsgrad=True),
             dict(lr=0.01, weight_decay=0.1), dict(lr=0.01, weight_decay=0.1, amsgrad=True),
             dict(lr=0.01, maximize=True), dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)],
    "AdamW": [dict(lr=0.01), dict(lr=0.01, weight_decay=0.3), dict(lr=0.01, amsgrad=True, weight_decay=0.1)],
    "RMSprop": [dict(lr=0.01), dict(lr=0.01, alpha=0.9), dict(lr=0.01, momentum=0.9), dict(lr=0.01, centered=True),
                dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1), dict(lr=0.01, maximize=True)],
    "Adadelta": [dict(), dict(lr=0.5, rho=0.8), dict(lr=1.0, eps=1e-4, weight_decay=0.1), dict(lr=0.5, maximize=True)],
    "Adamax": [dict(), dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6), dict(lr=0.01, weight_decay=0.1),
               dict(lr=0.01, maximize=True)],
    "NAdam": [dict(), dict(lr=0.01, momentum_decay=0.01), dict(lr=0.01, weight_decay=0.1),
              dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.01, maximize=True, betas=(0.8, 0.95))],
    # rho_t passes 5 at the 6th step with beta2 = 0.999 (of 8), at the 3rd with 0.9: both branches
    "RAdam": [dict(), dict(lr=0.01, betas=(0.8, 0.9)), dict(lr=0.01, weight_decay=0.1),
              dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), dict(lr=0.01, maximize=True, betas=(0.9, 0.9))],
}
CASES = [(name, i) for name, configs in CONFIGS.items() for i in range(len(configs))]


def make_params(dtype: str, device: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ours = [tinynn.nn.Parameter(tinynn.tensor(a)) for a in arrays]
    theirs = [torch.nn.Parameter(torch.tensor(a, device=device)) for a in arrays]
    return ours, theirs


def set_grads(ours, theirs, rng, device):
    for o, t in zip(ours, theirs):
        g = rng.standard_normal(tuple(o.shape)).astype(o.numpy(force=True).dtype)
        o.grad = tinynn.tensor(g)
        t.grad = torch.tensor(g, device=device)


def assert_same_state(ours_opt, theirs_opt):
    """Both optimizers hold the same per-parameter state (keys, then values)."""
    ours_sd, theirs_sd = ours_opt.state_dict(), theirs_opt.state_dict()
    assert list(ours_sd["state"]) == list(theirs_sd["state"])
    for idx, state in theirs_sd["state"].items():
        assert list(ours_sd["state"][idx]) == list(state), f"state keys of param {idx}"
        for key, value in state.items():
            assert_close(ours_sd["state"][idx][key], value, name=f"state[{idx}][{key!r}]")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, config", CASES)
def test_optimizer_matches_torch_step_by_step(name, config, dtype, device):
    kwargs = CONFIGS[name][config]
    ours, theirs = make_params(dtype, device)
    ours_opt = getattr(tinynn.optim, name)(ours, **kwargs)
    theirs_opt = getattr(torch.optim, name)(theirs, **kwargs)
    rng = np.random.default_rng(1)
    for step in range(STEPS):
        set_grads(ours, theirs, rng, device)
        ours_opt.step()
        theirs_opt.step()
        for k, (o, t) in enumerate(zip(ours, theirs)):
            assert_close(o, t.detach(), name=f"param {k} after step {step + 1}")
        assert_same_state(ours_opt, theirs_opt)


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_parameters_without_grad_are_skipped_like_torch(name):
    ours, theirs = make_params("float64", "cpu")
    ours_opt = getattr(tinynn.optim, name)(ours, **CONFIGS[name][-1])
    theirs_opt = getattr(torch.optim, name)(theirs, **CONFIGS[name][-1])
    rng = np.random.default_rng(1)
    for _ in range(3):
        set_grads(ours[:2], theirs[:2], rng, "cpu")
        ours_opt.step()
        theirs_opt.step()
    for o, t in zip(ours, theirs):
        assert_close(o, t.detach())
    assert list(ours_opt.state_dict()["state"]) == list(theirs_opt.state_dict()["state"]) == [0, 1]


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_param_groups_with_their_own_lr_match_torch(name):
    ours, theirs = make_params("float64", "cpu")
    base = {k: v for k, v in CONFIGS[name][1].items() if k != "lr"}
    ours_opt = getattr(tinynn.optim, name)([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.3}], lr=0.01, **base)
    theirs_opt = getattr(torch.optim, name)([{"params": theirs[:1]}, {"params": theirs[1:], "lr": 0.3}], lr=0.01, **base)
    rng = np.random.default_rng(2)
    for _ in range(4):
        set_grads(ours, theirs, rng, "cpu")
        ours_opt.step()
        theirs_opt.step()
    for o, t in zip(ours, theirs):
        assert_close(o, t.detach())


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_state_dict_has_torchs_format(name):
    ours, theirs = make_params("float32", "cpu")
    ours_opt = getattr(tinynn.optim, name)([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.5}],
                                           **CONFIGS[name][-1])
    theirs_opt = getattr(torch.optim, name)([{"params": theirs[:2]}, {"params": theirs[2:], "lr": 0.5}],
                                            **CONFIGS[name][-1])
    set_grads(ours, theirs, np.random.default_rng(3), "cpu")
    ours_opt.step()
    theirs_opt.step()
    ours_sd, theirs_sd = ours_opt.state_dict(), theirs_opt.state_dict()
    assert ours_sd["param_groups"] == theirs_sd["param_groups"]  # same keys, values, param indices
    assert_same_state(ours_opt, theirs_opt)
    assert all(ours_sd["state"][i][k].shape == v.shape for i, s in theirs_sd["state"].items() for k, v in s.items())


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_training_continues_across_libraries_via_state_dicts(name):
    """Start in PyTorch, move model and optimizer to tinynn, go on; then back to PyTorch."""
    kwargs = CONFIGS[name][-1]
    ours, theirs = make_params("float64", "cpu")
    theirs_opt = getattr(torch.optim, name)(theirs, **kwargs)
    ours_opt = getattr(tinynn.optim, name)(ours, **kwargs)
    rng = np.random.default_rng(4)
    for _ in range(3):
        set_grads(ours, theirs, rng, "cpu")
        theirs_opt.step()
    with tinynn.no_grad():
        for o, t in zip(ours, theirs):
            o.copy_(tinynn.tensor(t.detach().numpy()))
    ours_opt.load_state_dict(state_dict_from_torch(theirs_opt.state_dict()))
    for _ in range(3):
        set_grads(ours, theirs, rng, "cpu")
        theirs_opt.step()
        ours_opt.step()
    for o, t in zip(ours, theirs):
        assert_close(o, t.detach())
    back = [torch.nn.Parameter(torch.tensor(o.detach().numpy())) for o in ours]
    back_opt = getattr(torch.optim, name)(back, **kwargs)
    back_opt.load_state_dict(state_dict_to_torch(ours_opt.state_dict()))
    set_grads(ours, back, rng, "cpu")
    ours_opt.step()
    back_opt.step()
    for o, t in zip(ours, back):
        assert_close(o, t.detach())


def test_load_state_dict_casts_state_to_the_parameter_dtype():
    p = tinynn.nn.Parameter(tinynn.zeros(3, dtype=tinynn.float64))
    opt = tinynn.optim.Adam([p])
    source = tinynn.optim.Adam([tinynn.nn.Parameter(tinynn.zeros(3))])
    source.param_groups[0]["params"][0].grad = tinynn.ones(3)
    source.step()
    opt.load_state_dict(source.state_dict())
    assert opt.state[p]["exp_avg"].dtype is tinynn.float64
    assert opt.state[p]["step"].dtype is tinynn.float32  # "step" is never cast, as in PyTorch


def test_load_state_dict_with_wrong_groups_raises_like_torch():
    for lib in (tinynn, torch):
        a, b = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
        two_groups = lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1).state_dict()
        with pytest.raises(ValueError, match="different number of parameter groups"):
            lib.optim.SGD([a, b], lr=0.1).load_state_dict(two_groups)
        with pytest.raises(ValueError, match="doesn't match the size"):
            lib.optim.SGD([a], lr=0.1).load_state_dict(lib.optim.SGD([a, b], lr=0.1).state_dict())


def test_optimizer_zero_grad_sets_to_none_or_zero():
    p = tinynn.nn.Parameter(tinynn.ones(3))
    opt = tinynn.optim.SGD([p], lr=0.1)
    p.grad = tinynn.ones(3)
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_with_closure_returns_the_loss_and_updates():
    for lib in (tinynn, torch):
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.SGD([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        assert opt.step(closure).item() == 5.0
        assert p.tolist() == pytest.approx([0.8, -1.6])


def test_add_param_group_fills_defaults_like_torch():
    for lib in (tinynn, torch):
        a, b = lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.SGD([a], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": b, "lr": 0.5})
        assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.5
        with pytest.raises(ValueError, match="more than one parameter group"):
            opt.add_param_group({"params": [a]})


def test_optimizer_repr_matches_torch():
    for name in sorted(CONFIGS):
        ours = getattr(tinynn.optim, name)([{"params": [tinynn.nn.Parameter(tinynn.zeros(1))]},
                                            {"params": [tinynn.nn.Parameter(tinynn.zeros(1))], "lr": 0.5}])
        theirs = getattr(torch.optim, name)([{"params": [torch.nn.Parameter(torch.zeros(1))]},
                                             {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5}])
        assert repr(ours) == repr(theirs)


BAD_HYPERPARAMETERS = [
    ("SGD", dict(lr=-1)), ("SGD", dict(lr=0.1, momentum=-1)), ("SGD", dict(lr=0.1, weight_decay=-1)),
    ("SGD", dict(lr=0.1, nesterov=True)), ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-0.1)), ("Adam", dict(betas=(1.0, 0.9))), ("Adam", dict(betas=(0.9, -0.1))),
    ("Adam", dict(eps=-1)), ("Adam", dict(weight_decay=-1)), ("AdamW", dict(lr=-1)),
    ("RMSprop", dict(alpha=-1)), ("RMSprop", dict(momentum=-1)), ("RMSprop", dict(eps=-1)),
    ("Adam", dict(betas=(0, 0.9))), ("AdamW", dict(betas=(0.5, 0))),  # betas must be floats
    ("Adamax", dict(betas=(1.0, 0.9))), ("Adamax", dict(eps=-1)), ("Adamax", dict(weight_decay=-1)),
    ("NAdam", dict(momentum_decay=-1)), ("NAdam", dict(betas=(0.9, 1.0))), ("NAdam", dict(lr=-1)),
    ("RAdam", dict(eps=-1)), ("RAdam", dict(betas=(-0.1, 0.9))), ("RAdam", dict(weight_decay=-1)),
]


@pytest.mark.parametrize("name, kwargs", BAD_HYPERPARAMETERS)
def test_invalid_hyperparameters_raise_value_error_like_torch(name, kwargs):
    with pytest.raises(ValueError) as ours:
        getattr(tinynn.optim, name)([tinynn.nn.Parameter(tinynn.zeros(2))], **kwargs)
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("case", ["single_tensor", "empty", "non_leaf", "not_a_tensor", "set_in_group"])
def test_bad_params_raise_like_torch(case):
    def run(lib):
        p = lib.nn.Parameter(lib.zeros(2))
        params = {"single_tensor": p, "empty": [], "non_leaf": [p * 2], "not_a_tensor": [p, 3],
                  "set_in_group": [{"params": {p}}]}[case]
        lib.optim.SGD(params, lr=0.1)

    with pytest.raises(Exception) as ours:
        run(tinynn)
    with pytest.raises(Exception) as theirs:
        run(torch)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value).replace("torch.", "tinynn.")


@pytest.mark.parametrize("name", sorted(CONFIGS) + ["Adagrad"])
def test_tensor_lr_must_have_one_element_like_torch(name):
    def make(lib):
        getattr(lib.optim, name)([lib.nn.Parameter(lib.zeros(2))], lr=lib.tensor([0.1, 0.2]))

    assert_same_error(make, same_message=True)


@pytest.mark.parametrize("name", sorted(CONFIGS) + ["Adagrad"])
def test_tensor_lr_steps_like_a_number_like_torch(name):
    ours, theirs = make_params("float64", "cpu")
    config = ADAGRAD[-1] if name == "Adagrad" else CONFIGS[name][-1]
    kwargs = {k: v for k, v in config.items() if k != "lr"}
    ours_opt = getattr(tinynn.optim, name)(ours, lr=tinynn.tensor(0.05, dtype=tinynn.float64), **kwargs)
    theirs_opt = getattr(torch.optim, name)(theirs, lr=torch.tensor(0.05, dtype=torch.float64), **kwargs)
    rng = np.random.default_rng(6)
    for _ in range(3):
        set_grads(ours, theirs, rng, "cpu")
        ours_opt.step()
        theirs_opt.step()
    for o, t in zip(ours, theirs):
        assert_close(o, t.detach())


@pytest.mark.parametrize("name", ["Adam", "AdamW"])
def test_betas_given_as_a_list_are_stored_as_a_tuple_like_torch(name):
    def groups(lib):
        opt = getattr(lib.optim, name)([lib.nn.Parameter(lib.zeros(2))], betas=[0.5, 0.9])
        return opt.param_groups[0]["betas"], opt.defaults["betas"], repr(opt)

    assert groups(tinynn) == groups(torch)


def test_add_param_group_with_a_non_dict_raises_like_torch():
    def run(lib):
        lib.optim.SGD([lib.nn.Parameter(lib.zeros(2))], lr=0.1).add_param_group([lib.nn.Parameter(lib.zeros(2))])

    assert_same_error(run, same_message=True)


def test_non_leaf_that_retains_grad_can_be_optimized_like_torch():
    def train(lib):
        leaf = lib.tensor([1.0, -2.0], requires_grad=True)
        hidden = leaf * 3
        hidden.retain_grad()
        opt = lib.optim.SGD([hidden], lr=0.1)
        (hidden * hidden).sum().backward()
        opt.step()
        return hidden.tolist()

    assert train(tinynn) == pytest.approx(train(torch))


# -- named parameters (model.named_parameters() given to the optimizer) ----------------------
def named_model(lib):
    model = lib.nn.Linear(3, 2)
    with lib.no_grad():
        model.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3) / 10))
        model.bias.copy_(lib.tensor([0.5, -0.5]))
    return model


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_named_parameters_are_kept_as_param_names_like_torch(name):
    def train(lib):
        model = named_model(lib)
        opt = getattr(lib.optim, name)(model.named_parameters(), **CONFIGS[name][-1])
        for _ in range(3):
            opt.zero_grad()
            model(lib.ones(4, 3)).pow(2).sum().backward()
            opt.step()
        return (opt.param_groups[0]["param_names"], opt.state_dict()["param_groups"], repr(opt),
                [p.tolist() for p in model.parameters()])

    ours, theirs = train(tinynn), train(torch)
    assert ours[:3] == theirs[:3]
    for o, t in zip(ours[3], theirs[3]):
        assert np.allclose(o, t, rtol=1e-5, atol=1e-6)


def test_named_parameter_groups_keep_their_names_like_torch():
    def groups(lib):
        model = named_model(lib)
        opt = lib.optim.Adam([{"params": [("weight", model.weight)]}], lr=0.1)
        opt.add_param_group({"params": [("bias", model.bias)], "lr": 0.5})
        return opt.state_dict()["param_groups"]

    assert groups(tinynn) == groups(torch)


@pytest.mark.parametrize("case", ["names_for_some_params", "group_without_names_added", "group_with_names_added"])
def test_mixing_named_and_unnamed_params_raises_like_torch(case):
    def run(lib):
        model = named_model(lib)
        if case == "names_for_some_params":
            lib.optim.SGD([("weight", model.weight), model.bias], lr=0.1)
        elif case == "group_without_names_added":
            lib.optim.SGD([("weight", model.weight)], lr=0.1).add_param_group({"params": [model.bias]})
        else:
            lib.optim.SGD([model.weight], lr=0.1).add_param_group({"params": [("bias", model.bias)]})

    assert_same_error(run, same_message=True)


@pytest.mark.parametrize("saved_has_names", [True, False], ids=["saved with names", "saved without names"])
def test_load_state_dict_keeps_or_takes_param_names_like_torch(saved_has_names):
    def load(lib):
        model = named_model(lib)
        opt = lib.optim.SGD(model.named_parameters(), lr=0.1)
        source = lib.optim.SGD([{"params": [model.weight, model.bias], "lr": 0.3}], lr=0.1)
        if saved_has_names:
            source = lib.optim.SGD([("w", model.weight), ("b", model.bias)], lr=0.3)
        opt.load_state_dict(source.state_dict())
        return opt.param_groups[0]["param_names"], opt.state_dict()["param_groups"]

    assert load(tinynn) == load(torch)


def test_loaded_param_groups_do_not_share_values_with_the_state_dict():
    """load_state_dict deep-copies the saved groups, as PyTorch does."""
    def load(lib):
        opt = lib.optim.SGD([{"params": [lib.nn.Parameter(lib.zeros(2))], "tags": ["head"]}], lr=0.1)
        saved = opt.state_dict()
        opt.load_state_dict(saved)
        saved["param_groups"][0]["tags"].append("changed after loading")
        return opt.param_groups[0]["tags"]

    assert load(tinynn) == load(torch) == ["head"]


def test_fused_and_differentiable_are_refused_clearly():
    p = [tinynn.nn.Parameter(tinynn.zeros(2))]
    with pytest.raises(NotImplementedError, match="fused"):
        tinynn.optim.Adam(p, fused=True)
    with pytest.raises(NotImplementedError, match="differentiable"):
        tinynn.optim.SGD(p, lr=0.1, differentiable=True)


# -- Adagrad and Adadelta --------------------------------------------------------------------
ADAGRAD = [dict(), dict(lr=0.1, lr_decay=0.01), dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.5),
           dict(lr=0.05, eps=1e-6, maximize=True)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", ADAGRAD, ids=[str(k) for k in ADAGRAD])
def test_adagrad_matches_torch_step_by_step(kwargs, dtype, device):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(dtype) for s in [(3, 4), (5,), ()]]
    ours = [tinynn.nn.Parameter(tinynn.tensor(a)) for a in arrays]
    theirs = [torch.nn.Parameter(torch.tensor(a, device=device)) for a in arrays]
    ours_opt, theirs_opt = tinynn.optim.Adagrad(ours, **kwargs), torch.optim.Adagrad(theirs, **kwargs)
    for step in range(6):
        for k, (o, t) in enumerate(zip(ours, theirs)):
            if step == 2 and k == 0:  # a parameter without a gradient this step is left alone
                o.grad, t.grad = None, None
                continue
            g = rng.standard_normal(tuple(o.shape)).astype(dtype)
            o.grad, t.grad = tinynn.tensor(g), torch.tensor(g, device=device)
        ours_opt.step()
        theirs_opt.step()
        for k, (o, t) in enumerate(zip(ours, theirs)):
            assert_close(o, t.detach(), name=f"param {k} after step {step + 1}")
    ours_sd, theirs_sd = ours_opt.state_dict(), theirs_opt.state_dict()
    assert list(ours_sd["state"]) == list(theirs_sd["state"])
    for idx, state in theirs_sd["state"].items():
        assert list(ours_sd["state"][idx]) == list(state)
        for key, value in state.items():
            assert_close(ours_sd["state"][idx][key], value, name=f"state[{idx}][{key!r}]")
    assert repr(ours_opt) == repr(theirs_opt)


@pytest.mark.parametrize("name, kwargs", [("Adadelta", dict(rho=1.5)), ("Adadelta", dict(lr=-1)),
                                          ("Adadelta", dict(eps=-1)), ("Adadelta", dict(weight_decay=-1)),
                                          ("Adagrad", dict(lr_decay=-1)), ("Adagrad", dict(initial_accumulator_value=-1)),
                                          ("Adagrad", dict(eps=-1)), ("Adagrad", dict(lr=-1))])
def test_adadelta_and_adagrad_reject_bad_hyperparameters_like_torch(name, kwargs):
    assert_same_error(lambda: getattr(tinynn.optim, name)([tinynn.nn.Parameter(tinynn.zeros(2))], **kwargs),
               lambda: getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kwargs), same_message=True)


def test_mnist_example_with_adadelta_and_steplr_matches_torch():
    """pytorch/examples' MNIST recipe: Adadelta(lr=1.0) with StepLR(step_size=1, gamma=0.7)."""
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((16, 1, 8, 8)).astype(np.float32), rng.integers(0, 10, 16)

    def train(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3), lib.nn.ReLU(), lib.nn.MaxPool2d(2), lib.nn.Flatten(),
                                  lib.nn.Linear(36, 10), lib.nn.LogSoftmax(dim=1))
        return model

    ours, theirs = train(tinynn), train(torch)
    ours.load_state_dict({k: tinynn.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    losses = {}
    for lib, model in [(tinynn, ours), (torch, theirs)]:
        opt = lib.optim.Adadelta(model.parameters(), lr=1.0)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.7)
        losses[lib.__name__] = []
        for epoch in range(3):
            for i in range(0, 16, 8):
                opt.zero_grad()
                loss = lib.nn.functional.nll_loss(model(lib.tensor(x[i:i + 8])), lib.tensor(y[i:i + 8]))
                loss.backward()
                opt.step()
                losses[lib.__name__].append(loss.item())
            scheduler.step()
    np.testing.assert_allclose(losses["tinynn"], losses["torch"], rtol=1e-4)
    for k, v in theirs.state_dict().items():
        assert_close(ours.state_dict()[k], v, rtol=1e-4, atol=1e-5, name=k)
