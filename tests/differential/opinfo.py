"""The op table of the differential suite, in the spirit of PyTorch's OpInfo.

Each :class:`OpInfo` names one public tinynn op that PyTorch has, its *family* (the owner of
the code, and the file in ``/work/notes/failures/`` a failure goes to), the call paths of its
forms, and a generator of sample inputs. The forms an op is tested in are the ones PyTorch
has: the function form when ``torch.<func>`` exists, the method when ``torch.Tensor.<method>``
exists, the in-place method when ``torch.Tensor.<method>_`` exists, the operator and the
reflected operator (a Python scalar on the left) when one is given, the augmented assignment
(``a += b``) when one is given, and ``out=`` wherever tinynn's function takes an ``out``
argument.

Sample inputs cover float32/64, int32/64 and bool tensors, Python scalars, 0-d tensors,
0-size and size-1 dims, broadcasting, non-contiguous views (``Arr(view='T')``, a transposed
view; ``Arr(view='step')``, every other element), infinities and NaN. float64 tensors require
grad, so gradients are compared on them. A new op joins the table when it is written: add an
``OpInfo`` line (most ops fit one of the generic generators below).
"""
from __future__ import annotations

import inspect
import math
import operator
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

import tinynn
from harness import Arr, Dt, Sample, resolve

DTYPES = ("float32", "float64", "int32", "int64", "bool")
FLOATS = ("float32", "float64")
SPECIALS = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-3]


@dataclass
class OpInfo:
    name: str
    family: str
    samples: Callable  # (rng) -> list[Sample]
    func: str | None = "="  # path under torch / tinynn; "=" means the op's name
    method: str | None = "="
    inplace: str | None = "="  # "=" means method + "_"
    operator: Callable | None = None
    ioperator: Callable | None = None
    reflected: bool = True  # with an operator: also a Python scalar on the left
    extra_forms: tuple = ()
    # keyword arguments the random cases must not change: other values make the result
    # random (dropout's p), and the two libraries' random streams differ
    fixed_kwargs: tuple = ()
    forms: list = field(default_factory=list)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.func == "=":
            self.func = self.name
        if self.method == "=":
            self.method = self.name
        if self.inplace == "=":
            self.inplace = (self.method + "_") if self.method else None
        forms = []
        if self.func and _exists(torch, self.func):
            forms.append("function")
            try:
                if "out" in inspect.signature(resolve(tinynn, self.func)).parameters:
                    forms.append("out")
            except (AttributeError, ValueError, TypeError):
                pass
        if self.method and hasattr(torch.Tensor, self.method):
            forms.append("method")
        if self.inplace and hasattr(torch.Tensor, self.inplace):
            forms.append("inplace")
        if self.operator is not None:
            forms.append("operator")
            if self.reflected:
                forms.append("reflected")
        if self.ioperator is not None:
            forms.append("ioperator")
        forms += list(self.extra_forms)
        self.forms = forms

    def __repr__(self) -> str:
        return f"OpInfo({self.name!r})"

    def make_samples(self) -> list[Sample]:
        return self.samples(np.random.default_rng(zlib.crc32(self.name.encode())))

    def samples_for(self, form: str) -> list[Sample]:
        """The samples that fit ``form`` (a method needs a tensor first, reflected a scalar)."""
        if form not in self._cache:
            self._cache[form] = self._samples_for(form)
        return self._cache[form]

    def _samples_for(self, form: str) -> list[Sample]:
        out = []
        for s in self.make_samples():
            first = s.args[0] if s.args else None
            tensor_first = isinstance(first, Arr)
            if form == "function" or form == "setitem":
                out.append(s)
            elif form == "reflected":
                if not tensor_first and len(s.args) == 2 and isinstance(s.args[1], Arr):
                    out.append(s)
            elif form in ("operator", "ioperator"):
                if tensor_first and not s.kwargs:
                    out.append(s)
            elif form == "out":
                if tensor_first:
                    out.append(Sample(tuple(_strip_grad(a) for a in s.args), s.kwargs))
            elif tensor_first:
                out.append(s)
        return out


def _strip_grad(a):
    if isinstance(a, Arr):
        return Arr(a.data, False, a.view)
    if isinstance(a, (list, tuple)):
        return type(a)(_strip_grad(x) for x in a)
    return a


def _exists(lib, path: str) -> bool:
    try:
        resolve(lib, path)
        return True
    except AttributeError:
        return False


# ----------------------------------------------------------------------------- values
def values(rng, shape, dtype: str, special: bool = False) -> np.ndarray:
    shape = tuple(shape)
    n = int(np.prod(shape, dtype=np.int64))
    if dtype in FLOATS:
        if special:
            v = np.resize(np.array(SPECIALS), n)
        else:
            v = np.round(rng.uniform(-3, 3, n), 3)
        return v.astype(dtype).reshape(shape)
    if dtype == "bool":
        return (rng.random(n) < 0.5).reshape(shape)
    return rng.integers(-4, 5, n).astype(dtype).reshape(shape)


def A(rng, shape, dtype="float64", grad=None, view="", special=False, data=None) -> Arr:
    """A tensor spec of ``shape``; float64 requires grad unless ``grad`` says otherwise."""
    d = values(rng, shape, dtype, special) if data is None else np.asarray(data, dtype=dtype)
    return Arr(d, dtype == "float64" if grad is None else grad, view)


SHAPES = [(), (0,), (1,), (5,), (2, 3), (3, 1, 2), (2, 0, 3)]


# ----------------------------------------------------------------------------- generators
def unary(extra_kwargs=(), dtypes=DTYPES) -> Callable:
    def gen(rng):
        out = []
        for kw in [{}] + list(extra_kwargs):
            for dt in dtypes:
                for shape in SHAPES if not kw else [(2, 3), ()]:
                    out.append(Sample((A(rng, shape, dt),), dict(kw)))
        for dt in FLOATS:
            out.append(Sample((A(rng, (2, 3), dt, view="T"),)))
            out.append(Sample((A(rng, (4,), dt, view="step"),)))
            out.append(Sample((A(rng, (10,), dt, special=True),)))
        out.append(Sample((A(rng, (2, 3), "int64", view="T"),)))
        return out
    return gen


BINARY_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((2, 3), ()),
                 ((0, 3), (3,)), ((2, 3), (2,)), ((), ())]
MIXED = [("float32", "float64"), ("float64", "float32"), ("int32", "int64"), ("int64", "int32"),
         ("int32", "float32"), ("float32", "int64"), ("bool", "int32"), ("int64", "bool"),
         ("bool", "float32"), ("float64", "bool"), ("bool", "bool")]


def binary(extra: Callable | None = None, scalars=(2, -1.5, True), dtypes=DTYPES,
           special_pairs=True) -> Callable:
    def gen(rng):
        out = []
        for dt in dtypes:
            for sa, sb in BINARY_SHAPES:
                out.append(Sample((A(rng, sa, dt), A(rng, sb, dt))))
        for da, db in MIXED:
            out.append(Sample((A(rng, (2, 3), da), A(rng, (3,), db))))
        out.append(Sample((A(rng, (2, 3), "int32"), A(rng, (), "float64"))))
        out.append(Sample((A(rng, (2, 3), "float32"), A(rng, (), "float64"))))
        out.append(Sample((A(rng, (3,), "int64"), A(rng, (), "int32"))))
        out.append(Sample((A(rng, (), "float64"), A(rng, (3,), "int64"))))
        for dt in dtypes:
            for s in scalars:
                out.append(Sample((A(rng, (2, 3), dt), s)))
            for s in (3, 0.5):
                out.append(Sample((s, A(rng, (2, 3), dt))))
        out.append(Sample((A(rng, (2, 3), "float64", view="T"), A(rng, (2, 3), "float64"))))
        out.append(Sample((A(rng, (3,), "float32", view="step"), A(rng, (2, 3), "float32", view="T"))))
        if special_pairs:
            for dt in FLOATS:
                a = A(rng, (10,), dt, special=True)
                out.append(Sample((a, Arr(np.roll(a.data, 3), a.grad))))
                out.append(Sample((a, A(rng, (1,), dt, data=[0.0]))))
            ints = np.array([5, -7, 0, 3, -2], dtype="int64")
            out.append(Sample((A(rng, (5,), "int64", data=ints), A(rng, (5,), "int64", data=[2, 2, 1, 0, -3]))))
            out.append(Sample((A(rng, (5,), "int32", data=ints), 0)))
            out.append(Sample((A(rng, (0,), "int64"), 0)))
        if extra:
            out += extra(rng)
        return out
    return gen


def _alpha_samples(rng):
    return [Sample((A(rng, (2, 3), dt), A(rng, (3,), dt)), {"alpha": a})
            for dt in DTYPES for a in (2, 0.5, -1, True)] + \
           [Sample((A(rng, (2, 3), "int32"), A(rng, (3,), "bool")), {"alpha": -1}),
            Sample((A(rng, (2, 3), "bool"), True), {"alpha": -1})]


def _rounding_samples(rng):
    out = []
    for mode in ("trunc", "floor", None):
        for dt in DTYPES:
            out.append(Sample((A(rng, (2, 3), dt), A(rng, (3,), dt)), {"rounding_mode": mode}))
        out.append(Sample((A(rng, (2, 3), "float64"), 2), {"rounding_mode": mode}))
        out.append(Sample((A(rng, (5,), "int64", data=[5, -7, 0, 3, -2]), A(rng, (5,), "int64", data=[2, 2, 1, 0, -3])),
                          {"rounding_mode": mode}))
    return out


def reduction(style="multi", extra_kwargs=(), dim_required=False, dtypes=DTYPES, dim_kw=False) -> Callable:
    """Reductions over ``dim`` (``style='multi'``: an int or a tuple; ``'single'``: one int),
    passed positionally, or as ``dim=`` with ``dim_kw`` (``norm``'s second argument is ``p``)."""
    dims_multi = [0, -1, 1, (0,), (0, -1), (), (0, 0), 5]
    dims_single = [0, -1, 1, 5]
    dims = dims_multi if style == "multi" else dims_single
    shapes = [(), (0,), (4,), (2, 3), (2, 0), (3, 1, 2)]

    def with_dim(x, d, **kw):
        return Sample((x,), {"dim": d, **kw}) if dim_kw else Sample((x, d), kw)

    def gen(rng):
        out = []
        for dt in dtypes:
            for shape in shapes:
                if not dim_required:
                    out.append(Sample((A(rng, shape, dt),)))
                for d in dims:
                    out.append(with_dim(A(rng, shape, dt), d))
                out.append(with_dim(A(rng, shape, dt), -1, keepdim=True))
        for dt in FLOATS:
            out.append(with_dim(A(rng, (3, 4), dt, view="T"), 0))
            out.append(with_dim(A(rng, (2, 6), dt, view="step"), -1, keepdim=True))
            x = A(rng, (2, 5), dt, special=True)
            if not dim_required:
                out.append(Sample((x,)))
            out.append(with_dim(x, 1))
        for kw in extra_kwargs:
            for dt in DTYPES:
                out.append(with_dim(A(rng, (2, 3), dt), 1, **kw))
                if not dim_required:
                    out.append(Sample((A(rng, (2, 3), dt),), dict(kw)))
        return out
    return gen


