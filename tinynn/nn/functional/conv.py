"""Convolutions: ``conv2d``, ``conv1d`` and ``conv_transpose2d``, as im2col + one matrix multiply.

Notation: input x (N, C, H, W), weight w (O, C/G, kH, kW) with G groups, output
y (N, O, H_out, W_out), and g = dL/dy. For one group (G = 1), with x padded,

    y[n, o, p, q] = b[o] + sum_{c, i, j} w[o, c, i, j] x[n, c, p sH + i dH, q sW + j dW]

Reading every window of x (``_windows.sliding_windows``) and laying each one out as a
column gives the "im2col" matrix X_col[n] (C kH kW, H_out W_out) of each image; the
convolution is then one (batched) matrix product, Y[n] = W_mat @ X_col[n] with
W_mat = w reshaped to (O, C kH kW).

The backward is two more products of the same three matrices:

* dL/dW_mat = sum_n G[n] @ X_col[n]^T        -> ``Conv2dWeightGrad``
* dL/dX_col = W_mat^T @ G, then every column is added back to the window it was read
  from ("col2im", ``_windows.add_windows``)  -> ``ConvTranspose2d``
* dL/db = sum of g over n, p, q

The gradient with respect to the input is itself a convolution: the *transposed*
convolution of g with the same weight. Each of the three Functions here is linear in each
of its two inputs, and the backward of each is written with the other two, so gradients
of gradients (``create_graph=True``) work to any order.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.function import Function, quiet_numpy
from . import _windows



class ConvGeometry(NamedTuple):
    """Everything about a 2-D convolution except the values.

    Attributes:
        input_shape: (N, C, H, W) of the (unpadded) input.
        kernel_size: (kH, kW).
        stride, dilation: pairs (along H, along W).
        padding: ((top, bottom), (left, right)); zeros added around the input.
        groups: G; channels are split into G independent groups.
    """

    input_shape: tuple
    kernel_size: tuple
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int

    @property
    def padded_shape(self) -> tuple:
        N, C, H, W = self.input_shape
        (top, bottom), (left, right) = self.padding
        return N, C, H + top + bottom, W + left + right

    @property
    def output_hw(self) -> tuple:
        _, _, H, W = self.padded_shape
        return tuple(_windows.output_size(size, k, s, 0, d) for size, k, s, d in
                     zip((H, W), self.kernel_size, self.stride, self.dilation))


def _pad(x: np.ndarray, padding: tuple, axis: int = 2) -> np.ndarray:
    """Zero-pad axes ``axis`` and ``axis + 1`` (H and W) by ((top, bottom), (left, right))."""
    if padding == ((0, 0), (0, 0)):
        return x
    pads = [(0, 0)] * x.ndim
    pads[axis:axis + 2] = padding
    return np.pad(x, pads)


# The layout of the im2col matrix. Per image, X_col[n] is (C kH kW, H_out W_out). For a
# small output (the second convolution of chapter 4's network: 8 x 8 pixels) the copies
# into that matrix (im2col) and back out of it (col2im) move rows of only W_out numbers,
# and N small matrix products follow. Laid out with the batch *last*, the whole batch is
# one wide image: one matrix of H_out W_out N columns, rows of W_out N numbers, one
# product. It costs two transposes (of the input and of the output), which for large
# outputs cost more than they save. Measured (forward and backward, one thread, 2-core
# x86-64, benchmarks/bench_cnn.py and shapes around it): batch-last takes 0.5 to 0.9 of
# the per-image time for outputs of 16 to 196 pixels, and 1.1 to 1.4 times it at 256.
_BATCH_LAST_PIXELS = 196


def _batch_last(geometry: ConvGeometry) -> bool:
    """Whether the im2col matrix holds the whole batch as one wide image (small outputs)."""
    H_out, W_out = geometry.output_hw
    return H_out * W_out <= _BATCH_LAST_PIXELS


def im2col(x: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """The im2col matrices of a (N, C, H, W) array: (B, G, C/G * kH * kW, M).

    Rows are ordered (channel, kernel row, kernel column): the order of
    ``weight.reshape(O, -1)``. Columns, one per window, in one of two layouts:

    * per image: B = N matrices of M = H_out W_out columns; column p * W_out + q of
      image n holds the window that output pixel (p, q) of image n sees;
    * batch last (small outputs, see ``_batch_last``): B = 1 matrix of M = H_out W_out N
      columns; column (p * W_out + q) * N + n holds that same window.
    """
    N, C = x.shape[:2]
    G, (kH, kW) = geometry.groups, geometry.kernel_size
    B, M, axis = N, geometry.output_hw[0] * geometry.output_hw[1], 2
    if _batch_last(geometry):
        x, axis = x.transpose(1, 2, 3, 0), 1  # (C, H, W, N): all images side by side
        B, M = 1, M * N
    windows = _windows.sliding_windows(_pad(x, geometry.padding, axis), geometry.kernel_size,
                                       geometry.stride, geometry.dilation, geometry.output_hw, axis)
    return windows.reshape(B, G, C // G * kH * kW, M)  # a copy: (B, G, C/G kH kW, M)


def _as_columns(images: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """(N, K, H_out, W_out) images laid out as im2col lays out the output pixels: (B, G, K/G, M)."""
    N, K, H_out, W_out = images.shape
    G = geometry.groups
    if _batch_last(geometry):
        return images.transpose(1, 2, 3, 0).reshape(1, G, K // G, H_out * W_out * N)
    return images.reshape(N, G, K // G, H_out * W_out)


def _as_images(columns: np.ndarray, geometry: ConvGeometry, N: int) -> np.ndarray:
    """The inverse of ``_as_columns``: (B, G, K/G, M) -> contiguous (N, K, H_out, W_out)."""
    K = columns.shape[1] * columns.shape[2]
    if _batch_last(geometry):
        images = columns.reshape((K,) + geometry.output_hw + (N,))
        return np.ascontiguousarray(images.transpose(3, 0, 1, 2))
    return columns.reshape((N, K) + geometry.output_hw)


def col2im(columns: np.ndarray, geometry: ConvGeometry) -> np.ndarray:
    """The adjoint of ``im2col``: add each column back to the window it was read from.

    (B, G, C/G kH kW, M), laid out as ``im2col`` lays it out -> (N, C, H, W), contiguous.
    """
    N, C, H, W = geometry.input_shape
    kH, kW = geometry.kernel_size
    (top, _), (left, _) = geometry.padding
    H_pad, W_pad = geometry.padded_shape[2:]
    if _batch_last(geometry):
        windows = columns.reshape((C, kH, kW) + geometry.output_hw + (N,))
        padded = _windows.add_windows(windows, (C, H_pad, W_pad, N), geometry.stride,
                                      geometry.dilation, axis=1)     # (C, H_pad, W_pad, N)
        return np.ascontiguousarray(padded[:, top:top + H, left:left + W].transpose(3, 0, 1, 2))
    windows = columns.reshape((N, C, kH, kW) + geometry.output_hw)
    padded = _windows.add_windows(windows, (N, C, H_pad, W_pad), geometry.stride,
                                  geometry.dilation)                 # (N, C, H_pad, W_pad)
    return np.ascontiguousarray(padded[:, :, top:top + H, left:left + W])


class Conv2d(Function):
    """y = conv2d(x, w) + b:  y[n, o] = b[o] + sum over the window of w[o] * x[n].

    As matrices, per image n and group: Y[n] = W_mat @ X_col[n] (+ b).
    Gradients (G = dL/dy, as matrices like Y):

    * dL/dx = conv_transpose2d(G, w)     (W_mat^T @ G[n], added back window by window)
    * dL/dw = sum_n G[n] @ X_col[n]^T    (a correlation of x with G)
    * dL/db = sum_{n, p, q} G[n, :, p, q]
    """

    @staticmethod
    def forward(ctx, input, weight, bias, geometry: ConvGeometry):
        w = weight._data
        (O, C_g, kH, kW), G = w.shape, geometry.groups
        cols = im2col(input._data, geometry)                          # (B, G, C/G kH kW, M)
        # inf * 0 = nan and inf - inf = nan, as in PyTorch (numpy's warnings off: quiet_numpy)
        out = quiet_numpy.run(np.matmul, w.reshape(G, O // G, C_g * kH * kW), cols)  # (B, G, O/G, M)
        out = _as_images(out, geometry, input.shape[0])               # (N, O, H_out, W_out)
        if bias is not None:
            quiet_numpy.run(np.add, out, bias._data.reshape(O, 1, 1), out=out)
        # cols is not kept for the backward: it holds kH kW copies of the input, and keeping
        # that alive for the rest of the step costs more (memory, page faults) than
        # rebuilding it once in Conv2dWeightGrad (measured: benchmarks/bench_cnn.py)
        ctx.save_for_backward(input, weight)
        ctx.geometry = geometry
        return out

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = ConvTranspose2d.apply(grad_output, weight, ctx.geometry)
        if ctx.needs_input_grad[1]:
            grad_weight = Conv2dWeightGrad.apply(input, grad_output, ctx.geometry)
        if ctx.needs_input_grad[2]:
            # over the batch first (whole images added elementwise), then over each
            # image's pixels: twice as fast as numpy's one reduction over (0, 2, 3)
            grad_bias = grad_output.sum(0).sum((1, 2))                # (O,)
        return grad_input, grad_weight, grad_bias, None


class ConvTranspose2d(Function):
    """x' = conv_transpose2d(g, w): the adjoint of the convolution, shaped like its input.

    X'_col[n] = W_mat^T @ G[n], and each column is added back to the window it belongs
    to (``col2im``). This is dL/dx of ``Conv2d``, and what ``nn.ConvTranspose2d``
    computes. Since <conv_transpose2d(g, w), h> = <g, conv2d(h, w)>, its gradients
    (H = dL/dx') are

    * dL/dg = conv2d(H, w)
    * dL/dw = Conv2dWeightGrad(H, g)
    """

    @staticmethod
    def forward(ctx, grad_output, weight, geometry: ConvGeometry):
        w, G = weight._data, geometry.groups
        O, C_g, kH, kW = w.shape
        w_mat = w.reshape(G, O // G, C_g * kH * kW)                  # (G, O/G, C/G kH kW)
        g = _as_columns(grad_output._data, geometry)                 # (B, G, O/G, M)
        # IEEE results, as in PyTorch (numpy's warnings off: quiet_numpy); where windows
        # overlap, inf + -inf = nan, as in PyTorch
        cols = quiet_numpy.run(np.matmul, w_mat.transpose(0, 2, 1), g)  # (B, G, C/G kH kW, M)
        ctx.save_for_backward(grad_output, weight)
        ctx.geometry = geometry
        return quiet_numpy.run(col2im, cols, geometry)                # (N, C, H, W)

    @staticmethod
    def backward(ctx, grad):
        grad_output, weight = ctx.saved_tensors
        grad_g = grad_w = None
        if ctx.needs_input_grad[0]:
            grad_g = Conv2d.apply(grad, weight, None, ctx.geometry)
        if ctx.needs_input_grad[1]:
            grad_w = Conv2dWeightGrad.apply(grad, grad_output, ctx.geometry)
        return grad_g, grad_w, None


class Conv2dWeightGrad(Function):
    """w' = the correlation of x with g: dL/dw of ``Conv2d``, shaped like the weight.

    W'_mat = sum_n G[n] @ X_col[n]^T per group, with X_col rebuilt from x. Since <w', H> = <g, conv2d(x, H)>, its
    gradients (H = dL/dw') are

    * dL/dx = conv_transpose2d(g, H)
    * dL/dg = conv2d(x, H)
    """

    @staticmethod
    def forward(ctx, input, grad_output, geometry: ConvGeometry):
        cols = im2col(input._data, geometry)                          # (B, G, C/G kH kW, M)
        g = _as_columns(grad_output._data, geometry)                  # (B, G, O/G, M)

        def summed_products():  # run with numpy's warnings off: IEEE results, as in PyTorch
            # X_col[n] @ G[n]^T, then transposed: the same products, and faster with OpenBLAS
            # than G[n] @ X_col[n]^T (the long M axis is the reduced one either way)
            return np.matmul(cols, g.transpose(0, 1, 3, 2)).sum(0).transpose(0, 2, 1)  # (G, O/G, C/G kH kW)
        grad_w = quiet_numpy.run(summed_products)
        ctx.save_for_backward(input, grad_output)
        ctx.geometry = geometry
        O, G = grad_output.shape[1], geometry.groups
        return grad_w.reshape((O, geometry.input_shape[1] // G) + geometry.kernel_size)

    @staticmethod
    def backward(ctx, grad):
        input, grad_output = ctx.saved_tensors
        grad_x = grad_g = None
        if ctx.needs_input_grad[0]:
            grad_x = ConvTranspose2d.apply(grad_output, grad, ctx.geometry)
        if ctx.needs_input_grad[1]:
            grad_g = Conv2d.apply(input, grad, None, ctx.geometry)
        return grad_x, grad_g, None


# -- argument checking, shared by conv1d and conv2d ------------------------------------
# The message for a list of the wrong length, per caller: "conv" (conv1d, conv2d and
# conv_transpose2d, which also refuse anything but ints), "pool" (the 2-D poolings), "pool1d".
_LENGTH_ERRORS = {
    "conv": ("expected {name} to be a single integer value or a list of {n} values to match the "
             "convolution dimensions, but got {name}={value}"),
    "pool": "{fn}: {name} must either be a single int, or a tuple of two ints",
    "pool1d": "{fn}() argument '{name}' should contain one int (got {length})",
}


def _ntuple(value, n: int, name: str = "", rule: str | None = None, fn: str = "") -> tuple:
    """An int, or a list/tuple of 1 or n ints, as a tuple of n ints (PyTorch's rule).

    Without ``rule`` (the nn modules, which leave the checks to the functional call) a
    list of another length is kept as it is and a number is converted with ``int``. With
    ``rule`` ("conv", "pool", "pool1d"), a list of another length raises that caller's
    error, naming the argument ``name`` of function ``fn``; "conv" also refuses a value
    that is not an int or a list.

    Raises:
        RuntimeError: for a list/tuple of the wrong length (with ``rule``).
        TypeError: for a value that is not an int, list or tuple (rule "conv").
    """
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            value = tuple(value) * n
        if len(value) != n and rule is not None:
            raise RuntimeError(_LENGTH_ERRORS[rule].format(name=name, n=n, fn=fn, value=list(value),
                                                           length=len(value)))
        return tuple(int(v) for v in value)
    if rule == "conv" and (isinstance(value, bool) or not isinstance(value, (int, np.integer))):
        raise TypeError(f"{name} must be an int or a tuple of {n} ints, but got {type(value).__name__}")
    return (int(value),) * n


def _type_name(tensor: Tensor) -> str:
    """PyTorch's name of a tensor's scalar type in error messages: "Float", "Double"."""
    return _dtype.scalar_name(tensor.dtype)


def _same_padding(kernel_size: tuple, dilation: tuple) -> tuple:
    """padding='same': d (k - 1) zeros in total per axis, the odd one on the right (PyTorch's rule)."""
    pads = []
    for k, d in zip(kernel_size, dilation):
        total = d * (k - 1)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def _conv_geometry(name: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding,
                   dilation, groups: int, dims: int) -> ConvGeometry:
    """Check conv{dims}d's arguments as PyTorch does and describe the convolution.

    ``input`` is already batched here; ``dims`` is the number of spatial dimensions (1 or 2).
    The returned geometry is always 2-D (a 1-D convolution is a 2-D one with H = 1).

    Raises:
        RuntimeError: with PyTorch's messages for wrong ranks, channel counts, bias sizes,
            dtypes, negative or zero arguments, and kernels larger than the padded input.
    """
    if weight.ndim != dims + 2:
        raise RuntimeError(
            f"{name}: expected a {dims + 2}-D weight (out_channels, in_channels / groups"
            f"{', kW' if dims == 1 else ', kH, kW'}), but got weight of size {list(weight.shape)}"
        )
    stride = _ntuple(stride, dims, "stride", "conv")
    dilation = _ntuple(dilation, dims, "dilation", "conv")
    kernel_size = tuple(weight.shape[2:])
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * dims
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = _same_padding(kernel_size, dilation)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _ntuple(padding, dims, "padding", "conv")
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
        pads = tuple((p, p) for p in padding)
    out_channels, in_per_group = weight.shape[:2]
    if out_channels < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
            f"but got weight of size {list(weight.shape)} instead"
        )
    if out_channels % groups != 0:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size {list(weight.shape)} instead"
        )
    if input.shape[1] != in_per_group * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {in_per_group * groups} channels, but got "
            f"{input.shape[1]} channels instead"
        )
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(
            f"Given weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {list(bias.shape)} instead"
        )
    if input.dtype is _dtype.bool:  # PyTorch has integer kernels, but none for bool
        raise NotImplementedError("\"slow_conv2d_cpu\" not implemented for 'Bool' (convert the input "
                                  "with .float())")
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(
            f"Input type ({_type_name(input).lower()}) and bias type ({_type_name(bias).lower()}) "
            "should be the same"
        )
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found {_type_name(weight)}")
    padded = [size + sum(p) for size, p in zip(input.shape[2:], pads)]
    dilated = [d * (k - 1) + 1 for k, d in zip(kernel_size, dilation)]
    if any(p < k for p, k in zip(padded, dilated)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, dilated))}). Kernel size can't be greater than "
            "actual input size"
        )
    if dims == 1:  # a 1-D convolution is a 2-D one over an image of height 1
        return ConvGeometry(tuple(input.shape[:2]) + (1,) + tuple(input.shape[2:]), (1,) + kernel_size,
                            (1,) + stride, ((0, 0),) + pads, (1,) + dilation, groups)
    return ConvGeometry(tuple(input.shape), kernel_size, stride, pads, dilation, groups)


