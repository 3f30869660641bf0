"""What Python's garbage collector costs the per-op workloads, tinynn and PyTorch alike.

tinynn's graph is Python objects (a tensor, its node, the node's edges and saved tensors:
about eight per recorded op), and while a graph is alive they outlive the collector's
young generations, until Python runs a full collection, which visits every object in the
process. PyTorch's graph is C++ objects, which the collector never sees. The other
benchmarks report the median of their rounds, and a round with a full collection in it is
an outlier there; this script reports the mean over many calls, with the collector on and
with it off (``gc.disable()``), one thread each, in CPU time.

Run: ``python benchmarks/gc_cost.py`` (about a minute; prints markdown table rows).
"""
from __future__ import annotations

import gc
import time

import torch

import tinynn
from _timing import fix_malloc, malloc_note, one_thread
from bench_per_op import inputs, make


def mean_us(fn, calls: int) -> float:
    """Microseconds per call of ``fn``, the mean over ``calls`` back-to-back calls (CPU time)."""
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls * 1e6


def measure() -> list[str]:
    arrays = inputs()
    workloads = {"tinynn": make(tinynn, arrays), "PyTorch": make(torch, arrays)}
    rows = []
    for index, name, calls in ((0, "chain of 100 elementwise ops (fwd+bwd)", 3000),
                               (1, "LSTM-like loop in tensor ops (fwd+bwd)", 1000)):
        for lib, fns in workloads.items():
            fn = fns[index]
            mean_us(fn, 50)  # warm up
            with_gc = mean_us(fn, calls)
            gc.disable()
            try:
                without_gc = mean_us(fn, calls)
            finally:
                gc.enable()
            share = round(100 * (with_gc - without_gc) / with_gc)  # an int: no "-0%"
            rows.append(f"| {name} | {lib} | {with_gc:,.0f} µs | {without_gc:,.0f} µs | {share}% |")
    return rows


if __name__ == "__main__":
    fix_malloc()
    print(malloc_note())
    print(f"objects the collector tracks at the start: {len(gc.get_objects()):,}")
    print("| workload, one thread each | library | mean, collector on | mean, collector off | "
          "the collector's share |\n|---|---|---|---|---|")
    with one_thread():
        for line in measure():
            print(line, flush=True)