def cumulative(extra_kwargs=()) -> Callable:
    def gen(rng):
        out = []
        for dt in DTYPES:
            for shape, d in [((), 0), ((), -1), ((), 1), ((0,), 0), ((5,), 0), ((2, 3), 1), ((2, 3), -2),
                             ((2, 0), 1), ((3, 1, 2), 1), ((2, 3), 2)]:
                out.append(Sample((A(rng, shape, dt), d)))
        for dt in FLOATS:
            out.append(Sample((A(rng, (3, 4), dt, view="T"), 0)))
            out.append(Sample((A(rng, (10,), dt, special=True), 0)))
        for kw in extra_kwargs:
            for dt in DTYPES:
                out.append(Sample((A(rng, (2, 3), dt), 1), dict(kw)))
        return out
    return gen


def sorting_values(rng, shape, dt):
    """Values with ties (and NaN for floats)."""
    n = int(np.prod(shape, dtype=np.int64))
    v = rng.integers(-2, 3, n).astype(np.float64)
    if dt in FLOATS and n >= 3:
        v[1] = math.nan
    return Arr(v.astype(dt if dt != "bool" else "float64").reshape(shape) if dt != "bool"
               else (v > 0).reshape(shape), dt == "float64")


def sort_like(kwarg_sets) -> Callable:
    def gen(rng):
        out = []
        for dt in DTYPES:
            for shape in [(), (0,), (6,), (2, 5), (2, 0), (3, 1, 2)]:
                for kw in kwarg_sets:
                    out.append(Sample((sorting_values(rng, shape, dt),), dict(kw)))
        for kw in kwarg_sets[:2]:
            out.append(Sample((A(rng, (4, 3), "float64", view="T"),), dict(kw)))
        return out
    return gen


def topk_gen(rng):
    out = []
    for dt in DTYPES:
        for shape, k in [((6,), 3), ((2, 5), 2), ((), 1), ((), 0), ((0,), 0), ((6,), 7), ((3, 1, 2), 1)]:
            for kw in ({}, {"largest": False}, {"dim": 0}, {"dim": 5}):
                out.append(Sample((sorting_values(rng, shape, dt), k), kw))
    return out


def unique_gen(rng):
    out = []
    for dt in DTYPES:
        for shape in [(), (0,), (7,), (2, 4)]:
            for kw in ({}, {"return_inverse": True}, {"return_counts": True},
                       {"return_inverse": True, "return_counts": True}):
                x = sorting_values(rng, shape, dt)
                out.append(Sample((Arr(x.data, False),), kw))
    return out


def clamp_gen(rng):
    out = []
    for dt in DTYPES:
        x = A(rng, (2, 3), dt)
        for lo, hi in [(-1, 1), (-1, None), (None, 1), (0.5, 2.5), (2, -2), (None, None)]:
            out.append(Sample((x, lo, hi)))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (3,), dt), A(rng, (2, 1), dt))))
        out.append(Sample((A(rng, (2, 3), dt),), {"min": A(rng, (3,), dt)}))
        out.append(Sample((A(rng, (2, 3), dt),), {"max": A(rng, (), "float64")}))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (3,), dt), 1)))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (4,), dt))))
    out.append(Sample((A(rng, (10,), "float64", special=True), -1, 1)))
    out.append(Sample((A(rng, (3,), "float64"), A(rng, (3,), "float64", data=[0.0, math.nan, 1.0]))))
    out.append(Sample((A(rng, (4, 3), "float32", view="T"), -1, 1)))
    out.append(Sample((A(rng, (), "float64"), -1, 1)))
    out.append(Sample((A(rng, (0, 2), "int64"), -1, 1)))
    for dt in ("float64", "int64"):  # a 0-d tensor that needs no grad, beside a number
        out.append(Sample((A(rng, (2, 3), "float32"), Arr(np.array(0.5).astype(dt), False), 2.0)))
        out.append(Sample((A(rng, (2, 3), "int64"), -1, Arr(np.array(1.5).astype(dt), False))))
    out.append(Sample((A(rng, (2, 3), "float32"), Arr(np.array(0.5), True), 2.0)))
    return out


def where_gen(rng):
    out = []
    for dt in DTYPES:
        out.append(Sample((A(rng, (2, 3), "bool"), A(rng, (2, 3), dt), A(rng, (3,), dt))))
        out.append(Sample((A(rng, (2, 1), "bool"), A(rng, (3,), dt), A(rng, (), dt))))
        out.append(Sample((A(rng, (2, 3), "bool"), A(rng, (2, 3), dt), 0)))
        out.append(Sample((A(rng, (2, 3), "bool"), 1.5, A(rng, (2, 3), dt))))
    out += [Sample((A(rng, (2, 3), "bool"), 1.5, 0)), Sample((A(rng, (2, 3), "bool"), 1, 0)),
            Sample((A(rng, (2, 3), "bool"), A(rng, (2, 3), "float32"), A(rng, (3,), "float64"))),
            Sample((A(rng, (2, 3), "bool"), A(rng, (2, 3), "int32"), A(rng, (3,), "float32"))),
            Sample((A(rng, (2, 3), "bool"), A(rng, (2, 3), "float64"), A(rng, (4,), "float64"))),
            Sample((A(rng, (), "bool"), A(rng, (), "float64"), A(rng, (), "float64"))),
            Sample((A(rng, (0, 3), "bool"), A(rng, (3,), "float64"), 1.0)),
            Sample((A(rng, (2, 3), "int64"), A(rng, (2, 3), "float64"), 0.0)),
            Sample((A(rng, (3, 2), "bool", view="T"), A(rng, (2, 3), "float64", view="T"), A(rng, (3,), "float64")))]
    return out


def where1_gen(rng):
    return [Sample((A(rng, s, dt),)) for dt in DTYPES for s in [(), (0,), (5,), (2, 3)]]


def nonzero_gen(rng):
    return [Sample((A(rng, s, dt),), kw) for dt in DTYPES for s in [(), (0,), (5,), (2, 3), (2, 0)]
            for kw in ({}, {"as_tuple": True})]


def lerp_gen(rng):
    out = []
    for dt in DTYPES:
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (3,), dt), 0.25)))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (2, 3), dt), A(rng, (3,), dt))))
    out += [Sample((A(rng, (), "float64"), A(rng, (2,), "float64"), 0.5)),
            Sample((A(rng, (2, 3), "float32"), A(rng, (2, 3), "float64"), 0.5)),
            Sample((A(rng, (2, 3), "float64"), A(rng, (4,), "float64"), 0.5)),
            Sample((A(rng, (10,), "float64", special=True), A(rng, (10,), "float64"), 0.5))]
    return out


def isclose_gen(rng):
    out = []
    for dt in DTYPES:
        for sa, sb in [((2, 3), (2, 3)), ((2, 3), (3,)), ((), ()), ((0,), (0,)), ((2, 3), (4,))]:
            out.append(Sample((A(rng, sa, dt), A(rng, sb, dt))))
    sp = A(rng, (10,), "float64", special=True)
    out += [Sample((sp, sp)), Sample((sp, sp), {"equal_nan": True}),
            Sample((A(rng, (3,), "float64"), A(rng, (3,), "float32")), {"rtol": 0.5, "atol": 0.1}),
            Sample((A(rng, (3,), "int64"), A(rng, (3,), "float64")))]
    return out


def equal_gen(rng):
    x = A(rng, (2, 3), "float64", grad=False)
    return [Sample((x, x)), Sample((x, A(rng, (2, 3), "float64", grad=False))),
            Sample((x, A(rng, (3,), "float64", grad=False))),
            Sample((A(rng, (2, 3), "int64"), A(rng, (2, 3), "float32"))),
            Sample((A(rng, (0,), "int64"), A(rng, (0,), "int64")))]


# ----------------------------------------------------------------------------- shape ops
def shape_samples(calls) -> Callable:
    """``calls(rng)`` yields (shape, dtype, extra args, kwargs); the tensor comes first."""
    def gen(rng):
        out = []
        for shape, args, kw in calls:
            for dt in ("float64", "int32", "bool"):
                out.append(Sample((A(rng, shape, dt),) + tuple(args), dict(kw)))
            if len(shape) >= 2:
                out.append(Sample((A(rng, shape, "float64", view="T"),) + tuple(args), dict(kw)))
            out.append(Sample((A(rng, shape, "float32"),) + tuple(args), dict(kw)))
        return out
    return gen


def cat_gen(rng):
    out = []
    for dt in ("float64", "float32", "int64"):
        out.append(Sample(([A(rng, (2, 3), dt), A(rng, (1, 3), dt)],)))
        out.append(Sample(([A(rng, (2, 3), dt), A(rng, (2, 2), dt)], 1)))
        out.append(Sample(([A(rng, (2, 3), dt), A(rng, (2, 2), dt)], -1)))
    out += [Sample(([A(rng, (2, 3), "float64"), A(rng, (2, 3), "float32")],)),
            Sample(([A(rng, (2, 3), "int32"), A(rng, (2, 3), "float32")],)),
            Sample(([A(rng, (2, 3), "bool"), A(rng, (2, 3), "int64")],)),
            Sample(([A(rng, (2, 3), "float64"), A(rng, (0,), "float64")],)),
            Sample(([A(rng, (2, 3), "float64"), A(rng, (2, 2), "float64")],)),
            Sample(([A(rng, (2, 3), "float64"), A(rng, (3,), "float64")],)),
            Sample(([A(rng, (), "float64"), A(rng, (), "float64")],)),
            Sample(([],)),
            Sample(([A(rng, (0, 3), "float64"), A(rng, (2, 3), "float64")],)),
            Sample(([A(rng, (2, 3), "float64")], 2)),
            Sample(([A(rng, (3, 2), "float64", view="T"), A(rng, (2, 1), "float64")], 1)),
            Sample((A(rng, (2, 3), "float64"),))]
    return out


