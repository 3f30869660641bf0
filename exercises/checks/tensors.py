"""Checks for exercises/ex01_tensors.ipynb: strides, contiguity, views, broadcasting, softmax.

Every expected answer is what PyTorch says on the same input: ``Tensor.stride()``,
``is_contiguous()``, ``view()`` (or its RuntimeError), ``torch.broadcast_shapes`` and
``torch.softmax``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from .core import (Case, CheckResult, Mismatch, Output, _as_int_tuple, compare_bool,
                   compare_ints, fresh_seeds, randn, run_check)


def _stride(shape) -> tuple:
    return tuple(torch.empty(shape).stride())


def _random_shape(rng, ndim_low=1, ndim_high=4, size_high=5) -> tuple:
    return tuple(int(n) for n in rng.integers(1, size_high, int(rng.integers(ndim_low,
                                                                              ndim_high + 1))))


def check_contiguous_strides(fn: Callable, verbose: bool = True) -> CheckResult:
    """contiguous_strides(shape) -> the strides (in elements) of a new tensor of that shape."""
    shapes = [(2, 3, 4), (5,), (4, 3), (), (3, 1, 4), (2, 0, 3), (1, 1)]
    labels = ["3-d", "1-d", "2-d", "0-d (a scalar)", "a dimension of size 1",
              "a dimension of size 0", "all sizes 1"]
    for seed in fresh_seeds(3):
        shapes.append(_random_shape(np.random.default_rng(seed), 1, 5, 6))
        labels.append(f"random (seed {seed})")
    cases = [Case(f"{label}: shape {shape}", (shape,), reference=_stride)
             for label, shape in zip(labels, shapes)]
    return run_check("contiguous_strides", fn, cases, [Output("strides", compare=compare_ints)],
                     ["shape"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "The last dimension has stride 1; each earlier one "
                                          "steps over all elements of the later ones (a size 0 "
                                          "counts as 1, as in PyTorch)."})


def check_strides_of(fn: Callable, verbose: bool = True) -> CheckResult:
    """strides_of(shape, permutation) -> strides of torch.empty(shape).permute(permutation)."""
    specs = [("transpose of a matrix", (2, 3), (1, 0)),
             ("3-d, rotated axes", (2, 3, 4), (2, 0, 1)),
             ("identity permutation", (2, 3, 4), (0, 1, 2)),
             ("4-d, NCHW -> NHWC", (2, 3, 4, 5), (0, 2, 3, 1)),
             ("1-d", (5,), (0,)),
             ("0-d", (), ()),
             ("a dimension of size 1", (3, 1, 4), (1, 2, 0))]
    for seed in fresh_seeds(3):
        rng = np.random.default_rng(seed)
        shape = _random_shape(rng, 2, 5, 6)
        specs.append((f"random (seed {seed})", shape,
                      tuple(int(d) for d in rng.permutation(len(shape)))))
    cases = [Case(f"{label}: shape {shape}, permutation {perm}", (shape, perm),
                  reference=lambda shape, perm: tuple(torch.empty(shape).permute(perm).stride()))
             for label, shape, perm in specs]
    return run_check("strides_of", fn, cases, [Output("strides", compare=compare_ints)],
                     ["shape", "permutation"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "permute moves no data: it reorders the strides the "
                                          "tensor already has, along with its sizes."})


def check_is_contiguous(fn: Callable, verbose: bool = True) -> CheckResult:
    """is_contiguous(shape, strides) -> Tensor.is_contiguous() for a tensor with these strides."""
    specs = [("a fresh tensor", (2, 3, 4), (12, 4, 1)),
             ("a transposed matrix", (3, 2), (1, 3)),
             ("every other row of a (4, 3) matrix", (2, 3), (6, 1)),
             ("an expanded tensor (stride 0)", (3, 4), (0, 1)),
             ("a dimension of size 1 with an odd stride", (3, 1, 4), (4, 99, 1)),
             ("a permuted tensor whose moved axis has size 1", (1, 3, 4), (1, 4, 1)),
             ("0-d", (), ()),
             ("no elements (a size-0 dimension)", (2, 0, 3), (5, 7, 1)),
             ("1-d with stride 2", (4,), (2,)),
             ("contiguous except the first stride", (2, 3, 4), (24, 4, 1)),
             ("size-1 dimensions with strides 0 and 5 around contiguous ones",
              (1, 3, 1, 4), (0, 4, 5, 1))]
    for seed in fresh_seeds(3):  # a fresh tensor, permuted and maybe sliced
        rng = np.random.default_rng(seed)
        shape = _random_shape(rng, 1, 4, 4)
        perm = rng.permutation(len(shape))
        strides = np.array(_stride(shape))[perm] * int(rng.integers(1, 3))
        specs.append((f"random (seed {seed})", tuple(np.array(shape)[perm].tolist()),
                      tuple(strides.tolist())))
    cases = [Case(f"{label}: shape {shape}, strides {strides}", (shape, strides),
                  reference=lambda shape, strides: bool(
                      torch.empty_strided(shape, strides).is_contiguous()))
             for label, shape, strides in specs]
    return run_check("is_contiguous", fn, cases, [Output("is_contiguous", compare=compare_bool)],
                     ["shape", "strides"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "Walk from the last dimension: skip sizes of 1, and "
                                          "each stride must equal the product of the sizes after "
                                          "it. A tensor with no elements is contiguous."})


@dataclass(frozen=True)
class ViewAnswer:
    """PyTorch's answer to a view: the new shape, and its strides (None: cannot view)."""

    new_shape: tuple
    strides: tuple | None


