"""The differential harness catches what it promises to catch.

Each test plants one kind of disagreement (a wrong dtype, value, shape, ``requires_grad`` or
gradient, a numpy exception, an exception from a line that is not a ``raise``, a numpy
warning, a missing method, an in-place op that rebinds) in a stand-in for a tinynn function,
and asserts that ``harness.check`` reports it, and that it reports nothing for the real,
agreeing op.
"""
from __future__ import annotations

import os
import pathlib
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

import tinynn
from deviations import DEVIATIONS
from harness import TINYNN_DIR, Arr, Sample, check, origin_problem

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # tests/: the page's rows
from test_deviations import table_rows  # noqa: E402

X = Arr(np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]]), grad=True)
Y = Arr(np.array([2.0, -1.0, 0.25]), grad=True)


def op(**kw):
    base = dict(name="probe", func="add", method="add", inplace="add_", operator=None, ioperator=None)
    return SimpleNamespace(**{**base, **kw})


def problems_with(monkeypatch, replacement, form="function", sample=Sample((X, Y))) -> list[str]:
    monkeypatch.setattr(tinynn, "add", replacement)
    return [p.what for p in check(op(), form, sample)]


def test_the_real_op_agrees():
    for form in ("function", "method", "inplace"):
        assert check(op(), form, Sample((X, Y))) == []


def test_wrong_dtype_value_shape_and_requires_grad_are_reported(monkeypatch):
    real = tinynn.add
    assert any("dtype" in p for p in problems_with(monkeypatch, lambda a, b: real(a, b).float()))
    assert any("values differ" in p for p in problems_with(monkeypatch, lambda a, b: real(a, b) * 1.0001))
    assert any("shape" in p for p in problems_with(monkeypatch, lambda a, b: real(a, b).reshape(-1)))
    assert any("requires_grad" in p for p in problems_with(monkeypatch, lambda a, b: real(a, b).detach()))


def test_a_wrong_gradient_is_reported(monkeypatch):
    real = tinynn.add
    found = problems_with(monkeypatch, lambda a, b: real(a, b.detach()) + (b - b.detach()) * 2)  # value a + b
    assert any("grad of input leaf 1" in p for p in found)


def test_an_exception_from_numpy_is_reported(monkeypatch):
    found = problems_with(monkeypatch, lambda a, b: np.broadcast_shapes((2,), (3,)))
    assert any("not from tinynn" in p for p in found)


def test_an_exception_from_a_non_raise_line_of_tinynn_is_reported():
    fake = os.path.join(TINYNN_DIR, "_not_a_real_module.py")
    try:
        exec(compile("x = (1,)[3]", fake, "exec"))
    except IndexError as e:
        assert "non-raise line" in origin_problem(e)


def test_a_raise_statement_in_tinynn_is_accepted():
    with pytest.raises(RuntimeError) as info:
        tinynn.zeros(2, 3).view(7)
    assert origin_problem(info.value) is None


def test_a_numpy_warning_is_reported(monkeypatch):
    real = tinynn.add

    def noisy(a, b):
        np.log(np.array([-1.0]))  # numpy: "invalid value encountered in log"
        return real(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("default")
        assert any("warns RuntimeWarning" in p for p in problems_with(monkeypatch, noisy))


def test_a_missing_method_is_reported():
    found = [p.what for p in check(op(inplace="no_such_method_"), "inplace", Sample((X, Y)))]
    assert any("tinynn lacks 'no_such_method_'" in p for p in found)


def test_an_augmented_assignment_that_rebinds_is_reported():
    def rebinding_iadd(a, b):
        return a + b if isinstance(a, tinynn.Tensor) else a.__iadd__(b)
    ints = Sample((Arr(np.array([1, 2], dtype=np.int64)), Arr(np.array([3, 4], dtype=np.int64))))
    found = [p.what for p in check(op(ioperator=rebinding_iadd), "ioperator", ints)]
    assert any("result is self" in p for p in found)


def test_accepting_what_torch_rejects_is_reported(monkeypatch):
    real = tinynn.add
    bad = Sample((X, Arr(np.array([1.0, 2.0]))))  # (2, 3) + (2,) does not broadcast
    found = problems_with(monkeypatch, lambda a, b: real(a, a), sample=bad)
    assert any("torch raises RuntimeError, tinynn returns" in p for p in found)


def test_every_deviation_names_a_row_of_the_deviations_page():
    rows = set(table_rows())
    assert [d.row for d in DEVIATIONS if d.row not in rows] == []


def test_a_documented_deviation_passes_only_while_tinynn_does_what_its_row_says(monkeypatch):
    ties = Arr(np.array([0.5, 1.0, 0.0, 2.0, 2.0]), grad=False)
    topk = op(name="topk", func="topk", method="topk", inplace=None)
    assert check(topk, "function", Sample((ties, 2))) == []  # torch [4, 3], tinynn [3, 4]: the row

    real_topk = tinynn.topk

    def wrong_indices(input, k):  # the right values, but indices that do not point at them
        values, indices = real_topk(input, k)
        return tinynn.return_types.topk(values, tinynn.zeros_like(indices))
    monkeypatch.setattr(tinynn, "topk", wrong_indices)
    found = [p.what for p in check(topk, "function", Sample((ties, 2)))]
    assert found == ["documented deviation 'Order of equal values in topk and sort' does not hold: "
                     "tinynn's indices do not point at its values"]


def test_a_documented_deviation_does_not_hide_another_disagreement(monkeypatch):
    ties = Arr(np.array([0.5, 1.0, 0.0, 2.0, 2.0]), grad=False)
    topk = op(name="topk", func="topk", method="topk", inplace=None)
    real_topk = tinynn.topk
    monkeypatch.setattr(tinynn, "topk", lambda input, k: tinynn.return_types.topk(
        real_topk(input, k)[0] + 1, real_topk(input, k)[1]))
    found = [p.what for p in check(topk, "function", Sample((ties, 2)))]
    assert "result[0]: values differ" in found
