"""Shared pytest configuration for the tinynn test suite.

- Registers the ``browser`` and ``cuda`` markers.
- Parametrises every test that takes a ``device`` argument over ``cpu`` and ``cuda``
  (the CUDA case is skipped, not failed, where no GPU is present).
- Turns TF32 off for the whole session where CUDA is available, so float32 matmuls and
  convolutions on the GPU are real float32 and the stated tolerances mean what they say.
- Keeps ``tests/browser`` (which needs a built book and Chromium) out of the main run: it
  is collected only when asked for explicitly, e.g. ``pytest tests/browser``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

try:  # `python -m pytest` from the repo root puts the root on sys.path
    from tests._devices import CUDA_AVAILABLE, DEVICES
except ImportError:  # plain `pytest`: rootdir-relative import of tests/ modules
    from _devices import CUDA_AVAILABLE, DEVICES

__all__ = ["DEVICES", "CUDA_AVAILABLE"]

BROWSER_DIR = (Path(__file__).parent / "browser").resolve()


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
