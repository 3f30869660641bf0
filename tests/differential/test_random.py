"""Random differential cases, driven by hypothesis, against PyTorch 2.13.

Hypothesis picks an op and a form from ``opinfo.OPS``, starts from one of the op's table
samples and varies it: new values for every tensor (with infinities, NaN, signed zeros, ties,
large magnitudes), and sometimes new shapes (0-d, 0-size, size-1 and broadcast partners), new
dtypes, a non-contiguous view, or new Python scalars. Each case is checked by
``harness.check`` exactly like the table cases (values, dtype, shape, ``requires_grad``,
float64 gradients, exception type and origin, warnings).

CI runs a fixed, derandomised budget (``derandomize=True``, and a fixed pool of constants
set in tests/conftest.py: the same cases on every run and machine, whatever else the run
loads) of ``TINYNN_DIFF_EXAMPLES`` examples per family group, 250 unless that environment
variable says otherwise; set it higher for a longer hunt, e.g. ``TINYNN_DIFF_EXAMPLES=5000``
(a budget above the default also turns on hypothesis' shrinking, for minimal reproducers).
"""
from __future__ import annotations

import importlib
import math
import os
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from harness import Arr, Sample, check
from opinfo import DTYPES, OPS, SPECIALS

DEFAULT_EXAMPLES = 250
EXAMPLES = int(os.environ.get("TINYNN_DIFF_EXAMPLES", DEFAULT_EXAMPLES))
GROUPS = {
    "elementwise": ("elementwise", "unary"),
    "reduction": ("reduction", "cumulative", "sorting", "comparison"),
    "shape": ("shape", "indexing", "linalg"),
    "nn": ("nn",),
}
SETTINGS = settings(
    derandomize=True,
    database=None,
    max_examples=EXAMPLES,
    deadline=None,
    phases=(Phase.explicit, Phase.generate) + ((Phase.shrink,) if EXAMPLES > DEFAULT_EXAMPLES else ()),
    suppress_health_check=list(HealthCheck),
)


# ops whose integer *values* never set a size: they get int32's extremes too (one_hot or
# repeat_interleave given 2**31 - 1 would try to allocate gigabytes)
BIG_INT_FAMILIES = ("elementwise", "unary", "comparison", "reduction", "cumulative", "sorting")


def _elements(dtype: str, big_ints: bool):
    if dtype in ("float32", "float64"):
        width = 32 if dtype == "float32" else 64
        return st.one_of(st.floats(-6, 6, width=width), st.sampled_from(SPECIALS + [1e30, -1e30, 1e-30]),
                         st.integers(-3, 3).map(float))
    if dtype == "bool":
        return st.booleans()
    if big_ints:
        return st.one_of(st.integers(-6, 6), st.sampled_from([2**31 - 1, -(2**31)]))
    return st.integers(-6, 6)


@st.composite
def tensor_values(draw, shape, dtype: str, big_ints: bool) -> np.ndarray:
    return draw(hnp.arrays(np.dtype(dtype), tuple(shape), elements=_elements(dtype, big_ints)))


@st.composite
def varied(draw, sample: Sample, big_ints: bool = False, fixed_kwargs: tuple = ()) -> Sample:
    """``sample`` with new values, and maybe new shapes, dtypes, views and scalars (not those
    of ``fixed_kwargs``)."""
    mode = draw(st.sampled_from(["values", "values", "shapes", "dtypes", "scalars"]))
    base_shape = None

    def vary(v, top: bool):
        nonlocal base_shape
        if isinstance(v, Arr):
            shape, dtype = v.data.shape, v.data.dtype.name
            if mode == "shapes":
                if base_shape is None:
                    shape = base_shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
                else:
                    shape = draw(hnp.broadcastable_shapes(base_shape, min_dims=0, max_dims=3, min_side=0, max_side=4))
            elif mode == "dtypes" and draw(st.booleans()):
                dtype = draw(st.sampled_from(DTYPES))
            data = draw(tensor_values(shape, dtype, big_ints))
            views = [""] + (["step"] if len(shape) >= 1 else []) + (["T"] if len(shape) >= 2 else [])
            view = draw(st.sampled_from(views)) if mode != "values" else v.view if v.view in views else ""
            return Arr(data, dtype == "float64" and (v.grad or mode != "values"), view)
        if isinstance(v, list):
            return [vary(x, False) for x in v]
        if isinstance(v, tuple):
            return tuple(vary(x, False) for x in v)
        if top and mode == "scalars" and not isinstance(v, str) and v is not None:
            if isinstance(v, bool):
                return draw(st.booleans())
            if isinstance(v, int):
                return draw(st.integers(-4, 4))
            if isinstance(v, float):
                return draw(st.one_of(st.floats(-4, 4), st.sampled_from([math.nan, math.inf, -math.inf, 0.0])))
        return v

    args = tuple(vary(a, True) for a in sample.args)
    kwargs = {k: v if k in fixed_kwargs else vary(v, True) for k, v in sample.kwargs.items()}
    return Sample(args, kwargs)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_random_cases_agree_with_torch(group):
    pairs = [(op, form) for op in OPS if op.family in GROUPS[group] for form in op.forms]

    @SETTINGS
    @given(data=st.data())
    def run(data):
        # indices, not objects: hypothesis prints its draws, and an OpInfo prints long
        op, form = pairs[data.draw(st.integers(0, len(pairs) - 1), label="op, form")]
        samples = op.samples_for(form)
        if not samples:
            return
        base = samples[data.draw(st.integers(0, len(samples) - 1), label=f"{op.name} [{form}] sample")]
        sample = data.draw(varied(base, op.family in BIG_INT_FAMILIES, op.fixed_kwargs), label="varied")
        problems = check(op, form, sample)
        assert not problems, (f"{op.name} [{form}] {sample.describe()}:\n  "
                              + "\n  ".join(str(p) for p in problems))

    run()


def test_random_draws_do_not_depend_on_the_modules_loaded(tmp_path):
    """Importing a module full of new constants leaves the draws as they were.

    Hypothesis would mix the constants of every local module in ``sys.modules`` into its
    draws, so the cases above would depend on which test files ran first in the process;
    tests/conftest.py gives it a fixed pool instead. This is the check that it holds.
    """
    def draws() -> list:
        seen = []

        @settings(derandomize=True, database=None, max_examples=300, deadline=None)
        @given(st.floats(-6, 6))
        def run(x):
            seen.append(x)

        run()
        return seen

    before = draws()
    name = "tinynn_test_module_of_constants"
    (tmp_path / f"{name}.py").write_text(
        "CONSTANTS = [" + ", ".join(repr(i / 7) for i in range(-40, 41)) + "]\n")
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.import_module(name)
        after = draws()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)
    assert after == before
