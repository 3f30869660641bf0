"""The exercise checks are real: they pass the reference solutions, and fail, saying why,
on the blank stubs and on a catalogue of deliberately wrong answers.

- exercises/solutions/exNN_*.py: every check passes.
- the stubs in the notebooks themselves (each raises NotImplementedError): every check fails
  with "not done yet", and the stored output of every check cell says so.
- exercises/wrong_answers/exNN_*.py: each wrong answer fails its check in the category its
  catalogue names ("wrong shape", "wrong value", "wrong gradient", "raised", ...).
- answers that return nonsense or raise never crash a check and never pass.
"""
from __future__ import annotations

import importlib
import inspect
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pytest

EXERCISES = Path(__file__).resolve().parent.parent / "exercises"
if str(EXERCISES) not in sys.path:
    sys.path.insert(0, str(EXERCISES))

import checks  # noqa: E402  (exercises/checks/, importable once exercises/ is on the path)

# Every exercise notebook, found by name: a new chapter's exercises are checked without editing this file.
NOTEBOOKS = sorted(path.stem for path in EXERCISES.glob("ex[0-9][0-9]_*.ipynb"))
CHECK_CELL = re.compile(r"^check_(\w+)\((\w+)\)$")


def _cells(notebook: str) -> list:
    return json.loads((EXERCISES / f"{notebook}.ipynb").read_text())["cells"]


def _source(cell) -> str:
    return "".join(cell["source"]).strip()


def _exercise_names(notebook: str) -> list:
    """The exercises of a notebook, from its check cells `check_<name>(<name>)`, in order."""
    names = []
    for cell in _cells(notebook):
        match = CHECK_CELL.match(_source(cell)) if cell["cell_type"] == "code" else None
        if match:
            assert match.group(1) == match.group(2), _source(cell)
            names.append(match.group(1))
    return names


def _stubs(notebook: str) -> dict:
    """The stub functions, defined by running the notebook's stub cells (numpy only)."""
    namespace: dict = {"np": np}
    for cell in _cells(notebook):
        if cell["cell_type"] == "code" and "raise NotImplementedError" in _source(cell):
            exec(compile(_source(cell), f"<{notebook} stub>", "exec"), namespace)
    return namespace


EXERCISE_LIST = [(nb, name) for nb in NOTEBOOKS for name in _exercise_names(nb)]
EXERCISE_IDS = [name for _, name in EXERCISE_LIST]
WRONG = [(nb, fn_name, *entry) for nb in NOTEBOOKS
         for fn_name, entry in importlib.import_module(f"wrong_answers.{nb}").WRONG_ANSWERS.items()]


def _check(name: str):
    return getattr(checks, f"check_{name}")


def _solution(notebook: str, name: str):
    return getattr(importlib.import_module(f"solutions.{notebook}"), name)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_each_notebook_has_4_to_8_exercises_with_a_solution_each(notebook):
    names = _exercise_names(notebook)
    assert 4 <= len(names) <= 8, names
    module = importlib.import_module(f"solutions.{notebook}")
    public = [n for n, f in vars(module).items() if inspect.isfunction(f)
              and f.__module__ == module.__name__ and not n.startswith("_")]
    assert sorted(public) == sorted(names)


@pytest.mark.parametrize("notebook, name", EXERCISE_LIST, ids=EXERCISE_IDS)
def test_reference_solution_passes(notebook, name):
    # Once per process, the libraries start up (the first torch.optim optimizer: 1.7 s, more
    # on a busy machine); a learner pays it once, not per check cell, so it is not timed.
    checks.core._warm_up_libraries()
    start = time.perf_counter()
    result = _check(name)(_solution(notebook, name), verbose=False)
    seconds = time.perf_counter() - start  # a learner waits for the check cell
    assert seconds < 10, f"check_{name} took {seconds:.1f} s on the reference solution"
    assert result.passed, str(result)
    assert result.category == "pass"
    assert result.message == f"✅ PASS {name}"


@pytest.mark.parametrize("notebook, name", EXERCISE_LIST, ids=EXERCISE_IDS)
def test_blank_stub_from_the_notebook_fails_with_not_done_yet(notebook, name):
    stub = _stubs(notebook)[name]
    result = _check(name)(stub, verbose=False)
    assert not result.passed
    assert result.category == "not done yet"
    assert result.message.startswith(f"❌ FAIL {name}: not done yet")