def stack_gen(rng):
    out = []
    for dt in ("float64", "int64", "bool"):
        out.append(Sample(([A(rng, (2, 3), dt), A(rng, (2, 3), dt)],)))
        out.append(Sample(([A(rng, (2, 3), dt), A(rng, (2, 3), dt)], -1)))
    out += [Sample(([A(rng, (), "float64"), A(rng, (), "float64")],)),
            Sample(([A(rng, (2, 3), "float64"), A(rng, (2, 3), "float32")], 1)),
            Sample(([A(rng, (2, 3), "float64"), A(rng, (3, 2), "float64")],)),
            Sample(([A(rng, (2, 3), "float64")], 3)),
            Sample(([A(rng, (2, 3), "float64")], -4)),
            Sample(([],)),
            Sample(([A(rng, (0,), "float64"), A(rng, (0,), "float64")], 1))]
    return out


# ----------------------------------------------------------------------------- indexing
def _idx(data):
    return Arr(np.asarray(data, dtype="int64"))


def getitem_gen(rng):
    x = lambda s=(2, 4, 5), dt="float64": A(rng, s, dt)  # noqa: E731
    keys = [0, -1, 5, slice(1, None), slice(None, None, 2), slice(3, 1), None, Ellipsis,
            (0, slice(1, 3)), (Ellipsis, 0), (None, 0, None), (slice(None), None, 1),
            _idx([0, 1, 1]), _idx([[0], [1]]), [0, 1], (0, slice(1, 3), _idx([0, 2, 4])),
            (_idx([0, 1]), slice(None), _idx([1, 2])), (_idx([0, 1]), _idx([1, 2])),
            (slice(None), _idx([0, 3]), slice(None)), (slice(None), _idx([0, 3]), _idx([1, 2])),
            _idx([2]), _idx([-1]), (0, 0, 0), (0, 0, 0, 0), Arr(rng.random((2, 4, 5)) < 0.5),
            Arr(np.array([True, False])), Arr(np.array([True, False, True])), True, (Ellipsis, None),
            Arr(np.array(1, dtype="int64")), 1.5]
    out = [Sample((x(), k)) for k in keys]
    for dt in ("int32", "bool", "float32"):
        out += [Sample((x(dt=dt), 1)), Sample((x(dt=dt), _idx([1, 0]))), Sample((x(dt=dt), (Ellipsis, slice(1, None))))]
    z = A(rng, (), "float64")
    out += [Sample((z, ())), Sample((z, None)), Sample((z, Ellipsis)), Sample((z, 0)),
            Sample((z, Arr(np.array(True)))), Sample((A(rng, (0, 3), "float64"), 0)),
            Sample((A(rng, (0, 3), "float64"), slice(None))),
            Sample((A(rng, (4, 3), "float64", view="T"), (slice(None), _idx([0, 2]))))]
    return out


def setitem_gen(rng):
    x = lambda s=(3, 4), dt="float64": A(rng, s, dt)  # noqa: E731
    out = []
    for key in [0, -1, (1, 2), slice(1, 3), (slice(None), 0), _idx([0, 2]), Arr(rng.random((3, 4)) < 0.5),
                Ellipsis, (_idx([0, 1]), _idx([1, 3]))]:
        out.append(Sample((x(), key, 2.5)))
    out += [Sample((x(), 0, A(rng, (4,), "float64"))), Sample((x(), 0, A(rng, (1,), "float64"))),
            Sample((x(), 0, A(rng, (3,), "float64"))), Sample((x(), slice(0, 2), A(rng, (2, 4), "float64"))),
            Sample((x(), 0, A(rng, (4,), "float32"))), Sample((x(dt="int64"), 0, 2.7)),
            Sample((x(dt="int64"), 0, math.inf)), Sample((x(dt="int64"), 0, math.nan)),
            Sample((x(dt="int64"), 0, A(rng, (4,), "float64", grad=False))),
            Sample((x(dt="bool"), 0, 2)), Sample((x(), 5, 1.0)), Sample((x(), _idx([0, 7]), 1.0)),
            Sample((x(), Arr(np.array([True, False])), 1.0)),
            Sample((A(rng, (), "float64"), (), A(rng, (1,), "float64"))),
            Sample((A(rng, (), "float64"), Ellipsis, 3.0)),
            Sample((A(rng, (0, 3), "float64"), slice(None), 1.0)),
            Sample((A(rng, (4, 3), "float64", view="T"), 0, 1.0)),
            Sample((x(dt="int32"), 1, 7))]
    return out


def gather_gen(rng):
    out = []
    for dt in ("float64", "float32", "int64", "bool"):
        out.append(Sample((A(rng, (3, 4), dt), 1, _idx([[0, 1], [3, 3], [2, 0]]))))
        out.append(Sample((A(rng, (3, 4), dt), 0, _idx([[0, 1, 2, 0]]))))
    out += [Sample((A(rng, (3, 4), "float64"), 1, _idx([[0, 4]]))),
            Sample((A(rng, (3, 4), "float64"), 2, _idx([[0]]))),
            Sample((A(rng, (3, 4), "float64"), 1, Arr(np.array([[0.0]])))),
            Sample((A(rng, (), "float64"), 0, _idx(0))),
            Sample((A(rng, (3, 4), "float64"), 1, Arr(np.zeros((3, 0), dtype="int64")))),
            Sample((A(rng, (4, 3), "float64", view="T"), 0, _idx([[1, 0, 2]])))]
    return out


def scatter_gen(rng, reduce_kw=()):
    def gen(rng):
        out = []
        for dt in ("float64", "float32", "int64"):
            out.append(Sample((A(rng, (3, 4), dt), 1, _idx([[0, 1], [3, 3], [2, 0]]), A(rng, (3, 2), dt))))
            out.append(Sample((A(rng, (3, 4), dt), 0, _idx([[0, 1, 2, 0]]), A(rng, (2, 4), dt))))
        out += [Sample((A(rng, (3, 4), "float64"), 1, _idx([[0, 4]]), A(rng, (1, 2), "float64"))),
                Sample((A(rng, (3, 4), "float64"), 1, Arr(np.zeros((3, 0), dtype="int64")), A(rng, (3, 0), "float64"))),
                Sample((A(rng, (3, 4), "float64"), 1, Arr(np.zeros((0,), dtype="int64")), A(rng, (0,), "float64"))),
                Sample((A(rng, (3, 4), "float64"), 1, _idx([[0, 1]]), A(rng, (1, 2), "float32"))),
                Sample((A(rng, (3, 4), "float64"), 1, _idx([[0, 1]]), 2.0)),
                Sample((A(rng, (), "float64"), 0, _idx(0), A(rng, (), "float64"))),
                Sample((A(rng, (3, 4), "float64"), 1, _idx([[0, 1, 2, 3, 0]]), A(rng, (1, 5), "float64"))),
                # src larger than index, and a strided view of its leaf (the gradient lands in the leaf)
                Sample((A(rng, (3, 4), "float64"), 0, _idx([[0, 0, 0, 0]]), A(rng, (2, 4), "float64", view="step")))]
        return out
    return gen


def index_select_gen(rng):
    out = []
    for dt in ("float64", "int32", "bool"):
        out.append(Sample((A(rng, (3, 4), dt), 1, _idx([0, 3, 3]))))
        out.append(Sample((A(rng, (3, 4), dt), 0, _idx([2]))))
    out += [Sample((A(rng, (3, 4), "float64"), 1, _idx([4]))), Sample((A(rng, (3, 4), "float64"), 2, _idx([0]))),
            Sample((A(rng, (3, 4), "float64"), 0, Arr(np.array([0.0])))),
            Sample((A(rng, (3, 4), "float64"), 0, _idx([[0, 1]]))),
            Sample((A(rng, (), "float64"), 0, _idx([0]))), Sample((A(rng, (), "float64"), 0, _idx(0))),
            Sample((A(rng, (3, 4), "float64"), 0, Arr(np.zeros((0,), dtype="int64")))),
            Sample((A(rng, (3, 4), "float64"), 0, Arr(np.array([0, 1], dtype="int32"))))]
    return out


def index_add_gen(rng):
    out = []
    for dt in ("float64", "float32", "int64"):
        out.append(Sample((A(rng, (3, 4), dt), 0, _idx([0, 2, 0]), A(rng, (3, 4), dt))))
        out.append(Sample((A(rng, (3, 4), dt), 1, _idx([1]), A(rng, (3, 1), dt)), {"alpha": 2}))
    out += [Sample((A(rng, (3, 4), "float64"), 0, _idx([3]), A(rng, (1, 4), "float64"))),
            Sample((A(rng, (3, 4), "float64"), 0, _idx([0]), A(rng, (2, 4), "float64"))),
            Sample((A(rng, (3, 4), "float64"), 0, _idx([0]), A(rng, (1, 4), "float32"))),
            Sample((A(rng, (), "float64"), 0, _idx([0]), A(rng, (), "float64")))]
    return out


def index_fill_gen(rng):
    out = []
    for dt in ("float64", "int64", "bool"):
        out.append(Sample((A(rng, (3, 4), dt), 1, _idx([0, 3]), 1)))
    out += [Sample((A(rng, (3, 4), "float64"), 0, _idx([3]), 1.0)),
            Sample((A(rng, (3, 4), "int64"), 0, _idx([1]), 2.5)),
            Sample((A(rng, (3, 4), "float64"), 0, _idx([1]), A(rng, (), "float64"))),
            Sample((A(rng, (), "float64"), 0, _idx([0]), 1.0))]
    return out


def masked_fill_gen(rng):
    out = []
    for dt in DTYPES:
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (2, 3), "bool"), 0.5)))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (3,), "bool"), 1)))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (2, 3), "bool"), A(rng, (), "float64", grad=False))))
    out += [Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "int64"), 0.5)),
            Sample((A(rng, (2, 3), "float64"), A(rng, (4,), "bool"), 0.5)),
            Sample((A(rng, (3,), "float64"), A(rng, (2, 3), "bool"), 0.5)),
            Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "bool"), A(rng, (1,), "float64"))),
            Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "bool"), A(rng, (), "float64"))),
            Sample((A(rng, (2, 3), "int64"), A(rng, (2, 3), "bool"), math.nan)),
            Sample((A(rng, (), "float64"), A(rng, (), "bool"), 1.0)),
            Sample((A(rng, (3, 2), "float64", view="T"), A(rng, (2, 3), "bool"), 0.0)),
            Sample((A(rng, (2, 3), "int64"), A(rng, (2, 3), "bool"), A(rng, (), "float64")))]
    return out


def masked_select_gen(rng):
    out = []
    for dt in DTYPES:
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (2, 3), "bool"))))
    out += [Sample((A(rng, (2, 3), "float64"), A(rng, (3,), "bool"))),
            Sample((A(rng, (3,), "float64"), A(rng, (2, 3), "bool"))),
            Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "int64"))),
            Sample((A(rng, (2, 3), "float64"), A(rng, (4,), "bool"))),
            Sample((A(rng, (), "float64"), A(rng, (), "bool"))),
            Sample((A(rng, (0, 3), "float64"), A(rng, (0, 3), "bool")))]
    return out


