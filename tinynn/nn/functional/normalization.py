"""Normalisation: ``batch_norm`` (per channel, over the batch), ``layer_norm``, ``group_norm`` and
``rms_norm`` (per sample).

For ``batch_norm`` on an input (N, C, ...), the statistics of channel c are taken over all N * prod(...) values
of that channel. In training, the batch's mean and (biased) variance normalise the input,
and running estimates are updated for evaluation:

    running_mean <- (1 - momentum) running_mean + momentum * mean
    running_var  <- (1 - momentum) running_var  + momentum * var * M / (M - 1)

(the *unbiased* variance, M = values per channel, as PyTorch). In evaluation the running
estimates are used instead, and batch norm is a fixed affine map of each channel.
"""
from __future__ import annotations

import math

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.function import Function, quiet_numpy
from ...autograd.grad_mode import no_grad
from .activation import _float_only, _in_float32


def _channel_shape(input: Tensor) -> tuple:
    """(1, C, 1, ..., 1): a per-channel vector broadcast against (N, C, ...)."""
    return (1, input.shape[1]) + (1,) * (input.ndim - 2)


class BatchNorm(Function):
    """Training-mode batch norm, per channel, over the batch and spatial axes.

    mu = mean(x), var = mean((x - mu)^2), x_hat = (x - mu) / sqrt(var + eps),
    y = weight * x_hat + bias.

    With M values per channel, g = dL/dy and g_hat = g * weight (means over the same axes):

    * dL/dx = (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat)) / sqrt(var + eps)
    * dL/dweight = sum(g * x_hat),  dL/dbias = sum(g)

    (mu and var depend on every x, which gives the two subtracted means.) The backward
    recomputes mu and var from the saved input with tensor ops, so it can be
    differentiated again. The running statistics, if given, are updated in place.
    """

    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, momentum: float, eps: float):
        x = input._data
        axes = (0,) + tuple(range(2, x.ndim))
        shape = _channel_shape(input)
        count = math.prod([x.shape[axis] for axis in axes])          # values per channel
        ctx.save_for_backward(input, weight)
        ctx.eps = eps
        if count == 0:  # an empty batch: an empty result, running statistics untouched (as PyTorch)
            return x.copy()

        def normalized():  # run with numpy's warnings off: inf inputs (or an inf weight: 0 * inf)
            mean = x.mean(axis=axes, keepdims=True)              # (1, C, 1, ...)
            centered = x - mean
            var = np.mean(centered * centered, axis=axes, keepdims=True)
            out = centered / np.sqrt(var + eps)
            if weight is not None:
                out *= weight._data.reshape(shape)
            if bias is not None:
                out += bias._data.reshape(shape)
            # the running statistics (an inf mean meets -inf: nan, as in PyTorch)
            new_mean = None if running_mean is None else (1 - momentum) * running_mean._data + momentum * mean.ravel()
            new_var = None if running_var is None else (
                (1 - momentum) * running_var._data + momentum * (var.ravel() * count / (count - 1)))
            return out, new_mean, new_var
        out, new_mean, new_var = quiet_numpy.run(normalized)
        if running_mean is not None:
            running_mean.copy_(Tensor._make(new_mean))
        if running_var is not None:
            running_var.copy_(Tensor._make(new_var))
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        axes = (0,) + tuple(range(2, input.ndim))
        shape = _channel_shape(input)
        centered = input - input.mean(axes, keepdim=True)
        invstd = ((centered * centered).mean(axes, keepdim=True) + ctx.eps).rsqrt()  # (1, C, 1, ...)
        x_hat = centered * invstd
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            g_hat = grad_output * weight.reshape(shape) if weight is not None else grad_output
            grad_input = invstd * (g_hat - g_hat.mean(axes, keepdim=True)
                                   - x_hat * (g_hat * x_hat).mean(axes, keepdim=True))
        if ctx.needs_input_grad[1]:
            grad_weight = (grad_output * x_hat).sum(axes)           # (C,)
        if ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(axes)                       # (C,)
        return grad_input, grad_weight, grad_bias, None, None, None, None


