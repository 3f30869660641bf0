"""The small types a tensor's attributes return: ``Size`` (``x.shape``), ``device``
(``x.device``) and ``UntypedStorage`` (``x.untyped_storage()``)."""
from __future__ import annotations

import numpy as np


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``tinynn.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"tinynn.Size({list(self)})"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))

    # A slice, a concatenation or a repetition of a Size is a Size, as in PyTorch
    # (``x.shape[:2]`` prints as ``tinynn.Size([4, 2])``, not ``(4, 2)``).
    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other: tuple) -> Size:
        return Size(super().__add__(other))

    def __radd__(self, other: tuple) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, count: int) -> Size:
        return Size(super().__mul__(count))

    __rmul__ = __mul__


class UntypedStorage:
    """The block of memory a tensor and all its views look into (``x.untyped_storage()``).

    Two tensors share memory exactly when their storages have the same ``data_ptr()``.
    """

    def __init__(self, array: np.ndarray) -> None:
        self._array = array

    def data_ptr(self) -> int:
        """The address of the first byte."""
        return self._array.__array_interface__["data"][0]

    def nbytes(self) -> int:
        return int(self._array.nbytes)

    def size(self) -> int:
        """The size in bytes (an untyped storage counts bytes)."""
        return self.nbytes()

    def __len__(self) -> int:
        return self.nbytes()


class device:
    """Where a tensor lives. tinynn has only ``device("cpu")``.

    Raises:
        RuntimeError: for any other device, e.g. "cuda": tinynn runs on the CPU only.
    """

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:
        name = type.type if isinstance(type, device) else str(type)
        if name.split(":")[0] != "cpu":
            raise RuntimeError(
                f"tinynn runs on the CPU only; device '{name}' is not available "
                "(tinynn.cuda.is_available() is False). Keep tensors on 'cpu'."
            )
        self.type, self.index = "cpu", None

    def __eq__(self, other) -> bool:
        return str(other).split(":")[0] == "cpu" if isinstance(other, (str, device)) else False

    def __hash__(self) -> int:
        return hash("cpu")

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"


_CPU = device("cpu")
