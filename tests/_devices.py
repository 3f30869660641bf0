"""Devices the PyTorch reference runs on, for tests that compare tinynn with PyTorch.

tinynn itself runs on the CPU (numpy). The PyTorch side of a comparison runs on ``cpu``
always and on ``cuda`` where a GPU is present; without one the CUDA case is *skipped*,
never failed.

Any test function that takes an argument named ``device`` is parametrised over
:data:`DEVICES` automatically (see ``pytest_generate_tests`` in ``tests/conftest.py``).
Use ``DEVICES`` directly only where you need it in an explicit ``parametrize``::

    from _devices import DEVICES

    @pytest.mark.parametrize("device", DEVICES)
    def test_something(device): ...
"""

from __future__ import annotations

import pytest
import torch

CUDA_AVAILABLE: bool = torch.cuda.is_available()

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=[
            pytest.mark.cuda,
            pytest.mark.skipif(not CUDA_AVAILABLE, reason="no CUDA device"),
        ],
    ),
]
