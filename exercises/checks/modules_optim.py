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

from .core import (Case, CheckResult, Mismatch, Output, compare_arrays, fresh_seeds, randn,
                   run_check)

_STABLE_TIP = ("exp(1e4) overflows to inf and log(0) is -inf. Rewrite the loss with "
               "log-sum-exp: log sum_j exp(z_j) = m + log sum_j exp(z_j - m), m = max_j z_j.")


def _linear_answer(x, w, b):
    return F.linear(torch.from_numpy(x), torch.from_numpy(w),
                    None if b is None else torch.from_numpy(b)).numpy()


def check_linear_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """linear_forward(x, weight, bias) -> F.linear(x, weight, bias) = x @ weight.T + bias."""
    f64, f32 = np.float64, np.float32
    specs = [("a batch of 4, 3 -> 2 features", (4, 3), (2, 3), True, f64),
             ("a batch of 1", (1, 3), (2, 3), True, f64),
             ("no bias (bias=None)", (4, 3), (2, 3), False, f64),
             ("one sample without a batch dimension: x of shape (3,)", (3,), (2, 3), True, f64),
             ("extra leading dimensions: x of shape (2, 5, 3)", (2, 5, 3), (4, 3), True, f64),
             ("as many inputs as outputs (a square weight)", (4, 3), (3, 3), True, f64),
             ("float32", (4, 3), (2, 3), True, f32),
             ("float32, no bias", (4, 3), (2, 3), False, f32),
             ("float32, extra leading dimensions, no bias", (2, 3, 5), (4, 5), False, f32)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        n_in, n_out = (int(v) for v in rng.integers(1, 6, 2))
        lead = tuple(int(v) for v in rng.integers(1, 4, int(rng.integers(0, 3))))
        specs.append((f"random (seed {seed})", lead + (n_in,), (n_out, n_in),
                      bool(rng.integers(2)), (f64, f32)[int(rng.integers(2))]))
    cases = []
    for i, (label, x_shape, w_shape, has_bias, dtype) in enumerate(specs):
        x, w = randn(400 + 3 * i, x_shape, dtype), randn(401 + 3 * i, w_shape, dtype)
        b = randn(402 + 3 * i, w_shape[0], dtype) if has_bias else None
        cases.append(Case(label, (x, w, b), reference=_linear_answer))
    return run_check("linear_forward", fn, cases, [Output("output")], ["x", "weight", "bias"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "weight has PyTorch's layout (out_features, in_features), "
                                          "so y = x @ weight.T + bias keeps every leading "
                                          "dimension of x and replaces the last one.",
                           "raised ValueError": "weight has PyTorch's layout (out_features, "
                                                "in_features): multiply by its transpose, "
                                                "x @ weight.T, not x @ weight.",
                           "raised TypeError": "bias may be None (a layer without bias): add "
                                               "it only when it is not None."})


def _linear_backward_answer(g, x, w):
    ts = [torch.tensor(a, requires_grad=True) for a in (x, w, np.zeros(w.shape[0], w.dtype))]
    F.linear(*ts).backward(torch.from_numpy(g))
    return tuple(t.grad.numpy() for t in ts)


def check_linear_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """linear_backward(grad_output, x, weight) -> (grad_x, grad_weight, grad_bias)."""
    specs = [("a batch of 4, 3 -> 2 features", (4, 3), (2, 3), np.float64),
             ("a batch of 1", (1, 3), (2, 3), np.float64),
             ("a square weight", (4, 3), (3, 3), np.float64),
             ("extra leading dimensions: x of shape (2, 5, 3)", (2, 5, 3), (4, 3), np.float64),
             ("one sample without a batch dimension: x of shape (3,)", (3,), (2, 3), np.float64),
             ("float32", (6, 5), (4, 5), np.float32),
             ("float32, extra leading dimensions", (2, 3, 5), (4, 5), np.float32)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        n_in, n_out = (int(v) for v in rng.integers(1, 6, 2))
        lead = tuple(int(v) for v in rng.integers(1, 4, int(rng.integers(1, 3))))
        specs.append((f"random (seed {seed})", lead + (n_in,), (n_out, n_in),
                      (np.float64, np.float32)[int(rng.integers(2))]))
    cases = []
    for i, (label, x_shape, w_shape, dtype) in enumerate(specs):
        x, w = randn(430 + 3 * i, x_shape, dtype), randn(431 + 3 * i, w_shape, dtype)
        g = randn(432 + 3 * i, x_shape[:-1] + w_shape[:1], dtype)
        cases.append(Case(label, (g, x, w), reference=_linear_backward_answer))
    outputs = [Output("grad_x", "gradient"), Output("grad_weight", "gradient"),
               Output("grad_bias", "gradient")]
    return run_check("linear_backward", fn, cases, outputs, ["grad_output", "x", "weight"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "Each gradient has its input's shape: grad_weight is "
                                          "(out_features, in_features) like weight, and it sums "
                                          "over every sample, so flatten x and grad_output to "
                                          "2-d first."})


def _bce_answer(z, y):
    return F.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(y)).numpy()


def check_bce_with_logits(fn: Callable, verbose: bool = True) -> CheckResult:
    """bce_with_logits(logits, target) -> F.binary_cross_entropy_with_logits (mean)."""
    def targets(seed, shape, dtype=np.float64):
        rng = np.random.default_rng(seed)
        return rng.integers(0, 2, shape).astype(dtype)

    f32 = np.float32
    specs = [("a batch of 6", randn(500, 6, scale=2.0), targets(501, 6)),
             ("a matrix of logits, soft targets", randn(502, (3, 4)),
              np.random.default_rng(503).uniform(0, 1, (3, 4))),
             ("one logit (0-d)", np.array(0.3), np.array(1.0)),
             ("logits of +-1e4 (float32)", np.array([1e4, -1e4, 1e4, -1e4, 0.0], dtype=f32),
              np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=f32)),
             ("logits of +-50: the sigmoid rounds to 0 and 1", np.array([50.0, -50.0, 50.0, -50.0]),
              np.array([0.0, 1.0, 1.0, 0.0])),
             ("logits of -800 and 800 (float64)", np.array([-800.0, 800.0, -800.0]),
              np.array([1.0, 0.0, 0.0])),
             ("float32", randn(504, 5, f32), targets(505, 5, f32)),
             ("float32, one logit (0-d)", np.array(-2.5, dtype=f32), np.array(0.0, dtype=f32)),
             ("float32, soft targets in a 3-d batch", randn(506, (2, 2, 3), f32, 3.0),
              np.random.default_rng(507).uniform(0, 1, (2, 2, 3)).astype(f32))]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        shape = tuple(int(v) for v in rng.integers(1, 5, int(rng.integers(1, 3))))
        dtype = (np.float64, f32)[int(rng.integers(2))]
        specs.append((f"random (seed {seed}), scaled by 20", randn(seed, shape, dtype, 20.0),
                      targets(seed + 1, shape, dtype)))
    tip = ("log(sigmoid(z)) underflows to log(0) = -inf for very negative z. "
           "Use loss = max(z, 0) - z * y + log(1 + exp(-|z|)) (np.log1p).")
    cases = [Case(label, (z, y), reference=_bce_answer,
                  tip=tip if any(k in label for k in ("1e4", "50", "800", "20")) else None)
             for label, z, y in specs]
    return run_check("bce_with_logits", fn, cases, [Output("loss")], ["logits", "target"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "The loss is one number: a 0-d array, the mean over "
                                          "every element (np.mean gives one)."})


