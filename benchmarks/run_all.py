"""Run every benchmark and print one markdown table (tinynn vs PyTorch, same process).

Usage: ``python benchmarks/run_all.py [--cpu-time]``. Each benchmark module has a ``main()``
that returns table rows, every workload with default threads and with one thread each;
ratios are tinynn time / PyTorch time (below 1: tinynn is faster). Timings are medians of
interleaved rounds (tinynn, PyTorch, tinynn, ...) in one process; expect a few percent of
noise between runs on an idle machine. On a busy one, ``--cpu-time`` times the one-thread
rows by the process's CPU time, which leaves out the time spent waiting for a core (see
``_timing.py``). Takes about two minutes on an idle machine.
"""
from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import bench_attention  # noqa: E402
import bench_cnn  # noqa: E402
import bench_core  # noqa: E402
import bench_mlp_step  # noqa: E402
import bench_per_op  # noqa: E402
import bench_rnn  # noqa: E402
from _timing import HEADER, fix_malloc, malloc_note, use_cpu_time  # noqa: E402


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    fix_malloc()
    cpu_time = "--cpu-time" in sys.argv
    use_cpu_time(cpu_time)
    # PyTorch's kernels differ by CPU (its "capability": AVX512, AVX2, DEFAULT...), and so
    # do the ratios: the same code measured 1.8 on the small graph on an AVX-512 machine and
    # 1.1 on an AVX2 one (book/performance.md). Print which one ran.
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()}, {os.cpu_count()} CPUs, {platform.machine()} "
          f"({_cpu_model()}, PyTorch's CPU kernels: {torch.backends.cpu.get_cpu_capability()}), "
          f"load average {os.getloadavg()[0]:.1f} at the start")
    print("one-thread rows timed by " + ("process CPU time" if cpu_time else "the wall clock")
          + "; default-thread rows by the wall clock")
    print(malloc_note())
    print()
    print(HEADER)
    for module in (bench_core, bench_per_op, bench_mlp_step, bench_cnn, bench_rnn, bench_attention):
        for line in module.main():
            print(line, flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