def _view_answer(shape, strides, new_shape) -> ViewAnswer:
    try:
        return ViewAnswer(new_shape, tuple(torch.empty_strided(shape, strides).view(new_shape).stride()))
    except RuntimeError:
        return ViewAnswer(new_shape, None)


def _compare_view(name, kind, got, expected: ViewAnswer):
    new_shape, want = expected.new_shape, expected.strides
    if want is None:
        if got is not None:
            raise Mismatch("wrong value", f"returned {got!r}, but this view is impossible without a "
                           "copy (PyTorch raises): the answer is None",
                           ["Some new dimension would have to step across two separate chunks "
                            "of memory with one stride."])
        return
    if got is None:
        raise Mismatch("wrong value", f"returned None, but PyTorch can view this: strides {want}",
                       ["A non-contiguous tensor can still be viewed when each new dimension "
                        "splits or merges only old dimensions that are contiguous with each other."])
    values = _as_int_tuple("strides", got)
    if len(values) != len(new_shape):
        raise Mismatch("wrong value", f"returned {len(values)} strides {values} for the "
                       f"{len(new_shape)}-d shape {tuple(new_shape)}; PyTorch's are {want}")
    # A dimension of size 1 is never stepped along, so its stride may be anything.
    ours = tuple(v if n != 1 else "*" for v, n in zip(values, new_shape))
    theirs = tuple(v if n != 1 else "*" for v, n in zip(want, new_shape))
    if ours != theirs:
        raise Mismatch("wrong value", f"returned strides {values}, PyTorch's are {want}",
                       [f"compared where the size is not 1 (* = ignored): got {ours}, expected {theirs}"])