def _batched(name: str, input: Tensor, dims: int) -> tuple[Tensor, bool]:
    """Add the batch axis to an unbatched input; say whether it was added."""
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {name}, but got "
            f"input of size: {list(input.shape)}"
        )
    if input.ndim == dims + 1:
        return input.unsqueeze(0), True  # (C, ...) -> (1, C, ...)
    return input, False


def _transposed_geometry(input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, output_padding,
                         groups: int, dilation) -> ConvGeometry:
    """Check conv_transpose2d's arguments in PyTorch's order; return the geometry of the
    convolution being transposed (which maps the output's shape to the batched input's).

    Raises:
        RuntimeError: see :func:`conv_transpose2d`.
        NotImplementedError: for output_padding >= stride (allowed by PyTorch when < dilation).
    """
    if weight.ndim != 4:
        raise RuntimeError(f"conv_transpose2d: expected a 4-D weight, but got weight of size {list(weight.shape)}")
    stride, dilation = _ntuple(stride, 2, "stride", "conv"), _ntuple(dilation, 2, "dilation", "conv")
    padding, output_padding = _ntuple(padding, 2, "padding", "conv"), _ntuple(output_padding, 2, "output_padding", "conv")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(op < 0 for op in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    in_channels = weight.shape[0]
    if in_channels < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    if in_channels % groups != 0:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                           f"but got weight of size {list(weight.shape)} instead")
    if input.shape[1] != in_channels:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input{list(input.shape)} "
            f"to have {in_channels} channels, but got {input.shape[1]} channels instead"
        )
    out_channels = weight.shape[1] * groups
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected bias to be 1-dimensional with "
            f"{out_channels} elements, but got bias of size {list(bias.shape)} instead"
        )
    if weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found {_type_name(weight)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {dilation[0]}, "
                           f"dilation_width: {dilation[1]}")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError(
            f"output padding must be smaller than either stride or dilation, but got output_padding="
            f"{list(output_padding)}, stride={list(stride)}, dilation={list(dilation)}"
        )
    N, _, H, W = input.shape
    kernel_size = tuple(weight.shape[2:])
    size = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
            zip((H, W), stride, padding, dilation, kernel_size, output_padding)]
    if min(size) < 1:
        raise RuntimeError(f"Given input size per channel: ({H} x {W}). Calculated output size per channel: "
                           f"({size[0]} x {size[1]}). Output size is too small")
    # the convolution being transposed maps (N, C_out, H_out, W_out) to the input's shape;
    # output_padding rows are added after the bottom/right padding, where no window reaches
    geometry = ConvGeometry((N, out_channels) + tuple(size), kernel_size, stride,
                            tuple((p, p) for p in padding), dilation, groups)
    if geometry.output_hw != (H, W):  # output_padding >= stride (allowed by PyTorch when < dilation)
        raise NotImplementedError(
            f"conv_transpose2d in tinynn needs output_padding < stride, but got output_padding="
            f"{list(output_padding)}, stride={list(stride)}"
        )
    return geometry


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple = 1,
           padding: int | tuple | str = 0, dilation: int | tuple = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, as in every deep-learning library).

    out[n, o, p, q] = bias[o] + sum_{c, i, j} weight[o, c, i, j] *
    input_padded[n, g(o) C/G + c, p sH + i dH, q sW + j dW], where g(o) is the group of o.

    Args:
        input: (N, C_in, H, W), or (C_in, H, W) unbatched.
        weight: (C_out, C_in / groups, kH, kW).
        bias: (C_out,) or None.
        stride: int or (sH, sW). The step between windows.
        padding: int, (pH, pW), "valid" (no padding) or "same" (output as large as the
            input; stride 1 only). Zeros added on both sides.
        dilation: int or (dH, dW). The spacing between kernel taps.
        groups: split the channels into this many independent convolutions.

    Shape:
        output: (N, C_out, H_out, W_out) with
        H_out = floor((H + 2 pH - dH (kH - 1) - 1) / sH) + 1 (same for W).

    Raises:
        RuntimeError: "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got
            input of size: [28, 28]" (add the channel axis: ``x.unsqueeze(0)``); "Given
            groups=1, weight of size [10, 1, 5, 5], expected input[64, 3, 28, 28] to have 1
            channels, but got 3 channels instead"; "Calculated padded input size per channel:
            (2 x 2). Kernel size: (5 x 5). Kernel size can't be greater than actual input
            size"; and for mismatched dtypes or non-positive stride/dilation/groups.

    Example:
        >>> x = tinynn.randn(64, 1, 28, 28)
        >>> conv2d(x, tinynn.randn(10, 1, 5, 5)).shape
        tinynn.Size([64, 10, 24, 24])
    """
    batched, added = _batched("conv2d", input, 2)
    geometry = _conv_geometry("conv2d", batched, weight, bias, stride, padding, dilation, groups, 2)
    out = Conv2d.apply(batched, weight, bias, geometry)
    return out.squeeze(0) if added else out


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple = 1,
           padding: int | tuple | str = 0, dilation: int | tuple = 1, groups: int = 1) -> Tensor:
    """1-D convolution: conv2d over an image of height 1.

    out[n, o, t] = bias[o] + sum_{c, i} weight[o, c, i] * input_padded[n, c, t s + i d].

    Args:
        input: (N, C_in, L), or (C_in, L) unbatched.
        weight: (C_out, C_in / groups, k).
        bias, stride, padding, dilation, groups: as in :func:`conv2d`, with one value each.

    Shape:
        output: (N, C_out, L_out), L_out = floor((L + 2p - d (k - 1) - 1) / s) + 1.

    Raises:
        RuntimeError: as :func:`conv2d`, with 2D/3D in the rank message.
    """
    batched, added = _batched("conv1d", input, 1)
    geometry = _conv_geometry("conv1d", batched, weight, bias, stride, padding, dilation, groups, 1)
    out = Conv2d.apply(batched.unsqueeze(2), weight.unsqueeze(2), bias, geometry)  # (N, O, 1, L_out)
    out = out.squeeze(2)                                                          # (N, O, L_out)
    return out.squeeze(0) if added else out


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: int | tuple = 1,
                     padding: int | tuple = 0, output_padding: int | tuple = 0, groups: int = 1,
                     dilation: int | tuple = 1) -> Tensor:
    """2-D transposed convolution: the adjoint (and input gradient) of :func:`conv2d`.

    conv_transpose2d(g, w) is the x-gradient of conv2d(x, w) with grad_output g: every input
    pixel spreads ``weight``-weighted copies of itself over a window of the output.

    Args:
        input: (N, C_in, H, W), or (C_in, H, W) unbatched.
        weight: (C_in, C_out / groups, kH, kW) (note: in and out are swapped relative to conv2d).
        bias: (C_out,) or None.
        stride, padding, dilation, groups: those of the convolution being transposed.
        output_padding: extra rows/columns added at the bottom/right of the output (to pick
            one of the input sizes that a strided convolution maps to the same output size).

    Shape:
        output: (N, C_out, H_out, W_out) with
        H_out = (H - 1) sH - 2 pH + dH (kH - 1) + output_padding + 1.

    Raises:
        RuntimeError: with PyTorch's messages for a wrong rank or channel count, groups that
            do not divide the weight's first dimension, a bias of the wrong size, a weight of
            another dtype, non-positive groups/stride/dilation, negative padding or
            output_padding, output_padding >= stride and >= dilation, and an output size
            below 1 ("Output size is too small").
        NotImplementedError: output_padding >= stride but < dilation (see the deviations).
    """
    batched, added = _batched("conv_transpose2d", input, 2)
    geometry = _transposed_geometry(batched, weight, bias, stride, padding, output_padding, groups, dilation)
    out = ConvTranspose2d.apply(batched, weight, geometry)
    if bias is not None:  # PyTorch converts the bias to the input's dtype (unlike conv2d's check)
        out = out + bias.to(out.dtype).reshape(-1, 1, 1)
    return out.squeeze(0) if added else out

