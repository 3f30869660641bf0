"""Reference solutions to the exercise notebooks, one module per notebook.

They are here for after you have tried: each function has the same name and signature as
the stub in the notebook, and passes its check. CI runs every check on them
(tests/test_exercise_checks.py).
"""
