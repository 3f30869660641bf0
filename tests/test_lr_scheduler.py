"""Learning-rate schedules against ``torch.optim.lr_scheduler``: the lr of every group for
20 epochs is compared exactly (the same float operations in the same order), plus
``get_last_lr``, state dicts, resuming, and errors.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import tinynn

EPOCHS = 20
SCHEDULES = {
    "StepLR": dict(step_size=3, gamma=0.5),
    "StepLR_default_gamma": dict(step_size=7),
    "ExponentialLR": dict(gamma=0.9),
    "CosineAnnealingLR": dict(T_max=10),
    "CosineAnnealingLR_eta_min": dict(T_max=6, eta_min=0.01),  # past T_max it rises again
    "LambdaLR": dict(lr_lambda=lambda epoch: 1 / (1 + epoch)),
    "LambdaLR_per_group": dict(lr_lambda=[lambda e: 0.95 ** e, lambda e: 1.0 if e < 5 else 0.1]),
    "MultiStepLR": dict(milestones=[3, 8, 8, 15], gamma=0.5),  # a repeated milestone decays twice
}


def lr_sequence(lib, name: str, optimizer_name: str = "SGD") -> list:
    params = [lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(3))]
    opt = getattr(lib.optim, optimizer_name)([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
    scheduler = getattr(lib.optim.lr_scheduler, name.split("_")[0])(opt, **SCHEDULES[name])
    lrs = [scheduler.get_last_lr()]
    for _ in range(EPOCHS):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    return lrs


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch_for_20_epochs(name):
    assert lr_sequence(tinynn, name) == lr_sequence(torch, name)


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR"])
def test_schedule_works_with_adam(name):
    assert lr_sequence(tinynn, name, "Adam") == lr_sequence(torch, name, "Adam")


def test_initial_lr_is_recorded_in_each_group():
    p = tinynn.nn.Parameter(tinynn.zeros(1))
    opt = tinynn.optim.SGD([p], lr=0.1)
    scheduler = tinynn.optim.lr_scheduler.StepLR(opt, step_size=2)
    assert opt.param_groups[0]["initial_lr"] == 0.1 and scheduler.base_lrs == [0.1]
    assert scheduler.last_epoch == 0


@pytest.mark.parametrize("name", ["StepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_state_dict_resumes_the_schedule(name):
    def run(lib, resume: bool):
        p = lib.nn.Parameter(lib.zeros(1))
        opt = lib.optim.SGD([p], lr=0.1)
        kwargs = SCHEDULES[name]
        scheduler = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
        for _ in range(5):
            opt.step()
            scheduler.step()
        if resume:  # a fresh optimizer and scheduler, restored from state dicts
            saved_opt, saved_sched = opt.state_dict(), scheduler.state_dict()
            opt = lib.optim.SGD([p], lr=0.1)
            opt.load_state_dict(saved_opt)
            scheduler = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
            scheduler.load_state_dict(saved_sched)
        for _ in range(5):
            opt.step()
            scheduler.step()
        return scheduler.get_last_lr(), scheduler.last_epoch

    assert run(tinynn, True) == run(tinynn, False) == run(torch, False)


def test_lambda_lr_state_dict_skips_functions_like_torch():
    def keys(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        sd = lib.optim.lr_scheduler.LambdaLR(opt, lambda e: 0.5 ** e).state_dict()
        return sd["lr_lambdas"], sd["base_lrs"], sd["last_epoch"]

    assert keys(tinynn) == keys(torch) == ([None], [0.1], 0)


def test_step_with_epoch_uses_the_closed_form_and_warns():
    results = []
    for lib in (tinynn, torch):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.step(7)
        assert any("epoch parameter" in str(w.message) for w in caught)
        results.append(scheduler.get_last_lr())
    assert results[0] == results[1]


def test_errors_match_torch():
    for lib in (tinynn, torch):
        with pytest.raises(TypeError, match="is not an Optimizer"):
            lib.optim.lr_scheduler.StepLR(object(), step_size=1)
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        with pytest.raises(KeyError, match="initial_lr"):
            lib.optim.lr_scheduler.StepLR(opt, step_size=1, last_epoch=3)
        with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
            lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])
