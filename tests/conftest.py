"""Shared pytest configuration for the tinynn test suite.

- Registers the ``browser`` and ``cuda`` markers.
- Parametrises every test that takes a ``device`` argument over ``cpu`` and ``cuda``
  (the CUDA case is skipped, not failed, where no GPU is present).
- Turns TF32 off for the whole session where CUDA is available, so float32 matmuls and
  convolutions on the GPU are real float32 and the stated tolerances mean what they say.
- Makes hypothesis draw the same cases in every run, on every machine, whatever else the
  run does (see ``_same_hypothesis_draws_everywhere`` below).
- Keeps ``tests/browser`` (which needs a built book and Chromium) out of the main run: it
  is collected only when asked for explicitly, e.g. ``pytest tests/browser``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from hypothesis import settings
from hypothesis.internal.conjecture import providers as hypothesis_providers
from hypothesis.internal.constants_ast import Constants

try:  # `python -m pytest` from the repo root puts the root on sys.path
    from tests._devices import CUDA_AVAILABLE, DEVICES
except ImportError:  # plain `pytest`: rootdir-relative import of tests/ modules
    from _devices import CUDA_AVAILABLE, DEVICES

__all__ = ["DEVICES", "CUDA_AVAILABLE"]

BROWSER_DIR = (Path(__file__).parent / "browser").resolve()


def _same_hypothesis_draws_everywhere() -> None:
    """Every hypothesis test draws a fixed sequence of cases, set by its own source only.

    Two things would make the draws change from run to run. (1) Without ``derandomize``,
    hypothesis seeds each test at random: the profile loaded here turns it on (and off the
    example database, so no earlier failure is replayed) for every test. (2) Even then,
    hypothesis mixes into its draws the literal constants of every *local* module loaded in
    the process (it scans ``sys.modules``: tinynn's modules, the exercises...). Which ones
    are loaded depends on which test files ran earlier in the same worker, so ``pytest
    tests`` and ``pytest tests/differential`` drew different random differential cases, and
    with ``-n 2 --dist loadfile`` the draws would depend on how files were shared out. We
    give hypothesis a fixed, empty pool of local constants (its own global pool of special
    values, nan, inf, -0.0, huge and tiny numbers, stays). This replaces a private function
    of hypothesis, pinned in requirements.txt; ``tests/differential/test_random.py``
    checks that the draws do not change when a module is imported.
    """
    settings.register_profile("tinynn", derandomize=True, database=None)
    settings.load_profile("tinynn")
    no_local_constants = Constants()
    hypothesis_providers._get_local_constants = lambda: no_local_constants


_same_hypothesis_draws_everywhere()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives headless Chromium over the built book (run after the book build)",
    )
    config.addinivalue_line("markers", "cuda: needs a CUDA device; skipped where none is present")
    if CUDA_AVAILABLE:
        # TF32 would silently round float32 matmul/conv inputs to 10 mantissa bits.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


def _asked_for_browser_tests(config: pytest.Config) -> bool:
    """True when a command-line path points at or inside tests/browser."""
    for arg in config.args:
        path = Path(str(arg).split("::", 1)[0]).resolve()
        if path == BROWSER_DIR or BROWSER_DIR in path.parents:
            return True
    return False


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if Path(collection_path).resolve() == BROWSER_DIR and not _asked_for_browser_tests(config):
        return True
    return None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise any test with a ``device`` argument over DEVICES, unless it does so itself."""
    if "device" not in metafunc.fixturenames:
        return
    for marker in metafunc.definition.iter_markers("parametrize"):
        argnames = marker.args[0] if marker.args else marker.kwargs.get("argnames", ())
        if isinstance(argnames, str):
            argnames = [name.strip() for name in argnames.split(",")]
        if "device" in argnames:
            return
    metafunc.parametrize("device", DEVICES)
