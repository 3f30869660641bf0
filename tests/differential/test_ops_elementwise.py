"""Differential tests against PyTorch 2.13: elementwise and unary ops (tinynn/_functions/elementwise.py, unary.py, activations).

Every (op, form) pair of these families in ``opinfo.OPS`` runs all its sample inputs under
both libraries (see ``harness.check``); the failure message lists each disagreeing case with
the op, the form, the inputs (dtype, shape, values) and both results. The families are split
over four files so ``pytest -n 2 --dist loadfile`` shares them between workers.
"""
from __future__ import annotations

import pytest

from harness import run_op_form
from opinfo import cases

FAMILIES = ('elementwise', 'unary')


@pytest.mark.parametrize("op,form", cases(FAMILIES), ids=lambda v: getattr(v, "name", v))
def test_op_agrees_with_torch(op, form):
    failures = run_op_form(op, form, op.samples_for(form))
    if failures:
        pytest.fail(f"{len(failures)} case(s) disagree with PyTorch:\n" + "\n".join(failures), pytrace=False)
