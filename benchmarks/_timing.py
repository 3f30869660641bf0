"""Timing helpers shared by the benchmarks: interleaved runs, medians, ratios.

The machines are noisy, so we never report an absolute time on its own: tinynn and
PyTorch run the same workload in the same process, interleaved (t, p, t, p, ...), and we
report the ratio of the medians. A ratio below 1 means tinynn is faster.
"""
from __future__ import annotations

import contextlib
import statistics
import time
from typing import Callable, Iterator

import torch
from threadpoolctl import threadpool_limits


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one thread each: PyTorch's intra-op pool and numpy's BLAS (OpenBLAS).

    The fairer comparison of the code itself, and the one that stays meaningful on a busy
    machine, where a thread pool can spend its time waiting.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    finally:
        torch.set_num_threads(threads)


def time_once(fn: Callable[[], object], repeat: int) -> float:
    """Seconds per call of ``fn``, averaged over ``repeat`` back-to-back calls."""
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def compare(tinynn_fn: Callable, torch_fn: Callable, *, repeat: int = 20, rounds: int = 15,
            warmup: int = 3) -> dict:
    """Interleave ``rounds`` timings of each; return medians (seconds) and the ratio tinynn/torch."""
    for _ in range(warmup):
        tinynn_fn()
        torch_fn()
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(time_once(tinynn_fn, repeat))
        theirs.append(time_once(torch_fn, repeat))
    t, p = statistics.median(ours), statistics.median(theirs)
    return {"tinynn_s": t, "torch_s": p, "ratio": t / p}


def row(name: str, result: dict) -> str:
    """A markdown table row: workload | tinynn | PyTorch | ratio."""
    return (f"| {name} | {result['tinynn_s'] * 1e6:,.0f} µs | {result['torch_s'] * 1e6:,.0f} µs "
            f"| {result['ratio']:.2f} |")


HEADER = "| workload | tinynn | PyTorch | ratio (tinynn / PyTorch) |\n|---|---|---|---|"
