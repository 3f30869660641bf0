"""``save`` and ``load``: state dicts in a file format that cannot run code when loaded.

``torch.save`` pickles, and unpickling can execute arbitrary code (which is why
``torch.load`` now defaults to ``weights_only=True``). tinynn writes a plain ``.npz`` (a zip
of ``.npy`` arrays) instead:

* every block of memory that tensors look into (a storage) becomes one flat array ``s0``,
  ``s1``, ...; each tensor is described by its storage, dtype, byte offset, shape and byte
  strides. So, as with ``torch.save``, tensors that shared memory (a tensor and its views,
  or one tensor saved twice) still share it after loading, and strides are kept;
* the structure around them (nested dicts, lists, tuples, numbers, strings, None) is a
  JSON document stored as the bytes of one more array, ``__manifest__``.

Version 1 files (one array ``t0``, ``t1``, ... per tensor, no sharing) still load.

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
VERSION = 2
_READABLE_VERSIONS = (1, 2)
_MANIFEST = "__manifest__"
_ALLOWED_KINDS = "biuf"  # bool, signed and unsigned ints, floats: no objects, no strings


def _owner(array: np.ndarray) -> np.ndarray:
    """The numpy array that owns ``array``'s memory (the end of its ``.base`` chain)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


class _Writer:
    """Turns ``obj`` into a JSON node, collecting one flat array per storage in ``arrays``."""

    def __init__(self) -> None:
        self.arrays: dict = {}
        self.storages: dict = {}  # id(owner array) -> (its name, the owner: kept alive)
        self.tensor_ids: dict = {}  # id(tensor) -> (its node id, the tensor: kept alive)

    def storage_of(self, array: np.ndarray) -> tuple:
        """(storage name, byte offset of ``array``'s first element in it)."""
        owner = _owner(array)
        if not owner.flags.c_contiguous:  # memory we cannot describe as one flat block: copy
            owner = array = np.ascontiguousarray(array)
        if id(owner) not in self.storages:
            name = f"s{len(self.storages)}"
            self.arrays[name] = owner.reshape(-1)
            self.storages[id(owner)] = (name, owner)
        name, owner = self.storages[id(owner)]
        offset = array.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
        return name, offset, array

    def encode(self, obj: Any) -> Any:
        """The JSON node for ``obj``."""
        return _encode(obj, self)


