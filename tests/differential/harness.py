"""Run one sample under PyTorch and under tinynn, and say every way the two disagree.

A *sample* (see ``opinfo.py``) holds the arguments of one call as library-neutral specs:
:class:`Arr` for a tensor (its values as a numpy array, whether it requires grad, and
whether it is a non-contiguous view), :class:`Dt` for a dtype argument, and plain Python
values for the rest. :func:`check` builds the arguments once per library, makes the call in
the requested *form* (function, method, operator, reflected operator, in-place method,
augmented assignment, ``out=``), and compares:

- the exception type, when PyTorch raises (tinynn must raise an instance of the builtin
  exception class PyTorch's exception derives from);
- the origin of every exception tinynn raises: the traceback's last frame must be a
  ``raise`` statement in a tinynn source file (not a numpy internal, not an arithmetic or
  indexing line that failed by accident);
- warnings: tinynn may not warn where PyTorch does not (numpy's ``RuntimeWarning`` s in
  particular);
- results: structure (tensor, tuple, named tuple, Python scalar), shape, dtype,
  ``requires_grad``, values (NaN equals NaN; tolerances below, per dtype), identity for the
  in-place forms (they return ``self``);
- gradients: when an input requires grad (the float64 samples), a weighted sum of the float
  outputs is back-propagated in both libraries and every input's ``.grad`` is compared
  (except where PyTorch's backward raises "the derivative for ... is not implemented": there
  is no reference then).

A disagreement that a row of ``book/deviations.md`` documents is not a failure if tinynn
does, on that case, exactly what the row says (``deviations.py``); any other disagreement in
the same case still is.

Tolerances, as ``|tinynn - torch| <= atol + rtol * |torch|`` (integers and bools exact):
float32 ``rtol = atol = 1e-5``; float64 ``rtol = atol = 1e-10``. A value is held to its
torch dtype's tolerance; a gradient to float32's when a float32 tensor takes part in the call
(the gradient then passes through float32 arithmetic), else to float64's.
"""
from __future__ import annotations

import ast
import functools
import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import tinynn
from deviations import explain

TOL = {"float32": (1e-5, 1e-5), "float64": (1e-10, 1e-10)}
TINYNN_DIR = os.path.dirname(os.path.abspath(tinynn.__file__)) + os.sep
HERE = os.path.abspath(__file__)


@dataclass(frozen=True)
class Arr:
    """A tensor argument: ``data`` (its values and dtype), ``grad`` (a leaf requiring grad),
    ``view``: '' (contiguous), 'T' (a transposed view of a contiguous base) or 'step' (every
    other element of the last dim of a base twice as long)."""

    data: np.ndarray
    grad: bool = False
    view: str = ""

    def __repr__(self) -> str:  # hypothesis prints its draws: the full values, compactly
        return (f"Arr({np.array2string(self.data, separator=',', threshold=10**6)}, "
                f"{self.data.dtype.name}, grad={self.grad}, view={self.view!r})").replace("\n", "")

    def describe(self) -> str:
        d = self.data
        name = {"float32": "f32", "float64": "f64", "int32": "i32", "int64": "i64", "bool": "b"}[d.dtype.name]
        s = f"{name}{list(d.shape)}"
        if self.view:
            s += "." + self.view
        if self.grad:
            s += "(rg)"
        if 0 < d.size <= 8:
            s += "=" + np.array2string(d, separator=",", threshold=8).replace("\n", "")
        return s


@dataclass(frozen=True)
class Dt:
    """A dtype argument, by name (``Dt('float64')`` -> ``torch.float64`` / ``tinynn.float64``)."""

    name: str

    def describe(self) -> str:
        return self.name


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Sample{self.describe()}"

    def describe(self) -> str:
        parts = [_describe(a) for a in self.args]
        parts += [f"{k}={_describe(v)}" for k, v in self.kwargs.items()]
        return "(" + ", ".join(parts) + ")"


