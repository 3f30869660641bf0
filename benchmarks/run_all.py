"""Run every benchmark and print one markdown table (tinynn vs PyTorch, same process).

Usage: ``python benchmarks/run_all.py``. Each benchmark module has a ``main()`` that
returns table rows; ratios are tinynn time / PyTorch time (below 1: tinynn is faster).
Timings are medians of interleaved runs; expect a few percent of noise between runs.
"""
from __future__ import annotations

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
import bench_rnn  # noqa: E402
from _timing import HEADER  # noqa: E402


def main() -> None:
    print(f"python {platform.python_version()}, numpy {np.__version__}, torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()}, {platform.machine()}")
    print()
    print(HEADER)
    for module in (bench_core, bench_mlp_step, bench_cnn, bench_rnn, bench_attention):
        for line in module.main():
            print(line, flush=True)


if __name__ == "__main__":
    main()