# ----------------------------------------------------------------------------- linalg
def matmul_gen(rng):
    pairs = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
             ((2, 1, 2, 3), (5, 3, 2)), ((2, 3), (4, 5)), ((0, 3), (3, 2)), ((2, 0), (0, 3)), ((), (3,)),
             ((3,), (4,)), ((3,), (2, 3, 4)), ((2, 3, 4), (4,))]
    out = []
    for dt in ("float64", "float32", "int64", "int32"):
        for sa, sb in pairs:
            out.append(Sample((A(rng, sa, dt), A(rng, sb, dt))))
    out += [Sample((A(rng, (2, 3), "float64"), A(rng, (3, 4), "float32"))),
            Sample((A(rng, (2, 3), "int64"), A(rng, (3, 4), "float32"))),
            Sample((A(rng, (2, 3), "bool"), A(rng, (3, 4), "bool"))),
            Sample((A(rng, (3, 2), "float64", view="T"), A(rng, (4, 3), "float64", view="T"))),
            Sample((A(rng, (2, 3), "float64"), 2.0))]
    return out


def mm_gen(shapes_list):
    def gen(rng):
        out = []
        for dt in ("float64", "float32", "int64"):
            for shapes in shapes_list:
                out.append(Sample(tuple(A(rng, s, dt) for s in shapes)))
        first = shapes_list[0]
        out.append(Sample((A(rng, first[0], "float64"),) + tuple(A(rng, s, "float32") for s in first[1:])))
        out.append(Sample((A(rng, first[0], "bool"),) + tuple(A(rng, s, "bool") for s in first[1:])))
        return out
    return gen


def addmm_gen(rng):
    out = []
    for dt in ("float64", "float32", "int64"):
        for si in [(2, 4), (4,), (), (1, 4), (3,)]:
            out.append(Sample((A(rng, si, dt), A(rng, (2, 3), dt), A(rng, (3, 4), dt))))
        out.append(Sample((A(rng, (2, 4), dt), A(rng, (2, 3), dt), A(rng, (3, 4), dt)), {"beta": 0.5, "alpha": 2}))
        out.append(Sample((A(rng, (2, 4), dt), A(rng, (2, 3), dt), A(rng, (3, 4), dt)), {"beta": 0}))
    out += [Sample((A(rng, (2, 4), "float64"), A(rng, (2, 3), "float64"), A(rng, (4, 3), "float64"))),
            Sample((A(rng, (2, 4), "float64"), A(rng, (3,), "float64"), A(rng, (3, 4), "float64"))),
            Sample((A(rng, (2, 4), "float64"), A(rng, (2, 3), "float32"), A(rng, (3, 4), "float32")))]
    return out


def einsum_gen(rng):
    cases = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ij->ji", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
             ("i->", [(4,)]), ("i,i->", [(3,)] * 2), ("i,j->ij", [(2,), (3,)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
             ("...ij,...jk", [(2, 2, 3), (3, 4)]), ("ij,ij->ij", [(2, 3), (2, 3)]), ("ij,j", [(2, 3), (3,)]),
             ("ijk->", [(2, 0, 3)]), ("ij,jk->ik", [(2, 3), (4, 4)]), ("ij->ik", [(2, 3)]), ("ij", [(2, 3, 4)]),
             ("i,i,i->i", [(3,)] * 3), ("ij,kj->ik", [(2, 3), (1, 3)]), ("", [()]), ("->", [()]),
             ("i j , j k -> i k", [(2, 3), (3, 4)])]
    out = []
    for eq, shapes in cases:
        for dt in ("float64", "float32", "int32"):
            out.append(Sample((eq,) + tuple(A(rng, s, dt) for s in shapes)))
    out += [Sample(("ij,jk->ik", [A(rng, (2, 3)), A(rng, (3, 4))])),
            Sample(("ij,jk->ik", A(rng, (2, 3), "float64"), A(rng, (3, 4), "float32"))),
            Sample(("ij,jk->ik", A(rng, (3, 2), "float64", view="T"), A(rng, (3, 4), "float64")))]
    return out


def dot_gen(rng):
    out = []
    for dt in ("float64", "float32", "int64", "int32"):
        out.append(Sample((A(rng, (3,), dt), A(rng, (3,), dt))))
    out += [Sample((A(rng, (3,), "float64"), A(rng, (3,), "float32"))), Sample((A(rng, (3,), "float64"), A(rng, (4,), "float64"))),
            Sample((A(rng, (2, 3), "float64"), A(rng, (3,), "float64"))), Sample((A(rng, (0,), "float64"), A(rng, (0,), "float64"))),
            Sample((A(rng, (), "float64"), A(rng, (), "float64"))), Sample((A(rng, (3,), "bool"), A(rng, (3,), "bool"))),
            Sample((A(rng, (6,), "float64", view="step"), A(rng, (6,), "float64", view="step")))]
    return out


def outer_gen(rng):
    out = []
    for dt in DTYPES:
        out.append(Sample((A(rng, (3,), dt), A(rng, (2,), dt))))
    out += [Sample((A(rng, (3,), "float64"), A(rng, (2,), "int32"))), Sample((A(rng, (2, 3), "float64"), A(rng, (2,), "float64"))),
            Sample((A(rng, (0,), "float64"), A(rng, (2,), "float64"))), Sample((A(rng, (), "float64"), A(rng, (2,), "float64")))]
    return out


# ----------------------------------------------------------------------------- nn.functional
def loss_gen(target="same", kwarg_sets=({},), prob_input=False) -> Callable:
    def gen(rng):
        out = []
        for kw in [{}, {"reduction": "sum"}, {"reduction": "none"}, {"reduction": "bogus"}] + list(kwarg_sets[1:]):
            kw = {**kwarg_sets[0], **kw}
            pairs = [((2, 3), (2, 3)), ((), ()), ((0,), (0,)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 3), (4,))]
            for dt in FLOATS:
                for si, st in pairs[:1] if kw.get("reduction") == "bogus" else pairs:
                    x = A(rng, si, dt)
                    y = A(rng, st, dt, grad=False)
                    if prob_input:
                        x = Arr(np.clip(np.abs(x.data) / 3.5, 0.01, 0.99).astype(dt), x.grad)
                        y = Arr(np.clip(np.abs(y.data) / 3.5, 0.0, 1.0).astype(dt), False)
                    out.append(Sample((x, y), dict(kw)))
        out.append(Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "float32", grad=False))))
        out.append(Sample((A(rng, (2, 3), "int64"), A(rng, (2, 3), "int64"))))
        out.append(Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "float64"))))
        return out
    return gen


def ce_gen(rng):
    out = []
    for dt in FLOATS:
        for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 1}, {"label_smoothing": 0.1},
                   {"weight": A(rng, (4,), dt, grad=False)}):
            out.append(Sample((A(rng, (3, 4), dt), _idx([0, 3, 1])), dict(kw)))
            out.append(Sample((A(rng, (2, 4, 3), dt), _idx([[0, 3, 1], [2, 2, 1]])), dict(kw)))
        out.append(Sample((A(rng, (4,), dt), _idx(2))))
        out.append(Sample((A(rng, (3, 4), dt), Arr(np.full((3, 4), 0.25, dtype=dt)))))
        out.append(Sample((A(rng, (3, 4), dt), _idx([0, 4, 1]))))
        out.append(Sample((A(rng, (3, 4), dt), _idx([0, 1]))))
        out.append(Sample((A(rng, (0, 4), dt), Arr(np.zeros((0,), dtype="int64")))))
        out.append(Sample((A(rng, (3, 4), dt), _idx([1, 1, 1])), {"ignore_index": 1}))
    return out


def nll_gen(rng):
    out = []
    for dt in FLOATS:
        for kw in ({}, {"reduction": "sum"}, {"reduction": "none"}, {"ignore_index": 1},
                   {"weight": A(rng, (4,), dt, grad=False)}):
            out.append(Sample((A(rng, (3, 4), dt), _idx([0, 3, 1])), dict(kw)))
        out.append(Sample((A(rng, (3, 4), dt), _idx([0, 4, 1]))))
        out.append(Sample((A(rng, (3, 4), dt), Arr(np.array([0, 1, 1], dtype="int32")))))
    return out


def bce_logits_gen(rng):
    out = loss_gen()(rng)
    out += [Sample((A(rng, (2, 3)), A(rng, (2, 3), grad=False)), {"pos_weight": A(rng, (3,), grad=False)}),
            Sample((A(rng, (2, 3)), A(rng, (2, 3), grad=False)), {"weight": A(rng, (3,), grad=False)}),
            Sample((A(rng, (3,)), A(rng, (3,), grad=False)), {"weight": A(rng, (2, 3), grad=False)}),
            Sample((A(rng, (10,), special=True), A(rng, (10,), grad=False)))]
    return out


def with_kwargs(samples: Callable, kwargs: dict) -> Callable:
    """``samples``' cases, each with ``kwargs`` added (for an op whose arguments are required)."""
    def gen(rng):
        return [Sample(sample.args, dict(kwargs, **sample.kwargs)) for sample in samples(rng)]
    return gen


def glu_gen(rng):
    """Inputs halved along ``dim``: even sizes, and the odd, empty and 0-d ones that raise."""
    out = []
    for dt in DTYPES:
        for shape, dim in [((2, 4), -1), ((2, 4), 0), ((4,), 0), ((2, 3, 2), 2), ((2, 3), 1), ((), 0), ((0, 2), 1)]:
            out.append(Sample((A(rng, shape, dt),), {"dim": dim}))
    out.append(Sample((A(rng, (4, 2), "float64", view="T"),), {"dim": 1}))
    out.append(Sample((A(rng, (10,), "float64", special=True),), {"dim": 0}))
    return out


def dim_fn_gen(dims=(0, 1, -1, 2), dtypes=DTYPES, extra=()) -> Callable:
    def gen(rng):
        out = []
        for dt in dtypes:
            for shape in [(2, 3), (), (0, 3), (4,)]:
                for d in dims:
                    out.append(Sample((A(rng, shape, dt),), {"dim": d}))
        out.append(Sample((A(rng, (2, 5), "float64", special=True),), {"dim": 1}))
        out.append(Sample((A(rng, (2, 3), "float32"),), {"dim": 1, "dtype": Dt("float64")}))
        out.append(Sample((A(rng, (3, 4), "float64", view="T"),), {"dim": 0}))
        for kw in extra:
            out.append(Sample((A(rng, (2, 3), "float64"),), dict(kw)))
        return out
    return gen


def pair_gen(extra=()) -> Callable:
    def gen(rng):
        out = []
        for dt in FLOATS + ("int64",):
            for sa, sb in [((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (3,)), ((2, 3), (4,)), ((0, 3), (0, 3))]:
                out.append(Sample((A(rng, sa, dt), A(rng, sb, dt))))
        for kw in extra:
            out.append(Sample((A(rng, (2, 3)), A(rng, (2, 3))), dict(kw)))
        out.append(Sample((A(rng, (2, 3)), A(rng, (2, 3), data=np.zeros((2, 3))))))
        return out
    return gen


def linear_gen(rng):
    out = []
    for dt in FLOATS:
        out += [Sample((A(rng, (2, 3), dt), A(rng, (4, 3), dt), A(rng, (4,), dt))),
                Sample((A(rng, (2, 3), dt), A(rng, (4, 3), dt))),
                Sample((A(rng, (5, 2, 3), dt), A(rng, (4, 3), dt), A(rng, (4,), dt))),
                Sample((A(rng, (3,), dt), A(rng, (4, 3), dt), A(rng, (4,), dt))),
                Sample((A(rng, (2, 3), dt), A(rng, (4, 2), dt))),
                Sample((A(rng, (2, 5, 0), dt), A(rng, (4, 0), dt), A(rng, (4,), dt)))]
    out.append(Sample((A(rng, (2, 3), "float64"), A(rng, (4, 3), "float32"))))
    return out


def one_hot_gen(rng):
    return [Sample((_idx([0, 2, 1]),)), Sample((_idx([0, 2, 1]), 5)), Sample((_idx([[0, 1], [2, 0]]),)),
            Sample((_idx([0, 3]), 3)), Sample((_idx([-1, 0]),)), Sample((_idx(2), 4)),
            Sample((Arr(np.zeros((0,), dtype="int64")), 3)), Sample((A(rng, (2,), "float64", grad=False),)),
            Sample((Arr(np.array([0, 1], dtype="int32")),))]


def nan_to_num_gen(rng):
    out = unary(extra_kwargs=({"nan": 1.5, "posinf": 2.0, "neginf": -3.0}, {"posinf": 1e300, "neginf": 7}))(rng)
    for dt in FLOATS:  # replacements beyond the dtype's range become inf
        out.append(Sample((A(rng, (10,), dt, special=True),), {"nan": -1.0, "posinf": 1e300, "neginf": -1e300}))
    return out


def act_gen(extra_kwargs=()) -> Callable:
    return unary(extra_kwargs=extra_kwargs)


# ----------------------------------------------------------------------------- the table
_U = unary()
UNARY = ["abs", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "erf", "exp", "expm1",
         "fix", "floor", "log", "log10", "log1p", "log2", "neg", "reciprocal", "round", "rsqrt", "sigmoid", "sign",
         "sin", "sinh", "sqrt", "square", "tan", "tanh", "trunc", "relu"]
ALIASES = ["arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh"]
_OP_UNARY = {"neg": operator.neg, "abs": operator.abs}

OPS: list[OpInfo] = []
OPS += [OpInfo(n, "unary", _U, operator=_OP_UNARY.get(n), reflected=False) for n in UNARY]
OPS += [OpInfo(n, "unary", _U) for n in ALIASES]
OPS += [OpInfo("isfinite", "unary", _U), OpInfo("isinf", "unary", _U), OpInfo("isnan", "unary", _U),
        OpInfo("logical_not", "comparison", _U),
        OpInfo("round_decimals", "unary", unary(extra_kwargs=({"decimals": 1}, {"decimals": -1})), func="round",
               method="round"),
        OpInfo("nan_to_num", "unary", nan_to_num_gen),
        OpInfo("invert", "elementwise", _U, func=None, method=None, operator=operator.invert, reflected=False),
        OpInfo("pos", "elementwise", _U, func=None, method=None, operator=operator.pos, reflected=False)]

_B = binary()
OPS += [
    OpInfo("add", "elementwise", binary(_alpha_samples), operator=operator.add, ioperator=operator.iadd),
    OpInfo("sub", "elementwise", binary(_alpha_samples), operator=operator.sub, ioperator=operator.isub),
    OpInfo("subtract", "elementwise", _B),
    OpInfo("mul", "elementwise", _B, operator=operator.mul, ioperator=operator.imul),
    OpInfo("multiply", "elementwise", _B),
    OpInfo("div", "elementwise", binary(_rounding_samples), operator=operator.truediv, ioperator=operator.itruediv),
    OpInfo("divide", "elementwise", _B),
    OpInfo("true_divide", "elementwise", _B),
    OpInfo("floor_divide", "elementwise", _B, operator=operator.floordiv, ioperator=operator.ifloordiv),
    OpInfo("fmod", "elementwise", _B),
    OpInfo("remainder", "elementwise", _B, operator=operator.mod, ioperator=operator.imod),
    OpInfo("pow", "elementwise", binary(scalars=(2, -1, 0.5, True, -2.5)), operator=operator.pow,
           ioperator=operator.ipow),
    OpInfo("atan2", "elementwise", _B), OpInfo("arctan2", "elementwise", _B),
    OpInfo("maximum", "elementwise", _B), OpInfo("minimum", "elementwise", _B),
    OpInfo("bitwise_and_op", "elementwise", _B, func=None, method=None, operator=operator.and_, ioperator=operator.iand),
    OpInfo("bitwise_or_op", "elementwise", _B, func=None, method=None, operator=operator.or_, ioperator=operator.ior),
    OpInfo("bitwise_xor_op", "elementwise", _B, func=None, method=None, operator=operator.xor, ioperator=operator.ixor),
    OpInfo("lerp", "elementwise", lerp_gen),
    OpInfo("eq", "comparison", _B, operator=operator.eq), OpInfo("ne", "comparison", _B, operator=operator.ne),
    OpInfo("lt", "comparison", _B, operator=operator.lt), OpInfo("le", "comparison", _B, operator=operator.le),
    OpInfo("gt", "comparison", _B, operator=operator.gt), OpInfo("ge", "comparison", _B, operator=operator.ge),
    OpInfo("logical_and", "comparison", _B), OpInfo("logical_or", "comparison", _B),
    OpInfo("logical_xor", "comparison", _B),
    OpInfo("isclose", "comparison", isclose_gen), OpInfo("allclose", "comparison", isclose_gen),
    OpInfo("equal", "comparison", equal_gen),
    OpInfo("clamp", "elementwise", clamp_gen), OpInfo("clip", "elementwise", clamp_gen),
    OpInfo("clamp_min", "comparison", binary(special_pairs=False), func=None),
    OpInfo("clamp_max", "comparison", binary(special_pairs=False), func=None),
    OpInfo("where", "comparison", where_gen, inplace=None),
    OpInfo("where_cond", "indexing", where1_gen, func="where", method=None),
    OpInfo("nonzero", "indexing", nonzero_gen),
]

_DT = ({"dtype": Dt("float64")}, {"dtype": Dt("int64")}, {"dtype": Dt("float32")})
OPS += [
    OpInfo("sum", "reduction", reduction("multi", _DT)),
    OpInfo("mean", "reduction", reduction("multi", _DT)),
    OpInfo("prod", "reduction", reduction("single", _DT)),
    OpInfo("amax", "reduction", reduction("multi")), OpInfo("amin", "reduction", reduction("multi")),
    OpInfo("max", "reduction", reduction("single")), OpInfo("min", "reduction", reduction("single")),
    OpInfo("max_binary", "reduction", binary(special_pairs=True), func="max", method="max"),
    OpInfo("argmax", "reduction", reduction("single")), OpInfo("argmin", "reduction", reduction("single")),
    OpInfo("std", "reduction", reduction("multi", ({"correction": 0}, {"unbiased": False}, {"correction": 2}))),
    OpInfo("var", "reduction", reduction("multi", ({"correction": 0}, {"unbiased": False}, {"correction": 2}))),
    OpInfo("logsumexp", "reduction", reduction("multi", dim_required=True)),
    OpInfo("norm", "reduction", reduction("multi", dim_kw=True, extra_kwargs=({"p": 1}, {"p": 0}, {"p": 3}, {"p": math.inf}, {"p": "fro"},
                                                     {"p": -math.inf}, {"p": "nuc"}))),
    OpInfo("all", "reduction", reduction("multi")), OpInfo("any", "reduction", reduction("multi")),
    OpInfo("count_nonzero", "reduction", reduction("multi")),
    OpInfo("median", "reduction", reduction("single")),
    OpInfo("cumsum", "cumulative", cumulative(_DT)), OpInfo("cumprod", "cumulative", cumulative(_DT)),
    OpInfo("cummax", "cumulative", cumulative()), OpInfo("cummin", "cumulative", cumulative()),
    OpInfo("diff", "cumulative", cumulative(({"n": 2}, {"n": 0}, {"prepend": Arr(np.zeros((2, 1)))}))),
    OpInfo("sort", "sorting", sort_like([{}, {"descending": True}, {"dim": 0}, {"stable": True}, {"dim": 3}])),
    OpInfo("argsort", "sorting", sort_like([{}, {"descending": True}, {"dim": 0}, {"dim": -3}])),
    OpInfo("topk", "sorting", topk_gen),
    OpInfo("unique", "sorting", unique_gen),
    OpInfo("softmax", "reduction", dim_fn_gen()), OpInfo("log_softmax", "reduction", dim_fn_gen()),
]


def _r(args, kw=None):
    return (args, kw or {})


OPS += [
    OpInfo("reshape", "shape", shape_samples([((2, 3), [(3, 2)], {}), ((2, 3), [(-1,)], {}), ((2, 3), [(4, -1)], {}),
                                              ((2, 3), [(-1, -1)], {}), ((), [(1, 1)], {}), ((0, 3), [(-1, 0)], {}),
                                              ((2, 3), [6], {}), ((2, 3), [3, 2], {}), ((2, 3), [()], {}),
                                              ((1,), [()], {})])),
    OpInfo("view", "shape", shape_samples([((2, 3), [(3, 2)], {}), ((2, 3), [-1], {}), ((2, 3), [(7,)], {}),
                                           ((), [(1,)], {}), ((2, 3), [Dt("int32")], {})]), func=None),
    OpInfo("flatten", "shape", shape_samples([((2, 3, 2), [], {}), ((2, 3, 2), [1], {}), ((2, 3, 2), [0, 1], {}),
                                              ((), [], {}), ((2, 3), [1, 0], {}), ((2, 3), [0, 5], {}),
                                              ((0, 3), [], {})])),
    OpInfo("squeeze", "shape", shape_samples([((2, 1, 3), [], {}), ((2, 1, 3), [1], {}), ((2, 1, 3), [0], {}),
                                              ((2, 1, 1), [(1, 2)], {}), ((2, 1, 3), [()], {}), ((), [0], {}),
                                              ((), [1], {}), ((2, 1, 3), [(1, 1)], {}), ((1,), [], {}),
                                              ((2, 1, 3), [5], {})])),
    OpInfo("unsqueeze", "shape", shape_samples([((2, 3), [0], {}), ((2, 3), [-1], {}), ((2, 3), [2], {}),
                                                ((2, 3), [3], {}), ((), [0], {}), ((), [-1], {}), ((), [1], {})])),
    OpInfo("permute", "shape", shape_samples([((2, 3, 4), [(2, 0, 1)], {}), ((2, 3, 4), [2, 0, 1], {}),
                                              ((2, 3), [(0, 0)], {}), ((2, 3), [(0,)], {}), ((), [()], {}),
                                              ((2, 3), [], {}), ((4,), [], {}), ((2, 3), [(1, -2)], {})])),
    OpInfo("transpose", "shape", shape_samples([((2, 3, 4), [0, 2], {}), ((2, 3), [-1, 0], {}), ((), [0, -1], {}),
                                                ((), [0, 1], {}), ((2, 3), [0, 2], {}), ((4,), [0, 0], {})])),
    OpInfo("swapaxes", "shape", shape_samples([((2, 3, 4), [0, 2], {}), ((), [0, 1], {})])),
    OpInfo("swapdims", "shape", shape_samples([((2, 3, 4), [0, 2], {})])),
    OpInfo("t", "shape", shape_samples([((2, 3), [], {}), ((3,), [], {}), ((), [], {}), ((2, 3, 4), [], {})])),
    OpInfo("movedim", "shape", shape_samples([((2, 3, 4), [0, 2], {}), ((2, 3, 4), [(0, 1), (2, 0)], {}),
                                              ((), [0, 0], {}), ((2, 3), [0, 2], {}), ((2, 3), [(0, 0), (1, 0)], {})])),
    OpInfo("moveaxis", "shape", shape_samples([((2, 3, 4), [0, 2], {})])),
    OpInfo("flip", "shape", shape_samples([((2, 3), [(0,)], {}), ((2, 3), [(0, 1)], {}), ((2, 3), [0], {}),
                                           ((), [(0,)], {}), ((2, 3), [(0, 0)], {}), ((2, 3), [(2,)], {}),
                                           ((2, 3), [()], {})])),
    OpInfo("roll", "shape", shape_samples([((2, 3), [1], {}), ((2, 3), [1, 1], {}), ((2, 3), [(1, -1), (0, 1)], {}),
                                           ((), [1], {}), ((0, 3), [1, 0], {}), ((2, 3), [1, 2], {})])),
    OpInfo("tile", "shape", shape_samples([((2, 3), [(2,)], {}), ((2, 3), [(2, 1, 2)], {}), ((), [(3,)], {}),
                                           ((2, 3), [()], {})])),
    OpInfo("repeat", "shape", shape_samples([((2, 3), [(2, 1)], {}), ((2, 3), [2, 1, 2], {}), ((2, 3), [(2,)], {}),
                                             ((), [(3,)], {}), ((2, 3), [(0, 1)], {})]), func=None),
    OpInfo("expand", "shape", shape_samples([((2, 1), [(2, 3)], {}), ((3,), [2, 3], {}), ((2, 1), [(-1, 4)], {}),
                                             ((2, 3), [(4, 3)], {}), ((), [(2,)], {}), ((2, 1), [], {})]), func=None),
    OpInfo("narrow", "shape", shape_samples([((4, 3), [0, 1, 2], {}), ((4, 3), [1, -2, 2], {}), ((4, 3), [0, 3, 2], {}),
                                             ((), [0, 0, 1], {}), ((4, 3), [2, 0, 1], {})])),
    OpInfo("split", "shape", shape_samples([((5, 3), [2], {}), ((5, 3), [(2, 3)], {}), ((5, 3), [2, 1], {}),
                                            ((5, 3), [(1, 1)], {}), ((), [1], {}), ((0, 3), [2], {}), ((5, 3), [0], {})])),
    OpInfo("chunk", "shape", shape_samples([((5, 3), [2], {}), ((5, 3), [3, 1], {}), ((), [1], {}), ((5, 3), [0], {}),
                                            ((0, 3), [2], {})])),
    OpInfo("unbind", "shape", shape_samples([((2, 3), [], {}), ((2, 3), [1], {}), ((), [], {}), ((0, 3), [], {}),
                                             ((2, 3), [2], {})])),
    OpInfo("unflatten", "shape", shape_samples([((6, 2), [0, (2, 3)], {}), ((6, 2), [0, (-1, 3)], {}),
                                                ((6, 2), [0, (4, 2)], {}), ((), [0, (1,)], {})]), func=None),
    OpInfo("diag", "shape", shape_samples([((3,), [], {}), ((3,), [1], {}), ((2, 3), [], {}), ((2, 3), [-1], {}),
                                           ((), [], {}), ((2, 3, 4), [], {}), ((0,), [], {})])),
    OpInfo("diagonal", "shape", shape_samples([((3, 4), [], {}), ((3, 4), [1], {}), ((2, 3, 4), [0, 1, 2], {}),
                                               ((3,), [], {}), ((3, 4), [0, 0, 0], {})])),
    OpInfo("tril", "shape", shape_samples([((3, 4), [], {}), ((3, 4), [1], {}), ((3, 4), [-1], {}), ((2, 3, 4), [], {}),
                                           ((3,), [], {}), ((), [], {}), ((0, 3), [], {})])),
    OpInfo("triu", "shape", shape_samples([((3, 4), [], {}), ((3, 4), [1], {}), ((2, 3, 4), [-1], {}), ((3,), [], {})])),
    OpInfo("trace", "shape", shape_samples([((3, 4), [], {}), ((3, 3), [], {}), ((3,), [], {}), ((0, 0), [], {})])),
    OpInfo("repeat_interleave", "shape", shape_samples([((2, 3), [2], {}), ((2, 3), [2], {"dim": 1}),
                                                        ((2, 3), [_idx([1, 2])], {"dim": 0}), ((), [2], {}),
                                                        ((2, 3), [_idx([1, 2])], {"dim": 1})])),
    OpInfo("cat", "shape", cat_gen, method=None), OpInfo("concat", "shape", cat_gen, method=None),
    OpInfo("concatenate", "shape", cat_gen, method=None),
    OpInfo("stack", "shape", stack_gen, method=None),
    OpInfo("getitem", "indexing", getitem_gen, func=None, method=None, operator=operator.getitem, reflected=False),
    OpInfo("setitem", "indexing", setitem_gen, func=None, method=None, extra_forms=("setitem",)),
    OpInfo("gather", "indexing", gather_gen),
    OpInfo("scatter", "indexing", scatter_gen(None)),
    OpInfo("scatter_add", "indexing", scatter_gen(None)),
    OpInfo("index_select", "indexing", index_select_gen),
    OpInfo("index_add", "indexing", index_add_gen),
    OpInfo("index_fill", "indexing", index_fill_gen),
    OpInfo("masked_fill", "indexing", masked_fill_gen),
    OpInfo("masked_select", "indexing", masked_select_gen),
    OpInfo("matmul", "linalg", matmul_gen, operator=operator.matmul, ioperator=None),
    OpInfo("mm", "linalg", mm_gen([[(2, 3), (3, 4)], [(2, 3), (4, 5)], [(3,), (3, 4)], [(0, 3), (3, 2)],
                                   [(2, 3, 4), (4, 2)]])),
    OpInfo("bmm", "linalg", mm_gen([[(2, 2, 3), (2, 3, 4)], [(2, 2, 3), (1, 3, 4)], [(2, 2, 3), (3, 4)],
                                    [(0, 2, 3), (0, 3, 1)], [(2, 2, 3), (2, 4, 4)]])),
    OpInfo("mv", "linalg", mm_gen([[(2, 3), (3,)], [(2, 3), (4,)], [(2, 3), (1, 3)], [(0, 3), (3,)]])),
    OpInfo("dot", "linalg", dot_gen),
    OpInfo("outer", "linalg", outer_gen), OpInfo("ger", "linalg", outer_gen),
    OpInfo("addmm", "linalg", addmm_gen),
    OpInfo("einsum", "linalg", einsum_gen, method=None),
]

F = "nn.functional."
_LOSS_PAIRS = loss_gen()
OPS += [
    OpInfo("mse_loss", "nn", _LOSS_PAIRS, func=F + "mse_loss", method=None),
    OpInfo("l1_loss", "nn", _LOSS_PAIRS, func=F + "l1_loss", method=None),
    OpInfo("smooth_l1_loss", "nn", loss_gen(kwarg_sets=({}, {"beta": 0.5}, {"beta": 0.0}, {"beta": math.nan})),
           func=F + "smooth_l1_loss", method=None),
    OpInfo("huber_loss", "nn", loss_gen(kwarg_sets=({}, {"delta": 0.5}, {"delta": math.nan})),
           func=F + "huber_loss", method=None),
    OpInfo("binary_cross_entropy", "nn", loss_gen(prob_input=True), func=F + "binary_cross_entropy", method=None),
    OpInfo("binary_cross_entropy_with_logits", "nn", bce_logits_gen, func=F + "binary_cross_entropy_with_logits",
           method=None),
    OpInfo("kl_div", "nn", loss_gen(kwarg_sets=({}, {"reduction": "batchmean"}, {"log_target": True})),
           func=F + "kl_div", method=None),
    OpInfo("cross_entropy", "nn", ce_gen, func=F + "cross_entropy", method=None),
    OpInfo("nll_loss", "nn", nll_gen, func=F + "nll_loss", method=None),
    OpInfo("cosine_similarity", "nn", pair_gen(({"dim": 0}, {"eps": 0.5}, {"dim": 2})), func=F + "cosine_similarity",
           method=None),
    OpInfo("pairwise_distance", "nn", pair_gen(({"p": 1.0}, {"keepdim": True}, {"p": 0.0})),
           func=F + "pairwise_distance", method=None),
    OpInfo("normalize", "nn", dim_fn_gen(dims=(0, 1, -1), dtypes=FLOATS, extra=({"p": 1.0, "dim": 0},)),
           func=F + "normalize", method=None),
    OpInfo("F.softmax", "reduction", dim_fn_gen(), func=F + "softmax", method=None),
    OpInfo("F.log_softmax", "reduction", dim_fn_gen(), func=F + "log_softmax", method=None),
    OpInfo("F.softmin", "nn", dim_fn_gen(), func=F + "softmin", method=None),
    OpInfo("one_hot", "nn", one_hot_gen, func=F + "one_hot", method=None),
    OpInfo("linear", "nn", linear_gen, func=F + "linear", method=None),
    OpInfo("F.relu", "unary", _U, func=F + "relu", method=None),
    OpInfo("F.sigmoid", "unary", _U, func=F + "sigmoid", method=None),
    OpInfo("F.tanh", "unary", _U, func=F + "tanh", method=None),
    OpInfo("relu6", "unary", _U, func=F + "relu6", method=None),
    OpInfo("hardtanh", "unary", unary(({"min_val": -0.5, "max_val": 2.0},)), func=F + "hardtanh", method=None),
    OpInfo("gelu", "unary", unary(({"approximate": "tanh"},)), func=F + "gelu", method=None),
    OpInfo("silu", "unary", _U, func=F + "silu", method=None),
    OpInfo("elu", "nn", unary(({"alpha": 0.5},)), func=F + "elu", method=None),
    OpInfo("leaky_relu", "nn", unary(({"negative_slope": 0.2},)), func=F + "leaky_relu", method=None),
    OpInfo("softplus", "nn", unary(({"beta": 2.0, "threshold": 1.0},)), func=F + "softplus", method=None),
    OpInfo("logsigmoid", "nn", _U, func=F + "logsigmoid", method=None),
    OpInfo("mish", "nn", _U, func=F + "mish", method=None),
    OpInfo("hardsigmoid", "nn", _U, func=F + "hardsigmoid", method=None),
    OpInfo("hardswish", "nn", _U, func=F + "hardswish", method=None),
    OpInfo("selu", "nn", _U, func=F + "selu", method=None),
    OpInfo("celu", "nn", unary(({"alpha": 0.5},)), func=F + "celu", method=None),
    OpInfo("softsign", "nn", _U, func=F + "softsign", method=None),
    OpInfo("tanhshrink", "nn", _U, func=F + "tanhshrink", method=None),
    OpInfo("softshrink", "nn", unary(({"lambd": 1.0},)), func=F + "softshrink", method=None),
    OpInfo("hardshrink", "nn", unary(({"lambd": 1.0},)), func=F + "hardshrink", method=None),
    OpInfo("threshold", "nn", with_kwargs(unary(), {"threshold": 0.5, "value": -2.0}), func=F + "threshold",
           method=None),
    OpInfo("glu", "nn", glu_gen, func=F + "glu", method=None),
]



def addc_gen(rng):
    out = []
    for dt in ("float64", "float32", "int64"):
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (3,), dt), A(rng, (2, 1), dt))))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (2, 3), dt), A(rng, (2, 3), dt)), {"value": 0.5}))
    out += [Sample((A(rng, (3,), "float64"), A(rng, (2, 3), "float64"), A(rng, (3,), "float64"))),
            Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "float32"), A(rng, (3,), "float64"))),
            Sample((A(rng, (), "float64"), A(rng, (), "float64"), A(rng, (), "float64")), {"value": 2}),
            Sample((A(rng, (3, 2), "float64", view="T"), A(rng, (2, 3), "float64"), A(rng, (3,), "float64")))]
    return out