def _ce_specs(base: int) -> list:
    big = np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype=np.float32)
    near = np.array([[1e4, 1e4 + 1.0, 1e4 - 1.0], [-1e4, -1e4 + 0.5, -1e4]], dtype=np.float32)
    specs = [("a batch of 4, 5 classes", randn(base, (4, 5)), np.array([0, 4, 2, 2])),
             ("a batch of 1", randn(base + 1, (1, 3)), np.array([2])),
             ("one class (the loss is 0)", randn(base + 2, (3, 1)), np.array([0, 0, 0])),
             ("as many samples as classes", randn(base + 3, (3, 3)), np.array([1, 2, 0])),
             ("logits as large as 1e4 (float32)", big, np.array([1, 0, 2])),
             ("large logits close together (float32, near +-1e4)", near, np.array([0, 1])),
             ("float32", randn(base + 4, (5, 4), np.float32), np.array([3, 1, 0, 1, 2])),
             ("float32, a batch of 1", randn(base + 5, (1, 6), np.float32), np.array([5]))]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        n, c = (int(v) for v in rng.integers(1, 7, 2))
        specs.append((f"random (seed {seed}), scaled by 10",
                      randn(seed, (n, c), (np.float64, np.float32)[seed % 2], 10.0),
                      rng.integers(0, c, n)))
    return specs


