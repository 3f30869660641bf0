"""Workloads that are nothing but per-op cost, tinynn vs PyTorch (same process, interleaved).

Each op here works on a few dozen numbers, so the arithmetic is free and what is measured
is what one op costs the library: the Python call, dtype promotion, wrapping the result,
recording the graph node, and the engine's work per node in backward.

1. A long chain: 100 elementwise ops (mul, add, tanh, sigmoid in turn) on an 8x8 tensor,
   then backward.
2. An LSTM-like loop written with tensor ops: one cell (hidden 16, batch 4) applied for 20
   time steps, the gates from one matmul each step; then backward. This is the pattern of
   chapter 5, at a size where only the op count matters.
3. The same chain under ``no_grad`` (nothing is recorded: the cheapest path of an op).

Run: ``python benchmarks/bench_per_op.py`` (prints markdown table rows).
"""
from __future__ import annotations

import numpy as np
import torch

import tinynn
from _timing import HEADER, compare, fix_malloc, malloc_note, one_thread, row

CHAIN = 100
STEPS, BATCH, HIDDEN = 20, 4, 16


def chain(x, w):
    """``CHAIN`` small elementwise ops in a row."""
    h = x
    for i in range(CHAIN // 4):
        h = (h * w + 0.5).tanh().sigmoid()
    return h


def chain_step(x, w):
    chain(x, w).sum().backward()
    w.grad = None


def lstm_loop(lib, x, w, u):
    """An LSTM cell in tensor ops over ``STEPS`` steps: gates = x_t @ W + h @ U, then the
    usual sigmoid/tanh updates of c and h; backward from the sum of the last h."""
    h = lib.zeros(BATCH, HIDDEN)
    c = lib.zeros(BATCH, HIDDEN)
    for t in range(STEPS):
        gates = x[t] @ w + h @ u
        i, f, g, o = gates.chunk(4, 1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
    h.sum().backward()
    w.grad = u.grad = None


def make(lib, rng_arrays: dict):
    x, w = (lib.tensor(rng_arrays["x"]), lib.tensor(rng_arrays["w"], requires_grad=True))
    seq = lib.tensor(rng_arrays["seq"])
    wx = lib.tensor(rng_arrays["wx"], requires_grad=True)
    wh = lib.tensor(rng_arrays["wh"], requires_grad=True)

    def no_grad_chain():
        with lib.no_grad():
            chain(x, w)

    return (lambda: chain_step(x, w), lambda: lstm_loop(lib, seq, wx, wh), no_grad_chain)


def inputs() -> dict:
    """The workloads' numpy inputs, the same for both libraries (seeded)."""
    rng = np.random.default_rng(0)
    return {"x": rng.standard_normal((8, 8)).astype(np.float32),
            "w": rng.standard_normal((8, 8)).astype(np.float32),
            "seq": rng.standard_normal((STEPS, BATCH, HIDDEN)).astype(np.float32),
            "wx": (rng.standard_normal((HIDDEN, 4 * HIDDEN)) / 4).astype(np.float32),
            "wh": (rng.standard_normal((HIDDEN, 4 * HIDDEN)) / 4).astype(np.float32)}


def measure(suffix: str = "") -> list[str]:
    arrays = inputs()
    ours, theirs = make(tinynn, arrays), make(torch, arrays)
    names = (f"chain of {CHAIN} elementwise ops on 8x8 (fwd+bwd){suffix}",
             f"LSTM-like loop in tensor ops (hidden {HIDDEN}, batch {BATCH}, {STEPS} steps; fwd+bwd){suffix}",
             f"chain of {CHAIN} elementwise ops under no_grad{suffix}")
    repeats = (20, 10, 50)
    return [row(name, compare(a, b, repeat=n, rounds=15))
            for name, a, b, n in zip(names, ours, theirs, repeats)]


def main() -> list[str]:
    rows = measure()
    with one_thread():
        rows += measure(", 1 thread each")
    return rows


if __name__ == "__main__":
    fix_malloc()
    print(malloc_note())
    print(f"torch threads: {torch.get_num_threads()}")
    print(HEADER)
    for line in main():
        print(line)
