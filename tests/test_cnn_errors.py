"""Errors of the CNN layers and functions: the same exception type as PyTorch and, where
tinynn mirrors it, the same message (shapes included), so a learner's search for the
message finds the same answers.

Each case is a function of ``lib`` (tinynn or torch) that should raise. ``EXACT`` cases must
give PyTorch's message word for word (with "tinynn" read as "torch"); the others only the
same exception type, with a message that names the shapes involved.
"""
from __future__ import annotations

import warnings

import pytest
import torch

import tinynn


def F(lib):
    return lib.nn.functional


CASES = {
    # conv2d: ranks, channels, sizes
    "conv2d_2d_input": lambda lib: lib.nn.Conv2d(1, 10, 5)(lib.zeros(28, 28)),
    "conv2d_5d_input": lambda lib: lib.nn.Conv2d(1, 10, 5)(lib.zeros(1, 1, 1, 28, 28)),
    "conv2d_channel_mismatch": lambda lib: lib.nn.Conv2d(1, 10, 5)(lib.zeros(64, 3, 28, 28)),
    "conv2d_channel_mismatch_unbatched": lambda lib: F(lib).conv2d(lib.zeros(3, 5, 5), lib.zeros(5, 1, 3, 3)),
    "conv2d_channel_mismatch_groups": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 2, 3, 3), groups=3),
    "conv2d_kernel_larger_than_input": lambda lib: lib.nn.Conv2d(1, 10, 5)(lib.zeros(1, 1, 2, 2)),
    "conv2d_dilated_kernel_larger": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 4, 4), lib.zeros(4, 4, 3, 3), dilation=2, padding=(1, 0)),
    "conv2d_bias_wrong_size": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), lib.zeros(5)),
    "conv2d_bias_2d": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 4, 4), lib.zeros(4, 4, 3, 3), lib.zeros(4, 1)),
    "conv2d_weight_not_divisible_by_groups": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(5, 2, 3, 3), groups=2),
    # conv2d: arguments
    "conv2d_same_with_stride": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), stride=2, padding="same"),
    "conv2d_unknown_padding_string": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), padding="foo"),
    "conv2d_negative_padding": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), padding=-1),
    "conv2d_zero_stride": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), stride=0),
    "conv2d_zero_dilation": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), dilation=0),
    "conv2d_zero_groups": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), groups=0),
    "conv2d_three_strides": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), stride=(1, 2, 3)),
    "conv2d_three_paddings": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), padding=(1, 2, 3)),
    "conv2d_weight_dtype": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3, dtype=lib.float64)),
    "conv2d_input_dtype": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5, dtype=lib.float64), lib.zeros(6, 4, 3, 3)),
    "conv2d_bias_dtype": lambda lib: F(lib).conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(6, 4, 3, 3), lib.zeros(6, dtype=lib.float64)),
    # conv1d
    "conv1d_1d_input": lambda lib: F(lib).conv1d(lib.zeros(5), lib.zeros(6, 4, 3)),
    "conv1d_channel_mismatch": lambda lib: F(lib).conv1d(lib.zeros(2, 5, 10), lib.zeros(4, 3, 3)),
    "conv1d_kernel_larger_than_input": lambda lib: F(lib).conv1d(lib.zeros(2, 3, 2), lib.zeros(4, 3, 3)),
    # the layers' constructors
    "Conv2d_out_channels_not_divisible": lambda lib: lib.nn.Conv2d(4, 6, 3, groups=4),
    "Conv2d_in_channels_not_divisible": lambda lib: lib.nn.Conv2d(4, 6, 3, groups=3),
    "Conv2d_unknown_padding_mode": lambda lib: lib.nn.Conv2d(4, 6, 3, padding_mode="foo"),
    "Conv2d_same_with_stride": lambda lib: lib.nn.Conv2d(4, 6, 3, padding="same", stride=2),
    "Conv2d_unknown_padding_string": lambda lib: lib.nn.Conv2d(4, 6, 3, padding="foo"),
    "ConvTranspose2d_reflect": lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
    # pooling
    "max_pool2d_2d_input": lambda lib: F(lib).max_pool2d(lib.zeros(5, 5), 2),
    "max_pool2d_padding_above_half_kernel": lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 5, 5), 3, padding=2),
    "max_pool2d_output_too_small": lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 2, 2), 3),
    "max_pool2d_zero_kernel": lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 5, 5), 0, stride=1),
    "max_pool2d_zero_stride": lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 5, 5), 2, stride=0),
    "max_pool2d_zero_dilation": lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 5, 5), 2, dilation=0),
    "max_pool2d_negative_padding": lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 5, 5), 2, padding=-1),
    "max_pool2d_three_kernel_sizes": lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 5, 5), (2, 2, 2)),
    "avg_pool2d_2d_input": lambda lib: F(lib).avg_pool2d(lib.zeros(5, 5), 2),
    "avg_pool2d_padding_above_half_kernel": lambda lib: F(lib).avg_pool2d(lib.zeros(1, 1, 5, 5), 3, padding=2),
    "avg_pool2d_output_too_small": lambda lib: F(lib).avg_pool2d(lib.zeros(1, 1, 2, 2), 3),
    "avg_pool2d_zero_stride": lambda lib: F(lib).avg_pool2d(lib.zeros(1, 1, 5, 5), 2, stride=0),
    "avg_pool2d_zero_divisor": lambda lib: F(lib).avg_pool2d(lib.zeros(1, 1, 5, 5), 2, divisor_override=0),
    "adaptive_avg_pool2d_2d_input": lambda lib: F(lib).adaptive_avg_pool2d(lib.zeros(5, 5), 2),
    "adaptive_avg_pool2d_three_sizes": lambda lib: F(lib).adaptive_avg_pool2d(lib.zeros(1, 1, 5, 5), (2, 3, 4)),
    "adaptive_avg_pool2d_empty_input": lambda lib: F(lib).adaptive_avg_pool2d(lib.zeros(1, 1, 5, 0), 2),
    # batch norm
    "BatchNorm2d_3d_input": lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(3, 4, 4)),
    "BatchNorm1d_4d_input": lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(2, 3, 4, 4)),
    "BatchNorm1d_1d_input": lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(3)),
    "BatchNorm1d_single_sample_training": lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(1, 3)),
    "BatchNorm2d_single_value_per_channel": lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(1, 3, 1, 1)),
    "BatchNorm2d_channel_mismatch": lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(2, 4, 2, 2)),
    "batch_norm_eval_without_running_mean": lambda lib: F(lib).batch_norm(lib.zeros(2, 4), None, None, training=False),
    # dropout
    "dropout2d_p_above_one": lambda lib: F(lib).dropout2d(lib.zeros(2, 3, 4, 4), p=1.5),
    "Dropout2d_p_above_one": lambda lib: lib.nn.Dropout2d(1.5),
    # pad
    "pad_odd_length": lambda lib: F(lib).pad(lib.zeros(1, 1, 3, 3), (1, 2, 3)),
    "pad_too_long": lambda lib: F(lib).pad(lib.zeros(1, 1, 3, 3), (1,) * 10),
    "pad_reflect_wrong_length_for_rank": lambda lib: F(lib).pad(lib.zeros(1, 1, 3, 3), (3, 3), mode="reflect"),
    "pad_reflect_too_large": lambda lib: F(lib).pad(lib.zeros(1, 1, 3, 3), (3, 3, 0, 0), mode="reflect"),
    "pad_circular_wraps_twice": lambda lib: F(lib).pad(lib.zeros(1, 3, 3), (4, 4), mode="circular"),
    "pad_unknown_mode": lambda lib: F(lib).pad(lib.zeros(1, 1, 3, 3), (1, 1), mode="foo"),
    "pad_value_with_reflect": lambda lib: F(lib).pad(lib.zeros(1, 1, 3, 3), (1, 1, 1, 1), mode="reflect", value=1.0),
    "pad_float_entry": lambda lib: F(lib).pad(lib.zeros(1, 1, 3, 3), (1.0, 1)),
    "pad_reflect_crops_everything": lambda lib: F(lib).pad(lib.zeros(1, 5), (-5, 0), mode="reflect"),
    "pad_replicate_crops_every_dim": lambda lib: F(lib).pad(lib.zeros(1, 4, 5), (-5, 0, -4, 0), mode="replicate"),
    "pad_replicate_negative_size": lambda lib: F(lib).pad(lib.zeros(1, 1, 4, 5), (-7, 1, 0, 0), mode="replicate"),
    "pad_circular_negative_size": lambda lib: F(lib).pad(lib.zeros(1, 1, 4, 5), (-7, 1, 0, 0), mode="circular"),
    "pad_circular_wraps_past_the_crop": lambda lib: F(lib).pad(lib.zeros(1, 5), (-4, 2), mode="circular"),
    # conv_transpose2d
    "conv_transpose2d_weight_not_divisible_by_groups": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 3, 5, 5), lib.zeros(3, 1, 3, 3), groups=2),
    "conv_transpose2d_negative_padding": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(4, 1, 3, 3), padding=-1),
    "conv_transpose2d_negative_output_padding": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(4, 1, 3, 3), output_padding=-1),
    "conv_transpose2d_zero_stride": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(4, 1, 3, 3), stride=0),
    "conv_transpose2d_zero_dilation": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(4, 1, 3, 3), dilation=0),
    "conv_transpose2d_zero_groups": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(4, 1, 3, 3), groups=0),
    "conv_transpose2d_bias_wrong_size": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(4, 1, 3, 3), lib.zeros(3)),
    "conv_transpose2d_weight_dtype": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 5, 5), lib.zeros(4, 1, 3, 3, dtype=lib.float64)),
    "conv_transpose2d_output_too_small": lambda lib: F(lib).conv_transpose2d(lib.zeros(1, 4, 2, 2), lib.zeros(4, 1, 3, 3), padding=3),
    "ConvTranspose2d_output_size_out_of_range": lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, stride=2)(lib.zeros(1, 4, 5, 6), output_size=(13, 13)),
    "ConvTranspose2d_output_size_wrong_length": lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, stride=2)(lib.zeros(1, 4, 5, 6), output_size=(11,)),
    # more pooling and normalisation
    "avg_pool2d_5d_input": lambda lib: F(lib).avg_pool2d(lib.zeros(1, 1, 1, 5, 5), 2),
    "batch_norm_weight_wrong_size": lambda lib: F(lib).batch_norm(lib.zeros(2, 3), lib.zeros(3), lib.ones(3), lib.ones(4), training=True),
    "batch_norm_bias_wrong_size": lambda lib: F(lib).batch_norm(lib.zeros(2, 3), lib.zeros(3), lib.ones(3), None, lib.zeros(1)),
    "BatchNorm2d_untracked_channel_mismatch": lambda lib: lib.nn.BatchNorm2d(3, track_running_stats=False)(lib.zeros(2, 4, 4, 4)),
    "BatchNorm2d_integer_input": lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(2, 3, 2, 2, dtype=lib.int64)),
    "BatchNorm2d_float64_input_float32_layer": lambda lib: lib.nn.BatchNorm2d(3)(lib.zeros(2, 3, 2, 2, dtype=lib.float64)),
    "batch_norm_float64_weight_float32_input": lambda lib: F(lib).batch_norm(lib.zeros(2, 3), lib.zeros(3), lib.ones(3), lib.ones(3, dtype=lib.float64)),
    # interpolate
    "interpolate_float_size": lambda lib: F(lib).interpolate(lib.zeros(1, 1, 4, 4), size=3.0),
    "interpolate_recompute_scale_factor_with_size": lambda lib: F(lib).interpolate(lib.zeros(1, 1, 4, 4), size=3, recompute_scale_factor=True),
    "interpolate_6d_input": lambda lib: F(lib).interpolate(lib.zeros(1, 1, 1, 2, 4, 4), size=3),
}

