"""More learning-rate schedules against ``torch.optim.lr_scheduler``: LinearLR, ConstantLR,
PolynomialLR, CosineAnnealingWarmRestarts, OneCycleLR (with momentum cycling), SequentialLR
and ChainedScheduler. The lr (and momentum) of every group is compared exactly at every
step, as are the state-dict keys, and PyTorch's warning for calling ``scheduler.step()``
before ``optimizer.step()``.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import tinynn

SCHEDULES = {
    "LinearLR": dict(start_factor=0.25, total_iters=6),
    "LinearLR_decay": dict(start_factor=1.0, end_factor=0.1, total_iters=4),
    "ConstantLR": dict(factor=0.5, total_iters=4),
    "ConstantLR_default": dict(),
    "PolynomialLR": dict(total_iters=8, power=2.0),
    "PolynomialLR_default": dict(),
    "CosineAnnealingWarmRestarts": dict(T_0=4),
    "CosineAnnealingWarmRestarts_T_mult": dict(T_0=3, T_mult=2, eta_min=0.001),
    "OneCycleLR": dict(max_lr=1.0, total_steps=25),
    "OneCycleLR_linear": dict(max_lr=[0.5, 2.0], epochs=5, steps_per_epoch=5, anneal_strategy="linear"),
    "OneCycleLR_three_phase": dict(max_lr=1.0, total_steps=25, three_phase=True, pct_start=0.25),
    "OneCycleLR_no_momentum": dict(max_lr=1.0, total_steps=25, cycle_momentum=False),
}


def make_optimizer(lib, optimizer_name: str):
    params = [lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(3))]
    groups = [{"params": params[:1]}, {"params": params[1:], "lr": 0.3}]
    if optimizer_name == "SGD":
        return lib.optim.SGD(groups, lr=0.1, momentum=0.9)
    return getattr(lib.optim, optimizer_name)(groups, lr=0.1)


def hyperparameters(opt) -> list:
    return [(g["lr"], g.get("momentum"), g.get("betas")) for g in opt.param_groups]


def schedule(lib, name: str, optimizer_name: str = "SGD", steps: int = 24) -> list:
    opt = make_optimizer(lib, optimizer_name)
    scheduler = getattr(lib.optim.lr_scheduler, name.split("_")[0])(opt, **SCHEDULES[name])
    seen = [(scheduler.get_last_lr(), hyperparameters(opt))]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        seen.append((scheduler.get_last_lr(), hyperparameters(opt)))
        assert [g["lr"] for g in opt.param_groups] == seen[-1][0]
    return seen


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_schedule_matches_torch_every_step(name):
    assert schedule(tinynn, name) == schedule(torch, name)


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR_three_phase", "LinearLR"])
@pytest.mark.parametrize("optimizer_name", ["Adam", "AdamW"])
def test_schedule_with_adam_cycles_beta1_like_torch(name, optimizer_name):
    assert schedule(tinynn, name, optimizer_name) == schedule(torch, name, optimizer_name)


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_keys_match_torch(name):
    def keys(lib):
        opt = make_optimizer(lib, "SGD")
        scheduler = getattr(lib.optim.lr_scheduler, name.split("_")[0])(opt, **SCHEDULES[name])
        return list(scheduler.state_dict()), sorted(opt.param_groups[0])

    assert keys(tinynn) == keys(torch)


def test_one_cycle_lr_steps_past_the_end_raise_like_torch():
    for lib in (tinynn, torch):
        opt = make_optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(3):
            opt.step()
            scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            scheduler.step()


def test_warm_restarts_with_fractional_epochs_match_torch():
    def run(lib, T_mult):
        opt = make_optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=T_mult, eta_min=0.01)
        lrs = []
        for epoch in range(12):
            for i in range(4):
                opt.step()
                scheduler.step(epoch + i / 4)
                lrs.append((scheduler.get_last_lr(), scheduler.last_epoch, scheduler.T_cur, scheduler.T_i))
        return lrs

    for T_mult in (1, 2, 3):
        assert run(tinynn, T_mult) == run(torch, T_mult)


def combined(lib, kind: str, steps: int = 20) -> list:
    opt = make_optimizer(lib, "SGD")
    sched = lib.optim.lr_scheduler
    if kind == "sequential":
        scheduler = sched.SequentialLR(opt, [sched.LinearLR(opt, start_factor=0.1, total_iters=4),
                                             sched.CosineAnnealingLR(opt, T_max=8),
                                             sched.StepLR(opt, step_size=2, gamma=0.5)], milestones=[4, 12])
    elif kind == "sequential_constant":
        scheduler = sched.SequentialLR(opt, [sched.ConstantLR(opt, factor=0.5, total_iters=3),
                                             sched.ExponentialLR(opt, gamma=0.9)], milestones=[5])
    else:
        scheduler = sched.ChainedScheduler([sched.ConstantLR(opt, factor=0.2, total_iters=3),
                                            sched.ExponentialLR(opt, gamma=0.9),
                                            sched.PolynomialLR(opt, total_iters=10)])
    seen = [scheduler.get_last_lr()]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        seen.append(scheduler.get_last_lr())
    return seen, list(scheduler.state_dict()), [list(s) for s in scheduler.state_dict()["_schedulers"]]


@pytest.mark.parametrize("kind", ["sequential", "sequential_constant", "chained"])
def test_combined_schedulers_match_torch(kind):
    assert combined(tinynn, kind) == combined(torch, kind)


def test_sequential_lr_state_dict_resumes_the_schedule():
    def run(lib, resume: bool):
        sched = lib.optim.lr_scheduler

        def build(opt):
            return sched.SequentialLR(opt, [sched.LinearLR(opt, start_factor=0.1, total_iters=4),
                                            sched.ExponentialLR(opt, gamma=0.8)], milestones=[4])
        opt = make_optimizer(lib, "SGD")
        scheduler = build(opt)
        for _ in range(6):
            opt.step()
            scheduler.step()
        if resume:  # build the scheduler first: building sets the lrs, loading restores them
            saved_opt, saved = opt.state_dict(), scheduler.state_dict()
            opt = make_optimizer(lib, "SGD")
            scheduler = build(opt)
            opt.load_state_dict(saved_opt)
            scheduler.load_state_dict(saved)
        for _ in range(6):
            opt.step()
            scheduler.step()
        return scheduler.get_last_lr()

    assert run(tinynn, True) == run(tinynn, False) == run(torch, True) == run(torch, False)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_scheduler_step_before_optimizer_step_warns(lib):
    opt = make_optimizer(lib, "SGD")
    scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
        scheduler.step()
    opt = make_optimizer(lib, "SGD")
    scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        scheduler.step()
        scheduler.step()  # only the first call is checked


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_errors_match_torch(lib):
    opt = make_optimizer(lib, "SGD")
    sched = lib.optim.lr_scheduler
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        sched.LinearLR(opt, start_factor=0.0)
    with pytest.raises(ValueError, match="Constant multiplicative factor"):
        sched.ConstantLR(opt, factor=1.5)
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        sched.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="You must define either total_steps"):
        sched.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        sched.OneCycleLR(opt, max_lr=[1.0], total_steps=5)
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        sched.OneCycleLR(lib.optim.Adagrad([lib.nn.Parameter(lib.zeros(1))]), max_lr=1.0, total_steps=5)
    with pytest.raises(ValueError, match="number of milestones to be equal to 0"):
        sched.SequentialLR(opt, [sched.StepLR(opt, 2), sched.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        sched.ChainedScheduler([sched.ReduceLROnPlateau(opt)])