def _verify_batch_size(size) -> None:
    """PyTorch's check (``_verify_batch_size``) that each channel has more than one value
    to normalise in training: a variance of one value is 0/0. ``size`` is (N, C, *); the
    values per channel are N * prod(*). An empty batch (0 values) passes, as in PyTorch.

    Raises:
        ValueError: if N * prod(*) is 1 (a batch of one (N, C) sample, say).
    """
    values_per_channel = size[0]
    for n in size[2:]:
        values_per_channel *= n
    if values_per_channel == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size!r}")


def _check_parameter_dtypes(input: Tensor, params: tuple) -> None:
    """PyTorch's CPU rule for batch_norm's weight, bias and running statistics: the same dtype
    as the input, except that a float16 input may have float32 ones.

    Raises:
        RuntimeError: "mixed dtype (CPU): expect parameter to have scalar type of Float" if one
            differs from the input and they are not all float32; "mixed dtype (CPU): all inputs
            must share same datatype." if they are all float32 and the input is not float16.
    """
    dtypes = {p.dtype for p in params if p is not None}
    if not dtypes or dtypes == {input.dtype}:
        return
    if dtypes != {_dtype.float32}:
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if input.dtype is not _dtype.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation of an (N, C, ...) input, channel by channel.

    y = (x - mean) / sqrt(var + eps) * weight + bias, where mean and var are the batch's
    (``training=True``; the running estimates are then updated in place with ``momentum``)
    or ``running_mean`` and ``running_var`` (``training=False``).

    Args:
        input: (N, C) or (N, C, ...).
        running_mean, running_var: (C,) buffers, or None (only allowed in training).
        weight, bias: (C,) affine parameters, or None.
        training: use (and update) batch statistics.
        momentum: the weight of the new batch in the running estimates.
        eps: added to the variance for numerical stability.

    Raises:
        RuntimeError: "running_mean should contain 4 elements not 3" for a size mismatch
            (likewise running_var, weight and bias); "running_mean must be defined in
            evaluation mode"; running statistics that require grad (they are buffers, updated
            in place); "mixed dtype (CPU): ..." for parameters or statistics of another dtype
            than the input (PyTorch allows only float32 ones with a float16 input).
        NotImplementedError: for an integer or bool input.
        ValueError: "Expected more than 1 value per channel when training" (a batch of one
            (N, C) sample has no variance; use eval mode or a larger batch).
    """
    if training:  # (PyTorch's F.batch_norm checks this first, in Python)
        _verify_batch_size(input.shape)
    if input.numel() == 0:
        # PyTorch's early return for an empty input, before any other check: a copy, times
        # weight[0], plus bias[0] (an IndexError for an empty weight or bias)
        out = input.clone()
        if weight is not None:
            out = out * weight[0]
        return out if bias is None else out + bias[0]
    C = input.shape[1] if input.ndim > 1 else 1
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None and stat.requires_grad:
            raise RuntimeError(
                f"The function 'native_batch_norm' is not differentiable with respect to argument "
                f"'{name}'. This input cannot have requires_grad True."
            )
    for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None and stat.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {stat.numel()}")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"{'running_mean' if running_mean is None else 'running_var'} must be "
                           "defined in evaluation mode")
    for name, param in (("weight", weight), ("bias", bias)):
        if param is not None and param.numel() != C:
            raise RuntimeError(f"{name} should contain {C} elements not {param.numel()}")
    _float_only("batch_norm", input)
    _check_parameter_dtypes(input, (weight, bias, running_mean, running_var))
    if training:
        return BatchNorm.apply(input, weight, bias, running_mean, running_var, momentum, eps)
    # evaluation: a fixed affine map per channel, written with tensor ops (they give the gradients)
    shape = _channel_shape(input)
    out = (input - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out.to(input.dtype)  # float16 with float32 statistics: rounded once, as PyTorch


#: Rows longer than this are summed by numpy's pairwise reduction (see ``_row_means``).
PAIRWISE_ROW_LENGTH = 512


def _row_means(rows: np.ndarray) -> np.ndarray:
    """The mean of each row of a 2-D array, as a column (rows, 1).

    The sums are a matrix-vector product with a vector of ones: BLAS adds a row of a few
    hundred values several times faster than numpy's own reduction along the last axis
    (6 against 50 µs for 1024 rows of 128 float32). But BLAS adds each SIMD lane's values
    one after the other, and on long rows its rounding error grows faster than numpy's
    pairwise summation's: from 1024 values on, a float32 layer_norm of values around 10
    came out two to three times further from the exact result than PyTorch's. Rows longer
    than ``PAIRWISE_ROW_LENGTH`` take numpy's reduction.
    """
    n = rows.shape[1]
    if n > PAIRWISE_ROW_LENGTH:
        return np.add.reduce(rows, axis=1, keepdims=True) / rows.dtype.type(n)
    return (rows @ np.ones(n, rows.dtype)).reshape(-1, 1) / rows.dtype.type(n)


class LayerNorm(Function):
    """Layer norm: each sample normalised over its trailing dims (``normalized_shape``).

    With n values per sample and means over them (chapter 6 derives all of this):
    mu = mean(x), var = mean((x - mu)^2), rstd = 1 / sqrt(var + eps),
    x_hat = (x - mu) rstd, y = weight * x_hat + bias.

    The input is seen as a matrix with one sample per row (rows, n). The backward is one
    op of its own, ``LayerNormBackward``, as PyTorch's ``native_layer_norm_backward``;
    it reuses the forward's mean and rstd. float16 is computed in float32 and rounded at
    the end, as PyTorch does (``_in_float32``).
    """

    @staticmethod
    def forward(ctx, input, weight, bias, normalized_shape: tuple, eps: float):
        x = input._data
        n = math.prod(normalized_shape)
        rows = _in_float32(x).reshape(math.prod(x.shape[:x.ndim - len(normalized_shape)]), n)  # one sample per row
        ctx.save_for_backward(input, weight)
        ctx.normalized_shape, ctx.eps = normalized_shape, eps

        def normalized():  # numpy's warnings off: an inf input gives nan, as in PyTorch
            mean = _row_means(rows)                                     # (rows, 1)
            centered = rows - mean
            rstd = 1 / np.sqrt(_row_means(centered * centered) + eps)  # (rows, 1)
            out = centered * rstd
            if weight is not None:
                out *= weight._data.reshape(n)
            if bias is not None:
                out += bias._data.reshape(n)
            return out.reshape(x.shape).astype(x.dtype, copy=False), mean, rstd
        out, ctx.mean, ctx.rstd = quiet_numpy.run(normalized)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        grad_input, grad_weight, grad_bias = LayerNormBackward.apply(
            grad_output, input, weight, ctx.mean, ctx.rstd, ctx.normalized_shape, ctx.eps)
        needs = ctx.needs_input_grad
        return (grad_input if needs[0] else None, grad_weight if needs[1] else None,
                grad_bias if needs[2] else None, None, None)


class LayerNormBackward(Function):
    """LayerNorm's backward as one op: (g, x, weight) -> (dL/dx, dL/dweight, dL/dbias).

    With g_hat = g * weight (g if there is no weight) and means over each sample's n values,
    the three terms of chapter 6:

    * dL/dx = rstd (g_hat - mean(g_hat) - x_hat mean(g_hat x_hat))
    * dL/dweight = sum over samples of g x_hat,   dL/dbias = sum over samples of g

    Its own backward (second derivatives: ``create_graph``, ``gradgradcheck``) is written
    in tensor ops below, so that it can be differentiated again.
    """

    @staticmethod
    def forward(ctx, grad_output, input, weight, mean, rstd, normalized_shape: tuple, eps: float):
        ctx.save_for_backward(grad_output, input, weight)
        ctx.normalized_shape, ctx.eps = normalized_shape, eps
        n = math.prod(normalized_shape)
        rows = mean.shape[0]
        x, g = _in_float32(input._data).reshape(rows, n), _in_float32(grad_output._data).reshape(rows, n)
        dtype = grad_output._data.dtype

        def gradients():  # numpy's warnings off: inf and nan propagate, as in PyTorch
            x_hat = (x - mean) * rstd
            g_hat = g * weight._data.reshape(n) if weight is not None else g
            grad_input = g_hat - _row_means(g_hat)
            grad_input -= x_hat * _row_means(g_hat * x_hat)
            grad_input *= rstd
            ones = np.ones(rows, x.dtype)                   # sums over the samples: ones @ (rows, n)
            return (grad_input.reshape(input._data.shape).astype(dtype, copy=False),
                    (ones @ (g * x_hat)).reshape(normalized_shape).astype(dtype, copy=False),
                    (ones @ g).reshape(normalized_shape).astype(dtype, copy=False))
        return quiet_numpy.run(gradients)

    @staticmethod
    def backward(ctx, grad_grad_input, grad_grad_weight, grad_grad_bias):
        """The vector-Jacobian product of the three formulas above, for (a, b, c) =
        (grad_grad_input, grad_grad_weight, grad_grad_bias), with r = rstd recomputed from x.

        ``project(u) = r (u - mean(u) - x_hat mean(u x_hat))`` is the backward of x_hat
        itself (dL/dx for g_hat = u), a symmetric map. So <dL/dx, a> = <g_hat, project(a)>,
        and with p = mean(g_hat x_hat), q = mean(a x_hat), dr/dx = -r^2 x_hat / n:

        * d/dg = weight project(a) + b x_hat + c
        * d/dweight = sum over samples of g project(a)
        * d/dx = -r^2 x_hat (mean(g_hat (a - mean(a))) - p q) - r project(q g_hat + p a)
          + project(g b)
        """
        grad_output, input, weight = ctx.saved_tensors
        k = len(ctx.normalized_shape)
        dims, samples = tuple(range(input.ndim - k, input.ndim)), tuple(range(input.ndim - k))

        def mean(u):
            return u.mean(dims, keepdim=True)

        centered = input - mean(input)
        rstd = (mean(centered * centered) + ctx.eps).rsqrt()
        x_hat = centered * rstd

        def project(u):
            return rstd * (u - mean(u) - x_hat * mean(u * x_hat))

        a, b, c = grad_grad_input, grad_grad_weight, grad_grad_bias
        g_hat = grad_output * weight if weight is not None else grad_output
        project_a = project(a)
        needs = ctx.needs_input_grad
        grad_g = grad_x = grad_weight = None
        if needs[0]:
            grad_g = (project_a * weight if weight is not None else project_a) + x_hat * b + c
        if needs[1]:
            p, q = mean(g_hat * x_hat), mean(a * x_hat)
            grad_x = (-(rstd * rstd) * x_hat * (mean(g_hat * (a - mean(a))) - p * q)
                      - rstd * project(q * g_hat + p * a) + project(grad_output * b))
        if needs[2]:
            grad_weight = (grad_output * project_a).sum(samples)
        return grad_g, grad_x, grad_weight, None, None, None, None


def _same_dtype_parameters(input: Tensor, weight: Tensor | None, bias: Tensor | None) -> None:
    """PyTorch's CPU kernels take weight and bias of the input's dtype only."""
    for tensor in (weight, bias):
        if tensor is not None and tensor.dtype is not input.dtype:
            raise RuntimeError(f"mixed dtype (CPU): expect parameter to have scalar type of "
                               f"{_dtype.scalar_name(input.dtype)} (got {tensor.dtype}; convert the "
                               "parameters with .to(input.dtype))")


def layer_norm(input: Tensor, normalized_shape: tuple, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation: normalise each sample over its last ``len(normalized_shape)`` dims.

    y = (x - mean) / sqrt(var + eps) * weight + bias, where mean and (biased) var are taken
    over the trailing dims, separately for every leading index (no running statistics:
    training and evaluation are the same). One op each way: the Functions ``LayerNorm`` and
    ``LayerNormBackward``.

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: the trailing shape to normalise over, e.g. (C,) or (C, H, W).
        weight, bias: of shape ``normalized_shape``, or None.
        eps: added to the variance.

    Shape:
        output: the shape of ``input``.

    Raises:
        RuntimeError: if the input's trailing shape is not ``normalized_shape``, or
            ``weight``/``bias`` do not have that shape.
        NotImplementedError: for an integer or bool input (as PyTorch: no such kernel).
    """
    normalized_shape = _check_normalized_shape(input, normalized_shape, weight=weight, bias=bias)
    _float_only("LayerNormKernelImpl", input)
    _same_dtype_parameters(input, weight, bias)
    return LayerNorm.apply(input, weight, bias, normalized_shape, eps)


