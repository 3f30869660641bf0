"""Random numbers: one global numpy ``Generator``, seeded by ``tinynn.manual_seed``.

The API matches PyTorch's (``manual_seed``, ``Generator``), the streams do not: the same
seed gives different numbers in tinynn and PyTorch. That is why comparisons copy weights
and inputs across instead of re-seeding.
"""
from __future__ import annotations

import numpy as np


class Generator:
    """A random number generator with its own state (``torch.Generator``)."""

    def __init__(self, device: str = "cpu") -> None:
        self._rng = np.random.default_rng()
        self._seed = None

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self._rng = np.random.default_rng(int(seed))
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        return self._rng.bit_generator.state

    def set_state(self, state) -> None:
        self._rng.bit_generator.state = state


default_generator = Generator().manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Seed tinynn's global generator (used by rand, randn, init, dropout, shuffling)."""
    return default_generator.manual_seed(seed)


seed = manual_seed


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state) -> None:
    default_generator.set_state(state)


def _generator(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng
