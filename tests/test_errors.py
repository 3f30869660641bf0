"""Error parity: each misuse raises the same exception type in tinynn as in PyTorch.

``assert_same_error(fn)`` (tests/helpers.py) runs ``fn(torch)`` and ``fn(tinynn)``, requires
both to raise, and checks that the exception types are the same. Where PyTorch's message
names the shapes or sizes involved, tinynn's must name them too (and it usually also says
how to fix it).
"""
from __future__ import annotations

import re

import pytest

from helpers import assert_same_error


def req(lib, *shape):
    return lib.ones(*shape, requires_grad=True)


def assert_mentions(error: Exception, *fragments: str) -> None:
    message = str(error)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in message: {message}"


# -- the misuses named in the issue, each with its message checked -------------------------------
def test_view_of_non_contiguous_tensor():
    ours, _ = assert_same_error(lambda lib: lib.zeros(2, 3).t().view(6))
    assert_mentions(ours, "[3, 2]", "reshape", "contiguous()")


def test_backward_on_non_scalar_without_gradient():
    ours, _ = assert_same_error(lambda lib: (req(lib, 3) * 2).backward())
    assert_mentions(ours, "scalar outputs", "[3]", "gradient=")


def test_second_backward_through_freed_graph():
    def fn(lib):
        y = (req(lib, 3) * req(lib, 3)).sum()
        y.backward()
        y.backward()

    ours, _ = assert_same_error(fn)
    assert_mentions(ours, "second time", "retain_graph=True")


def test_requires_grad_on_integer_tensor():
    ours, _ = assert_same_error(lambda lib: lib.tensor([1, 2]).requires_grad_())
    assert_mentions(ours, "floating point", "int64", ".float()")


def test_requires_grad_on_integer_factory():
    assert_same_error(lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True))


def test_matmul_shape_mismatch():
    ours, theirs = assert_same_error(lambda lib: lib.zeros(2, 3) @ lib.zeros(4, 5))
    assert_mentions(theirs, "2x3", "4x5")
    assert_mentions(ours, "2x3", "4x5")


@pytest.mark.parametrize("a, b", [
    ((3,), (4,)), ((2, 3), (4,)), ((3,), (4, 2)), ((2, 2, 3), (2, 4, 5)), ((2, 2, 3), (3, 3, 5)),
    ((), (3,)),
], ids=str)
def test_matmul_rank_and_size_mismatches(a, b):
    ours, theirs = assert_same_error(lambda lib: lib.zeros(a) @ lib.zeros(b))
    for number in re.findall(r"\d+", str(theirs)):
        assert number in str(ours), f"PyTorch's message names {number}: {theirs}\ntinynn's: {ours}"


def test_matmul_dtype_mismatch():
    assert_same_error(lambda lib: lib.zeros(2, 2) @ lib.zeros(2, 2, dtype=lib.float64))


def test_numpy_on_tensor_requiring_grad():
    ours, _ = assert_same_error(lambda lib: req(lib, 2).numpy())
    assert_mentions(ours, "detach().numpy()")


# -- indexing ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape, index", [
    ((3,), lambda lib: 5), ((3,), lambda lib: -4), ((3, 3), lambda lib: (slice(None), 3)),
    ((3,), lambda lib: lib.tensor([0, 3])), ((3, 3), lambda lib: (0, 0, 0)), ((3,), lambda lib: lib.tensor([0.0])),
    ((3,), lambda lib: lib.tensor([True, False])),
], ids=["int", "negative_int", "second_dim", "int_tensor", "too_many", "float_tensor", "mask_shape"])
def test_indexing_errors(shape, index):
    ours, _ = assert_same_error(lambda lib: lib.zeros(*shape)[index(lib)])
    assert isinstance(ours, IndexError)


def test_index_out_of_range_names_the_size():
    ours, theirs = assert_same_error(lambda lib: lib.zeros(2, 3)[:, 3])
    assert_mentions(ours, "index 3", "size 3", "[2, 3]")


def test_negative_slice_step():
    ours, _ = assert_same_error(lambda lib: lib.zeros(3)[::-1])
    assert_mentions(ours, "step must be greater than zero")


def test_zero_slice_step():
    assert_same_error(lambda lib: lib.zeros(3)[::0])


def test_setitem_shape_mismatch():
    ours, _ = assert_same_error(lambda lib: lib.zeros(2, 3).__setitem__(0, lib.zeros(2)))
    assert_mentions(ours, "[2]", "[3]")


def test_setitem_with_mask_shape_mismatch():
    ours, theirs = assert_same_error(
        lambda lib: lib.zeros(3).__setitem__(lib.tensor([True, False, True]), lib.zeros(3)))
    assert_mentions(ours, "[3]", "[2]")


