"""``save`` and ``load``: state dicts in a file format that cannot run code when loaded.

``torch.save`` pickles, and unpickling can execute arbitrary code (which is why
``torch.load`` now defaults to ``weights_only=True``). tinynn writes a plain ``.npz`` (a zip
of ``.npy`` arrays) instead:

* every tensor becomes one array ``t0``, ``t1``, ...;
* the structure around them (nested dicts, lists, tuples, numbers, strings, None) is a
  JSON document stored as the bytes of one more array, ``__manifest__``.

``load`` reads it back with ``np.load(..., allow_pickle=False)`` and ``json.loads``: neither
can execute code, and an object array (a pickle inside the npz) is refused. A truncated or
tampered file raises ``RuntimeError``; it never runs anything.
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from collections import OrderedDict
from typing import Any, BinaryIO

import numpy as np

from ._tensor import Tensor
from .nn.parameter import Parameter  # a saved Parameter loads as a Parameter

FORMAT = "tinynn.save"
VERSION = 1
_MANIFEST = "__manifest__"
_ALLOWED_KINDS = "biuf"  # bool, signed and unsigned ints, floats: no objects, no strings


def _encode(obj: Any, arrays: dict) -> Any:
    """The JSON node for ``obj``; tensors are moved into ``arrays`` and referenced by name."""
    if isinstance(obj, Tensor):
        name = f"t{len(arrays)}"
        arrays[name] = np.asarray(obj._data, order="C")  # (ascontiguousarray would make 0-d 1-d)
        return {"type": "tensor", "array": name, "requires_grad": bool(obj.requires_grad),
                "parameter": isinstance(obj, Parameter)}
    if obj is None or isinstance(obj, (bool, str)):
        return {"type": "value", "value": obj}
    if isinstance(obj, int):
        return {"type": "int", "value": int(obj)}
    if isinstance(obj, float):
        return {"type": "float", "value": repr(obj)}  # repr keeps nan, inf and every digit
    if isinstance(obj, dict):
        return {"type": "ordereddict" if isinstance(obj, OrderedDict) else "dict",
                "items": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {"type": type(obj).__name__ if type(obj) in (list, tuple) else "list",
                "items": [_encode(v, arrays) for v in obj]}
    raise TypeError(
        f"tinynn.save stores tensors, numbers, strings, None and dicts/lists/tuples of them "
        f"(state dicts), but got {type(obj).__name__}. Save `model.state_dict()` or "
        "`optimizer.state_dict()` rather than the object itself."
    )


def save(obj: Any, f: str | BinaryIO) -> None:
    """Save a state dict (or any nesting of dicts/lists/tuples of tensors and numbers) to ``f``.

    Args:
        obj: e.g. ``model.state_dict()``, ``optimizer.state_dict()``, or a dict of both.
        f: a path (a ``str`` or ``os.PathLike``) or a binary file object. The path is used as
            given (no suffix is added).

    Raises:
        TypeError: for objects that are not tensors, numbers, strings, None or containers.
    """
    arrays: dict = {}
    manifest = {"format": FORMAT, "version": VERSION, "root": _encode(obj, arrays)}
    arrays[_MANIFEST] = np.frombuffer(json.dumps(manifest).encode("utf-8"), dtype=np.uint8)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            np.savez(handle, **arrays)
    else:
        np.savez(f, **arrays)


class _Reader:
    """Rebuilds the object from the manifest, checking every node as it goes."""

    def __init__(self, archive) -> None:
        self.archive = archive

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict) or "type" not in node:
            raise ValueError(f"malformed manifest node {node!r}")
        kind = node["type"]
        if kind == "tensor":
            name = node["array"]
            if not isinstance(name, str) or not name.startswith("t") or name not in self.archive.files:
                raise ValueError(f"the manifest refers to a missing array {name!r}")
            array = self.archive[name]  # allow_pickle=False: an object array raises ValueError here
            if array.dtype.kind not in _ALLOWED_KINDS:
                raise ValueError(f"array {name!r} has unsupported dtype {array.dtype}")
            tensor = Tensor._make(array)
            if node.get("parameter"):
                return Parameter(tensor, requires_grad=bool(node.get("requires_grad", True)))
            if node.get("requires_grad"):
                tensor.requires_grad_(True)
            return tensor
        if kind == "value":
            value = node["value"]
            if value is not None and not isinstance(value, (bool, str)):
                raise ValueError(f"malformed value {value!r}")
            return value
        if kind == "int":
            if not isinstance(node["value"], int):
                raise ValueError(f"malformed int {node['value']!r}")
            return node["value"]
        if kind == "float":
            return float(node["value"])
        if kind in ("dict", "ordereddict"):
            pairs = [(self.decode(k), self.decode(v)) for k, v in node["items"]]
            return OrderedDict(pairs) if kind == "ordereddict" else dict(pairs)
        if kind in ("list", "tuple"):
            items = [self.decode(v) for v in node["items"]]
            return tuple(items) if kind == "tuple" else items
        raise ValueError(f"unknown node type {kind!r}")


def load(f: str | BinaryIO, map_location: Any = None, *, weights_only: bool = True,
         **kwargs: Any) -> Any:
    """Load what :func:`save` wrote. Never executes code from the file.

    Args:
        f: a path (a ``str`` or ``os.PathLike``) or a binary file object.
        map_location: accepted for compatibility; everything loads on the CPU.
        weights_only: accepted for compatibility; tinynn files only ever hold data.

    Raises:
        RuntimeError: if the file is not a tinynn file, or is truncated or tampered with
            (including a pickled object hidden in it, which is refused, not run).
    """
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<file object>")
    try:
        with np.load(f, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError("it holds a single .npy array, not a tinynn archive")
            if _MANIFEST not in archive.files:
                raise ValueError("it has no __manifest__ entry (not written by tinynn.save)")
            manifest = json.loads(archive[_MANIFEST].tobytes().decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise ValueError("its manifest is not a tinynn.save manifest")
            if manifest.get("version") != VERSION:
                raise ValueError(f"unsupported format version {manifest.get('version')!r}")
            return _Reader(archive).decode(manifest["root"])
    except (ValueError, KeyError, TypeError, EOFError, OSError, zipfile.BadZipFile, UnicodeDecodeError,
            io.UnsupportedOperation) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise RuntimeError(
            f"tinynn.load failed reading {name}: {error}. The file is truncated, corrupted, or was "
            "not written by tinynn.save (tinynn never unpickles, so it cannot load torch.save files: "
            "convert with tinynn.utils.convert)."
        ) from error
