"""``tinynn.save`` / ``tinynn.load``: round trips of model and optimizer state dicts, and the
safety of the format: a truncated, tampered or foreign file is refused with a clear
RuntimeError, and a pickle hidden in the archive is never unpickled (so never executed).
"""
from __future__ import annotations

import io
import json
import math
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close


def mlp():
    tinynn.manual_seed(0)
    return tinynn.nn.Sequential(tinynn.nn.Linear(4, 8), tinynn.nn.ReLU(), tinynn.nn.Linear(8, 3))


def trained_adam(model):
    opt = tinynn.optim.Adam(model.parameters(), lr=0.01, amsgrad=True)
    for _ in range(2):
        opt.zero_grad()
        model(tinynn.randn(5, 4)).pow(2).mean().backward()
        opt.step()
    return opt


def test_model_state_dict_round_trip(tmp_path):
    model = mlp()
    path = tmp_path / "model.pt"
    tinynn.save(model.state_dict(), path)
    assert path.exists()  # the name is used as given: no ".npz" appended
    loaded = tinynn.load(path)
    assert isinstance(loaded, OrderedDict) and list(loaded) == list(model.state_dict())
    other = tinynn.nn.Sequential(tinynn.nn.Linear(4, 8), tinynn.nn.ReLU(), tinynn.nn.Linear(8, 3))
    other.load_state_dict(loaded)
    x = tinynn.randn(2, 4)
    assert other(x).equal(model(x))


@pytest.mark.parametrize("dtype", [tinynn.float32, tinynn.float64])
def test_round_trip_keeps_dtype_shape_and_exact_values(tmp_path, dtype):
    values = {"w": tinynn.randn(3, 4, dtype=dtype), "scalar": tinynn.tensor(2.5, dtype=dtype),
              "ints": tinynn.arange(5), "mask": tinynn.tensor([True, False]), "empty": tinynn.zeros(0, 3)}
    tinynn.save(values, tmp_path / "t.pt")
    loaded = tinynn.load(tmp_path / "t.pt")
    for key, value in values.items():
        assert loaded[key].dtype is value.dtype and loaded[key].shape == value.shape
        assert np.array_equal(loaded[key].numpy(), value.numpy())


def test_optimizer_state_dict_round_trip_continues_identically(tmp_path):
    model = mlp()
    opt = trained_adam(model)
    tinynn.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 2}, tmp_path / "ckpt.pt")
    checkpoint = tinynn.load(tmp_path / "ckpt.pt")
    sd = checkpoint["optimizer"]
    assert checkpoint["epoch"] == 2
    assert list(sd["state"]) == [0, 1, 2, 3]  # integer keys survive
    assert sd["param_groups"] == opt.state_dict()["param_groups"]  # tuples (betas), None, bools too

    resumed = tinynn.nn.Sequential(tinynn.nn.Linear(4, 8), tinynn.nn.ReLU(), tinynn.nn.Linear(8, 3))
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt = tinynn.optim.Adam(resumed.parameters(), lr=0.01, amsgrad=True)
    resumed_opt.load_state_dict(sd)
    x = tinynn.randn(5, 4)
    for m, o in ((model, opt), (resumed, resumed_opt)):
        o.zero_grad()
        m(x).pow(2).mean().backward()
        o.step()
    for a, b in zip(model.parameters(), resumed.parameters()):
        assert a.equal(b)


def test_numbers_strings_none_and_nested_containers_round_trip():
    obj = {"a": [1, 2.5, float("inf"), None, "text", True], "b": (0.1, (3,)), 7: {"nested": [tinynn.ones(2)]}}
    buffer = io.BytesIO()
    tinynn.save(obj, buffer)
    buffer.seek(0)
    loaded = tinynn.load(buffer)
    assert loaded["a"][:2] == [1, 2.5] and math.isinf(loaded["a"][2]) and loaded["a"][3:] == [None, "text", True]
    assert loaded["b"] == (0.1, (3,)) and type(loaded["b"]) is tuple
    assert loaded[7]["nested"][0].tolist() == [1.0, 1.0]


def test_parameters_are_restored_as_parameters():
    buffer = io.BytesIO()
    tinynn.save(mlp().state_dict(keep_vars=True), buffer)
    buffer.seek(0)
    loaded = tinynn.load(buffer)
    assert isinstance(loaded["0.weight"], tinynn.nn.Parameter) and loaded["0.weight"].requires_grad


def test_saving_a_module_itself_is_refused_with_advice():
    with pytest.raises(TypeError, match="state_dict"):
        tinynn.save(mlp(), io.BytesIO())


