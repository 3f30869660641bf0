"""Containers against ``torch.nn``: Sequential (indexing, slicing, editing, an OrderedDict
of names, an MLP's values and gradients), ModuleList, ModuleDict, ParameterList and
ParameterDict (registration, state-dict keys, reprs, gradients, dict methods, errors).
"""
from __future__ import annotations

import pytest
import torch

import tinynn
from tinynn.testing import assert_close

from helpers import assert_same_error, randn, run_module_pair

DTYPES = ["float32", "float64"]


# -- Sequential, ModuleList, ModuleDict ------------------------------------------------------
def test_sequential_indexing_slicing_and_editing_match_torch():
    def names(lib):
        nn = lib.nn
        s = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3), nn.Tanh())
        out = [type(s[-1]).__name__, len(s), repr(s[1:3])]
        del s[0]
        out.append(repr(s))
        s.append(nn.Sigmoid())
        s.insert(1, nn.Identity())
        out.append(repr(s))
        s[0] = nn.GELU()
        out.append([type(m).__name__ for m in s])
        return out

    assert names(tinynn) == names(torch)


def test_sequential_from_ordered_dict_keeps_names():
    from collections import OrderedDict

    ours = tinynn.nn.Sequential(OrderedDict(fc=tinynn.nn.Linear(2, 2), act=tinynn.nn.ReLU()))
    theirs = torch.nn.Sequential(OrderedDict(fc=torch.nn.Linear(2, 2), act=torch.nn.ReLU()))
    assert repr(ours) == repr(theirs) and ours.fc is ours[0]


def test_sequential_index_error_matches_torch():
    with pytest.raises(IndexError) as ours:
        tinynn.nn.Sequential(tinynn.nn.ReLU())[5]
    with pytest.raises(IndexError) as theirs:
        torch.nn.Sequential(torch.nn.ReLU())[5]
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("dtype", DTYPES)
def test_sequential_mlp_matches_torch(dtype, device):
    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 3))
    ours = tinynn.nn.Sequential(tinynn.nn.Linear(8, 16), tinynn.nn.ReLU(), tinynn.nn.Linear(16, 3))
    run_module_pair(theirs, ours, randn(10, 8), dtype, device)


def test_module_list_registers_and_folds_repeats_in_repr_like_torch():
    def build(lib):
        nn = lib.nn
        return nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.Linear(2, 3)])

    ours, theirs = build(tinynn), build(torch)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(tinynn.nn.ModuleList()) == repr(torch.nn.ModuleList())
    ours += [tinynn.nn.Tanh()]
    del ours[0]
    assert len(ours) == 5 and list(ours._modules) == ["0", "1", "2", "3", "4"]
    with pytest.raises(NotImplementedError):
        ours(tinynn.zeros(2))


def test_module_dict_matches_torch():
    def build(lib):
        return lib.nn.ModuleDict({"a": lib.nn.ReLU(), "b": lib.nn.Linear(1, 2)})

    ours, theirs = build(tinynn), build(torch)
    assert repr(ours) == repr(theirs)
    assert list(ours.keys()) == ["a", "b"] and "a" in ours and len(ours) == 2
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    ours.pop("a")
    assert list(ours) == ["b"]


# -- ParameterList and ParameterDict ---------------------------------------------------------
def build_parameter_containers(lib):
    class Model(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scales = lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2, 3)), lib.zeros(4, dtype=lib.float64)])
            self.scales.append(lib.nn.Parameter(lib.ones(1), requires_grad=False))
            self.named = lib.nn.ParameterDict({"b": lib.nn.Parameter(lib.zeros(2)), "a": lib.ones(3)})
            self.named["c"] = lib.ones(2, 2)

        def forward(self, x):
            return (x * self.scales[0]).sum() + self.scales[1].sum() + self.named["a"].sum() * self.named["c"].sum()

    return Model()


