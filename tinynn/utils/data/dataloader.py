"""``DataLoader``: iterate over a dataset in (shuffled) batches (mirrors ``torch.utils.data.DataLoader``).

One epoch = ``for batch in loader``: a sampler gives the indices, a batch sampler groups
them, the dataset gives the samples, and ``collate_fn`` stacks them into batch tensors.
Everything runs in the calling process (no worker processes: ``num_workers`` must be 0).
"""
from __future__ import annotations

import collections.abc
import copy
import itertools
import math
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ... import _creation, _dtype
from ..._functions.shape import stack
from ..._tensor import Tensor
from ...random import Generator
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler


_ERROR_FORMAT = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def _is_str_or_object_array(array: np.ndarray) -> bool:
    """Arrays of strings, bytes or Python objects: no tensor can hold them."""
    return array.dtype.kind in "SUO"


def _rebuild_mapping(mapping: collections.abc.Mapping, values: dict) -> collections.abc.Mapping:
    """``values`` in a mapping of ``mapping``'s type (a copy, so a ``defaultdict`` keeps its
    factory); a plain dict if that type cannot be built or updated."""
    try:
        if isinstance(mapping, collections.abc.MutableMapping):
            clone = copy.copy(mapping)
            clone.update(values)
            return clone
        return type(mapping)(values)
    except TypeError:
        return values


def _rebuild_sequence(sequence: collections.abc.Sequence, values: list) -> collections.abc.Sequence:
    """``values`` in a sequence of ``sequence``'s type (a list subclass stays one); a plain
    list if that type cannot be built (``range``)."""
    try:
        if isinstance(sequence, collections.abc.MutableSequence):
            clone = copy.copy(sequence)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(sequence)(values)
    except TypeError:
        return values


