"""What every check shares: run the learner's function case by case and say what is wrong.

A check is a list of :class:`Case` objects (inputs, plus the answer PyTorch gives on those
inputs) and a list of :class:`Output` objects (what the function returns, and how to compare
it). :func:`run_check` calls the learner's function on each case, in order, and stops at the
first problem. Each problem falls in one category, named at the start of the message:

=================  ==============================================================
``not done yet``   the stub (or a function it calls) still raises NotImplementedError
``raised``         the learner's code raised an exception (type, message, and line)
``wrong type``     returned None, a non-number, or the wrong number of results
``wrong shape``    an array of the wrong shape (expected vs got)
``wrong dtype``    an array of the wrong dtype (float64 where float32 was given, ...)
``wrong value``    a value differs from PyTorch's (where, by how much, what it should be)
``wrong gradient`` a gradient differs from PyTorch's autograd (for which input)
``wrong order``    topo_sort: a node comes before a node computed from it
``did not raise``  the input is invalid and PyTorch raises, but the function returned
=================  ==============================================================

Nothing the learner's code does can crash a check: every exception is caught and reported,
and the learner gets copies of the inputs, so changing them in place cannot change the
expected answer. Values are compared with ``tinynn.testing.assert_close`` and PyTorch's
per-dtype tolerances (float32: rtol 1.3e-6, atol 1e-5; float64: rtol 1e-7, atol 1e-7).
"""
from __future__ import annotations

import copy
import os
import re
import sys
import sysconfig
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from tinynn.testing import assert_close, to_numpy

CATEGORIES = (
    "pass", "not done yet", "raised", "wrong type", "wrong shape", "wrong dtype",
    "wrong value", "wrong gradient", "wrong order", "did not raise",
)


@dataclass
class CheckResult:
    """What a check found. ``passed`` is True only when every case matched PyTorch.

    Attributes:
        exercise: the function's name, e.g. ``"mul_backward"``.
        passed: True when every case matched.
        category: one of :data:`CATEGORIES` (``"pass"`` when passed).
        message: the first line the check printed.
        details: the lines printed under it (the failing case, where, what to try).
        case: the label of the failing case (None when passed or not run).
    """

    exercise: str
    passed: bool
    category: str
    message: str
    details: list = field(default_factory=list)
    case: str | None = None

    def __str__(self) -> str:
        return "\n".join([self.message] + ["    " + line for line in self.details])

    def __repr__(self) -> str:
        return f"CheckResult({self.exercise!r}, passed={self.passed}, category={self.category!r})"

    def _ipython_display_(self) -> None:
        """The check has printed the report already; show nothing more in a notebook."""


@dataclass
class Case:
    """One input to try, and PyTorch's answer for it.

    Attributes:
        label: what is special about this case ("batch of 1", "logits as large as 1e4").
        args: the positional arguments (copied before each call).
        expected: PyTorch's result: one object for a one-output function, else a tuple.
        raises: for an invalid input, the exception types that count as the right answer.
        tip: a line of advice printed when this case fails (what it is there to catch).
        copy_args: pass copies of ``args`` (False for graphs of nodes, whose identity matters).
    """

    label: str
    args: tuple
    expected: Any = None
    raises: tuple = ()
    tip: str | None = None
    copy_args: bool = True


@dataclass
class Output:
    """One thing the function returns.

    Attributes:
        name: how to name it in a message ("grad_x", "strides").
        kind: "value" or "gradient" (decides between "wrong value" and "wrong gradient").
        compare: ``compare(name, kind, got, expected)`` returns when they match and raises
            :class:`Mismatch` when not. Defaults to :func:`compare_arrays`.
    """

    name: str
    kind: str = "value"
    compare: Callable | None = None


class Mismatch(Exception):
    """Raised by a comparison: (category, headline, details)."""

    def __init__(self, category: str, headline: str, details: Sequence[str] = ()):
        super().__init__(headline)
        self.category, self.headline, self.details = category, headline, list(details)


# ----------------------------------------------------------------------------- describing

def describe(value: Any) -> str:
    """A short, path-free description of an argument for a message."""
    if isinstance(value, np.ndarray):
        text = f"{value.dtype} array of shape {tuple(value.shape)}"
        if value.size <= 8 and value.dtype.kind in "biuf":
            values = np.array2string(value, precision=4, separator=", ", max_line_width=10**6)
            text += " = " + re.sub(r"\s+", " ", values.replace("\n", ""))
        return text
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        kinds = sorted({f"{v.dtype} array of shape {tuple(v.shape)}" for v in value})
        return f"{len(value)} x " + " / ".join(kinds)
    if isinstance(value, dict):
        return ", ".join(f"{k}={describe(v)}" for k, v in value.items())
    if hasattr(value, "name") and hasattr(value, "inputs"):  # a topo_sort Node
        return f"Node {value.name!r}"
    return repr(value)


def describe_args(names: Sequence[str], args: tuple) -> list:
    return [f"{name} = {describe(arg)}" for name, arg in zip(names, args)]


