"""The chapter-4 CNN, tinynn vs PyTorch on the CPU, one process, interleaved (ratio of medians).

1. One training step of the sources' network (conv 1->10 k5, max-pool 2, relu, conv 10->20
   k5, max-pool 2, relu, flatten, 320->50, relu, 50->10) at batch 64: forward,
   cross-entropy loss, backward, SGD step. Both start from the same weights (copied with
   ``load_state_dict``) and see the same batch.
2. ``conv2d`` alone, forward and backward: a 64x3x32x32 input, 16 filters of 3x3,
   padding 1, gradients for input, weight and bias.

Each is timed with both libraries' default threads and with one thread each. Run
``python benchmarks/bench_cnn.py`` for the table; ``python benchmarks/bench_cnn.py --profile``
also prints where tinynn's time goes in the training step (cProfile).
"""
from __future__ import annotations

import cProfile
import pstats
import sys

import numpy as np
import torch

import tinynn
from _timing import HEADER, compare, fix_malloc, malloc_note, one_thread, row
from tinynn.utils.convert import state_dict_from_torch


def build(lib):
    """The sources' two-conv network, returning logits (CrossEntropyLoss applies log-softmax)."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 10, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Conv2d(10, 20, kernel_size=5), nn.MaxPool2d(2), nn.ReLU(),
        nn.Flatten(), nn.Linear(320, 50), nn.ReLU(), nn.Linear(50, 10),
    )


def make_step(lib, model, X, y):
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()

    return step


def make_conv(lib, x, w, b):
    def run():
        out = lib.nn.functional.conv2d(x, w, b, padding=1)
        out.backward(lib.ones_like(out))
        x.grad = w.grad = b.grad = None

    return run


def setup():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    torch.manual_seed(0)
    theirs = build(torch)
    ours = build(tinynn)
    ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    t_step = make_step(tinynn, ours, tinynn.tensor(X), tinynn.tensor(y))
    p_step = make_step(torch, theirs, torch.tensor(X), torch.tensor(y))

    x = rng.standard_normal((64, 3, 32, 32)).astype(np.float32)
    w = (rng.standard_normal((16, 3, 3, 3)) / np.sqrt(27)).astype(np.float32)
    b = rng.standard_normal(16).astype(np.float32)
    t_conv = make_conv(tinynn, *(tinynn.tensor(a, requires_grad=True) for a in (x, w, b)))
    p_conv = make_conv(torch, *(torch.tensor(a, requires_grad=True) for a in (x, w, b)))
    return t_step, p_step, t_conv, p_conv


def profile(fn, n: int = 50, top: int = 18) -> None:
    """cProfile ``n`` calls of ``fn`` and print the functions with the most own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        fn()
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)


def main() -> list[str]:
    """Both workloads with each library's default threads, then with one thread each.

    One thread each is the fairer comparison of the code itself (and the one that stays
    meaningful on a busy machine, where multi-threaded runs slow down unpredictably).
    """
    t_step, p_step, t_conv, p_conv = setup()
    rows = [row("CNN training step (batch 64, SGD)", compare(t_step, p_step, repeat=10, rounds=15)),
            row("conv2d fwd+bwd (64x3x32x32, 16 3x3 filters)", compare(t_conv, p_conv, repeat=10, rounds=15))]
    with one_thread():
        rows += [row("CNN training step, 1 thread each", compare(t_step, p_step, repeat=10, rounds=15)),
                 row("conv2d fwd+bwd, 1 thread each", compare(t_conv, p_conv, repeat=10, rounds=15))]
    return rows


if __name__ == "__main__":
    fix_malloc()
    print(malloc_note())
    print(f"PyTorch threads: {torch.get_num_threads()}")
    print(HEADER)
    for line in main():
        print(line)
    if "--profile" in sys.argv:
        t_step, _, _, _ = setup()
        with one_thread():  # the profile shows the work, not thread waits
            profile(t_step)