def _ce_answer(z, t):
    return F.cross_entropy(torch.from_numpy(z), torch.from_numpy(t)).numpy()


def check_cross_entropy(fn: Callable, verbose: bool = True) -> CheckResult:
    """cross_entropy(logits, target) -> F.cross_entropy(logits, target) (mean over the batch)."""
    cases = [Case(label, (z, t), reference=_ce_answer,
                  tip=_STABLE_TIP if "1e4" in label or "scaled" in label else None)
             for label, z, t in _ce_specs(600)]
    return run_check("cross_entropy", fn, cases, [Output("loss")], ["logits", "target"],
                     verbose=verbose, numpy_only=True,
                     tips={"wrong shape": "The loss is one number: a 0-d array, the mean over "
                                          "the batch (np.mean of a 1-d array gives one)."})


def _ce_backward_answer(z, t):
    zt = torch.tensor(z, requires_grad=True)
    F.cross_entropy(zt, torch.from_numpy(t)).backward()
    return zt.grad.numpy()


def check_cross_entropy_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """cross_entropy_backward(logits, target) -> d mean-loss / d logits."""
    cases = [Case(label, (z, t), reference=_ce_backward_answer,
                  tip=_STABLE_TIP if "1e4" in label or "scaled" in label else None)
             for label, z, t in _ce_specs(650)]
    return run_check("cross_entropy_backward", fn, cases, [Output("grad_logits", "gradient")],
                     ["logits", "target"], verbose=verbose, numpy_only=True,
                     tips={"wrong gradient": "The loss is a mean over N samples, so every row of "
                                             "the gradient is (softmax(z) - one_hot(target)) / N."})


# ----------------------------------------------------------------------------- optimizers

def _step_driver(fn, param, grads, state, hyper, with_step, state_names):
    """Run the learner's step once per gradient, feeding its returned state back in.

    The arguments go in the stub's order: param, grad, *state, [step,] *hyperparameters.
    Each step gets copies of param and the state (updating them in place, as PyTorch's
    optimizers do, is fine), and the gradient itself, which must stay as it was.
    Returns [(param, *state) after each step]; raises Mismatch on a malformed return.
    """
    history = []
    names = ", ".join(("param",) + state_names)
    for i, grad in enumerate(grads, start=1):
        before = grad.copy()
        args = [np.array(a, copy=True) if isinstance(a, np.ndarray) else a
                for a in (param, *state)]
        out = fn(args[0], grad, *args[1:], *((i,) if with_step else ()), *hyper.values())
        if not np.array_equal(grad, before, equal_nan=True):
            raise Mismatch("changed an input", f"step {i} wrote into grad",
                           ["The gradient belongs to the parameter (param.grad in PyTorch): "
                            "an optimizer reads it and leaves it as it was. Add weight decay "
                            "into a new array, g = grad + weight_decay * param, not grad +=."])
        if not isinstance(out, tuple) or len(out) != 1 + len(state_names):
            size = f" of length {len(out)}" if isinstance(out, (tuple, list)) else ""
            raise Mismatch("wrong type", f"step {i} returned {type(out).__name__}{size}; expected "
                           f"a tuple of {1 + len(state_names)} ({names})")
        for what, value in zip(("param",) + state_names, out):
            if value is not None and not isinstance(value, np.ndarray):
                compare_arrays(f"{what} after step {i}", "value", value, np.asarray(param))
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
                        mismatch.details.append("Step 1 matched: look at how the state from one "
                                                "step is used in the next.")
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


def _sgd_answer(param, grads, hyper):
    history = _torch_history(torch.optim.SGD, param, grads, hyper, ("momentum_buffer",))
    if hyper["momentum"] == 0:  # no buffer in PyTorch: whatever the learner keeps is fine
        history = [(p, None) for p, _ in history]
    return history