def test_gather_index_out_of_range():
    assert_same_error(lambda lib: lib.zeros(2, 2).gather(1, lib.tensor([[0, 2], [1, 0]])))


def test_gather_index_rank_mismatch():
    assert_same_error(lambda lib: lib.zeros(2, 2).gather(1, lib.tensor([0, 1])))


def test_index_select_with_float_index():
    assert_same_error(lambda lib: lib.zeros(3).index_select(0, lib.tensor([0.0])))


def test_narrow_past_the_end():
    ours, _ = assert_same_error(lambda lib: lib.zeros(3).narrow(0, 2, 2))
    assert_mentions(ours, "exceeds dimension size (3)")


# -- shapes -----------------------------------------------------------------------------------------
def test_cat_size_mismatch():
    ours, theirs = assert_same_error(lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(2, 4)]))
    assert_mentions(ours, "Expected size 3 but got size 4", "tensor number 1", "[2, 3]", "[2, 4]")


def test_cat_rank_mismatch():
    ours, _ = assert_same_error(lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(3)]))
    assert_mentions(ours, "got 2 and 1")


def test_cat_rank_mismatch_where_the_other_sizes_agree():
    """(2, 3) and (2,) along dim 1: every size but dim 1's agrees, the ranks do not."""
    ours, _ = assert_same_error(lambda lib: lib.cat([lib.zeros(2, 3), lib.zeros(2)], 1))
    assert_mentions(ours, "got 2 and 1")


def test_cat_empty_list():
    assert_same_error(lambda lib: lib.cat([]))


def test_cat_zero_dim_tensors():
    assert_same_error(lambda lib: lib.cat([lib.tensor(1.0), lib.tensor(2.0)]))


def test_stack_shape_mismatch():
    ours, _ = assert_same_error(lambda lib: lib.stack([lib.zeros(2, 3), lib.zeros(3, 2)]))
    assert_mentions(ours, "[2, 3]", "[3, 2]")


def test_stack_empty_list():
    assert_same_error(lambda lib: lib.stack([]))


@pytest.mark.parametrize("a, b", [((2, 3), (4,)), ((2, 3), (2, 1, 4, 2)), ((5,), (2, 3))], ids=str)
def test_broadcasting_mismatch(a, b):
    ours, theirs = assert_same_error(lambda lib: lib.zeros(*a) + lib.zeros(*b))
    # same sizes and dimension named as PyTorch's, plus both shapes
    assert str(theirs).split(" (")[0] in str(ours) or str(theirs) in str(ours)
    assert_mentions(ours, str(list(a)), str(list(b)))


def test_broadcasting_mismatch_in_where():
    assert_same_error(lambda lib: lib.where(lib.zeros(3) > 0, lib.zeros(3), lib.zeros(4)))


def test_broadcasting_mismatch_in_comparison():
    assert_same_error(lambda lib: lib.zeros(3) < lib.zeros(4))


def test_in_place_result_cannot_take_the_broadcast_shape():
    ours, _ = assert_same_error(lambda lib: lib.zeros(3).add_(lib.zeros(2, 3)))
    assert_mentions(ours, "[3]", "[2, 3]")


@pytest.mark.parametrize("shape", [(4, 4), (5,), (-1, 4)], ids=str)
def test_reshape_invalid_size(shape):
    ours, theirs = assert_same_error(lambda lib: lib.zeros(2, 3).reshape(*shape))
    assert str(theirs) in str(ours)


def test_view_invalid_size():
    assert_same_error(lambda lib: lib.zeros(2, 3).view(4))


def test_view_two_inferred_dims():
    assert_same_error(lambda lib: lib.zeros(2, 3).view(-1, -1))


def test_view_negative_size():
    assert_same_error(lambda lib: lib.zeros(2, 3).view(-2, 3))


def test_expand_incompatible_size():
    ours, theirs = assert_same_error(lambda lib: lib.zeros(2, 3).expand(4, 3))
    assert str(theirs) in str(ours)


def test_expand_fewer_sizes_than_dims():
    assert_same_error(lambda lib: lib.zeros(2, 3).expand(3))


def test_permute_wrong_number_of_dims():
    assert_same_error(lambda lib: lib.zeros(2, 3).permute(0))


def test_permute_duplicate_dims():
    assert_same_error(lambda lib: lib.zeros(2, 3).permute(0, 0))


def test_t_of_3d_tensor():
    assert_same_error(lambda lib: lib.zeros(2, 3, 4).t())


def test_flatten_start_after_end():
    assert_same_error(lambda lib: lib.zeros(2, 3, 4).flatten(2, 1))


def test_unflatten_wrong_sizes():
    ours, theirs = assert_same_error(lambda lib: lib.zeros(2, 6).unflatten(1, (4, 2)))
    assert str(theirs) in str(ours)


def test_chunk_zero():
    assert_same_error(lambda lib: lib.zeros(4).chunk(0))