def _fmt_shape(shape) -> str:
    return str(tuple(int(s) for s in shape))


# ----------------------------------------------------------------------------- comparing

def _as_array(name: str, got: Any) -> np.ndarray:
    if got is None:
        raise Mismatch("wrong type", f"{name} is None; expected a numpy array. Did you forget `return`?")
    if isinstance(got, (tuple, list)) and any(not np.isscalar(g) for g in got):
        raise Mismatch("wrong type", f"{name} is a {type(got).__name__}; expected one numpy array")
    try:
        array = to_numpy(got)
    except Exception as error:  # anything numpy cannot turn into an array
        raise Mismatch("wrong type", f"{name} is a {type(got).__name__}, not an array ({error})") from None
    if array.dtype.kind not in "biuf":
        raise Mismatch("wrong type", f"{name} is a {type(got).__name__} of {array.dtype}; expected a numeric array")
    return array


_NUMPY_SCALAR = re.compile(r"np\.(?:float|int)\d+\(([^()]*)\)")  # np.float64(1.5) -> 1.5


def compare_arrays(name: str, kind: str, got: Any, expected: np.ndarray):
    """Shape, then dtype, then values (``assert_close`` with PyTorch's tolerances)."""
    array = _as_array(name, got)
    if array.shape != expected.shape:
        raise Mismatch("wrong shape", f"{name} has shape {_fmt_shape(array.shape)}, expected "
                       f"{_fmt_shape(expected.shape)}")
    if array.dtype != expected.dtype:
        raise Mismatch("wrong dtype", f"{name} has dtype {array.dtype}, expected {expected.dtype}",
                       ["Results keep the input's dtype, as in PyTorch. numpy turns float32 into "
                        "float64 when it meets a float64 array (np.zeros(shape) without dtype= is "
                        "one) or an .astype(np.float64)."])
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert_close(array, expected, name=name)
    except AssertionError as error:
        category = "wrong gradient" if kind == "gradient" else "wrong value"
        details = [_NUMPY_SCALAR.sub(r"\1", str(error).split(": ", 1)[-1])]
        bad = ~np.isfinite(array) & np.isfinite(expected)
        if bad.any():  # the largest difference ignores nan: drop it rather than print 0
            details[0] = re.sub(r"; largest difference [^;]*$", "", details[0])
            details.append(f"{int(bad.sum())} of them are inf or nan where PyTorch's are finite: "
                           "something overflowed (exp of a large number?) or divided 0 by 0.")
        raise Mismatch(category, f"{name} differs from PyTorch's", details) from None


def _as_int(name: str, value: Any, part: bool = True) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        verb = "contains" if part else "is"
        raise Mismatch("wrong type", f"{name} {verb} {value!r} ({type(value).__name__}); "
                       "expected " + ("whole numbers (int)" if part else "an int"),
                       ["Use // (floor division) for whole numbers: / always gives a float."]
                       if isinstance(value, float) else [])
    return int(value)


def compare_ints(name: str, kind: str, got: Any, expected: Any):
    """An int, or a tuple of ints (a shape, strides); lists and numpy ints are fine."""
    if isinstance(expected, int):
        if got is None:
            raise Mismatch("wrong type", f"{name} is None; expected an int. Did you forget `return`?")
        value = _as_int(name, got, part=False)
        if value != expected:
            raise Mismatch("wrong value", f"{name} is {value}, expected {expected}")
        return
    if got is None:
        raise Mismatch("wrong type", f"{name} is None; expected a tuple of ints. Did you forget `return`?")
    try:
        items = list(got)
    except TypeError:
        raise Mismatch("wrong type", f"{name} is {got!r}; expected a tuple of ints") from None
    value = tuple(_as_int(name, v) for v in items)
    if value != tuple(expected):
        raise Mismatch("wrong value", f"{name} is {value}, expected {tuple(expected)}")


def compare_bool(name: str, kind: str, got: Any, expected: bool):
    if not isinstance(got, (bool, np.bool_)):
        raise Mismatch("wrong type", f"{name} is {got!r} ({type(got).__name__}); expected True or False")
    if bool(got) != expected:
        raise Mismatch("wrong value", f"{name} is {bool(got)}, expected {expected}")


# ----------------------------------------------------------------------------- exceptions

_CHECKS_DIR = os.path.dirname(os.path.abspath(__file__))
_LIBRARY_DIRS = tuple(
    {os.path.abspath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                  *sysconfig.get_paths().values()) if p}
)


def _is_learner_file(filename: str) -> bool:
    if filename.startswith("<"):  # <frozen ...>, <string>
        return False
    path = os.path.abspath(filename)
    if path.startswith(_CHECKS_DIR + os.sep):
        return False
    return not any(path == d or path.startswith(d + os.sep) for d in _LIBRARY_DIRS)