def check_sgd_momentum_step(fn: Callable, verbose: bool = True) -> CheckResult:
    """sgd_momentum_step(param, grad, buf, lr, momentum, dampening, nesterov, weight_decay)
    -> (param, buf), compared with torch.optim.SGD step by step."""
    names = ("lr", "momentum", "dampening", "nesterov", "weight_decay")
    specs = [("plain SGD (momentum 0)", (0.1, 0.0, 0.0, False, 0.0)),
             ("momentum 0.9", (0.1, 0.9, 0.0, False, 0.0)),
             ("momentum 0.9, dampening 0.5", (0.05, 0.9, 0.5, False, 0.0)),
             ("weight decay 0.1 without momentum", (0.1, 0.0, 0.0, False, 0.1)),
             ("Nesterov momentum", (0.1, 0.8, 0.0, True, 0.0)),
             ("weight decay 0.01 with momentum", (0.1, 0.9, 0.0, False, 0.01)),
             ("Nesterov momentum with weight decay 0.1", (0.1, 0.8, 0.0, True, 0.1)),
             ("momentum 0.5, dampening 0.3, weight decay 0.2", (0.2, 0.5, 0.3, False, 0.2)),
             ("dampening 0.5 without momentum (ignored)", (0.1, 0.0, 0.5, False, 0.0)),
             ("float32, everything on", (0.01, 0.9, 0.1, False, 0.1)),
             ("float32, Nesterov with weight decay", (0.05, 0.7, 0.0, True, 0.05)),
             ("float32, plain SGD", (0.1, 0.0, 0.0, False, 0.0))]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        momentum = float(rng.choice([0.0, 0.6, 0.9]))
        nesterov = bool(momentum > 0 and rng.integers(2))
        dampening = 0.0 if nesterov else float(rng.choice([0.0, 0.25]))
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      (float(rng.choice([0.01, 0.1])), momentum, dampening, nesterov,
                       float(rng.choice([0.0, 0.05])))))
    cases = []
    for i, (label, values) in enumerate(specs):
        dtype = np.float32 if "float32" in label else np.float64
        param = randn(700 + 5 * i, (3, 2), dtype)
        grads = [randn(701 + 5 * i + k, (3, 2), dtype) for k in range(4)]
        cases.append(Case(f"{label}, 4 steps", (param, grads, dict(zip(names, values))),
                          reference=_sgd_answer))
    return _run_optimizer_check("sgd_momentum_step", fn, cases, ("buf",), lambda p: (None,),
                                False, verbose,
                                tips={"wrong value": "PyTorch's SGD: g = grad + weight_decay * "
                                                     "param; buf = g at the first step, else "
                                                     "momentum * buf + (1 - dampening) * g; "
                                                     "the step uses g + momentum * buf with "
                                                     "nesterov, else buf."})