def test_split_sizes_do_not_sum():
    assert_same_error(lambda lib: lib.zeros(4).split([1, 2]))


def test_repeat_with_fewer_dims():
    assert_same_error(lambda lib: lib.zeros(2, 3).repeat(2))


def test_sum_to_size_not_expandable():
    assert_same_error(lambda lib: lib.zeros(2, 3).sum_to_size(4))


@pytest.mark.parametrize("call", [
    lambda x: x.squeeze(2), lambda x: x.unsqueeze(3), lambda x: x.sum(2), lambda x: x.mean(-3),
    lambda x: x.softmax(2), lambda x: x.max(5), lambda x: x.size(2), lambda x: x.transpose(0, 2),
    lambda x: x.argmax(2), lambda x: x.flatten(0, 2), lambda x: x.stride(2),
], ids=["squeeze", "unsqueeze", "sum", "mean", "softmax", "max", "size", "transpose", "argmax", "flatten", "stride"])
def test_dim_out_of_range(call):
    ours, theirs = assert_same_error(lambda lib: call(lib.zeros(2, 1)))
    assert isinstance(ours, IndexError)
    assert str(theirs) in str(ours)


# -- scalars and conversions --------------------------------------------------------------------------
def test_item_on_multi_element_tensor():
    ours, theirs = assert_same_error(lambda lib: lib.zeros(2, 3).item())
    assert_mentions(ours, "6 elements")


def test_float_of_multi_element_tensor():
    assert_same_error(lambda lib: float(lib.zeros(2)))


def test_int_of_multi_element_tensor():
    assert_same_error(lambda lib: int(lib.zeros(2)))


def test_bool_of_multi_element_tensor():
    ours, _ = assert_same_error(lambda lib: bool(lib.zeros(2)))
    assert_mentions(ours, "ambiguous", ".any()")


def test_float_tensor_as_python_index():
    assert_same_error(lambda lib: [1, 2][lib.tensor(1.0)])


def test_len_of_0d_tensor():
    assert_same_error(lambda lib: len(lib.tensor(1.0)))


def test_iterating_a_0d_tensor():
    assert_same_error(lambda lib: iter(lib.tensor(1.0)))


# -- autograd -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda x: x.add_(1), lambda x: x.__iadd__(1), lambda x: x.mul_(2), lambda x: x.zero_(), lambda x: x.fill_(1.0),
    lambda x: x.copy_(x.detach() * 2), lambda x: x.__setitem__(0, 1.0), lambda x: x.clamp_(0, 1),
], ids=["add_", "iadd", "mul_", "zero_", "fill_", "copy_", "setitem", "clamp_"])
def test_in_place_on_leaf_requiring_grad(op):
    ours, _ = assert_same_error(lambda lib: op(req(lib, 2)))
    assert_mentions(ours, "leaf Variable that requires grad", "no_grad")


def test_autograd_grad_on_unused_input():
    ours, _ = assert_same_error(lambda lib: lib.autograd.grad((req(lib, 2) * 2).sum(), [req(lib, 2)]))
    assert_mentions(ours, "allow_unused=True")


def test_autograd_grad_on_input_not_requiring_grad():
    assert_same_error(lambda lib: lib.autograd.grad((req(lib, 2) * 2).sum(), [lib.ones(2)]))


def test_autograd_grad_on_non_scalar_output_without_grad_outputs():
    assert_same_error(lambda lib: lib.autograd.grad(req(lib, 3) * 2, req(lib, 3)))


def test_backward_on_tensor_not_requiring_grad():
    ours, _ = assert_same_error(lambda lib: lib.ones(2).sum().backward())
    assert_mentions(ours, "does not require grad")


def test_backward_on_result_computed_under_no_grad():
    def fn(lib):
        x = req(lib, 2)
        with lib.no_grad():
            y = (x * 2).sum()
        y.backward()

    assert_same_error(fn)


def test_backward_gradient_of_wrong_shape():
    ours, _ = assert_same_error(lambda lib: (req(lib, 3) * 2).backward(lib.ones(2)))
    assert_mentions(ours, "[2]", "[3]")


def test_grad_outputs_of_wrong_shape():
    assert_same_error(lambda lib: lib.autograd.grad(req(lib, 3) * 2, req(lib, 3), lib.ones(4)))


def test_modified_saved_tensor():
    def fn(lib):
        y = req(lib, 2) * 2
        z = (y * y).sum()
        y.add_(1)
        z.backward()

    ours, _ = assert_same_error(fn)
    assert_mentions(ours, "modified by an inplace operation", "[2]", "version")


def test_requires_grad_false_on_non_leaf():
    assert_same_error(lambda lib: (req(lib, 2) * 2).requires_grad_(False))