def _describe(v: Any) -> str:
    if isinstance(v, (Arr, Dt)):
        return v.describe()
    if isinstance(v, list):
        return "[" + ", ".join(_describe(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "(" + ", ".join(_describe(x) for x in v) + ("," if len(v) == 1 else "") + ")"
    if isinstance(v, slice):
        return ":".join("" if p is None else str(p) for p in (v.start, v.stop, v.step))
    if v is Ellipsis:
        return "..."
    return repr(v)


# ----------------------------------------------------------------------------- building
def _build_tensor(spec: Arr, lib, leaves: list, clone_for_inplace: bool):
    d = spec.data
    if spec.view == "T":
        base = np.ascontiguousarray(np.swapaxes(d, -1, -2))
    elif spec.view == "step":
        base = np.repeat(d, 2, axis=-1)
    else:
        base = np.array(d, copy=True)
    leaf = lib.from_numpy(base)
    if spec.grad:
        leaf.requires_grad_(True)
        leaves.append(leaf)
    t = leaf
    if clone_for_inplace and spec.grad:
        t = t.clone()  # an in-place op on a leaf that requires grad is an error in both
    if spec.view == "T":
        t = t.transpose(-2, -1)
    elif spec.view == "step":
        t = t[..., ::2]
    return t


def build(v: Any, lib, leaves: list, first: bool = False, inplace: bool = False):
    if isinstance(v, Arr):
        return _build_tensor(v, lib, leaves, inplace and first)
    if isinstance(v, Dt):
        return getattr(lib, v.name)
    if isinstance(v, list):
        return [build(x, lib, leaves) for x in v]
    if isinstance(v, tuple):
        return tuple(build(x, lib, leaves) for x in v)
    return v


# ----------------------------------------------------------------------------- calling
def resolve(lib, path: str):
    obj = lib
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


@dataclass
class Outcome:
    result: Any = None
    exc: BaseException | None = None
    warns: list = field(default_factory=list)
    leaves: list = field(default_factory=list)
    self_obj: Any = None
    grads: list | None = None
    grad_exc: BaseException | None = None


def call(op, form: str, sample: Sample, lib, out_dtype=None) -> Outcome:
    """Make the call of ``op`` in ``form`` with ``sample``'s arguments built for ``lib``."""
    o = Outcome()
    inplace = form in ("inplace", "ioperator", "setitem")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            args = [build(a, lib, o.leaves, first=(i == 0), inplace=inplace) for i, a in enumerate(sample.args)]
            kwargs = {k: build(v, lib, o.leaves) for k, v in sample.kwargs.items()}
            o.self_obj = args[0] if args else None
            if form == "function":
                o.result = resolve(lib, op.func)(*args, **kwargs)
            elif form == "method":
                o.result = getattr(args[0], op.method)(*args[1:], **kwargs)
            elif form == "inplace":
                o.result = getattr(args[0], op.inplace)(*args[1:], **kwargs)
            elif form in ("operator", "reflected"):
                o.result = op.operator(*args)
            elif form == "ioperator":
                o.result = op.ioperator(*args)
            elif form == "setitem":
                args[0][args[1]] = args[2]
                o.result = args[0]
            elif form == "out":
                out = lib.empty(0, dtype=getattr(lib, out_dtype))
                o.self_obj = out
                o.result = resolve(lib, op.func)(*args, out=out, **kwargs)
            else:
                raise AssertionError(form)
        except Exception as e:  # noqa: BLE001 -- compared with the other library's outcome
            o.exc = e
    o.warns = [(w.category, str(w.message)) for w in caught]
    return o


def _float_outputs(result, lib) -> list:
    if isinstance(result, lib.Tensor):
        return [result] if result.dtype in (lib.float32, lib.float64) and result.requires_grad else []
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _float_outputs(r, lib)]
    return []


def _weights(shape) -> np.ndarray:
    n = int(np.prod(shape, dtype=np.int64))
    return np.cos(np.arange(n) * 0.7 + 0.3).reshape(shape) + 0.25


def backward(o: Outcome, lib) -> None:
    """Back-propagate ``sum(w * out)`` over the float outputs; store each leaf's ``.grad``."""
    outs = _float_outputs(o.result, lib)
    if not o.leaves or not outs:
        return
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            loss = None
            for t in outs:
                w = lib.from_numpy(_weights(tuple(t.shape)).astype(str(t.dtype).split(".")[-1]))
                term = (t * w).sum()
                loss = term if loss is None else loss + term
            loss.backward()
            o.grads = [leaf.grad for leaf in o.leaves]
        except Exception as e:  # noqa: BLE001
            o.grad_exc = e
    o.warns += [(w.category, "(backward) " + str(w.message)) for w in caught]


# ----------------------------------------------------------------------------- checking
@functools.lru_cache(maxsize=None)
def _raise_lines(filename: str) -> frozenset:
    """Every line of ``filename`` covered by a ``raise`` statement."""
    try:
        with open(filename, encoding="utf-8") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError):
        return frozenset()
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return frozenset(lines)


