"""``tinynn.cuda``: tinynn runs on the CPU only, so no CUDA device is ever available."""
from __future__ import annotations


def is_available() -> bool:
    """Always False: tinynn computes with numpy on the CPU."""
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Accepted and ignored (there is no CUDA generator), so seeding code runs unchanged."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored, like :func:`manual_seed`."""


def empty_cache() -> None:
    """Nothing to free: tinynn's memory is numpy's."""


def synchronize(device=None) -> None:
    """Nothing to wait for: every tinynn op has finished when it returns."""