@pytest.mark.parametrize("notebook, name", EXERCISE_LIST, ids=EXERCISE_IDS)
def test_stub_and_solution_have_the_same_signature(notebook, name):
    stub = _stubs(notebook)[name]
    assert inspect.signature(stub) == inspect.signature(_solution(notebook, name))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_stored_output_of_every_check_cell_is_not_done_yet(notebook):
    cells = _cells(notebook)
    checked = 0
    for cell in cells:
        match = CHECK_CELL.match(_source(cell)) if cell["cell_type"] == "code" else None
        if match:
            text = "".join("".join(o.get("text", "")) for o in cell["outputs"])
            assert text.startswith(f"❌ FAIL {match.group(1)}: not done yet"), text
            checked += 1
    assert checked == len(_exercise_names(notebook))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_stub_is_followed_by_a_hidden_hint_and_its_check(notebook):
    cells = _cells(notebook)
    stubs = [i for i, c in enumerate(cells)
             if c["cell_type"] == "code" and "raise NotImplementedError" in _source(c)]
    assert len(stubs) == len(_exercise_names(notebook))
    for i in stubs:
        hint, check = cells[i + 1], cells[i + 2]
        assert hint["cell_type"] == "markdown"
        if _source(hint).startswith("<details>"):  # folded in the book and in JupyterLab
            assert _source(hint).startswith("<details>\n<summary>Hint (click to show)"
                                            "</summary>\n\n")
            assert _source(hint).endswith("\n\n</details>")
        else:  # a MyST dropdown, hidden as a cell in Jupyter
            assert _source(hint).startswith("````{admonition} Hint\n:class: dropdown")
            assert hint["metadata"].get("jupyter", {}).get("source_hidden") is True
        name = re.search(r"def (\w+)\(", _source(cells[i])).group(1)
        assert _source(check) == f"check_{name}({name})"


@pytest.mark.parametrize("notebook, fn_name, exercise, category, why", WRONG,
                         ids=[w[1] for w in WRONG])
def test_wrong_answer_fails_and_says_why(notebook, fn_name, exercise, category, why,
                                         monkeypatch):
    wrong = getattr(importlib.import_module(f"wrong_answers.{notebook}"), fn_name)
    if category == "timed out":  # the same machinery, a shorter wait
        monkeypatch.setattr(checks.core, "TIME_LIMIT_S", 1.0)
    result = _check(exercise)(wrong, verbose=False)
    assert not result.passed, f"{fn_name} ({why}) passed the check"
    assert result.category == category, str(result)
    assert result.message.startswith(f"❌ FAIL {exercise}: {category}: ")
    assert result.case is not None and result.details[0] == f"case: {result.case}"


def test_every_exercise_has_at_least_one_wrong_answer():
    covered = {w[2] for w in WRONG}
    assert covered == set(EXERCISE_IDS)
    assert all(w[1].startswith(w[2] + "__") for w in WRONG)


def test_the_catalogue_covers_every_kind_of_mistake():
    assert {w[3] for w in WRONG} >= {"wrong shape", "wrong dtype", "wrong value", "wrong gradient",
                                     "raised", "wrong type", "wrong order", "did not raise"}


def _returns(value):
    def answer(*args):
        return value
    return answer


def _raises_zero_division(*args):
    return 1 / 0


BROKEN = {
    "returns None": _returns(None),
    "returns a string": _returns("not an array"),
    "returns an object": _returns(object()),
    "returns a tuple of the wrong length": _returns((np.zeros(2),) * 5),
    "returns a ragged list": _returns([np.zeros(2), np.zeros(3)]),
    "raises ZeroDivisionError": _raises_zero_division,
}


@pytest.mark.parametrize("broken", BROKEN, ids=list(BROKEN))
@pytest.mark.parametrize("notebook, name", EXERCISE_LIST, ids=EXERCISE_IDS)
def test_a_broken_answer_is_reported_not_crashed_and_never_passes(notebook, name, broken):
    result = _check(name)(BROKEN[broken], verbose=False)
    assert not result.passed
    assert result.category in checks.CATEGORIES and result.category not in ("pass", "not done yet")
    if broken == "raises ZeroDivisionError":
        assert result.category == "raised"
        assert "ZeroDivisionError: division by zero" in result.message


