"""Core benchmarks (tinynn vs PyTorch, same process, ratio of medians).

1. A small graph: a handful of ops on small tensors, forward and backward. This measures
   per-op overhead (Python dispatch, graph bookkeeping), not arithmetic.
   The graph of issue 12 (4x4 tensors) is a second one of the same kind.
2. A chain of 512x512 matmuls with tanh, forward and backward. This measures arithmetic:
   both libraries end up in a BLAS sgemm, so the ratio shows what the wrapping costs.

Run: ``python benchmarks/bench_core.py`` (prints a markdown table).
"""
from __future__ import annotations

import numpy as np
import torch

import tinynn
from _timing import HEADER, compare, fix_malloc, malloc_note, one_thread, row


def small_graph(lib, x, w, b):
    """A few ops on 8x8 tensors: linear, tanh, a broadcast add, a mean; then backward."""
    h = (x @ w + b).tanh()
    loss = (h * h + 1).mean()
    loss.backward()
    w.grad = None
    b.grad = None


def issue_graph(lib, a, b, c):
    """The graph of issue 12 on 4x4 tensors: (a*b + a).tanh() and (c @ b).relu().sum(); backward."""
    y = (a * b + a).tanh()
    z = (c @ b).relu().sum()
    (y.sum() + z).backward()
    a.grad = b.grad = c.grad = None


def matmul_chain(lib, x, weights):
    """x -> tanh(x @ W1) -> tanh(. @ W2) -> tanh(. @ W3) -> sum, then backward."""
    h = x
    for w in weights:
        h = (h @ w).tanh()
    h.sum().backward()
    for w in weights:
        w.grad = None


def make_inputs(lib, arrays: dict):
    out = {}
    for name, a in arrays.items():
        if lib is torch:
            out[name] = torch.tensor(a, requires_grad=name != "x")
        else:
            out[name] = tinynn.tensor(a, requires_grad=name != "x")
    return out


def main() -> list[str]:
    rng = np.random.default_rng(0)
    small = {"x": rng.standard_normal((8, 8)).astype(np.float32),
             "w": rng.standard_normal((8, 8)).astype(np.float32),
             "b": rng.standard_normal(8).astype(np.float32)}
    t_small, p_small = make_inputs(tinynn, small), make_inputs(torch, small)
    r1 = compare(lambda: small_graph(tinynn, **t_small), lambda: small_graph(torch, **p_small),
                 repeat=200, rounds=15)

    tiny = [rng.standard_normal((4, 4)).astype(np.float32) for _ in range(3)]
    t_tiny = [tinynn.tensor(a, requires_grad=True) for a in tiny]
    p_tiny = [torch.tensor(a, requires_grad=True) for a in tiny]
    r5 = compare(lambda: issue_graph(tinynn, *t_tiny), lambda: issue_graph(torch, *p_tiny),
                 repeat=200, rounds=15)

    big = {"x": rng.standard_normal((512, 512)).astype(np.float32)}
    ws = [(rng.standard_normal((512, 512)) / np.sqrt(512)).astype(np.float32) for _ in range(3)]
    t_x, p_x = tinynn.tensor(big["x"]), torch.tensor(big["x"])
    t_w = [tinynn.tensor(w, requires_grad=True) for w in ws]
    p_w = [torch.tensor(w, requires_grad=True) for w in ws]
    r2 = compare(lambda: matmul_chain(tinynn, t_x, t_w), lambda: matmul_chain(torch, p_x, p_w),
                 repeat=3, rounds=15)
    rows = [row("small graph (8x8: matmul, add, tanh, mul, mean; fwd+bwd)", r1),
            row("issue-12 graph (4x4: mul, add, tanh, matmul, relu, sums; fwd+bwd)", r5),
            row("512x512 matmul chain x3 with tanh (fwd+bwd)", r2)]

    with one_thread():
        r3 = compare(lambda: small_graph(tinynn, **t_small), lambda: small_graph(torch, **p_small),
                     repeat=200, rounds=15)
        r4 = compare(lambda: matmul_chain(tinynn, t_x, t_w), lambda: matmul_chain(torch, p_x, p_w),
                     repeat=3, rounds=15)
        r6 = compare(lambda: issue_graph(tinynn, *t_tiny), lambda: issue_graph(torch, *p_tiny),
                     repeat=200, rounds=15)
    rows += [row("small graph, 1 thread each", r3), row("issue-12 graph, 1 thread each", r6),
             row("512x512 matmul chain, 1 thread each", r4)]
    return rows


if __name__ == "__main__":
    fix_malloc()
    print(malloc_note())
    print(f"torch threads: {torch.get_num_threads()}")
    print(HEADER)
    for line in main():
        print(line)