def _encode(obj: Any, writer: _Writer) -> Any:
    """The JSON node for ``obj``; tensors are described by their storage, offset and strides."""
    if isinstance(obj, Tensor):
        if id(obj) in writer.tensor_ids:  # the same tensor again: loads as the same object
            return {"type": "tensor", "id": writer.tensor_ids[id(obj)][0]}
        storage, offset, array = writer.storage_of(obj._data)
        node_id = len(writer.tensor_ids)
        writer.tensor_ids[id(obj)] = (node_id, obj)
        return {"type": "tensor", "id": node_id, "storage": storage, "dtype": array.dtype.str,
                "offset": int(offset), "shape": list(array.shape), "strides": list(array.strides),
                "requires_grad": bool(obj.requires_grad), "parameter": isinstance(obj, Parameter)}
    if obj is None or isinstance(obj, (bool, str)):
        return {"type": "value", "value": obj}
    if isinstance(obj, int):
        return {"type": "int", "value": int(obj)}
    if isinstance(obj, float):
        return {"type": "float", "value": repr(obj)}  # repr keeps nan, inf and every digit
    if isinstance(obj, dict):
        return {"type": "ordereddict" if isinstance(obj, OrderedDict) else "dict",
                "items": [[_encode(k, writer), _encode(v, writer)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return {"type": type(obj).__name__ if type(obj) in (list, tuple) else "list",
                "items": [_encode(v, writer) for v in obj]}
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
        RuntimeError: if the path's parent directory does not exist (PyTorch's error).
    """
    if isinstance(f, (str, os.PathLike)):
        parent = os.path.dirname(os.path.abspath(os.fspath(f)))
        if not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
    writer = _Writer()
    manifest = {"format": FORMAT, "version": VERSION, "root": writer.encode(obj)}
    arrays = writer.arrays
    arrays[_MANIFEST] = np.frombuffer(json.dumps(manifest).encode("utf-8"), dtype=np.uint8)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as handle:
            np.savez(handle, **arrays)
    else:
        np.savez(f, **arrays)


class _Reader:
    """Rebuilds the object from the manifest, checking every node as it goes."""

    def __init__(self, archive, root: Any) -> None:
        self.archive = archive
        self.flat: dict = {}  # storage name -> its flat array, read once
        self.tensors: dict = {}  # node id -> the tensor built for it
        self.owners: dict = {}  # storage name -> the id of the node that becomes its owner tensor
        self.nodes: dict = {}  # node id -> node, for the tensors that describe a storage
        self._collect(root)

    def _collect(self, node: Any) -> None:
        """Find each storage's owner: the first tensor that spans all of it, C-contiguous."""
        if not isinstance(node, dict):
            return
        if node.get("type") == "tensor" and "storage" in node:
            self.nodes.setdefault(node.get("id"), node)
            if node.get("offset") == 0 and node["storage"] not in self.owners and self._spans(node):
                self.owners[node["storage"]] = node.get("id")
        for child in node.get("items", ()):
            for item in child if isinstance(child, list) else (child,):
                self._collect(item)

    def _spans(self, node: dict) -> bool:
        flat = self.storage(node["storage"])
        array = self.array(node)
        return array.nbytes == flat.nbytes and array.flags.c_contiguous

    def storage(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.archive.files or name == _MANIFEST:
            raise ValueError(f"the manifest refers to a missing array {name!r}")
        if name not in self.flat:
            array = self.archive[name]  # allow_pickle=False: an object array raises ValueError here
            if array.dtype.kind not in _ALLOWED_KINDS:
                raise ValueError(f"array {name!r} has unsupported dtype {array.dtype}")
            self.flat[name] = np.ascontiguousarray(array).reshape(-1)
        return self.flat[name]

    def array(self, node: dict) -> np.ndarray:
        """The node's view into its storage; numpy checks that it stays inside the storage."""
        dtype = np.dtype(node["dtype"])
        if dtype.kind not in _ALLOWED_KINDS:
            raise ValueError(f"tensor has unsupported dtype {dtype}")
        return np.ndarray(tuple(node["shape"]), dtype, buffer=self.storage(node["storage"]).view(np.uint8),
                          offset=node["offset"], strides=tuple(node["strides"]))

    def tensor(self, node: dict) -> Tensor:
        node_id = node.get("id")
        if node_id in self.tensors:
            return self.tensors[node_id]
        if "storage" not in node:  # a tensor saved earlier in the file, again
            raise ValueError(f"the manifest refers to a missing tensor {node_id!r}")
        name = node["storage"]
        owner_id = self.owners.get(name)
        if owner_id is None:  # no tensor spans the storage: a hidden one owns it
            owner = self.tensors.setdefault(("storage", name), Tensor._make(self.storage(name)))
            tensor = Tensor._make_view(owner, self.array(node))
        elif owner_id == node_id:
            tensor = Tensor._make(self.array(node))
        else:
            owner = self.tensor(self.nodes[owner_id])
            tensor = Tensor._make_view(owner, self.array(node))
        if node.get("parameter"):
            tensor = Parameter(tensor, requires_grad=bool(node.get("requires_grad", True)))
        elif node.get("requires_grad"):
            tensor.requires_grad_(True)
        self.tensors[node_id] = tensor
        return tensor

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict) or "type" not in node:
            raise ValueError(f"malformed manifest node {node!r}")
        kind = node["type"]
        if kind == "tensor" and "array" not in node:
            return self.tensor(node)
        if kind == "tensor":  # version 1: one array per tensor
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
        FileNotFoundError, IsADirectoryError, PermissionError: for a path that cannot be
            opened, as in PyTorch.
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
            if manifest.get("version") not in _READABLE_VERSIONS:
                raise ValueError(f"unsupported format version {manifest.get('version')!r}")
            return _Reader(archive, manifest["root"]).decode(manifest["root"])
    except (ValueError, KeyError, TypeError, EOFError, OSError, zipfile.BadZipFile, UnicodeDecodeError,
            io.UnsupportedOperation) as error:
        if isinstance(error, (FileNotFoundError, IsADirectoryError, PermissionError)):
            raise  # a problem with the path, not the file's contents: PyTorch raises these too
        raise RuntimeError(
            f"tinynn.load failed reading {name}: {error}. The file is truncated, corrupted, or was "
            "not written by tinynn.save (tinynn never unpickles, so it cannot load torch.save files: "
            "convert with tinynn.utils.convert)."
        ) from error