def _adam_answer(param, grads, hyper):
    return _torch_history(torch.optim.Adam, param, grads, hyper,
                          ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"))


def check_adam_step(fn: Callable, verbose: bool = True) -> CheckResult:
    """adam_step(param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq, step, lr, betas, eps,
    weight_decay, amsgrad, maximize) -> (param, exp_avg, exp_avg_sq, max_exp_avg_sq),
    compared with torch.optim.Adam step by step (max_exp_avg_sq only with amsgrad)."""
    def hyper(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
              maximize=False):
        return dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                    maximize=maximize)

    shrinking = (1.0, 1.0, 0.1, 0.1, 0.01)  # v falls: its running maximum differs from it
    specs = [("the defaults (lr 1e-3, betas (0.9, 0.999), eps 1e-8)", hyper(), 1.0),
             ("a large learning rate", hyper(lr=0.1), 1.0),
             ("tiny gradients (1e-9): eps matters", hyper(lr=0.01), 1e-9),
             ("eps 1e-3 with gradients near 1e-3 (added after the square root)",
              hyper(lr=0.01, eps=1e-3), 1e-3),
             ("weight decay 0.1 (L2, added to the gradient)",
              hyper(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1), 1.0),
             ("betas (0.5, 0.6): the bias corrections matter every step",
              hyper(lr=0.05, betas=(0.5, 0.6)), 1.0),
             ("weight decay 0.5 with eps 0.1", hyper(lr=0.02, eps=0.1, weight_decay=0.5), 0.1),
             ("float32", hyper(lr=0.01), 1.0),
             ("float32, weight decay 0.1, betas (0.8, 0.9), eps 1e-4",
              hyper(lr=0.01, betas=(0.8, 0.9), eps=1e-4, weight_decay=0.1), 1.0),
             ("amsgrad, gradients shrinking 100-fold: the largest v so far is used",
              hyper(lr=0.01, betas=(0.9, 0.6), amsgrad=True), shrinking),
             ("maximize: a step up the gradient", hyper(lr=0.01, maximize=True), 1.0),
             ("maximize with weight decay 0.2 (the decay is added after the sign flip)",
              hyper(lr=0.01, weight_decay=0.2, maximize=True), 1.0),
             ("amsgrad with weight decay 0.1 and eps 1e-3",
              hyper(lr=0.02, betas=(0.8, 0.7), eps=1e-3, weight_decay=0.1, amsgrad=True),
              shrinking),
             ("float32, amsgrad and maximize with weight decay 0.1",
              hyper(lr=0.01, betas=(0.9, 0.6), weight_decay=0.1, amsgrad=True,
                    maximize=True), shrinking)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      hyper(lr=float(rng.choice([1e-3, 0.05])),
                            betas=(float(rng.choice([0.8, 0.9])),
                                   float(rng.choice([0.6, 0.9, 0.99]))),
                            eps=float(rng.choice([1e-8, 1e-3])),
                            weight_decay=float(rng.choice([0.0, 0.1])),
                            amsgrad=bool(rng.integers(2)), maximize=bool(rng.integers(2))),
                      shrinking if rng.integers(2) else float(rng.choice([1.0, 1e-3]))))
    cases = []
    for i, (label, options, scale) in enumerate(specs):
        dtype = np.float32 if "float32" in label else np.float64
        scales = scale if isinstance(scale, tuple) else (scale,) * 5
        param = randn(800 + 6 * i, (2, 3), dtype)
        grads = [randn(801 + 6 * i + k, (2, 3), dtype, s) for k, s in enumerate(scales)]
        tip = None
        if options["amsgrad"]:
            tip = ("amsgrad keeps max_exp_avg_sq = maximum(max_exp_avg_sq, exp_avg_sq) (of "
                   "v itself, before the bias correction) and divides by sqrt(max_exp_avg_sq "
                   "/ (1 - beta2**step)) + eps instead.")
        elif options["maximize"]:
            tip = ("maximize: g = -grad first, then weight decay (g + weight_decay * param) "
                   "and the usual step, which now climbs.")
        cases.append(Case(f"{label}, 5 steps", (param, grads, options), reference=_adam_answer,
                          tip=tip))
    zeros = lambda p: (np.zeros_like(p),) * 3  # noqa: E731  (m, v and max v start at 0)
    return _run_optimizer_check("adam_step", fn, cases,
                                ("exp_avg", "exp_avg_sq", "max_exp_avg_sq"), zeros,
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
                     ["param", "grads", "hyperparameters"], verbose=verbose, tips=tips,
                     numpy_only=True)


# ----------------------------------------------------------------------------- make_mlp