def origin_problem(exc: BaseException) -> str | None:
    """None when ``exc`` was raised by a ``raise`` statement in tinynn's source, else why not."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return None
    filename = os.path.abspath(last.tb_frame.f_code.co_filename)
    lineno = last.tb_lineno
    if filename == HERE and isinstance(exc, TypeError) and exc.__traceback__.tb_next is None:
        return None  # Python's own argument binding rejected the call (a bad signature)
    if filename == HERE and isinstance(exc, AttributeError):
        return f"tinynn lacks {exc.name!r} ({exc})"
    where = f"{os.path.relpath(filename, os.path.dirname(TINYNN_DIR))}:{lineno}"
    if not filename.startswith(TINYNN_DIR):
        return f"{type(exc).__name__} comes from {where}, not from tinynn: {exc}"
    if lineno not in _raise_lines(filename):
        return f"{type(exc).__name__} comes from a non-raise line {where}: {exc}"
    return None


def _builtin_base(exc_type: type) -> type:
    for cls in exc_type.__mro__:
        if cls.__module__ == "builtins":
            return cls
    return Exception


def _name(dtype) -> str:
    return str(dtype).split(".")[-1]


def summary(v: Any) -> str:
    if isinstance(v, (torch.Tensor, tinynn.Tensor)):
        a = v.detach().numpy()
        vals = np.array2string(a.reshape(-1)[:8], separator=",", precision=6, threshold=8).replace("\n", "")
        more = "..." if a.size > 8 else ""
        return f"tensor{list(v.shape)} {_name(v.dtype)} rg={v.requires_grad} {vals}{more}"
    if isinstance(v, BaseException):
        return f"{type(v).__name__}: {str(v)[:160]}"
    if isinstance(v, (tuple, list)):
        return type(v).__name__ + "(" + ", ".join(summary(x) for x in v) + ")"
    return repr(v)[:120]


def _values_close(a: np.ndarray, b: np.ndarray, dtype_name: str) -> bool:
    """``a`` (tinynn) against ``b`` (torch), elementwise, NaN == NaN, infinities exact."""
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        return bool(np.array_equal(a, b))
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False
    finite = np.isfinite(b)
    if not np.array_equal(a[~finite & ~np.isnan(b)], b[~finite & ~np.isnan(b)]):
        return False
    rtol, atol = TOL.get(dtype_name, TOL["float32"])
    af, bf = a[finite], b[finite]
    return bool(np.all(np.abs(af - bf) <= atol + rtol * np.abs(bf)))


def compare_values(t: Any, n: Any, path: str, problems: list, check_rg: bool = True,
                   tol_dtype: str | None = None) -> None:
    """Append to ``problems`` every way tinynn's ``n`` differs from torch's ``t``."""
    if isinstance(t, torch.Tensor):
        if not isinstance(n, tinynn.Tensor):
            problems.append(f"{path}: torch gives a tensor, tinynn a {type(n).__name__}")
            return
        if tuple(t.shape) != tuple(n.shape):
            problems.append(f"{path}: shape {list(n.shape)}, torch {list(t.shape)}")
            return
        if _name(t.dtype) != _name(n.dtype):
            problems.append(f"{path}: dtype {_name(n.dtype)}, torch {_name(t.dtype)}")
        if check_rg and t.requires_grad != n.requires_grad:
            problems.append(f"{path}: requires_grad {n.requires_grad}, torch {t.requires_grad}")
        if not _values_close(n.detach().numpy(), t.detach().numpy(), tol_dtype or _name(t.dtype)):
            problems.append(f"{path}: values differ")
        return
    if isinstance(t, (tuple, list)):
        if not isinstance(n, (tuple, list)) or len(n) != len(t):
            problems.append(f"{path}: torch gives {type(t).__name__} of {len(t)}, tinynn {type(n).__name__}"
                            f"{' of ' + str(len(n)) if isinstance(n, (tuple, list)) else ''}")
            return
        for name in getattr(type(t), "_fields", ()) or [f for f in ("values", "indices") if hasattr(t, f)]:
            if not hasattr(n, name):
                problems.append(f"{path}: tinynn's result has no field .{name}")
        for i, (ti, ni) in enumerate(zip(t, n)):
            compare_values(ti, ni, f"{path}[{i}]", problems, check_rg, tol_dtype)
        return
    if isinstance(t, (bool, int, float)):
        if type(t) is not type(n):
            problems.append(f"{path}: torch gives {type(t).__name__} {t!r}, tinynn {type(n).__name__} {n!r}")
        elif not _values_close(np.array(n), np.array(t), "float64"):
            problems.append(f"{path}: {n!r}, torch {t!r}")
        return
    if t != n:
        problems.append(f"{path}: {n!r}, torch {t!r}")


def check(op, form: str, sample: Sample) -> list:
    """Run ``sample`` through ``op`` in ``form`` under both libraries; the problems found."""
    out_dtype = None
    if form == "out":
        # out= gets a 0-element tensor of the dtype the plain call returns. Where the plain
        # call raises (its error is checked in the function form) or returns a tuple, there
        # is no single result to write, and the case does not apply.
        ref = call(op, "function", Sample(_no_grad(sample.args), sample.kwargs), torch)
        if not isinstance(ref.result, torch.Tensor):
            return []
        out_dtype = _name(ref.result.dtype)
    t = call(op, form, sample, torch, out_dtype)
    n = call(op, form, sample, tinynn, out_dtype)
    problems: list[str] = []
    if n.exc is not None:
        why = origin_problem(n.exc)
        if why:  # one message: where tinynn's exception comes from, and what torch does
            problems.append(why + (f" (torch raises {_builtin_base(type(t.exc)).__name__})"
                                   if t.exc is not None else " (torch returns)"))
        elif t.exc is None:
            problems.append("tinynn raises where torch returns")
        elif not isinstance(n.exc, _builtin_base(type(t.exc))):
            problems.append(f"exception type {type(n.exc).__name__}, torch {_builtin_base(type(t.exc)).__name__}")
    elif t.exc is not None:
        problems.append(f"torch raises {_builtin_base(type(t.exc)).__name__}, tinynn returns")
    if t.exc is None and n.exc is None:
        compare_values(t.result, n.result, "result", problems)
        if form in ("inplace", "ioperator", "out"):
            if (t.result is t.self_obj) != (n.result is n.self_obj):
                problems.append(f"result is self/out: tinynn {n.result is n.self_obj}, torch {t.result is t.self_obj}")
        if form in ("inplace", "ioperator", "setitem", "out") and t.self_obj is not t.result:
            compare_values(t.self_obj, n.self_obj, "self after the call", problems)
        if not problems and n.leaves:
            backward(t, torch)
            backward(n, tinynn)
            _compare_grads(t, n, problems, _grad_tolerance_dtype(sample, t.result))
    t_cats = {c for c, _ in t.warns}
    for cat, msg in n.warns:
        if cat not in t_cats or "encountered in" in msg or "numpy" in msg.lower():
            problems.append(f"tinynn warns {cat.__name__}: {msg[:120]}")
            break
    if problems:  # a row of book/deviations.md may explain them: then tinynn must do what it says
        deviation, broken = explain(op, form, sample, problems, n, t, _weights)
        if deviation is not None:
            problems = [] if broken is None else [f"documented deviation '{deviation.row}' does not hold: {broken}"]
    if not problems:
        return []
    return [Problem(p, summary(t.exc if t.exc is not None else t.result),
                    summary(n.exc if n.exc is not None else n.result),
                    type(t.exc).__name__ if t.exc is not None else "") for p in problems]


@dataclass
class Problem:
    """One disagreement: what differs, and both libraries' outcomes in short."""

    what: str
    torch: str
    tinynn: str
    torch_exc: str = ""

    def __str__(self) -> str:
        return f"{self.what}\n      torch:  {self.torch}\n      tinynn: {self.tinynn}"


