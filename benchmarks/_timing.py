"""Timing helpers shared by the benchmarks: interleaved runs, medians, ratios.

The machines are noisy, so we never report an absolute time on its own: tinynn and
PyTorch run the same workload in the same process, interleaved (t, p, t, p, ...), and we
report the ratio of the medians. A ratio below 1 means tinynn is faster.

Clocks. By default each round is timed by the wall clock (``time.perf_counter``). On a
busy machine (other jobs on the same cores) a wall-clock round also counts the time the
process waited for a core, which swamps microsecond workloads. ``use_cpu_time(True)``
(``run_all.py --cpu-time``) times the one-thread rows by the CPU time the process itself
used (``time.process_time``) instead: with one thread each, all the work of both libraries
runs on the calling thread, so CPU time measures the same work without the waits. Rows
with default threads always use the wall clock (CPU time would add up the threads).
"""
from __future__ import annotations

import contextlib
import statistics
import time
from typing import Callable, Iterator

import torch
from threadpoolctl import threadpool_limits

_state = {"one_thread": False, "cpu_time": False}


def use_cpu_time(on: bool) -> None:
    """Time the one-thread rows by process CPU time (see the module docstring)."""
    _state["cpu_time"] = on


def clock_name() -> str:
    """How the rows being measured now are timed, for the printed table."""
    return "CPU time" if _state["cpu_time"] and _state["one_thread"] else "wall clock"


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one thread each: PyTorch's intra-op pool and numpy's BLAS (OpenBLAS).

    The fairer comparison of the code itself, and the one that stays meaningful on a busy
    machine, where a thread pool can spend its time waiting.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    _state["one_thread"] = True
    try:
        with threadpool_limits(limits=1, user_api="blas"):
            yield
    finally:
        _state["one_thread"] = False
        torch.set_num_threads(threads)


def time_once(fn: Callable[[], object], repeat: int) -> float:
    """Seconds per call of ``fn``, averaged over ``repeat`` back-to-back calls."""
    clock = time.process_time if _state["cpu_time"] and _state["one_thread"] else time.perf_counter
    start = clock()
    for _ in range(repeat):
        fn()
    return (clock() - start) / repeat


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