def learner_frame(error: BaseException):
    """The innermost traceback frame in the learner's code (not numpy's, torch's or ours)."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if _is_learner_file(f.filename)]
    return frames[-1] if frames else None


def _where(frame) -> str:
    line = (frame.line or "").strip()
    return f"in {frame.name}, line {frame.lineno}" + (f": {line}" if line else "")


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# ----------------------------------------------------------------------------- running

def _call(fn: Callable, case: Case):
    """Call the learner's function on (copies of) the case's inputs, quietly (no numpy warnings)."""
    args = copy.deepcopy(case.args) if case.copy_args else case.args
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def _split_outputs(got: Any, outputs: Sequence[Output]) -> list:
    if len(outputs) == 1:
        return [got]
    names = ", ".join(o.name for o in outputs)
    if not isinstance(got, (tuple, list)):
        raise Mismatch("wrong type", f"returned {type(got).__name__}; expected a tuple of "
                       f"{len(outputs)} results ({names})")
    if len(got) != len(outputs):
        raise Mismatch("wrong type", f"returned {len(got)} results; expected {len(outputs)} ({names})")
    return list(got)


def _report(exercise: str, category: str, headline: str, details: Sequence[str],
            case: Case | None, argnames: Sequence[str], tips: dict | None) -> CheckResult:
    lines = []
    if case is not None:
        lines.append(f"case: {case.label}")
        lines += ["  " + text for text in describe_args(argnames, case.args)]
    lines += list(details)
    if case is not None and case.tip:
        lines.append("tip: " + case.tip)
    elif tips and category in tips:
        lines.append("tip: " + tips[category])
    message = f"❌ {exercise}: {category}: {headline}"
    return CheckResult(exercise, False, category, message, lines, case.label if case else None)


def run_check(exercise: str, fn: Any, cases: Sequence[Case], outputs: Sequence[Output],
              argnames: Sequence[str], *, tips: dict | None = None,
              verbose: bool = True) -> CheckResult:
    """Run ``fn`` on every case and compare with PyTorch's answers; print and return the result.

    Args:
        exercise: the exercise's function name (used in messages).
        fn: the learner's function.
        cases: inputs and PyTorch's answers, tried in order; the first problem is reported.
        outputs: what ``fn`` returns (one Output per result).
        argnames: the parameter names, to describe a failing case's inputs.
        tips: an extra line to print for a category ("wrong shape": "a gradient has its
            input's shape...").
        verbose: print the report (the tests turn this off).
    """
    result = _run(exercise, fn, cases, outputs, argnames, tips)
    if verbose:  # one write, so a notebook stores the report as one output
        sys.stdout.write(str(result) + "\n")
        sys.stdout.flush()
    return result


def _run(exercise, fn, cases, outputs, argnames, tips) -> CheckResult:
    if not callable(fn):
        return _report(exercise, "wrong type", f"expected your function, got {describe(fn)}",
                       [f"Call it as check_{exercise}({exercise})."], None, argnames, tips)
    for case in cases:
        try:
            got = _call(fn, case)
        except Mismatch as mismatch:  # a multi-step driver found a bad intermediate result
            return _report(exercise, mismatch.category, mismatch.headline, mismatch.details,
                           case, argnames, tips)
        except NotImplementedError as error:
            frame = learner_frame(error)
            details = ["Replace `raise NotImplementedError` with your code and run this again."]
            if frame is not None and frame.name != getattr(fn, "__name__", None):
                details.insert(0, f"It was raised {_where(frame)} (a function yours calls).")
            return CheckResult(exercise, False, "not done yet",
                               f"❌ {exercise}: not done yet (it raises NotImplementedError)", details)
        except KeyboardInterrupt:  # the learner stopped it (an endless loop?): let it stop
            raise
        except BaseException as error:  # the learner's bug (even sys.exit): report, never crash
            if case.raises and isinstance(error, case.raises):
                continue
            frame = learner_frame(error)
            details = [_where(frame)] if frame is not None else []
            if case.raises:
                wanted = " or ".join(t.__name__ for t in case.raises)
                details.append(f"This input is invalid, and the right answer is to raise {wanted}.")
            return _report(exercise, "raised", f"{type(error).__name__}: {_short(error)}",
                           details, case, argnames, tips)
        try:
            if case.raises:
                wanted = " or ".join(t.__name__ for t in case.raises)
                raise Mismatch("did not raise", f"returned {describe(got)} for an invalid input; "
                               f"expected it to raise {wanted}", ["PyTorch raises here."])
            results = _split_outputs(got, outputs)
            expected = case.expected if len(outputs) > 1 else (case.expected,)
            for output, value, want in zip(outputs, results, expected):
                if want is None:  # nothing to compare for this case (e.g. no momentum buffer)
                    continue
                (output.compare or compare_arrays)(output.name, output.kind, value, want)
        except Mismatch as mismatch:
            return _report(exercise, mismatch.category, mismatch.headline, mismatch.details,
                           case, argnames, tips)
        except Exception as error:  # an odd return value that a comparison choked on
            return _report(exercise, "wrong type", f"could not compare the result ({type(error).__name__}: "
                           f"{_short(error)})", [], case, argnames, tips)
    return CheckResult(exercise, True, "pass", f"✅ pass: {exercise}",
                       [f"matches PyTorch on all {len(cases)} cases"])
