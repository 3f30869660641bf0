"""``quiet_numpy``: ops return IEEE results without numpy warnings, and leave the user's
numpy error state alone, in every thread (tinynn/autograd/function.py)."""
from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

import tinynn
from tinynn.autograd.function import quiet_numpy


def _overflowing_ops() -> list:
    big = tinynn.tensor([3e38, -3e38, 0.0], dtype=tinynn.float32)
    inf = tinynn.tensor([float("inf"), 1.0, 0.0])
    return [big * 10, big + big, inf - inf, inf * 0, tinynn.ones(3) / tinynn.zeros(3)]


def test_binary_ops_warn_nothing_and_give_ieee_results():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        prod, total, diff, zero_inf, div = _overflowing_ops()
    assert np.isinf(prod.numpy()[:2]).all() and np.isinf(total.numpy()[:2]).all()
    assert np.isnan(diff.numpy()[0]) and np.isnan(zero_inf.numpy()[0])
    assert np.isinf(div.numpy()).all()


def test_the_users_numpy_error_state_is_untouched():
    before = np.geterr()
    _overflowing_ops()
    assert np.geterr() == before
    with pytest.warns(RuntimeWarning, match="overflow"):  # the user's own numpy still warns
        np.float32(3e38) * np.float32(10)
    with np.errstate(over="raise"):  # and a user's errstate still rules the user's code
        _overflowing_ops()
        with pytest.raises(FloatingPointError):
            np.float32(3e38) * np.float32(10)


def test_every_thread_gets_its_own_quiet_context():
    errors, results = [], []

    def work():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                for _ in range(200):
                    results.append(bool(np.isinf(quiet_numpy.run(np.multiply, np.float32(3e38),
                                                                 np.float32(10)))))
                    _overflowing_ops()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(results) == 800 and all(results)


def test_an_exception_inside_leaves_the_state_as_it_was():
    before = np.geterr()
    with pytest.raises(RuntimeError, match="must match the size"):
        tinynn.ones(2, 3) * tinynn.ones(4)
    assert np.geterr() == before
    assert quiet_numpy.run(np.multiply, 2.0, 3.0) == 6.0  # the context can be entered again