def test_truncated_file_raises_runtime_error(tmp_path):
    path = tmp_path / "model.pt"
    tinynn.save(mlp().state_dict(), path)
    data = path.read_bytes()
    for cut in (len(data) // 2, 10, 0):
        path.write_bytes(data[:cut])
        with pytest.raises(RuntimeError, match="tinynn.load failed"):
            tinynn.load(path)


def test_torch_save_file_is_refused_not_unpickled(tmp_path):
    path = tmp_path / "torch.pt"
    torch.save(torch.nn.Linear(2, 2).state_dict(), path)
    with pytest.raises(RuntimeError, match="tinynn.load failed"):
        tinynn.load(path)


class _Exploit:
    """Unpickling this calls os.system: what a malicious checkpoint does."""

    def __reduce__(self):
        import os

        return os.system, ("echo pwned > PWNED_MARKER",)


def _archive_with(entries: dict) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def _npy_bytes(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=True)
    return out.getvalue()


def test_pickle_hidden_in_the_archive_is_never_executed(tmp_path, monkeypatch):
    """An object array (a pickle) in place of a tensor: refused, and the code does not run."""
    monkeypatch.chdir(tmp_path)
    evil = np.empty(1, dtype=object)
    evil[0] = _Exploit()
    manifest = {"format": "tinynn.save", "version": 1,
                "root": {"type": "dict", "items": [[{"type": "value", "value": "w"},
                                                    {"type": "tensor", "array": "t0"}]]}}
    buffer = _archive_with({"t0.npy": _npy_bytes(evil),
                            "__manifest__.npy": _npy_bytes(np.frombuffer(json.dumps(manifest).encode(), np.uint8))})
    with pytest.raises(RuntimeError, match="Object arrays cannot be loaded when allow_pickle=False"):
        tinynn.load(buffer)
    assert not (tmp_path / "PWNED_MARKER").exists()


def test_raw_pickle_file_is_refused_and_not_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Exploit()))
    with pytest.raises(RuntimeError, match="tinynn.load failed"):
        tinynn.load(path)
    assert not (tmp_path / "PWNED_MARKER").exists()


@pytest.mark.parametrize("tamper", ["no_manifest", "bad_json", "wrong_format", "missing_array", "bad_node",
                                    "string_array"])
def test_tampered_manifest_raises_runtime_error(tamper):
    good = {"format": "tinynn.save", "version": 1,
            "root": {"type": "dict", "items": [[{"type": "value", "value": "w"}, {"type": "tensor", "array": "t0"}]]}}
    manifest = json.dumps(good).encode()
    entries = {"t0.npy": _npy_bytes(np.ones(2, np.float32))}
    if tamper == "bad_json":
        manifest = b"{not json"
    elif tamper == "wrong_format":
        manifest = json.dumps(dict(good, format="other")).encode()
    elif tamper == "missing_array":
        entries = {}
    elif tamper == "bad_node":
        manifest = json.dumps(dict(good, root={"type": "exec", "code": "import os"})).encode()
    elif tamper == "string_array":
        entries = {"t0.npy": _npy_bytes(np.array(["a", "b"]))}
    if tamper != "no_manifest":
        entries["__manifest__.npy"] = _npy_bytes(np.frombuffer(manifest, np.uint8))
    with pytest.raises(RuntimeError, match="tinynn.load failed"):
        tinynn.load(_archive_with(entries))


def test_missing_file_raises_file_not_found():
    with pytest.raises(FileNotFoundError):
        tinynn.load("/nonexistent/dir/model.pt")


def test_state_dict_converted_from_torch_saves_and_loads_into_torch(tmp_path):
    from tinynn.utils.convert import state_dict_from_torch, state_dict_to_torch

    theirs = torch.nn.Linear(3, 2)
    tinynn.save(state_dict_from_torch(theirs.state_dict()), tmp_path / "from_torch.pt")
    back = torch.nn.Linear(3, 2)
    back.load_state_dict(state_dict_to_torch(tinynn.load(tmp_path / "from_torch.pt")))
    for a, b in zip(back.parameters(), theirs.parameters()):
        assert_close(a.detach(), b.detach())


# -- memory shared between tensors survives a round trip, as with torch.save ---------------------

def _round_trip(lib, obj):
    buffer = io.BytesIO()
    lib.save(obj, buffer)
    buffer.seek(0)
    return lib.load(buffer)


@pytest.mark.parametrize("make_view", ["slice", "transpose", "detach", "select", "expand"])
def test_tensor_and_its_view_still_share_memory_after_loading(make_view):
    def check(lib):
        base = lib.arange(6.0).reshape(2, 3)
        view = {"slice": lambda: base[:, 1:], "transpose": lambda: base.t(), "detach": lambda: base.detach(),
                "select": lambda: base[1], "expand": lambda: base[0].expand(2, 3)}[make_view]()
        loaded = _round_trip(lib, {"base": base, "view": view})
        loaded["base"].add_(10)
        return (loaded["view"].tolist(), loaded["view"].stride(), loaded["view"].storage_offset(),
                loaded["view"].is_contiguous())

    assert check(tinynn) == check(torch)