def _check_normalized_shape(input: Tensor, normalized_shape, **parameters) -> tuple:
    """``normalized_shape`` as a tuple, once it is checked against the input's trailing dims
    and then the shapes of the affine parameters (PyTorch's messages; None parameters are skipped)."""
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or input.ndim < k or tuple(input.shape[input.ndim - k:]) != normalized_shape:
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, normalized_shape))}], but got input of size{list(input.shape)}")
    _check_parameter_shapes(normalized_shape, **parameters)
    return normalized_shape


def _check_parameter_shapes(normalized_shape: tuple, **parameters) -> None:
    for name, tensor in parameters.items():
        if tensor is not None and tuple(tensor.shape) != normalized_shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(tensor.shape)} and normalized_shape = {list(normalized_shape)}")


def rms_norm(input: Tensor, normalized_shape: tuple, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Root mean square normalisation over the trailing dims: y = x / sqrt(mean(x^2) + eps) * weight.

    Layer norm without the centring (no mean is subtracted, and there is no bias), as in
    LLaMA-style transformers. Written, as PyTorch writes it, with tensor ops: autograd
    differentiates it (to any order).

    Args:
        input: ``(*, *normalized_shape)``.
        normalized_shape: the trailing shape to normalise over.
        weight: of shape ``normalized_shape``, or None.
        eps: added to the mean square. Default: the machine epsilon of the input's dtype
            (of float32 for float16, which is computed in float32, as PyTorch does).

    The result has the input's dtype, also with a weight of another dtype. (PyTorch then
    warns, once per process, that it cannot use its fused kernel; tinynn has none, and says
    nothing.)

    Raises:
        ValueError: for an input with fewer dims than ``normalized_shape``.
        RuntimeError: if the input's trailing shape is not ``normalized_shape``, or the
            weight does not have that shape.
        NotImplementedError: for an integer or bool input (as PyTorch: no such kernel).
    """
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k:  # (PyTorch's order of checks: the weight, the input's rank, its trailing shape)
        _check_parameter_shapes(normalized_shape, weight=weight)
        if input.ndim < k:
            raise ValueError(f"Input tensor must have at least {k} dimensions, but got {input.ndim} "
                             f"(normalized_shape={list(normalized_shape)} names the input's last {k} dims)")
    _check_normalized_shape(input, normalized_shape, weight=weight)
    _float_only("rms_norm", input)
    work = input.float() if input.dtype is _dtype.float16 else input
    if eps is None:
        eps = float(np.finfo(work.dtype.numpy_dtype).eps)
    dims = tuple(range(-k, 0))
    out = (work * (work.pow(2).mean(dims, keepdim=True) + eps).rsqrt()).to(input.dtype)
    return out if weight is None else (out * weight).to(input.dtype)


def instance_norm(input: Tensor, running_mean: Tensor | None = None, running_var: Tensor | None = None,
                  weight: Tensor | None = None, bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel of each sample over its own spatial positions (style transfer's norm).

    As PyTorch computes it: batch normalisation of the input viewed as one sample of N C
    channels, (1, N C, ...), with weight and bias repeated for each sample. With
    ``use_input_stats`` each (sample, channel) uses its own mean and biased variance, and
    ``running_mean``/``running_var`` (if given) move towards their average over the batch
    by ``momentum``; without, the running estimates are used.

    Args:
        input: (N, C, ...) with at least one spatial dim.
        running_mean, running_var: (C,) buffers, or None.
        weight, bias: (C,) affine parameters, or None.

    Raises:
        ValueError: with ``use_input_stats``, for an input of a single spatial element
            ("Expected more than 1 spatial element when training").
        RuntimeError: without ``use_input_stats`` and without both running estimates; and
            ``batch_norm``'s errors (sizes, dtypes).
    """
    if use_input_stats:
        spatial = math.prod(input.shape[2:])
        if spatial == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size {input.shape}")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    n, c = input.shape[0], input.shape[1]
    repeated = [None if t is None else t.repeat(n) for t in (running_mean, running_var, weight, bias)]
    out = batch_norm(input.contiguous().view((1, n * c) + tuple(input.shape[2:])), *repeated,
                     use_input_stats, momentum, eps)
    with no_grad():  # the running estimates: the average over the batch of each sample's update
        for stat, updated in ((running_mean, repeated[0]), (running_var, repeated[1])):
            if stat is not None:
                stat.copy_(updated.view(n, c).mean(0))
    return out.view(input.shape)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Group normalisation: split the C channels into ``num_groups`` groups and normalise each
    group of each sample (over its channels and spatial positions).

    The ``(N, C, *)`` input is viewed as ``(N, G, C/G * prod(*))``, normalised over the last dim
    (the Function ``LayerNorm``), viewed back, and scaled and shifted per channel. ``num_groups=1`` normalises each sample
    over all its values; ``num_groups=C`` is instance normalisation.

    Args:
        input: ``(N, C, *)``.
        num_groups: G, which must divide C.
        weight, bias: (C,) or None.
        eps: added to the variance.

    Shape:
        output: the shape of ``input``.

    Raises:
        RuntimeError: for an input of fewer than 2 dims, C not divisible by ``num_groups``,
            ``weight``/``bias`` without C elements or of another dtype than ``input``.
        NotImplementedError: for an integer or bool input (no kernel).
        ValueError: if each group holds a single value (N * C / G * prod(*) == 1).
    """
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    N, C = input.shape[0], input.shape[1]
    if num_groups == 0:
        raise ZeroDivisionError("integer division or modulo by zero (num_groups is 0)")
    # each group of one sample is one "channel" of an (N * C / G, G, *) batch
    _verify_batch_size([N * C // num_groups, num_groups] + list(input.shape[2:]))
    if C % num_groups != 0:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape {list(input.shape)} and num_groups={num_groups}")
    for name, tensor in (("weight", weight), ("bias", bias)):
        if tensor is not None and (tensor.ndim != 1 or tensor.numel() != C):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(tensor.shape)} and input of shape {list(input.shape)}")
    # PyTorch's order: the first parameter's dtype against the input's, then the kernel's
    # dtypes (floats only), then the second parameter's
    first = weight if weight is not None else bias
    if first is None or first.dtype is input.dtype:
        _float_only("GroupNormKernelImpl", input)
    _same_dtype_parameters(input, weight, bias)
    per_group = input.numel() // N if N else int(np.prod(input.shape[1:], dtype=np.int64))
    group_size = per_group // num_groups
    # each group of each sample is one row of layer_norm (without its weight and bias)
    out = LayerNorm.apply(input.reshape(N, num_groups, group_size), None, None, (group_size,), eps).reshape(input.shape)
    shape = _channel_shape(input)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out