def test_parameter_containers_register_like_torch():
    ours, theirs = build_parameter_containers(tinynn), build_parameter_containers(torch)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs).replace("torch.", "tinynn.")
    assert [p.requires_grad for p in ours.scales] == [p.requires_grad for p in theirs.scales]
    assert type(ours.scales[1]).__name__ == type(theirs.scales[1]).__name__ == "Parameter"
    assert list(ours.named) == list(theirs.named) == ["a", "b", "c"]  # a plain dict is added sorted
    assert len(ours.scales[1:]) == len(theirs.scales[1:]) == 2
    ours.load_state_dict({k: tinynn.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = randn(2, 3)
    ours(tinynn.tensor(x)).backward()
    theirs(torch.tensor(x, dtype=torch.float32)).backward()
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        if q.grad is not None:
            assert_close(p.grad, q.grad, name=name)


def test_parameter_dict_methods_match_torch():
    def run(lib):
        d = lib.nn.ParameterDict([("x", lib.ones(1)), ("w", lib.zeros(2))])  # pairs keep their order
        d.setdefault("y", lib.ones(3))
        popped = d.pop("x")
        key, _ = d.popitem()
        merged = d | lib.nn.ParameterDict({"z": lib.ones(1)})
        return (list(d), popped.shape[0], key, list(merged), "w" in d, d.get("q"), len(d), repr(lib.nn.ParameterDict()),
                repr(lib.nn.ParameterList()))

    assert run(tinynn) == run(torch)
    assert_same_error(lambda lib: lib.nn.ParameterDict()[0], same_message=True)
    assert_same_error(lambda lib: lib.nn.ParameterList([lib.ones(1)])(1), same_message=True)
    assert_same_error(lambda lib: lib.nn.ParameterList().extend(lib.ones(2)), same_message=True)


# -- Sequential and ModuleList editing, as PyTorch ----------------------------------------------
def _four(lib):
    return [lib.nn.Linear(1, 2), lib.nn.ReLU(), lib.nn.Linear(2, 2), lib.nn.Tanh()]


@pytest.mark.parametrize("index", [0, 2, 4, -1, -4])
def test_sequential_insert_puts_the_module_before_index_like_torch(index):
    def run(lib):
        return repr(lib.nn.Sequential(*_four(lib)).insert(index, lib.nn.Sigmoid()))

    assert run(tinynn) == run(torch)


@pytest.mark.parametrize("container", ["Sequential", "ModuleList"])
@pytest.mark.parametrize("key", [1, -1, slice(1, 3)])
def test_pop_removes_and_returns_like_torch(container, key):
    def run(lib):
        modules = getattr(lib.nn, container)(_four(lib)) if container == "ModuleList" \
            else lib.nn.Sequential(*_four(lib))
        popped = modules.pop(key)
        return repr(popped), repr(modules)

    assert run(tinynn) == run(torch)


@pytest.mark.parametrize("op", ["add", "iadd", "mul", "rmul", "imul"])
def test_sequential_arithmetic_matches_torch(op):
    def run(lib):
        first, second = lib.nn.Sequential(*_four(lib)[:2]), lib.nn.Sequential(lib.nn.Sigmoid())
        result = {"add": lambda: first + second, "iadd": lambda: first.__iadd__(second),
                  "mul": lambda: first * 2, "rmul": lambda: 3 * first, "imul": lambda: first.__imul__(2)}[op]()
        return repr(result), result is first, len(list(result.parameters()))

    assert run(tinynn) == run(torch)


@pytest.mark.parametrize("op", ["add_list", "iadd_list", "mul_float", "mul_zero", "imul_negative"])
def test_sequential_arithmetic_errors_match_torch(op):
    def run(lib):
        seq = lib.nn.Sequential(lib.nn.ReLU())
        {"add_list": lambda: seq + lib.nn.ModuleList([lib.nn.ReLU()]), "iadd_list": lambda: seq.__iadd__([]),
         "mul_float": lambda: seq * 2.0, "mul_zero": lambda: seq * 0, "imul_negative": lambda: seq.__imul__(-1)}[op]()

    assert_same_error(run, same_message=True)


@pytest.mark.parametrize("source", ["sequential", "generator", "tuple"])
def test_module_list_extend_takes_any_iterable_like_torch(source):
    def run(lib):
        modules = {"sequential": lambda: lib.nn.Sequential(*_four(lib)), "generator": lambda: iter(_four(lib)),
                   "tuple": lambda: tuple(_four(lib))}[source]()
        return repr(lib.nn.ModuleList([lib.nn.ReLU()]).extend(modules))

    assert run(tinynn) == run(torch)


@pytest.mark.parametrize("modules", ["dict", "module", "int"])
def test_module_list_extend_errors_match_torch(modules):
    def run(lib):
        value = {"dict": {"a": lib.nn.ReLU()}, "module": lib.nn.ReLU(), "int": 3}[modules]
        lib.nn.ModuleList().extend(value)

    assert_same_error(run, same_message=True)


@pytest.mark.parametrize("source", ["module_dict", "ordered_dict", "pairs"])
def test_module_dict_update_keeps_the_order_like_torch(source):
    from collections import OrderedDict

    def run(lib):
        pairs = [("z", lib.nn.ReLU()), ("c", lib.nn.Tanh())]
        other = {"module_dict": lambda: lib.nn.ModuleDict(pairs), "ordered_dict": lambda: OrderedDict(pairs),
                 "pairs": lambda: pairs}[source]()
        modules = lib.nn.ModuleDict({"b": lib.nn.ReLU()})
        modules.update(other)
        return repr(modules)

    assert run(tinynn) == run(torch)


@pytest.mark.parametrize("value", [3, [3], [("a", 1, 2)]], ids=["int", "not_a_pair", "triple"])
def test_module_dict_update_errors_match_torch(value):
    assert_same_error(lambda lib: lib.nn.ModuleDict().update(value), same_message=True)


def test_parameter_dict_popitem_of_an_empty_dict_raises_like_torch():
    assert_same_error(lambda lib: lib.nn.ParameterDict().popitem(), same_message=True)