@pytest.mark.parametrize("view_first", [False, True])
def test_changes_through_a_loaded_view_reach_its_base(view_first):
    def check(lib):
        base = lib.zeros(4)
        items = [base[1:3], base] if view_first else [base, base[1:3]]
        loaded = _round_trip(lib, items)
        view, loaded_base = (loaded[0], loaded[1]) if view_first else (loaded[1], loaded[0])
        view.fill_(7.0)
        return loaded_base.tolist()

    assert check(tinynn) == check(torch)


@pytest.mark.parametrize("keep_vars", [False, True])
def test_the_same_tensor_saved_twice_loads_as_one_object(keep_vars):
    def check(lib):
        first, second = lib.nn.Linear(2, 2), lib.nn.Linear(2, 2)
        second.weight = first.weight  # tied weights
        state = {"a": first.state_dict(keep_vars=keep_vars)["weight"],
                 "b": second.state_dict(keep_vars=keep_vars)["weight"]}
        loaded = _round_trip(lib, state)
        return loaded["a"] is loaded["b"], type(loaded["a"]).__name__, loaded["a"].requires_grad

    assert check(tinynn) == check(torch)


@pytest.mark.parametrize("which", ["transpose", "slice", "0-d"])
def test_a_view_saved_alone_keeps_its_strides_and_offset(which):
    def check(lib):
        base = lib.arange(12.0).reshape(3, 4)
        tensor = {"transpose": lambda: base.t(), "slice": lambda: base[1:, ::2], "0-d": lambda: base[2, 3]}[which]()
        loaded = _round_trip(lib, tensor)
        return loaded.tolist(), tuple(loaded.shape), loaded.stride(), loaded.storage_offset()

    assert check(tinynn) == check(torch)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32",
                                   "float64"])
def test_every_dtype_round_trips_exactly(dtype):
    values = np.array([[0, 1, 5], [3, 2, 1]]).astype(dtype)
    loaded = _round_trip(tinynn, {"x": tinynn.tensor(values), "x_t": tinynn.tensor(values).t()})
    assert loaded["x"].dtype is getattr(tinynn, dtype) and np.array_equal(loaded["x"].numpy(), values)
    assert np.array_equal(loaded["x_t"].numpy(), values.T)


@pytest.mark.parametrize("tamper", ["offset past the end", "negative offset", "stride past the end",
                                    "negative stride past the start", "object dtype", "unknown tensor id"])
def test_a_view_outside_its_storage_is_refused(tamper):
    node = {"type": "tensor", "id": 0, "storage": "s0", "dtype": "<f4", "offset": 0, "shape": [4], "strides": [4]}
    node.update({"offset past the end": {"offset": 8}, "negative offset": {"offset": -4},
                 "stride past the end": {"strides": [8]}, "negative stride past the start": {"strides": [-4]},
                 "object dtype": {"dtype": "|O"}, "unknown tensor id": {"id": 1}}[tamper])
    items = [[{"type": "value", "value": "w"}, node]]
    if tamper == "unknown tensor id":
        items.append([{"type": "value", "value": "v"}, {"type": "tensor", "id": 5}])
    manifest = {"format": "tinynn.save", "version": 2, "root": {"type": "dict", "items": items}}
    entries = {"s0.npy": _npy_bytes(np.ones(4, np.float32)),
               "__manifest__.npy": _npy_bytes(np.frombuffer(json.dumps(manifest).encode(), np.uint8))}
    with pytest.raises(RuntimeError, match="tinynn.load failed"):
        tinynn.load(_archive_with(entries))


@pytest.mark.parametrize("as_path", [str, __import__("pathlib").Path])
def test_saving_into_a_missing_directory_raises_torchs_runtime_error(tmp_path, as_path):
    target = as_path(tmp_path / "no_such_dir" / "model.pt")
    with pytest.raises(RuntimeError) as theirs:
        torch.save(torch.ones(1), target)
    with pytest.raises(RuntimeError) as ours:
        tinynn.save(tinynn.ones(1), target)
    assert str(ours.value) == str(theirs.value)


def test_loading_a_directory_raises_is_a_directory_error(tmp_path):
    with pytest.raises(IsADirectoryError):
        torch.load(tmp_path)
    with pytest.raises(IsADirectoryError):
        tinynn.load(tmp_path)


@pytest.mark.parametrize("dtype", ["bfloat16", "complex64", "complex128", "uint16", "uint32", "uint64"])
def test_converting_a_dtype_tinynn_lacks_raises_type_error(dtype):
    from tinynn.utils.convert import state_dict_from_torch

    with pytest.raises(TypeError):
        state_dict_from_torch({"w": torch.zeros(2, dtype=getattr(torch, dtype))})
