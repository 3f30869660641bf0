"""One op at a time: what each common op costs, tinynn vs PyTorch (same process, interleaved).

Each workload applies one op 50 times in a row to an 8x8 float32 tensor that requires grad
(a 64-element tensor: the arithmetic is nearly free, so what is timed is what the op costs
the library), then sums the result and runs backward. Two numbers per op, each per
application of the op:

* **forward**: the 50 recorded calls (the op's Python, the graph node);
* **forward + backward**: the same, then the backward pass through the 50 nodes (the
  op's backward, written in tensor ops, and the engine's work per node).

Ops with a second operand use an 8x8 weight that requires grad too, so that both gradients
are computed, as in a layer: ``w`` (values near 1) for the elementwise ops, ``q`` (an
orthogonal matrix) for the product, ``v`` (an 8-vector) for a broadcast add. The values
stay near 1 over the 50 calls: no overflow, and no subnormal numbers, which slow a CPU's
arithmetic down and would be measured instead of the op.

The small graph of ``bench_core.py`` and the LSTM-like loop of ``bench_per_op.py`` are
sums of these costs; this table says which ops the sums are made of.

Run: ``python benchmarks/bench_ops.py [--cpu-time]`` (prints a markdown table, one thread
each and then default threads; about two minutes; ``--cpu-time`` times the one-thread rows
by the process's CPU time, as ``run_all.py --cpu-time`` does).
"""
from __future__ import annotations

import sys

import numpy as np
import torch

import tinynn
from _timing import compare, fix_malloc, malloc_note, one_thread, use_cpu_time

CALLS = 50  # applications of the op per workload

# name -> the op, as a function of (lib, y, w, v, q) that returns the next y (8x8)
OPS = {
    "y * w": lambda lib, y, w, v, q: y * w,
    "y + w": lambda lib, y, w, v, q: y + w,
    "y + v (broadcast)": lambda lib, y, w, v, q: y + v,
    "y * 1.01 (a number)": lambda lib, y, w, v, q: y * 1.01,
    "y @ q": lambda lib, y, w, v, q: y @ q,
    "y.tanh()": lambda lib, y, w, v, q: y.tanh(),
    "y.sigmoid()": lambda lib, y, w, v, q: y.sigmoid(),
    "y.relu()": lambda lib, y, w, v, q: y.relu(),
    "(-y).exp() (two ops)": lambda lib, y, w, v, q: (-y).exp(),
    "y.softmax(-1)": lambda lib, y, w, v, q: y.softmax(-1),
    "y.log_softmax(-1)": lambda lib, y, w, v, q: y.log_softmax(-1),
    "y.t()": lambda lib, y, w, v, q: y.t(),
    "y.reshape(64).reshape(8, 8) (two ops)": lambda lib, y, w, v, q: y.reshape(64).reshape(8, 8),
    "y - y.mean(-1, keepdim=True) (two ops)": lambda lib, y, w, v, q: y - y.mean(-1, keepdim=True),
    "lib.cat(y.chunk(2, 1), 1) (three ops)": lambda lib, y, w, v, q: lib.cat(y.chunk(2, 1), 1),
    "lib.stack(y.unbind(0)) (two ops)": lambda lib, y, w, v, q: lib.stack(y.unbind(0)),
    "F.layer_norm(y, (8,))": lambda lib, y, w, v, q: lib.nn.functional.layer_norm(y, (8,)),
    "F.linear(y, q)": lambda lib, y, w, v, q: lib.nn.functional.linear(y, q),
    "F.gelu(y)": lambda lib, y, w, v, q: lib.nn.functional.gelu(y),
    "y.clamp(-1, 1)": lambda lib, y, w, v, q: y.clamp(-1, 1),
    "lib.where(y > 0, y, 0.5 * y) (three ops)": lambda lib, y, w, v, q: lib.where(y > 0, y, 0.5 * y),
    "y.masked_fill(y > 1.2, 1.0) (two ops)": lambda lib, y, w, v, q: y.masked_fill(y > 1.2, 1.0),
    "y / y.norm() (two ops)": lambda lib, y, w, v, q: y / y.norm(),
    "y - y.max(1, keepdim=True)[0] (two ops)": lambda lib, y, w, v, q: y - y.max(1, keepdim=True)[0],
    "y - y.var(1, keepdim=True) (two ops)": lambda lib, y, w, v, q: y - y.var(1, keepdim=True),
    "y.cumsum(1) / 8 (two ops)": lambda lib, y, w, v, q: y.cumsum(1) / 8,
    "y.view(-1).view(8, 8) (two ops)": lambda lib, y, w, v, q: y.view(-1).view(8, 8),
    "y.unsqueeze(0).squeeze(0) (two ops)": lambda lib, y, w, v, q: y.unsqueeze(0).squeeze(0),
    "y.t().contiguous() (two ops)": lambda lib, y, w, v, q: y.t().contiguous(),
    "lib.cat([y[:, :4], y[:, 4:]], 1) (three ops)": lambda lib, y, w, v, q: lib.cat([y[:, :4], y[:, 4:]], 1),
    "y.repeat(2, 1)[:8] (two ops)": lambda lib, y, w, v, q: y.repeat(2, 1)[:8],
}


def make(lib, op, arrays: dict):
    y0 = lib.tensor(arrays["y"], requires_grad=True)
    w = lib.tensor(arrays["w"], requires_grad=True)
    v = lib.tensor(arrays["v"], requires_grad=True)
    q = lib.tensor(arrays["q"], requires_grad=True)

    def forward():
        y = y0
        for _ in range(CALLS):
            y = op(lib, y, w, v, q)
        return y

    def step():
        forward().sum().backward()
        y0.grad = w.grad = v.grad = q.grad = None

    return forward, step


def measure() -> list[str]:
    rng = np.random.default_rng(0)
    arrays = {"y": rng.uniform(0.5, 1.5, (8, 8)).astype(np.float32),
              "w": (1 + 0.01 * rng.standard_normal((8, 8))).astype(np.float32),
              "v": (0.01 * rng.standard_normal(8)).astype(np.float32),
              "q": np.linalg.qr(rng.standard_normal((8, 8)))[0].astype(np.float32)}
    rows = []
    for name, op in OPS.items():
        (t_fwd, t_step), (p_fwd, p_step) = make(tinynn, op, arrays), make(torch, op, arrays)
        fwd = compare(t_fwd, p_fwd, repeat=20, rounds=11)
        step = compare(t_step, p_step, repeat=20, rounds=11)
        per_call = [r[k] / CALLS * 1e6 for r in (fwd, step) for k in ("tinynn_s", "torch_s")]
        rows.append(f"| `{name}` | {per_call[0]:.1f} | {per_call[1]:.1f} | {fwd['ratio']:.2f} "
                    f"| {per_call[2]:.1f} | {per_call[3]:.1f} | {step['ratio']:.2f} |")
    return rows


HEADER = ("| op (8x8 float32, requires grad) | forward, tinynn µs | PyTorch µs | ratio "
          "| forward + backward, tinynn µs | PyTorch µs | ratio |\n|---|---|---|---|---|---|---|")


def main() -> list[str]:
    with one_thread():
        rows = ["one thread each", HEADER] + measure()
    return rows + ["", f"default threads (torch: {torch.get_num_threads()})", HEADER] + measure()


if __name__ == "__main__":
    fix_malloc()
    use_cpu_time("--cpu-time" in sys.argv)  # the one-thread rows by CPU time, as run_all.py's
    print(malloc_note())
    for line in main():
        print(line)