# PyTorch's message, word for word (tinynn's with "tinynn" read as "torch"). Not the two
# constructor messages that print a Python set: PyTorch's order changes from run to run.
EXACT = {
    "conv2d_2d_input", "conv2d_5d_input", "conv2d_channel_mismatch", "conv2d_channel_mismatch_unbatched",
    "conv2d_channel_mismatch_groups", "conv2d_kernel_larger_than_input", "conv2d_dilated_kernel_larger",
    "conv2d_bias_wrong_size", "conv2d_bias_2d", "conv2d_same_with_stride", "conv2d_unknown_padding_string",
    "conv2d_negative_padding", "conv2d_zero_stride", "conv2d_zero_dilation", "conv2d_zero_groups",
    "conv2d_three_strides", "conv2d_three_paddings", "conv2d_weight_dtype", "conv2d_input_dtype",
    "conv2d_bias_dtype",
    "conv1d_1d_input", "conv1d_channel_mismatch", "conv1d_kernel_larger_than_input",
    "Conv2d_out_channels_not_divisible", "Conv2d_in_channels_not_divisible",
    "Conv2d_same_with_stride", "ConvTranspose2d_reflect",
    "max_pool2d_padding_above_half_kernel", "max_pool2d_output_too_small", "max_pool2d_zero_kernel",
    "max_pool2d_zero_stride", "max_pool2d_zero_dilation", "max_pool2d_negative_padding",
    "max_pool2d_three_kernel_sizes", "avg_pool2d_padding_above_half_kernel", "avg_pool2d_output_too_small",
    "avg_pool2d_zero_stride", "avg_pool2d_zero_divisor", "adaptive_avg_pool2d_2d_input",
    "adaptive_avg_pool2d_three_sizes", "adaptive_avg_pool2d_empty_input",
    "BatchNorm2d_3d_input", "BatchNorm1d_4d_input", "BatchNorm1d_1d_input",
    "BatchNorm1d_single_sample_training", "BatchNorm2d_single_value_per_channel",
    "BatchNorm2d_channel_mismatch", "batch_norm_eval_without_running_mean",
    "dropout2d_p_above_one", "Dropout2d_p_above_one",
    "pad_odd_length", "pad_too_long", "pad_reflect_wrong_length_for_rank", "pad_reflect_too_large",
    "pad_circular_wraps_twice", "pad_unknown_mode", "pad_value_with_reflect",
    "pad_float_entry", "pad_reflect_crops_everything", "pad_circular_negative_size",
    "conv_transpose2d_negative_padding", "conv_transpose2d_negative_output_padding",
    "conv_transpose2d_zero_stride", "conv_transpose2d_zero_dilation", "conv_transpose2d_zero_groups",
    "conv_transpose2d_bias_wrong_size", "conv_transpose2d_weight_dtype", "conv_transpose2d_output_too_small",
    "ConvTranspose2d_output_size_wrong_length",
    "batch_norm_weight_wrong_size", "batch_norm_bias_wrong_size", "BatchNorm2d_untracked_channel_mismatch",
    "BatchNorm2d_float64_input_float32_layer",
    "batch_norm_float64_weight_float32_input", "interpolate_recompute_scale_factor_with_size",
    "interpolate_6d_input",
}


