"""Learning-rate schedules against ``torch.optim.lr_scheduler``: the lr of every group for
20 epochs is compared exactly (the same float operations in the same order), plus
``get_last_lr``, state dicts, resuming, and errors. The schedules stepped per batch (LinearLR,
ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, OneCycleLR and CyclicLR with momentum cycling) and
the composite ones (SequentialLR, ChainedScheduler) are compared at every step, lr and
momentum; ReduceLROnPlateau on a sequence of metrics; and PyTorch's warning for calling
``scheduler.step()`` before ``optimizer.step()``.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import tinynn

from helpers import assert_same_error

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
    "MultiplicativeLR": dict(lr_lambda=lambda epoch: 0.95),
    "MultiplicativeLR_per_group": dict(lr_lambda=[lambda e: 0.9, lambda e: 1.0 if e % 4 else 0.5]),
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


def test_step_with_epoch_warns_with_torchs_message():
    def message(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
        opt.step()
        with pytest.warns(UserWarning) as caught:
            scheduler.step(7)
        return [str(w.message) for w in caught]

    assert message(tinynn) == message(torch)


def test_resuming_without_initial_lr_raises_torchs_key_error():
    def run(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        lib.optim.lr_scheduler.StepLR(opt, step_size=1, last_epoch=3)

    assert_same_error(run, same_message=True)


def test_errors_match_torch():
    for lib in (tinynn, torch):
        with pytest.raises(TypeError, match="is not an Optimizer"):
            lib.optim.lr_scheduler.StepLR(object(), step_size=1)
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        with pytest.raises(KeyError, match="initial_lr"):
            lib.optim.lr_scheduler.StepLR(opt, step_size=1, last_epoch=3)
        with pytest.raises(ValueError, match="Expected 1 lr_lambdas, but got 2"):
            lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0])


# -- ReduceLROnPlateau -----------------------------------------------------------------------
def plateau_lrs(lib, metrics, **kwargs):
    params = [lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(3))]
    opt = lib.optim.SGD([{"params": params[:1]}, {"params": params[1:], "lr": 0.3}], lr=0.1)
    scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    lrs = []
    for m in metrics:
        opt.step()
        scheduler.step(lib.tensor(m) if isinstance(m, float) and m < 0.5 else m)  # a 0-d tensor or a float
        lrs.append(scheduler.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == lrs[-1]
    return lrs, scheduler


PLATEAU = [dict(patience=2), dict(patience=1, factor=0.5, cooldown=2), dict(mode="max", patience=1),
           dict(patience=0, threshold=0.1, threshold_mode="abs", min_lr=[0.01, 0.05]),
           dict(patience=1, factor=0.01, min_lr=0.002, eps=1e-3)]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=[str(k) for k in PLATEAU])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    metrics = [1.0, 0.9, 0.95, 0.91, 0.92, 0.93, 0.5, 0.49, 0.499, 0.6, 0.7, 0.8, 0.45, 0.46, 0.47, 0.48, 0.5]
    ours, ours_sched = plateau_lrs(tinynn, metrics, **kwargs)
    theirs, theirs_sched = plateau_lrs(torch, metrics, **kwargs)
    assert ours == theirs
    assert ours_sched.state_dict().keys() == theirs_sched.state_dict().keys()
    for key in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch"):
        assert ours_sched.state_dict()[key] == theirs_sched.state_dict()[key], key


def test_reduce_lr_on_plateau_resumes_from_its_state_dict():
    metrics = [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    full, _ = plateau_lrs(tinynn, metrics, patience=1)
    head, scheduler = plateau_lrs(tinynn, metrics[:3], patience=1)
    params = [tinynn.nn.Parameter(tinynn.zeros(2)), tinynn.nn.Parameter(tinynn.zeros(3))]
    opt = tinynn.optim.SGD([{"params": params[:1], "lr": head[-1][0]}, {"params": params[1:], "lr": head[-1][1]}], lr=0.1)
    resumed = tinynn.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    resumed.load_state_dict(scheduler.state_dict())
    tail = []
    for m in metrics[3:]:
        resumed.step(m)
        tail.append(resumed.get_last_lr())
    assert head + tail == full


@pytest.mark.parametrize("kwargs", [dict(factor=1.0), dict(mode="avg"), dict(threshold_mode="pct"), dict(min_lr=[0.1])])
def test_reduce_lr_on_plateau_errors_match_torch(kwargs):
    def make(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(2)), lib.nn.Parameter(lib.zeros(1))], lr=0.1)
        opt.add_param_group({"params": [lib.nn.Parameter(lib.zeros(1))]})
        lib.optim.lr_scheduler.ReduceLROnPlateau(opt, **kwargs)

    assert_same_error(lambda: make(tinynn), lambda: make(torch), same_message=True)


def test_scheduler_state_dict_has_torchs_keys():
    def keys(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(2))], lr=0.1)
        return list(lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4]).state_dict())

    assert keys(tinynn) == keys(torch)


# -- schedules stepped per batch, and composite schedules ------------------------------------
PER_STEP_SCHEDULES = {
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
    "CyclicLR": dict(base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR_triangular2": dict(base_lr=[0.01, 0.02], max_lr=0.5, step_size_up=3, step_size_down=5,
                                 mode="triangular2"),
    "CyclicLR_exp_range": dict(base_lr=0.01, max_lr=0.1, step_size_up=2, mode="exp_range", gamma=0.9),
    "CyclicLR_scale_fn": dict(base_lr=0.01, max_lr=0.1, step_size_up=3, scale_fn=lambda x: 1 / (1 + x),
                              scale_mode="iterations", base_momentum=[0.7, 0.75], max_momentum=0.95),
    "CyclicLR_no_momentum": dict(base_lr=0.01, max_lr=0.1, step_size_up=5, cycle_momentum=False),
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
    scheduler = getattr(lib.optim.lr_scheduler, name.split("_")[0])(opt, **PER_STEP_SCHEDULES[name])
    seen = [(scheduler.get_last_lr(), hyperparameters(opt))]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        seen.append((scheduler.get_last_lr(), hyperparameters(opt)))
        assert [g["lr"] for g in opt.param_groups] == seen[-1][0]
    return seen


@pytest.mark.parametrize("name", sorted(PER_STEP_SCHEDULES))
def test_schedule_matches_torch_every_step(name):
    assert schedule(tinynn, name) == schedule(torch, name)


@pytest.mark.parametrize("name", ["OneCycleLR", "OneCycleLR_three_phase", "LinearLR", "CyclicLR_exp_range"])
@pytest.mark.parametrize("optimizer_name", ["Adam", "AdamW"])
def test_schedule_with_adam_cycles_beta1_like_torch(name, optimizer_name):
    assert schedule(tinynn, name, optimizer_name) == schedule(torch, name, optimizer_name)


@pytest.mark.parametrize("name", sorted(PER_STEP_SCHEDULES))
def test_state_dict_keys_match_torch(name):
    def keys(lib):
        opt = make_optimizer(lib, "SGD")
        scheduler = getattr(lib.optim.lr_scheduler, name.split("_")[0])(opt, **PER_STEP_SCHEDULES[name])
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
def test_per_step_schedule_errors_match_torch(lib):
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
    with pytest.raises(ValueError, match="optimizer must support momentum"):
        sched.CyclicLR(lib.optim.Adagrad([lib.nn.Parameter(lib.zeros(1))]), base_lr=0.1, max_lr=1.0)
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        sched.CyclicLR(opt, base_lr=0.1, max_lr=1.0, mode="sawtooth")
    with pytest.raises(ValueError, match="base_lr must have the same length"):
        sched.CyclicLR(opt, base_lr=[0.1], max_lr=1.0)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        sched.CyclicLR(object(), base_lr=0.1, max_lr=1.0)
    with pytest.raises(ValueError, match="number of milestones to be equal to 0"):
        sched.SequentialLR(opt, [sched.StepLR(opt, 2), sched.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        sched.ChainedScheduler([sched.ReduceLROnPlateau(opt)])


GET_LR_SCHEDULES = {"StepLR": dict(step_size=2), "MultiStepLR": dict(milestones=[1, 3]),
                    "ExponentialLR": dict(gamma=0.5), "CosineAnnealingLR": dict(T_max=4),
                    "LambdaLR": dict(lr_lambda=lambda epoch: 0.5 ** epoch), "LinearLR": dict(),
                    "ConstantLR": dict(), "PolynomialLR": dict(), "CosineAnnealingWarmRestarts": dict(T_0=3),
                    "OneCycleLR": dict(max_lr=1.0, total_steps=10), "CyclicLR": dict(base_lr=0.1, max_lr=1.0),
                    "MultiplicativeLR": dict(lr_lambda=lambda epoch: 0.5)}


@pytest.mark.parametrize("name", sorted(GET_LR_SCHEDULES))
def test_get_lr_called_directly_warns_like_torch(name):
    """``get_lr()`` is for ``step()``; a user calling it is pointed to ``get_last_lr()``."""
    def call_get_lr(lib):
        opt = make_optimizer(lib, "SGD")
        scheduler = getattr(lib.optim.lr_scheduler, name)(opt, **GET_LR_SCHEDULES[name])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # step() itself does not warn
            opt.step()
            scheduler.step()
        with pytest.warns(UserWarning) as caught:
            lrs = scheduler.get_lr()
        return lrs, [str(w.message) for w in caught]

    ours, theirs = call_get_lr(tinynn), call_get_lr(torch)
    assert ours == theirs
    assert theirs[1] == ["To get the last learning rate computed by the scheduler, please use `get_last_lr()`."]


def test_multiplicative_lr_state_dict_resumes_and_rejects_a_wrong_number_of_functions_like_torch():
    class Halve:  # a callable object: its attributes are saved (functions and lambdas are not)
        def __init__(self):
            self.factor = 0.5

        def __call__(self, epoch):
            return self.factor

    for lib in (torch, tinynn):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=1.0)
        scheduler = lib.optim.lr_scheduler.MultiplicativeLR(opt, Halve())
        scheduler.lr_lambdas[0].factor = 0.25
        state = scheduler.state_dict()
        assert state["lr_lambdas"] == [{"factor": 0.25}] and "optimizer" not in state
        resumed = lib.optim.lr_scheduler.MultiplicativeLR(opt, Halve())
        resumed.load_state_dict(state)
        assert resumed.lr_lambdas[0].factor == 0.25
    assert_same_error(lambda lib: lib.optim.lr_scheduler.MultiplicativeLR(
        lib.optim.SGD([lib.nn.Parameter(lib.zeros(1))], lr=1.0), [lambda e: 1.0, lambda e: 1.0]))


def test_cyclic_lr_state_dict_keeps_a_callable_scale_fn_and_resumes_like_torch():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, cycle):
            return self.rate ** cycle

    runs = []
    for lib in (torch, tinynn):
        opt = make_optimizer(lib, "SGD")
        scheduler = lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=2, scale_fn=Decay())
        scheduler._scale_fn_custom.rate = 0.25
        for _ in range(3):
            opt.step()
            scheduler.step()
        state = scheduler.state_dict()
        assert state["_scale_fn_custom"] == {"rate": 0.25}
        resumed = lib.optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, step_size_up=2, scale_fn=Decay(), last_epoch=0)
        resumed.load_state_dict(state)
        lrs = []
        for _ in range(4):
            opt.step()
            resumed.step()
            lrs.append(resumed.get_last_lr())
        runs.append(lrs)
    assert runs[1] == runs[0]
