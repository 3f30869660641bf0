"""Keeps book/deviations.md true: each row of its table is checked by the test named for it.

A row added to the page without a check here fails ``test_every_row_has_a_check``; a
behaviour that drifts from what its row says fails that row's test.
"""
from __future__ import annotations

import math
import pathlib
import re
import warnings

import numpy as np
import pytest
import torch

import tinynn

from helpers import layer_norm_derivatives, native_layer_norm

PAGE = pathlib.Path(__file__).resolve().parents[1] / "book" / "deviations.md"


def table_rows() -> list[str]:
    """The first cell ("Area") of each row of the page's table, with markdown removed."""
    areas = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| Area") and not line.startswith("|---"):
            areas.append(re.sub(r"[`*]", "", line.split("|")[1]).strip())
    return areas


def test_devices():
    assert tinynn.cuda.is_available() is False
    assert tinynn.ones(2).device == tinynn.device("cpu")


def test_random_numbers():
    tinynn.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = tinynn.randn(8), torch.randn(8)
    assert not np.allclose(ours.numpy(), theirs.numpy())
    tinynn.manual_seed(0)
    assert np.array_equal(tinynn.randn(8).numpy(), ours.numpy())  # the seeding itself works
    assert torch.Generator().get_state().dtype == torch.uint8  # PyTorch's state: a uint8 tensor
    generator = tinynn.Generator().manual_seed(3)
    state = generator.get_state()  # tinynn's: numpy's state, a dict
    assert isinstance(state, dict)
    first = tinynn.rand(4, generator=generator).tolist()
    assert tinynn.rand(4, generator=generator.set_state(state)).tolist() == first


def test_dtypes_covered():
    for name in ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"):
        assert isinstance(getattr(tinynn, name), tinynn.dtype)
    for missing in ("complex64", "bfloat16"):
        assert not hasattr(tinynn, missing)


def test_grad_fn_names():
    x = tinynn.ones(2, requires_grad=True)
    assert type((x * 2).grad_fn).__name__ == "MulBackward0"
    linear = tinynn.nn.Linear(2, 2)
    assert linear(x).grad_fn.name() != "AddmmBackward0"  # no fused node in tinynn
    leaf_node = (x * 2).grad_fn.next_functions[0][0]
    theirs = (torch.ones(2, requires_grad=True) * 2).grad_fn.next_functions[0][0]
    assert (leaf_node.name(), type(leaf_node).__name__) == ("AccumulateGrad", "AccumulateGrad")
    assert (theirs.name(), type(theirs).__name__) == ("torch::autograd::AccumulateGrad", "AccumulateGrad")


def test_grad_fn_next_functions():
    x = tinynn.ones(2, 3, requires_grad=True)
    edges = x.sum(dim=1).grad_fn.next_functions  # Sum.apply(x, dim, keepdim, dtype)
    assert edges[0][0].name() == "AccumulateGrad"
    assert edges[1:] == ((None, 0),) * (len(edges) - 1) and len(edges) > 1


def test_max_dim_min_dim_results():
    result = tinynn.tensor([[1.0, 3.0], [4.0, 2.0]]).max(dim=1)
    assert type(result) is tinynn.return_types.max
    values, indices = result
    assert values.tolist() == [3.0, 4.0] and result.indices.tolist() == [1, 0]
    assert repr(result).startswith("max(values=")


def test_error_message_texts():
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)"):
        tinynn.ones(2, 3) @ tinynn.ones(4, 5)


def test_views_after_an_in_place_op():
    grads, names = [], []
    for lib in (torch, tinynn):
        x = lib.tensor([-1.0, 2.0], dtype=lib.float64, requires_grad=True)
        b = x * 1
        v = b.view(-1)
        b.relu_()
        names.append(type(v.grad_fn).__name__)
        v.sum().backward()
        grads.append(x.grad.tolist())
    assert grads == [[0.0, 1.0]] * 2 and names == ["AsStridedBackward0"] * 2
    leaf = tinynn.tensor([1.0, 2.0], requires_grad=True)
    view = leaf[:1]
    before = view.grad_fn
    with tinynn.no_grad():
        leaf.mul_(2)
    assert view.grad_fn is before  # PyTorch: a new AsStridedBackward0
    b = tinynn.tensor([1.0, 2.0], requires_grad=True) * 1
    with tinynn.no_grad():
        made_under_no_grad = b[:1]
    assert not made_under_no_grad.requires_grad  # PyTorch: True
    b.mul_(2)
    y = made_under_no_grad * 2  # PyTorch raises here
    with pytest.raises(RuntimeError, match="view was created in no_grad mode"):
        y.sum().backward()
    for read_grad_fn in (False, True):  # PyTorch's answer depends on whether grad_fn was read
        w = torch.tensor(2.0, requires_grad=True)
        b = torch.zeros(3)
        v = b[:2]
        b.mul_(w)
        if read_grad_fn:
            v.grad_fn  # noqa: B018  (reading it rebuilds it)
            v.relu_()
        else:
            with pytest.raises(RuntimeError, match="leaf Variable"):
                v.relu_()
    w = tinynn.tensor(2.0, requires_grad=True)
    b = tinynn.zeros(3)
    v = b[:2]
    b.mul_(w)
    v.relu_()  # accepted, as PyTorch does once grad_fn was read
    assert b.grad_fn.name() == "CopySlices"


def test_autograd_variable():
    t = tinynn.ones(2)
    with pytest.warns(DeprecationWarning):
        v = tinynn.autograd.Variable(t)
    assert isinstance(v, tinynn.Tensor)


def test_dataloader_workers():
    with pytest.raises(NotImplementedError):
        tinynn.utils.data.DataLoader(list(range(3)), num_workers=2)
    with pytest.raises(ValueError):
        tinynn.utils.data.DataLoader(list(range(3)), num_workers=-1)


def test_optimizer_implementation_flags():
    p = [tinynn.nn.Parameter(tinynn.ones(2))]
    tinynn.optim.Adam(p, foreach=True, capturable=True)  # accepted, no effect
    with pytest.raises(NotImplementedError):
        tinynn.optim.Adam(p, fused=True)
    with pytest.raises(NotImplementedError):
        tinynn.optim.Adam(p, differentiable=True)
    assert set(tinynn.optim.Adam(p).state_dict()["param_groups"][0]) == set(
        torch.optim.Adam([torch.ones(2, requires_grad=True)]).state_dict()["param_groups"][0])


def test_kl_div_gradient_with_respect_to_a_zero_target():
    results = []
    for lib in (tinynn, torch):
        log_probs = lib.tensor([[-1.0, -2.0]])
        target = lib.tensor([[0.0, 1.0]], requires_grad=True)
        loss = lib.nn.functional.kl_div(log_probs, target, reduction="sum")
        loss.backward()
        results.append((loss.item(), target.grad.tolist()[0]))
    (ours_loss, ours_grad), (torch_loss, torch_grad) = results
    assert ours_loss == pytest.approx(torch_loss)
    assert np.isnan(torch_grad[0]) and ours_grad[0] == 1.0  # -input, finite
    assert ours_grad[1] == pytest.approx(torch_grad[1])


def test_saving_and_loading(tmp_path):
    with pytest.raises(TypeError, match="state_dict"):
        tinynn.save(tinynn.nn.Linear(2, 2), tmp_path / "model.npz")
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")
    with pytest.raises(RuntimeError):
        tinynn.load(tmp_path / "torch.pt")


def test_conv_transpose2d_output_padding():
    x, w = tinynn.ones(1, 1, 3, 3), tinynn.ones(1, 1, 2, 2)
    with pytest.raises(RuntimeError):  # PyTorch accepts output_padding=1 < dilation=2 here
        tinynn.nn.functional.conv_transpose2d(x, w, stride=1, dilation=2, output_padding=1)
    torch.nn.functional.conv_transpose2d(torch.ones(1, 1, 3, 3), torch.ones(1, 1, 2, 2), stride=1,
                                         dilation=2, output_padding=1)


