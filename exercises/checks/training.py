"""What the API-level training exercises share (ex04's ``fit``, ex05's ``train_tbptt``):
the learner's loop and the reference loop run from the same weights on the same batches,
and the check compares every loss and, after training, every ``state_dict`` entry.

Tolerances: float64, rtol 1e-9 (the same loop computes the same numbers; an equal but
reordered loss formula agrees to about 1e-14); float32, rtol 1e-4 (rounding grows along a
training run). A wrong loop (no ``zero_grad``, no ``train()``, no ``detach``...) differs
by far more, from the first step it affects.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .core import (Mismatch, _is_library_tensor, _what_came_back, keep_random_state,
                   one_thread)

LIB_NAMES = ("torch", "tinynn")


def library(name: str):
    """``torch`` or ``tinynn``, by name."""
    import torch

    import tinynn

    return {"torch": torch, "tinynn": tinynn}[name]


def tolerance(dtype: str) -> dict:
    return dict(rtol=1e-9, atol=1e-12) if dtype == "float64" else dict(rtol=1e-4, atol=1e-5)


def seeded_torch_model(make, seed: int):
    """``make(torch)`` with PyTorch's initial weights from ``seed``, leaving the caller's
    global random state as it was (a check must not reseed the learner's notebook)."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return make(torch)


def copy_torch_model(torch_model, make, lib):
    """The model for ``lib``: PyTorch's own (``lib`` is torch), or ``make(tinynn)`` with
    PyTorch's initial weights loaded."""
    import torch

    if lib is torch:
        return torch_model
    from tinynn.utils.convert import state_dict_from_torch

    model = make(lib)
    model.load_state_dict(state_dict_from_torch(torch_model.state_dict()))
    return model


def model_state(model) -> dict:
    """Every state_dict entry as a numpy copy."""
    from tinynn.testing import to_numpy

    return {key: to_numpy(value).copy() for key, value in model.state_dict().items()}


def as_float(name: str, value: Any) -> float:
    """A Python (or numpy) number; a tensor or anything else is a wrong type."""
    if _is_library_tensor(value):
        raise Mismatch("wrong type", f"{name} is {_what_came_back(value)}; expected a Python "
                       "float", ["Call .item() on a 0-d tensor to get its number. A list of "
                                 "loss tensors also keeps every step's graph alive: memory "
                                 "grows with every step."])
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (float, int, np.floating, np.integer)):
        raise Mismatch("wrong type", f"{name} is {_what_came_back(value)}; expected a Python "
                       "float")
    return float(value)


def as_losses(losses: Any, per: str) -> np.ndarray:
    """A list (or tuple) of numbers, one per ``per`` (batch, chunk), as a float64 array."""
    if not isinstance(losses, (list, tuple)):
        raise Mismatch("wrong type", f"losses is {_what_came_back(losses)}; expected a list "
                       f"of Python floats, one per {per}",
                       ["Fix: wrap it in list(...)." if hasattr(losses, "__next__") else
                        "Fix: losses = [] before the loop, losses.append(loss.item()) in it."])
    return np.array([as_float(f"losses[{i}]", v) for i, v in enumerate(losses)],
                    dtype=np.float64)


def compare_losses(name: str, kind: str, got: np.ndarray, expected: dict) -> None:
    """``expected``: values, rtol, atol, and ``per`` (what one loss is for)."""
    want, per = expected["values"], expected["per"]
    if got.shape != want.shape:
        raise Mismatch("wrong shape", f"{len(got)} losses came back, expected {len(want)}: "
                       f"one per {per}")
    rtol, atol = expected["rtol"], expected["atol"]
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    if bad.any():
        i = int(np.argmax(bad))
        details = [f"{per.capitalize()}es 1 to {i} matched (within rtol {rtol:g}, atol "
                   f"{atol:g})." if i else f"Already the first {per} differs.",
                   f"losses   {np.array2string(got[:i + 2], precision=10)}...",
                   f"expected {np.array2string(want[:i + 2], precision=10)}..."]
        if rtol < 1e-6 and np.allclose(got, want, rtol=1e-4, atol=1e-5):
            details.append("Close, but only to float32 precision: the model and the data "
                           "are float64 here; keep them so (no .float() on the way).")
        raise Mismatch("wrong value", f"the loss of {per} {i + 1} is {got[i]:.10g}, the "
                       f"reference loop's is {want[i]:.10g}", details)


def same_dtype(model, dtype: str) -> None:
    """The model still holds ``dtype`` floats (the loop must not convert the caller's
    model); a "wrong dtype" Mismatch otherwise."""
    from tinynn.testing import to_numpy

    for key, value in model.state_dict().items():
        got = to_numpy(value).dtype
        if got.kind == "f" and got != np.dtype(dtype):
            raise Mismatch("wrong dtype", f"after training, the model's {key} is {got}, "
                           f"expected {dtype}",
                           ["The loop trains the model in the dtype it was handed: no "
                            ".double() or .float() on the caller's model or its inputs."])


def compare_state(name: str, kind: str, got: dict, expected: dict) -> None:
    """Every state_dict entry after training, within the run's tolerance."""
    want, rtol, atol = expected["values"], expected["rtol"], expected["atol"]
    if list(got) != list(want):
        raise Mismatch("wrong value", "the model's state_dict has other keys after training")
    for key, value in want.items():
        if got[key].dtype != value.dtype:
            raise Mismatch("wrong dtype", f"after training, the model's {key} is "
                           f"{got[key].dtype}, expected {value.dtype}",
                           ["The loop trains the model in the dtype it was handed: no "
                            ".double() or .float() on the caller's model."])
        if got[key].shape != value.shape or not np.allclose(got[key], value, rtol=rtol,
                                                            atol=atol):
            details = []
            if "running" in key or "num_batches" in key:
                details.append("BatchNorm's running statistics change whenever the model "
                               "runs in train mode: evaluate after model.eval().")
            raise Mismatch("wrong value", f"after training, the model's {key} differs from "
                           "the reference loop's", details)


def warm_up(run, setups) -> None:
    """Run ``run(*setup)`` once per setup before any time limit: PyTorch's first optimizer
    and first backward take 2-3 s to set themselves up (not the learner's time)."""
    with one_thread(), keep_random_state():
        for setup in setups:
            run(*setup)
