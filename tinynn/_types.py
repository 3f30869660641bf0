"""The small types a tensor's attributes return: ``Size`` (``x.shape``), ``device``
(``x.device``), ``UntypedStorage`` (``x.untyped_storage()``), ``layout`` (``x.layout``) and
``memory_format`` (the order in which ``clone``, ``contiguous`` and the ``*_like`` functions
lay out elements in memory)."""
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


class layout:
    """How a tensor's elements are stored: tinynn has only ``tinynn.strided`` (dense, with
    strides), PyTorch's default layout (its others are sparse)."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"tinynn.{self._name}"


strided = layout("strided")


class memory_format:
    """The order of a new tensor's elements in memory (``clone(memory_format=...)``):

    * ``contiguous_format``: row-major (C order);
    * ``preserve_format``: the order of the tensor copied (a transposed tensor gives a
      transposed copy), where its elements fill their memory without gaps or overlap, else
      the order of its strides (what ``np.empty_like(order="K")`` does);
    * ``channels_last`` (4-d) and ``channels_last_3d`` (5-d): dim 1, the channels, varies
      fastest (the strides of an (N, H, W, C) array, for sizes (N, C, H, W)).
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"tinynn.{self._name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

_CHANNELS_LAST_RANK = {channels_last: 4, channels_last_3d: 5}


def check_memory_format(name: str, format) -> None:
    """Raises: TypeError for anything but a ``memory_format`` (``name`` is the function's)."""
    if not isinstance(format, memory_format):
        raise TypeError(f"{name}(): argument 'memory_format' must be tinynn.memory_format, "
                        f"not {type(format).__name__}")


def in_memory_format(array: np.ndarray, format: memory_format, *, copy: bool = True,
                     dtype=None, name: str = "clone") -> np.ndarray:
    """A new array with ``array``'s shape laid out in ``format`` (see ``memory_format``):
    a copy of its values, or (``copy=False``) uninitialised, in ``dtype`` (default: its own).

    Raises:
        TypeError: if ``format`` is not a memory_format (``name``: the function called).
        RuntimeError: for ``channels_last`` of an array that is not 4-d (5-d for
            ``channels_last_3d``), with PyTorch's message.
    """
    check_memory_format(name, format)
    dtype = array.dtype if dtype is None else dtype
    rank = _CHANNELS_LAST_RANK.get(format)
    if rank is not None:
        if array.ndim != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {format._name} format")
        moved = np.moveaxis(array, 1, -1)  # (N, ..., C): C order of this is channels-last
        out = np.empty(moved.shape, dtype=dtype)
        if copy:
            out[...] = moved
        return np.moveaxis(out, -1, 1)
    order = "C"  # contiguous_format
    if format is preserve_format and all(stride > 0 for stride, size in zip(array.strides, array.shape) if size > 1):
        order = "K"  # (an expanded array, with 0 strides, is copied in C order, as in PyTorch)
    if copy:
        return np.array(array, dtype=dtype, order=order, copy=True)
    return np.empty_like(array, dtype=dtype, order=order)


def memory_order(ndim: int, format: memory_format) -> tuple | None:
    """The dims of an ``ndim``-d tensor from slowest to fastest in memory in ``format``:
    (0, 1, ..., ndim - 1) for row-major (``contiguous_format``, and ``preserve_format`` when
    asked whether a tensor is contiguous); (0, 2, ..., ndim - 1, 1) for the channels-last
    formats, None for those at another rank (no tensor of it is channels-last)."""
    rank = _CHANNELS_LAST_RANK.get(format)
    if rank is None:
        return tuple(range(ndim))
    if ndim != rank:
        return None
    return (0,) + tuple(range(2, ndim)) + (1,)  # N, (D,) H, W, C