def test_rarely_used_options():
    x = tinynn.zeros(3)
    with pytest.raises(NotImplementedError):
        x.scatter(0, tinynn.tensor([0, 1]), tinynn.ones(2), reduce="add")
    with pytest.raises(NotImplementedError):
        tinynn.autograd.functional.jacobian(lambda t: t * 2, tinynn.ones(2), strategy="forward-mode")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jac = tinynn.autograd.functional.jacobian(lambda t: t * 2, tinynn.ones(2), vectorize=True)
    assert jac.tolist() == [[2.0, 0.0], [0.0, 2.0]]
    a, b = tinynn.ones(2, 3), tinynn.ones(3, 4)
    with pytest.raises(TypeError, match="sublist"):
        tinynn.einsum(a, [0, 1], b, [1, 2])
    assert torch.einsum(torch.ones(2, 3), [0, 1], torch.ones(3, 4), [1, 2]).shape == (2, 4)
    assert tinynn.einsum("ab,bc", a, b).tolist() == [[3.0] * 4] * 2


def test_interpolate_modes():
    x = tinynn.ones(1, 1, 4, 4)
    for kwargs in (dict(mode="bicubic"), dict(mode="area"), dict(mode="bilinear", antialias=True)):
        with pytest.raises(NotImplementedError):
            tinynn.nn.functional.interpolate(x, size=2, **kwargs)
        assert torch.nn.functional.interpolate(torch.ones(1, 1, 4, 4), size=2, **kwargs).shape == (1, 1, 2, 2)
    assert tinynn.nn.functional.interpolate(x, size=2, mode="bilinear").tolist() == [[[[1.0, 1.0]] * 2]]


def test_order_of_the_backward_engine():
    def hook_order(lib):
        calls = []
        x = lib.ones(2, requires_grad=True)
        a = x * 2  # created first: the lower sequence number
        b = x * 3
        a.register_hook(lambda g: calls.append("a"))
        b.register_hook(lambda g: calls.append("b"))
        (b.sum() + a.sum()).backward()
        return calls, x.grad.tolist()

    assert hook_order(torch) == (["b", "a"], [5.0, 5.0])   # the later node first
    assert hook_order(tinynn) == (["a", "b"], [5.0, 5.0])  # stack order; same gradient


def test_inference_mode():
    with torch.inference_mode():
        theirs = torch.ones(2)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved"):
        (theirs * torch.ones(2, requires_grad=True)).sum().backward()
    with tinynn.inference_mode():
        ours = tinynn.ones(2)
        assert not tinynn.is_grad_enabled()
    w = tinynn.ones(2, requires_grad=True)
    (ours * w).sum().backward()  # an ordinary tensor in tinynn
    assert w.grad.tolist() == [1.0, 1.0]


def test_single_sample_loss_with_a_one_element_target():
    logits = np.array([0.3, -1.2, 2.0])
    theirs_x = torch.tensor(logits, requires_grad=True)
    theirs = torch.nn.functional.cross_entropy(theirs_x, torch.tensor([2]))
    with pytest.raises(RuntimeError, match="size mismatch"):
        theirs.backward()
    ours_x = tinynn.tensor(logits, requires_grad=True)
    ours = tinynn.nn.functional.cross_entropy(ours_x, tinynn.tensor([2]))
    assert ours.shape == () and abs(ours.item() - theirs.item()) <= 1e-12
    ours.backward()
    reference = torch.tensor(logits, requires_grad=True)
    torch.nn.functional.cross_entropy(reference, torch.tensor(2)).backward()
    np.testing.assert_allclose(ours_x.grad.numpy(), reference.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_in_place_arithmetic_on_overlapping_unfold_windows():
    # PyTorch's result depends on its kernel's order of reads and writes, so only tinynn's
    # is asserted; the clone() route is the same in both
    ours = tinynn.arange(6.0)
    ours.unfold(0, 2, 1).add_(1)
    assert ours.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]     # every element once
    safe = tinynn.arange(6.0).unfold(0, 2, 1).clone().add_(1)
    assert safe.tolist() == torch.arange(6.0).unfold(0, 2, 1).clone().add_(1).tolist()


def test_embedding_sparse():
    assert torch.nn.Embedding(5, 3, sparse=True).sparse
    with pytest.raises(NotImplementedError, match="sparse=False"):
        tinynn.nn.Embedding(5, 3, sparse=True)


def test_pack_padded_sequence_length_larger_than_t():
    data = np.zeros((2, 3, 4), dtype=np.float32)               # (T=2, B=3, features)
    torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(data), torch.tensor([3, 1, 1]))
    with pytest.raises(RuntimeError, match="T=2"):
        tinynn.nn.utils.rnn.pack_padded_sequence(tinynn.tensor(data), tinynn.tensor([3, 1, 1]))


def test_sdpa_attn_mask_and_is_causal():
    rng = np.random.default_rng(0)
    q4, q3 = rng.standard_normal((1, 2, 3, 4)), rng.standard_normal((2, 3, 4))
    mask = np.zeros((3, 3))
    with pytest.raises(RuntimeError, match="attn_mask should not be set"):
        torch.nn.functional.scaled_dot_product_attention(
            *[torch.tensor(q3)] * 3, attn_mask=torch.tensor(mask), is_causal=True)
    theirs = torch.nn.functional.scaled_dot_product_attention(
        *[torch.tensor(q4)] * 3, attn_mask=torch.tensor(mask), is_causal=True)
    for q in (q4, q3):
        ours = tinynn.nn.functional.scaled_dot_product_attention(
            *[tinynn.tensor(q)] * 3, attn_mask=tinynn.tensor(mask), is_causal=True)
        causal = tinynn.nn.functional.scaled_dot_product_attention(*[tinynn.tensor(q)] * 3,
                                                                   is_causal=True)
        np.testing.assert_allclose(ours.numpy(), causal.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tinynn.nn.functional.scaled_dot_product_attention(
        *[tinynn.tensor(q4)] * 3, attn_mask=tinynn.tensor(mask), is_causal=True).numpy(),
        theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_sdpa_key_and_value_of_different_lengths():
    q, k, v = np.ones((1, 2, 3, 4)), np.ones((1, 2, 3, 4)), np.ones((1, 2, 5, 4))
    torch.nn.functional.scaled_dot_product_attention(*map(torch.tensor, (q, k, v)))
    with pytest.raises(RuntimeError, match="same sequence length"):
        tinynn.nn.functional.scaled_dot_product_attention(*map(tinynn.tensor, (q, k, v)))


def test_gelu_of_inf_and_hardtanh_gradient_at_nan():
    inf, nan = float("inf"), float("nan")
    # PyTorch's float32 gelu runs on oneDNN code chosen for the CPU: nan with its AVX-512
    # code, inf with its SSE4.1 code (DNNL_MAX_CPU_ISA=SSE41) and on an AVX2 machine; which
    # one a machine gets is not visible from Python (ATEN's cpu capability does not decide it)
    for lib, float32_gelu in ((torch, ("inf", "nan")), (tinynn, ("inf",))):
        x32 = lib.tensor([inf] * 9, dtype=lib.float32)
        x64 = lib.tensor([inf] * 9, dtype=lib.float64)
        assert str(lib.nn.functional.gelu(x32)[0].item()) in float32_gelu
        assert lib.nn.functional.gelu(x64)[0].item() == inf
    # PyTorch: the gradient at nan depends on where the nan sits (vectorized body: 0, scalar
    # tail: 1); tinynn's is 0 everywhere
    for lib, tail in ((torch, 1.0), (tinynn, 0.0)):
        for activation in (lib.nn.functional.hardtanh, lib.nn.functional.hardshrink, lib.nn.functional.softshrink):
            x = lib.tensor([nan] * 17, dtype=lib.float64, requires_grad=True)
            activation(x).sum().backward()
            assert x.grad[0].item() == 0.0 and x.grad[-1].item() == tail
    # elu, hardswish: PyTorch's vectorized body gives nan, its scalar tail (and all of a
    # small tensor) 1; tinynn's is 1 everywhere
    for lib in (torch, tinynn):
        for activation in (lib.nn.functional.elu, lib.nn.functional.hardswish):
            small = lib.tensor([nan] * 3, dtype=lib.float64, requires_grad=True)
            activation(small).sum().backward()
            assert small.grad.tolist() == [1.0] * 3
            x = lib.tensor([nan] * 17, dtype=lib.float64, requires_grad=True)
            activation(x).sum().backward()
            assert x.grad[-1].item() == 1.0
            assert math.isnan(x.grad[0].item()) if lib is torch else x.grad[0].item() == 1.0


def test_in_place_inverse_hyperbolic_with_grad():
    for name in ("asinh_", "acosh_", "atanh_"):
        values = [1.5, 2.0] if name == "acosh_" else [0.5, -0.25]
        a = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        b = a * 1
        getattr(b, name)()
        with pytest.raises(NotImplementedError):
            b.sum().backward()
        # tinynn: the out-of-place op's gradient, which PyTorch gives for x.acosh()
        ours = tinynn.tensor(values, dtype=tinynn.float64, requires_grad=True)
        getattr(ours * 1, name)().sum().backward()
        theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        getattr(theirs, name[:-1])().sum().backward()
        assert np.allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("op", ["scatter", "scatter_add"])
def test_scatter_with_src_larger_than_index(op):
    x_values, src_values = np.arange(12.0).reshape(3, 4), np.arange(8.0).reshape(2, 4) + 100
    index = [[0, 1, 2, 0]]
    theirs_src = torch.tensor(src_values, requires_grad=True)
    theirs = getattr(torch.tensor(x_values), op)(0, torch.tensor(index), theirs_src)
    with pytest.raises(RuntimeError, match="invalid gradient"):
        theirs.sum().backward()
    ours_src = tinynn.tensor(src_values, requires_grad=True)
    ours = getattr(tinynn.tensor(x_values), op)(0, tinynn.tensor(index), ours_src)
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    (ours * tinynn.tensor(x_values)).sum().backward()
    expected = np.zeros((2, 4))
    expected[0] = x_values[index[0], range(4)]  # the gradient where each src entry landed
    np.testing.assert_array_equal(ours_src.grad.numpy(), expected)
    # an empty index: src may have any shape, and its gradient is 0
    theirs_src = torch.ones(0, 2, dtype=torch.float64, requires_grad=True)
    theirs = getattr(torch.zeros(0, 0, 1, dtype=torch.float64), op)(1, torch.zeros(0, dtype=torch.int64), theirs_src)
    with pytest.raises(RuntimeError, match="invalid gradient"):
        theirs.sum().backward()
    ours_src = tinynn.ones(0, 2, dtype=tinynn.float64, requires_grad=True)
    ours = getattr(tinynn.zeros(0, 0, 1, dtype=tinynn.float64), op)(1, tinynn.zeros(0, dtype=tinynn.int64), ours_src)
    ours.sum().backward()
    assert ours_src.grad.shape == (0, 2)


def test_softmax_out_with_grad():
    for name in ("softmax", "log_softmax"):
        t = getattr(torch, name)(torch.ones(3, requires_grad=True), 0, out=torch.empty(3))
        assert t.requires_grad
        with pytest.raises(RuntimeError):
            t.sum().backward()
        with pytest.raises(RuntimeError, match="out=... arguments don't support automatic differentiation"):
            getattr(tinynn, name)(tinynn.ones(3, requires_grad=True), 0, out=tinynn.empty(3))


def test_order_of_equal_values_in_topk_and_sort():
    values = [0.5, 1.0, 0.0, 2.0, 2.0]
    ours, theirs = tinynn.tensor(values).topk(2), torch.tensor(values).topk(2)
    assert ours.values.tolist() == theirs.values.tolist() == [2.0, 2.0]
    assert ours.indices.tolist() == [3, 4] and theirs.indices.tolist() == [4, 3]
    ties = [3.0, 1.0, 3.0, 0.0, 3.0]
    for descending in (False, True):
        assert (tinynn.tensor(ties).sort(descending=descending).indices.tolist()
                == torch.tensor(ties).sort(descending=descending, stable=True).indices.tolist())


def test_second_derivative_of_the_nuclear_norm():
    data = np.array([[2.0, 1.0], [0.5, 3.0], [1.0, -1.0]])
    x, t = tinynn.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    x.norm(p="nuc").backward()
    t.norm(p="nuc").backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
    torch.autograd.grad(t.norm(p="nuc"), t, create_graph=True)[0].sum().backward()  # PyTorch: fine
    with pytest.raises(RuntimeError, match="second derivative"):
        tinynn.autograd.grad(x.norm(p="nuc"), x, create_graph=True)


@pytest.mark.parametrize("dtype", ["int64", "bool"])
@pytest.mark.parametrize("op", ["eq_", "fill_", "masked_fill_"])
def test_in_place_comparison_or_fill_of_an_integer_tensor_with_an_operand_that_requires_grad(op, dtype):
    results = []
    for lib in (tinynn, torch):
        x = lib.tensor([1, 0, 1], dtype=getattr(lib, dtype))
        y = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
        args = (lib.tensor([True, False, False]), y) if op == "masked_fill_" else (y,)
        getattr(x, op)(*args)
        results.append((x.tolist(), x.dtype is getattr(lib, dtype), x.requires_grad))
    ours, theirs = results
    assert ours[:2] == theirs[:2] and ours[1]
    assert (ours[2], theirs[2]) == (False, True)


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_fmod_and_remainder_where_the_quotient_overflows(name):
    x, y = np.ones(10), np.full(10, 2.22507386e-313)
    theirs = getattr(torch, name)(torch.tensor(x), torch.tensor(y)).numpy()
    ours = getattr(tinynn, name)(tinynn.tensor(x), tinynn.tensor(y)).numpy()
    np.testing.assert_array_equal(ours, getattr(np, name)(x, y))  # the exact remainder, everywhere
    if torch.backends.cpu.get_cpu_capability() == "DEFAULT":  # (no vector kernel: C's fmod throughout)
        np.testing.assert_array_equal(theirs, ours)
    else:
        assert np.isnan(theirs[0]) and theirs[-1] == ours[-1]  # nan in the vector loop, exact in its tail


@pytest.mark.parametrize("value", [np.inf, 1e30], ids=["inf", "1e30"])
def test_the_weights_of_linear_interpolation(value):
    x = np.zeros((1, 1, 4), np.float32)
    x[0, 0, 1] = value
    theirs = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=3, mode="linear").numpy()[0, 0]
    ours = tinynn.nn.functional.interpolate(tinynn.tensor(x), scale_factor=3, mode="linear").numpy()[0, 0]
    weight_zero = np.nan if value == np.inf else 0.0  # value * 0
    np.testing.assert_array_equal(ours[1], weight_zero)
    fused = torch.backends.cpu.get_cpu_capability() != "DEFAULT"
    if fused:  # a weight of about a rounding (1.5e-8) on the value
        assert theirs[1] == np.inf if value == np.inf else 0 < theirs[1] / value < 2 * np.finfo(np.float32).eps
    else:
        np.testing.assert_array_equal(theirs[1], weight_zero)
    np.testing.assert_array_equal(np.isfinite(ours), np.isfinite(theirs))


def test_index_fill_with_a_negative_index_and_a_value_requiring_grad():
    x_values = np.arange(12.0).reshape(3, 4)
    theirs_value = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    theirs = torch.tensor(x_values).index_fill(0, torch.tensor([-3]), theirs_value)
    with pytest.raises(IndexError, match="index out of range"):
        theirs.sum().backward()
    ours_value = tinynn.tensor(2.0, dtype=tinynn.float64, requires_grad=True)
    ours = tinynn.tensor(x_values).index_fill(0, tinynn.tensor([-3]), ours_value)
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    (ours * tinynn.tensor(x_values + 1)).sum().backward()
    assert ours_value.grad.item() == (x_values[0] + 1).sum()  # row -3 is row 0


@pytest.mark.parametrize("name, shape", [("pixel_shuffle", (0, 4, 1, 1)), ("pixel_shuffle", (2, 4, 0, 1)),
                                         ("pixel_unshuffle", (0, 1, 2, 2))])
def test_pixel_shuffle_and_unshuffle_of_an_empty_tensor(name, shape):
    theirs = torch.zeros(shape, requires_grad=True)
    with pytest.raises(RuntimeError):
        getattr(torch.nn.functional, name)(theirs, 2).sum().backward()
    ours = tinynn.zeros(shape, requires_grad=True)
    getattr(tinynn.nn.functional, name)(ours, 2).sum().backward()
    assert tuple(ours.grad.shape) == shape
    # PyTorch's pixel_unshuffle returns its empty input's shape; tinynn's the rearranged one
    assert tuple(torch.nn.functional.pixel_unshuffle(torch.zeros(0, 4, 2), 2).shape) == (0, 4, 2)
    assert tuple(tinynn.nn.functional.pixel_unshuffle(tinynn.zeros(0, 4, 2), 2).shape) == (0, 2, 1)


def test_strides_of_a_tensor_with_no_elements():
    theirs = torch.zeros(0, 3, 3, dtype=torch.float64).transpose(1, 2)
    assert theirs.stride() == (9, 1, 3)
    with pytest.raises(RuntimeError, match="stride"):
        theirs.view(torch.int32)
    ours = tinynn.zeros(0, 3, 3, dtype=tinynn.float64).transpose(1, 2)
    assert ours.stride() == (9, 3, 1)
    assert ours.view(tinynn.int32).shape == (0, 3, 6)
    with pytest.raises(RuntimeError, match="stride"):  # with elements, the check is PyTorch's
        tinynn.zeros(1, 3, 3, dtype=tinynn.float64).transpose(1, 2).view(tinynn.int32)


def test_layer_norm_of_a_row_whose_variance_overflows():
    row = [[1.0, -1e20, 2.0]]
    theirs = torch.tensor(row)
    assert torch.isnan(torch.nn.functional.layer_norm(theirs, [3])).all()
    assert (torch.nn.functional.group_norm(torch.tensor([[[1.0, -1e20, 2.0], [1.0, 2.0, 3.0]]]), 1) == 0).all()
    ours = tinynn.tensor(row)
    F = tinynn.nn.functional
    assert F.layer_norm(ours, [3]).tolist() == [[0.0, 0.0, 0.0]]
    assert F.group_norm(ours.reshape(1, 1, 3), 1).tolist() == [[[0.0, 0.0, 0.0]]]
    assert F.batch_norm(ours.reshape(3, 1), None, None, training=True).tolist() == [[0.0], [0.0], [0.0]]
    weight, bias = tinynn.tensor([2.0, 2.0, 2.0]), tinynn.tensor([0.5, -1.0, 3.0])
    assert F.layer_norm(ours, [3], weight, bias).tolist() == [[0.5, -1.0, 3.0]]
    # one value per group: PyTorch's E[x^2] - E[x]^2 overflows to nan; the centred variance is 0
    one_each = [[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1e30]]
    assert torch.isnan(torch.nn.functional.group_norm(torch.tensor(one_each), 4)[1, 3])
    assert F.group_norm(tinynn.tensor(one_each), 4).tolist() == [[0.0] * 4, [0.0] * 4]


def test_normalisation_gradients_with_eps_0_and_a_tiny_variance():
    rows = [[0.0, 0.0, 0.0], [0.0, 0.0, 6.10573327e-121]]  # the second: variance 8.3e-242
    grad_output = [[1.0, 2.0, 3.0], [1.0, 2.0, 3.5]]
    results = {}
    for lib in (torch, tinynn):
        for name in ("group_norm", "layer_norm"):
            x = lib.tensor(rows, dtype=lib.float64, requires_grad=True)
            g = lib.tensor(grad_output, dtype=lib.float64)
            if name == "group_norm":  # one group of one sample per row
                y = lib.nn.functional.group_norm(x.reshape(2, 1, 3), 1, eps=0.0).reshape(2, 3)
            else:
                y = lib.nn.functional.layer_norm(x, [3], eps=0.0)
            y.backward(g)
            results[lib, name] = (y.detach().numpy(), x.grad.numpy())
    rstd = 1 / np.sqrt(np.var(rows[1]))
    for name in ("group_norm", "layer_norm"):
        np.testing.assert_allclose(results[tinynn, name][0], results[torch, name][0], rtol=1e-12)  # the values
        ours, theirs = results[tinynn, name][1][1], results[torch, name][1][1]
        # the gradient: rstd (3.5e120) times a few sums, finite in both libraries, and
        # PyTorch's up to a few roundings (times rstd) against the row's largest value
        assert np.isfinite(ours).all() and np.isfinite(theirs).all() and abs(theirs[0]) > 1e119
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=8 * np.finfo(np.float64).eps * np.abs(theirs).max())
        assert not np.array_equal(ours, theirs)  # (the third entry, exactly 0: about 1e104 in one, 0 in the other)
    with np.errstate(over="ignore"):
        assert np.isinf(np.float64(rstd) ** 3)  # what a chain rule through rsqrt would multiply by
    # float32: a variance of 2e-29 is enough; the gradient stays finite with or without eps
    for eps in (0.0, 1e-5):
        x = tinynn.tensor([[[0.0, 0.0, 1e-14]]], requires_grad=True)
        tinynn.nn.functional.group_norm(x, 1, eps=eps).backward(tinynn.tensor([[[1.0, 2.0, 3.5]]]))
        assert bool(tinynn.isfinite(x.grad).all())


def test_third_derivative_of_layer_norm():
    """PyTorch's double backward is exact, but it takes the forward's saved mean and rstd
    as constants, so differentiating it again is wrong (pytorch/pytorch#175754); and with a
    bias but no weight its second derivative raises. tinynn recomputes them from x: its
    three orders agree with the formula in PyTorch's tensor ops (test_nn_normalization)."""
    ours = layer_norm_derivatives(tinynn, native_layer_norm, "weight only")
    theirs = layer_norm_derivatives(torch, native_layer_norm, "weight only")
    for i in range(4):  # first and second derivatives, for x and the weight
        np.testing.assert_allclose(ours[i], theirs[i], rtol=1e-9, atol=1e-11)
    assert np.abs(ours[4] - theirs[4]).max() > 1.0  # the third, for x: PyTorch's is off
    with pytest.raises(RuntimeError, match="Expected a proper Tensor but got None"):
        layer_norm_derivatives(torch, native_layer_norm, "bias only")
    layer_norm_derivatives(tinynn, native_layer_norm, "bias only")


def test_addcdiv_gradient_where_the_square_of_tensor2_underflows():
    grads = {}
    for lib in (torch, tinynn):
        this = lib.zeros(2, dtype=lib.float64, requires_grad=True)
        tensor1 = lib.full((2,), 1e-200, dtype=lib.float64)
        tensor2 = lib.tensor(1e-200, dtype=lib.float64, requires_grad=True)
        (this * 1).addcdiv_(tensor1, tensor2).sum().backward()
        grads[lib] = tensor2.grad.item()
    assert grads[torch] == -math.inf                  # -1e-200 / (1e-200 * 1e-200) = -1e-200 / 0
    assert grads[tinynn] == pytest.approx(-2e200)     # -(1e-200 / 1e-200) / 1e-200, twice
    # where the square is representable, the two agree
    for lib in (torch, tinynn):
        tensor2 = lib.tensor(0.5, dtype=lib.float64, requires_grad=True)
        (lib.zeros(2, dtype=lib.float64, requires_grad=True) * 1).addcdiv_(
            lib.ones(2, dtype=lib.float64), tensor2).sum().backward()
        grads[lib] = tensor2.grad.item()
    assert grads[tinynn] == grads[torch] == -8.0


def test_addcmul_where_the_product_overflows():
    results = {}
    for lib in (torch, tinynn):
        finite = lib.full((3,), -3e38).addcmul_(lib.full((3,), 2e19), lib.full((3,), 2e19))
        infinite = lib.full((3,), -math.inf).addcmul_(lib.full((3,), 1e30), lib.full((3,), 1e30), value=0.5)
        results[lib] = (finite.tolist(), infinite.tolist())
    # PyTorch's vectorized kernel fuses the multiply-add; its default kernel rounds as tinynn does
    fused = results[torch][0] == [pytest.approx(1e38, rel=1e-6)] * 3 and results[torch][1] == [-math.inf] * 3
    assert fused or results[torch][0] == [math.inf] * 3
    assert results[tinynn][0] == [math.inf] * 3 and all(math.isnan(v) for v in results[tinynn][1])
    # where the product fits float32, the two agree
    fits = [lib.full((3,), -3e38).addcmul_(lib.full((3,), 1e19), lib.full((3,), 2e19)).tolist()
            for lib in (torch, tinynn)]
    assert fits[0] == pytest.approx(fits[1], rel=1e-6)


def test_addmm_with_alpha_0_and_a_nan_in_mat2():
    results = {}
    for lib in (torch, tinynn):
        mat2 = lib.zeros(3, 4, dtype=lib.float64)
        mat2[2, 3] = math.nan
        results[lib] = lib.addmm(lib.ones(2, 4, dtype=lib.float64), lib.ones(2, 3, dtype=lib.float64), mat2,
                                 beta=2.0, alpha=0).numpy()
    assert (results[torch] == 2.0).all()                                   # the product skipped
    assert np.isnan(results[tinynn][:, 3]).all() and (results[tinynn][:, :3] == 2.0).all()  # 0 * nan


def test_addcmul_gradient_through_an_integer_operand_and_a_fractional_value():
    grads = {}
    for lib in (torch, tinynn):
        tensor2 = lib.zeros(2, dtype=lib.float64, requires_grad=True)
        (lib.zeros(2, dtype=lib.float64) * 1).addcmul_(
            lib.tensor([2147483647, 3], dtype=lib.int32), tensor2, value=0.5).sum().backward()
        grads[lib] = tensor2.grad.tolist()
    assert grads[torch] == [1073741824.0, 1.5]       # 2147483647 * 0.5 rounded to float32
    assert grads[tinynn] == [1073741823.5, 1.5]      # exact in float64


def test_bce_with_logits_of_a_float32_input_and_a_float64_target():
    x, y = np.array([2.0, -1.5, 0.25]), np.array([0.0, 1.0, 0.5])
    losses = [lib.nn.functional.binary_cross_entropy_with_logits(
        lib.tensor(x, dtype=lib.float32), lib.tensor(y, dtype=lib.float64), reduction="none").numpy()
        for lib in (torch, tinynn)]
    assert losses[0].dtype == losses[1].dtype == np.float64
    # log(1 + e^-x) in float32 in both: the float64 results agree to float32's precision
    np.testing.assert_allclose(losses[1], losses[0], rtol=2 * np.finfo(np.float32).eps)
    # and with float64 throughout, to float64's
    both64 = [lib.nn.functional.binary_cross_entropy_with_logits(
        lib.tensor(x), lib.tensor(y), reduction="none").numpy() for lib in (torch, tinynn)]
    np.testing.assert_allclose(both64[1], both64[0], rtol=1e-14)


def test_einsum_with_operands_of_several_dtypes():
    def call(lib, equation, *dtypes):
        return lib.einsum(equation, *(lib.ones(3, dtype=getattr(lib, d)) for d in dtypes))

    assert call(torch, "i,i->i", "int32", "float32").dtype is torch.float32      # multiplied only: promoted
    assert call(torch, "i,i,i->", "float32", "int32", "float32").dtype is torch.float32
    for equation, dtypes in (("i,i->", ("int32", "float32")), ("i,i,i->", ("int32", "float32", "int32"))):
        with pytest.raises(RuntimeError, match="expected scalar type"):       # summed through bmm: refused
            call(torch, equation, *dtypes)
    for equation, dtypes in (("i,i->i", ("int32", "float32")), ("i,i->", ("int32", "float32")),
                             ("i,i,i->", ("float32", "int32", "float32"))):
        with pytest.raises(RuntimeError, match="one dtype"):
            call(tinynn, equation, *dtypes)


def test_batch_norm_and_group_norm_with_an_infinite_weight():
    inf, nan = math.inf, math.nan
    x = [[1.0, 2.0], [3.0, 2.0]]                      # channel 0 varies, channel 1 is constant
    weight, bias = [inf, inf], [0.0, 0.0]

    def calls(lib):
        F, t = lib.nn.functional, lib.tensor
        return {
            "batch_norm, training": F.batch_norm(t(x), None, None, t(weight), t(bias), training=True),
            "batch_norm, evaluation": F.batch_norm(t(x), t([2.0, 2.0]), t([1.0, 1.0]), t(weight), t(bias)),
            "group_norm": F.group_norm(t(x).reshape(2, 2, 1), 1, t(weight), t(bias)).reshape(2, 2),
            # each (sample, channel) over its 2 positions: x = [[[1, 2], [3, 2]]]
            "instance_norm": F.instance_norm(t([x]), weight=t(weight), bias=t(bias)).reshape(2, 2),
        }

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning from 0 * inf
        ours, theirs = calls(tinynn), calls(torch)
    for name in ours:
        assert torch.isnan(theirs[name]).all(), name           # PyTorch: nan everywhere
    # tinynn: the formula, +-inf where x != mean, nan where x == mean
    assert np.array_equal(ours["batch_norm, training"].numpy(), [[-inf, nan], [inf, nan]], equal_nan=True)
    assert np.array_equal(ours["batch_norm, evaluation"].numpy(), [[-inf, nan], [inf, nan]], equal_nan=True)
    assert np.array_equal(ours["group_norm"].numpy(), [[-inf, inf], [inf, -inf]])  # one group per sample
    assert np.array_equal(ours["instance_norm"].numpy(), [[-inf, inf], [inf, -inf]])
    # layer_norm: the same values in both libraries; the input's gradient non-finite in the
    # same places, but nan or inf by each backward's own algebra
    row = [[1.0, 3.0]]
    F, f = tinynn.nn.functional, torch.nn.functional
    assert np.array_equal(F.layer_norm(tinynn.tensor(row), [2], tinynn.tensor(weight)).numpy(),
                          f.layer_norm(torch.tensor(row), [2], torch.tensor(weight)).numpy())
    grads = []
    for lib in (torch, tinynn):
        x_leaf = lib.tensor([[0.0, 1.0, 3.0]], dtype=lib.float64, requires_grad=True)
        w = lib.tensor([1.0, inf, 1.0], dtype=lib.float64)
        lib.nn.functional.layer_norm(x_leaf, [3], w).backward(lib.ones(1, 3, dtype=lib.float64))
        grads.append(x_leaf.grad.numpy())
    assert np.isnan(grads[0]).all()  # PyTorch folds the row's sums into two coefficients
    assert np.array_equal(grads[1], [[-inf, nan, nan]], equal_nan=True)  # the three terms


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv_with_string_padding_and_a_bias_of_another_dtype(padding):
    x, w = np.ones((1, 3, 5)), np.ones((2, 3, 3))
    assert torch.nn.functional.conv1d(torch.tensor(x), torch.tensor(w), torch.zeros(2, dtype=torch.float32),
                                      padding=padding).dtype == torch.float64
    with pytest.raises(RuntimeError, match="bias type"):
        torch.nn.functional.conv1d(torch.tensor(x), torch.tensor(w), torch.zeros(2, dtype=torch.float32), padding=1)
    for pad in (padding, 1):
        with pytest.raises(RuntimeError, match=r"Input type \(double\) and bias type \(float\)"):
            tinynn.nn.functional.conv1d(tinynn.tensor(x), tinynn.tensor(w), tinynn.zeros(2, dtype=tinynn.float32),
                                        padding=pad)
    # an integer input too: PyTorch converts the bias, tinynn raises
    ints = np.ones((1, 3, 5), dtype=np.int64), np.ones((2, 3, 3), dtype=np.int64)
    assert torch.nn.functional.conv1d(*map(torch.tensor, ints), torch.zeros(2), padding=padding).dtype == torch.int64
    with pytest.raises(RuntimeError, match=r"Input type \(long\) and bias type \(float\)"):
        tinynn.nn.functional.conv1d(*map(tinynn.tensor, ints), tinynn.zeros(2), padding=padding)


def test_indexing_with_a_bool_next_to_other_indices_or_two_ellipses():
    base = np.arange(24.0).reshape(2, 3, 4)
    theirs, ours = torch.tensor(base), tinynn.tensor(base)
    assert tuple(theirs[0, :, True].shape) == (3, 1, 4) and tuple(ours[0, :, True].shape) == (1, 3, 4)
    assert tuple(theirs[0, :, False].shape) == (3, 0, 4) and tuple(ours[0, :, False].shape) == (0, 3, 4)
    assert tuple(theirs[True].shape) == tuple(ours[True].shape) == (1, 2, 3, 4)  # a bool alone agrees
    assert tuple(theirs[..., ...].shape) == (2, 3, 4)
    with pytest.raises(IndexError):
        ours[..., ...]
    with pytest.raises(IndexError):
        theirs[5, ::-1]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        ours[5, ::-1]
    # what the page suggests instead agrees
    assert tuple(theirs[0, :, None].shape) == tuple(ours[0, :, None].shape) == (3, 1, 4)


def test_second_derivative_of_a_two_norm_over_a_dim_where_a_norm_is_0():
    array = np.array([[3.0, 4.0], [0.0, 0.0]])
    seconds = {}
    for lib in (torch, tinynn):
        for name, norm in (("dim", lambda x: x.norm(dim=1)), ("all", lambda x: x.norm())):
            x = lib.tensor(array, requires_grad=True)
            (first,) = lib.autograd.grad(norm(x).tanh().sum(), (x,), create_graph=True)
            assert first.detach().numpy()[1].tolist() == [0.0, 0.0]  # the subgradient, in both
            (second,) = lib.autograd.grad((first * first).sum(), (x,))
            seconds[lib.__name__, name] = second.numpy()[1]
    assert np.isnan(seconds["torch", "dim"]).all() and (seconds["torch", "all"] == 0).all()
    assert (seconds["tinynn", "dim"] == 0).all() and (seconds["tinynn", "all"] == 0).all()


def test_sums_whose_terms_cancel_in_conv():
    """A window holding 1, -1e30 and 1e30 under weights of 1: the exact sum is 1, but
    float32 addition in one order gives 0 and in another 1, and which order a kernel takes
    depends on the kernel (oneDNN's blocking, OpenBLAS's for the CPU it runs on). Both
    libraries stay within the bound of a 3-term sum."""
    one, huge = np.float32(1.0), np.float32(1e30)
    assert ((one + -huge) + huge, (-huge + huge) + one) == (0.0, 1.0)  # the order decides
    x = np.zeros((1, 3, 6, 5), dtype=np.float32)
    x[0, 0, 3, 4], x[0, 0, 5, 3], x[0, 2, 3, 3] = 1.0, -1e30, 1e30
    w = np.zeros((4, 3, 3, 2), dtype=np.float32)
    w[2, 0, 0, 1] = w[2, 0, 2, 0] = w[2, 2, 0, 0] = 1.0
    theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w))[0, 2, 3, 3].item()
    ours = tinynn.nn.functional.conv2d(tinynn.tensor(x), tinynn.tensor(w))[0, 2, 3, 3].item()
    bound = 3 * np.finfo(np.float32).eps * 2e30  # K terms * eps * the sum of |terms|
    assert theirs in (0.0, 1.0) and ours in (0.0, 1.0)
    assert abs(ours - theirs) <= bound
    # a mean in float32 of int64 values near 2^31 that cancel: each library's own order
    values = [[2147483647, -2, 0], [-2147483648, 0, -3]]  # exactly -6 / 6 = -1
    means = [lib.tensor(values).mean(dtype=lib.float32).item() for lib in (torch, tinynn)]
    terms, sum_of_abs = 7, float(np.abs(np.array(values)).sum())  # 6 values (+1: the cast's rounding)
    assert all(abs(m - -1.0) <= terms * np.finfo(np.float32).eps * sum_of_abs / 6 for m in means)
    # scatter_add of -1e30 and 1 into a place holding 1e30 (float64): tinynn sums the src
    # entries first (0), PyTorch adds them into self in turn (1 on the course's machine)
    adds = []
    for lib in (torch, tinynn):
        place = lib.zeros(1, 4, dtype=lib.float64)
        place[0, 3] = 1e30
        src = lib.tensor([[-1e30, 1.0]], dtype=lib.float64)
        adds.append(place.scatter_add(1, lib.tensor([[3, 3]]), src)[0, 3].item())
    assert adds[1] == 0.0 and adds[0] in (0.0, 1.0)
    assert abs(adds[0] - adds[1]) <= 3 * np.finfo(np.float64).eps * 2e30
    # a float32 dot product whose product overflows: inf + (1e30 * -1e30) is inf with a fused
    # multiply-add (the product is never rounded), nan without; both are non-finite
    a, b = [np.inf, 0.0, 1e30], [np.inf, 0.0, -1e30]
    theirs, ours = (lib.tensor([a]) @ lib.tensor([b]).T for lib in (torch, tinynn))
    assert torch.isnan(theirs).all()
    assert not np.isfinite(ours.item())
    # nll_loss of log-probabilities 1e30, -1e30 and 1 at the targets: the samples' losses
    # -1e30, 1e30 and -1, summed in two orders (exactly: -1, a mean of -1/3)
    log_probs, targets = [[0.0, 1e30, 0.0], [0.0, -1e30, 0.0], [0.0, 1.0, 0.0]], [1, 1, 1]
    theirs, ours = (lib.nn.functional.nll_loss(lib.tensor(log_probs), lib.tensor(targets)).item()
                    for lib in (torch, tinynn))
    assert ours == np.float32(-1 / 3) and theirs in (0.0, np.float32(-1 / 3))
    assert abs(ours - theirs) <= 4 * np.finfo(np.float32).eps * (2e30 + 1) / 3


def test_convolutions_over_an_input_with_no_channels():
    shapes = {}
    for lib in (torch, tinynn):
        x = lib.zeros(2, 0, 5, requires_grad=True)
        w, b = lib.zeros(3, 0, 2, requires_grad=True), lib.ones(3)
        y = lib.nn.functional.conv1d(x, w, b)
        y.sum().backward()
        shapes[lib] = (tuple(y.shape), tuple(x.grad.shape), tuple(w.grad.shape))
        assert tuple(lib.nn.functional.conv1d(lib.zeros(0, 3, 5), lib.zeros(3, 3, 2)).shape) == (0, 3, 4)
    assert shapes[torch] == ((2, 0, 4), (2, 0, 5), (3, 0, 2))
    assert shapes[tinynn] == ((2, 3, 4), (2, 0, 5), (3, 0, 2))
    ours = tinynn.nn.functional.conv2d(tinynn.zeros(2, 0, 5, 4), tinynn.zeros(3, 0, 2, 2), tinynn.tensor([1.0, 2.0, 3.0]))
    assert ours.shape == (2, 3, 4, 3) and ours[:, 1].eq(2.0).all()


def test_conv_with_a_non_finite_weight_over_the_padding():
    x = np.zeros((2, 3, 6, 5), dtype=np.float32)
    w = np.zeros((4, 3, 3, 2), dtype=np.float32)
    w[3, 2, 2, 1] = np.nan  # the window's last tap: on the padding along the last row and column
    theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), padding=1)[0, 3].numpy()
    # oneDNN's kernel skips the taps on the padding (0 along the last row and column); held
    # to older instruction sets (DNNL_MAX_CPU_ISA=SSE41), PyTorch multiplies them: nan everywhere
    skipped = np.isnan(theirs[:5, :5]).all() and (theirs[5, :] == 0).all() and (theirs[:, 5] == 0).all()
    assert skipped or np.isnan(theirs).all()
    small = torch.nn.functional.conv2d(torch.zeros(1, 1, 3, 3), torch.tensor(w[3:, 2:]), padding=1)
    assert torch.isnan(small).all()  # another kernel: nan everywhere
    ours = tinynn.nn.functional.conv2d(tinynn.tensor(x), tinynn.tensor(w), padding=1)
    padded = tinynn.nn.functional.pad(tinynn.tensor(x), (1, 1, 1, 1))
    assert np.isnan(ours[0, 3].numpy()).all()
    np.testing.assert_array_equal(ours.numpy(), tinynn.nn.functional.conv2d(padded, tinynn.tensor(w)).numpy())



def _backward_outcome(run, message: str) -> str:
    """"ok" if ``run()`` (a backward pass) completes; "error" if it raises PyTorch's
    RuntimeError, whose text holds ``message``."""
    try:
        run()
    except RuntimeError as error:
        assert message in str(error), error
        return "error"
    return "ok"


def test_an_input_changed_in_place_between_forward_and_backward():
    F = {torch: torch.nn.functional, tinynn: tinynn.nn.functional}
    modified = "modified by an inplace operation"

    def outcome(lib, op, changed="x", needs=("x",)):
        x0 = lib.tensor(np.linspace(-2, 2, 24, dtype=np.float32).reshape(1, 2, 3, 4), requires_grad="x" in needs)
        w0 = lib.tensor(np.linspace(0.5, 1.5, 24, dtype=np.float32).reshape(1, 2, 3, 4), requires_grad="w" in needs)
        x, w = x0 * 1, w0 * 1
        y = op(lib, x, w)
        (x if changed == "x" else w).add_(0.5)
        return _backward_outcome(lambda: y.sum().backward(), "inplace")  # (or a view's "modified inplace")

    # PyTorch saved the input; tinynn's backward does not read it
    for op in (lambda lib, x, w: F[lib].max_pool2d(x, 2),
               lambda lib, x, w: F[lib].avg_pool2d(x, 2),
               lambda lib, x, w: F[lib].pad(x, (1, 1, 1, 1), mode="reflect"),
               lambda lib, x, w: x.amax(-1),
               lambda lib, x, w: x.max(),
               lambda lib, x, w: x.gather(-1, lib.zeros(1, 2, 3, 1, dtype=lib.int64)),
               lambda lib, x, w: F[lib].mse_loss(x, w),
               lambda lib, x, w: F[lib].huber_loss(x, w),
               lambda lib, x, w: x.chunk(2, 1)[0],
               lambda lib, x, w: x.split(1, 1)[1],
               lambda lib, x, w: x.unbind(1)[0]):
        assert outcome(torch, op) == "error" and outcome(tinynn, op) == "ok"
    for changed in ("x", "weight"):  # group_norm, when only its weight needs a gradient
        results = []
        for lib in (torch, tinynn):
            x = lib.tensor(np.linspace(-2, 2, 24, dtype=np.float32).reshape(1, 2, 3, 4))
            weight = lib.tensor([0.5, 1.5], requires_grad=True) * 1
            y = F[lib].group_norm(x, 2, weight)
            (x if changed == "x" else weight).add_(0.5)
            results.append(_backward_outcome(lambda: y.sum().backward(), modified))
        assert results == ["error", "ok"]
    # and the other way round: the query, when the key needs a gradient
    attention = lambda lib, x, w: F[lib].scaled_dot_product_attention(x[0], w[0], w[0])  # noqa: E731
    assert outcome(torch, attention, "x", needs=("w",)) == "ok"
    assert outcome(tinynn, attention, "x", needs=("w",)) == "error"
    # the activations with a backward op of their own save their input, as in PyTorch
    for name in ("logsigmoid", "silu", "mish", "elu", "hardswish", "hardsigmoid", "gelu"):
        op = lambda lib, x, w: getattr(F[lib], name)(x)  # noqa: E731
        assert outcome(torch, op) == outcome(tinynn, op) == "error", name
    # both give the gradient at the forward's values where neither raises (a product)
    assert outcome(torch, lambda lib, x, w: x @ w.mT) == outcome(tinynn, lambda lib, x, w: x @ w.mT) == "ok"

    def leaf(lib):
        return lib.tensor([[1.0, -2.0, 3.0], [-1.0, 5.0, 0.5]], requires_grad=True)

    # a second backward without retain_graph through ops that keep their positions as arrays
    for op in (lambda lib, x: x.max(), lambda lib, x: x.amax(1), lambda lib, x: x[lib.tensor([0, 1])],
               lambda lib, x: x[x > 0], lambda lib, x: F[lib].max_pool1d(x.unsqueeze(0), 2)):
        results = []
        for lib in (torch, tinynn):
            x = leaf(lib)
            y = op(lib, x).sum()
            y.backward()
            results.append(_backward_outcome(y.backward, "second time"))
        assert results == ["error", "ok"]
        once = leaf(tinynn)
        op(tinynn, once).sum().backward()
        assert x.grad.tolist() == (2 * once.grad).tolist()  # the same gradient, added twice
    # the result of prod changed in place (logsumexp saves its result in both: test_inplace.py)
    for op in (lambda x: x.prod(1),):
        results = []
        for lib in (torch, tinynn):
            x = leaf(lib)
            y = op(x)
            y.mul_(2)
            results.append(_backward_outcome(lambda: y.sum().backward(), modified))
        assert results == ["error", "ok"]
        again = leaf(tinynn)
        (2 * op(again)).sum().backward()
        assert np.allclose(x.grad.numpy(), again.grad.numpy())  # the gradient of the forward's values


def test_float16_activations_and_log_softmax():
    values = np.random.default_rng(3).uniform(-3, 3, (256, 40)).astype(np.float16)
    exact = torch.tensor(values, dtype=torch.float64).log_softmax(1).numpy().astype(np.float16)
    theirs = torch.tensor(values).log_softmax(1).numpy()
    ours = tinynn.tensor(values).log_softmax(1).numpy()
    np.testing.assert_array_equal(ours, exact)  # tinynn: the correctly rounded log_softmax
    assert np.any(theirs != exact)  # PyTorch's: a sixth of the elements differ on the course's machine
    a = torch.nn.functional.normalize(torch.tensor(values), dim=1).numpy().astype(np.float64)
    b = tinynn.nn.functional.normalize(tinynn.tensor(values), dim=1).numpy().astype(np.float64)
    assert np.any(a != b)  # still computed in float16 by numpy ...
    assert np.all(np.abs(a - b) <= 2 * np.spacing(np.abs(a).astype(np.float16)).astype(np.float64))  # ... within 2 ulp
    for op in (lambda lib, x: x[:, :6].prod(1), lambda lib, x: lib.add(x, x.flip(0), alpha=1.1),
               lambda lib, x: x // 1.1):  # computed otherwise: some elements differ
        assert np.any(op(torch, torch.tensor(values)).numpy() != op(tinynn, tinynn.tensor(values)).numpy())


def test_set_printoptions_with_an_unknown_profile():
    try:
        torch.set_printoptions(profile="ful")  # ignored
        with pytest.raises(ValueError, match="profile must be one of"):
            tinynn.set_printoptions(profile="ful")
    finally:
        torch.set_printoptions(profile="default")
        tinynn.set_printoptions(profile="default")


def test_an_lstm_hx_of_three_tensors_for_an_unbatched_input():
    torch_lstm, tinynn_lstm = torch.nn.LSTM(3, 4), tinynn.nn.LSTM(3, 4)
    h = torch.zeros(1, 4)
    _, (h_n, _) = torch_lstm(torch.zeros(5, 3), (h, h, h))  # runs, the third ignored
    assert h_n.shape == (1, 4)
    with pytest.raises(RuntimeError, match="lstm expects two hidden states"):
        torch_lstm(torch.zeros(5, 2, 3), (torch.zeros(1, 2, 4),) * 3)
    t = tinynn.zeros(1, 4)
    with pytest.raises(RuntimeError, match="lstm expects two hidden states"):
        tinynn_lstm(tinynn.zeros(5, 3), (t, t, t))


def test_circular_padding_that_wraps_past_what_a_negative_pad_leaves():
    assert torch.nn.functional.pad(torch.arange(5.0).reshape(1, 1, 5), (-5, 1), mode="circular").shape == (1, 1, 1)
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        tinynn.nn.functional.pad(tinynn.arange(5.0).reshape(1, 1, 5), (-5, 1), mode="circular")
    for lib in (torch, tinynn):  # a wrap within what is left: the same values
        x = lib.arange(5.0).reshape(1, 1, 5)
        assert lib.nn.functional.pad(x, (-2, 2), mode="circular").tolist() == [[[2.0, 3.0, 4.0, 2.0, 3.0]]]


def test_module_list_insert_at_a_negative_index_or_past_the_end():
    t = torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh()])
    with pytest.raises(KeyError):
        t.insert(-1, torch.nn.Sigmoid())
    t = torch.nn.ModuleList([torch.nn.ReLU()])
    t.insert(5, torch.nn.Tanh())
    assert list(t._modules) == ["0", "5"]
    n = tinynn.nn.ModuleList([tinynn.nn.ReLU(), tinynn.nn.Tanh()])
    n.insert(-1, tinynn.nn.Sigmoid())
    assert [type(m).__name__ for m in n] == ["ReLU", "Sigmoid", "Tanh"]
    n = tinynn.nn.ModuleList([tinynn.nn.ReLU()])
    n.insert(5, tinynn.nn.Tanh())
    assert list(n._modules) == ["0", "1"]


CHECKS = {
    "Devices": test_devices,
    "Random numbers": test_random_numbers,
    "Dtypes covered": test_dtypes_covered,
    "grad_fn names": test_grad_fn_names,
    "grad_fn.next_functions": test_grad_fn_next_functions,
    "Order of the backward engine": test_order_of_the_backward_engine,
    "inference_mode": test_inference_mode,
    "max(dim) / min(dim) results": test_max_dim_min_dim_results,
    "Error message texts": test_error_message_texts,
    "Views after an in-place op": test_views_after_an_in_place_op,
    "autograd.Variable": test_autograd_variable,
    "DataLoader workers": test_dataloader_workers,
    "Optimizer implementation flags": test_optimizer_implementation_flags,
    "kl_div gradient with respect to a zero target": test_kl_div_gradient_with_respect_to_a_zero_target,
    "Saving and loading": test_saving_and_loading,
    "conv_transpose2d output_padding": test_conv_transpose2d_output_padding,
    "Rarely used options": test_rarely_used_options,
    "interpolate modes": test_interpolate_modes,
    "Single-sample nll_loss / cross_entropy with a (1,) target": test_single_sample_loss_with_a_one_element_target,
    "In-place arithmetic on overlapping unfold windows": test_in_place_arithmetic_on_overlapping_unfold_windows,
    "Embedding(sparse=True)": test_embedding_sparse,
    "pack_padded_sequence with a length larger than T": test_pack_padded_sequence_length_larger_than_t,
    "scaled_dot_product_attention with both attn_mask and is_causal=True": test_sdpa_attn_mask_and_is_causal,
    "scaled_dot_product_attention with key and value of different lengths":
        test_sdpa_key_and_value_of_different_lengths,
    "gelu(inf), and the gradients of hardtanh, elu, hardswish and the shrinks at nan": test_gelu_of_inf_and_hardtanh_gradient_at_nan,
    "In-place asinh_, acosh_, atanh_ with grad": test_in_place_inverse_hyperbolic_with_grad,
    "softmax / log_softmax with out= and an input that requires grad": test_softmax_out_with_grad,
    "Order of equal values in topk and sort": test_order_of_equal_values_in_topk_and_sort,
    "Second derivative of norm(p='nuc')": test_second_derivative_of_the_nuclear_norm,
    "In-place comparison, fill_ or masked_fill_ of an integer tensor with an operand that requires grad":
        test_in_place_comparison_or_fill_of_an_integer_tensor_with_an_operand_that_requires_grad,
    "scatter / scatter_add with a src larger than index": test_scatter_with_src_larger_than_index,
    "fmod and remainder where the quotient overflows": test_fmod_and_remainder_where_the_quotient_overflows,
    "The weights of linear interpolation": test_the_weights_of_linear_interpolation,
    "index_fill with a negative index and a value that requires grad":
        test_index_fill_with_a_negative_index_and_a_value_requiring_grad,
    "pixel_shuffle and pixel_unshuffle of an empty tensor": test_pixel_shuffle_and_unshuffle_of_an_empty_tensor,
    "Strides of a tensor with no elements": test_strides_of_a_tensor_with_no_elements,
    "Normalisation of values whose square overflows": test_layer_norm_of_a_row_whose_variance_overflows,
    "Normalisation with an infinite weight": test_batch_norm_and_group_norm_with_an_infinite_weight,
    "Normalisation gradients with eps=0 and a tiny variance": test_normalisation_gradients_with_eps_0_and_a_tiny_variance,
    "Third derivatives of layer_norm": test_third_derivative_of_layer_norm,
    "addcmul_ where its product overflows": test_addcmul_where_the_product_overflows,
    "addcmul_ / addcdiv_ gradients through an integer operand and a fractional value":
        test_addcmul_gradient_through_an_integer_operand_and_a_fractional_value,
    "einsum with operands of several dtypes": test_einsum_with_operands_of_several_dtypes,
    "binary_cross_entropy_with_logits of a float32 input and a float64 target":
        test_bce_with_logits_of_a_float32_input_and_a_float64_target,
    "addmm with alpha=0 and a nan or inf in mat1 or mat2": test_addmm_with_alpha_0_and_a_nan_in_mat2,
    "addcdiv_'s gradient with respect to tensor2 where its square underflows":
        test_addcdiv_gradient_where_the_square_of_tensor2_underflows,
    "Sums whose terms cancel (sum, mean, matrix products, convolutions, average pooling, linear interpolation, "
    "scatter_add, the reduction of nll_loss and cross_entropy)":
        test_sums_whose_terms_cancel_in_conv,
    "Convolutions over an input with no channels": test_convolutions_over_an_input_with_no_channels,
    "conv1d / conv2d with a nan or inf weight, where the window reaches into the padding":
        test_conv_with_a_non_finite_weight_over_the_padding,
    "conv1d / conv2d with padding='same' or 'valid' and a bias of another dtype":
        test_conv_with_string_padding_and_a_bias_of_another_dtype,
    "Indexing with True or False next to other indices, or with two ...":
        test_indexing_with_a_bool_next_to_other_indices_or_two_ellipses,
    "Second derivatives of the 2-norm over a dim where a norm is 0":
        test_second_derivative_of_a_two_norm_over_a_dim_where_a_norm_is_0,
    "An input changed in place between the forward and the backward":
        test_an_input_changed_in_place_between_forward_and_backward,
    "float16 activations and log_softmax": test_float16_activations_and_log_softmax,
    "set_printoptions with an unknown profile": test_set_printoptions_with_an_unknown_profile,
    "An LSTM's hx of three tensors for an unbatched input": test_an_lstm_hx_of_three_tensors_for_an_unbatched_input,
    "Circular padding that wraps past what a negative pad leaves":
        test_circular_padding_that_wraps_past_what_a_negative_pad_leaves,
    "ModuleList.insert at a negative index or past the end": test_module_list_insert_at_a_negative_index_or_past_the_end,
}


def test_every_row_has_a_check():
    rows = table_rows()
    assert rows, f"no table found in {PAGE}"
    assert sorted(rows) == sorted(CHECKS), (
        f"rows without a check: {sorted(set(rows) - set(CHECKS))}; "
        f"checks without a row: {sorted(set(CHECKS) - set(rows))}"
    )
