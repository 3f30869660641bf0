"""Checks for exercises/ex07_faq.ipynb: a custom autograd Function, a custom Optimizer,
a single sample through a CNN, and the memory arithmetic of a training step.

The first three exercises are written against a library ``lib`` (``torch`` or
``tinynn``); each check runs the answer in both and compares with PyTorch's built-ins:
``F.softplus`` and its autograd gradient, ``torch.optim.Adagrad``, and the network's
output on a batch of one. The memory check builds the MLP in PyTorch and measures it:
``numel() * element_size()`` of parameters, gradients and optimizer buffers, and the
tensors autograd saves for backward (``torch.autograd.graph.saved_tensors_hooks``).
Every answer is computed after the learner's call, from a private copy of the inputs,
and each check ends with cases drawn anew on each run (a failing one prints its seed).
"""
from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

import tinynn

from tinynn.testing import to_numpy

from .autograd import _GRAD_OUTPUT_SHARED, _unchanged
from .core import (Case, CheckResult, Mismatch, Output, compare_ints, fresh_seeds, randn,
                   register, run_check, safe_repr)
from .training import seeded_torch_model

_LIBS = {"torch": torch, "tinynn": tinynn}


def _tensor(lib, array, requires_grad=False):
    return lib.tensor(array, requires_grad=requires_grad)


def _not_a_class(name: str, got, base: str) -> Mismatch:
    if inspect.isclass(got):
        what = f"the class {got.__name__}, not a subclass of {base}"
    elif got is None or isinstance(got, (str, int, float, tuple, list)):
        what = safe_repr(got, 60)
    else:
        what = f"an instance of {type(got).__name__}"
    return Mismatch("wrong type", f"{name} returned {what}; expected a class (a subclass "
                    f"of {base})", ["Define the class inside the function and `return` "
                                    "the class itself, not an instance of it."])


# ----------------------------------------------------------------------------- softplus

def _softplus_driver(fn: Callable) -> Callable:
    def make_softplus(lib_name, x, grad_output):
        lib = _LIBS[lib_name]
        cls = fn(lib)
        if not (inspect.isclass(cls) and issubclass(cls, lib.autograd.Function)):
            raise _not_a_class("make_softplus(lib)", cls, "lib.autograd.Function")
        xt = _tensor(lib, x, requires_grad=True)
        out = cls.apply(xt)
        _unchanged(xt, x, "forward wrote into x", "x belongs to the caller (and to the rest "
                   "of the graph): compute new tensors, not x.clamp_(...) or x.abs_().")
        if not hasattr(out, "backward"):
            raise Mismatch("wrong type", f"Softplus.apply returned {type(out).__name__}; "
                           "expected a tensor", ["forward must return a tensor of lib."])
        if out.grad_fn is None:
            raise Mismatch("wrong gradient", "the output has no grad_fn",
                           ["Use Softplus.apply(x), and return a tensor from forward."])
        incoming = _tensor(lib, grad_output)
        out.backward(incoming)
        _unchanged(incoming, grad_output, "backward wrote into grad_output",
                   _GRAD_OUTPUT_SHARED)
        return out, xt.grad
    return make_softplus


def _torch_softplus(lib_name, x, grad_output):
    """F.softplus and its gradient. Above ``threshold`` (20 by default) PyTorch returns x
    itself, which differs from log(1 + e^x) by e^-x: below float32's resolution, but up
    to 2e-9 in float64; so float64 uses threshold 40, where e^-40 is below float64's."""
    xt = torch.tensor(x, requires_grad=True)
    out = F.softplus(xt, threshold=40.0 if x.dtype == np.float64 else 20.0)
    out.backward(torch.from_numpy(grad_output))
    return out.detach().numpy(), xt.grad.numpy()


def check_make_softplus(fn: Callable, verbose: bool = True) -> CheckResult:
    """make_softplus(lib) -> a Function: softplus(x) = log(1 + e^x), gradient sigmoid(x)."""
    specs = [("small values", randn(700, 7)),
             ("a (3, 4) batch", randn(701, (3, 4), scale=3.0)),
             ("large positive values: e^x overflows", np.array([10.0, 30.0, 100.0, 800.0])),
             ("large negative values", np.array([-10.0, -30.0, -100.0, -800.0])),
             ("float32", randn(702, (2, 5), np.float32, 4.0)),
             ("float32, large values", np.array([-120.0, 0.0, 50.0, 120.0], np.float32))]
    for seed in fresh_seeds(2):
        shape = tuple(int(n) for n in np.random.default_rng(seed).integers(1, 6, 2))
        dtype = np.float32 if seed % 2 else np.float64
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      randn(seed, shape, dtype, 30.0)))
    cases = []
    for lib_name in _LIBS:
        for i, (label, x) in enumerate(specs):
            g = randn(710 + i, x.shape, x.dtype)
            tip = None
            if "large" in label:
                tip = ("log(1 + exp(x)) overflows for large x; use max(x, 0) + "
                       "log1p(exp(-|x|)), which never exponentiates a positive number.")
            cases.append(Case(f"{label} ({lib_name})", (lib_name, x, g),
                              reference=_torch_softplus, tip=tip))
    outputs = [Output("output"), Output("grad_x", "gradient")]
    return run_check("make_softplus", fn if not callable(fn) else _softplus_driver(fn),
                     cases, outputs, ["lib", "x", "grad_output"], verbose=verbose,
                     tips={"wrong gradient": "d softplus / dx = sigmoid(x); backward "
                                             "returns grad_output * sigmoid(x)."})


# ----------------------------------------------------------------------------- adagrad

def _adagrad_driver(fn: Callable) -> Callable:
    def make_adagrad(lib_name, params, grads, groups):
        lib = _LIBS[lib_name]
        cls = fn(lib)
        if not (inspect.isclass(cls) and issubclass(cls, lib.optim.Optimizer)):
            raise _not_a_class("make_adagrad(lib)", cls, "lib.optim.Optimizer")
        tensors = [lib.nn.Parameter(_tensor(lib, p)) for p in params]
        opt = cls([dict(group, params=[tensors[i] for i in group["params"]])
                   for group in groups["groups"]], **groups["defaults"])
        for step, step_grads in enumerate(grads, start=1):
            for t, g in zip(tensors, step_grads):
                t.grad = None if g is None else _tensor(lib, g)
            opt.step()
            for i, (t, g) in enumerate(zip(tensors, step_grads)):
                if g is not None:
                    _unchanged(t.grad, g, f"step {step} wrote into param {i}'s .grad",
                               "The gradient belongs to the parameter: an optimizer reads it "
                               "and leaves it as it was. Add weight decay into a new tensor, "
                               "grad = grad + weight_decay * p, not grad.add_(...).")
        return tuple(t.detach() for t in tensors)
    return make_adagrad


def _torch_adagrad(lib_name, params, grads, groups):
    tensors = [torch.nn.Parameter(torch.tensor(p)) for p in params]
    opt = torch.optim.Adagrad([dict(group, params=[tensors[i] for i in group["params"]])
                               for group in groups["groups"]], **groups["defaults"])
    for step_grads in grads:
        for t, g in zip(tensors, step_grads):
            t.grad = None if g is None else torch.tensor(g)
        opt.step()
    return tuple(t.detach().numpy() for t in tensors)


def check_make_adagrad(fn: Callable, verbose: bool = True) -> CheckResult:
    """make_adagrad(lib) -> an Optimizer subclass that steps as torch.optim.Adagrad."""
    shapes = [(3, 2), (4,)]
    one_group = {"groups": [{"params": [0, 1]}], "defaults": {"lr": 0.1}}
    specs = [
        ("one step, one group", one_group, 1, None, None),
        ("three steps: the sum of squares grows", one_group, 3, None, None),
        ("two groups, the second with its own lr",
         {"groups": [{"params": [0]}, {"params": [1], "lr": 0.5}],
          "defaults": {"lr": 0.1}}, 3, None, None),
        ("weight_decay and eps set", {"groups": [{"params": [0, 1]}],
                                      "defaults": {"lr": 0.2, "eps": 1e-3,
                                                   "weight_decay": 0.1}}, 2, None, None),
        ("a parameter without a gradient at step 2 is left alone", one_group, 3, 1, None),
        ("the defaults: lr=1e-2, eps=1e-10, no weight decay",
         {"groups": [{"params": [0, 1]}], "defaults": {}}, 2, None, None),
        ("float32", one_group, 3, None, np.float32),
        ("float32, two groups, the second with its own weight_decay and eps",
         {"groups": [{"params": [0]}, {"params": [1], "weight_decay": 0.2, "eps": 1e-2}],
          "defaults": {"lr": 0.3}}, 3, 2, np.float32),
    ]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        defaults = {"lr": float(rng.choice([0.01, 0.05, 0.3])),
                    "eps": float(rng.choice([1e-10, 1e-3, 0.1])),
                    "weight_decay": float(rng.choice([0.0, 0.1]))}
        second = {"params": [1], "lr": float(rng.choice([0.02, 0.5]))}
        steps = int(rng.integers(1, 5))
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      {"groups": [{"params": [0]}, second], "defaults": defaults}, steps,
                      int(rng.integers(0, steps)) if seed % 3 else None,
                      np.float32 if seed % 2 else None))
    cases = []
    for lib_name in _LIBS:
        for i, (label, groups, steps, no_grad_step, dtype) in enumerate(specs):
            dtype = dtype or np.float64
            params = [randn(720 + 20 * i + j, s, dtype) for j, s in enumerate(shapes)]
            grads = [[randn(730 + 20 * i + 2 * t + j, s, dtype) for j, s in enumerate(shapes)]
                     for t in range(steps)]
            if no_grad_step is not None:
                grads[no_grad_step][0] = None
            tip = None
            if "groups" in label:
                tip = "Read lr (and eps, weight_decay) from each group, not from defaults."
            elif "without a gradient" in label:
                tip = "Skip a parameter whose .grad is None (continue)."
            cases.append(Case(f"{label} ({lib_name})", (lib_name, params, grads, groups),
                              reference=_torch_adagrad, tip=tip))
        cases.append(Case(f"lr=-1 is invalid ({lib_name})",
                          (lib_name, [np.zeros(2)], [],
                           {"groups": [{"params": [0]}], "defaults": {"lr": -1.0}}),
                          raises=(ValueError,),
                          tip='Raise ValueError(f"Invalid learning rate: {lr}") in __init__, '
                              "as torch.optim does."))
    outputs = [Output("param 0 after the steps"), Output("param 1 after the steps")]
    return run_check("make_adagrad", fn if not callable(fn) else _adagrad_driver(fn),
                     cases, outputs, ["lib", "params", "grads", "param_groups"],
                     verbose=verbose,
                     tips={"wrong value": "state_sum += grad * grad (per parameter, kept in "
                                          "self.state[p]); then p -= lr * grad / "
                                          "(sqrt(state_sum) + eps). With weight_decay, "
                                          "grad = grad + weight_decay * p first."})


# ----------------------------------------------------------------------------- classify_one

_CNN_RNG = np.random.default_rng(72)
_CNN_WEIGHTS = {"0.weight": _CNN_RNG.standard_normal((4, 1, 3, 3)) / 3,
                "0.bias": _CNN_RNG.standard_normal(4) / 3,
                "3.weight": _CNN_RNG.standard_normal((10, 144)) / 12,
                "3.bias": _CNN_RNG.standard_normal(10) / 12}


def small_cnn(lib, dtype=np.float32):
    """The exercise's network: (N, 1, 8, 8) images -> (N, 10) logits, in eval mode."""
    nn = lib.nn
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(144, 10))
    if dtype == np.float64:
        model = model.double()
    model.load_state_dict({k: lib.tensor(v.astype(dtype)) for k, v in
                           _CNN_WEIGHTS.items()})
    return model.eval()


def _classify_driver(fn: Callable) -> Callable:
    def classify_one(lib_name, image, transposed):
        lib = _LIBS[lib_name]
        model = small_cnn(lib, image.dtype)
        x = lib.tensor(image.T.copy()).t() if transposed else lib.tensor(image)
        shape, before = tuple(x.shape), to_numpy(x)
        probabilities = fn(model, x)
        if tuple(x.shape) != shape or not np.array_equal(to_numpy(x), before):
            raise Mismatch("changed an input", "your function changed image (now of shape "
                           f"{tuple(int(n) for n in x.shape)})",
                           ["image must be the same after the call as before it: the "
                            "caller still holds it. unsqueeze_ and the other methods "
                            "ending in _ work in place; unsqueeze returns a new view."])
        return probabilities
    return classify_one


def _torch_classify(lib_name, image, transposed):
    with torch.no_grad():
        logits = small_cnn(torch, image.dtype)(torch.from_numpy(image)[None, None])
    return torch.softmax(logits, dim=1)[0].numpy()


def check_classify_one(fn: Callable, verbose: bool = True) -> CheckResult:
    """classify_one(model, image) -> the (10,) class probabilities of one (8, 8) image."""
    specs = [("an (8, 8) image", np.float32, False, 740),
             ("another image", np.float32, False, 741),
             ("a non-contiguous image (a transposed view)", np.float32, True, 742),
             ("float64", np.float64, False, 743),
             ("float64, a non-contiguous image (a transposed view)", np.float64, True, 744)]
    specs += [(f"random (seed {seed})" + (", float64" if seed % 2 else ""),
               np.float64 if seed % 2 else np.float32, bool(seed % 3 == 0), seed)
              for seed in fresh_seeds(2)]
    cases = []
    for lib_name in _LIBS:
        for label, dtype, transposed, seed in specs:
            image = register(np.random.default_rng(seed).random((8, 8)).astype(dtype),
                             f"np.random.default_rng({seed}).random((8, 8))"
                             f".astype(np.{np.dtype(dtype).name})")
            tip = ("view(64) needs contiguous memory; unsqueeze (or reshape) works on "
                   "any tensor.") if transposed else None
            cases.append(Case(f"{label} ({lib_name})", (lib_name, image, transposed),
                              reference=_torch_classify, tip=tip))
    return run_check("classify_one", fn if not callable(fn) else _classify_driver(fn),
                     cases, [Output("probabilities")], ["lib", "image", "transposed"],
                     verbose=verbose,
                     tips={"raised": "The network wants (N, C, H, W) = (1, 1, 8, 8): add "
                                     "two leading dimensions to the (8, 8) image.",
                           "wrong shape": "Return the probabilities of the one image: "
                                          "(10,), not (1, 10); squeeze(0) or [0].",
                           "wrong value": "softmax over the classes (dim=1 of the (1, 10) "
                                          "logits), not over the batch."})


