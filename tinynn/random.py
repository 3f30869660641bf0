"""Random numbers: one global numpy ``Generator``, seeded by ``tinynn.manual_seed``.

The API matches PyTorch's (``manual_seed``, ``seed``, ``Generator``, ``get_rng_state``), the
streams do not: the same seed gives different numbers in tinynn and PyTorch. That is why
comparisons copy weights and inputs across instead of re-seeding.

A generator's state is numpy's bit-generator state (a dict), where PyTorch's ``get_state``
returns a ``ByteTensor``: this module sits below the Tensor class (``_tensor`` draws from it),
so it hands out no tensors (the Deviations page, "Random numbers").
"""
from __future__ import annotations

import numpy as np

from ._types import device as _device

DEFAULT_SEED = 67280421310721  # PyTorch's seed for a generator that was never seeded
_SEED_MIN, _SEED_MAX = -2 ** 63, 2 ** 64 - 1  # a long long, or an unsigned one


def _check_seed(seed: int) -> int:
    """The seed as an unsigned 64-bit value (a negative one wraps around, as in PyTorch).

    Raises:
        TypeError: for a numpy integer (PyTorch's "an integer is required").
        RuntimeError: if ``seed`` is not an ``int`` (a bool, float, str or tensor).
        ValueError: if it lies outside ``[-2**63, 2**64 - 1]``.
    """
    if isinstance(seed, np.integer):
        raise TypeError("an integer is required")
    if type(seed) is not int:
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if not _SEED_MIN <= seed <= _SEED_MAX:
        raise ValueError("Overflow when unpacking long long")
    return seed % 2 ** 64


class Generator:
    """A random number generator with its own state (``torch.Generator``).

    Raises:
        RuntimeError: for a device string that names no device type.
    """

    def __init__(self, device: str = "cpu") -> None:
        self.device = _device(device)  # the same parsing (and errors) as a tensor's device
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns the generator itself.

        Raises:
            RuntimeError: if ``seed`` is not an ``int``.
            ValueError: if it lies outside ``[-2**63, 2**64 - 1]``.
        """
        self._seed = _check_seed(seed)
        self._rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Seed from a fresh non-deterministic number and return it."""
        value = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(value)
        return value

    def initial_seed(self) -> int:
        """The seed the current stream started from."""
        return self._seed

    def get_state(self) -> dict:
        """The whole state (numpy's bit-generator state, a dict, with the initial seed): give
        it to :meth:`set_state`. PyTorch's is a ``uint8`` tensor (the Deviations page)."""
        return {"initial_seed": self._seed, "bit_generator": self._rng.bit_generator.state}

    def set_state(self, new_state: dict) -> Generator:
        """Restore a state from :meth:`get_state`; returns the generator itself.

        Raises:
            TypeError: if ``new_state`` is not a state from :meth:`get_state`.
        """
        if not isinstance(new_state, dict) or set(new_state) != {"initial_seed", "bit_generator"}:
            raise TypeError(f"expected a state from Generator.get_state(), but got {type(new_state).__name__}")
        rng = np.random.default_rng()
        rng.bit_generator.state = new_state["bit_generator"]
        self._seed, self._rng = new_state["initial_seed"], rng
        return self


default_generator = Generator().manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Seed tinynn's global generator (used by rand, randn, init, dropout, shuffling).

    Like ``torch.manual_seed``, anything ``int()`` accepts will do (``1.5``, ``"3"``); the
    generator is returned.

    Raises:
        ValueError: if ``int(seed)`` fails, or lies outside ``[-2**63, 2**64 - 1]``.
        TypeError: if ``seed`` cannot be converted with ``int()`` at all (e.g. ``None``).
    """
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the global generator from a non-deterministic number, and return that number."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator's stream started from."""
    return default_generator.initial_seed()


def get_rng_state() -> dict:
    """The global generator's state (see :meth:`Generator.get_state`)."""
    return default_generator.get_state()


def set_rng_state(new_state: dict) -> None:
    """Restore the global generator's state from :func:`get_rng_state`.

    Raises:
        TypeError: if ``new_state`` is not a state from :func:`get_rng_state`.
    """
    default_generator.set_state(new_state)


def _generator(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng
