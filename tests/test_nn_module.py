"""``nn.Module`` and ``nn.Parameter`` against ``torch.nn``: registration, traversal, state dicts,
modes, hooks (forward, forward-pre with kwargs, full backward and backward-pre), buffers by
name, dtype conversion, printing, and the errors PyTorch raises (same type, and the
same message with "torch" read as "tinynn").
"""
from __future__ import annotations

import copy
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch

import tinynn
from tinynn.testing import assert_close, to_numpy
from tinynn.utils.convert import state_dict_from_torch, state_dict_to_torch

from helpers import assert_same_error


class Net:
    """The same small model in either library: a trunk, a ReLU, a head, a buffer, a tied module."""

    @staticmethod
    def build(lib):
        class Model(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.trunk = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 8, bias=False))
                self.head = lib.nn.Linear(8, 3)
                self.register_buffer("scale", lib.ones(3))
                self.register_buffer("cache", lib.zeros(2), persistent=False)
                self.alias = self.head  # the same module twice: listed once

            def forward(self, x):
                return self.head(self.trunk(x).relu()) * self.scale

        return Model()


# -- Parameter -------------------------------------------------------------------------------
def test_parameter_is_a_tensor_requiring_grad_and_sharing_memory():
    data = tinynn.zeros(2, 3)
    p = tinynn.nn.Parameter(data)
    assert isinstance(p, tinynn.Tensor) and p.requires_grad and p.is_leaf
    data[0, 0] = 5.0
    assert p[0, 0].item() == 5.0
    assert not tinynn.nn.Parameter(tinynn.zeros(2), requires_grad=False).requires_grad


def test_parameter_repr_matches_torch():
    values = np.array([[1.5, -2.25], [0.125, 3.0]], dtype=np.float32)
    assert repr(tinynn.nn.Parameter(tinynn.tensor(values))) == repr(torch.nn.Parameter(torch.tensor(values)))
    frozen = repr(torch.nn.Parameter(torch.tensor(values), requires_grad=False))
    assert repr(tinynn.nn.Parameter(tinynn.tensor(values), requires_grad=False)) == frozen


def test_parameter_ops_give_plain_tensors():
    p = tinynn.nn.Parameter(tinynn.ones(3))
    assert type(p * 2) is tinynn.Tensor and type(p.detach()) is tinynn.Tensor


def test_parameter_of_integer_tensor_raises_like_torch():
    assert_same_error(lambda: tinynn.nn.Parameter(tinynn.tensor([1, 2])),
                      lambda: torch.nn.Parameter(torch.tensor([1, 2])))


def test_deepcopy_of_a_module_copies_parameters():
    m = tinynn.nn.Linear(3, 2)
    c = copy.deepcopy(m)
    assert isinstance(c.weight, tinynn.nn.Parameter) and c.weight is not m.weight
    assert np.array_equal(c.weight.detach().numpy(), m.weight.detach().numpy())
    with tinynn.no_grad():
        c.weight.fill_(0.0)
    assert m.weight.abs().sum().item() > 0


# -- registration and traversal ---------------------------------------------------------------
def test_named_parameters_match_torch_names_and_shapes():
    ours, theirs = Net.build(tinynn), Net.build(torch)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
           [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert len(list(ours.parameters())) == 5
    assert [n for n, _ in ours.named_parameters(recurse=False)] == []
    assert [n for n, _ in ours.named_parameters(prefix="model")][0] == "model.trunk.0.weight"


def test_named_modules_and_children_match_torch():
    ours, theirs = Net.build(tinynn), Net.build(torch)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_modules(remove_duplicate=False)] == \
           [n for n, _ in theirs.named_modules(remove_duplicate=False)]
    assert len(list(ours.modules())) == len(list(theirs.modules()))
    assert [type(m).__name__ for m in ours.children()] == [type(m).__name__ for m in theirs.children()]


def test_shared_parameter_listed_once():
    for lib in (tinynn, torch):
        a, b = lib.nn.Linear(3, 3), lib.nn.Linear(3, 3)
        b.weight = a.weight  # tied weights
        model = lib.nn.Sequential(a, b)
        names = [n for n, _ in model.named_parameters()]
        assert names == ["0.weight", "0.bias", "1.bias"], lib.__name__


def test_buffers_registered_and_persistent_flag_respected():
    ours, theirs = Net.build(tinynn), Net.build(torch)
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()] == ["scale", "cache"]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert "cache" not in ours.state_dict()


def test_register_parameter_none_keeps_name():
    m = tinynn.nn.Linear(3, 2, bias=False)
    assert m.bias is None and "bias" in m._parameters
    assert [n for n, _ in m.named_parameters()] == ["weight"]


def test_assigning_a_parameter_registers_it_and_plain_attributes_are_not():
    class M(tinynn.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = tinynn.nn.Parameter(tinynn.ones(2))
            self.plain = tinynn.ones(2)  # a tensor that is not a Parameter: not registered

    m = M()
    assert [n for n, _ in m.named_parameters()] == ["w"]
    assert "w" not in m.__dict__ and "plain" in m.__dict__


def test_reassigning_a_name_moves_it_between_registries():
    m = tinynn.nn.Module()
    m.x = tinynn.nn.Linear(2, 2)
    assert "x" in m._modules
    m.x = tinynn.nn.Parameter(tinynn.ones(1))
    assert "x" in m._parameters and "x" not in m._modules


def test_delattr_unregisters():
    m = tinynn.nn.Linear(2, 2)
    del m.bias
    assert "bias" not in m._parameters
    with pytest.raises(AttributeError):
        m.bias


def test_dir_lists_registered_names():
    names = dir(Net.build(tinynn))
    assert {"trunk", "head", "scale", "forward", "state_dict"} <= set(names)


def test_get_submodule_and_get_parameter():
    model = Net.build(tinynn)
    assert model.get_submodule("trunk.0") is model.trunk[0]
    assert model.get_parameter("trunk.0.bias") is model.trunk[0].bias


# -- errors (type from PyTorch, message in PyTorch's words) -------------------------------------
def test_missing_attribute_raises_attribute_error_like_torch():
    ours, _ = assert_same_error(lambda: tinynn.nn.Linear(2, 2).x, lambda: torch.nn.Linear(2, 2).x,
                                same_message=True)
    assert str(ours) == "'Linear' object has no attribute 'x'"


@pytest.mark.parametrize("case", ["tensor_over_parameter", "int_over_module", "bad_buffer_name",
                                  "tensor_as_parameter", "existing_attribute", "non_leaf_parameter",
                                  "int_dtype", "train_not_bool", "no_forward", "buffer_name_type"])
def test_registration_errors_match_torch(case):
    def run(lib):
        nn = lib.nn
        if case == "tensor_over_parameter":
            setattr(nn.Linear(2, 2), "weight", lib.zeros(2))
        elif case == "int_over_module":
            setattr(nn.Sequential(nn.Linear(2, 2)), "0", 3)
        elif case == "bad_buffer_name":
            nn.Module().register_buffer("a.b", None)
        elif case == "tensor_as_parameter":
            nn.Module().register_parameter("q", lib.zeros(2))
        elif case == "existing_attribute":
            nn.Linear(2, 2).register_buffer("weight", lib.zeros(1))
        elif case == "non_leaf_parameter":
            nn.Module().register_parameter("z", nn.Parameter(lib.zeros(2)) * 2)
        elif case == "int_dtype":
            nn.Linear(2, 2).to(lib.int64)
        elif case == "train_not_bool":
            nn.Linear(2, 2).train(1)
        elif case == "no_forward":
            nn.Module()(3)
        elif case == "buffer_name_type":
            nn.Module().register_buffer(3, None)

    assert_same_error(lambda: run(tinynn), lambda: run(torch), same_message=True)


def test_linear_wrong_width_raises_like_torch():
    ours, _ = assert_same_error(lambda: tinynn.nn.Linear(784, 128)(tinynn.zeros(64, 100)),
                                lambda: torch.nn.Linear(784, 128)(torch.zeros(64, 100)), same_message=True)
    assert str(ours) == "mat1 and mat2 shapes cannot be multiplied (64x100 and 784x128)"


# -- state dict ------------------------------------------------------------------------------
def test_state_dict_keys_shapes_and_order_match_torch():
    ours, theirs = Net.build(tinynn).state_dict(), Net.build(torch).state_dict()
    assert isinstance(ours, OrderedDict)
    assert [(k, tuple(v.shape)) for k, v in ours.items()] == [(k, tuple(v.shape)) for k, v in theirs.items()]


def test_state_dict_tensors_are_detached_and_share_memory():
    m = tinynn.nn.Linear(2, 2)
    w = m.state_dict()["weight"]
    assert not w.requires_grad and type(w) is tinynn.Tensor
    with tinynn.no_grad():
        m.weight.fill_(1.0)
    assert w.sum().item() == 4.0
    assert isinstance(m.state_dict(keep_vars=True)["weight"], tinynn.nn.Parameter)


def test_load_state_dict_copies_values_in_place_and_reports_all_matched():
    theirs = Net.build(torch)
    ours = Net.build(tinynn)
    weight = ours.head.weight
    result = ours.load_state_dict(state_dict_from_torch(theirs.state_dict()))
    assert repr(result) == repr(theirs.load_state_dict(theirs.state_dict())) == "<All keys matched successfully>"
    assert ours.head.weight is weight  # loaded in place: an optimizer holding it still works
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert_close(a, b, name=name)


@pytest.mark.parametrize("case", ["missing", "unexpected", "size_mismatch", "not_a_tensor", "nested_unexpected"])
def test_load_state_dict_errors_match_torch_messages(case):
    def state(lib):
        sd = {"weight": lib.zeros(4, 3), "bias": lib.zeros(4)}
        if case == "missing":
            del sd["bias"]
        elif case == "unexpected":
            sd["foo"] = lib.zeros(1)
        elif case == "size_mismatch":
            sd["weight"] = lib.zeros(4, 2)
            sd["foo"] = lib.zeros(1)
        elif case == "not_a_tensor":
            sd["weight"] = 3
        return sd

    if case == "nested_unexpected":
        def run(lib):
            sd = {"0.weight": lib.zeros(4, 3), "0.bias": lib.zeros(4), "1.x": lib.zeros(1), "0.w.b": lib.zeros(1)}
            lib.nn.Sequential(lib.nn.Linear(3, 4)).load_state_dict(sd)
    else:
        def run(lib):
            lib.nn.Linear(3, 4).load_state_dict(state(lib))

    ours, _ = assert_same_error(lambda: run(tinynn), lambda: run(torch), same_message=True)
    ours = str(ours)
    if case == "missing":
        assert ours == 'Error(s) in loading state_dict for Linear:\n\tMissing key(s) in state_dict: "bias". '


def test_load_state_dict_non_strict_returns_missing_and_unexpected():
    ours = tinynn.nn.Linear(3, 4).load_state_dict({"weight": tinynn.zeros(4, 3), "x": tinynn.zeros(1)}, strict=False)
    theirs = torch.nn.Linear(3, 4).load_state_dict({"weight": torch.zeros(4, 3), "x": torch.zeros(1)}, strict=False)
    assert ours.missing_keys == theirs.missing_keys == ["bias"]
    assert ours.unexpected_keys == theirs.unexpected_keys == ["x"]
    assert repr(ours) == repr(theirs)


def test_state_dict_round_trips_to_torch_and_back():
    ours = Net.build(tinynn)
    theirs = Net.build(torch)
    theirs.load_state_dict(state_dict_to_torch(ours.state_dict()))
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        assert_close(a, b, name=name)


# -- modes, gradients, dtype -----------------------------------------------------------------
def test_train_and_eval_set_the_flag_on_every_submodule():
    model = Net.build(tinynn)
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())


def test_module_zero_grad_sets_to_none_or_zero():
    model = Net.build(tinynn)
    model(tinynn.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and p.grad.abs().sum().item() == 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_requires_grad_false_freezes_parameters():
    model = Net.build(tinynn)
    model.trunk.requires_grad_(False)
    model(tinynn.randn(5, 4)).sum().backward()
    assert all(p.grad is None for p in model.trunk.parameters())
    assert model.head.weight.grad is not None


def test_apply_visits_children_before_parent():
    for lib in (tinynn, torch):
        seen = []
        Net.build(lib).apply(lambda m: seen.append(type(m).__name__))
        if lib is tinynn:
            ours = seen
    assert ours == seen


@pytest.mark.parametrize("method", ["double", "to_float64", "float_after_double"])
def test_dtype_conversion_keeps_parameter_objects(method):
    model = Net.build(tinynn)
    weight = model.head.weight
    if method == "double":
        model.double()
        expected = tinynn.float64
    elif method == "to_float64":
        model.to(tinynn.float64)
        expected = tinynn.float64
    else:
        model.double().float()
        expected = tinynn.float32
    assert model.head.weight is weight and isinstance(weight, tinynn.nn.Parameter)
    assert all(p.dtype is expected for p in model.parameters())
    assert model.scale.dtype is expected
    out = model(tinynn.randn(2, 4).to(expected))
    assert out.dtype is expected


def test_to_cpu_returns_self_and_cuda_raises():
    model = tinynn.nn.Linear(2, 2)
    assert model.to("cpu") is model and model.cpu() is model
    with pytest.raises(RuntimeError, match="CPU only"):
        model.to("cuda")


# -- hooks -----------------------------------------------------------------------------------
def test_forward_hooks_run_in_the_same_order_as_torch_and_can_be_removed():
    def record(lib):
        calls = []
        m = lib.nn.Linear(2, 2)
        h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre"))
        h2 = m.register_forward_hook(lambda mod, args, out: calls.append(("post", tuple(out.shape))))
        m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
        m(lib.zeros(3, 2))
        h1.remove()
        h2.remove()
        m(lib.zeros(3, 2))
        return calls

    assert record(tinynn) == record(torch)


def test_forward_hooks_can_replace_input_and_output():
    for lib in (tinynn, torch):
        m = lib.nn.Identity()
        m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        m.register_forward_hook(lambda mod, args, out: out + 1)
        assert m(lib.ones(2)).tolist() == [3.0, 3.0]


def test_forward_hooks_with_kwargs():
    for lib in (tinynn, torch):
        class Scale(lib.nn.Module):
            def forward(self, x, *, factor=1.0):
                return x * factor

        m = Scale()
        m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}), with_kwargs=True)
        m.register_forward_hook(lambda mod, args, kwargs, out: out + kwargs["factor"], with_kwargs=True)
        assert m(lib.ones(2)).tolist() == [6.0, 6.0]


# -- printing --------------------------------------------------------------------------------
def test_repr_matches_torch_for_a_nested_model():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Sequential(nn.Linear(3, 4), nn.Dropout()),
                             nn.Flatten(), nn.Linear(128, 10, bias=False))

    assert repr(build(tinynn)) == repr(build(torch))


def test_repr_matches_torch_for_a_custom_module():
    assert repr(Net.build(tinynn)) == repr(Net.build(torch))


# -- .grad without a copy when nothing else holds it (AccumulateGrad's stealing) -------------
def test_gradient_shared_by_two_leaves_is_not_aliased():
    a, b = tinynn.ones(3, requires_grad=True), tinynn.ones(3, requires_grad=True)
    g = tinynn.tensor([1.0, 2.0, 3.0])
    (a + b).backward(g)  # Add's backward hands the same gradient tensor to both leaves
    a.grad.add_(1.0)
    assert b.grad.tolist() == [1.0, 2.0, 3.0] and g.tolist() == [1.0, 2.0, 3.0]


def test_gradient_saved_by_a_custom_function_is_not_aliased():
    class ReturnsSaved(tinynn.autograd.Function):
        @staticmethod
        def forward(ctx, x, other):
            ctx.save_for_backward(other)
            return x._data.copy()

        @staticmethod
        def backward(ctx, grad_output):
            other, = ctx.saved_tensors
            return other, None  # a tensor the user still holds

    x, other = tinynn.ones(3, requires_grad=True), tinynn.tensor([5.0, 6.0, 7.0])
    ReturnsSaved.apply(x, other).sum().backward()
    x.grad.add_(1.0)
    assert other.tolist() == [5.0, 6.0, 7.0]


def test_gradient_kept_by_a_hook_is_not_aliased():
    kept = []
    w = tinynn.ones(2, 2, requires_grad=True)
    w.register_hook(lambda g: kept.append(g))
    (tinynn.ones(3, 2) @ w).sum().backward()
    w.grad.add_(1.0)
    assert kept[0].tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_gradients_accumulate_over_two_backwards_like_torch():
    for lib in (tinynn, torch):
        m = lib.nn.Linear(3, 2)
        with lib.no_grad():
            m.weight.fill_(0.5)
        x = lib.ones(4, 3)
        m(x).sum().backward()
        first = m.weight.grad.clone()
        m(x).sum().backward()
        assert (m.weight.grad - 2 * first).abs().max().item() == 0


# -- full backward hooks, forward-pre hooks with kwargs, buffers by name ---------------------
def as_lists(grads: tuple) -> list:
    return [None if g is None else to_numpy(g).tolist() for g in grads]


def assert_same_record(ours, theirs) -> None:
    """Equal structure (names, Nones); numbers equal to float32 rounding."""
    if isinstance(ours, (list, tuple)):
        assert isinstance(theirs, (list, tuple)) and len(ours) == len(theirs), (ours, theirs)
        for a, b in zip(ours, theirs):
            assert_same_record(a, b)
    elif isinstance(ours, float):
        assert ours == pytest.approx(theirs, rel=1.3e-6, abs=1e-5)
    else:
        assert ours == theirs


def hooked_run(lib, state: dict, input_requires_grad: bool = True) -> list:
    """A Sequential with full backward hooks on it and its layers; what the hooks saw, and x.grad."""
    model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 2))
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
    seen = []

    def record(name):
        def hook(module, grad_input, grad_output):
            assert module is model or module in list(model)
            seen.append((name, as_lists(grad_input), as_lists(grad_output)))
        return hook

    model.register_full_backward_hook(record("model"))
    model[0].register_full_backward_hook(record("first"))
    model[2].register_full_backward_pre_hook(lambda module, grad_output: (grad_output[0] * 3,))
    model[2].register_full_backward_hook(record("last"))
    model[2].register_full_backward_hook(lambda module, grad_input, grad_output: (grad_input[0] * 2,))
    x = lib.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3) / 6, requires_grad=input_requires_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn when no input requires grad (checked below)
        model(x).pow(2).sum().backward()
    seen.append(("weight grad", as_lists((model[0].weight.grad,))))
    if input_requires_grad:
        seen.append(("x grad", as_lists((x.grad,))))
    return seen


@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_full_backward_hooks_match_torch(input_requires_grad):
    reference = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    state = {k: v.numpy() for k, v in reference.state_dict().items()}
    assert_same_record(hooked_run(tinynn, state, input_requires_grad), hooked_run(torch, state, input_requires_grad))


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_full_backward_hook_on_a_linear_and_its_removal(lib):
    layer = lib.nn.Linear(3, 2)
    calls = []
    handle = layer.register_full_backward_hook(lambda m, gi, go: calls.append((len(gi), len(go), gi[0].shape)))
    layer(lib.ones(4, 3, requires_grad=True)).sum().backward()
    assert calls == [(1, 1, (4, 3))]
    handle.remove()
    layer(lib.ones(4, 3, requires_grad=True)).sum().backward()
    assert len(calls) == 1
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        layer.register_full_backward_hook(lambda m, gi, go: calls.append(gi))
        layer(lib.ones(4, 3)).sum().backward()
    assert calls[-1] == (None,)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_full_backward_hook_with_several_inputs_and_outputs(lib):
    class Two(lib.nn.Module):
        def forward(self, a, b, k):
            return a * b * k, a + 1

    seen = []
    module = Two()
    module.register_full_backward_hook(lambda m, gi, go: seen.append((as_lists(gi), as_lists(go))))
    a, b = lib.ones(2, requires_grad=True), lib.full((2,), 2.0, requires_grad=True)
    first, _ = module(a, b, 3.0)
    first.sum().backward()
    assert seen == [([[6.0, 6.0], [3.0, 3.0], None], [[1.0, 1.0], None])]


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_backward_hook_returning_the_wrong_number_of_gradients_raises(lib):
    layer = lib.nn.Linear(2, 2)
    layer.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="Backward hook returned an invalid number of grad_input, got 2, but "
                                           "expected 1"):
        layer(lib.ones(1, 2, requires_grad=True)).sum().backward()


def test_forward_pre_hook_with_kwargs_matches_torch():
    def run(lib):
        layer = lib.nn.Linear(2, 2)
        layer.register_forward_pre_hook(lambda m, args, kwargs: ((args[0] * 0,), kwargs), with_kwargs=True)
        return layer(lib.ones(1, 2)).detach().numpy().tolist() == [layer.bias.detach().numpy().tolist()]

    assert run(tinynn) and run(torch)


def build_net(lib):
    net = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.BatchNorm1d(3), lib.nn.Sequential(lib.nn.BatchNorm1d(3)))
    net.register_buffer("scale", lib.ones(1))
    return net


def test_get_buffer_and_named_buffers_match_torch():
    ours, theirs = build_net(tinynn), build_net(torch)
    for target in ("1.running_mean", "2.0.num_batches_tracked", "scale"):
        assert ours.get_buffer(target).tolist() == theirs.get_buffer(target).tolist()
    for kwargs in [{}, dict(prefix="net"), dict(recurse=False), dict(prefix="m", recurse=False)]:
        assert [n for n, _ in ours.named_buffers(**kwargs)] == [n for n, _ in theirs.named_buffers(**kwargs)]
    for target, match in [("1.weight", "is not a buffer"), ("1.nothing", "has no attribute `nothing`"),
                          ("5.running_mean", "has no attribute `5`")]:
        for net in (ours, theirs):
            with pytest.raises(AttributeError, match=match):
                net.get_buffer(target)
    assert ours.get_parameter("0.weight").shape == theirs.get_parameter("0.weight").shape


# -- load_state_dict(assign=True) ------------------------------------------------------------
def _assign_model(lib):
    model = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 2))
    model[0].bias.requires_grad_(False)
    model[1].register_buffer("running_mean", lib.zeros(2))
    return model


@pytest.mark.parametrize("value", ["tensor", "parameter", "float64"])
def test_load_state_dict_assign_puts_the_given_tensors_in_place_like_torch(value):
    def run(lib):
        model = _assign_model(lib)
        dtype = lib.float64 if value == "float64" else lib.float32
        weight = lib.full((2, 2), 3.0, dtype=dtype)
        if value == "parameter":
            weight = lib.nn.Parameter(weight)
        mean = lib.full((2,), 5.0)
        missing, unexpected = model.load_state_dict(
            {"0.weight": weight, "0.bias": lib.full((2,), 4.0, requires_grad=True), "1.running_mean": mean},
            strict=False, assign=True)
        w, b = model[0].weight, model[0].bias
        return (missing, unexpected, type(w).__name__, w.requires_grad, str(w.dtype).split(".")[-1],
                w is weight, type(b).__name__, b.requires_grad, to_numpy(b).tolist(),
                model[1].running_mean is mean, [n for n, _ in model.named_parameters()])

    assert run(tinynn) == run(torch)


def test_load_state_dict_assign_reports_what_cannot_become_a_parameter_like_torch():
    def load(lib):
        model = lib.nn.Linear(1, 1)
        model.load_state_dict({"weight": lib.ones(1, 1, dtype=lib.int64), "bias": lib.ones(1)}, assign=True)

    ours, theirs = assert_same_error(load)
    assert str(ours).startswith(str(theirs).split("an exception occurred")[0].replace("torch.", "tinynn."))


def test_load_state_dict_accepts_any_mapping_like_torch():
    from types import MappingProxyType

    def load(lib):
        model = lib.nn.Linear(1, 1)
        return model.load_state_dict(MappingProxyType({"weight": lib.ones(1, 1), "bias": lib.ones(1)}))

    assert repr(load(tinynn)) == repr(load(torch))


# -- forward hooks with always_call, handle ids -------------------------------------------------
def _failing_call(lib, where: str):
    class Failing(lib.nn.Module):
        def forward(self, x):
            if where == "forward":
                raise KeyError("forward failed")
            return x

    model, log = Failing(), []
    if where == "pre-hook":
        model.register_forward_pre_hook(lambda m, args: (_ for _ in ()).throw(KeyError("pre-hook failed")))
    model.register_forward_hook(lambda m, args, out: log.append(("always", out)), always_call=True)
    model.register_forward_hook(lambda m, args, kwargs, out: log.append(("always, kwargs", sorted(kwargs))),
                                with_kwargs=True, always_call=True)
    model.register_forward_hook(lambda m, args, out: log.append("normal"))
    if where == "hook":
        model.register_forward_hook(lambda m, args, out: (_ for _ in ()).throw(KeyError("hook failed")))
        model.register_forward_hook(lambda m, args, out: log.append(("always, last", out)), always_call=True)
    with pytest.raises(KeyError):
        model(1)
    return log


@pytest.mark.parametrize("where", ["pre-hook", "forward", "hook"])
def test_always_call_forward_hooks_run_when_the_call_raises_like_torch(where):
    assert _failing_call(tinynn, where) == _failing_call(torch, where)


@pytest.mark.parametrize("lib", [tinynn, torch], ids=["tinynn", "torch"])
def test_an_always_call_hook_that_raises_after_forward_raised_only_warns(lib):
    class Failing(lib.nn.Module):
        def forward(self, x):
            raise KeyError("forward failed")

    model = Failing()
    model.register_forward_hook(lambda m, args, out: 1 / 0, always_call=True)
    with pytest.warns(UserWarning, match="always_call=True.*raised an exception"), pytest.raises(KeyError):
        model(1)


def test_removing_an_always_call_hook_forgets_it_like_torch():
    def run(lib):
        model, log = lib.nn.Identity(), []
        handle = model.register_forward_hook(lambda m, a, o: log.append(o), always_call=True)
        handle.remove()
        return log, len(model._forward_hooks), len(model._forward_hooks_always_called)

    assert run(tinynn) == run(torch)


def test_hook_handles_have_increasing_ids_like_torch():
    def ids(lib):
        model = lib.nn.Identity()
        handles = [model.register_forward_hook(lambda *a: None), model.register_forward_pre_hook(lambda *a: None),
                   model.register_full_backward_hook(lambda *a: None)]
        return [isinstance(h.id, int) for h in handles], handles[0].id < handles[1].id < handles[2].id

    assert ids(tinynn) == ids(torch)


# -- set_submodule, type, messages ---------------------------------------------------------
@pytest.mark.parametrize("target, strict", [("1.0", False), ("1.9", False), ("1.0", True), ("0", False)])
def test_set_submodule_matches_torch(target, strict):
    def run(lib):
        model = lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.Sequential(lib.nn.ReLU()))
        model.set_submodule(target, lib.nn.Tanh(), strict=strict)
        return repr(model)

    assert run(tinynn) == run(torch)


@pytest.mark.parametrize("target, module, strict", [("", "tanh", False), ("1.0", 3, False), ("1.9", "tanh", True),
                                                    ("0.weight", "tanh", False), ("7.0", "tanh", False)])
def test_set_submodule_errors_match_torch(target, module, strict):
    def run(lib):
        model = lib.nn.Sequential(lib.nn.Linear(1, 1), lib.nn.Sequential(lib.nn.ReLU()))
        model.set_submodule(target, lib.nn.Tanh() if module == "tanh" else module, strict=strict)

    assert_same_error(run, same_message=target != "1.0")  # the type's repr names the class


@pytest.mark.parametrize("dst_type", ["float64", "float16", "int64"])
def test_module_type_casts_every_parameter_and_buffer_like_torch(dst_type):
    def dtypes(lib):
        model = lib.nn.BatchNorm1d(2).requires_grad_(False).type(getattr(lib, dst_type))
        return {name: str(t.dtype).split(".")[-1] for name, t in model.state_dict().items()}

    assert dtypes(tinynn) == dtypes(torch)


def test_module_type_to_an_integer_dtype_raises_while_parameters_require_grad_like_torch():
    assert_same_error(lambda lib: lib.nn.Linear(1, 1).type(lib.int64), same_message=True)


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((), {"a": 1}), ((1,), {"a": 1})])
def test_module_init_with_arguments_raises_torchs_message(args, kwargs):
    def build(lib):
        class Model(lib.nn.Module):
            def __init__(self):
                super().__init__(*args, **kwargs)

        return Model()

    assert_same_error(build, same_message=True)


@pytest.mark.parametrize("value", ["module", "int"])
def test_assigning_a_non_parameter_over_a_parameter_names_the_type_like_torch(value):
    def assign(lib):
        linear = lib.nn.Linear(1, 1)
        linear.weight = lib.nn.ReLU() if value == "module" else 3

    assert_same_error(assign, same_message=True)


def _buffer_module(lib):
    class WithBuffers(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = 2.0
            self.a = lib.nn.Buffer(lib.ones(2))
            self.b = lib.nn.Buffer(lib.zeros(3), persistent=False)

    return WithBuffers()


@pytest.mark.parametrize("case", ["registered", "reassigned_not_persistent", "leaf_that_requires_grad"])
def test_assigning_a_buffer_registers_it_as_torch(case):
    results = []
    for lib in (torch, tinynn):
        m = _buffer_module(lib)
        if case == "reassigned_not_persistent":
            m.a = lib.nn.Buffer(lib.full((2,), 5.0), persistent=False)
        if case == "leaf_that_requires_grad":
            source = lib.ones(2, requires_grad=True) * 3
            m.c = lib.nn.Buffer(source)
            assert m.c.requires_grad and m.c.grad_fn is None and m.c.is_leaf
        results.append((list(m.state_dict()), [n for n, _ in m.named_buffers()], isinstance(m.a, lib.nn.Buffer),
                        [b.detach().numpy().tolist() for b in m.buffers()], m.a.requires_grad))
    assert results[1] == results[0]


def test_assigning_a_buffer_over_a_plain_attribute_raises_like_torch():
    def call(lib):
        m = _buffer_module(lib)
        m.scale = lib.nn.Buffer(lib.ones(1))

    assert_same_error(call)
