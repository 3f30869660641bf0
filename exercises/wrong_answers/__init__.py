"""Deliberately wrong answers, to prove that the checks catch real mistakes.

One module per exercise notebook. Each module's ``WRONG_ANSWERS`` maps a function name to
``(exercise, category, what is wrong)``: the check for ``exercise`` must fail on it and
report ``category`` (tests/test_exercise_checks.py runs them all). Names are
``<exercise>__<mistake>``.
"""
