"""Where the time of one small op goes: ``x * y`` on two 8x8 float32 tensors.

Each line times one layer of the op on its own (the best of several repeats of many calls,
in CPU time, so that other jobs on the machine do not count), from the numpy call up to the
graph node and the engine's work in backward. The differences between lines are the cost
of each layer. Run: ``python benchmarks/profile_op.py`` (about 20 s); PyTorch's times for
the same op are printed last for scale.
"""
from __future__ import annotations

import time
import timeit

import numpy as np
import torch
from threadpoolctl import threadpool_limits

import tinynn
from tinynn import _dtype
from tinynn._functions import elementwise as E
from tinynn.autograd import engine


def best(fn, number: int = 20000, repeat: int = 9) -> float:
    """Nanoseconds per call: the best of ``repeat`` runs of ``number`` calls (CPU time)."""
    return min(timeit.Timer(fn, timer=time.process_time).repeat(number=number, repeat=repeat)) / number * 1e9


class _Identity(tinynn.autograd.Function):
    """y = x, to time the engine alone (its backward does no arithmetic)."""

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def main() -> None:
    torch.set_num_threads(1)
    threadpool_limits(1)
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal((8, 8)).astype(np.float32) for _ in range(2))
    x, y = tinynn.tensor(a), tinynn.tensor(b)
    xg, yg = tinynn.tensor(a, requires_grad=True), tinynn.tensor(b, requires_grad=True)
    f32 = _dtype.float32

    def errstate_multiply():
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return np.multiply(a, b)

    chain = xg
    for _ in range(50):
        chain = _Identity.apply(chain)
    seed = tinynn.ones(8, 8)
    rows = [
        ("numpy: np.multiply(a, b)", best(lambda: np.multiply(a, b))),
        ("numpy under np.errstate (entered per call)", best(errstate_multiply)),
        ("dtype promotion: result_type(x, y)", best(lambda: _dtype.result_type(x, y))),
        ("_binary: operands, error state, ufunc", best(lambda: E._binary(np.multiply, x, y, f32))),
        ("x * y, nothing recorded (no input requires grad)", best(lambda: x * y)),
        ("x * y, recorded (inputs require grad)", best(lambda: xg * yg)),
        ("engine, per node of a 50-node chain (backward without arithmetic)",
         best(lambda: engine.run_backward([chain], [seed], True, False), number=200) / 51),
        ("(x * y).sum().backward(), whole", best(lambda: (xg * yg).sum().backward(), number=2000)),
    ]
    tx, ty = torch.tensor(a), torch.tensor(b)
    txg, tyg = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    rows += [
        ("PyTorch: x * y, nothing recorded", best(lambda: tx * ty)),
        ("PyTorch: x * y, recorded", best(lambda: txg * tyg)),
        ("PyTorch: (x * y).sum().backward(), whole", best(lambda: (txg * tyg).sum().backward(), number=2000)),
    ]
    print(f"numpy {np.__version__}, torch {torch.__version__}; best of 9 repeats, CPU time\n")
    print("| layer | ns per call |\n|---|---|")
    for name, ns in rows:
        print(f"| {name} | {ns:,.0f} |")


if __name__ == "__main__":
    main()