def _raised(call, lib) -> BaseException:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call(lib)
        except Exception as error:  # noqa: BLE001 - the point is to catch whatever is raised
            return error
    raise AssertionError(f"{lib.__name__} raised nothing")


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_has_the_same_type_as_torch(case):
    theirs, ours = _raised(CASES[case], torch), _raised(CASES[case], tinynn)
    assert type(ours) is type(theirs), f"tinynn raised {type(ours).__name__}: {ours}; PyTorch {type(theirs).__name__}: {theirs}"


@pytest.mark.parametrize("case", sorted(EXACT))
def test_error_message_is_torchs(case):
    theirs, ours = _raised(CASES[case], torch), _raised(CASES[case], tinynn)
    assert str(ours).replace("tinynn", "torch") == str(theirs)


def test_every_inexact_message_names_the_shapes():
    """Where tinynn's wording differs from PyTorch's, it still names the shapes to fix."""
    inexact = {name: _raised(call, tinynn) for name, call in CASES.items() if name not in EXACT}
    assert str(inexact["max_pool2d_2d_input"]) == (
        "max_pool2d: expected a 3D (C, H, W) or 4D (N, C, H, W) input, but got input of size [5, 5]")
    assert "[5, 5]" in str(inexact["avg_pool2d_2d_input"])
    assert str(inexact["Conv2d_unknown_padding_string"]) == (
        "Invalid padding string 'foo', should be one of {'same', 'valid'}")
    assert str(inexact["Conv2d_unknown_padding_mode"]) == (
        "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='foo'")
    assert "[5, 2, 3, 3]" in str(inexact["conv2d_weight_not_divisible_by_groups"])