def fill_gen(rng):
    out = []
    for dt in DTYPES:
        for v in (2, 1.5, True):
            out.append(Sample((A(rng, (2, 3), dt), v)))
        out.append(Sample((A(rng, (2, 3), dt), A(rng, (), "float64", grad=False))))
    out += [Sample((A(rng, (2, 3), "float64"), A(rng, (1,), "float64", grad=False))),
            Sample((A(rng, (0, 3), "float64"), 1.0)), Sample((A(rng, (2, 3), "int64"), math.inf)),
            Sample((A(rng, (3, 2), "float64", view="T"), 1.0)), Sample((A(rng, (), "float64"), A(rng, (), "float64"))),
            Sample((A(rng, (2, 3), "int64"), A(rng, (), "float64"))), Sample((A(rng, (2, 3), "bool"), A(rng, (), "float64")))]
    return out


def zero_gen(rng):
    return [Sample((A(rng, s, dt),)) for dt in DTYPES for s in [(), (0,), (2, 3)]] + \
        [Sample((A(rng, (3, 2), "float64", view="T"),))]


def copy_gen(rng):
    out = []
    for da, db in [("float64", "float64"), ("float32", "float64"), ("int64", "float64"), ("float64", "int32"),
                   ("bool", "float32"), ("int32", "bool")]:
        out.append(Sample((A(rng, (2, 3), da), A(rng, (3,), db))))
    out += [Sample((A(rng, (2, 3), "float64"), A(rng, (2, 3), "float64"))),
            Sample((A(rng, (2, 3), "float64"), A(rng, (4,), "float64"))),
            Sample((A(rng, (3,), "float64"), A(rng, (2, 3), "float64"))),
            Sample((A(rng, (3, 2), "float64", view="T"), A(rng, (2, 3), "float64"))),
            Sample((A(rng, (0, 3), "float64"), A(rng, (3,), "float64"))),
            Sample((A(rng, (2,), "int64"), A(rng, (2,), "float64", data=[math.inf, 1.5])))]
    return out