def test_retain_grad_on_tensor_not_requiring_grad():
    assert_same_error(lambda lib: lib.ones(2).retain_grad())


def test_register_hook_on_tensor_not_requiring_grad():
    assert_same_error(lambda lib: lib.ones(2).register_hook(lambda g: g))


def test_assign_grad_of_wrong_shape():
    def fn(lib):
        req(lib, 3).grad = lib.zeros(2)

    ours, _ = assert_same_error(fn)
    assert_mentions(ours, "[2]", "[3]")


def test_assign_grad_that_is_not_a_tensor():
    def fn(lib):
        req(lib, 3).grad = [1.0, 2.0, 3.0]

    assert_same_error(fn)


def test_in_place_on_expanded_tensor():
    assert_same_error(lambda lib: lib.zeros(1, 3).expand(2, 3).add_(1))


# -- dtypes ----------------------------------------------------------------------------------------
def test_in_place_result_cannot_be_cast():
    assert_same_error(lambda lib: lib.tensor([1, 2]).add_(1.5))


def test_mean_of_integer_tensor():
    assert_same_error(lambda lib: lib.tensor([1, 2]).mean())


def test_var_of_integer_tensor():
    assert_same_error(lambda lib: lib.tensor([1, 2]).var())


def test_subtracting_bool_tensors():
    assert_same_error(lambda lib: lib.tensor([True]) - lib.tensor([False]))


def test_bool_tensor_minus_number():
    assert_same_error(lambda lib: lib.tensor([True]) - 1)


def test_negating_a_bool_tensor():
    assert_same_error(lambda lib: -lib.tensor([True]))


def test_bool_to_the_power_of_bool_tensor():
    assert_same_error(lambda lib: lib.tensor([True]) ** lib.tensor([True]))


def test_integer_to_negative_integer_power():
    assert_same_error(lambda lib: lib.tensor([2]) ** -1)


def test_where_with_non_bool_condition():
    assert_same_error(lambda lib: lib.where(lib.tensor([1, 0]), lib.zeros(2), lib.ones(2)))


def test_masked_fill_with_non_bool_mask():
    assert_same_error(lambda lib: lib.zeros(2).masked_fill(lib.tensor([1, 0]), 1.0))


def test_masked_fill_with_non_0d_value():
    assert_same_error(lambda lib: lib.zeros(2).masked_fill(lib.tensor([True, False]), lib.zeros(2)))


def test_bitwise_and_of_floats():
    assert_same_error(lambda lib: lib.zeros(2) & lib.zeros(2))


def test_invert_of_floats():
    assert_same_error(lambda lib: ~lib.zeros(2))


def test_set_default_dtype_to_integer():
    assert_same_error(lambda lib: lib.set_default_dtype(lib.int64))


# -- factories -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("factory", [
    lambda lib: lib.zeros(-1), lambda lib: lib.ones(2, -3), lambda lib: lib.empty(-1), lambda lib: lib.rand(-2),
    lambda lib: lib.randn(-1), lambda lib: lib.full((-1,), 2.0), lambda lib: lib.randint(0, 3, (-1,)),
    lambda lib: lib.eye(-1),
], ids=["zeros", "ones", "empty", "rand", "randn", "full", "randint", "eye"])
def test_negative_size(factory):
    assert_same_error(factory)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_factory_without_size(name):
    assert_same_error(lambda lib: getattr(lib, name)())


def test_arange_zero_step():
    assert_same_error(lambda lib: lib.arange(0, 3, 0))


def test_randint_empty_range():
    assert_same_error(lambda lib: lib.randint(3, 2, (2,)))


@pytest.mark.parametrize("data", [[[1, 2], [3]], "abc", ["a"], None, {}, [None]],
                         ids=["ragged", "str", "str_list", "none", "dict", "none_list"])
def test_tensor_of_unsupported_data(data):
    assert_same_error(lambda lib: lib.tensor(data))


def test_from_numpy_of_a_list():
    assert_same_error(lambda lib: lib.from_numpy([1]))


def test_clamp_without_bounds():
    assert_same_error(lambda lib: lib.zeros(2).clamp())


# -- reductions -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda x: x.max(), lambda x: x.min(), lambda x: x.amax(), lambda x: x.argmax(), lambda x: x.max(0),
], ids=["max", "min", "amax", "argmax", "max_dim"])
def test_reduction_of_empty_tensor(call):
    assert_same_error(lambda lib: call(lib.zeros(0)))


def test_norm_over_three_dims():
    assert_same_error(lambda lib: lib.zeros(2, 2, 2).norm(dim=(0, 1, 2)))


def test_custom_function_returning_too_many_gradients():
    def fn(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, grad_output):
                return grad_output, grad_output

        Bad.apply(req(lib, 2)).sum().backward()

    ours, _ = assert_same_error(fn)
    assert_mentions(ours, "expected 1, got 2")
