"""Memory formats and layout: the order in which ``clone``, ``contiguous`` and the ``*_like``
functions lay out a new tensor's elements (``stride()``, ``is_contiguous()``), as in PyTorch.
Values are compared too, and so is the gradient through ``clone``."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_same_error

import tinynn

VIEWS = {
    "contiguous": lambda x: x,
    "transposed": lambda x: x.transpose(0, 3),
    "permuted": lambda x: x.permute(1, 2, 3, 0),
    "sliced": lambda x: x[:, ::2],
    "transposed_and_sliced": lambda x: x.transpose(0, 2)[::2],
    "expanded": lambda x: x[:, :1].expand(2, 3, 4, 5),
    "size_one_dims": lambda x: x[:1, :, :1],
    "scalar": lambda x: x[0, 0, 0, 0],
}
FORMATS = ["preserve_format", "contiguous_format", "channels_last"]


def _tensors(view):
    a = np.arange(120, dtype=np.float32).reshape(2, 3, 4, 5)
    return view(torch.tensor(a)), view(tinynn.tensor(a))


def _result(run, lib, x):
    """(strides, contiguous, channels-last contiguous, values), or the exception's type."""
    try:
        y = run(lib, x)
    except RuntimeError as error:
        return type(error).__name__, str(error)
    return (y.stride(), y.is_contiguous(), y.is_contiguous(memory_format=lib.channels_last),
            y.detach().numpy().tolist())


COPIES = [("clone", format) for format in FORMATS] + [("contiguous", "contiguous_format"), ("contiguous", "channels_last")]


@pytest.mark.parametrize("method, format", COPIES)
@pytest.mark.parametrize("view", sorted(VIEWS))
def test_clone_and_contiguous_lay_out_the_copy_as_torch(view, method, format):
    theirs, ours = _tensors(VIEWS[view])
    run = lambda lib, x: getattr(x, method)(memory_format=getattr(lib, format))  # noqa: E731
    assert _result(run, tinynn, ours) == _result(run, torch, theirs)


@pytest.mark.parametrize("view", ["contiguous", "transposed"])
def test_contiguous_with_preserve_format_as_torch(view):
    """Self when contiguous already; else PyTorch's error."""
    theirs, ours = _tensors(VIEWS[view])
    run = lambda lib, x: x.contiguous(memory_format=lib.preserve_format)  # noqa: E731
    assert _result(run, tinynn, ours) == _result(run, torch, theirs)


@pytest.mark.parametrize("name", ["zeros_like", "ones_like", "empty_like", "rand_like", "randn_like",
                                  "full_like", "randint_like"])
@pytest.mark.parametrize("format", FORMATS)
@pytest.mark.parametrize("view", ["transposed", "expanded", "sliced"])
def test_like_functions_lay_out_the_new_tensor_as_torch(name, format, view):
    """Only the layout is compared for the random ones (the values come from other generators)."""
    results = []
    for lib, x in zip((torch, tinynn), _tensors(VIEWS[view])):
        args = {"full_like": (7.0,), "randint_like": (5,)}.get(name, ())
        y = getattr(lib, name)(x, *args, memory_format=getattr(lib, format))
        values = y.numpy().tolist() if name in ("zeros_like", "ones_like", "full_like") else None
        results.append((y.shape, y.dtype is getattr(lib, "float32"), y.stride(), values))
    assert results[1] == results[0]


@pytest.mark.parametrize("format", FORMATS)
def test_a_copy_of_an_empty_tensor_has_row_major_strides(format):
    """tinynn gives every tensor with no elements row-major strides (the Deviations page,
    "Strides of a tensor with no elements"); PyTorch's copy keeps others. Shapes agree."""
    a = np.zeros((2, 0, 4, 5), dtype=np.float32)
    ours = tinynn.tensor(a).transpose(0, 2).clone(memory_format=getattr(tinynn, format))
    theirs = torch.tensor(a).transpose(0, 2).clone(memory_format=getattr(torch, format))
    assert ours.shape == theirs.shape and ours.stride() == torch.zeros(theirs.shape).stride() == (10, 10, 5, 1)


def test_clone_passes_the_gradient_through_whatever_the_layout():
    for lib in (torch, tinynn):
        x = lib.tensor(np.arange(120, dtype=np.float64).reshape(2, 3, 4, 5), requires_grad=True)
        y = x.clone(memory_format=lib.channels_last)
        (y * y).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), 2 * x.detach().numpy())
        assert type(y.grad_fn).__name__ == "CloneBackward0"


def test_layout_and_format_objects_print_as_torch_with_the_library_name():
    assert repr(tinynn.ones(2).layout) == "tinynn.strided" and repr(torch.ones(2).layout) == "torch.strided"
    assert tinynn.ones(2).layout is tinynn.strided
    for name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
        assert repr(getattr(tinynn, name)) == repr(getattr(torch, name)).replace("torch", "tinynn")
        assert isinstance(getattr(tinynn, name), tinynn.memory_format)


@pytest.mark.parametrize("call", [
    lambda lib: lib.ones(2, 3).clone(memory_format=3),
    lambda lib: lib.ones(2, 3).clone(memory_format=lib.channels_last),
    lambda lib: lib.ones(2, 3, 4, 5).clone(memory_format=lib.channels_last_3d),
    lambda lib: lib.zeros_like(lib.ones(2, 3), memory_format=lib.channels_last),
    lambda lib: lib.ones(2, 3).t().contiguous(memory_format=lib.preserve_format),
], ids=["not_a_format", "channels_last_of_2d", "channels_last_3d_of_4d", "zeros_like_channels_last_of_2d",
        "contiguous_preserve_of_transposed"])
def test_memory_format_misuse_raises_like_torch(call):
    assert_same_error(call)