def check_view_strides(fn: Callable, verbose: bool = True) -> CheckResult:
    """view_strides(shape, strides, new_shape) -> strides of .view(new_shape), or None."""
    specs = [("contiguous, merge the last two dimensions", (2, 3, 4), (12, 4, 1), (2, 12)),
             ("contiguous, flatten", (2, 3, 4), (12, 4, 1), (24,)),
             ("contiguous, split a dimension", (6, 4), (4, 1), (2, 3, 2, 2)),
             ("transposed, flatten", (4, 3), (1, 4), (12,)),
             ("transposed, add a size-1 dimension", (4, 3), (1, 4), (4, 3, 1)),
             ("transposed, split the first dimension", (4, 3), (1, 4), (2, 2, 3)),
             ("transposed, split both dimensions", (4, 6), (1, 4), (2, 2, 2, 3)),
             ("permuted, merge across the permutation", (2, 3, 4), (4, 8, 1), (2, 12)),
             ("permuted, merge the contiguous part", (2, 3, 4), (4, 8, 1), (6, 4)),
             ("expanded (stride 0), split", (3, 4), (0, 1), (3, 2, 2)),
             ("expanded (stride 0), flatten", (3, 4), (0, 1), (12,)),
             ("every other row, flatten", (2, 3), (6, 1), (6,)),
             ("every other row, split the columns", (2, 4), (8, 1), (2, 2, 2)),
             ("0-d to (1, 1)", (), (), (1, 1)),
             ("(1, 1) to 0-d", (1, 1), (1, 1), ()),
             ("a size-1 dimension with an odd stride, flatten", (3, 1, 4), (4, 99, 1), (12,)),
             ("size-1 dimensions with strides 0 and 7, split", (2, 1, 6, 1), (6, 0, 1, 7),
              (2, 3, 2)),
             ("transposed, a size-1 dimension between, merge", (4, 1, 3), (1, 5, 4), (4, 3)),
             ("a size-1 dimension with stride 0 in a transpose, flatten",
              (1, 4, 3), (0, 1, 4), (12,))]
    for seed in fresh_seeds(4):  # a permuted (maybe sliced) tensor, reshaped at random
        rng = np.random.default_rng(seed)
        shape = _random_shape(rng, 2, 4, 4)
        perm = rng.permutation(len(shape))
        strides = tuple((np.array(_stride(shape))[perm] * int(rng.integers(1, 3))).tolist())
        shape = tuple(np.array(shape)[perm].tolist())
        factors = [p for n in shape for p in _prime_factors(n)]
        rng.shuffle(factors)
        cuts = sorted(rng.choice(len(factors) + 1, int(rng.integers(0, len(factors) + 1))))
        new_shape = tuple(int(np.prod(part)) for part in np.split(np.array(factors, int), cuts))
        specs.append((f"random (seed {seed})", shape, strides, new_shape))
    cases = [Case(f"{label}: shape {shape}, strides {strides} -> {new_shape}",
                  (shape, strides, new_shape), reference=_view_answer)
             for label, shape, strides, new_shape in specs]
    return run_check("view_strides", fn, cases, [Output("strides", compare=_compare_view)],
                     ["shape", "strides", "new_shape"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "Leave out every dimension of size 1, of the input "
                                          "and of the new shape, before building chunks: its "
                                          "stride can be anything, as it is never stepped "
                                          "along."})


def _prime_factors(n: int) -> list:
    factors, p = [], 2
    while n > 1:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    return factors


def check_broadcast_shape(fn: Callable, verbose: bool = True) -> CheckResult:
    """broadcast_shape(shape_a, shape_b) -> torch.broadcast_shapes(shape_a, shape_b), or raise."""
    good = [("a column and a row", (3, 1), (4,)),
            ("3-d with 2-d", (2, 1, 5), (3, 1)),
            ("equal shapes", (2, 3), (2, 3)),
            ("a scalar (0-d) and a matrix", (), (2, 3)),
            ("a matrix and a scalar (0-d)", (2, 3), ()),
            ("size 1 against size 0", (1, 3), (0, 1)),
            ("a longer second shape", (5,), (2, 4, 1))]
    bad = [("incompatible sizes 3 and 4", (3,), (4,)),
           ("incompatible (2, 3) and (3, 2)", (2, 3), (3, 2)),
           ("incompatible in a leading dimension", (2, 1, 4), (3, 1, 1))]
    for seed in fresh_seeds(3):  # b is a with sizes set to 1 and leading dimensions dropped
        rng = np.random.default_rng(seed)
        a = _random_shape(rng, 1, 4, 5)
        b = tuple(1 if rng.random() < 0.4 else n for n in a)[int(rng.integers(0, len(a))):]
        a = tuple(1 if rng.random() < 0.3 else n for n in a)
        good.append((f"random (seed {seed})", a, b) if rng.random() < 0.5
                    else (f"random (seed {seed})", b, a))
    cases = [Case(f"{label}: {a} and {b}", (a, b),
                  reference=lambda a, b: tuple(torch.broadcast_shapes(a, b)))
             for label, a, b in good]
    cases += [Case(f"{label}: {a} and {b}", (a, b), raises=(RuntimeError, ValueError))
              for label, a, b in bad]
    return run_check("broadcast_shape", fn, cases, [Output("shape", compare=compare_ints)],
                     ["shape_a", "shape_b"], verbose=verbose, numpy_only=True,
                     tips={"wrong value": "Line the shapes up from the right; missing "
                                          "dimensions count as size 1; two sizes match when "
                                          "they are equal or one of them is 1."})


