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
import os
import resource
import statistics
import sys
import time
from typing import Callable, Iterator

import torch
from threadpoolctl import threadpool_limits

_state = {"one_thread": False, "cpu_time": False}

# glibc's malloc either keeps a large freed buffer for the next allocation or hands it back
# to the kernel, by thresholds that it moves as the process runs. When it hands them back,
# every call maps fresh pages, and touching each new page costs a page fault: for a
# convolution on a batch of images, more than the arithmetic. Which regime a process ends
# up in depends on everything it allocated before, so two runs of the same benchmark could
# differ by a factor of 3 for one library and not the other. Fixing the thresholds keeps
# buffers of up to 32 MiB for reuse, in both libraries (PyTorch's CPU allocator is glibc's
# malloc too): every run then measures the code, not the allocator's history. The table's
# last column counts the faults, so a reader can see that it held.
FIXED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(256 << 20)}


def fix_malloc() -> None:
    """Re-run this script with glibc's malloc thresholds fixed (``FIXED_MALLOC``), unless
    they are already or ``--default-malloc`` was given. Call it first in a script's main."""
    if "--default-malloc" in sys.argv or all(os.environ.get(k) == v for k, v in FIXED_MALLOC.items()):
        return
    os.environ.update(FIXED_MALLOC)
    os.execv(sys.executable, [sys.executable] + sys.argv)


def malloc_note() -> str:
    """One line for the printed table: which malloc settings this run used."""
    if all(os.environ.get(k) == v for k, v in FIXED_MALLOC.items()):
        return "malloc: glibc thresholds fixed (buffers up to 32 MiB kept for reuse; --default-malloc to turn off)"
    return "malloc: glibc's default, moving thresholds"


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


def _page_faults() -> int:
    """Minor page faults of this process so far: each is the kernel handing over a fresh
    page of memory, on first touch of a newly mapped buffer."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def compare(tinynn_fn: Callable, torch_fn: Callable, *, repeat: int = 20, rounds: int = 15,
            warmup: int = 3) -> dict:
    """Interleave ``rounds`` timings of each; return medians (seconds) and the ratio tinynn/torch.

    Also counts the page faults per call of each (``faults``): where the C library hands
    large buffers back to the kernel after each call and maps them afresh on the next
    (glibc does, or not, depending on what the process allocated before), every call pays
    for its fresh pages, in either library, and that can cost more than the arithmetic.
    """
    for _ in range(warmup):
        tinynn_fn()
        torch_fn()
    ours, theirs = [], []
    faults = [0, 0]
    for _ in range(rounds):
        start = _page_faults()
        ours.append(time_once(tinynn_fn, repeat))
        middle = _page_faults()
        theirs.append(time_once(torch_fn, repeat))
        faults[0] += middle - start
        faults[1] += _page_faults() - middle
    t, p = statistics.median(ours), statistics.median(theirs)
    calls = rounds * repeat
    return {"tinynn_s": t, "torch_s": p, "ratio": t / p,
            "faults": (faults[0] / calls, faults[1] / calls)}


def row(name: str, result: dict) -> str:
    """A markdown table row: workload | tinynn | PyTorch | ratio | page faults per call."""
    ours, theirs = result["faults"]
    return (f"| {name} | {result['tinynn_s'] * 1e6:,.0f} µs | {result['torch_s'] * 1e6:,.0f} µs "
            f"| {result['ratio']:.2f} | {ours:,.0f} / {theirs:,.0f} |")


HEADER = ("| workload | tinynn | PyTorch | ratio (tinynn / PyTorch) | page faults per call (tinynn / PyTorch) |\n"
          "|---|---|---|---|---|")
