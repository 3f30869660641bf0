"""Named tuples returned by ops with two results, like ``torch.return_types``.

``x.max(dim)`` returns ``(values, indices)`` that can be unpacked or read by name.
"""
from __future__ import annotations

from collections import namedtuple

max = namedtuple("max", ["values", "indices"])  # noqa: A001  (PyTorch's name)
min = namedtuple("min", ["values", "indices"])  # noqa: A001

for _cls in (max, min):
    _cls.__module__ = "tinynn.return_types"
sort = namedtuple("sort", ["values", "indices"])
topk = namedtuple("topk", ["values", "indices"])
median = namedtuple("median", ["values", "indices"])
cummax = namedtuple("cummax", ["values", "indices"])
cummin = namedtuple("cummin", ["values", "indices"])

for _cls in (sort, topk, median, cummax, cummin):
    _cls.__module__ = "tinynn.return_types"
