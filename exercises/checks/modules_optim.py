"""Checks for exercises/ex03_modules_optim.ipynb: Linear forward and backward, stable losses,
and one step of SGD with momentum and of Adam.

References: ``torch.nn.functional.linear``, ``binary_cross_entropy_with_logits`` and
``cross_entropy`` (values and autograd gradients), and ``torch.optim.SGD`` / ``torch.optim.Adam``
run for several steps on the same gradients (the parameter and the optimizer's state after
every step).
"""
from __future__ import annotations

import functools
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from .core import Case, CheckResult, Mismatch, Output, compare_arrays, run_check

_STABLE_TIP = ("exp(1e4) overflows to inf and log(0) is -inf. Rewrite the loss with "
               "log-sum-exp: log sum_j exp(z_j) = m + log sum_j exp(z_j - m), m = max_j z_j.")


def check_linear_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """linear_forward(x, weight, bias) -> F.linear(x, weight, bias) = x @ weight.T + bias."""
    rng = np.random.default_rng(10)
    specs = [("a batch of 4, 3 -> 2 features", (4, 3), (2, 3), True, np.float64),
             ("a batch of 1", (1, 3), (2, 3), True, np.float64),
             ("no bias (bias=None)", (4, 3), (2, 3), False, np.float64),
             ("one sample without a batch dimension: x of shape (3,)", (3,), (2, 3), True, np.float64),
             ("extra leading dimensions: x of shape (2, 5, 3)", (2, 5, 3), (4, 3), True, np.float64),
             ("as many inputs as outputs (a square weight)", (4, 3), (3, 3), True, np.float64),
             ("float32", (4, 3), (2, 3), True, np.float32)]
    cases = []
    for label, x_shape, w_shape, has_bias, dtype in specs:
        x = rng.standard_normal(x_shape).astype(dtype)
        w = rng.standard_normal(w_shape).astype(dtype)
        b = rng.standard_normal(w_shape[0]).astype(dtype) if has_bias else None
        want = F.linear(torch.from_numpy(x), torch.from_numpy(w),
                        None if b is None else torch.from_numpy(b)).numpy()
        cases.append(Case(label, (x, w, b), want))
    return run_check("linear_forward", fn, cases, [Output("output")], ["x", "weight", "bias"],
                     verbose=verbose,
                     tips={"wrong shape": "weight has PyTorch's layout (out_features, in_features), "
                                          "so y = x @ weight.T + bias keeps every leading "
                                          "dimension of x and replaces the last one."})


def check_linear_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """linear_backward(grad_output, x, weight) -> (grad_x, grad_weight, grad_bias)."""
    rng = np.random.default_rng(11)
    specs = [("a batch of 4, 3 -> 2 features", (4, 3), (2, 3), np.float64),
             ("a batch of 1", (1, 3), (2, 3), np.float64),
             ("a square weight", (4, 3), (3, 3), np.float64),
             ("extra leading dimensions: x of shape (2, 5, 3)", (2, 5, 3), (4, 3), np.float64),
             ("float32", (6, 5), (4, 5), np.float32)]
    cases = []
    for label, x_shape, w_shape, dtype in specs:
        x = rng.standard_normal(x_shape).astype(dtype)
        w = rng.standard_normal(w_shape).astype(dtype)
        b = rng.standard_normal(w_shape[0]).astype(dtype)
        ts = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        out = F.linear(*ts)
        g = rng.standard_normal(tuple(out.shape)).astype(dtype)
        out.backward(torch.from_numpy(g))
        cases.append(Case(label, (g, x, w), tuple(t.grad.numpy() for t in ts)))
    outputs = [Output("grad_x", "gradient"), Output("grad_weight", "gradient"),
               Output("grad_bias", "gradient")]
    return run_check("linear_backward", fn, cases, outputs, ["grad_output", "x", "weight"],
                     verbose=verbose,
                     tips={"wrong shape": "Each gradient has its input's shape: grad_weight is "
                                          "(out_features, in_features) like weight, and it sums "
                                          "over every sample, so flatten x and grad_output to "
                                          "2-d first."})


def check_bce_with_logits(fn: Callable, verbose: bool = True) -> CheckResult:
    """bce_with_logits(logits, target) -> F.binary_cross_entropy_with_logits (mean)."""
    rng = np.random.default_rng(12)
    specs = [("a batch of 6", rng.standard_normal(6) * 2, rng.integers(0, 2, 6).astype(float)),
             ("a matrix of logits, soft targets", rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4))),
             ("one logit (0-d)", np.array(0.3), np.array(1.0)),
             ("logits of +-1e4 (float32)", np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=np.float32),
              np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=np.float32)),
             ("logits of +-50: the sigmoid rounds to 0 and 1", np.array([50.0, -50.0, 50.0, -50.0]),
              np.array([0.0, 1.0, 1.0, 0.0])),
             ("float32", rng.standard_normal(5).astype(np.float32),
              rng.integers(0, 2, 5).astype(np.float32))]
    cases = []
    for label, z, y in specs:
        z, y = z.astype(z.dtype), y.astype(z.dtype)
        want = F.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(y)).numpy()
        cases.append(Case(label, (z, y), want,
                          tip=("log(sigmoid(z)) underflows to log(0) = -inf for very negative z. "
                               "Use loss = max(z, 0) - z * y + log(1 + exp(-|z|)) (np.log1p).")
                          if "1e4" in label or "50" in label else None))
    return run_check("bce_with_logits", fn, cases, [Output("loss")], ["logits", "target"],
                     verbose=verbose)


def check_cross_entropy(fn: Callable, verbose: bool = True) -> CheckResult:
    """cross_entropy(logits, target) -> F.cross_entropy(logits, target) (mean over the batch)."""
    rng = np.random.default_rng(13)
    big = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype=np.float32)
    specs = [("a batch of 4, 5 classes", rng.standard_normal((4, 5)), np.array([0, 4, 2, 2])),
             ("a batch of 1", rng.standard_normal((1, 3)), np.array([2])),
             ("one class (the loss is 0)", rng.standard_normal((3, 1)), np.array([0, 0, 0])),
             ("as many samples as classes", rng.standard_normal((3, 3)), np.array([1, 2, 0])),
             ("logits as large as 1e4 (float32)", big, np.array([1, 0, 2])),
             ("float32", rng.standard_normal((5, 4)).astype(np.float32), np.array([3, 1, 0, 1, 2]))]
    cases = []
    for label, z, t in specs:
        want = F.cross_entropy(torch.from_numpy(z), torch.from_numpy(t)).numpy()
        cases.append(Case(label, (z, t), want, tip=_STABLE_TIP if "1e4" in label else None))
    return run_check("cross_entropy", fn, cases, [Output("loss")], ["logits", "target"],
                     verbose=verbose,
                     tips={"wrong shape": "The loss is one number: a 0-d array, the mean over "
                                          "the batch (np.mean of a 1-d array gives one)."})


def check_cross_entropy_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """cross_entropy_backward(logits, target) -> d mean-loss / d logits."""
    rng = np.random.default_rng(14)
    big = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype=np.float32)
    specs = [("a batch of 4, 5 classes", rng.standard_normal((4, 5)), np.array([0, 4, 2, 2])),
             ("a batch of 1", rng.standard_normal((1, 3)), np.array([1])),
             ("as many samples as classes", rng.standard_normal((3, 3)), np.array([1, 2, 0])),
             ("logits as large as 1e4 (float32)", big, np.array([1, 0, 2])),
             ("float32", rng.standard_normal((5, 4)).astype(np.float32), np.array([3, 1, 0, 1, 2]))]
    cases = []
    for label, z, t in specs:
        zt = torch.tensor(z, requires_grad=True)
        F.cross_entropy(zt, torch.from_numpy(t)).backward()
        cases.append(Case(label, (z, t), zt.grad.numpy(), tip=_STABLE_TIP if "1e4" in label else None))
    return run_check("cross_entropy_backward", fn, cases, [Output("grad_logits", "gradient")],
                     ["logits", "target"], verbose=verbose,
                     tips={"wrong gradient": "The loss is a mean over N samples, so every row of "
                                             "the gradient is (softmax(z) - one_hot(target)) / N."})


# ----------------------------------------------------------------------------- optimizers

def _step_driver(fn, param, grads, state, hyper, with_step, state_names):
    """Run the learner's step once per gradient, feeding its returned state back in.

    The arguments go in the stub's order: param, grad, *state, [step,] *hyperparameters.
    Returns [(param, *state) after each step]; raises Mismatch on a malformed return.
    """
    history = []
    names = ", ".join(("param",) + state_names)
    for i, grad in enumerate(grads, start=1):
        out = fn(param, grad, *state, *((i,) if with_step else ()), *hyper.values())
        if not isinstance(out, (tuple, list)) or len(out) != 1 + len(state_names):
            size = f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""
            raise Mismatch("wrong type", f"step {i} returned {type(out).__name__}{size}; expected "
                           f"a tuple of {1 + len(state_names)} ({names})")
        param, *state = out
        history.append(tuple(None if a is None else np.array(a, copy=True) for a in out))
    return history


def _compare_history(state_names):
    def compare(name, kind, got, expected):
        for step, (ours, theirs) in enumerate(zip(got, expected), start=1):
            for what, a, b in zip(("param",) + state_names, ours, theirs):
                if b is None:
                    continue
                if a is None:
                    raise Mismatch("wrong type", f"{what} after step {step} is None")
                try:
                    compare_arrays(f"{what} after step {step}", "value", a, b)
                except Mismatch as mismatch:
                    if step > 1 and mismatch.category == "wrong value":
                        mismatch.details.append(f"Step 1 matched: look at how the state from one "
                                                f"step is used in the next.")
                    raise
    return compare


def _torch_history(optimizer_cls, param, grads, options, state_keys):
    p = torch.tensor(param, requires_grad=True)
    optimizer = optimizer_cls([p], **options)
    history = []
    for grad in grads:
        p.grad = torch.tensor(grad)
        optimizer.step()
        state = optimizer.state[p]
        history.append((p.detach().numpy().copy(),) + tuple(
            None if state.get(k) is None else state[k].numpy().copy() for k in state_keys))
    return history


def check_sgd_momentum_step(fn: Callable, verbose: bool = True) -> CheckResult:
    """sgd_momentum_step(param, grad, buf, lr, momentum, dampening, nesterov, weight_decay)
    -> (param, buf), compared with torch.optim.SGD step by step."""
    rng = np.random.default_rng(15)
    names = ("lr", "momentum", "dampening", "nesterov", "weight_decay")
    specs = [("plain SGD (momentum 0)", (0.1, 0.0, 0.0, False, 0.0)),
             ("momentum 0.9", (0.1, 0.9, 0.0, False, 0.0)),
             ("momentum 0.9, dampening 0.5", (0.05, 0.9, 0.5, False, 0.0)),
             ("weight decay 0.1 without momentum", (0.1, 0.0, 0.0, False, 0.1)),
             ("Nesterov momentum", (0.1, 0.8, 0.0, True, 0.0)),
             ("weight decay 0.01 with momentum", (0.1, 0.9, 0.0, False, 0.01)),
             ("float32, everything on", (0.01, 0.9, 0.1, False, 0.1))]
    specs = [(label, dict(zip(names, values))) for label, values in specs]
    cases = []
    for label, hyper in specs:
        dtype = np.float32 if "float32" in label else np.float64
        param = rng.standard_normal((3, 2)).astype(dtype)
        grads = [rng.standard_normal((3, 2)).astype(dtype) for _ in range(4)]
        want = _torch_history(torch.optim.SGD, param, grads, hyper, ("momentum_buffer",))
        if hyper["momentum"] == 0:  # no buffer in PyTorch: whatever the learner keeps is fine
            want = [(p, None) for p, _ in want]
        cases.append(Case(f"{label}, 4 steps", (param, grads, hyper), want))
    return _run_optimizer_check("sgd_momentum_step", fn, cases, ("buf",), lambda p: (None,),
                                False, verbose,
                                tips={"wrong value": "PyTorch's SGD: g = grad + weight_decay * "
                                                     "param; buf = g at the first step, else "
                                                     "momentum * buf + (1 - dampening) * g; "
                                                     "the step uses g + momentum * buf with "
                                                     "nesterov, else buf."})


def check_adam_step(fn: Callable, verbose: bool = True) -> CheckResult:
    """adam_step(param, grad, exp_avg, exp_avg_sq, step, lr, betas, eps, weight_decay)
    -> (param, exp_avg, exp_avg_sq), compared with torch.optim.Adam step by step."""
    rng = np.random.default_rng(16)
    specs = [("the defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8)",
              dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), 1.0),
             ("a large learning rate", dict(lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), 1.0),
             ("tiny gradients (1e-9): eps matters",
              dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), 1e-9),
             ("weight decay 0.1 (L2, added to the gradient)",
              dict(lr=0.01, betas=(0.8, 0.99), eps=1e-8, weight_decay=0.1), 1.0),
             ("float32", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0), 1.0)]
    cases = []
    for label, hyper, scale in specs:
        dtype = np.float32 if "float32" in label else np.float64
        param = rng.standard_normal((2, 3)).astype(dtype)
        grads = [(rng.standard_normal((2, 3)) * scale).astype(dtype) for _ in range(5)]
        want = _torch_history(torch.optim.Adam, param, grads, hyper, ("exp_avg", "exp_avg_sq"))
        cases.append(Case(f"{label}, 5 steps", (param, grads, hyper), want))
    zeros = lambda p: (np.zeros_like(p), np.zeros_like(p))  # noqa: E731  (m and v start at 0)
    return _run_optimizer_check("adam_step", fn, cases, ("exp_avg", "exp_avg_sq"), zeros,
                                True, verbose,
                                tips={"wrong value": "m = beta1*m + (1-beta1)*g, v = beta2*v + "
                                                     "(1-beta2)*g*g; m_hat = m/(1-beta1**step), "
                                                     "v_hat = v/(1-beta2**step); param -= lr * "
                                                     "m_hat / (sqrt(v_hat) + eps)."})


def _run_optimizer_check(exercise, fn, cases, state_names, initial_state, with_step, verbose,
                         tips):
    """Each case runs the learner's step on 4-5 gradients and compares after every step."""
    trajectory = fn
    if callable(fn):
        @functools.wraps(fn)
        def trajectory(param, grads, hyper):
            return _step_driver(fn, param, grads, initial_state(param), hyper, with_step,
                                state_names)
    return run_check(exercise, trajectory, cases,
                     [Output("trajectory", compare=_compare_history(state_names))],
                     ["param", "grads", "hyperparameters"], verbose=verbose, tips=tips)