class TorchMLP(torch.nn.Module):
    """The PyTorch model whose weights the learner's MLP must load: Linear layers in a
    ModuleList called ``layers``, tanh between them."""

    def __init__(self, sizes):
        super().__init__()
        self.layers = torch.nn.ModuleList(
            torch.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.tanh(layer(x))
        return self.layers[-1](x)


def _torch_mlp(sizes, seed):
    from .training import seeded_torch_model

    return seeded_torch_model(lambda torch: TorchMLP(sizes), seed)


def _mlp_driver(fn: Callable) -> Callable:
    """Build the learner's MLP in ``lib``, load the PyTorch model's state_dict into it, run
    forward and backward."""
    import inspect

    import tinynn
    from tinynn.testing import to_numpy

    from .autograd import _unchanged
    from .core import _what_came_back

    libs = {"torch": torch, "tinynn": tinynn}

    def make_mlp(lib_name, sizes, x, grad_output, seed):
        lib = libs[lib_name]
        cls = fn(lib)
        if not (inspect.isclass(cls) and issubclass(cls, lib.nn.Module)):
            raise Mismatch("wrong type", f"make_mlp({lib_name}) returned {_what_came_back(cls)}"
                           "; expected a class, a subclass of lib.nn.Module",
                           ["Define the class inside make_mlp and return the class itself."])
        model = cls(list(sizes))
        reference = _torch_mlp(sizes, seed).state_dict()
        ours = model.state_dict()
        missing = [k for k in reference if k not in ours]
        unexpected = [k for k in ours if k not in reference]
        if missing or unexpected:
            raise Mismatch("wrong value", "its state_dict has other keys than the PyTorch "
                           "model's", [f"missing: {missing}", f"unexpected: {unexpected}",
                                       "A layer is registered under the attribute name it is "
                                       "assigned to; a plain Python list registers nothing "
                                       "(use lib.nn.ModuleList)."])
        for key, value in reference.items():
            if tuple(ours[key].shape) != tuple(value.shape):
                raise Mismatch("wrong shape", f"{key} has shape {tuple(ours[key].shape)}, the "
                               f"PyTorch model's has {tuple(value.shape)}",
                               ["nn.Linear(in_features, out_features) stores its weight as "
                                "(out_features, in_features)."])
        model.load_state_dict({k: lib.tensor(v.numpy()) for k, v in reference.items()})
        xt = lib.tensor(x)
        out = model(xt)
        _unchanged(xt, x, "forward wrote into x", "x belongs to the caller: compute new "
                   "tensors from it, never in place (x = lib.tanh(layer(x)) rebinds the name, "
                   "x.tanh_() overwrites the caller's batch).")
        (out * lib.tensor(grad_output)).sum().backward()
        first = dict(model.named_parameters())["layers.0.weight"].grad
        return to_numpy(out), None if first is None else to_numpy(first)

    make_mlp.__name__ = getattr(fn, "__name__", "make_mlp")
    return make_mlp


def _mlp_answer(lib_name, sizes, x, grad_output, seed):
    model = _torch_mlp(sizes, seed)
    out = model(torch.from_numpy(x))
    (out * torch.from_numpy(grad_output)).sum().backward()
    return out.detach().numpy(), model.layers[0].weight.grad.numpy()


def _compare_float32(name, kind, got, expected):
    """float32 networks: tolerances for a few layers of float32 sums (rtol 1e-5, atol 1e-6)."""
    from .core import _as_array

    if got is None:
        raise Mismatch("wrong gradient", f"{name} is None: the parameter got no gradient",
                       ["Every layer's parameters must be used in forward."])
    array = _as_array(name, got)
    if array.shape != expected.shape or array.dtype != expected.dtype:
        compare_arrays(name, kind, array, expected)  # reports the shape or the dtype
    if not np.allclose(array, expected, rtol=1e-5, atol=1e-6):
        worst = float(np.max(np.abs(array - expected)))
        raise Mismatch("wrong gradient" if kind == "gradient" else "wrong value",
                       f"{name} differs from PyTorch's (largest difference {worst:.3g}, "
                       "beyond rtol 1e-5, atol 1e-6 for float32)")


def check_make_mlp(fn: Callable, verbose: bool = True) -> CheckResult:
    """make_mlp(lib) -> an nn.Module class MLP(sizes) whose state_dict loads the PyTorch
    TorchMLP's, with the same outputs and gradients, in torch and in tinynn."""
    specs = [("one hidden layer: sizes [3, 5, 2]", [3, 5, 2], (4, 3)),
             ("no hidden layer: sizes [4, 3]", [4, 3], (2, 4)),
             ("three hidden layers: sizes [2, 6, 6, 4, 1]", [2, 6, 6, 4, 1], (5, 2))]
    for seed in fresh_seeds(1):
        rng = np.random.default_rng(seed)
        sizes = [int(v) for v in rng.integers(1, 7, int(rng.integers(2, 5)))]
        specs.append((f"random (seed {seed}): sizes {sizes}", sizes, (3, sizes[0])))
    cases = []
    for i, (label, sizes, x_shape) in enumerate(specs):
        x = randn(450 + 2 * i, x_shape, np.float32)
        g = randn(451 + 2 * i, (x_shape[0], sizes[-1]), np.float32)
        for lib_name in ("torch", "tinynn"):
            cases.append(Case(f"{label} ({lib_name})", (lib_name, sizes, x, g, 460 + i),
                              reference=_mlp_answer))
    outputs = [Output("output", compare=_compare_float32),
               Output("grad of layers.0.weight", "gradient", compare=_compare_float32)]
    return run_check("make_mlp", _mlp_driver(fn) if callable(fn) else fn, cases, outputs,
                     ["lib", "sizes", "x", "grad_output", "torch_seed"], verbose=verbose,
                     tips={"wrong value": "Linear layers in order, tanh after each but the "
                                          "last; the state_dict keys come from the attribute "
                                          "names: self.layers = lib.nn.ModuleList([...])."})
