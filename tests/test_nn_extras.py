"""Layers and functions that PyTorch training programs commonly use beyond the core chapter set,
against ``torch``: the activations ReLU6/ELU/Hardtanh/Softplus/LogSigmoid/Mish/Softmin, the
losses SmoothL1/Huber/KLDiv, 1-D pooling, ``trunc_normal_``/``orthogonal_``, the optimizers
Adadelta (pytorch/examples' MNIST) and Adagrad, the schedules MultiStepLR and
ReduceLROnPlateau, and ``DataLoader(batch_size=None)``'s conversion of samples.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, compare_with_torch

DTYPES = ["float32", "float64"]
REDUCTIONS = ["mean", "sum", "none"]


def randn(*shape: int, seed: int = 0, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape) * scale


def same_error(fn_tinynn, fn_torch) -> None:
    """Both raise the same exception type with the same message ("torch" read as "tinynn")."""
    with pytest.raises(Exception) as ours:
        fn_tinynn()
    with pytest.raises(Exception) as theirs:
        fn_torch()
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    assert str(ours.value) == str(theirs.value).replace("torch.", "tinynn.")


# -- activations -------------------------------------------------------------------------------
ACTIVATIONS = [
    ("relu6", {}), ("elu", {}), ("elu", dict(alpha=0.5)), ("hardtanh", {}),
    ("hardtanh", dict(min_val=-2.0, max_val=3.0)), ("logsigmoid", {}), ("mish", {}),
    ("softmin", dict(dim=1)), ("softplus", dict(beta=2.0, threshold=5.0)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=[f"{n}{k}" for n, k in ACTIVATIONS])
def test_activation_matches_torch(name, kwargs, dtype, device):
    x = randn(4, 6, scale=4.0)
    x[0, :4] = [0.0, 6.0, -1.0, 1.0]  # the kinks of relu6 and hardtanh: gradient 0 there in both
    x[1, 0], x[1, 1] = 100.0, -100.0  # no overflow in elu, logsigmoid, mish
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x, **kwargs), x, dtype=dtype, device=device)


@pytest.mark.parametrize("module, args", [("ReLU6", ()), ("ELU", (0.3,)), ("Hardtanh", (-0.5, 0.5)),
                                          ("Softplus", (3.0,)), ("LogSigmoid", ()), ("Mish", ()),
                                          ("Softmin", (0,))])
def test_activation_module_matches_torch_and_prints_alike(module, args, device):
    compare_with_torch(lambda lib, x: getattr(lib.nn, module)(*args)(x), randn(3, 5, scale=3.0),
                       dtype="float64", device=device)
    assert repr(getattr(tinynn.nn, module)(*args)) == repr(getattr(torch.nn, module)(*args))


def test_inplace_activation_reprs_match_torch():
    for name, args in [("ReLU6", (True,)), ("ELU", (1.0, True)), ("Hardtanh", (-1.0, 1.0, True))]:
        assert repr(getattr(tinynn.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))


def test_inplace_elu_and_relu6_overwrite_the_input_like_torch():
    for name in ["elu", "relu6"]:
        ours, theirs = tinynn.tensor(randn(5, scale=8.0)), torch.tensor(randn(5, scale=8.0))
        getattr(tinynn.nn.functional, name)(ours, inplace=True)
        getattr(torch.nn.functional, name)(theirs, inplace=True)
        assert_close(ours, theirs)


# -- losses ------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, kwargs", [("smooth_l1_loss", {}), ("smooth_l1_loss", dict(beta=0.5)),
                                          ("smooth_l1_loss", dict(beta=0.0)), ("huber_loss", {}),
                                          ("huber_loss", dict(delta=2.5))])
def test_robust_regression_loss_matches_torch(name, kwargs, reduction, dtype, device):
    x, y = randn(4, 5, scale=2.0), randn(4, 5, seed=1)
    x[0, 0] = y[0, 0]  # d = 0: gradient 0 in both
    compare_with_torch(lambda lib, x, y: getattr(lib.nn.functional, name)(x, y, reduction=reduction, **kwargs),
                       x, y, dtype=dtype, device=device)


@pytest.mark.parametrize("name, kwargs", [("SmoothL1Loss", dict(beta=0.3)), ("HuberLoss", dict(delta=0.7)),
                                          ("KLDivLoss", dict(reduction="batchmean"))])
def test_loss_module_matches_torch_and_prints_alike(name, kwargs, device):
    x = randn(6, 4, scale=2.0)
    if name == "KLDivLoss":
        x = np.log(np.random.default_rng(2).dirichlet(np.ones(4), 6))
    y = np.random.default_rng(3).dirichlet(np.ones(4), 6)
    compare_with_torch(lambda lib, x, y: getattr(lib.nn, name)(**kwargs)(x, y), x, y, dtype="float64", device=device)
    assert repr(getattr(tinynn.nn, name)(**kwargs)) == repr(getattr(torch.nn, name)(**kwargs))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none", "mean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target, dtype, device):
    rng = np.random.default_rng(4)
    log_probs = np.log(rng.dirichlet(np.ones(5), 3))
    target = rng.dirichlet(np.ones(5), 3)
    if log_target:
        target = np.log(target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "mean" warns in both (checked below)
        compare_with_torch(lambda lib, x, y: lib.nn.functional.kl_div(x, y, reduction=reduction, log_target=log_target),
                           log_probs, target, dtype=dtype, device=device)


def test_kl_div_zero_target_counts_zero_like_torch():
    x = np.log(np.array([[0.2, 0.3, 0.5]]))
    y = np.array([[0.0, 0.4, 0.6]])
    ours = tinynn.nn.functional.kl_div(tinynn.tensor(x), tinynn.tensor(y), reduction="sum")
    theirs = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(y), reduction="sum")
    assert_close(ours, theirs)


def test_kl_div_mean_warns_like_torch():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        tinynn.nn.functional.kl_div(tinynn.zeros(2, 3), tinynn.full((2, 3), 1 / 3))


def test_loss_errors_match_torch():
    for lib_call in [lambda lib: lib.nn.functional.smooth_l1_loss(lib.zeros(2), lib.zeros(2), beta=-1.0),
                     lambda lib: lib.nn.functional.huber_loss(lib.zeros(2), lib.zeros(2), delta=0.0),
                     lambda lib: lib.nn.functional.smooth_l1_loss(lib.zeros(2), lib.zeros(2), reduction="avg"),
                     lambda lib: lib.nn.functional.kl_div(lib.zeros(2), lib.zeros(2), reduction="avg")]:
        same_error(lambda: lib_call(tinynn), lambda: lib_call(torch))


# -- 1-D pooling -------------------------------------------------------------------------------
POOL1D = [("max_pool1d", (3,), dict(stride=2, padding=1)), ("max_pool1d", (2,), dict(ceil_mode=True)),
          ("max_pool1d", (3,), dict(dilation=2)), ("avg_pool1d", (3,), dict(stride=2, padding=1)),
          ("avg_pool1d", (3,), dict(stride=2, padding=1, count_include_pad=False)), ("avg_pool1d", (4,), {}),
          ("adaptive_avg_pool1d", (4,), {}), ("adaptive_avg_pool1d", (1,), {})]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("name, args, kwargs", POOL1D, ids=[f"{n}{a}{k}" for n, a, k in POOL1D])
def test_pool1d_matches_torch(name, args, kwargs, batched, dtype, device):
    x = randn(2, 3, 11) if batched else randn(3, 11)
    compare_with_torch(lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **kwargs), x, dtype=dtype, device=device)


def test_max_pool1d_indices_match_torch():
    x = randn(2, 3, 10)
    _, ours = tinynn.nn.functional.max_pool1d(tinynn.tensor(x), 3, 2, return_indices=True)
    _, theirs = torch.nn.functional.max_pool1d(torch.tensor(x), 3, 2, return_indices=True)
    assert_close(ours, theirs)


@pytest.mark.parametrize("module, args", [("MaxPool1d", (2,)), ("MaxPool1d", (3, 1, 1)), ("AvgPool1d", (3,)),
                                          ("AvgPool1d", (3, 2, 1)), ("AdaptiveAvgPool1d", (5,))])
def test_pool1d_module_matches_torch_and_prints_alike(module, args, device):
    compare_with_torch(lambda lib, x: getattr(lib.nn, module)(*args)(x), randn(2, 4, 12), dtype="float64", device=device)
    assert repr(getattr(tinynn.nn, module)(*args)) == repr(getattr(torch.nn, module)(*args))


def test_pool1d_errors_match_torch():
    for call in [lambda lib: lib.nn.functional.max_pool1d(lib.zeros(1, 2, 3, 4), 2),
                 lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(1, 2, 3, 4), 2),
                 lambda lib: lib.nn.functional.adaptive_avg_pool1d(lib.zeros(1, 2, 3, 4), 2),
                 lambda lib: lib.nn.functional.avg_pool1d(lib.zeros(1, 2, 8), (2, 2))]:
        same_error(lambda: call(tinynn), lambda: call(torch))


# -- init --------------------------------------------------------------------------------------
def test_trunc_normal_stays_in_bounds_with_the_truncated_moments():
    w = tinynn.empty(20000)
    tinynn.nn.init.trunc_normal_(w, mean=0.0, std=1.0, a=-0.5, b=1.0)
    reference = torch.nn.init.trunc_normal_(torch.empty(200000, dtype=torch.float64), 0.0, 1.0, -0.5, 1.0)
    assert -0.5 <= w.min().item() and w.max().item() <= 1.0
    assert abs(w.mean().item() - reference.mean().item()) < 0.01
    assert abs(w.std().item() - reference.std().item()) < 0.01


def test_trunc_normal_for_vit_style_small_std():
    w = tinynn.nn.init.trunc_normal_(tinynn.empty(256, 256), std=0.02)
    assert abs(w.std().item() - 0.02) < 0.001 and w.dtype == tinynn.float32 and not w.requires_grad


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (6, 2, 3, 3), (4, 4)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape):
    w = tinynn.nn.Parameter(tinynn.empty(*shape))
    tinynn.nn.init.orthogonal_(w, gain=2.0)
    m = w.detach().numpy().astype(np.float64).reshape(shape[0], -1)
    gram = m @ m.T if m.shape[0] <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-5)
    assert w.requires_grad and w.grad is None


def test_orthogonal_of_a_vector_raises_like_torch():
    same_error(lambda: tinynn.nn.init.orthogonal_(tinynn.empty(3)), lambda: torch.nn.init.orthogonal_(torch.empty(3)))


# -- optimizers --------------------------------------------------------------------------------
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
    same_error(lambda: getattr(tinynn.optim, name)([tinynn.nn.Parameter(tinynn.zeros(2))], **kwargs),
               lambda: getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kwargs))


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


# -- schedules ---------------------------------------------------------------------------------
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

    same_error(lambda: make(tinynn), lambda: make(torch))


def test_scheduler_state_dict_has_torchs_keys():
    def keys(lib):
        opt = lib.optim.SGD([lib.nn.Parameter(lib.zeros(2))], lr=0.1)
        return list(lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4]).state_dict())

    assert keys(tinynn) == keys(torch)


# -- data --------------------------------------------------------------------------------------
def test_dataloader_without_batching_converts_like_torch():
    """``batch_size=None``: each sample is converted, tuples come back as lists, numpy scalars as tensors."""
    class Pairs:
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.full(2, i, dtype=np.float64), np.int64(i), float(i), "s"

    ours = list(tinynn.utils.data.DataLoader(Pairs(), batch_size=None))
    theirs = list(torch.utils.data.DataLoader(Pairs(), batch_size=None))
    assert [type(s) for s in ours] == [type(s) for s in theirs] == [list] * 3
    for o, t in zip(ours, theirs):
        assert [type(v).__name__ for v in o] == [type(v).__name__ for v in t]
        assert_close(o[0], t[0])
        assert_close(o[1], t[1])
        assert o[2:] == t[2:]


def test_hardtanh_bounds_errors_match_torch():
    same_error(lambda: tinynn.nn.functional.hardtanh(tinynn.zeros(2), 2.0, 1.0),
               lambda: torch.nn.functional.hardtanh(torch.zeros(2), 2.0, 1.0))
    same_error(lambda: tinynn.nn.Hardtanh(2.0, 1.0), lambda: torch.nn.Hardtanh(2.0, 1.0))