def check_softmax(fn: Callable, verbose: bool = True) -> CheckResult:
    """softmax(x, dim) -> torch.softmax(x, dim), computed stably."""
    f32 = np.float32
    specs = [("2-d, over the last dimension", randn(101, (4, 5)), -1),
             ("2-d, over the first dimension", randn(102, (4, 5)), 0),
             ("a square matrix, over dim 1", randn(103, (4, 4)), 1),
             ("3-d, over the middle dimension", randn(104, (2, 3, 4)), 1),
             ("3-d, over dim -3", randn(105, (2, 3, 4)), -3),
             ("one element along dim", randn(106, (3, 1)), 1),
             ("float32 input", randn(107, (3, 4), f32), -1),
             ("float32, over dim 0 of a 3-d input", randn(108, (3, 2, 2), f32), 0),
             ("logits as large as 1e4 (float32)",
              np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0]], dtype=f32), -1),
             ("all logits -1e4 (float32)", np.full((2, 3), -1e4, dtype=f32), 1),
             ("rows on very different scales (float32)",
              np.array([[1e4, 0.0, -1e4], [0.0, 1.0, 2.0]], dtype=f32), 1),
             ("large logits close together (float32: near 1e4, 0.5 apart)",
              np.array([[1e4, 1e4 + 0.5, 1e4 - 1.0], [-1e4, -1e4 + 2.0, -1e4 + 1.0]], dtype=f32),
              -1),
             ("large logits close together (float64: near 1e5, 1 apart)",
              np.array([[1e5, 1e5 + 1.0, 1e5 - 2.0, 1e5 + 0.5]]), -1),
             ("no rows (a size-0 dimension), over the last dimension", np.zeros((0, 4)), -1)]
    for seed in fresh_seeds(3):
        rng = np.random.default_rng(seed)
        shape = _random_shape(rng, 1, 4, 5)
        dtype = (np.float64, np.float32)[int(rng.integers(2))]
        specs.append((f"random (seed {seed}), scaled by 30", randn(seed, shape, dtype, 30.0),
                      int(rng.integers(-len(shape), len(shape)))))
    overflow_tip = ("exp(1e4) overflows to inf, and exp(-1e4) underflows to 0. Subtract the "
                    "maximum along dim first: softmax does not change when every input along "
                    "dim is shifted by the same amount. Clipping the logits does change it.")
    per_row_tip = ("Subtract each row's own maximum (along dim), not the maximum of the whole "
                   "array: a row far below the global maximum underflows to 0 / 0.")

    def reference(x, dim):
        return torch.softmax(torch.from_numpy(x), dim).numpy()

    cases = [Case(label, (x, dim), reference=reference,
                  tip=overflow_tip if "1e" in label else per_row_tip if "scales" in label else None)
             for label, x, dim in specs]
    return run_check("softmax", fn, cases, [Output("softmax")], ["x", "dim"], verbose=verbose,
                     numpy_only=True,
                     tips={"raised ValueError": "If the shapes do not broadcast: reductions "
                                                "such as x.max(axis=dim) drop the reduced "
                                                "dimension; keepdims=True keeps it as size 1, "
                                                "so the result broadcasts against x."})