def as_gen(rng):
    return [Sample((A(rng, (2, 3), dt), A(rng, s, dt2))) for dt in ("float64", "int64") for dt2 in ("float32", "bool")
            for s in [(2, 3), (3, 2), (6,), (1, 2, 3), (4,)]] + \
        [Sample((A(rng, (2, 1), "float64"), A(rng, (2, 3), "float64"))),
         Sample((A(rng, (3, 2), "float64", view="T"), A(rng, (6,), "float64")))]


def sum_to_size_gen(rng):
    return [Sample((A(rng, (2, 3), dt),) + tuple(args)) for dt in ("float64", "int64", "bool")
            for args in [((1, 3),), ((3,),), (1, 1), ((2, 3),), ((2, 1),), ((4,),), ((),)]] + \
        [Sample((A(rng, (), dt), ())) for dt in ("float64", "int32", "bool")]  # a 0-d target always sums


def unfold_gen(rng):
    return [Sample((A(rng, s, dt),) + args) for dt in ("float64", "int64")
            for s, args in [((6,), (0, 2, 1)), ((6,), (0, 2, 2)), ((2, 5), (1, 3, 2)), ((6,), (0, 7, 1)),
                            ((6,), (0, 0, 1)), ((6,), (0, 2, 0)), ((), (0, 1, 1)), ((2, 5), (2, 1, 1))]]


def pad_gen(rng):
    out = []
    for dt in ("float64", "int64"):
        for pad, kw in [((1, 2), {}), ((1, 1, 2, 0), {}), ((0, 0), {}), ((-1, 1), {}), ((1, 2), {"value": 2.5}),
                        ((1, 1), {"mode": "reflect"}), ((1, 1), {"mode": "replicate"}), ((1, 1), {"mode": "circular"}),
                        ((1, 2, 3), {}), ((5, 5), {"mode": "reflect"})]:
            out.append(Sample((A(rng, (2, 3, 4), dt), pad), kw))
    out += [Sample((A(rng, (), "float64"), (1, 1))), Sample((A(rng, (3,), "float64"), (1, 1, 1, 1)))]
    # empty dimensions: only the batch dimension may be empty in reflect and replicate modes
    out += [Sample((A(rng, shape, "float64"), (1, 1)), {"mode": mode})
            for mode in ("reflect", "replicate", "circular") for shape in [(0, 2), (0, 2, 3), (2, 0, 3)]]
    return out


def prelu_gen(rng):
    out = []
    for dt in FLOATS:
        out += [Sample((A(rng, (2, 3, 4), dt), A(rng, (3,), dt))), Sample((A(rng, (2, 3), dt), A(rng, (1,), dt))),
                Sample((A(rng, (4,), dt), A(rng, (1,), dt))), Sample((A(rng, (2, 3), dt), A(rng, (2,), dt)))]
    out.append(Sample((A(rng, (2, 3), "int64"), A(rng, (1,), "int64"))))
    return out


def layer_norm_gen(rng):
    out = []
    for dt in FLOATS:
        out += [Sample((A(rng, (2, 3, 4), dt), (4,))), Sample((A(rng, (2, 3, 4), dt), (3, 4), A(rng, (3, 4), dt),
                                                             A(rng, (3, 4), dt))),
                Sample((A(rng, (2, 3), dt), [3]), {"eps": 0.1}), Sample((A(rng, (2, 3), dt), (4,))),
                Sample((A(rng, (2, 0), dt), (0,))), Sample((A(rng, (2, 3), dt), (3,), A(rng, (2,), dt)))]
    out.append(Sample((A(rng, (2, 3), "int64"), (3,))))
    return out


def rms_norm_gen(rng):
    """layer_norm's cases without the bias (rms_norm has none), and float16, whose default eps is float32's."""
    out = []
    for sample in layer_norm_gen(rng):
        args = sample.args[:3]  # (input, normalized_shape, weight)
        out.append(Sample(args, dict(sample.kwargs)))
    out.append(Sample((A(rng, (2, 3), "float16"), (3,))))
    out.append(Sample((A(rng, (2, 3), "float64"), (3,)), {"eps": None}))
    return out


def embedding_gen(rng):
    w = A(rng, (5, 3))
    return [Sample((_idx([0, 4, 4]), w)), Sample((_idx([[1, 2], [0, 0]]), w)), Sample((_idx(2), w)),
            Sample((_idx([5]), w)), Sample((_idx([-1]), w)), Sample((_idx([0, 1]), w), {"padding_idx": 1}),
            Sample((Arr(np.array([0, 1], dtype="int32")), w)), Sample((A(rng, (2,), "float64", grad=False), w)),
            Sample((Arr(np.zeros((0,), dtype="int64")), w)),
            # a 0-d weight: RuntimeError, but IndexError when it requires grad or with a padding_idx
            Sample((_idx(0), A(rng, (), "float64", grad=False))), Sample((_idx(0), A(rng, (), "float64"))),
            Sample((_idx(0), A(rng, (), "float64", grad=False)), {"padding_idx": -1})]


def pool_gen(two_d: bool):
    def gen(rng):
        shape = (2, 3, 6, 5) if two_d else (2, 3, 7)
        out = []
        for dt in FLOATS:
            for args, kw in [((2,), {}), ((3,), {"stride": 1}), ((2,), {"padding": 1}), ((3,), {"ceil_mode": True}),
                             ((7,), {}), ((2,), {"padding": 2})]:
                out.append(Sample((A(rng, shape, dt),) + args, kw))
            out.append(Sample((A(rng, shape[1:], dt), 2)))
        out.append(Sample((A(rng, shape, "int64"), 2)))
        out.append(Sample((A(rng, (10,), "float64", special=True).data.reshape((1, 1, 10)) if False else
                           Arr(np.resize(np.array(SPECIALS), (1, 1, 2, 5) if two_d else (1, 1, 10)), True), 2)))
        return out
    return gen