def default_convert(data: Any) -> Any:
    """Turn numpy arrays and numpy scalars into tensors (recursively); leave the rest as it is.

    As in PyTorch, a plain tuple comes back as a list (a namedtuple keeps its type, and so do
    mappings and other sequences); this is what ``DataLoader(..., batch_size=None)`` yields
    per sample. Arrays of strings or objects, and numpy strings, are left as they are.
    """
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if _is_str_or_object_array(data) else _creation.as_tensor(data)
    if isinstance(data, np.generic) and not isinstance(data, (np.str_, np.bytes_)):
        return _creation.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):                # namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def default_collate(batch: Sequence[Any]) -> Any:
    """Stack a list of samples into a batch, following the samples' structure.

    * tensors -> one tensor with a new first dimension (``stack``, dtypes promoted);
    * numpy arrays and numpy scalars -> the same, as tensors;
    * Python floats -> a float64 tensor; ints -> int64; bools -> bool;
    * strings and bytes -> left as they are: the batch itself (a tuple where the strings
      came from the fields of tuple, list or namedtuple samples, as in PyTorch);
    * mappings -> a mapping of the same type of collated values;
    * namedtuples stay namedtuples; tuples -> a list of collated fields, so ``(x, y)``
      samples give ``[X, Y]`` batches; other sequences keep their type where they can.

    Raises:
        RuntimeError: if tensors (or arrays) have different shapes, or list/tuple samples
            have different lengths.
        TypeError: for arrays of strings or objects, and any other type.
    """
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)                                          # (B, *sample_shape)
    if isinstance(elem, np.ndarray):
        if _is_str_or_object_array(elem):
            raise TypeError(_ERROR_FORMAT.format(elem.dtype))
        return default_collate([_creation.as_tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):                 # numpy scalars
        return _creation.as_tensor(np.array(batch))
    if isinstance(elem, float):
        return _creation.tensor(batch, dtype=_dtype.float64)
    if isinstance(elem, int):                                                 # bools too
        return _creation.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_mapping(elem, {key: default_collate([d[key] for d in batch]) for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):              # namedtuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(samples) for samples in zip(*batch)]      # each field a tuple
        return fields if isinstance(elem, tuple) else _rebuild_sequence(elem, fields)
    raise TypeError(_ERROR_FORMAT.format(type(elem)))


class DataLoader:
    """Batches of samples from ``dataset``, in order or shuffled.

    Args:
        dataset: a map-style dataset (``__getitem__`` and ``__len__``), or an
            :class:`IterableDataset` (its samples are batched in the order it yields them).
        batch_size: samples per batch (None: samples one by one, not collated). Default: 1.
        shuffle: a new random order every epoch. Default: False.
        sampler: an iterable of indices (instead of ``shuffle``).
        batch_sampler: an iterable of index lists (instead of batch_size/shuffle/sampler/drop_last).
        num_workers: must be 0: tinynn loads in the main process (a deviation from PyTorch).
        collate_fn: builds a batch from a list of samples. Default: :func:`default_collate`.
        drop_last: drop the last batch if it is smaller than ``batch_size``. Default: False.
        generator: the random generator for shuffling (seed it for a reproducible order).

    Raises:
        ValueError: for negative num_workers or timeout, a prefetch_factor or persistent_workers
            (they need workers), conflicting shuffle/sampler/batch_sampler options, or setting
            ``dataset``, ``batch_size``, ``batch_sampler``, ``sampler`` or ``drop_last`` after
            construction (the batch sampler is already built from them).
        NotImplementedError: for num_workers > 0.

    Example:
        >>> loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True,
        ...                     generator=tinynn.Generator().manual_seed(0))
        >>> for xb, yb in loader: ...
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable | None = None, batch_sampler: Iterable[list] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[list], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable | None = None, multiprocessing_context: Any = None,
                 generator: Generator | None = None, *, prefetch_factor: int | None = None,
                 persistent_workers: bool = False, pin_memory_device: str = "", in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable multiprocessing.")
        if num_workers > 0:
            raise NotImplementedError(
                f"tinynn's DataLoader loads batches in the main process only: use num_workers=0 "
                f"(got num_workers={num_workers}). Worker processes are a deviation from PyTorch "
                "that tinynn does not implement.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if prefetch_factor is not None:  # options of worker processes, which num_workers=0 has none of
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers "
                             "> 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        if persistent_workers:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if isinstance(dataset, IterableDataset):  # the dataset decides the order
            for name, value in (("shuffle", shuffle), ("sampler", sampler), ("batch_sampler", batch_sampler)):
                if value not in (None, False):
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                     f"but got {name}={value}")
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.pin_memory, self.timeout = num_workers, pin_memory, timeout
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_sampler is not None else default_convert)
        self.persistent_workers = persistent_workers
        self._initialized = True

    _FROZEN = ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset", "persistent_workers")

    def __setattr__(self, name: str, value: Any) -> None:
        """Raises ValueError for the options that built the batch sampler, once it is built."""
        if getattr(self, "_initialized", False) and name in self._FROZEN:
            raise ValueError(f"{name} attribute should not be set after {type(self).__name__} is initialized")
        super().__setattr__(name, value)

    def _fetch(self, indices: list) -> list:
        getitems = getattr(self.dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(indices)
        return [self.dataset[i] for i in indices]

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_stream()
            return
        if self.batch_sampler is None:  # no auto-batching: one sample at a time
            for idx in self.sampler:
                yield self.collate_fn(self.dataset[idx])
            return
        for indices in self.batch_sampler:
            yield self.collate_fn(self._fetch(list(indices)))

    def _iter_stream(self) -> Iterator[Any]:
        """An IterableDataset's samples, in its own order, grouped into batches of ``batch_size``."""
        samples = iter(self.dataset)
        if self.batch_size is None:
            for sample in samples:
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(samples, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        """The number of batches (of an IterableDataset: from its ``__len__``, which it must have).

        Raises:
            TypeError: for an IterableDataset without ``__len__``.
        """
        if isinstance(self.dataset, IterableDataset):
            length = len(self.dataset)
            if self.batch_size is None:
                return length
            return length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
