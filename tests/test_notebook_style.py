"""Every notebook reads without a horizontal scrollbar and carries nothing of the machine that
executed it.

The rendered book shows code cells and printed output in boxes about 88 characters wide: a
longer line is clipped behind a scrollbar, hiding the numbers that carry the argument. A
stored path or user name would differ on a reader's machine (and break nbval there).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted([*ROOT.glob("book/*.ipynb"), *ROOT.glob("exercises/ex*.ipynb")])
MAX_LINE = 88
MACHINE_PATH = re.compile(r"(/root/|/home/|/Users/|/work/|site-packages)")


def _ids(paths):
    return [str(path.relative_to(ROOT)) for path in paths]


def _code_cells(path: Path) -> list:
    cells = json.loads(path.read_text())["cells"]
    return [(index, cell) for index, cell in enumerate(cells) if cell["cell_type"] == "code"]


def _printed_text(cell) -> str:
    """What a reader sees printed under a code cell: streams and plain-text results."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        elif output["output_type"] in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/plain" in data and not any(k.startswith("image/") for k in data):
                parts.append("".join(data["text/plain"]))
    return "".join(parts)


def _long_lines(text: str) -> list:
    return [line for line in text.splitlines() if len(line) > MAX_LINE]


def test_every_chapter_and_exercise_notebook_is_found():
    assert len(NOTEBOOKS) >= 9, _ids(NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_code_lines_fit_the_page(path):
    too_long = [f"cell {index}: {line!r}" for index, cell in _code_cells(path)
                for line in _long_lines("".join(cell["source"]))]
    assert not too_long, (f"{len(too_long)} code line(s) longer than {MAX_LINE} characters "
                          "(wrap them):\n" + "\n".join(too_long))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_printed_lines_fit_the_page(path):
    too_long = [f"cell {index}: {line!r}" for index, cell in _code_cells(path)
                for line in _long_lines(_printed_text(cell))]
    assert not too_long, (f"{len(too_long)} printed line(s) longer than {MAX_LINE} characters "
                          "(print a header once, shorten labels, or wrap):\n"
                          + "\n".join(too_long))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_every_code_cell_was_executed_and_nothing_of_the_machine_is_stored(path):
    for index, cell in _code_cells(path):
        if "".join(cell["source"]).strip():
            assert cell.get("execution_count") is not None, f"cell {index} was never executed"
        stored = json.dumps(cell.get("outputs", []))
        leak = MACHINE_PATH.search(stored)
        assert leak is None, f"cell {index} stores a machine path ({leak.group(0)!r})"
