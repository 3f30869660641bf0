"""One training step of the 784-128-10 MLP (batch 64), tinynn vs PyTorch on the CPU.

A step = forward, cross-entropy loss, backward, Adam update. Both libraries start from the
same weights (copied with ``load_state_dict``) and see the same batch. Timings are
interleaved in one process and reported as the ratio of medians (below 1: tinynn faster).

The first rows use each library's default threads (PyTorch's count is printed; tinynn's
matmuls use numpy's OpenBLAS with its default threads). On a small shared machine a thread
pool can spend its time waiting, so the rows marked "1 thread" repeat the measurement with
PyTorch and OpenBLAS limited to one thread each (``_timing.one_thread``).

Also times a full epoch over 4,000 images (63 batches of 64, shuffled by a DataLoader).

Run: ``python benchmarks/bench_mlp_step.py`` (prints markdown table rows).
"""
from __future__ import annotations

import numpy as np
import torch

import tinynn
from _timing import HEADER, compare, fix_malloc, malloc_note, one_thread, row
from tinynn.utils.convert import state_dict_from_torch


def build(lib):
    return lib.nn.Sequential(lib.nn.Linear(784, 128), lib.nn.ReLU(), lib.nn.Linear(128, 10))


def make_step(lib, model, X, y):
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()

    return step


def make_epoch(lib, model, X, y):
    optimizer = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(X, y), batch_size=64, shuffle=True,
                                       generator=lib.Generator().manual_seed(0))

    def epoch():
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()

    return epoch


def measure(suffix: str = "") -> list[str]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4000, 784)).astype(np.float32)
    y = rng.integers(0, 10, 4000)
    torch.manual_seed(0)
    t_model = build(torch)
    n_model = build(tinynn)
    n_model.load_state_dict(state_dict_from_torch(t_model.state_dict()))

    step = compare(make_step(tinynn, n_model, tinynn.tensor(X[:64]), tinynn.tensor(y[:64])),
                   make_step(torch, t_model, torch.tensor(X[:64]), torch.tensor(y[:64])),
                   repeat=20, rounds=21)
    epoch = compare(make_epoch(tinynn, n_model, tinynn.tensor(X), tinynn.tensor(y)),
                    make_epoch(torch, t_model, torch.tensor(X), torch.tensor(y)),
                    repeat=1, rounds=9, warmup=1)
    return [row(f"MLP 784-128-10 training step, batch 64 (fwd, CE loss, bwd, Adam){suffix}", step),
            row(f"MLP epoch: 4,000 images, batch 64, shuffled DataLoader{suffix}", epoch)]


def main() -> list[str]:
    rows = measure()
    with one_thread():
        rows += measure(", 1 thread")
    return rows


if __name__ == "__main__":
    fix_malloc()
    print(malloc_note())
    print(f"torch threads: {torch.get_num_threads()}")
    print(HEADER)
    for line in main():
        print(line)