def _grad_tolerance_dtype(sample: Sample, result: Any) -> str:
    """float32 when any float32 tensor takes part (the gradient passes through float32)."""
    def f32(v) -> bool:
        if isinstance(v, Arr):
            return v.data.dtype == np.float32
        if isinstance(v, torch.Tensor):
            return v.dtype == torch.float32
        if isinstance(v, (list, tuple)):
            return any(f32(x) for x in v)
        return False
    if f32(list(sample.args) + list(sample.kwargs.values())) or f32(result):
        return "float32"
    return "float64"


def _compare_grads(t: Outcome, n: Outcome, problems: list, tol_dtype: str) -> None:
    if n.grad_exc is not None:
        why = origin_problem(n.grad_exc)
        if t.grad_exc is None or why:
            problems.append(f"backward: tinynn raises {type(n.grad_exc).__name__}: {str(n.grad_exc)[:160]}"
                            + (f" ({why})" if why else "")
                            + (f"; torch raises {type(t.grad_exc).__name__}" if t.grad_exc else ""))
        return
    if isinstance(t.grad_exc, NotImplementedError) and "derivative for" in str(t.grad_exc):
        return  # PyTorch has no formula (e.g. in-place acosh_): nothing to compare tinynn's with
    if t.grad_exc is not None:
        problems.append(f"backward: torch raises {type(t.grad_exc).__name__}: {str(t.grad_exc)[:120]}, tinynn does not")
        return
    if t.grads is None and n.grads is None:
        return
    if (t.grads is None) != (n.grads is None):
        problems.append(f"backward: tinynn ran it: {n.grads is not None}, torch: {t.grads is not None}")
        return
    for i, (tg, ng) in enumerate(zip(t.grads, n.grads)):
        if tg is None or ng is None:
            if (tg is None) != (ng is None):
                problems.append(f"grad of input leaf {i}: tinynn {summary(ng)}, torch {summary(tg)}")
            continue
        sub: list[str] = []
        compare_values(tg, ng, f"grad of input leaf {i}", sub, check_rg=False, tol_dtype=tol_dtype)
        problems += [f"{p} (tinynn {summary(ng)}, torch {summary(tg)})" for p in sub]


def _no_grad(args: tuple) -> tuple:
    def strip(v):
        if isinstance(v, Arr):
            return Arr(v.data, False, v.view)
        if isinstance(v, list):
            return [strip(x) for x in v]
        if isinstance(v, tuple):
            return tuple(strip(x) for x in v)
        return v
    return tuple(strip(a) for a in args)


def run_op_form(op, form: str, samples: list, records: list | None = None) -> list[str]:
    """Every problem of ``op`` in ``form`` over ``samples``, each message naming the case.

    With ``records``, also appends ``(op, form, sample, problem)`` for each (``report.py``)."""
    failures = []
    for s in samples:
        for p in check(op, form, s):
            failures.append(f"{op.name} [{form}] {s.describe()}: {p}")
            if records is not None:
                records.append((op, form, s, p))
    return failures

