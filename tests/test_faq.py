"""Chapter 7 (the FAQ): the APIs its answers use, in tinynn against PyTorch, and the error
messages it quotes, asserted so that they cannot drift.

- a custom ``autograd.Function`` (Swish) written once against ``lib``: gradcheck and
  gradgradcheck in both libraries, values and gradients equal to ``F.silu``;
- a loss as a ``Module`` (label smoothing) equal to ``CrossEntropyLoss(label_smoothing=)``;
- an ``Optimizer`` subclass (Lion) with parameter groups and state: the same trajectory in
  both libraries (float64), the same ``state_dict`` layout;
- the memory arithmetic of a training step, measured with ``tracemalloc``;
- gradient accumulation, and log_softmax's idempotence before ``CrossEntropyLoss``;
- every error message the chapter prints, in both libraries.
"""
from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import tinynn
import tinynn.nn.functional as NF
from tinynn.testing import assert_close
from tinynn.utils.convert import state_dict_from_torch

LIBS = [torch, tinynn]
IDS = ["torch", "tinynn"]
F = {torch: TF, tinynn: NF}


def make_swish(lib):
    class Swish(lib.autograd.Function):
        """f(x) = x * sigmoid(x);  f'(x) = s + x * s * (1 - s) with s = sigmoid(x)."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * lib.sigmoid(x)

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            s = lib.sigmoid(x)  # recomputed from x, so this backward is differentiable
            return grad_output * (s + x * s * (1 - s))

    return Swish


def make_smooth_loss(lib):
    class LabelSmoothingLoss(lib.nn.Module):
        def __init__(self, smoothing=0.1):
            super().__init__()
            self.smoothing = smoothing

        def forward(self, logits, target):
            log_p = F[lib].log_softmax(logits, dim=1)
            nll = F[lib].nll_loss(log_p, target)
            return (1 - self.smoothing) * nll + self.smoothing * (-log_p.mean(dim=1).mean())

    return LabelSmoothingLoss


def make_lion(lib):
    class Lion(lib.optim.Optimizer):
        def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
            if lr <= 0:
                raise ValueError(f"Invalid learning rate: {lr}")
            super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

        @lib.no_grad()
        def step(self):
            for group in self.param_groups:
                beta1, beta2 = group["betas"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if not state:
                        state["exp_avg"] = lib.zeros_like(p)
                    m = state["exp_avg"]
                    c = m * beta1 + p.grad * (1 - beta1)
                    p.mul_(1 - group["lr"] * group["weight_decay"])
                    p.add_(c.sign(), alpha=-group["lr"])
                    m.mul_(beta2).add_(p.grad, alpha=1 - beta2)

    return Lion


def mlp(lib, sizes=(64, 32, 10)):
    nn = lib.nn
    return nn.Sequential(nn.Linear(sizes[0], sizes[1]), nn.ReLU(), nn.Linear(sizes[1], sizes[2]))


# ----------------------------------------------------------------------------- Function

@pytest.mark.parametrize("lib", LIBS, ids=IDS)
def test_custom_function_gradcheck_and_gradgradcheck(lib):
    Swish = make_swish(lib)
    x = lib.tensor(np.linspace(-5, 5, 11), requires_grad=True)
    assert lib.autograd.gradcheck(Swish.apply, (x,))
    # the backward is written in tensor ops, so it can be differentiated again
    assert lib.autograd.gradgradcheck(Swish.apply, (x,))


@pytest.mark.parametrize("lib", LIBS, ids=IDS)
def test_a_tensor_saved_from_forward_is_a_constant_to_double_backward(lib):
    """forward runs without a graph: saving sigmoid(x) computed there (instead of
    recomputing it in backward) keeps first derivatives right and second ones wrong, in
    both libraries alike."""

    class SwishSavingS(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            s = lib.sigmoid(x)
            ctx.save_for_backward(x, s)
            return x * s

        @staticmethod
        def backward(ctx, grad_output):
            x, s = ctx.saved_tensors
            return grad_output * (s + x * s * (1 - s))

    x = lib.tensor(np.linspace(-5, 5, 11), requires_grad=True)
    assert lib.autograd.gradcheck(SwishSavingS.apply, (x,))
    assert not lib.autograd.gradgradcheck(SwishSavingS.apply, (x,), raise_exception=False)


@pytest.mark.parametrize("lib", LIBS, ids=IDS)
def test_custom_function_equals_silu(lib):
    values = np.random.default_rng(0).standard_normal((3, 4)) * 4
    g = np.random.default_rng(1).standard_normal((3, 4))
    x = lib.tensor(values, requires_grad=True)
    y = make_swish(lib).apply(x)
    assert type(y.grad_fn).__name__ == "SwishBackward"
    y.backward(lib.tensor(g))
    xt = torch.tensor(values, requires_grad=True)
    TF.silu(xt).backward(torch.tensor(g))
    assert_close(y.detach().numpy(), TF.silu(xt).detach().numpy(), rtol=0, atol=1e-12)
    assert_close(x.grad.numpy(), xt.grad.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("lib", LIBS, ids=IDS)
def test_custom_function_saved_tensors_and_no_grad_inside_forward(lib):
    seen = {}

    class Probe(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen["grad_enabled"] = lib.is_grad_enabled()
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            seen["saved_is_input"] = x is not None and x.shape == (3,)
            return grad_output * 2

    x = lib.ones(3, requires_grad=True)
    Probe.apply(x).sum().backward()
    assert seen == {"grad_enabled": False, "saved_is_input": True}
    assert x.grad.tolist() == [2.0, 2.0, 2.0]


# ----------------------------------------------------------------------------- loss

@pytest.mark.parametrize("lib", LIBS, ids=IDS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.5])
def test_loss_module_equals_label_smoothing(lib, smoothing):
    rng = np.random.default_rng(2)
    logits, target = rng.standard_normal((6, 5)) * 3, rng.integers(0, 5, 6)
    z = lib.tensor(logits, requires_grad=True)
    loss_fn = make_smooth_loss(lib)(smoothing)
    assert list(dict(loss_fn.named_parameters())) == []
    ours = loss_fn(z, lib.tensor(target))
    ours.backward()
    zt = torch.tensor(logits, requires_grad=True)
    ref = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)(zt, torch.tensor(target))
    ref.backward()
    assert_close(ours.detach().numpy(), ref.detach().numpy(), rtol=0, atol=1e-12)
    assert_close(z.grad.numpy(), zt.grad.numpy(), rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------- optimizer

def _train_lion(lib, state, X, y, steps=40):
    model = mlp(lib).double()
    model.load_state_dict(state)
    opt = make_lion(lib)([{"params": model[0].parameters()},
                          {"params": model[2].parameters(), "lr": 3e-3}],
                         lr=1e-3, weight_decay=0.01)
    X, y = lib.tensor(X), lib.tensor(y)
    losses = []
    for step in range(steps):
        part = slice(20 * (step % 5), 20 * (step % 5) + 20)
        opt.zero_grad()
        loss = F[lib].cross_entropy(model(X[part]), y[part])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return model, opt, np.array(losses)


def test_optimizer_subclass_trains_the_same_in_both_libraries():
    rng = np.random.default_rng(3)
    X, y = rng.random((100, 64)), rng.integers(0, 10, 100)
    torch.manual_seed(0)
    state = mlp(torch).double().state_dict()
    m_t, opt_t, losses_t = _train_lion(torch, state, X, y)
    m_n, opt_n, losses_n = _train_lion(tinynn, state_dict_from_torch(state), X, y)
    assert_close(losses_n, losses_t, rtol=0, atol=1e-9)
    for p, q in zip(m_t.parameters(), m_n.parameters()):
        assert_close(q.detach().numpy(), p.detach().numpy(), rtol=0, atol=1e-9)
    # the same groups, defaults filled in, and the same state dict layout
    for opt in (opt_t, opt_n):
        assert [g["lr"] for g in opt.param_groups] == [1e-3, 3e-3]
        assert all(g["weight_decay"] == 0.01 and g["betas"] == (0.9, 0.99)
                   for g in opt.param_groups)
    sd_t, sd_n = opt_t.state_dict(), opt_n.state_dict()
    assert sorted(sd_t["state"]) == sorted(sd_n["state"]) == [0, 1, 2, 3]
    assert [g["params"] for g in sd_t["param_groups"]] == \
        [g["params"] for g in sd_n["param_groups"]] == [[0, 1], [2, 3]]
    for i in range(4):
        assert_close(sd_n["state"][i]["exp_avg"].numpy(), sd_t["state"][i]["exp_avg"].numpy(),
                     rtol=0, atol=1e-9)


@pytest.mark.parametrize("lib", LIBS, ids=IDS)
def test_optimizer_subclass_validates_and_skips_missing_grads(lib):
    p, q = lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(2))
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        make_lion(lib)([p], lr=-1)
    opt = make_lion(lib)([p, q], lr=0.1)
    p.grad = lib.tensor([1.0, -1.0])
    opt.step()
    assert p.tolist() == pytest.approx([0.9, 1.1]) and q.tolist() == [1.0, 1.0]
    assert q not in opt.state or not opt.state[q]


# ----------------------------------------------------------------------------- memory

def _held():
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_memory_arithmetic_of_a_training_step_matches_tracemalloc():
    B, P = 512, 784 * 128 + 128 + 128 * 10 + 10
    tinynn.manual_seed(0)
    model = mlp(tinynn, (784, 128, 10))
    opt = tinynn.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(0)
    xb = tinynn.tensor(rng.random((B, 784)), dtype=tinynn.float32)
    yb = tinynn.tensor(rng.integers(0, 10, B))
    tracemalloc.start()
    try:
        start = _held()
        out = model(xb)
        loss = NF.cross_entropy(out, yb)
        activations = _held() - start
        loss.backward()
        opt.step()
        del out, loss
        after_step = _held()
        opt.zero_grad()
        adam_state = _held() - start
        gradients = after_step - _held()
    finally:
        tracemalloc.stop()
    for measured, predicted in [(gradients, 4 * P), (adam_state, 2 * 4 * P),
                                # ReLU output, logits, log-softmax (float32); the NLL keeps a
                                # row index (int64) and a weight (float32) per sample
                                (activations, B * (4 * (128 + 10 + 10) + 8 + 4))]:
        assert abs(measured / predicted - 1) <= 0.03, (measured, predicted)


@pytest.mark.parametrize("lib", LIBS, ids=IDS)
def test_gradient_accumulation_equals_the_big_batch(lib):
    rng = np.random.default_rng(4)
    xs, ys = lib.tensor(rng.random((96, 64))), lib.tensor(rng.integers(0, 10, 96))
    lib.manual_seed(0)
    model = mlp(lib).double()
    F[lib].cross_entropy(model(xs), ys).backward()
    big = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    for k in range(3):
        part = slice(32 * k, 32 * k + 32)
        (F[lib].cross_entropy(model(xs[part]), ys[part]) / 3).backward()
    for g, p in zip(big, model.parameters()):
        assert_close(p.grad, g, rtol=0, atol=1e-12)


@pytest.mark.parametrize("lib", LIBS, ids=IDS)
def test_log_softmax_before_cross_entropy_is_redundant_softmax_is_not(lib):
    rng = np.random.default_rng(5)
    logits, target = rng.standard_normal((8, 10)) * 3, lib.tensor(rng.integers(0, 10, 8))
    results = {}
    for name, head in [("logits", lambda z: z),
                       ("log_softmax", lambda z: F[lib].log_softmax(z, dim=1)),
                       ("softmax", lambda z: F[lib].softmax(z, dim=1))]:
        z = lib.tensor(logits, requires_grad=True)
        loss = F[lib].cross_entropy(head(z), target)
        loss.backward()
        results[name] = (loss.item(), z.grad.numpy())
    assert results["log_softmax"][0] == pytest.approx(results["logits"][0], abs=1e-12)
    assert_close(results["log_softmax"][1], results["logits"][1], rtol=0, atol=1e-12)
    assert abs(results["softmax"][0] - results["logits"][0]) > 0.1
    assert np.abs(results["softmax"][1]).max() < np.abs(results["logits"][1]).max()


# ----------------------------------------------------------------------------- messages

def _message(fn) -> tuple:
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value)


# (label, what to run, exception type, PyTorch's message; tinynn's starts with it)
QUOTED = [
    ("model.backward()", lambda lib: lib.nn.Linear(4, 3).backward(), AttributeError,
     "'Linear' object has no attribute 'backward'"),
    ("backward() on a non-scalar", lambda lib: lib.nn.Linear(4, 3)(lib.randn(5, 4)).backward(),
     RuntimeError, "grad can be implicitly created only for scalar outputs"),
    ("view on a transposed tensor", lambda lib: lib.arange(12.0).reshape(3, 4).t().view(12),
     RuntimeError, "view size is not compatible with input tensor's size and stride (at "
     "least one dimension spans across two contiguous subspaces). Use .reshape(...) instead."),
    ("view(-1, 6) on a transposed tensor",
     lambda lib: lib.arange(12.0).reshape(3, 4).t().view(-1, 6), RuntimeError,
     "view size is not compatible with input tensor's size and stride"),
    ("Linear(64, 10) on an 8x8 image", lambda lib: lib.nn.Linear(64, 10)(lib.randn(8, 8)),
     RuntimeError, "mat1 and mat2 shapes cannot be multiplied (8x8 and 64x10)"),
    ("BatchNorm1d on (4,)", lambda lib: lib.nn.BatchNorm1d(4)(lib.randn(4)), ValueError,
     "expected 2D or 3D input (got 1D input)"),
    ("BatchNorm1d on (1, 4) in training",
     lambda lib: lib.nn.BatchNorm1d(4)(lib.randn(1, 4)), ValueError,
     "Expected more than 1 value per channel when training, got input size "),
    ("Conv2d on an 8x8 image", lambda lib: lib.nn.Conv2d(1, 2, 3)(lib.randn(8, 8)),
     RuntimeError, "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input "
     "of size: [8, 8]"),
    ("LSTM on (4,)", lambda lib: lib.nn.LSTM(4, 5)(lib.randn(4)), ValueError,
     "LSTM: Expected input to be 2D or 3D, got 1D instead"),
    ("numpy() of a tensor that requires grad",
     lambda lib: lib.ones(2, requires_grad=True).numpy(), RuntimeError,
     "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."),
]


@pytest.mark.parametrize("lib", LIBS, ids=IDS)
@pytest.mark.parametrize("label, fn, error, text", QUOTED, ids=[q[0] for q in QUOTED])
def test_the_chapters_error_messages(lib, label, fn, error, text):
    if lib is tinynn and label.startswith("LSTM") and not hasattr(tinynn.nn, "LSTM"):
        pytest.skip("tinynn.nn.LSTM not present in this checkout")
    kind, message = _message(lambda: fn(lib))
    assert kind is error
    assert message.startswith(text), message
    if lib is torch and not text.endswith(" "):
        assert message == text or label.startswith(("backward() on", "view(-1"))


def test_fx_cannot_trace_python_control_flow_on_tensor_values():
    def f(x):
        y = torch.relu(x) * 2 + 1
        if y.sum() > 10:
            return y.sin()
        return y.cos()

    kind, message = _message(lambda: torch.fx.symbolic_trace(f))
    assert kind.__name__ == "TraceError"
    assert message == "symbolically traced variables cannot be used as inputs to control flow"