def adaptive_gen(rng):
    return [Sample((A(rng, (2, 3, 7, 5), dt), size)) for dt in FLOATS for size in [(3, 2), 1, (7, 5), (None, 2)]] + \
        [Sample((A(rng, (3, 7, 5)), 2)), Sample((A(rng, (2, 3, 0, 5)), 2)),
         # 1 x 1 is the mean over the last two dims, whatever the rank (0-d and 1-d: IndexError)
         Sample((A(rng, (2, 3)), 1)), Sample((A(rng, ()), 1)), Sample((A(rng, (4,)), 1)), Sample((A(rng, (2, 3)), 2)),
         Sample((A(rng, (2, 3, 0, 5)), 1)), Sample((A(rng, (2, 3, 1, 5)), (None, 1))),
         Sample((A(rng, (2, 3, 4, 5)), (1, 1, 5)))]  # the length of output_size is checked first


def conv_gen(two_d: bool):
    def gen(rng):
        x = (2, 3, 6, 5) if two_d else (2, 3, 7)
        w = (4, 3, 3, 2) if two_d else (4, 3, 3)
        out = []
        for dt in FLOATS:
            for kw in ({}, {"stride": 2}, {"padding": 1}, {"dilation": 2}, {"padding": "same"}, {"padding": "valid"}):
                out.append(Sample((A(rng, x, dt), A(rng, w, dt), A(rng, (4,), dt)), kw))
            out.append(Sample((A(rng, x, dt), A(rng, w[:1] + (1,) + w[2:], dt)), {"groups": 3}))
            out.append(Sample((A(rng, x[1:], dt), A(rng, w, dt))))
            out.append(Sample((A(rng, x, dt), A(rng, (4, 2) + w[2:], dt))))
        out.append(Sample((A(rng, x, "float64"), A(rng, w, "float32"))))
        out.append(Sample((A(rng, x, "int64"), A(rng, w, "int64"))))
        # deviations: a nan weight over the padding; terms that cancel (1, -1e30 and 1e30)
        nan_weight = np.zeros(w, dtype="float32")
        nan_weight[(3, 2, 2, 1) if two_d else (3, 2, 2)] = np.nan
        out.append(Sample((A(rng, x, "float32", data=np.zeros(x)), Arr(nan_weight, False)), {"padding": 1}))
        cancelling = np.zeros(x, dtype="float32")
        cancelling[(0, 0, 3, 4) if two_d else (0, 0, 4)], cancelling[(0, 0, 5, 3) if two_d else (0, 0, 5)] = 1.0, -1e30
        cancelling[(0, 2, 3, 3) if two_d else (0, 2, 3)] = 1e30
        out.append(Sample((Arr(cancelling, False), A(rng, w, "float32", data=np.ones(w)))))
        return out
    return gen


def group_norm_gen(rng):
    out = []
    for dt in FLOATS:
        out += [Sample((A(rng, (2, 4, 3), dt), 2)), Sample((A(rng, (2, 4, 3), dt), 2, A(rng, (4,), dt), A(rng, (4,), dt))),
                Sample((A(rng, (2, 4, 3), dt), 3)), Sample((A(rng, (2, 4), dt), 4)),
                # one value per group, and a square that overflows: PyTorch's E[x^2] - E[x]^2 gives nan
                Sample((A(rng, (2, 4), dt, data=[[0, 0, 0, 0], [0, 0, 0, 1e30 if dt == "float32" else 1e300]]), 4))]
    return out


def interpolate_gen(rng):
    out = []
    for dt in FLOATS:
        for kw in ({"scale_factor": 2}, {"size": 5}, {"scale_factor": 2, "mode": "linear"},
                   {"size": 3, "mode": "linear", "align_corners": True}, {"size": 4, "mode": "nearest-exact"}):
            out.append(Sample((A(rng, (2, 3, 4), dt),), kw))
        out.append(Sample((A(rng, (1, 2, 3, 4), dt),), {"size": (5, 3), "mode": "bilinear"}))
    return out


def im2col_gen(rng):
    out = []
    for dt in FLOATS + ("bool", "int64"):
        out.append(Sample((A(rng, (2, 3, 5, 6), dt), 2)))
    for dt in FLOATS:
        out += [Sample((A(rng, (2, 3, 5, 6), dt), (2, 3)), {"dilation": 2, "padding": 1, "stride": (2, 1)}),
                Sample((A(rng, (3, 4, 4), dt), 3), {"padding": 2, "stride": 3}),
                Sample((A(rng, (1, 2, 3, 3), dt, special=True), 2), {"padding": 1}),
                Sample((A(rng, (0, 2, 3, 3), dt), 2)),
                Sample((A(rng, (1, 1, 3, 3), dt), 4)),
                Sample((A(rng, (3, 4), dt), 2))]
    return out


def col2im_gen(rng):
    out = []
    for dt in FLOATS + ("bool", "int64"):
        out.append(Sample((A(rng, (2, 12, 20), dt), (5, 6), 2)))
    for dt in FLOATS:
        out += [Sample((A(rng, (2, 18, 12), dt), (5, 6), (2, 3)), {"dilation": 2, "padding": 1, "stride": (2, 1)}),
                Sample((A(rng, (8, 9), dt), 5, 2), {"padding": 1, "stride": 2}),
                Sample((A(rng, (1, 4, 9), dt, special=True), 4, 2), {"stride": 1}),
                Sample((A(rng, (2, 13, 20), dt), (5, 6), 2)),
                Sample((A(rng, (2, 12, 7), dt), (5, 6), 2))]
    return out


def pixel_shuffle_gen(rng):
    out = [Sample((A(rng, (2, 8, 3, 2), dt), 2)) for dt in DTYPES]
    for dt in FLOATS:
        out += [Sample((A(rng, (9, 2, 2), dt), 3)), Sample((A(rng, (2, 3, 4, 1, 2), dt), 2)),
                Sample((A(rng, (1, 4, 2, 2), dt, special=True), 2)), Sample((A(rng, (0, 4, 1, 1), dt), 2)),
                Sample((A(rng, (5, 2, 2), dt), 2)), Sample((A(rng, (4, 2), dt), 2))]
    return out


def pixel_unshuffle_gen(rng):
    out = [Sample((A(rng, (2, 2, 4, 6), dt), 2)) for dt in DTYPES]
    for dt in FLOATS:
        out += [Sample((A(rng, (1, 6, 3), dt), 3)), Sample((A(rng, (2, 3, 1, 2, 4), dt), 2)),
                Sample((A(rng, (1, 1, 4, 2), dt, special=True), 2)), Sample((A(rng, (1, 3, 2), dt), 2))]
    return out


def instance_norm_gen(rng):
    out = []
    for dt in FLOATS:
        out += [Sample((A(rng, (2, 3, 4), dt),)), Sample((A(rng, (2, 3, 4, 2), dt),), {"eps": 0.1}),
                Sample((A(rng, (2, 3, 4), dt),), {"weight": A(rng, (3,), dt), "bias": A(rng, (3,), dt)}),
                Sample((A(rng, (2, 3, 4), dt, special=True),)),
                Sample((A(rng, (2, 3, 1), dt),)), Sample((A(rng, (2, 3, 4), dt),), {"use_input_stats": False})]
    out.append(Sample((A(rng, (2, 3, 4), "int64"),)))
    return out


def dropout_gen(rng):
    return [Sample((A(rng, s, dt),), kw) for dt in FLOATS for s in [(2, 3), ()]
            for kw in ({"training": False}, {"p": 0.0}, {"p": 1.5}, {"p": 0.5, "training": False})]


OPS += [
    # tinynn has the in-place forms only (PyTorch's out-of-place addcmul/addcdiv are not in tinynn)
    OpInfo("addcmul", "elementwise", addc_gen, func=None, method=None, inplace="addcmul_"),
    OpInfo("addcdiv", "elementwise", addc_gen, func=None, method=None, inplace="addcdiv_"),
    OpInfo("fill", "inplace", fill_gen, func=None, method=None, inplace="fill_"),
    OpInfo("zero", "inplace", zero_gen, func=None, method=None, inplace="zero_"),
    OpInfo("copy", "inplace", copy_gen, func=None, method=None, inplace="copy_"),
    OpInfo("expand_as", "shape", as_gen, func=None, inplace=None), OpInfo("view_as", "shape", as_gen, func=None),
    OpInfo("reshape_as", "shape", as_gen, func=None), OpInfo("type_as", "shape", as_gen, func=None),
    OpInfo("sum_to_size", "reduction", sum_to_size_gen, func=None),
    OpInfo("unfold", "shape", unfold_gen, func=None),
    OpInfo("pad", "nn", pad_gen, func=F + "pad", method=None),
    OpInfo("prelu", "nn", prelu_gen, func=F + "prelu", method=None),
    OpInfo("layer_norm", "nn", layer_norm_gen, func=F + "layer_norm", method=None),
    OpInfo("rms_norm", "nn", rms_norm_gen, func=F + "rms_norm", method=None),
    OpInfo("embedding", "nn", embedding_gen, func=F + "embedding", method=None),
    OpInfo("avg_pool1d", "nn", pool_gen(False), func=F + "avg_pool1d", method=None),
    OpInfo("max_pool1d", "nn", pool_gen(False), func=F + "max_pool1d", method=None),
    OpInfo("avg_pool2d", "nn", pool_gen(True), func=F + "avg_pool2d", method=None),
    OpInfo("max_pool2d", "nn", pool_gen(True), func=F + "max_pool2d", method=None),
    OpInfo("adaptive_avg_pool2d", "nn", adaptive_gen, func=F + "adaptive_avg_pool2d", method=None),
    OpInfo("conv1d", "nn", conv_gen(False), func=F + "conv1d", method=None),
    OpInfo("conv2d", "nn", conv_gen(True), func=F + "conv2d", method=None),
    OpInfo("group_norm", "nn", group_norm_gen, func=F + "group_norm", method=None),
    OpInfo("interpolate", "nn", interpolate_gen, func=F + "interpolate", method=None),
    OpInfo("F.unfold", "nn", im2col_gen, func=F + "unfold", method=None),
    OpInfo("F.fold", "nn", col2im_gen, func=F + "fold", method=None),
    OpInfo("instance_norm", "nn", instance_norm_gen, func=F + "instance_norm", method=None),
    OpInfo("pixel_shuffle", "nn", pixel_shuffle_gen, func=F + "pixel_shuffle", method=None),
    OpInfo("pixel_unshuffle", "nn", pixel_unshuffle_gen, func=F + "pixel_unshuffle", method=None),
    OpInfo("dropout", "nn", dropout_gen, func=F + "dropout", method=None, fixed_kwargs=("p", "training")),
]

OPS_BY_NAME = {op.name: op for op in OPS}
assert len(OPS_BY_NAME) == len(OPS), "op names must be unique"


def cases(families) -> list:
    """(op, form) pairs of the ops in ``families``, for ``pytest.mark.parametrize``."""
    return [(op, form) for op in OPS if op.family in families for form in op.forms]