# ----------------------------------------------------------------------------- memory

_OPTIMIZERS = {"sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
               "momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
               "adam": lambda ps: torch.optim.Adam(ps, lr=0.1),
               "rmsprop": lambda ps: torch.optim.RMSprop(ps, lr=0.1)}
_DTYPES = {4: torch.float32, 8: torch.float64}


def measured_training_memory(layer_sizes, batch_size, optimizer, bytes_per_number):
    """Measure, in PyTorch, what training_memory must compute (see the exercise)."""
    dtype = _DTYPES[bytes_per_number]

    def make(torch):
        layers = []
        for i, (n_in, n_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:])):
            layers.append(torch.nn.Linear(n_in, n_out, dtype=dtype))
            if i < len(layer_sizes) - 2:
                layers.append(torch.nn.ReLU())
        return torch.nn.Sequential(*layers)

    model = seeded_torch_model(make, 0)
    params = list(model.parameters())
    x = torch.zeros(batch_size, layer_sizes[0], dtype=dtype)  # sizes count, not values
    param_ptrs = {p.untyped_storage().data_ptr() for p in params}
    saved = {}

    def pack(t):
        ptr = t.untyped_storage().data_ptr()
        if ptr not in param_ptrs and ptr != x.untyped_storage().data_ptr():
            saved[ptr] = t.untyped_storage().nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x)
    out.sum().backward()
    opt = _OPTIMIZERS[optimizer](params)
    opt.step()
    size = lambda t: t.numel() * t.element_size()  # noqa: E731
    state = sum(size(v) for p in params for v in opt.state[p].values()
                if torch.is_tensor(v) and v.shape == p.shape)   # not Adam's step counts
    return (sum(size(p) for p in params), sum(size(p.grad) for p in params), state,
            sum(saved.values()))


def check_training_memory(fn: Callable, verbose: bool = True) -> CheckResult:
    """training_memory(layer_sizes, batch_size, optimizer, bytes_per_number) -> 4 ints."""
    specs = [("chapter 3's MLP with Adam", [784, 128, 10], 64, "adam", 4),
             ("plain SGD keeps no state", [784, 128, 10], 64, "sgd", 4),
             ("SGD with momentum", [64, 32, 10], 100, "momentum", 4),
             ("RMSprop", [64, 32, 10], 100, "rmsprop", 4),
             ("two hidden layers", [64, 48, 32, 10], 32, "adam", 4),
             ("float64: 8 bytes a number", [64, 32, 10], 16, "adam", 8),
             ("one Linear layer: no hidden activations", [20, 5], 8, "momentum", 4),
             ("a batch of 1", [784, 128, 10], 1, "adam", 4),
             ("float64, RMSprop, two hidden layers", [30, 20, 10, 5], 12, "rmsprop", 8)]
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        sizes = [int(n) for n in rng.integers(1, 60, int(rng.integers(2, 6)))]
        specs.append((f"random (seed {seed})", sizes, int(rng.integers(1, 50)),
                      str(rng.choice(sorted(_OPTIMIZERS))), int(rng.choice([4, 8]))))
    cases = [Case(label, (sizes, batch, opt, nbytes), reference=measured_training_memory,
                  tip=("Adam keeps two buffers per parameter (exp_avg and exp_avg_sq)."
                       if opt == "adam" else None))
             for label, sizes, batch, opt, nbytes in specs]
    outputs = [Output(name, compare=compare_ints) for name in
               ("parameter bytes", "gradient bytes", "optimizer state bytes",
                "activation bytes")]
    return run_check("training_memory", fn, cases, outputs,
                     ["layer_sizes", "batch_size", "optimizer", "bytes_per_number"],
                     verbose=verbose, numpy_only=True,
                     tips={"changed an input": "Read layer_sizes, never edit it: "
                                               "layer_sizes[1:-1] is a new list of the "
                                               "hidden sizes, while pop, insert and append "
                                               "change the caller's list.",
                           "wrong value": "Count weights and biases; one gradient per "
                                          "parameter; activations: what the ReLUs save, "
                                          "batch_size numbers per hidden unit (the input "
                                          "batch is not counted)."})