@pytest.mark.parametrize("name", ["softmax", "mul_backward", "topo_sort"])
def test_something_that_is_not_a_function_is_reported(name):
    result = _check(name)(None, verbose=False)
    assert not result.passed and result.category == "wrong type"


def test_an_exception_names_the_line_in_the_learners_function():
    from wrong_answers.ex01_tensors import softmax__torch_keyword

    result = checks.check_softmax(softmax__torch_keyword, verbose=False)
    assert result.message == ("❌ FAIL softmax: raised: TypeError: sum() got an unexpected keyword "
                              "argument 'keepdim'")
    where = [line for line in result.details if line.startswith("in softmax__torch_keyword, line ")]
    assert len(where) == 1 and where[0].endswith("return e / np.sum(e, axis=dim, keepdim=True)")
    assert "/" not in where[0].split(":")[0]  # a line number, not a file path


def test_not_done_yet_in_a_called_helper_says_where():
    def helper(shape):
        raise NotImplementedError

    def strides_of(shape, permutation):
        return helper(shape)

    result = checks.check_strides_of(strides_of, verbose=False)
    assert result.category == "not done yet"
    assert any(line.startswith("It was raised in helper, line ") for line in result.details)


def test_a_learner_writing_into_an_input_fails_naming_it():
    def softmax(x, dim):  # right values, computed in place in x
        x -= np.max(x, axis=dim, keepdims=True)
        np.exp(x, out=x)
        x /= np.sum(x, axis=dim, keepdims=True)
        return x

    result = checks.check_softmax(softmax, verbose=False)
    assert result.category == "changed an input"
    assert result.message == "❌ FAIL softmax: changed an input: your function wrote into x"


def test_the_check_prints_one_headline_then_indented_details(capsys):
    from wrong_answers.ex04_cnn import col2im__overwrites

    result = checks.check_col2im(col2im__overwrites)
    lines = capsys.readouterr().out.rstrip("\n").split("\n")
    assert lines[0] == result.message == "❌ FAIL col2im: wrong value: x differs from PyTorch's"
    assert all(line.startswith("    ") for line in lines[1:]) and len(lines) > 2
    assert "first at index" in "\n".join(lines)  # where, what it got, what it should be


def test_an_overflow_is_named_as_such():
    from wrong_answers.ex01_tensors import softmax__unstable

    result = checks.check_softmax(softmax__unstable, verbose=False)
    assert result.case == "logits as large as 1e4 (float32)"
    assert any("inf or nan where PyTorch's are finite" in line for line in result.details)


def test_the_check_result_shows_nothing_extra_in_a_notebook():
    result = checks.check_softmax(_solution("ex01_tensors", "softmax"), verbose=False)
    assert result._ipython_display_() is None  # the printed report is the whole output
    assert repr(result) == "CheckResult('softmax', passed=True, category='pass')"


# ----------------------------------------------------------------------------- issue 21

from checks import core  # noqa: E402


def test_an_endless_loop_is_stopped_and_the_case_named(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)

    def softmax(x, dim):
        while True:
            try:
                while True:
                    pass
            except BaseException:  # even a bare except cannot keep the check waiting
                pass

    start = time.perf_counter()
    result = checks.check_softmax(softmax, verbose=False)
    assert time.perf_counter() - start < 5
    assert result.category == "timed out"
    assert result.message == ("❌ FAIL softmax: timed out: no result after 1 s on case "
                              "'2-d, over the last dimension' (an endless loop?)")
    assert checks.check_softmax(_solution("ex01_tensors", "softmax"), verbose=False).passed


class _Unreadable:
    def __repr__(self):
        raise RuntimeError("no repr")

    __str__ = __repr__


def test_an_unprintable_result_or_exception_is_reported_not_crashed():
    result = checks.check_softmax(lambda x, dim: _Unreadable(), verbose=False)
    assert result.category == "wrong type" and "_Unreadable" in result.message

    class Bad(Exception):
        def __str__(self):
            raise ValueError

    def raises(x, dim):
        raise Bad()

    result = checks.check_softmax(raises, verbose=False)
    assert result.message == "❌ FAIL softmax: raised: Bad: <its str() raised ValueError>"


def test_numpy_only_names_the_library_function_and_spares_the_solutions():
    def softmax(x, dim):
        import torch
        return torch.softmax(torch.from_numpy(x), dim).numpy()

    result = checks.check_softmax(softmax, verbose=False)
    assert result.message == ("❌ FAIL softmax: used the library: right values, but computed "
                              "by torch.softmax: build it from numpy")


def test_a_tip_is_printed_only_for_the_failure_it_is_about():
    case = core.Case("logits of 1e4", (np.ones(3),), reference=lambda x: x.copy(),
                     tip="subtract the maximum")
    as_float32 = core.run_check("f", lambda x: x.astype(np.float32), [case],
                                [core.Output("y")], ["x"], verbose=False)
    assert as_float32.category == "wrong dtype"
    assert not any(line.startswith("tip:") for line in as_float32.details)
    doubled = core.run_check("f", lambda x: 2 * x, [case], [core.Output("y")], ["x"],
                             verbose=False)
    assert doubled.category == "wrong value" and "tip: subtract the maximum" in doubled.details


def test_a_failing_case_prints_inputs_that_rebuild_it():
    from wrong_answers.ex01_tensors import softmax__clamps

    result = checks.check_softmax(softmax__clamps, verbose=False)
    assert result.case.startswith("large logits close together")
    code = "\n".join(line.strip() for line in result.details[1:] if line.startswith("  "))
    namespace = {"np": np}
    exec(code, namespace)  # x = np.array([...], dtype=np.float32) / dim = -1
    from solutions.ex01_tensors import softmax
    clamped = softmax__clamps(namespace["x"], namespace["dim"])
    assert not np.allclose(clamped, softmax(namespace["x"], namespace["dim"]))


def test_a_seeded_input_is_printed_as_the_code_that_makes_it():
    x = core.randn(7, (30, 4), np.float32, 2.0)
    code = core.describe(x)
    assert code == ("(np.random.default_rng(7).standard_normal((30, 4)) * 2.0)"
                    ".astype(np.float32)")
    np.testing.assert_array_equal(eval(code, {"np": np}), x)


def test_the_expected_answer_is_not_on_any_stack_during_the_call():
    from wrong_answers.ex01_tensors import softmax__reads_the_answer

    result = checks.check_softmax(softmax__reads_the_answer, verbose=False)
    assert result.category == "wrong type" and "None" in result.message


def test_the_learners_code_runs_on_one_thread_and_the_setting_is_restored():
    import torch
    from threadpoolctl import threadpool_info

    seen = []

    def double(x):
        seen.append((torch.get_num_threads(),
                     {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}))
        return (torch.from_numpy(x) * 2).numpy()

    case = core.Case("a vector", (np.arange(3.0),), reference=lambda x: 2 * x)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        assert core.run_check("double", double, [case], [core.Output("y")], ["x"],
                              verbose=False).passed
        assert torch.get_num_threads() == 2  # the caller's setting, back
    finally:
        torch.set_num_threads(before)
    assert seen and all(threads == 1 and blas <= {1} for threads, blas in seen)


def test_a_library_call_past_the_time_limit_is_reported_as_library_use(monkeypatch):
    monkeypatch.setattr(core, "TIME_LIMIT_S", 1.0)

    def softmax(x, dim):
        import torch
        out = torch.softmax(torch.from_numpy(x), dim)
        while True:  # slow, as the library is under the check's watch
            out = out + 0
        return out.numpy()

    result = checks.check_softmax(softmax, verbose=False)
    assert result.category == "used the library"
    assert "torch.softmax" in result.message and "no result after 1 s" in result.message


def test_a_check_leaves_the_learners_random_state_as_it_was():
    import torch

    import tinynn

    def draws():
        return (torch.rand(3).tolist(), tinynn.rand(3).tolist(), np.random.rand(3).tolist())

    for seed in (torch.manual_seed, tinynn.manual_seed, np.random.seed):
        seed(7)
    expected = draws()
    for seed in (torch.manual_seed, tinynn.manual_seed, np.random.seed):
        seed(7)
    # builds torch and tinynn models (their initial weights come from the global generators)
    assert checks.check_make_mlp(_solution("ex03_modules_optim", "make_mlp"),
                                 verbose=False).passed
    assert draws() == expected
