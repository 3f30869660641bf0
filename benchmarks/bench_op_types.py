"""What one small op of each kind costs, tinynn vs PyTorch: forward and backward together.

The per-op workloads (``bench_per_op.py``) time a few ops (mul, add, tanh, sigmoid, matmul,
chunk) many times. A program of small ops may use others, and an op whose own Python
(argument checks, building views, numpy's slower functions) costs more than the common
path would dominate it. This script times about forty kinds of step, each in a chain of
its own: ``STEPS`` applications to an 8x16 float32 tensor, then backward from the sum.
Every step keeps the shape and keeps the values finite (an op that changes the shape, a
reduction say, is paired with the op that brings it back: ``x - x.mean(1, keepdim=True)``),
so a row is the cost of that pattern of one or two ops, recorded and run backward. On 128
numbers the arithmetic is nearly free: the ratio is the ops' fixed cost.

Each row is a median of rounds that alternate the two libraries in one process, one
thread each, by the CPU time of the process (``_timing.compare``), sorted by ratio.

Run: ``python benchmarks/bench_op_types.py`` (about 15 s; prints a markdown table).
"""
from __future__ import annotations

import numpy as np
import torch

import tinynn
from _timing import compare, fix_malloc, malloc_note, one_thread, use_cpu_time

STEPS, ROWS, COLS = 10, 8, 16


def steps(lib) -> dict:
    """name -> one step of a chain: (8, 16) in, (8, 16) out, finite for ``STEPS`` steps."""
    F = lib.nn.functional
    rng = np.random.default_rng(1)
    w = lib.tensor(rng.uniform(0.5, 1.0, (ROWS, COLS)).astype(np.float32))       # |x * w| shrinks
    W = lib.tensor((rng.standard_normal((COLS, COLS)) / 8).astype(np.float32))   # so does x @ W
    perm = lib.tensor(rng.permutation(ROWS))
    return {
        "x * w": lambda x: x * w,
        "x + 1.0": lambda x: x + 1.0,
        "x / 2.0": lambda x: x / 2.0,
        "-x": lambda x: -x,
        "tanh": lambda x: x.tanh(),
        "sigmoid": lambda x: x.sigmoid(),
        "relu": lambda x: x.relu(),
        "F.gelu": lambda x: F.gelu(x),
        "clamp(-1, 1)": lambda x: x.clamp(-1, 1),
        "where(x > 0, x, 0.1 * x)": lambda x: lib.where(x > 0, x, x * 0.1),
        "masked_fill(x > 1, 0)": lambda x: x.masked_fill(x > 1, 0.0),
        "x @ W": lambda x: x @ W,
        "F.linear(x, W)": lambda x: F.linear(x, W),
        "x - x.mean(1, keepdim=True)": lambda x: x - x.mean(1, keepdim=True),
        "x - x.max(1, keepdim=True)[0]": lambda x: x - x.max(1, keepdim=True)[0],
        "x / x.norm()": lambda x: x / x.norm(),
        "x.cumsum(1) / 16": lambda x: x.cumsum(1) / 16,
        "x - x.var(1, keepdim=True)": lambda x: x - x.var(1, keepdim=True),
        "softmax(-1)": lambda x: x.softmax(-1),
        "log_softmax(-1)": lambda x: F.log_softmax(x, -1),
        "F.layer_norm": lambda x: F.layer_norm(x, (COLS,)),
        "view(-1).view(8, 16)": lambda x: x.view(-1).view(ROWS, COLS),
        "reshape(16, 8).reshape(8, 16)": lambda x: x.reshape(COLS, ROWS).reshape(ROWS, COLS),
        "unsqueeze(0).squeeze(0)": lambda x: x.unsqueeze(0).squeeze(0),
        "t().t()": lambda x: x.t().t(),
        "t().contiguous().t()": lambda x: x.t().contiguous().t(),
        "x[0].expand(8, 16) + x": lambda x: x[0].expand(ROWS, COLS) + x,
        "x[perm]": lambda x: x[perm],
        "index_select(0, perm)": lambda x: x.index_select(0, perm),
        "cat([x[:, :8], x[:, 8:]], 1)": lambda x: lib.cat([x[:, :8], x[:, 8:]], 1),
        "cat(x.chunk(2, 1), 1)": lambda x: lib.cat(x.chunk(2, 1), 1),
        "stack(x.unbind(0))": lambda x: lib.stack(x.unbind(0)),
        "x.repeat(2, 1)[:8]": lambda x: x.repeat(2, 1)[:ROWS],
    }


def make(lib, step, array: np.ndarray):
    x = lib.tensor(array, requires_grad=True)

    def call():
        h = x
        for _ in range(STEPS):
            h = step(h)
        h.sum().backward()
        x.grad = None

    return call


def main() -> list[str]:
    array = np.random.default_rng(0).standard_normal((ROWS, COLS)).astype(np.float32)
    results = []
    with one_thread():
        for (name, ours), theirs in zip(steps(tinynn).items(), steps(torch).values()):
            result = compare(make(tinynn, ours, array), make(torch, theirs, array), repeat=10, rounds=9)
            results.append((name, result))
    results.sort(key=lambda item: -item[1]["ratio"])
    lines = [f"| step (on {ROWS}x{COLS}; forward and backward) | tinynn per step | PyTorch per step | ratio |",
             "|---|---|---|---|"]
    for name, result in results:
        lines.append(f"| `{name}` | {result['tinynn_s'] / STEPS * 1e6:.1f} µs "
                     f"| {result['torch_s'] / STEPS * 1e6:.1f} µs | {result['ratio']:.2f} |")
    return lines


if __name__ == "__main__":
    fix_malloc()
    use_cpu_time(True)
    print(malloc_note())
    print(f"numpy {np.__version__}, torch {torch.__version__}, one thread each, CPU time\n")
    for line in main():
        print(line)
